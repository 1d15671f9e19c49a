//! The list itself — its filter form, the count and the table — as an island: the one part
//! of the page that ships to the browser as wasm. Once hydrated it answers every change of
//! the form in place with the same filter, sort and grouping rules the server used to draw
//! it (`filter`), and the URL's query follows each change (`replaceState` while typing, a
//! new history entry for Apply and the column headers), so a copied link shows the same
//! view. Without JavaScript the form is a plain GET that the server answers.
//!
//! Typing is what has to be fast: the rows are drawn once for the filters and order, and a
//! search only hides the rows that stop matching (each row looked up in its lower-cased
//! text, made once). A filter, grouping or order change draws the table again.

use super::filter::{arrange, found, haystack, passes_filters, search_words, sums, Arranged};
use super::query::{ActionQuery, GroupBy, RemainingFilter, SortKey, StatusFilter};
use super::row::ActionRow;
use crate::format::points_of;
use leptos::prelude::*;
use score::{Category, Level};
use std::sync::Arc;

/// The query keys the list reads (the open action is the page's, not the list's).
pub const VIEW_KEYS: [&str; 11] =
    ["q", "category", "product", "status", "tag", "cost", "impact", "remaining", "group", "sort", "dir"];

/// The columns, and the sort each header sets (tags do not sort).
const COLUMNS: [(&str, Option<SortKey>); 10] = [
    ("Rank", Some(SortKey::Rank)),
    ("Improvement action", Some(SortKey::Title)),
    ("Points", Some(SortKey::Points)),
    ("Status", Some(SortKey::Status)),
    ("Category", Some(SortKey::Category)),
    ("Product", Some(SortKey::Product)),
    ("Cost", Some(SortKey::Cost)),
    ("User impact", Some(SortKey::Impact)),
    ("Tags", None),
    ("Last change", Some(SortKey::LastChange)),
];

/// The view of the list without its search: what decides which rows are drawn, and how.
fn unsearched(q: &ActionQuery) -> ActionQuery {
    ActionQuery { q: String::new(), action: None, ignored: Vec::new(), ..q.clone() }
}

/// The rows the filters keep, arranged: every row index once, and the groups.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Drawn {
    picked: Vec<usize>,
    groups: Vec<Arranged>,
}

/// The improvement actions list. `base` is the list's path, `csv` its export's; `query`
/// the view's values as the link gave them (so refused values can be named).
#[island]
pub fn ActionBrowser(
    base: String,
    csv: String,
    rows: Vec<ActionRow>,
    products: Vec<String>,
    tags: Vec<String>,
    query: Vec<(String, String)>,
) -> impl IntoView {
    let start = ActionQuery::from_lookup(|k| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
    let q = RwSignal::new(start);
    let rows = Arc::new(rows);
    let haystacks: Arc<Vec<String>> = Arc::new(rows.iter().map(haystack).collect());
    let filters = Memo::new(move |_| q.with(unsearched));
    let drawn = {
        let rows = rows.clone();
        Memo::new(move |_| {
            let f = filters.get();
            let picked: Vec<usize> = (0..rows.len()).filter(|&i| passes_filters(&rows[i], &f)).collect();
            let groups = arrange(&rows, &picked, &f);
            Drawn { picked, groups }
        })
    };
    let words = Memo::new(move |_| q.with(|q| search_words(&q.q)));
    // Which rows the search keeps, by index.
    let visible =
        Memo::new(move |_| words.with(|w| haystacks.iter().map(|h| found(h, w)).collect::<Vec<bool>>()));
    let shown =
        Memo::new(move |_| drawn.with(|d| visible.with(|v| d.picked.iter().filter(|&&i| v[i]).count())));
    let total = rows.len();
    let csv = move || format!("{csv}{}", q.get().with_action(None).to_search());
    let b = base.clone();
    let table = move || drawn.with(|d| draw(&rows, d, visible, q, &b));
    view! {
        <FilterForm base=base.clone() q products tags/>
        {move || q.with(|q| ignored_note(&q.ignored))}
        <p class="list-summary">
            <span id="actions-count">{move || format!("{} of {total} actions", shown.get())}</span>
            " · " <a href=csv download="improvement-actions.csv" rel="external" id="export-csv">"Export CSV"</a>
        </p>
        <p class="empty card" id="actions-empty" hidden=move || shown.get() != 0>"No actions match these filters."</p>
        <div class="table-scroll" hidden=move || shown.get() == 0>{table}</div>
    }
}

/// The table for the rows the filters keep; the search hides the rest in place.
fn draw(
    rows: &Arc<Vec<ActionRow>>,
    d: &Drawn,
    visible: Memo<Vec<bool>>,
    q: RwSignal<ActionQuery>,
    base: &str,
) -> AnyView {
    let grouped = q.with_untracked(|q| q.group) != GroupBy::None;
    let start = q.get_untracked();
    // One effect shows and hides every row (a reactive node per row made each keystroke
    // cost several milliseconds more with 500 rows); the server draws them as they start.
    let shown_at_start = visible.get_untracked();
    let row_nodes: Vec<(usize, NodeRef<leptos::html::Tr>)> =
        d.groups.iter().flat_map(|g| g.members.iter().map(|&i| (i, NodeRef::new()))).collect();
    let rows_in_page = Arc::new(RowsInPage { generation: StoredValue::new(0), nodes: row_nodes.clone() });
    Effect::new(move |_| {
        let now = Arc::new(visible.get());
        rows_in_page.clone().show_as(now);
    });
    let mut node_of = row_nodes.into_iter();
    let link_base = base.to_owned();
    // A row's link carries the view it was drawn in; a click brings it up to date first,
    // so the flyout opens on the list as it is now.
    let follow_view = move |e: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        page::point_link_at_view(&e, &link_base, &q.get_untracked());
        #[cfg(not(feature = "hydrate"))]
        let _ = (e, &link_base);
    };
    view! {
        <table class="list actions-table" id="actions-table" on:click=follow_view>
            <thead>
                <tr>{COLUMNS.iter().map(|(label, key)| header(label, *key, q, base)).collect_view()}</tr>
            </thead>
            {d.groups.iter().map(|g| {
                let members = Arc::new(g.members.clone());
                let (m1, m2, r) = (members.clone(), members.clone(), rows.clone());
                let any_shown = Memo::new(move |_| visible.with(|v| m1.iter().any(|&i| v[i])));
                let sum = move || visible.with(|v| {
                    let shown: Vec<usize> = m2.iter().copied().filter(|&i| v[i]).collect();
                    let (points, max) = sums(&r, shown.iter().copied());
                    format!("{} points · {} actions", points_of(points, max), shown.len())
                });
                view! {
                    <tbody class="action-group" data-group=g.label.clone() hidden=move || !any_shown.get()>
                        {grouped.then(|| view! {
                            <tr class="group-head">
                                <th colspan="10" scope="rowgroup">
                                    <span class="group-label">{g.label.clone()}</span>
                                    <span class="group-sum">{sum}</span>
                                </th>
                            </tr>
                        })}
                        {members.iter().map(|&i| {
                            let node = node_of.next().map(|(_, n)| n).unwrap_or_default();
                            row(&rows[i], node, !shown_at_start[i], &start, base)
                        }).collect_view()}
                    </tbody>
                }
            }).collect_view()}
        </table>
    }
    .into_any()
}

/// Rows of the result a keystroke puts right in its own frame: about two screens.
const SHOWN_AT_ONCE: usize = 40;
/// Rows changed in each frame after it. Laying out rows shown or hidden is what a
/// keystroke costs (a search that brought back 400 rows at once took 75–110 ms), so only
/// the top of the list is brought up to date at once and the rest follows, top first.
const CHANGED_PER_FRAME: usize = 40;

/// The rows of the drawn table. Which of them the page shows is read from the rows
/// themselves (it lags what the filters ask for while a change is still being made).
struct RowsInPage {
    /// Per row in page order: its index in the list, and its element.
    nodes: Vec<(usize, NodeRef<leptos::html::Tr>)>,
    /// Bumped by every change, so rows still queued for an older one are left alone.
    generation: StoredValue<u64>,
}

impl RowsInPage {
    /// Shows and hides rows as `wanted` says: at once down to the first screens of the
    /// result (so what can be seen is right), the rest a frame at a time.
    fn show_as(self: Arc<Self>, wanted: Arc<Vec<bool>>) {
        let Some(generation) = self.generation.try_get_value().map(|g| g + 1) else { return };
        self.generation.set_value(generation);
        let mut later = Vec::new();
        let mut results_above = 0;
        for (at, (i, node)) in self.nodes.iter().enumerate() {
            let want = wanted[*i];
            match node.try_get_untracked().flatten() {
                Some(tr) if results_above < SHOWN_AT_ONCE => {
                    if tr.hidden() == want {
                        tr.set_hidden(!want);
                    }
                }
                // Not mounted yet, or below the first screens: a frame later.
                _ => later.push(at),
            }
            results_above += usize::from(want);
        }
        self.change_later(later, wanted, generation);
    }

    fn change_later(self: Arc<Self>, mut rows: Vec<usize>, wanted: Arc<Vec<bool>>, generation: u64) {
        if rows.is_empty() {
            return;
        }
        request_animation_frame(move || {
            // A newer change, or a table drawn again for a filter or an order (this one's
            // values then gone), stops what is left.
            if self.generation.try_get_value() != Some(generation) {
                return;
            }
            let (mut changed, mut mounted) = (0, false);
            let mut rest = Vec::new();
            for at in rows.drain(..) {
                let (i, node) = &self.nodes[at];
                match node.try_get_untracked().flatten() {
                    Some(tr) if changed < CHANGED_PER_FRAME => {
                        mounted = true;
                        if tr.hidden() == wanted[*i] {
                            tr.set_hidden(!wanted[*i]);
                            changed += 1;
                        }
                    }
                    Some(_) => {
                        mounted = true;
                        rest.push(at);
                    }
                    None => rest.push(at),
                }
            }
            // Rows that never get an element (a table being replaced) are not waited for.
            if mounted {
                self.change_later(rest, wanted, generation);
            }
        });
    }
}

fn row(
    r: &ActionRow,
    node: NodeRef<leptos::html::Tr>,
    hidden: bool,
    q: &ActionQuery,
    base: &str,
) -> impl IntoView {
    let href = format!("{base}{}", q.with_action(Some(&r.id)).to_search());
    view! {
        <tr data-action=r.id.clone() hidden=hidden node_ref=node>
            <td class="num rank">{r.rank_label()}</td>
            <td><a href=href class="action-link" data-action=r.id.clone()>{r.title.clone()}</a></td>
            <td class="num">{points_of(r.points, r.max)}</td>
            <td class="status">{r.effective.label()}</td>
            <td>{r.category.as_str()}</td>
            <td>{r.product.clone()}</td>
            <td>{r.cost.as_str()}</td>
            <td>{r.impact.as_str()}</td>
            <td class="tags">{r.tags.join(", ")}</td>
            <td class="num">{r.last_change_label()}</td>
        </tr>
    }
}

fn header(label: &'static str, key: Option<SortKey>, q: RwSignal<ActionQuery>, base: &str) -> AnyView {
    let Some(key) = key else { return view! { <th scope="col">{label}</th> }.into_any() };
    let sort = move || {
        q.with(|q| match (q.sort == key, q.desc) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        })
    };
    let arrow = move || match sort() {
        "ascending" => " ▲",
        "descending" => " ▼",
        _ => "",
    };
    let b = base.to_owned();
    let href = move || format!("{b}{}", q.with(|q| q.sorted_by(key)).to_search());
    let b = base.to_owned();
    let sort_here = move |e: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        if page::plain_click(&e) {
            e.prevent_default();
            q.update(|q| *q = q.sorted_by(key));
            page::show_view(&b, &q.get_untracked(), false);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (e, &b);
    };
    view! {
        <th scope="col" aria-sort=sort>
            <a href=href class="sort" data-sort=key.as_str() on:click=sort_here>{label}{arrow}</a>
        </th>
    }
    .into_any()
}

/// Sorted, case-insensitively distinct values for a filter's choices.
pub fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for s in values {
        if !v.iter().any(|x| x.eq_ignore_ascii_case(&s)) {
            v.push(s);
        }
    }
    v.sort_by_key(|s| s.to_lowercase());
    v
}

/// A `<select>` whose choices are (value, label); the empty value means "any".
fn choice(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    current: Memo<String>,
) -> impl IntoView {
    view! {
        <label>{label}
            <select name=name id=format!("filter-{name}")>
                {options.into_iter().map(|(value, text)| {
                    let v = value.clone();
                    view! { <option value=value selected=move || current.get() == v>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

fn any_and(values: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Any".to_owned())).chain(values).collect()
}

/// The view controls as a plain GET form, so the view works without JavaScript and its URL
/// is the shareable link. Once hydrated the form posts nowhere: each change is the view.
#[component]
fn FilterForm(
    base: String,
    q: RwSignal<ActionQuery>,
    products: Vec<String>,
    tags: Vec<String>,
) -> impl IntoView {
    let pick = move |f: fn(&ActionQuery) -> String| Memo::new(move |_| q.with(f));
    let levels = || {
        any_and([Level::Low, Level::Moderate, Level::High].map(|l| (l.as_str().into(), l.as_str().into())))
    };
    let same = |v: Vec<String>| any_and(v.into_iter().map(|s| (s.clone(), s)));
    let reset = base.clone();
    let (b1, b2, b3) = (base.clone(), base.clone(), base.clone());
    let search = NodeRef::<leptos::html::Input>::new();
    // Reset is the whole list again, here too.
    let on_reset = move |e: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        if page::plain_click(&e) {
            e.prevent_default();
            q.set(ActionQuery::default());
            if let Some(input) = search.get_untracked() {
                input.set_value("");
            }
            page::show_view(&b3, &q.get_untracked(), false);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (e, &b3, search);
    };
    let on_input = move |e: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        if let Some(asked) = page::asked(&e) {
            q.set(asked);
            page::show_view(&b1, &q.get_untracked(), true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (e, &b1);
    };
    let on_submit = move |e: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            e.prevent_default();
            if let Some(asked) = page::asked(&e) {
                q.set(asked);
                page::show_view(&b2, &q.get_untracked(), false);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (e, &b2);
    };
    view! {
        <form method="get" action=base class="card action-filters" id="action-filters" role="search"
            on:input=on_input on:submit=on_submit>
            <label>"Search"
                <input type="search" name="q" id="filter-q" placeholder="Title, description or threat"
                    node_ref=search value=q.get_untracked().q maxlength="200"/>
            </label>
            {choice("category", "Category",
                any_and(Category::ALL.map(|c| (c.as_str().into(), c.as_str().into()))),
                pick(|q| q.category.map(|c| c.as_str().to_owned()).unwrap_or_default()))}
            {choice("product", "Product", same(products), pick(|q| q.product.clone().unwrap_or_default()))}
            {choice("status", "Status",
                StatusFilter::choices().into_iter().map(|(s, l)| (s.as_str().to_owned(), l.to_owned())).collect(),
                pick(|q| q.status.as_str().to_owned()))}
            {choice("tag", "Tag", same(tags), pick(|q| q.tag.clone().unwrap_or_default()))}
            {choice("cost", "Cost", levels(), pick(|q| q.cost.map(|l| l.as_str().to_owned()).unwrap_or_default()))}
            {choice("impact", "User impact", levels(), pick(|q| q.impact.map(|l| l.as_str().to_owned()).unwrap_or_default()))}
            {choice("remaining", "Points remaining",
                RemainingFilter::CHOICES.into_iter().map(|r| (r.as_str(), r.label())).collect(),
                pick(|q| q.remaining.as_str()))}
            {choice("group", "Group by",
                GroupBy::ALL.into_iter().map(|g| (g.as_str().to_owned(), g.label().to_owned())).collect(),
                pick(|q| q.group.as_str().to_owned()))}
            {choice("sort", "Sort by",
                SortKey::ALL.into_iter().map(|k| (k.as_str().to_owned(), k.label().to_owned())).collect(),
                pick(|q| q.sort.as_str().to_owned()))}
            {choice("dir", "Order",
                vec![(String::new(), "Ascending".to_owned()), ("desc".to_owned(), "Descending".to_owned())],
                pick(|q| if q.desc { "desc".to_owned() } else { String::new() }))}
            <button type="submit" id="apply-filters">"Apply"</button>
            <a href=reset id="reset-filters" on:click=on_reset>"Reset"</a>
        </form>
    }
}

/// Names the values of the link that are not choices of their filter, so nobody reads the
/// whole list as the filtered one. Shown as text, whatever they hold.
fn ignored_note(ignored: &[(&'static str, String)]) -> Option<impl IntoView> {
    if ignored.is_empty() {
        return None;
    }
    let named: Vec<String> = ignored.iter().map(|(k, v)| format!("{k} “{v}”")).collect();
    Some(view! {
        <p class="ignored-filters" id="ignored-filters" role="status">
            "Not among the choices, so left out: " {named.join(", ")} ". Showing the list without them."
        </p>
    })
}

/// What the island does with the page around it: reads its form, writes the URL.
#[cfg(feature = "hydrate")]
mod page {
    use super::ActionQuery;
    use wasm_bindgen::JsCast;

    /// The view the form's fields ask for.
    pub fn asked(e: &web_sys::Event) -> Option<ActionQuery> {
        let form = e.current_target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        Some(ActionQuery::from_lookup(|k| data.get(k).as_string()))
    }

    /// The action open in the flyout now, which a change of the view leaves open.
    fn open_action() -> Option<String> {
        let search = leptos::prelude::window().location().search().ok()?;
        let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
        params.get("action")
    }

    /// Puts the view in the address bar: in place while typing, as a new entry otherwise.
    pub fn show_view(base: &str, q: &ActionQuery, replace: bool) {
        let url = format!("{base}{}", q.with_action(open_action().as_deref()).to_search());
        let Ok(history) = leptos::prelude::window().history() else { return };
        let state = wasm_bindgen::JsValue::NULL;
        let _ = if replace {
            history.replace_state_with_url(&state, "", Some(&url))
        } else {
            history.push_state_with_url(&state, "", Some(&url))
        };
    }

    /// A click that follows a link here (not one opening a new tab or window).
    pub fn plain_click(e: &web_sys::MouseEvent) -> bool {
        e.button() == 0 && !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key())
    }

    /// Points a clicked action's link at the list as it is now.
    pub fn point_link_at_view(e: &web_sys::MouseEvent, base: &str, q: &ActionQuery) {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        let Ok(Some(link)) = target.closest("a.action-link") else { return };
        if let Some(id) = link.get_attribute("data-action") {
            let _ = link.set_attribute("href", &format!("{base}{}", q.with_action(Some(&id)).to_search()));
        }
    }
}
