//! Connecting a tenant to Microsoft 365 (Settings, and `rampart connect`): the app
//! registration is checked by asking Entra for a token before anything is saved, and the
//! client secret is stored sealed, bound to the tenant.

use super::secret_key::{KeyError, SecretKey};
use super::sync::Microsoft;
use super::token::{AppRegistration, TokenError, TokenSource};
use crate::config::{Connect, M365Settings};
use crate::startup::StartupError;
use app::state::AppState;
use service::m365::{ConnectFailure, ConnectionForm, REFUSALS};
use std::sync::Arc;
use store::{M365Connection, Store};

/// The key that seals secrets, as the settings say where it is.
pub fn secret_key(settings: &M365Settings) -> Result<SecretKey, StartupError> {
    let from_env = std::env::var("RAMPART_SECRET_KEY").ok();
    SecretKey::load(from_env.as_deref(), &settings.secret_key_file)
        .map_err(|e| StartupError::Other(e.to_string()))
}

/// How the server reaches Microsoft, from its settings. A key given or on disk is read now
/// (a bad one stops the start); none at all is made when a first tenant connects.
pub fn microsoft(settings: &M365Settings) -> Result<Microsoft, StartupError> {
    let given = std::env::var("RAMPART_SECRET_KEY").is_ok_and(|k| !k.trim().is_empty());
    if given || settings.secret_key_file.exists() {
        Ok(Microsoft::new(&settings.authority, &settings.graph, Arc::new(secret_key(settings)?)))
    } else {
        Ok(Microsoft::with_key_file(&settings.authority, &settings.graph, settings.secret_key_file.clone()))
    }
}

/// Which refusal of the connection form Entra's answer is.
fn refusal_of(e: &TokenError) -> service::Refusal {
    REFUSALS.of(match e {
        TokenError::Refused { code: Some(7000215 | 7000222), .. } => "entra_secret",
        TokenError::Refused { code: Some(700016), .. } => "entra_client",
        TokenError::Refused { code: Some(700027), .. } => "entra_certificate",
        TokenError::Credential(_) => "certificate",
        TokenError::Refused { code: Some(90002 | 90072), .. } => "entra_directory",
        TokenError::Unreachable(_) => "unreachable",
        _ => "entra",
    })
}

impl Microsoft {
    /// Checks the form, asks Entra for a token as the app, then saves the connection.
    pub async fn connect_tenant(
        &self,
        store: &dyn Store,
        tenant_id: &str,
        form: &ConnectionForm,
        actor: &str,
    ) -> Result<String, ConnectFailure> {
        let form = form
            .checked()
            .map_err(|refusal| ConnectFailure::Refused { refusal, reason: refusal.message.to_owned() })?;
        let tenant = store.tenant(tenant_id).await.map_err(ConnectFailure::Store)?;
        let app = AppRegistration {
            directory: form.directory_id.clone(),
            client_id: form.client_id.clone(),
            credential: form.credential().to_owned(),
        };
        // Asked before anything is saved: a wrong id or secret is said now, not at the first sync.
        let tokens = TokenSource::new(self.http().clone(), self.authority(), app);
        if let Err(e) = tokens.token().await {
            tracing::warn!(tenant = %tenant.id, directory = %form.directory_id, error = %e, "Entra refused a connection");
            return Err(ConnectFailure::Refused { refusal: refusal_of(&e), reason: e.to_string() });
        }
        let key_failure = |e: KeyError| {
            tracing::error!(error = %e, "the key that seals secrets is not usable");
            ConnectFailure::Refused { refusal: REFUSALS.of("key"), reason: e.to_string() }
        };
        let sealed = self
            .key()
            .await
            .map_err(key_failure)?
            .seal(form.credential(), &tenant.id)
            .map_err(key_failure)?;
        let now = chrono::Utc::now();
        let connection = M365Connection {
            tenant_id: tenant.id.clone(),
            directory_id: form.directory_id.clone(),
            client_id: form.client_id.clone(),
            sealed_secret: sealed,
            write_back: form.write_back,
            connected_by: actor.to_owned(),
            connected_at: now,
            secret_set_at: now,
            last_attempt_at: None,
            last_success_at: None,
            last_error: None,
        };
        store.save_m365_connection(&connection, actor).await.map_err(ConnectFailure::Store)?;
        tracing::info!(tenant = %tenant.id, directory = %form.directory_id, client = %form.client_id, "connected to Microsoft 365");
        Ok(format!(
            "connected {} to directory {} as app {}{}: Entra granted a token{}",
            tenant.name,
            form.directory_id,
            form.client_id,
            if form.certificate.is_empty() { "" } else { " with a certificate" },
            if form.write_back { "; status changes will be sent back" } else { "" }
        ))
    }
}

#[async_trait::async_trait]
impl service::m365::Microsoft365 for Microsoft {
    async fn connect(
        &self,
        store: &dyn Store,
        tenant_id: &str,
        form: &ConnectionForm,
        actor: &str,
    ) -> Result<(), ConnectFailure> {
        self.connect_tenant(store, tenant_id, form, actor).await.map(|_| ())
    }

    async fn sync(
        &self,
        store: &dyn Store,
        catalog: &[score::ImprovementAction],
        tenant_id: &str,
    ) -> Result<String, String> {
        Microsoft::sync(self, store, catalog, tenant_id).await.map(|r| r.summary()).map_err(|e| e.to_string())
    }

    fn next_sync(
        &self,
        tenant_id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> chrono::DateTime<chrono::Utc> {
        super::daily::next_sync(tenant_id, self.daily_at, now)
    }
}

/// Which command-line option a field of the form is.
fn option_of(field: &str) -> &str {
    match field {
        "directory_id" => "--azure-tenant",
        "client_id" => "--client-id",
        "client_secret" => "--client-secret-file",
        "certificate" => "--certificate-file",
        other => other,
    }
}

/// `rampart connect`: connects (or reconnects) the tenant; the answer says what was done.
pub async fn connect(state: &AppState, c: &Connect, actor: &str) -> Result<String, StartupError> {
    let read = |flag: &str, path: &Option<std::path::PathBuf>| match path {
        None => Ok(String::new()),
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| StartupError::Other(format!("{flag}: {}: {e}", p.display()))),
    };
    let form = ConnectionForm {
        directory_id: c.azure_tenant.clone(),
        client_id: c.client_id.clone(),
        client_secret: read("--client-secret-file", &c.client_secret_file)?,
        certificate: read("--certificate-file", &c.certificate_file)?,
        write_back: c.write_back,
    };
    let microsoft = microsoft(&c.m365)?;
    microsoft.connect_tenant(state.store.as_ref(), &c.tenant, &form, actor).await.map_err(|e| match e {
        ConnectFailure::Refused { refusal, reason } if refusal.code.starts_with("entra") => {
            StartupError::Other(format!("Entra refused the app registration: {reason}"))
        }
        ConnectFailure::Refused { refusal, reason } if refusal.field == "form" => StartupError::Other(reason),
        ConnectFailure::Refused { refusal, reason } => {
            StartupError::Other(format!("{}: {reason}", option_of(refusal.field)))
        }
        ConnectFailure::Store(e) => StartupError::Other(format!("tenant: {e}")),
    })
}
