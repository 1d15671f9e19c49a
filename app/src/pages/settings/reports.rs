//! Settings → Scheduled reports, for read-write roles: who gets the tenant's report by email,
//! weekly or monthly, and how the last one went. The report is the printable page's
//! (`pages::report`); the server's report job sends it.

#[cfg(feature = "ssr")]
use super::page_of;
use crate::error::AppError;
use crate::pages::card::Card;
use crate::pages::forms::posts_to;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRow {
    pub id: String,
    pub cadence: String,
    pub to: String,
    pub created_by: String,
    /// "Period to 2026-11-29 sent", "waiting: …", or "none sent yet".
    pub last: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportsCard {
    pub schedules: Vec<ScheduleRow>,
    /// The operator set up email.
    pub email: bool,
}

#[cfg(feature = "ssr")]
pub async fn card(state: &crate::state::AppState, tenant_id: &str) -> Result<ReportsCard, AppError> {
    let schedules = state.store.report_schedules(tenant_id).await?.into_iter().map(schedule_row).collect();
    Ok(ReportsCard { schedules, email: state.alert_channels.email })
}

/// A schedule as the cards list it, with how its last report went.
#[cfg(feature = "ssr")]
pub fn schedule_row(s: store::ReportSchedule) -> ScheduleRow {
    let last = match (&s.last_error, s.last_period_end) {
        (Some(e), _) if s.attempts > 0 => format!("not sent yet ({} attempts): {e}", s.attempts),
        (Some(e), Some(end)) => format!("the period to {end} was given up: {e}"),
        (_, Some(end)) => format!("sent for the period to {end}"),
        (_, None) => "none sent yet: the first goes out within minutes".to_owned(),
    };
    ScheduleRow {
        id: s.id,
        cadence: s.cadence.label().to_owned(),
        to: s.recipients.join(", "),
        created_by: s.created_by,
        last,
    }
}

/// Adds a weekly or monthly report; the latest whole period goes out at once.
#[server(endpoint = "add_report_schedule")]
pub async fn add_report_schedule(tenant_id: String, cadence: String, emails: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    use service::report::{validate_schedule, MAX_SCHEDULES_PER_TENANT, REFUSALS};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let page = format!("{}#reports", page_of(&access.tenant_id));
    let state = &access.state;
    let (cadence, recipients) = match validate_schedule(&cadence, &emails, state.alert_channels.email) {
        Ok(v) => v,
        Err(r) => return refuse(&page, r).await,
    };
    let schedule = store::ReportSchedule {
        id: crate::auth::secrets::new_secret().map_err(|_| AppError::Internal)?[..32].to_owned(),
        tenant_id: Some(access.tenant_id.clone()),
        cadence,
        recipients,
        created_by: access.viewer.email.clone(),
        created_by_user: access.viewer.user_id.clone(),
        created_at: chrono::Utc::now(),
        last_period_end: None,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
    };
    match state.store.add_report_schedule(&schedule, MAX_SCHEDULES_PER_TENANT).await {
        Ok(()) => done(&format!("{}?done=report_added#reports", page_of(&access.tenant_id))),
        Err(store::StoreError::Conflict(_)) => refuse(&page, REFUSALS.of("report_too_many")).await,
        Err(e) => Err(e.into()),
    }
}

#[server(endpoint = "delete_report_schedule")]
pub async fn delete_report_schedule(tenant_id: String, schedule_id: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let page = page_of(&access.tenant_id);
    let store = access.state.store.as_ref();
    if store.delete_report_schedule(&access.tenant_id, &schedule_id, &access.viewer.email).await? {
        done(&format!("{page}?done=report_deleted#reports"))
    } else {
        refuse(&page, service::report::REFUSALS.of("report_unknown")).await
    }
}

#[component]
pub fn ReportsSection(card: ReportsCard, tenant_id: String) -> impl IntoView {
    let ReportsCard { schedules, email } = card;
    let report_url = format!("/tenants/{}/report", service::url::encode(&tenant_id));
    let rows = schedules
        .into_iter()
        .map(|s| {
            let t = tenant_id.clone();
            view! {
                <tr>
                    <td>{s.cadence}</td><td>{s.to}</td><td>{s.created_by}</td><td>{s.last}</td>
                    <td>
                        <form method="post" action={posts_to::<DeleteReportSchedule>()} class="inline">
                            <input type="hidden" name="tenant_id" value=t/>
                            <input type="hidden" name="schedule_id" value=s.id/>
                            <button type="submit" class="link">"Delete"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let has_rows = !rows.is_empty();
    view! {
        <Card id="reports" title="Scheduled reports">
            <p class="subtle">
                "The "<a href=report_url>"printable report"</a>" by email with its chart: weekly on Mondays for the week before, or monthly on the 1st for the month before."
            </p>
            {if has_rows {
                view! {
                    <table class="list" id="report-schedules">
                        <thead><tr><th>"How often"</th><th>"To"</th><th>"Set up by"</th><th>"Last report"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            } else {
                view! { <p id="report-schedules-empty">"No scheduled report yet."</p> }.into_any()
            }}
            {if email {
                view! {
                    <form method="post" action={posts_to::<AddReportSchedule>()} class="row-form" id="report-form">
                        <input type="hidden" name="tenant_id" value=tenant_id.clone()/>
                        <label>"How often"
                            <select name="cadence">
                                {score::report::Cadence::ALL.map(|c| view! { <option value=c.as_str()>{c.label()}</option> })}
                            </select>
                        </label>
                        <label>"Email addresses (comma-separated)"
                            <input type="text" name="emails" required maxlength="2000" placeholder="ciso@contoso.example"/></label>
                        <button type="submit">"Schedule report"</button>
                    </form>
                }.into_any()
            } else {
                view! { <p class="subtle" id="report-email-off">"Reports go by email, which the operator has not set up on this server (RAMPART_SMTP_URL)."</p> }.into_any()
            }}
        </Card>
    }
}
