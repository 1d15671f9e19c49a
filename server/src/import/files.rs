//! The files of an import: where each one's bytes are, and reading them all, front to back,
//! into what the import writes, checked before anything is written.

use super::graph_json::{read_export_in, ControlProfile, FileError, GraphExport, Reading, ScoreDay};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

/// One file to import: its name (for messages) and where its bytes are. Files are read
/// as streams, never held whole: an upload is spooled to a temporary file first.
#[derive(Debug, Clone)]
pub struct ImportFile {
    pub name: String,
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    Bytes(Arc<[u8]>),
    Path(PathBuf),
    /// Removed when the last copy of the file is dropped.
    Spooled(Arc<tempfile::TempPath>),
}

impl ImportFile {
    pub fn from_bytes(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> ImportFile {
        ImportFile { name: name.into(), source: Source::Bytes(bytes.into().into()) }
    }

    /// A file on disk, read when the import reads it.
    pub fn from_path(name: impl Into<String>, path: impl Into<PathBuf>) -> ImportFile {
        ImportFile { name: name.into(), source: Source::Path(path.into()) }
    }

    /// A temporary file holding an upload; deleted once the import is done with it.
    pub fn spooled(name: impl Into<String>, path: tempfile::TempPath) -> ImportFile {
        ImportFile { name: name.into(), source: Source::Spooled(Arc::new(path)) }
    }

    /// Its size in bytes, when known without reading it.
    pub fn size(&self) -> Option<u64> {
        match &self.source {
            Source::Bytes(b) => Some(b.len() as u64),
            Source::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Source::Spooled(p) => std::fs::metadata(&**p).ok().map(|m| m.len()),
        }
    }

    pub(super) fn open(&self) -> Result<Box<dyn Read + '_>, FileError> {
        let opened = match &self.source {
            Source::Bytes(b) => return Ok(Box::new(&b[..])),
            Source::Path(p) => std::fs::File::open(p),
            Source::Spooled(p) => std::fs::File::open(&**p),
        };
        opened.map(|f| Box::new(f) as Box<dyn Read>).map_err(|e| FileError {
            file: self.name.clone(),
            path: "$".to_owned(),
            message: format!("cannot be read: {e}"),
        })
    }
}

/// Everything the files hold, read and checked before anything is written.
#[derive(Default)]
pub(super) struct Parsed {
    /// The newest entry of each day.
    pub(super) days: BTreeMap<NaiveDate, ScoreDay>,
    /// Which file (index into the files) each kept day came from.
    pub(super) day_file: BTreeMap<NaiveDate, usize>,
    pub(super) profiles: Vec<ControlProfile>,
    /// Which file each profile came from.
    pub(super) profile_file: Vec<usize>,
    /// Each tenant id found, with where it was found.
    pub(super) tenant_ids: Vec<(String, String)>,
}

impl Parsed {
    /// Every control id the files name, in profiles or in a day's control scores.
    pub(super) fn named_controls(&self) -> HashSet<&str> {
        let in_days = self.days.values().flat_map(|d| &d.controls).map(|c| &*c.name);
        self.profiles.iter().map(|p| p.id.as_str()).chain(in_days).collect()
    }

    /// The first file naming a control, which the audit line of a custom action added or
    /// restored for it is written under.
    pub(super) fn first_file_naming(&self) -> HashMap<&str, usize> {
        let mut first: HashMap<&str, usize> = HashMap::new();
        let in_profiles = self.profiles.iter().zip(&self.profile_file).map(|(p, f)| (p.id.as_str(), *f));
        let in_days = self.days.iter().flat_map(|(day, d)| {
            let file = self.day_file.get(day).copied().unwrap_or_default();
            d.controls.iter().map(move |c| (&*c.name, file))
        });
        for (id, file) in in_profiles.chain(in_days) {
            let at = first.entry(id).or_insert(file);
            *at = (*at).min(file);
        }
        first
    }
}

fn parse(files: &[ImportFile]) -> Result<Parsed, FileError> {
    let mut parsed = Parsed::default();
    // Shared by the files: texts kept once, and one bound on what the import holds.
    let mut reading = Reading::default();
    for (index, f) in files.iter().enumerate() {
        match read_export_in(&f.name, f.open()?, &mut reading)? {
            GraphExport::SecureScores(days) => {
                for d in days {
                    if let Some(t) = &d.azure_tenant_id {
                        parsed.tenant_ids.push((t.clone(), f.name.clone()));
                    }
                    match parsed.days.get(&d.day) {
                        Some(kept) if kept.created >= d.created => {}
                        _ => {
                            parsed.day_file.insert(d.day, index);
                            parsed.days.insert(d.day, d);
                        }
                    }
                }
            }
            GraphExport::ControlProfiles(profiles) => {
                for p in &profiles {
                    if let Some(t) = &p.azure_tenant_id {
                        parsed.tenant_ids.push((t.clone(), f.name.clone()));
                    }
                }
                parsed.profile_file.extend(std::iter::repeat_n(index, profiles.len()));
                parsed.profiles.extend(profiles);
            }
        }
    }
    Ok(parsed)
}

/// Reads and checks the files without touching the store: the first problem, naming the
/// file and the JSON path.
pub fn check_files(files: &[ImportFile]) -> Result<(), FileError> {
    parse(files).map(|_| ())
}

/// [`parse`] on the blocking pool: reading tens of megabytes of JSON takes a second, which
/// the async workers serving pages must not spend.
pub(super) async fn parse_off_the_workers(files: &[ImportFile]) -> Result<Parsed, FileError> {
    let owned = files.to_vec();
    match tokio::task::spawn_blocking(move || parse(&owned)).await {
        Ok(parsed) => parsed,
        Err(e) => {
            Err(FileError { file: String::new(), path: "$".into(), message: format!("reading stopped: {e}") })
        }
    }
}

/// [`check_files`] on the blocking pool.
pub async fn check_files_off_the_workers(files: &[ImportFile]) -> Result<(), FileError> {
    parse_off_the_workers(files).await.map(|_| ())
}
