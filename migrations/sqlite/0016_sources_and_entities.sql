-- Where each measurement came from (`score::MeasurementSource` keys); NULL for those
-- recorded before sources were.
ALTER TABLE measurements ADD COLUMN source TEXT;

-- Each source's latest word about an action: the flyout names the source of the value in
-- effect, and the others when they say something else.
CREATE TABLE source_measurements (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    action_id   TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    unit_count  INTEGER NOT NULL,
    unit_total  INTEGER NOT NULL,
    observed_at TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, action_id, source),
    CHECK (unit_count >= 0 AND unit_count <= unit_total)
) STRICT, WITHOUT ROWID;

-- The users, devices or resources behind an action's latest measurement that named them,
-- each passing or failing, and since which day.
CREATE TABLE entity_states (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id),
    action_id    TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    entity_id    TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    passes       INTEGER NOT NULL CHECK (passes IN (0, 1)),
    since_on     TEXT    NOT NULL,
    observed_on  TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, action_id, kind, entity_id)
) STRICT, WITHOUT ROWID;

-- Only the changes are kept, like the snapshots' per-action points: an entity that
-- started failing, started passing (or appeared passing), or is no longer named.
CREATE TABLE entity_changes (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    action_id    TEXT NOT NULL,
    changed_on   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    display_name TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('failing', 'passing', 'gone')),
    PRIMARY KEY (tenant_id, action_id, changed_on, kind, entity_id)
) STRICT, WITHOUT ROWID;

-- The Entra directories a tenant's scanner reports were of: a later report naming another
-- one is refused unless the operator names the tenant (a service provider's files of one
-- customer kept out of another's score).
CREATE TABLE scan_directories (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    directory_id  TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, directory_id)
) STRICT, WITHOUT ROWID;
