//! The guards every request passes, as an attacker with a read-write role sees them:
//! cross-site writes, links built from a forged Host header, framing and script injection
//! (security headers), formulas in CSV exports, and server functions fed bad arguments.

use crate::common::{demo_server, demo_server_at, TestServer, SITE};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};
use tower::ServiceExt;

/// An action shared in the tests (sharing a completed one is fine).
const ACTION: &str = "AdminMFAV2";
/// An action whose status people set (risk accepted in the demo, so not locked).
const EDITED: &str = "TeamsExternalAccessRestricted";

fn form_post(uri: &str) -> axum::http::request::Builder {
    Request::post(uri)
        .header(header::HOST, "rampart.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
}

async fn note_of(s: &TestServer, action: &str) -> String {
    let records = s.state.store.control_records(CONTOSO_ID).await.expect("records");
    records.into_iter().find(|r| r.action_id == action).map(|r| r.note).unwrap_or_default()
}

/// A session cookie for a new Global administrator of Contoso called `email`.
async fn admin_session(s: &TestServer, email: &str) -> String {
    let store = s.state.store.as_ref();
    let user = store.create_user(email, "Someone", "not-a-hash", "test").await.expect("user");
    store
        .grant_role(CONTOSO_ID, &user.id, score::roles::Role::GlobalAdministrator, "test")
        .await
        .expect("grant");
    s.session_of(&user.id).await
}

fn update(note: &str) -> String {
    format!("tenant_id={CONTOSO_ID}&action_id={EDITED}&status=Planned&note={note}&due_date=&assignee=&tags=")
}

#[tokio::test]
async fn writes_without_a_matching_origin_are_refused_and_change_nothing() {
    let s = demo_server().await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let before = note_of(&s, EDITED).await;
    let sign_in = format!("email=admin%40contoso.example&password={DEMO_PASSWORD}");
    // (what the request lacks or gets wrong, extra headers)
    let forged: [(&str, &[(&str, &str)]); 4] = [
        ("neither Origin nor Referer", &[]),
        ("the other scheme", &[("origin", "https://rampart.test")]),
        ("another port", &[("origin", "http://rampart.test:8080")]),
        ("a cross-site fetch", &[("sec-fetch-site", "cross-site")]),
    ];
    for (what, extra) in forged {
        let mut req = form_post("/api/update_action").header(header::COOKIE, &admin);
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let r = s.send(req.body(Body::from(update("forged"))).expect("request")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{what}: {}", r.body);
        // In the shape a server function's caller reads every refusal in.
        let refusal: app::error::AppError = serde_json::from_str(&r.body).expect("an AppError");
        assert!(
            matches!(&refusal, app::error::AppError::Forbidden(why) if why.starts_with("cross-site request refused")),
            "{what}: {refusal:?}"
        );
        let mut req = form_post("/api/sign_in");
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let r = s.send(req.body(Body::from(sign_in.clone())).expect("request")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "sign-in with {what}");
        assert!(r.set_cookie.is_none(), "no session from a forged sign-in");
    }
    let tokens = form_post(&format!("/tenants/{CONTOSO_ID}/tokens"))
        .header(header::COOKIE, &admin)
        .body(Body::from("name=x&scope=SecurityEvents.Read.All"))
        .expect("request");
    let r = s.send(tokens).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "plain form routes too");
    assert_eq!(note_of(&s, EDITED).await, before, "no refused write went through");

    // The browser's own word that the page is this server's is enough, as is the Origin.
    let r = s
        .send(
            form_post("/api/update_action")
                .header(header::COOKIE, &admin)
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(update("fetched")))
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(note_of(&s, EDITED).await, "fetched");
    let r = s.call("/api/update_action", &update("posted"), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(note_of(&s, EDITED).await, "posted");
}

#[tokio::test]
async fn with_a_public_url_only_its_origin_may_write() {
    let public = "https://rampart.contoso.example";
    let s = demo_server_at(server::share::ShareConfig::default(), Some(public)).await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    // The Host says rampart.test and the Origin agrees, but users reach the server elsewhere.
    let r = s
        .send(
            form_post("/api/update_action")
                .header(header::COOKIE, &admin)
                .header(header::ORIGIN, SITE)
                .body(Body::from(update("host-trusting")))
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = s.call("/api/update_action", &update("from-the-public-url"), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(note_of(&s, EDITED).await, "from-the-public-url");
}

#[tokio::test]
async fn token_calls_need_no_origin() {
    let s = demo_server().await;
    let (secret, _) = s.api_token("admin@contoso.example", CONTOSO_ID, "SecurityEvents.ReadWrite.All").await;
    let r = s
        .send(
            Request::patch(format!("/v1.0/security/secureScoreControlProfiles/{EDITED}"))
                .header(header::HOST, "rampart.test")
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"state":"Reviewed","comment":"by script"}"#))
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(note_of(&s, EDITED).await, "by script");
}

#[tokio::test]
async fn without_a_public_url_sharing_is_refused_naming_the_setting() {
    let hook = common_receiver().await;
    let s = demo_server_at(config(&hook), None).await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let share = format!("/tenants/{CONTOSO_ID}/actions/{ACTION}/share");
    // A browser goes back to the form, which says what the operator must set.
    let r = s.post_form(&share, "target=webhook&message=hi", Some(&admin)).await;
    let back = r.location.expect("back to the form");
    assert!(back.contains("error=share_no_public_url") && back.contains("message=hi"), "{back}");
    let page = s.get(&back, Some(&admin)).await.body;
    assert!(page.contains("RAMPART_PUBLIC_URL"), "the page names the setting");
    // A script gets a 4xx naming it.
    let r = s.call(&share, "target=webhook&message=hi", Some(&admin)).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.body.contains("RAMPART_PUBLIC_URL"), "{}", r.body);
    assert!(hook.requests().is_empty(), "nothing was posted");
    // The copy box does not invent an address either: the link is relative to this page.
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/actions/{ACTION}"), Some(&admin)).await.body;
    assert!(page.contains(&format!("value=\"/tenants/{CONTOSO_ID}/actions/{ACTION}\"")), "copy box");
}

#[tokio::test]
async fn a_forged_host_header_does_not_reach_a_shared_link() {
    let hook = common_receiver().await;
    let public = "https://rampart.contoso.example";
    let s = demo_server_at(config(&hook), Some(public)).await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let r = s
        .send(
            Request::post(format!("/tenants/{CONTOSO_ID}/actions/{ACTION}/share"))
                .header(header::HOST, "evil.example")
                .header("x-forwarded-host", "evil.example")
                .header(header::ORIGIN, public)
                .header(header::ACCEPT, "text/html")
                .header(header::COOKIE, &admin)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("target=webhook"))
                .expect("request"),
        )
        .await;
    assert!(r.location.is_some_and(|l| l.ends_with("done=shared_webhook")));
    let text = hook.requests()[0].body["text"].as_str().expect("text").to_owned();
    assert!(text.contains(&format!("{public}/tenants/{CONTOSO_ID}/actions/{ACTION}")), "{text}");
    assert!(!text.contains("evil.example"), "{text}");
}

use crate::share_receivers;

async fn common_receiver() -> share_receivers::Receiver {
    share_receivers::Receiver::start(StatusCode::OK, "ok").await
}

fn config(hook: &share_receivers::Receiver) -> server::share::ShareConfig {
    let url = hook.url("/hook");
    server::share::ShareConfig::from_lookup(|k| (k == "RAMPART_WEBHOOK_URL").then(|| url.clone()))
        .expect("share settings")
}

fn header_of(resp: &axum::response::Response, name: &str) -> String {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let s = demo_server().await;
    let site = tempfile::tempdir().expect("site dir");
    std::fs::write(site.path().join("rampart.css"), "body{}").expect("asset");
    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("rampart")
        .site_root(site.path().display().to_string())
        .build();
    let app = server::http::router(server::http::ServerState::new(leptos, s.state.clone()));
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let answers = [
        // The list of improvement actions is a page with an island: its script is inline.
        ("a page", format!("/tenants/{CONTOSO_ID}/actions"), StatusCode::OK),
        ("an asset", "/rampart.css".to_owned(), StatusCode::OK),
        ("a missing page", "/no/such/page".to_owned(), StatusCode::NOT_FOUND),
        ("the API", "/v1.0/security/secureScores".to_owned(), StatusCode::UNAUTHORIZED),
        ("a server function", "/api/whoami".to_owned(), StatusCode::OK),
    ];
    for (what, uri, status) in answers {
        let method = if uri.starts_with("/api/") { Method::POST } else { Method::GET };
        let req = Request::builder()
            .method(method.clone())
            .uri(&uri)
            .header(header::HOST, "rampart.test")
            .header(header::ORIGIN, SITE)
            .header(header::ACCEPT, if method == Method::POST { "application/json" } else { "text/html" })
            .header(header::COOKIE, &admin)
            .body(Body::empty())
            .expect("request");
        let resp = app.clone().oneshot(req).await.expect("response");
        assert_eq!(resp.status(), status, "{what}");
        let csp = header_of(&resp, "content-security-policy");
        for part in ["default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"]
        {
            assert!(csp.contains(part), "{what}: {part} in {csp}");
        }
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{what}: {csp}");
        assert_eq!(header_of(&resp, "x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header_of(&resp, "referrer-policy"), "same-origin", "{what}");
        assert_eq!(header_of(&resp, "strict-transport-security"), "", "{what}: plain HTTP gets no HSTS");
        if what == "a page" {
            // Every inline script the page holds runs by the nonce this response allows.
            let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce");
            let bytes = axum::body::to_bytes(resp.into_body(), 10 << 20).await.expect("body");
            let page = String::from_utf8_lossy(&bytes);
            let inline: Vec<&str> = page
                .split("<script")
                .skip(1)
                .filter(|tag| !tag.split('>').next().unwrap_or("").contains("src="))
                .collect();
            assert!(!inline.is_empty(), "the page hydrates its island with an inline script");
            for tag in inline {
                assert!(
                    tag.starts_with(&format!(" type=\"module\" nonce=\"{nonce}\""))
                        || tag.starts_with(&format!(" nonce=\"{nonce}\"")),
                    "<script{}",
                    &tag[..tag.len().min(80)]
                );
            }
        }
    }
    // Behind HTTPS, browsers are told to stay on it.
    let s =
        demo_server_at(server::share::ShareConfig::default(), Some("https://rampart.contoso.example")).await;
    let resp = s
        .app
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).expect("request"))
        .await
        .expect("response");
    assert!(header_of(&resp, "strict-transport-security").starts_with("max-age="));
}

/// Reads a CSV answer back with the csv crate: the header, then the lines.
fn parse_csv(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader.headers().expect("a header").iter().map(str::to_owned).collect();
    let lines =
        reader.records().map(|r| r.expect("a CSV line").iter().map(str::to_owned).collect()).collect();
    (header, lines)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name} in {header:?}"))
}

#[tokio::test]
async fn formulas_typed_into_rampart_come_out_of_every_csv_as_text() {
    let s = demo_server().await;
    let formula = "=HYPERLINK(\"http://evil.example\",\"Open\")";
    // The person typing it has an address that starts like a formula too.
    let mallory = admin_session(&s, "=1+2@contoso.example").await;
    let encoded: String = form_urlencoded::byte_serialize(formula.as_bytes()).collect();
    let r = s
        .call(
            "/api/add_custom_action",
            &format!(
                "tenant_id={CONTOSO_ID}&title={encoded}&category=Apps&product=Teams&max_points=2\
                 &scoring=binary&unit=&description=&cost=Low&impact=Low"
            ),
            Some(&mallory),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = s.call("/api/update_action", &update(&encoded), Some(&mallory)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let guarded = format!("'{formula}");
    // History lists a change once the day's snapshot holds it.
    let now = chrono::Utc::now();
    server::jobs::snapshot_all(s.state.store.as_ref(), &s.state.catalog, now.date_naive(), now)
        .await
        .expect("snapshot");

    let actions = s.get(&format!("/tenants/{CONTOSO_ID}/actions.csv"), Some(&mallory)).await;
    assert_eq!(actions.status, StatusCode::OK);
    let (header, lines) = parse_csv(&actions.body);
    let title = column(&header, "Title");
    assert!(lines.iter().any(|l| l[title] == guarded), "the custom title is text in actions.csv");
    assert!(lines.iter().all(|l| !l[title].starts_with('=')));

    let history = s.get(&format!("/tenants/{CONTOSO_ID}/history.csv?range=30d"), Some(&mallory)).await;
    assert_eq!(history.status, StatusCode::OK);
    let (header, lines) = parse_csv(&history.body);
    let (note, who, delta) =
        (column(&header, "Note"), column(&header, "Who"), column(&header, "Points delta"));
    let line = lines.iter().find(|l| l[note] == guarded).expect("the note is text in history.csv");
    assert_eq!(line[who], "'=1+2@contoso.example");
    // Numbers stay numbers a spreadsheet can add up, a minus sign included.
    assert!(lines.iter().all(|l| l[delta].parse::<f64>().is_ok()), "every delta is a number");

    let audit = s.get(&format!("/tenants/{CONTOSO_ID}/audit.csv"), Some(&mallory)).await;
    assert_eq!(audit.status, StatusCode::OK);
    let (header, lines) = parse_csv(&audit.body);
    let who = column(&header, "who");
    assert!(lines.iter().any(|l| l[who] == "'=1+2@contoso.example"), "the actor is text in audit.csv");
    assert!(
        lines.iter().flatten().all(|cell| !cell.starts_with(['=', '+', '-', '@'])),
        "no cell runs as a formula"
    );
    let trail = s.state.store.audit_trail(CONTOSO_ID, 1_000_000).await.expect("trail");
    assert_eq!(lines.len(), trail.len(), "the streamed export holds the whole trail");
}

#[tokio::test]
async fn every_server_function_refuses_unreadable_arguments_with_a_400() {
    let s = demo_server().await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let mut failures = Vec::new();
    let paths: Vec<String> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_owned()).collect();
    assert!(paths.len() > 20, "{paths:?}");
    for path in paths.iter().filter(|p| !p.ends_with("/sign_out")) {
        for (what, body) in
            [("an empty body", ""), ("a malformed body", "tenant_id[=%ZZ&&=&goal_percent=x&range[]")]
        {
            let r = s.call(path, body, Some(&admin)).await;
            // Functions without arguments may simply answer; none may fail as the server's fault.
            let ok = r.status.is_success()
                || (r.status.is_client_error()
                    && serde_json::from_str::<app::error::AppError>(&r.body).is_ok()
                    && !r.body.contains("Transport"));
            if !ok {
                failures.push(format!(
                    "{path} with {what}: {} {}",
                    r.status,
                    r.body.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "unreadable arguments not refused as bad input:\n{}", failures.join("\n"));
    // The refusal names the field that is missing.
    let r = s.call("/api/set_zones", &format!("tenant_id={CONTOSO_ID}&good_from=70"), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let err: app::error::AppError = serde_json::from_str(&r.body).expect("an AppError");
    assert_eq!(err, app::error::AppError::invalid("okay_from", "this field is required."));
}
