//! Passwords (Argon2id) and random secrets stored only as SHA-256 hashes (server only).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

/// Shortest password accepted when one is set.
pub const MIN_PASSWORD_LEN: usize = 10;
/// The password hash of an account nobody has set a password for yet (made by granting
/// access to an address without an account): not a PHC string, so nothing matches it.
pub const NO_PASSWORD_YET: &str = "!no password set";
/// Longest password accepted, in bytes: hashing cost grows with it.
pub const MAX_PASSWORD_LEN: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the system random source failed")]
    Random,
    #[error("password hashing failed")]
    Hash,
}

fn random_bytes<const N: usize>() -> Result<[u8; N], SecretError> {
    let mut buf = [0u8; N];
    getrandom::getrandom(&mut buf).map_err(|_| SecretError::Random)?;
    Ok(buf)
}

/// `bytes` as lowercase hex digits.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random secret (256 bits) for a session cookie or an API token, as hex.
pub fn new_secret() -> Result<String, SecretError> {
    Ok(hex(&random_bytes::<32>()?))
}

/// What the database keeps of a secret.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Argon2id PHC string with a random salt.
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|_| SecretError::Hash)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| SecretError::Hash)
}

/// Whether `password` matches the stored hash; a malformed hash (an account with no
/// password yet) never matches, and costs the same time as a wrong password, so timing
/// does not tell which accounts have one.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => Argon2::default().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => {
            if let Ok(h) = PasswordHash::new(dummy_hash()) {
                let _ = Argon2::default().verify_password(password.as_bytes(), &h);
            }
            false
        }
    }
}

/// Hashes a password can run at once: each takes tens of milliseconds of one core and
/// 19 MiB, so a burst of sign-ins waits here instead of starving every other request.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        tokio::sync::Semaphore::new(cores.clamp(1, 4))
    })
}

/// Runs Argon2 work on tokio's blocking pool, at most [`hashing_permits`] at a time, so
/// the async workers that serve pages never run it.
async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, SecretError> {
    let _permit = hashing_permits().acquire().await.map_err(|_| SecretError::Hash)?;
    tokio::task::spawn_blocking(work).await.map_err(|_| SecretError::Hash)
}

/// [`hash_password`] off the async workers.
pub async fn hash_password_off_workers(password: String) -> Result<String, SecretError> {
    off_the_workers(move || hash_password(&password)).await?
}

/// [`verify_password`] off the async workers; a failure to run counts as no match.
pub async fn verify_password_off_workers(password: String, stored: String) -> bool {
    off_the_workers(move || verify_password(&password, &stored)).await.unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so a wrong email costs the
/// same time as a wrong password (no timing oracle for which accounts exist).
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password at all").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse battery!", &h));
        assert!(!verify_password("x", "not a phc string"));
    }

    /// A ticker on the same single-threaded runtime keeps ticking while passwords are
    /// checked: the hashing happens elsewhere. Run inline, it would stop the ticker for a
    /// whole hash each time.
    #[test]
    fn checking_passwords_leaves_the_async_workers_free() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
        rt.block_on(async {
            let stored = hash_password("correct horse battery").expect("hash");
            let started = std::time::Instant::now();
            assert!(!verify_password("wrong horse battery", &stored));
            let one_hash = started.elapsed();
            let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let ticker = {
                let done = done.clone();
                tokio::spawn(async move {
                    let mut longest = std::time::Duration::ZERO;
                    let mut last = std::time::Instant::now();
                    while !done.load(std::sync::atomic::Ordering::SeqCst) {
                        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                        longest = longest.max(last.elapsed());
                        last = std::time::Instant::now();
                    }
                    longest
                })
            };
            let checks: Vec<_> = (0..6)
                .map(|_| tokio::spawn(verify_password_off_workers("wrong horse".into(), stored.clone())))
                .collect();
            for c in checks {
                assert!(!c.await.expect("check runs"));
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            let longest_stall = ticker.await.expect("ticker");
            assert!(
                longest_stall < one_hash,
                "the runtime stalled {longest_stall:?}; one hash takes {one_hash:?}"
            );
        });
    }

    #[test]
    fn secrets_are_random_and_hashed_one_way() {
        let (a, b) = (new_secret().expect("a"), new_secret().expect("b"));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), a);
    }
}
