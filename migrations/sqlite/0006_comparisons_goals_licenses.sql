-- Comparison groups a read-write user defined for a tenant. Their daily averages are
-- stored in comparison_tallies under basis 'Custom' with the comparison's id as group key.
-- `industries` and `tenants` are JSON arrays; empty means "any".
CREATE TABLE custom_comparisons (
    id          TEXT    NOT NULL PRIMARY KEY,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    name        TEXT    NOT NULL,
    seats_min   INTEGER CHECK (seats_min >= 0),
    seats_max   INTEGER CHECK (seats_max >= 0),
    industries  TEXT    NOT NULL DEFAULT '[]',
    tenants     TEXT    NOT NULL DEFAULT '[]',
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    CHECK (seats_min IS NULL OR seats_max IS NULL OR seats_min <= seats_max)
) STRICT;

CREATE INDEX custom_comparisons_by_tenant ON custom_comparisons (tenant_id, name);

-- A tenant's goal: a target score percentage by a date, drawn on the projection.
ALTER TABLE tenants ADD COLUMN goal_percent INTEGER CHECK (goal_percent BETWEEN 1 AND 100);
ALTER TABLE tenants ADD COLUMN goal_by TEXT;

-- The licenses a tenant holds (a JSON array of the catalog's license names), for the
-- licensed-only score view. NULL: not recorded, so nothing is left out.
ALTER TABLE tenants ADD COLUMN licenses TEXT;

-- The custom comparison form lists the industries tenants are in: read from this index
-- rather than from every tenant row.
CREATE INDEX tenants_by_industry ON tenants (industry);
