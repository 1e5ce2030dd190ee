//! The job processor, tested with the same code natively and on WASI (each async test under
//! the executor's `block_on`), in Node, and in browsers (main thread and dedicated worker).
//! The browser glue itself is tested where it exists, on wasm32-unknown-unknown.

use std::time::Duration;

use one_core_three_hosts::{Job, Limits, Outcome, Report, process, sample_jobs};
use wasm_rs_async_executor::Instant;

/// What every host prints for the sample jobs (the command's output, byte for byte).
const SAMPLE_REPORT: &str = "\
job 1 resize: done after 1 attempt
job 2 upload: done after 3 attempts
job 3 transcode: timed out after 1 attempt
job 4 notify: failed (transient failure on attempt 3) after 3 attempts
job 5 index: done after 1 attempt
5 jobs: 3 done, 1 timed out, 1 failed, 9 attempts";

use wasm_rs_async_executor::async_test;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn outcomes(report: &Report) -> Vec<(u32, Outcome, u32)> {
    report
        .jobs
        .iter()
        .map(|j| (j.id, j.outcome.clone(), j.attempts))
        .collect()
}

async_test! {
    async fn jobs_that_succeed_are_done_once_each_and_listed_by_id() {
        // Submitted in reverse id order, finishing in yet another order: listed by id.
        let jobs = vec![
            Job::new(4, "d", ms(5)),
            Job::new(3, "c", ms(20)),
            Job::new(2, "b", ms(1)),
            Job::new(1, "a", ms(10)),
        ];
        let report = process(jobs, Limits::default()).await;
        assert_eq!(
            outcomes(&report),
            [
                (1, Outcome::Done, 1),
                (2, Outcome::Done, 1),
                (3, Outcome::Done, 1),
                (4, Outcome::Done, 1),
            ]
        );
        assert_eq!(report.jobs[0].name, "a");
        assert_eq!(report.to_string().lines().last(), Some("4 jobs: 4 done, 0 timed out, 0 failed, 4 attempts"));
    }
}

async_test! {
    async fn a_job_over_its_deadline_times_out_and_is_not_retried() {
        let limits = Limits { deadline: ms(20), ..Limits::default() };
        let jobs = vec![Job::new(1, "slow", Duration::from_secs(30)), Job::new(2, "fast", ms(2))];
        let start = Instant::now();
        let report = process(jobs, limits).await;
        assert_eq!(outcomes(&report), [(1, Outcome::TimedOut, 1), (2, Outcome::Done, 1)]);
        // The slow job was dropped at its deadline, not waited for.
        assert!(start.elapsed() < Duration::from_secs(30), "took {:?}", start.elapsed());
    }
}

async_test! {
    async fn a_failing_job_is_retried_with_backoff_until_it_succeeds() {
        let limits = Limits { attempts: 3, backoff: ms(10), ..Limits::default() };
        let start = Instant::now();
        let report = process(vec![Job::new(7, "flaky", ms(2)).failing_first(2)], limits).await;
        assert_eq!(outcomes(&report), [(7, Outcome::Done, 3)]);
        // Three attempts of 2 ms, and the backoff before retries 1 and 2: 10 ms, then 20 ms.
        let least = ms(3 * 2 + 10 + 20);
        assert!(start.elapsed() >= least, "took {:?}, at least {least:?} expected", start.elapsed());
    }
}

async_test! {
    async fn a_job_that_keeps_failing_exhausts_its_attempts() {
        let limits = Limits { attempts: 4, backoff: ms(1), ..Limits::default() };
        let jobs = vec![Job::new(1, "broken", ms(1)).failing_first(10), Job::new(2, "fine", ms(1))];
        let report = process(jobs, limits).await;
        assert_eq!(
            outcomes(&report),
            [
                (1, Outcome::Failed("transient failure on attempt 4".into()), 4),
                (2, Outcome::Done, 1),
            ]
        );
        assert_eq!(report.attempts(), 5);
    }
}

async_test! {
    async fn the_worker_count_bounds_how_many_jobs_run_at_once() {
        let jobs = || (1..=6).map(|id| Job::new(id, "work", ms(40))).collect::<Vec<_>>();
        for (workers, expected_peak) in [(2, 2), (3, 3), (0, 1), (10, 6)] {
            let limits = Limits { workers, ..Limits::default() };
            let report = process(jobs(), limits).await;
            assert_eq!(report.count(|o| *o == Outcome::Done), 6, "{workers} workers: {report}");
            assert_eq!(report.peak_in_flight, expected_peak, "{workers} workers");
        }
    }
}

async_test! {
    async fn no_jobs_give_an_empty_report() {
        let report = process(Vec::new(), Limits::default()).await;
        assert!(report.jobs.is_empty());
        assert_eq!(report.to_string(), "0 jobs: 0 done, 0 timed out, 0 failed, 0 attempts");
    }
}

async_test! {
    async fn the_sample_jobs_give_the_same_report_on_every_host() {
        let report = process(sample_jobs(), Limits::default()).await;
        assert_eq!(report.to_string(), SAMPLE_REPORT);
        assert_eq!(report.peak_in_flight, 2);
    }
}

/// The browser glue itself, on the main thread and in a dedicated worker (and in Node).
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn the_browser_entry_resolves_to_the_same_report() {
    let text = one_core_three_hosts::web::run_in_browser().await;
    assert_eq!(text, SAMPLE_REPORT);
}

// Not `wasm_bindgen_test(unsupported = test)`: on WASI that drops the test without a word.
#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    wasm_bindgen_test::wasm_bindgen_test
)]
#[cfg_attr(not(all(target_family = "wasm", target_os = "unknown")), test)]
fn the_report_prints_no_timings() {
    let report = Report {
        jobs: vec![one_core_three_hosts::JobReport {
            id: 9,
            name: "x".into(),
            outcome: Outcome::TimedOut,
            attempts: 1,
        }],
        peak_in_flight: 1,
    };
    assert_eq!(
        report.to_string(),
        "job 9 x: timed out after 1 attempt\n1 job: 0 done, 1 timed out, 0 failed, 1 attempt"
    );
    assert!(!report.to_string().contains("ms"), "{report}");
}
