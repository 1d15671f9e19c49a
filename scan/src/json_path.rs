//! Places in a report file, written as JSON paths (`$.Results.AAD[0].Controls[2]["Control ID"]`),
//! and reading fields of a parsed object so that every refusal names its place.

use crate::ScanError;
use serde_json::{Map, Value};
use std::fmt;

/// Longest value quoted in a message: enough to recognise it, not a wall of text.
const QUOTED_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonPath(String);

impl JsonPath {
    pub(crate) fn root() -> JsonPath {
        JsonPath("$".into())
    }

    pub(crate) fn key(&self, key: &str) -> JsonPath {
        if is_plain_key(key) {
            JsonPath(format!("{}.{key}", self.0))
        } else {
            let escaped = key.replace('\\', "\\\\").replace('"', "\\\"");
            JsonPath(format!("{}[\"{escaped}\"]", self.0))
        }
    }

    pub(crate) fn index(&self, index: usize) -> JsonPath {
        JsonPath(format!("{}[{index}]", self.0))
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> ScanError {
        ScanError::new(self.0.clone(), message)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<JsonPath> for String {
    fn from(path: JsonPath) -> String {
        path.0
    }
}

/// Keys that read unambiguously after a dot; anything else (a space, a dot) goes in brackets.
fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A value from the file, quoted for a message: escaped, so a control character shows as
/// `\u{7}` instead of acting on the reader's terminal, and cut short when long.
pub(crate) fn quoted(text: &str) -> String {
    if text.chars().count() <= QUOTED_CHARS {
        return format!("{text:?}");
    }
    let cut: String = text.chars().take(QUOTED_CHARS).collect();
    format!("{cut:?}…")
}

/// What a JSON value is, for "should be a string, found …".
pub(crate) fn described(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", quoted(s)),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

/// An object of the file with its path, to read fields from.
#[derive(Clone)]
pub(crate) struct Object<'a> {
    map: &'a Map<String, Value>,
    path: JsonPath,
}

impl<'a> Object<'a> {
    /// `value` as an object; `what` names it in the refusal ("a test", "MetaData").
    pub(crate) fn of(value: &'a Value, path: JsonPath, what: &str) -> Result<Object<'a>, ScanError> {
        match value {
            Value::Object(map) => Ok(Object { map, path }),
            other => Err(path.error(format!("{what} should be an object, found {}", described(other)))),
        }
    }

    pub(crate) fn path(&self) -> &JsonPath {
        &self.path
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A string field; absent, null and empty all read as `None`.
    pub(crate) fn text(&self, key: &str) -> Result<Option<&'a str>, ScanError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => {
                Err(self.path.key(key).error(format!("should be a string, found {}", described(other))))
            }
        }
    }

    pub(crate) fn required_text(&self, key: &str) -> Result<&'a str, ScanError> {
        self.text(key)?.ok_or_else(|| self.missing(key))
    }

    pub(crate) fn required_array(&self, key: &str) -> Result<&'a [Value], ScanError> {
        match self.get(key) {
            None => Err(self.missing(key)),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => {
                Err(self.path.key(key).error(format!("should be an array, found {}", described(other))))
            }
        }
    }

    fn missing(&self, key: &str) -> ScanError {
        self.path.key(key).error("is missing")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_spaces_or_dots_go_in_brackets() {
        let path = JsonPath::root().key("Results").key("AAD").index(0).key("Controls").index(2);
        assert_eq!(path.key("Control ID").to_string(), r#"$.Results.AAD[0].Controls[2]["Control ID"]"#);
        assert_eq!(JsonPath::root().key("@odata.type").to_string(), r#"$["@odata.type"]"#);
        assert_eq!(JsonPath::root().key("say \"hi\"").to_string(), r#"$["say \"hi\""]"#);
        assert_eq!(JsonPath::root().index(7).key("time_dt").to_string(), "$[7].time_dt");
    }

    #[test]
    fn quoted_values_show_control_characters_and_are_cut_short() {
        assert_eq!(quoted("bob\u{7}"), r#""bob\u{7}""#);
        let long = "x".repeat(200);
        assert!(quoted(&long).ends_with("\"…"));
        assert!(quoted(&long).len() < 90);
    }

    #[test]
    fn fields_of_the_wrong_type_are_refused_at_their_path() {
        let value = serde_json::json!({"Result": 3, "Name": "  ", "Tests": {}});
        let path = JsonPath::root().key("Tests").index(4);
        let object = Object::of(&value, path, "a test").expect("an object");
        let refusal = object.text("Result").expect_err("a number is not a string");
        assert_eq!(refusal.path, "$.Tests[4].Result");
        assert_eq!(refusal.message, "should be a string, found the number 3");
        assert_eq!(object.text("Name").expect("a string"), None);
        assert_eq!(object.required_text("Id").expect_err("absent").message, "is missing");
        assert_eq!(object.required_array("Tests").expect_err("an object").path, "$.Tests[4].Tests");
    }
}
