//! An import (files) or a sync (Microsoft Graph) of one tenant, written all at once: the
//! caller works out every change first, and the store writes them in one transaction
//! holding the tenant's lock, so a failure halfway (a bad row, a lost connection) leaves
//! the tenant as it was.

use crate::pool::SqlStore;
use crate::{ImportedChanges, MeasurementInput, Result, ScoreSnapshot, StatusChange};
use async_trait::async_trait;
use score::snapshot::ActionPoints;
use score::ImprovementAction;

/// Everything one import or sync changes in a tenant, in the order it is written.
#[derive(Debug, Clone, Default)]
pub struct ImportBatch {
    pub tenant_id: String,
    /// Who the changes are made by: the person importing, or the sync.
    pub actor: String,
    /// Deleted custom actions the data names, brought back as they were.
    pub restored: Vec<String>,
    /// Controls Rampart did not know, as new custom actions.
    pub added: Vec<ImprovementAction>,
    /// Status changes, oldest first.
    pub status_changes: Vec<StatusChange>,
    /// Days of history with each day's points per action, oldest first.
    pub days: Vec<(ScoreSnapshot, ActionPoints)>,
    /// The newest day's measurements (only those that differ from the stored ones).
    pub measurements: Vec<MeasurementInput>,
    /// Where the measurements come from: a Graph export, the Microsoft 365 sync, a scanner.
    pub source: score::MeasurementSource,
    /// The Entra directory a scanner report was of, kept as one the tenant is known by.
    pub scan_directory: Option<String>,
    /// One audit line per source (a file, a Graph collection) and what it changed.
    pub sources: Vec<(String, ImportedChanges)>,
}

impl ImportBatch {
    /// Nothing to write: the data was imported before.
    pub fn is_empty(&self) -> bool {
        self.restored.is_empty()
            && self.added.is_empty()
            && self.status_changes.is_empty()
            && self.days.is_empty()
            && self.measurements.is_empty()
    }
}

#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Writes the whole batch in one transaction, or nothing of it on any error; an empty
    /// batch writes nothing at all. `progress(done, total)` is called after each day.
    async fn apply_import(&self, batch: &ImportBatch, progress: &(dyn Fn(usize, usize) + Sync))
        -> Result<()>;
}

#[async_trait]
impl ImportStore for SqlStore {
    #[tracing::instrument(skip_all, err, fields(tenant = %batch.tenant_id, days = batch.days.len()))]
    async fn apply_import(
        &self,
        batch: &ImportBatch,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let (tenant, actor) = (batch.tenant_id.as_str(), batch.actor.as_str());
        let mut tx = self.begin_tenant_write(tenant).await?;
        for id in &batch.restored {
            tx.set_presence(tenant, id, crate::custom_actions::Presence::Live, actor).await?;
        }
        for action in &batch.added {
            tx.add_custom_action(tenant, action, actor).await?;
        }
        for change in &batch.status_changes {
            tx.set_status(tenant, change).await?;
        }
        for (done, (snapshot, points)) in batch.days.iter().enumerate() {
            if snapshot.tenant_id != tenant {
                return Err(crate::StoreError::Invalid(format!(
                    "import: day {} is for tenant {}, not {tenant}",
                    snapshot.day, snapshot.tenant_id
                )));
            }
            tx.write_snapshot(snapshot, points).await?;
            progress(done + 1, batch.days.len());
        }
        if !batch.measurements.is_empty() {
            tx.record_measurements(tenant, &batch.measurements, actor, batch.source).await?;
        }
        if let Some(directory) = &batch.scan_directory {
            tx.add_scan_directory(tenant, directory).await?;
        }
        for (source, changes) in batch.sources.iter().filter(|(_, c)| !c.is_empty()) {
            tx.record_import(tenant, actor, source, changes).await?;
        }
        tx.commit().await
    }
}
