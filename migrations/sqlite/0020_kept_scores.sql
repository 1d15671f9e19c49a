-- Every write to a tenant moves its revision, in the write's own transaction (the row
-- update is also the lock that keeps a tenant's writes apart). A kept score is the
-- tenant's live score computed at one revision under one catalog: it is used only while
-- both still match, so it is never served stale, and the portfolio need not evaluate
-- every tenant on every request.
ALTER TABLE tenants ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

CREATE TABLE kept_scores (
    tenant_id      TEXT    NOT NULL PRIMARY KEY REFERENCES tenants (id),
    revision       INTEGER NOT NULL,
    catalog        TEXT    NOT NULL,
    current_points INTEGER NOT NULL,
    max_points     INTEGER NOT NULL,
    computed_at    TEXT    NOT NULL
) STRICT;

