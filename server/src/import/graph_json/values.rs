//! Reading the values of a Graph export as real tenants write them: numbers as strings,
//! `-1` for "not known", booleans as text, HTML in descriptions.

use serde_json::Value;

/// A non-empty string (numbers and booleans are taken as written); null and "" are absent.
pub(super) fn text(v: &Value, key: &str) -> Option<String> {
    let s = match v.get(key)? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A number, also when written as a string ("45", "45.0").
pub(super) fn number(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

/// A whole, non-negative number; Graph writes `-1` for "not known".
pub(super) fn whole(v: &Value, key: &str) -> Option<u32> {
    let n = number(v, key)?;
    (n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX)).then_some(n as u32)
}

pub(super) fn flag(v: &Value, key: &str) -> bool {
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
    fn counts_may_be_strings_and_minus_one_means_unknown() {
        let v = serde_json::json!({"count": "45", "total": 60.0, "x": "-1", "y": null});
        assert_eq!((whole(&v, "count"), whole(&v, "total")), (Some(45), Some(60)));
        assert_eq!((whole(&v, "x"), whole(&v, "y"), whole(&v, "z")), (None, None, None));
    }
}
