//! The book's table: rendered from `EXPECTED` and guarded by a snapshot. When `cargo xtask`
//! builds the book it runs this test with `WASM_RS_BOOK_GENERATED` set to the book's
//! generated-files folder, and the table is written there for the page to include (the
//! metadata's `book-generator = "table"` tells it to). Run on its own, or in a copy made with
//! `cargo xtask eject`, the test only checks the snapshot.
#![cfg(not(target_family = "wasm"))]

use std::path::Path;

use executor_compatibility::{EXPECTED, Outcome, Why, render_table};

#[test]
fn table_matches_the_snapshot_and_is_written_for_the_book() {
    let table = render_table();
    insta::assert_snapshot!("compatibility_table", table);
    if let Some(dir) = std::env::var_os("WASM_RS_BOOK_GENERATED") {
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir).expect("the generated-files folder can be created");
        std::fs::write(dir.join("executor-compatibility-table.md"), &table)
            .expect("the generated table can be written");
    }
}

#[test]
fn every_reason_in_the_table_has_a_section_in_fixes_md() {
    // fixes.md lives in the recipe (the book page includes it), so an ejected copy keeps it.
    let fixes = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixes.md"))
        .expect("the recipe's fixes.md exists");
    for why in Why::ALL {
        assert!(
            fixes.contains(&format!("id=\"{}\"", why.anchor())),
            "fixes.md needs a section with id=\"{}\" explaining {why:?}",
            why.anchor()
        );
    }
}

#[test]
fn the_table_has_each_cell_once_and_uses_every_reason() {
    let mut seen = std::collections::HashSet::new();
    for (executor, workload, _) in EXPECTED {
        assert!(
            seen.insert((executor, workload)),
            "{executor} × {workload} is in EXPECTED twice"
        );
    }
    for why in Why::ALL {
        assert!(
            EXPECTED
                .iter()
                .any(|(_, _, o)| o.iter().any(|o| o.why() == Some(why))),
            "{why:?} explains no cell: remove it and its section"
        );
    }
    // Panics are recognised by their message: a reason that is a panic must have one.
    for (_, _, outcomes) in EXPECTED {
        for outcome in outcomes {
            if let Outcome::Panics(why) = outcome {
                assert!(
                    !why.panic_message().is_empty(),
                    "{why:?} needs a panic message"
                );
            }
        }
    }
}
