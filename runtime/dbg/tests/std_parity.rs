//! Natively, this crate's `dbg!` writes to stderr exactly what `std::dbg!` writes.
//!
//! The test runs its own binary again as a child process that calls both macros on the same
//! expressions and captures the child's stderr; then it compares each std block with the
//! crate's block. Most pairs come from one helper macro call, so `file!`, `line!` and
//! `column!` are the same for both; a few are direct calls on consecutive lines, to check
//! the text of an unwrapped call too (their line numbers differ by a known offset).
#![cfg(not(target_family = "wasm"))]

mod common;

use common::{Shape, Unit, inner, map, outer};
use std::process::Command;

const CHILD: &str = "WASM_RS_DBG_PARITY_CHILD";
const STD: &str = "<<std>>";
const OURS: &str = "<<ours>>";
/// Before a std block whose call is two lines above the crate's call.
const STD_TWO_LINES_UP: &str = "<<std, two lines up>>";

macro_rules! both {
    ($($e:expr),*) => {{
        eprintln!("{STD}");
        std::dbg!($($e),*);
        eprintln!("{OURS}");
        wasm_rs_dbg::dbg!($($e),*);
    }};
}

fn emit() {
    both!(42);
    both!(-7i64);
    both!(u128::MAX);
    both!(1.5f64);
    both!(1 + 2 * 3);
    both!("text");
    both!(String::from("quote \" and \\ and\nnewline"));
    both!("ünïcødé ✓ 🦀");
    both!('\u{1F980}');
    both!(inner());
    both!(outer());
    both!(Shape::Empty);
    both!(Shape::Circle { radius: 0.5 });
    both!(Shape::Polygon(vec![(0, 0), (1, -1)]));
    both!((1, "a", [1u8, 2]));
    both!(());
    both!(Unit);
    both!(map());
    both!(1, "two", outer());
    both!();

    // Unwrapped calls: the crate's is two lines below std's, at the same column.
    eprintln!("{STD_TWO_LINES_UP}");
    std::dbg!(1 + 1, outer().inner);
    eprintln!("{OURS}");
    wasm_rs_dbg::dbg!(1 + 1, outer().inner);
    eprintln!("{STD_TWO_LINES_UP}");
    std::dbg!(vec![Some("x")],);
    eprintln!("{OURS}");
    wasm_rs_dbg::dbg!(vec![Some("x")],);
    eprintln!("{STD_TWO_LINES_UP}");
    std::dbg!();
    eprintln!("{OURS}");
    wasm_rs_dbg::dbg!();
}

/// Moves every `[file:LINE:col]` at the start of a line `by` lines down.
fn shift_lines(text: &str, by: u32) -> String {
    text.split('\n')
        .map(|line| {
            let Some(rest) = line.strip_prefix('[') else {
                return line.to_owned();
            };
            let Some((location, after)) = rest.split_once(']') else {
                return line.to_owned();
            };
            let mut parts = location.rsplitn(3, ':');
            let (Some(col), Some(num), Some(file)) = (parts.next(), parts.next(), parts.next())
            else {
                return line.to_owned();
            };
            match num.parse::<u32>() {
                Ok(n) => format!("[{file}:{}:{col}]{after}", n + by),
                Err(_) => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn stderr_matches_std_dbg() {
    if std::env::var_os(CHILD).is_some() {
        emit();
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args([
            "--exact",
            "stderr_matches_std_dbg",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("run the test binary as a child");
    assert!(out.status.success(), "child failed: {out:?}");
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");

    // Blocks: (marker, text) in order.
    let mut blocks: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in stderr.lines() {
        if [STD, OURS, STD_TWO_LINES_UP].contains(&line) {
            blocks.push((line, Vec::new()));
        } else if let Some((_, text)) = blocks.last_mut() {
            text.push(line);
        }
    }
    assert_eq!(
        blocks.len(),
        2 * 23,
        "every case printed both blocks:\n{stderr}"
    );

    for pair in blocks.chunks(2) {
        let [(std_marker, std_text), (ours_marker, ours_text)] = pair else {
            unreachable!("chunks of 2 from an even count")
        };
        assert_eq!(*ours_marker, OURS, "blocks alternate:\n{stderr}");
        let std_text = std_text.join("\n");
        let ours_text = ours_text.join("\n");
        if wasm_rs_dbg::ENABLED {
            assert!(!std_text.is_empty(), "std printed something");
            let expected = if *std_marker == STD_TWO_LINES_UP {
                shift_lines(&std_text, 2)
            } else {
                std_text
            };
            assert_eq!(ours_text, expected);
        } else {
            assert_eq!(ours_text, "", "a strip-release build prints nothing");
        }
    }
}
