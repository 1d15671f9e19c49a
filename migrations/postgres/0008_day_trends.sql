-- Each day's trend sums (score::day_trend), written with its snapshot so that a range's
-- Metrics & trends read one row per day instead of every per-action change of the range.
-- net is the sum of the six point columns. largest_drops is JSON: up to five
-- [action id, delta] pairs. It is NULL on rows written before this migration; the store
-- computes those when it is opened, replaying each tenant's stored changes.
ALTER TABLE score_snapshots ADD COLUMN achieved_points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE score_snapshots ADD COLUMN regressed_points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE score_snapshots ADD COLUMN status_lowered_points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE score_snapshots ADD COLUMN added_points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE score_snapshots ADD COLUMN added_max_points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE score_snapshots ADD COLUMN removed_points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE score_snapshots ADD COLUMN drops BIGINT NOT NULL DEFAULT 0;
ALTER TABLE score_snapshots ADD COLUMN largest_drops TEXT;
ALTER TABLE score_snapshots ADD COLUMN risk_accepted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE score_snapshots ADD COLUMN risk_accepted_points BIGINT NOT NULL DEFAULT 0;

-- What opening the store looks for: empty once every row is filled, and never touched by
-- the snapshots written since (they always carry their trend), so a start costs nothing.
CREATE INDEX score_snapshots_unfilled ON score_snapshots (tenant_id) WHERE largest_drops IS NULL;

-- The trends no longer read drops or risk-acceptance changes from the per-action table.
DROP INDEX snapshot_action_changes_drops;
DROP INDEX snapshot_action_changes_risk;
