//! The "Edit status and notes" form, posting to `update_action`, and the undo button,
//! posting to `undo_status`: forms of the one convention in `pages::forms`, so a save
//! answers with the page as it is now (score, rank and list), and a refusal is shown in
//! the page's notice with what was typed still in the form.

use super::detail::{ActionDetail, UndoTarget};
use super::edit::{UndoStatus, UpdateAction};
use crate::pages::forms::posts_to;
use leptos::prelude::*;
use score::{EffectiveStatus, Status};

#[component]
pub fn EditStatusForm(d: ActionDetail, back: String) -> impl IntoView {
    let completed = d.row.effective == EffectiveStatus::Completed;
    let current = d.row.status;
    let tags = d.tenant_tags.join(", ");
    let undo = d
        .undo
        .clone()
        .filter(|u| !completed || u.status == current)
        .map(|u| view! { <UndoForm d=d.clone() u back=back.clone()/> });
    let (due_date, assignee, note) =
        (d.due_date.clone().unwrap_or_default(), d.assignee.clone().unwrap_or_default(), d.note.clone());
    let (tenant_id, action_id) = (d.tenant_id.clone(), d.row.id.clone());
    view! {
        <form method="post" action={posts_to::<UpdateAction>()} class="stack edit-form" id="edit-status">
            <input type="hidden" name="tenant_id" value=tenant_id/>
            <input type="hidden" name="action_id" value=action_id/>
            <input type="hidden" name="back" value=back/>
            {if completed {
                view! {
                    <p class="locked" id="status-locked">
                        "Status: " <strong>"Completed"</strong>
                        " — derived from the measurement, so it is locked. Notes and tags can still change."
                    </p>
                    <input type="hidden" name="status" value=current.as_str()/>
                }
                .into_any()
            } else {
                view! {
                    <label>"Status"
                        <select name="status" id="status-select">
                            {Status::ALL.into_iter().map(|s| view! {
                                <option value=s.as_str() selected=s == current>{s.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <div class="plan-fields">
                        <label>"Due date (Planned only)"
                            <input type="date" name="due_date" placeholder="YYYY-MM-DD"
                                value=due_date/>
                        </label>
                        <label>"Assignee (Planned only)"
                            <input type="text" name="assignee" maxlength="200" value=assignee/>
                        </label>
                    </div>
                }
                .into_any()
            }}
            <label>"Notes (required to risk accept; at most 4,000 characters)"
                {note_box(&note)}
            </label>
            <label>"Tags (comma-separated)"
                <input type="text" name="tags" value=tags id="tags-input"/>
            </label>
            <button type="submit" id="save-status">"Save"</button>
        </form>
        {undo}
    }
}

#[component]
fn UndoForm(d: ActionDetail, u: UndoTarget, back: String) -> impl IntoView {
    let label = format!("Undo: back to {}", u.status.label());
    view! {
        <form method="post" action={posts_to::<UndoStatus>()} class="inline" id="undo-form">
            <input type="hidden" name="tenant_id" value=d.tenant_id/>
            <input type="hidden" name="action_id" value=d.row.id/>
            <input type="hidden" name="back" value=back/>
            <input type="hidden" name="change_id" value=u.change_id.to_string()/>
            <button type="submit" class="secondary" id="undo-status">{label}</button>
        </form>
    }
}

/// The note box.
fn note_box(note: &str) -> AnyView {
    text_box("note", "note-input".into(), "4", note)
}

/// A text box named `name` holding `text`, at most 4,000 characters. On the server the text is written escaped inside
/// the element (Leptos would not escape it); in the browser it is set as the value, so it
/// never becomes markup.
pub fn text_box(name: &'static str, id: String, rows: &'static str, text: &str) -> AnyView {
    let value = text.to_owned();
    if cfg!(feature = "ssr") {
        let text = super::rcdata(text);
        view! { <textarea name=name rows=rows maxlength="4000" id=id prop:value=value>{text}</textarea> }
            .into_any()
    } else {
        view! { <textarea name=name rows=rows maxlength="4000" id=id prop:value=value></textarea> }.into_any()
    }
}
