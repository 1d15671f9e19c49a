//! App-only tokens for Microsoft Graph, against a loopback stand-in for Entra's token
//! endpoint that checks each client-credentials request as Microsoft documents it.

use crate::microsoft::{FakeMicrosoft, Identity, CERTIFICATE_PEM, CLIENT_ID, CLIENT_SECRET, DIRECTORY};
use server::m365::token::{AppRegistration, TokenError, TokenSource, GRAPH_SCOPE};

fn app() -> AppRegistration {
    AppRegistration {
        directory: DIRECTORY.into(),
        client_id: CLIENT_ID.into(),
        credential: CLIENT_SECRET.into(),
    }
}

fn source(base: &str, app: AppRegistration) -> TokenSource {
    TokenSource::new(reqwest::Client::new(), base, app)
}

#[tokio::test]
async fn a_token_is_granted_once_cached_and_renewed_before_it_expires() {
    let ms = FakeMicrosoft::start().await;
    let tokens = source(&ms.base, app());
    let first = tokens.token().await.unwrap();
    assert_eq!(tokens.token().await.unwrap(), first, "cached");
    let sent = ms.token_requests();
    assert_eq!(sent.len(), 1, "one grant for two calls");
    let fields: Vec<(&str, &str)> = sent[0].iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        fields,
        [
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "client_credentials"),
            ("scope", GRAPH_SCOPE),
        ],
        "exactly the documented fields"
    );

    // Forgotten after Graph refused it: the next call asks again.
    tokens.forget().await;
    let second = tokens.token().await.unwrap();
    assert_ne!(second, first);
    assert_eq!(ms.token_requests().len(), 2);

    // A token that lives less than the renewal margin is never served from the cache.
    ms.set_identity(Identity { expires_in: 120, ..Identity::default() });
    let short = source(&ms.base, app());
    short.token().await.unwrap();
    short.token().await.unwrap();
    assert_eq!(ms.token_requests().len(), 4);
}

#[tokio::test]
async fn refusals_say_what_to_do() {
    let ms = FakeMicrosoft::start().await;
    let refused = |r: Result<String, TokenError>| match r {
        Err(TokenError::Refused { code, reason }) => (code, reason),
        other => panic!("a refusal, not {other:?}"),
    };

    let wrong = AppRegistration { credential: "not-it".into(), ..app() };
    let (code, reason) = refused(source(&ms.base, wrong).token().await);
    assert_eq!(code, Some(7000215));
    assert!(reason.contains("client secret is wrong"), "{reason}");
    assert!(!reason.contains("not-it"), "the secret is never repeated: {reason}");

    ms.set_identity(Identity { secret_expired: true, ..Identity::default() });
    let (code, reason) = refused(source(&ms.base, app()).token().await);
    assert_eq!(code, Some(7000222));
    assert!(reason.contains("expired") && reason.contains("create a new one"), "{reason}");

    let elsewhere = AppRegistration { directory: "11111111-2222-3333-4444-555555555555".into(), ..app() };
    let (code, reason) = refused(source(&ms.base, elsewhere).token().await);
    assert_eq!(code, Some(90002));
    assert!(reason.contains("11111111-2222-3333-4444-555555555555 was not found"), "{reason}");

    let unknown_app = AppRegistration { client_id: "99999999-2222-3333-4444-555555555555".into(), ..app() };
    let (code, _) = refused(source(&ms.base, unknown_app).token().await);
    assert_eq!(code, Some(700016));

    ms.set_identity(Identity { garbled: true, ..Identity::default() });
    assert!(matches!(source(&ms.base, app()).token().await, Err(TokenError::Malformed(_))));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nowhere = source(&format!("http://127.0.0.1:{closed}"), app()).token().await;
    assert!(matches!(nowhere, Err(TokenError::Unreachable(_))), "{nowhere:?}");
}

fn with_certificate(pem: &str) -> AppRegistration {
    AppRegistration { credential: pem.into(), ..app() }
}

#[tokio::test]
async fn a_certificate_signs_a_client_assertion_instead_of_a_secret() {
    let ms = FakeMicrosoft::start().await;
    let tokens = source(&ms.base, with_certificate(CERTIFICATE_PEM));
    tokens.token().await.unwrap();
    let sent = &ms.token_requests()[0];
    let names: Vec<&str> = sent.keys().map(String::as_str).collect();
    assert_eq!(names, ["client_assertion", "client_assertion_type", "client_id", "grant_type", "scope"]);
    assert_eq!(sent["client_assertion_type"], "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    assert!(!sent["client_assertion"].contains("PRIVATE KEY"), "the key never leaves");
    // Each grant is a fresh assertion (its own jti), not a replay of the last.
    tokens.forget().await;
    tokens.token().await.unwrap();
    let again = &ms.token_requests()[1];
    assert_ne!(again["client_assertion"], sent["client_assertion"]);

    // A certificate Entra does not have for the app: refused, said what to do.
    let other = include_str!("../../fixtures/m365-unregistered-certificate.pem");
    let Err(TokenError::Refused { code, reason }) = source(&ms.base, with_certificate(other)).token().await
    else {
        panic!("refused")
    };
    assert_eq!(code, Some(700027));
    assert!(reason.contains("Certificates & secrets") && reason.contains("thumbprint"), "{reason}");

    // A certificate without its key, or with a key Rampart cannot sign with, is said so
    // before anything is sent.
    let before = ms.token_requests().len();
    let cert_only = &CERTIFICATE_PEM[..CERTIFICATE_PEM.find("-----BEGIN PRIVATE KEY-----").unwrap()];
    let no_key = source(&ms.base, with_certificate(cert_only)).token().await;
    assert!(matches!(&no_key, Err(TokenError::Credential(r)) if r.contains("no private key")), "{no_key:?}");
    let encrypted = format!(
        "{cert_only}-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"
    );
    let unusable = source(&ms.base, with_certificate(&encrypted)).token().await;
    assert!(
        matches!(&unusable, Err(TokenError::Credential(r)) if r.contains("unencrypted RSA key")),
        "{unusable:?}"
    );
    assert_eq!(ms.token_requests().len(), before);
}
