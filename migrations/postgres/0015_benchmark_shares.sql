-- Each tallied snapshot's score split by category (a JSON array of five shares, in
-- hundredths of a percent of the tenant's maximum: Identity, Data, Device, Apps,
-- Infrastructure), so a viewer's own tenants come out of the per-category averages
-- exactly as they went in. NULL for days tallied before.
ALTER TABLE score_snapshots ADD COLUMN bench_shares TEXT;
