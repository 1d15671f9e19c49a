//! Alert rules against real receivers: HTTP servers on local ports standing in for a
//! generic webhook (which checks the HMAC signature itself) and an aiosmtpd SMTP server.
//! Measurements arrive through the ingest API as a sync agent sends them; the alert
//! worker's own round does the checking and the sending.

use crate::common::{demo_server_configured, form, TestServer, SITE};
use crate::share_receivers::{Received, Receiver, SmtpServer};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use server::alerts::{round, AlertSettings, Alerts};
use server::demo::CONTOSO_ID;
use service::alert::AlertChannels;
use sha2::Sha256;

const ADMIN: &str = "admin@contoso.example";
const READER: &str = "reader@contoso.example";
const PASSWORD: &str = "rampart-demo";
const SECRET: &str = "a-signing-secret-of-some-length";

async fn server(email: bool) -> TestServer {
    demo_server_configured(server::share::ShareConfig::default(), |s| {
        s.public_url = Some(SITE.into());
        s.alert_channels = AlertChannels { email, internal_webhooks: false };
    })
    .await
}

/// The worker with no quiet time and no wait before a retry, so each round does it all.
fn worker(smtp: Option<server::share::config::Smtp>) -> Alerts {
    Alerts::new(
        AlertSettings { quiet: Duration::zero(), first_retry: Duration::zero(), ..Default::default() },
        smtp,
    )
}

async fn add_rule(s: &TestServer, cookie: &str, fields: &[(&str, &str)]) -> crate::common::Reply {
    let mut all = vec![("tenant_id", CONTOSO_ID)];
    all.extend_from_slice(fields);
    s.post_form("/api/add_alert_rule", &form(&all), Some(cookie)).await
}

async fn ingest(s: &TestServer, token: &str, action: &str, count: u32, total: u32) {
    let at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let body =
        json!({"measurements": [{"actionId": action, "count": count, "total": total, "observedAt": at}]});
    let req = Request::post("/api/v1/measurements")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .expect("request");
    let r = s.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// The receiver's own check of a signed message: HMAC-SHA256 under the shared secret of
/// `<t>.<body>`, as docs/alerts.md tells receivers to compute it.
fn signed_by_secret(got: &Received) -> bool {
    let Some(header) = &got.signature else { return false };
    let Some((t, sig)) = header.split_once(",sha256=") else { return false };
    let Some(t) = t.strip_prefix("t=") else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(&got.raw);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    expected == sig
}

/// A partly measured action of Contoso whose points now are those of the latest snapshot
/// before today, with its measurement and its maximum in points: regressing it is then the
/// only change since the day before.
async fn steady_partial_action(s: &TestServer) -> (String, String, u32, u32, f64) {
    let store = s.state.store.as_ref();
    let today = Utc::now().date_naive();
    let snaps = store
        .snapshots(CONTOSO_ID, today - Duration::days(14), today - Duration::days(1))
        .await
        .expect("snapshots");
    let day = snaps.last().expect("a snapshot before today").day;
    let then = store.action_points_on(CONTOSO_ID, day).await.expect("points");
    let live = service::live_score(store, &s.state.catalog, CONTOSO_ID).await.expect("live");
    live.scores
        .iter()
        .filter(|a| a.applicable)
        .find_map(|a| {
            let action = live.action(&a.id)?;
            action.unit()?;
            let m = live.records.get(&a.id)?.state.measurement?;
            let steady = then.get(&a.id).is_some_and(|p| p.points == a.points);
            (steady && m.total >= 10 && m.count >= 4)
                .then(|| (a.id.clone(), action.title.clone(), m.count, m.total, action.max().as_f64()))
        })
        .expect("a steady partly measured action in the demo")
}

fn points(max: f64, count: u32, total: u32) -> f64 {
    max * f64::from(count) / f64::from(total)
}

#[tokio::test]
async fn a_regression_alerts_once_names_the_action_and_clears_on_recovery() {
    let s = server(false).await;
    let hook = Receiver::start(StatusCode::OK, "{}").await;
    let alerts = worker(None);
    let cookie = s.sign_in(ADMIN, PASSWORD).await;
    let (token, _) = s.api_token(ADMIN, CONTOSO_ID, "SecurityEvents.ReadWrite.All").await;
    let (action, title, count, total, max) = steady_partial_action(&s).await;
    let url = hook.url("/rampart");
    let r = add_rule(
        &s,
        &cookie,
        &[
            ("name", "Watch the action"),
            ("condition", "action_regresses"),
            ("action_id", &action),
            ("webhook_url", &url),
            ("webhook_secret", SECRET),
        ],
    )
    .await;
    assert!(
        r.location.as_deref().is_some_and(|l| l.contains("done=alert_added")),
        "{} {:?} {}",
        r.status,
        r.location,
        r.body
    );
    round(&s.state, &alerts, Utc::now()).await.expect("round");
    assert!(hook.requests().is_empty(), "nothing has regressed yet: {:?}", hook.requests());

    // A sync agent reports fewer protected users: one alert, with the points and the count.
    let fewer = count / 2;
    ingest(&s, &token, &action, fewer, total).await;
    let done = round(&s.state, &alerts, Utc::now()).await.expect("round");
    assert_eq!((done.queued, done.sent), (1, 1), "{done:?}");
    let got = hook.requests();
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0].body;
    assert_eq!(m["event"], "fired");
    assert_eq!(m["tenant_id"], CONTOSO_ID);
    assert_eq!(m["actions"][0]["id"], action.as_str());
    assert_eq!(m["actions"][0]["cause"], "regression");
    let before = m["actions"][0]["points_before"].as_f64().expect("number");
    let after = m["actions"][0]["points_after"].as_f64().expect("number");
    assert!((before - points(max, count, total)).abs() < 0.011, "{before} vs {}", points(max, count, total));
    assert!((after - points(max, fewer, total)).abs() < 0.011, "{after} vs {}", points(max, fewer, total));
    let unit_words = format!("{fewer} of {total} ");
    assert!(m["actions"][0]["measurement"].as_str().is_some_and(|w| w.starts_with(&unit_words)), "{m}");
    assert!(m["headline"].as_str().is_some_and(|h| h.contains(&title)), "{m}");
    let today = Utc::now().date_naive();
    assert_eq!(
        m["history_url"].as_str(),
        Some(format!("{SITE}/tenants/{CONTOSO_ID}/history?from={today}&to={today}").as_str())
    );
    assert!(signed_by_secret(&got[0]), "the receiver's own HMAC check: {:?}", got[0].signature);
    assert_eq!(got[0].content_type.as_deref(), Some("application/json"));

    // The same condition again, while it holds: nothing more.
    ingest(&s, &token, &action, fewer / 2, total).await;
    round(&s.state, &alerts, Utc::now()).await.expect("round");
    assert_eq!(hook.requests().len(), 1, "no second alert while the condition holds");

    // Back where it was: one message saying it cleared.
    ingest(&s, &token, &action, count, total).await;
    round(&s.state, &alerts, Utc::now()).await.expect("round");
    let got = hook.requests();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].body["event"], "cleared");
    assert!(signed_by_secret(&got[1]));

    // Settings lists both as sent, and the audit trail has each queued and sent.
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&cookie)).await;
    assert!(page.body.contains("id=\"alert-log\""), "{}", page.body);
    assert_eq!(page.body.matches(">Sent<").count(), 2);
    let trail = s.state.store.audit_trail(CONTOSO_ID, 200).await.expect("audit");
    let kinds = |k: &str| trail.iter().filter(|a| a.kind == k).count();
    assert_eq!((kinds("alert.rule.add"), kinds("alert.queued"), kinds("alert.sent")), (1, 2, 2));
    assert!(
        trail.iter().all(|a| !a.after.contains(SECRET) && !a.after.contains("/rampart")),
        "no secret in the trail"
    );
}

#[tokio::test]
async fn a_score_below_its_threshold_is_emailed_once_with_the_score() {
    let smtp = SmtpServer::start();
    let s = server(true).await;
    let alerts = worker(Some(server::share::config::Smtp {
        url: smtp.url(),
        from: "Rampart <rampart@contoso.example>".parse().expect("mailbox"),
    }));
    let cookie = s.sign_in(ADMIN, PASSWORD).await;
    let live = service::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.expect("live");
    let r = add_rule(
        &s,
        &cookie,
        &[
            ("name", "Below perfect"),
            ("condition", "score_below"),
            ("threshold", "100"),
            ("emails", "ciso@contoso.example"),
        ],
    )
    .await;
    assert!(
        r.location.as_deref().is_some_and(|l| l.contains("done=alert_added")),
        "{:?} {}",
        r.location,
        r.body
    );
    round(&s.state, &alerts, Utc::now()).await.expect("round");
    round(&s.state, &alerts, Utc::now()).await.expect("a second round says nothing more");
    let mail = smtp.messages();
    assert_eq!(mail.len(), 1, "{mail:?}");
    let text = mail[0].to_string();
    assert!(text.contains("ciso@contoso.example"), "{text}");
    assert!(text.contains("Rampart Alert") && text.contains("Below perfect"), "{text}");
    let score_line = format!(
        "Secure score now: {:.2} of {:.2} points",
        live.score.current.as_f64(),
        live.score.max.as_f64()
    );
    assert!(text.contains(&score_line), "{score_line} in {text}");
}

#[tokio::test]
async fn a_failed_delivery_is_tried_again_until_it_goes_and_a_test_can_be_sent() {
    let s = server(false).await;
    let hook = Receiver::start(StatusCode::INTERNAL_SERVER_ERROR, "{}").await;
    let alerts = worker(None);
    let cookie = s.sign_in(ADMIN, PASSWORD).await;
    let url = hook.url("/hook");
    add_rule(
        &s,
        &cookie,
        &[
            ("name", "Tested"),
            ("condition", "sync_failing"),
            ("threshold", "24"),
            ("webhook_url", &url),
            ("webhook_secret", SECRET),
        ],
    )
    .await;
    round(&s.state, &alerts, Utc::now()).await.expect("round");
    let rule = s.state.store.alert_rules(CONTOSO_ID).await.expect("rules").remove(0);
    let r = s
        .post_form(
            "/api/test_alert_rule",
            &form(&[("tenant_id", CONTOSO_ID), ("rule_id", &rule.id)]),
            Some(&cookie),
        )
        .await;
    assert!(
        r.location.as_deref().is_some_and(|l| l.contains("done=alert_test")),
        "{:?} {}",
        r.location,
        r.body
    );
    let first = round(&s.state, &alerts, Utc::now()).await.expect("round");
    assert_eq!((first.sent, first.failed), (0, 1));
    let waiting = s.state.store.alert_deliveries(CONTOSO_ID, 10).await.expect("deliveries");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].attempts, 1);
    assert!(waiting[0].last_error.as_deref().is_some_and(|e| e.contains("500")), "{waiting:?}");
    assert!(waiting[0].next_attempt_at.is_some(), "kept to try again");
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&cookie)).await;
    assert!(page.body.contains(">Waiting<"), "Settings shows it waiting");
    assert!(!page.body.contains(&url), "a webhook is shown by its host only");

    hook.answer(StatusCode::OK);
    let second = round(&s.state, &alerts, Utc::now()).await.expect("round");
    assert_eq!(second.sent, 1);
    let got = hook.requests();
    assert_eq!(got.len(), 2, "the same message twice: once refused, once taken");
    assert_eq!(got[0].raw, got[1].raw);
    assert_eq!(got[1].body["event"], "test");
    assert!(got[1].body["headline"].as_str().is_some_and(|h| h.contains(ADMIN)), "{}", got[1].body);
    assert!(signed_by_secret(&got[1]));
    let trail = s.state.store.audit_trail(CONTOSO_ID, 50).await.expect("audit");
    assert!(
        trail.iter().any(|a| a.kind == "alert.queued" && a.actor == ADMIN),
        "the test is audited as its sender's"
    );
    assert!(
        trail.iter().all(|a| !a.after.contains("/hook") && !a.subject.contains("/hook")),
        "the audit trail keeps no webhook path"
    );
}

#[tokio::test]
async fn bad_rules_are_refused_naming_the_field_and_store_nothing() {
    let s = server(true).await;
    let cookie = s.sign_in(ADMIN, PASSWORD).await;
    let audit_before = s.state.store.audit_trail(CONTOSO_ID, 10_000).await.expect("audit").len();
    let hook = "https://hooks.example/x";
    let cases: [(&[(&str, &str)], &str); 8] = [
        (&[("condition", "score_below"), ("threshold", "101"), ("emails", "a@b.example")], "threshold"),
        (&[("condition", "score_below"), ("threshold", "-1"), ("emails", "a@b.example")], "threshold"),
        (
            &[("condition", "action_regresses"), ("action_id", "NoSuchAction"), ("emails", "a@b.example")],
            "action_id",
        ),
        (&[("condition", "score_below"), ("threshold", "50"), ("emails", "not-an-address")], "emails"),
        (
            &[
                ("condition", "score_below"),
                ("threshold", "50"),
                ("chat_url", "http://169.254.169.254/latest/meta-data"),
            ],
            "chat_url",
        ),
        (
            &[
                ("condition", "score_below"),
                ("threshold", "50"),
                ("webhook_url", "http://[fd00:ec2::254]/"),
                ("webhook_secret", SECRET),
            ],
            "webhook_url",
        ),
        (
            &[
                ("condition", "score_below"),
                ("threshold", "50"),
                ("webhook_url", "file:///etc/passwd"),
                ("webhook_secret", SECRET),
            ],
            "webhook_url",
        ),
        (
            &[
                ("condition", "score_below"),
                ("threshold", "50"),
                ("webhook_url", hook),
                ("webhook_secret", "short"),
            ],
            "webhook_secret",
        ),
    ];
    for (fields, field) in cases {
        let mut all = vec![("tenant_id", CONTOSO_ID), ("name", "Bad")];
        all.extend_from_slice(fields);
        let r = s.call("/api/add_alert_rule", &form(&all), Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{fields:?}: {}", r.body);
        assert!(r.body.contains(field), "{fields:?} names {field}: {}", r.body);
    }
    assert!(s.state.store.alert_rules(CONTOSO_ID).await.expect("rules").is_empty(), "nothing stored");
    assert_eq!(s.state.store.audit_trail(CONTOSO_ID, 10_000).await.expect("audit").len(), audit_before);
}

#[tokio::test]
async fn only_read_write_roles_of_the_tenant_manage_its_alerts() {
    let s = server(true).await;
    let fields = [
        ("name", "Mine"),
        ("condition", "score_below"),
        ("threshold", "50"),
        ("emails", "x@attacker.example"),
    ];
    let reader = s.sign_in(READER, PASSWORD).await;
    let r = add_rule(&s, &reader, &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&reader)).await;
    assert!(!page.body.contains("id=\"alerts\""), "read-only roles do not see the alert rules");

    // Contoso's administrator aims at a tenant they hold no role in.
    let peer = s.peer_tenant().await;
    let admin = s.sign_in(ADMIN, PASSWORD).await;
    let mut all = vec![("tenant_id", peer.id.as_str())];
    all.extend_from_slice(&fields);
    let r = s.post_form("/api/add_alert_rule", &form(&all), Some(&admin)).await;
    assert!(matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "{} {}", r.status, r.body);
    assert!(s.state.store.alert_rules(&peer.id).await.expect("rules").is_empty());
    assert!(s.state.store.alert_rules(CONTOSO_ID).await.expect("rules").is_empty());

    // Nor can they test or delete a rule of another tenant by its id.
    add_rule(&s, &admin, &fields).await;
    let rule = s.state.store.alert_rules(CONTOSO_ID).await.expect("rules").remove(0);
    let other = [("tenant_id", peer.id.as_str()), ("rule_id", rule.id.as_str())];
    for fun in ["/api/test_alert_rule", "/api/delete_alert_rule"] {
        let r = s.post_form(fun, &form(&other), Some(&admin)).await;
        assert!(
            matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{fun}: {} {}",
            r.status,
            r.body
        );
    }
    let r = s
        .post_form(
            "/api/delete_alert_rule",
            &form(&[("tenant_id", CONTOSO_ID), ("rule_id", &rule.id)]),
            Some(&reader),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(s.state.store.alert_rules(CONTOSO_ID).await.expect("rules").len(), 1);
    assert!(s.state.store.alert_deliveries(CONTOSO_ID, 10).await.expect("log").is_empty());
    let page = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&admin)).await;
    assert!(page.body.contains("Score below 50.00 %"), "the rule is listed in words");
}

#[tokio::test]
async fn a_portfolio_rule_watches_each_tenant_its_owner_may_change_now_and_later() {
    let s = server(false).await;
    let hook = Receiver::start(StatusCode::OK, "{}").await;
    let alerts = worker(None);
    let store = s.state.store.as_ref();
    let msp = store.user_by_email("msp@provider.example").await.expect("the provider");
    // The demo's provider holds a read-write role in Contoso and five peers.
    let writable: std::collections::BTreeSet<String> = store
        .memberships_of_user(&msp.id)
        .await
        .expect("memberships")
        .into_iter()
        .map(|m| m.tenant_id)
        .collect();
    assert_eq!(writable.len(), 6);
    let others: Vec<store::Tenant> =
        store.tenants().await.expect("tenants").into_iter().filter(|t| !writable.contains(&t.id)).collect();
    let (read_only, later) = (&others[0], &others[1]);
    store.grant_role(&read_only.id, &msp.id, score::roles::Role::GlobalReader, "test").await.expect("grant");
    round(&s.state, &alerts, Utc::now()).await.expect("the grant's own check");

    let cookie = s.sign_in("msp@provider.example", PASSWORD).await;
    let r = s
        .post_form(
            "/api/add_portfolio_alert_rule",
            &form(&[
                ("name", "Any client below perfect"),
                ("condition", "score_below"),
                ("threshold", "100"),
                ("webhook_url", &hook.url("/portfolio")),
                ("webhook_secret", SECRET),
            ]),
            Some(&cookie),
        )
        .await;
    assert!(
        r.location.as_deref().is_some_and(|l| l.contains("done=portfolio_alert_added")),
        "{:?} {}",
        r.location,
        r.body
    );
    round(&s.state, &alerts, Utc::now()).await.expect("round");
    let told: std::collections::BTreeSet<String> =
        hook.requests().iter().filter_map(|m| m.body["tenant_id"].as_str().map(str::to_owned)).collect();
    assert_eq!(told, writable, "one alert per tenant it may change; none where it only reads");
    assert!(hook.requests().iter().all(signed_by_secret));
    round(&s.state, &alerts, Utc::now()).await.expect("round");
    assert_eq!(hook.requests().len(), 6, "each tenant alerts once");
    let page = s.get("/", Some(&cookie)).await;
    assert!(page.body.contains("6 of 6 tenants"), "the portfolio shows where it holds");

    // A tenant the provider is given later is watched from then on.
    store
        .grant_role(&later.id, &msp.id, score::roles::Role::SecurityAdministrator, "test")
        .await
        .expect("grant");
    round(&s.state, &alerts, Utc::now()).await.expect("round");
    let last = hook.requests().pop().expect("a message");
    assert_eq!(hook.requests().len(), 7);
    assert_eq!(last.body["tenant_id"], later.id.as_str());

    // Send a test: one message to the rule's webhook, about a tenant it watches.
    let rule = store.portfolio_alert_rules(&msp.id).await.expect("rules").remove(0);
    let r =
        s.post_form("/api/test_portfolio_alert_rule", &form(&[("rule_id", &rule.id)]), Some(&cookie)).await;
    assert!(
        r.location.as_deref().is_some_and(|l| l.contains("done=portfolio_alert_test")),
        "{:?}",
        r.location
    );
    round(&s.state, &alerts, Utc::now()).await.expect("round");
    let test = hook.requests().pop().expect("the test");
    assert_eq!(hook.requests().len(), 8);
    assert_eq!(test.body["event"], "test");
    assert!(signed_by_secret(&test));
    let about = test.body["tenant_id"].as_str().expect("tenant");
    assert!(writable.contains(about) || about == later.id, "{about}");

    // Someone else cannot delete it; its owner can, and then it says nothing more.
    let admin = s.sign_in(ADMIN, PASSWORD).await;
    let rule = store.portfolio_alert_rules(&msp.id).await.expect("rules").remove(0);
    let r = s.call("/api/delete_portfolio_alert_rule", &form(&[("rule_id", &rule.id)]), Some(&admin)).await;
    assert!(r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::FORBIDDEN, "{}", r.status);
    assert_eq!(store.portfolio_alert_rules(&msp.id).await.expect("rules").len(), 1);
    s.post_form("/api/delete_portfolio_alert_rule", &form(&[("rule_id", &rule.id)]), Some(&cookie)).await;
    assert!(store.portfolio_alert_rules(&msp.id).await.expect("rules").is_empty());
    let trail = store.audit_trail(CONTOSO_ID, 200).await.expect("audit");
    assert!(trail.iter().any(|a| a.kind == "alert.queued" && a.subject == "Any client below perfect"));
}

#[tokio::test]
async fn a_reader_everywhere_has_no_portfolio_rules() {
    let s = server(false).await;
    let cookie = s.sign_in(READER, PASSWORD).await;
    let page = s.get("/", Some(&cookie)).await;
    assert!(!page.body.contains("portfolio-alert-form"), "no form for a reader");
    let r = s
        .call(
            "/api/add_portfolio_alert_rule",
            &form(&[
                ("name", "Mine"),
                ("condition", "score_below"),
                ("threshold", "50"),
                ("webhook_url", "https://hooks.example/x"),
                ("webhook_secret", SECRET),
            ]),
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}
