//! Holds the executor's size probe with its `jspi` feature in `examples/`;
//! `cargo xtask bench --suite size` builds it.
