//! Real pools of workers started from the browser's main thread (Chromium, Firefox, WebKit),
//! each worker running this same test module.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use wasm_rs_worker::glue_url;
use web_sys::{BroadcastChannel, MessageEvent};
use worker_pool::{Job, Pool, PoolError, PoolOptions, count_primes, prime_jobs};

async fn pool(workers: usize, max_attempts: u32) -> Pool<Job, u64> {
    let options = PoolOptions {
        workers: Some(workers),
        max_attempts,
    };
    Pool::start(&glue_url().unwrap(), "pool_worker", options)
        .await
        .unwrap()
}

#[wasm_bindgen_test]
async fn results_come_back_in_input_order() {
    let mut pool = pool(3, 3).await;
    assert_eq!(pool.size(), 3);
    // Uneven jobs (the big ones first), so later jobs finish before earlier ones.
    let mut jobs: Vec<Job> = (0..4)
        .map(|i| Job::CountPrimes {
            start: 0,
            end: 60_000 - i * 15_000,
        })
        .collect();
    jobs.extend(prime_jobs(12, 500));
    let expected: Vec<u64> = jobs
        .iter()
        .map(|job| match job {
            Job::CountPrimes { start, end } => count_primes(*start..*end),
            Job::Crash { .. } => unreachable!("no crash jobs here"),
        })
        .collect();
    assert_eq!(pool.run(&jobs).await.unwrap(), expected);
    // The pool serves a second run with the same workers.
    assert_eq!(pool.run(&jobs[4..]).await.unwrap(), expected[4..]);
}

#[wasm_bindgen_test]
async fn the_default_size_follows_hardware_concurrency_with_two_workers_at_least() {
    let pool = Pool::<Job, u64>::start(&glue_url().unwrap(), "pool_worker", PoolOptions::default())
        .await
        .unwrap();
    let cores = worker_pool::hardware_concurrency();
    assert_eq!(pool.size(), worker_pool::default_worker_count(cores));
    // Every engine here reports at least two cores on this machine, and a pool of two or
    // more is what gives parallelism there.
    if cores.is_some_and(|c| c >= 2) {
        assert!(
            pool.size() >= 2,
            "{cores:?} cores gave {} worker(s)",
            pool.size()
        );
    }
}

#[wasm_bindgen_test]
async fn a_job_that_kills_its_worker_is_retried_on_a_fresh_worker() {
    // One worker: #0. The crash job kills it on attempt 1; its retry runs on #1, which also
    // serves the jobs after it.
    let mut pool = pool(1, 3).await;
    let jobs = [
        Job::CountPrimes { start: 0, end: 100 },
        Job::Crash { attempts: 1 },
        Job::CountPrimes {
            start: 0,
            end: 1000,
        },
    ];
    let results = pool.run(&jobs).await.unwrap();
    assert_eq!(results, [25, 1, 168]);
    // Two crashing attempts: #1 and #2 die, #3 answers.
    let results = pool.run(&[Job::Crash { attempts: 2 }]).await.unwrap();
    assert_eq!(results, [3]);
}

#[wasm_bindgen_test]
async fn retries_are_bounded_and_the_error_carries_the_panic_message() {
    let mut pool = pool(2, 2).await;
    let jobs = [
        Job::CountPrimes { start: 0, end: 100 },
        Job::Crash { attempts: u32::MAX },
    ];
    let error = pool.run(&jobs).await.unwrap_err();
    match &error {
        PoolError::RetriesExhausted {
            job,
            attempts,
            last_error,
        } => {
            assert_eq!((*job, *attempts), (1, 2));
            assert!(
                last_error.contains("Job::Crash on attempt 2"),
                "{last_error}"
            );
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    // The pool recovers: fresh workers serve the next run.
    let results = pool.run(&jobs[..1]).await.unwrap();
    assert_eq!(results, [25]);
}

/// A test job: start posting on a BroadcastChannel every 5 ms, from the worker's event
/// loop, and answer at once. The posts stop only when the worker is terminated.
#[wasm_bindgen]
pub async fn pool_heartbeat_worker() -> Result<(), JsValue> {
    worker_pool::serve_jobs(|name: String, context: worker_pool::JobContext| {
        let channel = BroadcastChannel::new(&name).unwrap();
        let beat = Closure::<dyn FnMut()>::new(move || {
            let _ = channel.post_message(&JsValue::from(context.worker));
        });
        let set_interval: js_sys::Function =
            js_sys::Reflect::get(&js_sys::global(), &"setInterval".into())
                .unwrap()
                .into();
        set_interval
            .call2(&JsValue::NULL, beat.as_ref(), &JsValue::from(5))
            .unwrap();
        beat.forget();
        context.worker
    })
    .await
}

async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function =
            js_sys::Reflect::get(&js_sys::global(), &"setTimeout".into())
                .unwrap()
                .into();
        set_timeout
            .call2(&JsValue::NULL, &resolve, &JsValue::from(ms))
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn dropping_the_pool_terminates_its_workers() {
    let name = format!("worker-pool-heartbeat-{}", js_sys::Math::random());
    let beats = Rc::new(Cell::new(0u32));
    let listener = BroadcastChannel::new(&name).unwrap();
    let counter = beats.clone();
    let on_beat = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
        counter.set(counter.get() + 1);
    });
    listener.set_onmessage(Some(on_beat.as_ref().unchecked_ref()));

    let options = PoolOptions {
        workers: Some(2),
        max_attempts: 1,
    };
    let mut pool =
        Pool::<String, u32>::start(&glue_url().unwrap(), "pool_heartbeat_worker", options)
            .await
            .unwrap();
    let workers = pool.run(&[name.clone(), name.clone()]).await.unwrap();
    assert_eq!(workers.len(), 2);
    // Wait (bounded) until the workers' timers are heard.
    for _ in 0..100 {
        if beats.get() >= 4 {
            break;
        }
        sleep(20).await;
    }
    assert!(
        beats.get() >= 4,
        "the workers' timers post while the pool lives"
    );

    drop(pool);
    // Messages already in flight may still arrive (generously bounded for a busy machine);
    // then nothing more.
    sleep(250).await;
    let after_drop = beats.get();
    sleep(300).await;
    assert_eq!(
        beats.get(),
        after_drop,
        "no worker posts after the pool is dropped"
    );
    listener.close();
}
