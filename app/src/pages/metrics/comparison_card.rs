//! The custom comparisons card of the Metrics & trends page: the list with rename and
//! delete for read-write roles, and the add form folded away until wanted.

use super::comparisons::{
    AddComparison, ComparisonChoices, ComparisonSummary, DeleteComparison, RenameComparison, MAX_PER_TENANT,
    NAME_MAX_CHARS,
};
use super::data::MetricsData;
use super::page::ViewFields;
use crate::pages::card::Card;
use crate::pages::forms::posts_to;
use crate::pages::history::query::HistoryQuery;
use leptos::prelude::*;

#[component]
pub fn CustomComparisonsCard(d: MetricsData, q: HistoryQuery) -> impl IntoView {
    let tenant_id = d.tenant_id.clone();
    let can_write = d.can_write;
    let rows = d
        .custom
        .iter()
        .map(|c| view! { <ComparisonRow c=c.clone() tenant_id=tenant_id.clone() q=q.clone() can_write/> })
        .collect_view();
    let full = d.custom.len() >= MAX_PER_TENANT;
    view! {
        <Card id="custom-comparisons" title="Custom comparisons">
            <p class="subtle">
                "Your own groups of other tenants on this server, drawn as lines in the comparison trend above and on the Overview. "
                "A group's average is shown only on days no single tenant's score can be read from it; the tenants you hold a role in are never part of it."
            </p>
            {if d.custom.is_empty() {
                view! { <p id="no-custom-comparisons">"No custom comparisons yet."</p> }.into_any()
            } else {
                view! {
                    <table class="list" id="custom-comparisons">
                        <thead><tr><th>"Name"</th><th>"Tenants compared"</th>{can_write.then(|| view! { <th>"Change"</th> })}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
            {match (d.choices.clone(), full) {
                (Some(_), true) => Some(view! { <p class="subtle">"This tenant has the most custom comparisons it can have (" {MAX_PER_TENANT} "); delete one to add another."</p> }.into_any()),
                (Some(choices), false) => Some(view! { <AddComparison tenant_id=d.tenant_id.clone() q choices/> }.into_any()),
                (None, _) => None,
            }}
        </Card>
    }
}

#[component]
fn ComparisonRow(c: ComparisonSummary, tenant_id: String, q: HistoryQuery, can_write: bool) -> impl IntoView {
    let change = can_write.then(|| {
        let (tenant, id, name) = (tenant_id.clone(), c.id.clone(), c.name.clone());
        let (tenant2, id2, q2) = (tenant.clone(), id.clone(), q.clone());
        view! {
            <td>
                <form method="post" action={posts_to::<RenameComparison>()} class="inline rename-comparison">
                    <input type="hidden" name="tenant_id" value=tenant/>
                    <input type="hidden" name="comparison_id" value=id.clone()/>
                    <ViewFields q/>
                    <label class="visually-hidden" for=format!("rename-{id}")>"New name for " {name.clone()}</label>
                    <input type="text" name="name" id=format!("rename-{id}") value=name maxlength=NAME_MAX_CHARS required/>
                    <button type="submit" class="secondary">"Rename"</button>
                </form>
                <form method="post" action={posts_to::<DeleteComparison>()} class="inline delete-comparison">
                    <input type="hidden" name="tenant_id" value=tenant2/>
                    <input type="hidden" name="comparison_id" value=id2/>
                    <ViewFields q=q2/>
                    <button type="submit" class="danger">"Delete"</button>
                </form>
            </td>
        }
        .into_any()
    });
    view! {
        <tr data-comparison=c.id.clone()>
            <td class="comparison-name">{c.name.clone()}</td>
            <td>{c.criteria.clone()}</td>
            {change}
        </tr>
    }
    .into_any()
}

#[component]
fn AddComparison(tenant_id: String, q: HistoryQuery, choices: ComparisonChoices) -> impl IntoView {
    let buckets = (0..score::comparison::SEAT_BUCKETS.len())
        .map(|b| {
            let label = score::comparison::seat_bucket_label(b);
            view! { <label class="check"><input type="checkbox" name="seat_buckets[]" value=b.to_string()/> {label}</label> }
        })
        .collect_view();
    let industries = choices
        .industries
        .into_iter()
        .map(|i| view! { <label class="check"><input type="checkbox" name="industries[]" value=i.clone()/> {i.clone()}</label> })
        .collect_view();
    let tenants = (!choices.tenants.is_empty()).then(|| {
        let boxes = choices
            .tenants
            .into_iter()
            .map(|(id, name)| view! { <label class="check"><input type="checkbox" name="tenants[]" value=id/> {name}</label> })
            .collect_view();
        view! { <fieldset><legend>"Only these tenants (ones you hold a role in)"</legend>{boxes}</fieldset> }
    });
    view! {
        <details id="add-comparison">
            <summary>"Add a custom comparison"</summary>
            <form method="post" action={posts_to::<AddComparison>()} class="stacked-form" id="add-comparison-form">
                <input type="hidden" name="tenant_id" value=tenant_id/>
                <ViewFields q/>
                <label>"Name" <input type="text" name="name" id="comparison-name" maxlength=NAME_MAX_CHARS required/></label>
                <p class="subtle">"Tenants in any of the seat ranges ticked and any of the industries ticked; leave a list empty to take them all. Averages leave out the tenants you hold a role in, and are only shown where no single tenant's score can be read from them."</p>
                <fieldset><legend>"Seat counts"</legend>{buckets}</fieldset>
                <fieldset><legend>"Industries"</legend>{industries}</fieldset>
                {tenants}
                <button type="submit" id="add-comparison-submit">"Add comparison"</button>
            </form>
        </details>
    }
}
