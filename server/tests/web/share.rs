//! Sharing an improvement action against real receivers: an aiosmtpd SMTP server in a child
//! process, and HTTP servers on local ports standing in for a Teams/Slack webhook and
//! ServiceNow's Table API. Nothing of Rampart's own is replaced.

use crate::common::{demo_server_at, demo_server_with, TestServer};
use crate::share_receivers::{closed_port, Receiver, SmtpServer};
use axum::http::{header, StatusCode};
use server::demo::{CONTOSO_ID, DEMO_PASSWORD};
use server::share::ShareConfig;
use std::time::Duration;

const ACTION: &str = "AdminMFAV2";

fn share_url(action: &str) -> String {
    format!("/tenants/{CONTOSO_ID}/actions/{action}/share")
}

fn page_url() -> String {
    format!("/tenants/{CONTOSO_ID}/actions/{ACTION}")
}

/// The deep link as the share sends it: `post_form` says the browser reached `rampart.test`.
fn deep_link() -> String {
    format!("http://rampart.test/tenants/{CONTOSO_ID}/actions/{ACTION}")
}

fn config(vars: &[(&str, String)]) -> ShareConfig {
    ShareConfig::from_lookup(|k| vars.iter().find(|(name, _)| *name == k).map(|(_, v)| v.clone()))
        .expect("valid share settings")
}

fn title(s: &TestServer) -> String {
    s.state.catalog.iter().find(|a| a.id == ACTION).expect("demo action").title.clone()
}

async fn shares_in_audit(s: &TestServer) -> Vec<store::AuditEntry> {
    let trail = s.state.store.audit_trail(CONTOSO_ID, 100).await.expect("audit");
    trail.into_iter().filter(|a| a.kind == "action.share").collect()
}

#[tokio::test]
async fn email_reaches_a_real_smtp_server() {
    let smtp = SmtpServer::start();
    let s = demo_server_with(config(&[
        ("RAMPART_SMTP_URL", smtp.url()),
        ("RAMPART_SMTP_FROM", "Rampart <rampart@contoso.example>".into()),
    ]))
    .await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let r = s
        .post_form(
            &share_url(ACTION),
            "target=email&to=Sam%40contoso.example%2C+kim%40contoso.example&message=Please+fix+this+week",
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some(format!("{}?done=shared_email", page_url()).as_str()));

    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"], serde_json::json!(["sam@contoso.example", "kim@contoso.example"]));
    assert_eq!(m["mail_from"], "rampart@contoso.example");
    assert_eq!(m["content_type"], "text/plain");
    assert!(m["subject"].as_str().expect("subject").contains(&title(&s)), "{m}");
    let body = m["body"].as_str().expect("body");
    for part in
        [deep_link().as_str(), "Please fix this week", "Tenant: Contoso", "admin@contoso.example", "Points: "]
    {
        assert!(body.contains(part), "{part:?} in {body}");
    }

    let audit = shares_in_audit(&s).await;
    assert_eq!(audit.len(), 1);
    assert_eq!((audit[0].actor.as_str(), audit[0].subject.as_str()), ("admin@contoso.example", ACTION));
    assert!(
        audit[0].after.contains("\"target\":\"email\"") && audit[0].after.contains("kim@contoso.example")
    );

    let page = s.get(r.location.as_deref().expect("location"), Some(&admin)).await;
    assert!(page.body.contains("Shared by email."));
}

#[tokio::test]
async fn a_webhook_gets_plain_text_with_the_link() {
    let hook = Receiver::start(StatusCode::OK, "ok").await;
    let s = demo_server_with(config(&[("RAMPART_WEBHOOK_URL", hook.url("/services/T0/B0/secret"))])).await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let r = s
        .post_form(
            &share_url(ACTION),
            "target=webhook&message=%3Cb%3Enow%3C%2Fb%3E+%3C%21channel%3E",
            Some(&admin),
        )
        .await;
    assert_eq!(r.location.as_deref(), Some(format!("{}?done=shared_webhook", page_url()).as_str()));
    let got = hook.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/services/T0/B0/secret");
    assert_eq!(got[0].content_type.as_deref(), Some("application/json"));
    let text = got[0].body["text"].as_str().expect("a text field");
    assert!(text.contains(&deep_link()) && text.contains(&title(&s)), "{text}");
    assert!(text.contains("&lt;b&gt;now&lt;/b&gt; &lt;!channel&gt;") && !text.contains('<'), "{text}");
    let audit = shares_in_audit(&s).await;
    assert_eq!(audit.len(), 1);
    assert!(audit[0].after.contains("webhook") && !audit[0].after.contains("secret"), "{}", audit[0].after);
}

#[tokio::test]
async fn a_servicenow_ticket_is_created_stored_and_shown() {
    let sn =
        Receiver::start(StatusCode::CREATED, r#"{"result":{"number":"CHG0030001","sys_id":"abc"}}"#).await;
    let s = demo_server_with(config(&[
        ("RAMPART_SERVICENOW_URL", sn.url("/")),
        ("RAMPART_SERVICENOW_USER", "rampart".into()),
        ("RAMPART_SERVICENOW_PASSWORD", "s3cret".into()),
    ]))
    .await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let r = s.post_form(&share_url(ACTION), "target=servicenow&message=Window+on+Friday", Some(&admin)).await;
    assert_eq!(r.location.as_deref(), Some(format!("{}?done=shared_servicenow", page_url()).as_str()));

    let got = sn.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/api/now/table/change_request");
    assert_eq!(got[0].authorization.as_deref(), Some("Basic cmFtcGFydDpzM2NyZXQ="));
    assert_eq!(got[0].accept.as_deref(), Some("application/json"));
    let short = got[0].body["short_description"].as_str().expect("short_description");
    assert!(short.contains(&title(&s)), "{short}");
    let description = got[0].body["description"].as_str().expect("description");
    assert!(description.contains(&deep_link()) && description.contains("Window on Friday"), "{description}");

    let link = format!("{}/nav_to.do?uri=change_request.do?sys_id=abc", sn.url(""));
    let tickets = s.state.store.action_tickets(CONTOSO_ID, ACTION).await.expect("tickets");
    assert_eq!(tickets.len(), 1);
    assert_eq!((tickets[0].number.as_str(), tickets[0].url.as_str()), ("CHG0030001", link.as_str()));
    assert_eq!(tickets[0].created_by, "admin@contoso.example");
    let audit = shares_in_audit(&s).await;
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0].after.contains("CHG0030001") && !audit[0].after.contains("s3cret"),
        "{}",
        audit[0].after
    );

    let page = s.get(&page_url(), Some(&admin)).await.body;
    assert!(page.contains("CHG0030001") && page.contains(&format!("href=\"{link}\"")), "ticket listed");
    // Everyone in the tenant sees the ticket; only read-write roles can open one.
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    assert!(s.get(&page_url(), Some(&reader)).await.body.contains("CHG0030001"), "readers see tickets");
}

#[tokio::test]
async fn unreachable_targets_say_so_and_lose_nothing() {
    let port = closed_port();
    let s = demo_server_with(config(&[
        ("RAMPART_SMTP_URL", format!("smtp://127.0.0.1:{port}")),
        ("RAMPART_SMTP_FROM", "rampart@contoso.example".into()),
        ("RAMPART_WEBHOOK_URL", format!("http://127.0.0.1:{port}/hook")),
        ("RAMPART_SERVICENOW_URL", format!("http://127.0.0.1:{port}")),
        ("RAMPART_SERVICENOW_USER", "rampart".into()),
        ("RAMPART_SERVICENOW_PASSWORD", "s3cret".into()),
    ]))
    .await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    for (target, says) in [
        ("email", "nothing was sent"),
        ("webhook", "nothing was posted"),
        ("servicenow", "ServiceNow did not answer or refused the request; no ticket was created"),
    ] {
        let form = format!("target={target}&to=sam%40contoso.example&message=Keep+me+%26+my+%3Cwords%3E");
        let r = s.post_form(&share_url(ACTION), &form, Some(&admin)).await;
        let location = r.location.expect("back to the form");
        assert!(location.contains(&format!("error=share_failed_{target}")), "{location}");
        let page = s.get(&location, Some(&admin)).await.body;
        assert!(page.contains(says), "{target}: the page says what failed");
        assert!(page.contains("Keep me &amp; my &lt;words&gt;</textarea>"), "{target}: the message is kept");
        assert!(!page.contains("s3cret") && !page.contains("Connection refused"), "no internals shown");
        // A script gets the same words with 502.
        let r = s.call(&share_url(ACTION), &form, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::BAD_GATEWAY);
        assert!(r.body.contains(says));
    }
    assert!(shares_in_audit(&s).await.is_empty(), "nothing audited");
    assert!(s.state.store.action_tickets(CONTOSO_ID, ACTION).await.expect("tickets").is_empty());
}

#[tokio::test]
async fn readers_cannot_share_and_see_no_forms() {
    let hook = Receiver::start(StatusCode::OK, "ok").await;
    let s = demo_server_with(config(&[("RAMPART_WEBHOOK_URL", hook.url("/hook"))])).await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let r = s.post_form(&share_url(ACTION), "target=webhook&message=hi", Some(&reader)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let anonymous = s.post_form(&share_url(ACTION), "target=webhook&message=hi", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    // A page of another site posting with an administrator's cookie is refused too.
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let forged = axum::http::Request::post(share_url(ACTION))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "rampart.test")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, admin)
        .body(axum::body::Body::from("target=webhook&message=hi"))
        .expect("request");
    assert_eq!(s.send(forged).await.status, StatusCode::FORBIDDEN);
    assert!(hook.requests().is_empty(), "nothing sent");
    assert!(shares_in_audit(&s).await.is_empty());
    let page = s.get(&page_url(), Some(&reader)).await.body;
    assert!(page.contains("id=\"share-link\"") && !page.contains("id=\"share-webhook\""));
    assert!(page.contains("sharing needs a read-write role"));
}

#[tokio::test]
async fn bad_fields_are_named_and_nothing_is_sent() {
    let smtp = SmtpServer::start();
    let hook = Receiver::start(StatusCode::OK, "ok").await;
    let s = demo_server_with(config(&[
        ("RAMPART_SMTP_URL", smtp.url()),
        ("RAMPART_SMTP_FROM", "rampart@contoso.example".into()),
        ("RAMPART_WEBHOOK_URL", hook.url("/hook")),
    ]))
    .await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let long = "x".repeat(2_001);
    let many: Vec<String> = (0..21).map(|i| format!("p{i}%40contoso.example")).collect();
    let huge = "y".repeat(100_000);
    let cases = [
        ("target=email&to=not-an-email".to_owned(), "share_to", "To: enter 1–20 email addresses"),
        (format!("target=email&to={}", many.join("%2C")), "share_to", "To: enter 1–20 email addresses"),
        ("target=email&to=a%40b.example%0D%0ABcc%3A+c%40d.example".to_owned(), "share_to", "To:"),
        (format!("target=webhook&message={long}"), "share_message", "Message: at most 2,000 characters"),
        ("target=webhook&message=bell%07".to_owned(), "share_message", "Message:"),
        (format!("target=webhook&message={huge}"), "share_message", "Message: at most 2,000 characters"),
        ("target=fax".to_owned(), "share_target", "Share target: choose"),
        ("target=servicenow".to_owned(), "share_target_off", "not configured by the operator"),
    ];
    for (form, code, says) in cases {
        let r = s.post_form(&share_url(ACTION), &form, Some(&admin)).await;
        let location = r.location.unwrap_or_else(|| panic!("{form}: {} {}", r.status, r.body));
        assert!(location.contains(&format!("error={code}&")), "{form}: {location}");
        let page = s.get(&location, Some(&admin)).await.body;
        assert!(page.contains(says), "{form}: the page names the field");
        let r = s.call(&share_url(ACTION), &form, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{form}");
        assert!(r.body.contains(says), "{form}: {}", r.body);
    }
    let r = s.post_form(&share_url("NoSuchAction"), "target=webhook", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Another tenant's action id and a tenant the admin has no role in are not found either.
    let other = format!("/tenants/00000000-0000-4000-8000-00000000ffff/actions/{ACTION}/share");
    assert_eq!(s.post_form(&other, "target=webhook", Some(&admin)).await.status, StatusCode::NOT_FOUND);

    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(smtp.messages().is_empty(), "no email sent");
    assert!(hook.requests().is_empty(), "nothing posted");
    assert!(shares_in_audit(&s).await.is_empty(), "nothing audited");
}

#[tokio::test]
async fn targets_the_operator_did_not_configure_are_shown_as_such() {
    let s = demo_server_with(ShareConfig::default()).await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let page = s.get(&page_url(), Some(&admin)).await.body;
    assert!(page.contains(&format!("/tenants/{CONTOSO_ID}/actions/{ACTION}\"")), "the link to copy");
    for t in ["email", "webhook", "servicenow"] {
        assert!(page.contains(&format!("id=\"share-{t}-off\"")), "{t} shown as not configured");
    }
    assert_eq!(page.matches("not configured by the operator").count(), 3);
}

#[tokio::test]
async fn the_flyout_beside_the_list_shares_and_comes_back_to_the_list() {
    let hook = Receiver::start(StatusCode::OK, "ok").await;
    let s = demo_server_with(config(&[("RAMPART_WEBHOOK_URL", hook.url("/hook"))])).await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let list = format!("/tenants/{CONTOSO_ID}/actions?action={ACTION}");
    let page = s.get(&list, Some(&admin)).await.body;
    assert!(page.contains("id=\"share-webhook\""), "the flyout has the form");
    let back = format!("%2Ftenants%2F{CONTOSO_ID}%2Factions%3Faction%3D{ACTION}%26error%3Dshare_to");
    let r = s.post_form(&share_url(ACTION), &format!("target=webhook&back={back}"), Some(&admin)).await;
    assert_eq!(r.location, Some(format!("{list}&done=shared_webhook")), "the old error is dropped");
    assert_eq!(hook.requests().len(), 1);
}

#[tokio::test]
async fn refusals_from_the_targets_store_nothing() {
    let sn =
        Receiver::start(StatusCode::UNAUTHORIZED, r#"{"error":{"message":"User Not Authenticated"}}"#).await;
    let odd =
        Receiver::start(StatusCode::CREATED, r#"{"result":{"number":"<b>x</b>","sys_id":"abc"}}"#).await;
    let hook = Receiver::start(StatusCode::INTERNAL_SERVER_ERROR, "no").await;
    for (servicenow, webhook) in [(&sn, &hook), (&odd, &hook)] {
        let s = demo_server_with(config(&[
            ("RAMPART_SERVICENOW_URL", servicenow.url("")),
            ("RAMPART_SERVICENOW_USER", "rampart".into()),
            ("RAMPART_SERVICENOW_PASSWORD", "wrong".into()),
            ("RAMPART_WEBHOOK_URL", webhook.url("/hook")),
        ]))
        .await;
        let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
        for target in ["servicenow", "webhook"] {
            let r =
                s.post_form(&share_url(ACTION), &format!("target={target}&message=m"), Some(&admin)).await;
            let location = r.location.expect("back to the form");
            assert!(location.contains(&format!("error=share_failed_{target}")), "{location}");
        }
        assert!(s.state.store.action_tickets(CONTOSO_ID, ACTION).await.expect("tickets").is_empty());
        assert!(shares_in_audit(&s).await.is_empty());
        let page = s.get(&page_url(), Some(&admin)).await.body;
        assert!(!page.contains("&lt;b&gt;x") && !page.contains("User Not Authenticated"));
    }
    assert_eq!(
        (sn.requests().len(), odd.requests().len(), hook.requests().len()),
        (1, 1, 2),
        "each was asked"
    );
}

#[tokio::test]
async fn shares_past_the_hourly_limit_are_refused_and_nothing_is_sent() {
    let hook = Receiver::start(StatusCode::OK, "ok").await;
    let s = demo_server_with(config(&[
        ("RAMPART_WEBHOOK_URL", hook.url("/hook")),
        ("RAMPART_SHARE_LIMIT", "2".to_owned()),
    ]))
    .await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    for _ in 0..2 {
        let r = s.post_form(&share_url(ACTION), "target=webhook&message=go", Some(&admin)).await;
        assert_eq!(r.location.as_deref(), Some(format!("{}?done=shared_webhook", page_url()).as_str()));
    }
    // A browser is sent back to the form with its text and the reason.
    let r = s.post_form(&share_url(ACTION), "target=webhook&message=third", Some(&admin)).await;
    let back = r.location.expect("back to the form");
    assert!(back.contains("error=share_rate_limited") && back.contains("message=third"), "{back}");
    let page = s.get(&back, Some(&admin)).await.body;
    assert!(page.contains("as often as the operator allows in an hour"), "the reason is shown");
    // A script gets 429 with when to try again: within the hour the first share frees.
    let script = axum::http::Request::post(share_url(ACTION))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "rampart.test")
        .header(header::ORIGIN, "http://rampart.test")
        .header(header::COOKIE, admin.as_str())
        .body(axum::body::Body::from("target=webhook&message=fourth"))
        .expect("request");
    let r = s.send(script).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    let wait: i64 = r.retry_after.as_deref().and_then(|v| v.parse().ok()).expect("a Retry-After in seconds");
    assert!((3_000..=3_600).contains(&wait), "{wait}");
    assert_eq!(hook.requests().len(), 2, "only the shares within the limit were posted");
    assert_eq!(shares_in_audit(&s).await.len(), 2);

    // The limit is per person: another read-write user still shares.
    let other = s.sign_in("msp@provider.example", DEMO_PASSWORD).await;
    let r = s.post_form(&share_url(ACTION), "target=webhook", Some(&other)).await;
    assert_eq!(r.location.as_deref(), Some(format!("{}?done=shared_webhook", page_url()).as_str()));
    assert_eq!(hook.requests().len(), 3);
}

#[tokio::test]
async fn the_operators_public_url_makes_the_links_whatever_the_host_header_says() {
    let hook = Receiver::start(StatusCode::OK, "ok").await;
    let public = "https://rampart.contoso.example";
    let s = demo_server_at(config(&[("RAMPART_WEBHOOK_URL", hook.url("/hook"))]), Some(public)).await;
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let r = s.post_form(&share_url(ACTION), "target=webhook", Some(&admin)).await;
    assert!(r.location.is_some_and(|l| l.ends_with("done=shared_webhook")));
    let got = hook.requests();
    let text = got[0].body["text"].as_str().expect("a text field");
    let link = format!("{public}/tenants/{CONTOSO_ID}/actions/{ACTION}");
    assert!(text.contains(&link) && !text.contains("rampart.test"), "{text}");
    let page = s.get(&page_url(), Some(&admin)).await.body;
    assert!(page.contains(&link), "the page's copy box shows the same link");
}
