//! Share an improvement action: `POST /tenants/{tenant}/actions/{action}/share` sends it by
//! email, to a Teams/Slack webhook, or opens a ServiceNow change ticket, then answers with a
//! redirect back to the action. Only read-write roles share; every share is audited.

pub mod config;
pub mod deliver;
pub mod message;

pub use config::ShareConfig;

use crate::http::ServerState;
use crate::web_access::{internal, TenantSession, Write};
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Router};
use message::ShareContent;
use service::share::{
    action_link, error_message, validate_share, ShareInput, ShareTarget, MAX_MESSAGE_CHARS,
};
use service::url::{back_to_actions, encode, with_param};
use std::sync::Arc;

/// Gives every request the share settings: the share route reads them, and pages learn
/// which targets exist (a [`service::share::ShareTargets`], nothing else). A
/// router without this layer shares nowhere and shows every target as not configured.
pub fn with_share(router: Router, config: ShareConfig) -> Router {
    let targets = config.targets();
    router.layer(Extension(Arc::new(config))).layer(Extension(targets))
}

/// Query keys a share's answer sets; a new answer replaces the ones of the last.
const ANSWER_KEYS: [&str; 6] = ["error", "done", "saved", "target", "to", "message"];

/// `url` without the query pairs an earlier answer left, so they do not pile up.
fn without_answer(url: &str) -> String {
    let Some((path, query)) = url.split_once('?') else { return url.to_owned() };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !ANSWER_KEYS.contains(&pair.split('=').next().unwrap_or_default()))
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// Browsers get redirects they can show; scripts get a status and a line of text.
fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// Back to the form with the error and what was typed, so nothing is lost. What goes into
/// the address is capped (a refused message may be far too long for a Location header).
fn back_with_error(back: &str, code: &str, input: &ShareInput) -> Response {
    let cap = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let refill = [
        ("error", code.to_owned()),
        ("target", cap(&input.target, 20)),
        ("to", cap(&input.to, MAX_MESSAGE_CHARS)),
        ("message", cap(&input.message, MAX_MESSAGE_CHARS)),
    ];
    // Percent-encoded throughout (spaces as %20): the page reads the query back as typed.
    let query = refill.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    let sep = if back.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{back}{sep}{query}")).into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "improvement action was not found").into_response()
}

const RATE_LIMITED: &str = "share_rate_limited";
const NO_PUBLIC_URL: &str = "share_no_public_url";

/// Seconds until `actor` may share again, when the last hour already holds `per_hour` of
/// their shares (counted in the audit trail, so the limit holds across restarts and
/// servers; two shares racing each other may both get in at the edge).
async fn wait_for_limit(store: &dyn store::Store, actor: &str, per_hour: u32) -> store::Result<Option<i64>> {
    let now = chrono::Utc::now();
    let hour = chrono::Duration::hours(1);
    let recent = store.shares_since(actor, now - hour).await?;
    if recent.count < per_hour {
        return Ok(None);
    }
    let frees_at = recent.oldest.map_or(now + hour, |oldest| oldest + hour);
    Ok(Some((frees_at - now).num_seconds().max(1)))
}

/// `POST /tenants/{tenant}/actions/{action}/share`
pub async fn share_action(
    State(state): State<ServerState>,
    session: TenantSession<Write>,
    Path((_, action_id)): Path<(String, String)>,
    headers: HeaderMap,
    config: Option<Extension<Arc<ShareConfig>>>,
    Form(input): Form<ShareInput>,
) -> Response {
    let config = config.map(|Extension(c)| c).unwrap_or_default();
    let (viewer, tenant) = (session.viewer, session.tenant_id);
    let store = state.app.store.as_ref();
    let live = match service::live::live_score(store, &state.app.catalog, &tenant).await {
        Ok(l) => l,
        Err(e) => return internal(e).into_response(),
    };
    let (Some(action), Some(score)) = (live.action(&action_id), live.score_of(&action_id)) else {
        return not_found();
    };
    let back = without_answer(&back_to_actions(&tenant, &action_id, input.back.as_deref()));
    let browser = wants_html(&headers);
    // The link in a share comes only from the operator's public URL, never from the
    // request's Host header, which the sharer controls.
    let Some(base) = state.app.public_url.as_deref() else {
        return if browser {
            back_with_error(&back, NO_PUBLIC_URL, &input)
        } else {
            (StatusCode::CONFLICT, error_message(NO_PUBLIC_URL)).into_response()
        };
    };
    let share = match validate_share(&input, config.targets()) {
        Ok(s) => s,
        Err(code) if browser => return back_with_error(&back, code, &input),
        Err(code) => return (StatusCode::BAD_REQUEST, error_message(code)).into_response(),
    };
    if let Some(per_hour) = config.per_hour {
        match wait_for_limit(store, &viewer.email, per_hour).await {
            Ok(None) => {}
            Ok(Some(_)) if browser => return back_with_error(&back, RATE_LIMITED, &input),
            Ok(Some(wait)) => {
                let retry_after = [(header::RETRY_AFTER, wait.to_string())];
                return (StatusCode::TOO_MANY_REQUESTS, retry_after, error_message(RATE_LIMITED))
                    .into_response();
            }
            Err(e) => return internal(e).into_response(),
        }
    }
    let content = ShareContent {
        title: action.title.clone(),
        tenant: live.tenant.name.clone(),
        status: score.effective.label().to_owned(),
        points: format!("{} of {}", score.points, score.max),
        rank: live.rank_of(&action_id).map_or_else(|| "—".to_owned(), |r| r.to_string()),
        link: action_link(base, &tenant, &action_id),
        remediation: action.remediation.clone(),
        sharer: viewer.email.clone(),
        message: share.message.clone(),
    };
    let sent = match (share.target, &config.smtp, &config.webhook_url, &config.servicenow) {
        (ShareTarget::Email, Some(smtp), _, _) => {
            deliver::send_email(smtp, &share.to, &content).await.map(|()| None)
        }
        (ShareTarget::Webhook, _, Some(url), _) => deliver::post_webhook(url, &content).await.map(|()| None),
        (ShareTarget::ServiceNow, _, _, Some(sn)) => {
            deliver::create_change_request(sn, &content).await.map(Some)
        }
        // validate_share refuses targets that are not configured.
        _ => return (StatusCode::BAD_REQUEST, error_message("share_target_off")).into_response(),
    };
    let target = share.target.as_str();
    let ticket = match sent {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(%tenant, action = %action_id, target, error = %e, "share did not go through");
            let code = format!("share_failed_{target}");
            return if browser {
                back_with_error(&back, &code, &input)
            } else {
                (StatusCode::BAD_GATEWAY, error_message(&code)).into_response()
            };
        }
    };
    let record = store::ActionShare {
        tenant_id: tenant.clone(),
        action_id: action_id.clone(),
        target: target.to_owned(),
        recipients: share.to.clone(),
        actor: viewer.email.clone(),
    };
    let ticket = ticket.map(|t| store::ActionTicket {
        tenant_id: tenant.clone(),
        action_id: action_id.clone(),
        number: t.number,
        url: t.url,
        created_by: viewer.email.clone(),
        created_at: chrono::Utc::now(),
    });
    if let Err(e) = store.record_share(&record, ticket.as_ref()).await {
        tracing::error!(%tenant, action = %action_id, target, "shared, but the share could not be recorded");
        return internal(e).into_response();
    }
    tracing::info!(%tenant, action = %action_id, target, "action shared");
    Redirect::to(&with_param(&back, "done", &format!("shared_{target}"))).into_response()
}

#[cfg(test)]
mod tests {
    use super::without_answer;

    #[test]
    fn earlier_answers_are_dropped_from_the_way_back() {
        let t = "/tenants/t/actions";
        assert_eq!(without_answer(&format!("{t}/X")), format!("{t}/X"));
        assert_eq!(
            without_answer(&format!("{t}/X?error=share_to&to=a&message=b&target=email")),
            format!("{t}/X")
        );
        assert_eq!(
            without_answer(&format!("{t}?status=All&action=X&done=shared_email&saved=1")),
            format!("{t}?status=All&action=X")
        );
    }
}
