//! What a cell did, and whether that is what [`EXPECTED`](crate::EXPECTED) says.

use std::fmt;

use crate::table::{Executor, Outcome, Place, Workload, expected};
use crate::workloads::ANSWER;

/// What running one cell showed. Produced by [`observe`](crate::observe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// The workload finished with this value ([`ANSWER`] when it worked).
    Finished(u64),
    /// The workload needs a spawn API the executor does not have.
    NoSpawn,
    /// It panicked with this message.
    Panicked(String),
    /// No result came within the watchdog's time.
    NoResult,
}

impl Observed {
    /// Whether this observation is the outcome `expected`.
    ///
    /// ```
    /// use executor_compatibility::{Observed, Outcome, Why};
    /// let seen = Observed::Panicked("condvar wait not supported".into());
    /// assert!(seen.matches(Outcome::Panics(Why::CondvarWait)));
    /// assert!(!seen.matches(Outcome::Works));
    /// ```
    pub fn matches(&self, expected: Outcome) -> bool {
        match (self, expected) {
            (Observed::Finished(v), Outcome::Works) => *v == ANSWER,
            (Observed::NoSpawn, Outcome::DoesNotCompile(_)) => true,
            (Observed::Panicked(message), Outcome::Panics(why)) => {
                message.contains(why.panic_message())
            }
            (Observed::NoResult, Outcome::Hangs(_)) => true,
            _ => false,
        }
    }
}

/// A cell did something other than what [`EXPECTED`](crate::EXPECTED) says.
///
/// ```
/// use executor_compatibility::{Executor, Observed, Place, Workload, verdict};
/// let err = verdict(Executor::WasmRs, Workload::Timer, Place::Native, &Observed::NoResult)
///     .unwrap_err();
/// assert!(err.to_string().contains("update EXPECTED"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The cell's executor.
    pub executor: Executor,
    /// The cell's workload.
    pub workload: Workload,
    /// Where it ran.
    pub place: Place,
    /// What the table says.
    pub expected: Outcome,
    /// What happened.
    pub observed: Observed,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Mismatch {
            executor,
            workload,
            place,
            expected,
            observed,
        } = self;
        write!(
            f,
            "{executor} × {workload} in {place}: EXPECTED says {expected:?}, but it did \
             {observed:?}. If the behaviour really changed, update EXPECTED in src/table.rs, \
             the page's explanation, and review the table snapshot \
             (`cargo insta review -p executor-compatibility`)."
        )
    }
}

impl std::error::Error for Mismatch {}

/// Compares what a cell did here with the table.
///
/// ```
/// use executor_compatibility::{Executor, Observed, Place, Workload, ANSWER, verdict};
/// assert!(verdict(Executor::WasmRs, Workload::Timer, Place::Native, &Observed::Finished(ANSWER)).is_ok());
/// assert!(verdict(Executor::WasmRs, Workload::Timer, Place::Native, &Observed::NoResult).is_err());
/// ```
pub fn verdict(
    executor: Executor,
    workload: Workload,
    place: Place,
    observed: &Observed,
) -> Result<(), Mismatch> {
    let want = expected(executor, workload, place);
    if observed.matches(want) {
        Ok(())
    } else {
        Err(Mismatch {
            executor,
            workload,
            place,
            expected: want,
            observed: observed.clone(),
        })
    }
}
