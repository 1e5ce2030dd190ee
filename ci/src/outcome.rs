//! What a suite, or a part of one, found: the one result type of every check xtask runs.
//!
//! Each check either passes (a count) or fails with a problem a reader can act on (a line
//! naming what broke and where to look). A failed test run may count more failures than it
//! has lines to say (the test runner's own output names them), so `failed` is kept apart
//! from `problems`. The summary table of `cargo xtask test` adds outcomes up row by row.

use anyhow::Result;

/// Passes, failures and the problems that explain the failures.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Checks and tests that passed.
    pub(crate) passed: u64,
    /// Checks and tests that failed: at least one per problem.
    pub(crate) failed: u64,
    /// One line per failure, naming what broke and what to look at.
    pub(crate) problems: Vec<String>,
}

impl Outcome {
    /// Counts one check: a pass when `ok`, otherwise a failure with the problem `problem`
    /// builds (only called on failure).
    pub(crate) fn check(&mut self, ok: bool, problem: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.problem(problem());
        }
    }

    /// Counts one failure and says why.
    pub(crate) fn problem(&mut self, problem: impl Into<String>) {
        self.failed += 1;
        self.problems.push(problem.into());
    }

    /// Adds another outcome's counts and problems to this one.
    pub(crate) fn add(&mut self, other: Outcome) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.problems.extend(other.problems);
    }

    /// Adds a part's outcome, or one failure saying why the part could not run (its error
    /// prefixed with `what`).
    pub(crate) fn add_result(&mut self, part: Result<Outcome>, what: &str) {
        match part {
            Ok(o) => self.add(o),
            Err(e) => self.problem(format!("{what}: {e:#}")),
        }
    }

    /// The same outcome with each problem prefixed by `what: ` (the suite's name).
    pub(crate) fn prefixed(mut self, what: &str) -> Outcome {
        for p in &mut self.problems {
            *p = format!("{what}: {p}");
        }
        self
    }

    /// Checks run: passed and failed.
    pub(crate) fn checked(&self) -> u64 {
        self.passed + self.failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_counts_a_pass_or_a_failure_with_its_problem() {
        let mut o = Outcome::default();
        o.check(true, || unreachable!("only built on failure"));
        o.check(false, || "broken".into());
        assert_eq!((o.passed, o.failed, o.checked()), (1, 1, 2));
        assert_eq!(o.problems, ["broken"]);
    }

    #[test]
    fn parts_add_up_and_an_error_is_one_failure() {
        let mut row = Outcome {
            passed: 3,
            ..Outcome::default()
        };
        let part = Outcome {
            passed: 2,
            failed: 4,
            problems: vec!["a test failed".into()],
        };
        row.add_result(Ok(part), "e2e");
        row.add_result(Err(anyhow::anyhow!("no driver")), "e2e: state-sync");
        assert_eq!((row.passed, row.failed), (5, 5));
        assert_eq!(
            row.problems,
            ["a test failed", "e2e: state-sync: no driver"]
        );
    }

    #[test]
    fn prefixed_names_the_suite_on_every_problem() {
        let mut o = Outcome::default();
        o.problem("x");
        o.problem("y");
        assert_eq!(o.prefixed("lint").problems, ["lint: x", "lint: y"]);
    }
}
