//! The inputs that once took time or memory growing faster than their size (issue 13), at a few
//! megabytes each: `govkg extract` ends normally and says something sensible about each. No
//! timing is asserted here (`govkg-bench --pathological` measures it); a regression to quadratic
//! time shows as a test that does not finish. Also: the per-file size limit and time budget
//! leave out one file with a one-line error while the others are built.

mod common;

use common::*;
use govkg_synth::pathological::{Pathology, PARAGRAPH};

/// Two to five megabytes: far above any real report, small enough for a test.
const BYTES: usize = 3_000_000;

fn extract_file(path: &std::path::Path) -> serde_json::Value {
    let out = ok(govkg().args(["extract", "--file-timeout", "0"]).arg(path));
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_pathological_input_gives_a_sane_extraction() {
    let dir = tempfile::tempdir().unwrap();
    for kind in Pathology::ALL {
        let text = kind.generate(BYTES);
        let path = dir.path().join(kind.file_name());
        std::fs::write(&path, &text).unwrap();
        let x = extract_file(&path);
        let agencies = names(&x, "agencies", "canonical");
        // The bundled reports' bodies in the text without punctuation, else the generator's.
        let body = match kind {
            Pathology::NoPunctuation => "天津市东丽区人民政府政务服务办公室",
            _ => "天津市东丽区司法局",
        };
        assert!(
            agencies.contains(&body.to_string()),
            "{kind:?}: {agencies:?}"
        );
        match kind {
            Pathology::NoPunctuation => {
                // One clause of megabytes: the evidence stays a window around the mention.
                for r in x["implements"].as_array().unwrap() {
                    let evidence = r["evidence"].as_str().unwrap();
                    // 600 bytes either side of the mention (segment::MAX_CLAUSE_REACH).
                    assert!(evidence.len() <= 1_400, "{kind:?}: {}", evidence.len());
                }
            }
            Pathology::ManyNamesClause => {
                let implements = x["implements"].as_array().unwrap();
                assert!(implements
                    .iter()
                    .any(|r| r["agency"] == "中华人民共和国国务院"));
                assert!(implements.len() < 100, "{kind:?}: {}", implements.len());
            }
            Pathology::ManyQuotations => {
                let initiatives = x["initiatives"].as_array().unwrap();
                assert!(initiatives.len() > 1_000, "{kind:?}: {}", initiatives.len());
            }
            Pathology::NestedMarkdown => assert_eq!(x["format"], "markdown"),
            _ => {
                // HTML: the paragraph inside the nesting is read, and the title above it.
                assert_eq!(x["format"], "html", "{kind:?}");
                assert_eq!(
                    x["title"], "东丽区司法局2024年法治政府建设年度报告",
                    "{kind:?}"
                );
                let initiatives = names(&x, "initiatives", "canonical");
                assert!(
                    initiatives.contains(&"证照分离".to_string()),
                    "{kind:?}: {initiatives:?}"
                );
            }
        }
    }
}

/// A page nested far past the depth limit keeps its text: the paragraph, once, in order.
#[test]
fn deeply_nested_html_keeps_its_paragraph_text() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 20_000;
    let page = format!(
        "<html><body>{}<p>{PARAGRAPH}</p>{}<p>结尾一段。</p></body></html>",
        "<div><span>".repeat(depth),
        "</span></div>".repeat(depth)
    );
    let path = dir.path().join("deep.html");
    std::fs::write(&path, page).unwrap();
    let out = ok(govkg().args(["extract"]).arg(&path));
    let x: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let laws = names(&x, "laws", "canonical");
    assert_eq!(laws, ["中华人民共和国行政许可法"]);
}

#[test]
fn a_file_over_the_size_limit_is_left_out_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(report("000"), dir.path().join("000.txt")).unwrap();
    let big = dir.path().join("big.txt");
    std::fs::write(&big, Pathology::NoPunctuation.generate(1_200_000)).unwrap();
    let out = run(govkg()
        .args(["build", "--memory", "--max-file-size", "1MB"])
        .arg(dir.path()));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let line = err
        .lines()
        .find(|l| l.contains("big.txt"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("over the size limit of 1 MB per file") && line.contains("--max-file-size"),
        "{line}"
    );
    assert!(err.contains("built 1 reports"), "{err}");
    // Raised, it is built.
    let out = run(govkg()
        .args(["build", "--memory", "--max-file-size", "2MB"])
        .arg(dir.path()));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The same refusal on extract.
    let out = run(govkg()
        .args(["extract", "--max-file-size", "1MB"])
        .arg(&big));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("big.txt: 1.2 MB is over the size limit of 1 MB"),
        "{err}"
    );
}

#[test]
fn a_file_over_its_time_budget_is_left_out_and_the_others_built() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(report("000"), dir.path().join("000.txt")).unwrap();
    std::fs::copy(report("002"), dir.path().join("002.txt")).unwrap();
    let slow = dir.path().join("slow.txt");
    std::fs::write(&slow, Pathology::ManyQuotations.generate(20_000_000)).unwrap();
    // A budget no file of megabytes can meet, and that a 15 KB report meets easily.
    let out = run(govkg()
        .args(["build", "--memory", "--file-timeout", "0.2"])
        .arg(dir.path()));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let failures: Vec<&str> = err.lines().filter(|l| l.starts_with("govkg: ")).collect();
    assert_eq!(failures.len(), 1, "{err}");
    assert!(
        failures[0].contains("slow.txt: took longer than the budget of 0.2 s per file")
            && failures[0].contains("--file-timeout"),
        "{err}"
    );
    assert!(err.contains("built 2 reports"), "{err}");
}
