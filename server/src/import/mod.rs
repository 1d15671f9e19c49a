//! Importing Microsoft Graph exports (`rampart import-graph`, the Settings upload): each
//! `secureScores` day becomes that day's history, the newest day's control scores become
//! the live measurements, and control profiles bring their state updates as status
//! changes. Importing the same files again changes nothing.

pub mod custom_action;
mod files;
pub mod graph_json;
pub mod scan;
pub mod scan_http;
pub mod slots;
pub mod upload;

pub use files::{check_files, check_files_off_the_workers, ImportFile};
use files::{parse_off_the_workers, Parsed};

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use graph_json::{ControlScore, FileError};
use score::snapshot::action_points;
use score::{evaluate, ControlState, ImprovementAction, Measurement, Scoring, Status};
use std::collections::{HashMap, HashSet};
use store::{ImportBatch, ImportedChanges, MeasurementInput, ScoreSnapshot, StatusChange, Store, StoreError};

/// A progress line is worth printing every this many days.
pub const PROGRESS_EVERY_DAYS: usize = 30;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A value in a file is wrong; names the file and the JSON path.
    #[error("{0}")]
    File(FileError),
    /// The tenant is missing or ambiguous.
    #[error("{0}")]
    Tenant(String),
    #[error("storage failure: {0}")]
    Store(#[from] StoreError),
}

impl From<FileError> for ImportError {
    fn from(e: FileError) -> Self {
        ImportError::File(e)
    }
}

/// What an import did; all zero when the files were imported before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub tenant_id: String,
    /// Days of history in the files.
    pub days: usize,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    /// Measurements of the newest day that differed from the stored ones.
    pub measurements: usize,
    pub custom_actions_added: Vec<String>,
    /// Custom actions deleted here that the files name: brought back, as they were.
    pub custom_actions_restored: Vec<String>,
    pub status_changes: usize,
}

impl ImportReport {
    pub fn summary(&self) -> String {
        let range = match (self.first_day, self.last_day) {
            (Some(a), Some(b)) if a == b => format!(" ({a})"),
            (Some(a), Some(b)) => format!(" ({a} to {b})"),
            _ => String::new(),
        };
        let restored = match self.custom_actions_restored.len() {
            0 => String::new(),
            n => format!(", {n} custom actions restored"),
        };
        format!(
            "{} days of history{range}, {} measurements changed, {} custom actions added{restored}, {} status changes",
            self.days,
            self.measurements,
            self.custom_actions_added.len(),
            self.status_changes
        )
    }
}

/// `--tenant` when given, else the one tenant the files name.
async fn resolve_tenant(
    store: &dyn Store,
    given: Option<&str>,
    parsed: &Parsed,
) -> Result<String, ImportError> {
    let id = match given {
        Some(t) => t.trim().to_ascii_lowercase(),
        None => {
            let mut ids = parsed.tenant_ids.iter();
            let (first, file) = ids.next().ok_or_else(|| {
                ImportError::Tenant("the files name no azureTenantId; pass the tenant with --tenant".into())
            })?;
            if let Some((other, other_file)) = ids.find(|(t, _)| t != first) {
                return Err(ImportError::Tenant(format!(
                    "{file} is for tenant {first} but {other_file} is for {other}; import them separately \
                     or pass --tenant"
                )));
            }
            first.clone()
        }
    };
    match store.tenant(&id).await {
        Ok(t) => Ok(t.id),
        Err(StoreError::NotFound(_)) => Err(ImportError::Tenant(format!(
            "tenant {id} does not exist on this server; create it first with `rampart tenant add <name> \
             --seats N --industry X` and pass the id it prints with --tenant"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Imports `files` into a tenant, all of it or (on any error) nothing: everything is worked
/// out first and written in one transaction. `progress(done, total)` is called every
/// [`PROGRESS_EVERY_DAYS`] days written and after the last one (once, with every day in
/// the files, when none of them needed writing).
pub async fn import_graph(
    store: &dyn Store,
    catalog: &[ImprovementAction],
    tenant: Option<&str>,
    files: &[ImportFile],
    actor: &str,
    source: score::MeasurementSource,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ImportReport, ImportError> {
    let parsed = parse_off_the_workers(files).await?;
    let tenant_id = resolve_tenant(store, tenant, &parsed).await?;
    let mut report = ImportReport {
        tenant_id: tenant_id.clone(),
        days: parsed.days.len(),
        first_day: parsed.days.keys().next().copied(),
        last_day: parsed.days.keys().next_back().copied(),
        ..ImportReport::default()
    };

    // Controls Rampart does not know become custom actions; all are built and checked first.
    // A custom action deleted here that the files name comes back as it was (its id is
    // taken, and the history the files carry is its history).
    let existing = store.custom_actions(&tenant_id).await?;
    let named = parsed.named_controls();
    let deleted: Vec<ImprovementAction> = store
        .deleted_custom_actions(&tenant_id)
        .await?
        .into_iter()
        .filter(|a| named.contains(a.id.as_str()))
        .collect();
    let known: HashSet<&str> =
        catalog.iter().chain(&existing).chain(&deleted).map(|a| a.id.as_str()).collect();
    let new_actions = custom_action::new_actions(&parsed.profiles, &parsed.days, &known)?;
    // What each file changed, for its audit line.
    let mut changed = vec![ImportedChanges::default(); files.len()];
    let first_file = parsed.first_file_naming();
    let file_of = |id: &str| first_file.get(id).copied().unwrap_or_default();
    for a in &deleted {
        report.custom_actions_restored.push(a.id.clone());
        bump(&mut changed, file_of(&a.id), |c| &mut c.custom_actions_restored);
    }
    for a in &new_actions {
        report.custom_actions_added.push(a.id.clone());
        bump(&mut changed, file_of(&a.id), |c| &mut c.custom_actions_added);
    }
    let mut batch = ImportBatch {
        tenant_id: tenant_id.clone(),
        actor: actor.to_owned(),
        restored: deleted.iter().map(|a| a.id.clone()).collect(),
        added: new_actions.clone(),
        source,
        ..ImportBatch::default()
    };
    let mut actions: Vec<ImprovementAction> = catalog.to_vec();
    actions.extend(existing);
    actions.extend(deleted);
    actions.extend(new_actions);
    let by_id: HashMap<&str, &ImprovementAction> = actions.iter().map(|a| (a.id.as_str(), a)).collect();

    let mut history = store.tenant_status_history(&tenant_id).await?;
    let sent = store.write_backs(&tenant_id).await?;
    for (change, file) in state_updates(&history, &sent, &parsed, actor) {
        bump(&mut changed, file, |c| &mut c.status_changes);
        report.status_changes += 1;
        history.push(change.clone());
        batch.status_changes.push(change);
    }

    // Each day's history, scored the way Rampart scores (so it lines up with the live
    // score). Days stored just as the files have them are left alone.
    let tenant_row = store.tenant(&tenant_id).await?;
    // Each stored day's points per action are walked forward from the day before the files'
    // first: the stored changes applied day by day (one read, not one replay a day).
    let (stored, mut stored_points, stored_changes) = match (report.first_day, report.last_day) {
        (Some(a), Some(b)) => {
            let days: HashMap<NaiveDate, ScoreSnapshot> =
                store.snapshots(&tenant_id, a, b).await?.into_iter().map(|s| (s.day, s)).collect();
            let before = match a.pred_opt() {
                Some(before) => store.action_points_on(&tenant_id, before).await?,
                None => score::snapshot::ActionPoints::new(),
            };
            (days, before, store.action_changes(&tenant_id, a, b).await?)
        }
        _ => (HashMap::new(), score::snapshot::ActionPoints::new(), Vec::new()),
    };
    let mut stored_changes = stored_changes.into_iter().peekable();
    for (day, entry) in &parsed.days {
        let mut todays = Vec::new();
        while let Some(c) = stored_changes.next_if(|c| c.day <= *day) {
            todays.push(c.change);
        }
        score::snapshot::apply(&mut stored_points, &todays);
        let measured: HashMap<&str, Measurement> = entry
            .controls
            .iter()
            .filter_map(|c| Some((&*c.name, measurement_of(c, by_id.get(&*c.name)?, entry.created)?)))
            .collect();
        let (score, scores) = evaluate(&actions, |id| {
            Some(ControlState {
                status: status_on(&history, id, *day),
                measurement: measured.get(id).copied(),
            })
        });
        let snapshot = ScoreSnapshot {
            tenant_id: tenant_id.clone(),
            day: *day,
            current: score.current,
            max: score.max,
            categories: score.categories,
            licensed_seats: entry.licensed_users.unwrap_or(tenant_row.licensed_seats),
            active_users: entry.active_users.unwrap_or(tenant_row.active_users),
            taken_at: entry.created.trunc_subsecs(6),
            // Marked, so a tenant's own export never feeds anyone else's averages.
            imported: true,
        };
        let points = action_points(&scores);
        if stored.get(day) == Some(&snapshot) && stored_points == points {
            continue;
        }
        bump(&mut changed, parsed.day_file.get(day).copied().unwrap_or_default(), |c| &mut c.days);
        batch.days.push((snapshot, points));
    }

    // The newest day sets the live measurements, except where the stored ones already agree.
    if let Some((day, newest)) = parsed.days.iter().next_back() {
        let stored = store.measurements_on(&tenant_id, *day).await?;
        batch.measurements = newest
            .controls
            .iter()
            .filter_map(|c| {
                let m = measurement_of(c, by_id.get(&*c.name)?, newest.created)?;
                let same = stored.get(&*c.name).is_some_and(|s| {
                    s.observed_at.date_naive() == *day && (s.count, s.total) == (m.count, m.total)
                });
                (!same).then(|| MeasurementInput::new(c.name.to_string(), m))
            })
            .collect();
        report.measurements = batch.measurements.len();
        if let Some(c) = changed.get_mut(parsed.day_file.get(day).copied().unwrap_or_default()) {
            c.measurements += u32::try_from(batch.measurements.len()).unwrap_or(u32::MAX);
        }
    }
    // One line per file that changed something, in the importer's name: imported days and
    // the rest are in the audit trail even where no line of their own is written.
    batch.sources = files.iter().map(|f| audit_file_name(&f.name)).zip(changed).collect();
    let every = |done: usize, total: usize| {
        if done.is_multiple_of(PROGRESS_EVERY_DAYS) || done == total {
            progress(done, total);
        }
    };
    store.apply_import(&batch, &every).await?;
    // Every day was as stored: the files are read to the end all the same.
    if batch.days.is_empty() && report.days > 0 {
        progress(report.days, report.days);
    }
    Ok(report)
}

fn bump(changed: &mut [ImportedChanges], file: usize, count: impl Fn(&mut ImportedChanges) -> &mut u32) {
    if let Some(c) = changed.get_mut(file) {
        *count(c) += 1;
    }
}

/// A file's name as the audit trail shows it: no control characters, at most 200 characters
/// (a browser sends whatever name the uploader's file has).
fn audit_file_name(name: &str) -> String {
    let clean: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.trim().is_empty() {
        "unnamed file".to_owned()
    } else {
        clean
    }
}

/// Each profile's state updates newer than the action's latest status change, oldest first
/// per action, with the file each came from. Older ones are history Rampart already has (a
/// re-import) or was overtaken by a decision made in Rampart since, which an old export must
/// not undo. The change is made by `actor`, who imported it: the file's `updatedBy` is only
/// what the file says, so it goes into the note, never into the audit trail's "who".
/// Nor is a change Rampart wrote back to Microsoft itself (`sent`) taken back in as a new
/// one: Microsoft only knows Planned as `Default`, which would read as To address.
fn state_updates(
    history: &[StatusChange],
    sent: &[store::WriteBack],
    parsed: &Parsed,
    actor: &str,
) -> Vec<(StatusChange, usize)> {
    let echo = |id: &str, u: &graph_json::StateUpdate| {
        sent.iter().any(|w| {
            w.action_id == id
                && w.sent_at.is_some()
                && u.updated_at >= w.changed_at
                && w.state.eq_ignore_ascii_case(score::graph_state::graph_state(u.status))
                && w.comment == u.comment.trim()
        })
    };
    let mut latest: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for c in history {
        let at = latest.entry(&c.action_id).or_insert(c.changed_at);
        *at = (*at).max(c.changed_at);
    }
    let mut applied = Vec::new();
    for (p, file) in parsed.profiles.iter().zip(&parsed.profile_file) {
        let mut updates: Vec<_> = p.updates.iter().collect();
        updates.sort_by_key(|u| u.updated_at);
        for u in updates {
            // Stored to the microsecond; compare the way it will be stored.
            let at = u.updated_at.trunc_subsecs(6);
            if latest.get(p.id.as_str()).is_some_and(|l| *l >= at) || echo(&p.id, u) {
                continue;
            }
            let change = StatusChange {
                action_id: p.id.clone(),
                status: u.status,
                note: imported_note(u),
                assignee: u.assigned_to.clone(),
                due_date: None,
                tags: Vec::new(),
                changed_by: actor.to_owned(),
                changed_at: at,
            };
            latest.insert(&p.id, at);
            applied.push((change, *file));
        }
    }
    applied
}

/// Placeholder for a risk acceptance the export gives no reason for: Rampart never
/// stores one with an empty note.
pub const NO_IMPORTED_NOTE: &str = "imported without a note";

/// The note of an imported status change: where it came from, then the file's comment.
fn imported_note(u: &graph_json::StateUpdate) -> String {
    let source = match &u.updated_by {
        Some(by) => format!("Imported: updated by {by} in Microsoft 365."),
        None => "Imported from Microsoft 365.".to_owned(),
    };
    let comment = match u.comment.as_str() {
        "" if u.status == Status::RiskAccepted => NO_IMPORTED_NOTE,
        c => c,
    };
    if comment.is_empty() {
        source
    } else {
        format!("{source}\n{comment}")
    }
}

/// The status in effect at the end of `day`.
fn status_on(history: &[StatusChange], action_id: &str, day: NaiveDate) -> Status {
    history
        .iter()
        .filter(|c| c.action_id == action_id && c.changed_at.date_naive() <= day)
        .max_by_key(|c| c.changed_at)
        .map(|c| c.status)
        .unwrap_or_default()
}

/// A control score as a measurement of `action`: its counts when Graph gave them, else its
/// percentage (of 100 units for partial actions). Neither → no measurement.
fn measurement_of(c: &ControlScore, action: &ImprovementAction, at: DateTime<Utc>) -> Option<Measurement> {
    let binary = matches!(action.scoring, Scoring::Binary);
    match (c.units, c.percent) {
        (Some((_, 0)), _) => Some(Measurement::partial(0, 0, at)),
        (Some((count, total)), _) if binary => Some(Measurement::binary(count >= total, at)),
        (Some((count, total)), _) => Some(Measurement::partial(count, total, at)),
        (None, Some(p)) if binary => Some(Measurement::binary(p >= 99.995, at)),
        (None, Some(p)) => Some(Measurement::partial(p.round() as u32, 100, at)),
        (None, None) => None,
    }
}
