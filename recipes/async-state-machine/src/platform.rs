//! The one place where native and wasm32 differ for the model: natively a machine moves
//! between threads (the server keeps one per session on a multi-threaded runtime), so its
//! handlers must be `Send + Sync`; on wasm32 there is one thread, and a handler may await a
//! JS promise (`JsFuture`), which is not `Send`.

use crate::Transition;

/// What an enter handler returns: `Ok(())` to go on, `Err(reason)` to refuse.
///
/// ```
/// let ok: async_state_machine::HandlerFuture = Box::pin(async { Ok(()) });
/// assert_eq!(futures::executor::block_on(ok), Ok(()));
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub type HandlerFuture = futures::future::BoxFuture<'static, Result<(), String>>;
/// What an enter handler returns: `Ok(())` to go on, `Err(reason)` to refuse.
///
/// ```
/// let ok: async_state_machine::HandlerFuture = Box::pin(async { Ok(()) });
/// assert_eq!(futures::executor::block_on(ok), Ok(()));
/// ```
#[cfg(target_arch = "wasm32")]
pub type HandlerFuture = futures::future::LocalBoxFuture<'static, Result<(), String>>;

/// An enter handler, boxed (see [`crate::Machine::on_enter`]).
///
/// ```
/// let h: async_state_machine::EnterHandler = Box::new(|_| Box::pin(async { Ok(()) }));
/// # drop(h);
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub type EnterHandler = Box<dyn Fn(&Transition) -> HandlerFuture + Send + Sync>;
/// An enter handler, boxed (see [`crate::Machine::on_enter`]).
///
/// ```
/// let h: async_state_machine::EnterHandler = Box::new(|_| Box::pin(async { Ok(()) }));
/// # drop(h);
/// ```
#[cfg(target_arch = "wasm32")]
pub type EnterHandler = Box<dyn Fn(&Transition) -> HandlerFuture>;

/// `Send + Sync` natively, nothing on wasm32.
///
/// ```
/// fn assert_ok<T: async_state_machine::platform::MaybeSendSync>(_: T) {}
/// assert_ok(1u8);
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSendSync: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync> MaybeSendSync for T {}
/// `Send + Sync` natively, nothing on wasm32.
///
/// ```
/// fn assert_ok<T: async_state_machine::platform::MaybeSendSync>(_: T) {}
/// assert_ok(1u8);
/// ```
#[cfg(target_arch = "wasm32")]
pub trait MaybeSendSync {}
#[cfg(target_arch = "wasm32")]
impl<T> MaybeSendSync for T {}
