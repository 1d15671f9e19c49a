//! A card of a page: a section named by its heading, so screen readers list it by name.

use leptos::prelude::*;

/// `<section class="card …">` labelled by its `<h2 id="{id}-heading">`.
#[component]
pub fn Card(
    id: &'static str,
    title: &'static str,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let (labelled_by, heading) = (format!("{id}-heading"), format!("{id}-heading"));
    let class = class.map_or_else(|| "card".to_owned(), |c| format!("card {c}"));
    view! {
        <section class=class aria-labelledby=labelled_by>
            <h2 id=heading>{title}</h2>
            {children()}
        </section>
    }
}
