//! Rampart's pages: server-rendered, then hydrated by the `frontend` crate.

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
}

impl Default for AssetNames {
    fn default() -> Self {
        AssetNames { stylesheet: "/rampart.css".into(), charts: "/echarts.min.js".into() }
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
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="stylesheet" href=assets.stylesheet.clone()/>
                // ECharts must be loaded before the module that hydrates and draws the charts.
                <script src=assets.charts.clone() defer></script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
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
                    <Route path=path!("/") view=pages::tenants::TenantList ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=auth::sign_in::SignIn ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=auth::account::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant") view=pages::overview::Overview ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/settings") view=pages::settings::Settings ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/history") view=pages::history::page::HistoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/metrics") view=pages::metrics::page::MetricsPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/actions") view=pages::actions::list::ActionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/tenants/:tenant/actions/:action_id") view=pages::actions::flyout::ActionPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
