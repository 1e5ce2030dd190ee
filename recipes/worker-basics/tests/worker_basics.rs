//! The job natively, and in a real worker from each declared host (Node.js, and the main
//! thread and a dedicated worker of Chromium, Firefox and WebKit).

use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn sums_squares_and_refuses_overflow() {
    assert_eq!(worker_basics::sum_of_squares(0), Some(0));
    assert_eq!(worker_basics::sum_of_squares(10), Some(385));
    // 1² + … + n² = n(n+1)(2n+1)/6 passes u64::MAX between n = 3,810,777 and 3,810,778.
    assert!(worker_basics::sum_of_squares(3_810_777).is_some());
    assert_eq!(worker_basics::sum_of_squares(3_810_779), None);
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod in_a_worker {
    use wasm_bindgen_test::wasm_bindgen_test;
    use wasm_rs_worker::WorkerError;

    #[wasm_bindgen_test]
    async fn the_worker_computes_the_sum() {
        assert_eq!(worker_basics::sum_of_squares_in_worker(10).await, Ok(385));
    }

    #[wasm_bindgen_test]
    async fn a_panic_comes_back_with_its_message_and_the_page_goes_on() {
        let error = worker_basics::checked_sum_in_worker(u32::MAX)
            .await
            .unwrap_err();
        assert!(error.starts_with("the worker panicked: "), "{error}");
        assert!(error.contains("overflows a u64"), "{error}");
        assert!(error.contains("lib.rs"), "with its location: {error}");
        // A new worker, a new instance: the next job is unaffected.
        assert_eq!(worker_basics::sum_of_squares_in_worker(3).await, Ok(14));
        assert!(matches!(
            worker_basics::sum_of_squares_in_worker(u32::MAX).await,
            Err(WorkerError::Panic(_))
        ));
    }
}
