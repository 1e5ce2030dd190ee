//! Walking a directory tree: the files of one kind under a folder, and the reading pages
//! of a rendered book. One walker (`walkdir`) for every module that needs one.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Every file under `dir` (at any depth) whose extension is `ext`, sorted; none when `dir`
/// does not exist.
pub(crate) fn files(dir: &Path, ext: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.with_context(|| format!("walking {}", dir.display()))?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == ext) {
            out.push(entry.into_path());
        }
    }
    out.sort();
    Ok(out)
}

/// mdBook's pages that are not reading pages: the print view, the 404 page, the table of
/// contents fallback.
const NOT_READING: &[&str] = &["print.html", "404.html", "toc.html"];

/// The reading pages of the book rendered in `book_dir`, as `/`-separated paths relative to
/// it, sorted.
pub(crate) fn reading_pages(book_dir: &Path) -> Result<Vec<String>> {
    Ok(files(book_dir, "html")?
        .iter()
        .map(|path| {
            path.strip_prefix(book_dir)
                .expect("walked under book_dir")
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        })
        .filter(|rel| !NOT_READING.contains(&rel.as_str()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_one_kind_at_any_depth_and_the_reading_pages() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("recipes/deep")).unwrap();
        for f in [
            "index.html",
            "print.html",
            "404.html",
            "toc.html",
            "recipes/a.html",
            "recipes/deep/b.html",
            "recipes/a.md",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        assert_eq!(files(root, "md").unwrap(), [root.join("recipes/a.md")]);
        assert!(files(&root.join("missing"), "rs").unwrap().is_empty());
        assert_eq!(files(root, "html").unwrap().len(), 6);
        assert_eq!(
            reading_pages(root).unwrap(),
            ["index.html", "recipes/a.html", "recipes/deep/b.html"]
        );
    }
}
