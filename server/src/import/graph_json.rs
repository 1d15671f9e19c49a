//! Reading Microsoft Graph `secureScores` and `secureScoreControlProfiles` exports as they
//! come out of real tenants: counts as strings, nulls, `-1` averages, HTML in text, states
//! in any case, and fields this reader has never heard of (ignored).

mod decode;

use chrono::{DateTime, Utc};
use score::Status;
use serde_json::Value;
use service::status_edit::{MAX_ASSIGNEE_CHARS, MAX_NOTE_CHARS};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::io::Read;
use std::sync::Arc;

/// A problem at one place in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub file: String,
    /// A JSON path such as `$.value[3].controlScores[7].controlName`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

/// What one file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphExport {
    SecureScores(Vec<ScoreDay>),
    ControlProfiles(Vec<ControlProfile>),
}

/// One `secureScore`: a tenant's score on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreDay {
    pub file: Arc<str>,
    /// Where it is in its file, such as `$.value[3]`.
    pub path: Arc<str>,
    pub azure_tenant_id: Option<String>,
    pub created: DateTime<Utc>,
    pub active_users: Option<u32>,
    pub licensed_users: Option<u32>,
    pub controls: Vec<ControlScore>,
}

impl ScoreDay {
    /// Where one of its control scores is, such as `$.value[3].controlScores[7]`.
    pub fn control_path(&self, c: &ControlScore) -> String {
        format!("{}.controlScores[{}]", self.path, c.index)
    }
}

/// One entry of `controlScores`. Kept compact, texts shared between days: an export holds
/// hundreds of thousands of these, each day repeating the same names and descriptions.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlScore {
    /// Its place in the day's `controlScores`.
    pub index: u32,
    pub name: Arc<str>,
    pub category: Option<Arc<str>>,
    /// Plain text (HTML removed).
    pub description: Arc<str>,
    pub score: Option<f64>,
    pub percent: Option<f64>,
    /// `count` of `total`, when both are present, whole and `0 ≤ count ≤ total`.
    pub units: Option<(u32, u32)>,
}

/// One `secureScoreControlProfile`.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlProfile {
    pub file: String,
    pub path: String,
    pub id: String,
    pub azure_tenant_id: Option<String>,
    pub title: Option<String>,
    pub category: Option<String>,
    pub max_score: Option<f64>,
    pub service: Option<String>,
    pub tier: Option<String>,
    pub threats: Vec<String>,
    pub implementation_cost: Option<String>,
    pub user_impact: Option<String>,
    /// Plain text (HTML removed).
    pub remediation: String,
    pub action_url: Option<String>,
    pub deprecated: bool,
    pub updates: Vec<StateUpdate>,
}

/// One entry of `controlStateUpdates`, its Graph state already mapped to a status.
#[derive(Debug, Clone, PartialEq)]
pub struct StateUpdate {
    pub path: String,
    pub status: Status,
    pub assigned_to: Option<String>,
    pub comment: String,
    pub updated_by: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// Graph's control states (any case) as Rampart statuses (SPEC §7), the same as `PATCH`.
pub use crate::graph::control_profiles::status_of_graph_state as status_of_state;

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
        Ok(ScoreDay {
            file: self.file_text.clone(),
            path: path.into(),
            azure_tenant_id: text(v, "azureTenantId").map(|t| t.to_ascii_lowercase()),
            created: self.time(v, "createdDateTime", path)?,
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

/// A non-empty string (numbers and booleans are taken as written); null and "" are absent.
fn text(v: &Value, key: &str) -> Option<String> {
    let s = match v.get(key)? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A number, also when written as a string ("45", "45.0").
fn number(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

/// A whole, non-negative number; Graph writes `-1` for "not known".
fn whole(v: &Value, key: &str) -> Option<u32> {
    let n = number(v, key)?;
    (n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX)).then_some(n as u32)
}

fn flag(v: &Value, key: &str) -> bool {
    match v.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Text for people, never markup: tags dropped, the common entities decoded, spaces tidied.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
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
    let outcome =
        serde::Deserializer::deserialize_any(&mut json, decode::Root { r: &r }).and_then(|()| json.end());
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

    #[test]
    fn markup_becomes_plain_text() {
        assert_eq!(
            plain_text("<p>Turn on <b>MFA</b> &amp; block<br/>legacy&nbsp;auth &lt;now&gt;</p>"),
            "Turn on MFA & block legacy auth <now>"
        );
        assert_eq!(plain_text("<script>alert(1)</script>"), "alert(1)");
    }

    #[test]
    fn states_map_in_any_case() {
        assert_eq!(status_of_state("ignored"), Some(Status::RiskAccepted));
        assert_eq!(status_of_state("THIRDPARTY"), Some(Status::ThirdParty));
        assert_eq!(status_of_state("Reviewed"), Some(Status::AlternateMitigation));
        assert_eq!(status_of_state(" default "), Some(Status::ToAddress));
        assert_eq!(status_of_state("On"), None);
    }

    #[test]
    fn counts_may_be_strings_and_minus_one_means_unknown() {
        let v = serde_json::json!({"count": "45", "total": 60.0, "x": "-1", "y": null});
        assert_eq!((whole(&v, "count"), whole(&v, "total")), (Some(45), Some(60)));
        assert_eq!((whole(&v, "x"), whole(&v, "y"), whole(&v, "z")), (None, None, None));
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
