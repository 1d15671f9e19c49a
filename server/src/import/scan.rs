//! Importing scanner reports (Maester, ScubaGear, Prowler): `rampart import-scan`, the
//! Settings upload and `POST /api/v1/scans` all come here. Each file is read (its format
//! recognised by content), checked, mapped to improvement actions and written in one
//! transaction of its own, so a bad file leaves the tenant as it was; the same file again
//! changes nothing.

use super::graph_json::FileError;
use super::{ImportError, ImportFile};
use chrono::{DateTime, Utc};
use scan::mapping::{plan, Mappings, ScanPlan, Unmapped};
use scan::{ScanReport, Tool};
use score::catalog::Catalog;
use score::{ImprovementAction, MeasurementSource};
use std::collections::HashSet;
use std::io::Read;
use std::sync::Arc;
use store::{ImportBatch, ImportedChanges, MeasurementInput, Store, StoreError};

/// A progress line is sent every this many bytes read.
const PROGRESS_EVERY_BYTES: u64 = 8 * 1024 * 1024;

/// Which tenant the reports go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanTarget {
    /// The operator named it (`--tenant`, or "import anyway" in Settings): a report of
    /// another Entra directory is accepted, and that directory is remembered as the tenant's.
    Named(String),
    /// The tenant of the page or token: a report of a directory the tenant is not known
    /// by is refused.
    Of(String),
    /// The tenant the report's directory is known as (its Microsoft 365 connection, earlier
    /// reports, or a tenant created with that id).
    FromFile,
}

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub target: ScanTarget,
    /// `None`: recognised from the content.
    pub tool: Option<Tool>,
    pub unmapped: Unmapped,
}

/// What importing one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanFileReport {
    pub file: String,
    pub tenant_id: String,
    pub tool: Tool,
    pub tool_version: Option<String>,
    pub executed_at: DateTime<Utc>,
    /// Controls in the report.
    pub controls: usize,
    /// Actions measured by it (catalog and custom).
    pub actions_measured: usize,
    /// Measurements written: those not already recorded from this very report.
    pub measurements_written: usize,
    pub custom_actions_added: Vec<String>,
    pub custom_actions_restored: Vec<String>,
    /// Controls that gave no measurement (not decided by the tool, or unmapped and skipped).
    pub skipped: usize,
}

impl ScanFileReport {
    pub fn summary(&self) -> String {
        let version = self.tool_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default();
        let mut s = format!(
            "{}: {}{version} run of {}, {} controls, {} actions measured, {} measurements written, \
             {} custom actions added, {} controls skipped",
            self.file,
            self.tool,
            self.executed_at.format("%Y-%m-%d %H:%M UTC"),
            self.controls,
            self.actions_measured,
            self.measurements_written,
            self.custom_actions_added.len(),
            self.skipped
        );
        if !self.custom_actions_restored.is_empty() {
            s.push_str(&format!(", {} custom actions restored", self.custom_actions_restored.len()));
        }
        if self.measurements_written == 0 && self.custom_actions_added.is_empty() {
            s.push_str(" (imported before: nothing changed)");
        }
        s
    }
}

pub fn source_of(tool: Tool) -> MeasurementSource {
    match tool {
        Tool::Maester => MeasurementSource::Maester,
        Tool::ScubaGear => MeasurementSource::ScubaGear,
        Tool::Prowler => MeasurementSource::Prowler,
    }
}

/// The mappings built into the server, checked against the catalog it runs with. Startup
/// calls it once so that a bad mapping stops the server with the entry named.
pub fn mappings(catalog: &[ImprovementAction]) -> Result<Mappings, String> {
    let catalog = Catalog { version: String::new(), actions: catalog.to_vec() };
    Mappings::built_in(&catalog).map_err(|e| e.to_string())
}

/// Counts what a reader has taken, for progress lines.
struct Counted<R> {
    inner: R,
    read: u64,
    next_line: u64,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read >= self.next_line {
            (self.progress)(self.read);
            self.next_line = self.read + PROGRESS_EVERY_BYTES;
        }
        Ok(n)
    }
}

/// Reads one report on the blocking pool: a large Prowler file takes seconds.
async fn read_report(
    file: &ImportFile,
    tool: Option<Tool>,
    progress: Arc<dyn Fn(&str) + Send + Sync>,
) -> Result<ScanReport, FileError> {
    let file = file.clone();
    let name = file.name.clone();
    let read = tokio::task::spawn_blocking(move || {
        let reader = file.open()?;
        let size = file.size();
        let name = file.name.clone();
        let lines = progress.clone();
        let counted = Counted {
            inner: std::io::BufReader::with_capacity(256 * 1024, reader),
            read: 0,
            next_line: PROGRESS_EVERY_BYTES,
            progress: Arc::new(move |read| {
                let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
                let of = size.map(|s| format!(" of {:.0}", mib(s))).unwrap_or_default();
                lines(&format!("read {:.0}{of} MiB of {name}", mib(read)));
            }),
        };
        scan::read(counted, tool).map_err(|e| FileError {
            file: file.name.clone(),
            path: e.path,
            message: e.message,
        })
    })
    .await;
    read.unwrap_or_else(|e| {
        Err(FileError { file: name, path: "$".into(), message: format!("reading stopped: {e}") })
    })
}

/// The tenant a report goes to, checked against the directory it names.
async fn resolve_target(
    store: &dyn Store,
    target: &ScanTarget,
    report: &ScanReport,
    file: &str,
) -> Result<(String, Option<String>), ImportError> {
    let directory = report.tenant_id.as_deref().map(str::to_ascii_lowercase);
    let exists = |id: String| async move {
        match store.tenant(&id).await {
            Ok(t) => Ok(t.id),
            Err(StoreError::NotFound(_)) => Err(ImportError::Tenant(format!(
                "tenant {id} does not exist on this server; `rampart tenant list` shows the tenants"
            ))),
            Err(e) => Err(e.into()),
        }
    };
    match target {
        ScanTarget::Named(id) => Ok((exists(id.trim().to_ascii_lowercase()).await?, directory)),
        ScanTarget::Of(id) => {
            let id = exists(id.clone()).await?;
            let Some(dir) = directory else { return Ok((id, None)) };
            let known = store.known_directories(&id).await?;
            if known.is_empty() || known.iter().any(|k| k.eq_ignore_ascii_case(&dir)) || id == dir {
                return Ok((id, Some(dir)));
            }
            Err(ImportError::Tenant(format!(
                "{file} is a report of the Entra directory {dir}, but this tenant is known as {}; \
                 check that it is the right file, or import it anyway (`--tenant` on the command line, \
                 the \"another directory\" box in Settings, `?tenant=` on the API)",
                known.join(", ")
            )))
        }
        ScanTarget::FromFile => {
            let Some(dir) = directory else {
                return Err(ImportError::Tenant(format!(
                    "{file} does not name its Entra directory; pass the tenant with --tenant"
                )));
            };
            let mut tenants = store.tenants_of_directory(&dir).await?;
            if store.tenant(&dir).await.is_ok() {
                tenants.push(dir.clone());
            }
            tenants.sort();
            tenants.dedup();
            match tenants.as_slice() {
                [one] => Ok((one.clone(), Some(dir))),
                [] => Err(ImportError::Tenant(format!(
                    "{file} is a report of the Entra directory {dir}, which no tenant here is known by; \
                     pass the tenant with --tenant (`rampart tenant list` shows them)"
                ))),
                many => Err(ImportError::Tenant(format!(
                    "{file} is a report of the Entra directory {dir}, which tenants {} are all known by; \
                     pass the one with --tenant",
                    many.join(", ")
                ))),
            }
        }
    }
}

/// One file read, planned and ready to write.
struct Planned {
    file: String,
    report: ScanReport,
    plan: ScanPlan,
    tenant_id: String,
    directory: Option<String>,
}

/// Imports every file: all are read and checked first (a bad one stops the import before
/// anything is written), then each is written in a transaction of its own.
pub async fn import_scans(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    files: &[ImportFile],
    options: &ScanOptions,
    actor: &str,
    progress: Arc<dyn Fn(&str) + Send + Sync>,
) -> Result<Vec<ScanFileReport>, ImportError> {
    let mappings = mappings(catalog).map_err(ImportError::Tenant)?;
    let mut planned = Vec::with_capacity(files.len());
    for f in files {
        let report = read_report(f, options.tool, progress.clone()).await?;
        let (tenant_id, directory) = resolve_target(store, &options.target, &report, &f.name).await?;
        let plan = plan(&report, mappings.get(report.tool), options.unmapped).map_err(|e| FileError {
            file: f.name.clone(),
            path: e.path,
            message: e.message,
        })?;
        progress(&format!("read {}: {} report with {} controls", f.name, report.tool, report.controls.len()));
        planned.push(Planned { file: f.name.clone(), report, plan, tenant_id, directory });
    }
    let mut reports = Vec::with_capacity(planned.len());
    for p in planned {
        let report = write_plan(store, catalog, p, actor).await?;
        progress(&report.summary());
        reports.push(report);
    }
    Ok(reports)
}

async fn write_plan(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    p: Planned,
    actor: &str,
) -> Result<ScanFileReport, ImportError> {
    let source = source_of(p.report.tool);
    let tenant = p.tenant_id.as_str();
    let live: HashSet<String> = store.custom_actions(tenant).await?.into_iter().map(|a| a.id).collect();
    let deleted: HashSet<String> =
        store.deleted_custom_actions(tenant).await?.into_iter().map(|a| a.id).collect();
    let built_in: HashSet<&str> = catalog.iter().map(|a| a.id.as_str()).collect();
    let mut added = Vec::new();
    let mut restored = Vec::new();
    for c in &p.plan.custom_actions {
        let id = &c.action.id;
        if built_in.contains(id.as_str()) || live.contains(id) {
            continue;
        }
        if deleted.contains(id) {
            restored.push(id.clone());
        } else {
            added.push(c.action.clone());
        }
    }
    // What this source said before: a measurement already recorded from this very run
    // (same observation, same value) is not written again.
    let said = store.said_by(tenant, source).await?;
    let all: Vec<_> = p.plan.all_measurements().collect();
    let measurements: Vec<MeasurementInput> = all
        .iter()
        .filter(|m| said.get(&m.action_id) != Some(&m.measurement))
        .map(|m| MeasurementInput::new(m.action_id.clone(), m.measurement).with_entities(m.entities.clone()))
        .collect();
    let changes = ImportedChanges {
        measurements: measurements.len() as u32,
        custom_actions_added: added.len() as u32,
        custom_actions_restored: restored.len() as u32,
        ..ImportedChanges::default()
    };
    let report = ScanFileReport {
        file: p.file.clone(),
        tenant_id: p.tenant_id.clone(),
        tool: p.report.tool,
        tool_version: p.report.tool_version.clone(),
        executed_at: p.report.executed_at,
        controls: p.report.controls.len(),
        actions_measured: all.len(),
        measurements_written: measurements.len(),
        custom_actions_added: added.iter().map(|a| a.id.clone()).collect(),
        custom_actions_restored: restored.clone(),
        skipped: p.plan.skipped.len(),
    };
    let batch = ImportBatch {
        tenant_id: p.tenant_id.clone(),
        actor: actor.to_owned(),
        restored,
        added,
        measurements,
        source,
        scan_directory: p.directory,
        sources: vec![(format!("{} ({})", p.file, p.report.tool), changes)],
        ..ImportBatch::default()
    };
    store.apply_import(&batch, &|_, _| {}).await.map_err(|e| match e {
        StoreError::Invalid(m) => {
            ImportError::File(FileError { file: p.file.clone(), path: "$".into(), message: m })
        }
        e => e.into(),
    })?;
    Ok(report)
}
