//! Licenses over real HTTP: recorded on Settings by read-write roles, and the Overview's
//! licensed-only view leaving out the actions whose licenses the tenant lacks.
#![allow(clippy::unwrap_used)]

use crate::common::{demo_server, TestServer};
use axum::http::StatusCode;
use server::demo::{CONTOSO_ID, CONTOSO_LICENSES, DEMO_PASSWORD};

const OVERVIEW: &str = "/tenants/c0a7e5f0-0000-4000-8000-000000000001";

fn text_of(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id} in page"));
    let open_end = start + html[start..].find('>').unwrap() + 1;
    let close = open_end + html[open_end..].find("</").unwrap();
    html[open_end..close].replace("<!-- -->", "")
}

/// The licensed-only score worked out here: the live scores of the actions whose licenses
/// are all in `held`, and how many applicable actions were left out.
async fn expected(s: &TestServer, held: &[&str]) -> (score::Points, score::Points, usize) {
    let held: Vec<String> = held.iter().map(|h| (*h).to_owned()).collect();
    let live = service::live::live_score(s.state.store.as_ref(), &s.state.catalog, CONTOSO_ID).await.unwrap();
    let kept: Vec<score::ActionScore> =
        live.scores.iter().filter(|a| live.action(&a.id).unwrap().licensed_by(&held)).cloned().collect();
    let total = score::SecureScore::from_scores(&kept);
    let left_out =
        live.scores.iter().filter(|a| a.applicable).count() - kept.iter().filter(|a| a.applicable).count();
    (total.current, total.max, left_out)
}

#[tokio::test]
async fn the_licensed_view_leaves_out_actions_the_tenant_is_not_licensed_for() {
    let s = demo_server().await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let (current, max, left_out) = expected(&s, &CONTOSO_LICENSES).await;
    assert!(left_out > 0, "the demo leaves some actions out");
    let page = s.get(&format!("{OVERVIEW}?view=licensed"), Some(&reader)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(text_of(&page.body, "score-percent"), current.percent_of(max).to_string());
    assert!(text_of(&page.body, "licensed-note").starts_with(&format!("{left_out} actions need a license")));
    let whole = s.get(OVERVIEW, Some(&reader)).await;
    assert_ne!(
        text_of(&whole.body, "score-points"),
        text_of(&page.body, "score-points"),
        "a different maximum"
    );

    // Recording one more license brings its actions back.
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let settings = s.get(&format!("{OVERVIEW}/settings"), Some(&admin)).await;
    assert_eq!(text_of(&settings.body, "licenses-held"), CONTOSO_LICENSES.join(", "));
    let mut held: Vec<&str> = CONTOSO_LICENSES.to_vec();
    held.push("Microsoft Entra ID P2");
    let form: String = held.iter().map(|l| format!("&licenses%5B%5D={}", l.replace(' ', "+"))).collect();
    let r = s.post_form("/api/set_licenses", &format!("tenant_id={CONTOSO_ID}{form}"), Some(&admin)).await;
    assert_eq!(r.location.as_deref(), Some(format!("{OVERVIEW}/settings?done=licenses").as_str()));
    let (_, _, fewer) = expected(&s, &held).await;
    assert!(fewer < left_out);
    let page = s.get(&format!("{OVERVIEW}?view=licensed"), Some(&reader)).await;
    assert!(text_of(&page.body, "licensed-note").starts_with(&format!("{fewer} actions need a license")));
    let audit = s.state.store.audit_trail(CONTOSO_ID, 1).await.unwrap();
    assert_eq!(
        (audit[0].kind.as_str(), audit[0].actor.as_str()),
        ("tenant.licenses", "admin@contoso.example")
    );
}

#[tokio::test]
async fn unknown_licenses_and_read_only_roles_change_nothing() {
    let s = demo_server().await;
    let store = s.state.store.as_ref();
    let admin = s.sign_in("admin@contoso.example", DEMO_PASSWORD).await;
    let reader = s.sign_in("reader@contoso.example", DEMO_PASSWORD).await;
    let before = store.tenant(CONTOSO_ID).await.unwrap().licenses;
    let bad = format!("tenant_id={CONTOSO_ID}&licenses%5B%5D=Microsoft+365+E3&licenses%5B%5D=%3Cscript%3EE9");
    let r = s.call("/api/set_licenses", &bad, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("licenses") && r.body.contains("E9"), "{}", r.body);
    let r = s.post_form("/api/set_licenses", &bad, Some(&admin)).await;
    assert_eq!(r.location.as_deref(), Some(format!("{OVERVIEW}/settings?error=licenses").as_str()));
    let r = s.call("/api/set_licenses", &format!("tenant_id={CONTOSO_ID}"), Some(&reader)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(store.tenant(CONTOSO_ID).await.unwrap().licenses, before, "nothing recorded");
    let settings = s.get(&format!("{OVERVIEW}/settings"), Some(&reader)).await;
    assert!(settings.body.contains("id=\"licenses-held\"") && !settings.body.contains("licenses-form"));

    // A tenant whose licenses are not recorded leaves nothing out, and says so.
    let msp = s.sign_in("msp@provider.example", DEMO_PASSWORD).await;
    let peer = s.provider_peer().await;
    let page = s.get(&format!("/tenants/{peer}?view=licensed"), Some(&msp)).await;
    assert!(text_of(&page.body, "licensed-note").contains("not recorded"));
    let whole = s.get(&format!("/tenants/{peer}"), Some(&msp)).await;
    assert_eq!(text_of(&page.body, "score-points"), text_of(&whole.body, "score-points"));
}
