-- Change tickets opened in ServiceNow by sharing an improvement action. The audit trail
-- records every share (email and webhook too); this table keeps what the flyout shows.
CREATE TABLE action_tickets (
    id         BIGINT      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  TEXT        NOT NULL REFERENCES tenants (id),
    action_id  TEXT        NOT NULL,
    number     TEXT        NOT NULL,
    url        TEXT        NOT NULL,
    created_by TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX action_tickets_by_action ON action_tickets (tenant_id, action_id, id);
