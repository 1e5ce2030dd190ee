//! The Rust side in Chromium and Firefox, without Trunk: the worker streams progress and the
//! result over the shared channel, and the component, mounted on the test page, renders them
//! while its counter ticks. The Trunk project around it is tested by
//! `cargo xtask test --only onramps`.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use leptos::prelude::*;
use leptos_app::{App, Tally, Update};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

/// Resolves after `ms` milliseconds, from a `setTimeout`.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global: web_sys::Window = js_sys::global().unchecked_into();
        global
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn now() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
async fn the_worker_streams_progress_then_what_it_found() {
    let mut seen = Vec::new();
    let found = leptos_app::happy_numbers_in_worker(30_000, |update| seen.push(update.clone()))
        .await
        .unwrap();
    // 1 7 10 13 19 …: the same count natively (tests/native.rs checks the function).
    assert_eq!(found, leptos_app::happy_numbers(30_000, 10_000, |_, _| {}));
    assert_eq!(found.count, 4_639, "{found:?}");
    let progress: Vec<u32> = seen
        .iter()
        .filter_map(|u| match u {
            Update::Progress {
                done,
                total: 30_000,
            } => Some(*done),
            _ => None,
        })
        .collect();
    assert_eq!(progress, [10_000, 20_000, 30_000], "{seen:?}");
    assert_eq!(seen.last(), Some(&Update::Done(found)));
}

#[wasm_bindgen_test]
async fn a_bad_input_is_an_error_not_a_hang() {
    // A worker whose input has a sender but no limit: the export fails, and the page hears
    // why.
    let (tx, _rx) = wasm_rs_shared_channel::spsc::channel::<Update>(1024).unwrap();
    let input = js_sys::Object::new();
    js_sys::Reflect::set(&input, &"updates".into(), &tx.into_js()).unwrap();
    let glue = wasm_rs_worker::glue_url().unwrap();
    let error = wasm_rs_worker::run_in_worker(&glue, "leptos_app_worker", input.into())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("no numeric `limit`"), "{message}");
}

#[wasm_bindgen_test]
async fn the_component_renders_the_result_while_its_counter_ticks() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("main").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let started = now();
    let mounted = leptos::mount::mount_to(root.clone(), || view! { <App limit=200_000 /> });

    let result = loop {
        let result = root
            .query_selector("#result")
            .unwrap()
            .expect("the component renders #result");
        if result.get_attribute("data-value").is_some() {
            break result;
        }
        let errors = root.query_selector_all("#errors li").unwrap();
        assert_eq!(
            errors.length(),
            0,
            "the page lists an error: {:?}",
            root.inner_html()
        );
        assert!(
            now() - started < 60_000.0,
            "no result within 60 s: {}",
            root.inner_html()
        );
        sleep(20).await;
    };
    let elapsed = now() - started;

    let expected: Tally = leptos_app::happy_numbers(200_000, 10_000, |_, _| {});
    let attribute = |name: &str| result.get_attribute(name).unwrap_or_default();
    assert_eq!(attribute("data-value"), expected.count.to_string());
    assert_eq!(
        attribute("data-updates"),
        "20",
        "one update per 10,000 numbers"
    );
    let text = result.text_content().unwrap_or_default();
    let shown = format!(
        "{} happy numbers, summing to {}",
        expected.count, expected.sum
    );
    assert_eq!(
        text.replace(", summing", " summing").replace(',', ""),
        shown.replace(", summing", " summing"),
        "the result as the page shows it"
    );
    // The page was free while the worker computed: the counter, ticking every 10 ms on the
    // main thread, moved (unless the whole run took less than two ticks).
    let ticks: u32 = attribute("data-ticks-while-computing").parse().unwrap();
    assert!(
        ticks >= 1 || elapsed < 20.0,
        "{ticks} ticks in {elapsed} ms"
    );
    let shown: u32 = root
        .query_selector("#ticks")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        shown >= ticks,
        "the counter on the page ({shown}) is rendered from the same signal"
    );
    assert_eq!(root.query_selector_all("#errors li").unwrap().length(), 0);

    drop(mounted);
    assert!(
        root.query_selector("#result").unwrap().is_none(),
        "unmounted"
    );
}
