//! The tenant's connection to Microsoft 365 on the Settings page: its state for everyone
//! with a role (last success, last attempt, the reason a sync failed and what to do, the
//! next run), and for read-write roles the forms to connect, rotate the secret, sync now
//! and disconnect. The secret is never shown again once saved.

#[cfg(feature = "ssr")]
use super::page_of;
use crate::error::AppError;
use crate::pages::card::Card;
use crate::pages::forms::posts_to;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the page shows of a connection (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub directory_id: String,
    pub client_id: String,
    pub write_back: bool,
    pub connected_by: String,
    pub connected_at: String,
    pub secret_set_at: String,
    pub last_attempt: Option<String>,
    pub last_success: Option<String>,
    /// Why the last attempt failed, with what to do.
    pub last_error: Option<String>,
    pub next_run: Option<String>,
}

/// The connector's part of the Settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct M365Card {
    /// This server can connect tenants.
    pub available: bool,
    pub connection: Option<ConnectionView>,
}

#[cfg(feature = "ssr")]
pub async fn card(state: &crate::state::AppState, tenant_id: &str) -> Result<M365Card, AppError> {
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let connection = state.store.m365_connection(tenant_id).await?.map(|c| ConnectionView {
        next_run: state.microsoft.as_ref().map(|m| when(m.next_sync(tenant_id, chrono::Utc::now()))),
        directory_id: c.directory_id,
        client_id: c.client_id,
        write_back: c.write_back,
        connected_by: c.connected_by,
        connected_at: when(c.connected_at),
        secret_set_at: when(c.secret_set_at),
        last_attempt: c.last_attempt_at.map(when),
        last_success: c.last_success_at.map(when),
        last_error: c.last_error,
    });
    Ok(M365Card { available: state.microsoft.is_some(), connection })
}

/// The server's connector, or the refusal of a server that has none.
#[cfg(feature = "ssr")]
fn connector(
    state: &crate::state::AppState,
) -> Result<std::sync::Arc<dyn service::m365::Microsoft365>, AppError> {
    state
        .microsoft
        .clone()
        .ok_or_else(|| AppError::invalid("form", "This server does not connect to Microsoft 365."))
}

/// Syncs on a task of its own, so a request cut off by its time limit (or a closed browser)
/// never stops a sync halfway: it finishes, and records its outcome, either way.
#[cfg(feature = "ssr")]
pub async fn sync_to_the_end(
    microsoft: std::sync::Arc<dyn service::m365::Microsoft365>,
    state: crate::state::AppState,
    tenant_id: String,
) -> Result<String, String> {
    let task =
        tokio::spawn(async move { microsoft.sync(state.store.as_ref(), &state.catalog, &tenant_id).await });
    task.await.unwrap_or_else(|e| Err(format!("the sync stopped: {e}")))
}

/// Connects the tenant to an app registration, or replaces its connection (a rotated
/// secret): Entra is asked for a token first, and nothing is saved if it refuses.
#[server(endpoint = "connect_m365")]
pub async fn connect_m365(
    tenant_id: String,
    directory_id: String,
    client_id: String,
    client_secret: String,
    certificate: Option<String>,
    write_back: Option<String>,
) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    use service::m365::{ConnectFailure, ConnectionForm};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let page = page_of(&access.tenant_id);
    let microsoft = connector(&access.state)?;
    let form = ConnectionForm {
        directory_id,
        client_id,
        client_secret,
        certificate: certificate.unwrap_or_default(),
        write_back: write_back.is_some(),
    };
    let store = access.state.store.as_ref();
    match microsoft.connect(store, &access.tenant_id, &form, &access.viewer.email).await {
        Ok(()) => done(&format!("{page}?done=m365_connected")),
        Err(ConnectFailure::Refused { refusal, .. }) => refuse(&page, refusal).await,
        Err(ConnectFailure::Store(e)) => Err(e.into()),
    }
}

/// Syncs the tenant from Microsoft 365 now; a failure is kept on the connection and shown.
#[server(endpoint = "sync_m365")]
pub async fn sync_m365(tenant_id: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let page = page_of(&access.tenant_id);
    let microsoft = connector(&access.state)?;
    let state = &access.state;
    if state.store.m365_connection(&access.tenant_id).await?.is_none() {
        return refuse(&page, service::m365::REFUSALS.of("not_connected")).await;
    }
    match sync_to_the_end(microsoft, state.clone(), access.tenant_id.clone()).await {
        Ok(changes) => {
            tracing::info!(tenant = %access.tenant_id, by = %access.viewer.email, %changes, "sync now from Microsoft 365");
            done(&format!("{page}?done=m365_synced"))
        }
        // The reason is on the connection, which the page shows.
        Err(_) => refuse(&page, service::m365::REFUSALS.of("sync_failed")).await,
    }
}

/// Removes the connection: nothing more is fetched, and the sealed secret is deleted. The
/// history synced so far stays.
#[server(endpoint = "disconnect_m365")]
pub async fn disconnect_m365(tenant_id: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let page = page_of(&access.tenant_id);
    if access.state.store.delete_m365_connection(&access.tenant_id, &access.viewer.email).await? {
        done(&format!("{page}?done=m365_disconnected"))
    } else {
        refuse(&page, service::m365::REFUSALS.of("not_connected")).await
    }
}

#[component]
pub fn M365Section(card: M365Card, tenant_id: String, can_write: bool) -> impl IntoView {
    let connected = card.connection.clone();
    let (directory, client, write_back) = connected
        .as_ref()
        .map(|c| (c.directory_id.clone(), c.client_id.clone(), c.write_back))
        .unwrap_or_default();
    let status = match &connected {
        None => view! { <p id="m365-status">"Not connected: Rampart only has what is imported or sent to it."</p> }.into_any(),
        Some(c) => {
            let c = c.clone();
            view! {
                <dl id="m365-status" class="facts">
                    <dt>"Directory (tenant) ID"</dt><dd>{c.directory_id}</dd>
                    <dt>"Application (client) ID"</dt><dd>{c.client_id}</dd>
                    <dt>"Connected"</dt><dd>{format!("{} by {}", c.connected_at, c.connected_by)}</dd>
                    <dt>"Secret saved"</dt><dd>{c.secret_set_at}</dd>
                    <dt>"Last success"</dt><dd id="m365-last-success">{c.last_success.unwrap_or_else(|| "never".into())}</dd>
                    <dt>"Last attempt"</dt><dd>{c.last_attempt.unwrap_or_else(|| "none yet".into())}</dd>
                    <dt>"Next run"</dt><dd>{c.next_run.unwrap_or_else(|| "not scheduled".into())}</dd>
                    <dt>"Write-back"</dt><dd>{if c.write_back { "on" } else { "off" }}</dd>
                </dl>
                {c.last_error.map(|e| view! { <p class="error" role="alert" id="m365-error">"The last sync failed: " {e}</p> })}
            }
            .into_any()
        }
    };
    let is_connected = connected.is_some();
    let (t1, t2, t3) = (tenant_id.clone(), tenant_id.clone(), tenant_id);
    view! {
        <Card id="m365" title="Microsoft 365">
            <p class="subtle">
                "Rampart reads this tenant's Secure Score from Microsoft Graph every day, as an Entra app registration with the application permission SecurityEvents.Read.All, and keeps every day for good."
            </p>
            {status}
            {(can_write && card.available).then(|| view! {
                <form method="post" action={posts_to::<ConnectM365>()} class="row-form" id="m365-form">
                    <input type="hidden" name="tenant_id" value=t1/>
                    <label>"Directory (tenant) ID" <input type="text" name="directory_id" value=directory required
                        pattern="[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"/></label>
                    <label>"Application (client) ID" <input type="text" name="client_id" value=client required
                        pattern="[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"/></label>
                    <label>"Client secret (its Value)" <input type="password" name="client_secret" autocomplete="off" maxlength="1024"/></label>
                    <label>"or a certificate and its private key (PEM)" <textarea name="certificate" rows="3" autocomplete="off" spellcheck="false" placeholder="-----BEGIN CERTIFICATE-----"></textarea></label>
                    <label class="check"><input type="checkbox" name="write_back" value="on" checked=write_back/> "Send status changes back to Microsoft"</label>
                    <button type="submit">{if is_connected { "Save and check" } else { "Connect" }}</button>
                </form>
                {is_connected.then(|| view! {
                    <div class="row-form">
                        <form method="post" action={posts_to::<SyncM365>()} class="inline" id="m365-sync">
                            <input type="hidden" name="tenant_id" value=t2/>
                            <button type="submit">"Sync now"</button>
                        </form>
                        <form method="post" action={posts_to::<DisconnectM365>()} class="inline" id="m365-disconnect">
                            <input type="hidden" name="tenant_id" value=t3/>
                            <button type="submit" class="link">"Disconnect"</button>
                        </form>
                    </div>
                })}
            })}
        </Card>
    }
}
