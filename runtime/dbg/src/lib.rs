#![doc = include_str!("../README.md")]
//!
//! # Where the line goes
//!
//! | target | output |
//! |---|---|
//! | `wasm32-unknown-unknown` (browser page, workers, Node.js, Deno, Bun, workerd) | the JS console, see [console level](#console-level) and the table below |
//! | native, WASI, and every other target with a std | stderr, byte for byte what `std::dbg!` writes |
//!
//! Where the JS console's lines end up, per host (the hosts of
//! `wasm_rs_async_executor::Environment`; "by hand" means plain `console.*` calls, the ones
//! this crate makes, run in that host):
//!
//! | host | `log` (the default), `info`, `debug` | `warn`, `error` | groups ([`dbg_group!`]) | checked |
//! |---|---|---|---|---|
//! | browser main thread, dedicated worker | the page's devtools console (worker lines included) | the same, with a stack trace | collapsed group | CI, what reaches `console`: the browser and worker rows (`tests/console_output.rs`) |
//! | shared worker, service worker | that worker's own console, not the page's (Chromium: `chrome://inspect`; Firefox: `about:debugging`) | the same | collapsed group | CI, what reaches `console`: the shared-worker and service-worker rows of Chromium, Firefox and WebKit |
//! | Node.js | stdout | stderr | the label, then indented lines | CI, what reaches `console`: the Node row; stdout and stderr by hand (Node 20) |
//! | Deno 2.9 | stdout | stderr | the label, then indented lines | CI, what reaches `console`: the `deno` row (Deno 2.9.6); stdout and stderr by hand |
//! | Bun 1.4 | stdout | stderr | the label, then the lines unindented | CI, what reaches `console`: the `bun` row (Bun 1.4.5); stdout and stderr by hand |
//! | Cloudflare Workers / workerd (`workerd serve`) | workerd's stdout | workerd's stderr | the lines only: workerd prints no group label | CI: the `workerd` row, whose test asserts a `dbg!` line reaches workerd's output (`recipes/cloudflare-worker/tests/workerd.rs`, workerd 2026-11-23); levels and groups by hand |
//!
//! So in a server host, where `std::dbg!` would write to stderr, the default level writes to
//! stdout; [`set_level`]`(Level::Warn)` sends every line that names no level to stderr
//! instead (these hosts add no stack trace to `console.warn`).
//!
//! The expression is evaluated exactly once on every target, and the value is returned,
//! whether or not anything can be printed: on `wasm32-unknown-emscripten` the stderr line
//! reaches emscripten's console, and a host without a visible stderr simply shows nothing.
//! The crate needs `std`, so `no_std` targets such as `wasm32v1-none` are not supported.
//!
//! What the JS console receives, per line: `console.<level>(text)`; with a live object
//! ([`dbg_js!`], `dbg_serde!`) `console.<level>("%s", text, object)`, so that a `%o` or `%c`
//! inside the text is printed as written rather than read as a format directive; a group
//! ([`dbg_group!`]) is `console.groupCollapsed(label)`, its lines, then `console.groupEnd()`.
//!
//! # Which macro
//!
//! | you want | write |
//! |---|---|
//! | std's `dbg!`, at the [default level](level) | [`dbg!(e)`](dbg!), `dbg!(a, b)`, `dbg!()` |
//! | one call at another console level | [`dbg_with!(warn, e)`](dbg_with!) |
//! | several values folded into one collapsed console group | [`dbg_group!(a, b, c)`](dbg_group!) |
//! | a `JsValue` (or any JS type) also as a live, expandable object | [`dbg_js!(value)`](dbg_js!) |
//! | a serde-serializable value also as a live JS object | `dbg_serde!(value)` (feature `serde`) |
//!
//! All of them keep std's semantics: each expression is evaluated once, moved in and
//! returned (several expressions as a tuple), temporaries live as long as with std's, and
//! the text is std's. Only where the text goes, and what travels with it, differs.
//!
//! # Console level
//!
//! The default is `console.log` ([`Level::Log`]). Chromium's devtools hide `console.debug`
//! unless "Verbose" is ticked, so a `dbg!` printed at debug level looks like it never ran;
//! `console.warn` and `console.error` add a stack trace to every line, mark the page as
//! having warnings or errors, and make test runners that watch for `console.error` fail.
//! `console.log` is shown by every console with nothing extra.
//!
//! Pick another level per call with [`dbg_with!`], or for every call that names none with
//! [`set_level`] (for instance from a URL parameter, parsed with [`Level`]'s `FromStr`).
//! There are no level features: nothing about a level is decided at build time, so two
//! dependents can never disagree. The setting is one atomic per wasm instance: shared by
//! every thread of a shared-memory (threads) build, separate in each worker otherwise.
//!
//! # Workers
//!
//! In a dedicated or shared worker that was given a name (`new Worker(url, { name: "decoder" })`),
//! each line starts with that name in brackets, `[decoder] [src/lib.rs:7:5] x = 1`, so lines
//! from several workers can be told apart. The name is read once per thread, at the first
//! line, as a worker's name is fixed when it is created. Unnamed workers, the main thread and Node print
//! std's text unchanged (a page's `window.name` is not a worker name; Node's `worker_threads`
//! have no name on their global object, so their lines carry no prefix).
//!
//! # Free in release builds
//!
//! `dbg!` is a debugging aid; a forgotten one in a release build costs a format and a console
//! call. Build with the cfg `wasm_rs_dbg_strip_release` and every macro of this crate
//! compiles to its bare expression (`dbg!(e)` becomes `match e { tmp => tmp }`, which is `e`)
//! whenever this crate is built without debug assertions, i.e. in the release profile:
//!
//! ```text
//! RUSTFLAGS="--cfg wasm_rs_dbg_strip_release" cargo build --release --target wasm32-unknown-unknown
//! ```
//!
//! (or `rustflags = ["--cfg", "wasm_rs_dbg_strip_release"]` under `[build]` in
//! `.cargo/config.toml`). It is off by default, and it is a cfg rather than a cargo feature on
//! purpose: only the final build should decide to silence every `dbg!`, not one dependency on
//! behalf of all the others. [`ENABLED`] tells at run time which way this build went.
//!
//! # Features
//!
//! - `serde` (off by default): adds `dbg_serde!`.
//!
//! Features only add API; enabling one never changes what an existing call does.
// docs.rs (`--cfg docsrs`, nightly): label the items that exist on some targets only.
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, Ordering};

mod macros;

#[cfg_attr(
    all(target_family = "wasm", target_os = "unknown"),
    path = "platform/js_console.rs"
)]
#[cfg_attr(
    not(all(target_family = "wasm", target_os = "unknown")),
    path = "platform/stderr.rs"
)]
mod platform;

/// Whether this build prints: `false` when it was built with the cfg
/// `wasm_rs_dbg_strip_release` and without debug assertions (see
/// [the crate docs](crate#free-in-release-builds)), `true` otherwise.
///
/// ```
/// // In a normal debug build (and so in doctests) every dbg! prints.
/// assert!(wasm_rs_dbg::ENABLED || !cfg!(debug_assertions));
/// ```
pub const ENABLED: bool = !cfg!(all(wasm_rs_dbg_strip_release, not(debug_assertions)));

/// A console level: which `console` method receives a line on `wasm32-unknown-unknown`.
///
/// Natively every level goes to stderr, as `std::dbg!` does. The default is [`Level::Log`];
/// [the crate docs](crate#console-level) say why.
///
/// Parse one from text with `FromStr` (`"warn".parse::<Level>()`), for instance to choose
/// the level from a URL parameter:
///
/// ```
/// use wasm_rs_dbg::Level;
///
/// assert_eq!("warn".parse::<Level>(), Ok(Level::Warn));
/// assert_eq!(" Error ".parse::<Level>(), Ok(Level::Error)); // case and spaces ignored
/// assert_eq!(Level::default(), Level::Log);
/// assert_eq!(Level::Info.to_string(), "info");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Level {
    /// `console.debug`: hidden by Chromium's devtools unless "Verbose" is selected.
    Debug,
    /// `console.log`: the default.
    #[default]
    Log,
    /// `console.info`.
    Info,
    /// `console.warn`: shown with a stack trace and counted as a warning.
    Warn,
    /// `console.error`: shown with a stack trace and counted as an error.
    Error,
}

impl Level {
    /// Every level, from the quietest to the loudest.
    ///
    /// ```
    /// use wasm_rs_dbg::Level;
    ///
    /// assert_eq!(Level::ALL.len(), 5);
    /// assert_eq!(Level::ALL[0], Level::Debug);
    /// ```
    pub const ALL: [Level; 5] = [
        Level::Debug,
        Level::Log,
        Level::Info,
        Level::Warn,
        Level::Error,
    ];

    /// The name of the `console` method for this level, which is also what `FromStr` reads.
    ///
    /// ```
    /// assert_eq!(wasm_rs_dbg::Level::Error.as_str(), "error");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Log => "log",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    const fn from_u8(n: u8) -> Level {
        match n {
            0 => Level::Debug,
            2 => Level::Info,
            3 => Level::Warn,
            4 => Level::Error,
            _ => Level::Log,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = ParseLevelError;

    /// Reads a console method name, ignoring ASCII case and surrounding whitespace.
    fn from_str(s: &str) -> Result<Level, ParseLevelError> {
        let trimmed = s.trim();
        Level::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| ParseLevelError {
                input: s.to_owned(),
            })
    }
}

/// The error of parsing a [`Level`] from text that names none.
///
/// ```
/// use wasm_rs_dbg::Level;
///
/// let err = "verbose".parse::<Level>().unwrap_err();
/// assert_eq!(err.input(), "verbose");
/// assert!(err.to_string().contains("debug, log, info, warn, error"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseLevelError {
    input: String,
}

impl ParseLevelError {
    /// The text that was not a level.
    ///
    /// ```
    /// let err = "loud".parse::<wasm_rs_dbg::Level>().unwrap_err();
    /// assert_eq!(err.input(), "loud");
    /// ```
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a console level: use one of debug, log, info, warn, error",
            self.input
        )
    }
}

impl std::error::Error for ParseLevelError {}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Log as u8);

/// Sets the level of every later call that does not name one ([`dbg!`], [`dbg_group!`],
/// [`dbg_js!`], `dbg_serde!`), for the whole program; [`dbg_with!`] still uses its own.
///
/// Natively the level changes nothing: every line goes to stderr, as with `std::dbg!`.
///
/// ```
/// use wasm_rs_dbg::{Level, dbg, level, set_level};
///
/// set_level(Level::Info);
/// dbg!("now at console.info");
/// assert_eq!(level(), Level::Info);
/// set_level(Level::default());
/// ```
pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

/// The level of calls that do not name one: [`Level::Log`] until [`set_level`] changes it.
///
/// ```
/// use wasm_rs_dbg::{Level, level};
///
/// assert!(Level::ALL.contains(&level()));
/// ```
pub fn level() -> Level {
    Level::from_u8(LEVEL.load(Ordering::Relaxed))
}

/// Where a `dbg!` call is: what `file!()`, `line!()` and `column!()` say at the call.
///
/// Its `Display` is `file:line:col`, the part std puts between brackets.
///
/// ```
/// use wasm_rs_dbg::Location;
///
/// let here = Location::new("src/main.rs", 3, 14);
/// assert_eq!(here.to_string(), "src/main.rs:3:14");
/// assert_eq!(here.line, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file, as `file!()` gives it (relative to the workspace or package root).
    pub file: &'static str,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1, as `column!()` counts it.
    pub column: u32,
}

impl Location {
    /// A location from its parts, usually `file!()`, `line!()`, `column!()`.
    ///
    /// ```
    /// let here = wasm_rs_dbg::Location::new(file!(), line!(), column!());
    /// assert!(here.file.ends_with(".rs"));
    /// ```
    pub const fn new(file: &'static str, line: u32, column: u32) -> Location {
        Location { file, line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The text `std::dbg!` prints for one expression, without the newline:
/// `[file:line:col] expr = {:#?}`.
///
/// The same on every target, and the same writer the macros end in: they fold
/// `[file:line:col] expr` into one string at compile time, this function builds it from
/// `location` and `expr`, and both then write ` = ` and the value with `{:#?}`. Use it to
/// send std's text elsewhere.
///
/// ```
/// use wasm_rs_dbg::{Location, format_line};
///
/// let text = format_line(Location::new("src/main.rs", 2, 5), "v", &vec![1, 2]);
/// assert_eq!(text, "[src/main.rs:2:5] v = [\n    1,\n    2,\n]");
/// ```
pub fn format_line(location: Location, expr: &str, value: &dyn fmt::Debug) -> String {
    let head = format!("[{location}] {expr}");
    let mut text = String::with_capacity(head.len() + 64);
    // Writing to a String fails only when a Debug impl returns an error; std's dbg! panics
    // then. Here the text written so far is returned, which is all there is to show.
    let _ = Line {
        head: &head,
        value: Some(value),
    }
    .write_to(&mut text);
    text
}

/// One line of `dbg!` output: `head` is `[file:line:col] expr` (or `[file:line:col]` for
/// `dbg!()`), which the macros build at compile time with `concat!`, as std's `dbg!` gets
/// its location and expression folded into the format string; only the value is formatted
/// at run time.
struct Line<'a> {
    head: &'a str,
    value: Option<&'a dyn fmt::Debug>,
}

impl Line<'_> {
    /// Writes std's text: the target-independent formatting behind every macro, and behind
    /// [`format_line`].
    fn write_to(&self, out: &mut impl fmt::Write) -> fmt::Result {
        match self.value {
            // std 1.95 `dbg!`: "[{}:{}:{}] {} = {:#?}" for a value, "[{}:{}:{}]" for none.
            Some(value) => write!(out, "{} = {value:#?}", self.head),
            None => out.write_str(self.head),
        }
    }
}

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// What the macros expand to. Not public API: names and signatures change without notice.
#[doc(hidden)]
pub mod __private {
    use super::{Level, Line, platform};
    use std::fmt::Debug;

    pub use wasm_bindgen::JsValue;

    fn resolve(level: Option<Level>) -> Level {
        level.unwrap_or_else(super::level)
    }

    /// `dbg!()`: `head` is `[file:line:col]`.
    pub fn emit_empty(level: Option<Level>, head: &str) {
        platform::print(resolve(level), &Line { head, value: None });
    }

    /// `dbg!(e)`: one line of text; `head` is `[file:line:col] expr`.
    pub fn emit_debug(level: Option<Level>, head: &str, value: &dyn Debug) {
        let line = Line {
            head,
            value: Some(value),
        };
        platform::print(resolve(level), &line);
    }

    /// `dbg_js!(e)`: the text, and the value itself as a live JS object.
    pub fn emit_js<T: Debug + AsRef<JsValue> + ?Sized>(
        level: Option<Level>,
        head: &str,
        value: &T,
    ) {
        let line = Line {
            head,
            value: Some(&value),
        };
        platform::print_with_object(resolve(level), &line, value.as_ref());
    }

    /// `dbg_serde!(e)`: the text, and the value converted to a JS object by serde.
    #[cfg(feature = "serde")]
    pub fn emit_serde<T: Debug + serde::Serialize + ?Sized>(
        level: Option<Level>,
        head: &str,
        value: &T,
    ) {
        let line = Line {
            head,
            value: Some(&value),
        };
        platform::print_serialized(resolve(level), &line, value);
    }

    /// An open collapsed console group; closes it when dropped, also when an expression
    /// inside the group returns early with `?`.
    #[derive(Debug)]
    #[must_use = "the group closes when this guard is dropped"]
    pub struct Group(());

    impl Group {
        /// Opens a group labelled `label`, `[file:line:col] a, b`.
        pub fn open(label: &str) -> Group {
            platform::group_open(label);
            Group(())
        }
    }

    impl Drop for Group {
        fn drop(&mut self) {
            platform::group_close();
        }
    }
}
