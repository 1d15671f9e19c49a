//! Scanner reports over HTTP: the Settings upload (`POST /tenants/{tenant}/import-scan`, a
//! form with the files) and `POST /api/v1/scans` (one file as the body, with a token). Both
//! go through [`super::scan::import_scans`], as the command line does.

use super::graph_json::FileError;
use super::scan::{import_scans, ScanFileReport, ScanOptions, ScanTarget};
use super::slots::ImportSlots;
use super::upload::{open_upload, refusal, stream_page, STORAGE_FAILED};
use super::{ImportError, ImportFile};
use crate::graph::error::{ErrorDetail, GraphError};
use crate::graph::{internal, TokenOn};
use crate::http::ServerState;
use crate::plain_page::escape;
use crate::web_access::{TenantSession, Write};
use axum::body::Bytes;
use axum::extract::multipart::Multipart;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use scan::mapping::Unmapped;
use scan::Tool;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

pub const SCANS_PATH: &str = "/api/v1/scans";

/// `auto` or a tool's key.
fn tool_choice(value: Option<&str>) -> Result<Option<Tool>, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None | Some("auto") => Ok(None),
        Some(t) => Tool::from_key(t)
            .map(Some)
            .ok_or_else(|| format!("tool: `{t}` is not one of auto, maester, scubagear, prowler")),
    }
}

fn unmapped_choice(value: Option<&str>) -> Result<Unmapped, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(Unmapped::Custom),
        Some(u) => Unmapped::from_key(u).ok_or_else(|| format!("unmapped: `{u}` is not one of custom, skip")),
    }
}

/// `POST /tenants/{tenant}/import-scan`: read-write roles only.
pub async fn upload(
    State(state): State<ServerState>,
    session: TenantSession<Write>,
    Extension(slots): Extension<Arc<ImportSlots>>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (viewer, tenant) = (session.viewer, session.tenant_id);
    let (slot, files, fields) = match open_upload(&slots, &tenant, multipart).await {
        Ok(upload) => upload,
        Err(refused) => return *refused,
    };
    if files.is_empty() {
        let message = "Files: choose at least one scanner report (Maester, ScubaGear or Prowler JSON).";
        return refusal(StatusCode::BAD_REQUEST, &tenant, message);
    }
    let choices = tool_choice(fields.get("tool").map(String::as_str))
        .and_then(|tool| Ok((tool, unmapped_choice(fields.get("unmapped").map(String::as_str))?)));
    let (tool, unmapped) = match choices {
        Ok(c) => c,
        Err(m) => return refusal(StatusCode::BAD_REQUEST, &tenant, &capitalised(&m)),
    };
    // Ticking "another directory" is the page's way of naming the tenant explicitly.
    let target = if fields.get("another_directory").is_some_and(|v| v == "on" || v == "1") {
        ScanTarget::Named(tenant.clone())
    } else {
        ScanTarget::Of(tenant.clone())
    };
    let options = ScanOptions { target, tool, unmapped };
    let names = files.iter().map(|f| escape(&f.name)).collect::<Vec<_>>().join(", ");
    let actor = viewer.email;
    stream_page("Importing scanner reports", &names, tenant.clone(), slot, move |lines| async move {
        let progress = Arc::new(move |line: &str| {
            let _ = lines.send(format!("<p class=\"subtle progress\">{}…</p>", escape(line)));
        });
        let store = state.app.store.as_ref();
        match import_scans(store, &state.app.catalog, &files, &options, &actor, progress).await {
            Ok(reports) => {
                let items: String = reports
                    .iter()
                    .map(|r| {
                        tracing::info!(tenant = %tenant, by = %actor, summary = %r.summary(), "scan import");
                        format!("<li>{}</li>", escape(&r.summary()))
                    })
                    .collect();
                format!("<div class=\"notice\" role=\"status\" id=\"import-result\"><p>Imported:</p><ul>{items}</ul></div>")
            }
            Err(ImportError::Store(e)) => {
                tracing::error!(tenant = %tenant, error = %e, "scan import failed");
                STORAGE_FAILED.to_owned()
            }
            Err(e) => format!(
                "<p class=\"error\" role=\"alert\" id=\"import-error\">{}</p><p>Nothing of that file was imported.</p>",
                escape(&e.to_string())
            ),
        }
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// What `POST /api/v1/scans` answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanReply {
    pub tenant_id: String,
    /// maester, scubagear or prowler.
    pub tool: String,
    pub tool_version: Option<String>,
    pub executed_at: chrono::DateTime<chrono::Utc>,
    pub controls: usize,
    pub actions_measured: usize,
    /// 0 when the same report was imported before.
    pub measurements_written: usize,
    pub custom_actions_added: Vec<String>,
    pub skipped_controls: usize,
}

impl From<ScanFileReport> for ScanReply {
    fn from(r: ScanFileReport) -> ScanReply {
        ScanReply {
            tenant_id: r.tenant_id,
            tool: r.tool.key().to_owned(),
            tool_version: r.tool_version,
            executed_at: r.executed_at,
            controls: r.controls,
            actions_measured: r.actions_measured,
            measurements_written: r.measurements_written,
            custom_actions_added: r.custom_actions_added,
            skipped_controls: r.skipped,
        }
    }
}

/// `POST /api/v1/scans`
#[utoipa::path(
    post,
    path = "/api/v1/scans",
    tag = "Ingest",
    params(
        ("tool" = Option<String>, Query, description = "auto (default: recognised by content), maester, scubagear or prowler"),
        ("unmapped" = Option<String>, Query, description = "custom (default: a custom action per unmapped control) or skip"),
        ("tenant" = Option<String>, Query, description = "The token's tenant, named to accept a report of another Entra directory"),
        ("name" = Option<String>, Query, description = "The file's name, for messages and the audit trail"),
    ),
    request_body(content = String, content_type = "application/json", description = "One report as the scanner wrote it (at most 64 MiB)"),
    responses(
        (status = 200, description = "The report imported (or imported before: nothing written)", body = ScanReply),
        (status = 400, description = "Nothing stored; the message names the file, the JSON path and the value", body = crate::graph::GraphErrorBody),
        (status = 403, description = "The token's scope or user's role does not allow changes", body = crate::graph::GraphErrorBody),
        (status = 413, description = "The body is over 64 MiB", body = crate::graph::GraphErrorBody),
        (status = 429, description = "Another import of this tenant is running", body = crate::graph::GraphErrorBody),
    ),
)]
pub async fn post_scan(
    State(state): State<ServerState>,
    TokenOn(grant, _): TokenOn<Write>,
    Extension(slots): Extension<Arc<ImportSlots>>,
    Query(params): Query<HashMap<String, String>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match accept(&state, &grant, &slots, params, body).await {
        Ok(reply) => axum::Json(reply).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn accept(
    state: &ServerState,
    grant: &crate::graph::Caller,
    slots: &Arc<ImportSlots>,
    params: HashMap<String, String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<ScanReply, GraphError> {
    const KNOWN: [&str; 4] = ["tool", "unmapped", "tenant", "name"];
    if let Some(k) = params.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(GraphError::bad_request(format!(
            "The query parameter `{k}` is not known; use tool, unmapped, tenant or name."
        )));
    }
    let tool = tool_choice(params.get("tool").map(String::as_str)).map_err(GraphError::bad_request)?;
    let unmapped =
        unmapped_choice(params.get("unmapped").map(String::as_str)).map_err(GraphError::bad_request)?;
    let target = match params.get("tenant") {
        Some(t) if t.eq_ignore_ascii_case(&grant.tenant_id) => ScanTarget::Named(grant.tenant_id.clone()),
        Some(t) => {
            return Err(GraphError::bad_request(format!(
                "tenant: `{t}` is not the token's tenant; a token imports into its own tenant only."
            )))
        }
        None => ScanTarget::Of(grant.tenant_id.clone()),
    };
    let name = params.get("name").map(|n| n.trim()).filter(|n| !n.is_empty()).unwrap_or("body");
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(GraphError::bad_request("name: at most 200 characters, no control characters."));
    }
    let _slot = slots.try_start(&grant.tenant_id).map_err(|busy| {
        GraphError::new(StatusCode::TOO_MANY_REQUESTS, "TooManyRequests", busy.message().to_owned())
    })?;
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            GraphError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                format!(
                    "The report is larger than {} MiB.",
                    super::upload::UPLOAD_LIMIT_BYTES / (1024 * 1024)
                ),
            )
        } else {
            GraphError::bad_request(format!("The request body could not be read: {r}"))
        }
    })?;
    let files = [ImportFile::from_bytes(name, body.to_vec())];
    let options = ScanOptions { target, tool, unmapped };
    let user = state.app.store.user(&grant.user_id).await.map_err(internal)?;
    let quiet = Arc::new(|_: &str| {});
    let reports =
        import_scans(state.app.store.as_ref(), &state.app.catalog, &files, &options, &user.email, quiet)
            .await
            .map_err(|e| match e {
                ImportError::File(FileError { file, path, message }) => {
                    GraphError::bad_request(format!("{file}: at {path}: {message}; nothing was stored."))
                        .with_details(vec![ErrorDetail {
                            code: "InvalidValue".into(),
                            target: path,
                            message,
                        }])
                }
                ImportError::Tenant(m) => GraphError::bad_request(m),
                ImportError::Store(e) => internal(e),
            })?;
    let report = reports.into_iter().next().ok_or_else(|| internal("no report"))?;
    tracing::info!(tenant = %grant.tenant_id, token = %grant.token_id, summary = %report.summary(), "scan imported");
    Ok(report.into())
}
