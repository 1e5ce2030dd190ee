//! Holds the executor's size probe with its `debug` feature in `examples/`;
//! `cargo xtask bench --suite size` builds it.
