-- The share rate limit counts one person's recent `action.share` audit lines.
CREATE INDEX audit_log_by_actor ON audit_log (actor, kind, occurred_at);
-- Each failed sign-in sweeps the failures older than the throttling window.
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (at);
