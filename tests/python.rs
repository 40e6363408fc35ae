//! The README's "Use it from Python" section, run: rdflib on a TriG export, pandas on JSON lines
//! and CSV answers, pyoxigraph on the store itself, each giving the rows `govkg query` gives
//! (tests/python/use_from_python.py).

mod common;

use common::*;

#[test]
fn rdflib_pandas_and_pyoxigraph_read_what_govkg_answers() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundled_store();
    let trig = dir.path().join("graph.trig");
    ok(govkg()
        .args(["export", "--store"])
        .arg(store)
        .arg("-o")
        .arg(&trig));
    let mut answers = Vec::new();
    for format in ["jsonl", "csv"] {
        let out = ok(govkg()
            .args(["query", "implementers", "-f", format, "--store"])
            .arg(store));
        let path = dir.path().join(format!("implementers.{format}"));
        std::fs::write(&path, &out).unwrap();
        answers.push((path, out));
    }
    let rows = answers[0].1.lines().count();
    assert!(rows > 100, "{rows} rows of implementers");
    let out = ok(
        std::process::Command::new(python_with("pandas, pyoxigraph, rdflib"))
            .arg(repo().join("tests/python/use_from_python.py"))
            .arg(store)
            .arg(&trig)
            .arg(&answers[0].0)
            .arg(&answers[1].0)
            .arg(repo().join("queries/implementers.rq"))
            .arg(rows.to_string()),
    );
    assert!(out.contains(&format!("{rows} rows each")), "{out}");
}
