//! Declares the crate's one custom cfg so that `unexpected_cfgs` knows it.

fn main() {
    // `RUSTFLAGS="--cfg wasm_rs_dbg_strip_release"`: every dbg macro compiles to its bare
    // expression when this crate is built without debug assertions (see the crate docs).
    println!("cargo::rustc-check-cfg=cfg(wasm_rs_dbg_strip_release)");
}
