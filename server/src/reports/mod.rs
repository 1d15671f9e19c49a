//! Scheduled reports: every few minutes, each schedule whose latest whole period has not
//! gone out yet is claimed, its report made as its creator would see it, and mailed. A
//! failed send is tried again with a growing wait; after a day of failures the period is
//! given up (audited, and shown in Settings) and the next one goes when due.

pub mod email;
pub mod portfolio;

use crate::share::config::Smtp;
use app::pages::history::query::HistoryQuery;
use app::pages::report::summary::ReportSummary;
use app::state::AppState;
use chrono::{DateTime, Duration, Utc};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use store::{ReportSchedule, Sent};

/// How long a claimed report is another server's to leave alone.
const CLAIM: i64 = 10;
/// The wait after the first failure, doubled after each one.
const FIRST_RETRY_MINUTES: i64 = 15;
/// Attempts before the period is given up (15 min … 8 h: about a day and a half).
const ATTEMPTS: u32 = 7;
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReportRound {
    pub sent: u32,
    pub failed: u32,
}

/// When to try a report again after `attempts` failures; `None`: give the period up.
pub fn again_at(attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (attempts < ATTEMPTS)
        .then(|| now + Duration::minutes(FIRST_RETRY_MINUTES << (attempts.saturating_sub(1)).min(10)))
}

/// Sends every report that is due at `now`.
pub async fn round(state: &AppState, smtp: Option<&Smtp>, now: DateTime<Utc>) -> store::Result<ReportRound> {
    let store = state.store.as_ref();
    let today = now.date_naive();
    let mut done = ReportRound::default();
    for s in store.every_report_schedule().await? {
        let (from, to) = s.cadence.latest_period(today);
        if s.last_period_end.is_some_and(|d| d >= to) {
            continue;
        }
        if !store.claim_report(&s, to, now, now + Duration::minutes(CLAIM)).await? {
            continue;
        }
        match send(state, smtp, &s, from, to, today).await {
            Ok(()) => {
                store.record_report(&s, to, Sent::Yes).await?;
                tracing::info!(tenant = ?s.tenant_id, cadence = s.cadence.as_str(), period_end = %to, "report sent");
                done.sent += 1;
            }
            Err(why) => {
                let again = again_at(s.attempts + 1, Utc::now());
                store.record_report(&s, to, Sent::No { why: &why, again_at: again }).await?;
                if again.is_none() {
                    tracing::error!(tenant = ?s.tenant_id, cadence = s.cadence.as_str(), period_end = %to, why = %why, "report given up");
                } else {
                    tracing::warn!(tenant = ?s.tenant_id, cadence = s.cadence.as_str(), why = %why, "report not sent; will try again");
                }
                done.failed += 1;
            }
        }
    }
    Ok(done)
}

async fn send(
    state: &AppState,
    smtp: Option<&Smtp>,
    s: &ReportSchedule,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<(), String> {
    let smtp = smtp.ok_or("email is not set up on this server")?;
    let store = state.store.as_ref();
    let recipients: Vec<Mailbox> = s
        .recipients
        .iter()
        .map(|a| a.parse().map_err(|_| format!("{a} is not an email address")))
        .collect::<Result<_, _>>()?;
    let message = match &s.tenant_id {
        Some(tenant_id) => {
            // The comparisons leave out the tenants the schedule's creator holds, as their
            // page does.
            let held =
                app::benchmarks::held_by(store, &s.created_by_user).await.map_err(|e| e.to_string())?;
            let q = HistoryQuery {
                from: Some(from.to_string()),
                to: Some(to.to_string()),
                ..HistoryQuery::default()
            };
            let data = app::pages::report::load(store, &state.catalog, &held, tenant_id, &q, today)
                .await
                .map_err(|e| e.to_string())?;
            let summary = ReportSummary::of(&data);
            let link = state.public_url.as_deref().map(|base| {
                format!(
                    "{}{}",
                    base.trim_end_matches('/'),
                    app::pages::report::page::report_url(tenant_id, &q)
                )
            });
            email::message(smtp.from.clone(), &recipients, &summary, &data, link.as_deref())?
        }
        None => portfolio::load(state, &s.created_by_user, from, to, today)
            .await?
            .message(smtp.from.clone(), &recipients)?,
    };
    // The URL holds the SMTP password: its errors are not repeated.
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
        .map_err(|_| "the SMTP URL does not parse".to_owned())?
        .timeout(Some(TIMEOUT))
        .build();
    transport.send(message).await.map_err(|e| format!("SMTP: {e}"))?;
    Ok(())
}

/// Runs rounds for as long as the server does: the first a minute after start, then every
/// five minutes (a report is due at most once a week per schedule, so the wait is harmless).
pub async fn run(state: AppState, smtp: Option<Smtp>) {
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    loop {
        if let Err(e) = round(&state, smtp.as_ref(), Utc::now()).await {
            tracing::error!(error = %e, "the report job could not read its work; trying again shortly");
        }
        tokio::time::sleep(std::time::Duration::from_secs(300)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_then_the_period_is_given_up() {
        let now = Utc::now();
        let minutes = |n| again_at(n, now).map(|t| (t - now).num_minutes());
        assert_eq!([minutes(1), minutes(2), minutes(3)], [Some(15), Some(30), Some(60)]);
        assert_eq!(minutes(6), Some(480));
        assert_eq!(minutes(7), None);
    }
}
