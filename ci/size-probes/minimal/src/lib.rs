//! Holds the minimal executor's size probe in `examples/`; `cargo xtask bench --suite size`
//! builds it.
