-- Change tickets opened in ServiceNow by sharing an improvement action. The audit trail
-- records every share (email and webhook too); this table keeps what the flyout shows.
CREATE TABLE action_tickets (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    action_id  TEXT    NOT NULL,
    number     TEXT    NOT NULL,
    url        TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at TEXT    NOT NULL
) STRICT;

CREATE INDEX action_tickets_by_action ON action_tickets (tenant_id, action_id, id);
