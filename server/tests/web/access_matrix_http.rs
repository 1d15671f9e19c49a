//! The plain HTTP endpoints, called as each of the ten roles, as a user of another tenant,
//! and anonymously: the session routes (token management and CSV exports) and every
//! operation of the token API, which the test reads from the served OpenAPI document, so
//! a new API endpoint is checked without anyone having to remember to add it here.

// A failed unwrap in a test is a failed test with its line: that is the message.
#![allow(clippy::unwrap_used)]

use crate::common::{demo_server, TestServer};
use app::auth::secrets::{hash_secret, new_secret};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use score::roles::Role;
use server::bearer::{SCOPE_READ, SCOPE_READ_WRITE};
use server::demo::CONTOSO_ID;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    TenantRead,
    TenantWrite,
}

/// A new user holding `role` in `tenant`, with a session cookie and a token of each scope.
struct Caller {
    who: String,
    role: Option<Role>,
    cookie: Option<String>,
    read_token: Option<String>,
    write_token: Option<String>,
}

async fn caller(s: &TestServer, name: &str, role: Option<(Role, &str)>) -> Caller {
    let store = s.state.store.as_ref();
    let user =
        store.create_user(&format!("{name}@http-matrix.example"), name, "not-a-hash", "test").await.unwrap();
    let Some((r, tenant)) = role else {
        return Caller { who: name.into(), role: None, cookie: None, read_token: None, write_token: None };
    };
    store.grant_role(tenant, &user.id, r, "test").await.unwrap();
    let secret = new_secret().unwrap();
    let now = chrono::Utc::now();
    store
        .create_session(&store::Session {
            token_hash: hash_secret(&secret),
            user_id: user.id.clone(),
            created_at: now,
            expires_at: now + chrono::Duration::hours(1),
        })
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for scope in [SCOPE_READ, SCOPE_READ_WRITE] {
        let token = format!("rmp_{}", new_secret().unwrap());
        store
            .create_api_token(
                &store::ApiToken {
                    id: uuid::Uuid::new_v4().to_string(),
                    token_hash: hash_secret(&token),
                    user_id: user.id.clone(),
                    tenant_id: tenant.to_owned(),
                    name: scope.into(),
                    scope: scope.into(),
                    created_at: now,
                    expires_at: None,
                    revoked_at: None,
                },
                "test",
            )
            .await
            .unwrap();
        tokens.push(token);
    }
    let own_tenant = tenant == CONTOSO_ID;
    Caller {
        who: name.into(),
        role: own_tenant.then_some(r),
        cookie: Some(format!("rampart_session={secret}")),
        read_token: Some(tokens[0].clone()),
        write_token: Some(tokens[1].clone()),
    }
}

async fn callers(s: &TestServer) -> Vec<Caller> {
    let peer = s.peer_tenant().await;
    let mut all = Vec::new();
    for role in Role::ALL {
        all.push(caller(s, role.as_str(), Some((role, CONTOSO_ID))).await);
    }
    all.push(caller(s, "outsider", Some((Role::GlobalAdministrator, peer.id.as_str()))).await);
    all.push(caller(s, "anonymous", None).await);
    all
}

/// The session routes: (route as registered, method, query, who may call, form body).
fn session_routes() -> Vec<(&'static str, Method, &'static str, Needs, &'static str)> {
    vec![
        ("/tenants/{tenant}/actions.csv", Method::GET, "", Needs::TenantRead, ""),
        ("/tenants/{tenant}/history.csv", Method::GET, "?range=30d", Needs::TenantRead, ""),
        ("/tenants/{tenant}/actions/{action}/entities.csv", Method::GET, "", Needs::TenantRead, ""),
        ("/tenants/{tenant}/audit.csv", Method::GET, "", Needs::TenantWrite, ""),
        (
            "/tenants/{tenant}/tokens",
            Method::POST,
            "",
            Needs::TenantRead,
            "name=matrix&scope=SecurityEvents.Read.All&expires_days=",
        ),
        // This test server has no share target configured: callers who get through are told so.
        (
            "/tenants/{tenant}/actions/{action}/share",
            Method::POST,
            "",
            Needs::TenantWrite,
            "target=email&to=matrix%40contoso.example&message=matrix",
        ),
        // A multipart form without files: callers who get through are told to choose one.
        ("/tenants/{tenant}/import", Method::POST, "", Needs::TenantWrite, "--x--\r\n"),
        ("/tenants/{tenant}/import-scan", Method::POST, "", Needs::TenantWrite, "--x--\r\n"),
    ]
}

#[test]
fn every_tenant_route_is_in_the_matrix() {
    let reviewed: Vec<&str> = session_routes().into_iter().map(|r| r.0).collect();
    let missing: Vec<&str> =
        server::http::tenant_routes().into_iter().map(|(p, _)| p).filter(|p| !reviewed.contains(p)).collect();
    assert!(missing.is_empty(), "tenant routes without an access rule in the matrix: {missing:?}");
}

#[tokio::test]
async fn session_routes_answer_each_role_as_spec_says() {
    // With a public URL, so sharing gets as far as its (unconfigured) target.
    let s =
        crate::common::demo_server_at(server::share::ShareConfig::default(), Some(crate::common::SITE)).await;
    let mut failures = Vec::new();
    for c in callers(&s).await {
        for (route, method, query, needs, form) in session_routes() {
            let path = format!(
                "{}{query}",
                route
                    .replace("{tenant}", CONTOSO_ID)
                    .replace("{token}", "00000000-0000-4000-8000-000000000000")
                    .replace("{action}", "AdminMFAV2")
            );
            let mut req = Request::builder()
                .method(method.clone())
                .uri(&path)
                .header(header::HOST, "rampart.test")
                .header(header::ORIGIN, "http://rampart.test")
                .header(
                    header::CONTENT_TYPE,
                    if form.starts_with("--") {
                        "multipart/form-data; boundary=x"
                    } else {
                        "application/x-www-form-urlencoded"
                    },
                );
            if let Some(cookie) = &c.cookie {
                req = req.header(header::COOKIE, cookie);
            }
            let r = s.send(req.body(Body::from(form)).unwrap()).await;
            let allowed = match (needs, c.role) {
                (_, None) => false,
                (Needs::TenantRead, Some(_)) => true,
                (Needs::TenantWrite, Some(role)) => role.can_write(),
            };
            // Revoking someone else's (here: nobody's) token is refused as not found, for
            // everyone; what matters is that nobody without access learns more than that.
            // The empty upload's 400, and the share's for its unconfigured target, mean the
            // caller got past the access check to validation.
            let ok = if allowed {
                r.status.is_success()
                    || r.status.is_redirection()
                    || r.status == StatusCode::NOT_FOUND
                    || (r.status == StatusCode::BAD_REQUEST
                        && (form.starts_with("--") || route.ends_with("/share")))
            } else {
                match (&c.cookie, c.role) {
                    (None, _) => r.status == StatusCode::UNAUTHORIZED || r.status.is_redirection(),
                    (Some(_), None) => r.status == StatusCode::NOT_FOUND,
                    (Some(_), Some(_)) => r.status == StatusCode::FORBIDDEN,
                }
            };
            if !ok {
                failures.push(format!("{method} {path} as {}: {}", c.who, r.status));
            }
        }
    }
    assert!(failures.is_empty(), "unexpected answers:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn every_documented_api_operation_answers_each_role_as_spec_says() {
    let s = demo_server().await;
    let doc: serde_json::Value = serde_json::from_str(&s.get("/api/openapi.json", None).await.body).unwrap();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) {
                operations.push((m, path.clone()));
            }
        }
    }
    assert!(operations.len() >= 5, "{operations:?}");
    // The /beta paths answer like /v1.0, so they are held to the same rules.
    let beta: Vec<(Method, String)> = operations
        .iter()
        .filter_map(|(m, p)| Some((m.clone(), format!("/beta/{}", p.strip_prefix("/v1.0/")?))))
        .collect();
    assert!(!beta.is_empty());
    operations.extend(beta);
    let mut failures = Vec::new();
    for c in callers(&s).await {
        for (method, path) in &operations {
            let writes = *method != Method::GET;
            let uri = path.replace("{id}", "AdminMFAV2");
            // A body each write accepts; what is checked here is access, not validation.
            let body = if path.ends_with("scans") {
                let report = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../scan/tests/fixtures/maester-contoso.json");
                std::fs::read_to_string(report).unwrap()
            } else if path.ends_with("measurements") {
                format!(
                    r#"{{"measurements":[{{"actionId":"AdminMFAV2","implemented":true,"observedAt":"{}"}}]}}"#,
                    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                )
            } else {
                r#"{"state":"Default","comment":"matrix"}"#.to_owned()
            };
            for (scope, token) in [("read", &c.read_token), ("read-write", &c.write_token), ("none", &None)] {
                let mut req = Request::builder()
                    .method(method.clone())
                    .uri(&uri)
                    .header(header::HOST, "rampart.test")
                    .header(header::CONTENT_TYPE, "application/json");
                if let Some(t) = token {
                    req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
                }
                let r = s
                    .send(req.body(Body::from(if writes { body.clone() } else { String::new() })).unwrap())
                    .await;
                let expected: &[StatusCode] = match (token, c.role) {
                    (None, _) => &[StatusCode::UNAUTHORIZED],
                    // Another tenant's token acts on that tenant: Contoso's ids are not there.
                    (Some(_), None) if path.contains("{id}") && path.contains("secureScores") => {
                        &[StatusCode::NOT_FOUND]
                    }
                    (Some(_), None) if writes && scope == "read" => &[StatusCode::FORBIDDEN],
                    (Some(_), None) => &[StatusCode::OK, StatusCode::NO_CONTENT],
                    (Some(_), Some(role)) if writes && !(scope == "read-write" && role.can_write()) => {
                        &[StatusCode::FORBIDDEN]
                    }
                    (Some(_), Some(_)) if path.contains("secureScores/{id}") => &[StatusCode::NOT_FOUND],
                    (Some(_), Some(_)) => &[StatusCode::OK, StatusCode::NO_CONTENT],
                };
                if !expected.contains(&r.status) {
                    failures.push(format!(
                        "{method} {uri} as {} with a {scope} token: {} {}",
                        c.who,
                        r.status,
                        r.body.chars().take(120).collect::<String>()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "unexpected answers:\n{}", failures.join("\n"));
}
