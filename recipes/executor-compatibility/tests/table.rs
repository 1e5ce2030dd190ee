//! The book's table: rendered from `EXPECTED`, guarded by a snapshot, and written to
//! `book/src/generated/executor-compatibility-table.md` for the page to include.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use executor_compatibility::{EXPECTED, Outcome, Why, render_table};

#[test]
fn table_matches_the_snapshot_and_is_written_for_the_book() {
    let table = render_table();
    insta::assert_snapshot!("compatibility_table", table);
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/src/generated");
    std::fs::create_dir_all(&book).expect("book/src/generated can be created");
    std::fs::write(book.join("executor-compatibility-table.md"), &table)
        .expect("the generated table can be written");
}

#[test]
fn every_reason_in_the_table_has_a_section_on_the_page() {
    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../book/src/recipes/executor-compatibility.md"),
    )
    .expect("the recipe's page exists");
    for why in Why::ALL {
        assert!(
            page.contains(&format!("id=\"{}\"", why.anchor())),
            "the page needs a section with id=\"{}\" explaining {why:?}",
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
