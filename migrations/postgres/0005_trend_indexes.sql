-- The Metrics & trends page reads a range's measurement drops and the changes that can
-- move an action in or out of risk acceptance: each set has an index of its own, so a long
-- range reads those rows rather than every change of the range.
CREATE INDEX snapshot_action_changes_drops ON snapshot_action_changes (tenant_id, day)
    WHERE cause = 'Measurement' AND delta < 0;
CREATE INDEX snapshot_action_changes_risk ON snapshot_action_changes (tenant_id, day)
    WHERE cause <> 'Measurement' OR status = 'RiskAccepted';
