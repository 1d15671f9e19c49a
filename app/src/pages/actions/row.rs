//! One improvement action as the list, the flyout and the CSV export show it.

use chrono::NaiveDate;
use score::{Category, EffectiveStatus, Level, Points, Status};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRow {
    /// 1 = do first; `None` for actions that are not applicable (nothing to protect, deprecated).
    pub rank: Option<u32>,
    pub id: String,
    pub title: String,
    pub description: String,
    pub threats: Vec<String>,
    pub category: Category,
    pub product: String,
    pub points: Points,
    pub max: Points,
    pub remaining: Points,
    pub status: Status,
    pub effective: EffectiveStatus,
    pub cost: Level,
    pub impact: Level,
    /// The catalog's tags, then the tenant's own.
    pub tags: Vec<String>,
    /// Day of the latest status change or measurement.
    pub last_change: Option<NaiveDate>,
    pub applicable: bool,
    /// A tenant-only action rather than a built-in one.
    pub custom: bool,
}

impl ActionRow {
    pub fn rank_label(&self) -> String {
        self.rank.map_or_else(|| "—".to_owned(), |r| r.to_string())
    }

    pub fn last_change_label(&self) -> String {
        self.last_change.map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
    }
}

/// Where each effective status sorts and groups: open work first, risk accepted last.
pub fn status_order(e: EffectiveStatus) -> u8 {
    match e {
        EffectiveStatus::Set(Status::ToAddress) => 0,
        EffectiveStatus::Set(Status::Planned) => 1,
        EffectiveStatus::Completed => 2,
        EffectiveStatus::Set(Status::ThirdParty) => 3,
        EffectiveStatus::Set(Status::AlternateMitigation) => 4,
        EffectiveStatus::Set(Status::RiskAccepted) => 5,
    }
}

#[cfg(feature = "ssr")]
pub use server_side::rows_of;

#[cfg(feature = "ssr")]
mod server_side {
    use super::ActionRow;
    use service::live::LiveScore;
    use std::collections::HashMap;

    /// Every action of the live score with its rank and status; `built_in` is how many of
    /// `live.actions` come from the catalog (the rest are the tenant's custom actions).
    pub fn rows_of(live: &LiveScore) -> Vec<ActionRow> {
        let ranks: HashMap<&str, u32> = live.ranking.iter().map(|r| (r.id.as_str(), r.rank)).collect();
        live.actions
            .iter()
            .zip(&live.scores)
            .map(|(a, s)| {
                let record = live.records.get(&a.id);
                let mut tags = a.tags.clone();
                for t in record.map(|r| r.tags.as_slice()).unwrap_or_default() {
                    if !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                        tags.push(t.clone());
                    }
                }
                let last = record.and_then(|r| {
                    let measured = r.state.measurement.map(|m| m.observed_at);
                    r.updated_at.max(measured)
                });
                ActionRow {
                    rank: ranks.get(a.id.as_str()).copied(),
                    id: a.id.clone(),
                    title: a.title.clone(),
                    description: a.description.clone(),
                    threats: a.threats.clone(),
                    category: a.category,
                    product: a.product.clone(),
                    points: s.points,
                    max: s.max,
                    remaining: s.remaining,
                    status: s.status,
                    effective: s.effective,
                    cost: a.implementation_cost,
                    impact: a.user_impact,
                    tags,
                    last_change: last.map(|t| t.date_naive()),
                    applicable: s.applicable,
                    custom: live.is_custom(&a.id),
                }
            })
            .collect()
    }
}
