//! Disclosure control as a problem on cells and linear constraints, independent of any table
//! layout: which counts are hidden so that no small count can be read or recovered from what is
//! published together.
//!
//! In: the cells (true counts), what hiding each would cost (detail, an association total, a
//! headline figure), and the constraints that tie them (a group's status counts add up to its
//! graduates; members add up to the association; orientations to the qualification…). Out: a
//! [`Flag`] per cell and the interval a reader can still work out for each hidden one.
//!
//! - **Primary**: every count from 1 to `threshold − 1` is hidden, whatever its group's size
//!   and whoever's it is (the association's totals included), as in Vipunen's own cubes.
//! - **Secondary**: a constraint with exactly one hidden cell would give it away, so another
//!   cell of it is hidden, by [`Cost`]: a detail cell before an association total before a
//!   headline figure, and among equals the smallest first (non-zero first among detail cells). A total is hidden only
//!   when its constraint has no other cell left to hide.
//! - **Audit**: interval bounds are propagated through every constraint (what a reader can
//!   work out from the published figures, knowing a `1-4` cell is between 1 and 4); a hidden
//!   non-zero cell whose bounds leave fewer than `protection` possible values (3: "1 or 2" is
//!   not protected) gets company, and the audit runs again.
//! - What no hiding can protect is reported, not counted as protected: [`Outcome::exposed`]
//!   lists hidden non-zero counts still narrowed below their protection.

use std::collections::BTreeSet;

/// The sum a constraint's parts add up to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Total {
    /// A published number that is never hidden (a group's graduates).
    Known(i64),
    /// Another cell.
    Cell(usize),
}

/// `total = Σ parts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    /// What the parts add up to.
    pub total: Total,
    /// The cells that add up.
    pub parts: Vec<usize>,
}

/// Whether and why a cell is hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flag {
    /// Published.
    Visible,
    /// A small count.
    Primary,
    /// Hidden to protect a small count.
    Secondary,
}

/// What hiding a cell costs the reader: cells of lower cost are hidden first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cost {
    /// A detail cell (an orientation's status, a member's class).
    #[default]
    Detail,
    /// An association total (a qualification's or all graduates' status, a total's n; members
    /// together and the whole country in enrolment).
    Total,
    /// A figure of the key-figures card.
    Headline,
}

/// A disclosure problem.
#[derive(Clone, Debug, Default)]
pub struct Problem {
    /// True counts.
    pub values: Vec<i64>,
    /// What hiding each cell costs.
    pub cost: Vec<Cost>,
    /// Constraints tying the cells.
    pub constraints: Vec<Constraint>,
}

impl Problem {
    /// Adds a cell; returns its index.
    pub fn cell(&mut self, value: i64, cost: Cost) -> usize {
        self.values.push(value);
        self.cost.push(cost);
        self.values.len() - 1
    }

    /// Adds a constraint (ignored when it has no parts).
    pub fn constrain(&mut self, total: Total, parts: Vec<usize>) {
        if !parts.is_empty() {
            self.constraints.push(Constraint { total, parts });
        }
    }

    fn members(&self, c: &Constraint) -> impl Iterator<Item = usize> {
        let total = match c.total {
            Total::Cell(i) => Some(i),
            Total::Known(_) => None,
        };
        c.parts.clone().into_iter().chain(total)
    }

    /// The order in which cells are chosen as companions: cheapest first; among detail cells
    /// non-zero before zero (a published zero tells the reader something), small first; among
    /// totals and headline figures the smallest first, zeros included (a hidden zero of a total
    /// row loses less than a hidden association figure).
    fn preference(&self, i: usize) -> (Cost, bool, i64, usize) {
        let v = self.values[i];
        (self.cost[i], self.cost[i] == Cost::Detail && v == 0, v, i)
    }

    /// The next cell to hide in a constraint: the cheapest, smallest non-zero visible cell.
    /// None when every cell is hidden already.
    fn companion(&self, c: &Constraint, flags: &[Flag]) -> Option<usize> {
        self.members(c).filter(|i| flags[*i] == Flag::Visible).min_by_key(|i| self.preference(*i))
    }
}

/// Bounds a reader can derive for every cell, by interval propagation.
pub fn bounds(p: &Problem, flags: &[Flag], threshold: i64) -> Vec<(i64, i64)> {
    const INF: i64 = UNBOUNDED;
    let mut b: Vec<(i64, i64)> = p
        .values
        .iter()
        .zip(flags)
        .map(|(v, f)| match f {
            Flag::Visible => (*v, *v),
            Flag::Primary => (1, threshold - 1),
            Flag::Secondary => (0, INF),
        })
        .collect();
    // To a fixpoint: every pass only tightens, and bounds are whole numbers.
    loop {
        let mut changed = false;
        for c in &p.constraints {
            let (t_lo, t_hi) = match c.total {
                Total::Known(n) => (n, n),
                Total::Cell(i) => b[i],
            };
            let sum_lo: i64 = c.parts.iter().map(|i| b[*i].0).sum();
            let unbounded = c.parts.iter().filter(|i| b[**i].1 >= INF).count();
            let finite_hi: i64 = c.parts.iter().map(|i| b[*i].1).filter(|h| *h < INF).sum();
            for &j in &c.parts {
                let (lo, hi) = b[j];
                let others_unbounded = unbounded - usize::from(hi >= INF);
                let new_lo = if others_unbounded > 0 { lo } else { lo.max(t_lo - (finite_hi - if hi < INF { hi } else { 0 })) };
                let new_hi = if t_hi >= INF { hi } else { hi.min(t_hi - (sum_lo - lo)) };
                if (new_lo, new_hi) != (lo, hi) {
                    b[j] = (new_lo, new_hi);
                    changed = true;
                }
            }
            let sum_hi = if unbounded > 0 { INF } else { finite_hi };
            if let Total::Cell(i) = c.total {
                let (lo, hi) = b[i];
                let (new_lo, new_hi) = (lo.max(sum_lo), hi.min(sum_hi));
                if (new_lo, new_hi) != (lo, hi) {
                    b[i] = (new_lo, new_hi);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    b
}

/// What to hide, and what could not be protected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// A flag per cell.
    pub flags: Vec<Flag>,
    /// Hidden non-zero cells that still have fewer possible values than their protection
    /// (a hidden zero that can be worked out gives nobody away).
    pub exposed: Vec<usize>,
    /// Per cell, the interval a reader can work out by propagating the published sums
    /// (`hi` is [`UNBOUNDED`] where nothing bounds it from above).
    pub bounds: Vec<(i64, i64)>,
}

/// The upper bound of a hidden cell that no published sum bounds.
pub const UNBOUNDED: i64 = i64::MAX / 4;

/// Whether a hidden cell's interval leaves it fewer possible values than `protection`.
fn under_protected(value: i64, (lo, hi): (i64, i64), protection: i64) -> bool {
    value > 0 && hi < UNBOUNDED && hi - lo + 1 < protection
}

/// Decides what to hide: every count from 1 to `threshold − 1`, and companions chosen by cost
/// until every hidden non-zero count keeps at least `protection` possible values.
pub fn suppress(p: &Problem, threshold: i64, protection: i64) -> Outcome {
    let mut flags: Vec<Flag> = p.values.iter().map(|v| if *v >= 1 && *v < threshold { Flag::Primary } else { Flag::Visible }).collect();
    // Which constraints each cell is in, for the audit's repairs.
    let mut of_cell: Vec<Vec<usize>> = vec![Vec::new(); p.values.len()];
    for (k, c) in p.constraints.iter().enumerate() {
        for i in p.members(c) {
            of_cell[i].push(k);
        }
    }
    loop {
        // Secondary suppression to a fixpoint: no constraint with exactly one hidden cell. A
        // constraint is looked at again only when one of its cells was hidden meanwhile.
        let mut queued = vec![true; p.constraints.len()];
        let mut queue: std::collections::VecDeque<usize> = (0..p.constraints.len()).collect();
        while let Some(k) = queue.pop_front() {
            queued[k] = false;
            let c = &p.constraints[k];
            let hidden = p.members(c).filter(|i| flags[*i] != Flag::Visible).count();
            if hidden == 1
                && let Some(i) = p.companion(c, &flags)
            {
                flags[i] = Flag::Secondary;
                for &k2 in &of_cell[i] {
                    if !queued[k2] {
                        queued[k2] = true;
                        queue.push_back(k2);
                    }
                }
            }
        }
        // Audit: a hidden cell narrowed below its protection gets one more companion per round.
        let b = bounds(p, &flags, threshold);
        let pinned: BTreeSet<usize> =
            (0..flags.len()).filter(|i| flags[*i] != Flag::Visible && under_protected(p.values[*i], b[*i], protection)).collect();
        // One companion per constraint per round: a companion often frees every pinned cell
        // of its constraint, and the next audit tells.
        let mut touched: BTreeSet<usize> = BTreeSet::new();
        let mut repaired = false;
        for i in pinned {
            if of_cell[i].iter().any(|k| touched.contains(k)) {
                continue;
            }
            let best = of_cell[i]
                .iter()
                .filter_map(|k| p.companion(&p.constraints[*k], &flags).map(|j| (*k, j)))
                .min_by_key(|(_, j)| p.preference(*j));
            if let Some((k, j)) = best {
                flags[j] = Flag::Secondary;
                touched.insert(k);
                repaired = true;
            }
        }
        if !repaired {
            let exposed = (0..flags.len()).filter(|i| flags[*i] != Flag::Visible && under_protected(p.values[*i], b[*i], protection)).collect();
            return Outcome { flags, exposed, bounds: b };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A group of graduates with four statuses, its n a published number.
    fn group(values: [i64; 4]) -> Problem {
        let mut p = Problem::default();
        let parts: Vec<usize> = values.iter().map(|v| p.cell(*v, Cost::Detail)).collect();
        p.constrain(Total::Known(values.iter().sum()), parts);
        p
    }

    #[test]
    fn one_small_count_takes_the_smallest_other_with_it() {
        // 3 + 7 = 10 once 3 is hidden: 7 goes with it, and 3 is then anything from 1 to 4.
        let p = group([3, 0, 12, 7]);
        let o = suppress(&p, 5, 3);
        assert_eq!(o.flags, [Flag::Primary, Flag::Visible, Flag::Visible, Flag::Secondary]);
        assert_eq!((o.bounds[0], o.bounds[3]), ((1, 4), (6, 9)));
    }

    #[test]
    fn two_small_counts_that_would_be_pinned_get_company() {
        // 1 + 1 = 2 when the rest is published: both would be known to be 1.
        let p = group([1, 1, 10, 6]);
        let o = suppress(&p, 5, 3);
        assert_eq!(o.flags[..2], [Flag::Primary, Flag::Primary]);
        assert_eq!(o.flags.iter().filter(|f| **f == Flag::Secondary).count(), 1);
        assert!(o.bounds.iter().zip(&o.flags).all(|(b, f)| *f == Flag::Visible || b.1 - b.0 + 1 >= 3), "{:?}", o.bounds);
    }

    #[test]
    fn two_possible_values_are_not_protection() {
        // 7 = 3 + 4 with nothing else to hide: each is 3 or 4, fewer than the 3 values asked.
        let mut p = Problem::default();
        let (a, b) = (p.cell(3, Cost::Detail), p.cell(4, Cost::Detail));
        p.constrain(Total::Known(7), vec![a, b]);
        let o = suppress(&p, 5, 3);
        assert_eq!(o.flags, [Flag::Primary, Flag::Primary]);
        assert_eq!((o.bounds[a], o.bounds[b]), ((3, 4), (3, 4)));
        assert_eq!(o.exposed, [a, b]);
        assert!(suppress(&p, 5, 2).exposed.is_empty(), "two values are enough when protection is 2");
        // With a zero beside them, hiding the zero protects both: 3 + 4 + 0 = 7 leaves each 1…4.
        let p = group([3, 4, 0, 5]);
        let o = suppress(&p, 5, 3);
        assert_eq!(o.flags, [Flag::Primary, Flag::Primary, Flag::Visible, Flag::Secondary], "a non-zero companion first");
        assert!(o.exposed.is_empty());
    }

    #[test]
    fn bounds_follow_from_row_and_column_sums() {
        // x + y = 5 with x hidden as 1-4 and y visible 3: x is 2.
        let mut p = Problem::default();
        let x = p.cell(2, Cost::Detail);
        let y = p.cell(3, Cost::Detail);
        p.constrain(Total::Known(5), vec![x, y]);
        let b = bounds(&p, &[Flag::Primary, Flag::Visible], 5);
        assert_eq!(b[x], (2, 2));
    }

    #[test]
    fn a_small_total_is_hidden_like_any_count() {
        // The association's total of 3 is a small count: no exemption for totals.
        let mut p = Problem::default();
        let a = p.cell(3, Cost::Detail);
        let total = p.cell(3, Cost::Total);
        p.constrain(Total::Cell(total), vec![a]);
        let o = suppress(&p, 5, 3);
        assert_eq!(o.flags, [Flag::Primary, Flag::Primary]);
        assert!(o.exposed.is_empty());
    }

    #[test]
    fn a_total_is_hidden_only_when_nothing_else_protects() {
        // 20 = a + T: the only other cell is the total, so it goes.
        let mut p = Problem::default();
        let a = p.cell(3, Cost::Detail);
        let t = p.cell(17, Cost::Total);
        p.constrain(Total::Known(20), vec![a, t]);
        assert_eq!(suppress(&p, 5, 3).flags, [Flag::Primary, Flag::Secondary]);
    }

    #[test]
    fn detail_cells_are_hidden_before_a_total_that_would_protect_as_well() {
        // T = a + b + c (16 = 3 + 5 + 8) and U = b + d (14 = 5 + 9), T and U association
        // totals. Hiding T alone would protect a (1…4); hiding b protects it as well (a + b =
        // 8) but then U gives b away, so d goes too. Two detail cells cost less than a total:
        // b and d are hidden, T and U stay published.
        let mut p = Problem::default();
        let a = p.cell(3, Cost::Detail);
        let b = p.cell(5, Cost::Detail);
        let c = p.cell(8, Cost::Detail);
        let d = p.cell(9, Cost::Detail);
        let t = p.cell(16, Cost::Total);
        let u = p.cell(14, Cost::Total);
        p.constrain(Total::Cell(t), vec![a, b, c]);
        p.constrain(Total::Cell(u), vec![b, d]);
        let o = suppress(&p, 5, 3);
        assert_eq!(o.flags, [Flag::Primary, Flag::Secondary, Flag::Visible, Flag::Secondary, Flag::Visible, Flag::Visible]);
        // a is 1…4, b = 8 − a is 4…7, d = 14 − b is 7…10.
        assert_eq!((o.bounds[a], o.bounds[b], o.bounds[d]), ((1, 4), (4, 7), (7, 10)));
    }
}
