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
