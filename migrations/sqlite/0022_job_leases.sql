-- Background jobs across replicas: a lease names the one replica running a job until it
-- expires (the holder renews it while it works; a replica that dies stops renewing, and
-- another takes the job over), and a finished run is recorded so no replica runs the
-- same day's job again.
CREATE TABLE job_leases (
    job        TEXT NOT NULL PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE job_runs (
    job         TEXT NOT NULL,
    day         TEXT NOT NULL,
    holder      TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (job, day)
) STRICT;
