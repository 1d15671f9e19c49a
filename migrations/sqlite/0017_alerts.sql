-- Alert rules, what each last said, and every alert sent or failing.
--
-- A rule belongs to one tenant. Its condition and recipients are JSON written by the
-- server (service::alert), never by a request as given.
CREATE TABLE alert_rules (
    id          TEXT    PRIMARY KEY,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    name        TEXT    NOT NULL,
    condition   TEXT    NOT NULL,
    recipients  TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
) STRICT;

CREATE INDEX alert_rules_by_tenant ON alert_rules (tenant_id);

-- Whether a rule's condition holds for its tenant, and what it was measured against when
-- it began to: a condition alerts once, then again only after it has cleared.
CREATE TABLE alert_states (
    rule_id     TEXT    NOT NULL PRIMARY KEY,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    firing      INTEGER NOT NULL CHECK (firing IN (0, 1)),
    since       TEXT,
    baseline    TEXT    NOT NULL,
    checked_at  TEXT    NOT NULL
) STRICT;

-- Tenants whose data changed since their rules were last looked at. Every write to a
-- tenant adds its row (in the write's own transaction) unless one is waiting; the alert
-- worker takes a row once it has been quiet long enough, so a batch makes one alert.
CREATE TABLE alert_checks (
    tenant_id   TEXT    NOT NULL PRIMARY KEY REFERENCES tenants (id),
    changed_at  TEXT    NOT NULL
) STRICT;

-- One message to one recipient, kept after it is sent: Settings shows the latest, and a
-- failed one is tried again with a growing wait until it goes or is given up, never lost
-- without a trace.
CREATE TABLE alert_deliveries (
    id              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
    rule_id         TEXT    NOT NULL,
    rule_name       TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT,
    last_attempt_at TEXT,
    last_error      TEXT,
    sent_at         TEXT
) STRICT;

CREATE INDEX alert_deliveries_by_tenant ON alert_deliveries (tenant_id, id);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at);
