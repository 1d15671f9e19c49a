//! Write-back: status changes people make in Rampart, sent to Microsoft 365 as
//! `PATCH /v1.0/security/secureScoreControlProfiles/{id}` for tenants whose connection
//! writes back. Each change was queued in its own transaction (see `store::WriteBack`);
//! here the queue is worked off. A refusal is kept on the action with its reason and
//! tried again later, with a wait that doubles up to six hours — never dropped, and never
//! in the way of the edit, which Rampart has already made.

use super::graph::GraphError;
use super::sync::Microsoft;
use app::state::AppState;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use store::{Sent, Store, StoreError, WriteBack};

/// Write-backs sent in one round; the rest wait for the next.
const BATCH: u32 = 200;
/// The wait after a first failure; it doubles with each one after, up to [`LONGEST_WAIT`].
const FIRST_WAIT: chrono::Duration = chrono::Duration::minutes(1);
const LONGEST_WAIT: chrono::Duration = chrono::Duration::hours(6);
/// How often the server looks for write-backs that are due.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(15);

/// What one round of sending did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteBackRun {
    pub sent: usize,
    pub failed: usize,
}

/// The body of the PATCH, as Microsoft documents it: the state, the comment, who it is
/// assigned to, and the vendor information Graph requires with every update.
pub fn patch_body(w: &WriteBack) -> serde_json::Value {
    serde_json::json!({
        "assignedTo": w.assigned_to,
        "comment": w.comment,
        "state": w.state,
        "vendorInformation": {
            "provider": "SecureScore",
            "providerVersion": null,
            "subProvider": null,
            "vendor": "Microsoft",
        },
    })
}

/// The control profile's path, its id as one path segment.
pub fn profile_path(action_id: &str) -> String {
    let mut path = String::from("/v1.0/security/secureScoreControlProfiles/");
    for b in action_id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            path.push(char::from(b));
        } else {
            path.push_str(&format!("%{b:02X}"));
        }
    }
    path
}

/// When to try again after the `failures`-th failure in a row.
pub fn again_at(failures: u32, now: DateTime<Utc>) -> DateTime<Utc> {
    let doubled = FIRST_WAIT * 2_i32.saturating_pow(failures.saturating_sub(1).min(16));
    now + doubled.min(LONGEST_WAIT)
}

/// Why one write-back was not sent, and whether trying again could help.
struct NotSent {
    why: String,
    for_good: bool,
}

impl NotSent {
    fn later(why: impl Into<String>) -> NotSent {
        NotSent { why: why.into(), for_good: false }
    }
}

impl Microsoft {
    /// Sends every write-back due at `now`, across tenants; one tenant's failure never
    /// stops another's.
    pub async fn send_write_backs(
        &self,
        store: &dyn Store,
        now: DateTime<Utc>,
    ) -> Result<WriteBackRun, StoreError> {
        let due = store.due_write_backs(now, BATCH).await?;
        self.send(store, due).await
    }

    /// Sends the tenant's write-backs that are due now (before a sync reads the tenant back,
    /// so what Microsoft answers already has them).
    pub async fn send_write_backs_of(
        &self,
        store: &dyn Store,
        tenant_id: &str,
    ) -> Result<WriteBackRun, StoreError> {
        let now = Utc::now();
        let due = store.write_backs(tenant_id).await?;
        let due = due.into_iter().filter(|w| w.next_attempt_at.is_some_and(|at| at <= now)).collect();
        self.send(store, due).await
    }

    async fn send(&self, store: &dyn Store, due: Vec<WriteBack>) -> Result<WriteBackRun, StoreError> {
        let mut by_tenant: BTreeMap<String, Vec<WriteBack>> = BTreeMap::new();
        for w in due {
            by_tenant.entry(w.tenant_id.clone()).or_default().push(w);
        }
        let mut run = WriteBackRun::default();
        for (tenant_id, items) in by_tenant {
            // One token per tenant and round, not one per change.
            let graph = match store.m365_connection(&tenant_id).await? {
                Some(c) if c.write_back => {
                    self.graph_client(&c).await.map_err(|e| NotSent::later(e.to_string()))
                }
                Some(_) => Err(NotSent {
                    why: "write-back was turned off for this tenant's Microsoft 365 connection".into(),
                    for_good: true,
                }),
                None => continue,
            };
            for w in items {
                let outcome = match &graph {
                    Ok(g) => g
                        .patch(&profile_path(&w.action_id), &patch_body(&w))
                        .await
                        .map_err(|e| not_sent(&w, e)),
                    Err(e) => Err(NotSent { why: e.why.clone(), for_good: e.for_good }),
                };
                let at = Utc::now();
                let sent = match &outcome {
                    Ok(()) => Sent::Yes,
                    Err(e) => Sent::No {
                        why: &e.why,
                        again_at: (!e.for_good).then(|| again_at(w.attempts + 1, at)),
                    },
                };
                store.record_write_back(&w, at, sent).await?;
                match outcome {
                    Ok(()) => {
                        run.sent += 1;
                        tracing::info!(tenant = %tenant_id, action = %w.action_id, state = %w.state, "written back to Microsoft 365");
                    }
                    Err(e) => {
                        run.failed += 1;
                        tracing::warn!(tenant = %tenant_id, action = %w.action_id, error = %e.why, for_good = e.for_good, "write-back to Microsoft 365 failed");
                    }
                }
            }
        }
        Ok(run)
    }
}

fn not_sent(w: &WriteBack, e: GraphError) -> NotSent {
    match e {
        GraphError::Refused { status: 404, .. } => NotSent {
            why: format!(
                "Microsoft 365 has no control `{}` in this tenant: the status is kept in Rampart only",
                w.action_id
            ),
            for_good: true,
        },
        other => NotSent::later(other.to_string()),
    }
}

/// Every [`EVERY`], sends the write-backs that are due.
pub async fn run(state: AppState, microsoft: Arc<Microsoft>) {
    loop {
        tokio::time::sleep(EVERY).await;
        if let Err(e) = microsoft.send_write_backs(state.store.as_ref(), Utc::now()).await {
            tracing::error!(error = %e, "write-backs to Microsoft 365 could not be read; trying again shortly");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_wait_doubles_up_to_six_hours() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().unwrap_or_default();
        let minutes = |n| (again_at(n, now) - now).num_minutes();
        assert_eq!([minutes(1), minutes(2), minutes(3), minutes(4)], [1, 2, 4, 8]);
        assert_eq!(minutes(10), 360);
        assert_eq!(minutes(u32::MAX), 360);
    }

    #[test]
    fn a_control_id_is_one_path_segment() {
        assert_eq!(profile_path("AdminMFAV2"), "/v1.0/security/secureScoreControlProfiles/AdminMFAV2");
        assert_eq!(profile_path("a/b c?"), "/v1.0/security/secureScoreControlProfiles/a%2Fb%20c%3F");
    }
}
