//! Syncing a connected tenant: every day of `secureScores` Microsoft still holds and every
//! `secureScoreControlProfile`, read from Graph as the tenant's app, then written through
//! the import's path (days become history, the newest day's control scores measurements,
//! state updates status changes, unknown controls custom actions) in one transaction. A
//! sync that finds nothing new writes nothing; one that fails leaves the tenant as it was
//! and says why on the connection.

use super::graph::{http_client, GraphClient, GraphError, RetryPolicy};
use super::secret_key::{KeyError, SecretKey};
use super::token::{AppRegistration, TokenSource};
use crate::import::{import_graph, ImportError, ImportFile, ImportReport};
use score::ImprovementAction;
use std::sync::Arc;
use store::{M365Connection, Store, StoreError};

/// Who the audit trail says made a sync's changes.
pub const SYNC_ACTOR: &str = "Microsoft 365 sync";
/// The Graph collections a sync reads, as the import names them in its report and audit.
pub const SCORES: &str = "/v1.0/security/secureScores";
pub const PROFILES: &str = "/v1.0/security/secureScoreControlProfiles";

/// Why a sync did not happen, in words a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this tenant is not connected to Microsoft 365")]
    NotConnected,
    /// The secret was sealed by another key (the key file or `RAMPART_SECRET_KEY` changed).
    #[error("{0}: paste the client secret again to reconnect")]
    Secret(#[from] super::secret_key::WontOpen),
    /// The server's key could not be read.
    #[error("the server's secret key: {0}")]
    Key(String),
    #[error("{0}")]
    Graph(#[from] GraphError),
    /// What Graph sent is not what Microsoft documents; nothing was stored.
    #[error(
        "Microsoft Graph sent data Rampart cannot read ({0}); nothing was stored, the next run tries again"
    )]
    Data(String),
    #[error("storage failure: {0}")]
    Store(#[from] StoreError),
}

impl From<ImportError> for SyncError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Store(e) => SyncError::Store(e),
            other => SyncError::Data(other.to_string()),
        }
    }
}

/// Where Microsoft is and how the server reaches it; one for the whole server.
pub struct Microsoft {
    http: reqwest::Client,
    authority: String,
    graph: String,
    key: tokio::sync::OnceCell<Arc<SecretKey>>,
    /// Where the key is made on first use when the server starts without one.
    key_file: Option<std::path::PathBuf>,
    retry: RetryPolicy,
    /// The time of day (UTC) the daily run starts.
    pub(super) daily_at: chrono::NaiveTime,
}

impl Microsoft {
    pub fn new(authority: &str, graph: &str, key: Arc<SecretKey>) -> Microsoft {
        let mut m = Microsoft::unkeyed(authority, graph, None);
        m.key = tokio::sync::OnceCell::new_with(Some(key));
        m
    }

    /// With a key made at `key_file` (mode 0600) the first time a secret is sealed, so a
    /// server nobody connects never writes one.
    pub fn with_key_file(authority: &str, graph: &str, key_file: std::path::PathBuf) -> Microsoft {
        Microsoft::unkeyed(authority, graph, Some(key_file))
    }

    fn unkeyed(authority: &str, graph: &str, key_file: Option<std::path::PathBuf>) -> Microsoft {
        Microsoft {
            http: http_client(),
            authority: authority.trim_end_matches('/').to_owned(),
            graph: graph.trim_end_matches('/').to_owned(),
            key: tokio::sync::OnceCell::new(),
            key_file,
            retry: RetryPolicy::default(),
            daily_at: chrono::NaiveTime::MIN,
        }
    }

    /// With another retry policy (tests keep the waits short).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Microsoft {
        self.retry = retry;
        self
    }

    /// With the daily run starting at `at` (UTC), for the next run people are shown.
    pub fn daily_at(mut self, at: chrono::NaiveTime) -> Microsoft {
        self.daily_at = at;
        self
    }

    /// The key that seals and opens secrets, made on first use when there is none yet.
    pub async fn key(&self) -> Result<&SecretKey, KeyError> {
        let key = self
            .key
            .get_or_try_init(|| async {
                let path = self
                    .key_file
                    .as_deref()
                    .ok_or_else(|| KeyError::File("RAMPART_SECRET_KEY_FILE".into(), "not set".into()))?;
                SecretKey::load(None, path).map(Arc::new)
            })
            .await?;
        Ok(key)
    }

    pub fn authority(&self) -> &str {
        &self.authority
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Syncs one tenant and records the outcome on its connection (last attempt, last
    /// success, or the reason it failed). Never runs inside a database transaction: the
    /// calls to Microsoft are made first, the writes after.
    pub async fn sync(
        &self,
        store: &dyn Store,
        catalog: &[ImprovementAction],
        tenant_id: &str,
    ) -> Result<ImportReport, SyncError> {
        let connection = store.m365_connection(tenant_id).await?.ok_or(SyncError::NotConnected)?;
        // Rampart's own changes reach Microsoft before the sync reads it back.
        if let Err(e) = self.send_write_backs_of(store, tenant_id).await {
            tracing::warn!(tenant = %tenant_id, error = %e, "write-backs could not be read before the sync");
        }
        let started = chrono::Utc::now();
        let outcome = self.fetch_and_import(store, catalog, &connection).await;
        let recorded = match &outcome {
            Ok(_) => store.record_m365_sync(tenant_id, started, Ok(())).await,
            Err(e) => store.record_m365_sync(tenant_id, started, Err(&e.to_string())).await,
        };
        let seconds = (chrono::Utc::now() - started).num_milliseconds() as f64 / 1000.0;
        match &outcome {
            Ok(report) => {
                metrics::counter!(SYNCS, "outcome" => "ok").increment(1);
                metrics::gauge!(SYNC_SUCCESS).set(chrono::Utc::now().timestamp_millis() as f64 / 1000.0);
                tracing::info!(tenant = %tenant_id, changes = %report.summary(), "Microsoft 365 sync")
            }
            Err(e) => {
                metrics::counter!(SYNCS, "outcome" => "failed").increment(1);
                tracing::warn!(tenant = %tenant_id, error = %e, "Microsoft 365 sync failed")
            }
        }
        metrics::histogram!(SYNC_DURATION).record(seconds);
        recorded?;
        outcome
    }

    /// Graph as the connection's app registration: its secret opened, tokens on demand.
    pub(super) async fn graph_client(&self, c: &M365Connection) -> Result<GraphClient, SyncError> {
        let app = AppRegistration {
            directory: c.directory_id.clone(),
            client_id: c.client_id.clone(),
            credential: self
                .key()
                .await
                .map_err(|e| SyncError::Key(e.to_string()))?
                .open(&c.sealed_secret, &c.tenant_id)?,
        };
        let tokens = TokenSource::new(self.http.clone(), &self.authority, app);
        Ok(GraphClient::new(self.http.clone(), &self.graph, tokens, self.retry))
    }

    async fn fetch_and_import(
        &self,
        store: &dyn Store,
        catalog: &[ImprovementAction],
        c: &M365Connection,
    ) -> Result<ImportReport, SyncError> {
        let graph = self.graph_client(c).await?;
        let scores = graph.collection(SCORES).await?;
        let profiles = graph.collection(PROFILES).await?;
        // The same reader as an uploaded export: what Microsoft sent is checked field by
        // field, with its JSON path, before anything is written.
        let files: Vec<ImportFile> = [(SCORES, scores), (PROFILES, profiles)]
            .into_iter()
            .filter(|(_, items)| !items.is_empty())
            .map(|(name, items)| {
                let body = serde_json::json!({ "value": items }).to_string();
                ImportFile::from_bytes(format!("Microsoft Graph {name}"), body)
            })
            .collect();
        if files.is_empty() {
            return Ok(ImportReport { tenant_id: c.tenant_id.clone(), ..ImportReport::default() });
        }
        Ok(import_graph(
            store,
            catalog,
            Some(&c.tenant_id),
            &files,
            SYNC_ACTOR,
            score::MeasurementSource::GraphSync,
            &|_, _| {},
        )
        .await?)
    }
}

const SYNCS: &str = "rampart_m365_syncs_total";
const SYNC_SUCCESS: &str = "rampart_m365_sync_last_success_timestamp_seconds";
const SYNC_DURATION: &str = "rampart_m365_sync_duration_seconds";

/// What `/metrics` says of Microsoft 365 syncs.
pub fn describe_metrics() {
    metrics::describe_counter!(SYNCS, "Microsoft 365 syncs of one tenant, by outcome (ok or failed).");
    metrics::describe_gauge!(SYNC_SUCCESS, "When a Microsoft 365 sync last succeeded, in Unix seconds.");
    metrics::describe_histogram!(
        SYNC_DURATION,
        metrics::Unit::Seconds,
        "How long a Microsoft 365 sync of one tenant took."
    );
}
