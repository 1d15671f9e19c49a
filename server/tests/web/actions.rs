//! The Improvement actions page, flyout, status edits and CSV export over real HTTP requests.

use crate::common::{demo_server, form, listed_actions, TestServer};
use app::pages::actions::{filter, query::ActionQuery, row::rows_of};
use axum::http::StatusCode;
use score::Status;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};
use std::collections::HashMap;

const RISK_ACCEPTED: &str = "TeamsExternalAccessRestricted";

fn list(query: &str) -> String {
    format!("/tenants/{CONTOSO_ID}/actions{query}")
}

/// What the pure filter says the page should show for `pairs`.
async fn expected_ids(s: &TestServer, pairs: &[(&str, &str)]) -> Vec<String> {
    let live =
        service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.expect("live");
    let rows = rows_of(&live);
    let m: HashMap<&str, &str> = pairs.iter().copied().collect();
    let q = ActionQuery::from_lookup(|k| m.get(k).map(|v| v.to_string()));
    let view = filter::apply(&rows, &q);
    view.groups.iter().flat_map(|g| &g.rows).map(|r| r.id.clone()).collect()
}

/// Posts a form as a script does (no `Accept: text/html`): errors come back
/// as statuses.
async fn post_api(s: &TestServer, uri: &str, body: String, cookie: Option<&str>) -> crate::common::Reply {
    let mut req = s
        .request_from_page(axum::http::Method::POST, uri)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    s.send(req.body(axum::body::Body::from(body)).expect("request")).await
}

async fn score_of(s: &TestServer) -> (score::Points, score::Points) {
    let live =
        service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.expect("live");
    (live.score.current, live.score.max)
}

/// The top-ranked action: it has points remaining and is not completed.
async fn top_action(s: &TestServer) -> (String, score::Points) {
    let live =
        service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.expect("live");
    let r = &live.ranking[0];
    (r.id.clone(), r.remaining)
}

/// Form fields, the error code expected in the URL, and the start of the message shown.
type BadCase<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

async fn history_len(s: &TestServer, action: &str) -> usize {
    s.state.store.status_history(CONTOSO_ID, action).await.expect("history").len()
}

#[tokio::test]
async fn the_default_list_is_ranked_and_leaves_out_risk_accepted_actions() {
    let s = demo_server().await;
    let cookie = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let r = s.get(&list(""), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let ids = listed_actions(&r.body);
    assert_eq!(ids, expected_ids(&s, &[]).await);
    assert!(!ids.contains(&RISK_ACCEPTED.to_owned()), "risk-accepted actions leave the default list");
    let live =
        service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.expect("live");
    assert_eq!(ids[0], live.ranking[0].id, "rank 1 comes first");
    assert!(r.body.contains(&live.score.percent().to_string()), "the live score is shown");
    for header in
        ["Rank", "Points", "Status", "Category", "Product", "Cost", "User impact", "Tags", "Last change"]
    {
        assert!(r.body.contains(header), "column {header}");
    }
    // The reader sees no edit form anywhere.
    let flyout = s.get(&list(&format!("?action={}", ids[0])), Some(&cookie)).await;
    assert!(flyout.body.contains("id=\"action-flyout\""));
    assert!(!flyout.body.contains("/api/update_action"), "read-only roles get no edit form");
}

#[tokio::test]
async fn a_copied_query_reproduces_the_filtered_grouped_sorted_view() {
    let s = demo_server().await;
    let cookie = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let r = s.get(&list("?status=RiskAccepted"), Some(&cookie)).await;
    assert_eq!(listed_actions(&r.body), [RISK_ACCEPTED], "one filter away");
    let pairs = [("category", "Identity"), ("group", "status"), ("sort", "points"), ("dir", "desc")];
    let r = s.get(&list(&format!("?{}", form(&pairs))), Some(&cookie)).await;
    let ids = listed_actions(&r.body);
    assert!(!ids.is_empty());
    assert_eq!(ids, expected_ids(&s, &pairs).await);
    assert!(r.body.contains("class=\"group-head\""), "grouped");
    assert!(r.body.contains("points · "), "per-group point sums");
    let r = s.get(&list("?q=multifactor&status=All"), Some(&cookie)).await;
    let ids = listed_actions(&r.body);
    assert!(ids.contains(&"AdminMFAV2".to_owned()), "{ids:?}");
    assert_eq!(ids, expected_ids(&s, &[("q", "multifactor"), ("status", "All")]).await);
    // The form controls show the view they produced, so the next change keeps it.
    let r = s.get(&list("?category=Identity&tag=mfa"), Some(&cookie)).await;
    assert!(r.body.contains("<option value=\"Identity\" selected"), "category stays selected");

    // Points remaining: every row shown has at least that much left, and none is missing.
    let live =
        service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.expect("live");
    let r = s.get(&list("?remaining=5"), Some(&cookie)).await;
    let ids = listed_actions(&r.body);
    assert!(!ids.is_empty());
    assert_eq!(ids, expected_ids(&s, &[("remaining", "5")]).await);
    let left = |id: &str| live.scores.iter().find(|a| a.id == id).expect("scored").remaining;
    assert!(ids.iter().all(|id| left(id) >= score::Points::whole(5)), "{ids:?}");
    let all_five = live.scores.iter().filter(|a| a.remaining >= score::Points::whole(5)).count();
    assert_eq!(ids.len(), all_five, "every action with 5 points or more left is listed");
    assert!(r.body.contains("<option value=\"5\" selected"), "the filter stays selected");
    let csv = s.get(&format!("/tenants/{CONTOSO_ID}/actions.csv?remaining=5"), Some(&cookie)).await;
    assert_eq!(csv.body.lines().count(), ids.len() + 1, "the export has the same rows");
}

#[tokio::test]
async fn the_action_page_and_flyout_show_everything_and_unknown_ids_are_not_found() {
    let s = demo_server().await;
    let cookie = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let r = s.get(&list("/MFARegistrationV2"), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let b = &r.body;
    assert!(b.contains("820 of 900 users — "), "implementation status and points");
    for part in [
        "At a glance",
        "Threats",
        "User impact",
        "Implementation cost",
        "Tier",
        "Prerequisites",
        "Why this rank?",
    ] {
        assert!(b.contains(part), "{part}");
    }
    assert!(b.contains("remaining points ×"), "the formula with this action's numbers");
    assert!(b.contains("rel=\"noopener noreferrer\""), "manage link");
    assert!(b.contains("id=\"action-history\"") && b.contains("Measured: 820 of 900 users"), "history");
    let r = s.get(&list("/NoSuchAction"), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Not found"));
    let r = s.get(&list("?action=NoSuchAction"), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a deep link to an unknown action");
    let body = format!("tenant_id={CONTOSO_ID}&action_id=Nope");
    let api = post_api(&s, "/api/improvement_action", body, Some(&cookie)).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_admin_status_change_moves_the_live_score_and_appends_history() {
    let s = demo_server().await;
    let cookie = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let (action, remaining) = top_action(&s).await;
    let (before, max) = score_of(&s).await;
    let n = history_len(&s, &action).await;
    let back = list(&format!("?action={action}"));
    let body = form(&[
        ("tenant_id", CONTOSO_ID),
        ("action_id", &action),
        ("status", "ThirdParty"),
        ("note", "Covered by the managed SOC."),
        ("tags", "soc, vendor"),
        ("back", &back),
    ]);
    let r = s.post_form("/api/update_action", &body, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some(format!("{back}&saved=1").as_str()));
    let (after, max_after) = score_of(&s).await;
    assert_eq!(after, before + remaining, "the remaining points are earned at once");
    assert_eq!(max_after, max);
    assert_eq!(history_len(&s, &action).await, n + 1);
    let last = s
        .state
        .store
        .status_history(CONTOSO_ID, &action)
        .await
        .expect("history")
        .pop()
        .expect("change")
        .change;
    assert_eq!((last.status, last.changed_by.as_str()), (Status::ThirdParty, "admin@contoso.example"));
    assert_eq!(last.tags, ["soc", "vendor"]);
    let page = s.get(r.location.as_deref().expect("location"), Some(&cookie)).await;
    assert!(page.body.contains(&format!("{} / {}", after, max)), "the page shows the new score");
    assert!(page.body.contains("Saved."));
    assert!(page.body.contains("Resolved through third party"));
    let audit = s.state.store.audit_trail(CONTOSO_ID, 5).await.expect("audit");
    assert!(audit.iter().any(|a| a.kind == "status.set" && a.subject == action), "audited");
}

#[tokio::test]
async fn read_only_roles_are_refused_and_nothing_changes() {
    let s = demo_server().await;
    let cookie = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let (action, _) = top_action(&s).await;
    let before = score_of(&s).await;
    let n = history_len(&s, &action).await;
    let body = form(&[("tenant_id", CONTOSO_ID), ("action_id", &action), ("status", "ThirdParty")]);
    let r = post_api(&s, "/api/update_action", body.clone(), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("read-only role"), "{}", r.body);
    // A forged browser form post is refused the same way (the framework sends the browser
    // back to the page it came from instead of showing a 403).
    let r = s.post_form("/api/update_action", &body, Some(&cookie)).await;
    assert_ne!(r.location.as_deref().map(|l| l.contains("saved=1")), Some(true));
    assert_eq!(score_of(&s).await, before);
    assert_eq!(history_len(&s, &action).await, n);
    let anonymous = post_api(&s, "/api/update_action", body, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_input_gets_a_message_naming_the_field_and_changes_nothing() {
    let s = demo_server().await;
    let cookie = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let (action, _) = top_action(&s).await;
    let before = score_of(&s).await;
    let n = history_len(&s, &action).await;
    let long_note = "x".repeat(4_001);
    let cases: [BadCase; 7] = [
        (&[("status", "Completed")], "status", "Status: choose one of"),
        (&[("status", "Ignored")], "status", "Status: choose one of"),
        (
            &[("status", "Planned"), ("due_date", "31/12/2026")],
            "due_date",
            "Due date: enter a date as YYYY-MM-DD",
        ),
        (&[("status", "Planned"), ("due_date", "2026-02-30")], "due_date", "Due date:"),
        (&[("status", "ToAddress"), ("note", &long_note)], "note", "Notes: at most 4,000 characters"),
        (&[("status", "RiskAccepted")], "note_required", "Notes: risk accepting an action needs a note"),
        (&[("status", "ToAddress"), ("tags", "ok, bad\u{1}tag")], "tags", "Tags: separate tags with commas"),
    ];
    for (fields, code, message) in cases {
        let mut pairs = vec![("tenant_id", CONTOSO_ID), ("action_id", action.as_str())];
        pairs.extend_from_slice(fields);
        let r = s.post_form("/api/update_action", &form(&pairs), Some(&cookie)).await;
        let expected = list(&format!("/{action}?error={code}"));
        assert_eq!(r.location.as_deref(), Some(expected.as_str()), "{fields:?}");
        let page = s.get(&expected, Some(&cookie)).await;
        assert!(page.body.contains(message), "{code}: the message names the field");
    }
    assert_eq!(score_of(&s).await, before);
    assert_eq!(history_len(&s, &action).await, n, "nothing was written");
    // Clients that do not ask for HTML get a 400 naming the field.
    let body = form(&[
        ("tenant_id", CONTOSO_ID),
        ("action_id", &action),
        ("status", "Planned"),
        ("due_date", "soon"),
    ]);
    let r = post_api(&s, "/api/update_action", body, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("due_date") && r.body.contains("YYYY-MM-DD"), "{}", r.body);
    let body = form(&[("tenant_id", CONTOSO_ID), ("action_id", "Nope"), ("status", "Planned")]);
    let r = post_api(&s, "/api/update_action", body, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(history_len(&s, &action).await, n, "still nothing written");
}

#[tokio::test]
async fn notes_are_shown_as_text_never_as_html() {
    let s = demo_server().await;
    let cookie = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let (action, _) = top_action(&s).await;
    let note = "</textarea><script>alert('owned')</script> & <b>bold</b>";
    let body =
        form(&[("tenant_id", CONTOSO_ID), ("action_id", &action), ("status", "Planned"), ("note", note)]);
    let r = s.post_form("/api/update_action", &body, Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::FOUND);
    let page = s.get(&list(&format!("/{action}")), Some(&cookie)).await;
    assert!(!page.body.contains("<script>alert("), "the note is never markup");
    assert!(!page.body.contains("<b>bold</b>"));
    assert!(page.body.contains("&lt;script&gt;alert("), "the note is shown as text");
    assert!(page.body.contains("&lt;/textarea&gt;"), "the edit box cannot be closed early");
}

#[tokio::test]
async fn risk_acceptance_leaves_the_list_and_undo_puts_the_previous_status_back() {
    let s = demo_server().await;
    let cookie = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let (action, _) = top_action(&s).await;
    let before = score_of(&s).await;
    let accept = form(&[
        ("tenant_id", CONTOSO_ID),
        ("action_id", &action),
        ("status", "RiskAccepted"),
        ("note", "Accepted by the CISO for this quarter."),
    ]);
    assert_eq!(s.post_form("/api/update_action", &accept, Some(&cookie)).await.status, StatusCode::FOUND);
    let listed = listed_actions(&s.get(&list(""), Some(&cookie)).await.body);
    assert!(!listed.contains(&action), "risk accepted leaves the default list");
    let page = s.get(&list(&format!("/{action}")), Some(&cookie)).await.body;
    assert!(page.contains("id=\"undo-form\""), "undo is offered");
    let previous = s.state.store.status_history(CONTOSO_ID, &action).await.expect("history");
    let undo_to =
        if previous.len() >= 2 { previous[previous.len() - 2].change.status } else { Status::ToAddress };
    assert!(page.contains(&format!("Undo: back to {}", undo_to.label())));
    // Undo names the change it undoes: the latest one.
    let latest = previous.last().expect("the change just made").id.to_string();
    assert!(page.contains(&format!("name=\"change_id\" value=\"{latest}\"")), "undo names the latest change");
    let undo = form(&[("tenant_id", CONTOSO_ID), ("action_id", &action), ("change_id", &latest)]);
    assert_eq!(s.post_form("/api/undo_status", &undo, Some(&cookie)).await.status, StatusCode::FOUND);
    assert_eq!(score_of(&s).await, before, "the score is back where it was");
    assert!(listed_actions(&s.get(&list(""), Some(&cookie)).await.body).contains(&action));
    let now = s.state.store.status_history(CONTOSO_ID, &action).await.expect("history");
    assert_eq!(now.last().map(|c| c.change.status), Some(undo_to));

    // The same undo again names a change that is no longer the latest: refused, nothing written.
    let stale = post_api(&s, "/api/undo_status", undo.clone(), Some(&cookie)).await;
    assert_eq!(stale.status, StatusCode::BAD_REQUEST, "{}", stale.body);
    assert!(stale.body.contains("change"), "{}", stale.body);
    assert_eq!(history_len(&s, &action).await, now.len(), "a stale undo writes nothing");
}

#[tokio::test]
async fn the_csv_export_has_the_pages_rows_and_columns() {
    let s = demo_server().await;
    let cookie = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let query = "?category=Identity&sort=title&status=All";
    let page = listed_actions(&s.get(&list(query), Some(&cookie)).await.body);
    let r = s.get(&format!("/tenants/{CONTOSO_ID}/actions.csv{query}"), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let lines: Vec<&str> = r.body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], app::pages::actions::csv::HEADER.join(","));
    let ids: Vec<String> =
        lines[1..].iter().map(|l| l.split(',').nth(1).expect("id column").to_owned()).collect();
    assert_eq!(ids, page, "the same rows in the same order");
    let default = s.get(&format!("/tenants/{CONTOSO_ID}/actions.csv"), Some(&cookie)).await;
    assert!(!default.body.contains(RISK_ACCEPTED), "the default export leaves risk-accepted actions out too");
    assert_eq!(
        s.get(&format!("/tenants/{CONTOSO_ID}/actions.csv"), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let unknown = s.get("/tenants/00000000-0000-4000-8000-000000000000/actions.csv", Some(&cookie)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let peer = s.peer_tenant().await;
    let forbidden = s.get(&format!("/tenants/{}/actions.csv", peer.id), Some(&cookie)).await;
    assert_eq!(forbidden.status, StatusCode::NOT_FOUND);
    assert!(!forbidden.body.contains(&peer.name));
}

#[tokio::test]
async fn a_custom_action_scores_ranks_and_exports_like_a_built_in_one() {
    let s = demo_server().await;
    let cookie = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let (before, max) = score_of(&s).await;
    let fields = [
        ("tenant_id", CONTOSO_ID),
        ("title", "Rotate the VPN pre-shared keys"),
        ("category", "Infrastructure"),
        ("max_points", "10"),
        ("scoring", "partial"),
        ("unit", "gateways"),
        ("description", "Keys older than a year are <b>stale</b>."),
        ("cost", "Low"),
        ("impact", "Low"),
    ];
    let r = s.post_form("/api/add_custom_action", &form(&fields), Some(&cookie)).await;
    let id = "Custom.RotateTheVPNPreSharedKeys";
    assert_eq!(r.location.as_deref(), Some(list(&format!("/{id}?saved=1")).as_str()), "{}", r.body);
    assert_eq!(
        score_of(&s).await,
        (before, max + score::Points::whole(10)),
        "the maximum grows, the score does not"
    );
    let page = s.get(&list(&format!("/{id}")), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Not measured yet — 0.00 of 10.00 points"));
    assert!(page.body.contains("Keys older than a year are &lt;b&gt;stale&lt;/b&gt;."));
    // Ten points left at the lowest cost and impact: it ranks near the top.
    let ids = listed_actions(&s.get(&list(""), Some(&cookie)).await.body);
    let pos = ids.iter().position(|x| x == id).expect("listed");
    assert!(pos < 10, "ranked at {pos}");
    let csv =
        s.get(&format!("/tenants/{CONTOSO_ID}/actions.csv?category=Infrastructure"), Some(&cookie)).await;
    assert!(csv
        .body
        .contains(&format!(",{id},Rotate the VPN pre-shared keys,0.00,10.00,To address,Infrastructure")));
    // Resolving it through a third party earns its points like any other action.
    let body = form(&[("tenant_id", CONTOSO_ID), ("action_id", id), ("status", "ThirdParty")]);
    assert_eq!(s.post_form("/api/update_action", &body, Some(&cookie)).await.status, StatusCode::FOUND);
    assert_eq!(score_of(&s).await.0, before + score::Points::whole(10));
    // The same title again is refused by name, and so are points over ten.
    let r = s.post_form("/api/add_custom_action", &form(&fields), Some(&cookie)).await;
    assert_eq!(r.location.as_deref(), Some(list("?error=custom_exists").as_str()));
    let mut over = fields.to_vec();
    over[1] = ("title", "Something else");
    over[3] = ("max_points", "11");
    let r = s.post_form("/api/add_custom_action", &form(&over), Some(&cookie)).await;
    assert_eq!(r.location.as_deref(), Some(list("?error=custom_max_points").as_str()));
    let shown = s.get(r.location.as_deref().expect("location"), Some(&cookie)).await;
    assert!(shown.body.contains("Max points: enter a whole number from 1 to 10."));
    // Read-only roles cannot add one.
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let r = post_api(&s, "/api/add_custom_action", form(&over), Some(&reader)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!s.get(&list(""), Some(&reader)).await.body.contains("custom-action-form"));
}
