//! Affected entities and measurement sources: which users, devices or resources pass or fail
//! each action, kept as a current state plus only the changes (like the snapshots' points),
//! and each source's latest word about an action.

use crate::codec::micros;
use crate::pool::{in_tenant_tx, of_known_tenant, on_pool, SqlStore, TenantTx};
use crate::{
    EntityChange, EntityRecord, EntityState, MeasurementInput, Result, SourceMeasurement, StoreError,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use score::entity::{text_problem, MAX_ENTITIES};
use score::{Entity, EntityKind, Measurement, MeasurementSource};
use std::collections::{HashMap, HashSet};

/// Rows per multi-row INSERT: well under both backends' limit on bound values.
const CHUNK: usize = 400;

const STATES: &str =
    "SELECT kind, entity_id, display_name, passes, since_on, observed_on FROM entity_states \
    WHERE tenant_id = $1 AND action_id = $2";
const DELETE_STATES: &str = "DELETE FROM entity_states WHERE tenant_id = $1 AND action_id = $2";
const INSERT_STATES: &str = "INSERT INTO entity_states \
    (tenant_id, action_id, kind, entity_id, display_name, passes, since_on, observed_on) ";
const INSERT_CHANGES: &str = "INSERT INTO entity_changes \
    (tenant_id, action_id, changed_on, kind, entity_id, display_name, state) ";
/// A second measurement of the same day settles that day's change.
const ON_CHANGE_CONFLICT: &str =
    " ON CONFLICT (tenant_id, action_id, changed_on, kind, entity_id) DO UPDATE SET \
    display_name = excluded.display_name, state = excluded.state";
const CHANGES: &str = "SELECT changed_on, kind, entity_id, display_name, state FROM entity_changes \
    WHERE tenant_id = $1 AND action_id = $2 ORDER BY changed_on DESC, state, display_name, entity_id";
const UPSERT_SOURCE: &str = "INSERT INTO source_measurements \
    (tenant_id, action_id, source, unit_count, unit_total, observed_at, recorded_at) ";
/// An older observation (a back-filled import) does not replace what a source said later.
const ON_SOURCE_CONFLICT: &str = " ON CONFLICT (tenant_id, action_id, source) DO UPDATE SET \
    unit_count = excluded.unit_count, unit_total = excluded.unit_total, \
    observed_at = excluded.observed_at, recorded_at = excluded.recorded_at \
    WHERE source_measurements.observed_at <= excluded.observed_at";
const SOURCE_SAID: &str = "SELECT action_id, unit_count, unit_total, observed_at FROM source_measurements \
    WHERE tenant_id = $1 AND source = $2";
const DIRECTORIES: &str = "SELECT directory_id FROM scan_directories WHERE tenant_id = $1 \
    UNION SELECT directory_id FROM m365_connections WHERE tenant_id = $1";
const TENANTS_OF_DIRECTORY: &str = "SELECT tenant_id FROM scan_directories WHERE directory_id = $1 \
    UNION SELECT tenant_id FROM m365_connections WHERE directory_id = $1";
const ADD_DIRECTORY: &str = "INSERT INTO scan_directories (tenant_id, directory_id, first_seen_at) \
    VALUES ($1, $2, $3) ON CONFLICT (tenant_id, directory_id) DO NOTHING";
const SOURCES: &str =
    "SELECT source, unit_count, unit_total, observed_at, recorded_at FROM source_measurements \
    WHERE tenant_id = $1 AND action_id = $2 ORDER BY observed_at DESC, source";

#[derive(sqlx::FromRow)]
struct StateRow {
    kind: String,
    entity_id: String,
    display_name: String,
    passes: bool,
    since_on: NaiveDate,
    observed_on: NaiveDate,
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    changed_on: NaiveDate,
    kind: String,
    entity_id: String,
    display_name: String,
    state: String,
}

#[derive(sqlx::FromRow)]
struct SaidRow {
    action_id: String,
    unit_count: i64,
    unit_total: i64,
    observed_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SourceRow {
    source: String,
    unit_count: i64,
    unit_total: i64,
    observed_at: DateTime<Utc>,
    recorded_at: DateTime<Utc>,
}

fn kind(key: &str) -> Result<EntityKind> {
    EntityKind::from_key(key)
        .ok_or_else(|| crate::error::other(format_args!("unknown entity kind `{key}` in storage")))
}

/// Checks the entities of every item: at most [`MAX_ENTITIES`] per item, no control
/// characters, nothing empty, each (kind, id) once. The first problem is named by the
/// item's index and action, the entity's index and the value.
pub(crate) fn check_entities(batch: &[MeasurementInput]) -> Result<()> {
    for (i, item) in batch.iter().enumerate() {
        let Some(entities) = &item.entities else { continue };
        let at =
            |what: String| StoreError::Invalid(format!("items[{i}] (action `{}`): {what}", item.action_id));
        if entities.len() > MAX_ENTITIES {
            return Err(at(format!("{} entities; at most {MAX_ENTITIES} per measurement", entities.len())));
        }
        let mut seen = HashSet::with_capacity(entities.len());
        for (j, e) in entities.iter().enumerate() {
            if let Some(problem) = text_problem(&e.id) {
                return Err(at(format!("entities[{j}].id {:?} {problem}", e.id)));
            }
            if let Some(problem) = text_problem(&e.display_name) {
                return Err(at(format!("entities[{j}].displayName {:?} {problem}", e.display_name)));
            }
            if !seen.insert((e.kind, e.id.as_str())) {
                return Err(at(format!("entities[{j}]: the {} `{}` is listed twice", e.kind, e.id)));
            }
        }
    }
    Ok(())
}

/// The changes from what is stored to what a measurement names, and the state after it.
fn entity_diff(
    stored: &[StateRow],
    named: &[Entity],
    day: NaiveDate,
) -> Result<(Vec<EntityChange>, Vec<EntityRecord>)> {
    let mut before: HashMap<(EntityKind, &str), &StateRow> = HashMap::with_capacity(stored.len());
    for s in stored {
        before.insert((kind(&s.kind)?, s.entity_id.as_str()), s);
    }
    let mut changes = Vec::new();
    let mut after = Vec::with_capacity(named.len());
    for e in named {
        let since = match before.remove(&(e.kind, e.id.as_str())) {
            Some(s) if s.passes == e.passes => s.since_on,
            _ => {
                let state = if e.passes { EntityState::Passing } else { EntityState::Failing };
                changes.push(EntityChange {
                    day,
                    kind: e.kind,
                    id: e.id.clone(),
                    display_name: e.display_name.clone(),
                    state,
                });
                day
            }
        };
        after.push(EntityRecord { entity: e.clone(), since });
    }
    // What is left was named before and is not now.
    let mut gone: Vec<&StateRow> = before.into_values().collect();
    gone.sort_by(|a, b| (&a.kind, &a.entity_id).cmp(&(&b.kind, &b.entity_id)));
    for s in gone {
        changes.push(EntityChange {
            day,
            kind: kind(&s.kind)?,
            id: s.entity_id.clone(),
            display_name: s.display_name.clone(),
            state: EntityState::Gone,
        });
    }
    Ok((changes, after))
}

impl TenantTx {
    /// Brings an action's entities up to what a measurement of `day` names, writing the
    /// changes; a measurement older than the one that named them last changes nothing.
    pub(crate) async fn record_entities(
        &mut self,
        tenant_id: &str,
        action_id: &str,
        day: NaiveDate,
        named: &[Entity],
    ) -> Result<()> {
        in_tenant_tx!(self, |tx| {
            let stored: Vec<StateRow> =
                sqlx::query_as(STATES).bind(tenant_id).bind(action_id).fetch_all(&mut *tx).await?;
            if stored.iter().any(|s| s.observed_on > day) {
                return Ok(());
            }
            let (changes, after) = entity_diff(&stored, named, day)?;
            let same_day = stored.iter().all(|s| s.observed_on == day) && stored.len() == after.len();
            if changes.is_empty() && same_day {
                return Ok(());
            }
            sqlx::query(DELETE_STATES).bind(tenant_id).bind(action_id).execute(&mut *tx).await?;
            for chunk in after.chunks(CHUNK) {
                let mut qb = sqlx::QueryBuilder::new(INSERT_STATES);
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(tenant_id)
                        .push_bind(action_id)
                        .push_bind(r.entity.kind.key())
                        .push_bind(&r.entity.id)
                        .push_bind(&r.entity.display_name)
                        .push_bind(r.entity.passes)
                        .push_bind(r.since)
                        .push_bind(day);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for chunk in changes.chunks(CHUNK) {
                let mut qb = sqlx::QueryBuilder::new(INSERT_CHANGES);
                qb.push_values(chunk, |mut b, c| {
                    b.push_bind(tenant_id)
                        .push_bind(action_id)
                        .push_bind(c.day)
                        .push_bind(c.kind.key())
                        .push_bind(&c.id)
                        .push_bind(&c.display_name)
                        .push_bind(c.state.key());
                });
                qb.push(ON_CHANGE_CONFLICT);
                qb.build().execute(&mut *tx).await?;
            }
            Ok(())
        })
    }

    /// Notes that the tenant's scanner reports are of this Entra directory.
    pub(crate) async fn add_scan_directory(&mut self, tenant_id: &str, directory_id: &str) -> Result<()> {
        let now = micros(Utc::now());
        in_tenant_tx!(self, |tx| {
            sqlx::query(ADD_DIRECTORY).bind(tenant_id).bind(directory_id).bind(now).execute(&mut *tx).await?;
            Ok(())
        })
    }

    /// Notes each action's newest measurement of a batch as the word of its source.
    pub(crate) async fn record_sources(
        &mut self,
        tenant_id: &str,
        latest: &[(&str, Measurement)],
        source: MeasurementSource,
    ) -> Result<()> {
        let now = micros(Utc::now());
        in_tenant_tx!(self, |tx| {
            for chunk in latest.chunks(CHUNK) {
                let mut qb = sqlx::QueryBuilder::new(UPSERT_SOURCE);
                qb.push_values(chunk, |mut b, (action_id, m)| {
                    b.push_bind(tenant_id)
                        .push_bind(*action_id)
                        .push_bind(source.key())
                        .push_bind(i64::from(m.count))
                        .push_bind(i64::from(m.total))
                        .push_bind(micros(m.observed_at))
                        .push_bind(now);
                });
                qb.push(ON_SOURCE_CONFLICT);
                qb.build().execute(&mut *tx).await?;
            }
            Ok(())
        })
    }
}

/// What the flyout reads about an action's entities and sources.
#[async_trait]
pub trait EntityStore: Send + Sync {
    /// The action's entities as they stand: failing first, then by display name.
    async fn entity_states(&self, tenant_id: &str, action_id: &str) -> Result<Vec<EntityRecord>>;
    /// Every change of the action's entities, newest day first.
    async fn entity_changes(&self, tenant_id: &str, action_id: &str) -> Result<Vec<EntityChange>>;
    /// Each source's latest measurement of the action, newest observation first.
    async fn source_measurements(&self, tenant_id: &str, action_id: &str) -> Result<Vec<SourceMeasurement>>;
    /// One source's latest measurement of every action it measured in the tenant.
    async fn said_by(
        &self,
        tenant_id: &str,
        source: MeasurementSource,
    ) -> Result<HashMap<String, Measurement>>;
    /// The Entra directories the tenant is known by: its Microsoft 365 connection's and
    /// those of the scanner reports imported into it.
    async fn known_directories(&self, tenant_id: &str) -> Result<Vec<String>>;
    /// The tenants known by an Entra directory.
    async fn tenants_of_directory(&self, directory_id: &str) -> Result<Vec<String>>;
}

#[async_trait]
impl EntityStore for SqlStore {
    async fn entity_states(&self, tenant_id: &str, action_id: &str) -> Result<Vec<EntityRecord>> {
        let rows: Vec<StateRow> =
            on_pool!(self, p => sqlx::query_as(STATES).bind(tenant_id).bind(action_id).fetch_all(p).await?);
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        let mut records = rows
            .into_iter()
            .map(|r| {
                Ok(EntityRecord {
                    entity: Entity {
                        kind: kind(&r.kind)?,
                        id: r.entity_id,
                        display_name: r.display_name,
                        passes: r.passes,
                    },
                    since: r.since_on,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        records.sort_by(|a, b| {
            (a.entity.passes, a.entity.display_name.to_lowercase(), &a.entity.id).cmp(&(
                b.entity.passes,
                b.entity.display_name.to_lowercase(),
                &b.entity.id,
            ))
        });
        Ok(records)
    }

    async fn entity_changes(&self, tenant_id: &str, action_id: &str) -> Result<Vec<EntityChange>> {
        let rows: Vec<ChangeRow> =
            on_pool!(self, p => sqlx::query_as(CHANGES).bind(tenant_id).bind(action_id).fetch_all(p).await?);
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter()
            .map(|r| {
                Ok(EntityChange {
                    day: r.changed_on,
                    kind: kind(&r.kind)?,
                    id: r.entity_id,
                    display_name: r.display_name,
                    state: EntityState::from_key(&r.state).ok_or_else(|| {
                        crate::error::other(format_args!("unknown entity state `{}`", r.state))
                    })?,
                })
            })
            .collect()
    }

    async fn said_by(
        &self,
        tenant_id: &str,
        source: MeasurementSource,
    ) -> Result<HashMap<String, Measurement>> {
        let rows: Vec<SaidRow> = on_pool!(self, p => sqlx::query_as(SOURCE_SAID).bind(tenant_id).bind(source.key()).fetch_all(p).await?);
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter()
            .map(|r| {
                let m = Measurement {
                    count: crate::codec::to_u32(r.unit_count, "source_measurements.unit_count")?,
                    total: crate::codec::to_u32(r.unit_total, "source_measurements.unit_total")?,
                    observed_at: r.observed_at,
                };
                Ok((r.action_id, m))
            })
            .collect()
    }

    async fn known_directories(&self, tenant_id: &str) -> Result<Vec<String>> {
        let rows: Vec<String> =
            on_pool!(self, p => sqlx::query_scalar(DIRECTORIES).bind(tenant_id).fetch_all(p).await?);
        of_known_tenant(self, tenant_id, rows).await
    }

    async fn tenants_of_directory(&self, directory_id: &str) -> Result<Vec<String>> {
        Ok(
            on_pool!(self, p => sqlx::query_scalar(TENANTS_OF_DIRECTORY).bind(directory_id).fetch_all(p).await?),
        )
    }

    async fn source_measurements(&self, tenant_id: &str, action_id: &str) -> Result<Vec<SourceMeasurement>> {
        let rows: Vec<SourceRow> =
            on_pool!(self, p => sqlx::query_as(SOURCES).bind(tenant_id).bind(action_id).fetch_all(p).await?);
        let rows = of_known_tenant(self, tenant_id, rows).await?;
        rows.into_iter()
            .map(|r| {
                Ok(SourceMeasurement {
                    source: MeasurementSource::from_key(&r.source)
                        .ok_or_else(|| crate::error::other(format_args!("unknown source `{}`", r.source)))?,
                    measurement: Measurement {
                        count: crate::codec::to_u32(r.unit_count, "source_measurements.unit_count")?,
                        total: crate::codec::to_u32(r.unit_total, "source_measurements.unit_total")?,
                        observed_at: r.observed_at,
                    },
                    recorded_at: r.recorded_at,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: &str, passes: bool, since: NaiveDate) -> StateRow {
        StateRow {
            kind: "user".into(),
            entity_id: id.into(),
            display_name: id.into(),
            passes,
            since_on: since,
            observed_on: since,
        }
    }

    fn user(id: &str, passes: bool) -> Entity {
        Entity { id: id.into(), display_name: id.into(), kind: EntityKind::User, passes }
    }

    #[test]
    fn a_diff_names_who_started_failing_who_recovered_and_who_is_gone() {
        let d1 = NaiveDate::from_ymd_opt(2026, 11, 1).expect("a day");
        let d2 = NaiveDate::from_ymd_opt(2026, 11, 2).expect("a day");
        let before = [stored("alice", false, d1), stored("bob", true, d1), stored("carol", false, d1)];
        let named = [user("alice", false), user("bob", false), user("dave", true)];
        let (changes, after) = entity_diff(&before, &named, d2).expect("diff");
        let summary: Vec<(&str, EntityState)> = changes.iter().map(|c| (c.id.as_str(), c.state)).collect();
        assert_eq!(
            summary,
            [("bob", EntityState::Failing), ("dave", EntityState::Passing), ("carol", EntityState::Gone)]
        );
        // alice still fails since the first day; bob fails since the second.
        let since: Vec<(&str, NaiveDate)> = after.iter().map(|r| (r.entity.id.as_str(), r.since)).collect();
        assert_eq!(since, [("alice", d1), ("bob", d2), ("dave", d2)]);
    }

    #[test]
    fn entities_are_checked_one_by_one() {
        let at = Utc::now();
        let item =
            |e: Vec<Entity>| MeasurementInput::new("A", Measurement::partial(0, 1, at)).with_entities(e);
        assert!(check_entities(&[item(vec![user("alice", true)])]).is_ok());
        let err =
            check_entities(&[item(vec![user("alice", true), user("alice", false)])]).expect_err("twice");
        assert!(err.to_string().contains("entities[1]: the user `alice` is listed twice"), "{err}");
        let err = check_entities(&[item(vec![user("bad\u{7}id", true)])]).expect_err("control character");
        assert!(err.to_string().contains("U+0007"), "{err}");
        let many: Vec<Entity> = (0..=MAX_ENTITIES).map(|i| user(&format!("u{i}"), true)).collect();
        let err = check_entities(&[item(many)]).expect_err("too many");
        assert!(err.to_string().contains("at most 10000"), "{err}");
    }
}
