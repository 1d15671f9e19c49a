//! API tokens: made in Settings, shown once, stored as a hash, revocable, and honoured
//! as bearer tokens only within their tenant, scope, expiry and the user's role.

use crate::common::demo_server;
use axum::http::{HeaderMap, StatusCode};
use score::roles::Access;
use server::bearer::authorize_bearer;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};

fn bearer(token: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("authorization", format!("Bearer {token}").parse().expect("header"));
    h
}

fn token_from(page: &str) -> String {
    let start = page.find("rmp_").expect("the page shows the token");
    page[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

#[tokio::test]
async fn a_token_is_shown_once_kept_as_a_hash_and_acts_within_its_limits() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let r = s
        .post_form(
            &format!("/tenants/{CONTOSO_ID}/tokens"),
            "name=nightly+%3Cexport%3E&scope=SecurityEvents.ReadWrite.All&expires_days=30",
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("nightly &lt;export&gt;"), "the name is escaped");
    let secret = token_from(&r.body);
    assert_eq!(secret.len(), 4 + 64);
    let settings = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&admin)).await.body;
    assert!(
        settings.contains("nightly &lt;export&gt;") && !settings.contains(&secret),
        "listed, never re-shown"
    );

    let now = chrono::Utc::now();
    let grant =
        authorize_bearer(store, &bearer(&secret), Access::Write, now, 365).await.expect("valid token");
    assert_eq!((grant.tenant_id.as_str(), grant.access), (CONTOSO_ID, Access::Write));
    let wrong =
        authorize_bearer(store, &bearer("rmp_0000"), Access::Read, now, 365).await.expect_err("unknown");
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let missing =
        authorize_bearer(store, &HeaderMap::new(), Access::Read, now, 365).await.expect_err("missing");
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    let later = now + chrono::Duration::days(31);
    let expired =
        authorize_bearer(store, &bearer(&secret), Access::Read, later, 365).await.expect_err("expired");
    assert_eq!(expired.message, "The token has expired.");

    // Revoked through the page: refused from then on.
    let id = store.api_tokens_of_user(&grant.user_id).await.expect("tokens")[0].id.clone();
    let r = s
        .post_form("/api/revoke_token", &format!("tenant_id={CONTOSO_ID}&token_id={id}"), Some(&admin))
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/tenants/{CONTOSO_ID}/settings?done=token_revoked").as_str())
    );
    let revoked =
        authorize_bearer(store, &bearer(&secret), Access::Read, now, 365).await.expect_err("revoked");
    assert_eq!(revoked.message, "The token has been revoked.");
}

#[tokio::test]
async fn a_read_only_user_s_write_token_only_reads() {
    let s = demo_server().await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let r = s
        .post_form(
            &format!("/tenants/{CONTOSO_ID}/tokens"),
            "name=ro&scope=SecurityEvents.ReadWrite.All&expires_days=",
            Some(&reader),
        )
        .await;
    let secret = token_from(&r.body);
    let store = s.state.store.as_ref();
    let now = chrono::Utc::now();
    let read = authorize_bearer(store, &bearer(&secret), Access::Read, now, 365).await.expect("reads");
    assert_eq!(read.access, Access::Read, "the lesser of scope and role");
    let write =
        authorize_bearer(store, &bearer(&secret), Access::Write, now, 365).await.expect_err("no writes");
    assert_eq!(write.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_token_requests_change_nothing_and_the_audit_export_needs_a_writer() {
    let s = demo_server().await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    for (form, code) in [
        ("name=&scope=SecurityEvents.Read.All&expires_days=", "token_name"),
        ("name=x&scope=Everything&expires_days=", "token_scope"),
        ("name=x&scope=SecurityEvents.Read.All&expires_days=9999", "token_expiry"),
        ("name=x&scope=SecurityEvents.Read.All&expires_days=soon", "token_expiry"),
    ] {
        let r = s.post_form(&format!("/tenants/{CONTOSO_ID}/tokens"), form, Some(&admin)).await;
        assert_eq!(r.location, Some(format!("/tenants/{CONTOSO_ID}/settings?error={code}")), "{form}");
    }
    let me = s.state.store.user_by_email("admin@contoso.example").await.expect("admin");
    assert!(s.state.store.api_tokens_of_user(&me.id).await.expect("tokens").is_empty());
    // Another tenant's token page and export answer like an unknown tenant.
    let peer = s.peer_tenant().await;
    let r = s
        .post_form(
            &format!("/tenants/{}/tokens", peer.id),
            "name=x&scope=SecurityEvents.Read.All",
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let csv = s.get(&format!("/tenants/{CONTOSO_ID}/audit.csv"), Some(&admin)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("when,who,what,subject,before,after\r\n"));
    assert!(csv.body.contains("membership.grant"));
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    assert_eq!(
        s.get(&format!("/tenants/{CONTOSO_ID}/audit.csv"), Some(&reader)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        s.get(&format!("/tenants/{CONTOSO_ID}/audit.csv"), None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn the_operator_makes_a_token_on_the_command_line_within_the_users_role() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let rampart = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "error")
            .output()
            .expect("rampart runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.success(), stdout, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    assert!(rampart(&["seed-demo"]).0);
    let (ok, secret, said) = rampart(&[
        "user",
        "token",
        "reader@contoso.example",
        "--tenant",
        CONTOSO_ID,
        "--scope",
        "SecurityEvents.ReadWrite.All",
        "--days",
        "2",
        "--name",
        "sync agent",
    ]);
    assert!(ok, "{said}");
    let secret = secret.trim().to_owned();
    assert!(secret.starts_with("rmp_") && !said.contains(&secret), "printed once, on stdout: {said}");
    // Nobody without a role in the tenant gets one, nor a made-up scope or lifetime.
    let (ok, _, said) = rampart(&["user", "token", "reader@contoso.example", "--tenant", "another-tenant"]);
    assert!(!ok && said.contains("has no role"), "{said}");
    let (ok, _, said) =
        rampart(&["user", "token", "reader@contoso.example", "--tenant", CONTOSO_ID, "--scope", "All"]);
    assert!(!ok && said.contains("scope"), "{said}");
    let (ok, _, said) =
        rampart(&["user", "token", "reader@contoso.example", "--tenant", CONTOSO_ID, "--days", "0"]);
    assert!(!ok && said.contains("--days"), "{said}");

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let common = server::config::Common { database_url: url.clone(), catalog: None };
        let state = server::startup::open_app_state(&common).await.expect("store");
        let store = state.store.as_ref();
        let now = chrono::Utc::now();
        // The reader's write token only reads, as one made in Settings would.
        let grant = authorize_bearer(store, &bearer(&secret), Access::Read, now, 365).await.expect("valid");
        assert_eq!(grant.tenant_id, CONTOSO_ID);
        let refused = authorize_bearer(store, &bearer(&secret), Access::Write, now, 365).await;
        assert_eq!(refused.expect_err("read-only role").status, StatusCode::FORBIDDEN);
        let later = now + chrono::Duration::days(3);
        assert!(
            authorize_bearer(store, &bearer(&secret), Access::Read, later, 365).await.is_err(),
            "expired"
        );
        let kept = &store.api_tokens_of_user(&grant.user_id).await.expect("tokens")[0];
        assert_eq!(kept.name, "sync agent");
        assert!(kept.token_hash != secret, "only the hash is kept");
        let trail = store.audit_trail(CONTOSO_ID, 5).await.expect("audit");
        assert!(trail.iter().any(|e| e.kind == "token.create" && e.actor.starts_with("cli")), "{trail:?}");
        state.store.close().await;
    });
}
