//! Signing in and the account itself, over real HTTP: where sign-in may send people,
//! throttling that cannot lock the real user out, trusted proxies, password changes,
//! signing out everywhere, the operator's password reset, token lifetimes, and granting
//! access without telling who has an account.

use crate::common::{demo_server, demo_server_configured, TestServer};
use axum::http::StatusCode;
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};

const ADMIN: &str = "admin@contoso.example";
const READER: &str = "reader@contoso.example";

fn form(email: &str, password: &str) -> String {
    format!("email={}&password={password}&next=%2F", email.replace('@', "%40"))
}

/// The error code a refused sign-in sends the browser back with, or "signed in".
fn outcome(r: &crate::common::Reply) -> String {
    if r.set_cookie.as_deref().is_some_and(|c| c.starts_with("rampart_session=") && !c.contains("Max-Age=0"))
    {
        return "signed in".into();
    }
    let location = r.location.clone().unwrap_or_default();
    location.split("error=").nth(1).unwrap_or("no error code").to_owned()
}

async fn sign_in_from(s: &TestServer, peer: &str, email: &str, password: &str) -> String {
    outcome(&s.post_form_from(peer, "/api/sign_in", &form(email, password), &[]).await)
}

/// Whether the session cookie still signs its holder in.
async fn signed_in(s: &TestServer, cookie: &str) -> bool {
    let r = s.call("/api/whoami", "", Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body.contains("email")
}

#[tokio::test]
async fn sign_in_sends_people_only_to_pages_of_this_site() {
    let s = demo_server().await;
    let cases = [
        ("%2Ftenants%2Fx%2Fsettings%3Frange%3D90d", "/tenants/x/settings?range=90d"),
        ("%2F%09%2Fevil.example%2F", "/"),
        ("%2F%2Fevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%2F%01", "/"),
        ("%2F%0D%0ASet-Cookie%3A+x%3D1", "/"),
        ("%2Fa+b", "/"),
        ("https%3A%2F%2Fevil.example%2F", "/"),
        // Encoded once more: a browser or proxy that decodes it would find `//evil.example`.
        ("%2F%252F%252Fevil.example", "/"),
        ("%2F%255Cevil.example", "/"),
        ("%2F%2509%2Fevil.example", "/"),
        ("", "/"),
    ];
    for (next, expected) in cases {
        let body = format!("email=admin%40contoso.example&password={DEMO_PASSWORD}&next={next}");
        let r = s.post_form("/api/sign_in", &body, None).await;
        assert!(r.status.is_redirection(), "next={next}: {} {}", r.status, r.body);
        assert_eq!(r.location.as_deref(), Some(expected), "next={next}");
        assert!(r.set_cookie.is_some(), "next={next}: still signed in");
    }
    // A wrong password with a hostile `next`: the way back to the form keeps only a safe one.
    let r =
        s.post_form("/api/sign_in", "email=admin%40contoso.example&password=nope&next=%2F%01", None).await;
    assert_eq!(r.location.as_deref(), Some("/sign-in?next=/&error=credentials"));
    // The sign-in page itself renders with a hostile `next` and offers the safe one.
    let page = s.get("/sign-in?next=%2F%01", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"name="next" value="/""#), "{}", page.body);
}

#[tokio::test]
async fn guesses_from_one_address_never_lock_the_user_out_from_another() {
    let s = demo_server().await;
    let (attacker, user) = ("198.51.100.7", "203.0.113.20");
    for i in 1..=5 {
        assert_eq!(sign_in_from(&s, attacker, ADMIN, "wrong-guess").await, "credentials", "guess {i}");
    }
    assert_eq!(sign_in_from(&s, attacker, ADMIN, "wrong-guess").await, "throttled");
    assert_eq!(
        sign_in_from(&s, attacker, ADMIN, DEMO_PASSWORD).await,
        "throttled",
        "the right password from the guessing address is not even checked"
    );
    assert_eq!(sign_in_from(&s, user, ADMIN, DEMO_PASSWORD).await, "signed in", "the real user gets in");
    // The guessing address has its own budget for all accounts, refused attempts included:
    // 7 are spent above.
    for i in 0..(app::auth::sign_in::MAX_ATTEMPTS_PER_ADDRESS - 7) {
        let email = format!("nobody{i}@contoso.example");
        assert_eq!(sign_in_from(&s, attacker, &email, "wrong-guess").await, "credentials", "{email}");
    }
    assert_eq!(sign_in_from(&s, attacker, READER, DEMO_PASSWORD).await, "throttled", "address budget spent");
    assert_eq!(sign_in_from(&s, user, READER, DEMO_PASSWORD).await, "signed in");
}

#[tokio::test]
async fn a_burst_of_parallel_guesses_gets_no_more_checks_than_the_budget() {
    let s = demo_server().await;
    let body = form(ADMIN, "wrong-guess");
    let json = [("accept", "application/json")];
    let guesses = (0..20).map(|_| s.post_form_from("198.51.100.8", "/api/sign_in", &body, &json));
    let replies = futures::future::join_all(guesses).await;
    let count = |status| replies.iter().filter(|r| r.status == status).count();
    let (checked, throttled) = (count(StatusCode::BAD_REQUEST), count(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(checked + throttled, 20, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(checked, 5, "exactly the budget reaches the password check");
    let wrong = replies.iter().find(|r| r.status == StatusCode::BAD_REQUEST).expect("a checked guess");
    assert!(wrong.body.contains("password"), "names the field: {}", wrong.body);
    let refused = replies.iter().find(|r| r.status == StatusCode::TOO_MANY_REQUESTS).expect("a refusal");
    assert_eq!(refused.retry_after.as_deref(), Some("900"));
}

#[tokio::test]
async fn forwarded_for_counts_only_behind_a_trusted_proxy() {
    let proxy = "10.0.0.5";
    let via = |client: &'static str| [("x-forwarded-for", client)];
    // No trusted proxy: the header is the caller's to write and is ignored.
    let s = demo_server().await;
    for i in 0..5 {
        let r = s
            .post_form_from(
                proxy,
                "/api/sign_in",
                &form(ADMIN, "wrong"),
                &[("x-forwarded-for", &format!("192.0.2.{i}"))],
            )
            .await;
        assert_eq!(outcome(&r), "credentials");
    }
    let r = s.post_form_from(proxy, "/api/sign_in", &form(ADMIN, DEMO_PASSWORD), &via("192.0.2.99")).await;
    assert_eq!(outcome(&r), "throttled", "a made-up X-Forwarded-For does not buy a fresh budget");

    // Behind a trusted proxy: the right-most address it did not add is the client.
    let s = demo_server_configured(server::share::ShareConfig::default(), |state| {
        state.trusted_proxies =
            app::auth::client_address::TrustedProxies::parse("10.0.0.0/8").expect("ranges");
    })
    .await;
    for _ in 0..5 {
        let r = s.post_form_from(proxy, "/api/sign_in", &form(ADMIN, "wrong"), &via("192.0.2.1")).await;
        assert_eq!(outcome(&r), "credentials");
    }
    let r = s.post_form_from(proxy, "/api/sign_in", &form(ADMIN, DEMO_PASSWORD), &via("192.0.2.1")).await;
    assert_eq!(outcome(&r), "throttled", "the guessing client is throttled");
    // A client prepending a fake address gets no fresh budget: the proxy appended the real one.
    let r = s
        .post_form_from(proxy, "/api/sign_in", &form(ADMIN, DEMO_PASSWORD), &via("192.0.2.50, 192.0.2.1"))
        .await;
    assert_eq!(outcome(&r), "throttled");
    let r = s.post_form_from(proxy, "/api/sign_in", &form(ADMIN, DEMO_PASSWORD), &via("192.0.2.2")).await;
    assert_eq!(outcome(&r), "signed in", "another client behind the same proxy signs in");
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let s = demo_server().await;
    let here = s.sign_in(READER, DEMO_PASSWORD).await;
    let elsewhere = s.sign_in(READER, DEMO_PASSWORD).await;
    let page = s.get("/account", Some(&here)).await;
    assert!(page.body.contains("id=\"password-form\"") && page.body.contains(READER), "{}", page.body);

    let new = "a-brand-new-password";
    let refusals = [
        (
            format!("current_password=wrong-password&new_password={new}&confirm_password={new}"),
            "current_password",
        ),
        (format!("current_password=&new_password={new}&confirm_password={new}"), "current_password"),
        (
            format!("current_password={DEMO_PASSWORD}&new_password=short&confirm_password=short"),
            "new_password",
        ),
        (
            format!("current_password={DEMO_PASSWORD}&new_password={new}&confirm_password={new}x"),
            "confirm_password",
        ),
    ];
    for (body, field) in &refusals {
        let r = s.call("/api/change_password", body, Some(&here)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
        assert!(r.body.contains(field), "names {field}: {}", r.body);
        // A browser is sent back to the form with the reason.
        let r = s.post_form("/api/change_password", body, Some(&here)).await;
        assert_eq!(r.location, Some(format!("/account?error={field}")));
    }
    assert!(signed_in(&s, &elsewhere).await, "refused changes end no session");
    assert_eq!(sign_in_from(&s, "192.0.2.10", READER, DEMO_PASSWORD).await, "signed in", "nor the password");

    let body = format!("current_password={DEMO_PASSWORD}&new_password={new}&confirm_password={new}");
    let r = s.post_form("/api/change_password", &body, Some(&here)).await;
    assert_eq!(r.location.as_deref(), Some("/account?done=password"), "{} {}", r.status, r.body);
    assert!(signed_in(&s, &here).await, "the session that changed it stays signed in");
    assert!(!signed_in(&s, &elsewhere).await, "every other session ended");
    let page = s.get("/account?done=password", Some(&here)).await;
    assert!(page.body.contains("Password changed."), "{}", page.body);
    assert_eq!(sign_in_from(&s, "192.0.2.11", READER, DEMO_PASSWORD).await, "credentials", "old password");
    assert_eq!(sign_in_from(&s, "192.0.2.11", READER, new).await, "signed in", "new password");

    // Anonymous callers are asked to sign in, and the page sends them there.
    let r = s.call("/api/change_password", &body, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let page = s.get("/account", None).await;
    assert!(
        page.location.as_deref().is_some_and(|l| l.starts_with("/sign-in?next=/account")),
        "{:?}",
        page.location
    );
}

#[tokio::test]
async fn an_open_session_is_no_licence_to_guess_the_current_password() {
    let s = demo_server().await;
    let here = s.sign_in(READER, DEMO_PASSWORD).await;
    let new = "a-brand-new-password";
    let guess =
        |current: &str| format!("current_password={current}&new_password={new}&confirm_password={new}");
    for i in 0..app::auth::sign_in::MAX_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS {
        let r = s.call("/api/change_password", &guess("wrong-guess"), Some(&here)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "guess {i}: {}", r.body);
    }
    let r = s.call("/api/change_password", &guess(DEMO_PASSWORD), Some(&here)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let r = s.post_form("/api/change_password", &guess(DEMO_PASSWORD), Some(&here)).await;
    assert_eq!(r.location.as_deref(), Some("/account?error=throttled"));
    assert_eq!(
        sign_in_from(&s, "192.0.2.12", READER, DEMO_PASSWORD).await,
        "signed in",
        "password unchanged"
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_user_only() {
    let s = demo_server().await;
    let (here, elsewhere) = (s.sign_in(READER, DEMO_PASSWORD).await, s.sign_in(READER, DEMO_PASSWORD).await);
    let someone_else = s.sign_in(ADMIN, DEMO_PASSWORD).await;
    let page = s.get("/account", Some(&here)).await;
    assert!(page.body.contains("Sign out everywhere"), "{}", page.body);
    let r = s.post_form("/api/sign_out_everywhere", "", Some(&here)).await;
    assert_eq!(r.location.as_deref(), Some("/sign-in"));
    assert!(r.set_cookie.as_deref().is_some_and(|c| c.contains("Max-Age=0")), "{:?}", r.set_cookie);
    assert!(!signed_in(&s, &here).await && !signed_in(&s, &elsewhere).await);
    assert!(signed_in(&s, &someone_else).await, "other people stay signed in");
    let r = s.call("/api/sign_out_everywhere", "", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[test]
fn the_operator_sets_a_password_and_ends_every_session() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let server = |args: &[&str], password: Option<&str>, stdin: &str| {
        use std::io::Write;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"));
        cmd.args(args).env("DATABASE_URL", &url).env("RUST_LOG", "error").env_remove("RAMPART_PASSWORD");
        if let Some(p) = password {
            cmd.env("RAMPART_PASSWORD", p);
        }
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("server runs");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
        let out = child.wait_with_output().expect("server ends");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = server(&["user", "add", "ann@example.com"], Some("first-password-1"), "");
    assert!(ok, "{out}");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let common = server::config::Common { database_url: url.clone(), catalog: None };
    let session = rt.block_on(async {
        let state = server::startup::open_app_state(&common).await.expect("store");
        let user = state.store.user_by_email("ann@example.com").await.expect("user");
        let now = chrono::Utc::now();
        let session = store::Session {
            token_hash: "ann-browser".into(),
            user_id: user.id,
            created_at: now,
            expires_at: now + chrono::Duration::hours(1),
        };
        state.store.create_session(&session).await.expect("session");
        state.store.close().await;
        session
    });

    let (ok, out) = server(&["user", "set-password", "ann@example.com"], None, "short\n");
    assert!(!ok && out.contains("password: use at least 10 characters"), "{out}");
    let (ok, out) = server(&["user", "set-password", "nobody@example.com"], Some("second-password-2"), "");
    assert!(!ok && out.contains("nobody@example.com"), "{out}");
    let (ok, out) = server(&["user", "set-password", "ann@example.com"], None, "second-password-2\n");
    assert!(ok && out.contains("password of ann@example.com set"), "{out}");

    rt.block_on(async {
        let state = server::startup::open_app_state(&common).await.expect("store");
        let user = state.store.user_by_email("ann@example.com").await.expect("user");
        assert!(app::auth::secrets::verify_password("second-password-2", &user.password_hash));
        assert!(!app::auth::secrets::verify_password("first-password-1", &user.password_hash));
        let now = chrono::Utc::now();
        assert_eq!(state.store.session(&session.token_hash, now).await.expect("lookup"), None, "signed out");
        state.store.close().await;
    });
}

#[tokio::test]
async fn tokens_live_no_longer_than_the_servers_maximum() {
    let s = demo_server_configured(server::share::ShareConfig::default(), |state| state.token_max_days = 30)
        .await;
    let admin = s.sign_in(ADMIN, DEMO_PASSWORD).await;
    let tokens = format!("/tenants/{CONTOSO_ID}/tokens");
    let before = s
        .state
        .store
        .api_tokens_of_user(&s.state.store.user_by_email(ADMIN).await.expect("admin").id)
        .await
        .expect("tokens");

    // A script asking for longer than allowed gets a 400 naming the field; nothing is made.
    let r =
        s.call(&tokens, "name=too-long&scope=SecurityEvents.Read.All&expires_days=31", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("expires_days") && r.body.contains("30"), "{}", r.body);
    let r = s
        .post_form(&tokens, "name=too-long&scope=SecurityEvents.Read.All&expires_days=31", Some(&admin))
        .await;
    assert_eq!(r.location, Some(format!("/tenants/{CONTOSO_ID}/settings?error=token_expiry")));
    let user_id = s.state.store.user_by_email(ADMIN).await.expect("admin").id;
    assert_eq!(s.state.store.api_tokens_of_user(&user_id).await.expect("tokens").len(), before.len());

    // No expiry asked for: the token gets the maximum, not forever.
    let r = s
        .post_form(&tokens, "name=no-expiry&scope=SecurityEvents.Read.All&expires_days=", Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let made = s.state.store.api_tokens_of_user(&user_id).await.expect("tokens");
    let token = made.iter().find(|t| t.name == "no-expiry").expect("token made");
    let days = token.expires_at.map(|e| (e - token.created_at).num_days());
    assert_eq!(days, Some(30));
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&admin)).await;
    let expected = (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    assert!(page.body.contains(&expected), "the Settings list shows its expiry {expected}");
    assert!(page.body.contains("at most 30"), "the form says the maximum");

    // A token past its expiry is refused by the API.
    let secret = format!("rmp_{}", app::auth::secrets::new_secret().expect("secret"));
    let now = chrono::Utc::now();
    s.state
        .store
        .create_api_token(
            &store::ApiToken {
                id: "expired-token".into(),
                token_hash: app::auth::secrets::hash_secret(&secret),
                user_id,
                tenant_id: CONTOSO_ID.into(),
                name: "expired".into(),
                scope: "SecurityEvents.Read.All".into(),
                created_at: now - chrono::Duration::days(31),
                expires_at: Some(now - chrono::Duration::days(1)),
                revoked_at: None,
            },
            ADMIN,
        )
        .await
        .expect("token");
    let req = axum::http::Request::get("/v1.0/security/secureScores")
        .header("authorization", format!("Bearer {secret}"))
        .body(axum::body::Body::empty())
        .expect("request");
    let r = s.send(req).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(r.body.contains("expired"), "{}", r.body);

    // A token stored without an expiry (made before tokens had to have one) lives no longer
    // than a new one could: 30 days here.
    for (id, age_days, works) in [("old-31", 31, false), ("old-29", 29, true)] {
        let secret = format!("rmp_{}", app::auth::secrets::new_secret().expect("secret"));
        let user_id = s.state.store.user_by_email(ADMIN).await.expect("admin").id;
        let token = store::ApiToken {
            id: id.into(),
            token_hash: app::auth::secrets::hash_secret(&secret),
            user_id,
            tenant_id: CONTOSO_ID.into(),
            name: id.into(),
            scope: "SecurityEvents.Read.All".into(),
            created_at: now - chrono::Duration::days(age_days),
            expires_at: None,
            revoked_at: None,
        };
        s.state.store.create_api_token(&token, ADMIN).await.expect("token");
        let req = axum::http::Request::get("/v1.0/security/secureScores")
            .header("authorization", format!("Bearer {secret}"))
            .body(axum::body::Body::empty())
            .expect("request");
        let status = s.send(req).await.status;
        assert_eq!(status == StatusCode::OK, works, "{id}: {status}");
    }
}

#[tokio::test]
async fn granting_access_answers_the_same_whether_or_not_the_address_has_an_account() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    store.create_user("has-account@partner.example", "Has", "not-a-hash", "test").await.expect("user");
    let admin = s.sign_in(ADMIN, DEMO_PASSWORD).await;
    let grant =
        |email: &str| format!("tenant_id={CONTOSO_ID}&email={}&role=GlobalReader", email.replace('@', "%40"));
    let known = s.post_form("/api/grant_access", &grant("has-account@partner.example"), Some(&admin)).await;
    let unknown = s.post_form("/api/grant_access", &grant("no-account@partner.example"), Some(&admin)).await;
    assert_eq!((known.status, &known.location), (unknown.status, &unknown.location));
    assert_eq!(known.location, Some(format!("/tenants/{CONTOSO_ID}/settings?done=granted")));
    let known = s.call("/api/grant_access", &grant("has-account@partner.example"), Some(&admin)).await;
    let unknown = s.call("/api/grant_access", &grant("another-unknown@partner.example"), Some(&admin)).await;
    assert_eq!(
        (known.status, &known.body),
        (unknown.status, &unknown.body),
        "scripts get the same answer too"
    );

    // Both are listed alike; the new address has an account nobody can sign in to yet.
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings?done=granted"), Some(&admin)).await;
    for email in ["has-account@partner.example", "no-account@partner.example"] {
        assert!(page.body.contains(&format!("<td>{email}</td>")), "{email} listed");
    }
    assert!(page.body.contains("Access granted."));
    assert_eq!(
        sign_in_from(&s, "192.0.2.30", "no-account@partner.example", "anything-at-all").await,
        "credentials"
    );

    // Not an email address: refused, naming the field, and nobody is made.
    let r = s.call("/api/grant_access", &grant("not an email"), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("email"), "{}", r.body);
    assert!(matches!(store.user_by_email("not an email").await, Err(store::StoreError::NotFound(_))));
}
