//! What an app registration proves itself with at Entra's token endpoint: a client secret,
//! or a certificate — its private key signing a client assertion (a JWT, RS256, with the
//! certificate's SHA-1 thumbprint as `x5t`), as Microsoft documents for the
//! client-credentials grant. Entra holds only the certificate; the key stays here, sealed.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};

/// How long a client assertion is valid; Entra wants a short life.
const ASSERTION_LIFETIME_SECS: i64 = 600;
/// The longest PEM text taken: a certificate chain and a 4096-bit key are well under it.
pub const MAX_PEM_BYTES: usize = 64 * 1024;

pub enum Credential {
    Secret(String),
    Certificate(Box<Certificate>),
}

impl Credential {
    /// The credential as stored (sealed): PEM text with a certificate is a certificate and
    /// its key, anything else a client secret.
    pub fn from_text(text: &str) -> Result<Credential, CertificateError> {
        if is_certificate(text) {
            Certificate::from_pem(text).map(|c| Credential::Certificate(Box::new(c)))
        } else {
            Ok(Credential::Secret(text.to_owned()))
        }
    }
}

/// Whether `text` holds a PEM certificate (and so is not a client secret).
pub fn is_certificate(text: &str) -> bool {
    text.contains("-----BEGIN CERTIFICATE-----")
}

/// Why a certificate cannot be used, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("no certificate: paste the certificate (-----BEGIN CERTIFICATE-----) and its private key")]
    NoCertificate,
    #[error("no private key: paste the certificate's private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----) with it, unencrypted")]
    NoKey,
    #[error("the private key is not one Rampart can sign with: an unencrypted RSA key of 2048 bits or more (PKCS#8 or PKCS#1)")]
    UnusableKey,
    #[error("a PEM block is not valid base64")]
    BadPem,
    #[error("the assertion could not be signed")]
    Signing,
}

pub struct Certificate {
    /// SHA-1 of the certificate's DER: the thumbprint Entra lists for it.
    thumbprint: [u8; 20],
    key: RsaKeyPair,
}

impl Certificate {
    /// From PEM text holding the certificate (the first, when a chain follows) and its
    /// RSA private key, in either order.
    pub fn from_pem(text: &str) -> Result<Certificate, CertificateError> {
        let blocks = pem_blocks(text)?;
        let cert =
            blocks.iter().find(|(label, _)| label == "CERTIFICATE").ok_or(CertificateError::NoCertificate)?;
        let key = match blocks.iter().find(|(label, _)| label.ends_with("PRIVATE KEY")) {
            Some((label, der)) if label == "PRIVATE KEY" => RsaKeyPair::from_pkcs8(der),
            Some((label, der)) if label == "RSA PRIVATE KEY" => RsaKeyPair::from_der(der),
            Some(_) => return Err(CertificateError::UnusableKey),
            None => return Err(CertificateError::NoKey),
        }
        .map_err(|_| CertificateError::UnusableKey)?;
        let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert.1);
        let mut thumbprint = [0u8; 20];
        thumbprint.copy_from_slice(digest.as_ref());
        Ok(Certificate { thumbprint, key })
    }

    /// The thumbprint as Entra shows it (upper-case hex).
    pub fn thumbprint_hex(&self) -> String {
        app::auth::secrets::hex(&self.thumbprint).to_ascii_uppercase()
    }

    /// A client assertion for the token endpoint `audience`, as `client_id`, issued at
    /// `now` (seconds since the epoch) and valid for ten minutes.
    pub fn assertion(&self, client_id: &str, audience: &str, now: i64) -> Result<String, CertificateError> {
        let header = serde_json::json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t": URL_SAFE_NO_PAD.encode(self.thumbprint),
        });
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "iat": now,
            "nbf": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), signed.as_bytes(), &mut signature)
            .map_err(|_| CertificateError::Signing)?;
        Ok(format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// Every `-----BEGIN X-----` … `-----END X-----` block: its label and its bytes.
fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, CertificateError> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else { break };
        let label = after[..label_end].to_owned();
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(body_end) = body_start.find(&end_marker) else { return Err(CertificateError::BadPem) };
        let body: String = body_start[..body_end].chars().filter(|c| !c.is_whitespace()).collect();
        // An encrypted key (Proc-Type headers, or ENCRYPTED PRIVATE KEY) is not base64 alone.
        let der = STANDARD.decode(body.as_bytes()).map_err(|_| CertificateError::BadPem)?;
        blocks.push((label, der));
        rest = &body_start[body_end + end_marker.len()..];
    }
    Ok(blocks)
}
