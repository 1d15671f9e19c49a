//! Records the store reads and writes, in the product's words.

use chrono::{DateTime, NaiveDate, Utc};
use score::day_trend::DayTrend;
use score::snapshot::ActionChange;
use score::{Breakdown, ControlState, Entity, EntityKind, Measurement, MeasurementSource, Points, Status};
use serde::{Deserialize, Serialize};

/// Default score zones (SPEC §3): bad < 40 ≤ okay < 70 ≤ good.
pub const DEFAULT_ZONE_OKAY_FROM: u32 = 40;
pub const DEFAULT_ZONE_GOOD_FROM: u32 = 70;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// A UUID in its hyphenated text form.
    pub id: String,
    pub name: String,
    pub licensed_seats: u32,
    pub active_users: u32,
    pub industry: String,
    pub enabled_services: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// Percentages where the okay and good zones start.
    pub zone_okay_from: u32,
    pub zone_good_from: u32,
    /// The score the tenant aims for, and by when; drawn on the projection.
    pub goal: Option<ScoreGoal>,
    /// The licenses the tenant holds (the catalog's names); `None` when not recorded.
    pub licenses: Option<Vec<String>>,
}

/// A measurement and the day it was observed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedMeasurement {
    pub action_id: String,
    pub day: NaiveDate,
    pub measurement: Measurement,
}

/// A target score percentage by a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreGoal {
    /// A whole percentage, 1 to 100.
    pub percent: u32,
    pub by: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTenant {
    /// `None` lets the store pick a random UUID; demo data passes fixed ones.
    pub id: Option<String>,
    pub name: String,
    pub licensed_seats: u32,
    pub active_users: u32,
    pub industry: String,
    pub enabled_services: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// One status change as people made it; the history is append-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub action_id: String,
    pub status: Status,
    pub note: String,
    pub assignee: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub tags: Vec<String>,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

/// A status change as the history holds it, with the id that names it (undo names the
/// change it undoes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedChange {
    pub id: i64,
    pub change: StatusChange,
}

/// The current state of one action in one tenant, with the latest status details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlRecord {
    pub action_id: String,
    pub state: ControlState,
    pub note: String,
    pub assignee: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub tags: Vec<String>,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A measurement of one action, as sync, ingest or import delivers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasurementInput {
    pub action_id: String,
    pub measurement: Measurement,
    /// The users, devices or resources the measurement is about, all of them: an entity
    /// the action named before and this one does not is no longer affected. `None` leaves
    /// what is known about them as it is.
    #[serde(default)]
    pub entities: Option<Vec<Entity>>,
}

impl MeasurementInput {
    pub fn new(action_id: impl Into<String>, measurement: Measurement) -> MeasurementInput {
        MeasurementInput { action_id: action_id.into(), measurement, entities: None }
    }

    pub fn with_entities(self, entities: Vec<Entity>) -> MeasurementInput {
        MeasurementInput { entities: Some(entities), ..self }
    }
}

/// An entity of an action as it stands: named by the latest measurement that named any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRecord {
    pub entity: Entity,
    /// The day it began to pass or fail as it does now.
    pub since: NaiveDate,
}

/// What happened to an entity on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityState {
    /// Started failing, or was first named failing.
    Failing,
    /// Started passing, or was first named passing.
    Passing,
    /// No longer named by the action's measurements.
    Gone,
}

impl EntityState {
    pub fn key(self) -> &'static str {
        match self {
            EntityState::Failing => "failing",
            EntityState::Passing => "passing",
            EntityState::Gone => "gone",
        }
    }

    pub fn from_key(key: &str) -> Option<EntityState> {
        [EntityState::Failing, EntityState::Passing, EntityState::Gone].into_iter().find(|s| s.key() == key)
    }
}

/// One change of one entity of an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityChange {
    pub day: NaiveDate,
    pub kind: EntityKind,
    pub id: String,
    pub display_name: String,
    pub state: EntityState,
}

/// A source's latest measurement of an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMeasurement {
    pub source: MeasurementSource,
    pub measurement: Measurement,
    pub recorded_at: DateTime<Utc>,
}

/// A frozen day of one tenant (the per-action points are stored separately, as changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreSnapshot {
    pub tenant_id: String,
    pub day: NaiveDate,
    pub current: Points,
    pub max: Points,
    pub categories: Vec<Breakdown>,
    pub licensed_seats: u32,
    pub active_users: u32,
    pub taken_at: DateTime<Utc>,
    /// Loaded from an export, not measured here: never part of another tenant's benchmark.
    pub imported: bool,
}

/// An action change recorded on the day it first showed in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedChange {
    pub day: NaiveDate,
    pub change: ActionChange,
}

/// One day's trend sums, as stored with its snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedTrend {
    pub day: NaiveDate,
    pub trend: DayTrend,
}

/// One line of the append-only audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub tenant_id: Option<String>,
    pub actor: String,
    pub at: DateTime<Utc>,
    /// What happened, e.g. `status.set`, `measurement.record`, `tenant.create`.
    pub kind: String,
    /// The target, e.g. an action id.
    pub subject: String,
    /// JSON of the state before and after (empty object when there was none).
    pub before: String,
    pub after: String,
}

/// What a catalog sync did to the stored catalog.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CatalogSync {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    /// Actions no longer in the file; kept (history refers to them) but marked deprecated.
    pub retired: Vec<String>,
}

/// A password change: whose, the new Argon2id hash, and the one session (by the hash of its
/// cookie) that stays signed in — the one that made the change, if it was made in a browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewPassword<'a> {
    pub user_id: &'a str,
    pub hash: &'a str,
    pub keep_session: Option<&'a str>,
}

/// A person who signs in. The password hash is an Argon2id PHC string, never the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    /// Lower-cased, unique.
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

/// A role a user holds in one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub user_id: String,
    pub email: String,
    pub tenant_id: String,
    pub role: score::roles::Role,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
}

/// A signed-in browser session; only a hash of the cookie value is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An API token for one tenant; only a hash of the secret is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub token_hash: String,
    pub user_id: String,
    pub tenant_id: String,
    pub name: String,
    /// `SecurityEvents.Read.All` or `SecurityEvents.ReadWrite.All`.
    pub scope: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What importing one file changed, as its audit line shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportedChanges {
    /// Days of history written or rewritten.
    pub days: u32,
    pub measurements: u32,
    pub status_changes: u32,
    pub custom_actions_added: u32,
    pub custom_actions_restored: u32,
}

impl ImportedChanges {
    pub fn is_empty(&self) -> bool {
        *self == ImportedChanges::default()
    }
}
