//! What an import reads out of a Graph export: the days of a `secureScores` export, the
//! profiles of a `secureScoreControlProfiles` one, and where a file went wrong.

use chrono::{DateTime, NaiveDate, Utc};
use score::Status;
use std::sync::Arc;

/// A problem at one place in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub file: String,
    /// A JSON path such as `$.value[3].controlScores[7].controlName`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

/// What one file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphExport {
    SecureScores(Vec<ScoreDay>),
    ControlProfiles(Vec<ControlProfile>),
}

/// One `secureScore`: a tenant's score on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreDay {
    pub file: Arc<str>,
    /// Where it is in its file, such as `$.value[3]`.
    pub path: Arc<str>,
    pub azure_tenant_id: Option<String>,
    /// The day it is the score of: the date its id carries (`<tenant>_<yyyy-mm-dd>`), else
    /// the date it was created on.
    pub day: NaiveDate,
    pub created: DateTime<Utc>,
    pub active_users: Option<u32>,
    pub licensed_users: Option<u32>,
    pub controls: Vec<ControlScore>,
}

impl ScoreDay {
    /// Where one of its control scores is, such as `$.value[3].controlScores[7]`.
    pub fn control_path(&self, c: &ControlScore) -> String {
        format!("{}.controlScores[{}]", self.path, c.index)
    }
}

/// One entry of `controlScores`. Kept compact, texts shared between days: an export holds
/// hundreds of thousands of these, each day repeating the same names and descriptions.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlScore {
    /// Its place in the day's `controlScores`.
    pub index: u32,
    pub name: Arc<str>,
    pub category: Option<Arc<str>>,
    /// Plain text (HTML removed).
    pub description: Arc<str>,
    pub score: Option<f64>,
    pub percent: Option<f64>,
    /// `count` of `total`, when both are present, whole and `0 ≤ count ≤ total`.
    pub units: Option<(u32, u32)>,
}

/// One `secureScoreControlProfile`.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlProfile {
    pub file: String,
    pub path: String,
    pub id: String,
    pub azure_tenant_id: Option<String>,
    pub title: Option<String>,
    pub category: Option<String>,
    pub max_score: Option<f64>,
    pub service: Option<String>,
    pub tier: Option<String>,
    pub threats: Vec<String>,
    pub implementation_cost: Option<String>,
    pub user_impact: Option<String>,
    /// Plain text (HTML removed).
    pub remediation: String,
    pub action_url: Option<String>,
    pub deprecated: bool,
    pub updates: Vec<StateUpdate>,
}

/// One entry of `controlStateUpdates`, its Graph state already mapped to a status.
#[derive(Debug, Clone, PartialEq)]
pub struct StateUpdate {
    pub path: String,
    pub status: Status,
    pub assigned_to: Option<String>,
    pub comment: String,
    pub updated_by: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// Graph's control states (any case) as Rampart statuses (SPEC §7), the same as `PATCH`.
pub use score::graph_state::status_of_graph_state as status_of_state;
