//! Portfolio reports, on the portfolio page: one weekly or monthly email over every tenant
//! where the viewer holds a read-write role — each tenant's score, change and zone, and the
//! portfolio's score over the period as the chart. The server's report job sends it.

use crate::error::AppError;
use crate::pages::card::Card;
use crate::pages::forms::posts_to;
use crate::pages::settings::reports::ScheduleRow;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortfolioReportsCard {
    pub schedules: Vec<ScheduleRow>,
    pub email: bool,
}

/// The card, for a viewer with a portfolio; `None` otherwise.
#[server(endpoint = "portfolio_reports")]
pub async fn portfolio_reports() -> Result<Option<PortfolioReportsCard>, AppError> {
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let store = state.store.as_ref();
    if crate::pages::portfolio_alerts::portfolio_shown(store, &viewer.user_id).await?.is_none() {
        return Ok(None);
    }
    let schedules = store
        .portfolio_report_schedules(&viewer.user_id)
        .await?
        .into_iter()
        .map(crate::pages::settings::reports::schedule_row)
        .collect();
    Ok(Some(PortfolioReportsCard { schedules, email: state.alert_channels.email }))
}

#[server(endpoint = "add_portfolio_report_schedule")]
pub async fn add_portfolio_report_schedule(cadence: String, emails: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    use service::report::{validate_schedule, MAX_SCHEDULES_PER_TENANT, REFUSALS};
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    let store = state.store.as_ref();
    // Counted, not listed: a provider holds thousands of tenants.
    if store.role_counts(&viewer.user_id).await?.1 == 0 {
        return Err(AppError::Forbidden(
            "a portfolio report needs a read-write role in at least one tenant".into(),
        ));
    }
    let page = "/#portfolio-reports";
    let (cadence, recipients) = match validate_schedule(&cadence, &emails, state.alert_channels.email) {
        Ok(v) => v,
        Err(r) => return refuse(page, r).await,
    };
    let schedule = store::ReportSchedule {
        id: crate::auth::secrets::new_secret().map_err(|_| AppError::Internal)?[..32].to_owned(),
        tenant_id: None,
        cadence,
        recipients,
        created_by: viewer.email.clone(),
        created_by_user: viewer.user_id.clone(),
        created_at: chrono::Utc::now(),
        last_period_end: None,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
    };
    match store.add_report_schedule(&schedule, MAX_SCHEDULES_PER_TENANT).await {
        Ok(()) => done("/?done=portfolio_report_added#portfolio-reports"),
        Err(store::StoreError::Conflict(_)) => refuse(page, REFUSALS.of("report_too_many")).await,
        Err(e) => Err(e.into()),
    }
}

#[server(endpoint = "delete_portfolio_report_schedule")]
pub async fn delete_portfolio_report_schedule(schedule_id: String) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse};
    let (state, viewer) = crate::auth::access::require_viewer().await?;
    if state.store.delete_portfolio_report_schedule(&viewer.user_id, &schedule_id, &viewer.email).await? {
        done("/?done=portfolio_report_deleted#portfolio-reports")
    } else {
        refuse("/#portfolio-reports", service::report::REFUSALS.of("report_unknown")).await
    }
}

#[component]
pub fn PortfolioReportsSection(card: PortfolioReportsCard) -> impl IntoView {
    let PortfolioReportsCard { schedules, email } = card;
    let rows = schedules
        .into_iter()
        .map(|s| {
            view! {
                <tr>
                    <td>{s.cadence}</td><td>{s.to}</td><td>{s.last}</td>
                    <td>
                        <form method="post" action={posts_to::<DeletePortfolioReportSchedule>()} class="inline">
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
        <Card id="portfolio-reports" title="Portfolio reports">
            <p class="subtle">
                "One email over every tenant where you hold a read-write role: each tenant's score, change and zone, and all their points together as a chart. Weekly on Mondays for the week before, or monthly on the 1st for the month before."
            </p>
            {if has_rows {
                view! {
                    <table class="list" id="portfolio-report-schedules">
                        <thead><tr><th>"How often"</th><th>"To"</th><th>"Last report"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            } else {
                view! { <p id="portfolio-report-schedules-empty">"No portfolio report yet."</p> }.into_any()
            }}
            {if email {
                view! {
                    <form method="post" action={posts_to::<AddPortfolioReportSchedule>()} class="row-form" id="portfolio-report-form">
                        <label>"How often"
                            <select name="cadence">
                                {score::report::Cadence::ALL.map(|c| view! { <option value=c.as_str()>{c.label()}</option> })}
                            </select>
                        </label>
                        <label>"Email addresses (comma-separated)"
                            <input type="text" name="emails" required maxlength="2000" placeholder="ciso@provider.example"/></label>
                        <button type="submit">"Schedule portfolio report"</button>
                    </form>
                }.into_any()
            } else {
                view! { <p class="subtle">"Reports go by email, which the operator has not set up on this server (RAMPART_SMTP_URL)."</p> }.into_any()
            }}
        </Card>
    }
}
