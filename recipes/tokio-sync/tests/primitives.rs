//! One test per tokio::sync primitive, run natively, in Node and in browsers.

#[macro_use]
mod common;

use wasm_rs_async_executor::async_test;

use tokio_sync::Heard;

async_test! {
    async fn mpsc_bounded_delivers_in_order_with_backpressure() {
        let received = tokio_sync::bounded_pipeline(20, 2).await.expect("the producer finished");
        assert_eq!(received, (0..20).collect::<Vec<_>>());
    }
}

async_test! {
    async fn mpsc_unbounded_gathers_every_event_once() {
        let mut events = tokio_sync::gather_events(3).await;
        // Each producer's events arrive in its own order...
        for producer in 0..3 {
            let mine: Vec<u32> = events.iter().filter(|e| e.0 == producer).map(|e| e.1).collect();
            assert_eq!(mine, [0, 1, 2]);
        }
        // ...and the producers interleave, since each yields after every event.
        assert_ne!(events[..3], [(0, 0), (0, 1), (0, 2)], "{events:?}");
        events.sort_unstable();
        assert_eq!(events.len(), 9);
    }
}

async_test! {
    async fn oneshot_replies_to_each_request() {
        assert_eq!(tokio_sync::running_totals(&[5, 10, 20]).await, Some(vec![5, 15, 35]));
    }
}

async_test! {
    async fn watch_followers_see_the_latest_value() {
        let seen = tokio_sync::follow_settings(&["dark", "compact", "light"]).await;
        assert_eq!(seen.last().map(String::as_str), Some("light"));
        // Never a value twice, never an older value after a newer one (a follower that starts
        // late, or runs late, skips values: it sees the current one).
        let order = ["default", "dark", "compact", "light"];
        let positions: Vec<usize> =
            seen.iter().map(|s| order.iter().position(|o| o == s).expect("a sent value")).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    }
}

async_test! {
    async fn broadcast_reports_how_many_a_slow_subscriber_missed() {
        assert_eq!(
            tokio_sync::late_subscriber(5, 2).await,
            [Heard::Missed(3), Heard::Message(3), Heard::Message(4)]
        );
        assert_eq!(
            tokio_sync::late_subscriber(2, 4).await,
            [Heard::Message(0), Heard::Message(1)],
            "a subscriber that keeps up misses nothing"
        );
    }
}

async_test! {
    async fn mutex_guard_held_across_await_loses_no_update() {
        assert_eq!(tokio_sync::shared_total(4, 5).await.expect("every task finished"), 20);
    }
}

async_test! {
    async fn rwlock_readers_share_and_the_writer_waits() {
        assert_eq!(tokio_sync::readers_and_writer(4).await.expect("every task finished"), (4, "written"));
    }
}

async_test! {
    async fn notify_stores_a_permit_sent_before_the_wait() {
        assert_eq!(tokio_sync::notify_handoff().await.expect("the waiter finished"), ["notified early", "woken"]);
    }
}

async_test! {
    async fn semaphore_limits_concurrent_jobs() {
        assert_eq!(tokio_sync::limited_jobs(10, 3).await.expect("every job finished"), 3);
        assert_eq!(tokio_sync::limited_jobs(2, 5).await.expect("every job finished"), 2, "fewer jobs than permits");
    }
}

async_test! {
    async fn barrier_releases_everyone_together_with_one_leader() {
        let (log, leaders) = tokio_sync::two_phases(4).await.expect("every party finished");
        assert_eq!(log, [1, 1, 1, 1, 2, 2, 2, 2]);
        assert_eq!(leaders, 1);
    }
}
