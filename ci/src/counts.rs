//! What cargo and libtest say in their output: how many tests passed and failed, and how
//! long cargo spent building. Every suite that runs tests reads its commands' output here.
//!
//! A leaf: it uses no other module of this crate.

use std::sync::LazyLock;

use regex::Regex;

/// Test counts read from libtest-style output (cargo test and wasm-bindgen-test-runner
/// both print `test result: ok. N passed; M failed; ...`).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
}

static RESULT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed").expect("valid regex")
});

pub(crate) fn parse_counts(output: &str) -> Counts {
    let mut c = Counts::default();
    for cap in RESULT_LINE.captures_iter(output) {
        c.passed += cap[1].parse::<u64>().unwrap_or(0);
        c.failed += cap[2].parse::<u64>().unwrap_or(0);
    }
    c
}

/// `Finished `test` profile [...] target(s) in 12.34s` (or `in 2m 05s` past a minute): cargo
/// is done building and the tests start.
static FINISHED_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Finished\b.*? in (?:(\d+)m )?(\d+(?:\.\d+)?)s\s*$").expect("valid regex")
});

/// Seconds cargo spent building in one command's output: the sum of its `Finished` lines,
/// `None` if it printed none (then build and run time cannot be told apart).
pub(crate) fn parse_build_seconds(output: &str) -> Option<f64> {
    let mut total = None;
    for line in output.lines() {
        if let Some(cap) = FINISHED_LINE.captures(line) {
            let minutes = cap
                .get(1)
                .map_or(0.0, |m| m.as_str().parse().unwrap_or(0.0));
            let seconds: f64 = cap[2].parse().unwrap_or(0.0);
            *total.get_or_insert(0.0) += minutes * 60.0 + seconds;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_over_binaries() {
        let out = "running 2 tests\n\
                   test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n\
                   test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(
            parse_counts(out),
            Counts {
                passed: 5,
                failed: 1
            }
        );
        assert_eq!(parse_counts("no tests to run!"), Counts::default());
    }

    #[test]
    fn build_seconds_are_read_from_cargos_finished_lines() {
        let out = "   Compiling demo v0.1.0\n\
                   \x20   Finished `test` profile [unoptimized + debuginfo] target(s) in 12.34s\n\
                   \x20    Running tests/a.rs (target/debug/deps/a-123)\n\
                   test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 3.00s\n\
                   \x20   Finished `release` profile [optimized] target(s) in 2m 05s\n";
        let build = parse_build_seconds(out).unwrap();
        assert!((build - 137.34).abs() < 1e-9, "{build}");
        // Colored output, and the older `Finished dev [...]` wording.
        let colored = "\x1b[1m\x1b[92m    Finished\x1b[0m dev [unoptimized] target(s) in 0.50s\n";
        assert_eq!(parse_build_seconds(colored), Some(0.5));
        // libtest's own `finished in` and a command without a build say nothing.
        assert_eq!(
            parse_build_seconds("test result: ok. 1 passed; finished in 3.00s\n"),
            None
        );
        assert_eq!(parse_build_seconds(""), None);
    }
}
