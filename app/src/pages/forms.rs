//! One way to post a form.
//!
//! A page makes the server actions its forms post to when it starts, before its resources
//! ([`PageForms::offer`]), and its resources key on [`PageForms::version`]. Each form finds
//! its action by type ([`page_action`]) and is an `ActionForm` over it:
//!
//! - with JavaScript off it is a plain post; the server function answers with a redirect
//!   back to the page, the outcome in the URL (`done=…`, `saved=1`, `error=code`);
//! - once hydrated the same form calls the server function in place: the router follows
//!   the redirect, the page's resources read it again (the version moved), and a refusal is
//!   shown without a reload, so what was typed stays in the form.
//!
//! [`Notice`] shows either outcome in one place on the page, and [`refuse`] is the one
//! answer to a refused form: a browser goes back with the code, a script gets a 400 naming
//! the field. Either way nothing has been written.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::params::ParamsMap;
use service::refusal::Refusals;

pub use service::url::with_param;

/// A server function a form posts to: it answers with nothing but its redirect.
pub trait Posted: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static {}

impl<S: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static> Posted for S {}

/// The server actions of one page.
#[derive(Debug, Clone, Copy)]
pub struct PageForms {
    versions: StoredValue<Vec<RwSignal<usize>>>,
    refusals: StoredValue<Vec<Signal<Option<String>>>>,
    /// The action submitted last, whose refusal (if any) the notice shows.
    last: RwSignal<Option<usize>>,
}

impl PageForms {
    fn new() -> PageForms {
        PageForms {
            versions: StoredValue::new(Vec::new()),
            refusals: StoredValue::new(Vec::new()),
            last: RwSignal::new(None),
        }
    }

    /// The page's forms, for its components to find.
    pub fn provide() -> PageForms {
        let forms = PageForms::new();
        provide_context(forms);
        forms
    }

    /// Makes the page's action for `S`, for its form to find with [`page_action`].
    pub fn offer<S: Posted>(self) -> PageAction<S> {
        let action = ServerAction::<S>::new();
        let index = self.versions.with_value(Vec::len);
        self.versions.update_value(|v| v.push(action.version()));
        let refusal = Signal::derive(move || action.value().get().and_then(Result::err).map(|e| said(&e)));
        self.refusals.update_value(|r| r.push(refusal));
        let a = PageAction { action, index, forms: self };
        provide_context(a);
        a
    }

    /// How many posts have come back: the page's resources key on it.
    pub fn version(self) -> usize {
        self.version_where(|_| true)
    }

    /// How many posts of the forms `of` picks have come back: for a resource that must not
    /// be read again after some post (what a delete took away is not there to read).
    pub fn version_where(self, of: impl Fn(usize) -> bool) -> usize {
        self.versions.with_value(|v| v.iter().enumerate().filter(|(i, _)| of(*i)).map(|(_, s)| s.get()).sum())
    }

    /// The refusal of the last in-place post, if it was refused and came from a form `of`
    /// says this notice speaks for (a page with two notices splits its forms between them).
    pub fn refusal(self, of: impl Fn(usize) -> bool) -> Option<String> {
        let i = self.last.get().filter(|i| of(*i))?;
        self.refusals.with_value(|r| r.get(i).copied())?.get()
    }
}

/// What a person reads of an error: a refusal's message already names its field.
fn said(e: &AppError) -> String {
    match e {
        AppError::Invalid { message, .. } => message.clone(),
        e => e.to_string(),
    }
}

/// One action of a page, as its form uses it.
pub struct PageAction<S: Posted> {
    pub action: ServerAction<S>,
    index: usize,
    forms: PageForms,
}

impl<S: Posted> Clone for PageAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: Posted> Copy for PageAction<S> {}

impl<S: Posted> PageAction<S> {
    /// Marks this form as the one whose outcome the page's notice shows.
    pub fn submitted(self) {
        self.forms.last.set(Some(self.index));
    }

    /// Whether `index` is this action's (see [`PageForms::refusal`]).
    pub fn is(self, index: usize) -> bool {
        self.index == index
    }

    /// Whether its post is on its way (the submit button waits).
    pub fn pending(self) -> bool {
        self.action.pending().get()
    }
}

/// The page's action for `S`: the one the page offered, or one of its own for a form on a
/// page that did not (it still posts; only the page is not read again).
pub fn page_action<S: Posted>() -> PageAction<S> {
    use_context::<PageAction<S>>().unwrap_or_else(|| PageForms::new().offer::<S>())
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

/// The page's notice: the refusal of its last in-place post (`refused`, by default any of
/// the page's), else `url` (what the URL says after a redirect).
#[component]
pub fn Notice(
    id: &'static str,
    url: Signal<Option<Outcome>>,
    #[prop(optional)] refused: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let forms = use_context::<PageForms>();
    let refused = refused.unwrap_or_else(|| Signal::derive(move || forms.and_then(|f| f.refusal(|_| true))));
    move || {
        let refused = refused.get().map(|message| Outcome { ok: false, message });
        refused.or_else(|| url.get()).map(|o| {
            view! {
                <p class=if o.ok { "notice" } else { "error" } role=if o.ok { "status" } else { "alert" } id=id>
                    {o.message}
                </p>
            }
        })
    }
}

/// A refused form: browsers (they ask for HTML) are redirected to `back` plus
/// `error={code}`; other clients, the hydrated page among them, get `Invalid` naming the field.
#[cfg(feature = "ssr")]
pub async fn refuse(back: &str, r: service::Refusal) -> Result<(), AppError> {
    refuse_naming(back, r, None).await
}

/// [`refuse`], the answer in place also quoting the value at fault (`what`); the URL
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

    #[test]
    fn a_refusal_reads_as_its_message() {
        assert_eq!(said(&AppError::invalid("okay_from", "Okay from: 1 to 99.")), "Okay from: 1 to 99.");
    }
}
