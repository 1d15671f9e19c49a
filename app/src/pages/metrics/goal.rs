//! The tenant's goal: a target score percentage by a date, set or cleared by read-write
//! roles on the Metrics & trends page and drawn on the projection.

use super::data::MetricsData;
use super::page::ViewFields;
use crate::error::AppError;
use crate::pages::forms::posts_to;
use crate::pages::history::query::HistoryQuery;
use chrono::NaiveDate;
use leptos::prelude::*;
use score::{Percent, Points};
use serde::{Deserialize, Serialize};
use service::refusal::{Refusal, Refusals};

/// The goal as the page shows it, with where the planned actions lead by its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalView {
    pub percent: u32,
    pub by: NaiveDate,
    /// The live score plus the planned actions due on or before `by`.
    pub projected_by: Percent,
}

impl GoalView {
    pub fn target(&self) -> Percent {
        Percent(i64::from(self.percent) * 100)
    }

    /// Percentage points still missing on the goal's date after the planned actions (zero
    /// when they reach it).
    pub fn shortfall(&self) -> Percent {
        Percent((self.target().0 - self.projected_by.0).max(0))
    }
}

/// The score on `day` if each planned action is done by its due date: the live score plus
/// the gains of the steps due on or before `day` (steps without a due date never count).
pub fn projected_on(current: Points, steps: &[super::trends::ProjectionStep], day: NaiveDate) -> Points {
    current + steps.iter().filter(|s| s.due.is_some_and(|d| d <= day)).map(|s| s.gain).sum::<Points>()
}

/// Why a goal form is refused.
pub const REFUSALS: Refusals = Refusals(&[
    Refusal::new("goal_percent", "goal_percent", "Goal: a whole percentage from 1 to 100."),
    Refusal::new("goal_by", "goal_by", "Goal date: a date (YYYY-MM-DD) from today on."),
]);

/// The goal as typed: a whole percentage in 1..=100 and a date from `today` on.
pub fn validate(percent: &str, by: &str, today: NaiveDate) -> Result<(u32, NaiveDate), &'static str> {
    let percent =
        percent.trim().parse::<u32>().ok().filter(|p| (1..=100).contains(p)).ok_or("goal_percent")?;
    let by =
        NaiveDate::parse_from_str(by.trim(), "%Y-%m-%d").ok().filter(|d| *d >= today).ok_or("goal_by")?;
    Ok((percent, by))
}

/// Sets the tenant's goal, or clears it when `clear` is sent (read-write roles), audited.
#[server(endpoint = "set_goal")]
pub async fn set_goal(
    tenant_id: String,
    goal_percent: Option<String>,
    goal_by: Option<String>,
    clear: Option<String>,
    #[server(flatten)] view: HistoryQuery,
) -> Result<(), AppError> {
    use crate::pages::forms::{done, refuse, with_param};
    let access = crate::auth::access::authorize(&tenant_id, score::roles::Access::Write).await?;
    let here = super::view_url(&access.tenant_id, &view);
    let store = access.state.store.as_ref();
    let goal = if clear.is_some() {
        None
    } else {
        let today = chrono::Utc::now().date_naive();
        match validate(&goal_percent.unwrap_or_default(), &goal_by.unwrap_or_default(), today) {
            Ok((percent, by)) => Some(store::ScoreGoal { percent, by }),
            Err(code) => return refuse(&here, REFUSALS.of(code)).await,
        }
    };
    store.set_goal(&access.tenant_id, goal, &access.viewer.email).await?;
    done(&with_param(&here, "done", if goal.is_some() { "goal" } else { "goal_cleared" }))
}

/// The goal in words: the target, its date, and where the planned actions lead by then.
#[component]
pub fn GoalLine(d: MetricsData) -> impl IntoView {
    let Some(g) = d.goal else {
        return view! { <p class="subtle" id="goal-summary">"No goal set."</p> }.into_any();
    };
    let reached = g.shortfall().0 == 0;
    let verdict =
        if reached { "the planned actions reach it".to_owned() } else { format!("{} short", g.shortfall()) };
    view! {
        <p id="goal-summary">
            "Goal " <strong id="goal-target">{g.target().to_string()}</strong> " by " <strong id="goal-by">{g.by.to_string()}</strong>
            " · projected by then " <strong id="goal-projected">{g.projected_by.to_string()}</strong>
            <span class=if reached { "notice" } else { "error" } id="goal-verdict">" — " {verdict}</span>
        </p>
    }
    .into_any()
}

#[component]
pub fn GoalForm(d: MetricsData, q: HistoryQuery) -> impl IntoView {
    let (percent, by) =
        d.goal.map_or((String::new(), String::new()), |g| (g.percent.to_string(), g.by.to_string()));
    let has_goal = d.goal.is_some();
    view! {
        <form method="post" action={posts_to::<SetGoal>()} class="row-form" id="goal-form">
            <input type="hidden" name="tenant_id" value=d.tenant_id.clone()/>
            <ViewFields q/>
            <label>"Goal (%)" <input type="number" name="goal_percent" id="goal-percent" min="1" max="100" value=percent/></label>
            <label>"By" <input type="date" name="goal_by" id="goal-date" value=by/></label>
            <button type="submit" id="set-goal">"Set goal"</button>
            {has_goal.then(|| view! { <button type="submit" name="clear" value="1" class="secondary" id="clear-goal" formnovalidate>"Clear goal"</button> })}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::super::trends::ProjectionStep;
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).expect("day")
    }

    #[test]
    fn a_goal_needs_a_percentage_and_a_date_from_today() {
        assert_eq!(validate("80", "2027-03-31", day(1)), Ok((80, day(31))));
        assert_eq!(validate(" 100 ", "2027-03-01", day(1)), Ok((100, day(1))), "today is fine");
        assert_eq!(validate("0", "2027-03-31", day(1)), Err("goal_percent"));
        assert_eq!(validate("101", "2027-03-31", day(1)), Err("goal_percent"));
        assert_eq!(validate("80.5", "2027-03-31", day(1)), Err("goal_percent"));
        assert_eq!(validate("80", "2027-02-28", day(1)), Err("goal_by"), "in the past");
        assert_eq!(validate("80", "31/03/2027", day(1)), Err("goal_by"));
        assert_eq!(validate("80", "2027-02-30", day(1)), Err("goal_by"));
    }

    #[test]
    fn the_projection_on_the_goal_date_counts_only_actions_due_by_then() {
        let step = |due: Option<NaiveDate>, gain: i64| ProjectionStep {
            action_id: "A".into(),
            title: "A".into(),
            due,
            gain: Points(gain),
            score_after: Points::ZERO,
        };
        let steps = [step(Some(day(10)), 500), step(Some(day(20)), 300), step(None, 1_000)];
        assert_eq!(projected_on(Points(4_000), &steps, day(9)), Points(4_000));
        assert_eq!(projected_on(Points(4_000), &steps, day(10)), Points(4_500));
        assert_eq!(projected_on(Points(4_000), &steps, day(31)), Points(4_800));
        let goal = GoalView { percent: 50, by: day(31), projected_by: Percent(4_800) };
        assert_eq!(goal.shortfall(), Percent(200));
        assert_eq!(GoalView { projected_by: Percent(5_100), ..goal }.shortfall(), Percent(0));
    }
}
