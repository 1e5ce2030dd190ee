//! The state machine model shared by both sides (no I/O, no runtime: it compiles for wasm32).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use futures::channel::mpsc;
use serde::{Deserialize, Serialize};

use crate::platform::{EnterHandler, HandlerFuture, MaybeSendSync};

/// The clock of every state, by name. A clock is odd while its state is active.
///
/// ```
/// let clocks: async_state_machine::Clocks = [("Msg".to_string(), 3)].into();
/// assert!(async_state_machine::is_active(clocks["Msg"]));
/// ```
pub type Clocks = BTreeMap<String, u64>;

/// How one state relates to the others.
///
/// ```
/// use async_state_machine::StateDef;
/// let submit = StateDef::new().add(["Msg"]);
/// assert_eq!(submit.adds, vec!["Msg".to_string()]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateDef {
    /// States that must be active (or become active in the same transition) for this one to be.
    pub requires: Vec<String>,
    /// States this one deactivates when it activates.
    pub removes: Vec<String>,
    /// States this one activates along with itself.
    pub adds: Vec<String>,
    /// A multi state activates again while active: each `add` ticks its clock by two, so it
    /// counts events (a message, a greeting) while staying active.
    pub multi: bool,
}

impl StateDef {
    /// A state with no relations.
    ///
    /// ```
    /// assert!(async_state_machine::StateDef::new().requires.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `require` relations.
    ///
    /// ```
    /// let s = async_state_machine::StateDef::new().require(["Ready"]);
    /// assert_eq!(s.requires, vec!["Ready".to_string()]);
    /// ```
    pub fn require<const N: usize>(mut self, names: [&str; N]) -> Self {
        self.requires.extend(names.iter().map(|s| s.to_string()));
        self
    }

    /// Adds `remove` relations.
    ///
    /// ```
    /// let s = async_state_machine::StateDef::new().remove(["Bored"]);
    /// assert_eq!(s.removes, vec!["Bored".to_string()]);
    /// ```
    pub fn remove<const N: usize>(mut self, names: [&str; N]) -> Self {
        self.removes.extend(names.iter().map(|s| s.to_string()));
        self
    }

    /// Adds `add` relations.
    ///
    /// ```
    /// let s = async_state_machine::StateDef::new().add(["Msg"]);
    /// assert_eq!(s.adds, vec!["Msg".to_string()]);
    /// ```
    // The name is the relation's name in asyncmachine-go; this is a builder, not `+`.
    #[allow(clippy::should_implement_trait)]
    pub fn add<const N: usize>(mut self, names: [&str; N]) -> Self {
        self.adds.extend(names.iter().map(|s| s.to_string()));
        self
    }

    /// Marks the state as multi (see [`StateDef::multi`]).
    ///
    /// ```
    /// assert!(async_state_machine::StateDef::new().multi().multi);
    /// ```
    pub fn multi(mut self) -> Self {
        self.multi = true;
        self
    }
}

/// The named states of a machine and their relations; both sides of a sync share it.
///
/// ```
/// use async_state_machine::{Schema, StateDef};
/// let schema = Schema::new([("Ready", StateDef::new()), ("Bored", StateDef::new())])?;
/// assert!(schema.contains("Bored"));
/// # Ok::<(), async_state_machine::MachineError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    states: BTreeMap<String, StateDef>,
}

impl Schema {
    /// Builds a schema; every relation must name a state of the schema.
    ///
    /// ```
    /// use async_state_machine::{MachineError, Schema, StateDef};
    /// let bad = Schema::new([("A", StateDef::new().require(["Nope"]))]);
    /// assert!(matches!(bad, Err(MachineError::UnknownState { .. })));
    /// ```
    pub fn new<'a>(
        states: impl IntoIterator<Item = (&'a str, StateDef)>,
    ) -> Result<Self, MachineError> {
        let states: BTreeMap<String, StateDef> = states
            .into_iter()
            .map(|(n, d)| (n.to_string(), d))
            .collect();
        for def in states.values() {
            for name in def.requires.iter().chain(&def.removes).chain(&def.adds) {
                if !states.contains_key(name) {
                    return Err(MachineError::UnknownState { name: name.clone() });
                }
            }
        }
        Ok(Self { states })
    }

    /// Whether `name` is a state of this schema.
    ///
    /// ```
    /// let s = async_state_machine::Schema::new([("A", async_state_machine::StateDef::new())])?;
    /// assert!(!s.contains("B"));
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.states.contains_key(name)
    }

    /// The state names, sorted.
    ///
    /// ```
    /// let s = async_state_machine::Schema::new([("B", async_state_machine::StateDef::new()), ("A", async_state_machine::StateDef::new())])?;
    /// assert_eq!(s.names().collect::<Vec<_>>(), ["A", "B"]);
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.states.keys().map(String::as_str)
    }

    /// All clocks at zero (every state inactive).
    ///
    /// ```
    /// let s = async_state_machine::Schema::new([("A", async_state_machine::StateDef::new())])?;
    /// assert_eq!(s.zero_clocks()["A"], 0);
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub fn zero_clocks(&self) -> Clocks {
        self.states.keys().map(|n| (n.clone(), 0)).collect()
    }

    fn def(&self, name: &str) -> Result<&StateDef, MachineError> {
        self.states
            .get(name)
            .ok_or_else(|| MachineError::UnknownState {
                name: name.to_string(),
            })
    }
}

/// Why a transition did not happen.
///
/// ```
/// let err = async_state_machine::MachineError::UnknownState { name: "Nope".into() };
/// assert!(err.to_string().contains("schema"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MachineError {
    /// A name that is not in the schema.
    UnknownState {
        /// The name as given.
        name: String,
    },
    /// A state would become active without a state it requires.
    Requires {
        /// The state that was to be activated.
        state: String,
        /// The required state that is not active.
        missing: String,
    },
    /// A state called for activation is also removed by another activated state.
    Conflict {
        /// The state both added and removed.
        state: String,
    },
    /// An enter handler refused the transition; nothing changed.
    Vetoed {
        /// The state whose handler refused.
        state: String,
        /// The handler's reason.
        reason: String,
    },
}

impl fmt::Display for MachineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownState { name } => write!(
                f,
                "unknown state {name:?}: use one of the names the schema was built with"
            ),
            Self::Requires { state, missing } => write!(
                f,
                "{state} requires {missing}: activate {missing} first or in the same call"
            ),
            Self::Conflict { state } => write!(
                f,
                "{state} is both activated and removed by this call: split it into two transitions"
            ),
            Self::Vetoed { state, reason } => write!(
                f,
                "the enter handler of {state} refused the transition ({reason}); nothing changed"
            ),
        }
    }
}

impl std::error::Error for MachineError {}

/// One executed transition, as subscribers and the debugger see it.
///
/// ```
/// use async_state_machine::{Machine, Schema, StateDef};
/// let mut m = Machine::new(Schema::new([("A", StateDef::new())])?);
/// let t = futures::executor::block_on(m.add(&["A"], "go"))?;
/// assert_eq!((t.cause.as_str(), t.ticked["A"]), ("go", 1));
/// # Ok::<(), async_state_machine::MachineError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// Why it happened (free text from the caller).
    pub cause: String,
    /// States that became active (or, for multi states, activated again).
    pub activated: Vec<String>,
    /// States that became inactive.
    pub deactivated: Vec<String>,
    /// The new clock of every state that ticked.
    pub ticked: Clocks,
}

/// A machine: the active states of a [`Schema`], a clock per state, async enter handlers and
/// subscribers.
///
/// ```
/// use async_state_machine::{Machine, Schema, StateDef};
/// let mut m = Machine::new(Schema::new([("Ready", StateDef::new())])?);
/// futures::executor::block_on(m.add(&["Ready"], "start"))?;
/// assert!(m.is("Ready")?);
/// assert_eq!(m.clock("Ready")?, 1);
/// # Ok::<(), async_state_machine::MachineError>(())
/// ```
pub struct Machine {
    schema: Schema,
    clocks: Clocks,
    handlers: BTreeMap<String, EnterHandler>,
    subscribers: Vec<mpsc::UnboundedSender<Transition>>,
}

impl fmt::Debug for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Machine")
            .field("clocks", &self.clocks)
            .field("handlers", &self.handlers.keys().collect::<Vec<_>>())
            .field("subscribers", &self.subscribers.len())
            .finish()
    }
}

/// Whether a clock value means "active" (odd).
///
/// ```
/// assert!(async_state_machine::is_active(3) && !async_state_machine::is_active(4));
/// ```
pub fn is_active(clock: u64) -> bool {
    clock % 2 == 1
}

impl Machine {
    /// A machine with every state inactive.
    ///
    /// ```
    /// let m = async_state_machine::Machine::new(async_state_machine::Schema::new([("A", async_state_machine::StateDef::new())])?);
    /// assert!(!m.is("A")?);
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub fn new(schema: Schema) -> Self {
        let clocks = schema.zero_clocks();
        Self {
            schema,
            clocks,
            handlers: BTreeMap::new(),
            subscribers: Vec::new(),
        }
    }

    /// A machine resumed at known clocks (for example rebuilt from a log).
    ///
    /// ```
    /// use async_state_machine::{Machine, Schema, StateDef};
    /// let s = Schema::new([("A", StateDef::new())])?;
    /// let m = Machine::with_clocks(s, [("A".to_string(), 3)].into())?;
    /// assert!(m.is("A")?);
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub fn with_clocks(schema: Schema, clocks: Clocks) -> Result<Self, MachineError> {
        let mut m = Self::new(schema);
        for (name, clock) in clocks {
            let slot = m
                .clocks
                .get_mut(&name)
                .ok_or(MachineError::UnknownState { name: name.clone() })?;
            *slot = clock;
        }
        Ok(m)
    }

    /// The schema.
    ///
    /// ```
    /// let m = async_state_machine::Machine::new(async_state_machine::Schema::new([("A", async_state_machine::StateDef::new())])?);
    /// assert!(m.schema().contains("A"));
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Whether `state` is active.
    ///
    /// ```
    /// let m = async_state_machine::Machine::new(async_state_machine::Schema::new([("A", async_state_machine::StateDef::new())])?);
    /// assert!(m.is("B").is_err());
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub fn is(&self, state: &str) -> Result<bool, MachineError> {
        self.clock(state).map(is_active)
    }

    /// The clock of `state`: how many times it was activated or deactivated.
    ///
    /// ```
    /// let m = async_state_machine::Machine::new(async_state_machine::Schema::new([("A", async_state_machine::StateDef::new())])?);
    /// assert_eq!(m.clock("A")?, 0);
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub fn clock(&self, state: &str) -> Result<u64, MachineError> {
        self.clocks
            .get(state)
            .copied()
            .ok_or_else(|| MachineError::UnknownState {
                name: state.to_string(),
            })
    }

    /// Every clock.
    ///
    /// ```
    /// let m = async_state_machine::Machine::new(async_state_machine::Schema::new([("A", async_state_machine::StateDef::new())])?);
    /// assert_eq!(m.clocks().len(), 1);
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub fn clocks(&self) -> &Clocks {
        &self.clocks
    }

    /// Registers the async enter handler of `state` (replacing any earlier one). It runs
    /// before the state activates; `Err(reason)` cancels the whole transition. Natively the
    /// handler and its future must be `Send` (see [`crate::platform`]); on wasm32 they need
    /// not be, so a handler may await a JS promise.
    ///
    /// ```
    /// use async_state_machine::{Machine, MachineError, Schema, StateDef};
    /// let mut m = Machine::new(Schema::new([("A", StateDef::new())])?);
    /// m.on_enter("A", |_| Box::pin(async { Err("not now".to_string()) }))?;
    /// let r = futures::executor::block_on(m.add(&["A"], "try"));
    /// assert!(matches!(r, Err(MachineError::Vetoed { .. })));
    /// # Ok::<(), MachineError>(())
    /// ```
    pub fn on_enter(
        &mut self,
        state: &str,
        handler: impl Fn(&Transition) -> HandlerFuture + MaybeSendSync + 'static,
    ) -> Result<(), MachineError> {
        self.schema.def(state)?;
        self.handlers.insert(state.to_string(), Box::new(handler));
        Ok(())
    }

    /// A stream of every transition from now on. Dropping it unsubscribes.
    ///
    /// ```
    /// use futures::StreamExt;
    /// use async_state_machine::{Machine, Schema, StateDef};
    /// let mut m = Machine::new(Schema::new([("A", StateDef::new())])?);
    /// let mut changes = m.subscribe();
    /// futures::executor::block_on(async {
    ///     m.add(&["A"], "go").await?;
    ///     assert_eq!(changes.next().await.map(|t| t.activated), Some(vec!["A".to_string()]));
    ///     Ok::<(), async_state_machine::MachineError>(())
    /// })?;
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub fn subscribe(&mut self) -> mpsc::UnboundedReceiver<Transition> {
        let (tx, rx) = mpsc::unbounded();
        self.subscribers.push(tx);
        rx
    }

    /// Activates `states` (and what they add), deactivating what they remove.
    ///
    /// ```
    /// use async_state_machine::{Machine, Schema, StateDef};
    /// let schema = Schema::new([
    ///     ("Ready", StateDef::new()),
    ///     ("Bored", StateDef::new().require(["Ready"])),
    /// ])?;
    /// let mut m = Machine::new(schema);
    /// assert!(futures::executor::block_on(m.add(&["Bored"], "idle")).is_err());
    /// futures::executor::block_on(m.add(&["Ready", "Bored"], "idle"))?;
    /// assert!(m.is("Bored")?);
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub async fn add(&mut self, states: &[&str], cause: &str) -> Result<Transition, MachineError> {
        let mut called = BTreeSet::new();
        let mut stack: Vec<String> = states.iter().map(|s| s.to_string()).collect();
        while let Some(name) = stack.pop() {
            let def = self.schema.def(&name)?;
            if called.insert(name.clone()) {
                stack.extend(def.adds.iter().cloned());
            }
        }
        let mut removed = BTreeSet::new();
        for name in &called {
            for r in &self.schema.def(name)?.removes {
                if called.contains(r) {
                    return Err(MachineError::Conflict { state: r.clone() });
                }
                removed.insert(r.clone());
            }
        }
        let mut target: BTreeSet<String> = self.active_set();
        target.extend(called.iter().cloned());
        for r in &removed {
            target.remove(r);
        }
        let target = self.drop_unmet(target, &called)?;
        let activated: Vec<String> = called
            .iter()
            .filter(|n| {
                !self.clocks.get(*n).is_some_and(|c| is_active(*c))
                    || self.schema.states.get(*n).is_some_and(|d| d.multi)
            })
            .cloned()
            .collect();
        self.commit(target, activated, cause).await
    }

    /// Deactivates `states`, and with them every active state that requires one of them.
    ///
    /// ```
    /// use async_state_machine::{Machine, Schema, StateDef};
    /// let mut m = Machine::new(Schema::new([("A", StateDef::new()), ("B", StateDef::new().require(["A"]))])?);
    /// futures::executor::block_on(async {
    ///     m.add(&["A", "B"], "up").await?;
    ///     let t = m.remove(&["A"], "down").await?;
    ///     assert_eq!(t.deactivated, ["A", "B"]);
    ///     Ok::<(), async_state_machine::MachineError>(())
    /// })?;
    /// # Ok::<(), async_state_machine::MachineError>(())
    /// ```
    pub async fn remove(
        &mut self,
        states: &[&str],
        cause: &str,
    ) -> Result<Transition, MachineError> {
        let mut target = self.active_set();
        for s in states {
            self.schema.def(s)?;
            target.remove(*s);
        }
        let target = self.drop_unmet(target, &BTreeSet::new())?;
        self.commit(target, Vec::new(), cause).await
    }

    fn active_set(&self) -> BTreeSet<String> {
        self.clocks
            .iter()
            .filter(|(_, c)| is_active(**c))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Removes states whose requirements are not in `target`, until none are left; a called
    /// state that would be dropped is an error instead.
    fn drop_unmet(
        &self,
        mut target: BTreeSet<String>,
        called: &BTreeSet<String>,
    ) -> Result<BTreeSet<String>, MachineError> {
        loop {
            let mut unmet = None;
            'outer: for name in &target {
                for req in &self.schema.def(name)?.requires {
                    if !target.contains(req) {
                        unmet = Some((name.clone(), req.clone()));
                        break 'outer;
                    }
                }
            }
            match unmet {
                None => return Ok(target),
                Some((state, missing)) if called.contains(&state) => {
                    return Err(MachineError::Requires { state, missing });
                }
                Some((state, _)) => {
                    target.remove(&state);
                }
            }
        }
    }

    async fn commit(
        &mut self,
        target: BTreeSet<String>,
        activated: Vec<String>,
        cause: &str,
    ) -> Result<Transition, MachineError> {
        let deactivated: Vec<String> = self
            .active_set()
            .into_iter()
            .filter(|n| !target.contains(n))
            .collect();
        // ANCHOR: clock
        let mut ticked = Clocks::new();
        for name in &activated {
            let clock = self.clock(name)?;
            // Odd means active: an inactive state ticks once, an active multi state ticks twice
            // (deactivated and activated again in one step).
            ticked.insert(
                name.clone(),
                if is_active(clock) {
                    clock + 2
                } else {
                    clock + 1
                },
            );
        }
        for name in &deactivated {
            ticked.insert(name.clone(), self.clock(name)? + 1);
        }
        // ANCHOR_END: clock
        let transition = Transition {
            cause: cause.to_string(),
            activated,
            deactivated,
            ticked,
        };
        for name in &transition.activated {
            if let Some(handler) = self.handlers.get(name) {
                handler(&transition)
                    .await
                    .map_err(|reason| MachineError::Vetoed {
                        state: name.clone(),
                        reason,
                    })?;
            }
        }
        for (name, clock) in &transition.ticked {
            self.clocks.insert(name.clone(), *clock);
        }
        if !transition.ticked.is_empty() {
            self.subscribers
                .retain(|tx| tx.unbounded_send(transition.clone()).is_ok());
        }
        Ok(transition)
    }
}
