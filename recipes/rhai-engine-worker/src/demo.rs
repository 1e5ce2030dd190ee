//! The book's demo (wasm32, browser main thread): a guided run, then a script editor with
//! Run and Cancel buttons wired to the same engine, and an animation driven from the main
//! thread that keeps moving while a script spins in the worker.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_rs_async_executor::{Instant, sleep, spawn, yield_animation_frame};

use crate::{CancelFlag, EngineClient, EngineError, Limits, Reply, RunId, Value};

thread_local! {
    /// Animation frames drawn by the main thread since the demo started.
    static FRAMES: Cell<u64> = const { Cell::new(0) };
    static ANIMATING: Cell<bool> = const { Cell::new(false) };
    /// The editor's wiring; replaced (and the old engine dropped) when the demo restarts.
    static EDITOR: RefCell<Option<Editor>> = const { RefCell::new(None) };
}

/// Keeps the button handlers alive, and the queue to the task that owns the engine.
struct Editor {
    _run: Closure<dyn FnMut()>,
    _cancel: Closure<dyn FnMut()>,
}

fn log(line: &str) {
    web_sys::console::log_1(&line.into());
}

fn js_error(e: EngineError) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

fn element(id: &str) -> Option<web_sys::HtmlElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// Moves `#rhai-demo-ball` back and forth on every animation frame, from a task on the main
/// thread's executor: if the main thread were blocked, it would stop.
fn animate() {
    if ANIMATING.with(|a| a.replace(true)) {
        return;
    }
    // Detached: it animates for as long as the page lives.
    drop(spawn(async {
        let ball = element("rhai-demo-ball");
        while let Ok(now) = yield_animation_frame().await {
            FRAMES.with(|f| f.set(f.get() + 1));
            if let Some(ball) = &ball {
                // Whole pixels as an integer: formatting an `f64` would link Rust's float
                // printing (about 20 KB of wasm) into the page.
                let x = ((now / 8.0) % 400.0 - 200.0).abs() as i32;
                let _ = ball
                    .style()
                    .set_property("transform", &format!("translateX({x}px)"));
            }
        }
    }));
}

fn frames() -> u64 {
    FRAMES.with(Cell::get)
}

/// The book's demo: starts the engine in a worker, shows a runaway script cancelled while the
/// page keeps animating, then hands the engine to the script editor on the page.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn example() {
/// rhai_engine_worker::run_demo().await.unwrap();
/// # }
/// ```
// ANCHOR: demo
#[wasm_bindgen]
pub async fn run_demo() -> Result<(), JsValue> {
    animate();
    // No operations limit: only the Cancel button stops a runaway script.
    let limits = Limits {
        max_operations: 0,
        ..Limits::default()
    };
    let started = Instant::now();
    let mut engine = EngineClient::start(limits).await.map_err(js_error)?;
    log(&format!(
        "engine started in a worker in {} ms",
        started.elapsed().as_millis()
    ));

    let answer = engine.compile("event * 2").await.map_err(js_error)?;
    if let Err(e) = engine.compile("let total = 1 +\n  ;").await {
        log(&format!("a bad script is refused: {e}"));
    }
    let forever = engine
        .compile(r#"emit("spinning"); let n = 0; loop { n += 1; }"#)
        .await
        .map_err(js_error)?;
    let run = engine
        .submit(forever, Value::Unit)
        .await
        .map_err(js_error)?;
    let first = engine.next_reply().await.map_err(js_error)?;
    log(&format!(
        "the worker says {first:?}; the script now loops forever"
    ));
    let before = frames();
    sleep(Duration::from_millis(500)).await;
    log(&format!(
        "frames drawn on the main thread in the next 500 ms: {}",
        frames() - before
    ));
    let cancelled_at = Instant::now();
    engine.cancel();
    let output = engine.finish(run).await.map_err(js_error)?;
    let latency = cancelled_at.elapsed().as_micros();
    match output.result {
        Err(e) => log(&format!(
            "cancelled after {}.{:02} ms: {e}",
            latency / 1000,
            latency % 1000 / 10
        )),
        Ok(v) => log(&format!("unexpected: the endless script returned {v}")),
    }
    let output = engine.run(answer, Value::Int(21)).await.map_err(js_error)?;
    match output.result {
        Ok(value) => log(&format!("the engine still answers: {value}")),
        Err(e) => log(&format!("unexpected: {e}")),
    }
    wire_editor(engine);
    Ok(())
}
// ANCHOR_END: demo

/// Hands the engine to a task that runs the editor's scripts one at a time; the Cancel
/// button writes the cancel flag directly, never waiting behind the queue.
fn wire_editor(engine: EngineClient) {
    let (Some(source), Some(run_button), Some(cancel_button), Some(output)) = (
        element("rhai-demo-script"),
        element("rhai-demo-run"),
        element("rhai-demo-cancel"),
        element("rhai-demo-output"),
    ) else {
        log("(no script editor on this page: the engine stops here)");
        return;
    };
    let flag: CancelFlag = engine.cancel_flag().clone();
    let (queue, scripts) = async_channel::unbounded::<String>();
    let running = std::rc::Rc::new(Cell::new(RunId(0)));
    let running_for_task = std::rc::Rc::clone(&running);
    // Detached: it ends when the queue closes (the demo restarts and drops the editor).
    drop(spawn(async move {
        let mut engine = engine;
        while let Ok(script) = scripts.recv().await {
            if let Err(e) = run_in_editor(&mut engine, &script, &running_for_task, &output).await {
                append(&output, &format!("the engine failed: {e}"));
                break;
            }
        }
    }));
    let run = Closure::<dyn FnMut()>::new(move || {
        let text = source
            .dyn_ref::<web_sys::HtmlTextAreaElement>()
            .map(web_sys::HtmlTextAreaElement::value)
            .unwrap_or_default();
        let _ = queue.try_send(text);
    });
    let cancel = Closure::<dyn FnMut()>::new(move || flag.cancel_through(running.get()));
    run_button.set_onclick(Some(run.as_ref().unchecked_ref()));
    cancel_button.set_onclick(Some(cancel.as_ref().unchecked_ref()));
    let _ = run_button.remove_attribute("disabled");
    let _ = cancel_button.remove_attribute("disabled");
    EDITOR.with(|e| {
        *e.borrow_mut() = Some(Editor {
            _run: run,
            _cancel: cancel,
        })
    });
    log("the editor below now runs scripts on this engine");
}

/// Compiles and runs one script from the editor, streaming its emits and prints.
async fn run_in_editor(
    engine: &mut EngineClient,
    source: &str,
    running: &Cell<RunId>,
    output: &web_sys::HtmlElement,
) -> Result<(), EngineError> {
    output.set_text_content(None);
    let script = match engine.compile(source).await {
        Ok(script) => script,
        Err(EngineError::Script(e)) => {
            append(output, &e.to_string());
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let run = engine.submit(script, Value::Unit).await?;
    running.set(run);
    let started = Instant::now();
    let frames_before = frames();
    loop {
        match engine.next_reply().await? {
            Reply::Emitted { value, .. } => append(output, &format!("emit: {value}")),
            Reply::Printed { text, .. } => append(output, &text),
            Reply::Finished { result, .. } => {
                let ms = started.elapsed().as_millis();
                match result {
                    Ok(value) => append(output, &format!("=> {value}")),
                    Err(e) => append(output, &format!("error: {e}")),
                }
                append(
                    output,
                    &format!(
                        "({ms} ms; {} frames drawn meanwhile)",
                        frames() - frames_before
                    ),
                );
                engine.forget(script).await?;
                return Ok(());
            }
            Reply::Compiled { .. } => {}
        }
    }
}

fn append(output: &web_sys::HtmlElement, line: &str) {
    let text = output.text_content().unwrap_or_default();
    output.set_text_content(Some(&format!("{text}{line}\n")));
}
