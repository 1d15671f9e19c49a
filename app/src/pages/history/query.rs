//! The History view as it lives in the URL query: the date range (a preset or custom
//! dates), the category, the sort and the page. The dates are kept as typed, so the
//! form shows them back and the server can name a malformed one.

use crate::error::AppError;
use crate::pages::actions::query::encode;
use chrono::{Duration, NaiveDate};
use score::Category;
use serde::{Deserialize, Serialize};

/// Longest date text kept from the query (`YYYY-MM-DD` is 10).
const MAX_DATE_CHARS: usize = 20;
/// Where "all" starts: before any snapshot a tenant can have.
pub const BEGINNING: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The date-range presets, shortest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RangePreset {
    Days7,
    #[default]
    Days30,
    Days90,
    Days180,
    Year,
    All,
}

impl RangePreset {
    pub const ALL: [RangePreset; 6] = [
        RangePreset::Days7,
        RangePreset::Days30,
        RangePreset::Days90,
        RangePreset::Days180,
        RangePreset::Year,
        RangePreset::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RangePreset::Days7 => "7d",
            RangePreset::Days30 => "30d",
            RangePreset::Days90 => "90d",
            RangePreset::Days180 => "180d",
            RangePreset::Year => "1y",
            RangePreset::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RangePreset::Days7 => "7 days",
            RangePreset::Days30 => "30 days",
            RangePreset::Days90 => "90 days",
            RangePreset::Days180 => "180 days",
            RangePreset::Year => "1 year",
            RangePreset::All => "All",
        }
    }

    pub fn parse(s: &str) -> Option<RangePreset> {
        RangePreset::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s))
    }

    /// Days the preset spans, today included; `None` for all of the history.
    pub fn days(self) -> Option<i64> {
        match self {
            RangePreset::Days7 => Some(7),
            RangePreset::Days30 => Some(30),
            RangePreset::Days90 => Some(90),
            RangePreset::Days180 => Some(180),
            RangePreset::Year => Some(365),
            RangePreset::All => None,
        }
    }
}

/// How the list of events is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventSort {
    /// Newest first.
    #[default]
    DateDesc,
    DateAsc,
    /// Biggest gain first.
    PointsDesc,
    /// Biggest loss first.
    PointsAsc,
    /// By action title, A→Z.
    Action,
}

impl EventSort {
    pub const ALL: [EventSort; 5] = [
        EventSort::DateDesc,
        EventSort::DateAsc,
        EventSort::PointsDesc,
        EventSort::PointsAsc,
        EventSort::Action,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventSort::DateDesc => "-date",
            EventSort::DateAsc => "date",
            EventSort::PointsDesc => "-points",
            EventSort::PointsAsc => "points",
            EventSort::Action => "action",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventSort::DateDesc => "Newest first",
            EventSort::DateAsc => "Oldest first",
            EventSort::PointsDesc => "Biggest gain first",
            EventSort::PointsAsc => "Biggest loss first",
            EventSort::Action => "Action (A–Z)",
        }
    }

    pub fn parse(s: &str) -> EventSort {
        EventSort::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s)).unwrap_or_default()
    }
}

/// Everything that shapes the History view. Server functions take it as one flattened
/// argument, so a form or a link sends its URL words (`range`, `from`, `to`, …) as they are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "QueryWords", into = "QueryWords")]
pub struct HistoryQuery {
    pub range: RangePreset,
    /// Custom range as typed; either one set makes the range custom.
    pub from: Option<String>,
    pub to: Option<String>,
    pub category: Option<Category>,
    pub sort: EventSort,
    /// 1-based.
    pub page: u32,
}

/// A [`HistoryQuery`] as its URL words, as sent: unknown values fall back as in a URL.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct QueryWords {
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl From<QueryWords> for HistoryQuery {
    fn from(w: QueryWords) -> HistoryQuery {
        HistoryQuery::from_lookup(|k| {
            match k {
                "range" => &w.range,
                "from" => &w.from,
                "to" => &w.to,
                "category" => &w.category,
                "sort" => &w.sort,
                "page" => &w.page,
                _ => &None,
            }
            .clone()
        })
    }
}

impl From<HistoryQuery> for QueryWords {
    fn from(q: HistoryQuery) -> QueryWords {
        let mut w = QueryWords::default();
        for (k, v) in q.pairs() {
            let slot = match k {
                "range" => &mut w.range,
                "from" => &mut w.from,
                "to" => &mut w.to,
                "category" => &mut w.category,
                "sort" => &mut w.sort,
                _ => &mut w.page,
            };
            *slot = Some(v);
        }
        w
    }
}

fn clean(value: Option<String>) -> Option<String> {
    let v: String = value?.trim().chars().filter(|c| !c.is_control()).take(MAX_DATE_CHARS).collect();
    (!v.is_empty()).then_some(v)
}

/// The days a query covers once resolved against today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl HistoryQuery {
    /// Reads the query through a lookup of its values. Unknown presets, categories and sorts
    /// fall back to the defaults (a stale link still opens); dates are checked by [`Self::days`].
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> HistoryQuery {
        let word = |k: &str| clean(get(k));
        HistoryQuery {
            range: word("range").and_then(|r| RangePreset::parse(&r)).unwrap_or_default(),
            from: word("from"),
            to: word("to"),
            category: word("category").and_then(|c| Category::parse(&c)),
            sort: word("sort").map_or(EventSort::DateDesc, |s| EventSort::parse(&s)),
            page: word("page").and_then(|p| p.parse::<u32>().ok()).filter(|p| *p > 0).unwrap_or(1),
        }
    }

    /// Just the range of a view: what the Metrics & trends page reads.
    pub fn range_only(&self) -> HistoryQuery {
        let words = QueryWords::from(self.clone());
        HistoryQuery::from(QueryWords {
            range: words.range,
            from: words.from,
            to: words.to,
            ..QueryWords::default()
        })
    }

    pub fn is_custom(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// The query's non-default values as `key=value` pairs, in a fixed order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut p: Vec<(&'static str, String)> = Vec::new();
        if self.is_custom() {
            p.extend(self.from.clone().map(|f| ("from", f)));
            p.extend(self.to.clone().map(|t| ("to", t)));
        } else if self.range != RangePreset::default() {
            p.push(("range", self.range.as_str().to_owned()));
        }
        p.extend(self.category.map(|c| ("category", c.as_str().to_owned())));
        if self.sort != EventSort::default() {
            p.push(("sort", self.sort.as_str().to_owned()));
        }
        if self.page > 1 {
            p.push(("page", self.page.to_string()));
        }
        p
    }

    /// `?a=1&b=2`, or empty for the default view.
    pub fn to_search(&self) -> String {
        let s = self.pairs().iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
        if s.is_empty() {
            s
        } else {
            format!("?{s}")
        }
    }

    /// The same view on another page.
    pub fn on_page(&self, page: u32) -> HistoryQuery {
        HistoryQuery { page, ..self.clone() }
    }

    /// The same category and sort over a preset range, from its first page.
    pub fn with_preset(&self, range: RangePreset) -> HistoryQuery {
        HistoryQuery { range, from: None, to: None, page: 1, ..self.clone() }
    }

    /// The same filters sorted another way, from the first page.
    pub fn sorted(&self, sort: EventSort) -> HistoryQuery {
        HistoryQuery { sort, page: 1, ..self.clone() }
    }

    /// Every matching event rather than one page: what the CSV export writes.
    pub fn unpaged(&self) -> HistoryQuery {
        HistoryQuery { page: 1, ..self.clone() }
    }

    /// The days asked for, given today: a preset ends today; a custom range needs real dates
    /// in order, may not start in the future, and ends today at the latest. A custom range
    /// without a start begins with the history. Each refusal names its field.
    pub fn days(&self, today: NaiveDate) -> Result<DayRange, AppError> {
        if !self.is_custom() {
            let from = self.range.days().map_or(BEGINNING, |n| today - Duration::days(n - 1));
            return Ok(DayRange { from, to: today });
        }
        let from = self.from.as_deref().map(|f| parse_day("from", f)).transpose()?;
        let to = self.to.as_deref().map(|t| parse_day("to", t)).transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(AppError::invalid(
                    "from",
                    format!(
                        "the start date {f} is after the end date {t}; pick a start on or before the end"
                    ),
                ));
            }
        }
        let from = from.unwrap_or(BEGINNING);
        if from > today {
            return Err(AppError::invalid(
                "from",
                format!("{from} is in the future; there is no history after today ({today})"),
            ));
        }
        Ok(DayRange { from, to: to.unwrap_or(today).min(today) })
    }
}

/// A calendar day written `YYYY-MM-DD`, as date inputs send it.
fn parse_day(field: &str, text: &str) -> Result<NaiveDate, AppError> {
    let well_formed = text.len() == 10 && text.as_bytes().get(4) == Some(&b'-');
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| well_formed)
        .ok_or_else(|| AppError::invalid(field, format!("“{text}” is not a date; write it as YYYY-MM-DD")))
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
