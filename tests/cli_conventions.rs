//! Command-line conventions, run on the real binary and the bundled reports: `stats`,
//! `extract --text`, shell completions and the manual page, `query --list`, warnings for
//! ambiguous names, one row per body in `agency-profile`, graph answers and JSON lines.

mod common;

use common::*;
use govkg_core::kinds::{EntityKind, RelationKind};
use std::collections::BTreeMap;

const PREFIXES: &str = "PREFIX gk: <https://w3id.org/govkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
";

/// The one number a counting query answers on the bundled store.
fn sparql_count(query: &str) -> u64 {
    let out = ok(govkg()
        .args(["query", "-f", "csv", "--store"])
        .arg(bundled_store())
        .arg("--sparql")
        .arg(format!("{PREFIXES}{query}")));
    let cell = out
        .lines()
        .nth(1)
        .unwrap_or_else(|| panic!("no count in {out}"));
    cell.trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {out}"))
}

/// The figures of `govkg build`'s summary line ("… 36 agencies, …, 129 implements, …"), by name.
fn build_summary() -> BTreeMap<String, u64> {
    let out = run(govkg().args(["build", "--memory"]).arg(reports()));
    assert!(out.status.success(), "{}", stderr(&out));
    let line = stderr(&out);
    let counts = line
        .split_once(": ")
        .and_then(|(_, rest)| rest.split_once(';'))
        .map(|(counts, _)| counts.to_string())
        .unwrap_or_else(|| panic!("no summary in {line}"));
    counts
        .split(", ")
        .map(|c| {
            let (n, name) = c.split_once(' ').unwrap();
            (name.to_string(), n.parse().unwrap())
        })
        .collect()
}

#[test]
fn stats_counts_what_a_reader_can_check() {
    let out = ok(govkg()
        .args(["stats", "--json", "--store"])
        .arg(bundled_store()));
    let stats: serde_json::Value = serde_json::from_str(&out).expect("stats --json is JSON");
    // data/reports holds five files: 000 (东丽 office, 2025), 001 (东丽, 2024), 002 (市政务服务办,
    // 2023), 003 (东疆, 2025), 004 (静海, 2024).
    assert_eq!(stats["reports"], 5, "{out}");
    assert_eq!(stats["years"]["first"], 2023);
    assert_eq!(stats["years"]["last"], 2025);
    let per_year: BTreeMap<i64, u64> = stats["years"]["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| (y["year"].as_i64().unwrap(), y["reports"].as_u64().unwrap()))
        .collect();
    assert_eq!(per_year, BTreeMap::from([(2023, 1), (2024, 2), (2025, 2)]));
    let places: BTreeMap<&str, u64> = stats["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["place"].as_str().unwrap(), p["reports"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        places.get("天津市东丽区"),
        Some(&2),
        "000 and 001: {places:?}"
    );
    let placed: u64 = places.values().sum();
    assert_eq!(placed + stats["reports_without_place"].as_u64().unwrap(), 5);
    assert!(stats["store_bytes"].as_u64().unwrap() > 0);

    // Every kind of the registry, counted as a SPARQL query counts it and as the build did.
    let summary = build_summary();
    for (i, kind) in EntityKind::ALL.iter().enumerate() {
        let info = kind.info();
        let row = &stats["entities"][i];
        assert_eq!(row["kind"], info.id.as_str());
        let typed = sparql_count(&format!(
            "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a gk:{} }}",
            info.class
        ));
        assert_eq!(row["entities"], typed, "{}", info.id);
        let built = summary[&info.field.replace('_', " ")];
        assert_eq!(row["named_in_reports"], built, "{}: {summary:?}", info.id);
    }
    for (i, kind) in RelationKind::ALL.iter().enumerate() {
        let row = &stats["relations"][i];
        assert_eq!(row["kind"], kind.id());
        assert_eq!(row["pairs"], summary[kind.id()], "{}", kind.id());
        let assertions = sparql_count(&format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?r {{ ?st a gk:Assertion ; rdf:predicate gk:{} }} }}",
            kind.id()
        ));
        assert_eq!(row["assertions"], assertions, "{}", kind.id());
    }

    let text = ok(govkg().args(["stats", "--store"]).arg(bundled_store()));
    assert!(text.contains("reports  5\n"), "{text}");
    assert!(text.contains("years    2023–2025\n"), "{text}");
    for kind in EntityKind::ALL {
        assert!(text.contains(&kind.info().id), "{text}");
    }
    assert!(
        text.contains("天津市东丽区") && text.contains(" on disk)"),
        "{text}"
    );
}

#[test]
fn stats_of_a_missing_store_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(govkg()
        .args(["stats", "--store"])
        .arg(dir.path().join("none")));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

/// Every span of an extraction, sliced by characters from `text`, is its mention (or evidence).
fn assert_spans_index(text: &str, x: &serde_json::Value) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let slice = |span: &serde_json::Value| -> String {
        let (s, e) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        chars[s..e].iter().collect()
    };
    let mut checked = 0;
    for kind in EntityKind::ALL {
        let field = &kind.info().field;
        for entity in x[field.as_str()].as_array().unwrap() {
            for span in entity["spans"].as_array().unwrap() {
                assert_eq!(slice(span), span["text"].as_str().unwrap(), "{field}");
                checked += 1;
            }
        }
    }
    for kind in RelationKind::ALL {
        for relation in x[kind.id()].as_array().unwrap() {
            if !relation["span"].is_null() {
                assert_eq!(
                    slice(&relation["span"]),
                    relation["evidence"].as_str().unwrap()
                );
                checked += 1;
            }
        }
    }
    checked
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn extract_text_is_what_the_spans_count_in() {
    let dir = tempfile::tempdir().unwrap();
    // Report 000 as a web page: markup, entities and a navigation bar around its lines, so the
    // offsets into the file and into the text differ.
    let original = std::fs::read_to_string(report("000")).unwrap();
    let mut page = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>报告</title></head><body>\n<div class=\"nav\"><a href=\"/\">首页</a> <a href=\"/zwgk/\">政务公开</a></div>\n<div id=\"zoom\">\n",
    );
    for line in original.lines() {
        page.push_str(&format!("<p>{}</p>\n", html_escape(line)));
    }
    page.push_str("</div></body></html>\n");
    let html = dir.path().join("000_page.html");
    std::fs::write(&html, page.as_bytes()).unwrap();
    // And the repository's GBK-encoded page with its site furniture.
    let gbk = repo().join("crates/read/tests/fixtures/report_gbk.html");
    for (path, at_least) in [(html, 50), (gbk, 2)] {
        let x = extract(&path);
        assert_eq!(x["format"], "html", "{}", path.display());
        let text = ok(govkg().args(["extract", "--text"]).arg(&path));
        let raw = std::fs::read(&path).unwrap();
        assert_ne!(
            text.as_bytes(),
            &raw[..],
            "the text is decoded, not the file"
        );
        let checked = assert_spans_index(&text, &x);
        assert!(
            checked >= at_least,
            "{}: only {checked} spans",
            path.display()
        );
    }
    // A plain UTF-8 text is printed as it is.
    let text = ok(govkg().args(["extract", "--text"]).arg(report("000")));
    assert_eq!(text, original);
    let out = run(govkg().args(["extract", "--text"]).arg(reports()));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("folder"), "{}", stderr(&out));
}

/// The subcommands `govkg --help` lists.
fn subcommands() -> Vec<String> {
    let help = ok(govkg().arg("--help"));
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    for expected in ["build", "query", "stats", "completions", "man"] {
        assert!(commands.iter().any(|c| c == expected), "{commands:?}");
    }
    commands
}

#[test]
fn completions_know_every_subcommand() {
    let commands = subcommands();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = ok(govkg().args(["completions", shell]));
        for command in &commands {
            assert!(script.contains(command.as_str()), "{shell}: no {command}");
        }
    }
    // Bash completes a prefix to the subcommand, and a --format to its values.
    let script = ok(govkg().args(["completions", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("govkg.bash");
    std::fs::write(&file, script).unwrap();
    let complete = |words: &str, cword: usize| -> String {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; _govkg govkg \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[@]}}\"",
                file.display()
            ))
            .output()
            .expect("bash runs");
        stdout(&out)
    };
    assert_eq!(complete("govkg st", 1).trim(), "stats");
    assert!(complete("govkg query -f ''", 3).contains("jsonl"));
}

#[test]
fn the_manual_page_documents_every_subcommand() {
    let commands = subcommands();
    let page = ok(govkg().arg("man"));
    assert!(page.contains(".TH govkg 1"), "{page}");
    for command in &commands {
        assert!(page.contains(command.as_str()), "man page: no {command}");
    }
    let dir = tempfile::tempdir().unwrap();
    ok(govkg().args(["man", "--dir"]).arg(dir.path()));
    for command in &commands {
        let sub = std::fs::read_to_string(dir.path().join(format!("govkg-{command}.1")))
            .unwrap_or_else(|e| panic!("govkg-{command}.1: {e}"));
        assert!(sub.contains(".SH SYNOPSIS"), "{command}");
    }
    let query = std::fs::read_to_string(dir.path().join("govkg-query.1")).unwrap();
    assert!(
        query.contains("jsonl") && query.contains("\\-\\-param"),
        "{query}"
    );
}

#[test]
fn query_list_gives_purpose_and_parameters_whose_examples_run() {
    let list = ok(govkg().args(["query", "--list"]));
    let mut examples = Vec::new();
    let mut current = String::new();
    for line in list.lines() {
        if !line.starts_with(' ') {
            let (name, summary) = line.split_once(' ').unwrap();
            assert!(!summary.trim().is_empty(), "{line}");
            current = name.to_string();
        } else {
            let param = line.trim().strip_prefix("--param ").expect(line);
            let (name, about) = param.split_once("=…").unwrap();
            assert!(!about.trim().is_empty(), "{line}");
            // Each parameter's description ends with an example: run it.
            let example = about.split("e.g. --param ").nth(1).expect(line);
            let example = example.split(" (").next().unwrap().trim_matches('\'');
            assert!(example.starts_with(&format!("{name}=")), "{line}");
            examples.push((current.clone(), example.to_string()));
        }
    }
    let names: Vec<&str> = examples.iter().map(|(q, _)| q.as_str()).collect();
    for q in [
        "implementers",
        "laws-cited",
        "initiative-adoption",
        "agency-profile",
        "entity-profile",
    ] {
        assert!(names.contains(&q), "{q} lists no parameter:\n{list}");
    }
    assert!(list.contains("agencies "), "{list}");
    for (query, param) in examples {
        let out = ok(govkg()
            .args(["query", &query, "-f", "tsv", "--param", &param, "--store"])
            .arg(bundled_store()));
        assert!(out.lines().count() >= 2, "{query} --param {param}: no rows");
    }
}

#[test]
fn an_ambiguous_name_is_answered_with_a_warning_naming_the_bodies() {
    // First: 区政务服务办 really is a name of two bodies in data/reports (000 and 004 call
    // their own office so).
    let bodies = sparql_count(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a gk:Agency ; skos:altLabel \"区政务服务办\"@zh }",
    );
    assert_eq!(bodies, 2);
    let query = |param: &str| {
        run(govkg()
            .args([
                "query",
                "agency-profile",
                "-f",
                "tsv",
                "--param",
                param,
                "--store",
            ])
            .arg(bundled_store()))
    };
    let out = query("agencyName=区政务服务办");
    assert!(out.status.success());
    let answer = stdout(&out);
    let dongli = "天津市东丽区人民政府政务服务办公室";
    let jinghai = "天津市静海区人民政府政务服务办公室";
    assert!(
        answer.contains(dongli) && answer.contains(jinghai),
        "still answered"
    );
    let warning = stderr(&out);
    assert_eq!(warning.lines().count(), 1, "{warning}");
    assert!(warning.starts_with("govkg: warning: agencyName=区政务服务办 names 2 entities: "));
    assert!(
        warning.contains(dongli) && warning.contains(jinghai),
        "{warning}"
    );
    // The way out it offers works: the IRI picks one body, without a warning.
    let by_iri = warning
        .split("--param '")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap_or_else(|| panic!("no IRI to pass in {warning}"));
    let out = query(by_iri);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let rows: Vec<String> = stdout(&out).lines().skip(1).map(str::to_string).collect();
    assert!(!rows.is_empty());
    let picked = if by_iri.contains(dongli) {
        dongli
    } else {
        jinghai
    };
    assert!(rows.iter().all(|r| r.contains(picked)), "{rows:?}");
    // A full name is not ambiguous.
    let out = query(&format!("agencyName={dongli}"));
    assert!(
        out.status.success() && stderr(&out).is_empty(),
        "{}",
        stderr(&out)
    );
}

#[test]
fn agency_profile_gives_one_row_per_statement_not_per_name() {
    let out = ok(govkg()
        .args(["query", "agency-profile", "-f", "tsv", "--store"])
        .arg(bundled_store()));
    let header = out.lines().next().unwrap();
    assert!(!header.contains("agencyName"), "{header}");
    let rows: Vec<&str> = out.lines().skip(1).collect();
    // One row per statement an agency makes (each with its evidence), whatever its names.
    let statements = sparql_count(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?st WHERE { GRAPH ?r { ?st a gk:Assertion ; rdf:subject ?a } ?a a gk:Agency } }",
    );
    assert_eq!(rows.len() as u64, statements, "{out}");
    let columns: Vec<&str> = header.split('\t').collect();
    let relation = columns.iter().position(|c| *c == "?relation").unwrap();
    for kind in RelationKind::ALL {
        let listed = rows
            .iter()
            .filter(|r| r.split('\t').nth(relation) == Some(&format!("\"{}\"", kind.id())))
            .count() as u64;
        let asserted = sparql_count(&format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?r {{ ?st a gk:Assertion ; rdf:predicate gk:{} }} }}",
            kind.id()
        ));
        assert_eq!(listed, asserted, "{}", kind.id());
    }
}

#[test]
fn construct_and_describe_answer_rdf() {
    let store = bundled_store();
    let turtle = ok(govkg()
        .args(["query", "--store"])
        .arg(store)
        .arg("--sparql")
        .arg(format!(
            "{PREFIXES}CONSTRUCT {{ ?a gk:implements ?i }} WHERE {{ ?a gk:implements ?i }}"
        )));
    let triples = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(turtle.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("Turtle by default, and it parses");
    let pairs = sparql_count(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?i WHERE { ?a gk:implements ?i } }",
    );
    assert_eq!(triples.len() as u64, pairs);
    let nt = ok(govkg()
        .args(["query", "-f", "ntriples", "--store"])
        .arg(store)
        .arg("--sparql")
        .arg("DESCRIBE <https://w3id.org/govkg/id/law/中华人民共和国宪法>"));
    assert!(
        nt.lines()
            .any(|l| l.contains("#prefLabel> \"中华人民共和国宪法\"@zh .")),
        "{nt}"
    );
    let wrong = |format: &str, sparql: &str| {
        let out = run(govkg()
            .args(["query", "-f", format, "--sparql", sparql, "--store"])
            .arg(store));
        assert_eq!(out.status.code(), Some(2), "{format}: {sparql}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        err
    };
    let err = wrong("turtle", "SELECT * WHERE { ?s ?p ?o } LIMIT 1");
    assert!(err.contains("table") && err.contains("jsonl"), "{err}");
    let err = wrong("csv", "CONSTRUCT WHERE { ?s ?p ?o }");
    assert!(err.contains("graph") && err.contains("turtle"), "{err}");
}

#[test]
fn json_lines_give_one_flat_object_per_row() {
    let store = bundled_store();
    let tsv = ok(govkg()
        .args(["query", "implementers", "-f", "tsv", "--store"])
        .arg(store));
    let variables: Vec<String> = tsv
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .map(|v| v.trim_start_matches('?').to_string())
        .collect();
    let jsonl = ok(govkg()
        .args(["query", "implementers", "-f", "jsonl", "--store"])
        .arg(store));
    let rows: Vec<(&str, serde_json::Map<String, serde_json::Value>)> = jsonl
        .lines()
        .map(|l| {
            (
                l,
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")),
            )
        })
        .collect();
    assert_eq!(rows.len(), tsv.lines().count() - 1);
    let (line, row) = rows
        .iter()
        .find(|(_, r)| {
            r["initiative"] == "高效办成一件事"
                && r["agency"] == "天津市东丽区人民政府政务服务办公室"
        })
        .expect("the row of test implementers_lists_the_dongli_office…");
    // Every variable, in the query's order.
    let positions: Vec<usize> = variables
        .iter()
        .map(|v| {
            line.find(&format!("\"{v}\":"))
                .unwrap_or_else(|| panic!("no {v}: {line}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{line}");
    assert_eq!(row.len(), variables.len());
    assert_eq!(row["reports"], "1");
    assert_eq!(row["firstYear"], "2025");
    // An unbound variable is left out of its row.
    let sparql = "SELECT ?r ?missing WHERE { ?r a <https://w3id.org/govkg/ontology#Report> OPTIONAL { ?r <http://example.org/none> ?missing } }";
    let out = ok(govkg()
        .args(["query", "-f", "jsonl", "--sparql", sparql, "--store"])
        .arg(store));
    assert_eq!(out.lines().count(), 5);
    for line in out.lines() {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(line).unwrap();
        assert_eq!(object.keys().collect::<Vec<_>>(), ["r"], "{line}");
    }
    // pandas reads it, where pandas is installed.
    let has_pandas = std::process::Command::new("python3")
        .args(["-c", "import pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    if has_pandas {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("implementers.jsonl");
        std::fs::write(&path, &jsonl).unwrap();
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg("import sys, pandas; f = pandas.read_json(sys.argv[1], lines=True); print(len(f), list(f.columns))")
            .arg(&path)
            .output()
            .unwrap();
        let printed = stdout(&out);
        assert!(
            printed.starts_with(&format!("{} ", rows.len())),
            "{printed}{}",
            stderr(&out)
        );
    }
}

#[test]
fn eval_into_a_closed_pipe_ends_quietly() {
    // `govkg eval … | head -1`: the reader goes away after one line.
    let mut child = govkg()
        .args(["eval", "--verbose", "--gold"])
        .arg(repo().join("tests/gold/ext"))
        .arg(repo().join("tests/corpus/ext"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?} {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
