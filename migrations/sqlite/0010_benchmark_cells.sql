-- Benchmarks built from fixed cells (seat bucket × industry), so no comparison can be
-- drawn around one tenant (SPEC §4).

-- Days loaded from an export rather than measured here: never part of any average.
ALTER TABLE score_snapshots ADD COLUMN imported INTEGER NOT NULL DEFAULT 0 CHECK (imported IN (0, 1));

-- The cell and percentage the daily run tallied the snapshot under (NULL: not tallied).
-- Kept beside the snapshot so a viewer's own tenants come out of an average exactly as
-- they went in, even if the snapshot is written again later that day.
ALTER TABLE score_snapshots ADD COLUMN bench_bucket INTEGER CHECK (bench_bucket BETWEEN 0 AND 7);
ALTER TABLE score_snapshots ADD COLUMN bench_industry TEXT;
ALTER TABLE score_snapshots ADD COLUMN bench_percent INTEGER;
CREATE INDEX score_snapshots_benchmarked ON score_snapshots (day) WHERE bench_bucket IS NOT NULL;

-- Each day's cell sums and counts, and how many tenants moved between cells since the day
-- before, as JSON: one row a day, so a two-year chart reads 730 rows.
CREATE TABLE benchmark_days (
    day   TEXT NOT NULL PRIMARY KEY,
    cells TEXT NOT NULL,
    moves TEXT NOT NULL
) STRICT;

-- Custom comparisons name whole seat buckets (a JSON array of bucket indexes). Rows from
-- before keep their seat range, read as the buckets it overlaps.
ALTER TABLE custom_comparisons ADD COLUMN seat_buckets TEXT NOT NULL DEFAULT '[]';

-- Group averages over free criteria, replaced by the cells above.
DROP TABLE comparison_tallies;
