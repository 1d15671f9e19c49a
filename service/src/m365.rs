//! Connecting a tenant to Microsoft 365: what a connection may hold, and why one is
//! refused, in words a person can act on. The server does the talking to Microsoft (it
//! holds the HTTP client and the key that seals secrets) behind [`Microsoft365`], which
//! the pages and the command line call alike.

use crate::refusal::{Refusal, Refusals};

/// Why a connection is refused: its fields, then what Entra said of the app registration.
pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new(
        "directory",
        "directory_id",
        "Directory (tenant) ID: the GUID on the app registration's Overview in Entra, such as \
         72f988bf-86f1-41af-91ab-2d7cd011db47.",
    ),
    Refusal::new(
        "client",
        "client_id",
        "Application (client) ID: the GUID on the app registration's Overview in Entra.",
    ),
    Refusal::new(
        "secret",
        "client_secret",
        "Client secret: paste the secret's Value (not its Secret ID), one line of at most 1,024 characters.",
    ),
    Refusal::new(
        "certificate",
        "certificate",
        "Certificate: paste the certificate (-----BEGIN CERTIFICATE-----) and its unencrypted private key \
         (-----BEGIN PRIVATE KEY-----) as one PEM text of at most 64 KB.",
    ),
    Refusal::new("credential_both", "client_secret", "Give a client secret or a certificate, not both."),
    Refusal::new(
        "entra_certificate",
        "certificate",
        "Entra does not accept this certificate for the app: upload the certificate (not its key) under \
         App registrations → Certificates & secrets → Certificates, and paste the same certificate with its \
         private key here.",
    ),
    Refusal::new(
        "entra_secret",
        "client_secret",
        "Entra refused the client secret: it is wrong or has expired. Create a new one in Entra (App \
         registrations → Certificates & secrets) and paste its Value here.",
    ),
    Refusal::new(
        "entra_client",
        "client_id",
        "Entra knows no application with this client ID in this directory: check both IDs on the app \
         registration's Overview.",
    ),
    Refusal::new(
        "entra_directory",
        "directory_id",
        "Entra knows no directory with this ID: check the directory (tenant) ID.",
    ),
    Refusal::new("entra", "form", "Entra refused the app registration; the server's log has its reason."),
    Refusal::new("unreachable", "form", "Entra could not be reached from the server; try again in a while."),
    Refusal::new(
        "key",
        "form",
        "The server cannot seal secrets (its key file is not usable); its log says why.",
    ),
    Refusal::new(
        "sync_failed",
        "tenant_id",
        "The sync from Microsoft 365 failed: Settings → Microsoft 365 says why and what to do.",
    ),
    Refusal::new("not_connected", "tenant_id", "This tenant is not connected to Microsoft 365."),
]);

/// The longest client secret taken (Entra's are 40 characters).
pub const MAX_SECRET_CHARS: usize = 1024;
/// The longest certificate-and-key PEM text taken.
pub const MAX_CERTIFICATE_BYTES: usize = 64 * 1024;

/// An app registration to connect a tenant to, as typed.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionForm {
    pub directory_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// Instead of a secret: the certificate and its private key, as PEM text.
    pub certificate: String,
    /// Send status changes made in Rampart back to Microsoft.
    pub write_back: bool,
}

impl std::fmt::Debug for ConnectionForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret or the key, not even in a debug line.
        f.debug_struct("ConnectionForm")
            .field("directory_id", &self.directory_id)
            .field("client_id", &self.client_id)
            .field("certificate", &!self.certificate.trim().is_empty())
            .field("write_back", &self.write_back)
            .finish_non_exhaustive()
    }
}

impl ConnectionForm {
    /// The form as it is saved (ids trimmed and lower-cased, the secret trimmed), or the
    /// first field at fault.
    pub fn checked(&self) -> Result<ConnectionForm, Refusal> {
        let directory_id = self.directory_id.trim().to_ascii_lowercase();
        if !is_guid(&directory_id) {
            return Err(REFUSALS.of("directory"));
        }
        let client_id = self.client_id.trim().to_ascii_lowercase();
        if !is_guid(&client_id) {
            return Err(REFUSALS.of("client"));
        }
        let client_secret = self.client_secret.trim().to_owned();
        let certificate = self.certificate.trim().to_owned();
        if !certificate.is_empty() {
            if !client_secret.is_empty() {
                return Err(REFUSALS.of("credential_both"));
            }
            // A first look only; the server reads the key itself before anything is sent.
            if certificate.len() > MAX_CERTIFICATE_BYTES
                || !certificate.contains("-----BEGIN CERTIFICATE-----")
                || !certificate.contains("PRIVATE KEY-----")
            {
                return Err(REFUSALS.of("certificate"));
            }
        } else if client_secret.is_empty()
            || client_secret.chars().count() > MAX_SECRET_CHARS
            || client_secret.chars().any(char::is_control)
        {
            return Err(REFUSALS.of("secret"));
        }
        Ok(ConnectionForm {
            directory_id,
            client_id,
            client_secret,
            certificate,
            write_back: self.write_back,
        })
    }

    /// What the app registration proves itself with, as it is sealed: the secret, or the
    /// certificate and key.
    pub fn credential(&self) -> &str {
        if self.certificate.is_empty() {
            &self.client_secret
        } else {
            &self.certificate
        }
    }
}

/// A directory (tenant) or client id: a GUID as Entra shows it.
pub fn is_guid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Why a connection was not saved.
#[derive(Debug)]
pub enum ConnectFailure {
    /// The form or Entra refused it; `reason` is Entra's own words where it gave some (for
    /// the log and the command line).
    Refused {
        refusal: Refusal,
        reason: String,
    },
    Store(store_error::StoreError),
}

#[cfg(feature = "store")]
mod store_error {
    pub use store::StoreError;
}
#[cfg(not(feature = "store"))]
mod store_error {
    /// Without the store there is nothing to fail in it.
    #[derive(Debug)]
    pub enum StoreError {}
}

/// What the server does with Microsoft for the pages and the command line.
#[cfg(feature = "store")]
#[async_trait::async_trait]
pub trait Microsoft365: Send + Sync {
    /// Asks Entra for a token as the app registration and, once granted, saves the tenant's
    /// connection with the secret sealed (replacing any it had: a rotated secret).
    async fn connect(
        &self,
        store: &dyn store::Store,
        tenant_id: &str,
        form: &ConnectionForm,
        actor: &str,
    ) -> Result<(), ConnectFailure>;
    /// Syncs the tenant now: `Ok` with what changed in words, or `Err` with why it failed
    /// (also kept on the connection).
    async fn sync(
        &self,
        store: &dyn store::Store,
        catalog: &[score::ImprovementAction],
        tenant_id: &str,
    ) -> Result<String, String>;
    /// When the daily run will next sync the tenant.
    fn next_sync(&self, tenant_id: &str, now: chrono::DateTime<chrono::Utc>)
        -> chrono::DateTime<chrono::Utc>;
}

/// How an action's latest change stands with Microsoft 365, in a sentence for its page:
/// sent, waiting, refused and to be tried again, or refused for good.
#[cfg(feature = "store")]
pub fn write_back_line(w: &store::WriteBack) -> String {
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    match (&w.sent_at, &w.last_error, &w.next_attempt_at) {
        (Some(sent), _, _) => format!("Sent to Microsoft 365 on {} as {}.", when(*sent), w.state),
        (None, None, _) => format!("Waiting to be sent to Microsoft 365 as {}.", w.state),
        (None, Some(why), Some(again)) => format!(
            "Not yet in Microsoft 365: {why} (tried {} {}; next try {}).",
            w.attempts,
            if w.attempts == 1 { "time" } else { "times" },
            when(*again)
        ),
        (None, Some(why), None) => format!("Not sent to Microsoft 365: {why}."),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn form(directory: &str, client: &str, secret: &str) -> ConnectionForm {
        ConnectionForm {
            directory_id: directory.into(),
            client_id: client.into(),
            client_secret: secret.into(),
            certificate: String::new(),
            write_back: false,
        }
    }

    const DIRECTORY: &str = "72F988BF-86f1-41af-91ab-2d7cd011db47";
    const CLIENT: &str = "0b9e2d4c-7a1f-4e3b-8c5d-6e7f8a9b0c12";

    #[test]
    fn each_field_is_checked_and_named() {
        let ok = form(&format!(" {DIRECTORY} "), CLIENT, " s3cret~value ").checked().unwrap();
        assert_eq!(ok.directory_id, DIRECTORY.to_ascii_lowercase());
        assert_eq!(ok.client_secret, "s3cret~value");
        assert_eq!(
            form("72f988bf86f141af91ab2d7cd011db47", CLIENT, "s").checked().unwrap_err().field,
            "directory_id"
        );
        assert_eq!(form(DIRECTORY, "not-a-guid", "s").checked().unwrap_err().field, "client_id");
        assert_eq!(form(DIRECTORY, CLIENT, "   ").checked().unwrap_err().field, "client_secret");
        assert_eq!(form(DIRECTORY, CLIENT, "a\nb").checked().unwrap_err().field, "client_secret");
        let long = "x".repeat(MAX_SECRET_CHARS + 1);
        assert_eq!(form(DIRECTORY, CLIENT, &long).checked().unwrap_err().field, "client_secret");

        // A certificate instead: PEM with both parts, and never together with a secret.
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
        let with = |secret: &str, cert: &str| ConnectionForm {
            certificate: cert.into(),
            ..form(DIRECTORY, CLIENT, secret)
        };
        let ok = with("", pem).checked().unwrap();
        assert_eq!(ok.credential(), pem.trim());
        assert_eq!(with("s", pem).checked().unwrap_err().code, "credential_both");
        let cert_only = &pem[..pem.find("-----BEGIN PRIVATE").unwrap()];
        assert_eq!(with("", cert_only).checked().unwrap_err().field, "certificate");
        assert_eq!(with("", "not pem").checked().unwrap_err().field, "certificate");
        let huge = format!("{pem}{}", "x".repeat(MAX_CERTIFICATE_BYTES));
        assert_eq!(with("", &huge).checked().unwrap_err().field, "certificate");
        assert_eq!(form(DIRECTORY, CLIENT, "s").checked().unwrap().credential(), "s");
    }

    #[test]
    fn the_secret_never_shows_in_a_debug_line() {
        let f = form(DIRECTORY, CLIENT, "do-not-print-me");
        assert!(!format!("{f:?}").contains("do-not-print-me"));
    }

    #[test]
    fn guids_are_checked_by_shape() {
        assert!(is_guid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(!is_guid("72f988bf-86f1-41af-91ab-2d7cd011db4g"));
        assert!(!is_guid(""));
    }
}
