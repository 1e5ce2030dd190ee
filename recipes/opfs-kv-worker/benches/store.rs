//! The store on OPFS, measured where it runs (a dedicated worker), and the requests the page
//! sends it through the shared channel, each next to a peer measured in the same run:
//!
//! - puts flushed one by one (what the worker does for every `Put` request) against the same
//!   puts with one flush per 1,000: what a commit point per put costs;
//! - gets from the store against the same gets from an in-memory `BTreeMap` holding the same
//!   entries: what reading the value from the file costs over memory;
//! - reopening the store (reading its file and rebuilding the index) against opening the two
//!   files and reading their bytes alone: the I/O floor under a reopen;
//! - puts and gets from the page's main thread through the channel against the same
//!   operations on the store in its worker: what the channel and the two threads add.
//!
//! Run it with `cargo xtask bench --suite opfs-kv-worker` (a release build, a fresh headless
//! Chromium page and profile per run; the figures land on the opfs-kv-worker page of the book
//! with `--update-book`). The module exports `bench_run(env, quick)`, called on the page's
//! main thread. OPFS sync access handles exist only in dedicated workers, so it first runs
//! this module's `store_bench_worker` export in one (wasm-rs-worker's `run_in_worker`), which
//! fills a store of `RECORDS` 8-byte keys with 100-byte values and returns its figures. Then
//! the page opens the same store through `KvWorker` (the library's worker) and times its
//! requests on the same keys.
//!
//! Within each part the measurements take turns for a number of rounds, so that load from
//! elsewhere on the machine hits them alike; a figure is the median of a run's rounds.

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
fn main() {
    println!(
        "the opfs-kv-worker benchmark runs in a browser (wasm32-unknown-unknown): run `cargo xtask bench --suite opfs-kv-worker`"
    );
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
fn main() {}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
#[path = "../../../ci/bench-support/report.rs"]
mod report;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod web {
    use std::collections::BTreeMap;
    use std::hint::black_box;

    use crash_safe_store::Storage;
    use js_sys::{Object, Reflect};
    use opfs_kv_worker::KvWorker;
    use opfs_sync_file::{OpfsFile, open_store};
    use wasm_bindgen::prelude::*;
    use wasm_rs_async_executor::Instant;

    use crate::report::{Better, Report, median, report_panics};

    // The page's `KvWorker` starts the library's worker on this module: keep its export linked.
    #[allow(
        unused_imports,
        reason = "linked for the store's worker, not called here"
    )]
    use opfs_kv_worker::opfs_kv_worker_main as _;

    /// Every value: 100 bytes.
    const VALUE: [u8; 100] = [7; 100];

    /// The sizes of one run.
    #[derive(Debug, Clone, Copy)]
    struct Sizes {
        /// Keys in the store (written once, untimed, with one flush per 1,000).
        records: u32,
        /// Puts per round flushed one by one (in the worker, and through the channel).
        flushed: u32,
        /// Puts per round with one flush per 1,000.
        batched: u32,
        /// Gets per round (store, map, and through the channel).
        gets: u32,
        /// Rounds of each part.
        rounds: usize,
    }

    impl Sizes {
        fn new(quick: bool) -> Self {
            if quick {
                Sizes {
                    records: 1_000,
                    flushed: 100,
                    batched: 1_000,
                    gets: 1_000,
                    rounds: 1,
                }
            } else {
                Sizes {
                    records: 100_000,
                    flushed: 1_000,
                    batched: 10_000,
                    gets: 10_000,
                    rounds: 5,
                }
            }
        }
    }

    /// The `i`-th key: spread over the index like hashed ids.
    fn key(i: u32) -> [u8; 8] {
        u64::from(i.wrapping_mul(2_654_435_761)).to_be_bytes()
    }

    /// The `n`-th of `count` keys of a round, from the store's `records` keys, starting at
    /// `round * count` (so rounds overwrite different keys).
    fn round_key(round: usize, count: u32, n: u32, records: u32) -> [u8; 8] {
        key((round as u32 * count + n) % records)
    }

    /// `n` with thousands separators.
    fn grouped(n: u64) -> String {
        let digits = n.to_string();
        let mut s = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                s.push(',');
            }
            s.push(c);
        }
        s
    }

    fn js_err(e: impl std::fmt::Display) -> JsValue {
        JsValue::from_str(&e.to_string())
    }

    /// Microseconds per operation for `n` operations since `start`.
    fn us_per_op(start: Instant, n: u32) -> f64 {
        start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    }

    /// What the worker measured: medians, and the store's sizes for the labels.
    #[derive(Debug, Default, Clone, Copy)]
    struct StoreFigures {
        put_flushed_us: f64,
        put_batched_us: f64,
        get_us: f64,
        map_get_us: f64,
        reopen_ms: f64,
        read_ms: f64,
        records: f64,
        file_bytes: f64,
    }

    /// The fields of [`StoreFigures`], in the order of the JS object that crosses from the
    /// worker to the page.
    const FIELDS: [&str; 8] = [
        "put_flushed_us",
        "put_batched_us",
        "get_us",
        "map_get_us",
        "reopen_ms",
        "read_ms",
        "records",
        "file_bytes",
    ];

    impl StoreFigures {
        fn fields_mut(&mut self) -> [&mut f64; 8] {
            [
                &mut self.put_flushed_us,
                &mut self.put_batched_us,
                &mut self.get_us,
                &mut self.map_get_us,
                &mut self.reopen_ms,
                &mut self.read_ms,
                &mut self.records,
                &mut self.file_bytes,
            ]
        }

        fn to_js(self) -> Result<JsValue, JsValue> {
            let obj = Object::new();
            let mut figures = self;
            for (name, value) in FIELDS.iter().zip(figures.fields_mut()) {
                Reflect::set(&obj, &(*name).into(), &(*value).into())?;
            }
            Ok(obj.into())
        }

        fn from_js(value: &JsValue) -> Result<Self, JsValue> {
            let mut figures = StoreFigures::default();
            for (name, field) in FIELDS.iter().zip(figures.fields_mut()) {
                *field = Reflect::get(value, &(*name).into())?
                    .as_f64()
                    .ok_or_else(|| js_err(format!("the store's worker returned no `{name}`")))?;
            }
            Ok(figures)
        }
    }

    /// The input the page gives the worker.
    fn worker_input(name: &str, quick: bool) -> Result<JsValue, JsValue> {
        let obj = Object::new();
        Reflect::set(&obj, &"name".into(), &name.into())?;
        Reflect::set(&obj, &"quick".into(), &quick.into())?;
        Ok(obj.into())
    }

    /// The store's part, run in a dedicated worker (OPFS sync access handles exist only
    /// there): fills the store `input.name`, measures it, closes it, and returns its figures
    /// as an object with the fields of [`FIELDS`].
    #[wasm_bindgen]
    #[allow(
        unreachable_pub,
        reason = "wasm_bindgen exports it to the worker; it must be pub"
    )]
    pub async fn store_bench_worker(input: JsValue) -> Result<JsValue, JsValue> {
        let name = Reflect::get(&input, &"name".into())?
            .as_string()
            .ok_or("store_bench_worker: `input.name` must be the store's name")?;
        let quick = Reflect::get(&input, &"quick".into())?.is_truthy();
        measure_store(&name, Sizes::new(quick)).await?.to_js()
    }

    async fn measure_store(name: &str, sizes: Sizes) -> Result<StoreFigures, JsValue> {
        let Sizes {
            records,
            flushed,
            batched,
            gets,
            rounds,
        } = sizes;
        let mut store = open_store(name).await.map_err(js_err)?;
        // The fill, untimed; the map holds the same entries for the gets' peer.
        let mut map: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        for i in 0..records {
            store.put(&key(i), &VALUE).map_err(js_err)?;
            map.insert(key(i).to_vec(), VALUE.to_vec());
            if i % 1000 == 999 {
                store.flush().map_err(js_err)?;
            }
        }
        store.flush().map_err(js_err)?;

        let (mut put_flushed, mut put_batched, mut get, mut map_get) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        // Round 0 is an untimed warm-up.
        for round in 0..=rounds {
            let start = Instant::now();
            for n in 0..flushed {
                store
                    .put(&round_key(round, flushed, n, records), &VALUE)
                    .map_err(js_err)?;
                store.flush().map_err(js_err)?;
            }
            let flushed_us = us_per_op(start, flushed);

            let start = Instant::now();
            for n in 0..batched {
                store
                    .put(&round_key(round, batched, n, records), &VALUE)
                    .map_err(js_err)?;
                if n % 1000 == 999 {
                    store.flush().map_err(js_err)?;
                }
            }
            store.flush().map_err(js_err)?;
            let batched_us = us_per_op(start, batched);

            // Gets in another order than the keys were written.
            let start = Instant::now();
            for n in (0..gets).rev() {
                let value = store
                    .get(&round_key(round, gets, n, records))
                    .map_err(js_err)?;
                if value.as_deref() != Some(&VALUE[..]) {
                    return Err(js_err("the store returned another value than was put"));
                }
            }
            let get_us = us_per_op(start, gets);

            let start = Instant::now();
            for n in (0..gets).rev() {
                let value = map.get(&round_key(round, gets, n, records)[..]).cloned();
                if black_box(value).as_deref() != Some(&VALUE[..]) {
                    return Err(js_err("the map returned another value than was put"));
                }
            }
            let map_get_us = us_per_op(start, gets);

            if round > 0 {
                put_flushed.push(flushed_us);
                put_batched.push(batched_us);
                get.push(get_us);
                map_get.push(map_get_us);
            }
        }
        let stats = store.stats();
        drop(store);

        // Reopen (read the file, rebuild the index) against reading the two files' bytes.
        let (mut reopen, mut read) = (Vec::new(), Vec::new());
        for round in 0..=rounds {
            let start = Instant::now();
            let store = open_store(name).await.map_err(js_err)?;
            let reopen_ms = start.elapsed().as_secs_f64() * 1000.0;
            if store.stats() != stats {
                return Err(js_err(
                    "the reopened store has other sizes than the closed one",
                ));
            }
            drop(store);

            let start = Instant::now();
            let mut bytes = 0;
            for i in 0..2 {
                let mut file = OpfsFile::open(&format!("{name}-{i}.kvlog"))
                    .await
                    .map_err(js_err)?;
                let len = file.len().map_err(js_err)?;
                let mut buf = vec![0; len as usize];
                file.read_at(0, &mut buf).map_err(js_err)?;
                bytes += black_box(buf).len() as u64;
            }
            let read_ms = start.elapsed().as_secs_f64() * 1000.0;
            if bytes < stats.file_bytes {
                return Err(js_err("the files hold fewer bytes than the store reported"));
            }
            if round > 0 {
                reopen.push(reopen_ms);
                read.push(read_ms);
            }
        }
        Ok(StoreFigures {
            put_flushed_us: median(&put_flushed),
            put_batched_us: median(&put_batched),
            get_us: median(&get),
            map_get_us: median(&map_get),
            reopen_ms: median(&reopen),
            read_ms: median(&read),
            records: stats.records as f64,
            file_bytes: stats.file_bytes as f64,
        })
    }

    /// The page's part: puts and gets through the channel to the library's worker, on the
    /// store the worker part filled; medians in microseconds per request.
    async fn measure_client(glue: &str, name: &str, sizes: Sizes) -> Result<(f64, f64), JsValue> {
        let Sizes {
            records,
            flushed,
            gets,
            rounds,
            ..
        } = sizes;
        let (mut worker, stats) = KvWorker::open(glue, name).await.map_err(js_err)?;
        if stats.live_keys != u64::from(records) {
            return Err(js_err(
                "the page's worker opened another store than was filled",
            ));
        }
        let client = worker.client();
        let (mut puts, mut gets_us) = (Vec::new(), Vec::new());
        for round in 0..=rounds {
            let start = Instant::now();
            for n in 0..flushed {
                client
                    .put(&round_key(round, flushed, n, records), &VALUE)
                    .await
                    .map_err(js_err)?;
            }
            let put_us = us_per_op(start, flushed);

            let start = Instant::now();
            for n in (0..gets).rev() {
                let value = client
                    .get(&round_key(round, gets, n, records))
                    .await
                    .map_err(js_err)?;
                if value.as_deref() != Some(&VALUE[..]) {
                    return Err(js_err("the worker returned another value than was put"));
                }
            }
            let get_us = us_per_op(start, gets);
            if round > 0 {
                puts.push(put_us);
                gets_us.push(get_us);
            }
        }
        worker.close().await.map_err(js_err)?;
        Ok((median(&puts), median(&gets_us)))
    }

    async fn run(env: &str, quick: bool) -> Result<String, JsValue> {
        let sizes = Sizes::new(quick);
        // The page's profile is fresh for every run; the random part keeps names apart
        // anyway.
        let name = format!("bench-{}", js_sys::Math::random().to_bits());
        let glue = wasm_rs_worker::glue_url().map_err(js_err)?;
        let returned =
            wasm_rs_worker::run_in_worker(&glue, "store_bench_worker", worker_input(&name, quick)?)
                .await
                .map_err(js_err)?;
        let store = StoreFigures::from_js(&returned)?;
        let (client_put_us, client_get_us) = measure_client(&glue, &name, sizes).await?;

        let Sizes {
            records,
            flushed,
            batched,
            gets,
            rounds,
        } = sizes;
        let of = format!("{} keys, 100-byte values", grouped(records.into()));
        let mut r = Report::new("opfs-kv-worker", env);
        r.figure(
            "put-flushed",
            format!("put, each flushed, in the store's worker ({of})"),
            "µs/put",
            Better::Lower,
            &[
                ("each flushed", store.put_flushed_us),
                ("one flush per 1,000", store.put_batched_us),
            ],
        );
        r.note(format!(
            "{flushed} puts flushed each and {batched} puts flushed per 1,000 per round; median of {rounds} round(s)"
        ));
        r.figure(
            "get",
            format!("get, in the store's worker ({of})"),
            "µs/get",
            Better::Lower,
            &[
                ("store on OPFS", store.get_us),
                ("in-memory BTreeMap", store.map_get_us),
            ],
        );
        r.note(format!(
            "{gets} gets per round; median of {rounds} round(s)"
        ));
        r.figure(
            "reopen",
            format!(
                "reopen: read the file and rebuild the index ({} records, {:.1} MB)",
                grouped(store.records as u64),
                store.file_bytes / 1e6
            ),
            "ms",
            Better::Lower,
            &[
                ("reopen", store.reopen_ms),
                ("read the files only", store.read_ms),
            ],
        );
        r.note(format!("median of {rounds} round(s)"));
        r.figure(
            "client-put",
            format!("put from the page through the channel, flushed before its reply ({of})"),
            "µs/put",
            Better::Lower,
            &[
                ("through the channel", client_put_us),
                ("in the store's worker", store.put_flushed_us),
            ],
        );
        r.note(format!(
            "{flushed} puts per round; median of {rounds} round(s)"
        ));
        r.figure(
            "client-get",
            format!("get from the page through the channel ({of})"),
            "µs/get",
            Better::Lower,
            &[
                ("through the channel", client_get_us),
                ("in the store's worker", store.get_us),
            ],
        );
        r.note(format!(
            "{gets} gets per round; median of {rounds} round(s)"
        ));
        Ok(r.to_json())
    }

    /// Measures one run and returns its report as JSON. `env` names the environment in the
    /// report; `quick` uses a store of 1,000 keys and one round.
    #[wasm_bindgen]
    #[allow(
        unreachable_pub,
        reason = "wasm_bindgen exports it to JS; it must be pub"
    )]
    pub async fn bench_run(env: String, quick: bool) -> Result<String, JsValue> {
        report_panics();
        run(&env, quick).await
    }
}
