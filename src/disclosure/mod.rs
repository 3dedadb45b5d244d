//! Disclosure control as a problem on cells and linear constraints, independent of any table
//! layout: which counts are hidden so that no small count can be read or recovered from what is
//! published together.
//!
//! In: the cells (true counts), which of them are association totals, and the constraints that
//! tie them (a group's status counts add up to its graduates; members add up to the
//! association; orientations to the qualification…). Out: a [`Flag`] per cell.
//!
//! - **Primary**: a count from 1 to `threshold − 1` is hidden. Association totals are exempt
//!   where their group has at least `threshold` graduates.
//! - **Secondary**: a constraint with exactly one hidden cell would give it away, so another
//!   cell of it is hidden: the smallest non-zero one first. Exempt association totals are
//!   published as the rule says and never hidden.
//! - What no hiding can protect is reported, not counted as protected: [`Outcome::exposed`]
//!   lists hidden non-zero counts whose value still follows from the published figures — a
//!   member who alone makes up an exempt association total, or a group whose graduates are
//!   all in `1-4` cells of 1 (six graduates, six statuses of one each).
//! - **Audit**: interval bounds are propagated through every constraint (what a reader can
//!   work out from the published figures, knowing a `1-4` cell is between 1 and 4); a hidden
//!   cell whose bounds close to one value gets company, and the audit runs again.

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

/// A disclosure problem.
#[derive(Clone, Debug, Default)]
pub struct Problem {
    /// True counts.
    pub values: Vec<i64>,
    /// Association totals whose group is large enough to publish: exempt from suppression.
    pub exempt: Vec<bool>,
    /// Constraints tying the cells.
    pub constraints: Vec<Constraint>,
}

impl Problem {
    /// Adds a cell; returns its index.
    pub fn cell(&mut self, value: i64, exempt: bool) -> usize {
        self.values.push(value);
        self.exempt.push(exempt);
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

    /// The order in which cells are chosen as companions: non-zero before zero, small first.
    fn preference(&self, i: usize) -> (bool, i64, usize) {
        (self.values[i] == 0, self.values[i], i)
    }

    /// The next cell to hide in a constraint: the smallest non-zero visible cell that is not
    /// exempt. None when there is none.
    fn companion(&self, c: &Constraint, flags: &[Flag]) -> Option<usize> {
        self.members(c).filter(|i| flags[*i] == Flag::Visible && !self.exempt[*i]).min_by_key(|i| self.preference(*i))
    }
}

/// Bounds a reader can derive for every cell, by interval propagation.
pub fn bounds(p: &Problem, flags: &[Flag], threshold: i64) -> Vec<(i64, i64)> {
    const INF: i64 = i64::MAX / 4;
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
    /// Hidden non-zero cells whose value still follows from the published figures (a hidden
    /// zero that can be worked out gives nobody away).
    pub exposed: Vec<usize>,
}

/// Decides what to hide.
pub fn suppress(p: &Problem, threshold: i64) -> Outcome {
    let mut flags: Vec<Flag> = p
        .values
        .iter()
        .zip(&p.exempt)
        .map(|(v, exempt)| if !exempt && *v >= 1 && *v < threshold { Flag::Primary } else { Flag::Visible })
        .collect();
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
        // Audit: a hidden cell pinned to one value gets one more companion per round.
        let b = bounds(p, &flags, threshold);
        let pinned: BTreeSet<usize> = (0..flags.len()).filter(|i| flags[*i] != Flag::Visible && b[*i].0 == b[*i].1 && b[*i].0 > 0).collect();
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
            let b = bounds(p, &flags, threshold);
            let exposed = (0..flags.len()).filter(|i| flags[*i] != Flag::Visible && b[*i].0 == b[*i].1 && b[*i].0 > 0).collect();
            return Outcome { flags, exposed };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A group of graduates n = 10 with four statuses.
    fn group(values: [i64; 4]) -> Problem {
        let mut p = Problem::default();
        let parts: Vec<usize> = values.iter().map(|v| p.cell(*v, false)).collect();
        p.constrain(Total::Known(values.iter().sum()), parts);
        p
    }

    #[test]
    fn one_small_count_takes_the_smallest_other_with_it() {
        let p = group([3, 0, 12, 7]);
        assert_eq!(suppress(&p, 5).flags, [Flag::Primary, Flag::Visible, Flag::Visible, Flag::Secondary]);
    }

    #[test]
    fn two_small_counts_that_would_be_pinned_get_company() {
        // 1 + 1 = 2 when the rest is published: both would be known to be 1.
        let p = group([1, 1, 10, 6]);
        let flags = suppress(&p, 5).flags;
        assert_eq!(flags[..2], [Flag::Primary, Flag::Primary]);
        assert_eq!(flags.iter().filter(|f| **f == Flag::Secondary).count(), 1);
        let b = bounds(&p, &flags, 5);
        assert!(b.iter().zip(&flags).all(|(b, f)| *f == Flag::Visible || b.0 < b.1), "{b:?}");
    }

    #[test]
    fn bounds_follow_from_row_and_column_sums() {
        // x + y = 5 with x hidden as 1-4 and y visible 3: x is 2.
        let mut p = Problem::default();
        let x = p.cell(2, false);
        let y = p.cell(3, false);
        p.constrain(Total::Known(5), vec![x, y]);
        let b = bounds(&p, &[Flag::Primary, Flag::Visible], 5);
        assert_eq!(b[x], (2, 2));
    }

    #[test]
    fn an_exempt_total_stays_and_a_single_contributor_is_reported_exposed() {
        let mut p = Problem::default();
        let a = p.cell(3, false);
        let b = p.cell(9, false);
        let total = p.cell(12, true);
        p.constrain(Total::Cell(total), vec![a, b]);
        let o = suppress(&p, 5);
        assert_eq!(o.flags, [Flag::Primary, Flag::Secondary, Flag::Visible], "the other member protects it");
        assert!(o.exposed.is_empty());
        let mut p = Problem::default();
        let only = p.cell(3, false);
        let total = p.cell(3, true);
        p.constrain(Total::Cell(total), vec![only]);
        let o = suppress(&p, 5);
        assert_eq!(o.flags, [Flag::Primary, Flag::Visible]);
        assert_eq!(o.exposed, [only], "a single contributor's count follows from the exempt total");
    }
}
