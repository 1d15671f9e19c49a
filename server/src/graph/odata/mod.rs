//! OData query options (`$top`, `$skip`, `$count`, `$select`, `$orderby`, `$filter`) as the
//! Graph-compatible collections accept them. Options are checked against the entity's
//! schema up front, so an unsupported option or property is a 400, never silently ignored.

mod evaluate;
mod filter;
mod lambda;
pub mod patterns;
#[cfg(test)]
mod tests;
mod tokens;

pub use filter::{Filter, Literal, Op, MAX_DEPTH, MAX_FILTER_CHARS};
use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Number,
    Bool,
    DateTime,
}

impl FieldType {
    fn describe(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Number => "number",
            FieldType::Bool => "boolean",
            FieldType::DateTime => "date-time",
        }
    }
}

/// What a collection lets clients query.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    /// The Graph type, for messages (`microsoft.graph.secureScore`).
    pub entity: &'static str,
    /// Properties `$filter` and `$orderby` may use.
    pub scalar: &'static [(&'static str, FieldType)],
    /// Collection properties `$filter` may look into with `any` and `all`.
    pub collections: &'static [(&'static str, Items)],
    /// Properties `$select` may name.
    pub selectable: &'static [&'static str],
    pub max_top: usize,
}

/// What a collection property holds, for `any`/`all` over it.
#[derive(Debug, Clone, Copy)]
pub enum Items {
    /// Objects (`controlScores`), with the properties their lambda may compare.
    Entities { entity: &'static str, scalar: &'static [(&'static str, FieldType)] },
    /// Plain values (`enabledServices`), compared as the lambda variable itself.
    Values(FieldType),
}

impl Schema {
    /// Property names match in any letter case; the answer is the canonical name.
    fn scalar_field(&self, name: &str) -> Option<(&'static str, FieldType)> {
        self.scalar.iter().copied().find(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    fn collection(&self, name: &str) -> Option<(&'static str, Items)> {
        self.collections.iter().copied().find(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

/// A refused query, answered with 400 and Graph's error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ODataError {
    pub code: &'static str,
    pub message: String,
}

impl ODataError {
    fn new(message: impl Into<String>) -> ODataError {
        ODataError { code: "BadRequest", message: message.into() }
    }
}

impl fmt::Display for ODataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ODataError> for super::error::GraphError {
    fn from(e: ODataError) -> Self {
        super::error::GraphError::new(axum::http::StatusCode::BAD_REQUEST, e.code, e.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderKey {
    pub field: &'static str,
    pub ty: FieldType,
    pub descending: bool,
}

/// The parsed options, plus their original text for building `@odata.nextLink`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryOptions {
    pub top: Option<usize>,
    pub skip: usize,
    pub count: bool,
    pub select: Option<Vec<&'static str>>,
    pub order_by: Vec<OrderKey>,
    pub filter: Option<Filter>,
    raw_filter: Option<String>,
    raw_order_by: Option<String>,
}

/// One page of a collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<Value>,
    /// Matching items before `$skip` and `$top`, when `$count=true`.
    pub count: Option<usize>,
    /// Where the next page starts, when there is one.
    pub next_skip: Option<usize>,
}

/// Largest `$skip` accepted.
pub const MAX_SKIP: usize = 1_000_000;

const SUPPORTED: [&str; 6] = ["$top", "$skip", "$count", "$select", "$orderby", "$filter"];

/// Parses a raw (percent-encoded) URL query. Parameters without a `$` are not OData
/// options and are left alone.
pub fn parse(raw_query: Option<&str>, schema: &Schema) -> Result<QueryOptions, ODataError> {
    let mut seen: Vec<&'static str> = Vec::new();
    let mut options = QueryOptions::default();
    for (name, value) in form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes()) {
        if !name.starts_with('$') {
            continue;
        }
        let Some(option) = SUPPORTED.iter().copied().find(|o| o.eq_ignore_ascii_case(&name)) else {
            return Err(ODataError::new(format!("The query option '{name}' is not supported.")));
        };
        if seen.contains(&option) {
            return Err(ODataError::new(format!("The query option '{option}' is given more than once.")));
        }
        seen.push(option);
        let value = value.trim();
        match option {
            "$top" => {
                let hint = "; page with @odata.nextLink instead";
                options.top = Some(parse_count(option, value, schema.max_top, hint)?);
            }
            // No collection comes near MAX_SKIP; refusing larger values keeps every page and
            // next-link sum far from overflowing.
            "$skip" => options.skip = parse_count(option, value, MAX_SKIP, "")?,
            "$count" => {
                options.count = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ODataError::new(format!("$count: '{value}' is neither true nor false.")))
                    }
                }
            }
            "$select" => options.select = parse_select(value, schema)?,
            "$orderby" => {
                options.order_by = parse_order_by(value, schema)?;
                options.raw_order_by = Some(value.to_owned());
            }
            _ => {
                options.filter = Some(filter::parse(value, schema)?);
                options.raw_filter = Some(value.to_owned());
            }
        }
    }
    Ok(options)
}

fn parse_count(option: &str, value: &str, max: usize, hint: &str) -> Result<usize, ODataError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ODataError::new(format!("{option}: '{value}' is not a whole number of zero or more.")));
    }
    // Digits too many for any number here are over the maximum as well.
    value
        .parse::<usize>()
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| ODataError::new(format!("{option}: {value} is over the maximum of {max}{hint}.")))
}

/// `None` when every property is wanted (`$select=*`).
fn parse_select(value: &str, schema: &Schema) -> Result<Option<Vec<&'static str>>, ODataError> {
    let mut fields = Vec::new();
    let mut everything = false;
    for name in value.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(ODataError::new("$select: a property name is missing between commas."));
        }
        if name == "*" {
            everything = true;
            continue;
        }
        let field =
            schema.selectable.iter().copied().find(|s| s.eq_ignore_ascii_case(name)).ok_or_else(|| {
                ODataError::new(format!(
                    "$select: could not find a property named '{name}' on type '{}'.",
                    schema.entity
                ))
            })?;
        if !fields.contains(&field) {
            fields.push(field);
        }
    }
    Ok((!everything).then_some(fields))
}

fn parse_order_by(value: &str, schema: &Schema) -> Result<Vec<OrderKey>, ODataError> {
    let mut keys = Vec::new();
    for clause in value.split(',').map(str::trim) {
        let mut words = clause.split_whitespace();
        let name = words.next().ok_or_else(|| ODataError::new("$orderby: a property name is missing."))?;
        let (field, ty) = schema.scalar_field(name).ok_or_else(|| {
            ODataError::new(format!(
                "$orderby: '{name}' is not a property of '{}' that can be sorted on.",
                schema.entity
            ))
        })?;
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(ODataError::new(format!(
                    "$orderby: '{other}' after '{name}' is neither asc nor desc."
                )))
            }
        };
        if let Some(extra) = words.next() {
            return Err(ODataError::new(format!("$orderby: unexpected '{extra}' after '{clause}'.")));
        }
        // A property named again can never break a tie the first one left, and dropping it
        // keeps every comparison bounded by the schema rather than by the URL's length.
        if !keys.iter().any(|k: &OrderKey| k.field == field) {
            keys.push(OrderKey { field, ty, descending });
        }
    }
    Ok(keys)
}

impl QueryOptions {
    /// No filter and no order: the collection's own order, so a handler can read just the
    /// first items from storage instead of building every entity.
    pub fn is_plain(&self) -> bool {
        self.filter.is_none() && self.order_by.is_empty()
    }

    /// Nothing but `$select`, the only option a single entity takes.
    pub fn is_select_only(&self) -> bool {
        self.is_plain() && self.top.is_none() && self.skip == 0 && !self.count
    }

    /// Filters, sorts (stably: ties keep the collection's order) and cuts out one page.
    pub fn apply(&self, items: Vec<Value>, page_size: usize) -> Page {
        let mut items: Vec<Value> = match &self.filter {
            Some(f) => items.into_iter().filter(|i| f.matches(i)).collect(),
            None => items,
        };
        if !self.order_by.is_empty() {
            items.sort_by(|a, b| {
                self.order_by
                    .iter()
                    .map(|k| {
                        let o = evaluate::order_values(a.get(k.field), b.get(k.field), k.ty);
                        if k.descending {
                            o.reverse()
                        } else {
                            o
                        }
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
        }
        let matched = items.len();
        let wanted = self.top.unwrap_or(usize::MAX);
        let take = wanted.min(page_size.max(1));
        let page: Vec<Value> = items.into_iter().skip(self.skip).take(take).collect();
        let end = self.skip.saturating_add(page.len());
        let more = end < matched && page.len() < wanted;
        Page {
            count: self.count.then_some(matched),
            next_skip: (more && !page.is_empty()).then_some(end),
            items: page,
        }
    }

    /// The link to the page starting at `next_skip`: the same query with a new `$skip`,
    /// and `$top` reduced by what earlier pages returned.
    pub fn next_link(&self, base_url: &str, next_skip: usize) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(f) = &self.raw_filter {
            pairs.push(("$filter", f.clone()));
        }
        if let Some(o) = &self.raw_order_by {
            pairs.push(("$orderby", o.clone()));
        }
        if let Some(s) = &self.select {
            pairs.push(("$select", s.join(",")));
        }
        if self.count {
            pairs.push(("$count", "true".into()));
        }
        if let Some(top) = self.top {
            let returned = next_skip.saturating_sub(self.skip);
            pairs.push(("$top", top.saturating_sub(returned).to_string()));
        }
        pairs.push(("$skip", next_skip.to_string()));
        let mut link = base_url.to_owned();
        for (i, (name, value)) in pairs.iter().enumerate() {
            let separator = if i > 0 || base_url.contains('?') { '&' } else { '?' };
            // Names keep their `$` as Graph writes them; values are encoded, with `%20` rather
            // than `+` for spaces because some clients decode `+` literally.
            let value: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
            link.push_str(&format!("{separator}{name}={}", value.replace('+', "%20")));
        }
        link
    }

    /// Applies `$select`: only the chosen properties, plus `id` and `@odata.*` annotations.
    pub fn project(&self, item: Value) -> Value {
        match (&self.select, item) {
            (Some(select), Value::Object(fields)) => Value::Object(
                fields
                    .into_iter()
                    .filter(|(k, _)| k.starts_with("@odata.") || k == "id" || select.contains(&k.as_str()))
                    .collect(),
            ),
            (_, item) => item,
        }
    }
}
