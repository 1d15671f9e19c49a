//! The Metrics & trends page and its server functions over real HTTP requests against the
//! demo data (Contoso and 44 peers, 181 daily snapshots ending today).
#![allow(clippy::unwrap_used)]

use crate::common::{demo_server, TestServer};
use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use score::{Percent, Status};
use server::demo::{CONTOSO_ID, DEMO_PASSWORD, HISTORY_DAYS};

const PAGE: &str = "/tenants/c0a7e5f0-0000-4000-8000-000000000001/metrics";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The day the demo applied its event `n` (day 0 is the first snapshot).
fn demo_day(n: i64) -> NaiveDate {
    today() - Duration::days(i64::from(HISTORY_DAYS)) + Duration::days(n)
}

fn title(s: &TestServer, id: &str) -> String {
    s.state.catalog.iter().find(|a| a.id == id).unwrap().title.clone()
}

/// The text of the element with `id` (its first text node run, tags stripped).
fn text_of(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id} in page"));
    let open_end = start + html[start..].find('>').unwrap() + 1;
    let mut depth = 1;
    let mut out = String::new();
    let mut rest = &html[open_end..];
    while depth > 0 && !rest.is_empty() {
        if let Some(stripped) = rest.strip_prefix("</") {
            depth -= 1;
            rest = &stripped[stripped.find('>').unwrap() + 1..];
        } else if rest.starts_with('<') {
            let end = rest.find('>').unwrap();
            if !rest[..end].ends_with('/') && !rest.starts_with("<!") {
                depth += 1;
            }
            rest = &rest[end + 1..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

async fn metrics_json(s: &TestServer, cookie: &str, args: &str) -> (StatusCode, serde_json::Value) {
    let r = s.call("/api/metrics", &format!("tenant_id={CONTOSO_ID}&{args}"), Some(cookie)).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("json: {}", r.body)))
}

#[tokio::test]
async fn trends_match_what_the_demo_history_holds() {
    let s = demo_server().await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let page = s.get(&format!("{PAGE}?range=all"), Some(&reader)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let html = &page.body;
    assert_eq!(text_of(html, "metrics-from-day"), demo_day(0).to_string(), "all of the history");

    // Regressions: the scripted drops of Contoso, on their days, with the actions named.
    let bitlocker = title(&s, "DeviceEncryptionBitLocker");
    let av = title(&s, "DefenderAVRealTime");
    for (day, action) in [(demo_day(130), &bitlocker), (demo_day(150), &av)] {
        let row =
            html.find(&format!("<tr data-day=\"{day}\"")).unwrap_or_else(|| panic!("regression on {day}"));
        let row = &html[row..row + html[row..].find("</tr>").unwrap()];
        assert!(row.contains(action.as_str()), "{day}: {row}");
    }

    // Risk acceptance: what is risk accepted now, and the Teams decision on its day.
    let store = s.state.store.as_ref();
    let live = service::live::live_score(store, &s.state.catalog, CONTOSO_ID).await.unwrap();
    let accepted: Vec<_> =
        live.scores.iter().filter(|a| a.applicable && a.status == Status::RiskAccepted).collect();
    let points: score::Points = accepted.iter().map(|a| a.max).sum();
    let (_, all) = metrics_json(&s, &reader, "range=all").await;
    let risk = all["risk"].as_array().unwrap();
    let last = risk.last().unwrap();
    assert_eq!(last["actions"].as_u64().unwrap() as usize, accepted.len());
    assert_eq!(last["points"].as_i64().unwrap(), points.centi());
    let on = |day: NaiveDate| {
        risk.iter().find(|r| r["day"] == day.to_string()).unwrap()["actions"].as_u64().unwrap()
    };
    assert_eq!(on(demo_day(100)), on(demo_day(99)) + 1, "Teams external access was risk accepted on day 100");
    assert!(
        text_of(html, "risk-summary").starts_with(&format!("{} actions risk accepted", accepted.len())),
        "{}",
        text_of(html, "risk-summary")
    );

    // Projection: the live score plus every planned action's remaining points, by due date.
    let planned: score::Points =
        live.scores.iter().filter(|a| a.applicable && a.status == Status::Planned).map(|a| a.remaining).sum();
    let projected = (live.score.current + planned).percent_of(live.score.max);
    assert_eq!(text_of(html, "projection-projected"), projected.to_string());
    let order: Vec<usize> = ["SigninRiskPolicy", "UserRiskPolicy", "AttackSurfaceReductionRules"]
        .iter()
        .map(|id| html.find(&format!("<tr data-action=\"{id}\"")).unwrap_or_else(|| panic!("{id} planned")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "due in 20, 35 and 60 days: {order:?}");

    // Score changes add up to the move of the score line over the range.
    let line = all["points"].as_array().unwrap();
    let first = line.first().unwrap()["current"].as_i64().unwrap();
    let net = all["changes"]["net"].as_i64().unwrap();
    let last_snapshot = store.latest_snapshot(CONTOSO_ID).await.unwrap().unwrap();
    assert_eq!(
        first + net,
        last_snapshot.current.centi(),
        "net change from the first to the latest snapshot"
    );
    let parts = ["achieved", "regressed", "from_new_actions", "other"]
        .iter()
        .map(|k| all["changes"][k].as_i64().unwrap())
        .sum::<i64>();
    assert_eq!(parts, net);
    assert!(all["changes"]["regressed"].as_i64().unwrap() < 0, "the demo has regressions");
}

#[tokio::test]
async fn comparison_averages_leave_the_tenant_out() {
    let s = demo_server().await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let (status, d) = metrics_json(&s, &reader, "range=7d").await;
    assert_eq!(status, StatusCode::OK);
    let days: Vec<String> =
        d["points"].as_array().unwrap().iter().map(|p| p["day"].as_str().unwrap().to_owned()).collect();
    let all = d["comparisons"].as_array().unwrap().iter().find(|c| c["basis"] == "AllTenants").unwrap();
    let values = all["values"].as_array().unwrap();
    assert_eq!(values.len(), days.len());
    assert!(values.last().unwrap().is_null(), "today has no averages before its snapshot");

    // Yesterday's average, worked out from every other tenant's snapshot of that day.
    let day: NaiveDate = days[days.len() - 2].parse().unwrap();
    let store = s.state.store.as_ref();
    let mut others = Vec::new();
    for t in store.tenants().await.unwrap().into_iter().filter(|t| t.id != CONTOSO_ID) {
        if let Some(snap) = store.snapshots(&t.id, day, day).await.unwrap().first() {
            others.push(snap.current.percent_of(snap.max));
        }
    }
    assert!(others.len() >= 5);
    // The mean of the others' hundredths of a percent, to a tenth, half away from zero.
    let (sum, n) = (others.iter().map(|p| p.0).sum::<i64>(), others.len() as i64);
    let expected = Percent((sum * 2 + 10 * n) / (20 * n) * 10);
    assert_eq!(values[values.len() - 2].as_i64(), Some(expected.0), "{day}");

    let page = s.get(&format!("{PAGE}?range=7d"), Some(&reader)).await;
    assert!(page.body.contains(&format!("{expected}")), "the data table shows the average");
}

#[tokio::test]
async fn zones_are_edited_by_read_write_roles_and_colour_the_gauge() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let zone_of = |html: &str| {
        let i = html.find("id=\"zone-score\"").unwrap();
        let tag = &html[i..i + html[i..].find('>').unwrap()];
        let j = tag.find("data-zone=\"").unwrap() + 11;
        tag[j..j + tag[j..].find('"').unwrap()].to_owned()
    };

    let page = s.get(PAGE, Some(&reader)).await;
    assert!(!page.body.contains("id=\"zones-form\""), "read-only roles see no zone editor");
    let before = zone_of(&page.body);
    let r = s
        .call("/api/set_zones", &format!("tenant_id={CONTOSO_ID}&okay_from=1&good_from=2"), Some(&reader))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let t = store.tenant(CONTOSO_ID).await.unwrap();
    assert_eq!((t.zone_okay_from, t.zone_good_from), (40, 70), "a reader changes nothing");

    for (form, code) in [
        ("okay_from=70&good_from=70", "good_from"),
        ("okay_from=0&good_from=70", "okay_from"),
        ("okay_from=abc&good_from=70", "okay_from"),
        ("okay_from=40&good_from=101", "good_from"),
    ] {
        let r = s
            .post_form("/api/set_zones", &format!("tenant_id={CONTOSO_ID}&{form}&range=90d"), Some(&admin))
            .await;
        assert_eq!(r.location.as_deref(), Some(format!("{PAGE}?range=90d&error={code}").as_str()), "{form}");
        let shown = s.get(&r.location.unwrap(), Some(&admin)).await;
        assert!(text_of(&shown.body, "metrics-notice").contains(if code == "okay_from" {
            "Okay from"
        } else {
            "Good from"
        }));
    }
    let t = store.tenant(CONTOSO_ID).await.unwrap();
    assert_eq!((t.zone_okay_from, t.zone_good_from), (40, 70), "refused forms change nothing");

    // Zones low enough that Contoso is "good", then high enough that it is "bad".
    for (okay, good, zone) in [(1, 2, "good"), (98, 99, "bad")] {
        let r = s
            .post_form(
                "/api/set_zones",
                &format!("tenant_id={CONTOSO_ID}&okay_from={okay}&good_from={good}"),
                Some(&admin),
            )
            .await;
        assert_eq!(r.location.as_deref(), Some(format!("{PAGE}?done=zones").as_str()));
        let page = s.get(&r.location.unwrap(), Some(&admin)).await;
        assert_eq!(zone_of(&page.body), zone, "okay from {okay}, good from {good}");
        assert_eq!(text_of(&page.body, "metrics-notice"), "Zones saved.");
    }
    assert_ne!(before, "bad", "the demo starts outside the bad zone");
    let audit = store.audit_trail(CONTOSO_ID, 10).await.unwrap();
    assert!(audit.iter().any(|a| a.kind == "tenant.zones" && a.actor == "admin@contoso.example"));
}

#[tokio::test]
async fn bad_ranges_and_other_tenants_are_refused() {
    let s = demo_server().await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let page = s.get(&format!("{PAGE}?from=2026-13-01"), Some(&reader)).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(text_of(&page.body, "metrics-error").contains("2026-13-01"), "{}", page.body);
    let (status, err) = metrics_json(&s, &reader, "from=2026-05-10&to=2026-05-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(err.to_string().contains("from"), "{err}");

    let peer = s.peer_tenant().await;
    let r = s.get(&format!("/tenants/{}/metrics", peer.id), Some(&reader)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains(&peer.name), "nothing about a tenant the reader cannot see");
}

#[tokio::test]
async fn the_overview_breaks_the_score_down_and_projects_planned_actions() {
    let s = demo_server().await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let store = s.state.store.as_ref();
    let live = service::live::live_score(store, &s.state.catalog, CONTOSO_ID).await.unwrap();
    let overview = |view: &'static str| {
        let (s, reader) = (&s, reader.clone());
        async move {
            let r =
                s.call("/api/overview", &format!("tenant_id={CONTOSO_ID}&view={view}"), Some(&reader)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap()
        }
    };
    let sum = |rows: &serde_json::Value| {
        rows.as_array().unwrap().iter().map(|b| b["current"].as_i64().unwrap()).sum::<i64>()
    };

    let current = overview("current").await;
    assert_eq!(current["current"].as_i64(), Some(live.score.current.centi()));
    assert_eq!(sum(&current["products"]), live.score.current.centi(), "products add up to the score");
    assert!(current["products"].as_array().unwrap().len() >= 5);
    let all = current["comparisons"].as_array().unwrap().iter().find(|c| c["basis"] == "AllTenants").unwrap();
    assert_eq!(all["values"].as_array().unwrap().len(), current["history"].as_array().unwrap().len());

    let projected = overview("projected").await;
    let planned: score::Points =
        live.scores.iter().filter(|a| a.applicable && a.status == Status::Planned).map(|a| a.remaining).sum();
    assert!(planned > score::Points::ZERO, "the demo plans actions");
    assert_eq!(projected["current"].as_i64(), Some((live.score.current + planned).centi()));
    assert_eq!(sum(&projected["categories"]), (live.score.current + planned).centi());
    assert_eq!(projected["max"], current["max"], "planning changes no maximum");

    let page = s.get(&format!("/tenants/{CONTOSO_ID}?view=projected"), Some(&reader)).await;
    let expected = (live.score.current + planned).percent_of(live.score.max);
    assert_eq!(text_of(&page.body, "score-percent"), expected.to_string());
    assert!(page.body.contains("Projected Secure Score"));
}

#[tokio::test]
async fn sync_now_takes_todays_snapshot_so_todays_changes_show() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let today = today();
    let before = store.snapshots(CONTOSO_ID, today, today).await.unwrap();

    let r = s.call("/api/sync_now", &format!("tenant_id={CONTOSO_ID}"), Some(&reader)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(store.snapshots(CONTOSO_ID, today, today).await.unwrap(), before, "a reader syncs nothing");

    // A status change made today is not in the history until a snapshot is taken.
    let change = store::StatusChange {
        action_id: "AdminMFAV2".into(),
        status: Status::ThirdParty,
        note: "Covered by the identity provider.".into(),
        assignee: None,
        due_date: None,
        tags: vec![],
        changed_by: "admin@contoso.example".into(),
        changed_at: Utc::now(),
    };
    store.set_status(CONTOSO_ID, &change).await.unwrap();
    let history = format!("/tenants/{CONTOSO_ID}/history?range=7d");
    let event = format!("<tr data-day=\"{today}\" data-action=\"AdminMFAV2\"");
    assert!(!s.get(&history, Some(&admin)).await.body.contains(&event), "not before a snapshot");

    let r = s.post_form("/api/sync_now", &format!("tenant_id={CONTOSO_ID}&range=7d"), Some(&admin)).await;
    assert_eq!(r.location.as_deref(), Some(format!("{PAGE}?range=7d&done=synced").as_str()));
    let live = service::live::live_score(store, &s.state.catalog, CONTOSO_ID).await.unwrap();
    let taken = store.snapshots(CONTOSO_ID, today, today).await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!((taken[0].current, taken[0].max), (live.score.current, live.score.max));
    let changes = store.action_changes(CONTOSO_ID, today, today).await.unwrap();
    assert!(changes.iter().any(|c| c.change.id == "AdminMFAV2"), "{changes:?}");
    let page = s.get(&history, Some(&admin)).await;
    assert!(page.body.contains(&event), "today's event shows");

    // Syncing again rewrites today's snapshot; it never adds a second one.
    s.post_form("/api/sync_now", &format!("tenant_id={CONTOSO_ID}"), Some(&admin)).await;
    assert_eq!(store.snapshots(CONTOSO_ID, today, today).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_goal_is_set_checked_against_the_projection_and_cleared() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let page = s.get(PAGE, Some(&admin)).await;
    assert_eq!(text_of(&page.body, "goal-summary"), "No goal set.");

    // The demo's planned actions are due in 20, 35 and 60 days: a goal in 40 days counts
    // the first two only.
    let by = today() + Duration::days(40);
    let r = s
        .post_form(
            "/api/set_goal",
            &format!("tenant_id={CONTOSO_ID}&goal_percent=95&goal_by={by}&range=90d"),
            Some(&admin),
        )
        .await;
    assert_eq!(r.location.as_deref(), Some(format!("{PAGE}?range=90d&done=goal").as_str()));
    let page = s.get(&r.location.unwrap(), Some(&admin)).await;
    let live = service::live::live_score(store, &s.state.catalog, CONTOSO_ID).await.unwrap();
    let due_by: score::Points = live
        .scores
        .iter()
        .filter(|a| a.applicable && a.status == Status::Planned)
        .filter(|a| live.records.get(&a.id).and_then(|r| r.due_date).is_some_and(|d| d <= by))
        .map(|a| a.remaining)
        .sum();
    let expected = (live.score.current + due_by).percent_of(live.score.max);
    assert_eq!(text_of(&page.body, "goal-target"), "95.00 %");
    assert_eq!(text_of(&page.body, "goal-by"), by.to_string());
    assert_eq!(text_of(&page.body, "goal-projected"), expected.to_string());
    assert!(text_of(&page.body, "goal-verdict").contains("short"), "95 % is beyond the demo's plans");
    let reader_page = s.get(PAGE, Some(&reader)).await;
    assert_eq!(text_of(&reader_page.body, "goal-by"), by.to_string(), "everyone sees the goal");
    assert!(!reader_page.body.contains("id=\"goal-form\""), "only read-write roles edit it");

    let before = store.tenant(CONTOSO_ID).await.unwrap().goal;
    let yesterday = today() - Duration::days(1);
    for (form, code) in [
        (format!("goal_percent=0&goal_by={by}"), "goal_percent"),
        (format!("goal_percent=abc&goal_by={by}"), "goal_percent"),
        (format!("goal_percent=80&goal_by={yesterday}"), "goal_by"),
        ("goal_percent=80&goal_by=2027-02-30".to_owned(), "goal_by"),
    ] {
        let r = s.post_form("/api/set_goal", &format!("tenant_id={CONTOSO_ID}&{form}"), Some(&admin)).await;
        assert_eq!(r.location.as_deref(), Some(format!("{PAGE}?error={code}").as_str()), "{form}");
        let script = s.call("/api/set_goal", &format!("tenant_id={CONTOSO_ID}&{form}"), Some(&admin)).await;
        assert_eq!(script.status, StatusCode::BAD_REQUEST, "{form}");
        assert!(script.body.contains(code), "{}", script.body);
    }
    let r = s.call("/api/set_goal", &format!("tenant_id={CONTOSO_ID}&clear=1"), Some(&reader)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(store.tenant(CONTOSO_ID).await.unwrap().goal, before, "refusals change nothing");

    let r = s
        .post_form(
            "/api/set_goal",
            &format!("tenant_id={CONTOSO_ID}&goal_percent=95&goal_by={by}&clear=1"),
            Some(&admin),
        )
        .await;
    assert_eq!(r.location.as_deref(), Some(format!("{PAGE}?done=goal_cleared").as_str()));
    assert_eq!(store.tenant(CONTOSO_ID).await.unwrap().goal, None);
    let kinds: Vec<String> =
        store.audit_trail(CONTOSO_ID, 3).await.unwrap().into_iter().map(|a| a.kind).collect();
    assert_eq!(kinds[..2], ["tenant.goal", "tenant.goal"]);
}

#[tokio::test]
async fn a_tenant_without_history_is_told_so_instead_of_shown_empty_charts() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let new = store::NewTenant {
        id: None,
        name: "Fresh Ltd".into(),
        licensed_seats: 10,
        active_users: 10,
        industry: "Retail".into(),
        enabled_services: vec![],
        created_at: Utc::now(),
    };
    let fresh = store.create_tenant(new, "test").await.unwrap();
    let admin = store.user_by_email("admin@contoso.example").await.unwrap();
    store.grant_role(&fresh.id, &admin.id, score::roles::Role::GlobalAdministrator, "test").await.unwrap();
    let cookie = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let metrics = s.get(&format!("/tenants/{}/metrics", fresh.id), Some(&cookie)).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(text_of(&metrics.body, "comparison-chart-empty").contains("no line to draw"), "{}", metrics.body);
    assert!(!metrics.body.contains("id=\"risk-chart\""), "no empty risk chart");
    assert!(text_of(&metrics.body, "risk-summary").contains("No snapshot in this range"));
    // Contoso's own page draws its charts as before.
    let contoso = s.get(PAGE, Some(&cookie)).await.body;
    assert!(contoso.contains("id=\"risk-chart\"") && !contoso.contains("comparison-chart-empty"));
}
