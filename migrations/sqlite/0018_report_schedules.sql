-- Scheduled reports: a weekly or monthly email of a tenant's report, or of a portfolio's
-- (no tenant: every tenant where `created_by_user` holds a read-write role), to a list of
-- addresses. `last_period_end` is the last day of the latest period sent, so a period is
-- sent once whichever server sends it; a failed send waits `next_attempt_at`.
CREATE TABLE report_schedules (
    id              TEXT    NOT NULL PRIMARY KEY,
    tenant_id       TEXT    REFERENCES tenants (id),
    cadence         TEXT    NOT NULL CHECK (cadence IN ('weekly', 'monthly')),
    recipients      TEXT    NOT NULL,
    created_by      TEXT    NOT NULL,
    created_by_user TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    last_period_end TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT
) STRICT;

CREATE INDEX report_schedules_by_tenant ON report_schedules (tenant_id);
CREATE INDEX report_schedules_by_owner ON report_schedules (created_by_user);
