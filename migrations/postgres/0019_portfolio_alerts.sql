-- Portfolio alert rules: one person's rule over every tenant where they hold a read-write
-- role, now and later. Its state is kept per tenant, so alert_states is keyed by rule and
-- tenant from here on.
CREATE TABLE portfolio_alert_rules (
    id            TEXT        NOT NULL PRIMARY KEY,
    owner_user_id TEXT        NOT NULL REFERENCES users (id),
    name          TEXT        NOT NULL,
    condition     TEXT        NOT NULL,
    recipients    TEXT        NOT NULL,
    created_by    TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE INDEX portfolio_alert_rules_by_owner ON portfolio_alert_rules (owner_user_id);

ALTER TABLE alert_states DROP CONSTRAINT alert_states_pkey;
ALTER TABLE alert_states ADD PRIMARY KEY (rule_id, tenant_id);
