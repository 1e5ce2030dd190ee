//! The link check of `cargo xtask test`: every internal link and `#anchor` in the rendered
//! book resolves.
//!
//! mdBook rewrites `.md` links to `.html` and warns about some broken includes, but it does
//! not check that a link's target page exists, nor that a `#fragment` names a heading that is
//! really there (headings get their ids from their text, so renaming one silently breaks every
//! link to it). This module reads the *rendered* HTML with an HTML parser ([`scraper`]), so it
//! sees exactly what a browser sees, including links mdBook itself generates (sidebar, next
//! and previous buttons, stylesheets and scripts).
//!
//! Links with a scheme (`https:`, `mailto:` …) are counted as external and not fetched: the
//! check must work offline and must not fail because some other site is down.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use scraper::{Html, Selector};
use url::Url;

use crate::outcome::Outcome;

/// What the link check found.
#[derive(Debug, Default)]
pub(crate) struct LinkReport {
    /// Internal links (and `#anchors`) that resolved, and one problem per broken link,
    /// naming the page and the link.
    pub(crate) outcome: Outcome,
    /// External links seen and, on purpose, not fetched.
    pub(crate) external: u64,
}

/// The element/attribute pairs whose value is a URL the page depends on.
const LINK_ATTRS: &[(&str, &str)] = &[
    ("a[href]", "href"),
    ("link[href]", "href"),
    ("script[src]", "src"),
    ("img[src]", "src"),
    ("iframe[src]", "src"),
    ("source[src]", "src"),
];

/// A host name that cannot exist, standing for the book's root while resolving links.
const BOOK_ROOT: &str = "http://book.invalid/";

/// Checks every internal link of every `.html` file under `book_dir` (the rendered book).
///
/// A link is internal when it has no scheme: it must name a file that exists under
/// `book_dir` (a directory stands for its `index.html`), and its `#fragment`, if any, must be
/// the `id` (or `<a name>`) of an element of the target page. Root-absolute links (`/x.html`)
/// are resolved against the book's root, and so is a page's root-absolute `<base href>`
/// (mdBook writes `site-url` there in `404.html`).
///
/// With `repository` (its URL and the checkout's root), links to files of that repository's
/// `main` branch (`<url>/blob/main/<path>`, `tree`, `edit`: the code captions, the recipe
/// headers, the edit links) are checked too, offline: `<path>` must exist in the checkout.
pub(crate) fn check(book_dir: &Path, repository: Option<(&str, &Path)>) -> Result<LinkReport> {
    let pages = crate::tree::files(book_dir, "html")
        .with_context(|| format!("listing the rendered book in {}", book_dir.display()))?;
    anyhow::ensure!(
        !pages.is_empty(),
        "no .html files under {}: build the book first (`cargo xtask serve` or `cargo xtask test` build it)",
        book_dir.display()
    );

    let root = Url::parse(BOOK_ROOT).expect("BOOK_ROOT is a valid URL");
    let selectors: Vec<(Selector, &str)> = LINK_ATTRS
        .iter()
        .map(|(css, attr)| (Selector::parse(css).expect("static selector"), *attr))
        .collect();
    let base_selector = Selector::parse("base[href]").expect("static selector");

    let mut ids = IdCache::default();
    let mut report = LinkReport::default();
    for page in &pages {
        let rel = page
            .strip_prefix(book_dir)
            .expect("pages are collected under book_dir");
        let html = read_page(page)?;
        let doc = Html::parse_document(&html);
        let mut page_url = root.clone();
        page_url
            .path_segments_mut()
            .expect("an http URL has a path")
            .clear()
            .extend(rel.components().map(|c| c.as_os_str().to_string_lossy()));
        // `<base href="/">` (or `/sub/path/`) is the site root; anything else is relative.
        let base = match doc
            .select(&base_selector)
            .next()
            .and_then(|b| b.value().attr("href"))
        {
            Some(href) if href.starts_with('/') && !href.starts_with("//") => root.clone(),
            Some(href) => page_url.join(href).unwrap_or_else(|_| page_url.clone()),
            None => page_url.clone(),
        };
        for (selector, attr) in &selectors {
            for element in doc.select(selector) {
                let Some(link) = element.value().attr(attr) else {
                    continue;
                };
                let in_repository = repository
                    .and_then(|(url, root)| Some((crate::captions::linked_file(url, link)?, root)));
                if let Some((file, root)) = in_repository {
                    if crate::captions::exists_in(root, file) {
                        report.outcome.passed += 1;
                    } else {
                        report.outcome.problem(format!(
                            "links: {}: broken link `{link}`: there is no `{file}` in the repository",
                            rel.display()
                        ));
                    }
                    continue;
                }
                match classify(link) {
                    Kind::External => report.external += 1,
                    Kind::Ignored => {}
                    Kind::Internal => {
                        // A bare fragment always refers to the page itself, even under <base>.
                        let resolved = if link.starts_with('#') {
                            page_url.join(link)
                        } else {
                            base.join(link)
                        };
                        match resolved {
                            Ok(target) => {
                                match resolve(book_dir, &target, &root, &mut ids, &doc, page) {
                                    Ok(()) => report.outcome.passed += 1,
                                    Err(why) => report.outcome.problem(format!(
                                        "links: {}: broken link `{link}`: {why}",
                                        rel.display()
                                    )),
                                }
                            }
                            Err(e) => report.outcome.problem(format!(
                                "links: {}: link `{link}` is not a valid URL ({e})",
                                rel.display()
                            )),
                        }
                    }
                }
            }
        }
    }
    Ok(report)
}

/// How a link is treated.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    /// Resolved against the page and checked.
    Internal,
    /// Another site or a mail address: counted, never fetched.
    External,
    /// Not a document reference at all (`javascript:`, `data:`).
    Ignored,
}

fn classify(link: &str) -> Kind {
    let link = link.trim();
    if link.starts_with("//") {
        return Kind::External;
    }
    // A scheme is letters/digits/+/-/. before the first ':' (RFC 3986 §3.1), which a
    // relative path cannot contain before any '/', '?' or '#'.
    let head = link.split(['/', '?', '#']).next().unwrap_or("");
    match head.split_once(':') {
        Some((scheme, _))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            match scheme.to_ascii_lowercase().as_str() {
                "javascript" | "data" | "blob" | "about" => Kind::Ignored,
                _ => Kind::External,
            }
        }
        _ => Kind::Internal,
    }
}

/// Checks that `target` (a URL under [`BOOK_ROOT`]) names an existing file, and an element
/// with the fragment's id when there is one. The error says what is missing.
fn resolve(
    book_dir: &Path,
    target: &Url,
    root: &Url,
    ids: &mut IdCache,
    this_doc: &Html,
    this_page: &Path,
) -> std::result::Result<(), String> {
    if target.origin() != root.origin() {
        return Err("it leaves the book".into());
    }
    let decoded = percent_decode(target.path());
    let mut file = book_dir.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        file.push(segment);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    if !file.is_file() {
        return Err(format!(
            "{} does not exist",
            file.strip_prefix(book_dir).unwrap_or(&file).display()
        ));
    }
    let Some(fragment) = target.fragment() else {
        return Ok(());
    };
    let fragment = percent_decode(fragment);
    // `#` and `#top` scroll to the top in every browser (HTML spec, "the indicated part").
    if fragment.is_empty() || fragment.eq_ignore_ascii_case("top") {
        return Ok(());
    }
    if file.extension().is_none_or(|e| e != "html" && e != "htm") {
        return Ok(());
    }
    let found = if file == this_page {
        ids_of(this_doc).contains(&fragment)
    } else {
        ids.get(&file)?.contains(&fragment)
    };
    if found {
        Ok(())
    } else {
        Err(format!(
            "{} has no element with id `{fragment}`",
            file.strip_prefix(book_dir).unwrap_or(&file).display()
        ))
    }
}

/// The ids (and `<a name>`s) of each target page, parsed once.
#[derive(Debug, Default)]
struct IdCache {
    pages: HashMap<PathBuf, std::collections::HashSet<String>>,
}

impl IdCache {
    fn get(
        &mut self,
        file: &Path,
    ) -> std::result::Result<&std::collections::HashSet<String>, String> {
        if !self.pages.contains_key(file) {
            let html = read_page(file).map_err(|e| format!("{e:#}"))?;
            let set = ids_of(&Html::parse_document(&html));
            self.pages.insert(file.to_path_buf(), set);
        }
        Ok(&self.pages[file])
    }
}

fn ids_of(doc: &Html) -> std::collections::HashSet<String> {
    let any_id = Selector::parse("[id]").expect("static selector");
    let named = Selector::parse("a[name]").expect("static selector");
    doc.select(&any_id)
        .filter_map(|e| e.value().id())
        .chain(doc.select(&named).filter_map(|e| e.value().attr("name")))
        .map(str::to_owned)
        .collect()
}

fn read_page(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory holding `files` (path, contents).
    fn book(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn links_into_the_repository_are_checked_against_the_checkout() {
        let repo = "https://github.com/wasm-rs/wasm-rs";
        let page = format!(
            r#"<a href="{repo}/blob/main/ci/src/links.rs">code</a>
            <a href="{repo}/tree/main/ci/src/">folder</a>
            <a href="{repo}/edit/main/ci/src/gone.rs">edit</a>
            <a href="{repo}/issues">issues</a>"#
        );
        let dir = book(&[("index.html", page.as_str())]);
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let report = check(dir.path(), Some((repo, root))).unwrap();
        assert_eq!(report.outcome.passed, 2);
        assert_eq!(report.external, 1, "the issues page is not a file");
        assert_eq!(
            report.outcome.problems.len(),
            1,
            "{:?}",
            report.outcome.problems
        );
        assert!(report.outcome.problems[0].contains("no `ci/src/gone.rs` in the repository"));
        // Without the repository, the same links are external and not checked.
        let report = check(dir.path(), None).unwrap();
        assert_eq!((report.outcome.passed, report.external), (0, 4));
    }

    #[test]
    fn good_links_pass_and_externals_are_counted() {
        let dir = book(&[
            (
                "index.html",
                r##"<link rel="stylesheet" href="css/a.css"><script src="js/a.js"></script>
                <a href="sub/page.html#part-two">x</a> <a href="#top">top</a> <a href="#here">h</a>
                <h1 id="here">here</h1> <a href="sub/">dir</a> <img src="img/a%20b.png">
                <a href="https://example.org/">ext</a> <a href="mailto:a@b.c">mail</a>
                <a href="javascript:void(0)">js</a>"##,
            ),
            ("css/a.css", ""),
            ("js/a.js", ""),
            ("img/a b.png", ""),
            (
                "sub/page.html",
                r##"<h2 id="part-two">2</h2><a href="../index.html#here">back</a>
                <a name="old-anchor"></a><a href="#old-anchor">old</a><a href="/css/a.css">abs</a>"##,
            ),
            ("sub/index.html", ""),
        ]);
        let report = check(dir.path(), None).unwrap();
        assert_eq!(report.outcome.problems, Vec::<String>::new());
        // index: css, js, page#part-two, #top, #here, sub/, img = 7; sub/page: 3; sub/index: 0.
        assert_eq!(report.outcome.passed, 10);
        assert_eq!(report.external, 2);
    }

    #[test]
    fn a_missing_file_is_named_with_its_page() {
        let dir = book(&[(
            "chapter/one.html",
            r#"<a href="../gone.html">x</a><script src="js/missing.js"></script>"#,
        )]);
        let report = check(dir.path(), None).unwrap();
        assert_eq!(report.outcome.passed, 0);
        assert_eq!(
            report.outcome.problems.len(),
            2,
            "{:?}",
            report.outcome.problems
        );
        assert!(
            report.outcome.problems[0].contains("chapter/one.html")
                && report.outcome.problems[0].contains("`../gone.html`")
                && report.outcome.problems[0].contains("gone.html does not exist"),
            "{:?}",
            report.outcome.problems
        );
        assert!(
            report.outcome.problems[1].contains("chapter/js/missing.js does not exist"),
            "{:?}",
            report.outcome.problems
        );
    }

    #[test]
    fn a_missing_anchor_is_named_with_its_target() {
        let dir = book(&[
            (
                "a.html",
                r##"<a href="b.html#nope">x</a><a href="#self-nope">y</a>"##,
            ),
            ("b.html", r#"<h1 id="yes">b</h1>"#),
        ]);
        let report = check(dir.path(), None).unwrap();
        assert_eq!(report.outcome.passed, 0);
        assert_eq!(
            report.outcome.problems.len(),
            2,
            "{:?}",
            report.outcome.problems
        );
        assert!(
            report.outcome.problems[0].contains("a.html: broken link `b.html#nope`")
                && report.outcome.problems[0].contains("b.html has no element with id `nope`"),
            "{:?}",
            report.outcome.problems
        );
        assert!(
            report.outcome.problems[1].contains("a.html has no element with id `self-nope`"),
            "{:?}",
            report.outcome.problems
        );
    }

    #[test]
    fn a_root_absolute_base_stands_for_the_book_root() {
        let dir = book(&[
            (
                "404.html",
                r#"<base href="/wasm-rs/"><a href="index.html">home</a><a href="missing.html">m</a>"#,
            ),
            ("index.html", ""),
        ]);
        let report = check(dir.path(), None).unwrap();
        assert_eq!(report.outcome.passed, 1);
        assert_eq!(
            report.outcome.problems.len(),
            1,
            "{:?}",
            report.outcome.problems
        );
        assert!(report.outcome.problems[0].contains("missing.html does not exist"));
    }

    #[test]
    fn an_empty_book_is_an_error_that_says_to_build_it() {
        let dir = book(&[]);
        let err = check(dir.path(), None).unwrap_err();
        assert!(
            format!("{err:#}").contains("build the book first"),
            "{err:#}"
        );
    }

    #[test]
    fn links_are_classified_by_scheme() {
        assert_eq!(classify("https://a.b/"), Kind::External);
        assert_eq!(classify("MAILTO:x@y"), Kind::External);
        assert_eq!(classify("//cdn.example/x.js"), Kind::External);
        assert_eq!(classify("data:image/png;base64,AA"), Kind::Ignored);
        assert_eq!(classify("page.html#a:b"), Kind::Internal);
        assert_eq!(classify("./x:y.html"), Kind::Internal);
        assert_eq!(classify("#frag"), Kind::Internal);
        assert_eq!(percent_decode("a%20b%2"), "a b%2");
    }
}
