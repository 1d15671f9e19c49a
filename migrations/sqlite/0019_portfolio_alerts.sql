-- Portfolio alert rules: one person's rule over every tenant where they hold a read-write
-- role, now and later. Its state is kept per tenant, so alert_states is keyed by rule and
-- tenant from here on.
CREATE TABLE portfolio_alert_rules (
    id            TEXT NOT NULL PRIMARY KEY,
    owner_user_id TEXT NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    condition     TEXT NOT NULL,
    recipients    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

CREATE INDEX portfolio_alert_rules_by_owner ON portfolio_alert_rules (owner_user_id);

CREATE TABLE alert_states_by_tenant (
    rule_id     TEXT    NOT NULL,
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id),
    firing      INTEGER NOT NULL CHECK (firing IN (0, 1)),
    since       TEXT,
    baseline    TEXT    NOT NULL,
    checked_at  TEXT    NOT NULL,
    PRIMARY KEY (rule_id, tenant_id)
) STRICT;

INSERT INTO alert_states_by_tenant (rule_id, tenant_id, firing, since, baseline, checked_at)
    SELECT rule_id, tenant_id, firing, since, baseline, checked_at FROM alert_states;
DROP TABLE alert_states;
ALTER TABLE alert_states_by_tenant RENAME TO alert_states;
