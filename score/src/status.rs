//! What people decided about an action (status) and what was observed (measurement).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A status set by people. `Completed` is not here: it is derived from a full measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub enum Status {
    #[default]
    ToAddress,
    Planned,
    RiskAccepted,
    ThirdParty,
    AlternateMitigation,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::ToAddress,
        Status::Planned,
        Status::RiskAccepted,
        Status::ThirdParty,
        Status::AlternateMitigation,
    ];

    /// Stable name used in storage, URLs and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::ToAddress => "ToAddress",
            Status::Planned => "Planned",
            Status::RiskAccepted => "RiskAccepted",
            Status::ThirdParty => "ThirdParty",
            Status::AlternateMitigation => "AlternateMitigation",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str().eq_ignore_ascii_case(s))
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::ToAddress => "To address",
            Status::Planned => "Planned",
            Status::RiskAccepted => "Risk accepted",
            Status::ThirdParty => "Resolved through third party",
            Status::AlternateMitigation => "Resolved through alternate mitigation",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status shown to people: the set status, or `Completed` when the measurement is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EffectiveStatus {
    Completed,
    Set(Status),
}

impl EffectiveStatus {
    pub fn label(self) -> &'static str {
        match self {
            EffectiveStatus::Completed => "Completed",
            EffectiveStatus::Set(s) => s.label(),
        }
    }
}

/// One observation: `count` of `total` units compliant. Binary actions use 0/1 or 1/1;
/// `total = 0` means there is nothing to protect and the action is not applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurement {
    pub count: u32,
    pub total: u32,
    pub observed_at: DateTime<Utc>,
}

impl Measurement {
    pub fn binary(implemented: bool, observed_at: DateTime<Utc>) -> Measurement {
        Measurement { count: u32::from(implemented), total: 1, observed_at }
    }

    pub fn partial(count: u32, total: u32, observed_at: DateTime<Utc>) -> Measurement {
        Measurement { count, total, observed_at }
    }

    pub fn is_full(&self) -> bool {
        self.total > 0 && self.count >= self.total
    }
}

/// Everything known about one action in one tenant right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ControlState {
    pub status: Status,
    pub measurement: Option<Measurement>,
}
