//! Changes across tenants from the portfolio, as plain form posts answered with a page of
//! what happened in each tenant (they work the same with and without JavaScript): one
//! status in many tenants, and baselines saved, deleted and applied.

use crate::http::ServerState;
use crate::plain_page::{self, escape};
use crate::web_access::{internal, SignedIn};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use service::bulk::{self, ApplyError, BulkError, Outcome};
use service::status_edit::StatusEdit;

/// A form's fields, repeated ones (`tenant`) kept in order.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn read(body: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    fn one(&self, key: &str) -> String {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }
}

/// A page saying what went wrong, naming the field, with the status it is sent with.
fn refused(status: StatusCode, field: &str, message: &str) -> Response {
    let page = format!(
        "{start}<p role=\"alert\" data-field=\"{field}\">{message}</p><p>Nothing was changed.</p>\
         <p><a href=\"/\">Back to your tenants</a></p>{end}",
        start = plain_page::start("Not changed", "Nothing was changed"),
        field = escape(field),
        message = escape(message),
        end = plain_page::END,
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

fn answered(title: &str, body: &str) -> Response {
    let page = format!(
        "{}{body}<p><a href=\"/\">Back to your tenants</a></p>{}",
        plain_page::start(title, title),
        plain_page::END
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

/// `POST /portfolio/status`: `tenant` (repeated), `action_id`, `status`, `note`,
/// `assignee`, `due_date` — the status set on that action in each chosen tenant where the
/// viewer holds a read-write role; the page lists each tenant and what happened there.
pub async fn set_status(
    State(state): State<ServerState>,
    SignedIn(viewer): SignedIn,
    body: axum::body::Bytes,
) -> Response {
    let f = Fields::read(&body);
    let input = app::pages::actions::edit::EditInput {
        status: f.one("status"),
        note: f.one("note"),
        due_date: f.one("due_date"),
        assignee: f.one("assignee"),
        tags: String::new(),
    };
    let edit: StatusEdit = match app::pages::actions::edit::edit_of(&input) {
        Ok(edit) => edit,
        Err(r) => return refused(StatusCode::BAD_REQUEST, r.field, r.message),
    };
    let action_id = f.one("action_id");
    let app = &state.app;
    let store = app.store.as_ref();
    let tenants = f.all("tenant");
    let done =
        bulk::apply_status(store, &app.catalog, &viewer.user_id, &viewer.email, &tenants, &action_id, edit)
            .await;
    let outcomes = match done {
        Ok(o) => o,
        Err(BulkError::Tenants(n)) => return too_many(n),
        Err(BulkError::UnknownAction(id)) => {
            return refused(
                StatusCode::BAD_REQUEST,
                "action_id",
                &format!("Action: “{id}” is not an action of the catalog."),
            )
        }
        Err(BulkError::Refused(r)) => return refused(StatusCode::BAD_REQUEST, r.field, r.message),
        Err(BulkError::Store(e)) => return internal(e).into_response(),
    };
    let title = app.catalog.iter().find(|a| a.id == action_id).map_or(action_id.clone(), |a| a.title.clone());
    let changed = outcomes.iter().filter(|o| o.outcome == Outcome::Changed).count();
    let mut rows = String::new();
    for o in &outcomes {
        let (class, what) = match &o.outcome {
            Outcome::Changed => ("changed", "changed".to_owned()),
            Outcome::Skipped(why) => ("skipped", format!("skipped: {why}")),
            Outcome::Failed(detail) => {
                tracing::error!(tenant = %o.tenant_id, error = %detail, "bulk status change failed in a tenant");
                ("failed", "not changed: the server could not save it (logged); try again".to_owned())
            }
        };
        let who = o.name.as_deref().map_or_else(
            || escape(&o.tenant_id),
            |n| {
                format!(
                    "<a href=\"/tenants/{id}/actions/{action}\">{name}</a>",
                    id = escape(&o.tenant_id),
                    action = escape(&action_id),
                    name = escape(n)
                )
            },
        );
        rows.push_str(&format!("<tr class=\"{class}\" data-tenant=\"{}\" data-outcome=\"{class}\"><td>{who}</td><td>{}</td></tr>", escape(&o.tenant_id), escape(&what)));
    }
    tracing::info!(by = %viewer.email, action = %action_id, changed, asked = outcomes.len(), "status set across tenants");
    let body = format!(
        "<p id=\"bulk-summary\">“{title}” set to <strong>{status}</strong> in {changed} of {asked} tenants.</p>{table}",
        title = escape(&title),
        status = escape(input_status_label(&f.one("status"))),
        asked = outcomes.len(),
        table = outcome_table(&rows),
    );
    answered("Status set across tenants", &body)
}

fn input_status_label(s: &str) -> &'static str {
    score::Status::parse(s.trim()).map_or("", score::Status::label)
}

/// `POST /portfolio/baselines`: `name` and `entries` (one `ActionId, Status, note` a line)
/// saved as one of the viewer's baselines.
pub async fn add_baseline(
    State(state): State<ServerState>,
    SignedIn(viewer): SignedIn,
    body: axum::body::Bytes,
) -> Response {
    let f = Fields::read(&body);
    let app = &state.app;
    let checked = bulk::baseline_name(&f.one("name"))
        .and_then(|name| bulk::baseline_entries(&f.one("entries"), &app.catalog).map(|e| (name, e)));
    let (name, entries) = match checked {
        Ok(v) => v,
        Err(r) => return refused(StatusCode::BAD_REQUEST, r.field, &r.message),
    };
    let baseline = store::Baseline {
        id: uuid::Uuid::new_v4().simple().to_string(),
        owner_user_id: viewer.user_id.clone(),
        name,
        entries,
        created_at: chrono::Utc::now(),
    };
    match app.store.add_baseline(&baseline, bulk::MAX_BASELINES, &viewer.email).await {
        Ok(()) => Redirect::to("/?done=baseline_added#baselines").into_response(),
        Err(store::StoreError::Conflict(m) | store::StoreError::Full(m)) => {
            refused(StatusCode::CONFLICT, "name", &format!("Name: {m}."))
        }
        Err(e) => internal(e).into_response(),
    }
}

/// `POST /portfolio/baselines/delete`: `baseline_id`, one of the viewer's own.
pub async fn delete_baseline(
    State(state): State<ServerState>,
    SignedIn(viewer): SignedIn,
    body: axum::body::Bytes,
) -> Response {
    let f = Fields::read(&body);
    match state.app.store.delete_baseline(&viewer.user_id, &f.one("baseline_id"), &viewer.email).await {
        Ok(true) => Redirect::to("/?done=baseline_deleted#baselines").into_response(),
        Ok(false) => refused(StatusCode::NOT_FOUND, "baseline_id", "Baseline: you keep no such baseline."),
        Err(e) => internal(e).into_response(),
    }
}

/// `POST /portfolio/baselines/apply`: `baseline_id` (one of the viewer's) and `tenant`
/// (repeated): every status of the baseline set in each tenant where the viewer holds a
/// read-write role, each tenant in one write (all of the baseline or none of it).
pub async fn apply_baseline(
    State(state): State<ServerState>,
    SignedIn(viewer): SignedIn,
    body: axum::body::Bytes,
) -> Response {
    let f = Fields::read(&body);
    let app = &state.app;
    let store = app.store.as_ref();
    let baselines = match store.baselines(&viewer.user_id).await {
        Ok(b) => b,
        Err(e) => return internal(e).into_response(),
    };
    let Some(baseline) = baselines.into_iter().find(|b| b.id == f.one("baseline_id")) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "baseline_id",
            "Baseline: choose one of the baselines you keep.",
        );
    };
    let tenants = f.all("tenant");
    let done = bulk::apply_baseline_to(
        store,
        &app.catalog,
        &viewer.user_id,
        &viewer.email,
        &baseline.entries,
        &tenants,
    );
    let reports = match done.await {
        Ok(r) => r,
        Err(BulkError::Tenants(n)) => return too_many(n),
        Err(BulkError::Store(e)) => return internal(e).into_response(),
        Err(BulkError::UnknownAction(_) | BulkError::Refused(_)) => {
            return refused(StatusCode::BAD_REQUEST, "baseline_id", "Baseline: it cannot be applied.")
        }
    };
    let mut rows = String::new();
    let mut changed = 0;
    for (tenant_id, report) in &reports {
        let id = escape(tenant_id);
        let (class, who, what) = match report {
            Ok(r) => {
                changed += 1;
                let skipped = if r.skipped.is_empty() {
                    String::new()
                } else {
                    let list: Vec<String> = r.skipped.iter().map(|(a, why)| format!("{a} ({why})")).collect();
                    format!("; left as they were: {}", list.join(", "))
                };
                (
                    "changed",
                    format!("<a href=\"/tenants/{id}/actions\">{}</a>", escape(&r.tenant_name)),
                    format!("{} statuses set{skipped}", r.applied.len()),
                )
            }
            Err(ApplyError::NotYours) => ("skipped", id.clone(), format!("skipped: {}", bulk::NOT_YOURS)),
            Err(ApplyError::ReadOnly) => ("skipped", id.clone(), format!("skipped: {}", bulk::READ_ONLY)),
            Err(ApplyError::Store(e)) => {
                tracing::error!(tenant = %tenant_id, error = %e, "baseline not applied to a tenant");
                (
                    "failed",
                    id.clone(),
                    "not changed: the server could not save it (logged); try again".to_owned(),
                )
            }
        };
        rows.push_str(&format!(
            "<tr class=\"{class}\" data-tenant=\"{id}\" data-outcome=\"{class}\"><td>{who}</td><td>{}</td></tr>",
            escape(&what)
        ));
    }
    tracing::info!(by = %viewer.email, baseline = %baseline.name, changed, asked = reports.len(), "baseline applied");
    let body = format!(
        "<p id=\"bulk-summary\">Baseline “{name}” applied in {changed} of {asked} tenants.</p>{table}",
        name = escape(&baseline.name),
        asked = reports.len(),
        table = outcome_table(&rows),
    );
    answered("Baseline applied", &body)
}

fn outcome_table(rows: &str) -> String {
    format!(
        "<div class=\"table-scroll\"><table class=\"list\" id=\"bulk-outcomes\"><thead><tr><th scope=\"col\">Tenant</th>\
         <th scope=\"col\">What happened</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
}

fn too_many(n: usize) -> Response {
    let message = format!("Tenants: choose between 1 and {} tenants; {n} were chosen.", bulk::MAX_TENANTS);
    refused(StatusCode::BAD_REQUEST, "tenant", &message)
}
