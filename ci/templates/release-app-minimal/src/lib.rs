//! The minimal build's scratch app: everything is in `tests/web.rs`.
