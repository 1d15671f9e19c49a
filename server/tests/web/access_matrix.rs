//! Every server function, called as each of the ten roles, as a user of another tenant,
//! and anonymously: allowed or refused exactly as SPEC §5 says. A server function that is
//! registered but missing from the matrix fails the test, so no endpoint escapes review.

use crate::common::{demo_server, TestServer};
use axum::http::StatusCode;
use score::roles::Role;
use server::demo::CONTOSO_ID;
use std::collections::BTreeSet;

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy)]
enum Needs {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in; answers only with the caller's own tenants.
    SignedIn,
    /// Any role in the tenant.
    TenantRead,
    /// Any role in the tenant, on an id the input names: allowed, and a bad id is an answer
    /// about the input (400), the same for every role.
    TenantReadInput,
    /// A read-write role in the tenant.
    TenantWrite,
}

/// (server function path, who may call it, form arguments for Contoso).
fn matrix() -> Vec<(&'static str, Needs, String)> {
    vec![
        ("/api/sign_in", Needs::Public, "email=x%40y.example&password=wrong-password".into()),
        ("/api/whoami", Needs::Public, String::new()),
        ("/api/portfolio", Needs::SignedIn, String::new()),
        ("/api/portfolio_tools", Needs::SignedIn, String::new()),
        ("/api/overview", Needs::TenantRead, format!("tenant_id={CONTOSO_ID}")),
        ("/api/settings", Needs::TenantRead, format!("tenant_id={CONTOSO_ID}")),
        (
            "/api/grant_access",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&email=matrix-target%40contoso.example&role=GlobalReader"),
        ),
        (
            "/api/revoke_access",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&user_id=00000000-0000-4000-8000-000000000000"),
        ),
        // A token id no one has: every caller with a role gets the same refusal (400 naming
        // the token), so a token's existence cannot be learnt from another's id.
        (
            "/api/revoke_token",
            Needs::TenantReadInput,
            format!("tenant_id={CONTOSO_ID}&token_id=00000000-0000-4000-8000-000000000000"),
        ),
        ("/api/improvement_actions", Needs::TenantRead, format!("tenant_id={CONTOSO_ID}")),
        ("/api/score_history", Needs::TenantRead, format!("tenant_id={CONTOSO_ID}&range=90d")),
        ("/api/metrics", Needs::TenantRead, format!("tenant_id={CONTOSO_ID}&range=90d")),
        ("/api/report", Needs::TenantRead, format!("tenant_id={CONTOSO_ID}&range=30d")),
        ("/api/portfolio_alerts", Needs::SignedIn, String::new()),
        (
            "/api/add_portfolio_alert_rule",
            Needs::SignedIn,
            "name=Matrix&condition=score_below&threshold=50\
             &webhook_url=https%3A%2F%2Fhooks.example%2Fx&webhook_secret=a-long-enough-secret"
                .into(),
        ),
        ("/api/delete_portfolio_alert_rule", Needs::SignedIn, "rule_id=00000000000000000000000000000000".into()),
        ("/api/test_portfolio_alert_rule", Needs::SignedIn, "rule_id=00000000000000000000000000000000".into()),
        ("/api/portfolio_reports", Needs::SignedIn, String::new()),
        (
            "/api/add_portfolio_report_schedule",
            Needs::SignedIn,
            "cadence=weekly&emails=ciso%40provider.example".into(),
        ),
        (
            "/api/delete_portfolio_report_schedule",
            Needs::SignedIn,
            "schedule_id=00000000000000000000000000000000".into(),
        ),
        // Email is off on the test server: writers get a 400 naming the field.
        (
            "/api/add_report_schedule",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&cadence=weekly&emails=ciso%40contoso.example"),
        ),
        (
            "/api/delete_report_schedule",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&schedule_id=00000000000000000000000000000000"),
        ),
        ("/api/sync_now", Needs::TenantWrite, format!("tenant_id={CONTOSO_ID}")),
        (
            "/api/connect_m365",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&directory_id=x&client_id=y&client_secret=z"),
        ),
        ("/api/sync_m365", Needs::TenantWrite, format!("tenant_id={CONTOSO_ID}")),
        ("/api/disconnect_m365", Needs::TenantWrite, format!("tenant_id={CONTOSO_ID}")),
        ("/api/set_zones", Needs::TenantWrite, format!("tenant_id={CONTOSO_ID}&okay_from=40&good_from=70")),
        ("/api/set_licenses", Needs::TenantWrite, format!("tenant_id={CONTOSO_ID}&licenses%5B%5D=Microsoft+365+E3")),
        ("/api/set_goal", Needs::TenantWrite, format!("tenant_id={CONTOSO_ID}&goal_percent=90&goal_by=2999-12-31")),
        (
            "/api/add_comparison",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&name=Matrix+peers&seat_buckets%5B%5D=3&seat_buckets%5B%5D=4&seat_buckets%5B%5D=5"),
        ),
        // An id no tenant has: writers get a 400 naming the field, everyone else a refusal.
        (
            "/api/rename_comparison",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&comparison_id=00000000-0000-4000-8000-000000000000&name=Renamed"),
        ),
        (
            "/api/delete_comparison",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&comparison_id=00000000-0000-4000-8000-000000000000"),
        ),
        ("/api/improvement_action", Needs::TenantRead, format!("tenant_id={CONTOSO_ID}&action_id=AdminMFAV2")),
        (
            "/api/update_action",
            Needs::TenantWrite,
            format!(
                "tenant_id={CONTOSO_ID}&action_id=AdminMFAV2&status=Planned&note=matrix&due_date=&assignee=&tags="
            ),
        ),
        // A change id that is never the latest: writers get a 400 naming the change.
        (
            "/api/undo_status",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&action_id=AdminMFAV2&change_id=0"),
        ),
        (
            "/api/add_custom_action",
            Needs::TenantWrite,
            format!(
                "tenant_id={CONTOSO_ID}&title=Matrix+check&category=Apps&product=Teams&max_points=2\
                 &scoring=binary&unit=&description=&cost=Low&impact=Low"
            ),
        ),
        // The action the line above adds: edited, deleted, then restored. Repeating a delete
        // or a restore changes nothing and answers OK, so every writer gets the same answer.
        (
            "/api/edit_custom_action",
            Needs::TenantWrite,
            format!(
                "tenant_id={CONTOSO_ID}&action_id=Custom.MatrixCheck&title=Matrix+check&category=Data\
                 &product=Teams&max_points=3&scoring=binary&unit=&description=edited&cost=Low&impact=Low"
            ),
        ),
        (
            "/api/delete_custom_action",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&action_id=Custom.MatrixCheck"),
        ),
        (
            "/api/restore_custom_action",
            Needs::TenantWrite,
            format!("tenant_id={CONTOSO_ID}&action_id=Custom.MatrixCheck"),
        ),
        (
            "/api/add_alert_rule",
            Needs::TenantWrite,
            format!(
                "tenant_id={CONTOSO_ID}&name=Matrix&condition=score_below&threshold=50\
                 &webhook_url=https%3A%2F%2Fhooks.example%2Fx&webhook_secret=a-long-enough-secret"
            ),
        ),
        ("/api/test_alert_rule", Needs::TenantWrite, format!("tenant_id={CONTOSO_ID}&rule_id=none")),
        ("/api/delete_alert_rule", Needs::TenantWrite, format!("tenant_id={CONTOSO_ID}&rule_id=none")),
        // A wrong current password (the matrix users have none): signed-in callers get a 400
        // naming the field, anonymous ones a 401.
        (
            "/api/change_password",
            Needs::SignedIn,
            "current_password=wrong-password&new_password=a-new-password&confirm_password=a-new-password".into(),
        ),
        // Last: these end the caller's session.
        ("/api/sign_out_everywhere", Needs::SignedIn, String::new()),
        ("/api/sign_out", Needs::Public, String::new()),
    ]
}

/// A session cookie for a new user holding `role` in `tenant` (None: no role anywhere).
async fn session_for(s: &TestServer, name: &str, role: Option<(Role, &str)>) -> String {
    let store = s.state.store.as_ref();
    let user =
        store.create_user(&format!("{name}@matrix.example"), name, "not-a-hash", "test").await.expect("user");
    if let Some((role, tenant)) = role {
        store.grant_role(tenant, &user.id, role, "test").await.expect("grant");
    }
    s.session_of(&user.id).await
}

fn refused(status: StatusCode) -> bool {
    matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
}

#[tokio::test]
async fn every_server_function_is_in_the_matrix() {
    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
    let reviewed: BTreeSet<String> = matrix().into_iter().map(|(p, _, _)| p.to_owned()).collect();
    let missing: Vec<&String> = registered.difference(&reviewed).collect();
    assert!(missing.is_empty(), "server functions without an access rule in the matrix: {missing:?}");
}

#[tokio::test]
async fn each_role_other_tenants_and_anonymous_get_what_spec_allows() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    store.create_user("matrix-target@contoso.example", "Target", "not-a-hash", "test").await.expect("target");
    let peer = s.peer_tenant().await;
    let mut callers: Vec<(String, Option<Role>, Option<String>)> = Vec::new();
    for role in Role::ALL {
        let cookie = session_for(&s, role.as_str(), Some((role, CONTOSO_ID))).await;
        callers.push((role.as_str().to_owned(), Some(role), Some(cookie)));
    }
    let outsider = session_for(&s, "outsider", Some((Role::GlobalAdministrator, peer.id.as_str()))).await;
    callers.push(("admin of another tenant".into(), None, Some(outsider)));
    callers.push(("anonymous".into(), None, None));

    let mut failures = Vec::new();
    for (path, needs, form) in matrix() {
        for (who, role, cookie) in &callers {
            let r = s.call(path, &form, cookie.as_deref()).await;
            let signed_in = cookie.is_some();
            let ok = match needs {
                Needs::Public => !refused(r.status),
                Needs::SignedIn => signed_in != (r.status == StatusCode::UNAUTHORIZED),
                Needs::TenantRead => match role {
                    Some(_) => r.status == StatusCode::OK,
                    None if signed_in => r.status == StatusCode::NOT_FOUND,
                    None => r.status == StatusCode::UNAUTHORIZED,
                },
                Needs::TenantReadInput => match role {
                    Some(_) => r.status == StatusCode::BAD_REQUEST && r.body.contains("token"),
                    None if signed_in => r.status == StatusCode::NOT_FOUND,
                    None => r.status == StatusCode::UNAUTHORIZED,
                },
                Needs::TenantWrite => match role {
                    // Allowed; a repeated call may be refused as invalid input (a duplicate
                    // custom action), which is an answer about the input, not about access.
                    Some(role) if role.can_write() => {
                        r.status == StatusCode::OK || r.status == StatusCode::BAD_REQUEST
                    }
                    Some(_) => r.status == StatusCode::FORBIDDEN,
                    None if signed_in => r.status == StatusCode::NOT_FOUND,
                    None => r.status == StatusCode::UNAUTHORIZED,
                },
            };
            if !ok {
                failures.push(format!(
                    "{path} as {who}: {} {}",
                    r.status,
                    r.body.chars().take(120).collect::<String>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "unexpected answers:\n{}", failures.join("\n"));
    // Read-only callers changed nothing: the target still holds no role unless a writer granted it.
    let trail = store.audit_trail(CONTOSO_ID, 500).await.expect("audit");
    let grants = trail
        .iter()
        .filter(|a| a.kind == "membership.grant" && a.subject.starts_with("matrix-target"))
        .count();
    assert_eq!(grants, 4, "one grant per read-write role, none from the six read-only roles");
}
