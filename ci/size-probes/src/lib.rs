//! Holds the size probes in `examples/`; `cargo xtask bench --suite size` builds them.
