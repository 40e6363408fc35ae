//! `govkg push` against a real SPARQL server (Oxigraph server from PyPI, started by
//! scripts/test-server.sh) and against a scripted fake HTTP server for failure modes.
//!
//! A real server that cannot be installed or started (no network, no root) fails its tests with
//! a one-line reason: a test suite that passes without having run them would say nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use govkg::push::{push, PushError, PushOptions, PushProtocol};
use govkg_graph::query::{named_query, select};
use govkg_graph::store::{GovStore, StoreLocation};
use oxigraph::io::RdfFormat;
use oxigraph::model::Term;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Two report graphs in govkg's shape: statements as blank nodes in one, IRIs in the other, an
/// agency shared by both, literals with quotes, backslashes, newlines and Chinese text.
const FIXTURE: &str = r#"
@prefix gk: <https://w3id.org/govkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix r: <https://w3id.org/govkg/report/> .
@prefix e: <https://w3id.org/govkg/entity/> .

r:000_aaaa {
  r:000_aaaa a gk:Report ; dcterms:source "000.txt" ; gk:year 2025 .
  e:ndrc a gk:Agency ; skos:prefLabel "国家发展改革委"@zh .
  e:mof a gk:Agency ; skos:prefLabel "财政部"@zh .
  e:fangguanfu a gk:Initiative ; skos:prefLabel "放管服改革"@zh .
  e:ndrc gk:implements e:fangguanfu .
  e:mof gk:implements e:fangguanfu .
  [] rdf:subject e:ndrc ; rdf:predicate gk:implements ; rdf:object e:fangguanfu ;
     gk:evidence "国家发展改革委要深入推进\"放管服\"改革。\n（第3段）"@zh .
  [] rdf:subject e:mof ; rdf:predicate gk:implements ; rdf:object e:fangguanfu ;
     gk:evidence "财政部配合推进放管服改革"@zh .
}

r:001_bbbb {
  r:001_bbbb a gk:Report ; dcterms:source "001.txt" ; gk:year 2024 .
  e:ndrc a gk:Agency ; skos:prefLabel "国家发展改革委"@zh .
  e:mee a gk:Agency ; skos:prefLabel "生态环境部"@zh .
  e:carbon a gk:Initiative ; skos:prefLabel "碳达峰行动"@zh .
  e:ndrc gk:implements e:carbon .
  e:mee gk:implements e:carbon .
  <https://w3id.org/govkg/statement/001-1> rdf:subject e:ndrc ; rdf:predicate gk:implements ;
     rdf:object e:carbon ; gk:evidence "发展改革委牵头\\统筹碳达峰行动"@zh .
  <https://w3id.org/govkg/statement/001-2> rdf:subject e:mee ; rdf:predicate gk:implements ;
     rdf:object e:carbon ; gk:evidence "生态环境部负责'碳达峰'\t监测"@zh .
}
"#;

const REPORT_0: &str = "https://w3id.org/govkg/report/000_aaaa";
const REPORT_1: &str = "https://w3id.org/govkg/report/001_bbbb";

// ---------------------------------------------------------------------------------------------
// Real server

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Oxigraph,
    Virtuoso,
}

/// A SPARQL server started by scripts/test-server.sh; stopped on drop.
struct TestServer {
    dir: tempfile::TempDir,
    url: String,
    kind: Kind,
}

impl TestServer {
    /// Starts a fresh server (installed by scripts/test-server.sh if missing). A server that
    /// cannot be installed or started fails the test with a one-line reason: never a silent skip.
    fn start(test: &str, kind: Kind) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = Command::new("bash");
        command.arg(script()).arg("start");
        if kind == Kind::Virtuoso {
            command.arg("--virtuoso");
        }
        let output = command
            .arg(dir.path().join("server"))
            .output()
            .expect("cannot run scripts/test-server.sh");
        if output.status.success() {
            let url = String::from_utf8_lossy(&output.stdout).trim().to_string();
            assert!(
                url.starts_with("http://127.0.0.1:"),
                "unexpected URL {url:?}"
            );
            return Self { dir, url, kind };
        }
        let why = String::from_utf8_lossy(&output.stderr);
        let why = why
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        panic!(
            "{test}: the {kind:?} test server could not be installed or started ({}); \
             `bash scripts/test-server.sh install all` sets it up",
            why.trim()
        );
    }

    /// Graph Store Protocol endpoint.
    fn store_endpoint(&self) -> String {
        match self.kind {
            Kind::Oxigraph => format!("{}/store", self.url),
            Kind::Virtuoso => format!("{}/sparql-graph-crud", self.url),
        }
    }

    fn update_endpoint(&self) -> String {
        match self.kind {
            Kind::Oxigraph => format!("{}/update", self.url),
            Kind::Virtuoso => format!("{}/sparql", self.url),
        }
    }

    fn query_endpoint(&self) -> String {
        match self.kind {
            Kind::Oxigraph => format!("{}/query", self.url),
            Kind::Virtuoso => format!("{}/sparql", self.url),
        }
    }

    /// Runs a SELECT on the server (SPARQL protocol, form-encoded POST) and returns its
    /// solutions as rows of terms.
    fn select(&self, sparql: &str) -> Vec<BTreeMap<String, Term>> {
        let mut response = ureq::post(self.query_endpoint())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/sparql-results+json")
            .send(format!("query={}", form_encode(sparql)))
            .expect("query the test server");
        let body = response
            .body_mut()
            .read_to_vec()
            .expect("read query results");
        let parsed = QueryResultsParser::from_format(QueryResultsFormat::Json)
            .for_reader(body.as_slice())
            .expect("parse query results");
        let ReaderQueryResultsParserOutput::Solutions(solutions) = parsed else {
            panic!("expected solutions");
        };
        solutions
            .map(|s| {
                let s = s.expect("solution");
                s.iter()
                    .map(|(v, t)| (v.as_str().to_string(), t.clone()))
                    .collect()
            })
            .collect()
    }

    /// Triples per report graph on the server (servers may have system graphs of their own).
    fn graph_sizes(&self) -> BTreeMap<String, u64> {
        self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } \
             FILTER(STRSTARTS(STR(?g), \"https://w3id.org/govkg/\")) } GROUP BY ?g",
        )
        .into_iter()
        .map(|row| (iri(&row["g"]), count(&row["n"])))
        .collect()
    }

    /// (agency, initiative, number of reports) of the server's answer to queries/implementers.rq.
    fn implementers(&self) -> BTreeSet<(String, String, String)> {
        self.select(implementers_text())
            .iter()
            .map(implementer_row)
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(self.dir.path().join("server"))
            .output();
    }
}

fn script() -> PathBuf {
    Path::new(ROOT).join("scripts/test-server.sh")
}

/// application/x-www-form-urlencoded value.
fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn implementers_text() -> &'static str {
    named_query("implementers")
        .expect("implementers query")
        .text
}

fn implementer_row(row: &BTreeMap<String, Term>) -> (String, String, String) {
    let cell = |name: &str| row.get(name).map(Term::to_string).unwrap_or_default();
    (cell("agency"), cell("initiative"), cell("reports"))
}

fn iri(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => n.as_str().to_string(),
        other => panic!("expected an IRI, got {other}"),
    }
}

fn count(term: &Term) -> u64 {
    match term {
        Term::Literal(l) => l.value().parse().expect("a count"),
        other => panic!("expected a count, got {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Local store

/// The fixture in a store on disk (the store is closed when this returns).
fn fixture_store(dir: &Path) -> PathBuf {
    let path = dir.join("store");
    let store = GovStore::create(StoreLocation::Disk(path.clone())).expect("create store");
    store
        .oxigraph()
        .load_from_reader(RdfFormat::TriG, FIXTURE.as_bytes())
        .expect("load fixture");
    store.flush().expect("flush");
    path
}

fn local_implementers(store: &GovStore) -> BTreeSet<(String, String, String)> {
    let table = select(store.oxigraph(), implementers_text(), &[], None).expect("local query");
    table
        .rows
        .iter()
        .map(|row| {
            let named: BTreeMap<String, Term> = table
                .variables
                .iter()
                .zip(row)
                .filter_map(|(v, t)| t.clone().map(|t| (v.clone(), t)))
                .collect();
            implementer_row(&named)
        })
        .collect()
}

fn local_graph_sizes(store: &GovStore) -> BTreeMap<String, u64> {
    store
        .report_graphs()
        .expect("graphs")
        .iter()
        .map(|g| {
            let n = store
                .oxigraph()
                .quads_for_pattern(None, None, None, Some(g.as_ref().into()))
                .count() as u64;
            (g.as_str().to_string(), n)
        })
        .collect()
}

/// Push options for fast tests: short timeout, quick to give up.
fn args(endpoint: &str) -> PushOptions {
    let mut args = PushOptions::new(endpoint);
    args.timeout = 10.0;
    args.retries = 1;
    args
}

fn push_error(err: anyhow::Error) -> PushError {
    match err.downcast::<PushError>() {
        Ok(e) => e,
        Err(other) => panic!("expected a PushError, got: {other:#}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Against the real server

#[test]
fn graph_store_push_matches_local_answers_and_replaces_on_repush() {
    let server = TestServer::start(
        "graph_store_push_matches_local_answers_and_replaces_on_repush",
        Kind::Oxigraph,
    );
    let tmp = tempfile::tempdir().unwrap();
    let store = GovStore::open_existing(&fixture_store(tmp.path())).unwrap();
    let local = local_implementers(&store);
    assert_eq!(
        local.len(),
        4,
        "fixture has 4 implements statements: {local:?}"
    );

    let report = push(&store, &args(&server.store_endpoint())).expect("push");
    assert_eq!(report.pushed.len(), 2);
    assert_eq!(report.triples(), store.len().unwrap() as u64);
    assert!(report.bytes() > 0);
    assert_eq!(report.requests(), 2);
    assert!(
        report.summary().starts_with("pushed 2 graphs ("),
        "{}",
        report.summary()
    );

    assert_eq!(server.implementers(), local);
    let sizes = server.graph_sizes();
    assert_eq!(sizes, local_graph_sizes(&store));

    // Again: graphs are replaced, not duplicated (blank nodes included).
    push(&store, &args(&server.store_endpoint())).expect("second push");
    assert_eq!(server.graph_sizes(), sizes);
    assert_eq!(server.implementers(), local);
}

#[test]
fn update_push_in_chunks_matches_local_answers_and_replaces_on_repush() {
    let server = TestServer::start(
        "update_push_in_chunks_matches_local_answers_and_replaces_on_repush",
        Kind::Oxigraph,
    );
    let tmp = tempfile::tempdir().unwrap();
    let store = GovStore::open_existing(&fixture_store(tmp.path())).unwrap();
    let local = local_implementers(&store);

    // First a graph-store push, then update pushes over it: still no duplicates.
    push(&store, &args(&server.store_endpoint())).expect("graph-store push");
    let sizes = server.graph_sizes();

    let mut update = args(&server.store_endpoint());
    update.protocol = PushProtocol::Update;
    update.update_endpoint = Some(server.update_endpoint());
    update.chunk_triples = 3;
    for round in 0..2 {
        let report = push(&store, &update).unwrap_or_else(|e| panic!("update push {round}: {e:#}"));
        assert_eq!(report.pushed.len(), 2);
        assert!(
            report.requests() > 2,
            "small chunks must split graphs into several requests: {}",
            report.summary()
        );
        assert!(report.pushed.iter().all(|g| g.requests > 1));
        assert_eq!(report.endpoint, server.update_endpoint());
        assert_eq!(server.graph_sizes(), sizes, "round {round}");
        assert_eq!(server.implementers(), local, "round {round}");
    }

    // One request per graph with the default chunk size.
    let mut whole = update.clone();
    whole.chunk_triples = 20_000;
    let report = push(&store, &whole).expect("unchunked update push");
    assert_eq!(report.requests(), 2);
    assert_eq!(server.graph_sizes(), sizes);
}

#[test]
fn only_selected_reports_are_pushed() {
    let server = TestServer::start("only_selected_reports_are_pushed", Kind::Oxigraph);
    let tmp = tempfile::tempdir().unwrap();
    let store = GovStore::open_existing(&fixture_store(tmp.path())).unwrap();
    let mut one = args(&server.store_endpoint());
    one.reports = vec!["001_bbbb".into()];
    let report = push(&store, &one).expect("push one report");
    assert_eq!(report.pushed.len(), 1);
    let sizes = server.graph_sizes();
    assert_eq!(sizes.keys().collect::<Vec<_>>(), vec![REPORT_1]);

    // By IRI (with or without angle brackets), duplicates ignored.
    one.reports = vec![
        format!("<{REPORT_0}>"),
        REPORT_0.to_string(),
        "001_bbbb".into(),
    ];
    let report = push(&store, &one).expect("push by IRI");
    assert_eq!(report.pushed.len(), 2);
    assert_eq!(server.graph_sizes(), local_graph_sizes(&store));
}

/// The bundled reports, built by the real binary, pushed by the real binary.
#[test]
fn bundled_reports_push_matches_local_answers() {
    let bin = env!("CARGO_BIN_EXE_govkg");
    let server = TestServer::start("bundled_reports_push_matches_local_answers", Kind::Oxigraph);
    let tmp = tempfile::tempdir().unwrap();
    let store_dir = tmp.path().join("store");
    let built = Command::new(bin)
        .current_dir(ROOT)
        .args(["build", "data/reports", "--store"])
        .arg(&store_dir)
        .output()
        .expect("run govkg build");
    assert!(
        built.status.success(),
        "govkg build failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );

    let pushed = Command::new(bin)
        .args(["push", "--store"])
        .arg(&store_dir)
        .args(["--endpoint", &server.store_endpoint(), "--timeout", "30"])
        .output()
        .expect("run govkg push");
    let stdout = String::from_utf8_lossy(&pushed.stdout);
    let stderr = String::from_utf8_lossy(&pushed.stderr);
    assert!(pushed.status.success(), "govkg push failed:\n{stderr}");
    assert!(
        // Five report graphs and the entities graph.
        stdout.contains("pushed 6 graphs"),
        "summary: {stdout}\n{stderr}"
    );

    let store = GovStore::open_existing(&store_dir).unwrap();
    let local = local_implementers(&store);
    assert!(!local.is_empty(), "the bundled reports yield implementers");
    assert_eq!(server.implementers(), local);
    let sizes = server.graph_sizes();
    assert_eq!(sizes, local_graph_sizes(&store));

    // Again, with the update protocol: same content, nothing duplicated.
    let again = Command::new(bin)
        .args(["push", "--store"])
        .arg(&store_dir)
        .args([
            "--endpoint",
            &server.store_endpoint(),
            "--protocol",
            "update",
        ])
        .args([
            "--update-endpoint",
            &server.update_endpoint(),
            "--chunk-triples",
            "500",
        ])
        .output()
        .expect("run govkg push --protocol update");
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(server.graph_sizes(), sizes);
    assert_eq!(server.implementers(), local);
}

/// Virtuoso (Debian's virtuoso-opensource): its GSP endpoint, and SPARQL Update on /sparql,
/// which refuses blank nodes in INSERT DATA (push uses INSERT … WHERE {} for those).
#[test]
fn virtuoso_push_matches_local_answers_with_both_protocols() {
    let server = TestServer::start(
        "virtuoso_push_matches_local_answers_with_both_protocols",
        Kind::Virtuoso,
    );
    let tmp = tempfile::tempdir().unwrap();
    let store = GovStore::open_existing(&fixture_store(tmp.path())).unwrap();
    let local = local_implementers(&store);
    let local_sizes = local_graph_sizes(&store);

    for round in 0..2 {
        push(&store, &args(&server.store_endpoint()))
            .unwrap_or_else(|e| panic!("graph-store push {round}: {e:#}"));
        assert_eq!(
            server.graph_sizes(),
            local_sizes,
            "graph-store round {round}"
        );
        assert_eq!(server.implementers(), local, "graph-store round {round}");
    }
    let mut update = args(&server.store_endpoint());
    update.protocol = PushProtocol::Update;
    update.update_endpoint = Some(server.update_endpoint());
    for chunk in [3, 20_000] {
        update.chunk_triples = chunk;
        push(&store, &update).unwrap_or_else(|e| panic!("update push, chunks of {chunk}: {e:#}"));
        assert_eq!(
            server.graph_sizes(),
            local_sizes,
            "update, chunks of {chunk}"
        );
        assert_eq!(server.implementers(), local, "update, chunks of {chunk}");
    }
}

// ---------------------------------------------------------------------------------------------
// Failures

#[test]
fn refused_connection_names_unpushed_graphs() {
    let tmp = tempfile::tempdir().unwrap();
    let store = GovStore::open_existing(&fixture_store(tmp.path())).unwrap();
    let endpoint = format!("http://127.0.0.1:{}/store", closed_port());
    let err = push_error(push(&store, &args(&endpoint)).unwrap_err());
    assert!(err.report.pushed.is_empty());
    assert_eq!(err.report.not_pushed().len(), 2);
    assert_eq!(err.attempts, 2, "--retries 1: two attempts");
    assert!(err.half_sent.is_none());
    let message = err.to_string();
    assert!(
        message.starts_with("pushed 0 of 2 graphs; not pushed: 000_aaaa, 001_bbbb"),
        "{message}"
    );
    assert!(message.contains("connection"), "{message}");
    assert!(!message.contains('\n'), "one line: {message}");
}

/// The binary exits non-zero and says which graphs were not pushed.
#[test]
fn cli_refused_connection_fails_with_clear_error() {
    let bin = env!("CARGO_BIN_EXE_govkg");
    let tmp = tempfile::tempdir().unwrap();
    let store = fixture_store(tmp.path());
    let endpoint = format!("http://127.0.0.1:{}/store", closed_port());
    let output = Command::new(bin)
        .args(["push", "--retries", "0", "--endpoint", &endpoint, "--store"])
        .arg(&store)
        .output()
        .expect("run govkg push");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "must fail: {stderr}");
    assert!(
        stderr.contains("pushed 0 of 2 graphs; not pushed: 000_aaaa, 001_bbbb"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "no summary on failure");

    // Bad endpoint: refused before reading the store.
    let output = Command::new(bin)
        .args([
            "push",
            "--endpoint",
            "ftp://127.0.0.1/store",
            "--store",
            "/nonexistent",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("only http:// and https://"));
}

#[test]
fn client_error_is_not_retried_and_shows_server_message() {
    let tmp = tempfile::tempdir().unwrap();
    let store = GovStore::open_existing(&fixture_store(tmp.path())).unwrap();
    let fake = FakeServer::start(vec![Reply::new(
        400,
        "Bad Request",
        "<html><body><h1>Invalid N-Triples</h1> at line 3</body></html>",
    )
    .html()]);
    let mut a = args(&fake.url("/store"));
    a.retries = 3;
    let err = push_error(push(&store, &a).unwrap_err());
    assert_eq!(fake.requests().len(), 1, "a 4xx is not retried");
    assert_eq!(err.attempts, 1);
    let message = err.to_string();
    assert!(message.contains("HTTP 400 Bad Request"), "{message}");
    assert!(message.contains("Invalid N-Triples at line 3"), "{message}");
    assert!(
        message.contains("not pushed: 000_aaaa, 001_bbbb"),
        "{message}"
    );
}

#[test]
fn server_error_is_retried_and_request_is_a_gsp_put() {
    let tmp = tempfile::tempdir().unwrap();
    let store = GovStore::open_existing(&fixture_store(tmp.path())).unwrap();
    let fake = FakeServer::start(vec![
        Reply::new(503, "Service Unavailable", "busy").header("Retry-After", "0"),
        Reply::new(201, "Created", ""),
        Reply::new(204, "No Content", ""),
    ]);
    let mut a = args(&fake.url("/ds/data"));
    a.retries = 2;
    a.auth = Some("alice:s3cret".into());
    let report = push(&store, &a).expect("push succeeds after a retry");
    assert_eq!(report.pushed.len(), 2);
    assert_eq!(report.pushed[0].attempts, 2);
    assert_eq!(report.pushed[1].attempts, 1);

    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(first.method, "PUT");
    assert_eq!(
        first.target,
        "/ds/data?graph=https%3A%2F%2Fw3id.org%2Fgovkg%2Freport%2F000_aaaa"
    );
    assert_eq!(
        first.header("content-type").as_deref(),
        Some("application/n-triples")
    );
    assert_eq!(
        first.header("authorization").as_deref(),
        Some("Basic YWxpY2U6czNjcmV0")
    );
    let body = String::from_utf8(first.body.clone()).unwrap();
    assert!(body.contains(
        "<https://w3id.org/govkg/report/000_aaaa> <http://purl.org/dc/terms/source> \"000.txt\" ."
    ));
    assert!(
        body.contains(r#"\"放管服\"改革。\n（第3段）"@zh ."#),
        "{body}"
    );
    // The retry sends the same body.
    assert_eq!(requests[1].body, first.body);
    assert!(requests[2].target.ends_with("001_bbbb"));
}

#[test]
fn retries_give_up_after_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let store = GovStore::open_existing(&fixture_store(tmp.path())).unwrap();
    let fake = FakeServer::start(vec![
        Reply::new(500, "Internal Server Error", "boom").header("Retry-After", "0")
    ]);
    let mut a = args(&fake.url("/store"));
    a.retries = 2;
    let err = push_error(push(&store, &a).unwrap_err());
    assert_eq!(fake.requests().len(), 3, "1 try + 2 retries");
    assert_eq!(err.attempts, 3);
    let message = err.to_string();
    assert!(message.contains("after 3 attempts: HTTP 500"), "{message}");
    assert!(message.contains(": boom"), "{message}");
}

#[test]
fn half_sent_update_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let store = GovStore::open_existing(&fixture_store(tmp.path())).unwrap();
    let fake = FakeServer::start(vec![
        Reply::new(204, "No Content", ""),
        Reply::new(204, "No Content", ""),
        Reply::new(204, "No Content", ""),
        Reply::new(413, "Payload Too Large", "too big"),
    ]);
    let mut a = args(&fake.url("/store"));
    a.protocol = PushProtocol::Update;
    a.update_endpoint = Some(fake.url("/update"));
    a.chunk_triples = 20_000;
    a.reports = vec!["000_aaaa".into()];
    // Graph 000 in one request (accepted); then 001 alone in three chunks fails on its second.
    push(&store, &a).expect("one request");
    a.reports = vec!["001_bbbb".into()];
    a.chunk_triples = 6;
    let err = push_error(push(&store, &a).unwrap_err());
    let requests = fake.requests();
    assert_eq!(requests.len(), 4);
    assert!(requests
        .iter()
        .all(|r| r.method == "POST" && r.target == "/update"));
    assert_eq!(
        requests[0].header("content-type").as_deref(),
        Some("application/sparql-update")
    );
    // Graph 000 has blank nodes: INSERT … WHERE {} (Virtuoso refuses them in INSERT DATA).
    let first = String::from_utf8(requests[0].body.clone()).unwrap();
    assert!(
        first.starts_with(&format!(
            "DROP SILENT GRAPH <{REPORT_0}> ;\nINSERT {{ GRAPH <{REPORT_0}> {{\n"
        )) && first.ends_with("} } WHERE {}\n"),
        "{first}"
    );
    assert_eq!(first.matches(" .\n").count(), 19, "{first}");
    // Graph 001 has none: plain INSERT DATA.
    let chunked = String::from_utf8(requests[1].body.clone()).unwrap();
    assert!(
        chunked.starts_with(&format!(
            "DROP SILENT GRAPH <{REPORT_1}> ;\nINSERT DATA {{ GRAPH <{REPORT_1}> {{\n"
        )) && chunked.ends_with("} }\n"),
        "{chunked}"
    );
    let later = String::from_utf8(requests[2].body.clone()).unwrap();
    assert!(
        later.starts_with(&format!("INSERT DATA {{ GRAPH <{REPORT_1}> {{")),
        "{later}"
    );
    let (accepted, total) = err.half_sent.expect("half-sent is reported");
    assert_eq!(accepted, 2);
    assert!(total >= 3, "{total}");
    let message = err.to_string();
    assert!(message.contains("HALF-SENT"), "{message}");
    assert!(
        message.contains("pushed 0 of 1 graphs; not pushed: 001_bbbb"),
        "{message}"
    );
    assert!(message.contains("HTTP 413"), "{message}");
}

#[test]
fn bad_arguments_fail_before_anything_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let store = GovStore::open_existing(&fixture_store(tmp.path())).unwrap();
    let fake = FakeServer::start(vec![Reply::new(204, "No Content", "")]);
    for (endpoint, expected) in [
        (
            "ftp://127.0.0.1/store".to_string(),
            "only http:// and https://",
        ),
        ("127.0.0.1:7878/store".to_string(), "not a URL"),
        (format!("http://u:p@{}", &fake.url("/store")[7..]), "--auth"),
    ] {
        let err = push(&store, &args(&endpoint)).unwrap_err().to_string();
        assert!(err.contains(expected), "{endpoint}: {err}");
    }
    let mut a = args(&fake.url("/store"));
    a.reports = vec!["999_nope".into()];
    let err = push(&store, &a).unwrap_err().to_string();
    assert!(
        err.contains("999_nope") && err.contains("000_aaaa, 001_bbbb"),
        "{err}"
    );
    a.reports.clear();
    for timeout in [0.0, -1.0, f64::NAN, 1e30] {
        a.timeout = timeout;
        let err = push(&store, &a).unwrap_err().to_string();
        assert!(err.contains("--timeout"), "{timeout}: {err}");
    }
    a.timeout = 10.0;
    a.auth = Some("no-colon".into());
    assert!(push(&store, &a)
        .unwrap_err()
        .to_string()
        .contains("user:password"));
    assert!(fake.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The govkg binary (always there when this crate is the govkg package).
/// A local port with nothing listening on it.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A scripted reply; the last one repeats.
#[derive(Clone)]
struct Reply {
    status: u16,
    reason: &'static str,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn new(status: u16, reason: &'static str, body: &str) -> Self {
        Self {
            status,
            reason,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.into(),
        }
    }

    fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn html(mut self) -> Self {
        self.headers[0].1 = "text/html; charset=utf-8".into();
        self
    }
}

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

/// A one-connection-per-request HTTP server on 127.0.0.1 answering from a script. It serves at
/// most 50 requests, then its thread ends.
struct FakeServer {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeServer {
    fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for (i, stream) in listener.incoming().take(50).enumerate() {
                let Ok(stream) = stream else { continue };
                let reply = replies[i.min(replies.len() - 1)].clone();
                serve_one(stream, &reply, &log);
            }
        });
        Self { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Reads one request, logs it (before answering, so the client never sees an answer to an
/// unlogged request) and answers it.
fn serve_one(stream: TcpStream, reply: &Reply, log: &Mutex<Vec<Seen>>) -> Option<()> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    log.lock().unwrap().push(Seen {
        method,
        target,
        headers,
        body,
    });
    let mut response = format!("HTTP/1.1 {} {}\r\n", reply.status, reply.reason);
    for (name, value) in &reply.headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        reply.body.len(),
        reply.body
    ));
    let mut stream = stream;
    stream.write_all(response.as_bytes()).ok()?;
    stream.flush().ok()
}
