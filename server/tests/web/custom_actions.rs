//! Editing, deleting and restoring custom actions over real HTTP requests: who may, what
//! bad input gets, and what the list, the live score and the history show afterwards.

use crate::common::{form, listed_actions, TestServer};
use axum::http::StatusCode;
use score::Points;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};
use service::url::encode;

const TITLE: &str = "Rotate the VPN pre-shared keys";
const ID: &str = "Custom.RotateTheVPNPreSharedKeys";

fn list(query: &str) -> String {
    format!("/tenants/{CONTOSO_ID}/actions{query}")
}

/// The add form's fields for the test action, ten points, binary.
fn fields<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("tenant_id", CONTOSO_ID),
        ("title", TITLE),
        ("category", "Infrastructure"),
        ("product", ""),
        ("max_points", "10"),
        ("scoring", "binary"),
        ("unit", ""),
        ("description", "Keys older than a year are stale."),
        ("cost", "Low"),
        ("impact", "Low"),
    ]
}

/// The edit form as the flyout sends it: the add fields plus the action and where to go back.
fn edit_fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = fields();
    f.extend([("action_id", ID), ("back", "")]);
    for (k, v) in changes {
        if let Some(slot) = f.iter_mut().find(|(name, _)| name == k) {
            slot.1 = v;
        } else {
            f.push((k, v));
        }
    }
    f.retain(|(k, v)| *k != "back" || !v.is_empty());
    f
}

async fn admin_with_action() -> (TestServer, String) {
    let s = crate::common::demo_server().await;
    let cookie = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let r = s.post_form("/api/add_custom_action", &form(&fields()), Some(&cookie)).await;
    assert_eq!(r.location.as_deref(), Some(list(&format!("/{ID}?saved=1")).as_str()), "{}", r.body);
    (s, cookie)
}

async fn live(s: &TestServer) -> service::live::LiveScore {
    service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.expect("live")
}

async fn custom(s: &TestServer) -> Vec<score::ImprovementAction> {
    s.state.store.custom_actions(CONTOSO_ID).await.expect("custom actions")
}

async fn audit_len(s: &TestServer) -> usize {
    s.state.store.audit_trail(CONTOSO_ID, 10_000).await.expect("audit").len()
}

/// Posts as a script does (no HTML wanted): errors come back as statuses.
async fn post_api(s: &TestServer, uri: &str, body: &str, cookie: &str) -> crate::common::Reply {
    s.call(uri, body, Some(cookie)).await
}

#[tokio::test]
async fn an_edit_shows_in_the_list_the_score_and_the_audit_trail() {
    let (s, cookie) = admin_with_action().await;
    let max = live(&s).await.score.max;
    let page = s.get(&list(&format!("/{ID}")), Some(&cookie)).await.body;
    assert!(page.contains("id=\"edit-custom-action\""), "read-write users get the edit form");
    assert!(page.contains(&format!("value=\"{TITLE}\"")), "filled with the current title");
    assert!(page.contains("id=\"confirm-delete\""), "and the delete button");

    let back = list(&format!("?category=Apps&action={ID}"));
    let changes = [
        ("title", "Rotate VPN keys every year"),
        ("category", "Apps"),
        ("max_points", "4"),
        ("scoring", "partial"),
        ("unit", "gateways"),
        ("description", "Now with a <b>unit</b>."),
        ("back", back.as_str()),
    ];
    let r = s.post_form("/api/edit_custom_action", &form(&edit_fields(&changes)), Some(&cookie)).await;
    assert_eq!(r.location, Some(format!("{back}&saved=1")), "{}", r.body);

    let shown = s.get(&back, Some(&cookie)).await.body;
    assert!(listed_actions(&shown).contains(&ID.to_owned()), "listed under its new category, same id");
    assert!(shown.contains(">Rotate VPN keys every year</a>"), "the list shows the new title");
    assert!(!shown.contains(&format!(">{TITLE}</a>")));
    assert!(shown.contains("Now with a &lt;b&gt;unit&lt;/b&gt;."), "the description is text, never markup");
    assert_eq!(live(&s).await.score.max, max - Points::whole(6), "the maximum follows the new points");
    let line = &s.state.store.audit_trail(CONTOSO_ID, 1).await.expect("audit")[0];
    assert_eq!((line.kind.as_str(), line.actor.as_str()), ("custom_action.edit", "admin@contoso.example"));
    assert!(line.before.contains(TITLE) && line.after.contains("Rotate VPN keys every year"));
}

#[tokio::test]
async fn each_bad_field_is_named_and_changes_nothing() {
    let (s, cookie) = admin_with_action().await;
    let other = [("title", "Another custom action")];
    let mut second = fields();
    second[1] = other[0];
    assert_eq!(
        s.post_form("/api/add_custom_action", &form(&second), Some(&cookie)).await.status,
        StatusCode::FOUND
    );
    let (before, lines) = (custom(&s).await, audit_len(&s).await);
    let long_description = "d".repeat(4_001);
    let long_product = "p".repeat(61);
    let cases: [(&str, &str, &str, &str); 11] = [
        ("title", " ", "custom_title", "Title: enter 1–200 characters"),
        ("title", "Another custom action", "custom_exists", "Title: this tenant already has"),
        ("category", "Network", "custom_category", "Category: choose Identity"),
        ("product", &long_product, "custom_product", "Product: at most 60 characters"),
        ("max_points", "0", "custom_max_points", "Max points: enter a whole number from 1 to 10."),
        ("max_points", "11", "custom_max_points", "Max points: enter a whole number from 1 to 10."),
        ("max_points", "ten", "custom_max_points", "Max points:"),
        ("scoring", "sometimes", "custom_scoring", "Scoring: choose binary or partial."),
        ("scoring", "partial", "custom_unit", "Unit: partial scoring needs what it counts"),
        ("description", &long_description, "custom_description", "Description: at most 4,000 characters."),
        ("cost", "Free", "custom_level", "Cost and user impact: choose Low, Moderate or High."),
    ];
    for (field, value, code, message) in cases {
        let body = form(&edit_fields(&[(field, value)]));
        let r = s.post_form("/api/edit_custom_action", &body, Some(&cookie)).await;
        let expected = list(&format!("/{ID}?error={code}"));
        assert_eq!(r.location.as_deref(), Some(expected.as_str()), "{field}={value:.20}");
        let page = s.get(&expected, Some(&cookie)).await.body;
        assert!(page.contains(message), "{code}: the page names the field");
        // A script gets a 400 naming the field.
        let r = post_api(&s, "/api/edit_custom_action", &body, &cookie).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}");
        let named = if code == "custom_level" { "cost".to_owned() } else { code.replace("custom_", "") };
        let named = if named == "exists" { "title".to_owned() } else { named };
        assert!(r.body.contains(&named), "{code}: {}", r.body);
    }
    assert_eq!(custom(&s).await, before, "no action changed");
    assert_eq!(audit_len(&s).await, lines, "nothing was audited");
}

#[tokio::test]
async fn only_read_write_roles_of_the_tenant_edit_or_delete_its_custom_actions() {
    let (s, admin) = admin_with_action().await;
    let (before, lines) = (custom(&s).await, audit_len(&s).await);
    let edit = form(&edit_fields(&[("title", "Hijacked")]));
    let delete = form(&[("tenant_id", CONTOSO_ID), ("action_id", ID)]);

    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    for (path, body) in [("/api/edit_custom_action", &edit), ("/api/delete_custom_action", &delete)] {
        let r = post_api(&s, path, body, &reader).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        assert!(r.body.contains("read-only role"), "{}", r.body);
    }
    let page = s.get(&list(&format!("/{ID}")), Some(&reader)).await.body;
    assert!(page.contains(TITLE), "readers see the action");
    assert!(
        !page.contains("edit-custom-action") && !page.contains("confirm-delete"),
        "but no edit or delete"
    );

    // An administrator of another tenant reaches neither Contoso nor its action through their own tenant.
    let store = s.state.store.as_ref();
    let peer = s.peer_tenant().await;
    let hash = app::auth::secrets::hash_password(DEMO_PASSWORD).expect("hash");
    let outsider = store.create_user("outsider@peer.example", "Outsider", &hash, "test").await.expect("user");
    store
        .grant_role(&peer.id, &outsider.id, score::roles::Role::GlobalAdministrator, "test")
        .await
        .expect("grant");
    let outsider = s.sign_in("outsider@peer.example", DEMO_PASSWORD).await;
    for (path, body) in [("/api/edit_custom_action", &edit), ("/api/delete_custom_action", &delete)] {
        let r = post_api(&s, path, body, &outsider).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path} on Contoso: {}", r.body);
        let own_tenant = body.replace(CONTOSO_ID, &peer.id);
        let r = post_api(&s, path, &own_tenant, &outsider).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path} through their own tenant: {}", r.body);
    }

    // Built-in actions are the shipped catalog's: nobody edits or deletes them.
    let built_in = s.state.catalog[0].id.clone();
    let mut edit_built_in = edit_fields(&[]);
    edit_built_in.iter_mut().for_each(|f| {
        if f.0 == "action_id" {
            f.1 = &built_in
        }
    });
    for (path, body) in [
        ("/api/edit_custom_action", form(&edit_built_in)),
        ("/api/delete_custom_action", form(&[("tenant_id", CONTOSO_ID), ("action_id", &built_in)])),
    ] {
        let r = post_api(&s, path, &body, &admin).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(r.body.contains("Built-in actions cannot be edited"), "{}", r.body);
    }
    let missing = form(&[("tenant_id", CONTOSO_ID), ("action_id", "Custom.NoSuchAction")]);
    assert_eq!(
        post_api(&s, "/api/delete_custom_action", &missing, &admin).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!s.get(&list(&format!("/{built_in}")), Some(&admin)).await.body.contains("edit-custom-action"));

    assert_eq!(custom(&s).await, before, "nothing changed");
    assert_eq!(audit_len(&s).await, lines, "nothing was audited");
    assert_eq!(live(&s).await.action(&built_in), s.state.catalog.first());
}

#[tokio::test]
async fn a_delete_leaves_the_list_and_live_score_while_history_keeps_earlier_days() {
    let (s, cookie) = admin_with_action().await;
    let store = s.state.store.as_ref();
    // Resolved through a third party, it earns its ten points; yesterday's snapshot holds them.
    let resolve = form(&[("tenant_id", CONTOSO_ID), ("action_id", ID), ("status", "ThirdParty")]);
    assert_eq!(s.post_form("/api/update_action", &resolve, Some(&cookie)).await.status, StatusCode::FOUND);
    let today = chrono::Utc::now().date_naive();
    let yesterday = today - chrono::Duration::days(1);
    server::jobs::snapshot_all(store, &s.state.catalog, yesterday, chrono::Utc::now())
        .await
        .expect("snapshot");
    let kept = store.snapshots(CONTOSO_ID, yesterday, yesterday).await.expect("snapshots");
    let with = live(&s).await.score;

    let delete = form(&[("tenant_id", CONTOSO_ID), ("action_id", ID)]);
    let r = s.post_form("/api/delete_custom_action", &delete, Some(&cookie)).await;
    let after_delete = list(&format!("?deleted={}", encode(ID)));
    assert_eq!(r.location.as_deref(), Some(after_delete.as_str()), "{}", r.body);
    let without = live(&s).await.score;
    assert_eq!(
        (without.current, without.max),
        (with.current - Points::whole(10), with.max - Points::whole(10)),
        "the live score drops its points and its maximum"
    );
    let page = s.get(&after_delete, Some(&cookie)).await.body;
    assert!(!listed_actions(&page).contains(&ID.to_owned()), "gone from the list");
    assert!(page.contains(&format!("Deleted “{TITLE}”")), "the notice names it");
    assert!(page.contains(&format!("data-restore=\"{ID}\"")), "with a way back");
    let all = s.get(&list("?status=All"), Some(&cookie)).await.body;
    assert!(!listed_actions(&all).contains(&ID.to_owned()), "not behind any filter either");
    let csv = s.get(&format!("/tenants/{CONTOSO_ID}/actions.csv?status=All"), Some(&cookie)).await.body;
    assert!(!csv.contains(ID), "nor in the export");
    assert_eq!(s.get(&list(&format!("/{ID}")), Some(&cookie)).await.status, StatusCode::NOT_FOUND);
    let line = &store.audit_trail(CONTOSO_ID, 1).await.expect("audit")[0];
    assert_eq!((line.kind.as_str(), line.subject.as_str()), ("custom_action.delete", ID));

    // Today's snapshot records it leaving; yesterday keeps its points.
    server::jobs::snapshot_all(store, &s.state.catalog, today, chrono::Utc::now()).await.expect("snapshot");
    assert_eq!(store.snapshots(CONTOSO_ID, yesterday, yesterday).await.expect("snapshots"), kept);
    let then = store.action_points_on(CONTOSO_ID, yesterday).await.expect("points");
    assert_eq!(then.get(ID).map(|p| p.points), Some(Points::whole(10)), "yesterday is not rewritten");
    assert!(!store.action_points_on(CONTOSO_ID, today).await.expect("points").contains_key(ID));
    let left = store.action_changes(CONTOSO_ID, today, today).await.expect("changes");
    let left = left.iter().find(|c| c.change.id == ID).expect("today records the action leaving");
    assert_eq!((left.change.cause, left.change.delta), (score::snapshot::Cause::Removed, -Points::whole(10)));
    let history = s.get(&format!("/tenants/{CONTOSO_ID}/history?range=7d"), Some(&cookie)).await.body;
    assert!(history.contains(TITLE), "the history still names the deleted action");

    // Restore is the undo: the action, its status and its points come back.
    let restore = form(&[("tenant_id", CONTOSO_ID), ("action_id", ID)]);
    let r = s.post_form("/api/restore_custom_action", &restore, Some(&cookie)).await;
    assert_eq!(r.location, Some(list(&format!("/{ID}?restored=1"))));
    assert_eq!(live(&s).await.score, with);
    assert!(listed_actions(&s.get(&list("?status=All"), Some(&cookie)).await.body).contains(&ID.to_owned()));
}

#[tokio::test]
async fn a_new_action_with_a_deleted_ones_title_starts_afresh() {
    let (s, cookie) = admin_with_action().await;
    let delete = form(&[("tenant_id", CONTOSO_ID), ("action_id", ID)]);
    assert_eq!(
        s.post_form("/api/delete_custom_action", &delete, Some(&cookie)).await.status,
        StatusCode::FOUND
    );
    let r = s.post_form("/api/add_custom_action", &form(&fields()), Some(&cookie)).await;
    let fresh = format!("{ID}2");
    assert_eq!(r.location, Some(list(&format!("/{fresh}?saved=1"))), "a new id, so no inherited history");
    let ids: Vec<String> = custom(&s).await.into_iter().map(|a| a.id).collect();
    assert_eq!(ids, [fresh]);
    let deleted = s.state.store.deleted_custom_actions(CONTOSO_ID).await.expect("deleted");
    assert_eq!(deleted.len(), 1, "the deleted one stays restorable");
}
