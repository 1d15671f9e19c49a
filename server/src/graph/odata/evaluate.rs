//! `$filter` and `$orderby` over entities serialised as JSON with Graph's field names.

use super::filter::TextFn;
use super::{FieldType, Filter, Literal, Op};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::Value;
use std::cmp::Ordering;

/// Entities carry RFC 3339 text; literals may also be a plain date, read as midnight UTC.
pub fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        Some(d.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
    })
}

impl Filter {
    /// Whether the filter looks into a collection (`any`/`all`), so the items it is tried
    /// on must carry their collections, not their scalar properties alone.
    pub fn looks_into_collections(&self) -> bool {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => a.looks_into_collections() || b.looks_into_collections(),
            Filter::Not(a) => a.looks_into_collections(),
            Filter::Compare { .. } | Filter::Text { .. } => false,
            Filter::Lambda { .. } => true,
        }
    }

    pub fn matches(&self, item: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(item) && b.matches(item),
            Filter::Or(a, b) => a.matches(item) || b.matches(item),
            Filter::Not(a) => !a.matches(item),
            Filter::Compare { field, op, value } => compare(property(item, field), *op, value),
            Filter::Text { func, field, text } => {
                let Some(actual) = property(item, field).and_then(Value::as_str) else { return false };
                let (actual, text) = (actual.to_lowercase(), text.to_lowercase());
                match func {
                    TextFn::StartsWith => actual.starts_with(&text),
                    TextFn::EndsWith => actual.ends_with(&text),
                    TextFn::Contains => actual.contains(&text),
                }
            }
            Filter::Lambda { collection, all, body } => {
                // A missing or empty collection has no item that matches, and no item that fails.
                let items = item.get(*collection).and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
                match (body, all) {
                    (None, _) => !items.is_empty(),
                    (Some(b), true) => items.iter().all(|i| b.matches(i)),
                    (Some(b), false) => items.iter().any(|i| b.matches(i)),
                }
            }
        }
    }
}

/// A property of the item; the empty name is the item itself (a plain value in `any`).
fn property<'v>(item: &'v Value, field: &str) -> Option<&'v Value> {
    if field.is_empty() {
        Some(item)
    } else {
        item.get(field)
    }
}

fn compare(actual: Option<&Value>, op: Op, expected: &Literal) -> bool {
    let actual = actual.filter(|v| !v.is_null());
    let ordering = match (actual, expected) {
        (None, Literal::Null) => Some(Ordering::Equal),
        (None, _) | (Some(_), Literal::Null) => {
            // Only equality is defined against null.
            return op == Op::Ne;
        }
        (Some(v), expected) => order(v, expected),
    };
    let Some(o) = ordering else { return false };
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
    }
}

/// How an entity's value orders against a literal; `None` when they cannot be compared.
fn order(v: &Value, expected: &Literal) -> Option<Ordering> {
    match expected {
        Literal::String(s) => Some(v.as_str()?.cmp(s.as_str())),
        Literal::Number(n) => v.as_f64()?.partial_cmp(n),
        Literal::Bool(b) => Some(v.as_bool()?.cmp(b)),
        Literal::DateTime(t) => Some(parse_datetime(v.as_str()?)?.cmp(t)),
        Literal::Null => None,
    }
}

/// Orders two entities' values of one property for `$orderby`: nulls first, as OData does.
pub fn order_values(a: Option<&Value>, b: Option<&Value>, ty: FieldType) -> Ordering {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => match ty {
            FieldType::Number => a.as_f64().partial_cmp(&b.as_f64()).unwrap_or(Ordering::Equal),
            FieldType::Bool => a.as_bool().cmp(&b.as_bool()),
            FieldType::DateTime => {
                a.as_str().and_then(parse_datetime).cmp(&b.as_str().and_then(parse_datetime))
            }
            FieldType::String => a.as_str().cmp(&b.as_str()),
        },
    }
}
