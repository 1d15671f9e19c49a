//! The list's search, filters, sort and grouping: one pure function over the rows, run by
//! the server-rendered list, its island in the browser and the CSV export alike.

use super::query::{ActionQuery, GroupBy, SortKey, StatusFilter};
use super::row::{status_order, ActionRow};
use score::{Category, EffectiveStatus, Points, Status};
use std::cmp::Ordering;

/// Rows sharing one group value, with their point sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionGroup {
    /// Empty when the list is not grouped.
    pub label: String,
    /// Points achieved and possible over the group's applicable actions.
    pub points: Points,
    pub max: Points,
    pub rows: Vec<ActionRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionView {
    pub groups: Vec<ActionGroup>,
    /// Distinct actions shown (an action with two tags shows twice when grouped by tag).
    pub shown: usize,
    pub total: usize,
}

impl ActionView {
    /// The shown actions in page order, each once: what the CSV export writes.
    pub fn rows_in_order(&self) -> Vec<&ActionRow> {
        let mut seen = std::collections::HashSet::new();
        self.groups.iter().flat_map(|g| &g.rows).filter(|r| seen.insert(r.id.as_str())).collect()
    }
}

/// What a search looks through for one row, lower-cased once: title, description, threats
/// and id, a line each. A search word never holds a line break, so it is found in the text
/// exactly when it is found in one of them.
pub fn haystack(row: &ActionRow) -> String {
    let mut text = format!("{}\n{}\n{}", row.title, row.description, row.id);
    for t in &row.threats {
        text.push('\n');
        text.push_str(t);
    }
    text.to_lowercase()
}

/// The words of a search, lower-cased: a row must hold every one.
pub fn search_words(q: &str) -> Vec<String> {
    q.split_whitespace().map(str::to_lowercase).collect()
}

/// Whether a row's [`haystack`] holds every word, each matched as plain text.
pub fn found(haystack: &str, words: &[String]) -> bool {
    words.iter().all(|w| haystack.contains(w.as_str()))
}

fn matches_status(row: &ActionRow, f: StatusFilter) -> bool {
    match f {
        StatusFilter::Default => row.effective != EffectiveStatus::Set(Status::RiskAccepted),
        StatusFilter::All => true,
        StatusFilter::Completed => row.effective == EffectiveStatus::Completed,
        StatusFilter::Set(s) => row.effective == EffectiveStatus::Set(s),
    }
}

/// Whether a row passes every filter but the search.
pub fn passes_filters(row: &ActionRow, q: &ActionQuery) -> bool {
    matches_status(row, q.status)
        && q.category.is_none_or(|c| row.category == c)
        && q.product.as_ref().is_none_or(|p| row.product.eq_ignore_ascii_case(p))
        && q.tag.as_ref().is_none_or(|t| row.tags.iter().any(|x| x.eq_ignore_ascii_case(t)))
        && q.cost.is_none_or(|c| row.cost == c)
        && q.impact.is_none_or(|i| row.impact == i)
        && q.remaining.matches(row.remaining)
}

/// The column order alone, ascending.
fn by_key(a: &ActionRow, b: &ActionRow, key: SortKey) -> Ordering {
    match key {
        // Unranked (not applicable) actions go last whichever way the rank is sorted.
        SortKey::Rank => Ordering::Equal,
        SortKey::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
        SortKey::Points => a.points.cmp(&b.points).then_with(|| a.max.cmp(&b.max)),
        SortKey::Remaining => a.remaining.cmp(&b.remaining),
        SortKey::Status => status_order(a.effective).cmp(&status_order(b.effective)),
        SortKey::Category => a.category.cmp(&b.category),
        SortKey::Product => a.product.to_lowercase().cmp(&b.product.to_lowercase()),
        SortKey::Cost => a.cost.cmp(&b.cost),
        SortKey::Impact => a.impact.cmp(&b.impact),
        SortKey::LastChange => a.last_change.cmp(&b.last_change),
    }
}

fn compare(a: &ActionRow, b: &ActionRow, q: &ActionQuery) -> Ordering {
    let primary = by_key(a, b, q.sort);
    let primary = if q.desc { primary.reverse() } else { primary };
    let rank = match (a.rank, b.rank) {
        (Some(x), Some(y)) if q.sort == SortKey::Rank && q.desc => y.cmp(&x),
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    primary.then(rank).then_with(|| a.id.cmp(&b.id))
}

/// Group values of one row, each as (order key, label); a row without tags groups under "No tag".
fn group_values(row: &ActionRow, g: GroupBy) -> Vec<(String, String)> {
    match g {
        GroupBy::None => vec![(String::new(), String::new())],
        GroupBy::Category => {
            let i = Category::ALL.iter().position(|c| *c == row.category).unwrap_or(0);
            vec![(format!("{i}"), row.category.as_str().to_owned())]
        }
        GroupBy::Product => vec![(row.product.to_lowercase(), row.product.clone())],
        GroupBy::Status => {
            vec![(format!("{}", status_order(row.effective)), row.effective.label().to_owned())]
        }
        GroupBy::Tag if row.tags.is_empty() => vec![("\u{10FFFF}".to_owned(), "No tag".to_owned())],
        GroupBy::Tag => row.tags.iter().map(|t| (t.to_lowercase(), t.clone())).collect(),
    }
}

/// Filters, sorts and groups the rows as the query says.
pub fn apply(rows: &[ActionRow], q: &ActionQuery) -> ActionView {
    let words = search_words(&q.q);
    let picked: Vec<usize> = (0..rows.len())
        .filter(|&i| passes_filters(&rows[i], q) && found(&haystack(&rows[i]), &words))
        .collect();
    let groups = arrange(rows, &picked, q)
        .into_iter()
        .map(|g| {
            let (points, max) = sums(rows, g.members.iter().copied());
            ActionGroup {
                label: g.label,
                points,
                max,
                rows: g.members.iter().map(|&i| rows[i].clone()).collect(),
            }
        })
        .collect();
    ActionView { groups, shown: picked.len(), total: rows.len() }
}

/// One group of the list as positions in the rows, in page order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arranged {
    pub label: String,
    pub members: Vec<usize>,
}

/// The rows at `picked`, sorted and grouped as the query says (a row with two tags is in
/// two groups when grouped by tag).
pub fn arrange(rows: &[ActionRow], picked: &[usize], q: &ActionQuery) -> Vec<Arranged> {
    let mut order = picked.to_vec();
    order.sort_by(|&a, &b| compare(&rows[a], &rows[b], q));
    let mut groups: Vec<(String, Arranged)> = Vec::new();
    for i in order {
        for (key, label) in group_values(&rows[i], q.group) {
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, g)) => g.members.push(i),
                None => groups.push((key, Arranged { label, members: vec![i] })),
            }
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups.into_iter().map(|(_, g)| g).collect()
}

/// Points achieved and possible over the applicable rows among `members`.
pub fn sums(rows: &[ActionRow], members: impl Iterator<Item = usize>) -> (Points, Points) {
    members
        .map(|i| &rows[i])
        .filter(|r| r.applicable)
        .fold((Points::ZERO, Points::ZERO), |(p, m), r| (p + r.points, m + r.max))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use score::Level;

    fn row(id: &str, rank: Option<u32>, category: Category, status: Status, points: i64) -> ActionRow {
        ActionRow {
            rank,
            id: id.into(),
            title: format!("Title of {id}"),
            description: String::new(),
            threats: vec![],
            category,
            product: "Entra ID".into(),
            points: Points(points),
            max: Points(1000),
            remaining: Points(if status == Status::RiskAccepted { 0 } else { 1000 - points }),
            status,
            effective: EffectiveStatus::Set(status),
            cost: Level::Low,
            impact: Level::Low,
            tags: vec![],
            last_change: None,
            applicable: rank.is_some(),
            custom: false,
        }
    }

    fn sample() -> Vec<ActionRow> {
        let mut a = row("AdminMFAV2", Some(2), Category::Identity, Status::ToAddress, 0);
        a.title = "Require MFA for administrators".into();
        a.tags = vec!["mfa".into(), "admins".into()];
        a.last_change = NaiveDate::from_ymd_opt(2026, 1, 5);
        let mut b = row("BitLocker", Some(1), Category::Device, Status::Planned, 500);
        b.product = "Intune".into();
        b.description = "Encrypt disks so a stolen laptop leaks nothing".into();
        b.cost = Level::High;
        b.last_change = NaiveDate::from_ymd_opt(2026, 2, 1);
        let mut c = row("TeamsExternal", Some(4), Category::Apps, Status::RiskAccepted, 0);
        c.product = "Teams".into();
        c.threats = vec!["Data exfiltration".into()];
        c.tags = vec!["mfa".into()];
        let mut d = row("Completed", Some(3), Category::Identity, Status::ToAddress, 800);
        d.effective = EffectiveStatus::Completed;
        let e = row("NotApplicable", None, Category::Data, Status::ToAddress, 0);
        vec![a, b, c, d, e]
    }

    fn ids(v: &ActionView) -> Vec<&str> {
        v.groups.iter().flat_map(|g| &g.rows).map(|r| r.id.as_str()).collect()
    }

    fn query(f: impl FnOnce(&mut ActionQuery)) -> ActionQuery {
        let mut q = ActionQuery::default();
        f(&mut q);
        q
    }

    #[test]
    fn the_default_view_is_by_rank_without_risk_accepted_actions() {
        let v = apply(&sample(), &ActionQuery::default());
        assert_eq!(ids(&v), ["BitLocker", "AdminMFAV2", "Completed", "NotApplicable"]);
        assert_eq!((v.shown, v.total), (4, 5));
        assert_eq!(v.groups.len(), 1);
    }

    #[test]
    fn risk_accepted_actions_are_one_filter_away() {
        let v = apply(&sample(), &query(|q| q.status = StatusFilter::Set(Status::RiskAccepted)));
        assert_eq!(ids(&v), ["TeamsExternal"]);
        assert_eq!(apply(&sample(), &query(|q| q.status = StatusFilter::All)).shown, 5);
        let done = apply(&sample(), &query(|q| q.status = StatusFilter::Completed));
        assert_eq!(ids(&done), ["Completed"]);
        // A completed action is not listed under the status it was set to.
        let open = apply(&sample(), &query(|q| q.status = StatusFilter::Set(Status::ToAddress)));
        assert_eq!(ids(&open), ["AdminMFAV2", "NotApplicable"]);
    }

    #[test]
    fn search_matches_title_description_and_threats_case_insensitively_all_words() {
        let s = sample();
        let find = |text: &str| {
            ids(&apply(
                &s,
                &query(|q| {
                    q.q = text.into();
                    q.status = StatusFilter::All;
                }),
            ))
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
        };
        assert_eq!(find("mfa"), ["AdminMFAV2"]);
        assert_eq!(find("STOLEN laptop"), ["BitLocker"]);
        assert_eq!(find("exfiltration"), ["TeamsExternal"]);
        assert!(find("stolen mfa").is_empty(), "every word must match");
    }

    #[test]
    fn filters_combine() {
        let s = sample();
        let v = apply(&s, &query(|q| q.category = Some(Category::Identity)));
        assert_eq!(ids(&v), ["AdminMFAV2", "Completed"]);
        let v = apply(&s, &query(|q| q.product = Some("intune".into())));
        assert_eq!(ids(&v), ["BitLocker"]);
        let v = apply(
            &s,
            &query(|q| {
                q.tag = Some("MFA".into());
                q.status = StatusFilter::All;
            }),
        );
        assert_eq!(ids(&v), ["AdminMFAV2", "TeamsExternal"]);
        let v = apply(&s, &query(|q| q.cost = Some(Level::High)));
        assert_eq!(ids(&v), ["BitLocker"]);
        let v = apply(
            &s,
            &query(|q| {
                q.cost = Some(Level::Low);
                q.impact = Some(Level::High);
            }),
        );
        assert!(v.groups.is_empty() && v.shown == 0);
    }

    #[test]
    fn points_remaining_filters_by_what_is_left_to_gain() {
        use super::super::query::RemainingFilter;
        let s = sample();
        let v = apply(&s, &query(|q| q.remaining = RemainingFilter::AtLeast(5)));
        assert_eq!(ids(&v), ["BitLocker", "AdminMFAV2", "NotApplicable"], "5.00 left counts as at least 5");
        let v = apply(&s, &query(|q| q.remaining = RemainingFilter::AtLeast(6)));
        assert_eq!(ids(&v), ["AdminMFAV2", "NotApplicable"]);
        let v = apply(
            &s,
            &query(|q| {
                q.remaining = RemainingFilter::None;
                q.status = StatusFilter::All;
            }),
        );
        assert_eq!(ids(&v), ["TeamsExternal"], "a risk-accepted action has nothing left to gain");

        // In the URL: a whole number of points 1–10 or `none`; anything else is no filter.
        let read = |v: &str| ActionQuery::from_lookup(|k| (k == "remaining").then(|| v.to_owned())).remaining;
        assert_eq!(read("5"), RemainingFilter::AtLeast(5));
        assert_eq!(read("NONE"), RemainingFilter::None);
        for ignored in ["0", "11", "-1", "2.5", "<b>"] {
            assert_eq!(read(ignored), RemainingFilter::Any, "{ignored}");
        }
        let q = query(|q| q.remaining = RemainingFilter::AtLeast(3));
        assert_eq!(q.to_search(), "?remaining=3");
    }

    #[test]
    fn sorting_by_columns_keeps_rank_as_the_tie_breaker() {
        let s = sample();
        let v = apply(
            &s,
            &query(|q| {
                q.sort = SortKey::Points;
                q.desc = true;
            }),
        );
        assert_eq!(ids(&v), ["Completed", "BitLocker", "AdminMFAV2", "NotApplicable"]);
        let v = apply(&s, &query(|q| q.sort = SortKey::Title));
        assert_eq!(ids(&v), ["AdminMFAV2", "BitLocker", "Completed", "NotApplicable"]);
        let v = apply(
            &s,
            &query(|q| {
                q.sort = SortKey::LastChange;
                q.desc = true;
            }),
        );
        assert_eq!(ids(&v)[..2], ["BitLocker", "AdminMFAV2"]);
        // Descending rank still leaves unranked actions last.
        let v = apply(&s, &query(|q| q.desc = true));
        assert_eq!(ids(&v), ["Completed", "AdminMFAV2", "BitLocker", "NotApplicable"]);
    }

    #[test]
    fn grouping_sums_points_of_applicable_actions_per_group_in_a_stable_order() {
        let s = sample();
        let v = apply(
            &s,
            &query(|q| {
                q.group = GroupBy::Category;
                q.status = StatusFilter::All;
            }),
        );
        let labels: Vec<&str> = v.groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["Identity", "Data", "Device", "Apps"]);
        let identity = &v.groups[0];
        assert_eq!((identity.points, identity.max), (Points(800), Points(2000)));
        assert_eq!(v.groups[1].max, Points::ZERO, "not-applicable actions add no maximum");
        let by_status = apply(&s, &query(|q| q.group = GroupBy::Status));
        let labels: Vec<&str> = by_status.groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["To address", "Planned", "Completed"]);
        let by_product = apply(&s, &query(|q| q.group = GroupBy::Product));
        assert_eq!(
            by_product.groups.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(),
            ["Entra ID", "Intune"]
        );
    }

    #[test]
    fn grouping_by_tag_lists_an_action_under_each_tag_but_exports_it_once() {
        let v = apply(&sample(), &query(|q| q.group = GroupBy::Tag));
        let labels: Vec<&str> = v.groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["admins", "mfa", "No tag"]);
        assert_eq!(v.shown, 4);
        assert_eq!(v.rows_in_order().len(), 4);
    }
}
