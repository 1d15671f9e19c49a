//! The Settings upload of Graph exports: `POST /tenants/{tenant}/import`, a multipart form
//! with one or more JSON files in `files`. The files are checked before anything is written;
//! the import then runs on its own task (a closed browser tab does not stop it halfway) and
//! the answer is an HTML page streamed as the import goes, so long imports show progress
//! even without JavaScript.

use super::slots::{ImportSlot, ImportSlots, RETRY_AFTER_SECS};
use super::{check_files_off_the_workers, import_graph, ImportFile};
use crate::http::ServerState;
use crate::plain_page::{self, escape};
use crate::web_access::{TenantSession, Write};
use axum::body::Body;
use axum::extract::multipart::{Field, Multipart, MultipartError};
use axum::extract::{Extension, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Largest upload accepted: two years of daily `secureScores` with 300 controls each is
/// about 40 MiB of JSON.
pub const UPLOAD_LIMIT_BYTES: usize = 64 * 1024 * 1024;
/// Most files in one upload.
const MAX_FILES: usize = 20;

/// Whether `path` is the upload route (it gets [`UPLOAD_LIMIT_BYTES`] instead of the
/// server's small default body limit).
pub fn is_upload_path(path: &str) -> bool {
    path == super::scan_http::SCANS_PATH
        || path
            .strip_prefix("/tenants/")
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(tenant, tail)| !tenant.is_empty() && (tail == "import" || tail == "import-scan"))
}

pub(super) fn page_tail(tenant: &str) -> String {
    format!(
        "<p><a href=\"/tenants/{tenant}/settings\" id=\"back-to-settings\">Back to Settings</a> · \
         <a href=\"/tenants/{tenant}/history\">History</a></p>{}",
        plain_page::END
    )
}

/// A refusal as a page a browser shows: the status, the problem, and the way back.
pub(super) fn refusal(status: StatusCode, tenant: &str, message: &str) -> Response {
    let body = format!(
        "{}<p class=\"error\" role=\"alert\" id=\"import-error\">{}</p><p>Nothing was imported.</p>{}",
        plain_page::start("Import refused", "Import refused"),
        escape(message),
        page_tail(tenant)
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

fn multipart_refusal(tenant: &str, e: &MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let mib = UPLOAD_LIMIT_BYTES / (1024 * 1024);
        return refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            tenant,
            &format!("Files: the upload is larger than {mib} MiB; import the files one at a time."),
        );
    }
    refusal(StatusCode::BAD_REQUEST, tenant, &format!("Files: the upload could not be read ({e})."))
}

/// What an upload form brings: the tenant's import slot (taken before the body is read,
/// and held by the import until it ends), the files and the other fields; or the page
/// refusing it (another import running, a form that cannot be read).
pub(super) async fn open_upload(
    slots: &Arc<ImportSlots>,
    tenant: &str,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<UploadForm, Box<Response>> {
    let slot = slots.try_start(tenant).map_err(|busy| {
        let mut resp = refusal(StatusCode::TOO_MANY_REQUESTS, tenant, busy.message());
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        Box::new(resp)
    })?;
    let (files, fields) = read_form(tenant, multipart).await.map_err(Box::new)?;
    Ok((slot, files, fields))
}

pub(super) type UploadForm = (ImportSlot, Vec<ImportFile>, std::collections::HashMap<String, String>);

/// `POST /tenants/{tenant}/import`: read-write roles only.
pub async fn upload(
    State(state): State<ServerState>,
    session: TenantSession<Write>,
    Extension(slots): Extension<Arc<ImportSlots>>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (viewer, tenant) = (session.viewer, session.tenant_id);
    let (slot, files, _) = match open_upload(&slots, &tenant, multipart).await {
        Ok(upload) => upload,
        Err(refused) => return *refused,
    };
    if files.is_empty() {
        let message = "Files: choose at least one Microsoft Graph export (a secureScores or \
                       secureScoreControlProfiles JSON file).";
        return refusal(StatusCode::BAD_REQUEST, &tenant, message);
    }
    if let Err(e) = check_files_off_the_workers(&files).await {
        return refusal(StatusCode::BAD_REQUEST, &tenant, &e.to_string());
    }
    stream_import(state, tenant, viewer.email, files, slot)
}

/// The files of an upload form, spooled to temporary files, and its other fields; a
/// refusal page when the form cannot be read.
async fn read_form(
    tenant: &str,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(Vec<ImportFile>, std::collections::HashMap<String, String>), Response> {
    let mut multipart = multipart.map_err(|e| {
        refusal(
            StatusCode::BAD_REQUEST,
            tenant,
            &format!("Files: send the form as multipart/form-data ({e})."),
        )
    })?;
    let mut files = Vec::new();
    let mut fields = std::collections::HashMap::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_refusal(tenant, &e)),
        };
        let Some(name) = field.name().map(str::to_owned) else { continue };
        if name != "files" {
            // The other fields are short choices; a long one is not ours.
            let value = field.text().await.map_err(|e| multipart_refusal(tenant, &e))?;
            if value.len() <= 200 {
                fields.insert(name, value);
            }
            continue;
        }
        let file_name = field.file_name().map(str::to_owned).unwrap_or_default();
        let (spooled, size) = match spool(&mut field).await {
            Ok(s) => s,
            Err(Spool::Upload(e)) => return Err(multipart_refusal(tenant, &e)),
            Err(Spool::Disk(e)) => {
                tracing::error!(error = %e, "an upload could not be spooled to a temporary file");
                let message = "The server could not store the upload for reading; it has been logged.";
                return Err(refusal(StatusCode::INTERNAL_SERVER_ERROR, tenant, message));
            }
        };
        // A form submitted with no file chosen still sends one empty part.
        if file_name.is_empty() && size == 0 {
            continue;
        }
        if files.len() == MAX_FILES {
            let message = format!("Files: at most {MAX_FILES} files in one upload.");
            return Err(refusal(StatusCode::BAD_REQUEST, tenant, &message));
        }
        let file_name = if file_name.is_empty() { format!("file {}", files.len() + 1) } else { file_name };
        files.push(ImportFile::spooled(file_name, spooled));
    }
    Ok((files, fields))
}

enum Spool {
    Upload(MultipartError),
    Disk(std::io::Error),
}

/// Writes one uploaded file to a temporary file as it arrives, so an upload is never held
/// in memory; answers the file (deleted when dropped) and its size.
async fn spool(field: &mut Field<'_>) -> Result<(tempfile::TempPath, u64), Spool> {
    use tokio::io::AsyncWriteExt;
    let (file, path) = tempfile::NamedTempFile::new().map_err(Spool::Disk)?.into_parts();
    let mut out = tokio::fs::File::from_std(file);
    let mut size = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(Spool::Upload)? {
        out.write_all(&chunk).await.map_err(Spool::Disk)?;
        size += chunk.len() as u64;
    }
    out.flush().await.map_err(Spool::Disk)?;
    Ok((path, size))
}

/// Runs the import on its own task and streams its progress lines, then the outcome.
fn stream_import(
    state: ServerState,
    tenant: String,
    actor: String,
    files: Vec<ImportFile>,
    slot: ImportSlot,
) -> Response {
    let names = files.iter().map(|f| escape(&f.name)).collect::<Vec<_>>().join(", ");
    stream_page("Importing Graph exports", &names, tenant.clone(), slot, move |lines| async move {
        let progress = move |done: usize, total: usize| {
            let _ = lines.send(format!("<p class=\"subtle progress\">Imported {done} of {total} days…</p>"));
        };
        let store = state.app.store.as_ref();
        let source = score::MeasurementSource::Import;
        match import_graph(store, &state.app.catalog, Some(&tenant), &files, &actor, source, &progress).await
        {
            Ok(report) => {
                tracing::info!(tenant = %tenant, by = %actor, summary = %report.summary(), "graph import");
                format!(
                    "<p class=\"notice\" role=\"status\" id=\"import-result\">Imported: {}.</p>",
                    escape(&report.summary())
                )
            }
            Err(e) => {
                tracing::error!(tenant = %tenant, error = %e, "graph import failed");
                STORAGE_FAILED.to_owned()
            }
        }
    })
}

/// What the page says when an import stopped on a storage error.
pub(super) const STORAGE_FAILED: &str = "<p class=\"error\" role=\"alert\" id=\"import-error\">The import \
    stopped on a storage error; it has been logged. Importing the same files again finishes it without \
    duplicating what was already imported.</p>";

/// An HTML page streamed as work goes: its heading, "Importing …", each line the work sends,
/// then what it answers and the way back. The work runs on its own task (a closed browser
/// tab does not stop it halfway) holding the tenant's import slot.
pub(super) fn stream_page<W, F>(
    title: &str,
    names: &str,
    tenant: String,
    slot: ImportSlot,
    work: W,
) -> Response
where
    W: FnOnce(tokio::sync::mpsc::UnboundedSender<String>) -> F + Send + 'static,
    F: std::future::Future<Output = String> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let _ = tx.send(format!("{}<p>Importing {names}…</p>", plain_page::start(title, title)));
    let tail = page_tail(&tenant);
    tokio::spawn(async move {
        let last = work(tx.clone()).await;
        let _ = tx.send(last + &tail);
        drop(slot);
    });
    // Fused: the compression layer polls once more after the end, which a bare unfold
    // stream does not allow.
    let body = futures::StreamExt::fuse(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), rx))
    }));
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
        Body::from_stream(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::is_upload_path;

    #[test]
    fn only_the_import_route_gets_the_large_limit() {
        assert!(is_upload_path("/tenants/abc/import"));
        assert!(!is_upload_path("/tenants//import"));
        assert!(!is_upload_path("/tenants/abc/import/x"));
        assert!(!is_upload_path("/tenants/abc/tokens"));
        assert!(!is_upload_path("/api/v1/measurements"));
        assert!(is_upload_path("/tenants/abc/import-scan"));
        assert!(is_upload_path("/api/v1/scans"));
    }
}
