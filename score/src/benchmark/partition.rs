//! The blocks one viewer's values are released over: each day's hidden tenants split into
//! blocks of whole cells, and the later of two days merged until no tenant is the only tie
//! between parts (see the crate's `benchmark` module and `docs/privacy.md`).
//!
//! Cells are numbers here ([`CellId`], a place in [`Cells`]): a two-year range builds,
//! clones and compares hundreds of thousands of them, and an industry name each time made
//! that most of a Metrics page's time.

use super::{BenchmarkDay, Cell, Shares, MIN_BLOCK};
use std::collections::{BTreeMap, BTreeSet};

/// A cell by its place in the release's [`Cells`].
pub(super) type CellId = usize;

/// Every cell a release has seen, each once, in order.
#[derive(Debug, Clone, Default)]
pub(super) struct Cells {
    all: Vec<Cell>,
}

impl Cells {
    pub(super) fn new<'a>(seen: impl Iterator<Item = &'a Cell>) -> Cells {
        // Inserted one by one: the same few cells come back every day, and looking one up
        // among them is cheaper than sorting every mention (or hashing each name).
        let mut set: BTreeSet<&Cell> = BTreeSet::new();
        for c in seen {
            if !set.contains(c) {
                set.insert(c);
            }
        }
        Cells { all: set.into_iter().cloned().collect() }
    }

    /// The id of a cell the release was built with (`None` for any other).
    pub(super) fn id(&self, cell: &Cell) -> Option<CellId> {
        self.all.binary_search(cell).ok()
    }

    pub(super) fn get(&self, id: CellId) -> &Cell {
        &self.all[id]
    }

    /// For each cell, whether it lies in the group that `covers` describes.
    pub(super) fn covered(&self, covers: impl Fn(&Cell) -> bool) -> Vec<bool> {
        self.all.iter().map(covers).collect()
    }

    pub(super) fn len(&self) -> usize {
        self.all.len()
    }
}

/// A viewer's tenant on one day: its cell, percentage and category shares.
pub(super) type Held = BTreeMap<String, (CellId, Sums)>;

/// What tenants add up to: their percentages and their category shares — `None` when any
/// of them was tallied before shares were kept, so a partial split is never shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sums {
    pub(crate) total: i64,
    pub(crate) shares: Option<Shares>,
}

impl Sums {
    pub(super) const ZERO: Sums = Sums { total: 0, shares: Some([0; 5]) };
}

impl std::ops::AddAssign for Sums {
    fn add_assign(&mut self, o: Sums) {
        self.total += o.total;
        self.shares = match (self.shares, o.shares) {
            (Some(a), Some(b)) => Some(std::array::from_fn(|i| a[i] + b[i])),
            _ => None,
        };
    }
}

impl std::ops::SubAssign for Sums {
    fn sub_assign(&mut self, o: Sums) {
        self.total -= o.total;
        self.shares = match (self.shares, o.shares) {
            (Some(a), Some(b)) => Some(std::array::from_fn(|i| a[i] - b[i])),
            _ => None,
        };
    }
}

impl std::iter::Sum for Sums {
    fn sum<I: Iterator<Item = Sums>>(iter: I) -> Sums {
        iter.fold(Sums::ZERO, |mut a, b| {
            a += b;
            a
        })
    }
}

/// Where hidden tenants were tallied: the cell the day before, the cell this day.
type Class = (Option<CellId>, Option<CellId>);

/// Hidden tenants by (cell the day before, cell this day, how many).
pub(super) type Classes = Vec<(Option<CellId>, Option<CellId>, u32)>;

/// Hidden tenants of whole cells, released only together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Block {
    pub(super) cells: Vec<CellId>,
    pub(super) sum: Sums,
    pub(super) count: u32,
}

/// One day's blocks for one viewer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Partition {
    pub(super) blocks: Vec<Block>,
    /// By cell id: the index into `blocks`, or `None` when no value may include the cell's
    /// hidden tenants (withheld, or none that day). Shorter than the cells when empty.
    pub(super) of_cell: Vec<Option<usize>>,
}

impl Partition {
    /// For each block, whether all its cells are `covered` (see [`Cells::covered`]).
    pub(super) fn blocks_inside(&self, covered: &[bool]) -> Vec<bool> {
        self.blocks.iter().map(|b| b.cells.iter().all(|c| covered[*c])).collect()
    }

    /// Whether a tenant tallied in `cell` counts in a group's value that day, given which
    /// blocks lie inside the group ([`Partition::blocks_inside`]).
    pub(super) fn counts(&self, cell: CellId, inside: &[bool]) -> bool {
        matches!(self.node_of(Some(cell)), Some(i) if inside[i])
    }
}

/// The day's cells without the viewer's tenants: (sums, count) of hidden tenants by cell
/// id (a count of 0: none).
pub(super) fn hidden_cells(day: &BenchmarkDay, cells_of: &Cells, held: &Held) -> Vec<(Sums, u32)> {
    let mut cells = vec![(Sums::ZERO, 0u32); cells_of.len()];
    for c in &day.cells {
        if let Some(id) = cells_of.id(&c.cell) {
            cells[id] = (Sums { total: c.sum, shares: c.shares }, c.count);
        }
    }
    for &(cell, sums) in held.values() {
        let c = &mut cells[cell];
        if c.1 > 0 {
            c.0 -= sums;
            c.1 -= 1;
        }
    }
    cells
}

/// The day's moves without the viewer's tenants.
pub(super) fn hidden_moves(
    day: &BenchmarkDay,
    cells_of: &Cells,
    held_before: &Held,
    held_today: &Held,
) -> Classes {
    let id = |c: &Option<Cell>| c.as_ref().and_then(|c| cells_of.id(c));
    // A sorted list rather than a map: a day has a few dozen classes, rebuilt every day.
    let mut moves: Vec<(Class, u32)> =
        day.moves.iter().map(|m| ((id(&m.from), id(&m.to)), m.count)).collect();
    moves.sort_unstable_by_key(|m| m.0);
    moves.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 += later.1;
        }
        same
    });
    let ids: BTreeSet<&String> = held_before.keys().chain(held_today.keys()).collect();
    for t in ids {
        let key = (held_before.get(t).map(|h| h.0), held_today.get(t).map(|h| h.0));
        if let Ok(i) = moves.binary_search_by_key(&key, |m| m.0) {
            moves[i].1 = moves[i].1.saturating_sub(1);
        }
    }
    moves.into_iter().filter(|(_, n)| *n > 0).map(|((f, t), n)| (f, t, n)).collect()
}

/// One day's blocks on its own: a cell of at least [`MIN_BLOCK`] hidden tenants stands
/// alone; the smaller cells of a seat bucket are pooled (so the bucket's own average keeps
/// them); what is still too small is pooled across buckets, and withheld below the minimum.
pub(super) fn initial_partition(cells: &[(Sums, u32)], cells_of: &Cells) -> Partition {
    let mut p = Partition { blocks: Vec::new(), of_cell: vec![None; cells.len()] };
    let mut small_by_bucket: BTreeMap<u8, Vec<(CellId, Sums, u32)>> = BTreeMap::new();
    for (cell, &(sum, count)) in cells.iter().enumerate().filter(|(_, c)| c.1 > 0) {
        if count >= MIN_BLOCK {
            p.add(Block { cells: vec![cell], sum, count });
        } else {
            small_by_bucket.entry(cells_of.get(cell).bucket).or_default().push((cell, sum, count));
        }
    }
    let mut rest = Block { cells: Vec::new(), sum: Sums::ZERO, count: 0 };
    for small in small_by_bucket.into_values() {
        let pooled = Block {
            cells: small.iter().map(|(c, ..)| *c).collect(),
            sum: small.iter().map(|s| s.1).sum(),
            count: small.iter().map(|s| s.2).sum(),
        };
        if pooled.count >= MIN_BLOCK {
            p.add(pooled);
        } else {
            rest.cells.extend(pooled.cells);
            rest.sum += pooled.sum;
            rest.count += pooled.count;
        }
    }
    // Below the minimum the rest stays out of every block: withheld.
    if rest.count >= MIN_BLOCK {
        p.add(rest);
    }
    p
}

impl Partition {
    fn add(&mut self, block: Block) {
        let i = self.blocks.len();
        for &c in &block.cells {
            if self.of_cell.len() <= c {
                self.of_cell.resize(c + 1, None);
            }
            self.of_cell[c] = Some(i);
        }
        self.blocks.push(block);
    }

    fn node_of(&self, cell: Option<CellId>) -> Option<usize> {
        cell.and_then(|c| self.of_cell.get(c).copied().flatten())
    }

    /// Merges block `b` into block `a`, or withholds `b` when `a` is `None`.
    fn fold(&self, a: Option<usize>, b: usize) -> Partition {
        let mut out = Partition { blocks: Vec::new(), of_cell: vec![None; self.of_cell.len()] };
        let mut merged = self.blocks[b].clone();
        for (i, block) in self.blocks.iter().enumerate() {
            if i == b {
                continue;
            }
            if Some(i) == a {
                merged.cells.extend(block.cells.iter().copied());
                merged.sum += block.sum;
                merged.count += block.count;
                out.add(merged.clone());
            } else {
                out.add(block.clone());
            }
        }
        out
    }
}

/// Node ids of the two-day graph: the fixed node (tenants not released that day), the day
/// before's blocks, this day's blocks.
const FIXED: usize = 0;

/// This day's blocks, merged or withheld until no hidden tenant can be singled out by
/// combining them with the day before's.
pub(super) fn settle(before: &Partition, today: &Partition, classes: &Classes) -> Partition {
    let mut today = today.clone();
    loop {
        let left = |c: Option<CellId>| before.node_of(c).map_or(FIXED, |i| 1 + i);
        let offset = 1 + before.blocks.len();
        let mut edges: BTreeMap<(usize, usize), u32> = BTreeMap::new();
        for &(from, to, n) in classes {
            let (u, v) = (left(from), today.node_of(to).map_or(FIXED, |i| offset + i));
            if (u, v) != (FIXED, FIXED) {
                *edges.entry((u, v)).or_default() += n;
            }
        }
        let nodes = offset + today.blocks.len();
        let Some(&(u, v)) =
            edges.iter().find(|(e, n)| **n == 1 && singles_out(nodes, &edges, **e)).map(|(e, _)| e)
        else {
            return today;
        };
        let mut rest = edges.clone();
        rest.remove(&(u, v));
        let comp = components(nodes, &rest);
        let pinned = |node: usize| comp[node] == comp[FIXED];
        let today_blocks = (0..today.blocks.len()).map(|i| offset + i);
        // Join the tenant's two sides through another block of this day when the day
        // before's side has one; else tie the loose side to a fixed part, or withhold it.
        let target = if v != FIXED {
            match today_blocks.clone().find(|&w| w != v && comp[w] == comp[u]) {
                Some(w) => (Some(w - offset), v - offset),
                None => (today_blocks.clone().find(|&w| w != v && pinned(w)).map(|w| w - offset), v - offset),
            }
        } else {
            let Some(loose) = today_blocks.clone().find(|&w| comp[w] == comp[u]) else {
                // The day before's side has no block of this day: nothing of it is
                // released today, so it cannot be the leak. Defensive: withhold all.
                return Partition { blocks: Vec::new(), of_cell: Vec::new() };
            };
            (today_blocks.clone().find(|&w| pinned(w)).map(|w| w - offset), loose - offset)
        };
        today = today.fold(target.0, target.1);
    }
}

/// Whether the tenant on edge `e` could be singled out: without it, its two ends fall
/// apart and are not both tied to the fixed node.
fn singles_out(nodes: usize, edges: &BTreeMap<(usize, usize), u32>, e: (usize, usize)) -> bool {
    let mut rest = edges.clone();
    if let Some(n) = rest.get_mut(&e) {
        *n -= 1;
        if *n == 0 {
            rest.remove(&e);
        }
    }
    let comp = components(nodes, &rest);
    comp[e.0] != comp[e.1] && !(comp[e.0] == comp[FIXED] && comp[e.1] == comp[FIXED])
}

/// Connected components (a representative per node) by union-find.
fn components(nodes: usize, edges: &BTreeMap<(usize, usize), u32>) -> Vec<usize> {
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut parent: Vec<usize> = (0..nodes).collect();
    for &(u, v) in edges.keys() {
        let (a, b) = (root(&mut parent, u), root(&mut parent, v));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    (0..nodes).map(|x| root(&mut parent, x)).collect()
}
