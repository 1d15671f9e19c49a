//! Reading Microsoft Graph `secureScores` and `secureScoreControlProfiles` exports as they
//! come out of real tenants: counts as strings, nulls, `-1` averages, HTML in text, states
//! in any case, and fields this reader has never heard of (ignored).

mod collections;
mod decode;
mod types;
mod values;

pub use types::*;
pub use values::plain_text;
use values::{flag, number, text, whole};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use service::status_edit::{MAX_ASSIGNEE_CHARS, MAX_NOTE_CHARS};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::io::Read;
use std::sync::Arc;

/// Entries (days, control scores, profiles, state updates) one import keeps at most:
/// three years of daily scores of 600 controls. The bound is what keeps an import's
/// memory bounded whatever the files hold.
pub const MAX_ENTRIES: usize = 700_000;
/// Different control names one import may carry (Microsoft's catalog has a few hundred).
pub const MAX_CONTROL_NAMES: usize = 5_000;
/// Control scores one day may list.
pub const MAX_CONTROLS_PER_DAY: usize = 2_000;

/// What the files of one import share while they are read: the texts kept so far (each
/// kept once) and the entries counted against [`MAX_ENTRIES`].
#[derive(Default)]
pub struct Reading {
    texts: HashSet<Arc<str>>,
    names: HashSet<Arc<str>>,
    entries: usize,
}

impl Reading {
    fn text(&mut self, s: &str) -> Arc<str> {
        if let Some(t) = self.texts.get(s) {
            return t.clone();
        }
        let t: Arc<str> = s.into();
        self.texts.insert(t.clone());
        t
    }
}

/// Which of the two exports a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scores,
    Profiles,
}

/// An object as read: its kept scalar fields (an object of them) and its lists.
#[derive(Default)]
struct Entity {
    fields: Value,
    threats: Vec<String>,
    controls: Vec<ControlScore>,
    updates: Vec<StateUpdate>,
    has_controls: bool,
    has_updates: bool,
}

impl Entity {
    fn looks_like_scores(&self) -> bool {
        self.has_controls || self.fields.get("currentScore").is_some()
    }
    fn looks_like_profiles(&self) -> bool {
        self.has_updates || self.fields.get("title").is_some()
    }
}

/// Reads one file, remembering where it is for error messages.
struct Reader<'a> {
    file: &'a str,
    file_text: Arc<str>,
    reading: RefCell<&'a mut Reading>,
    kind: Cell<Option<Kind>>,
    /// The first problem found; the parse is stopped with a bare serde error, and this is
    /// what is reported.
    failure: RefCell<Option<FileError>>,
    days: RefCell<Vec<ScoreDay>>,
    profiles: RefCell<Vec<ControlProfile>>,
}

impl Reader<'_> {
    fn error(&self, path: &str, message: impl Into<String>) -> FileError {
        FileError { file: self.file.to_owned(), path: path.to_owned(), message: message.into() }
    }

    /// Keeps `e` as the reason the parse stops; answers the error that stops it.
    fn fail<E: serde::de::Error>(&self, e: FileError) -> E {
        self.failure.borrow_mut().get_or_insert(e);
        E::custom("the export was refused")
    }

    /// Counts one more kept entry, refusing past [`MAX_ENTRIES`].
    fn count(&self, path: &str) -> Result<(), FileError> {
        let mut reading = self.reading.borrow_mut();
        reading.entries += 1;
        if reading.entries > MAX_ENTRIES {
            return Err(self.error(
                path,
                format!(
                    "one import holds at most {MAX_ENTRIES} days, control scores, profiles and state \
                     updates together; import the history in parts (a year at a time)"
                ),
            ));
        }
        Ok(())
    }

    fn name(&self, name: &str, path: &str) -> Result<Arc<str>, FileError> {
        let mut reading = self.reading.borrow_mut();
        if let Some(known) = reading.names.get(name) {
            return Ok(known.clone());
        }
        if reading.names.len() == MAX_CONTROL_NAMES {
            return Err(self.error(path, format!("one import names at most {MAX_CONTROL_NAMES} controls")));
        }
        let kept = reading.text(name);
        reading.names.insert(kept.clone());
        Ok(kept)
    }

    fn required_text(&self, v: &Value, key: &str, path: &str) -> Result<String, FileError> {
        text(v, key).ok_or_else(|| self.error(&format!("{path}.{key}"), "is missing or empty"))
    }

    fn time(&self, v: &Value, key: &str, path: &str) -> Result<DateTime<Utc>, FileError> {
        let at = format!("{path}.{key}");
        let s = text(v, key).ok_or_else(|| self.error(&at, "is missing or empty"))?;
        DateTime::parse_from_rfc3339(&s).map(|t| t.with_timezone(&Utc)).map_err(|_| {
            self.error(&at, format!("`{s}` is not a date and time such as 2026-11-26T00:00:00Z"))
        })
    }

    /// An item of the collection (or the root, when it is a single entity), read: decides the
    /// file's kind from the first one when `@odata.context` did not, and keeps what it is.
    fn take_item(&self, entity: Option<Entity>, path: &str) -> Result<(), FileError> {
        let kind = match (self.kind.get(), &entity) {
            (Some(k), _) => k,
            (None, Some(e)) if e.looks_like_scores() => Kind::Scores,
            (None, Some(e)) if e.looks_like_profiles() => Kind::Profiles,
            (None, _) => return Err(self.neither()),
        };
        self.kind.set(Some(kind));
        let Some(entity) = entity else {
            let what = if kind == Kind::Scores { "secureScore" } else { "control profile" };
            return Err(self.error(path, format!("expected a {what} object")));
        };
        self.count(path)?;
        match kind {
            Kind::Scores => {
                let day = self.score_day(entity, path)?;
                self.days.borrow_mut().push(day);
            }
            Kind::Profiles => {
                let profile = self.profile(entity, path)?;
                self.profiles.borrow_mut().push(profile);
            }
        }
        Ok(())
    }

    fn neither(&self) -> FileError {
        self.error(
            "$",
            "neither a secureScores nor a secureScoreControlProfiles export (no controlScores or \
             controlStateUpdates found)",
        )
    }

    fn score_day(&self, mut e: Entity, path: &str) -> Result<ScoreDay, FileError> {
        let v = &e.fields;
        e.controls.shrink_to_fit();
        let created = self.time(v, "createdDateTime", path)?;
        Ok(ScoreDay {
            file: self.file_text.clone(),
            path: path.into(),
            azure_tenant_id: text(v, "azureTenantId").map(|t| t.to_ascii_lowercase()),
            day: text(v, "id").as_deref().and_then(day_of_id).unwrap_or(created.date_naive()),
            created,
            active_users: whole(v, "activeUserCount"),
            licensed_users: whole(v, "licensedUserCount"),
            controls: e.controls,
        })
    }

    /// One of a day's `controlScores` (`None`: not an object).
    fn control_score(
        &self,
        v: Option<Value>,
        day: &str,
        index: usize,
    ) -> Result<Option<ControlScore>, FileError> {
        let path = || format!("{day}.controlScores[{index}]");
        let v = v.ok_or_else(|| self.error(&path(), "expected a control score object"))?;
        if index >= MAX_CONTROLS_PER_DAY {
            return Err(
                self.error(&path(), format!("a day lists at most {MAX_CONTROLS_PER_DAY} control scores"))
            );
        }
        self.count(&path())?;
        // Counts that contradict each other are dropped; the percentage still tells the story.
        let units = match (whole(&v, "count"), whole(&v, "total")) {
            (Some(count), Some(total)) if count <= total => Some((count, total)),
            _ => None,
        };
        let name = self.required_text(&v, "controlName", &path())?;
        let description = text(&v, "description").map(|d| plain_text(&d)).unwrap_or_default();
        let category = text(&v, "controlCategory");
        let mut reading = self.reading.borrow_mut();
        let (description, category) = (reading.text(&description), category.map(|c| reading.text(&c)));
        drop(reading);
        Ok(Some(ControlScore {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            name: self.name(&name, &path())?,
            category,
            description,
            score: number(&v, "score").filter(|s| *s >= 0.0),
            percent: number(&v, "scoreInPercentage").filter(|p| (0.0..=100.0).contains(p)),
            units,
        }))
    }

    fn profile(&self, e: Entity, path: &str) -> Result<ControlProfile, FileError> {
        let v = &e.fields;
        Ok(ControlProfile {
            file: self.file.to_owned(),
            path: path.to_owned(),
            id: self.required_text(v, "id", path)?,
            azure_tenant_id: text(v, "azureTenantId").map(|t| t.to_ascii_lowercase()),
            title: text(v, "title").map(|t| plain_text(&t)),
            category: text(v, "controlCategory"),
            max_score: number(v, "maxScore").filter(|m| *m >= 0.0),
            service: text(v, "service"),
            tier: text(v, "tier"),
            threats: e.threats,
            implementation_cost: text(v, "implementationCost"),
            user_impact: text(v, "userImpact"),
            remediation: text(v, "remediation").map(|t| plain_text(&t)).unwrap_or_default(),
            action_url: text(v, "actionUrl"),
            deprecated: flag(v, "deprecated"),
            updates: e.updates,
        })
    }

    /// One of a profile's `controlStateUpdates` (`None`: not an object).
    fn state_update(&self, v: Option<Value>, path: &str) -> Result<Option<StateUpdate>, FileError> {
        let v = v.ok_or_else(|| self.error(path, "expected a control state update object"))?;
        self.count(path)?;
        let state = self.required_text(&v, "state", path)?;
        let status = status_of_state(&state).ok_or_else(|| {
            self.error(
                &format!("{path}.state"),
                format!(
                    "`{state}` is not a control state; expected Default, Ignored, ThirdParty or Reviewed"
                ),
            )
        })?;
        // Who and why come from the file, not from anyone signed in here: they are kept as
        // data, checked as the edit form checks them.
        let one_line = |key: &str| -> Result<Option<String>, FileError> {
            let value = text(&v, key).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
            match value {
                Some(t) if t.chars().count() > MAX_ASSIGNEE_CHARS || t.chars().any(char::is_control) => {
                    Err(self.error(
                        &format!("{path}.{key}"),
                        format!("use at most {MAX_ASSIGNEE_CHARS} characters, without control characters"),
                    ))
                }
                t => Ok(t),
            }
        };
        let comment = text(&v, "comment").unwrap_or_default().replace("\r\n", "\n");
        if comment.chars().count() > MAX_IMPORTED_COMMENT_CHARS
            || comment.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(self.error(
                &format!("{path}.comment"),
                format!("use at most {MAX_IMPORTED_COMMENT_CHARS} characters, without control characters"),
            ));
        }
        Ok(Some(StateUpdate {
            path: path.to_owned(),
            status,
            assigned_to: one_line("assignedTo")?,
            comment: comment.trim().to_owned(),
            updated_by: one_line("updatedBy")?,
            updated_at: self.time(&v, "updatedDateTime", path)?,
        }))
    }
}

/// The day a `secureScore`'s id names (`<tenantId>_<yyyy-mm-dd>`, as Graph and Rampart
/// write them), if it names one.
fn day_of_id(id: &str) -> Option<NaiveDate> {
    let (_, date) = id.rsplit_once('_')?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// Reads one file on its own, telling a `secureScores` export from a
/// `secureScoreControlProfiles` one.
pub fn read_export(file: &str, source: impl Read) -> Result<GraphExport, FileError> {
    read_export_in(file, source, &mut Reading::default())
}

/// Reads one file of an import, front to back without holding it: a collection
/// (`{"value": [...]}`), a bare array, or a single entity.
pub fn read_export_in(
    file: &str,
    source: impl Read,
    reading: &mut Reading,
) -> Result<GraphExport, FileError> {
    let r = Reader {
        file,
        file_text: file.into(),
        reading: RefCell::new(reading),
        kind: Cell::new(None),
        failure: RefCell::new(None),
        days: RefCell::new(Vec::new()),
        profiles: RefCell::new(Vec::new()),
    };
    let mut json =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(64 * 1024, source));
    let outcome = serde::Deserializer::deserialize_any(&mut json, collections::Root { r: &r })
        .and_then(|()| json.end());
    if let Some(e) = r.failure.take() {
        return Err(e);
    }
    outcome.map_err(|e| r.error("$", format!("not valid JSON ({e}); expected a Graph export")))?;
    match r.kind.get() {
        Some(Kind::Scores) => Ok(GraphExport::SecureScores(r.days.take())),
        Some(Kind::Profiles) => Ok(GraphExport::ControlProfiles(r.profiles.take())),
        None => Err(r.neither()),
    }
}

/// Longest `comment` imported: the note's limit, less room for the line saying where it came from.
pub const MAX_IMPORTED_COMMENT_CHARS: usize = MAX_NOTE_CHARS - 400;

#[cfg(test)]
mod tests {
    use super::*;
    use score::Status;

    #[test]
    fn states_map_in_any_case() {
        assert_eq!(status_of_state("ignored"), Some(Status::RiskAccepted));
        assert_eq!(status_of_state("THIRDPARTY"), Some(Status::ThirdParty));
        assert_eq!(status_of_state("Reviewed"), Some(Status::AlternateMitigation));
        assert_eq!(status_of_state(" default "), Some(Status::ToAddress));
        assert_eq!(status_of_state("On"), None);
    }

    #[test]
    fn the_kind_of_file_is_told_from_its_content() {
        let scores = br#"{"value":[{"createdDateTime":"2026-01-02T00:00:00Z","controlScores":[]}]}"#;
        assert!(
            matches!(read_export("s.json", &scores[..]), Ok(GraphExport::SecureScores(d)) if d.len() == 1)
        );
        let profiles = br#"[{"id":"X","title":"T","controlStateUpdates":null}]"#;
        assert!(
            matches!(read_export("p.json", &profiles[..]), Ok(GraphExport::ControlProfiles(p)) if p.len() == 1)
        );
        let bad = br#"{"value":[{"createdDateTime":"2026-01-02T00:00:00Z","controlScores":[{"score":1}]}]}"#;
        let err = read_export("s.json", &bad[..]).expect_err("no control name");
        assert_eq!(err.to_string(), "s.json: $.value[0].controlScores[0].controlName: is missing or empty");
    }
}
