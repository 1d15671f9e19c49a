//! The list's view state as it lives in the URL query, so a copied link reproduces the view.
//! Unknown or malformed values are dropped rather than refused: a stale link still opens.

use score::{Category, Level, Status};

/// Longest search text kept; the rest of a pasted essay would never match anything anyway.
pub const MAX_SEARCH_CHARS: usize = 200;
/// Longest product or tag filter value kept.
const MAX_VALUE_CHARS: usize = 100;

/// Which statuses the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Everything but risk-accepted actions (SPEC §6: they leave the default list).
    #[default]
    Default,
    All,
    Completed,
    Set(Status),
}

impl StatusFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Default => "",
            StatusFilter::All => "All",
            StatusFilter::Completed => "Completed",
            StatusFilter::Set(s) => s.as_str(),
        }
    }

    pub fn parse(s: &str) -> StatusFilter {
        if s.eq_ignore_ascii_case("all") {
            StatusFilter::All
        } else if s.eq_ignore_ascii_case("completed") {
            StatusFilter::Completed
        } else {
            Status::parse(s).map_or(StatusFilter::Default, StatusFilter::Set)
        }
    }

    /// The choices offered in the filter form, with their labels.
    pub fn choices() -> Vec<(StatusFilter, &'static str)> {
        let mut v = vec![(StatusFilter::Default, "All but risk accepted"), (StatusFilter::All, "All")];
        v.push((StatusFilter::Completed, "Completed"));
        v.extend(Status::ALL.into_iter().map(|s| (StatusFilter::Set(s), s.label())));
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    #[default]
    None,
    Category,
    Product,
    Status,
    Tag,
}

impl GroupBy {
    pub const ALL: [GroupBy; 5] =
        [GroupBy::None, GroupBy::Category, GroupBy::Product, GroupBy::Status, GroupBy::Tag];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::None => "",
            GroupBy::Category => "category",
            GroupBy::Product => "product",
            GroupBy::Status => "status",
            GroupBy::Tag => "tag",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GroupBy::None => "No grouping",
            GroupBy::Category => "Category",
            GroupBy::Product => "Product",
            GroupBy::Status => "Status",
            GroupBy::Tag => "Tag",
        }
    }

    pub fn parse(s: &str) -> GroupBy {
        GroupBy::ALL
            .into_iter()
            .find(|g| !s.is_empty() && g.as_str().eq_ignore_ascii_case(s))
            .unwrap_or_default()
    }
}

/// The sortable columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Rank,
    Title,
    Points,
    Remaining,
    Status,
    Category,
    Product,
    Cost,
    Impact,
    LastChange,
}

impl SortKey {
    pub const ALL: [SortKey; 10] = [
        SortKey::Rank,
        SortKey::Title,
        SortKey::Points,
        SortKey::Remaining,
        SortKey::Status,
        SortKey::Category,
        SortKey::Product,
        SortKey::Cost,
        SortKey::Impact,
        SortKey::LastChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Rank => "rank",
            SortKey::Title => "title",
            SortKey::Points => "points",
            SortKey::Remaining => "remaining",
            SortKey::Status => "status",
            SortKey::Category => "category",
            SortKey::Product => "product",
            SortKey::Cost => "cost",
            SortKey::Impact => "impact",
            SortKey::LastChange => "last",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Rank => "Rank",
            SortKey::Title => "Title",
            SortKey::Points => "Points",
            SortKey::Remaining => "Points remaining",
            SortKey::Status => "Status",
            SortKey::Category => "Category",
            SortKey::Product => "Product",
            SortKey::Cost => "Cost",
            SortKey::Impact => "User impact",
            SortKey::LastChange => "Last change",
        }
    }

    pub fn parse(s: &str) -> SortKey {
        SortKey::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s)).unwrap_or_default()
    }
}

/// Points still to gain by doing the work (SPEC: resolved and risk-accepted actions have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RemainingFilter {
    #[default]
    Any,
    /// Nothing left to gain.
    None,
    /// At least this many whole points left.
    AtLeast(u32),
}

impl RemainingFilter {
    /// The choices the list offers (any other whole number also works in a URL).
    pub const CHOICES: [RemainingFilter; 5] = [
        RemainingFilter::Any,
        RemainingFilter::AtLeast(1),
        RemainingFilter::AtLeast(3),
        RemainingFilter::AtLeast(5),
        RemainingFilter::None,
    ];

    /// `none`, or a whole number of points 1–10; anything else is no filter.
    pub fn parse(s: &str) -> RemainingFilter {
        if s.eq_ignore_ascii_case("none") {
            return RemainingFilter::None;
        }
        match s.parse::<u32>() {
            Ok(n) if (1..=10).contains(&n) => RemainingFilter::AtLeast(n),
            _ => RemainingFilter::Any,
        }
    }

    pub fn as_str(self) -> String {
        match self {
            RemainingFilter::Any => String::new(),
            RemainingFilter::None => "none".into(),
            RemainingFilter::AtLeast(n) => n.to_string(),
        }
    }

    pub fn label(self) -> String {
        match self {
            RemainingFilter::Any => "Any".into(),
            RemainingFilter::None => "None left".into(),
            RemainingFilter::AtLeast(n) => format!("At least {n}"),
        }
    }

    pub fn matches(self, remaining: score::Points) -> bool {
        match self {
            RemainingFilter::Any => true,
            RemainingFilter::None => remaining == score::Points::ZERO,
            RemainingFilter::AtLeast(n) => remaining >= score::Points::whole(n),
        }
    }
}

/// Everything that shapes the list, plus the open action.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionQuery {
    /// Search over title, description and threats (case-insensitive).
    pub q: String,
    pub category: Option<Category>,
    pub product: Option<String>,
    pub status: StatusFilter,
    pub tag: Option<String>,
    pub cost: Option<Level>,
    pub impact: Option<Level>,
    pub remaining: RemainingFilter,
    pub group: GroupBy,
    pub sort: SortKey,
    /// Descending; the default is ascending (rank 1 first).
    pub desc: bool,
    /// The action open in the flyout.
    pub action: Option<String>,
    /// Values given for a filter, grouping or order that is not one of its choices (a
    /// hand-edited or outdated link): left out of the view, and named on the page.
    pub ignored: Vec<(&'static str, String)>,
}

fn clean(value: Option<String>, max_chars: usize) -> Option<String> {
    let v = value?;
    let v: String = v.trim().chars().filter(|c| !c.is_control()).take(max_chars).collect();
    (!v.is_empty()).then_some(v)
}

impl ActionQuery {
    /// Reads the query through a lookup of its values (a Leptos `ParamsMap`, an axum map …).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> ActionQuery {
        let word = |k: &str| clean(get(k), MAX_VALUE_CHARS);
        let mut query = ActionQuery::read(&get);
        // A value is ignored when it reads as the default without spelling the default.
        let not_a_choice = |k: &str, v: &str| match k {
            "category" => Category::parse(v).is_none(),
            "status" => StatusFilter::parse(v) == StatusFilter::Default,
            "cost" | "impact" => Level::parse(v).is_none(),
            "remaining" => RemainingFilter::parse(v) == RemainingFilter::Any,
            "group" => GroupBy::parse(v) == GroupBy::None,
            "sort" => SortKey::parse(v) == SortKey::Rank && !v.eq_ignore_ascii_case(SortKey::Rank.as_str()),
            _ => !v.eq_ignore_ascii_case("asc") && !v.eq_ignore_ascii_case("desc"),
        };
        query.ignored = ["category", "status", "cost", "impact", "remaining", "group", "sort", "dir"]
            .into_iter()
            .filter_map(|k| word(k).map(|v| (k, v)))
            .filter(|(k, v)| not_a_choice(k, v))
            .collect();
        query
    }

    fn read(get: &impl Fn(&str) -> Option<String>) -> ActionQuery {
        let word = |k: &str| clean(get(k), MAX_VALUE_CHARS);
        ActionQuery {
            q: clean(get("q"), MAX_SEARCH_CHARS).unwrap_or_default(),
            category: word("category").and_then(|c| Category::parse(&c)),
            product: word("product"),
            status: word("status").map_or(StatusFilter::Default, |s| StatusFilter::parse(&s)),
            tag: word("tag"),
            cost: word("cost").and_then(|l| Level::parse(&l)),
            impact: word("impact").and_then(|l| Level::parse(&l)),
            remaining: word("remaining").map_or(RemainingFilter::Any, |r| RemainingFilter::parse(&r)),
            group: word("group").map_or(GroupBy::None, |g| GroupBy::parse(&g)),
            sort: word("sort").map_or(SortKey::Rank, |s| SortKey::parse(&s)),
            desc: word("dir").is_some_and(|d| d.eq_ignore_ascii_case("desc")),
            action: word("action")
                .filter(|a| a.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))),
            ignored: Vec::new(),
        }
    }

    /// The query's non-default values as `key=value` pairs, in a fixed order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut p: Vec<(&'static str, String)> = Vec::new();
        let mut put = |k: &'static str, v: &str| {
            if !v.is_empty() {
                p.push((k, v.to_owned()));
            }
        };
        put("q", &self.q);
        put("category", self.category.map_or("", Category::as_str));
        put("product", self.product.as_deref().unwrap_or_default());
        put("status", self.status.as_str());
        put("tag", self.tag.as_deref().unwrap_or_default());
        put("cost", self.cost.map_or("", Level::as_str));
        put("impact", self.impact.map_or("", Level::as_str));
        put("remaining", &self.remaining.as_str());
        put("group", self.group.as_str());
        if self.sort != SortKey::Rank {
            put("sort", self.sort.as_str());
        }
        if self.desc {
            put("dir", "desc");
        }
        put("action", self.action.as_deref().unwrap_or_default());
        p
    }

    /// `a=1&b=2` (no leading `?`), empty for the default view.
    pub fn to_query_string(&self) -> String {
        self.pairs().iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
    }

    /// `?a=1&b=2`, or empty.
    pub fn to_search(&self) -> String {
        let s = self.to_query_string();
        if s.is_empty() {
            s
        } else {
            format!("?{s}")
        }
    }

    /// The same view with another action open (or none).
    pub fn with_action(&self, action: Option<&str>) -> ActionQuery {
        ActionQuery { action: action.map(str::to_owned), ..self.clone() }
    }

    /// The same view sorted by `key`; a second click on the current column flips the order.
    pub fn sorted_by(&self, key: SortKey) -> ActionQuery {
        let desc = if self.sort == key { !self.desc } else { key.descending_first() };
        ActionQuery { sort: key, desc, action: None, ..self.clone() }
    }
}

impl SortKey {
    /// Numbers people want biggest first on a first click; names and rank read A→Z / 1→n.
    fn descending_first(self) -> bool {
        matches!(self, SortKey::Points | SortKey::Remaining | SortKey::LastChange)
    }
}

pub use service::url::encode;

#[cfg(test)]
mod tests;
