//! The recipe's behaviours, natively (under `block_on`), in Node and in browsers.

use std::collections::BTreeSet;

use channels_and_futures::Done;

use wasm_rs_async_executor::async_test;

async_test! {
    async fn work_queue_does_each_job_once_across_workers() {
        let done: Vec<Done> =
            channels_and_futures::work_queue(40, 4).await.expect("every worker finished");
        let jobs: BTreeSet<u64> = done.iter().map(|d| d.job).collect();
        assert_eq!(done.len(), 40, "no job done twice");
        assert_eq!(jobs, (0..40).collect(), "no job lost");
        assert!(done.iter().all(|d| d.result == d.job * d.job));
        let workers: BTreeSet<usize> = done.iter().map(|d| d.worker).collect();
        assert_eq!(workers, (0..4).collect(), "every worker took jobs");
    }
}

async_test! {
    async fn select_takes_messages_until_stopped() {
        let (tx, messages) = async_channel::unbounded();
        let (stop_tx, stop) = async_channel::bounded::<()>(1);
        let collector = wasm_rs_async_executor::spawn(channels_and_futures::until_stopped(messages, stop));
        for m in [1, 2, 3] {
            tx.send(m).await.expect("the collector listens");
            wasm_rs_async_executor::yield_now().await; // the collector takes it
        }
        stop_tx.send(()).await.expect("the collector listens");
        assert_eq!(collector.await.expect("the collector finished"), [1, 2, 3]);
        // The messages sent after the stop are left in the channel, not lost.
        tx.send(4).await.expect_err("the collector dropped its receiver when it returned");
    }
}

async_test! {
    async fn select_also_ends_when_the_senders_are_gone() {
        let (tx, messages) = async_channel::unbounded();
        let (_stop_tx, stop) = async_channel::bounded::<()>(1);
        tx.send(8).await.expect("the channel is open");
        drop(tx);
        assert_eq!(channels_and_futures::until_stopped(messages, stop).await, [8]);
    }
}

async_test! {
    async fn join_runs_both_futures_concurrently() {
        let (sum, log) = channels_and_futures::both_at_once().await;
        assert_eq!(sum, 5);
        // Both start before either ends. (Which ends first is not asserted: on a loaded
        // machine both timers can be due by the time the thread wakes, and then `join!`
        // polls them in its own order, first to last.)
        assert_eq!(log[..2], ["first starts", "second starts"]);
        let mut ends = log[2..].to_vec();
        ends.sort_unstable();
        assert_eq!(ends, ["first ends", "second ends"]);
    }
}

async_test! {
    async fn futures_unordered_yields_in_completion_order() {
        // Robust even when the thread wakes late: the executor fires due timers in deadline
        // order, and FuturesUnordered polls its futures in the order they were woken.
        assert_eq!(channels_and_futures::fastest_first(&[60, 0, 30]).await, [1, 2, 0]);
    }
}

async_test! {
    async fn pipeline_keeps_order_and_stops_pulling_early() {
        let (out, stopped_early) = channels_and_futures::pipeline(1_000, 4, 5).await;
        assert_eq!(out, [0, 6, 12, 18, 24]);
        assert!(stopped_early, "take(5) must not process all 1000 inputs");
        let (all, stopped_early) = channels_and_futures::pipeline(10, 2, 100).await;
        assert_eq!(all, [0, 6, 12, 18]);
        assert!(!stopped_early, "not enough matches: every input was processed");
    }
}

async_test! {
    async fn abort_drops_the_task_innermost_first() {
        assert_eq!(
            channels_and_futures::cancel_by_abort().await,
            ["nested", "inner", "outer", "join: cancelled"]
        );
    }
}

async_test! {
    async fn losing_select_branch_is_dropped_before_the_next_statement() {
        assert_eq!(
            channels_and_futures::cancel_by_drop().await,
            ["nested", "inner", "outer", "after select!"]
        );
    }
}
