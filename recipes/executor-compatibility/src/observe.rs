//! What a cell did, and whether that is what [`EXPECTED`](crate::EXPECTED) says.

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

/// Compares what a cell did here with the table; the error says what to change.
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
) -> Result<(), String> {
    let want = expected(executor, workload, place);
    if observed.matches(want) {
        Ok(())
    } else {
        Err(format!(
            "{executor} × {workload} in {place}: EXPECTED says {want:?}, but it did {observed:?}. \
             If the behaviour really changed, update EXPECTED in src/table.rs and review the \
             table snapshot."
        ))
    }
}
