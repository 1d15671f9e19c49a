//! Measurements: a batch is checked whole, then kept as history (one per observed day)
//! and as the current state of each action.

use crate::audit::{write_audit, AuditLine};
use crate::codec::{day_bound, micros, to_u32};
use crate::entities::check_entities;
use crate::pool::{in_tenant_tx, of_known_tenant, on_pool, SqlStore, TenantTx};
use crate::{DatedMeasurement, MeasurementInput, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use score::{Measurement, MeasurementSource};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Rows per multi-row INSERT: well under both backends' limit on bound values.
const CHUNK: usize = 500;

const KNOWN_ACTIONS: &str = "SELECT id FROM catalog_actions \
    UNION SELECT id FROM custom_actions WHERE tenant_id = $1 AND deleted_at IS NULL";
const SAME_DAYS: &str =
    "SELECT action_id, observed_on, unit_count, unit_total, observed_at FROM measurements \
    WHERE tenant_id = $1 AND observed_on >= $2 AND observed_on <= $3";
const CURRENT: &str = "SELECT action_id, measured_on, measured_count, measured_total FROM control_states \
    WHERE tenant_id = $1 AND measured_on IS NOT NULL";
const UPSERT_MEASUREMENTS: &str = "INSERT INTO measurements \
    (tenant_id, action_id, observed_on, unit_count, unit_total, observed_at, recorded_by, recorded_at, source) ";
/// Rows observed before the stored one of their day were left out before this: the newest
/// observation of a day wins, whichever source sent it and whenever it arrived.
const ON_MEASUREMENT_CONFLICT: &str = " ON CONFLICT (tenant_id, action_id, observed_on) DO UPDATE SET \
    unit_count = excluded.unit_count, unit_total = excluded.unit_total, observed_at = excluded.observed_at, \
    recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at, source = excluded.source";
const UPSERT_CURRENT: &str = "INSERT INTO control_states \
    (tenant_id, action_id, measured_count, measured_total, measured_at, measured_on) ";
/// A measurement of an earlier day (an import of history) must not replace a newer one.
const ON_CURRENT_CONFLICT: &str = " ON CONFLICT (tenant_id, action_id) DO UPDATE SET \
    measured_count = excluded.measured_count, measured_total = excluded.measured_total, \
    measured_at = excluded.measured_at, measured_on = excluded.measured_on \
    WHERE control_states.measured_on IS NULL OR control_states.measured_on <= excluded.measured_on";

/// The latest day per action first, then that day's row: both steps walk the primary key.
const AS_OF: &str = "SELECT m.action_id, m.unit_count, m.unit_total, m.observed_at FROM measurements m \
    JOIN (SELECT action_id, MAX(observed_on) AS latest FROM measurements \
          WHERE tenant_id = $1 AND observed_on <= $2 GROUP BY action_id) l \
      ON m.action_id = l.action_id AND m.observed_on = l.latest \
    WHERE m.tenant_id = $1";
const OBSERVED_BETWEEN: &str = "SELECT action_id, observed_on, unit_count, unit_total, observed_at \
    FROM measurements WHERE tenant_id = $1 AND observed_on >= $2 AND observed_on <= $3 \
    ORDER BY action_id, observed_on";
const HISTORY: &str = "SELECT unit_count, unit_total, observed_at FROM measurements \
    WHERE tenant_id = $1 AND action_id = $2 ORDER BY observed_on";

/// One measurement as it will be stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// The batch item it came from.
    item: usize,
    action_id: String,
    day: NaiveDate,
    count: i64,
    total: i64,
    observed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ObservedRow {
    action_id: String,
    observed_on: NaiveDate,
    unit_count: i64,
    unit_total: i64,
    observed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    unit_count: i64,
    unit_total: i64,
    observed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AsOfRow {
    action_id: String,
    unit_count: i64,
    unit_total: i64,
    observed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SameDayRow {
    action_id: String,
    observed_on: NaiveDate,
    unit_count: i64,
    unit_total: i64,
    observed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct CurrentRow {
    action_id: String,
    measured_on: NaiveDate,
    measured_count: i64,
    measured_total: i64,
}

/// What was known before the batch: stored rows of the batch's days, and each action's
/// current measurement with its day.
struct Known {
    same_day: HashMap<(String, NaiveDate), (i64, i64)>,
    current: HashMap<String, (NaiveDate, i64, i64)>,
}

/// The actions of the rows (sorted by action, then day) that change the value in effect on
/// their day: the stored row of that day, else the batch's earlier day of that action, else
/// the current measurement when it is older. A back-filled day with none of these counts.
fn changed_actions<'a>(rows: &'a [Row], known: &Known) -> Vec<&'a str> {
    let mut changed = Vec::new();
    let mut carried: Option<(&str, (i64, i64))> = None;
    for r in rows {
        let in_effect = known
            .same_day
            .get(&(r.action_id.clone(), r.day))
            .copied()
            .or_else(|| carried.filter(|(id, _)| *id == r.action_id).map(|(_, v)| v))
            .or_else(|| {
                let (on, count, total) = known.current.get(&r.action_id)?;
                (*on < r.day).then_some((*count, *total))
            });
        if in_effect != Some((r.count, r.total)) {
            changed.push(r.action_id.as_str());
        }
        carried = Some((&r.action_id, (r.count, r.total)));
    }
    changed.dedup();
    changed
}

/// The audit line of a batch: a summary, not the batch (a daily sync sends hundreds).
#[derive(Serialize)]
struct BatchSummary<'a> {
    items: usize,
    changed: u64,
    first_day: Option<NaiveDate>,
    last_day: Option<NaiveDate>,
    changed_actions: Vec<&'a str>,
}

/// Checks every item; the first bad one is named by its index in the batch and its action.
fn validate(batch: &[MeasurementInput], known: &HashSet<String>) -> Result<()> {
    for (i, item) in batch.iter().enumerate() {
        let m = &item.measurement;
        let problem = if !known.contains(&item.action_id) {
            "no such action in the catalog or in this tenant's custom actions".to_owned()
        } else if m.count > m.total {
            format!("count {} is more than total {}", m.count, m.total)
        } else {
            continue;
        };
        return Err(StoreError::Invalid(format!("items[{i}] (action `{}`): {problem}", item.action_id)));
    }
    Ok(())
}

/// One row per (action, day), the last item of the batch winning, sorted.
fn dedupe(batch: &[MeasurementInput]) -> Vec<Row> {
    let mut rows: BTreeMap<(&str, NaiveDate), Row> = BTreeMap::new();
    for (index, item) in batch.iter().enumerate() {
        let m = &item.measurement;
        let observed_at = micros(m.observed_at);
        let day = observed_at.date_naive();
        let row = Row {
            item: index,
            action_id: item.action_id.clone(),
            day,
            count: i64::from(m.count),
            total: i64::from(m.total),
            observed_at,
        };
        rows.insert((item.action_id.as_str(), day), row);
    }
    rows.into_values().collect()
}

/// The row of each action's latest day: what becomes its current measurement.
fn latest_per_action(rows: &[Row]) -> Vec<&Row> {
    let mut latest: BTreeMap<&str, &Row> = BTreeMap::new();
    for r in rows {
        latest.entry(&r.action_id).and_modify(|l| *l = if r.day >= l.day { r } else { l }).or_insert(r);
    }
    latest.into_values().collect()
}

impl SqlStore {
    pub(crate) async fn measurements_of(&self, tenant_id: &str, action_id: &str) -> Result<Vec<Measurement>> {
        let rows: Vec<HistoryRow> =
            on_pool!(self, p => sqlx::query_as(HISTORY).bind(tenant_id).bind(action_id).fetch_all(p).await?);
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter()
            .map(|r| {
                Ok(Measurement {
                    count: to_u32(r.unit_count, "measurements.unit_count")?,
                    total: to_u32(r.unit_total, "measurements.unit_total")?,
                    observed_at: r.observed_at,
                })
            })
            .collect()
    }

    pub(crate) async fn observed_between(
        &self,
        tenant_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DatedMeasurement>> {
        let rows: Vec<ObservedRow> = on_pool!(self, p => sqlx::query_as(OBSERVED_BETWEEN)
            .bind(tenant_id)
            .bind(day_bound(from))
            .bind(day_bound(to))
            .fetch_all(p)
            .await?);
        rows.into_iter()
            .map(|r| {
                Ok(DatedMeasurement {
                    measurement: Measurement {
                        count: to_u32(r.unit_count, "measurements.unit_count")?,
                        total: to_u32(r.unit_total, "measurements.unit_total")?,
                        observed_at: r.observed_at,
                    },
                    action_id: r.action_id,
                    day: r.observed_on,
                })
            })
            .collect()
    }

    pub(crate) async fn measurements_as_of(
        &self,
        tenant_id: &str,
        day: NaiveDate,
    ) -> Result<BTreeMap<String, Measurement>> {
        let rows: Vec<AsOfRow> = on_pool!(self, p => sqlx::query_as(AS_OF).bind(tenant_id).bind(day_bound(day)).fetch_all(p).await?);
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter()
            .map(|r| {
                let m = Measurement {
                    count: to_u32(r.unit_count, "measurements.unit_count")?,
                    total: to_u32(r.unit_total, "measurements.unit_total")?,
                    observed_at: r.observed_at,
                };
                Ok((r.action_id, m))
            })
            .collect()
    }
}

impl TenantTx {
    /// Records a batch of measurements with its audit line; answers how many actions changed.
    pub(crate) async fn record_measurements(
        &mut self,
        tenant_id: &str,
        batch: &[MeasurementInput],
        actor: &str,
        source: MeasurementSource,
    ) -> Result<u64> {
        let sent = dedupe(batch);
        let mut rows = sent.clone();
        let first_day = rows.iter().map(|r| r.day).min();
        let last_day = rows.iter().map(|r| r.day).max();
        let now = micros(Utc::now());
        let changed_count = in_tenant_tx!(self, |tx| {
            let known: Vec<String> =
                sqlx::query_scalar(KNOWN_ACTIONS).bind(tenant_id).fetch_all(&mut *tx).await?;
            validate(batch, &known.into_iter().collect())?;
            check_entities(batch)?;
            let (Some(first_day), Some(last_day)) = (first_day, last_day) else {
                return Ok(0);
            };
            let same_day: Vec<SameDayRow> = sqlx::query_as(SAME_DAYS)
                .bind(tenant_id)
                .bind(first_day)
                .bind(last_day)
                .fetch_all(&mut *tx)
                .await?;
            let current: Vec<CurrentRow> =
                sqlx::query_as(CURRENT).bind(tenant_id).fetch_all(&mut *tx).await?;
            let observed: HashMap<(&str, NaiveDate), DateTime<Utc>> =
                same_day.iter().map(|e| ((e.action_id.as_str(), e.observed_on), e.observed_at)).collect();
            rows.retain(|r| {
                observed.get(&(r.action_id.as_str(), r.day)).is_none_or(|at| *at <= r.observed_at)
            });
            let known = Known {
                same_day: same_day
                    .into_iter()
                    .map(|e| ((e.action_id, e.observed_on), (e.unit_count, e.unit_total)))
                    .collect(),
                current: current
                    .into_iter()
                    .map(|c| (c.action_id, (c.measured_on, c.measured_count, c.measured_total)))
                    .collect(),
            };
            let changed = changed_actions(&rows, &known);
            for chunk in rows.chunks(CHUNK) {
                let mut qb = sqlx::QueryBuilder::new(UPSERT_MEASUREMENTS);
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(tenant_id)
                        .push_bind(&r.action_id)
                        .push_bind(r.day)
                        .push_bind(r.count)
                        .push_bind(r.total)
                        .push_bind(r.observed_at)
                        .push_bind(actor)
                        .push_bind(now)
                        .push_bind(source.key());
                });
                qb.push(ON_MEASUREMENT_CONFLICT);
                qb.build().execute(&mut *tx).await?;
            }
            let latest = latest_per_action(&rows);
            for chunk in latest.chunks(CHUNK) {
                let mut qb = sqlx::QueryBuilder::new(UPSERT_CURRENT);
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(tenant_id)
                        .push_bind(&r.action_id)
                        .push_bind(r.count)
                        .push_bind(r.total)
                        .push_bind(r.observed_at)
                        .push_bind(r.day);
                });
                qb.push(ON_CURRENT_CONFLICT);
                qb.build().execute(&mut *tx).await?;
            }
            let changed_count = changed.len() as u64;
            let summary = BatchSummary {
                items: batch.len(),
                changed: changed_count,
                first_day: Some(first_day),
                last_day: Some(last_day),
                changed_actions: changed,
            };
            let subject = format!("{} measurements", batch.len());
            let line =
                AuditLine::new(Some(tenant_id), actor, "measurement.record", &subject).after(&summary)?;
            write_audit!(tx, line)?;
            Ok::<u64, StoreError>(changed_count)
        })?;
        let latest = latest_per_action(&rows);
        for r in &latest {
            if let Some(entities) = &batch[r.item].entities {
                self.record_entities(tenant_id, &r.action_id, r.day, entities).await?;
            }
        }
        // Each source's word is kept even where a newer observation of another one wins.
        let said: Vec<(&str, Measurement)> = latest_per_action(&sent)
            .iter()
            .map(|r| (r.action_id.as_str(), batch[r.item].measurement))
            .collect();
        self.record_sources(tenant_id, &said, source).await?;
        Ok(changed_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn item(id: &str, count: u32, total: u32, hour: u32) -> MeasurementInput {
        let at = Utc.with_ymd_and_hms(2024, 5, 1, hour, 0, 0).single().expect("valid time");
        MeasurementInput::new(id, Measurement::partial(count, total, at))
    }

    #[test]
    fn the_last_item_of_a_day_wins() {
        let rows = dedupe(&[item("A", 1, 4, 8), item("B", 1, 1, 8), item("A", 3, 4, 9)]);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].action_id.as_str(), rows[0].count), ("A", 3));
    }

    #[test]
    fn only_changes_of_the_value_in_effect_count() {
        let rows = dedupe(&[item("A", 1, 4, 8), item("B", 1, 1, 8), item("C", 2, 2, 8), item("D", 0, 1, 8)]);
        let day = rows[0].day;
        let earlier = day.pred_opt().expect("a day before");
        let known = Known {
            // A was already stored today with other values; B is unchanged since yesterday;
            // C's current measurement is from yesterday with other values; D is new.
            same_day: [(("A".to_string(), day), (2, 4))].into(),
            current: [("B".to_string(), (earlier, 1, 1)), ("C".to_string(), (earlier, 1, 2))].into(),
        };
        assert_eq!(changed_actions(&rows, &known), ["A", "C", "D"]);
    }

    #[test]
    fn validation_names_the_first_bad_item() {
        let known: HashSet<String> = ["A".to_string()].into();
        let err = validate(&[item("A", 1, 2, 8), item("A", 3, 2, 8)], &known).expect_err("bad count");
        assert!(err.to_string().contains("items[1] (action `A`)"), "{err}");
        let err = validate(&[item("Nope", 1, 2, 8)], &known).expect_err("unknown action");
        assert!(err.to_string().contains("items[0] (action `Nope`)"), "{err}");
    }
}
