//! The key that seals secrets at rest (the client secrets of app registrations): AES-256-GCM
//! with a random nonce per seal, the row a secret belongs to bound in as associated data so
//! a sealed value copied to another row does not open.
//!
//! The key comes from `RAMPART_SECRET_KEY` (64 hex digits) or from a key file, made with
//! mode 0600 on first start. A key file others can read is refused: whoever reads it can
//! open every secret in the database.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use app::auth::secrets::hex as to_hex;
use std::io::Write;
use std::path::Path;

/// Sealed values start with this, so a later key scheme can be told apart.
const VERSION: &str = "v1:";
const NONCE_BYTES: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error(
        "RAMPART_SECRET_KEY: use 64 hex digits (32 random bytes), for example from `openssl rand -hex 32`"
    )]
    BadKey,
    #[error("{0}: the key file must be readable by its owner only (chmod 600)")]
    OpenToOthers(String),
    #[error("{0}: {1}")]
    File(String, String),
    #[error("no random bytes from the operating system")]
    NoRandom,
}

/// A sealed value did not open: another key, another row, or tampered with.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the stored secret does not open with this server's key (was RAMPART_SECRET_KEY or the key file changed?)")]
pub struct WontOpen;

pub struct SecretKey(Aes256Gcm);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    /// The key from 64 hex digits.
    pub fn from_hex(text: &str) -> Result<SecretKey, KeyError> {
        let bytes = hex(text.trim()).filter(|b| b.len() == 32).ok_or(KeyError::BadKey)?;
        Ok(SecretKey(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes))))
    }

    /// `RAMPART_SECRET_KEY` when given, else the key file at `path`, made (with its folder)
    /// on first use.
    pub fn load(from_env: Option<&str>, path: &Path) -> Result<SecretKey, KeyError> {
        if let Some(text) = from_env.filter(|t| !t.trim().is_empty()) {
            return SecretKey::from_hex(text);
        }
        let shown = path.display().to_string();
        let file_error = |e: std::io::Error| KeyError::File(shown.clone(), e.to_string());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| KeyError::File(dir.display().to_string(), e.to_string()))?;
        }
        match std::fs::OpenOptions::new().write(true).create_new(true).mode_owner_only().open(path) {
            Ok(mut file) => {
                let mut bytes = [0u8; 32];
                getrandom::getrandom(&mut bytes).map_err(|_| KeyError::NoRandom)?;
                let text = to_hex(&bytes);
                file.write_all(format!("{text}\n").as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(file_error)?;
                tracing::info!(file = %shown, "made a new key for secrets at rest; back it up with the database");
                SecretKey::from_hex(&text)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if open_to_others(path).map_err(file_error)? {
                    return Err(KeyError::OpenToOthers(shown));
                }
                let text = std::fs::read_to_string(path).map_err(file_error)?;
                SecretKey::from_hex(&text).map_err(|_| KeyError::File(shown, "not 64 hex digits".into()))
            }
            Err(e) => Err(file_error(e)),
        }
    }

    /// Seals `secret` for the row named by `bound_to`.
    pub fn seal(&self, secret: &str, bound_to: &str) -> Result<String, KeyError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::getrandom(&mut nonce).map_err(|_| KeyError::NoRandom)?;
        let payload = Payload { msg: secret.as_bytes(), aad: bound_to.as_bytes() };
        // Encryption fails only for inputs of gigabytes.
        let sealed = self.0.encrypt(Nonce::from_slice(&nonce), payload).map_err(|_| KeyError::NoRandom)?;
        Ok(format!("{VERSION}{}{}", to_hex(&nonce), to_hex(&sealed)))
    }

    /// Opens what [`SecretKey::seal`] made for the same row.
    pub fn open(&self, sealed: &str, bound_to: &str) -> Result<String, WontOpen> {
        let bytes = sealed.strip_prefix(VERSION).and_then(hex).ok_or(WontOpen)?;
        if bytes.len() < NONCE_BYTES {
            return Err(WontOpen);
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .0
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: bound_to.as_bytes() })
            .map_err(|_| WontOpen)?;
        String::from_utf8(plain).map_err(|_| WontOpen)
    }
}

/// Creating a file readable and writable by its owner only.
trait OwnerOnly {
    fn mode_owner_only(&mut self) -> &mut Self;
}

impl OwnerOnly for std::fs::OpenOptions {
    #[cfg(unix)]
    fn mode_owner_only(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.mode(0o600)
    }

    #[cfg(not(unix))]
    fn mode_owner_only(&mut self) -> &mut Self {
        self
    }
}

#[cfg(unix)]
fn open_to_others(path: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn open_to_others(_: &Path) -> std::io::Result<bool> {
    Ok(false)
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| text.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_its_row() {
        let key = SecretKey::from_hex(KEY).unwrap();
        let sealed = key.seal("s3cr3t~value", "connection-1").unwrap();
        assert!(!sealed.contains("s3cr3t"), "{sealed}");
        assert_eq!(key.open(&sealed, "connection-1").unwrap(), "s3cr3t~value");
        assert_eq!(key.open(&sealed, "connection-2"), Err(WontOpen), "moved to another row");
        let other = SecretKey::from_hex(&KEY.replace("1f", "ff")).unwrap();
        assert_eq!(other.open(&sealed, "connection-1"), Err(WontOpen), "another key");
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(key.open(&String::from_utf8(tampered).unwrap(), "connection-1"), Err(WontOpen));
        assert_ne!(key.seal("same", "r").unwrap(), key.seal("same", "r").unwrap(), "a fresh nonce each time");
        assert_eq!(key.open("v1:zz", "r"), Err(WontOpen));
    }

    #[test]
    fn a_bad_key_is_refused() {
        assert_eq!(SecretKey::from_hex("abc").unwrap_err(), KeyError::BadKey);
        assert_eq!(SecretKey::from_hex(&KEY[..62]).unwrap_err(), KeyError::BadKey);
        assert_eq!(SecretKey::from_hex(&KEY.replace('0', "g")).unwrap_err(), KeyError::BadKey);
    }

    #[test]
    fn the_key_file_is_made_owner_only_kept_and_refused_when_open_to_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let first = SecretKey::load(None, &path).unwrap();
        let sealed = first.seal("x", "r").unwrap();
        let again = SecretKey::load(None, &path).unwrap();
        assert_eq!(again.open(&sealed, "r").unwrap(), "x", "the same key on the next start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(SecretKey::load(None, &path), Err(KeyError::OpenToOthers(_))));
        }
        let from_env = SecretKey::load(Some(KEY), &path).unwrap();
        assert_eq!(
            from_env.open(&SecretKey::from_hex(KEY).unwrap().seal("y", "r").unwrap(), "r").unwrap(),
            "y"
        );
    }
}
