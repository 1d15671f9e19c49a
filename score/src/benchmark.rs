//! What a viewer may read of other tenants' scores (SPEC §4): the one place every average
//! shown on a page, in a CSV or through the Graph API is released from.
//!
//! The daily run tallies each measured tenant into a fixed *cell* (seat bucket × industry)
//! and records how many tenants moved between cells since the day before. For one viewer,
//! the tenants they hold a role in are taken out first, so only *hidden* tenants remain.
//! The hidden tenants of each day are then split into *blocks* of at least
//! [`MIN_BLOCK`] tenants, built from whole cells and from nothing else: every value
//! released to the viewer that day is an average over whole blocks. Any combination of
//! released values is therefore a combination of block sums, and no block sum singles out
//! one tenant.
//!
//! Across two consecutive days a tenant that moved, arrived or left could still be singled
//! out by subtracting one day's block sum from the other's, if scores stay put. The blocks
//! of the later day are merged (or withheld) until, in the graph whose nodes are the two
//! days' blocks and whose edges are the hidden tenants, no tenant is the only tie between
//! two parts that are not both fixed (see `docs/privacy.md` for why that is exactly the
//! condition for a score to be derivable). On top of that a group whose membership differs
//! by 1 to 4 tenants from the day before is withheld that day, and every average is rounded
//! to a tenth of a percent.

use crate::comparison::{seat_bucket, Basis, CustomComparison};
use crate::points::{div_round_half_away, Percent, Points};
use crate::tally::Breakdown;
use crate::Category;
use chrono::NaiveDate;
use partition::{
    hidden_cells, hidden_moves, initial_partition, settle, Cells, Classes, Held, Partition, Sums,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The fewest hidden tenants any released value stands on.
pub const MIN_BLOCK: u32 = 5;

/// One fixed cell of the comparison grid.
///
/// The industry is shared: a two-year range reads some fifty thousand cells of a handful
/// of industries, and each as a string of its own was most of that read's time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Cell {
    /// Index into [`crate::comparison::SEAT_BUCKETS`].
    pub bucket: u8,
    #[serde(serialize_with = "as_str")]
    pub industry: Arc<str>,
}

fn as_str<S: serde::Serializer>(name: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(name)
}

impl Cell {
    pub fn of(licensed_seats: u32, industry: &str) -> Cell {
        Cell {
            bucket: u8::try_from(seat_bucket(licensed_seats)).unwrap_or(u8::MAX),
            industry: industry.into(),
        }
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Cell, D::Error> {
        #[derive(Deserialize)]
        struct Stored<'a> {
            bucket: u8,
            #[serde(borrow)]
            industry: std::borrow::Cow<'a, str>,
        }
        let stored = Stored::deserialize(d)?;
        Ok(Cell { bucket: stored.bucket, industry: industry_named(&stored.industry) })
    }
}

/// The shared name of an industry: the same few come back in every stored day, so each
/// thread keeps the ones it has read (a bounded few; past that, a new one each time).
fn industry_named(name: &str) -> Arc<str> {
    const KEPT: usize = 64;
    thread_local! {
        static NAMES: std::cell::RefCell<Vec<Arc<str>>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some(n) = names.iter().find(|n| ***n == *name) {
            return n.clone();
        }
        let n: Arc<str> = name.into();
        if names.len() < KEPT {
            names.push(n.clone());
        }
        n
    })
}

/// A tenant's score percentage split by category, in [`Category::ALL`]'s order: each
/// category's points in hundredths of a percent of the tenant's whole maximum, so the five
/// add up to its percentage (give or take rounding). Graph's averages carry them as
/// `identityScore`, `dataScore`, `deviceScore`, `appsScore` and `infrastructureScore`.
pub type Shares = [i64; 5];

/// The category shares of a score from its category breakdown and its maximum.
pub fn shares_of(categories: &[Breakdown], max: Points) -> Shares {
    Category::ALL
        .map(|c| categories.iter().find(|b| b.name == c.as_str()).map_or(0, |b| b.current.percent_of(max).0))
}

/// Every measured tenant of one cell on one day: the sum of their score percentages
/// (hundredths of a percent) and how many they are; and the sums of their category shares,
/// for days tallied since those were kept (`None` before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellTally {
    pub cell: Cell,
    pub sum: i64,
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares: Option<Shares>,
}

/// How many tenants were tallied in `from` the day before and in `to` on this day (`None`:
/// not tallied that day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    pub from: Option<Cell>,
    pub to: Option<Cell>,
    pub count: u32,
}

/// One day's tallies, as the daily run stores them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchmarkDay {
    pub day: NaiveDate,
    pub cells: Vec<CellTally>,
    pub moves: Vec<Move>,
}

impl BenchmarkDay {
    /// A day on which every tenant was in the same cell as the day before (`first`: there
    /// was no day before): what benchmark databases and tests build.
    pub fn steady(day: NaiveDate, cells: Vec<CellTally>, first: bool) -> BenchmarkDay {
        let moves = cells
            .iter()
            .map(|c| Move {
                from: (!first).then(|| c.cell.clone()),
                to: Some(c.cell.clone()),
                count: c.count,
            })
            .collect();
        BenchmarkDay { day, cells, moves }
    }
}

/// A tenant the viewer holds a role in, as it was tallied on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldEntry {
    pub tenant_id: String,
    pub day: NaiveDate,
    pub cell: Cell,
    pub percent: Percent,
    /// `None` for a day tallied before category shares were kept.
    pub shares: Option<Shares>,
}

/// A comparison group as a set of cells: the seat buckets and industries it takes (empty:
/// any). All tenants, a seat bucket, an industry and a custom comparison are all of this
/// shape, so no group can be drawn finer than a cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct CellGroup {
    pub buckets: Vec<u8>,
    pub industries: Vec<String>,
}

impl CellGroup {
    pub fn all() -> CellGroup {
        CellGroup::default()
    }

    pub fn bucket(bucket: u8) -> CellGroup {
        CellGroup { buckets: vec![bucket], industries: Vec::new() }
    }

    pub fn industry(industry: &str) -> CellGroup {
        CellGroup { buckets: Vec::new(), industries: vec![industry.to_owned()] }
    }

    /// The group a built-in comparison stands for, for a tenant with `seats` licensed seats
    /// in `industry` that day: every tenant, its seat bucket, or its industry.
    pub fn of_basis(basis: Basis, seats: u32, industry: &str) -> CellGroup {
        match basis {
            Basis::AllTenants => CellGroup::all(),
            Basis::TotalSeats => CellGroup::bucket(Cell::of(seats, industry).bucket),
            Basis::IndustryTypes => CellGroup::industry(industry),
        }
    }

    pub fn of_custom(c: &CustomComparison) -> CellGroup {
        CellGroup { buckets: c.seat_buckets.clone(), industries: c.industries.clone() }
    }

    pub fn covers(&self, cell: &Cell) -> bool {
        (self.buckets.is_empty() || self.buckets.contains(&cell.bucket))
            && (self.industries.is_empty() || self.industries.iter().any(|i| *i == *cell.industry))
    }
}

/// What one viewer may read: each day's blocks and the hidden tenants' moves.
#[derive(Debug, Clone, Default)]
pub struct Release {
    cells: Cells,
    days: BTreeMap<NaiveDate, ReleasedDay>,
}

#[derive(Debug, Clone)]
struct ReleasedDay {
    partition: Partition,
    /// The day before's blocks as released (empty when that day was not tallied).
    before: Partition,
    classes: Classes,
}

/// A released value and the cells whose hidden tenants it averages (for tests and audits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    pub average: Percent,
    pub cells: BTreeSet<Cell>,
}

impl Release {
    /// Works out the blocks of every day in `days` but the first, which is only the day
    /// before of the second: callers read from two days before the first day they show.
    pub fn new(days: &[BenchmarkDay], held: &[HeldEntry]) -> Release {
        let cells = Cells::new(
            days.iter()
                .flat_map(|d| {
                    let moved = d.moves.iter().flat_map(|m| m.from.iter().chain(m.to.iter()));
                    d.cells.iter().map(|c| &c.cell).chain(moved)
                })
                .chain(held.iter().map(|h| &h.cell)),
        );
        let mut held_by_day: BTreeMap<NaiveDate, Held> = BTreeMap::new();
        for h in held {
            if let Some(cell) = cells.id(&h.cell) {
                let sums = Sums { total: h.percent.0, shares: h.shares };
                held_by_day.entry(h.day).or_default().insert(h.tenant_id.clone(), (cell, sums));
            }
        }
        let empty = Held::new();
        let mut days: Vec<&BenchmarkDay> = days.iter().collect();
        days.sort_by_key(|d| d.day);
        days.dedup_by_key(|d| d.day);
        let initial: Vec<Partition> = days
            .iter()
            .map(|d| {
                let hidden = hidden_cells(d, &cells, held_by_day.get(&d.day).unwrap_or(&empty));
                initial_partition(&hidden, &cells)
            })
            .collect();
        // Each day's released blocks against the day before's initial ones; a finer
        // partition releases more, so that is the safe side of the day before as released.
        let mut released: Vec<Option<Partition>> = vec![None; days.len()];
        let mut classes_of: Vec<Classes> = vec![Vec::new(); days.len()];
        let nothing = Partition::default();
        for i in 1..days.len() {
            let d = days[i];
            let prev_day = days[i - 1];
            let consecutive = d.day.pred_opt() == Some(prev_day.day);
            let held_today = held_by_day.get(&d.day).unwrap_or(&empty);
            let held_before =
                if consecutive { held_by_day.get(&prev_day.day).unwrap_or(&empty) } else { &empty };
            let classes = hidden_moves(d, &cells, held_before, held_today);
            let before = if consecutive { &initial[i - 1] } else { &nothing };
            released[i] = Some(settle(before, &initial[i], &classes));
            classes_of[i] = classes;
        }
        let mut out = BTreeMap::new();
        // Newest first, so each day's partition is moved out once its day after has
        // copied it as its day before.
        for i in (1..days.len()).rev() {
            let Some(partition) = released[i].take() else { continue };
            let consecutive = days[i].day.pred_opt() == Some(days[i - 1].day);
            let before = match (consecutive, &released[i - 1]) {
                (true, Some(p)) => p.clone(),
                // The day before is the first day read: its own day before is unknown, so
                // its initial blocks stand in (finer, so the check below is stricter).
                (true, None) => initial[i - 1].clone(),
                (false, _) => Partition::default(),
            };
            out.insert(
                days[i].day,
                ReleasedDay { partition, before, classes: std::mem::take(&mut classes_of[i]) },
            );
        }
        Release { cells, days: out }
    }

    /// The average of `group` on `day` over the viewer's hidden tenants, if it may be shown.
    pub fn value(&self, day: NaiveDate, group: &CellGroup) -> Option<Percent> {
        self.with_split(day, group).map(|(average, _)| average)
    }

    /// The same average split by category ([`Shares`]' order), over the same hidden
    /// tenants and so under the same rules; `None` where the average is withheld, or
    /// where a tenant in it was tallied before category shares were kept.
    pub fn by_category(&self, day: NaiveDate, group: &CellGroup) -> Option<[Percent; 5]> {
        self.with_split(day, group)?.1
    }

    /// [`Release::value`] and [`Release::by_category`] from one release of the group.
    pub fn with_split(&self, day: NaiveDate, group: &CellGroup) -> Option<(Percent, Option<[Percent; 5]>)> {
        let d = self.days.get(&day)?;
        let (sums, count) = self.release_of(d, group, |_| {})?;
        Some((tenth(sums.total, count), sums.shares.map(|shares| shares.map(|s| tenth(s, count)))))
    }

    /// [`Release::value`] with the cells it stands on.
    pub fn released(&self, day: NaiveDate, group: &CellGroup) -> Option<Released> {
        let d = self.days.get(&day)?;
        let mut cells = BTreeSet::new();
        let (sums, count) =
            self.release_of(d, group, |b| cells.extend(b.cells.iter().map(|&c| self.cells.get(c).clone())))?;
        Some(Released { average: tenth(sums.total, count), cells })
    }

    /// The (sums, count) of `group` on a day when it may be shown, passing each block it
    /// averages to `each_block`.
    fn release_of(
        &self,
        d: &ReleasedDay,
        group: &CellGroup,
        mut each_block: impl FnMut(&partition::Block),
    ) -> Option<(Sums, u32)> {
        let covered = self.cells.covered(|c| group.covers(c));
        let inside = d.partition.blocks_inside(&covered);
        let (mut sum, mut count) = (Sums::ZERO, 0u32);
        for (b, _) in d.partition.blocks.iter().zip(&inside).filter(|(_, inside)| **inside) {
            sum += b.sum;
            count += b.count;
            each_block(b);
        }
        if count < MIN_BLOCK {
            return None;
        }
        // Overlap control: a membership 1 to 4 tenants away from the day before is withheld.
        let inside_before = d.before.blocks_inside(&covered);
        let changed: u32 = d
            .classes
            .iter()
            .filter(|(from, to, _)| {
                let was = from.is_some_and(|c| d.before.counts(c, &inside_before));
                let is = to.is_some_and(|c| d.partition.counts(c, &inside));
                was != is
            })
            .map(|(_, _, n)| *n)
            .sum();
        if (1..MIN_BLOCK).contains(&changed) {
            return None;
        }
        Some((sum, count))
    }
}

/// An average rounded to a tenth of a percent, half away from zero.
fn tenth(sum: i64, count: u32) -> Percent {
    let tenths = div_round_half_away(i128::from(sum), i128::from(count) * 10);
    Percent(i64::try_from(tenths * 10).unwrap_or(i64::MAX))
}

/// A custom comparison of chosen tenants is an average of tenants the viewer can read one
/// by one, so it is shown only to a viewer who holds a role in every one of them.
pub fn chosen_average(
    listed: &[String],
    held_on_day: &[&HeldEntry],
    holds: impl Fn(&str) -> bool,
) -> Option<Percent> {
    if listed.is_empty() || !listed.iter().all(|t| holds(t)) {
        return None;
    }
    let values: Vec<Percent> =
        held_on_day.iter().filter(|h| listed.contains(&h.tenant_id)).map(|h| h.percent).collect();
    if values.is_empty() {
        return None;
    }
    let sum: i64 = values.iter().map(|p| p.0).sum();
    Some(tenth(sum, u32::try_from(values.len()).unwrap_or(u32::MAX)))
}

mod partition;
#[cfg(test)]
mod tests;
