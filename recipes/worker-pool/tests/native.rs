//! The pool's bookkeeping and wire format natively: a simulated pool whose "workers" are
//! closures that may die, driven through the same `Schedule`.
#![cfg(not(target_arch = "wasm32"))]

use worker_pool::{
    JobContext, PoolError, PoolOptions, Schedule, count_primes, decode_result,
    default_worker_count, encode_job, run_encoded_job,
};

/// The results of a simulated run, and the (job, attempt) pairs in the order they ran.
type Simulated = (Vec<u64>, Vec<(usize, u32)>);

/// Runs `jobs` on `workers` simulated workers in round-robin; `dies(job, attempt)` says
/// whether that attempt kills its worker. Returns the results, or the pool's error.
fn simulate(
    jobs: &[u64],
    workers: usize,
    max_attempts: u32,
    dies: impl Fn(usize, u32) -> bool,
) -> Result<Simulated, PoolError> {
    let mut schedule = Schedule::new(jobs.len(), max_attempts);
    let mut log = Vec::new();
    let mut running: Vec<Option<(usize, u32)>> = vec![None; workers];
    loop {
        let mut progressed = false;
        for slot in running.iter_mut() {
            if slot.is_none() {
                *slot = schedule.next_job();
            }
        }
        // Finish in reverse slot order, so completions arrive out of input order.
        for slot in running.iter_mut().rev() {
            if let Some((index, attempt)) = slot.take() {
                progressed = true;
                log.push((index, attempt));
                if dies(index, attempt) {
                    schedule.worker_died(index, format!("job {index} panicked"))?;
                } else {
                    schedule.complete(index, jobs[index] * 2);
                }
            }
        }
        if !progressed {
            break;
        }
    }
    Ok((schedule.into_results()?, log))
}

#[test]
fn results_come_back_in_input_order_whatever_the_completion_order() {
    let jobs: Vec<u64> = (0..17).collect();
    let (results, log) = simulate(&jobs, 3, 3, |_, _| false).unwrap();
    assert_eq!(results, jobs.iter().map(|j| j * 2).collect::<Vec<_>>());
    // Completion order was not input order.
    let order: Vec<usize> = log.iter().map(|(i, _)| *i).collect();
    assert_ne!(order, (0..17).collect::<Vec<_>>());
}

#[test]
fn a_job_whose_worker_died_is_retried_and_succeeds() {
    let jobs: Vec<u64> = (0..5).collect();
    let (results, log) = simulate(&jobs, 2, 3, |job, attempt| job == 3 && attempt < 3).unwrap();
    assert_eq!(results, [0, 2, 4, 6, 8]);
    let tries: Vec<u32> = log
        .iter()
        .filter(|(i, _)| *i == 3)
        .map(|(_, a)| *a)
        .collect();
    assert_eq!(tries, [1, 2, 3]);
}

#[test]
fn retries_are_bounded_and_the_error_names_the_job() {
    let jobs: Vec<u64> = (0..4).collect();
    let error = simulate(&jobs, 2, 3, |job, _| job == 2).unwrap_err();
    assert_eq!(
        error,
        PoolError::RetriesExhausted {
            job: 2,
            attempts: 3,
            last_error: "job 2 panicked".into()
        }
    );
    let text = error.to_string();
    assert!(
        text.contains("job 2") && text.contains("max_attempts"),
        "{text}"
    );
}

#[test]
fn max_attempts_of_one_means_no_retry_and_zero_is_one() {
    for max in [0, 1] {
        let error = simulate(&[1], 1, max, |_, _| true).unwrap_err();
        assert!(
            matches!(error, PoolError::RetriesExhausted { attempts: 1, .. }),
            "{error:?}"
        );
    }
}

#[test]
fn worker_count_leaves_a_core_to_the_main_thread_but_keeps_two_workers() {
    assert_eq!(default_worker_count(Some(16)), 15);
    assert_eq!(default_worker_count(Some(4)), 3);
    assert_eq!(default_worker_count(Some(3)), 2);
    // Two cores still get two workers: real parallelism where a pool's main thread waits.
    assert_eq!(default_worker_count(Some(2)), 2);
    assert_eq!(default_worker_count(Some(1)), 1);
    assert_eq!(default_worker_count(Some(0)), 1);
    assert_eq!(default_worker_count(None), 2);
    assert_eq!(PoolOptions::default().workers, None);
}

#[test]
fn jobs_and_results_round_trip_through_the_wire_format() {
    let context = JobContext {
        worker: 4,
        attempt: 2,
    };
    let bytes = encode_job(9, context, &(10u64..20)).unwrap();
    let result = run_encoded_job(&bytes, |range: std::ops::Range<u64>, seen: JobContext| {
        assert_eq!(seen, context);
        count_primes(range)
    });
    assert_eq!(decode_result::<u64>(&result).unwrap(), (9, 4));
}

#[test]
fn a_job_of_the_wrong_type_is_answered_with_an_error() {
    // A job with no payload, where the worker expects a Range<u64> (postcard is not
    // self-describing: the decoder runs out of bytes).
    let bytes = encode_job(
        3,
        JobContext {
            worker: 0,
            attempt: 1,
        },
        &(),
    )
    .unwrap();
    let result = run_encoded_job(&bytes, |range: std::ops::Range<u64>, _| count_primes(range));
    let error = decode_result::<u64>(&result).unwrap_err();
    assert!(matches!(error, PoolError::Codec(_)), "{error:?}");
    assert!(
        error.to_string().contains("same job and result types"),
        "{error}"
    );
    // Garbage is answered too, never a panic.
    assert!(decode_result::<u64>(&run_encoded_job(&[0xff; 3], |n: u64, _| n)).is_err());
}

#[test]
fn count_primes_is_right() {
    assert_eq!(count_primes(0..100), 25);
    assert_eq!(count_primes(0..10_000), 1229);
    assert_eq!(count_primes(0..5_000) + count_primes(5_000..10_000), 1229);
}
