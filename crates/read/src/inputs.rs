//! Expanding the command line's files and folders into the list of report files.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::ReadError;

/// Expands files and folders into the sorted list of candidate report files.
///
/// Folders are walked recursively; inside them hidden files and folders (name starting with `.`),
/// Word lock files (`~$…`) and files named `README*`, `SOURCES*`, `LICENSE*`/`LICENCE*`,
/// `CHANGELOG*` (any case) are skipped. Files of any extension are kept, so that unknown or binary
/// ones reach [`super::read_source`] and get a clear error. A file named explicitly is always
/// kept. A path that does not exist is an error. The result is sorted and without duplicates.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ReadError> {
    let mut out = Vec::new();
    let mut seen_dirs = HashSet::new();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ReadError::NotFound(path.clone()));
            }
            Err(source) => {
                return Err(ReadError::Walk {
                    path: path.clone(),
                    source,
                })
            }
        };
        if meta.is_dir() {
            walk(path, &mut out, &mut seen_dirs)?;
        } else {
            out.push(path.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Walks a folder without recursion (deep trees cannot overflow the stack); symbolic links to
/// folders are followed once (a loop is visited only once).
fn walk(root: &Path, out: &mut Vec<PathBuf>, seen: &mut HashSet<PathBuf>) -> Result<(), ReadError> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let key = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
        if !seen.insert(key) {
            continue;
        }
        let entries = std::fs::read_dir(&dir).map_err(|source| ReadError::Walk {
            path: dir.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| ReadError::Walk {
                path: dir.clone(),
                source,
            })?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            // Follows symbolic links; a dangling link is kept so that reading it reports why.
            let is_dir = std::fs::metadata(&path)
                .map(|m| m.is_dir())
                .unwrap_or(false);
            if is_dir {
                stack.push(path);
            } else if !skipped_file_name(&name) {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// Files inside folders that are documentation or editor debris, not reports.
fn skipped_file_name(name: &str) -> bool {
    let upper = name.to_uppercase();
    name.starts_with("~$")
        || ["README", "SOURCES", "LICENSE", "LICENCE", "CHANGELOG"]
            .iter()
            .any(|p| upper.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(p: &Path) {
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, "报告").unwrap();
    }

    #[test]
    fn walks_recursively_sorted_and_skips_debris() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "b.txt",
            "a.html",
            "sub/c.docx",
            "sub/deeper/d.md",
            "sub/e.bin",
            "noext",
            "README.md",
            "readme.txt",
            "SOURCES.md",
            "LICENSE",
            "CHANGELOG.md",
            ".hidden.txt",
            ".git/config",
            "sub/.cache/x.txt",
            "~$lock.docx",
        ] {
            touch(&d.join(f));
        }
        let got = collect_inputs(&[d.to_path_buf()]).unwrap();
        let rel: Vec<String> = got
            .iter()
            .map(|p| {
                p.strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            rel,
            [
                "a.html",
                "b.txt",
                "noext",
                "sub/c.docx",
                "sub/deeper/d.md",
                "sub/e.bin"
            ]
        );
    }

    #[test]
    fn explicit_files_are_kept_sorted_and_deduplicated() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        touch(&d.join("z/README.md"));
        touch(&d.join("z/r.txt"));
        touch(&d.join("a.txt"));
        let got = collect_inputs(&[
            d.join("z/README.md"),
            d.join("z"),
            d.join("a.txt"),
            d.join("a.txt"),
        ])
        .unwrap();
        assert_eq!(
            got,
            vec![d.join("a.txt"), d.join("z/README.md"), d.join("z/r.txt")]
        );
    }

    #[test]
    fn missing_path_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let e = collect_inputs(std::slice::from_ref(&missing)).unwrap_err();
        assert!(matches!(e, ReadError::NotFound(_)));
        assert_eq!(
            e.to_string(),
            format!("{}: no such file or folder", missing.display())
        );
    }

    #[test]
    fn empty_folder_gives_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        assert!(collect_inputs(&[dir.path().to_path_buf()])
            .unwrap()
            .is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_terminate() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        touch(&d.join("sub/r.txt"));
        std::os::unix::fs::symlink(d, d.join("sub/loop")).unwrap();
        let got = collect_inputs(&[d.to_path_buf()]).unwrap();
        assert_eq!(got, vec![d.join("sub/r.txt")]);
    }
}
