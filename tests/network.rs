//! The network exports (`govkg export -f dot|graphml|gexf|csv|json`) of the bundled reports: every
//! format holds the same nodes and edges (GraphML and GEXF read back with NetworkX), the node
//! limit cuts and says so, and each filter keeps what a reader of the reports can check.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Exports in `format` to a file in `dir`, with extra flags; returns (file, stderr).
fn export(dir: &Path, name: &str, flags: &[&str]) -> (PathBuf, String) {
    let path = dir.join(name);
    let out = run(govkg()
        .arg("export")
        .args(flags)
        .arg("--store")
        .arg(bundled_store())
        .arg("-o")
        .arg(&path));
    assert!(out.status.success(), "export {flags:?}: {}", stderr(&out));
    (path, stderr(&out))
}

/// One CSV row: column name → value.
type Row = std::collections::BTreeMap<String, String>;

/// A CSV file as rows of header → value (none of the bundled labels holds a comma or a quote).
fn csv_rows(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    lines
        .map(|line| {
            assert!(!line.contains('"'), "a quoted field: {line}");
            header
                .iter()
                .map(|h| h.to_string())
                .zip(line.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

/// Nodes and edges of a CSV export `<dir>/<name>.csv`, with flags.
fn csv_export(dir: &Path, name: &str, flags: &[&str]) -> (Vec<Row>, Vec<Row>) {
    let mut all = vec!["-f", "csv"];
    all.extend_from_slice(flags);
    export(dir, &format!("{name}.csv"), &all);
    (
        csv_rows(&dir.join(format!("{name}.nodes.csv"))),
        csv_rows(&dir.join(format!("{name}.edges.csv"))),
    )
}

/// Node and edge statements of a DOT drawing as petgraph writes them.
fn dot_counts(dot: &str) -> (usize, usize) {
    let nodes = dot
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.split_once(" [ label")
                .is_some_and(|(id, _)| id.parse::<usize>().is_ok())
        })
        .count();
    let edges = dot.lines().filter(|l| l.contains(" -> ")).count();
    (nodes, edges)
}

const NETWORKX_COUNTS: &str = r#"
import sys, networkx as nx
g = nx.read_graphml(sys.argv[1])
h = nx.read_gexf(sys.argv[2])
node = sys.argv[3]
print(g.number_of_nodes(), g.number_of_edges(), h.number_of_nodes(), h.number_of_edges())
print(g.nodes[node]["reports"], h.nodes[node]["reports"], g.nodes[node]["kind"], h.nodes[node]["label"])
"#;

#[test]
fn graphml_gexf_csv_and_dot_hold_the_same_network() {
    let dir = tempfile::tempdir().unwrap();
    let all = ["--max-nodes", "0"];
    let (graphml, _) = export(dir.path(), "net.graphml", &all);
    let (gexf, _) = export(dir.path(), "net.gexf", &all);
    let (dot, _) = export(dir.path(), "net.dot", &all);
    let (nodes, edges) = csv_export(dir.path(), "net", &all);
    let one_thing = "https://w3id.org/govkg/id/initiative/高效办成一件事";
    let out = ok(std::process::Command::new(python_with("networkx"))
        .args(["-c", NETWORKX_COUNTS])
        .args([&graphml, &gexf])
        .arg(one_thing));
    let mut lines = out.lines();
    let counts: Vec<usize> = lines
        .next()
        .unwrap()
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(
        counts,
        [nodes.len(), edges.len(), nodes.len(), edges.len()],
        "GraphML, GEXF (NetworkX) vs CSV"
    );
    let dot_text = std::fs::read_to_string(dot).unwrap();
    assert_eq!(
        dot_counts(&dot_text),
        (nodes.len(), edges.len()),
        "DOT vs CSV"
    );
    assert!(
        nodes.len() > 100 && edges.len() > 100,
        "{} {}",
        nodes.len(),
        edges.len()
    );
    // 高效办成一件事 is implemented in three of the reports (000, 001, 004).
    let row = nodes
        .iter()
        .find(|n| n["id"] == one_thing)
        .expect("the node");
    assert_eq!(row["reports"], "3");
    assert_eq!(
        lines.next().unwrap(),
        "3 3 initiative 高效办成一件事",
        "attributes read back by NetworkX"
    );
    // Every edge's ends are nodes of the node file.
    let ids: BTreeSet<&String> = nodes.iter().map(|n| &n["id"]).collect();
    assert!(edges
        .iter()
        .all(|e| ids.contains(&e["source"]) && ids.contains(&e["target"])));
}

#[test]
fn the_node_limit_cuts_and_says_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let (dot, _) = export(dir.path(), "top.dot", &["--max-nodes", "12"]);
    let dot = std::fs::read_to_string(dot).unwrap();
    let (nodes, _) = dot_counts(&dot);
    assert_eq!(nodes, 12, "{dot}");
    let note = dot
        .lines()
        .find(|l| l.contains("graph [label="))
        .unwrap_or_else(|| panic!("no note in\n{dot}"));
    assert!(
        note.contains("more nodes") && note.contains("--max-nodes"),
        "{note}"
    );
    let (_, stderr) = export(dir.path(), "top.graphml", &["--max-nodes", "12"]);
    assert!(
        stderr.contains("left out") && stderr.contains("--max-nodes"),
        "{stderr}"
    );
    let (all, _) = csv_export(dir.path(), "all", &[]);
    let (top, _) = csv_export(dir.path(), "top", &["--max-nodes", "12"]);
    assert_eq!(top.len(), 12);
    assert!(all.len() > 12);
    // DOT's default limit (150): a note exactly when the whole network is larger.
    let (dot, stderr) = export(dir.path(), "default.dot", &[]);
    assert_eq!(stderr.contains("left out"), all.len() > 150, "{stderr}");
    let dot = std::fs::read_to_string(dot).unwrap();
    assert_eq!(dot_counts(&dot).0, all.len().min(150));
}

#[test]
fn year_place_kind_and_report_filters_keep_what_the_reports_say() {
    let dir = tempfile::tempdir().unwrap();
    let (all, all_edges) = csv_export(dir.path(), "all", &[]);
    // Two reports are of 2024 (001 and 004): every node was named in 2024, at most twice.
    let (y, _) = csv_export(dir.path(), "y", &["--year", "2024"]);
    assert!(y.len() < all.len() && !y.is_empty());
    assert!(y
        .iter()
        .all(|n| n["first_year"] == "2024" && n["last_year"] == "2024"));
    assert!(y.iter().all(|n| n["reports"] == "1" || n["reports"] == "2"));
    let (range, _) = csv_export(dir.path(), "r", &["--year", "2023-2024"]);
    assert!(range.len() > y.len() && range.len() < all.len());
    // Reports of 东丽区 (000, 001): its office is there, no body of 静海区 is.
    let (p, _) = csv_export(dir.path(), "p", &["--place", "东丽区"]);
    assert!(p
        .iter()
        .any(|n| n["label"] == "天津市东丽区人民政府政务服务办公室"));
    assert!(!p.iter().any(|n| n["jurisdiction"].contains("静海区")));
    assert!(all.iter().any(|n| n["jurisdiction"].contains("静海区")));
    // Kinds: agencies and initiatives only, so every edge is `implements`.
    let (k, k_edges) = csv_export(dir.path(), "k", &["--kind", "agency,initiative"]);
    assert!(k
        .iter()
        .all(|n| n["kind"] == "agency" || n["kind"] == "initiative"));
    assert!(k_edges.iter().all(|e| e["relation"] == "implements"));
    assert!(k_edges.len() < all_edges.len() && !k_edges.is_empty());
    let linked: BTreeSet<&String> = k_edges
        .iter()
        .flat_map(|e| [&e["source"], &e["target"]])
        .collect();
    assert!(
        k.iter().all(|n| linked.contains(&n["id"])),
        "an agency with no implements edge"
    );
    // No relation links initiatives to each other: they are listed alone.
    let (alone, alone_edges) = csv_export(dir.path(), "a", &["--kind", "initiative"]);
    assert!(alone_edges.is_empty() && !alone.is_empty());
    assert!(alone.iter().all(|n| n["kind"] == "initiative"));
    let (m, _) = csv_export(dir.path(), "m", &["--min-reports", "3"]);
    assert!(m
        .iter()
        .all(|n| n["reports"].parse::<usize>().unwrap() >= 3));
    assert!(m.iter().any(|n| n["label"] == "高效办成一件事"));
    assert!(m.len() < all.len());
    // --initiative works for every network format, not only DOT.
    let (i, i_edges) = csv_export(dir.path(), "i", &["--initiative", "证照分离"]);
    assert!(i_edges.iter().all(|e| e["target"].ends_with("/证照分离")));
    assert!(
        i.len() == i_edges.len() + 1,
        "one initiative and its implementers"
    );
}

#[test]
fn network_flags_are_refused_for_rdf_and_csv_needs_a_file() {
    let out = run(govkg()
        .args(["export", "-f", "turtle", "--year", "2024", "--store"])
        .arg(bundled_store()));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--format dot, graphml"),
        "{}",
        stderr(&out)
    );
    let out = run(govkg()
        .args(["export", "-f", "csv", "--store"])
        .arg(bundled_store()));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("-o NAME.csv"), "{}", stderr(&out));
    let out = run(govkg()
        .args(["export", "-f", "gexf", "--kind", "person", "--store"])
        .arg(bundled_store()));
    assert!(stderr(&out).contains("agency, law"), "{}", stderr(&out));
}
