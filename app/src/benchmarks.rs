//! The comparison averages one viewer may read (SPEC §4), for pages, CSVs and the Graph
//! API alike: everything shown of other tenants goes through [`ViewerBenchmarks`].

use chrono::{Duration, NaiveDate};
use score::benchmark::{chosen_average, BenchmarkDay, CellGroup, HeldEntry, Release};
use score::comparison::CustomComparison;
use score::Percent;
use std::collections::{BTreeMap, BTreeSet};
use store::{Store, StoreError};

/// A viewer's release over a range of days, with their own tenants' tallied days.
pub struct ViewerBenchmarks {
    release: Release,
    held: BTreeMap<NaiveDate, Vec<HeldEntry>>,
    holds: BTreeSet<String>,
}

/// The tenants a user holds any role in: the viewer of every average.
pub async fn held_by(store: &dyn Store, user_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(store.memberships_of_user(user_id).await?.into_iter().map(|m| m.tenant_id).collect())
}

impl ViewerBenchmarks {
    /// Reads `[from, to]` for a viewer holding roles in `held_tenants`. The two days before
    /// `from` are read too: what a day may show depends on the day before it.
    pub async fn read(
        store: &dyn Store,
        held_tenants: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ViewerBenchmarks, StoreError> {
        let start = from.checked_sub_signed(Duration::days(2)).unwrap_or(from);
        let mut days = store.benchmark_days(start, to).await?;
        // A first tallied day inside the window had no day before it at all: say so with an
        // empty one, so that day is released like any other rather than taken as context.
        if let Some(first) = days.first().map(|d| d.day).filter(|d| *d > start) {
            if let Some(before) = first.pred_opt() {
                days.insert(0, BenchmarkDay { day: before, cells: Vec::new(), moves: Vec::new() });
            }
        }
        let entries = if days.is_empty() {
            Vec::new()
        } else {
            store.benchmark_entries(held_tenants, start, to).await?
        };
        Ok(ViewerBenchmarks::new(&days, entries, held_tenants))
    }

    /// From days already read (see [`ViewerBenchmarks::read`] for the range they must span).
    pub fn new(days: &[BenchmarkDay], entries: Vec<HeldEntry>, held_tenants: &[String]) -> ViewerBenchmarks {
        let release = Release::new(days, &entries);
        let mut held: BTreeMap<NaiveDate, Vec<HeldEntry>> = BTreeMap::new();
        for e in entries {
            held.entry(e.day).or_default().push(e);
        }
        ViewerBenchmarks { release, held, holds: held_tenants.iter().cloned().collect() }
    }

    /// The all-tenants, seat-bucket or industry average on `day`.
    pub fn value(&self, day: NaiveDate, group: &CellGroup) -> Option<Percent> {
        self.release.value(day, group)
    }

    /// [`ViewerBenchmarks::value`] with its split by category (Identity, Data, Device,
    /// Apps, Infrastructure) where every tenant in it has its split, from one release.
    pub fn with_split(&self, day: NaiveDate, group: &CellGroup) -> Option<(Percent, Option<[Percent; 5]>)> {
        self.release.with_split(day, group)
    }

    /// A custom comparison's value on `day`: the release of its cells, or, for chosen
    /// tenants, their average when the viewer holds a role in each of them.
    pub fn custom(&self, day: NaiveDate, c: &CustomComparison) -> Option<Percent> {
        let group = CellGroup::of_custom(c);
        if c.tenants.is_empty() {
            return self.value(day, &group);
        }
        let on_day: Vec<&HeldEntry> = self
            .held
            .get(&day)
            .map(|v| v.iter().filter(|h| group.covers(&h.cell)).collect())
            .unwrap_or_default();
        chosen_average(&c.tenants, &on_day, |t| self.holds.contains(t))
    }
}
