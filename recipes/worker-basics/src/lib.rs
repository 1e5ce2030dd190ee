//! Worker basics: run a job on a worker of this same wasm module, and get its result, or its
//! panic message, back.
//!
//! The job is plain Rust ([`sum_of_squares`]), tested natively like any function. On wasm32
//! the page hands it to a worker with `wasm-rs-worker`: [`sum_of_squares_in_worker`] starts a
//! module worker on the page's own module, calls the export [`squares_job`] there, and gives
//! back its value. A panic in the worker comes back as `WorkerError::Panic` with its message
//! and location ([`checked_sum_in_worker`] shows it), not as `RuntimeError: unreachable`.

// ANCHOR: job
/// The work: `1² + 2² + … + n²`, or `None` if that does not fit in a `u64`.
///
/// ```
/// assert_eq!(worker_basics::sum_of_squares(3), Some(14));
/// assert_eq!(worker_basics::sum_of_squares(u64::MAX), None);
/// ```
pub fn sum_of_squares(n: u64) -> Option<u64> {
    (1..=n).try_fold(0u64, |sum, i| sum.checked_add(i.checked_mul(i)?))
}
// ANCHOR_END: job

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use web::{checked_sum_in_worker, squares_job, sum_of_squares_in_worker};

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use wasm_bindgen::prelude::*;
    use wasm_rs_worker::{WorkerError, glue_url, run_in_worker};

    use crate::sum_of_squares;

    // ANCHOR: worker
    /// Runs in the worker: any `#[wasm_bindgen]` export of this module can be a job. It
    /// panics if the sum overflows, to show what the page gets back then.
    ///
    /// ```no_run
    /// assert_eq!(worker_basics::squares_job(3.0), 14.0);
    /// ```
    #[wasm_bindgen]
    pub fn squares_job(n: f64) -> f64 {
        let n = n as u64;
        let sum = sum_of_squares(n)
            .unwrap_or_else(|| panic!("the sum of squares up to {n} overflows a u64"));
        sum as f64
    }
    // ANCHOR_END: worker

    // ANCHOR: page
    /// Runs on the page (or in another worker): starts a module worker on this same module,
    /// which gets the module already compiled, runs [`squares_job`] there and returns its
    /// value. The worker is terminated when the job returns.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), wasm_rs_worker::WorkerError> {
    /// assert_eq!(worker_basics::sum_of_squares_in_worker(3).await?, 14);
    /// # Ok(()) }
    /// ```
    pub async fn sum_of_squares_in_worker(n: u32) -> Result<u64, WorkerError> {
        // The wasm-bindgen glue that loaded this module: the worker imports the same file.
        let glue = glue_url()?;
        let value = run_in_worker(&glue, "squares_job", JsValue::from(n)).await?;
        value
            .as_f64()
            .map(|sum| sum as u64)
            .ok_or_else(|| WorkerError::Exception(format!("expected a number, got {value:?}")))
    }
    // ANCHOR_END: page

    // ANCHOR: panic
    /// The same job for any `n`: when the worker panics, the error carries the panic's
    /// message and location, and the page goes on.
    ///
    /// ```no_run
    /// # async fn example() {
    /// match worker_basics::checked_sum_in_worker(u32::MAX).await {
    ///     Ok(sum) => println!("{sum}"),
    ///     // "the worker panicked: panicked at recipes/worker-basics/src/lib.rs:…: the sum …"
    ///     Err(error) => println!("{error}"),
    /// }
    /// # }
    /// ```
    pub async fn checked_sum_in_worker(n: u32) -> Result<u64, String> {
        sum_of_squares_in_worker(n)
            .await
            .map_err(|error| error.to_string())
    }
    // ANCHOR_END: panic
}
