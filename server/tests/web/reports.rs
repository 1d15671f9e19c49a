//! Scheduled reports and the printable report: a real SMTP server (aiosmtpd, decoding the
//! message with Python's email package) receives the weekly report; the test works out the
//! period, the score and the next actions itself, from the calendar, the stored snapshot and
//! the Overview page.

use crate::common::{demo_server_configured, form, TestServer, SITE};
use crate::share_receivers::{closed_port, SmtpServer};
use axum::http::StatusCode;
use base64::Engine;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use server::demo::CONTOSO_ID;
use server::reports::round;
use server::share::config::Smtp;
use service::alert::AlertChannels;

const ADMIN: &str = "admin@contoso.example";
const PASSWORD: &str = "rampart-demo";

async fn server() -> TestServer {
    demo_server_configured(server::share::ShareConfig::default(), |s| {
        s.public_url = Some(SITE.into());
        s.alert_channels = AlertChannels { email: true, internal_webhooks: false };
    })
    .await
}

fn smtp_at(url: String) -> Smtp {
    Smtp { url, from: "Rampart <rampart@contoso.example>".parse().expect("mailbox") }
}

/// Monday to Sunday of the week before this one.
fn last_week(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    (monday - Duration::days(7), monday - Duration::days(1))
}

async fn schedule(s: &TestServer, cookie: &str, cadence: &str, emails: &str) -> crate::common::Reply {
    let body = form(&[("tenant_id", CONTOSO_ID), ("cadence", cadence), ("emails", emails)]);
    s.post_form("/api/add_report_schedule", &body, Some(cookie)).await
}

#[tokio::test]
async fn the_weekly_report_is_mailed_once_with_its_numbers_and_its_chart() {
    let s = server().await;
    let smtp = SmtpServer::start();
    let cookie = s.sign_in(ADMIN, PASSWORD).await;
    let r = schedule(&s, &cookie, "weekly", "CISO@contoso.example, it@contoso.example").await;
    assert!(
        r.location.as_deref().is_some_and(|l| l.contains("done=report_added")),
        "{:?} {}",
        r.location,
        r.body
    );

    let now = Utc::now();
    let got = round(&s.state, Some(&smtp_at(smtp.url())), now).await.expect("round");
    assert_eq!((got.sent, got.failed), (1, 0));
    let again = round(&s.state, Some(&smtp_at(smtp.url())), now).await.expect("round");
    assert_eq!(again.sent, 0, "a period goes out once");
    let mail = smtp.messages();
    assert_eq!(mail.len(), 1, "{mail:?}");
    let m = &mail[0];

    let (from, to) = last_week(now.date_naive());
    assert_eq!(m["subject"], format!("Contoso — Secure Score report, {from} to {to}"));
    let mut rcpt: Vec<&str> =
        m["rcpt_tos"].as_array().expect("rcpt").iter().filter_map(|v| v.as_str()).collect();
    rcpt.sort_unstable();
    assert_eq!(rcpt, ["ciso@contoso.example", "it@contoso.example"]);

    // The score the period ended at: the snapshot of its Sunday, as stored.
    let store = s.state.store.as_ref();
    let snaps = store.snapshots(CONTOSO_ID, from, to).await.expect("snapshots");
    let (first, last) = (snaps.first().expect("the demo has last week"), snaps.last().expect("last"));
    assert_eq!(last.day, to);
    let end = 100.0 * last.current.as_f64() / last.max.as_f64();
    let start = 100.0 * first.current.as_f64() / first.max.as_f64();
    let text = m["body"].as_str().expect("text part");
    assert!(
        text.contains(&format!(
            "{end:.2} % ({:.2} of {:.2} points)",
            last.current.as_f64(),
            last.max.as_f64()
        )),
        "{text}"
    );
    let change = end - start;
    let moved = if change.abs() < 0.005 {
        format!("unchanged since {from}")
    } else if change > 0.0 {
        format!("up {change:.2} percentage points since {from}")
    } else {
        format!("down {:.2} percentage points since {from}", -change)
    };
    assert!(text.contains(&moved), "{moved} in {text}");

    // The five actions to do next are the Overview's, in its order.
    let overview = s.get(&format!("/tenants/{CONTOSO_ID}"), Some(&cookie)).await;
    let top = overview.body.split("id=\"top-actions\"").nth(1).expect("top actions");
    let titles: Vec<String> = top
        .split("<span class=\"title\">")
        .skip(1)
        .filter_map(|x| x.split('<').next().map(str::to_owned))
        .collect();
    assert_eq!(titles.len(), 5);
    let mut at = 0;
    for (i, t) in titles.iter().enumerate() {
        let line = format!("{}. {t} — +", i + 1);
        let found = text[at..].find(&line).unwrap_or_else(|| panic!("{line} in order in {text}"));
        at += found + line.len();
    }
    assert!(text.contains(&format!("{SITE}/tenants/{CONTOSO_ID}/report?from={from}&to={to}")), "{text}");

    // The HTML part shows the chart inline, and the chart ends at the period's score.
    let html = m["html"].as_str().expect("html part");
    assert!(html.contains("src=\"cid:score-chart\""), "{html}");
    let parts = m["parts"].as_array().expect("parts");
    let png = parts.iter().find(|p| p["content_type"] == "image/png").expect("an inline PNG");
    assert_eq!(png["content_id"], "<score-chart>");
    assert_eq!(png["disposition"], "inline");
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(png["base64"].as_str().expect("b64")).expect("b64");
    let img = tiny_skia::Pixmap::decode_png(&bytes).expect("a PNG");
    assert_eq!((img.width(), img.height()), (720, 240));
    // The plot spans x 44–708 and y 12 (100 %) to 212 (0 %); the score line is #1f5fbf.
    let y = 12.0 + (1.0 - end / 100.0) * 200.0;
    let blue = (0..6).flat_map(|dx| (-3..=3).map(move |dy| (703 + dx, y as i32 + dy))).any(|(x, y)| {
        img.pixel(x as u32, y as u32).is_some_and(|p| (p.red(), p.green(), p.blue()) == (0x1f, 0x5f, 0xbf))
    });
    assert!(blue, "the line ends at {end:.2} % (y {y:.1})");

    let trail = store.audit_trail(CONTOSO_ID, 50).await.expect("audit");
    assert!(trail.iter().any(|a| a.kind == "report.schedule.add" && a.actor == ADMIN));
    assert!(trail.iter().any(|a| a.kind == "report.sent" && a.after.contains(&to.to_string())));
    let settings = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&cookie)).await;
    assert!(settings.body.contains(&format!("sent for the period to {to}")), "Settings says how it went");
}

#[tokio::test]
async fn a_report_that_cannot_be_sent_waits_and_says_why() {
    let s = server().await;
    let cookie = s.sign_in(ADMIN, PASSWORD).await;
    schedule(&s, &cookie, "monthly", "ciso@contoso.example").await;
    let dead = smtp_at(format!("smtp://127.0.0.1:{}", closed_port()));
    let now = Utc::now();
    let got = round(&s.state, Some(&dead), now).await.expect("round");
    assert_eq!((got.sent, got.failed), (0, 1));
    let again = round(&s.state, Some(&dead), now).await.expect("round");
    assert_eq!(again.failed, 0, "it waits before trying again");
    let kept = s.state.store.report_schedules(CONTOSO_ID).await.expect("schedules");
    assert_eq!(kept[0].attempts, 1);
    assert!(kept[0].last_error.as_deref().is_some_and(|e| e.contains("SMTP")), "{kept:?}");
    assert!(kept[0].last_period_end.is_none(), "the period is still to send");
    let settings = s.get(&format!("/tenants/{CONTOSO_ID}/settings"), Some(&cookie)).await;
    assert!(settings.body.contains("not sent yet (1 attempts)"), "Settings says it is waiting");
    // Once the wait is over and the server answers, it goes.
    let smtp = SmtpServer::start();
    let later = now + Duration::minutes(16);
    let got = round(&s.state, Some(&smtp_at(smtp.url())), later).await.expect("round");
    assert_eq!(got.sent, 1);
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn bad_schedules_are_refused_naming_the_field_and_store_nothing() {
    let s = server().await;
    let cookie = s.sign_in(ADMIN, PASSWORD).await;
    let before = s.state.store.audit_trail(CONTOSO_ID, 10_000).await.expect("audit").len();
    for (cadence, emails, field) in [
        ("daily", "ciso@contoso.example", "cadence"),
        ("weekly", "", "emails"),
        ("weekly", "not-an-address", "emails"),
        ("weekly", "ciso@contoso.example\r\nBcc: all@contoso.example", "emails"),
    ] {
        let body = form(&[("tenant_id", CONTOSO_ID), ("cadence", cadence), ("emails", emails)]);
        let r = s.call("/api/add_report_schedule", &body, Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{cadence} {emails}: {}", r.body);
        assert!(r.body.contains(field), "names {field}: {}", r.body);
    }
    let reader = s.sign_in("reader@contoso.example", PASSWORD).await;
    let body = form(&[("tenant_id", CONTOSO_ID), ("cadence", "weekly"), ("emails", "x@evil.example")]);
    assert_eq!(s.call("/api/add_report_schedule", &body, Some(&reader)).await.status, StatusCode::FORBIDDEN);
    assert!(
        s.state.store.report_schedules(CONTOSO_ID).await.expect("schedules").is_empty(),
        "nothing stored"
    );
    assert_eq!(s.state.store.audit_trail(CONTOSO_ID, 10_000).await.expect("audit").len(), before);
}

#[tokio::test]
async fn the_printable_report_shows_the_range_its_chart_and_the_next_actions() {
    let s = server().await;
    let cookie = s.sign_in("reader@contoso.example", PASSWORD).await;
    let r = s.get(&format!("/tenants/{CONTOSO_ID}/report?range=30d"), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    let today = Utc::now().date_naive();
    let from = today - Duration::days(29);
    assert!(r.body.contains(&format!("{from} to {today}")), "the period is named");
    assert!(
        r.body.contains("<svg") && r.body.contains("class=\"report-chart\""),
        "the chart is drawn on the server"
    );
    let live = service::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.expect("live");
    assert!(
        r.body.contains(&format!(">{}<", live.score.percent())),
        "today ends the range at the live score"
    );
    let next = r.body.split("id=\"report-next-actions\"").nth(1).expect("next actions");
    assert_eq!(next.split("</ol>").next().map(|l| l.matches("<li>").count()), Some(5));
    let overview = s.get(&format!("/tenants/{CONTOSO_ID}"), Some(&cookie)).await;
    let first =
        overview.body.split("<span class=\"title\">").nth(1).and_then(|x| x.split('<').next()).expect("top");
    assert!(next.contains(first), "the first next action is the Overview's first");
    let peer = s.peer_tenant().await;
    let other = s.get(&format!("/tenants/{}/report", peer.id), Some(&cookie)).await;
    assert!(!other.body.contains("report-next-actions"), "no report of a tenant the reader cannot see");
    assert!(!other.body.contains(&peer.name), "nor its name");
}

/// The first and last day of the calendar month before `today`.
fn last_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_of_this = today.with_day(1).expect("day 1");
    let last = first_of_this - Duration::days(1);
    (last.with_day(1).expect("day 1"), last)
}

#[tokio::test]
async fn the_portfolio_report_covers_each_tenant_its_owner_may_change_in_one_email() {
    let s = server().await;
    let smtp = SmtpServer::start();
    let store = s.state.store.as_ref();
    let msp = store.user_by_email("msp@provider.example").await.expect("the provider");
    let writable: Vec<String> = store
        .memberships_of_user(&msp.id)
        .await
        .expect("memberships")
        .into_iter()
        .map(|m| m.tenant_id)
        .collect();
    let read_only = store
        .tenants()
        .await
        .expect("tenants")
        .into_iter()
        .find(|t| !writable.contains(&t.id))
        .expect("another tenant");
    store.grant_role(&read_only.id, &msp.id, score::roles::Role::GlobalReader, "test").await.expect("grant");
    let cookie = s.sign_in("msp@provider.example", PASSWORD).await;
    let body = form(&[("cadence", "monthly"), ("emails", "ciso@provider.example")]);
    let r = s.post_form("/api/add_portfolio_report_schedule", &body, Some(&cookie)).await;
    assert!(
        r.location.as_deref().is_some_and(|l| l.contains("done=portfolio_report_added")),
        "{:?} {}",
        r.location,
        r.body
    );
    assert!(s.get("/", Some(&cookie)).await.body.contains("portfolio-report-schedules"));

    let got = round(&s.state, Some(&smtp_at(smtp.url())), Utc::now()).await.expect("round");
    assert_eq!(got.sent, 1);
    let mail = smtp.messages();
    assert_eq!(mail.len(), 1, "one email for the whole portfolio");
    let (from, to) = last_month(Utc::now().date_naive());
    assert_eq!(
        mail[0]["subject"],
        format!("Your {} tenants — Secure Score report, {from} to {to}", writable.len())
    );
    let text = mail[0]["body"].as_str().expect("text");
    let (mut current, mut max) = (0.0, 0.0);
    for id in &writable {
        let t = store.tenant(id).await.expect("tenant");
        let end = store.snapshots(id, to, to).await.expect("snapshot").pop().expect("the month's last day");
        current += end.current.as_f64();
        max += end.max.as_f64();
        let line = format!("{}: {:.2} % in the", t.name, 100.0 * end.current.as_f64() / end.max.as_f64());
        assert!(text.contains(&line), "{line} in {text}");
    }
    assert!(!text.contains(&format!("{}: ", read_only.name)), "not a tenant it only reads");
    let together = format!(
        "All tenants' points together: {:.2} % ({current:.2} of {max:.2} points)",
        100.0 * current / max
    );
    assert!(text.contains(&together), "{together} in {text}");
    let parts = mail[0]["parts"].as_array().expect("parts");
    assert!(parts.iter().any(|p| p["content_type"] == "image/png" && p["content_id"] == "<score-chart>"));

    // Only its owner deletes it.
    let schedule = store.portfolio_report_schedules(&msp.id).await.expect("schedules").remove(0);
    let admin = s.sign_in(ADMIN, PASSWORD).await;
    let theirs = form(&[("schedule_id", &schedule.id)]);
    assert_eq!(
        s.call("/api/delete_portfolio_report_schedule", &theirs, Some(&admin)).await.status,
        StatusCode::BAD_REQUEST
    );
    s.post_form("/api/delete_portfolio_report_schedule", &theirs, Some(&cookie)).await;
    assert!(store.portfolio_report_schedules(&msp.id).await.expect("schedules").is_empty());
}
