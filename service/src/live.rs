//! The live score of one tenant: the catalog and the tenant's custom actions, with its
//! current states, evaluated and ranked.

use chrono::{DateTime, NaiveDate, Utc};
use score::ranking::rank;
use score::{evaluate, ActionScore, ImprovementAction, RankedAction, SecureScore};
use std::collections::{BTreeMap, BTreeSet};
use store::{ControlRecord, ScoreSnapshot, Store, StoreError, Tenant};

pub struct LiveScore {
    pub tenant: Tenant,
    /// Built-in then custom actions.
    pub actions: Vec<ImprovementAction>,
    /// Which of them are the tenant's own.
    pub custom: BTreeSet<String>,
    pub records: BTreeMap<String, ControlRecord>,
    pub score: SecureScore,
    pub scores: Vec<ActionScore>,
    pub ranking: Vec<RankedAction>,
}

impl LiveScore {
    pub fn action(&self, id: &str) -> Option<&ImprovementAction> {
        self.actions.iter().find(|a| a.id == id)
    }

    /// The action's place in the ranked list; `None` for one not ranked (done, accepted,
    /// deprecated).
    pub fn rank_of(&self, id: &str) -> Option<u32> {
        self.ranking.iter().find(|r| r.id == id).map(|r| r.rank)
    }

    /// Whether the action is one of the tenant's custom actions.
    pub fn is_custom(&self, id: &str) -> bool {
        self.custom.contains(id)
    }

    /// The score of one action, as evaluated for this tenant.
    pub fn score_of(&self, id: &str) -> Option<&ActionScore> {
        self.scores.iter().find(|s| s.id == id)
    }

    /// The live score frozen as the snapshot of `day`.
    pub fn snapshot(&self, day: NaiveDate, taken_at: DateTime<Utc>) -> ScoreSnapshot {
        ScoreSnapshot {
            tenant_id: self.tenant.id.clone(),
            day,
            current: self.score.current,
            max: self.score.max,
            categories: self.score.categories.clone(),
            licensed_seats: self.tenant.licensed_seats,
            active_users: self.tenant.active_users,
            taken_at,
            imported: false,
        }
    }
}

pub async fn live_score(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    tenant_id: &str,
) -> Result<LiveScore, StoreError> {
    let tenant = store.tenant(tenant_id).await?;
    let mut actions = catalog.to_vec();
    let own = store.custom_actions(tenant_id).await?;
    let custom = own.iter().map(|a| a.id.clone()).collect();
    actions.extend(own);
    let records: BTreeMap<String, ControlRecord> =
        store.control_records(tenant_id).await?.into_iter().map(|r| (r.action_id.clone(), r)).collect();
    let (score, scores) = evaluate(&actions, |id| records.get(id).map(|r| r.state));
    let ranking = rank(&scores);
    Ok(LiveScore { tenant, actions, custom, records, score, scores, ranking })
}
