-- Status changes people make in Rampart, waiting to be sent to Microsoft 365 (write-back)
-- or sent. One row per action: a newer change replaces one not yet sent, since Microsoft
-- keeps only the latest state. It is written in the transaction of the change itself, so
-- a change is never recorded without its write-back, nor the other way round.
CREATE TABLE m365_write_backs (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
    action_id       TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    comment         TEXT    NOT NULL,
    assigned_to     TEXT    NOT NULL,
    changed_by      TEXT    NOT NULL,
    changed_at      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT,
    last_attempt_at TEXT,
    last_error      TEXT,
    sent_at         TEXT,
    PRIMARY KEY (tenant_id, action_id)
) STRICT;

-- The sender asks for what is due across every tenant.
CREATE INDEX m365_write_backs_due ON m365_write_backs (next_attempt_at);
