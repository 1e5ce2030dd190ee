//! The main thread's side: start the engine, compile, run, cancel.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::pin::pin;
use std::task::Poll;

use wasm_rs_shared_channel::RecvError;
use wasm_rs_shared_channel::spsc::{self, Duplex};

use crate::{
    CancelFlag, EngineError, EngineHandle, Limits, Reply, Request, RunId, ScriptId, Value,
    start_engine,
};

/// Everything one run produced: what the script emitted and printed, in order, and how it
/// ended.
///
/// ```
/// use rhai_engine_worker::{RunOutput, Value};
/// let output = RunOutput { result: Ok(Value::Int(1)), emitted: vec![], printed: vec![] };
/// assert!(output.result.is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutput {
    /// The script's last value, or its error.
    pub result: Result<Value, crate::ScriptError>,
    /// The values passed to `emit`, in order.
    pub emitted: Vec<Value>,
    /// The texts passed to `print`, in order.
    pub printed: Vec<String>,
}

// ANCHOR: client
/// The main thread's handle on a running engine. Every method is `async` and never blocks,
/// so it works on the browser main thread; natively, drive it with any executor.
///
/// Dropping the client cancels whatever still runs and closes the channel, which ends the
/// engine (on wasm32 the worker is also terminated).
///
/// If the engine dies anyway (its worker traps on a stack overflow, runs out of memory, or
/// panics), the client notices while it waits for a reply: it fails the runs in flight with
/// [`ScriptError::EngineCrashed`](crate::ScriptError::EngineCrashed), starts a fresh engine
/// with the same limits and cancel flag, compiles every script it had again under the same
/// ids, and goes on serving. [`restarts`](EngineClient::restarts) counts how often.
///
/// ```
/// use rhai_engine_worker::{EngineClient, Limits, Value};
///
/// # #[cfg(not(target_arch = "wasm32"))]
/// wasm_rs_async_executor::block_on(async {
///     let mut engine = EngineClient::start(Limits::default()).await?;
///     let double = engine.compile("emit(event); event * 2").await?;
///     let output = engine.run(double, Value::Int(21)).await?;
///     assert_eq!(output.result, Ok(Value::Int(42)));
///     assert_eq!(output.emitted, vec![Value::Int(21)]);
///     engine.shutdown().await
/// })??;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct EngineClient {
    channel: Duplex<Request, Reply>,
    cancel: CancelFlag,
    /// Replies read while waiting for another one, in arrival order.
    pending: VecDeque<Reply>,
    next_script: u32,
    last_run: u32,
    engine: Option<EngineHandle>,
    /// The limits last set, for a restarted engine.
    limits: Limits,
    /// The source of every script that compiled, for a restarted engine.
    compiled: BTreeMap<ScriptId, String>,
    /// Scripts sent to compile whose reply has not arrived.
    compiling: BTreeMap<ScriptId, String>,
    /// Runs submitted whose `Finished` reply has not arrived.
    in_flight: BTreeSet<RunId>,
    /// Scripts a restart compiles again: their replies are the client's, not the caller's.
    recompiling: BTreeSet<ScriptId>,
    restarts: u32,
}

impl EngineClient {
    /// Bytes in each direction of the channel; also bounds one message (a script's source,
    /// a result): a larger one comes back as an error instead.
    ///
    /// ```
    /// assert_eq!(rhai_engine_worker::EngineClient::CHANNEL_CAPACITY, 1 << 20);
    /// ```
    pub const CHANNEL_CAPACITY: usize = 1 << 20;

    /// Starts an engine with `limits`: on wasm32 in a new dedicated worker running this same
    /// module (through `wasm-rs-worker`), natively on a new thread.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), rhai_engine_worker::EngineError> {
    /// let engine = rhai_engine_worker::EngineClient::start(Default::default()).await?;
    /// # drop(engine);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(limits: Limits) -> Result<Self, EngineError> {
        let cancel = CancelFlag::new()?;
        let (channel, engine_end) = spsc::duplex::<Request, Reply>(Self::CHANNEL_CAPACITY)?;
        let engine = start_engine(engine_end, cancel.clone()).await?;
        let mut client = EngineClient {
            channel,
            cancel,
            pending: VecDeque::new(),
            next_script: 1,
            last_run: 0,
            engine: Some(engine),
            limits,
            compiled: BTreeMap::new(),
            compiling: BTreeMap::new(),
            in_flight: BTreeSet::new(),
            recompiling: BTreeSet::new(),
            restarts: 0,
        };
        client.set_limits(limits).await?;
        Ok(client)
    }

    /// Replaces the limits for every later run.
    ///
    /// ```no_run
    /// # async fn example(mut engine: rhai_engine_worker::EngineClient) -> Result<(), rhai_engine_worker::EngineError> {
    /// let limits = rhai_engine_worker::Limits { max_operations: 0, ..Default::default() };
    /// engine.set_limits(limits).await?; // only a cancel stops a runaway script now
    /// # Ok(())
    /// # }
    /// ```
    pub async fn set_limits(&mut self, limits: Limits) -> Result<(), EngineError> {
        self.limits = limits;
        self.send(Request::SetLimits(limits)).await
    }

    /// Compiles `source` once in the engine and returns the id to run it by, or the
    /// [`ScriptError::Syntax`](crate::ScriptError::Syntax) (with line and column) that stopped it.
    ///
    /// ```no_run
    /// # async fn example(mut engine: rhai_engine_worker::EngineClient) -> Result<(), rhai_engine_worker::EngineError> {
    /// let script = engine.compile("event + 1").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn compile(&mut self, source: &str) -> Result<ScriptId, EngineError> {
        let script = ScriptId(self.next_script);
        self.next_script = self.next_script.wrapping_add(1);
        self.compiling.insert(script, source.to_owned());
        self.send(Request::Compile {
            script,
            source: source.to_owned(),
        })
        .await?;
        let reply = self
            .take(|r| matches!(r, Reply::Compiled { script: s, .. } if *s == script))
            .await?;
        match reply {
            Reply::Compiled { result, .. } => result.map(|()| script).map_err(Into::into),
            other => Err(EngineError::Protocol(format!(
                "expected Compiled, got {other:?}"
            ))),
        }
    }

    /// Queues a run of `script` on `event` and returns its id at once; read its replies with
    /// [`finish`](EngineClient::finish) or [`next_reply`](EngineClient::next_reply). Runs
    /// are carried out in the order they are submitted.
    ///
    /// ```no_run
    /// # async fn example(mut engine: rhai_engine_worker::EngineClient, script: rhai_engine_worker::ScriptId) -> Result<(), rhai_engine_worker::EngineError> {
    /// use rhai_engine_worker::Value;
    /// let first = engine.submit(script, Value::Int(1)).await?;
    /// let second = engine.submit(script, Value::Int(2)).await?;
    /// let _ = engine.finish(first).await?;
    /// let _ = engine.finish(second).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn submit(&mut self, script: ScriptId, event: Value) -> Result<RunId, EngineError> {
        let run = RunId(self.last_run.checked_add(1).ok_or_else(|| {
            EngineError::Protocol("4 294 967 295 runs used up; start a new engine".into())
        })?);
        self.send(Request::Run { script, run, event }).await?;
        self.last_run = run.0;
        self.in_flight.insert(run);
        Ok(run)
    }

    /// Waits for the end of `run` and returns all it produced. Replies of other runs that
    /// arrive meanwhile are kept for their own `finish` or [`next_reply`](EngineClient::next_reply).
    ///
    /// ```no_run
    /// # async fn example(mut engine: rhai_engine_worker::EngineClient, run: rhai_engine_worker::RunId) -> Result<(), rhai_engine_worker::EngineError> {
    /// let output = engine.finish(run).await?;
    /// println!("{:?} after emitting {:?}", output.result, output.emitted);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn finish(&mut self, run: RunId) -> Result<RunOutput, EngineError> {
        let mut emitted = Vec::new();
        let mut printed = Vec::new();
        loop {
            match self.take(|r| reply_run(r) == Some(run)).await? {
                Reply::Emitted { value, .. } => emitted.push(value),
                Reply::Printed { text, .. } => printed.push(text),
                Reply::Finished { result, .. } => {
                    return Ok(RunOutput {
                        result,
                        emitted,
                        printed,
                    });
                }
                other => {
                    return Err(EngineError::Protocol(format!(
                        "expected a reply of {run:?}, got {other:?}"
                    )));
                }
            }
        }
    }

    /// [`submit`](EngineClient::submit) then [`finish`](EngineClient::finish).
    ///
    /// ```no_run
    /// # async fn example(mut engine: rhai_engine_worker::EngineClient) -> Result<(), rhai_engine_worker::EngineError> {
    /// use rhai_engine_worker::Value;
    /// let script = engine.compile("event * 2").await?;
    /// assert_eq!(engine.run(script, Value::Int(4)).await?.result, Ok(Value::Int(8)));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn run(&mut self, script: ScriptId, event: Value) -> Result<RunOutput, EngineError> {
        let run = self.submit(script, event).await?;
        self.finish(run).await
    }

    /// Drops a compiled script in the engine.
    ///
    /// ```no_run
    /// # async fn example(mut engine: rhai_engine_worker::EngineClient) -> Result<(), rhai_engine_worker::EngineError> {
    /// let script = engine.compile("1").await?;
    /// engine.forget(script).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn forget(&mut self, script: ScriptId) -> Result<(), EngineError> {
        self.compiled.remove(&script);
        self.send(Request::Forget { script }).await
    }

    /// How many times the engine died and was started again (see [`EngineClient`]).
    ///
    /// ```no_run
    /// # fn example(engine: &rhai_engine_worker::EngineClient) {
    /// if engine.restarts() > 0 {
    ///     println!("the engine was restarted {} times", engine.restarts());
    /// }
    /// # }
    /// ```
    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// The next reply of any kind, oldest first: for a page that shows everything as it
    /// comes (emits while a script still runs).
    ///
    /// ```no_run
    /// # async fn example(mut engine: rhai_engine_worker::EngineClient) -> Result<(), rhai_engine_worker::EngineError> {
    /// while let rhai_engine_worker::Reply::Emitted { value, .. } = engine.next_reply().await? {
    ///     println!("progress: {value}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn next_reply(&mut self) -> Result<Reply, EngineError> {
        self.take(|_| true).await
    }

    // ANCHOR: cancel
    /// Cancels the run in progress and every run submitted so far; runs submitted later are
    /// not affected. Takes effect within [`CANCEL_CHECK_INTERVAL`](crate::CANCEL_CHECK_INTERVAL)
    /// Rhai operations (microseconds), or at once in `sleep`: one `Atomics.store` and
    /// `Atomics.notify`, no message through the queue.
    ///
    /// ```no_run
    /// # async fn example(mut engine: rhai_engine_worker::EngineClient) -> Result<(), rhai_engine_worker::EngineError> {
    /// use rhai_engine_worker::{ScriptError, Value};
    /// let forever = engine.compile("loop {}").await?;
    /// let run = engine.submit(forever, Value::Unit).await?;
    /// engine.cancel();
    /// assert!(matches!(engine.finish(run).await?.result, Err(ScriptError::Cancelled { .. })));
    /// # Ok(())
    /// # }
    /// ```
    pub fn cancel(&self) {
        self.cancel.cancel_through(RunId(self.last_run));
    }
    // ANCHOR_END: cancel

    /// The shared cancel flag, for code that cancels without holding the client (a button's
    /// click handler).
    ///
    /// ```no_run
    /// # fn example(engine: &rhai_engine_worker::EngineClient) {
    /// let flag = engine.cancel_flag().clone();
    /// # drop(flag);
    /// # }
    /// ```
    pub fn cancel_flag(&self) -> &CancelFlag {
        &self.cancel
    }

    /// The id of the last run submitted (`RunId(0)` before the first).
    ///
    /// ```no_run
    /// # fn example(engine: &rhai_engine_worker::EngineClient) {
    /// let flag = engine.cancel_flag().clone();
    /// flag.cancel_through(engine.last_run()); // what `cancel()` does
    /// # }
    /// ```
    pub fn last_run(&self) -> RunId {
        RunId(self.last_run)
    }

    /// Cancels what runs, closes the channel and waits for the engine to end; reports how it
    /// ended.
    ///
    /// ```no_run
    /// # async fn example(engine: rhai_engine_worker::EngineClient) -> Result<(), rhai_engine_worker::EngineError> {
    /// engine.shutdown().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shutdown(mut self) -> Result<(), EngineError> {
        self.cancel();
        let engine = self.engine.take();
        drop(self);
        match engine {
            Some(engine) => engine.finish().await,
            None => Ok(()),
        }
    }

    async fn send(&mut self, request: Request) -> Result<(), EngineError> {
        Ok(self.channel.sender().send_async(request).await?)
    }

    /// The first reply, pending or new, that `wanted` accepts; others are kept in order. If
    /// the engine dies meanwhile, [`restart`](Self::restart)s it, which answers what was in
    /// flight, and looks again.
    async fn take(&mut self, wanted: impl Fn(&Reply) -> bool) -> Result<Reply, EngineError> {
        loop {
            if let Some(i) = self.pending.iter().position(&wanted)
                && let Some(reply) = self.pending.remove(i)
            {
                return Ok(reply);
            }
            let reply = match self.next_or_death().await {
                Ok(reply) => reply,
                Err(death) => {
                    self.restart(death).await?;
                    continue;
                }
            };
            self.track(&reply);
            if let Reply::Compiled { script, .. } = &reply
                && self.recompiling.remove(script)
            {
                continue;
            }
            if wanted(&reply) {
                return Ok(reply);
            }
            self.pending.push_back(reply);
        }
    }

    /// The next reply from the engine, or how the engine died: its channel end went away
    /// (announced by `wasm-rs-worker`), or its worker's entry ended (a trap leaves the
    /// channel looking alive, so both are watched).
    async fn next_or_death(&mut self) -> Result<Reply, String> {
        let mut recv = pin!(self.channel.receiver().recv_async());
        let Some(engine) = self.engine.as_mut() else {
            return recv.await.map_err(|e| e.to_string());
        };
        let mut ended = pin!(engine.ended());
        std::future::poll_fn(|cx| {
            if let Poll::Ready(reply) = recv.as_mut().poll(cx) {
                return Poll::Ready(match reply {
                    Ok(reply) => Ok(reply),
                    Err(RecvError::Disconnected) => {
                        Err("its worker ended, panicked or was terminated".to_string())
                    }
                    Err(e) => Err(e.to_string()),
                });
            }
            ended.as_mut().poll(cx).map(Err)
        })
        .await
    }

    /// Keeps the books on what is in flight as replies arrive.
    fn track(&mut self, reply: &Reply) {
        match reply {
            Reply::Finished { run, .. } => {
                self.in_flight.remove(run);
            }
            Reply::Compiled { script, result } => {
                if let Some(source) = self.compiling.remove(script)
                    && result.is_ok()
                {
                    self.compiled.insert(*script, source);
                }
            }
            Reply::Emitted { .. } | Reply::Printed { .. } => {}
        }
    }

    // ANCHOR: restart
    /// The engine died (`death` says how): answer every run and compile in flight with
    /// [`ScriptError::EngineCrashed`](crate::ScriptError::EngineCrashed), start a fresh engine
    /// on a new channel with the same cancel flag and limits, and compile every script that
    /// had compiled again, under the same id.
    async fn restart(&mut self, death: String) -> Result<(), EngineError> {
        let crashed = || crate::ScriptError::EngineCrashed {
            message: death.clone(),
        };
        for run in std::mem::take(&mut self.in_flight) {
            self.pending.push_back(Reply::Finished {
                run,
                result: Err(crashed()),
            });
        }
        // A compile in flight may be what killed it: answered, not sent again.
        for script in std::mem::take(&mut self.compiling).into_keys() {
            self.pending.push_back(Reply::Compiled {
                script,
                result: Err(crashed()),
            });
        }
        // Dropping the old handle terminates what is left of the old worker.
        self.engine = None;
        self.recompiling.clear();
        let (channel, engine_end) = spsc::duplex::<Request, Reply>(Self::CHANNEL_CAPACITY)?;
        self.channel = channel;
        self.engine = Some(start_engine(engine_end, self.cancel.clone()).await?);
        self.restarts += 1;
        self.send(Request::SetLimits(self.limits)).await?;
        for (script, source) in std::mem::take(&mut self.compiled) {
            self.compiling.insert(script, source.clone());
            self.recompiling.insert(script);
            self.send(Request::Compile { script, source }).await?;
        }
        // Their replies come back through `take`, which files each script as compiled.
        Ok(())
    }
    // ANCHOR_END: restart
}

impl Drop for EngineClient {
    fn drop(&mut self) {
        // A script still running would otherwise keep a native engine thread busy until a
        // limit stops it.
        self.cancel();
    }
}
// ANCHOR_END: client

/// The run a reply belongs to, if any.
fn reply_run(reply: &Reply) -> Option<RunId> {
    match reply {
        Reply::Emitted { run, .. } | Reply::Printed { run, .. } | Reply::Finished { run, .. } => {
            Some(*run)
        }
        Reply::Compiled { .. } => None,
    }
}
