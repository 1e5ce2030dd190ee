//! `cargo xtask`: the automation behind the wasm-rs monorepo.
//!
//! Everything a contributor or CI does goes through this binary, so that a fresh
//! machine with only rustup and cargo needs two commands: `cargo xtask serve` to read
//! the cookbook with live demos, and `cargo xtask test` to run every check.
//!
//! - [`setup`] finds or installs the tools (wasm32 target, wasm-bindgen-cli at the
//!   wasm-bindgen version locked in Cargo.lock, mdBook, Chromium, Firefox and WebKit with
//!   their WebDriver servers, cargo-fuzz, and wasmtime for the WASI suites).
//! - [`test`] runs the suites and the environment matrix read from each crate's
//!   `[package.metadata.wasm-rs]`.
//! - [`serve`] builds the book and serves it with cross-origin isolation.
//! - [`bench`] runs every benchmark against its peers in the same run, and draws the
//!   book's Benchmarks page.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

mod bench;
mod bench_targets;
mod beside;
mod book;
mod captions;
mod community;
mod counts;
mod demos;
mod disk;
mod e2e;
mod e2e_state_sync;
mod eject;
mod env;
#[cfg(test)]
mod graph;
mod jshosts;
mod links;
mod nightly;
mod onramps;
mod outcome;
mod process;
mod recipes;
mod release;
mod serve;
mod setup;
mod suite;
mod suites;
mod test;
mod tree;
mod wasi;
mod workerd;
mod workspace;

/// The wasm-rs automation: setup, the test matrix, and the local book server.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about,
    after_help = "Start with `cargo xtask serve` to read the cookbook, or `cargo xtask test` to run every check.\n\
                  Tools are installed on first use and never rebuilt once the right version is present."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find or install every tool the project needs (idempotent): the wasm32 target,
    /// wasm-bindgen-cli, mdBook, and Chromium, Firefox and WebKit with their drivers.
    Setup,
    /// Run setup, then every check: rustfmt, recipe lint, clippy (native and wasm32), native
    /// tests, wasm tests in each environment a crate declares (Node; Chromium, Firefox and
    /// WebKit, main thread and worker), the book build, its links, and the e2e test.
    Test(test::TestArgs),
    /// Build the book and serve it on 127.0.0.1 with COOP/COEP headers, so demos that use
    /// SharedArrayBuffer work.
    Serve(serve::ServeArgs),
    /// Run the benchmarks (release builds; natively, in Node and in headless Chromium), each
    /// against its peers in the same run: a table on stdout, JSON in target/bench/, and with
    /// --update-book the book's Benchmarks page and chart.
    Bench(bench::BenchArgs),
    /// Scaffold a recipe from the template in ci/templates/recipe: the crate, its book page,
    /// and its SUMMARY.md entry. It compiles and its tests pass as generated.
    NewRecipe(recipes::NewRecipeArgs),
    /// Check every recipe (files, metadata, book page, a test per environment) and every
    /// code block and include in the book. Part of `cargo xtask test`.
    LintRecipes,
    /// Write a recipe as a standalone project in <DIR>: inherited versions and lints resolved,
    /// the runtime crates as path (or `--git <URL>`) dependencies, its own toolchain, cargo
    /// config and README.
    Eject(eject::EjectArgs),
    /// The book's mdBook preprocessor (book/book.toml runs it): captions each code block
    /// included from the repository with its path, linked to the file.
    #[command(hide = true)]
    MdbookCaptions(captions::CaptionArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the whole context chain on one line, without a backtrace.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    // mdBook runs the preprocessor on every build: it needs nothing from the workspace.
    if let Command::MdbookCaptions(args) = &cli.command {
        return captions::run(args);
    }
    if let Command::Test(args) = &cli.command
        && disk::prune_enabled(args.prune)
        && std::env::var_os("CARGO_INCREMENTAL").is_none()
    {
        // A one-off run: incremental data would only take disk (see `disk.rs`).
        // SAFETY: nothing has started a thread yet; every child process inherits this.
        unsafe { std::env::set_var("CARGO_INCREMENTAL", "0") };
    }
    let ws = workspace::Workspace::load()?;
    match cli.command {
        Command::Setup => {
            setup::run(&ws)?;
        }
        Command::Test(args) => test::run(&ws, &args)?,
        Command::Serve(args) => serve::run(&ws, &args)?,
        Command::Bench(args) => bench::run_command(&ws, &args)?,
        Command::NewRecipe(args) => recipes::new_recipe(&ws, &args)?,
        Command::Eject(args) => eject::run(&ws, &args)?,
        Command::MdbookCaptions(args) => captions::run(&args)?,
        Command::LintRecipes => {
            let report = recipes::lint(&ws)?;
            for p in &report.problems {
                println!("{p}");
            }
            println!(
                "lint-recipes: {} checks, {} problems",
                report.checked(),
                report.problems.len()
            );
            if !report.problems.is_empty() {
                anyhow::bail!("lint-recipes found {} problem(s)", report.problems.len());
            }
        }
    }
    Ok(())
}
