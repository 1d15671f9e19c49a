//! The portfolio report: one email over every tenant where the schedule's owner holds a
//! read-write role — each tenant's score on the period's last day, its change, zone and
//! points achieved and regressed, the tenants per zone, and as the chart the portfolio's
//! score over the period (every tenant's points together).

use super::email::{assemble, chart_html, escape, html_head, Parts};
use app::chart::HistoryPoint;
use app::pages::history::query::HistoryQuery;
use app::pages::report::chart::ScoreChart;
use app::pages::report::summary::ReportSummary;
use app::state::AppState;
use chrono::NaiveDate;
use lettre::message::Mailbox;
use lettre::Message;
use score::Points;
use std::collections::BTreeMap;

/// Zone bands of the portfolio chart: Rampart's defaults (each tenant has its own).
const OKAY_FROM: u32 = 40;
const GOOD_FROM: u32 = 70;

pub struct PortfolioReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// One per tenant, by name.
    pub tenants: Vec<ReportSummary>,
    /// Every tenant's points added up, day by day.
    pub total: Vec<HistoryPoint>,
    /// Tenants with no history in the period, by name.
    pub without_history: Vec<String>,
}

/// The report of the owner's read-write tenants over `from`–`to`.
pub async fn load(
    state: &AppState,
    owner_user_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<PortfolioReport, String> {
    let store = state.store.as_ref();
    let writable = app::pages::portfolio_alerts::writable_tenants(store, owner_user_id)
        .await
        .map_err(|e| e.to_string())?;
    if writable.is_empty() {
        return Err("its owner no longer holds a read-write role in any tenant".to_owned());
    }
    let held = app::benchmarks::held_by(store, owner_user_id).await.map_err(|e| e.to_string())?;
    let q =
        HistoryQuery { from: Some(from.to_string()), to: Some(to.to_string()), ..HistoryQuery::default() };
    let mut tenants = Vec::new();
    let mut without_history = Vec::new();
    let mut days: BTreeMap<NaiveDate, (Points, Points)> = BTreeMap::new();
    for t in &writable {
        let data = match app::pages::report::load(store, &state.catalog, &held, t, &q, today).await {
            Ok(d) => d,
            // No history in the period (a client added since): named, not counted.
            Err(app::error::AppError::Invalid { .. }) => {
                without_history.push(store.tenant(t).await.map_err(|e| e.to_string())?.name);
                continue;
            }
            Err(e) => return Err(e.to_string()),
        };
        for p in &data.metrics.points {
            let day = days.entry(p.day).or_insert((Points::ZERO, Points::ZERO));
            day.0 += p.current;
            day.1 += p.max;
        }
        tenants.push(ReportSummary::of(&data));
    }
    tenants.sort_by_key(|t| t.tenant_name.to_lowercase());
    let total = days.into_iter().map(|(day, (current, max))| HistoryPoint { day, current, max }).collect();
    without_history.sort();
    Ok(PortfolioReport { from, to, tenants, total, without_history })
}

impl PortfolioReport {
    pub fn subject(&self) -> String {
        format!("Your {} tenants — Secure Score report, {} to {}", self.tenants.len(), self.from, self.to)
    }

    /// "Across the portfolio: 61.20 % …" and the tenants per zone.
    fn overview(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let (Some(first), Some(last)) = (self.total.first(), self.total.last()) {
            let (start, end) = (first.current.percent_of(first.max), last.current.percent_of(last.max));
            out.push(format!(
                "All tenants' points together: {end} ({} of {} points), {:+.2} percentage points since {}.",
                last.current,
                last.max,
                (end.0 - start.0) as f64 / 100.0,
                first.day
            ));
        }
        let count = |z: &str| self.tenants.iter().filter(|t| t.zone == z).count();
        out.push(format!(
            "Tenants by zone: {} good, {} okay, {} bad.",
            count("good"),
            count("okay"),
            count("bad")
        ));
        if !self.without_history.is_empty() {
            out.push(format!("No history in this period yet: {}.", self.without_history.join(", ")));
        }
        out
    }

    fn line(t: &ReportSummary) -> String {
        format!(
            "{}: {} in the {} zone, {}; +{} achieved, {} regressed.",
            t.tenant_name,
            t.percent,
            t.zone,
            t.change_sentence(),
            t.achieved,
            t.regressed
        )
    }

    pub fn text(&self) -> String {
        let mut out = format!("{}\n\n", self.subject());
        for l in self.overview() {
            out.push_str(&format!("{l}\n"));
        }
        out.push_str("\nEach tenant, on the period's last day\n");
        for t in &self.tenants {
            out.push_str(&format!("  {}\n", Self::line(t)));
        }
        out
    }

    pub fn html(&self, chart: &ScoreChart) -> String {
        let mut out = html_head(&self.subject());
        for l in self.overview() {
            out.push_str(&format!("<p style=\"margin: 2px 0\">{}</p>", escape(&l)));
        }
        out.push_str(&chart_html(
            chart,
            "The portfolio's score over the period",
            "all tenants' points together",
        ));
        out.push_str(
            "<table style=\"border-collapse: collapse\"><thead><tr>\
             <th align=\"left\">Tenant</th><th align=\"right\">Score</th><th align=\"left\">Zone</th>\
             <th align=\"left\">Change</th><th align=\"right\">Achieved</th><th align=\"right\">Regressed</th>\
             </tr></thead><tbody>",
        );
        for t in &self.tenants {
            out.push_str(&format!(
                "<tr><td>{}</td><td align=\"right\">{}</td><td>{}</td><td>{}</td><td align=\"right\">+{}</td><td align=\"right\">{}</td></tr>",
                escape(&t.tenant_name),
                t.percent,
                t.zone,
                escape(&t.change_sentence()),
                t.achieved,
                t.regressed
            ));
        }
        out.push_str("</tbody></table></body></html>");
        out
    }

    pub fn message(&self, from: Mailbox, to: &[Mailbox]) -> Result<Message, String> {
        let chart = ScoreChart::new(&self.total, None, OKAY_FROM, GOOD_FROM);
        let parts = Parts { subject: self.subject(), text: self.text(), html: self.html(&chart) };
        assemble(from, to, parts, &chart)
    }
}
