//! The users, devices and resources behind an action: the failing ones listed in the flyout
//! (searched and paged through the URL, `entity_q` and `entity_page`, so it works as plain
//! links and forms), the sources of its value, and what each day's measurement changed.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Failing entities per page of the flyout.
pub const ENTITIES_PER_PAGE: usize = 25;

/// Which page of the failing entities, and the search within them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntityQuery {
    pub q: String,
    /// 1-based.
    pub page: usize,
}

impl EntityQuery {
    /// From the URL's `entity_q` and `entity_page`; a page that is not a number is the first.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> EntityQuery {
        EntityQuery {
            q: get("entity_q").map(|q| q.trim().to_owned()).unwrap_or_default(),
            page: get("entity_page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
        }
    }
}

/// One failing entity as the flyout lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityLine {
    pub kind: String,
    pub id: String,
    pub display_name: String,
    /// `YYYY-MM-DD`: failing since.
    pub since: String,
}

/// The flyout's page of failing entities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityList {
    /// Every entity the action's measurements name, and how many of them fail.
    pub total: usize,
    pub failing: usize,
    pub query: EntityQuery,
    /// Failing entities the search matches.
    pub matching: usize,
    pub pages: usize,
    pub shown: Vec<EntityLine>,
}

/// Where the action's value comes from, and who says otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLines {
    /// "Prowler, observed 2026-12-01 06:00 UTC"
    pub current: Option<String>,
    /// "Maester says 3 of 10 users (observed 2026-11-30 06:00 UTC)", for each source whose
    /// latest word differs from the value in effect.
    pub disagreeing: Vec<String>,
}

#[cfg(feature = "ssr")]
pub use server_side::*;

#[cfg(feature = "ssr")]
mod server_side {
    use super::*;
    use score::{Entity, ImprovementAction};
    use store::{EntityChange, EntityRecord, EntityState, SourceMeasurement};

    /// Names a history line spells out before "and N more".
    const NAMED_IN_HISTORY: usize = 3;

    /// Whether the search matches an entity: its name, id or kind, ignoring case, as text
    /// (no pattern syntax).
    fn matches(e: &Entity, words: &[String]) -> bool {
        let hay = format!("{}\n{}\n{}", e.display_name, e.id, e.kind).to_lowercase();
        words.iter().all(|w| hay.contains(w.as_str()))
    }

    pub fn entity_list(records: &[EntityRecord], query: EntityQuery) -> EntityList {
        let words: Vec<String> = query.q.to_lowercase().split_whitespace().map(str::to_owned).collect();
        let failing: Vec<&EntityRecord> = records.iter().filter(|r| !r.entity.passes).collect();
        let found: Vec<&&EntityRecord> = failing.iter().filter(|r| matches(&r.entity, &words)).collect();
        let pages = found.len().div_ceil(ENTITIES_PER_PAGE).max(1);
        let page = query.page.clamp(1, pages);
        let shown = found
            .iter()
            .skip((page - 1) * ENTITIES_PER_PAGE)
            .take(ENTITIES_PER_PAGE)
            .map(|r| EntityLine {
                kind: r.entity.kind.key().to_owned(),
                id: r.entity.id.clone(),
                display_name: r.entity.display_name.clone(),
                since: r.since.format("%Y-%m-%d").to_string(),
            })
            .collect();
        EntityList {
            total: records.len(),
            failing: failing.len(),
            matching: found.len(),
            pages,
            query: EntityQuery { page, ..query },
            shown,
        }
    }

    /// The source of the value in effect (the newest observation) and the sources whose
    /// latest word differs from it.
    pub fn source_lines(action: &ImprovementAction, said: &[SourceMeasurement]) -> SourceLines {
        let when = |s: &SourceMeasurement| s.measurement.observed_at.format("%Y-%m-%d %H:%M UTC").to_string();
        let Some(newest) = said.iter().max_by_key(|s| s.measurement.observed_at) else {
            return SourceLines::default();
        };
        let value = |s: &SourceMeasurement| (s.measurement.count, s.measurement.total);
        let disagreeing = said
            .iter()
            .filter(|s| s.source != newest.source && value(s) != value(newest))
            .map(|s| {
                let wording = service::measurement::wording(action.unit(), &s.measurement);
                format!("{} says {wording} (observed {})", s.source.label(), when(s))
            })
            .collect();
        SourceLines {
            current: Some(format!("{}, observed {}", newest.source.label(), when(newest))),
            disagreeing,
        }
    }

    /// One day's changes in words: "+3 failing: alice, bob, carol and 2 more · 1 passing:
    /// dave · 1 no longer listed: erin".
    pub fn day_of_changes(changes: &[&EntityChange]) -> String {
        let part = |state: EntityState, head: &str, tail: &str| {
            let names: Vec<&str> =
                changes.iter().filter(|c| c.state == state).map(|c| c.display_name.as_str()).collect();
            if names.is_empty() {
                return None;
            }
            let mut listed = names.iter().take(NAMED_IN_HISTORY).copied().collect::<Vec<_>>().join(", ");
            if names.len() > NAMED_IN_HISTORY {
                listed.push_str(&format!(" and {} more", names.len() - NAMED_IN_HISTORY));
            }
            Some(format!("{head}{} {tail}: {listed}", names.len()))
        };
        [
            part(EntityState::Failing, "+", "failing"),
            part(EntityState::Passing, "", "passing"),
            part(EntityState::Gone, "", "no longer listed"),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use chrono::{NaiveDate, TimeZone, Utc};
        use score::{Category, EntityKind, Measurement, MeasurementSource};

        fn record(name: &str, passes: bool) -> EntityRecord {
            EntityRecord {
                entity: Entity {
                    id: format!("{name}@contoso.example"),
                    display_name: name.into(),
                    kind: EntityKind::User,
                    passes,
                },
                since: NaiveDate::from_ymd_opt(2026, 11, 1).expect("a day"),
            }
        }

        #[test]
        fn the_list_pages_through_failing_entities_that_match_literally() {
            let mut records: Vec<EntityRecord> =
                (0..60).map(|i| record(&format!("user{i:02}"), false)).collect();
            records.push(record("passing-one", true));
            records.push(record("a.b*c", false));
            let all = entity_list(&records, EntityQuery { q: String::new(), page: 3 });
            assert_eq!((all.total, all.failing, all.matching, all.pages), (62, 61, 61, 3));
            assert_eq!(all.shown.len(), 61 - 2 * ENTITIES_PER_PAGE);
            // A page past the end shows the last one.
            assert_eq!(entity_list(&records, EntityQuery { q: String::new(), page: 9 }).query.page, 3);
            let star = entity_list(&records, EntityQuery { q: "B*C".into(), page: 1 });
            assert_eq!(star.shown.iter().map(|l| l.display_name.as_str()).collect::<Vec<_>>(), ["a.b*c"]);
            let none = entity_list(&records, EntityQuery { q: "passing".into(), page: 1 });
            assert_eq!((none.matching, none.pages), (0, 1));
        }

        #[test]
        fn the_newest_source_speaks_and_disagreeing_ones_are_named() {
            let action =
                ImprovementAction::new("A", "A", Category::Identity, "Entra ID", 10).scored_by(Some("users"));
            let at = |h: u32| Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).single().expect("a time");
            let said = |source, count, h| SourceMeasurement {
                source,
                measurement: Measurement::partial(count, 10, at(h)),
                recorded_at: at(h),
            };
            let lines = source_lines(
                &action,
                &[
                    said(MeasurementSource::Maester, 3, 5),
                    said(MeasurementSource::Prowler, 7, 6),
                    said(MeasurementSource::GraphSync, 7, 4),
                ],
            );
            assert_eq!(lines.current.as_deref(), Some("Prowler, observed 2026-12-01 06:00 UTC"));
            assert_eq!(lines.disagreeing, ["Maester says 3 of 10 users (observed 2026-12-01 05:00 UTC)"]);
        }

        #[test]
        fn a_day_of_changes_reads_as_one_line() {
            let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a day");
            let change = |name: &str, state| EntityChange {
                day,
                kind: EntityKind::User,
                id: name.into(),
                display_name: name.into(),
                state,
            };
            let changes = [
                change("alice", EntityState::Failing),
                change("bob", EntityState::Failing),
                change("carol", EntityState::Failing),
                change("dave", EntityState::Failing),
                change("erin", EntityState::Passing),
                change("frank", EntityState::Gone),
            ];
            let refs: Vec<&EntityChange> = changes.iter().collect();
            assert_eq!(
                day_of_changes(&refs),
                "+4 failing: alice, bob, carol and 1 more · 1 passing: erin · 1 no longer listed: frank"
            );
        }
    }
}

/// The query of the page the flyout is on, without the entity search and page and without
/// the outcome of the last post: what the entity search form and page links keep.
fn kept_query(query: &leptos_router::params::ParamsMap) -> Vec<(String, String)> {
    const DROPPED: [&str; 6] = ["entity_q", "entity_page", "saved", "error", "done", "restored"];
    query
        .latest_values()
        .filter(|(k, _)| !DROPPED.contains(&k.as_ref()))
        .map(|(k, v)| (k.to_string(), v.to_owned()))
        .collect()
}

fn page_link(path: &str, kept: &[(String, String)], q: &str, page: usize) -> String {
    let mut pairs: Vec<(&str, String)> = kept.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    if !q.is_empty() {
        pairs.push(("entity_q", q.to_owned()));
    }
    pairs.push(("entity_page", page.to_string()));
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", super::query::encode(k), super::query::encode(v)))
        .collect();
    format!("{path}?{}#action-entities", query.join("&"))
}

/// The failing entities of the open action: a search, a page of them, links to the pages
/// around it and the CSV of them all.
#[component]
pub fn EntitiesSection(
    list: EntityList,
    tenant_id: String,
    action_id: String,
    path: String,
) -> impl IntoView {
    let kept = kept_query(&leptos_router::hooks::use_query_map().read_untracked());
    let csv = format!("/tenants/{tenant_id}/actions/{}/entities.csv", super::query::encode(&action_id));
    let body = if list.total == 0 {
        view! {
            <p class="empty" id="entities-none">
                "No measurement has named the users, devices or resources behind this action yet."
            </p>
        }
        .into_any()
    } else {
        let q = list.query.q.clone();
        let page = list.query.page;
        let prev = (page > 1).then(|| page_link(&path, &kept, &q, page - 1));
        let next = (page < list.pages).then(|| page_link(&path, &kept, &q, page + 1));
        let table = if list.shown.is_empty() {
            let words = if q.is_empty() {
                "None of them fails.".to_owned()
            } else {
                format!("No failing entity matches “{q}”.")
            };
            view! { <p class="empty" id="entities-empty">{words}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="list" id="entities-table">
                        <caption class="visually-hidden">"Failing users, devices and resources"</caption>
                        <thead><tr><th>"Name"</th><th>"Kind"</th><th>"Id"</th><th>"Failing since"</th></tr></thead>
                        <tbody>
                            {list.shown.iter().map(|e| view! {
                                <tr data-entity=e.id.clone()>
                                    <td>{e.display_name.clone()}</td><td>{e.kind.clone()}</td>
                                    <td class="entity-id">{e.id.clone()}</td><td>{e.since.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        };
        view! {
            <p id="entities-summary">
                <strong>{list.failing}</strong>
                {format!(" of {} failing", list.total)}
                {(!q.is_empty()).then(|| format!(" · {} match “{q}”", list.matching))}
            </p>
            <form method="get" action=path.clone() class="entity-search" role="search">
                {kept.iter().map(|(k, v)| view! { <input type="hidden" name=k.clone() value=v.clone()/> }).collect_view()}
                <label for="entity-q">"Search failing entities"</label>
                <input type="search" id="entity-q" name="entity_q" value=q.clone()/>
                <button type="submit">"Search"</button>
            </form>
            {table}
            <p class="pager" id="entities-pager">
                {prev.map(|href| view! { <a href=href rel="prev">"← Previous"</a> " " })}
                <span>{format!("Page {page} of {}", list.pages)}</span>
                {next.map(|href| view! { " " <a href=href rel="next">"Next →"</a> })}
                " · " <a href=csv id="entities-csv" data-reload="">"Download all as CSV"</a>
            </p>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="entities-heading" id="action-entities">
            <h3 id="entities-heading">"Affected users, devices and resources"</h3>
            {body}
        </section>
    }
}

/// Where the value in effect came from, and what other sources say.
#[component]
pub fn SourcesLine(sources: SourceLines) -> impl IntoView {
    sources.current.map(|current| {
        view! {
            <p class="subtle" id="action-source">{format!("Value from {current}")}</p>
            {(!sources.disagreeing.is_empty()).then(|| view! {
                <div class="notice" id="action-sources-disagree">
                    <p>"Sources disagree; the newest observation is the one counted:"</p>
                    <ul>{sources.disagreeing.iter().map(|s| view! { <li>{s.clone()}</li> }).collect_view()}</ul>
                </div>
            })}
        }
    })
}
