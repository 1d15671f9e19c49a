//! Writing figures read at scrape time in Prometheus' text exposition format.

use std::fmt::Write;

/// A metric's `# HELP` and `# TYPE` lines.
pub(super) fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// One sample: `name{label="value",…} value`.
pub(super) fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (key, v)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{key}=\"{}\"", escape(v));
        }
        out.push('}');
    }
    let _ = writeln!(out, " {}", number(value));
}

/// A label value as the format wants it: backslash, double quote and line feed escaped.
/// Tenant names are typed by people and may hold any of them.
fn escape(value: &str) -> String {
    let mut s = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_keep_quotes_and_lines_inside_the_label() {
        let mut out = String::new();
        sample(&mut out, "m", &[("tenant_name", "Contoso \"EU\"\\\nLtd")], 0.5);
        assert_eq!(out, "m{tenant_name=\"Contoso \\\"EU\\\"\\\\\\nLtd\"} 0.5\n");
    }

    #[test]
    fn a_sample_without_labels_is_name_and_value() {
        let mut out = String::new();
        sample(&mut out, "m", &[], 3.0);
        assert_eq!(out, "m 3\n");
    }
}
