//! The page of `browser-bar` (`www/index.html`) and its devtools console functions. wasm32
//! only.
//!
//! The page's module script awaits [`bar_start`] once and copies the `bar_*` exports onto
//! `globalThis`, so they can be typed in the devtools console (in the worker variant too:
//! the page's handle forwards them to the worker):
//!
//! | call | does |
//! |---|---|
//! | `await bar_submit("hi")` | what Enter in the text box does |
//! | `await bar_add("Msg")` | activates a state of `bar` by hand; the change syncs |
//! | `await bar_remove("Msg")` | deactivates it |
//! | `bar_states()` | the whole view: status, both machines' clocks, messages, unacked |
//! | `bar_mode()` | `"main"` or `"worker"`: where the client runs |
//!
//! A bad state name rejects the promise with the machine's error message.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::{Closure, JsError, JsValue, wasm_bindgen};
use web_sys::{Document, Element, HtmlInputElement, KeyboardEvent};

use crate::browser::{BarClient, BarOptions, BarView};
use async_state_machine::is_active;

thread_local! {
    static CLIENT: RefCell<Option<BarClient>> = const { RefCell::new(None) };
    static MODE: RefCell<&'static str> = const { RefCell::new("none") };
}

fn client() -> Result<BarClient, JsError> {
    CLIENT
        .with(|c| c.borrow().clone())
        .ok_or_else(|| JsError::new("browser-bar is not started: call bar_start() first"))
}

/// The WebSocket URL of the server that served this page: `ws(s)://<host>/ws`.
///
/// ```no_run
/// let url = state_sync::page::ws_url_from(&web_sys::window().unwrap().location());
/// ```
pub fn ws_url_from(location: &web_sys::Location) -> Result<String, JsError> {
    let js = |e: JsValue| JsError::new(&format!("reading the page location: {e:?}"));
    let scheme = if location.protocol().map_err(js)? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Ok(format!("{scheme}://{}/ws", location.host().map_err(js)?))
}

// ANCHOR: start
/// Starts the client for this page: the WebSocket URL comes from `location` (the page is
/// served by `server-foo` itself), the session from `?session=` (a random one otherwise);
/// with `?worker=1` the client runs in a dedicated worker ([`crate::worker`]) and this
/// thread only renders. Enter in `#msg` submits. Calling it again does nothing.
///
/// ```no_run
/// # async fn f() -> Result<(), wasm_bindgen::JsError> {
/// state_sync::page::bar_start().await?;
/// # Ok(()) }
/// ```
#[wasm_bindgen]
pub async fn bar_start() -> Result<(), JsError> {
    if CLIENT.with(|c| c.borrow().is_some()) {
        return Ok(());
    }
    let window = web_sys::window().ok_or_else(|| JsError::new("no window: open the page"))?;
    let document = window
        .document()
        .ok_or_else(|| JsError::new("no document"))?;
    let location = window.location();
    let url = ws_url_from(&location)?;
    let query = web_sys::UrlSearchParams::new_with_str(&location.search().unwrap_or_default())
        .map_err(|e| JsError::new(&format!("reading the query: {e:?}")))?;
    let session = query
        .get("session")
        .unwrap_or_else(|| format!("page-{:08x}", (js_sys::Math::random() * 4e9) as u64));
    let in_worker = query.get("worker").is_some_and(|w| w == "1");

    let render_doc = document.clone();
    let mut shown = 0;
    let on_change = move |view: &BarView| render(&render_doc, view, &mut shown);
    let options = BarOptions::new(&url, &session);
    let bar = if in_worker {
        crate::worker::start_in_worker(options, on_change)
            .await
            .map_err(|e| JsError::new(&e.to_string()))?
    } else {
        BarClient::start(options, on_change)
    };
    CLIENT.with(|c| *c.borrow_mut() = Some(bar.clone()));
    MODE.with(|m| *m.borrow_mut() = if in_worker { "worker" } else { "main" });

    let input: HtmlInputElement = element(&document, "msg")?
        .dyn_into()
        .map_err(|_| JsError::new("#msg must be an <input>"))?;
    let typed = input.clone();
    let on_key = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
        if e.key() != "Enter" {
            return;
        }
        let text = typed.value();
        typed.set_value("");
        let bar = bar.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = bar.submit(&text).await {
                web_sys::console::warn_1(&e.to_string().into());
            }
        });
    });
    input
        .add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref())
        .map_err(|e| JsError::new(&format!("listening to #msg: {e:?}")))?;
    // The listener lives as long as the page.
    on_key.forget();
    Ok(())
}
// ANCHOR_END: start

fn element(document: &Document, id: &str) -> Result<Element, JsError> {
    document
        .get_element_by_id(id)
        .ok_or_else(|| JsError::new(&format!("the page has no #{id} element")))
}

/// Updates `#status`, `#bar-clocks`, `#foo-clocks`, and appends the new lines to
/// `#messages` (`shown` counts those already there).
fn render(document: &Document, view: &BarView, shown: &mut usize) {
    let set = |id: &str, text: &str| {
        if let Some(e) = document.get_element_by_id(id) {
            e.set_text_content(Some(text));
        }
    };
    let status = view
        .status
        .as_ref()
        .map_or_else(|| "starting".to_string(), |s| s.to_string());
    set("status", &status);
    if let Some(e) = document.get_element_by_id("status") {
        let _ = e.set_attribute(
            "data-state",
            if status == "connected" {
                "connected"
            } else {
                "offline"
            },
        );
    }
    let clocks = |c: &crate::Clocks| {
        c.iter()
            .map(|(n, t)| format!("{n}{} {t}", if is_active(*t) { " ●" } else { "" }))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    set("bar-clocks", &clocks(&view.bar));
    set("foo-clocks", &clocks(&view.foo));
    set("unacked", &view.unacked.to_string());
    let Some(list) = document.get_element_by_id("messages") else {
        return;
    };
    for line in view.messages.iter().skip(*shown) {
        if let Ok(li) = document.create_element("li") {
            let _ = li.set_attribute("data-from", &line.from);
            li.set_text_content(Some(&format!("{}: {}", line.from, line.text)));
            let _ = list.append_child(&li);
        }
    }
    *shown = view.messages.len();
}

/// Where this page's client runs: `"main"` (this thread), `"worker"` (`?worker=1`), or
/// `"none"` before [`bar_start`] finished.
///
/// ```no_run
/// assert_eq!(state_sync::page::bar_mode(), "none");
/// ```
#[wasm_bindgen]
pub fn bar_mode() -> String {
    MODE.with(|m| m.borrow().to_string())
}

/// Devtools: what Enter does, for text typed in the console.
///
/// ```no_run
/// # async fn f() -> Result<(), wasm_bindgen::JsError> {
/// state_sync::page::bar_submit("hi".into()).await?;
/// # Ok(()) }
/// ```
#[wasm_bindgen]
pub async fn bar_submit(text: String) -> Result<(), JsError> {
    client()?
        .submit(&text)
        .await
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Devtools: activates `state` of this page's `bar` machine; resolves to [`bar_states`].
///
/// ```no_run
/// # async fn f() -> Result<(), wasm_bindgen::JsError> {
/// let view = state_sync::page::bar_add("Msg".into()).await?;
/// # Ok(()) }
/// ```
#[wasm_bindgen]
pub async fn bar_add(state: String) -> Result<JsValue, JsError> {
    client()?
        .add(&state)
        .await
        .map_err(|e| JsError::new(&e.to_string()))?;
    bar_states()
}

/// Devtools: deactivates `state` of this page's `bar` machine; resolves to [`bar_states`].
///
/// ```no_run
/// # async fn f() -> Result<(), wasm_bindgen::JsError> {
/// let view = state_sync::page::bar_remove("Msg".into()).await?;
/// # Ok(()) }
/// ```
#[wasm_bindgen]
pub async fn bar_remove(state: String) -> Result<JsValue, JsError> {
    client()?
        .remove(&state)
        .await
        .map_err(|e| JsError::new(&e.to_string()))?;
    bar_states()
}

/// Devtools: the current view as a plain object: `{session, status, bar, foo, messages,
/// unacked, connections}` (`bar`/`foo` map each state to its clock; odd means active).
///
/// ```no_run
/// let view = state_sync::page::bar_states().map_err(wasm_bindgen::JsValue::from)?;
/// # Ok::<(), wasm_bindgen::JsValue>(())
/// ```
#[wasm_bindgen]
pub fn bar_states() -> Result<JsValue, JsError> {
    view_to_js(&client()?.view())
}

/// A view as a plain JS object (through JSON, so it is a copy).
///
/// ```no_run
/// let js = state_sync::page::view_to_js(&Default::default()).map_err(wasm_bindgen::JsValue::from)?;
/// # Ok::<(), wasm_bindgen::JsValue>(())
/// ```
pub fn view_to_js(view: &BarView) -> Result<JsValue, JsError> {
    let json = serde_json::to_string(view).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&json).map_err(|e| JsError::new(&format!("{e:?}")))
}
