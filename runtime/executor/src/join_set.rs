//! `JoinSet`: a group of tasks awaited in completion order.

use std::fmt;
use std::future::Future;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use crate::task::{JoinError, JoinHandle};

/// A group of spawned tasks with the same output type, awaited in the order they
/// finish. Dropping a `JoinSet` aborts the tasks still in it.
///
/// ```
/// use wasm_rs_async_executor::{JoinSet, block_on};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// block_on(async {
///     let mut set = JoinSet::new();
///     for i in 0..10u32 {
///         set.spawn(async move { i * i });
///     }
///     let mut sum = 0;
///     while let Some(result) = set.join_next().await {
///         sum += result.unwrap();
///     }
///     assert_eq!(sum, 285);
/// })
/// .unwrap();
/// ```
pub struct JoinSet<T> {
    handles: FuturesUnordered<JoinHandle<T>>,
}

impl<T: 'static> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set = wasm_rs_async_executor::JoinSet::<()>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> Self {
        JoinSet {
            handles: FuturesUnordered::new(),
        }
    }

    /// Spawns `future` on this thread's executor (like [`spawn`](crate::spawn)) and
    /// adds it to the set.
    ///
    /// ```
    /// let mut set = wasm_rs_async_executor::JoinSet::new();
    /// set.spawn(async { 1 });
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn spawn<F>(&mut self, future: F)
    where
        F: Future<Output = T> + 'static,
    {
        self.handles.push(crate::spawn(future));
    }

    /// Adds an already spawned task.
    ///
    /// ```
    /// let mut set = wasm_rs_async_executor::JoinSet::new();
    /// set.insert(wasm_rs_async_executor::spawn(async { 2 }));
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn insert(&mut self, handle: JoinHandle<T>) {
        self.handles.push(handle);
    }

    /// Waits for the next task to finish and returns its result; `None` when the
    /// set is empty.
    ///
    /// ```
    /// use wasm_rs_async_executor::{JoinSet, block_on};
    ///
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// block_on(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(async { "done" });
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), "done");
    ///     assert!(set.join_next().await.is_none());
    /// })
    /// .unwrap();
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.handles.next().await
    }

    /// Waits for every task and returns their results in completion order.
    ///
    /// ```
    /// use wasm_rs_async_executor::{JoinSet, block_on};
    ///
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// block_on(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(async { 1 });
    ///     set.spawn(async { 2 });
    ///     let mut all: Vec<i32> = set.join_all().await.into_iter().map(Result::unwrap).collect();
    ///     all.sort();
    ///     assert_eq!(all, [1, 2]);
    /// })
    /// .unwrap();
    /// ```
    pub async fn join_all(mut self) -> Vec<Result<T, JoinError>> {
        let mut results = Vec::with_capacity(self.len());
        while let Some(result) = self.join_next().await {
            results.push(result);
        }
        results
    }

    /// Aborts every task in the set (their futures are dropped now). The set keeps
    /// them until they are collected with [`join_next`](Self::join_next), which
    /// then returns cancellation errors.
    ///
    /// ```
    /// use wasm_rs_async_executor::{JoinSet, block_on};
    ///
    /// # #[cfg(not(target_arch = "wasm32"))]
    /// block_on(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.abort_all();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// })
    /// .unwrap();
    /// ```
    pub fn abort_all(&self) {
        for handle in self.handles.iter() {
            handle.abort();
        }
    }

    /// The number of tasks not yet collected.
    ///
    /// ```
    /// assert_eq!(wasm_rs_async_executor::JoinSet::<u8>::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    /// True when no task is left to collect.
    ///
    /// ```
    /// assert!(wasm_rs_async_executor::JoinSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }
}

impl<T: 'static> Default for JoinSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        for handle in self.handles.iter() {
            handle.abort();
        }
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet")
            .field("len", &self.handles.len())
            .finish()
    }
}
