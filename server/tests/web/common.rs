//! A demo database seeded once per test binary and copied for each test, plus helpers
//! to drive the router over real HTTP requests.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use leptos::prelude::LeptosOptions;
use server::config::Common;
use server::demo::CONTOSO_ID;
use server::http::{router, ServerState};
use std::path::PathBuf;
use std::sync::OnceLock;
use tower::ServiceExt;

/// The improvement actions a list page shows, in order: its rows a search left out are
/// drawn `hidden` (typing in the browser only hides and shows rows), so they do not count.
pub fn listed_actions(html: &str) -> Vec<String> {
    html.split("<tr data-action=\"")
        .skip(1)
        .filter(|s| !s.split('>').next().is_some_and(|tag| tag.split_whitespace().any(|a| a == "hidden")))
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// `pairs` as a URL-encoded query or form body.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", service::url::encode(v))).collect::<Vec<_>>().join("&")
}

static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();

/// Seeding takes seconds, so it happens once; its own runtime is dropped afterwards so
/// no pool outlives it.
fn template() -> &'static PathBuf {
    &TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("template.db");
            let url = format!("sqlite://{}", path.display());
            // A thread of its own: tests call this from inside their runtime.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Runtime::new().expect("runtime");
                rt.block_on(async {
                    let state = server::startup::open_app_state(&Common { database_url: url, catalog: None })
                        .await
                        .expect("store opens");
                    server::startup::seed_demo(&state).await.expect("demo loads");
                    // Without this, connections still closing on their own threads could
                    // checkpoint and delete the log while a test copies the files.
                    state.store.close().await;
                });
            })
            .join()
            .expect("seeding thread");
            (dir, path)
        })
        .1
}

pub struct TestServer {
    pub app: axum::Router,
    pub state: app::state::AppState,
    _dir: tempfile::TempDir,
}

/// The demo server without a public URL: Graph links are relative, sharing is refused.
pub async fn demo_server() -> TestServer {
    demo_server_at(server::share::ShareConfig::default(), None).await
}

/// Where test requests say they reach the server (their Host and Origin).
pub const SITE: &str = "http://rampart.test";

/// A demo server whose shares go where `share` says, with [`SITE`] as its public URL
/// (sharing needs one).
pub async fn demo_server_with(share: server::share::ShareConfig) -> TestServer {
    demo_server_at(share, Some(SITE)).await
}

/// The demo server with share targets and the operator's public URL (`RAMPART_PUBLIC_URL`).
pub async fn demo_server_at(share: server::share::ShareConfig, public_url: Option<&str>) -> TestServer {
    demo_server_configured(share, |state| state.public_url = public_url.map(Into::into)).await
}

/// The demo server with settings changed by `configure` (as `serve` sets them from flags).
pub async fn demo_server_configured(
    share: server::share::ShareConfig,
    configure: impl FnOnce(&mut app::state::AppState),
) -> TestServer {
    demo_server_on_site(share, configure, "target/site").await
}

/// The demo server with its built assets read from `site_root` (tests have none built
/// unless they write them).
pub async fn demo_server_on_site(
    share: server::share::ShareConfig,
    configure: impl FnOnce(&mut app::state::AppState),
    site_root: &str,
) -> TestServer {
    let template = template().clone();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rampart.db");
    std::fs::copy(&template, &path).expect("copy template");
    // The seeding pool was closed, so its log is folded into the file; a log left behind
    // anyway (an empty one SQLite kept) is copied along so the pair stays consistent.
    let wal = template.with_extension("db-wal");
    if wal.exists() {
        std::fs::copy(&wal, path.with_extension("db-wal")).expect("copy template log");
    }
    let common = Common { database_url: format!("sqlite://{}", path.display()), catalog: None };
    let mut state = server::startup::open_app_state(&common).await.expect("store opens");
    configure(&mut state);
    let leptos = LeptosOptions::builder().output_name("rampart").site_root(site_root).build();
    let app = server::share::with_share(router(ServerState::new(leptos, state.clone())), share);
    TestServer { app, state, _dir: dir }
}

pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookie: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

impl TestServer {
    /// The same server with its router wrapped, as startup wraps it (metrics, say).
    pub fn wrapped(
        mut self,
        wrap: impl FnOnce(axum::Router, app::state::AppState) -> axum::Router,
    ) -> TestServer {
        self.app = wrap(self.app, self.state.clone());
        self
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        // A request that never answers fails the test instead of stalling the whole run.
        let resp = tokio::time::timeout(std::time::Duration::from_secs(60), self.app.clone().oneshot(req))
            .await
            .expect("the server answers within 60 s")
            .expect("response");
        let status = resp.status();
        let get = |h| resp.headers().get(h).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (location, set_cookie) = (get(header::LOCATION), get(header::SET_COOKIE));
        let retry_after = get(header::RETRY_AFTER);
        let bytes = axum::body::to_bytes(resp.into_body(), 10 * 1024 * 1024).await.expect("body");
        Reply {
            status,
            location,
            set_cookie,
            retry_after,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A page load as a browser makes it (browsers accept HTML, which is what makes the
    /// server answer a redirect with a 302 rather than a header for client-side routing).
    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(uri).header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    /// The Origin a page of this server sends: its public URL, or [`SITE`].
    pub fn origin(&self) -> String {
        self.state.public_url.as_deref().unwrap_or(SITE).to_owned()
    }

    /// A request as a page of this server sends it: the Host and Origin a browser there sets.
    pub fn request_from_page(&self, method: axum::http::Method, uri: &str) -> axum::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, SITE.trim_start_matches("http://"))
            .header(header::ORIGIN, self.origin())
    }

    /// Posts a form the way a browser on this site does.
    pub async fn post_form(&self, uri: &str, form: &str, cookie: Option<&str>) -> Reply {
        let mut req = self
            .request_from_page(axum::http::Method::POST, uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(form.to_owned())).expect("request")).await
    }

    /// Posts a form the way a browser on this site does (unless `headers` say what to
    /// accept), from the client address `peer` (what axum's ConnectInfo gives a served
    /// request).
    pub async fn post_form_from(&self, peer: &str, uri: &str, form: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = self
            .request_from_page(axum::http::Method::POST, uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("accept")) {
            req = req.header(header::ACCEPT, "text/html");
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let mut req = req.body(Body::from(form.to_owned())).expect("request");
        let addr: std::net::SocketAddr = format!("{peer}:50000").parse().expect("peer address");
        req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        self.send(req).await
    }

    /// Calls a server function as a script does (no HTML wanted).
    pub async fn call(&self, uri: &str, form: &str, cookie: Option<&str>) -> Reply {
        let mut req = self
            .request_from_page(axum::http::Method::POST, uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(form.to_owned())).expect("request")).await
    }

    /// The database the server runs on (its own copy of the demo), for a second state on it.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}", self._dir.path().join("rampart.db").display())
    }

    /// A demo tenant other than Contoso (the first by name): the one an attacker in Contoso
    /// aims at.
    pub async fn peer_tenant(&self) -> store::Tenant {
        let tenants = self.state.store.tenants().await.expect("tenants");
        tenants.into_iter().find(|t| t.id != CONTOSO_ID).expect("a peer tenant")
    }

    /// The id of a tenant the service provider (`msp@provider.example`) looks after besides
    /// Contoso.
    pub async fn provider_peer(&self) -> String {
        let store = self.state.store.as_ref();
        let msp = store.user_by_email("msp@provider.example").await.expect("the provider");
        let held = store.memberships_of_user(&msp.id).await.expect("memberships");
        held.into_iter()
            .find(|m| m.tenant_id != CONTOSO_ID)
            .expect("the provider looks after a peer")
            .tenant_id
    }

    /// An API token of `email` on `tenant` with `scope`, made in the store (making one in
    /// Settings is tested on its own): its secret, to send as `Bearer`, and its id.
    pub async fn api_token(&self, email: &str, tenant: &str, scope: &str) -> (String, String) {
        let store = self.state.store.as_ref();
        let user = store.user_by_email(email).await.expect("a demo user");
        let secret = format!("rmp_{}", app::auth::secrets::new_secret().expect("random"));
        let id = uuid::Uuid::new_v4().hyphenated().to_string();
        let token = store::ApiToken {
            id: id.clone(),
            token_hash: app::auth::secrets::hash_secret(&secret),
            user_id: user.id,
            tenant_id: tenant.to_owned(),
            name: "test script".into(),
            scope: scope.to_owned(),
            created_at: chrono::Utc::now(),
            expires_at: None,
            revoked_at: None,
        };
        store.create_api_token(&token, email).await.expect("token stored");
        (secret, id)
    }

    /// A session of `user_id` made in the store (signing in is tested on its own), as the
    /// `name=value` a `Cookie` header carries.
    pub async fn session_of(&self, user_id: &str) -> String {
        server::bench_data::session_cookie(self.state.store.as_ref(), user_id).await.expect("session")
    }

    /// Signs in and returns the session cookie (`name=value`).
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let r = self
            .post_form("/api/sign_in", &format!("email={email}&password={password}&next=%2F"), None)
            .await;
        let cookie =
            r.set_cookie.unwrap_or_else(|| panic!("{email} signs in; got {} {:?}", r.status, r.location));
        cookie.split(';').next().expect("cookie pair").to_owned()
    }
}

/// A multipart form posted as a browser sends it: the plain `fields`, then each file in the
/// `files` field, from `origin` with the session `cookie`.
pub fn multipart_post(
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
    cookie: &str,
    origin: &str,
) -> axum::http::Request<axum::body::Body> {
    use axum::http::header;
    const BOUNDARY: &str = "----rampart-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
                 Content-Type: application/json\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    axum::http::Request::post(path)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header(header::HOST, "rampart.test")
        .header(header::ORIGIN, origin)
        .header(header::COOKIE, cookie)
        .body(axum::body::Body::from(body))
        .expect("request")
}
