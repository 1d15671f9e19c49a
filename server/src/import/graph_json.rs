//! Reading Microsoft Graph `secureScores` and `secureScoreControlProfiles` exports as they
//! come out of real tenants: counts as strings, nulls, `-1` averages, HTML in text, states
//! in any case, and fields this reader has never heard of (ignored).

use app::pages::actions::edit::{MAX_ASSIGNEE_CHARS, MAX_NOTE_CHARS};
use chrono::{DateTime, Utc};
use score::Status;
use serde_json::Value;

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
    pub azure_tenant_id: Option<String>,
    pub created: DateTime<Utc>,
    pub active_users: Option<u32>,
    pub licensed_users: Option<u32>,
    pub controls: Vec<ControlScore>,
}

/// One entry of `controlScores`.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlScore {
    pub file: String,
    pub path: String,
    pub name: String,
    pub category: Option<String>,
    /// Plain text (HTML removed).
    pub description: String,
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

/// Walks a parsed file, remembering where it is for error messages.
struct Reader<'a> {
    file: &'a str,
}

impl Reader<'_> {
    fn error(&self, path: &str, message: impl Into<String>) -> FileError {
        FileError { file: self.file.to_owned(), path: path.to_owned(), message: message.into() }
    }

    /// An array that may be missing or null (both read as empty).
    fn array<'v>(&self, v: &'v Value, key: &str, path: &str) -> Result<&'v [Value], FileError> {
        match v.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.error(&format!("{path}.{key}"), "expected an array")),
        }
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

/// Reads one file, telling a `secureScores` export from a `secureScoreControlProfiles` one.
pub fn read_export(file: &str, bytes: &[u8]) -> Result<GraphExport, FileError> {
    let r = Reader { file };
    let root: Value = serde_json::from_slice(bytes)
        .map_err(|e| r.error("$", format!("not valid JSON ({e}); expected a Graph export")))?;
    // A collection (`{"value": [...]}`), a bare array, or a single entity.
    let (items, base): (Vec<&Value>, &str) = match &root {
        Value::Object(o) if o.contains_key("value") => {
            (r.array(&root, "value", "$")?.iter().collect(), "$.value")
        }
        Value::Array(a) => (a.iter().collect(), "$"),
        Value::Object(_) => (vec![&root], ""),
        _ => return Err(r.error("$", "expected a JSON object with a `value` array")),
    };
    let context = text(&root, "@odata.context").unwrap_or_default().to_ascii_lowercase();
    let looks_like_scores = |v: &Value| v.get("controlScores").is_some() || v.get("currentScore").is_some();
    let looks_like_profiles = |v: &Value| v.get("controlStateUpdates").is_some() || v.get("title").is_some();
    let kind = if context.contains("securescorecontrolprofiles") {
        Some(false)
    } else if context.contains("securescores") {
        Some(true)
    } else {
        items.first().and_then(|v| {
            if looks_like_scores(v) {
                Some(true)
            } else if looks_like_profiles(v) {
                Some(false)
            } else {
                None
            }
        })
    };
    let path_of = |i: usize| if base.is_empty() { "$".to_owned() } else { format!("{base}[{i}]") };
    match kind {
        Some(true) => items
            .iter()
            .enumerate()
            .map(|(i, v)| score_day(&r, v, &path_of(i)))
            .collect::<Result<_, _>>()
            .map(GraphExport::SecureScores),
        Some(false) => items
            .iter()
            .enumerate()
            .map(|(i, v)| profile(&r, v, &path_of(i)))
            .collect::<Result<_, _>>()
            .map(GraphExport::ControlProfiles),
        None => Err(r.error(
            "$",
            "neither a secureScores nor a secureScoreControlProfiles export (no controlScores or \
             controlStateUpdates found)",
        )),
    }
}

fn score_day(r: &Reader, v: &Value, path: &str) -> Result<ScoreDay, FileError> {
    if !v.is_object() {
        return Err(r.error(path, "expected a secureScore object"));
    }
    let controls = r
        .array(v, "controlScores", path)?
        .iter()
        .enumerate()
        .map(|(i, c)| control_score(r, c, &format!("{path}.controlScores[{i}]")))
        .collect::<Result<_, _>>()?;
    Ok(ScoreDay {
        azure_tenant_id: text(v, "azureTenantId").map(|t| t.to_ascii_lowercase()),
        created: r.time(v, "createdDateTime", path)?,
        active_users: whole(v, "activeUserCount"),
        licensed_users: whole(v, "licensedUserCount"),
        controls,
    })
}

fn control_score(r: &Reader, v: &Value, path: &str) -> Result<ControlScore, FileError> {
    if !v.is_object() {
        return Err(r.error(path, "expected a control score object"));
    }
    // Counts that contradict each other are dropped; the percentage still tells the story.
    let units = match (whole(v, "count"), whole(v, "total")) {
        (Some(count), Some(total)) if count <= total => Some((count, total)),
        _ => None,
    };
    Ok(ControlScore {
        file: r.file.to_owned(),
        path: path.to_owned(),
        name: r.required_text(v, "controlName", path)?,
        category: text(v, "controlCategory"),
        description: text(v, "description").map(|d| plain_text(&d)).unwrap_or_default(),
        score: number(v, "score").filter(|s| *s >= 0.0),
        percent: number(v, "scoreInPercentage").filter(|p| (0.0..=100.0).contains(p)),
        units,
    })
}

fn profile(r: &Reader, v: &Value, path: &str) -> Result<ControlProfile, FileError> {
    if !v.is_object() {
        return Err(r.error(path, "expected a control profile object"));
    }
    let threats = r.array(v, "threats", path)?.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect();
    let updates = r
        .array(v, "controlStateUpdates", path)?
        .iter()
        .enumerate()
        .map(|(i, u)| state_update(r, u, &format!("{path}.controlStateUpdates[{i}]")))
        .collect::<Result<_, _>>()?;
    Ok(ControlProfile {
        file: r.file.to_owned(),
        path: path.to_owned(),
        id: r.required_text(v, "id", path)?,
        azure_tenant_id: text(v, "azureTenantId").map(|t| t.to_ascii_lowercase()),
        title: text(v, "title").map(|t| plain_text(&t)),
        category: text(v, "controlCategory"),
        max_score: number(v, "maxScore").filter(|m| *m >= 0.0),
        service: text(v, "service"),
        tier: text(v, "tier"),
        threats,
        implementation_cost: text(v, "implementationCost"),
        user_impact: text(v, "userImpact"),
        remediation: text(v, "remediation").map(|t| plain_text(&t)).unwrap_or_default(),
        action_url: text(v, "actionUrl"),
        deprecated: flag(v, "deprecated"),
        updates,
    })
}

fn state_update(r: &Reader, v: &Value, path: &str) -> Result<StateUpdate, FileError> {
    if !v.is_object() {
        return Err(r.error(path, "expected a control state update object"));
    }
    let state = r.required_text(v, "state", path)?;
    let status = status_of_state(&state).ok_or_else(|| {
        r.error(
            &format!("{path}.state"),
            format!("`{state}` is not a control state; expected Default, Ignored, ThirdParty or Reviewed"),
        )
    })?;
    // Who and why come from the file, not from anyone signed in here: they are kept as
    // data, checked as the edit form checks them.
    let one_line = |key: &str| -> Result<Option<String>, FileError> {
        let value = text(v, key).map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        match value {
            Some(t) if t.chars().count() > MAX_ASSIGNEE_CHARS || t.chars().any(char::is_control) => Err(r
                .error(
                    &format!("{path}.{key}"),
                    format!("use at most {MAX_ASSIGNEE_CHARS} characters, without control characters"),
                )),
            t => Ok(t),
        }
    };
    let comment = text(v, "comment").unwrap_or_default().replace("\r\n", "\n");
    if comment.chars().count() > MAX_IMPORTED_COMMENT_CHARS
        || comment.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(r.error(
            &format!("{path}.comment"),
            format!("use at most {MAX_IMPORTED_COMMENT_CHARS} characters, without control characters"),
        ));
    }
    Ok(StateUpdate {
        path: path.to_owned(),
        status,
        assigned_to: one_line("assignedTo")?,
        comment: comment.trim().to_owned(),
        updated_by: one_line("updatedBy")?,
        updated_at: r.time(v, "updatedDateTime", path)?,
    })
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
        assert!(matches!(read_export("s.json", scores), Ok(GraphExport::SecureScores(d)) if d.len() == 1));
        let profiles = br#"[{"id":"X","title":"T","controlStateUpdates":null}]"#;
        assert!(
            matches!(read_export("p.json", profiles), Ok(GraphExport::ControlProfiles(p)) if p.len() == 1)
        );
        let bad = br#"{"value":[{"createdDateTime":"2026-01-02T00:00:00Z","controlScores":[{"score":1}]}]}"#;
        let err = read_export("s.json", bad).expect_err("no control name");
        assert_eq!(err.to_string(), "s.json: $.value[0].controlScores[0].controlName: is missing or empty");
    }
}
