//! The History page, its server function and its CSV export over real HTTP requests
//! against the demo data (Contoso: 181 daily snapshots ending today).

use crate::common::{demo_server, TestServer};
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use score::{Category, Status};
use server::demo::{CONTOSO_ID, DEMO_PASSWORD, HISTORY_DAYS};
use std::collections::{BTreeSet, HashMap};

const PAGE: &str = "/tenants/c0a7e5f0-0000-4000-8000-000000000001/history";
const CSV: &str = "/tenants/c0a7e5f0-0000-4000-8000-000000000001/history.csv";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The demo's first snapshot: the starting point, not a day of events.
fn first_day() -> NaiveDate {
    today() - Duration::days(i64::from(HISTORY_DAYS))
}

/// One row of the events table, from its data attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    day: NaiveDate,
    action: String,
    category: String,
    kind: String,
    delta: i64,
}

fn attr(tag: &str, name: &str) -> String {
    let key = format!("{name}=\"");
    let start = tag.find(&key).unwrap_or_else(|| panic!("{name} in {tag}")) + key.len();
    let len = tag[start..].find('"').expect("closing quote");
    tag[start..start + len].to_owned()
}

fn rows(html: &str) -> Vec<Row> {
    html.match_indices("<tr data-day=")
        .map(|(i, _)| {
            let tag = &html[i..i + html[i..].find('>').expect("tag end")];
            Row {
                day: attr(tag, "data-day").parse().expect("day"),
                action: attr(tag, "data-action"),
                category: attr(tag, "data-category"),
                kind: attr(tag, "data-kind"),
                delta: attr(tag, "data-delta").parse().expect("delta"),
            }
        })
        .collect()
}

/// (total events, page, pages) as the list summary states them.
fn count(html: &str) -> (u32, u32, u32) {
    let i = html.find("<span id=\"history-count\"").expect("event count");
    let tag = &html[i..i + html[i..].find('>').expect("tag end")];
    let n = |k| attr(tag, k).parse::<u32>().expect("number");
    (n("data-total"), n("data-page"), n("data-pages"))
}

/// Rows of the chart's data table (the events table's rows carry data attributes).
fn chart_days(html: &str) -> usize {
    html.matches("<tr><td>").count()
}

async fn reader(s: &TestServer) -> String {
    s.sign_in("reader@contoso.example", DEMO_PASSWORD).await
}

/// The events the store holds for Contoso in `[from, to]`, without the starting point.
async fn stored_events(
    s: &TestServer,
    from: NaiveDate,
    to: NaiveDate,
    category: Option<Category>,
) -> Vec<(NaiveDate, String)> {
    let categories: HashMap<&str, Category> =
        s.state.catalog.iter().map(|a| (a.id.as_str(), a.category)).collect();
    s.state
        .store
        .action_changes(CONTOSO_ID, from, to)
        .await
        .expect("changes")
        .into_iter()
        .filter(|c| c.day != first_day())
        .filter(|c| category.is_none_or(|cat| categories.get(c.change.id.as_str()) == Some(&cat)))
        .map(|c| (c.day, c.change.id))
        .collect()
}

fn as_set(v: impl IntoIterator<Item = (NaiveDate, String)>) -> BTreeSet<(NaiveDate, String)> {
    v.into_iter().collect()
}

/// Every row of every page of a query.
async fn all_pages(s: &TestServer, cookie: &str, query: &str) -> Vec<Row> {
    let first = s.get(&format!("{PAGE}?{query}"), Some(cookie)).await;
    assert_eq!(first.status, StatusCode::OK, "{query}");
    let (_, _, pages) = count(&first.body);
    let mut out = rows(&first.body);
    for p in 2..=pages {
        let r = s.get(&format!("{PAGE}?{query}&page={p}"), Some(cookie)).await;
        assert_eq!(count(&r.body).1, p);
        out.extend(rows(&r.body));
    }
    out
}

#[tokio::test]
async fn presets_and_custom_ranges_change_the_chart_and_the_list() {
    let s = demo_server().await;
    let cookie = reader(&s).await;
    let today = today();
    for (query, days) in [("", 30), ("range=7d", 7), ("range=90d", 90), ("range=1y", 181), ("range=all", 181)]
    {
        let r = s.get(&format!("{PAGE}?{query}"), Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{query}");
        assert_eq!(chart_days(&r.body), days, "chart days for `{query}`");
        let from = (today - Duration::days(days as i64 - 1)).max(first_day());
        let expected = stored_events(&s, from, today, None).await;
        assert_eq!(count(&r.body).0 as usize, expected.len(), "events for `{query}`");
        assert!(rows(&r.body).iter().all(|e| e.day >= from && e.day <= today), "{query}");
    }
    let from = today - Duration::days(20);
    let to = today - Duration::days(10);
    let r = s.get(&format!("{PAGE}?from={from}&to={to}"), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(chart_days(&r.body), 11);
    assert!(r.body.contains(&format!("<strong id=\"history-from-day\">{from}</strong>")));
    let shown = rows(&r.body);
    assert!(shown.iter().all(|e| e.day >= from && e.day <= to));
    assert_eq!(
        as_set(shown.into_iter().map(|e| (e.day, e.action))),
        as_set(stored_events(&s, from, to, None).await)
    );
    // The custom range is what the form shows back, and the presets keep nothing of it.
    assert!(r.body.contains(&format!("value=\"{from}\"")), "the form keeps the start date");
    assert!(r.body.contains("href=\"/tenants/c0a7e5f0-0000-4000-8000-000000000001/history?range=7d\""));
}

#[tokio::test]
async fn the_first_snapshot_is_the_starting_point_and_status_changes_say_who_and_why() {
    let s = demo_server().await;
    let cookie = reader(&s).await;
    let r = s.get(&format!("{PAGE}?range=all&sort=date"), Some(&cookie)).await;
    assert!(r.body.contains(&format!("History starts on {}", first_day())), "starting point is explained");
    assert!(rows(&r.body).iter().all(|e| e.day > first_day()), "the starting state is no event");
    // The scripted risk acceptance of day 100 carries its author and note.
    let day = first_day() + Duration::days(100);
    let r = s.get(&format!("{PAGE}?from={day}&to={day}"), Some(&cookie)).await;
    let risk =
        rows(&r.body).into_iter().find(|e| e.action == "TeamsExternalAccessRestricted").expect("event");
    assert_eq!((risk.kind.as_str(), risk.category.as_str()), ("status", "Apps"));
    assert_eq!(risk.delta, 0, "nothing was earned yet, so accepting the risk moved no points");
    assert!(r.body.contains("Status set to Risk accepted"));
    assert!(r.body.contains("alex.admin@contoso.example"));
    assert!(r.body.contains("Partners rely on federated chat"));
    // Regressions come from measurements: BitLocker fell on day 130.
    let day = first_day() + Duration::days(130);
    let r = s.get(&format!("{PAGE}?from={day}&to={day}"), Some(&cookie)).await;
    let bitlocker =
        rows(&r.body).into_iter().find(|e| e.action == "DeviceEncryptionBitLocker").expect("event");
    assert_eq!(bitlocker.kind, "regression");
    assert!(r.body.contains("Regression: 540 of 700 devices"), "the measurement behind it, in units");
    // The resulting score is the tenant's score on that day's snapshot.
    let snap = s.state.store.snapshots(CONTOSO_ID, day, day).await.expect("snapshot").remove(0);
    assert!(r.body.contains(&snap.current.percent_of(snap.max).to_string()));
}

#[tokio::test]
async fn the_category_filter_narrows_the_chart_and_the_list() {
    let s = demo_server().await;
    let cookie = reader(&s).await;
    let shown = all_pages(&s, &cookie, "range=all&category=Identity").await;
    assert!(!shown.is_empty());
    assert!(shown.iter().all(|e| e.category == "Identity"));
    let expected = stored_events(&s, first_day(), today(), Some(Category::Identity)).await;
    assert_eq!(shown.len(), expected.len());
    assert_eq!(as_set(shown.into_iter().map(|e| (e.day, e.action))), as_set(expected));
    // The chart follows: the category's own points, not the whole score.
    let r = s.get(&format!("{PAGE}?category=Identity"), Some(&cookie)).await;
    assert!(r.body.contains(">Identity points</h2>"));
    let latest = s.state.store.latest_snapshot(CONTOSO_ID).await.expect("latest").expect("a snapshot");
    let identity = latest.categories.iter().find(|c| c.name == "Identity").expect("identity");
    assert!(r.body.contains(&format!("<td class=\"num\">{}</td>", identity.max)), "category maximum shown");
    assert!(!r.body.contains(&format!("<td class=\"num\">{}</td>", latest.max)), "not the whole maximum");
}

#[tokio::test]
async fn sorting_orders_the_whole_list_before_paging() {
    let s = demo_server().await;
    let cookie = reader(&s).await;
    let deltas = |r: &[Row]| r.iter().map(|e| e.delta).collect::<Vec<_>>();
    let days = |r: &[Row]| r.iter().map(|e| e.day).collect::<Vec<_>>();
    let newest = all_pages(&s, &cookie, "range=all").await;
    assert!(days(&newest).windows(2).all(|w| w[0] >= w[1]), "newest first by default");
    let oldest = all_pages(&s, &cookie, "range=all&sort=date").await;
    assert!(days(&oldest).windows(2).all(|w| w[0] <= w[1]));
    let gains = all_pages(&s, &cookie, "range=all&sort=-points").await;
    assert!(deltas(&gains).windows(2).all(|w| w[0] >= w[1]), "biggest gain first across pages");
    let losses = all_pages(&s, &cookie, "range=all&sort=points").await;
    assert!(deltas(&losses).windows(2).all(|w| w[0] <= w[1]));
    assert!(losses[0].delta < 0 && gains[0].delta > 0);
    let titles: HashMap<&str, String> =
        s.state.catalog.iter().map(|a| (a.id.as_str(), a.title.to_lowercase())).collect();
    let by_action = all_pages(&s, &cookie, "range=all&sort=action").await;
    let names: Vec<&String> = by_action.iter().map(|e| &titles[e.action.as_str()]).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "A to Z by title");
    assert_eq!(newest.len(), by_action.len());
}

#[tokio::test]
async fn paging_reaches_the_last_page_and_covers_every_event_once() {
    let s = demo_server().await;
    let cookie = reader(&s).await;
    let r = s.get(&format!("{PAGE}?range=all"), Some(&cookie)).await;
    let (total, page, pages) = count(&r.body);
    assert!(total > 50, "the demo has more than a page of events ({total})");
    assert_eq!((page, pages), (1, total.div_ceil(50)));
    assert_eq!(rows(&r.body).len(), 50);
    assert!(r.body.contains("id=\"page-next\""));
    let last = s.get(&format!("{PAGE}?range=all&page={pages}"), Some(&cookie)).await;
    assert_eq!(count(&last.body).1, pages);
    assert_eq!(rows(&last.body).len() as u32, total - 50 * (pages - 1));
    assert!(!last.body.contains("id=\"page-next\"") && last.body.contains("id=\"page-prev\""));
    // A page past the end shows the last one.
    let beyond = s.get(&format!("{PAGE}?range=all&page=9999"), Some(&cookie)).await;
    assert_eq!(rows(&beyond.body), rows(&last.body));
    let every = all_pages(&s, &cookie, "range=all").await;
    let keys: Vec<(NaiveDate, String)> = every.into_iter().map(|e| (e.day, e.action)).collect();
    assert_eq!(keys.len(), total as usize);
    assert_eq!(
        as_set(keys),
        as_set(stored_events(&s, first_day(), today(), None).await),
        "no repeats, no gaps"
    );
}

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    // The demo's texts hold no quotes or commas inside quoted cells beyond simple ones.
    body.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut cells = Vec::new();
            let (mut cell, mut quoted, mut chars) = (String::new(), false, l.chars().peekable());
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        cell.push('"');
                        chars.next();
                    }
                    ('"', _) => quoted = !quoted,
                    (',', false) => cells.push(std::mem::take(&mut cell)),
                    (c, _) => cell.push(c),
                }
            }
            cells.push(cell);
            cells
        })
        .collect()
}

#[tokio::test]
async fn the_csv_holds_every_event_of_the_filtered_range_in_the_list_order() {
    let s = demo_server().await;
    let cookie = reader(&s).await;
    let query = "range=all&category=Device&sort=points";
    let r = s.get(&format!("{CSV}?{query}"), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let lines = csv_rows(&r.body);
    assert_eq!(
        lines[0],
        ["Date", "Action", "Category", "Change", "Points delta", "Resulting score", "Who", "Note"]
    );
    // The same events, in the same order, as the server function pages through.
    let mut from_api = Vec::new();
    for page in 1.. {
        let api = s
            .call("/api/score_history", &format!("tenant_id={CONTOSO_ID}&{query}&page={page}"), Some(&cookie))
            .await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.body);
        let v: serde_json::Value = serde_json::from_str(&api.body).expect("json");
        for e in v["events"].as_array().expect("events") {
            let delta = e["delta"].as_i64().expect("delta");
            from_api.push(vec![
                e["day"].as_str().expect("day").to_owned(),
                e["action"].as_str().expect("action").to_owned(),
                format!("{}", score::Points(delta)),
            ]);
        }
        if v["page"]["page"] == v["page"]["pages"] {
            break;
        }
    }
    let from_csv: Vec<Vec<String>> =
        lines[1..].iter().map(|l| vec![l[0].clone(), l[1].clone(), l[4].clone()]).collect();
    assert_eq!(from_csv, from_api);
    assert!(lines[1..].iter().all(|l| l[2] == "Device"));
    let page = s.get(&format!("{PAGE}?{query}"), Some(&cookie)).await;
    assert_eq!(count(&page.body).0 as usize, lines.len() - 1, "all matching events, not one page");
    assert!(
        page.body.contains(&format!("href=\"{CSV}?{query}\"").replace('&', "&amp;")),
        "the link carries the query"
    );
}

#[tokio::test]
async fn text_typed_by_people_cannot_run_as_a_formula_in_the_csv() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let note = "=HYPERLINK(\"http://evil.example\",\"click\")";
    store
        .set_status(
            CONTOSO_ID,
            &store::StatusChange {
                action_id: "AdminMFAV2".into(),
                status: Status::RiskAccepted,
                note: note.into(),
                assignee: None,
                due_date: None,
                tags: vec![],
                changed_by: "=cmd@contoso.example".into(),
                changed_at: Utc::now(),
            },
        )
        .await
        .expect("status");
    // Today's snapshot again, now with the change.
    server::jobs::snapshot_all(store, &s.state.catalog, today(), Utc::now()).await.expect("snapshot");
    let cookie = reader(&s).await;
    let r = s.get(&format!("{CSV}?range=7d"), Some(&cookie)).await;
    let line = csv_rows(&r.body)
        .into_iter()
        .find(|l| l[1].starts_with("Require multifactor authentication for admin"))
        .expect("the change");
    assert_eq!(line[3], "Status set to Risk accepted");
    assert_eq!(line[6], "'=cmd@contoso.example");
    assert_eq!(line[7], format!("'{note}"));
    assert!(line[4].starts_with('-'), "the delta stays a plain number: {}", line[4]);
    let page = s.get(&format!("{PAGE}?range=7d"), Some(&cookie)).await;
    assert!(page.body.contains("AdminMFAV2"), "the page lists it too");
}

#[tokio::test]
async fn bad_ranges_get_a_clear_message_and_a_400() {
    let s = demo_server().await;
    let cookie = reader(&s).await;
    let audit_before = s.state.store.audit_trail(CONTOSO_ID, 1000).await.expect("audit").len();
    let today = today();
    let future = today + Duration::days(10);
    let cases = [
        (
            format!("from={today}&to={}", today - Duration::days(5)),
            "from",
            "is after the end date".to_owned(),
        ),
        ("from=2000-01-01&to=2000-12-31".to_owned(), "to", format!("no history before {}", first_day())),
        (format!("from={future}"), "from", "in the future".to_owned()),
        ("from=2026-13-45".to_owned(), "from", "is not a date".to_owned()),
        ("to=yesterday".to_owned(), "to", "is not a date".to_owned()),
    ];
    for (query, field, message) in cases {
        let page = s.get(&format!("{PAGE}?{query}"), Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains("id=\"history-error\""), "{query}");
        assert!(page.body.contains(&format!("{field}: ")) && page.body.contains(&message), "{query}");
        assert!(page.body.contains("id=\"history-filters\""), "the form stays to fix it");
        let api =
            s.call("/api/score_history", &format!("tenant_id={CONTOSO_ID}&{query}"), Some(&cookie)).await;
        assert_eq!(api.status, StatusCode::BAD_REQUEST, "{query}: {}", api.body);
        let err: serde_json::Value = serde_json::from_str(&api.body).expect("json error");
        assert_eq!(err["Invalid"]["field"], field, "{query}");
        let csv = s.get(&format!("{CSV}?{query}"), Some(&cookie)).await;
        assert_eq!(csv.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(csv.body.contains(&message));
    }
    let audit_after = s.state.store.audit_trail(CONTOSO_ID, 1000).await.expect("audit").len();
    assert_eq!(audit_before, audit_after, "reading history stores nothing");
}

#[tokio::test]
async fn readers_see_everything_and_other_tenants_users_get_not_found() {
    let s = demo_server().await;
    for email in ["reader@contoso.example", "helpdesk@contoso.example"] {
        let cookie = s.sign_in(email, DEMO_PASSWORD).await;
        let r = s.get(&format!("{PAGE}?range=90d"), Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::OK, "{email}");
        assert!(!rows(&r.body).is_empty(), "{email} sees the events");
        assert_eq!(s.get(&format!("{CSV}?range=90d"), Some(&cookie)).await.status, StatusCode::OK);
    }
    // A global administrator of a peer tenant only.
    let store = s.state.store.as_ref();
    let peer = s.peer_tenant().await;
    let hash = app::auth::secrets::hash_password("peer-password").expect("hash");
    let user = store.create_user("peer@peer.example", "Peer", &hash, "test").await.expect("user");
    store
        .grant_role(&peer.id, &user.id, score::roles::Role::GlobalAdministrator, "test")
        .await
        .expect("grant");
    let cookie = s.sign_in("peer@peer.example", "peer-password").await;
    let r = s.get(PAGE, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("Contoso"));
    let unknown = s.get("/tenants/00000000-0000-4000-8000-000000000000/history", Some(&cookie)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let api = s.call("/api/score_history", &format!("tenant_id={CONTOSO_ID}"), Some(&cookie)).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(s.get(CSV, Some(&cookie)).await.status, StatusCode::NOT_FOUND);
    // Their own tenant's history opens.
    assert_eq!(s.get(&format!("/tenants/{}/history", peer.id), Some(&cookie)).await.status, StatusCode::OK);
    // Nobody signed in: sent to sign in; the export answers 401.
    let anon = s.get(PAGE, None).await;
    assert_eq!(anon.status, StatusCode::FOUND);
    assert_eq!(s.get(CSV, None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_tenant_pages_link_to_history() {
    let s = demo_server().await;
    let cookie = reader(&s).await;
    for page in ["", "/actions"] {
        let r = s.get(&format!("/tenants/{CONTOSO_ID}{page}"), Some(&cookie)).await;
        assert!(r.body.contains(&format!("href=\"{PAGE}\"")), "History link on {page:?}");
    }
}
