//! Connecting a tenant to Microsoft 365: the app registration is checked by asking Entra
//! for a token before anything is saved, and the client secret is stored sealed, bound to
//! the tenant.

use super::secret_key::SecretKey;
use super::token::{AppRegistration, TokenSource};
use crate::config::{Connect, M365Settings};
use crate::startup::StartupError;
use app::state::AppState;
use store::M365Connection;

fn refused(field: &str, why: impl std::fmt::Display) -> StartupError {
    StartupError::Other(format!("{field}: {why}"))
}

/// The key that seals secrets, as the settings say where it is.
pub fn secret_key(settings: &M365Settings) -> Result<SecretKey, StartupError> {
    let from_env = std::env::var("RAMPART_SECRET_KEY").ok();
    if from_env.is_none() {
        if let Some(dir) = settings.secret_key_file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| refused(&dir.display().to_string(), e))?;
        }
    }
    SecretKey::load(from_env.as_deref(), &settings.secret_key_file)
        .map_err(|e| StartupError::Other(e.to_string()))
}

/// Connects (or reconnects) the tenant; the answer says what was done.
pub async fn connect(state: &AppState, c: &Connect, actor: &str) -> Result<String, StartupError> {
    if !super::is_guid(c.azure_tenant.trim()) {
        return Err(refused(
            "--azure-tenant",
            "the directory (tenant) id is a GUID, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47",
        ));
    }
    if !super::is_guid(c.client_id.trim()) {
        return Err(refused("--client-id", "the application (client) id is a GUID"));
    }
    let file = c.client_secret_file.display().to_string();
    let secret = std::fs::read_to_string(&c.client_secret_file)
        .map_err(|e| refused("--client-secret-file", format!("{file}: {e}")))?;
    let secret = secret.trim();
    if secret.is_empty() || secret.chars().any(char::is_control) || secret.len() > 1024 {
        return Err(refused("--client-secret-file", format!("{file}: one line holding the secret's value")));
    }
    let tenant = state.store.tenant(&c.tenant).await.map_err(|e| refused("tenant", e))?;
    let app = AppRegistration {
        directory: c.azure_tenant.trim().to_ascii_lowercase(),
        client_id: c.client_id.trim().to_ascii_lowercase(),
        client_secret: secret.to_owned(),
    };
    // Asked before anything is saved: a wrong id or secret is said now, not at the first sync.
    let tokens = TokenSource::new(reqwest::Client::new(), &c.m365.authority, app.clone());
    tokens
        .token()
        .await
        .map_err(|e| StartupError::Other(format!("Entra refused the app registration: {e}")))?;
    let key = secret_key(&c.m365)?;
    let sealed = key.seal(&app.client_secret, &tenant.id).map_err(|e| StartupError::Other(e.to_string()))?;
    let now = chrono::Utc::now();
    let connection = M365Connection {
        tenant_id: tenant.id.clone(),
        directory_id: app.directory.clone(),
        client_id: app.client_id.clone(),
        sealed_secret: sealed,
        write_back: c.write_back,
        connected_by: actor.to_owned(),
        connected_at: now,
        secret_set_at: now,
        last_attempt_at: None,
        last_success_at: None,
        last_error: None,
    };
    state
        .store
        .save_m365_connection(&connection, actor)
        .await
        .map_err(|e| StartupError::Other(e.to_string()))?;
    tracing::info!(tenant = %tenant.id, directory = %app.directory, client = %app.client_id, "connected to Microsoft 365");
    Ok(format!(
        "connected {} to directory {} as app {}: Entra granted a token{}",
        tenant.name,
        app.directory,
        app.client_id,
        if c.write_back { "; status changes will be sent back" } else { "" }
    ))
}
