-- Rampart's schema, PostgreSQL flavour. Same tables and columns as migrations/sqlite:
-- ids and JSON are TEXT, days DATE, times TIMESTAMPTZ, points BIGINT of 1/100 point.
-- Unqualified names: the tables land in the first schema of the search_path.

CREATE TABLE tenants (
    id               TEXT        NOT NULL PRIMARY KEY,
    name             TEXT        NOT NULL,
    licensed_seats   BIGINT      NOT NULL CHECK (licensed_seats >= 0),
    active_users     BIGINT      NOT NULL CHECK (active_users >= 0),
    industry         TEXT        NOT NULL,
    enabled_services TEXT        NOT NULL DEFAULT '[]',
    created_at       TIMESTAMPTZ NOT NULL,
    zone_okay_from   BIGINT      NOT NULL DEFAULT 40,
    zone_good_from   BIGINT      NOT NULL DEFAULT 70
);

CREATE INDEX tenants_by_name ON tenants (name, id);

-- One row: the version of the built-in catalog last synced.
CREATE TABLE catalog_version (
    singleton BIGINT      NOT NULL PRIMARY KEY CHECK (singleton = 1),
    version   TEXT        NOT NULL,
    synced_at TIMESTAMPTZ NOT NULL
);

-- The built-in catalog. `body` is the action as JSON; the other columns are copies
-- for filtering. `retired` = no longer in the catalog file (kept: history names it).
CREATE TABLE catalog_actions (
    id         TEXT    NOT NULL PRIMARY KEY,
    category   TEXT    NOT NULL,
    product    TEXT    NOT NULL,
    max_points BIGINT  NOT NULL,
    deprecated BOOLEAN NOT NULL,
    retired    BOOLEAN NOT NULL DEFAULT FALSE,
    body       TEXT    NOT NULL
);

CREATE TABLE custom_actions (
    tenant_id  TEXT        NOT NULL REFERENCES tenants (id),
    id         TEXT        NOT NULL,
    category   TEXT        NOT NULL,
    product    TEXT        NOT NULL,
    max_points BIGINT      NOT NULL,
    deprecated BOOLEAN     NOT NULL,
    body       TEXT        NOT NULL,
    created_by TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Measurement history: one per tenant, action and observed day (a re-ingest replaces it).
CREATE TABLE measurements (
    tenant_id   TEXT        NOT NULL REFERENCES tenants (id),
    action_id   TEXT        NOT NULL,
    observed_on DATE        NOT NULL,
    unit_count  BIGINT      NOT NULL,
    unit_total  BIGINT      NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT        NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, action_id, observed_on),
    CHECK (unit_count >= 0 AND unit_count <= unit_total)
);

-- What is true now per tenant and action: the set status with its details, and the
-- measurement of the latest observed day.
CREATE TABLE control_states (
    tenant_id      TEXT        NOT NULL REFERENCES tenants (id),
    action_id      TEXT        NOT NULL,
    status         TEXT        NOT NULL DEFAULT 'ToAddress',
    note           TEXT        NOT NULL DEFAULT '',
    assignee       TEXT,
    due_date       DATE,
    tags           TEXT        NOT NULL DEFAULT '[]',
    updated_by     TEXT,
    updated_at     TIMESTAMPTZ,
    measured_count BIGINT,
    measured_total BIGINT,
    measured_at    TIMESTAMPTZ,
    measured_on    DATE,
    PRIMARY KEY (tenant_id, action_id)
);

-- Append-only history of status changes.
CREATE TABLE status_changes (
    id         BIGINT      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  TEXT        NOT NULL REFERENCES tenants (id),
    action_id  TEXT        NOT NULL,
    status     TEXT        NOT NULL,
    note       TEXT        NOT NULL,
    assignee   TEXT,
    due_date   DATE,
    tags       TEXT        NOT NULL,
    changed_by TEXT        NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX status_changes_by_action ON status_changes (tenant_id, action_id, changed_at, id);

-- One frozen summary per tenant and day.
CREATE TABLE score_snapshots (
    tenant_id      TEXT        NOT NULL REFERENCES tenants (id),
    day            DATE        NOT NULL,
    current_points BIGINT      NOT NULL,
    max_points     BIGINT      NOT NULL,
    categories     TEXT        NOT NULL,
    licensed_seats BIGINT      NOT NULL,
    active_users   BIGINT      NOT NULL,
    taken_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, day)
);

-- Per-action points, stored only on the days they differ from the tenant's previous
-- snapshot. `present = false` marks an action that left the score that day.
CREATE TABLE snapshot_action_changes (
    tenant_id  TEXT    NOT NULL,
    day        DATE    NOT NULL,
    action_id  TEXT    NOT NULL,
    cause      TEXT    NOT NULL,
    delta      BIGINT  NOT NULL,
    max_delta  BIGINT  NOT NULL,
    present    BOOLEAN NOT NULL,
    points     BIGINT,
    max_points BIGINT,
    status     TEXT,
    PRIMARY KEY (tenant_id, day, action_id),
    FOREIGN KEY (tenant_id, day) REFERENCES score_snapshots (tenant_id, day),
    CHECK (present = (points IS NOT NULL AND max_points IS NOT NULL AND status IS NOT NULL))
);

-- Per-action points of each tenant's latest snapshot, so the daily snapshot diffs
-- against a small table instead of replaying the change history.
CREATE TABLE latest_action_points (
    tenant_id  TEXT   NOT NULL REFERENCES tenants (id),
    action_id  TEXT   NOT NULL,
    points     BIGINT NOT NULL,
    max_points BIGINT NOT NULL,
    status     TEXT   NOT NULL,
    PRIMARY KEY (tenant_id, action_id)
);

CREATE TABLE comparison_tallies (
    day          DATE   NOT NULL,
    basis        TEXT   NOT NULL,
    group_key    TEXT   NOT NULL,
    score_sum    BIGINT NOT NULL,
    tenant_count BIGINT NOT NULL CHECK (tenant_count >= 0),
    PRIMARY KEY (day, basis, group_key)
);

-- Append-only: no foreign key, so the trail outlives anything it mentions.
CREATE TABLE audit_log (
    id          BIGINT      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   TEXT,
    actor       TEXT        NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    kind        TEXT        NOT NULL,
    subject     TEXT        NOT NULL,
    before_json TEXT        NOT NULL,
    after_json  TEXT        NOT NULL
);

CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, id);

CREATE FUNCTION refuse_change_of_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change_of_append_only();

CREATE TRIGGER status_changes_append_only BEFORE UPDATE OR DELETE ON status_changes
    FOR EACH ROW EXECUTE FUNCTION refuse_change_of_append_only();
