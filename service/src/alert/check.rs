//! Whether a rule's condition holds for its tenant now, and what to say when that changes.
//! Pure: the facts are gathered beforehand ([`super::facts`]), so every condition can be
//! checked against facts a test writes by hand.
//!
//! A condition alerts once when it begins to hold and once more when it clears — never in
//! between, however often it is checked (no alert storm). A drop or a regression clears
//! when the tenant is back where it stood before (its [`Baseline`]), not merely when the
//! day rolls over.

use chrono::{DateTime, NaiveDate, Utc};
use score::alert::{AlertCondition, AlertKind, AlertState, Baseline, Window, ZoneStart};
use score::{Category, Percent, Points};
use std::collections::{BTreeMap, BTreeSet};

/// A snapshot a change is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub day: NaiveDate,
    pub current: Points,
    pub max: Points,
}

impl Reference {
    pub fn percent(&self) -> Percent {
        self.current.percent_of(self.max)
    }
}

/// One action whose points are lower now than in a reference snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionDrop {
    pub action_id: String,
    pub title: String,
    pub category: Category,
    pub before: Points,
    pub after: Points,
    pub max: Points,
    /// A measurement lowered it (a regression); otherwise people changed its status.
    pub regression: bool,
    /// The measurement as the action reads it now ("540 of 700 devices").
    pub measurement: Option<String>,
}

/// An action of the catalog, as a notice of new ones needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub id: String,
    pub title: String,
    pub max: Points,
}

/// Everything the conditions read about one tenant at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub now: DateTime<Utc>,
    pub current: Points,
    pub max: Points,
    pub zone_okay_from: u32,
    pub zone_good_from: u32,
    /// The latest snapshot before today, and the one seven days before today.
    pub day_before: Option<Reference>,
    pub week_before: Option<Reference>,
    /// Actions lower now than in each reference, the largest drop first.
    pub drops_since_day: Vec<ActionDrop>,
    pub drops_since_week: Vec<ActionDrop>,
    /// Every action's points now, by id (applicable ones).
    pub points: BTreeMap<String, Points>,
    /// Titles and measurements of actions, by id, for messages about recovery.
    pub titles: BTreeMap<String, String>,
    /// Built-in actions that are not deprecated.
    pub catalog: Vec<CatalogEntry>,
    /// Since when the Microsoft 365 sync has been failing, with why; `None` when the tenant
    /// is not connected or its last attempt succeeded.
    pub sync_failing: Option<(DateTime<Utc>, String)>,
}

impl Facts {
    pub fn percent(&self) -> Percent {
        self.current.percent_of(self.max)
    }

    fn reference(&self, window: Window) -> Option<Reference> {
        match window {
            Window::Day => self.day_before,
            Window::Week => self.week_before,
        }
    }

    fn drops(&self, window: Window) -> &[ActionDrop] {
        match window {
            Window::Day => &self.drops_since_day,
            Window::Week => &self.drops_since_week,
        }
    }
}

/// What a message says beyond its kind: one sentence, the actions behind it, and the day
/// of the History it points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub kind: AlertKind,
    pub headline: String,
    pub actions: Vec<ActionDrop>,
    pub day: NaiveDate,
}

/// The rule's new state, and what to say about it (`None`: nothing changed worth saying).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: AlertState,
    pub said: Option<Said>,
}

/// Most actions one message lists.
pub const MAX_ACTIONS_LISTED: usize = 10;

fn pct(p: Percent) -> String {
    p.to_string()
}

fn pts(p: Points) -> String {
    p.display()
}

/// The rule `condition` checked against `facts`, from `state` (`None`: never checked).
pub fn check(condition: &AlertCondition, state: Option<&AlertState>, facts: &Facts, tenant: &str) -> Outcome {
    let was = state.cloned().unwrap_or_default();
    let today = facts.now.date_naive();
    let fired = |headline: String, baseline: Baseline, actions: Vec<ActionDrop>| Outcome {
        state: AlertState { firing: true, since: Some(facts.now), baseline },
        said: Some(Said { kind: AlertKind::Fired, headline, actions: listed(actions), day: today }),
    };
    let cleared = |headline: String| Outcome {
        state: AlertState::default(),
        said: Some(Said { kind: AlertKind::Cleared, headline, actions: Vec::new(), day: today }),
    };
    let unchanged = Outcome { state: was.clone(), said: None };
    let now_pct = facts.percent();
    match condition {
        AlertCondition::ScoreBelow { percent } => {
            below(was.firing, now_pct, *percent, facts, tenant, &format!("below {}", pct(*percent)))
                .unwrap_or(unchanged)
        }
        AlertCondition::LeavesZone { zone } => {
            let (name, from) = match zone {
                ZoneStart::Okay => ("okay", facts.zone_okay_from),
                ZoneStart::Good => ("good", facts.zone_good_from),
            };
            let from = Percent(i64::from(from) * 100);
            let words = format!("below the {name} zone, which starts at {}", pct(from));
            below(was.firing, now_pct, from, facts, tenant, &words).unwrap_or(unchanged)
        }
        AlertCondition::DropsByPoints { points, window } => {
            let fall_from = |b: Points| b - facts.current;
            match (&was.baseline, was.firing) {
                (Baseline::Score { day, current, .. }, true) => {
                    if fall_from(*current) >= *points {
                        unchanged
                    } else {
                        cleared(format!(
                            "Cleared: the secure score of {tenant} is {} of {} points, within {} points of {} on {day}.",
                            pts(facts.current),
                            pts(facts.max),
                            pts(*points),
                            pts(*current),
                        ))
                    }
                }
                _ => match facts.reference(*window) {
                    Some(r) if fall_from(r.current) >= *points => fired(
                        format!(
                            "The secure score of {tenant} fell {} points {}: from {} on {} to {} of {} points.",
                            pts(fall_from(r.current)),
                            window.words(),
                            pts(r.current),
                            r.day,
                            pts(facts.current),
                            pts(facts.max),
                        ),
                        Baseline::Score { day: r.day, current: r.current, max: r.max },
                        facts.drops(*window).to_vec(),
                    ),
                    _ => unchanged,
                },
            }
        }
        AlertCondition::DropsByPercent { percent, window } => {
            let fall_from = |b: Percent| Percent(b.0 - now_pct.0);
            match (&was.baseline, was.firing) {
                (Baseline::Score { day, current, max }, true) => {
                    let then = current.percent_of(*max);
                    if fall_from(then) >= *percent {
                        unchanged
                    } else {
                        cleared(format!(
                            "Cleared: the secure score of {tenant} is {}, within {} points of {} on {day}.",
                            pct(now_pct),
                            percent.as_f64(),
                            pct(then),
                        ))
                    }
                }
                _ => match facts.reference(*window) {
                    Some(r) if fall_from(r.percent()) >= *percent => fired(
                        format!(
                            "The secure score of {tenant} fell {} percentage points {}: from {} on {} to {}.",
                            fall_from(r.percent()).as_f64(),
                            window.words(),
                            pct(r.percent()),
                            r.day,
                            pct(now_pct),
                        ),
                        Baseline::Score { day: r.day, current: r.current, max: r.max },
                        facts.drops(*window).to_vec(),
                    ),
                    _ => unchanged,
                },
            }
        }
        AlertCondition::ActionRegresses { action_id } => {
            regressions(&was, facts, tenant, |d| &d.action_id == action_id).unwrap_or(unchanged)
        }
        AlertCondition::CategoryRegresses { category } => {
            regressions(&was, facts, tenant, |d| d.category == *category).unwrap_or(unchanged)
        }
        AlertCondition::NewAction { points } => new_actions(&was, facts, *points),
        AlertCondition::SyncFailing { hours } => match (&facts.sync_failing, was.firing) {
            (Some((since, why)), false)
                if facts.now - *since >= chrono::Duration::hours(i64::from(*hours)) =>
            {
                let failing_for = (facts.now - *since).num_hours();
                fired(
                    format!(
                        "The Microsoft 365 sync of {tenant} has been failing for {failing_for} hours (since {}): {why}",
                        since.format("%Y-%m-%d %H:%M UTC")
                    ),
                    Baseline::Nothing,
                    Vec::new(),
                )
            }
            (None, true) => cleared(format!("Cleared: the Microsoft 365 sync of {tenant} works again.")),
            _ => unchanged,
        },
    }
}

/// Score below `threshold`: fires on crossing down, clears on crossing back.
fn below(
    firing: bool,
    now: Percent,
    threshold: Percent,
    facts: &Facts,
    tenant: &str,
    words: &str,
) -> Option<Outcome> {
    let today = facts.now.date_naive();
    let is_below = now < threshold;
    match (is_below, firing) {
        (true, false) => Some(Outcome {
            state: AlertState { firing: true, since: Some(facts.now), baseline: Baseline::Nothing },
            said: Some(Said {
                kind: AlertKind::Fired,
                headline: format!("The secure score of {tenant} is {}, {words}.", pct(now)),
                actions: listed(facts.drops_since_day.clone()),
                day: today,
            }),
        }),
        (false, true) => Some(Outcome {
            state: AlertState::default(),
            said: Some(Said {
                kind: AlertKind::Cleared,
                headline: format!(
                    "Cleared: the secure score of {tenant} is {}, no longer {words}.",
                    pct(now)
                ),
                actions: Vec::new(),
                day: today,
            }),
        }),
        _ => None,
    }
}

/// Regressions of the actions `which` picks: fires when one shows since the previous day,
/// clears when every action it fired for is back to its points from before.
fn regressions(
    was: &AlertState,
    facts: &Facts,
    tenant: &str,
    which: impl Fn(&ActionDrop) -> bool,
) -> Option<Outcome> {
    let today = facts.now.date_naive();
    if was.firing {
        let Baseline::Actions { points } = &was.baseline else { return None };
        let back = points.iter().all(|(id, before)| facts.points.get(id).is_none_or(|now| now >= before));
        if !back {
            return None;
        }
        let names: Vec<String> =
            points.keys().map(|id| facts.titles.get(id).cloned().unwrap_or_else(|| id.clone())).collect();
        return Some(Outcome {
            state: AlertState::default(),
            said: Some(Said {
                kind: AlertKind::Cleared,
                headline: format!(
                    "Cleared: {} in {tenant} back to the points it had before.",
                    names.join(", ")
                ),
                actions: Vec::new(),
                day: today,
            }),
        });
    }
    let found: Vec<ActionDrop> =
        facts.drops_since_day.iter().filter(|d| d.regression && which(d)).cloned().collect();
    if found.is_empty() {
        return None;
    }
    let points = found.iter().map(|d| (d.action_id.clone(), d.before)).collect();
    let lost: Points = found.iter().fold(Points::ZERO, |sum, d| sum + (d.before - d.after));
    let headline = match found.as_slice() {
        [one] => format!(
            "{} regressed in {tenant}: {} → {} of {} points{}.",
            one.title,
            pts(one.before),
            pts(one.after),
            pts(one.max),
            one.measurement.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()
        ),
        many => {
            format!("{} improvement actions regressed in {tenant}, {} points lost.", many.len(), pts(lost))
        }
    };
    Some(Outcome {
        state: AlertState { firing: true, since: Some(facts.now), baseline: Baseline::Actions { points } },
        said: Some(Said { kind: AlertKind::Fired, headline, actions: listed(found), day: today }),
    })
}

/// New catalog actions worth at least `min`: said once, never cleared. The first check
/// only learns what the catalog holds, so a new rule does not announce the whole catalog.
fn new_actions(was: &AlertState, facts: &Facts, min: Points) -> Outcome {
    let all: BTreeSet<String> = facts.catalog.iter().map(|a| a.id.clone()).collect();
    let Baseline::Known { ids: known } = &was.baseline else {
        return Outcome {
            state: AlertState { baseline: Baseline::Known { ids: all }, ..AlertState::default() },
            said: None,
        };
    };
    let new: Vec<&CatalogEntry> =
        facts.catalog.iter().filter(|a| !known.contains(&a.id) && a.max >= min).collect();
    let state = AlertState { baseline: Baseline::Known { ids: all }, ..AlertState::default() };
    if new.is_empty() {
        return Outcome { state, said: None };
    }
    let list =
        new.iter().map(|a| format!("{} ({} points)", a.title, pts(a.max))).collect::<Vec<_>>().join("; ");
    Outcome {
        state,
        said: Some(Said {
            kind: AlertKind::Notice,
            headline: format!("New in the catalog, worth at least {} points: {list}.", pts(min)),
            actions: Vec::new(),
            day: facts.now.date_naive(),
        }),
    }
}

fn listed(mut actions: Vec<ActionDrop>) -> Vec<ActionDrop> {
    actions.truncate(MAX_ACTIONS_LISTED);
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).single().expect("time")
    }

    fn facts(current: i64, max: i64) -> Facts {
        Facts {
            now: at(3, 10),
            current: Points::whole(current as u32),
            max: Points::whole(max as u32),
            zone_okay_from: 40,
            zone_good_from: 70,
            day_before: None,
            week_before: None,
            drops_since_day: Vec::new(),
            drops_since_week: Vec::new(),
            points: BTreeMap::new(),
            titles: BTreeMap::new(),
            catalog: Vec::new(),
            sync_failing: None,
        }
    }

    fn reference(day: u32, current: u32, max: u32) -> Option<Reference> {
        let day = NaiveDate::from_ymd_opt(2026, 12, day).expect("day");
        Some(Reference { day, current: Points::whole(current), max: Points::whole(max) })
    }

    fn drop(id: &str, category: Category, before: u32, after: u32) -> ActionDrop {
        ActionDrop {
            action_id: id.into(),
            title: format!("Title of {id}"),
            category,
            before: Points::whole(before),
            after: Points::whole(after),
            max: Points::whole(10),
            regression: true,
            measurement: Some("540 of 700 devices".into()),
        }
    }

    fn kind(o: &Outcome) -> Option<AlertKind> {
        o.said.as_ref().map(|s| s.kind)
    }

    #[test]
    fn below_a_percentage_fires_once_then_clears_on_the_way_back() {
        let rule = AlertCondition::ScoreBelow { percent: Percent(5000) };
        let low = facts(40, 100);
        let first = check(&rule, None, &low, "Contoso");
        assert_eq!(kind(&first), Some(AlertKind::Fired));
        assert!(first.said.as_ref().is_some_and(|s| s.headline.contains("40.00 %")), "{first:?}");
        let again = check(&rule, Some(&first.state), &facts(30, 100), "Contoso");
        assert_eq!(kind(&again), None, "still below: nothing more is said");
        let back = check(&rule, Some(&again.state), &facts(50, 100), "Contoso");
        assert_eq!(kind(&back), Some(AlertKind::Cleared));
        assert!(!back.state.firing);
        assert_eq!(kind(&check(&rule, None, &facts(50, 100), "Contoso")), None);
    }

    #[test]
    fn leaving_a_zone_reads_the_tenants_own_bounds() {
        let rule = AlertCondition::LeavesZone { zone: ZoneStart::Good };
        assert_eq!(kind(&check(&rule, None, &facts(69, 100), "C")), Some(AlertKind::Fired));
        assert_eq!(kind(&check(&rule, None, &facts(70, 100), "C")), None);
        let mut f = facts(65, 100);
        f.zone_good_from = 60;
        assert_eq!(kind(&check(&rule, None, &f, "C")), None);
    }

    #[test]
    fn a_drop_fires_against_its_reference_and_clears_only_on_recovery() {
        let rule = AlertCondition::DropsByPoints { points: Points::whole(10), window: Window::Day };
        let mut f = facts(80, 200);
        f.day_before = reference(2, 95, 200);
        f.drops_since_day = vec![drop("MFA", Category::Identity, 10, 0), drop("DLP", Category::Data, 9, 4)];
        let fired = check(&rule, None, &f, "Contoso");
        let said = fired.said.clone().expect("said");
        assert_eq!(said.kind, AlertKind::Fired);
        assert!(said.headline.contains("fell 15.00 points in a day"), "{}", said.headline);
        assert_eq!(said.actions.len(), 2);
        // A further fall while firing says nothing.
        f.current = Points::whole(70);
        let still = check(&rule, Some(&fired.state), &f, "Contoso");
        assert_eq!(kind(&still), None);
        // The next day's reference is the fallen score: not a recovery, nothing said.
        f.day_before = reference(3, 70, 200);
        f.now = at(4, 1);
        assert_eq!(kind(&check(&rule, Some(&still.state), &f, "Contoso")), None);
        // Back within 10 points of 95: cleared.
        f.current = Points::whole(86);
        let back = check(&rule, Some(&still.state), &f, "Contoso");
        assert_eq!(kind(&back), Some(AlertKind::Cleared));
        // A smaller fall than the threshold does not fire.
        let mut small = facts(90, 200);
        small.day_before = reference(2, 95, 200);
        assert_eq!(kind(&check(&rule, None, &small, "C")), None);
    }

    #[test]
    fn a_percentage_drop_is_in_percentage_points_over_its_window() {
        let rule = AlertCondition::DropsByPercent { percent: Percent(500), window: Window::Week };
        let mut f = facts(60, 100);
        f.day_before = reference(2, 70, 100);
        assert_eq!(kind(&check(&rule, None, &f, "C")), None, "no week-old snapshot yet");
        f.week_before = reference(26, 65, 100);
        assert_eq!(kind(&check(&rule, None, &f, "C")), Some(AlertKind::Fired));
        f.week_before = reference(26, 64, 100);
        assert_eq!(kind(&check(&rule, None, &f, "C")), None, "a fall of 4 points");
    }

    #[test]
    fn an_action_regression_names_the_action_and_its_measurement() {
        let rule = AlertCondition::ActionRegresses { action_id: "MFA".into() };
        let mut f = facts(80, 200);
        f.drops_since_day = vec![drop("DLP", Category::Data, 9, 4)];
        assert_eq!(kind(&check(&rule, None, &f, "C")), None, "another action regressed");
        f.drops_since_day.push(drop("MFA", Category::Identity, 10, 7));
        let fired = check(&rule, None, &f, "Contoso");
        let headline = fired.said.as_ref().map(|s| s.headline.clone()).unwrap_or_default();
        assert_eq!(
            headline,
            "Title of MFA regressed in Contoso: 10.00 → 7.00 of 10.00 points (540 of 700 devices)."
        );
        f.points.insert("MFA".into(), Points::whole(9));
        assert_eq!(kind(&check(&rule, Some(&fired.state), &f, "C")), None, "not back yet");
        f.points.insert("MFA".into(), Points::whole(10));
        assert_eq!(kind(&check(&rule, Some(&fired.state), &f, "C")), Some(AlertKind::Cleared));
        // A status change that lowers points is not a regression.
        let mut status = facts(80, 200);
        status.drops_since_day =
            vec![ActionDrop { regression: false, ..drop("MFA", Category::Identity, 10, 0) }];
        assert_eq!(kind(&check(&rule, None, &status, "C")), None);
    }

    #[test]
    fn a_category_rule_fires_for_any_of_its_actions() {
        let rule = AlertCondition::CategoryRegresses { category: Category::Device };
        let mut f = facts(80, 200);
        f.drops_since_day = vec![drop("A", Category::Device, 10, 5), drop("B", Category::Device, 8, 2)];
        let fired = check(&rule, None, &f, "C");
        assert!(fired.said.as_ref().is_some_and(|s| s.headline.contains("2 improvement actions regressed")));
        assert_eq!(fired.said.map(|s| s.actions.len()), Some(2));
    }

    #[test]
    fn new_actions_are_announced_once_and_never_on_the_first_look() {
        let rule = AlertCondition::NewAction { points: Points::whole(5) };
        let entry =
            |id: &str, max: u32| CatalogEntry { id: id.into(), title: id.into(), max: Points::whole(max) };
        let mut f = facts(80, 200);
        f.catalog = vec![entry("Old", 10)];
        let first = check(&rule, None, &f, "C");
        assert_eq!(kind(&first), None);
        f.catalog.extend([entry("Big", 9), entry("Small", 2)]);
        let second = check(&rule, Some(&first.state), &f, "C");
        assert_eq!(kind(&second), Some(AlertKind::Notice));
        let headline = second.said.map(|s| s.headline).unwrap_or_default();
        assert!(headline.contains("Big (9.00 points)") && !headline.contains("Small"), "{headline}");
        assert_eq!(kind(&check(&rule, Some(&second.state), &f, "C")), None);
    }

    #[test]
    fn a_failing_sync_waits_its_hours_then_clears_when_it_works() {
        let rule = AlertCondition::SyncFailing { hours: 6 };
        let mut f = facts(80, 200);
        f.sync_failing = Some((at(3, 5), "Entra refused the secret".into()));
        assert_eq!(kind(&check(&rule, None, &f, "C")), None, "five hours");
        f.sync_failing = Some((at(3, 4), "Entra refused the secret".into()));
        let fired = check(&rule, None, &f, "C");
        assert!(fired.said.as_ref().is_some_and(|s| s.headline.contains("failing for 6 hours")));
        f.sync_failing = None;
        assert_eq!(kind(&check(&rule, Some(&fired.state), &f, "C")), Some(AlertKind::Cleared));
    }
}
