//! The filter form answering as you type: once hydrated, every change to a field rewrites
//! the URL's query in place (`replaceState`), and the list — already in the page — is
//! filtered, grouped and sorted again in the browser by the same `ActionQuery` the server
//! reads. Apply still works (a deliberate step gets its own history entry), and without
//! JavaScript the form is a plain GET that the server answers.

use super::query::ActionQuery;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;

/// The view the form's fields ask for. The open action is left out, as a submitted form
/// leaves it out: changing the view closes the flyout.
fn asked(form: &web_sys::HtmlFormElement) -> Option<ActionQuery> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    Some(ActionQuery::from_lookup(|k| data.get(k).as_string()))
}

fn form_of(e: &web_sys::Event) -> Option<web_sys::HtmlFormElement> {
    let target = e.current_target()?;
    target.dyn_into::<web_sys::HtmlFormElement>().ok()
}

/// Goes to the view the form asks for: in place for a field's change, as a new history
/// entry for Apply.
pub fn follow(e: &web_sys::Event, base: &str, replace: bool, navigate: &impl Fn(&str, NavigateOptions)) {
    let Some(query) = form_of(e).as_ref().and_then(asked) else { return };
    let options = NavigateOptions { replace, scroll: false, ..Default::default() };
    navigate(&format!("{base}{}", query.to_search()), options);
}

/// Keeps the search box in step with the URL when the view changes from elsewhere (Reset,
/// Back), but not while someone types in it: what they typed stays as typed.
pub fn keep_search_in_step(input: NodeRef<leptos::html::Input>, q: Memo<ActionQuery>) {
    Effect::new(move |_| {
        let wanted = q.get().q;
        if let Some(el) = input.get() {
            if el.value().trim() != wanted {
                el.set_value(&wanted);
            }
        }
    });
}
