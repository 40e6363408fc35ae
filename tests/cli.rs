//! End-to-end tests of the command line on the bundled reports: facts a reader can check in
//! the text, the exports, and how bad input is handled.

mod common;

use common::*;
use std::collections::BTreeSet;

#[test]
fn implementers_lists_the_dongli_office_and_the_one_thing_reform() {
    // 000: "持续做好“高效办成一件事”" in the report of 天津市东丽区人民政府政务服务办公室.
    let out = ok(govkg()
        .args(["query", "implementers", "-f", "tsv", "--store"])
        .arg(bundled_store()));
    let row = out.lines().find(|l| {
        l.starts_with("\"高效办成一件事\"@zh\t\"天津市东丽区人民政府政务服务办公室\"@zh\t")
    });
    let row = row.unwrap_or_else(|| panic!("no such row in\n{out}"));
    // initiative, agency, reports, first year, last year: only report 000 (2025) says so.
    let cells: Vec<&str> = row.split('\t').collect();
    assert_eq!(cells[2], "1", "{row}");
    assert!(
        cells[3].contains("2025") && cells[4].contains("2025"),
        "{row}"
    );
}

#[test]
fn constitution_is_cited_under_its_full_title_in_002() {
    // 002: "增强领导干部维护宪法、遵守宪法意识".
    let out = ok(govkg()
        .args(["query", "laws-cited", "-f", "csv", "--store"])
        .arg(bundled_store()));
    assert!(
        out.lines()
            .any(|l| l
                .starts_with("中华人民共和国宪法,law,天津市人民政府政务服务办公室,1,2023,2023,")),
        "{out}"
    );
}

#[test]
fn relative_names_resolve_with_the_report_jurisdiction() {
    let x = extract(&report("000"));
    assert_eq!(x["author"], "天津市东丽区人民政府政务服务办公室");
    assert_eq!(x["jurisdiction"], "天津市东丽区");
    assert_eq!(x["year"], 2025);
    let agencies = names(&x, "agencies", "canonical");
    assert!(
        agencies.contains(&"天津市东丽区人民政府".to_string()),
        "区政府 → {agencies:?}"
    );
    assert!(
        agencies.contains(&"中共天津市委员会".to_string()),
        "市委 → {agencies:?}"
    );
    // 我办 is the author.
    let author = x["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["canonical"] == "天津市东丽区人民政府政务服务办公室")
        .unwrap();
    assert!(author["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == "我办"));
}

#[test]
fn spans_are_character_offsets_into_the_text() {
    let path = report("000");
    let text: Vec<char> = std::fs::read_to_string(&path).unwrap().chars().collect();
    let x = extract(&path);
    for field in [
        "agencies",
        "laws",
        "initiatives",
        "policy_documents",
        "places",
    ] {
        for entity in x[field].as_array().unwrap() {
            for span in entity["spans"].as_array().unwrap() {
                let (s, e) = (
                    span["start"].as_u64().unwrap() as usize,
                    span["end"].as_u64().unwrap() as usize,
                );
                let slice: String = text[s..e].iter().collect();
                assert_eq!(
                    slice,
                    span["text"].as_str().unwrap(),
                    "{field} span {s}..{e}"
                );
            }
        }
    }
    for relation in x["implements"].as_array().unwrap() {
        let span = &relation["span"];
        let (s, e) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        let slice: String = text[s..e].iter().collect();
        assert_eq!(slice, relation["evidence"].as_str().unwrap());
    }
}

/// A report reposted in traditional characters (a portal's big5 mirror) is read in simplified
/// ones: its bodies and laws are found, and its spans still point at its own characters.
#[test]
fn a_report_in_traditional_characters_is_read_in_simplified_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xiangtan.txt");
    let text = "湘潭縣數據局關於2025年度法治政府建設工作情況的報告\n\
                2025年，我局嚴格執行《中華人民共和國政府信息公開條例》，推行「一窗受理」。\n";
    std::fs::write(&path, text).unwrap();
    let x = extract(&path);
    assert_eq!(x["author"], "湘潭县数据局");
    assert!(x["encoding"].as_str().unwrap().contains("traditional"));
    assert!(names(&x, "laws", "canonical").contains(&"中华人民共和国政府信息公开条例".to_string()));
    let original: Vec<char> = text.chars().collect();
    for law in x["laws"].as_array().unwrap() {
        for span in law["spans"].as_array().unwrap() {
            let (s, e) = (
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize,
            );
            let written: String = original[s..e].iter().collect();
            assert_eq!(written, "中華人民共和國政府信息公開條例");
        }
    }
}

#[test]
fn turtle_export_parses_back_to_the_same_number_of_triples() {
    let store = bundled_store();
    let turtle = ok(govkg()
        .args(["export", "-f", "turtle", "--store"])
        .arg(store));
    let parsed = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(turtle.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("Turtle parses");
    let count = ok(govkg()
        .args(["query", "-f", "csv", "--store"])
        .arg(store)
        .args(["--sparql", "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"]));
    let expected: usize = count.lines().nth(1).unwrap().trim().parse().unwrap();
    assert!(expected > 1000, "store too small: {expected}");
    assert_eq!(parsed.len(), expected);
    assert!(turtle.contains("@prefix gk: <https://w3id.org/govkg/ontology#>"));
}

#[test]
fn trig_and_nquads_keep_one_graph_per_report() {
    let store = bundled_store();
    for format in ["trig", "nquads"] {
        let out = ok(govkg().args(["export", "-f", format, "--store"]).arg(store));
        let rdf_format = if format == "trig" {
            oxigraph::io::RdfFormat::TriG
        } else {
            oxigraph::io::RdfFormat::NQuads
        };
        let quads = oxigraph::io::RdfParser::from_format(rdf_format)
            .for_slice(out.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let graphs: BTreeSet<String> = quads.iter().map(|q| q.graph_name.to_string()).collect();
        // Five reports, and the entities graph that describes what they name.
        assert_eq!(graphs.len(), 6, "{format}: {graphs:?}");
        assert!(
            graphs.contains("<https://w3id.org/govkg/graph/entities>"),
            "{graphs:?}"
        );
    }
}

/// Every RDF format Oxigraph writes parses back to the store's triples (formats without named
/// graphs) or quads (with them); the format is also told by `-o`'s extension.
#[test]
fn every_rdf_format_parses_back_with_the_stores_counts() {
    use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfParser};
    let store = bundled_store();
    let count = |sparql: &str| -> usize {
        let out = ok(govkg()
            .args(["query", "-f", "csv", "--store"])
            .arg(store)
            .args(["--sparql", sparql]));
        out.lines().nth(1).unwrap().trim().parse().unwrap()
    };
    let triples = count(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }",
    );
    let quads = count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }");
    let json_ld = RdfFormat::JsonLd {
        profile: JsonLdProfileSet::empty(),
    };
    let tmp = tempfile::tempdir().unwrap();
    for (extension, format, expected) in [
        ("ttl", RdfFormat::Turtle, triples),
        ("nt", RdfFormat::NTriples, triples),
        ("rdf", RdfFormat::RdfXml, triples),
        ("trig", RdfFormat::TriG, quads),
        ("nq", RdfFormat::NQuads, quads),
        ("jsonld", json_ld, quads),
    ] {
        let file = tmp.path().join(format!("graph.{extension}"));
        ok(govkg()
            .args(["export", "--store"])
            .arg(store)
            .arg("-o")
            .arg(&file));
        let bytes = std::fs::read(&file).unwrap();
        let parsed = RdfParser::from_format(format)
            .for_slice(&bytes)
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("{extension}: {e}"));
        assert_eq!(parsed.len(), expected, "{extension}");
    }
    let unknown = run(govkg()
        .args(["export", "--store"])
        .arg(store)
        .args(["-o", "graph.xyz"]));
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("cannot tell the format"));
}

#[test]
fn export_is_byte_identical_across_runs() {
    let store = bundled_store();
    let a = ok(govkg()
        .args(["export", "-f", "turtle", "--store"])
        .arg(store));
    let b = ok(govkg()
        .args(["export", "-f", "turtle", "--store"])
        .arg(store));
    assert_eq!(a, b);
}

#[test]
fn dot_export_is_well_formed_and_renders() {
    let store = bundled_store();
    let dot = ok(govkg()
        .args([
            "export",
            "-f",
            "dot",
            "--initiative",
            "高效办成一件事",
            "--store",
        ])
        .arg(store));
    assert!(dot.starts_with("digraph govkg {"));
    assert!(dot.trim_end().ends_with('}'));
    assert!(dot.contains("高效办成一件事"));
    assert!(dot.contains("天津市东丽区人民政府政务服务办公室"));
    assert!(dot.contains("实施"));
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("Graphviz `dot` is installed (.ci/run installs it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "dot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
}

#[test]
fn malformed_sparql_gives_a_one_line_error() {
    let out = run(govkg()
        .args(["query", "--sparql", "SELECT ?x WHERE { ?x ", "--store"])
        .arg(bundled_store()));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("malformed SPARQL"), "{err}");
}

/// `levels` nested `BIND(CONCAT(?vN, ?vN) AS ?vN+1)` over a stored value: a few bytes of query
/// that would build a value of 2^levels times a stored one.
fn doubling_query(levels: usize) -> String {
    let mut text = format!("SELECT (STRLEN(?v{levels}) AS ?n) WHERE {{ ?s ?p ?v0 ");
    for i in 0..levels {
        text.push_str(&format!("BIND(CONCAT(?v{i}, ?v{i}) AS ?v{}) ", i + 1));
    }
    text.push('}');
    text
}

#[test]
fn a_query_that_would_build_huge_values_is_refused_before_it_runs() {
    let out = run(govkg()
        .args([
            "query",
            "--timeout",
            "0.5",
            "--sparql",
            &doubling_query(24),
            "--store",
        ])
        .arg(bundled_store()));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("query refused: CONCAT could build a value of up to"),
        "{err}"
    );
}

#[test]
fn a_query_past_its_timeout_is_stopped_with_one_line() {
    // Every step of this join goes back to the store, where the cancellation is checked.
    let heavy = "SELECT (COUNT(*) AS ?n) WHERE {
        ?a ?b ?c . ?d ?e ?f . ?g ?h ?i .
        FILTER EXISTS { ?a ?x ?y . ?d ?z ?w . ?g ?u ?v . ?c ?t ?s }
    }";
    let out = run(govkg()
        .args(["query", "--timeout", "0.5", "--sparql", heavy, "--store"])
        .arg(bundled_store()));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(
        err.trim_end(),
        "govkg: query timed out after 0.5 s",
        "{err}"
    );
}

#[test]
fn unknown_named_query_lists_the_names() {
    let out = run(govkg()
        .args(["query", "implementors", "--store"])
        .arg(bundled_store()));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("implementers"));
}

#[test]
fn missing_store_is_a_clear_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("nowhere");
    let out = run(govkg()
        .args(["query", "implementers", "--store"])
        .arg(&store));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1);
    assert!(err.contains("no govkg store"), "{err}");
    assert!(!store.exists());
}

/// A store's full content, to check that a failed command left it as it was.
fn snapshot(store: &std::path::Path) -> String {
    ok(govkg()
        .args(["export", "-f", "nquads", "--store"])
        .arg(store))
}

#[test]
fn bad_input_is_refused_and_leaves_the_store_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    ok(govkg()
        .args(["build", "--quiet", "--store"])
        .arg(&store)
        .arg(report("003")));
    let before = snapshot(&store);

    let binary = dir.path().join("003_85c5a0bdb2ee3462.txt");
    std::fs::write(
        &binary,
        [0x89u8, b'P', b'N', b'G', 0, 0, 0xff, 0xfe, 0, 1, 2, 3],
    )
    .unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let no_reports = dir.path().join("nothing-here");
    std::fs::create_dir(&no_reports).unwrap();
    let invalid = dir.path().join("invalid.txt");
    std::fs::write(
        &invalid,
        [b'a', 0x80u8, 0xff, b' ', 0xc0, 0x80, 0xff].repeat(30),
    )
    .unwrap();

    for (input, expected) in [
        (&binary, "003_85c5a0bdb2ee3462.txt"),
        (&empty, "empty.txt"),
        (&no_reports, "no report files"),
        (&invalid, "invalid.txt"),
    ] {
        let out = run(govkg()
            .args(["build", "--quiet", "--store"])
            .arg(&store)
            .arg(input));
        assert!(!out.status.success(), "{} should fail", input.display());
        let err = stderr(&out);
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "one line for {}: {err}",
            input.display()
        );
        assert!(err.contains(expected), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(
            snapshot(&store),
            before,
            "store changed by {}",
            input.display()
        );
    }
    // Bad input never creates a store either.
    let fresh = dir.path().join("fresh");
    let out = run(govkg()
        .args(["build", "--quiet", "--store"])
        .arg(&fresh)
        .arg(&empty));
    assert!(!out.status.success());
    assert!(!fresh.exists());
}

#[test]
fn a_bad_file_in_a_folder_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::copy(report("002"), input.join("002.txt")).unwrap();
    std::fs::write(input.join("broken.txt"), [0u8, 159, 146, 150, 0, 0]).unwrap();
    let store = dir.path().join("store");
    let out = run(govkg().args(["build", "--store"]).arg(&store).arg(&input));
    assert_eq!(out.status.code(), Some(1), "partial failure exits 1");
    let err = stderr(&out);
    assert!(err.contains("broken.txt"), "{err}");
    assert!(err.contains("built 1 reports"), "{err}");
}

#[test]
fn rebuilding_a_report_replaces_its_graph() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    ok(govkg()
        .args(["build", "--quiet", "--store"])
        .arg(&store)
        .arg(report("001"))
        .arg(report("002")));
    let first = snapshot(&store);
    ok(govkg()
        .args(["build", "--quiet", "--store"])
        .arg(&store)
        .arg(report("002")));
    assert_eq!(snapshot(&store), first, "rebuilding 002 changed the store");
}

#[test]
fn build_output_is_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut exports = Vec::new();
    for threads in ["1", "4"] {
        let store = dir.path().join(format!("store-{threads}"));
        ok(govkg()
            .args(["build", "--quiet", "--threads", threads, "--store"])
            .arg(&store)
            .arg(reports()));
        exports.push(snapshot(&store));
        exports.push(ok(govkg()
            .args(["export", "-f", "dot", "--store"])
            .arg(&store)));
    }
    assert_eq!(
        exports[0], exports[2],
        "N-Quads differ between 1 and 4 threads"
    );
    assert_eq!(
        exports[1], exports[3],
        "DOT differs between 1 and 4 threads"
    );
}

#[test]
fn in_memory_build_answers_a_query() {
    let out = ok(govkg()
        .args(["build", "--memory", "--quiet", "--query", "implementers"])
        .arg(reports()));
    assert!(out.contains("高效办成一件事"));
}

#[test]
fn help_documents_every_command() {
    let out = ok(govkg().arg("--help"));
    for command in ["build", "extract", "query", "export", "eval"] {
        assert!(out.contains(command), "{command} missing from --help");
    }
}

#[test]
fn agency_profile_lists_what_a_body_implements_and_cites() {
    let out = ok(govkg()
        .args([
            "query",
            "agency-profile",
            "-f",
            "tsv",
            "--param",
            "agencyName=天津市东丽区人民政府政务服务办公室",
            "--store",
        ])
        .arg(bundled_store()));
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert!(!rows.is_empty(), "{out}");
    assert!(
        rows.iter()
            .all(|r| r.contains("天津市东丽区人民政府政务服务办公室")),
        "{out}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("implements") && r.contains("证照分离")),
        "{out}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("cites") && r.contains("中华人民共和国行政许可法")),
        "{out}"
    );
    assert!(rows.iter().all(|r| !r.contains("静海")), "{out}");
}

#[test]
fn agency_profile_by_a_short_name_finds_every_body_called_so() {
    // 区政务服务办 is what both the 东丽 (000) and the 静海 (004) offices call themselves.
    let out = ok(govkg()
        .args([
            "query",
            "agency-profile",
            "-f",
            "tsv",
            "--param",
            "agencyName=区政务服务办",
            "--store",
        ])
        .arg(bundled_store()));
    assert!(out.contains("天津市东丽区人民政府政务服务办公室"), "{out}");
    assert!(out.contains("天津市静海区人民政府政务服务办公室"), "{out}");
}

#[test]
fn implementers_of_one_initiative_by_parameter() {
    let out = ok(govkg()
        .args([
            "query",
            "implementers",
            "-f",
            "tsv",
            "--param",
            "initiative=证照分离",
            "--store",
        ])
        .arg(bundled_store()));
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert!(rows.len() >= 2, "{out}");
    assert!(rows.iter().all(|r| r.contains("证照分离")));
    // 000: "落实国务院“证照分离”": the State Council promotes it too.
    assert!(
        rows.iter().any(|r| r.contains("中华人民共和国国务院")),
        "{out}"
    );
}

#[test]
fn one_body_one_iri_across_reports_with_all_its_names() {
    // 000 and 001 are both 东丽 reports: 区委 is the same body in both, listed once.
    let out = ok(govkg()
        .args(["query", "agencies", "-f", "tsv", "--store"])
        .arg(bundled_store()));
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("\"中共天津市东丽区委员会\""))
        .collect();
    assert_eq!(rows.len(), 1, "{out}");
    assert!(rows[0].contains("区委"));
    // 区政务服务办 of 东丽 (000) and of 静海 (004) stay two bodies.
    assert!(
        out.contains("天津市东丽区人民政府政务服务办公室")
            && out.contains("天津市静海区人民政府政务服务办公室")
    );
}

#[test]
fn file_names_that_are_not_utf8_get_distinct_report_ids() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let text = std::fs::read(report("000")).unwrap();
    for name in [&b"report.txt"[..], b"r\xffa.txt", b"r\xfeb.txt"] {
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(name)), &text).unwrap();
    }
    let store = tmp.path().join("store");
    ok(govkg()
        .args(["build", "--quiet", "--store"])
        .arg(&store)
        .arg(&dir));
    let out = ok(govkg()
        .args([
            "query",
            "--sparql",
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?r a <https://w3id.org/govkg/ontology#Report> } }",
            "-f",
            "csv",
            "--store",
        ])
        .arg(&store));
    let graphs: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(graphs.len(), 3, "three reports, three graphs: {out}");
    assert!(out.contains("r%25FFa"), "{out}");
}

#[test]
fn a_named_pipe_in_a_folder_is_skipped_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(report("000"), dir.join("000.txt")).unwrap();
    let fifo = dir.join("pipe.txt");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    let out = run(govkg()
        .args(["build", "--quiet", "--store"])
        .arg(tmp.path().join("store"))
        .arg(&dir));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("pipe.txt: not a regular file"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    use std::io::Read;
    for args in [
        vec!["extract".to_string(), reports().display().to_string()],
        vec![
            "export".to_string(),
            "-f".to_string(),
            "nquads".to_string(),
            "--store".to_string(),
            common::bundled_store().display().to_string(),
        ],
    ] {
        let mut child = govkg()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte, then close our end as `head -c 1` would.
        let mut stdout = child.stdout.take().unwrap();
        let mut byte = [0u8; 1];
        stdout.read_exact(&mut byte).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

/// The `issued` relation reaches the graph with its evidence, and the DOT drawing and the
/// summary show it (000 says 出台《东丽区2024年营商环境白皮书》 of the district's 政务服务办).
#[test]
fn issued_documents_are_in_the_graph_with_evidence_and_in_dot() {
    let store = bundled_store();
    let sparql = r#"PREFIX gk: <https://w3id.org/govkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?agency ?evidence WHERE {
  GRAPH ?r { ?a gk:issued ?d .
    ?st rdf:predicate gk:issued ; rdf:subject ?a ; rdf:object ?d ; gk:evidence ?evidence }
  ?d skos:prefLabel "东丽区2024年营商环境白皮书"@zh .
  ?a skos:prefLabel ?agency .
}"#;
    let out = ok(govkg()
        .args(["query", "-f", "csv", "--sparql", sparql, "--store"])
        .arg(store));
    assert!(
        out.contains("天津市东丽区人民政府政务服务办公室,出台《东丽区2024年营商环境白皮书》"),
        "{out}"
    );
    let dot = ok(govkg()
        .args(["export", "-f", "dot", "--agency", "区政务服务办", "--store"])
        .arg(store));
    assert!(dot.contains("东丽区2024年营商环境白皮书"), "{dot}");
    assert!(dot.contains("label = \"发布"), "{dot}");
    let built = stderr(&run(govkg().args(["build", "--memory"]).arg(report("000"))));
    assert!(built.contains(" issued;"), "{built}");
}

/// `-` is standard input: a report for `extract`, the query text for `query`.
#[test]
fn a_dash_reads_standard_input() {
    use std::io::Write;
    use std::process::Stdio;
    let feed = |args: &[&str], input: &[u8]| -> String {
        let mut child = govkg()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let bytes = std::fs::read(report("000")).unwrap();
    let from_stdin = feed(&["extract", "-"], &bytes);
    let x: serde_json::Value = serde_json::from_str(from_stdin.trim()).unwrap();
    assert_eq!(x["doc"], "stdin");
    let from_file = ok(govkg().arg("extract").arg(report("000")));
    let y: serde_json::Value = serde_json::from_str(from_file.trim()).unwrap();
    assert_eq!(x["implements"], y["implements"]);
    let store = bundled_store().to_str().unwrap().to_string();
    let answer = feed(
        &["query", "-", "-f", "csv", "--store", &store],
        b"SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a ?t } }",
    );
    assert_eq!(answer.lines().next().map(str::trim), Some("n"), "{answer}");
}

#[test]
fn adoption_rolls_up_from_districts_and_counties_to_the_province() {
    // ext/04 (郑州市中原区: 推进“放管服”改革) and ext/05 (浚县, a county of 鹤壁市: 放管服) are both
    // in 河南省; neither report names the province, the place hierarchy does.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let ext = repo().join("tests/corpus/ext");
    ok(govkg()
        .args(["build", "--quiet", "--store"])
        .arg(&store)
        .arg(ext.join("04_zhengzhou_zhongyuan.txt"))
        .arg(ext.join("05_xunxian.txt"))
        .arg(ext.join("01_beijing_chaoyang.txt")));
    let out = ok(govkg()
        .args(["query", "adoption-by-province", "-f", "csv"])
        .args(["--param", "initiative=放管服", "--store"])
        .arg(&store));
    assert!(
        out.lines()
            .any(|l| l.starts_with("放管服,河南省,2,2,2024,2024")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("放管服,北京市,1,1,")),
        "{out}"
    );
    // The chain itself: 浚县 → 鹤壁市 → 河南省 → 中华人民共和国.
    let chain = ok(govkg()
        .args(["query", "-f", "tsv", "--store"])
        .arg(&store)
        .args([
            "--sparql",
            "PREFIX gk: <https://w3id.org/govkg/ontology#> \
             PREFIX skos: <http://www.w3.org/2004/02/skos/core#> \
             SELECT ?up WHERE { ?p skos:prefLabel \"浚县\"@zh ; gk:parentPlace+ ?u . \
             ?u skos:prefLabel ?up }",
        ]));
    for up in ["鹤壁市", "河南省", "中华人民共和国"] {
        assert!(chain.contains(up), "{up} not above 浚县:\n{chain}");
    }
}
