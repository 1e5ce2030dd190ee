//! Natively: the work and the frame-gap statistics. In a browser's main thread: the frame
//! gaps of the same work under the executor and under spawn_local, compared as a ratio of
//! the work's own duration, so the speed of the machine does not matter.

use responsive_main_thread::{FrameGaps, crunch_chunk, side_by_side};

#[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
fn histogram_counts_each_gap_in_its_bucket() {
    let gaps = FrameGaps::from_timestamps(&[0.0, 16.7, 33.4, 50.0, 100.0, 400.0, 416.0]);
    assert_eq!(gaps.count(), 6);
    assert_eq!(gaps.histogram(), [4, 0, 1, 0, 0, 1]);
    assert_eq!(gaps.longest(), 300.0);
    let table = side_by_side(("a", &gaps), ("b", &FrameGaps::default()));
    assert_eq!(
        table.lines().count(),
        7,
        "a header and six buckets:\n{table}"
    );
    assert!(table.contains("####"), "{table}");
}

#[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
fn chunked_work_gives_the_same_result_as_one_block() {
    let chunked = (0..10).fold(1, |state, _| crunch_chunk(state, 1_000));
    assert_eq!(chunked, crunch_chunk(1, 10_000));
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn per_frame_work_explains_where_frames_exist() {
    let err = wasm_rs_async_executor::block_on(responsive_main_thread::crunch_per_frame(
        2,
        10,
        std::time::Duration::ZERO,
    ))
    .expect("block_on runs natively")
    .expect_err("no animation frames natively");
    assert!(err.to_string().contains("browser main thread"), "{err}");
}

// ANCHOR: test
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
async fn executor_keeps_frames_coming_where_spawn_local_freezes_them() {
    // At least 1.2 s of work in chunks of about 1 ms, whatever the machine and build. The
    // longer the work, the longer spawn_local freezes the page; the executor's gaps do not
    // grow with it (they come from the budget, the frame rate, and the odd GC pause).
    let [local, sliced, framed] =
        responsive_main_thread::compare(std::time::Duration::from_millis(1200))
            .await
            .expect("animation frames exist on the main thread");
    assert!(local.result == sliced.result && sliced.result == framed.result);

    // The bound: a third of the work's duration.
    let bound = local.work_ms / 3.0;
    let report = format!("{local:?}\n{sliced:?}\n{framed:?}");
    for m in [&local, &sliced, &framed] {
        wasm_bindgen_test::console_log!(
            "{:?}: longest frame gap {:.1} ms over {:.0} ms of work, {} frames",
            m.runner,
            m.gaps.longest(),
            m.work_ms,
            m.gaps.count()
        );
    }
    assert!(
        local.gaps.longest() > bound,
        "spawn_local let frames through:\n{report}"
    );
    assert!(
        sliced.gaps.longest() < bound,
        "time slicing froze the frames:\n{report}"
    );
    assert!(
        framed.gaps.longest() < bound,
        "per-frame work froze the frames:\n{report}"
    );
    // And the animation kept moving: many frames during the executor's runs.
    assert!(framed.gaps.count() >= 8, "{report}");
}
// ANCHOR_END: test
