//! The public macros, and the three internal ones they all expand to. Only the internal
//! ones differ when the crate is built to be free in release builds
//! (`cfg(wasm_rs_dbg_strip_release)` without debug assertions).

/// std's `dbg!`: prints `[file:line:col] expr = {:#?}` and returns the value.
///
/// Same input, evaluation and result as `std::dbg!`: each expression is evaluated exactly
/// once and moved, `dbg!(a, b)` returns the tuple `(a, b)`, a trailing comma after a single
/// expression is ignored, and `dbg!()` prints the location alone. On
/// `wasm32-unknown-unknown` the text goes to the JS console at [`level()`](crate::level)
/// (`console.log` unless [`set_level`](crate::set_level) changed it); elsewhere it goes to
/// stderr exactly as std's does.
///
/// ```
/// use wasm_rs_dbg::dbg;
///
/// fn area(w: u32, h: u32) -> u32 {
///     dbg!(w * h) // `[src/main.rs:4:5] w * h = 12`
/// }
/// assert_eq!(area(3, 4), 12);
/// assert_eq!(dbg!(1, "two"), (1, "two"));
/// assert_eq!(dbg!(7,), 7);
/// dbg!(); // `[src/main.rs:9:1]`
/// ```
#[macro_export]
macro_rules! dbg {
    () => {
        $crate::__dbg_empty!(::core::option::Option::None)
    };
    ($val:expr $(,)?) => {
        $crate::__dbg_one!(::core::option::Option::None, emit_debug, $val)
    };
    ($($val:expr),+ $(,)?) => {
        ($($crate::__dbg_one!(::core::option::Option::None, emit_debug, $val)),+,)
    };
}

/// `dbg!` at a console level chosen for this call: `dbg_with!(warn, e)`.
///
/// The first argument is one of `debug`, `log`, `info`, `warn`, `error`, or any expression
/// of type [`Level`](crate::Level); the rest is what [`dbg!`](crate::dbg!) takes. Natively the
/// level changes nothing: the line goes to stderr as with `std::dbg!`.
///
/// ```
/// use wasm_rs_dbg::{Level, dbg_with};
///
/// let retries = dbg_with!(warn, 2 + 1); // console.warn on wasm
/// assert_eq!(retries, 3);
/// assert_eq!(dbg_with!(Level::Error, 'a', 'b'), ('a', 'b'));
/// dbg_with!(info); // the location alone, at console.info
/// ```
#[macro_export]
macro_rules! dbg_with {
    (debug $(, $($rest:tt)*)?) => {
        $crate::__dbg_level!($crate::Level::Debug $(, $($rest)*)?)
    };
    (log $(, $($rest:tt)*)?) => {
        $crate::__dbg_level!($crate::Level::Log $(, $($rest)*)?)
    };
    (info $(, $($rest:tt)*)?) => {
        $crate::__dbg_level!($crate::Level::Info $(, $($rest)*)?)
    };
    (warn $(, $($rest:tt)*)?) => {
        $crate::__dbg_level!($crate::Level::Warn $(, $($rest)*)?)
    };
    (error $(, $($rest:tt)*)?) => {
        $crate::__dbg_level!($crate::Level::Error $(, $($rest)*)?)
    };
    ($level:expr $(, $($rest:tt)*)?) => {
        $crate::__dbg_level!($level $(, $($rest)*)?)
    };
}

/// `dbg!` of several values, shown as one collapsed console group.
///
/// The group's label is `[file:line:col] a, b, c`; inside it, each value has std's line.
/// Returns what [`dbg!`](crate::dbg!) returns for the same arguments. The group is closed
/// even when an expression returns early with `?`. Natively there are no groups: the lines
/// are printed as `std::dbg!` prints them.
///
/// ```
/// use wasm_rs_dbg::dbg_group;
///
/// let (width, height) = dbg_group!(640, 480);
/// assert_eq!(width * height, 307_200);
/// ```
#[macro_export]
macro_rules! dbg_group {
    () => {
        $crate::dbg!()
    };
    ($val:expr $(,)?) => {
        $crate::__dbg_group!(
            ($val)
            $crate::__dbg_one!(::core::option::Option::None, emit_debug, $val)
        )
    };
    ($($val:expr),+ $(,)?) => {
        $crate::__dbg_group!(
            ($($val),+)
            ($($crate::__dbg_one!(::core::option::Option::None, emit_debug, $val)),+,)
        )
    };
}

/// `dbg!` that also hands the value itself to the console, as a live object that devtools
/// can expand: for `JsValue` and every JS type (anything `AsRef<JsValue>`).
///
/// The console gets `("%s", text, value)`: std's text first, printed as written, then the
/// object. Natively it is `std::dbg!`.
///
/// ```
/// use wasm_rs_dbg::dbg_js;
/// use wasm_bindgen::JsValue;
///
/// fn inspect(event: &JsValue) -> &JsValue {
///     dbg_js!(event) // text and a clickable object in devtools
/// }
/// # let _ = inspect;
/// ```
#[macro_export]
macro_rules! dbg_js {
    () => {
        $crate::dbg!()
    };
    ($val:expr $(,)?) => {
        $crate::__dbg_one!(::core::option::Option::None, emit_js, $val)
    };
    ($($val:expr),+ $(,)?) => {
        ($($crate::__dbg_one!(::core::option::Option::None, emit_js, $val)),+,)
    };
}

/// `dbg!` that also hands the value to the console as a live JS object, converted with
/// serde (structs and maps become plain objects): for values that are not JS types.
///
/// Needs the `serde` feature and `Debug + Serialize`. If serde cannot convert the value,
/// the console gets the reason in the object's place and the text line all the same.
/// Natively it is `std::dbg!`.
///
/// ```
/// use wasm_rs_dbg::dbg_serde;
///
/// #[derive(Debug, serde::Serialize)]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// let p = dbg_serde!(Point { x: 1, y: 2 });
/// assert_eq!(p.x + p.y, 3);
/// ```
#[cfg(feature = "serde")]
#[macro_export]
macro_rules! dbg_serde {
    () => {
        $crate::dbg!()
    };
    ($val:expr $(,)?) => {
        $crate::__dbg_one!(::core::option::Option::None, emit_serde, $val)
    };
    ($($val:expr),+ $(,)?) => {
        ($($crate::__dbg_one!(::core::option::Option::None, emit_serde, $val)),+,)
    };
}

/// `dbg!` that also hands the value to the console as a live JS object, converted with
/// serde. Needs the `serde` feature of this crate: without it, any use is a compile error
/// that says which line of Cargo.toml to change.
#[cfg(not(feature = "serde"))]
#[macro_export]
macro_rules! dbg_serde {
    ($($tt:tt)*) => {
        ::core::compile_error!(
            "dbg_serde! needs the `serde` feature of wasm-rs-dbg: \
             add `features = [\"serde\"]` to its line in Cargo.toml"
        )
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __dbg_level {
    ($level:expr) => {
        $crate::__dbg_empty!(::core::option::Option::Some($level))
    };
    ($level:expr, $val:expr $(,)?) => {
        $crate::__dbg_one!(::core::option::Option::Some($level), emit_debug, $val)
    };
    ($level:expr, $($val:expr),+ $(,)?) => {
        ($($crate::__dbg_one!(::core::option::Option::Some($level), emit_debug, $val)),+,)
    };
}

// The three macros below are where printing happens. `file!`, `line!` and `column!` inside
// them name the outermost macro call, the user's, as in std's `dbg!`; `concat!` folds them
// and the expression's text into one string at compile time, as std's format string does.

#[cfg(not(all(wasm_rs_dbg_strip_release, not(debug_assertions))))]
#[doc(hidden)]
#[macro_export]
macro_rules! __dbg_empty {
    ($level:expr) => {
        $crate::__private::emit_empty(
            $level,
            ::core::concat!(
                "[",
                ::core::file!(),
                ":",
                ::core::line!(),
                ":",
                ::core::column!(),
                "]"
            ),
        )
    };
}

#[cfg(not(all(wasm_rs_dbg_strip_release, not(debug_assertions))))]
#[doc(hidden)]
#[macro_export]
macro_rules! __dbg_one {
    // `match` rather than `let`, as std does, so that temporaries in `$val` live as long
    // as with std's `dbg!`.
    ($level:expr, $emit:ident, $val:expr) => {
        match $val {
            tmp => {
                $crate::__private::$emit(
                    $level,
                    ::core::concat!(
                        "[",
                        ::core::file!(),
                        ":",
                        ::core::line!(),
                        ":",
                        ::core::column!(),
                        "] ",
                        ::core::stringify!($val)
                    ),
                    &tmp,
                );
                tmp
            }
        }
    };
}

#[cfg(not(all(wasm_rs_dbg_strip_release, not(debug_assertions))))]
#[doc(hidden)]
#[macro_export]
macro_rules! __dbg_group {
    // The guard is the first element of the scrutinee: it opens the group before any value
    // is evaluated, and the values' temporaries live as long as in `dbg!(a, b)`.
    (($($label:expr),+) $values:expr) => {
        match (
            $crate::__private::Group::open(::core::concat!(
                "[", ::core::file!(), ":", ::core::line!(), ":", ::core::column!(), "] ",
                ::core::stringify!($($label),+)
            )),
            $values,
        ) {
            (group, values) => {
                ::core::mem::drop(group);
                values
            }
        }
    };
}

#[cfg(all(wasm_rs_dbg_strip_release, not(debug_assertions)))]
#[doc(hidden)]
#[macro_export]
macro_rules! __dbg_empty {
    // `if false` keeps the level expression type-checked (and its imports used) at no cost.
    ($level:expr) => {
        if false {
            let _: ::core::option::Option<$crate::Level> = $level;
        }
    };
}

#[cfg(all(wasm_rs_dbg_strip_release, not(debug_assertions)))]
#[doc(hidden)]
#[macro_export]
macro_rules! __dbg_one {
    ($level:expr, $emit:ident, $val:expr) => {
        match $val {
            tmp => {
                if false {
                    let _: ::core::option::Option<$crate::Level> = $level;
                }
                tmp
            }
        }
    };
}

#[cfg(all(wasm_rs_dbg_strip_release, not(debug_assertions)))]
#[doc(hidden)]
#[macro_export]
macro_rules! __dbg_group {
    (($($label:expr),+) $values:expr) => {
        $values
    };
}
