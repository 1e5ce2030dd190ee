//! Holds the two size probes in `examples/`; see `../size.sh`.
