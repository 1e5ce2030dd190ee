//! Spawning, joining, aborting, detaching, wakes and JoinSet.

use wasm_rs_async_executor::async_test;

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::task::{Poll, Waker};

use wasm_rs_async_executor::{JoinSet, spawn, stats, task_count, yield_now};

/// Counts how many times values made by [`DropCounter::token`] were dropped.
#[derive(Clone, Default)]
struct DropCounter(Rc<Cell<usize>>);

impl DropCounter {
    fn token(&self) -> DropToken {
        DropToken(self.0.clone())
    }

    fn drops(&self) -> usize {
        self.0.get()
    }
}

/// Adds one to its counter when dropped.
struct DropToken(Rc<Cell<usize>>);

impl Drop for DropToken {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[cfg(not(miri))]
const MANY: usize = 1_000_000;
#[cfg(miri)]
const MANY: usize = 1_000;

async_test! {
    async fn spawn_returns_output_through_join_handle() {
        let handle = spawn(async { 21 * 2 });
        assert_eq!(handle.await.unwrap(), 42);
    }
}

async_test! {
    async fn a_million_tasks_complete_and_each_future_is_dropped_once() {
        let drops = DropCounter::default();
        let ran = Rc::new(Cell::new(0usize));
        let before = task_count();
        for _ in 0..MANY {
            let token = drops.token();
            let ran = ran.clone();
            // Detached: the handle is dropped, the task still runs.
            drop(spawn(async move {
                let _token = token;
                ran.set(ran.get() + 1);
            }));
        }
        assert_eq!(task_count(), before + MANY);
        // The queue is FIFO: a task spawned last runs after every task above.
        let seen = ran.clone();
        let last = spawn(async move { seen.get() });
        assert_eq!(last.await.unwrap(), MANY);
        assert_eq!(ran.get(), MANY);
        assert_eq!(drops.drops(), MANY);
        assert_eq!(task_count(), before);
    }
}

async_test! {
    async fn aborted_tasks_are_dropped_at_once() {
        let drops = DropCounter::default();
        // Never polled yet (still queued) ...
        let token = drops.token();
        let queued = spawn(async move {
            let _token = token;
            std::future::pending::<()>().await;
        });
        // ... and parked on a pending future after its first poll.
        let token = drops.token();
        let parked = spawn(async move {
            let _token = token;
            std::future::pending::<()>().await;
        });
        yield_now().await;
        assert!(!parked.is_finished());
        assert_eq!(drops.drops(), 0);

        queued.abort();
        assert_eq!(drops.drops(), 1, "abort must drop a queued task's future immediately");
        parked.abort();
        assert_eq!(drops.drops(), 2, "abort must drop a parked task's future immediately");
        assert!(queued.is_finished() && parked.is_finished());
        assert!(queued.await.unwrap_err().is_cancelled());
        assert!(parked.await.unwrap_err().is_cancelled());
    }
}

async_test! {
    async fn a_task_can_abort_itself() {
        let drops = DropCounter::default();
        let slot: Rc<RefCell<Option<wasm_rs_async_executor::JoinHandle<()>>>> = Rc::default();
        let token = drops.token();
        let inner_slot = slot.clone();
        let handle = spawn(async move {
            let _token = token;
            yield_now().await;
            if let Some(me) = inner_slot.borrow().as_ref() {
                me.abort();
            }
            std::future::pending::<()>().await;
        });
        *slot.borrow_mut() = Some(handle);
        while drops.drops() == 0 {
            yield_now().await;
        }
        let handle = slot.borrow_mut().take().unwrap();
        assert!(handle.await.unwrap_err().is_cancelled());
    }
}

async_test! {
    async fn dropping_a_join_handle_detaches_the_task() {
        let done = Rc::new(Cell::new(false));
        let flag = done.clone();
        drop(spawn(async move {
            yield_now().await;
            flag.set(true);
        }));
        while !done.get() {
            yield_now().await;
        }
        assert!(done.get());
    }
}

fn nest(depth: u32) -> std::pin::Pin<Box<dyn Future<Output = u32>>> {
    Box::pin(async move {
        if depth == 0 {
            return 0;
        }
        let child = spawn(nest(depth - 1));
        child.await.unwrap() + 1
    })
}

async_test! {
    async fn nested_spawns_complete() {
        assert_eq!(spawn(nest(200)).await.unwrap(), 200);
    }
}

async_test! {
    async fn a_task_woken_twice_before_it_runs_is_polled_once() {
        let polls = Rc::new(Cell::new(0));
        let counted = polls.clone();
        let handle = spawn(poll_fn(move |cx| {
            counted.set(counted.get() + 1);
            if counted.get() == 1 {
                // Three wakes during one poll: one more poll, not three.
                cx.waker().wake_by_ref();
                let owned = cx.waker().clone();
                owned.wake();
                cx.waker().wake_by_ref();
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        }));
        handle.await.unwrap();
        yield_now().await;
        assert_eq!(polls.get(), 2);
    }
}

async_test! {
    async fn wakes_during_another_tasks_poll_work() {
        let parked: Rc<RefCell<Option<Waker>>> = Rc::default();
        let woken = Rc::new(Cell::new(false));
        let (slot, flag) = (parked.clone(), woken.clone());
        let sleeper = spawn(poll_fn(move |cx| {
            if flag.get() {
                return Poll::Ready("woken");
            }
            *slot.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        }));
        yield_now().await;
        let (slot, flag) = (parked.clone(), woken.clone());
        let waker_task = spawn(async move {
            flag.set(true);
            let waker = slot.borrow_mut().take().expect("sleeper registered its waker");
            waker.wake();
            // Spawning from inside a poll works too.
            spawn(async { 7 }).await.unwrap()
        });
        assert_eq!(waker_task.await.unwrap(), 7);
        assert_eq!(sleeper.await.unwrap(), "woken");
    }
}

async_test! {
    async fn join_set_collects_every_result_and_aborts_on_drop() {
        let mut set = JoinSet::new();
        for i in 0..100u64 {
            set.spawn(async move {
                for _ in 0..(i % 5) {
                    yield_now().await;
                }
                i
            });
        }
        assert_eq!(set.len(), 100);
        let mut sum = 0;
        while let Some(result) = set.join_next().await {
            sum += result.unwrap();
        }
        assert_eq!(sum, (0..100).sum::<u64>());

        let drops = DropCounter::default();
        let mut set = JoinSet::new();
        for _ in 0..10 {
            let token = drops.token();
            set.spawn(async move {
                let _token = token;
                std::future::pending::<()>().await;
            });
        }
        yield_now().await;
        drop(set);
        assert_eq!(drops.drops(), 10);
    }
}

async_test! {
    async fn introspection_counts_tasks_and_queue() {
        let base = stats();
        let a = spawn(std::future::pending::<()>());
        let b = spawn(async {});
        let now = stats();
        assert_eq!(now.tasks, base.tasks + 2);
        assert_eq!(now.queued, base.queued + 2);
        yield_now().await;
        assert!(b.is_finished());
        assert_eq!(task_count(), base.tasks + 1);
        a.abort();
        assert_eq!(task_count(), base.tasks);
        #[cfg(feature = "debug")]
        {
            let c = spawn(std::future::pending::<u8>());
            assert!(
                wasm_rs_async_executor::task_names()
                    .iter()
                    .any(|n| n.contains("Pending<u8>"))
            );
            c.abort();
        }
    }
}

#[cfg(not(target_family = "wasm"))]
mod native {
    use super::*;
    use std::time::Duration;
    use wasm_rs_async_executor::{RunError, block_on, run_until_stalled};

    #[test]
    fn a_panicking_task_reports_through_its_join_handle() {
        block_on(async {
            let bad = spawn(async { panic!("task failed on purpose") });
            let good = spawn(async { 1 });
            let err = bad.await.unwrap_err();
            assert!(err.is_panic());
            assert_eq!(err.to_string(), "task panicked: task failed on purpose");
            assert_eq!(good.await.unwrap(), 1, "the executor goes on after a panic");
        })
        .unwrap();
    }

    #[test]
    fn nested_run_loops_are_an_error() {
        block_on(async {
            assert_eq!(block_on(async {}), Err(RunError::Nested));
            assert_eq!(run_until_stalled(), Err(RunError::Nested));
            assert_eq!(wasm_rs_async_executor::run_forever(), Err(RunError::Nested));
        })
        .unwrap();
    }

    #[test]
    fn wakers_are_send_and_wake_a_parked_block_on_from_another_thread() {
        let (tx, rx) = futures::channel::oneshot::channel::<u32>();
        let worker = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tx.send(9).unwrap();
        });
        let value = block_on(async move { spawn(async move { rx.await.unwrap() }).await.unwrap() });
        assert_eq!(value.unwrap(), 9);
        worker.join().unwrap();
    }

    /// Wakes race from both sides: another thread publishes a count and wakes the task
    /// (the cross-thread queue), then waits until the task has seen it, while the task
    /// also wakes itself now and then on its own thread (the run queue). A wake lost
    /// between the two paths parks the task and stalls both threads: the test then fails
    /// on its timeout.
    #[test]
    fn wakes_from_another_thread_and_from_the_task_itself_are_never_lost() {
        use std::sync::atomic::{AtomicU32, Ordering};
        use std::sync::{Arc, Mutex};
        const N: u32 = if cfg!(miri) { 100 } else { 20_000 };
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let count = Arc::new(AtomicU32::new(0));
            let seen = Arc::new(AtomicU32::new(0));
            let waker: Arc<Mutex<Option<Waker>>> = Arc::default();
            let (c, s, w) = (count.clone(), seen.clone(), waker.clone());
            let producer = std::thread::spawn(move || {
                for i in 1..=N {
                    c.store(i, Ordering::Release);
                    if let Some(w) = w.lock().unwrap().as_ref() {
                        w.wake_by_ref();
                    }
                    // One value at a time: the next wake races the task's own wakes.
                    while s.load(Ordering::Acquire) < i {
                        std::thread::yield_now();
                    }
                }
            });
            let mut polls = 0u32;
            let last = block_on(spawn(poll_fn(move |cx| {
                polls += 1;
                // Register first, then read: a wake after the read finds the new waker.
                *waker.lock().unwrap() = Some(cx.waker().clone());
                let n = count.load(Ordering::Acquire);
                seen.store(n, Ordering::Release);
                if n == N {
                    return Poll::Ready(n);
                }
                if polls % 3 == 0 {
                    cx.waker().wake_by_ref();
                }
                Poll::Pending
            })))
            .unwrap()
            .unwrap();
            producer.join().unwrap();
            let _ = done_tx.send(last);
        });
        let last = done_rx
            .recv_timeout(Duration::from_secs(if cfg!(miri) { 600 } else { 60 }))
            .expect("a wake was lost: the task stopped before it saw the last count");
        assert_eq!(last, N);
    }

    #[test]
    fn run_until_stalled_steps_the_executor() {
        let first = spawn(async {
            yield_now().await;
            5
        });
        assert_eq!(run_until_stalled(), Ok(2));
        assert!(first.is_finished());
        assert_eq!(run_until_stalled(), Ok(0));
    }

    #[test]
    fn thread_exit_drops_the_futures_of_unfinished_tasks() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        struct SendOnDrop(std::sync::mpsc::Sender<()>);
        impl Drop for SendOnDrop {
            fn drop(&mut self) {
                let _ = self.0.send(());
            }
        }
        std::thread::spawn(move || {
            let guard = SendOnDrop(tx);
            drop(spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            }));
            run_until_stalled().unwrap();
        })
        .join()
        .unwrap();
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
    }
}
