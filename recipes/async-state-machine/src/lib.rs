//! Async state machines with a clock per state: relations, async enter handlers, a change
//! stream.
//!
//! # Why
//!
//! An app that runs on a server and in a page (a chat, a game lobby, a workflow) has to say
//! what state each side is in, and to tell the other side what changed. A state machine
//! whose whole state is a map of numbers makes both easy: compare two maps and you know what
//! changed; send the difference and the other side is up to date.
//!
//! # How
//!
//! - A [`Schema`] names the states and their relations: a state may `require` others,
//!   `remove` others when it activates, or `add` others with it ([`StateDef`]). A `multi`
//!   state can be activated again while active.
//! - A [`Machine`] keeps a **clock per state** ([`Clocks`]). A clock ticks when its state
//!   activates *and* when it deactivates, so an odd clock means active ([`is_active`]): the
//!   clocks alone describe the whole state, and two sides that agree on the clocks agree on
//!   everything.
//! - [`Machine::add`] and [`Machine::remove`] are async: an enter handler
//!   ([`Machine::on_enter`]) may await (a fetch, a timer, a JS promise on wasm32) and may
//!   refuse the [`Transition`] with a reason. [`Machine::subscribe`] streams every accepted
//!   transition.
//! - No I/O and no runtime: the same code runs natively, where a machine may move between
//!   threads (its handlers are `Send`), and on wasm32, where a handler may hold a `JsFuture`
//!   ([`platform`] says the difference).
//!
//! # Example
//!
//! ```
//! use async_state_machine::{Machine, Schema, StateDef, is_active};
//!
//! let schema = Schema::new([
//!     ("Online", StateDef::new().remove(["Offline"])),
//!     ("Offline", StateDef::new().remove(["Online"])),
//! ])?;
//! let mut m = Machine::new(schema);
//! futures::executor::block_on(m.add(&["Online"], "connected"))?;
//! assert!(is_active(m.clocks()["Online"]));
//! futures::executor::block_on(m.add(&["Offline"], "lost"))?;
//! // Online went 0 -> 1 (active) -> 2 (inactive): an even clock is inactive.
//! assert_eq!((m.clocks()["Online"], m.clocks()["Offline"]), (2, 1));
//! # Ok::<(), async_state_machine::MachineError>(())
//! ```
//!
//! # When
//!
//! For state that two sides mirror: the [clock-sync-protocol recipe] sends clock diffs over
//! any byte stream, and the state-sync example app runs it between a server and a page. For a
//! machine that only one side holds, an `enum` and a `match` are simpler.
//!
//! [clock-sync-protocol recipe]: https://wasm-rs.github.io/wasm-rs/recipes/clock-sync-protocol.html

mod machine;
pub mod platform;

pub use machine::{Clocks, Machine, MachineError, Schema, StateDef, Transition, is_active};
pub use platform::{EnterHandler, HandlerFuture};
