//! A test that keeps the module graph of this crate acyclic.
//!
//! It reads every source file under `ci/src/`, takes the top-level module each belongs to
//! (`bench/run.rs` belongs to `bench`), and collects an edge `a -> b` for every `crate::b`
//! path in the code of `a`: `use crate::b;`, `use crate::b::{..}`, `use crate::{b, c::d}`
//! and `crate::b::f(..)` in expressions. Comment lines are skipped, so a doc link is no
//! edge. Then it checks that the graph has no cycle, that only `main` uses `test`, the
//! orchestrator of `cargo xtask test`, and that only `test` uses `suites`: the suites' parts
//! and helpers stay below both.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name -> the modules it uses (no self edges).
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The top-level module of every file under `src`: `foo.rs` and `foo/*.rs` are `foo`.
fn sources(src: &Path) -> Vec<(String, String)> {
    crate::tree::files(src, "rs")
        .expect("reading ci/src")
        .into_iter()
        .map(|path| {
            let top = path
                .strip_prefix(src)
                .expect("walked under src")
                .components()
                .next()
                .expect("a file under src");
            let name = Path::new(top.as_os_str())
                .file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("reading a source file");
            (name, text)
        })
        .collect()
}

/// The modules of `modules` that `text` names as `crate::<module>`, in any `use` or path.
fn references(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        // `wasm_rs_crate::x` is another path: `crate` must start a path segment.
        let starts_segment = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        rest = &rest[at + "crate::".len()..];
        if !starts_segment {
            continue;
        }
        let heads: Vec<String> = match rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the first segment of each top-level item.
            Some(group) => {
                let mut depth = 0usize;
                let mut items = vec![String::new()];
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => items.push(String::new()),
                        _ if depth == 0 => items.last_mut().expect("one item").push(c),
                        _ => {}
                    }
                }
                items.iter().map(|i| head(i.trim()).to_string()).collect()
            }
            None => vec![head(rest).to_string()],
        };
        found.extend(heads.into_iter().filter(|h| modules.contains(h)));
    }
    found
}

/// The identifier `path` starts with.
fn head(path: &str) -> &str {
    let end = path
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(path.len());
    &path[..end]
}

/// The module graph of the files: every module, with the modules it uses.
fn graph(files: &[(String, String)]) -> Graph {
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for (module, text) in files {
        let uses = graph.get_mut(module).expect("every module is a key");
        uses.extend(
            references(text, &modules)
                .into_iter()
                .filter(|m| m != module),
        );
    }
    graph
}

/// A cycle of the graph, as the modules along it with the first repeated at the end.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = path
                    .iter()
                    .position(|n| n == node)
                    .expect("open is on the path");
                let mut cycle = path[from..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Open);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

fn this_crate() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    graph(&sources(&src))
}

#[test]
fn the_module_graph_has_no_cycle() {
    let graph = this_crate();
    // The reader sees the edges at all: `test` runs the suites through `setup`.
    assert!(graph["test"].contains("setup"), "{graph:#?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "the modules of ci/src form a cycle: {}\n(each uses the next through `crate::`; \
             move what they share into a module below both)",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn only_test_uses_the_suites() {
    let graph = this_crate();
    assert!(graph["test"].contains("suites"), "{graph:#?}");
    let users: Vec<String> = graph
        .into_iter()
        .filter(|(m, uses)| m != "test" && uses.contains("suites"))
        .map(|(m, _)| m)
        .collect();
    assert!(
        users.is_empty(),
        "only `test` may use `suites` (the Suite trait and its implementations); these do: \
         {users:?}. A suite's part returns an `Outcome` and leaves the row to `suites`"
    );
}

#[test]
fn only_main_uses_the_test_orchestrator() {
    let users: Vec<String> = this_crate()
        .into_iter()
        .filter(|(m, uses)| m != "main" && uses.contains("test"))
        .map(|(m, _)| m)
        .collect();
    assert!(
        users.is_empty(),
        "only main may use `test` (the `cargo xtask test` orchestrator); these do: {users:?}. \
         Move what they take from it into a module of its own, such as `counts` or `suite`"
    );
}

#[test]
fn every_form_of_crate_path_is_an_edge() {
    let modules: BTreeSet<String> = ["a", "b", "c", "d", "e", "test"]
        .into_iter()
        .map(str::to_string)
        .collect();
    let text = "use crate::a;\n\
                use crate::{b, c::{X, Y},\n    d::f};\n\
                /// See [`crate::test`].\n\
                // crate::test::run\n\
                fn g() { crate::e::h(); other_crate::test::x(); crate::spawn(); }\n";
    let found: Vec<String> = references(text, &modules).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "d", "e"]);

    let files: Vec<(String, String)> = [
        ("a", "use crate::b;"),
        ("b", "fn f() { crate::c::g() }"),
        ("c", "use crate::{a, d};"),
        ("d", ""),
    ]
    .into_iter()
    .map(|(m, t)| (m.to_string(), t.to_string()))
    .collect();
    assert_eq!(
        find_cycle(&graph(&files)).map(|c| c.join(" -> ")),
        Some("a -> b -> c -> a".to_string())
    );
    assert_eq!(find_cycle(&graph(&files[1..])), None);
}
