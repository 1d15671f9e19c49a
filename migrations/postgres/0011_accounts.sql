-- Sign-in throttling as one counter row per key, bumped by an upsert: concurrent attempts
-- are serialised on the row, so a burst cannot slip past the budget. It replaces the
-- table of failures, which was counted in a second statement (not atomic).
DROP TABLE sign_in_failures;

CREATE TABLE sign_in_attempts (
    key          TEXT    NOT NULL PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    attempts     BIGINT NOT NULL
);

CREATE INDEX sign_in_attempts_by_window ON sign_in_attempts (window_start);

-- A password change and "sign out everywhere" end one user's sessions.
CREATE INDEX sessions_by_user ON sessions (user_id);
