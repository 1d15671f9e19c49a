//! One way to post a form.
//!
//! A form posts to its server function: `<form method="post" action={posts_to::<S>()}>`.
//! The function does what it was asked or refuses, and answers a browser with a redirect
//! back to the page, the outcome in the URL (`done=…`, `saved=1`, `error=code`): [`done`]
//! and [`refuse`]. [`Notice`] shows that outcome in one place on the page. The page script
//! (`frontend/js/pages.js`) makes the same post in place when it runs: it follows the
//! redirect, puts the page it lands on in place of this one, and keeps a refused form as
//! it was, so what was typed stays. Without JavaScript it is a plain post and a page load.
//! Either way a refused form has written nothing; a client that does not ask for HTML gets
//! a 400 naming the field instead of the redirect.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::params::ParamsMap;
use service::refusal::Refusals;

pub use service::url::with_param;

/// A server function a form posts to: it answers with nothing but its redirect.
pub trait Posted: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static {}

impl<S: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static> Posted for S {}

/// Where a form for the server function `S` posts.
pub fn posts_to<S: Posted>() -> &'static str {
    S::url()
}

/// The outcome of the last post, as the page says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub ok: bool,
    pub message: String,
}

impl Outcome {
    /// What the URL says after a redirect: `error=code` looked up in the page's refusal
    /// tables (an unknown code reads plainly), else what `done` makes of the query.
    pub fn from_url(
        query: &ParamsMap,
        refusals: &[Refusals],
        done: impl Fn(&ParamsMap) -> Option<&'static str>,
    ) -> Option<Outcome> {
        if let Some(code) = query.get("error") {
            let message = Refusals::find(refusals, &code).message.to_owned();
            return Some(Outcome { ok: false, message });
        }
        done(query).map(|m| Outcome { ok: true, message: m.to_owned() })
    }
}

/// The page's notice: the outcome of the last post, as the URL says it after the redirect.
#[component]
pub fn Notice(id: &'static str, url: Signal<Option<Outcome>>) -> impl IntoView {
    move || {
        url.get().map(|o| {
            view! {
                <p class=if o.ok { "notice" } else { "error" } role=if o.ok { "status" } else { "alert" } id=id>
                    {o.message}
                </p>
            }
        })
    }
}

/// A refused form: browsers (they ask for HTML) are redirected to `back` plus
/// `error={code}`; other clients (scripts) get `Invalid` naming the field.
#[cfg(feature = "ssr")]
pub async fn refuse(back: &str, r: service::Refusal) -> Result<(), AppError> {
    refuse_naming(back, r, None).await
}

/// [`refuse`], the answer to a script also quoting the value at fault (`what`); the URL
/// carries only the code, never what was typed.
#[cfg(feature = "ssr")]
pub async fn refuse_naming(back: &str, r: service::Refusal, what: Option<&str>) -> Result<(), AppError> {
    let headers: http::HeaderMap = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
    let html = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if html {
        leptos_axum::redirect(&with_param(back, "error", r.code));
        Ok(())
    } else {
        let message = match what {
            Some(w) => format!("{} (not “{w}”)", r.message),
            None => r.message.to_owned(),
        };
        Err(AppError::invalid(r.field, message))
    }
}

/// A form that did what it was asked: back to the page it came from, the outcome in the URL.
#[cfg(feature = "ssr")]
pub fn done(back: &str) -> Result<(), AppError> {
    leptos_axum::redirect(back);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use service::Refusal;

    const ZONES: Refusals = Refusals(&[Refusal::new("okay_from", "okay_from", "Okay from: 1 to 99.")]);

    fn query(pairs: &[(&'static str, &str)]) -> ParamsMap {
        let mut q = ParamsMap::new();
        for (k, v) in pairs {
            q.insert(*k, (*v).to_owned());
        }
        q
    }

    #[test]
    fn the_url_outcome_reads_refusals_first_and_unknown_codes_plainly() {
        let done = |q: &ParamsMap| q.get("done").map(|_| "Saved.");
        let refused = Outcome::from_url(&query(&[("error", "okay_from"), ("done", "x")]), &[ZONES], done);
        assert_eq!(refused, Some(Outcome { ok: false, message: "Okay from: 1 to 99.".into() }));
        let made_up = Outcome::from_url(&query(&[("error", "Call 0800 123")]), &[ZONES], done);
        assert_eq!(made_up.map(|o| o.message), Some("The change was refused.".into()));
        let saved = Outcome::from_url(&query(&[("done", "zones")]), &[ZONES], done);
        assert_eq!(saved, Some(Outcome { ok: true, message: "Saved.".into() }));
        assert_eq!(Outcome::from_url(&query(&[]), &[ZONES], done), None);
    }
}
