//! Conversions between domain values and the column values both backends share.

use crate::error::other;
use crate::Result;
use chrono::{DateTime, SubsecRound, Utc};
use score::snapshot::Cause;
use score::Status;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// PostgreSQL keeps microseconds; truncating first makes both backends return what was written.
pub(crate) fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// A day as a query bound: days before year 1 or after 9999 neither sort as text in SQLite
/// nor fit PostgreSQL's `date`, and no stored day lies there, so "everything" clamps to these.
pub(crate) fn day_bound(d: chrono::NaiveDate) -> chrono::NaiveDate {
    let first = chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(d);
    let last = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(d);
    d.clamp(first, last)
}

pub(crate) fn to_u32(v: i64, column: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| other(format_args!("column {column} holds {v}, outside 0..=u32::MAX")))
}

pub(crate) fn status(s: &str) -> Result<Status> {
    Status::parse(s).ok_or_else(|| other(format_args!("unknown status `{s}` in storage")))
}

pub(crate) fn cause_str(c: Cause) -> &'static str {
    match c {
        Cause::Measurement => "Measurement",
        Cause::Status => "Status",
        Cause::Added => "Added",
        Cause::Removed => "Removed",
    }
}

pub(crate) fn cause(s: &str) -> Result<Cause> {
    [Cause::Measurement, Cause::Status, Cause::Added, Cause::Removed]
        .into_iter()
        .find(|c| cause_str(*c) == s)
        .ok_or_else(|| other(format_args!("unknown change cause `{s}` in storage")))
}

pub(crate) fn to_json<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    Ok(serde_json::to_string(v)?)
}

pub(crate) fn from_json<T: DeserializeOwned>(s: &str) -> Result<T> {
    Ok(serde_json::from_str(s)?)
}
