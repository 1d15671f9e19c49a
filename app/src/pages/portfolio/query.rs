//! The portfolio's view as it lives in the URL query: search, filters, order and page, so
//! a copied link (and the CSV export) shows the same tenants. A value that is not one of
//! its filter's choices is left out of the view and named on the page.

use crate::pages::actions::query::{encode, MAX_SEARCH_CHARS};
use score::comparison::{seat_bucket_label, SEAT_BUCKETS};
use serde::{Deserialize, Serialize};

/// Longest filter value kept (an industry name is the longest choice).
const MAX_VALUE_CHARS: usize = 100;

/// The zones a score falls in, as the pages name them.
pub const ZONES: [&str; 3] = ["bad", "okay", "good"];

/// How a tenant's Microsoft 365 sync stands, as a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncFilter {
    /// Connected and the last attempt succeeded (or none has run yet).
    Fine,
    Failing,
    NotConnected,
}

impl SyncFilter {
    pub const ALL: [SyncFilter; 3] = [SyncFilter::Fine, SyncFilter::Failing, SyncFilter::NotConnected];

    pub fn as_str(self) -> &'static str {
        match self {
            SyncFilter::Fine => "fine",
            SyncFilter::Failing => "failing",
            SyncFilter::NotConnected => "none",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SyncFilter::Fine => "Syncing",
            SyncFilter::Failing => "Sync failing",
            SyncFilter::NotConnected => "Not connected",
        }
    }

    fn parse(s: &str) -> Option<SyncFilter> {
        SyncFilter::ALL.into_iter().find(|f| f.as_str().eq_ignore_ascii_case(s))
    }
}

/// The portfolio's columns it can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PortfolioSort {
    #[default]
    Name,
    Industry,
    Seats,
    Points,
    Score,
    /// The 7-day change.
    Week,
    /// The 30-day change.
    Change,
    Zone,
    Sync,
}

impl PortfolioSort {
    pub const ALL: [PortfolioSort; 9] = [
        PortfolioSort::Name,
        PortfolioSort::Industry,
        PortfolioSort::Seats,
        PortfolioSort::Points,
        PortfolioSort::Score,
        PortfolioSort::Week,
        PortfolioSort::Change,
        PortfolioSort::Zone,
        PortfolioSort::Sync,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PortfolioSort::Name => "name",
            PortfolioSort::Industry => "industry",
            PortfolioSort::Seats => "seats",
            PortfolioSort::Points => "points",
            PortfolioSort::Score => "score",
            PortfolioSort::Week => "week",
            PortfolioSort::Change => "change",
            PortfolioSort::Zone => "zone",
            PortfolioSort::Sync => "sync",
        }
    }

    fn parse(s: &str) -> Option<PortfolioSort> {
        PortfolioSort::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s))
    }

    /// Words A→Z first; numbers (and zones, worst first being the useful end) highest first.
    pub fn descending_by_default(self) -> bool {
        !matches!(self, PortfolioSort::Name | PortfolioSort::Industry | PortfolioSort::Sync)
    }
}

/// Everything that shapes the portfolio. Server functions take it as one flattened
/// argument, so a form or a link sends its URL words as they are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "QueryWords", into = "QueryWords")]
pub struct PortfolioQuery {
    /// Part of a tenant's name, any case; matched as text.
    pub q: String,
    /// One of [`ZONES`].
    pub zone: Option<String>,
    /// Kept as given; one no tenant of the portfolio has is ignored once the list is known.
    pub industry: Option<String>,
    /// An index into [`SEAT_BUCKETS`].
    pub seats: Option<u8>,
    /// Score range in whole percent, both ends included.
    pub min: Option<u32>,
    pub max: Option<u32>,
    /// Only tenants that lost points through measurements in the last 7 days.
    pub regressed: bool,
    pub sync: Option<SyncFilter>,
    pub sort: PortfolioSort,
    pub desc: bool,
    /// 1-based.
    pub page: u32,
    /// Values given that are not one of their filter's choices: left out, and named.
    pub ignored: Vec<(String, String)>,
}

/// The keys of the query, in the order links write them.
const KEYS: [&str; 11] =
    ["q", "zone", "industry", "seats", "min", "max", "regressed", "sync", "sort", "dir", "page"];

/// A [`PortfolioQuery`] as its URL words, as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct QueryWords {
    #[serde(skip_serializing_if = "Option::is_none")]
    q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    industry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seats: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    regressed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sync: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl QueryWords {
    fn get(&self, key: &str) -> Option<String> {
        let mut copy = self.clone();
        copy.slot(key).and_then(|v| v.take())
    }

    fn slot(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "q" => &mut self.q,
            "zone" => &mut self.zone,
            "industry" => &mut self.industry,
            "seats" => &mut self.seats,
            "min" => &mut self.min,
            "max" => &mut self.max,
            "regressed" => &mut self.regressed,
            "sync" => &mut self.sync,
            "sort" => &mut self.sort,
            "dir" => &mut self.dir,
            "page" => &mut self.page,
            _ => return None,
        })
    }
}

impl From<QueryWords> for PortfolioQuery {
    fn from(w: QueryWords) -> PortfolioQuery {
        PortfolioQuery::from_lookup(|k| w.get(k))
    }
}

impl From<PortfolioQuery> for QueryWords {
    fn from(q: PortfolioQuery) -> QueryWords {
        let mut w = QueryWords::default();
        for (k, v) in q.pairs() {
            if let Some(slot) = w.slot(k) {
                *slot = Some(v);
            }
        }
        w
    }
}

fn clean(value: Option<String>, max_chars: usize) -> Option<String> {
    let v: String = value?.trim().chars().filter(|c| !c.is_control()).take(max_chars).collect();
    (!v.is_empty()).then_some(v)
}

/// A seat bucket as the URL writes it: `11-50`, `10001+`.
pub fn seats_key(bucket: u8) -> String {
    match SEAT_BUCKETS.get(usize::from(bucket)) {
        Some((lo, u32::MAX)) => format!("{lo}+"),
        Some((lo, hi)) => format!("{lo}-{hi}"),
        None => String::new(),
    }
}

/// A seat bucket as the page names it: `11–50`, `10,001+`.
pub fn seats_label(bucket: u8) -> String {
    seat_bucket_label(usize::from(bucket))
}

fn parse_seats(s: &str) -> Option<u8> {
    (0..SEAT_BUCKETS.len()).filter_map(|i| u8::try_from(i).ok()).find(|b| seats_key(*b) == s)
}

fn parse_percent(s: &str) -> Option<u32> {
    s.parse::<u32>().ok().filter(|p| *p <= 100)
}

impl PortfolioQuery {
    /// Reads the query through a lookup of its values (a Leptos `ParamsMap`, an axum map …).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> PortfolioQuery {
        let word = |k: &str| clean(get(k), MAX_VALUE_CHARS);
        let mut ignored = Vec::new();
        let mut choice = |key: &'static str, parsed: &dyn Fn(&str) -> bool| -> Option<String> {
            let v = word(key)?;
            if parsed(&v) {
                Some(v)
            } else {
                ignored.push((key.to_owned(), v));
                None
            }
        };
        let zone = choice("zone", &|v| ZONES.iter().any(|z| z.eq_ignore_ascii_case(v)))
            .map(|v| v.to_ascii_lowercase());
        let seats = choice("seats", &|v| parse_seats(v).is_some()).and_then(|v| parse_seats(&v));
        let min = choice("min", &|v| parse_percent(v).is_some()).and_then(|v| parse_percent(&v));
        let max = choice("max", &|v| parse_percent(v).is_some()).and_then(|v| parse_percent(&v));
        let regressed = choice("regressed", &|v| v.eq_ignore_ascii_case("7d")).is_some();
        let sync = choice("sync", &|v| SyncFilter::parse(v).is_some()).and_then(|v| SyncFilter::parse(&v));
        let sort =
            choice("sort", &|v| PortfolioSort::parse(v).is_some()).and_then(|v| PortfolioSort::parse(&v));
        let dir = choice("dir", &|v| v.eq_ignore_ascii_case("asc") || v.eq_ignore_ascii_case("desc"));
        let sort = sort.unwrap_or_default();
        PortfolioQuery {
            q: clean(get("q"), MAX_SEARCH_CHARS).unwrap_or_default(),
            zone,
            industry: word("industry"),
            seats,
            min,
            max,
            regressed,
            sync,
            sort,
            desc: dir.map_or(sort.descending_by_default(), |d| d.eq_ignore_ascii_case("desc")),
            page: word("page").and_then(|p| p.parse::<u32>().ok()).filter(|p| *p > 0).unwrap_or(1),
            ignored,
        }
    }

    /// The query's non-default values as `key=value` pairs, in a fixed order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut p: Vec<(&'static str, String)> = Vec::new();
        let mut put = |k: &'static str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                p.push((k, v));
            }
        };
        put(KEYS[0], Some(self.q.clone()));
        put(KEYS[1], self.zone.clone());
        put(KEYS[2], self.industry.clone());
        put(KEYS[3], self.seats.map(seats_key));
        put(KEYS[4], self.min.map(|m| m.to_string()));
        put(KEYS[5], self.max.map(|m| m.to_string()));
        put(KEYS[6], self.regressed.then(|| "7d".to_owned()));
        put(KEYS[7], self.sync.map(|s| s.as_str().to_owned()));
        put(KEYS[8], (self.sort != PortfolioSort::default()).then(|| self.sort.as_str().to_owned()));
        let dir = if self.desc { "desc" } else { "asc" };
        put(KEYS[9], (self.desc != self.sort.descending_by_default()).then(|| dir.to_owned()));
        put(KEYS[10], (self.page > 1).then(|| self.page.to_string()));
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
    pub fn on_page(&self, page: u32) -> PortfolioQuery {
        PortfolioQuery { page, ..self.clone() }
    }

    /// The same filters ordered by `sort`, from the first page: the column's own direction,
    /// or the other one when the view is already ordered by it.
    pub fn sorted_by(&self, sort: PortfolioSort) -> PortfolioQuery {
        let desc = if self.sort == sort { !self.desc } else { sort.descending_by_default() };
        PortfolioQuery { sort, desc, page: 1, ..self.clone() }
    }

    /// Whether any filter or search narrows the list.
    pub fn is_filtered(&self) -> bool {
        !self.q.is_empty()
            || self.zone.is_some()
            || self.industry.is_some()
            || self.seats.is_some()
            || self.min.is_some()
            || self.max.is_some()
            || self.regressed
            || self.sync.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> PortfolioQuery {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        PortfolioQuery::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn every_filter_reads_back_from_the_link_it_writes() {
        let q = read(&[
            ("q", "Fabrikam & <Co>"),
            ("zone", "Okay"),
            ("industry", "Retail"),
            ("seats", "51-100"),
            ("min", "20"),
            ("max", "80"),
            ("regressed", "7d"),
            ("sync", "failing"),
            ("sort", "week"),
            ("dir", "asc"),
            ("page", "3"),
        ]);
        assert!(q.ignored.is_empty(), "{:?}", q.ignored);
        assert_eq!(q.zone.as_deref(), Some("okay"));
        assert_eq!(q.seats, Some(2));
        assert_eq!((q.min, q.max), (Some(20), Some(80)));
        assert!(q.regressed && !q.desc);
        assert_eq!(q.to_search(), "?q=Fabrikam%20%26%20%3CCo%3E&zone=okay&industry=Retail&seats=51-100&min=20&max=80&regressed=7d&sync=failing&sort=week&dir=asc&page=3");
        let map: HashMap<String, String> = q.pairs().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        assert_eq!(PortfolioQuery::from_lookup(|k| map.get(k).cloned()), q);
    }

    #[test]
    fn values_that_are_no_choice_are_named_and_left_out() {
        let q = read(&[
            ("zone", "purple"),
            ("seats", "7"),
            ("min", "101"),
            ("sort", "nope"),
            ("regressed", "yes"),
        ]);
        assert_eq!(q, PortfolioQuery { ignored: q.ignored.clone(), ..read(&[]) });
        let names: Vec<&str> = q.ignored.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["zone", "seats", "min", "regressed", "sort"]);
        assert_eq!(q.ignored[0].1, "purple");
        assert_eq!(read(&[]).to_search(), "");
    }

    #[test]
    fn a_column_header_first_sorts_its_own_way_then_flips() {
        let q = read(&[]);
        assert!(!q.desc);
        let by_score = q.sorted_by(PortfolioSort::Score);
        assert!(by_score.desc);
        assert_eq!(by_score.to_search(), "?sort=score");
        let flipped = by_score.sorted_by(PortfolioSort::Score);
        assert_eq!(flipped.to_search(), "?sort=score&dir=asc");
        assert_eq!(q.on_page(4).sorted_by(PortfolioSort::Name).to_search(), "?dir=desc");
    }

    #[test]
    fn seat_buckets_have_one_key_each() {
        for b in 0..u8::try_from(SEAT_BUCKETS.len()).unwrap_or(0) {
            assert_eq!(parse_seats(&seats_key(b)), Some(b));
        }
        assert_eq!(seats_key(7), "10001+");
    }
}
