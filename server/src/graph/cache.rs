//! Built `secureScore` entities, kept briefly. A day's entity is a few hundred control
//! scores read from several tables; scripts ask for the same newest day over and over, and
//! a snapshot does not change once taken (re-taking it changes `taken_at`, and with it the
//! key). What can still move — a back-dated measurement's count, a renamed custom action,
//! the tenant's services — shows within `TTL`.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(60);
/// Bounds memory: at ~80 KB per entity, a few hundred MB at most.
const MAX_ENTRIES: usize = 4_096;

type Key = (String, NaiveDate, DateTime<Utc>);

/// The entity as JSON text, ready to be spliced into a response.
#[derive(Default)]
pub struct ScoreCache {
    entries: Mutex<HashMap<Key, (Instant, Arc<str>)>>,
}

impl ScoreCache {
    pub fn get(&self, tenant_id: &str, day: NaiveDate, taken_at: DateTime<Utc>) -> Option<Arc<str>> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (at, json) = entries.get(&(tenant_id.to_owned(), day, taken_at))?;
        (at.elapsed() < TTL).then(|| json.clone())
    }

    pub fn put(&self, tenant_id: &str, day: NaiveDate, taken_at: DateTime<Utc>, json: Arc<str>) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (at, _)| at.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert((tenant_id.to_owned(), day, taken_at), (Instant::now(), json));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_found_by_tenant_day_and_snapshot_time_only() {
        let cache = ScoreCache::default();
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        let taken = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).expect("time");
        cache.put("t1", day, taken, Arc::from("{\"a\":1}"));
        assert_eq!(cache.get("t1", day, taken).as_deref(), Some("{\"a\":1}"));
        assert!(cache.get("t2", day, taken).is_none(), "another tenant");
        assert!(cache.get("t1", day, taken + chrono::Duration::seconds(1)).is_none(), "a re-taken snapshot");
        assert!(cache.get("t1", day.succ_opt().expect("date"), taken).is_none(), "another day");
    }
}
