//! The accuracy bar on the answer keys we have (tests/gold, copied from the shared folder): fails when extraction drops
//! below entity F1 0.95, implements 0.90, cites 0.90, or any matched law's title is not exact.

mod common;

use common::*;

#[test]
fn extraction_meets_the_bar_on_the_answer_keys() {
    let gold = repo().join("tests/gold");
    assert!(
        gold.is_dir(),
        "answer keys not found at {} (copied into the repository: tests/corpus/README.md)",
        gold.display()
    );
    let out = ok(govkg()
        .args(["eval", "--json", "--gold"])
        .arg(&gold)
        .arg(reports()));
    let scores: serde_json::Value =
        serde_json::from_str(out.trim()).expect("eval --json prints JSON");
    assert!(scores["reports"].as_u64().unwrap() >= 2, "{scores}");
    let f1 = |category: &str| scores["totals"][category]["f1"].as_f64().unwrap();
    let table = ok(govkg()
        .args(["eval", "--verbose", "--gold"])
        .arg(&gold)
        .arg(reports()));
    assert!(
        f1("entities") >= 0.95,
        "entity F1 {:.3} < 0.95\n{table}",
        f1("entities")
    );
    assert!(
        f1("implements") >= 0.90,
        "implements F1 {:.3} < 0.90\n{table}",
        f1("implements")
    );
    assert!(
        f1("cites") >= 0.90,
        "cites F1 {:.3} < 0.90\n{table}",
        f1("cites")
    );
    let exact = scores["exact_law_titles"].as_array().unwrap();
    assert_eq!(
        exact[0], exact[1],
        "canonical law titles not all exact\n{table}"
    );
    assert!(exact[1].as_u64().unwrap() > 0);
}

#[test]
fn eval_prints_precision_recall_and_f1_per_category() {
    let gold = repo().join("tests/gold");
    let out = ok(govkg()
        .args(["eval", "--gold"])
        .arg(&gold)
        .arg(report("000")));
    for category in [
        "agencies",
        "laws",
        "policy_documents",
        "initiatives",
        "implements",
        "cites",
        "canonical law titles",
    ] {
        assert!(out.contains(category), "{category} missing:\n{out}");
    }
    assert!(out.contains("precision") && out.contains("recall") && out.contains("f1"));
}

/// Keys kept in the same folder as their reports are not read as reports themselves: the folder
/// holds one report and its key, and the eval scores one report.
#[test]
fn keys_beside_their_reports_are_not_scored_as_reports() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(report("000"), dir.path().join("000.txt")).unwrap();
    let key = repo().join("tests/gold").join(format!(
        "{}.json",
        report("000").file_stem().unwrap().to_string_lossy()
    ));
    std::fs::copy(&key, dir.path().join("000.json")).unwrap();
    let out = ok(govkg()
        .args(["eval", "--json", "--gold"])
        .arg(dir.path())
        .arg(dir.path()));
    let scores: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON");
    assert_eq!(scores["reports"].as_u64(), Some(1), "{scores}");
}
