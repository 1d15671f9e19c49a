-- A service provider's baselines: a named set of (action → status, note) applied to a
-- tenant in one step. Owned by the person who saved it, like a portfolio alert rule.
CREATE TABLE baselines (
    id            TEXT        NOT NULL PRIMARY KEY,
    owner_user_id TEXT        NOT NULL REFERENCES users (id),
    name          TEXT        NOT NULL,
    entries       TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (owner_user_id, name)
);
