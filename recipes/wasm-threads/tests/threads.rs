//! spawn, join and shared memory, on the browser main thread.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use wasm_bindgen_test::wasm_bindgen_test;
use wasm_threads::mandelbrot::{View, render, render_parallel};
use wasm_threads::{ThreadError, is_main_thread, lock_without_waiting, spawn};

#[wasm_bindgen_test]
async fn a_thread_returns_its_value_and_shares_memory() -> Result<(), ThreadError> {
    assert!(is_main_thread(), "these tests run on the main thread");
    let hits = Arc::new(AtomicU32::new(0));
    let theirs = Arc::clone(&hits);
    let handle = spawn(move || {
        theirs.fetch_add(5, Ordering::SeqCst);
        "from the worker".to_string()
    })
    .await?;
    assert_eq!(handle.join_async().await?, "from the worker");
    // The worker wrote to this thread's memory: the same `Arc`, not a copy.
    assert_eq!(hits.load(Ordering::SeqCst), 5);
    Ok(())
}

#[wasm_bindgen_test]
async fn threads_append_to_one_shared_vec() -> Result<(), ThreadError> {
    let shared = Arc::new(Mutex::new(Vec::new()));
    let mut handles = Vec::new();
    for t in 0..2u32 {
        let shared = Arc::clone(&shared);
        handles.push(
            spawn(move || {
                for i in 0..1000 {
                    shared.lock().map(|mut v| v.push(t * 1000 + i)).ok();
                }
            })
            .await?,
        );
    }
    for handle in handles {
        handle.join_async().await?;
    }
    let mut all = lock_without_waiting(&shared).clone();
    all.sort_unstable();
    assert_eq!(all, (0..2000).collect::<Vec<u32>>());
    Ok(())
}

#[wasm_bindgen_test]
async fn a_blocking_join_on_the_main_thread_is_an_error_not_a_trap() -> Result<(), ThreadError> {
    let handle = spawn(|| 1).await?;
    let joiner = handle.joiner();
    let err = joiner.join().expect_err("the main thread may not block");
    assert_eq!(err, ThreadError::MainThread);
    assert!(err.to_string().contains("join_async"), "{err}");
    // The handle is untouched: join it the way the error says.
    assert_eq!(handle.join_async().await?, 1);
    Ok(())
}

#[wasm_bindgen_test]
async fn a_worker_blocks_in_join_until_another_thread_finishes() -> Result<(), ThreadError> {
    let gate = Arc::new(AtomicU32::new(0));
    let theirs = Arc::clone(&gate);
    let producer = spawn(move || {
        // Wait until the consumer is (about to be) blocked in join.
        while theirs.load(Ordering::SeqCst) == 0 {
            std::hint::spin_loop();
        }
        21u64
    })
    .await?;
    let joiner = producer.joiner();
    let flag = Arc::clone(&gate);
    let consumer = spawn(move || {
        flag.store(1, Ordering::SeqCst);
        joiner.join().map(|v| v * 2)
    })
    .await?;
    assert_eq!(consumer.join_async().await?, Ok(42));
    // The producer's value went to the consumer: the second join says so.
    assert!(matches!(
        producer.join_async().await,
        Err(ThreadError::Lost(_))
    ));
    Ok(())
}

#[wasm_bindgen_test]
async fn a_panic_in_a_thread_comes_back_with_its_message() -> Result<(), ThreadError> {
    let handle = spawn(|| -> u32 { panic!("tile 7 is out of range") }).await?;
    match handle.join_async().await {
        Err(ThreadError::Panicked(message)) => {
            assert!(message.contains("tile 7 is out of range"), "{message}")
        }
        other => panic!("expected the panic message, got {other:?}"),
    }
    // A joiner in another worker gets the panic message too (the panic hook records it:
    // this build aborts on panic, so nothing else would).
    let failing = spawn(|| -> u32 { panic!("second failure") }).await?;
    let joiner = failing.joiner();
    let waiter = spawn(move || joiner.join()).await?;
    match waiter.join_async().await? {
        Err(ThreadError::Panicked(message)) => assert!(message.contains("second failure")),
        other => panic!("expected the panic message, got {other:?}"),
    }
    drop(failing);
    Ok(())
}

#[wasm_bindgen_test]
async fn parallel_mandelbrot_equals_the_serial_one() -> Result<(), ThreadError> {
    let view = View {
        width: 96,
        height: 64,
        ..View::default()
    };
    let serial = render(&view);
    for threads in [1, 2, 3] {
        assert_eq!(
            render_parallel(&view, threads).await?,
            serial,
            "{threads} threads"
        );
    }
    Ok(())
}
