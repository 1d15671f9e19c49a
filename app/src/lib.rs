//! Rampart's pages: rendered on the server; only islands (the improvement actions list) are
//! hydrated by the `frontend` crate, and `frontend/js/pages.js` does the rest in the browser.

pub mod auth;
#[cfg(feature = "ssr")]
pub mod benchmarks;
pub mod chart;
pub mod error;
#[cfg(feature = "ssr")]
pub mod exports;
pub mod format;
#[cfg(feature = "ssr")]
pub mod links;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{path, SsrMode};

/// The per-response nonce the server's Content-Security-Policy allows inline scripts by:
/// the server puts it in the request, the shell hands it to Leptos, which writes it on the
/// hydration script and on the scripts that carry resolved data.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct ScriptNonce(pub std::sync::Arc<str>);

/// Where the shell finds the stylesheet and the chart library. The server serves both
/// under names carrying a hash of their content, so browsers may keep them for a year;
/// these defaults are the plain names, for a server started without built assets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetNames {
    pub stylesheet: String,
    pub charts: String,
    /// The page script: charts drawn, links and forms answered in place (`frontend/js/pages.js`).
    pub pages: String,
}

impl Default for AssetNames {
    fn default() -> Self {
        AssetNames {
            stylesheet: "/rampart.css".into(),
            charts: "/echarts.min.js".into(),
            pages: "/pages.js".into(),
        }
    }
}

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(nonce) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<ScriptNonce>().cloned())
    {
        // Replaces the nonce Leptos made for this render with the one in the response's policy.
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
    // Only the server draws the shell: the assets' names carry their hashes (see
    // `state::AssetNames`), which the client never needs to know.
    #[cfg(feature = "ssr")]
    let assets = use_context::<state::AppState>().map(|s| s.assets.clone()).unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let assets = std::sync::Arc::new(AssetNames::default());
    // Only pages with an island load the wasm; the rest is HTML, the chart library and the
    // page script. Nothing outside an island is drawn again in the browser, so no page
    // sends its data a second time for hydration.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    #[cfg(feature = "ssr")]
    let islands = use_context::<http::request::Parts>().is_some_and(|p| has_islands(p.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let islands = false;
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="stylesheet" href=assets.stylesheet.clone()/>
                // The page script loads the chart library itself, on pages with charts, once
                // the page has been read (fetching it beside the page was measured slower).
                <script src=assets.pages.clone() defer data-charts=assets.charts.clone()></script>
                {islands.then(|| view! { <HydrationScripts options islands=true/> })}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Whether the page at `path` has an island (see `pages::actions::browser`): the list of
/// improvement actions, `/tenants/{id}/actions`.
pub fn has_islands(path: &str) -> bool {
    let mut parts = path.trim_end_matches('/').split('/');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(""), Some("tenants"), Some(t), Some("actions"), None) if !t.is_empty()
    )
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Link rel="icon" href="/favicon.ico"/>
        <Title formatter=|page: String| if page.is_empty() { "Rampart".to_string() } else { format!("{page} · Rampart") }/>
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"Rampart"</A>
                <span class="tagline">"Security posture score"</span>
                <span class="spacer"></span>
                <auth::sign_in::UserMenu/>
            </header>
            <main>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::portfolio::Portfolio ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=auth::sign_in::SignIn ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=auth::account::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant") view=pages::overview::Overview ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/settings") view=pages::settings::Settings ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/history") view=pages::history::page::HistoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/metrics") view=pages::metrics::page::MetricsPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/report") view=pages::report::page::ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/actions") view=pages::actions::list::ActionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/actions/:action_id") view=pages::actions::flyout::ActionPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

#[cfg(test)]
mod tests {
    use super::has_islands;

    #[test]
    fn only_the_actions_list_loads_the_islands() {
        assert!(has_islands("/tenants/c0a7e5f0-0000-4000-8000-000000000001/actions"));
        assert!(has_islands("/tenants/t1/actions/"));
        for path in [
            "/",
            "/tenants",
            "/tenants/t1",
            "/tenants/t1/history",
            "/tenants/t1/metrics",
            "/tenants/t1/actions/MFARegistrationV2",
            "/tenants/t1/actions.csv",
            "/tenants//actions",
            "/x/tenants/t1/actions",
        ] {
            assert!(!has_islands(path), "{path}");
        }
    }
}
