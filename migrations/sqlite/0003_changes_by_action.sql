-- Reading one action's changes by day: the per-action points of a past day are found
-- from the latest ones by one index seek per action changed since.
CREATE INDEX snapshot_action_changes_by_action ON snapshot_action_changes (tenant_id, action_id, day);
