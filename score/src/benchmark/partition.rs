//! The blocks one viewer's values are released over: each day's hidden tenants split into
//! blocks of whole cells, and the later of two days merged until no tenant is the only tie
//! between parts (see the crate's `benchmark` module and `docs/privacy.md`).

use super::{BenchmarkDay, Cell, CellGroup, HeldEntry, MIN_BLOCK};
use std::collections::{BTreeMap, BTreeSet};

/// Hidden tenants by (cell the day before, cell this day, how many).
pub(super) type Classes = Vec<(Option<Cell>, Option<Cell>, u32)>;

/// Hidden tenants of whole cells, released only together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Block {
    pub(super) cells: BTreeSet<Cell>,
    pub(super) sum: i64,
    pub(super) count: u32,
}

/// One day's blocks for one viewer: `None` marks the hidden tenants no value may include.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Partition {
    pub(super) blocks: Vec<Block>,
    /// Cell → index into `blocks`, or `None` when the cell's hidden tenants are withheld.
    pub(super) of_cell: BTreeMap<Cell, Option<usize>>,
}

impl Partition {
    /// The blocks wholly inside `group`, none withheld.
    pub(super) fn inside<'a>(&'a self, group: &'a CellGroup) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.cells.iter().all(|c| group.covers(c)))
    }

    /// Whether a tenant tallied in `cell` counts in `group`'s value that day.
    pub(super) fn counts(&self, cell: &Cell, group: &CellGroup) -> bool {
        match self.of_cell.get(cell) {
            Some(Some(i)) => self.blocks[*i].cells.iter().all(|c| group.covers(c)),
            _ => false,
        }
    }
}

/// The day's cells without the viewer's tenants: (sum, count) of hidden tenants.
pub(super) fn hidden_cells(
    day: &BenchmarkDay,
    held: &BTreeMap<&str, &HeldEntry>,
) -> BTreeMap<Cell, (i64, u32)> {
    let mut cells: BTreeMap<Cell, (i64, u32)> =
        day.cells.iter().map(|c| (c.cell.clone(), (c.sum, c.count))).collect();
    for h in held.values() {
        if let Some(c) = cells.get_mut(&h.cell) {
            c.0 -= h.percent.0;
            c.1 = c.1.saturating_sub(1);
        }
    }
    cells.retain(|_, (_, n)| *n > 0);
    cells
}

/// The day's moves without the viewer's tenants.
pub(super) fn hidden_moves(
    day: &BenchmarkDay,
    held_before: &BTreeMap<&str, &HeldEntry>,
    held_today: &BTreeMap<&str, &HeldEntry>,
) -> Classes {
    let mut moves: BTreeMap<(Option<Cell>, Option<Cell>), u32> = BTreeMap::new();
    for m in &day.moves {
        *moves.entry((m.from.clone(), m.to.clone())).or_default() += m.count;
    }
    let ids: BTreeSet<&str> = held_before.keys().chain(held_today.keys()).copied().collect();
    for id in ids {
        let key = (held_before.get(id).map(|h| h.cell.clone()), held_today.get(id).map(|h| h.cell.clone()));
        if let Some(n) = moves.get_mut(&key) {
            *n = n.saturating_sub(1);
        }
    }
    moves.into_iter().filter(|(_, n)| *n > 0).map(|((f, t), n)| (f, t, n)).collect()
}

/// One day's blocks on its own: a cell of at least [`MIN_BLOCK`] hidden tenants stands
/// alone; the smaller cells of a seat bucket are pooled (so the bucket's own average keeps
/// them); what is still too small is pooled across buckets, and withheld below the minimum.
pub(super) fn initial_partition(cells: &BTreeMap<Cell, (i64, u32)>) -> Partition {
    let mut p = Partition::default();
    let mut small_by_bucket: BTreeMap<u8, Vec<(&Cell, i64, u32)>> = BTreeMap::new();
    for (cell, (sum, count)) in cells {
        if *count >= MIN_BLOCK {
            p.add(Block { cells: BTreeSet::from([cell.clone()]), sum: *sum, count: *count });
        } else {
            small_by_bucket.entry(cell.bucket).or_default().push((cell, *sum, *count));
        }
    }
    let mut rest = Block { cells: BTreeSet::new(), sum: 0, count: 0 };
    for small in small_by_bucket.into_values() {
        let pooled = Block {
            cells: small.iter().map(|(c, ..)| (*c).clone()).collect(),
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
    if rest.count >= MIN_BLOCK {
        p.add(rest);
    } else {
        for c in rest.cells {
            p.of_cell.insert(c, None);
        }
    }
    p
}

impl Partition {
    fn add(&mut self, block: Block) {
        let i = self.blocks.len();
        for c in &block.cells {
            self.of_cell.insert(c.clone(), Some(i));
        }
        self.blocks.push(block);
    }

    fn node_of(&self, cell: &Option<Cell>) -> Option<usize> {
        cell.as_ref().and_then(|c| self.of_cell.get(c).copied().flatten())
    }

    /// Merges block `b` into block `a`, or withholds `b` when `a` is `None`.
    fn fold(&self, a: Option<usize>, b: usize) -> Partition {
        let mut out = Partition::default();
        let mut merged = self.blocks[b].clone();
        for (i, block) in self.blocks.iter().enumerate() {
            if i == b {
                continue;
            }
            if Some(i) == a {
                merged.cells.extend(block.cells.iter().cloned());
                merged.sum += block.sum;
                merged.count += block.count;
                out.add(merged.clone());
            } else {
                out.add(block.clone());
            }
        }
        for (c, i) in &self.of_cell {
            if i.is_none() || (*i == Some(b) && a.is_none()) {
                out.of_cell.insert(c.clone(), None);
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
        let left = |c: &Option<Cell>| before.node_of(c).map_or(FIXED, |i| 1 + i);
        let offset = 1 + before.blocks.len();
        let mut edges: BTreeMap<(usize, usize), u32> = BTreeMap::new();
        for (from, to, n) in classes {
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
                return Partition {
                    blocks: Vec::new(),
                    of_cell: today.of_cell.keys().map(|c| (c.clone(), None)).collect(),
                };
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
