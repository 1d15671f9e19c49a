//! Which scanner wrote a file, told from what is in it (never from its name), and the one
//! entry point that reads any of the three.

use crate::json_path::{quoted, JsonPath};
use crate::{maester, prowler, scubagear};
use crate::{ScanError, ScanReport, Tool};
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserializer as _;
use serde_json::error::Category;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::io::{BufReader, Cursor, Read};

const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

const FORMATS: &str = "Maester test results JSON (Invoke-Maester -OutputJsonFile), \
                       ScubaGear results JSON (ScubaResults*.json) \
                       or Prowler OCSF JSON (--output-formats json-ocsf)";

/// The top-level fields the Maester and ScubaGear readers use; every other one (ScubaGear's
/// `Raw` export, Maester's logos and configuration) is skipped unread.
const KEPT_KEYS: [&str; 5] = ["Tests", "ExecutedAt", "TenantId", "CurrentVersion", "MetaData"];

/// ScubaGear's `Results`, kept in the file's order of products (a parsed JSON object here
/// would sort them).
const RESULTS_KEY: &str = "Results";

/// Top-level keys that tell the object formats apart.
const OBJECT_SIGNALS: [&str; 11] = [
    "ExecutedAt",
    "Tests",
    "FailedCount",
    "PassedCount",
    "TotalCount",
    "CurrentVersion",
    "EndOfJson",
    "MetaData",
    "Results",
    "Summary",
    "AnnotatedFailedPolicies",
];

/// Keys of a finding that tell an OCSF finding from other objects.
const FINDING_SIGNALS: [&str; 4] = ["metadata", "class_uid", "finding_info", "status_code"];

/// Reads a report of any of the three scanners. With `tool` given, a file of another format
/// (or of none) is refused, naming what was expected and what the file is. A UTF-8 byte
/// order mark (Windows PowerShell writes one) is skipped. Either the whole report is read or
/// nothing is: the error names the JSON path it is about.
pub fn read(reader: impl Read, tool: Option<Tool>) -> Result<ScanReport, ScanError> {
    let reader = without_byte_order_mark(reader)?;
    let mut json = serde_json::Deserializer::from_reader(BufReader::new(reader));
    let mut abort = None;
    let parsed = json
        .deserialize_any(TopVisitor { tool, abort: &mut abort })
        .and_then(|parsed| json.end().map(|()| parsed))
        .map_err(|error| refusal(&error, abort.take()))?;
    match parsed {
        Parsed::Findings(findings) => findings.into_report(),
        Parsed::Object(object) => object_report(&object, tool),
        Parsed::Scalar(what) => Err(unknown_format(tool, what)),
    }
}

/// The scanner whose format the start of a file looks like, for a hint before the whole file
/// is read (an upload form, a preview). A guess from a prefix: [`read`] decides.
pub fn detect(prefix: &[u8]) -> Option<Tool> {
    let text = prefix.strip_prefix(&UTF8_BOM[..]).unwrap_or(prefix);
    let mut signals = Signals::default();
    let mut json = serde_json::Deserializer::from_slice(text);
    // A prefix usually ends mid-value: the keys seen up to there are what counts.
    let _ = json.deserialize_any(Sniffer { signals: &mut signals });
    signals.tool()
}

/// Why a parse stopped, when the parse error alone would not say.
#[derive(Debug)]
pub(crate) enum Abort {
    /// A reader refused what it read.
    Refused(ScanError),
    /// The parse was inside this item of the top-level array.
    Element(usize),
    /// The parse was inside this top-level field.
    Key(String),
}

/// What the top level of the file held.
enum Parsed {
    Findings(prowler::Findings),
    Object(TopObject),
    Scalar(&'static str),
}

/// The top-level object of a Maester or ScubaGear file: the fields the readers use, and
/// which keys were there.
#[derive(Debug, Default)]
pub(crate) struct TopObject {
    kept: HashMap<&'static str, Value>,
    results: Option<Ordered>,
    signals: Signals,
    first_keys: Vec<String>,
    key_count: usize,
}

impl TopObject {
    /// A kept top-level field (see `KEPT_KEYS`); null reads as absent.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.kept.get(key).filter(|v| !v.is_null())
    }

    /// ScubaGear's `Results`, in the file's order.
    pub(crate) fn results(&self) -> Option<&Ordered> {
        self.results.as_ref()
    }

    fn note(&mut self, key: String) {
        self.signals.note_object_key(&key);
        self.key_count += 1;
        if self.first_keys.len() < 6 {
            self.first_keys.push(key);
        }
    }

    fn described(&self) -> String {
        if self.key_count == 0 {
            return "an empty JSON object".into();
        }
        let keys: Vec<String> = self.first_keys.iter().map(|k| quoted(k)).collect();
        let more = self.key_count - self.first_keys.len();
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        format!("a JSON object with the keys {}{more}", keys.join(", "))
    }
}

fn object_report(object: &TopObject, tool: Option<Tool>) -> Result<ScanReport, ScanError> {
    let found = object.signals.tool();
    match (tool, found) {
        (Some(expected), Some(found)) if expected != found => Err(wrong_tool(expected, found)),
        (_, Some(Tool::Maester)) => maester::report(object),
        (_, Some(Tool::ScubaGear)) => scubagear::report(object),
        (_, Some(Tool::Prowler) | None) => Err(unknown_format(tool, &object.described())),
    }
}

/// The keys seen that tell the formats apart.
#[derive(Debug, Default)]
struct Signals {
    object_keys: Vec<&'static str>,
    array: bool,
    finding_keys: Vec<&'static str>,
}

impl Signals {
    fn note_object_key(&mut self, key: &str) {
        if let Some(signal) = OBJECT_SIGNALS.iter().find(|s| **s == key) {
            self.object_keys.push(signal);
        }
    }

    fn note_finding_key(&mut self, key: &str) {
        if let Some(signal) = FINDING_SIGNALS.iter().find(|s| **s == key) {
            self.finding_keys.push(signal);
        }
    }

    fn tool(&self) -> Option<Tool> {
        if self.array {
            return finding_signals(|key| self.finding_keys.contains(&key)).then_some(Tool::Prowler);
        }
        object_tool(|key| self.object_keys.contains(&key))
    }
}

/// ScubaGear's file starts with `MetaData` and then its `Summary` and `Results`; Maester's
/// with its counts and `ExecutedAt`, `Tests` coming last. Two of Maester's keys, one of them
/// `Tests` or `ExecutedAt`, make a Maester file, so that one missing the other is refused
/// for what it lacks rather than as no format at all.
fn object_tool(has: impl Fn(&str) -> bool) -> Option<Tool> {
    if has("MetaData") && ["Results", "Summary", "AnnotatedFailedPolicies"].into_iter().any(&has) {
        return Some(Tool::ScubaGear);
    }
    let maester_keys =
        ["ExecutedAt", "Tests", "FailedCount", "PassedCount", "TotalCount", "CurrentVersion", "EndOfJson"];
    let seen = maester_keys.into_iter().filter(|key| has(key)).count();
    (seen >= 2 && (has("Tests") || has("ExecutedAt"))).then_some(Tool::Maester)
}

/// An OCSF finding has its `metadata` and a class, a `finding_info` or a `status_code`.
pub(crate) fn finding_signals(has: impl Fn(&str) -> bool) -> bool {
    has("metadata") && ["class_uid", "finding_info", "status_code"].into_iter().any(has)
}

fn format_name(tool: Tool) -> &'static str {
    match tool {
        Tool::Maester => "Maester test results JSON (Invoke-Maester -OutputJsonFile)",
        Tool::ScubaGear => "ScubaGear results JSON (ScubaResults*.json)",
        Tool::Prowler => "Prowler OCSF JSON (--output-formats json-ocsf)",
    }
}

/// A file of none of the three formats.
pub(crate) fn not_recognised(found: &str) -> ScanError {
    ScanError::new("$", format!("is none of the formats Rampart reads ({FORMATS}): it is {found}"))
}

/// A file of none of the formats, when `expected` was asked for.
pub(crate) fn mismatch(expected: Tool, found: &str) -> ScanError {
    ScanError::new(
        "$",
        format!(
            "should be {}, but is none of the formats Rampart reads: it is {found}",
            format_name(expected)
        ),
    )
}

/// A file of another scanner than the one asked for.
pub(crate) fn wrong_tool(expected: Tool, found: Tool) -> ScanError {
    ScanError::new("$", format!("should be {}, but is {}", format_name(expected), format_name(found)))
}

fn unknown_format(tool: Option<Tool>, found: &str) -> ScanError {
    match tool {
        Some(expected) => mismatch(expected, found),
        None => not_recognised(found),
    }
}

/// Skips a UTF-8 byte order mark; refuses UTF-16, which PowerShell writes when not told
/// otherwise.
fn without_byte_order_mark(mut reader: impl Read) -> Result<impl Read, ScanError> {
    let mut head = [0u8; 3];
    let mut len = 0;
    while len < head.len() {
        match reader.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ScanError::new("$", format!("could not be read: {e}"))),
        }
    }
    if len == 0 {
        return Err(ScanError::new("$", format!("is empty; Rampart reads {FORMATS}")));
    }
    if head[..len.min(2)] == [0xFF, 0xFE] || head[..len.min(2)] == [0xFE, 0xFF] {
        return Err(ScanError::new(
            "$",
            "is UTF-16 text; Rampart reads UTF-8 (in PowerShell, write it with -Encoding utf8)",
        ));
    }
    let skip = if head[..len] == UTF8_BOM { 3 } else { 0 };
    Ok(Cursor::new(head[skip..len].to_vec()).chain(reader))
}

/// The refusal for a parse that stopped: the reader's own when it refused, else the parse
/// error placed where the parse was.
fn refusal(error: &serde_json::Error, abort: Option<Abort>) -> ScanError {
    let path = match abort {
        Some(Abort::Refused(refusal)) => return refusal,
        Some(Abort::Element(index)) => JsonPath::root().index(index),
        Some(Abort::Key(key)) => JsonPath::root().key(&key),
        None => JsonPath::root(),
    };
    match error.classify() {
        Category::Io => path.error(format!("could not be read: {error}")),
        Category::Syntax | Category::Eof if error.line() == 1 && error.column() <= 1 => {
            path.error(format!("is not JSON ({error}); Rampart reads {FORMATS}"))
        }
        Category::Syntax | Category::Eof => path.error(format!("is not valid JSON: {error}")),
        Category::Data => path.error(format!("holds a value of the wrong type: {error}")),
    }
}

/// Reads the top level: an array is read as Prowler's findings, one at a time; an object
/// keeps the fields the Maester and ScubaGear readers use.
struct TopVisitor<'a> {
    tool: Option<Tool>,
    abort: &'a mut Option<Abort>,
}

impl<'de> Visitor<'de> for TopVisitor<'_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scanner report: a JSON object or array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut object = TopObject::default();
        while let Some(key) = map.next_key::<String>()? {
            *self.abort = Some(Abort::Key(key.clone()));
            let twice = if let Some(kept) = KEPT_KEYS.into_iter().find(|k| *k == key) {
                object.kept.insert(kept, map.next_value()?).is_some()
            } else if key == RESULTS_KEY {
                object.results.replace(map.next_value_seed(OrderedSeed)?).is_some()
            } else {
                map.next_value::<IgnoredAny>()?;
                false
            };
            if twice {
                *self.abort = Some(Abort::Refused(JsonPath::root().key(&key).error("appears twice")));
                return Err(A::Error::custom("refused"));
            }
            *self.abort = None;
            object.note(key);
        }
        Ok(Parsed::Object(object))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Parsed, A::Error> {
        let findings = prowler::read_findings(seq, self.tool, self.abort)?;
        if let (true, Some(expected)) = (findings.is_empty(), self.tool.filter(|t| *t != Tool::Prowler)) {
            *self.abort = Some(Abort::Refused(mismatch(expected, "an empty JSON array")));
            return Err(A::Error::custom("refused"));
        }
        Ok(Parsed::Findings(findings))
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Parsed, E> {
        Ok(Parsed::Scalar("a JSON string"))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Parsed, E> {
        Ok(Parsed::Scalar("a JSON boolean"))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Parsed, E> {
        Ok(Parsed::Scalar("a JSON number"))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Parsed, E> {
        Ok(Parsed::Scalar("a JSON number"))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Parsed, E> {
        Ok(Parsed::Scalar("a JSON number"))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Parsed, E> {
        Ok(Parsed::Scalar("JSON null"))
    }
}

/// A field's value with an object's entries in the file's order, or what else it is.
#[derive(Debug)]
pub(crate) enum Ordered {
    Entries(Vec<(String, Value)>),
    NotAnObject(&'static str),
}

struct OrderedSeed;

impl<'de> DeserializeSeed<'de> for OrderedSeed {
    type Value = Ordered;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Ordered, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for OrderedSeed {
    type Value = Ordered;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Value>()? {
            entries.push(entry);
        }
        Ok(Ordered::Entries(entries))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Ordered::NotAnObject("an array"))
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Ordered, E> {
        Ok(Ordered::NotAnObject("a string"))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Ordered, E> {
        Ok(Ordered::NotAnObject("a boolean"))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Ordered, E> {
        Ok(Ordered::NotAnObject("a number"))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Ordered, E> {
        Ok(Ordered::NotAnObject("a number"))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Ordered, E> {
        Ok(Ordered::NotAnObject("a number"))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Ordered, E> {
        Ok(Ordered::NotAnObject("null"))
    }
}

/// Notes the keys of the top-level object, or of the first item of the top-level array.
struct Sniffer<'a> {
    signals: &'a mut Signals,
}

impl<'de> Visitor<'de> for Sniffer<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            self.signals.note_object_key(&key);
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.signals.array = true;
        seq.next_element_seed(FirstItemSniffer { signals: self.signals })?;
        Ok(())
    }
}

struct FirstItemSniffer<'a> {
    signals: &'a mut Signals,
}

impl<'de> DeserializeSeed<'de> for FirstItemSniffer<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FirstItemSniffer<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a finding")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            self.signals.note_finding_key(&key);
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_enough_to_tell_the_formats_apart() {
        let maester = br#"{"Result": "Failed", "FailedCount": 3, "PassedCount": 9, "ExecutedAt": "2026-"#;
        assert_eq!(detect(maester), Some(Tool::Maester));
        let scuba = b"\xEF\xBB\xBF{\n  \"MetaData\": {\"TenantId\": \"x\"},\n  \"Summary\": {\"AAD\": {";
        assert_eq!(detect(scuba), Some(Tool::ScubaGear));
        let prowler = br#"[{"message": "User is MFA capable.", "metadata": {"event_code": "entra_users_mfa_capable"}, "severity_id": 4, "status_code": "PA"#;
        assert_eq!(detect(prowler), Some(Tool::Prowler));
        assert_eq!(detect(br#"[{"SchemaVersion": "2018-10-08", "ProductArn": "arn"#), None);
        assert_eq!(detect(b"Provider;CheckID;Status\nm365;entra_users_mfa_capable;FAIL"), None);
        assert_eq!(detect(br#"{"name": "package.json", "version": "1.0.0"}"#), None);
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_utf16_refused() {
        let mut text = String::new();
        without_byte_order_mark(&b"\xEF\xBB\xBF[1]"[..])
            .expect("utf-8")
            .read_to_string(&mut text)
            .expect("reads");
        assert_eq!(text, "[1]");
        let mut short = String::new();
        without_byte_order_mark(&b"[]"[..]).expect("utf-8").read_to_string(&mut short).expect("reads");
        assert_eq!(short, "[]");
        let refusal = without_byte_order_mark(&b"\xFF\xFE[\x00"[..]).err().expect("utf-16 is refused");
        assert!(refusal.message.contains("UTF-16"), "{}", refusal.message);
    }
}
