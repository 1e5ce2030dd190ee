//! The two machines of the example: `foo` on the server, `bar` in the client.

use async_state_machine::{MachineError, Schema, StateDef};

// ANCHOR: schemas
/// The server's machine: `Bored` after a silence, `Hello` ticks on each greeting.
///
/// ```
/// let foo = state_sync::foo_schema()?;
/// assert!(foo.contains("Bored") && foo.contains("Hello"));
/// # Ok::<(), state_sync::MachineError>(())
/// ```
pub fn foo_schema() -> Result<Schema, MachineError> {
    Schema::new([
        ("Bored", StateDef::new()),
        ("Hello", StateDef::new().multi().remove(["Bored"])),
    ])
}

/// The client's machine: `SubmitMsg` (Enter in the text box) adds `Msg`.
///
/// ```
/// let bar = state_sync::bar_schema()?;
/// assert!(bar.contains("SubmitMsg") && bar.contains("Msg"));
/// # Ok::<(), state_sync::MachineError>(())
/// ```
pub fn bar_schema() -> Result<Schema, MachineError> {
    Schema::new([
        ("SubmitMsg", StateDef::new().multi().add(["Msg"])),
        ("Msg", StateDef::new().multi()),
    ])
}
// ANCHOR_END: schemas
