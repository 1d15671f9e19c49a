//! The Graph entities as they go on the wire: Graph's field names, casing and types, so
//! code written against `/security/secureScores` reads Rampart's answers unchanged.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who produced an entity. `provider` keeps Graph's value so clients that check it still
/// recognise Secure Score data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VendorInformation {
    pub provider: String,
    pub provider_version: Option<String>,
    pub sub_provider: Option<String>,
    pub vendor: String,
}

impl VendorInformation {
    pub fn rampart(catalog_version: Option<String>) -> VendorInformation {
        VendorInformation {
            provider: "SecureScore".into(),
            provider_version: catalog_version,
            sub_provider: None,
            vendor: "Rampart".into(),
        }
    }
}

/// One day of a tenant's score (`microsoft.graph.secureScore`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecureScore {
    /// `<tenantId>_<yyyy-mm-dd>`.
    pub id: String,
    pub azure_tenant_id: String,
    pub active_user_count: u32,
    pub created_date_time: String,
    pub current_score: f64,
    pub enabled_services: Vec<String>,
    pub licensed_user_count: u32,
    pub max_score: f64,
    /// Only the bases with at least five other tenants that day.
    pub average_comparative_scores: Vec<AverageComparativeScore>,
    pub control_scores: Vec<ControlScore>,
    pub vendor_information: VendorInformation,
}

/// A comparison average. Like the product's comparisons, `averageScore` is a percentage of
/// the maximum (0–100), so tenants of different sizes compare fairly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AverageComparativeScore {
    /// `AllTenants`, `TotalSeats` or `IndustryTypes`.
    pub basis: String,
    pub average_score: f64,
    /// The seat bucket (`TotalSeats` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat_size_range_lower_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat_size_range_upper_value: Option<String>,
    /// The industry (`IndustryTypes` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry_name: Option<String>,
    /// The average split by category, as Graph gives it (percent of the maximum, adding up
    /// to `averageScore`); left out on days tallied before Rampart kept the split.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apps_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infrastructure_score: Option<f64>,
}

/// One action's points on the day (`microsoft.graph.controlScore` with the extra fields
/// real responses carry). `count` and `total` are strings, as Graph sends them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ControlScore {
    pub control_category: String,
    pub control_name: String,
    pub description: String,
    pub score: f64,
    pub score_in_percentage: f64,
    pub implementation_status: String,
    pub count: String,
    pub total: String,
    /// When the measurement behind the points was taken; `null` when never measured.
    pub last_synced: Option<String>,
    /// The day these points are for.
    pub on: String,
}

/// An improvement action and this tenant's state of it (`microsoft.graph.secureScoreControlProfile`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecureScoreControlProfile {
    pub id: String,
    pub action_type: String,
    pub action_url: String,
    pub azure_tenant_id: String,
    pub compliance_information: Vec<ComplianceInformation>,
    pub control_category: String,
    pub control_state_updates: Vec<SecureScoreControlStateUpdate>,
    pub deprecated: bool,
    pub implementation_cost: String,
    pub last_modified_date_time: Option<String>,
    pub max_score: f64,
    pub rank: u32,
    pub remediation: String,
    pub remediation_impact: String,
    pub service: String,
    pub threats: Vec<String>,
    pub tier: String,
    pub title: String,
    pub user_impact: String,
    pub vendor_information: VendorInformation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceInformation {
    pub certification_name: String,
    pub certification_controls: Vec<String>,
}

/// One status change as Graph shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecureScoreControlStateUpdate {
    pub assigned_to: Option<String>,
    pub comment: String,
    /// `Default`, `Ignored`, `ThirdParty` or `Reviewed`.
    pub state: String,
    pub updated_by: String,
    pub updated_date_time: String,
}

/// The body of `PATCH secureScoreControlProfiles/{id}`. Unknown fields are refused rather
/// than ignored, so a typo never looks like a successful update.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ControlProfileUpdate {
    /// Sent by the Graph SDKs (`#microsoft.graph.secureScoreControlProfile`); not needed.
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    #[serde(default)]
    pub assigned_to: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    /// `Default`, `Ignored`, `ThirdParty` or `Reviewed`, in any letter case.
    #[serde(default)]
    pub state: Option<String>,
    /// Accepted for compatibility (Graph requires it); Rampart keeps its own.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub vendor_information: Option<serde_json::Value>,
    /// The form the Graph SDKs build from their model: the last entry applies, and a field
    /// given at the top level as well wins over it.
    #[serde(default)]
    pub control_state_updates: Option<Vec<ControlStateUpdateBody>>,
}

impl ControlProfileUpdate {
    /// The update as one set of fields: the top level, else the last `controlStateUpdates` entry.
    pub fn merged(mut self) -> ControlProfileUpdate {
        if let Some(last) = self.control_state_updates.take().and_then(|mut u| u.pop()) {
            self.state = self.state.or(last.state);
            self.comment = self.comment.or(last.comment);
            self.assigned_to = self.assigned_to.or(last.assigned_to);
        }
        self
    }
}

/// One entry of `controlStateUpdates` in a PATCH body, as the Graph SDKs send it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ControlStateUpdateBody {
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    #[serde(default)]
    pub assigned_to: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    /// `Default`, `Ignored`, `ThirdParty` or `Reviewed`, in any letter case.
    #[serde(default)]
    pub state: Option<String>,
    /// Accepted, not kept: the change is recorded under the token's user.
    #[serde(default)]
    pub updated_by: Option<String>,
    /// Accepted, not kept: the change is recorded at the time Rampart receives it.
    #[serde(default)]
    pub updated_date_time: Option<String>,
}

/// A page of a collection, as Graph wraps it: the body every list answers with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Collection<T> {
    #[serde(rename = "@odata.context")]
    pub context: String,
    #[serde(rename = "@odata.count", skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// The timestamp format Graph uses: RFC 3339 in UTC with a `Z`.
pub fn graph_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Points (hundredths) as Graph's doubles, rounded to the hundredth they were kept in.
pub fn points(p: score::Points) -> f64 {
    p.as_f64()
}
