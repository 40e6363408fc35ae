//! A time budget for one report: a deadline that extraction's loops poll, so that a report
//! which would take too long stops early instead of holding a worker thread.
//!
//! Cooperative, because a thread cannot be stopped from outside in Rust: the stages look at the
//! budget between them and every [`POLL_EVERY`] turns of their loops over hits, titles,
//! quotations and mentions, and once it is spent they stop their loops early; the pipeline then
//! throws the partial result away and reports [`OverBudget`]. Nothing else changes: within its
//! budget a report gives exactly the extraction it gives without one. The clock is read once
//! per [`POLL_EVERY`] polls, so the check costs nothing measurable.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Loops look at the clock once per this many polls.
pub const POLL_EVERY: u32 = 1024;

/// A report's time budget (see the module documentation).
#[derive(Debug)]
pub struct Budget {
    limit: Duration,
    deadline: Option<Instant>,
    polls: AtomicU32,
    spent: AtomicBool,
}

/// A report went over its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("took longer than its budget of {} s", .0.as_secs_f64())]
pub struct OverBudget(pub Duration);

/// The budget of callers that set none.
pub static UNLIMITED: Budget = Budget::unlimited();

impl Budget {
    /// No deadline: never spent.
    pub const fn unlimited() -> Self {
        Self {
            limit: Duration::MAX,
            deadline: None,
            polls: AtomicU32::new(0),
            spent: AtomicBool::new(false),
        }
    }

    /// A budget that runs out `limit` from now.
    pub fn from_now(limit: Duration) -> Self {
        Self {
            limit,
            deadline: Instant::now().checked_add(limit),
            ..Self::unlimited()
        }
    }

    /// The error saying this budget was spent.
    pub fn over(&self) -> OverBudget {
        OverBudget(self.limit)
    }

    /// For a loop: true once the deadline has passed (the clock is read every
    /// [`POLL_EVERY`] calls).
    #[inline]
    pub fn spent(&self) -> bool {
        if self.deadline.is_none() {
            return false;
        }
        if self.spent.load(Ordering::Relaxed) {
            return true;
        }
        let polls = self.polls.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        polls.is_multiple_of(POLL_EVERY) && self.check()
    }

    /// Between stages: reads the clock now.
    pub fn check(&self) -> bool {
        let Some(deadline) = self.deadline else {
            return false;
        };
        let spent = self.spent.load(Ordering::Relaxed) || Instant::now() >= deadline;
        if spent {
            self.spent.store(true, Ordering::Relaxed);
        }
        spent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unlimited_budget_is_never_spent() {
        for _ in 0..3 * POLL_EVERY {
            assert!(!UNLIMITED.spent());
        }
        assert!(!UNLIMITED.check());
    }

    #[test]
    fn a_passed_deadline_is_seen_within_a_poll_period() {
        let budget = Budget::from_now(Duration::ZERO);
        assert!(budget.check());
        let budget = Budget::from_now(Duration::ZERO);
        let polls = (1..=POLL_EVERY).find(|_| budget.spent());
        assert_eq!(polls, Some(POLL_EVERY));
        assert!(budget.spent(), "stays spent");
        assert!(!Budget::from_now(Duration::from_secs(3600)).check());
    }
}
