-- Rampart's schema, SQLite flavour. Same tables and columns as migrations/postgres:
-- ids and JSON are TEXT, days are 'YYYY-MM-DD' text, times RFC 3339 UTC text,
-- booleans 0/1, points integers of 1/100 point. STRICT so a wrong type is refused.

CREATE TABLE tenants (
    id               TEXT    NOT NULL PRIMARY KEY,
    name             TEXT    NOT NULL,
    licensed_seats   INTEGER NOT NULL CHECK (licensed_seats >= 0),
    active_users     INTEGER NOT NULL CHECK (active_users >= 0),
    industry         TEXT    NOT NULL,
    enabled_services TEXT    NOT NULL DEFAULT '[]',
    created_at       TEXT    NOT NULL,
    zone_okay_from   INTEGER NOT NULL DEFAULT 40,
    zone_good_from   INTEGER NOT NULL DEFAULT 70
) STRICT;

CREATE INDEX tenants_by_name ON tenants (name, id);

-- One row: the version of the built-in catalog last synced.
CREATE TABLE catalog_version (
    singleton INTEGER NOT NULL PRIMARY KEY CHECK (singleton = 1),
    version   TEXT    NOT NULL,
    synced_at TEXT    NOT NULL
) STRICT;

-- The built-in catalog. `body` is the action as JSON; the other columns are copies
-- for filtering. `retired` = no longer in the catalog file (kept: history names it).
CREATE TABLE catalog_actions (
    id         TEXT    NOT NULL PRIMARY KEY,
    category   TEXT    NOT NULL,
    product    TEXT    NOT NULL,
    max_points INTEGER NOT NULL,
    deprecated INTEGER NOT NULL,
    retired    INTEGER NOT NULL DEFAULT 0,
    body       TEXT    NOT NULL
) STRICT;

CREATE TABLE custom_actions (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    id         TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    product    TEXT    NOT NULL,
    max_points INTEGER NOT NULL,
    deprecated INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- Measurement history: one per tenant, action and observed day (a re-ingest replaces it).
CREATE TABLE measurements (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    action_id   TEXT    NOT NULL,
    observed_on TEXT    NOT NULL,
    unit_count  INTEGER NOT NULL,
    unit_total  INTEGER NOT NULL,
    observed_at TEXT    NOT NULL,
    recorded_by TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, action_id, observed_on),
    CHECK (unit_count >= 0 AND unit_count <= unit_total)
) STRICT, WITHOUT ROWID;

-- What is true now per tenant and action: the set status with its details, and the
-- measurement of the latest observed day.
CREATE TABLE control_states (
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id),
    action_id      TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'ToAddress',
    note           TEXT    NOT NULL DEFAULT '',
    assignee       TEXT,
    due_date       TEXT,
    tags           TEXT    NOT NULL DEFAULT '[]',
    updated_by     TEXT,
    updated_at     TEXT,
    measured_count INTEGER,
    measured_total INTEGER,
    measured_at    TEXT,
    measured_on    TEXT,
    PRIMARY KEY (tenant_id, action_id)
) STRICT, WITHOUT ROWID;

-- Append-only history of status changes.
CREATE TABLE status_changes (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    action_id  TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    note       TEXT    NOT NULL,
    assignee   TEXT,
    due_date   TEXT,
    tags       TEXT    NOT NULL,
    changed_by TEXT    NOT NULL,
    changed_at TEXT    NOT NULL
) STRICT;

CREATE INDEX status_changes_by_action ON status_changes (tenant_id, action_id, changed_at, id);

-- One frozen summary per tenant and day.
CREATE TABLE score_snapshots (
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id),
    day            TEXT    NOT NULL,
    current_points INTEGER NOT NULL,
    max_points     INTEGER NOT NULL,
    categories     TEXT    NOT NULL,
    licensed_seats INTEGER NOT NULL,
    active_users   INTEGER NOT NULL,
    taken_at       TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, day)
) STRICT, WITHOUT ROWID;

-- Per-action points, stored only on the days they differ from the tenant's previous
-- snapshot. `present = 0` marks an action that left the score that day.
CREATE TABLE snapshot_action_changes (
    tenant_id  TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    action_id  TEXT    NOT NULL,
    cause      TEXT    NOT NULL,
    delta      INTEGER NOT NULL,
    max_delta  INTEGER NOT NULL,
    present    INTEGER NOT NULL,
    points     INTEGER,
    max_points INTEGER,
    status     TEXT,
    PRIMARY KEY (tenant_id, day, action_id),
    FOREIGN KEY (tenant_id, day) REFERENCES score_snapshots (tenant_id, day),
    CHECK ((present = 1) = (points IS NOT NULL AND max_points IS NOT NULL AND status IS NOT NULL))
) STRICT, WITHOUT ROWID;

-- Per-action points of each tenant's latest snapshot, so the daily snapshot diffs
-- against a small table instead of replaying the change history.
CREATE TABLE latest_action_points (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    action_id  TEXT    NOT NULL,
    points     INTEGER NOT NULL,
    max_points INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, action_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE comparison_tallies (
    day          TEXT    NOT NULL,
    basis        TEXT    NOT NULL,
    group_key    TEXT    NOT NULL,
    score_sum    INTEGER NOT NULL,
    tenant_count INTEGER NOT NULL CHECK (tenant_count >= 0),
    PRIMARY KEY (day, basis, group_key)
) STRICT, WITHOUT ROWID;

-- Append-only: no foreign key, so the trail outlives anything it mentions.
CREATE TABLE audit_log (
    id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT,
    actor       TEXT    NOT NULL,
    occurred_at TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    before_json TEXT    NOT NULL,
    after_json  TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER status_changes_no_update BEFORE UPDATE ON status_changes
BEGIN
    SELECT RAISE(ABORT, 'status_changes is append-only');
END;

CREATE TRIGGER status_changes_no_delete BEFORE DELETE ON status_changes
BEGIN
    SELECT RAISE(ABORT, 'status_changes is append-only');
END;
