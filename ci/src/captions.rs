//! `cargo xtask mdbook-captions`: the book's mdBook preprocessor (declared in `book/book.toml`)
//! that puts the repository path of each included code block above it, linked to the file in
//! the repository, so that a reader is one click from the code a page shows.
//!
//! mdBook runs it before its own `links` preprocessor expands `{{#include}}`: it reads the
//! `[context, book]` JSON on stdin, and for every fenced block whose first line includes a file
//! from outside `book/` (`{{#include ../../../recipes/x/src/lib.rs:anchor}}`) it writes a
//! caption line, `` [`recipes/x/src/lib.rs`](<repository>/blob/main/recipes/x/src/lib.rs) ``,
//! just above the fence. The repository URL is `git-repository-url` in `[output.html]`, the
//! one mdBook links from every page's menu bar. The link check resolves these links against
//! the checkout ([`crate::links`]).

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

/// Arguments mdBook passes: `supports <renderer>` to ask, nothing to run.
#[derive(Debug, clap::Args)]
pub(crate) struct CaptionArgs {
    /// `supports <renderer>`: mdBook asks whether the preprocessor handles a renderer (all).
    #[arg(num_args = 0..)]
    args: Vec<String>,
}

/// Runs the preprocessor: `supports …` answers yes; otherwise the book on stdin, captioned, on
/// stdout.
pub(crate) fn run(args: &CaptionArgs) -> Result<()> {
    if args.args.first().is_some_and(|a| a == "supports") {
        return Ok(());
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading mdBook's JSON from stdin")?;
    let (context, mut book): (Value, Value) =
        serde_json::from_str(&input).context("mdBook's input is not [context, book] JSON")?;
    let repository = context["config"]["output"]["html"]["git-repository-url"]
        .as_str()
        .context("book.toml has no `git-repository-url` in [output.html]")?
        .trim_end_matches('/')
        .to_string();
    let src = context["config"]["book"]["src"].as_str().unwrap_or("src");
    // The book is `book/` in the repository: pages live under `book/<src>/`.
    let pages = Path::new("book").join(src);
    caption_chapters(&mut book, &pages, &repository);
    println!("{}", serde_json::to_string(&book)?);
    Ok(())
}

/// Captions every chapter in mdBook's book JSON (chapters nest under `sub_items`).
fn caption_chapters(value: &mut Value, pages: &Path, repository: &str) {
    match value {
        Value::Object(map) => {
            let page = map
                .get("source_path")
                .and_then(Value::as_str)
                .map(|p| pages.join(p));
            if let (Some(page), Some(Value::String(content))) = (page, map.get_mut("content")) {
                let dir = page.parent().unwrap_or(Path::new("")).to_path_buf();
                *content = caption(content, &dir, repository);
            }
            for child in map.values_mut() {
                caption_chapters(child, pages, repository);
            }
        }
        Value::Array(items) => {
            for item in items {
                caption_chapters(item, pages, repository);
            }
        }
        _ => {}
    }
}

/// `content` (a page in `page_dir`, relative to the repository root) with a caption line
/// above each fenced block that starts by including a file from outside `book/`.
fn caption(content: &str, page_dir: &Path, repository: &str) -> String {
    let lines: Vec<&str> = content.split('\n').collect();
    let mut out = String::with_capacity(content.len() + 256);
    let mut fence: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        match &fence {
            None if trimmed.starts_with("```") || trimmed.starts_with("~~~") => {
                let marker: String = trimmed
                    .chars()
                    .take_while(|&c| c == trimmed.as_bytes()[0] as char)
                    .collect();
                let file = lines
                    .get(i + 1)
                    .and_then(|next| included_path(next.trim()))
                    .and_then(|path| repository_file(page_dir, path));
                if let Some(file) = file {
                    let indent = &line[..line.len() - trimmed.len()];
                    // A blank line first, so the caption never joins the paragraph above.
                    if !(out.is_empty() || out.ends_with("\n\n")) {
                        out.push_str(indent);
                        out.push('\n');
                    }
                    let _ = writeln!(out, "{indent}[`{file}`]({repository}/blob/main/{file})");
                }
                fence = Some(marker);
            }
            Some(marker)
                if trimmed.starts_with(marker.as_str()) && {
                    let rest = trimmed.trim_start_matches(marker.chars().next().unwrap_or('`'));
                    rest.trim().is_empty()
                } =>
            {
                fence = None;
            }
            _ => {}
        }
        out.push_str(line);
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
    out
}

/// The path in `{{#include path}}` or `{{#include path:anchor}}` (also `#rustdoc_include`).
fn included_path(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("{{#include ")
        .or_else(|| line.strip_prefix("{{#rustdoc_include "))?;
    let inner = rest.split("}}").next()?.trim();
    Some(inner.split(':').next().unwrap_or(inner))
}

/// `path`, relative to `page_dir`, as a path from the repository root with `/` separators;
/// `None` for the book's own files and for anything outside the repository.
fn repository_file(page_dir: &Path, path: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in page_dir.join(path).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    (parts.first().is_some_and(|first| first != "book")).then(|| parts.join("/"))
}

/// The repository's URL as the book names it: `git-repository-url` in `book/book.toml`.
pub(crate) fn repository_url(root: &Path) -> Result<String> {
    let path = root.join("book/book.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let config: toml::Value =
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let url = config
        .get("output")
        .and_then(|o| o.get("html"))
        .and_then(|h| h.get("git-repository-url"))
        .and_then(toml::Value::as_str)
        .with_context(|| {
            format!(
                "{} has no `git-repository-url` in [output.html]",
                path.display()
            )
        })?;
    Ok(url.trim_end_matches('/').to_string())
}

/// The repository file a link points at, when it is a `blob`, `tree` or `edit` link to the
/// `main` branch of `repository`: `https://…/blob/main/ci/src/main.rs#L3` → `ci/src/main.rs`.
pub(crate) fn linked_file<'a>(repository: &str, link: &'a str) -> Option<&'a str> {
    let rest = link.strip_prefix(repository)?.strip_prefix('/')?;
    let path = ["blob/main/", "tree/main/", "edit/main/"]
        .iter()
        .find_map(|kind| rest.strip_prefix(kind))?;
    Some(
        path.split(['#', '?'])
            .next()
            .unwrap_or(path)
            .trim_end_matches('/'),
    )
}

/// Whether `file` (a path from the repository root) exists in the checkout at `root`.
pub(crate) fn exists_in(root: &Path, file: &str) -> bool {
    let path: PathBuf = file.split('/').collect();
    !file.split('/').any(|p| p == "..") && root.join(path).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPO: &str = "https://github.com/wasm-rs/wasm-rs";

    fn page() -> PathBuf {
        Path::new("book/src/recipes").to_path_buf()
    }

    #[test]
    fn an_included_block_gets_its_file_as_a_caption() {
        let content =
            "Some text:\n\n```rust\n{{#include ../../../recipes/x/src/lib.rs:work}}\n```\n";
        let out = caption(content, &page(), REPO);
        assert_eq!(
            out,
            "Some text:\n\n[`recipes/x/src/lib.rs`](https://github.com/wasm-rs/wasm-rs/blob/main/recipes/x/src/lib.rs)\n```rust\n{{#include ../../../recipes/x/src/lib.rs:work}}\n```\n"
        );
    }

    #[test]
    fn the_caption_never_joins_a_paragraph_and_keeps_list_indentation() {
        let content =
            "- a step:\n  ```toml\n  {{#include ../../../recipes/y/Cargo.toml:deps}}\n  ```";
        let out = caption(content, &page(), REPO);
        assert_eq!(
            out,
            "- a step:\n  \n  [`recipes/y/Cargo.toml`](https://github.com/wasm-rs/wasm-rs/blob/main/recipes/y/Cargo.toml)\n  ```toml\n  {{#include ../../../recipes/y/Cargo.toml:deps}}\n  ```"
        );
    }

    #[test]
    fn book_files_plain_blocks_and_includes_inside_a_block_are_left_alone() {
        for content in [
            "```text\ncargo xtask test\n```\n",
            "{{#include ../generated/x.md}}\n",
            "```js\n{{#include ../js/demo-runner.js}}\n```\n",
            "```rust\nlet a = 1;\n{{#include ../../../recipes/x/src/lib.rs}}\n```\n",
        ] {
            assert_eq!(caption(content, &page(), REPO), content);
        }
    }

    #[test]
    fn a_closed_fence_ends_the_block() {
        let content =
            "````md\n```rust\n````\n```rust\n{{#include ../../../runtime/dbg/src/lib.rs}}\n```";
        let out = caption(content, &page(), REPO);
        assert!(out.contains("\n\n[`runtime/dbg/src/lib.rs`]"), "{out}");
        assert_eq!(out.matches("[`").count(), 1, "{out}");
    }

    #[test]
    fn repository_links_name_their_file() {
        let link = format!("{REPO}/blob/main/ci/src/main.rs#L3");
        assert_eq!(linked_file(REPO, &link), Some("ci/src/main.rs"));
        let link = format!("{REPO}/tree/main/recipes/x/");
        assert_eq!(linked_file(REPO, &link), Some("recipes/x"));
        assert_eq!(
            linked_file(REPO, "https://github.com/other/repo/blob/main/a"),
            None
        );
        assert_eq!(linked_file(REPO, &format!("{REPO}/issues/3")), None);
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        assert!(exists_in(root, "ci/src/captions.rs"));
        assert!(!exists_in(root, "ci/src/no-such-file.rs"));
        assert!(
            !exists_in(root, "ci/../ci/src/captions.rs"),
            "no way out of the checkout"
        );
    }

    #[test]
    fn the_book_and_the_crates_name_the_same_repository() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let manifest: toml::Value =
            toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
        let crates = manifest["workspace"]["package"]["repository"]
            .as_str()
            .unwrap();
        assert_eq!(repository_url(root).unwrap(), crates.trim_end_matches('/'));
    }

    #[test]
    fn each_runtime_crate_links_its_book_page() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let manifest: toml::Value =
            toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
        let book = manifest["workspace"]["package"]["homepage"]
            .as_str()
            .unwrap();
        let mut crates = 0;
        for entry in std::fs::read_dir(root.join("runtime")).unwrap() {
            let readme = entry.unwrap().path().join("README.md");
            let Ok(text) = std::fs::read_to_string(&readme) else {
                continue;
            };
            crates += 1;
            let page = text
                .split(book)
                .nth(1)
                .and_then(|rest| rest.split(".html").next())
                .unwrap_or_else(|| {
                    panic!("{} does not link its page under {book}", readme.display())
                });
            assert!(
                root.join("book/src").join(format!("{page}.md")).is_file(),
                "{} links {book}{page}.html, which is no page of the book",
                readme.display()
            );
        }
        assert!(crates >= 4, "the runtime crates' READMEs were found");
    }

    #[test]
    fn paths_resolve_from_the_page_and_stay_in_the_repository() {
        assert_eq!(
            repository_file(&page(), "../../../ci/src/main.rs").as_deref(),
            Some("ci/src/main.rs")
        );
        assert_eq!(repository_file(&page(), "../../../../etc/passwd"), None);
        assert_eq!(repository_file(&page(), "../generated/x.md"), None);
        assert_eq!(included_path("{{#include a/b.rs:anchor}}"), Some("a/b.rs"));
        assert_eq!(included_path("{{#rustdoc_include a/b.rs}}"), Some("a/b.rs"));
        assert_eq!(included_path("let x = 1;"), None);
    }
}
