//! Where the counterpart runs: a std thread natively, a worker on wasm32 (Node
//! `worker_threads`, or a dedicated Web Worker in the browser) that instantiates this same
//! test module and calls [`channel_worker_entry`]. Only this file knows the difference.

use core::future::Future;
use core::pin::Pin;

use wasm_rs_shared_channel::spsc::{Duplex, RawReceiver, RawSender, Receiver, Sender};

/// A job for the counterpart thread.
pub enum Task {
    RecvU32(Receiver<u32>, u32),
    SendU32(Sender<u32>, u32),
    RecvBytes(RawReceiver, u32, usize, u32),
    SendBytes(RawSender, u32, usize, u32),
    /// `SendU32` in batches of varying size (`send_batch`).
    SendU32Batched(Sender<u32>, u32),
    /// Sends 0, 1, 2, ... until the channel is disconnected (or the thread is killed).
    SendForever(Sender<u32>),
    /// `RecvU32` inside wasm-rs-async-executor's full-time `block_on`: the executor must
    /// park on the channel (the thread never returns to its event loop).
    ParkedRecvU32(Receiver<u32>, u32),
    /// Answers each request `x` with `3x + 1` until the client is gone.
    Echo(Duplex<u32, u32>),
    /// Sends 0..n, then vanishes without closing the channel: forgets its sender and, in a
    /// browser worker, closes its own thread (`self.close()`).
    SendThenVanish(Sender<u32>, u32),
    /// Sends 0..n, then panics (in wasm, a trap: the sender is never dropped).
    SendThenPanic(Sender<u32>, u32),
    /// Sends 0..n, then traps without a panic (`unreachable`), as a stack overflow or
    /// running out of memory would: wasm only.
    SendThenTrap(Sender<u32>, u32),
    /// Receives 0, 1, 2, ... with blocking `recv` until `Disconnected`; the count received.
    RecvUntilDisconnected(Receiver<u32>),
}

/// Runs a task to completion on the current thread with blocking calls.
pub fn run_blocking(task: Task) -> Result<(u32, u32), String> {
    use super::*;
    match task {
        Task::RecvU32(rx, n) => recv_u32_blocking(rx, n),
        Task::SendU32(tx, n) => send_u32_blocking(tx, n),
        Task::RecvBytes(rx, n, cap, seed) => recv_bytes_blocking(rx, n, cap, seed),
        Task::SendBytes(tx, n, cap, seed) => send_bytes_blocking(tx, n, cap, seed),
        Task::SendU32Batched(tx, n) => send_u32_batched_blocking(tx, n),
        Task::SendForever(mut tx) => {
            let mut i = 0u32;
            while tx.send(i).is_ok() {
                i = i.wrapping_add(1);
            }
            Ok((i, 0))
        }
        Task::SendThenVanish(mut tx, n) => {
            for i in 0..n {
                tx.send(i).map_err(|e| e.to_string())?;
            }
            core::mem::forget(tx);
            #[cfg(all(target_family = "wasm", target_os = "unknown"))]
            {
                use wasm_bindgen::JsCast;
                let global = js_sys::global();
                if let Ok(close) = js_sys::Reflect::get(&global, &"close".into())
                    .and_then(|c| c.dyn_into::<js_sys::Function>())
                {
                    let _ = close.call0(&global);
                }
            }
            Ok((n, 0))
        }
        Task::SendThenPanic(mut tx, n) => {
            for i in 0..n {
                tx.send(i).map_err(|e| e.to_string())?;
            }
            panic!("the sending worker panicked on purpose after {n} messages");
        }
        Task::SendThenTrap(mut tx, n) => {
            for i in 0..n {
                tx.send(i).map_err(|e| e.to_string())?;
            }
            #[cfg(target_arch = "wasm32")]
            core::arch::wasm32::unreachable();
            #[cfg(not(target_arch = "wasm32"))]
            unreachable!("only a wasm instance traps; natively this would end the process")
        }
        Task::RecvUntilDisconnected(mut rx) => {
            let mut n = 0u32;
            loop {
                match rx.recv() {
                    Ok(v) if v == n => n += 1,
                    Ok(v) => return Err(format!("message {n} arrived as {v}")),
                    Err(wasm_rs_shared_channel::RecvError::Disconnected) => return Ok((n, 0)),
                    Err(e) => return Err(e.to_string()),
                }
            }
        }
        Task::ParkedRecvU32(rx, n) => wasm_rs_async_executor::block_on(recv_u32_async(rx, n))
            .map_err(|e| format!("executor: {e:?}"))?,
        Task::Echo(mut server) => {
            let mut n = 0;
            loop {
                match server.receiver().recv() {
                    Ok(x) => server
                        .sender()
                        .send(x.wrapping_mul(3) + 1)
                        .map_err(|e| e.to_string())?,
                    Err(wasm_rs_shared_channel::RecvError::Disconnected) => return Ok((n, 0)),
                    Err(e) => return Err(e.to_string()),
                }
                n += 1;
            }
        }
    }
}

pub type Outcome = Pin<Box<dyn Future<Output = Result<(u32, u32), String>>>>;

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
pub fn spawn(task: Task) -> Outcome {
    let handle = std::thread::spawn(move || run_blocking(task));
    Box::pin(async move {
        handle
            .join()
            .map_err(|_| "counterpart thread panicked".to_string())?
    })
}

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
pub fn is_browser_main_thread() -> bool {
    false
}

#[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
pub fn block_on<F: Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
pub use wasm::*;

#[cfg(all(target_family = "wasm", target_os = "unknown"))]
mod wasm {
    use super::*;
    use js_sys::{Array, Object, Reflect};
    use wasm_bindgen::prelude::*;

    /// Entry point the worker calls (this module is instantiated again inside it).
    #[wasm_bindgen]
    pub fn channel_worker_entry(task: JsValue) -> Result<Array, JsValue> {
        let get = |k: &str| Reflect::get(&task, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let num = |k: &str| get(k).as_f64().unwrap_or(0.0) as u32;
        let role = get("role").as_string().unwrap_or_default();
        let end = get("end");
        let err = |e: wasm_rs_shared_channel::ChannelError| JsValue::from_str(&e.to_string());
        let (n, cap, seed) = (num("n"), num("cap") as usize, num("seed"));
        let task = match role.as_str() {
            "recv_u32" => Task::RecvU32(Receiver::from_js(&end).map_err(err)?, n),
            "send_u32" => Task::SendU32(Sender::from_js(&end).map_err(err)?, n),
            "recv_bytes" => Task::RecvBytes(RawReceiver::from_js(&end).map_err(err)?, n, cap, seed),
            "send_bytes" => Task::SendBytes(RawSender::from_js(&end).map_err(err)?, n, cap, seed),
            "send_forever" => Task::SendForever(Sender::from_js(&end).map_err(err)?),
            "send_u32_batched" => Task::SendU32Batched(Sender::from_js(&end).map_err(err)?, n),
            "parked_recv_u32" => Task::ParkedRecvU32(Receiver::from_js(&end).map_err(err)?, n),
            "echo" => Task::Echo(Duplex::from_js(&end).map_err(err)?),
            "send_then_vanish" => Task::SendThenVanish(Sender::from_js(&end).map_err(err)?, n),
            "send_then_panic" => Task::SendThenPanic(Sender::from_js(&end).map_err(err)?, n),
            "send_then_trap" => Task::SendThenTrap(Sender::from_js(&end).map_err(err)?, n),
            "recv_until_disconnected" => {
                Task::RecvUntilDisconnected(Receiver::from_js(&end).map_err(err)?)
            }
            other => return Err(JsValue::from_str(&format!("unknown role {other}"))),
        };
        let (count, sum) = run_blocking(task).map_err(|e| JsValue::from_str(&e))?;
        Ok(Array::of2(&count.into(), &sum.into()))
    }

    /// In an engine without `SharedArrayBuffer` (WebKitGTK 2.50, even cross-origin
    /// isolated) no channel can exist. There a test asserts the clear error that creating
    /// one gives, and returns `true`: the caller has nothing else to run.
    pub fn shared_memory_missing_and_error_checked() -> bool {
        if Reflect::has(&js_sys::global(), &"SharedArrayBuffer".into()).unwrap_or(false) {
            return false;
        }
        let err = wasm_rs_shared_channel::spsc::raw_channel(64).unwrap_err();
        assert_eq!(
            err,
            wasm_rs_shared_channel::ChannelError::SharedArrayBufferUnavailable
        );
        assert!(
            err.to_string()
                .contains("SharedArrayBuffer is not available"),
            "{err}"
        );
        true
    }

    /// Whether this is a browser window's main thread (where Atomics.wait throws).
    pub fn is_browser_main_thread() -> bool {
        let has = |k: &str| {
            !Reflect::get(&js_sys::global(), &k.into())
                .unwrap()
                .is_undefined()
        };
        has("document") && has("window")
    }

    /// A running worker, started by wasm-rs-worker on this same test module.
    pub struct Worker {
        handle: wasm_rs_worker::WorkerHandle,
    }

    impl Worker {
        /// Terminates the worker wherever it is (mid-message included).
        pub fn terminate(self) {
            self.handle.terminate();
        }

        /// The worker's result.
        pub async fn outcome(mut self) -> Result<(u32, u32), String> {
            let v = self
                .handle
                .join()
                .await
                .map_err(|e| format!("worker failed: {e}"))?;
            let a: Array = v.into();
            Ok((
                a.get(0).as_f64().unwrap() as u32,
                a.get(1).as_f64().unwrap() as u32,
            ))
        }
    }

    /// Starts a worker running `task`; resolves once it runs.
    pub async fn start_worker(task: Task) -> Worker {
        let obj = Object::new();
        let set = |k: &str, v: JsValue| {
            Reflect::set(&obj, &k.into(), &v).unwrap();
        };
        let (role, end, n, cap, seed) = match task {
            Task::RecvU32(rx, n) => ("recv_u32", rx.into_js(), n, 0, 0),
            Task::SendU32(tx, n) => ("send_u32", tx.into_js(), n, 0, 0),
            Task::RecvBytes(rx, n, cap, seed) => ("recv_bytes", rx.into_js(), n, cap, seed),
            Task::SendBytes(tx, n, cap, seed) => ("send_bytes", tx.into_js(), n, cap, seed),
            Task::SendForever(tx) => ("send_forever", tx.into_js(), 0, 0, 0),
            Task::SendU32Batched(tx, n) => ("send_u32_batched", tx.into_js(), n, 0, 0),
            Task::Echo(server) => ("echo", server.into_js(), 0, 0, 0),
            Task::ParkedRecvU32(rx, n) => ("parked_recv_u32", rx.into_js(), n, 0, 0),
            Task::SendThenVanish(tx, n) => ("send_then_vanish", tx.into_js(), n, 0, 0),
            Task::SendThenPanic(tx, n) => ("send_then_panic", tx.into_js(), n, 0, 0),
            Task::SendThenTrap(tx, n) => ("send_then_trap", tx.into_js(), n, 0, 0),
            Task::RecvUntilDisconnected(rx) => ("recv_until_disconnected", rx.into_js(), 0, 0, 0),
        };
        set("role", role.into());
        set("end", end);
        set("n", n.into());
        set("cap", (cap as u32).into());
        set("seed", seed.into());
        let glue = wasm_rs_worker::glue_url().expect("the test module's glue URL");
        let handle = wasm_rs_worker::spawn_worker(&glue, "channel_worker_entry", obj.into())
            .await
            .expect("a worker starts");
        Worker { handle }
    }

    /// Starts a worker running `task` now (the start runs on the event loop whether or not
    /// the outcome is awaited yet), and gives its outcome.
    pub fn spawn(task: Task) -> Outcome {
        let running =
            wasm_rs_async_executor::spawn(async move { start_worker(task).await.outcome().await });
        Box::pin(async move {
            running
                .await
                .map_err(|e| format!("the worker's task failed: {e}"))?
        })
    }
}
