//! Snapshots of what `govkg extract --pretty` prints for every text in the repository: the
//! bundled reports (`data/reports`) and the copied corpus (`tests/corpus/more`, `tests/corpus/ext`).
//!
//! One file per report under `tests/snapshots/<set>/<stem>.json`, so that a change to a rule shows
//! in review as the extractions it changed. After an intended change, refresh them with
//! `GOVKG_UPDATE_SNAPSHOTS=1 cargo test -p govkg-core --test snapshots` and read the diff.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use govkg_core::knowledge::Knowledge;
use govkg_core::model::Document;
use govkg_core::pipeline;

/// (set name, folder of texts relative to the repository root).
const SETS: [(&str, &str); 3] = [
    ("bundled", "data/reports"),
    ("more", "tests/corpus/more"),
    ("ext", "tests/corpus/ext"),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn snapshot_dir(set: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(set)
}

/// The extraction of one file, exactly as `govkg extract --pretty` prints it.
fn extract_pretty(path: &Path, knowledge: &Knowledge) -> String {
    let source =
        govkg_read::read_source(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = Document::new(
        govkg_read::file_name_text(path),
        source.text,
        source.format.as_str(),
        source.encoding,
    );
    let extraction = pipeline::process(&doc, knowledge);
    let mut text = serde_json::to_string_pretty(&extraction).expect("an extraction serializes");
    text.push('\n');
    text
}

/// The first lines where `expected` and `got` differ, for the failure message.
fn first_difference(expected: &str, got: &str) -> String {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let first = e.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let mut out = format!("  first difference at line {}:\n", first + 1);
    for line in e.iter().skip(first).take(4) {
        let _ = writeln!(out, "  - {line}");
    }
    for line in g.iter().skip(first).take(4) {
        let _ = writeln!(out, "  + {line}");
    }
    out
}

#[test]
fn extraction_matches_the_snapshots() {
    let update = std::env::var_os("GOVKG_UPDATE_SNAPSHOTS").is_some_and(|v| v != "0");
    let knowledge = Knowledge::embedded().expect("the built-in knowledge tables load");
    let mut failures = String::new();
    let mut checked = 0;
    for (set, folder) in SETS {
        let texts = govkg_read::collect_inputs(&[repo().join(folder)])
            .unwrap_or_else(|e| panic!("{folder}: {e}"));
        let texts: Vec<PathBuf> = texts
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        assert!(!texts.is_empty(), "{folder}: no texts");
        let dir = snapshot_dir(set);
        if update {
            fs::create_dir_all(&dir).unwrap();
        }
        let mut expected_files = Vec::new();
        for text in &texts {
            let stem = text.file_stem().unwrap().to_string_lossy().into_owned();
            let file = dir.join(format!("{stem}.json"));
            expected_files.push(file.clone());
            let got = extract_pretty(text, &knowledge);
            checked += 1;
            if update {
                fs::write(&file, &got).unwrap();
                continue;
            }
            match fs::read_to_string(&file) {
                Ok(expected) if expected == got => {}
                Ok(expected) => {
                    let _ = write!(
                        failures,
                        "{}: extraction differs from {}\n{}",
                        text.display(),
                        file.display(),
                        first_difference(&expected, &got)
                    );
                }
                Err(e) => {
                    let _ = writeln!(failures, "{}: {e}", file.display());
                }
            }
        }
        // A snapshot whose text is gone would hide nothing but mislead a reviewer.
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if !expected_files.contains(&path) {
                if update {
                    fs::remove_file(&path).unwrap();
                } else {
                    let _ = writeln!(failures, "{}: no such text any more", path.display());
                }
            }
        }
    }
    assert!(checked >= 39, "only {checked} texts found");
    assert!(
        failures.is_empty(),
        "{failures}\nIf the change is intended, refresh with \
         GOVKG_UPDATE_SNAPSHOTS=1 cargo test -p govkg-core --test snapshots and review the diff."
    );
}
