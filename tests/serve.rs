//! `govkg serve` over HTTP: the SPARQL 1.1 Protocol endpoint, the JSON routes and the page.
//!
//! Most tests serve a store loaded from the small TriG fixture below (independent of extraction);
//! `serves_a_store_built_from_the_reports` serves what `govkg build` makes of data/reports.

use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use govkg::serve::{spawn, ServerHandle};
use govkg_graph::store::{GovStore, StoreLocation};
use oxigraph::io::RdfFormat;

const FIXTURE: &str = r#"
@prefix gk: <https://w3id.org/govkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix id: <https://w3id.org/govkg/id/> .
@prefix r: <https://w3id.org/govkg/report/> .

# What the entities are: described once, whichever reports name them.
<https://w3id.org/govkg/graph/entities> {
  <https://w3id.org/govkg/id/agency/天津市东丽区人民政府政务服务办公室> a gk:Agency ;
    skos:prefLabel "天津市东丽区人民政府政务服务办公室"@zh ; skos:altLabel "区政务服务办"@zh , "我办"@zh ;
    gk:level "district" ; gk:agencyKind "government" ;
    gk:jurisdiction <https://w3id.org/govkg/id/place/天津市东丽区> .
  <https://w3id.org/govkg/id/agency/天津市东丽区司法局> a gk:Agency ;
    skos:prefLabel "天津市东丽区司法局"@zh ; skos:altLabel "区司法局"@zh ;
    gk:level "district" ; gk:agencyKind "government" .
  <https://w3id.org/govkg/id/agency/天津市第三中级人民法院> a gk:Agency ;
    skos:prefLabel "天津市第三中级人民法院"@zh ; skos:altLabel "三中院"@zh ;
    gk:level "municipal" ; gk:agencyKind "court" .
  <https://w3id.org/govkg/id/initiative/高效办成一件事> a gk:Initiative ;
    skos:prefLabel "高效办成一件事"@zh ; gk:scope "national" .
  <https://w3id.org/govkg/id/initiative/证照分离> a gk:Initiative ;
    skos:prefLabel "证照分离"@zh ; gk:scope "national" .
  <https://w3id.org/govkg/id/law/中华人民共和国行政许可法> a gk:Law ;
    skos:prefLabel "中华人民共和国行政许可法"@zh ; skos:altLabel "行政许可法"@zh ; gk:lawKind "law" .
  <https://w3id.org/govkg/id/document/法治政府建设实施纲要> a gk:PolicyDocument ;
    skos:prefLabel "法治政府建设实施纲要"@zh ; gk:docType "纲要" .
  <https://w3id.org/govkg/id/place/天津市东丽区> a gk:Place ; skos:prefLabel "天津市东丽区"@zh .
}

r:000_dongli {
  r:000_dongli a gk:Report ; dcterms:title "天津市东丽区人民政府政务服务办公室2025年法治政府建设年度报告"@zh ;
    dcterms:source "000_dongli.txt" ; gk:year 2025 ;
    dcterms:creator <https://w3id.org/govkg/id/agency/天津市东丽区人民政府政务服务办公室> ;
    gk:jurisdiction <https://w3id.org/govkg/id/place/天津市东丽区> ;
    gk:mentions <https://w3id.org/govkg/id/initiative/高效办成一件事> .
  <https://w3id.org/govkg/id/agency/天津市东丽区人民政府政务服务办公室>
    gk:implements <https://w3id.org/govkg/id/initiative/高效办成一件事> , <https://w3id.org/govkg/id/initiative/证照分离> ;
    gk:cites <https://w3id.org/govkg/id/law/中华人民共和国行政许可法> .
  <https://w3id.org/govkg/id/agency/天津市东丽区司法局>
    gk:implements <https://w3id.org/govkg/id/initiative/高效办成一件事> .
  r:000_dongli-a1 a gk:Assertion ;
    rdf:subject <https://w3id.org/govkg/id/agency/天津市东丽区人民政府政务服务办公室> ; rdf:predicate gk:implements ;
    rdf:object <https://w3id.org/govkg/id/initiative/高效办成一件事> ;
    gk:evidence "区政务服务办深入推进“高效办成一件事”改革"@zh ; nif:beginIndex 120 ; nif:endIndex 140 .
  r:000_dongli-a2 a gk:Assertion ;
    rdf:subject <https://w3id.org/govkg/id/agency/天津市东丽区人民政府政务服务办公室> ; rdf:predicate gk:implements ;
    rdf:object <https://w3id.org/govkg/id/initiative/证照分离> ;
    gk:evidence "全面落实“证照分离”改革"@zh ; nif:beginIndex 200 ; nif:endIndex 212 .
  r:000_dongli-a3 a gk:Assertion ;
    rdf:subject <https://w3id.org/govkg/id/agency/天津市东丽区人民政府政务服务办公室> ; rdf:predicate gk:cites ;
    rdf:object <https://w3id.org/govkg/id/law/中华人民共和国行政许可法> ;
    gk:evidence "认真学习宣传《中华人民共和国行政许可法》"@zh ; nif:beginIndex 300 ; nif:endIndex 320 .
  r:000_dongli-a4 a gk:Assertion ;
    rdf:subject <https://w3id.org/govkg/id/agency/天津市东丽区司法局> ; rdf:predicate gk:implements ;
    rdf:object <https://w3id.org/govkg/id/initiative/高效办成一件事> ;
    gk:evidence "会同区司法局推动“高效办成一件事”"@zh ; nif:beginIndex 400 ; nif:endIndex 416 .
  r:000_dongli-m1 gk:mentionOf <https://w3id.org/govkg/id/initiative/高效办成一件事> ;
    nif:beginIndex 128 ; nif:endIndex 135 .
  r:000_dongli-m2 gk:mentionOf <https://w3id.org/govkg/id/initiative/高效办成一件事> ;
    nif:beginIndex 408 ; nif:endIndex 415 .
}

r:001_court {
  r:001_court a gk:Report ; dcterms:title "天津市第三中级人民法院2024年法治政府建设年度报告"@zh ;
    dcterms:source "001_court.txt" ; gk:year 2024 ;
    dcterms:creator <https://w3id.org/govkg/id/agency/天津市第三中级人民法院> ;
    gk:mentions <https://w3id.org/govkg/id/initiative/高效办成一件事> .
  <https://w3id.org/govkg/id/agency/天津市第三中级人民法院>
    gk:implements <https://w3id.org/govkg/id/initiative/高效办成一件事> .
  <https://w3id.org/govkg/id/document/法治政府建设实施纲要>
    dcterms:creator <https://w3id.org/govkg/id/agency/天津市第三中级人民法院> .
  r:001_court-a1 a gk:Assertion ;
    rdf:subject <https://w3id.org/govkg/id/agency/天津市第三中级人民法院> ; rdf:predicate gk:implements ;
    rdf:object <https://w3id.org/govkg/id/initiative/高效办成一件事> ;
    gk:evidence "三中院积极参与“高效办成一件事”"@zh ; nif:beginIndex 50 ; nif:endIndex 66 .
  r:001_court-m1 gk:mentionOf <https://w3id.org/govkg/id/initiative/高效办成一件事> ;
    nif:beginIndex 58 ; nif:endIndex 65 .
}
"#;

const INITIATIVE: &str = "https://w3id.org/govkg/id/initiative/高效办成一件事";
const COUNT_QUADS: &str = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
const LIMIT: usize = 8 * 1024;

/// A store in a temporary folder holding the fixture, reopened read-only as `serve` opens it.
fn fixture_store(dir: &Path) -> GovStore {
    let writer = GovStore::create(StoreLocation::Disk(dir.to_path_buf())).unwrap();
    writer
        .oxigraph()
        .load_from_slice(RdfFormat::TriG, FIXTURE)
        .unwrap();
    writer.flush().unwrap();
    drop(writer);
    GovStore::open_existing(dir).unwrap()
}

/// One server over the fixture, shared by the tests (kept alive for the whole test binary).
fn server() -> &'static ServerHandle {
    static SERVER: OnceLock<(tempfile::TempDir, ServerHandle)> = OnceLock::new();
    &SERVER
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = fixture_store(&dir.path().join("store"));
            let handle = spawn(store, "127.0.0.1:0", Duration::from_secs(10), LIMIT).unwrap();
            (dir, handle)
        })
        .1
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

struct Answer {
    status: u16,
    content_type: String,
    body: String,
    headers: ureq::http::HeaderMap,
}

fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut response = result.expect("request failed");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = response.body_mut().read_to_string().unwrap();
    Answer {
        status: response.status().as_u16(),
        content_type,
        headers: response.headers().clone(),
        body,
    }
}

fn url(handle: &ServerHandle, path: &str) -> String {
    format!("http://{}{path}", handle.addr())
}

fn get(path: &str) -> Answer {
    answer(agent().get(url(server(), path)).call())
}

fn get_query(query: &str, accept: Option<&str>) -> Answer {
    let mut request = agent().get(url(server(), "/sparql")).query("query", query);
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    answer(request.call())
}

fn post(path: &str, content_type: &str, body: &str) -> Answer {
    answer(
        agent()
            .post(url(server(), path))
            .header("Content-Type", content_type)
            .send(body),
    )
}

fn json(answer: &Answer) -> serde_json::Value {
    serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", answer.body))
}

fn count_quads() -> i64 {
    let reply = get_query(COUNT_QUADS, None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    json(&reply)["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// The W3C SPARQL 1.1 Query Results JSON shape, with the rows' values of one variable.
fn column(results: &serde_json::Value, variable: &str) -> Vec<String> {
    assert!(results["head"]["vars"].is_array(), "{results}");
    results["results"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b[variable]["value"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn get_query_returns_w3c_json_results() {
    let query = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?label WHERE { <https://w3id.org/govkg/id/agency/天津市东丽区司法局> skos:prefLabel ?label }";
    let reply = get_query(query, None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "application/sparql-results+json");
    let results = json(&reply);
    assert_eq!(results["head"]["vars"], serde_json::json!(["label"]));
    let binding = &results["results"]["bindings"][0]["label"];
    assert_eq!(binding["type"], "literal");
    assert_eq!(binding["value"], "天津市东丽区司法局");
    assert_eq!(binding["xml:lang"], "zh");
    // No origin is allowed by default (--cors-origin): no page elsewhere may read the answer.
    assert!(reply.headers.get("access-control-allow-origin").is_none());
}

#[test]
fn named_query_runs_over_the_union_of_report_graphs() {
    let implementers = govkg_graph::query::named_query("implementers")
        .unwrap()
        .text;
    let reply = post("/sparql", "application/sparql-query", implementers);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let results = json(&reply);
    let agencies = column(&results, "agency");
    assert_eq!(agencies.len(), 4, "{results}");
    assert!(agencies.contains(&"天津市第三中级人民法院".to_string()));
    // The years come from the report graphs (001 is 2024, 000 is 2025).
    let years = column(&results, "firstYear");
    assert!(years.contains(&"2024".to_string()) && years.contains(&"2025".to_string()));
}

#[test]
fn form_post_and_content_negotiation() {
    let query = "PREFIX gk: <https://w3id.org/govkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?name WHERE { ?i a gk:Initiative ; skos:prefLabel ?name } ORDER BY ?name";
    let form = agent()
        .post(url(server(), "/sparql"))
        .header("Accept", "text/csv")
        .send_form([("query", query)]);
    let reply = answer(form);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.content_type.starts_with("text/csv"),
        "{}",
        reply.content_type
    );
    assert_eq!(
        reply.body.replace("\r\n", "\n"),
        "name\n证照分离\n高效办成一件事\n"
    );

    let tsv = get_query(query, Some("text/tab-separated-values"));
    assert!(tsv.content_type.starts_with("text/tab-separated-values"));
    assert!(tsv.body.starts_with("?name\n"), "{}", tsv.body);

    let xml = get_query(query, Some("application/sparql-results+xml"));
    assert_eq!(xml.content_type, "application/sparql-results+xml");
    assert!(xml.body.contains("<sparql") && xml.body.contains("证照分离"));

    // A browser's navigation Accept header gets the default.
    let browser = get_query(
        query,
        Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    );
    assert_eq!(browser.content_type, "application/sparql-results+json");

    let by_param = answer(
        agent()
            .get(url(server(), "/sparql"))
            .query("query", query)
            .query("format", "csv")
            .call(),
    );
    assert!(by_param.content_type.starts_with("text/csv"));

    let refused = get_query(query, Some("image/png"));
    assert_eq!(refused.status, 406, "{}", refused.body);
    assert!(refused.body.contains("text/csv"), "{}", refused.body);
}

#[test]
fn ask_construct_and_describe() {
    let ask = get_query("ASK { ?s a <https://w3id.org/govkg/ontology#Law> }", None);
    assert_eq!(ask.status, 200);
    assert_eq!(json(&ask)["boolean"], true);

    let construct = "PREFIX gk: <https://w3id.org/govkg/ontology#>
        CONSTRUCT { ?a gk:implements ?i } WHERE { ?a gk:implements ?i }";
    let turtle = get_query(construct, None);
    assert_eq!(turtle.status, 200, "{}", turtle.body);
    assert!(
        turtle.content_type.starts_with("text/turtle"),
        "{}",
        turtle.content_type
    );
    assert!(turtle.body.contains("gk:implements"), "{}", turtle.body);

    let ntriples = get_query(construct, Some("application/n-triples"));
    assert!(ntriples.content_type.starts_with("application/n-triples"));
    assert_eq!(ntriples.body.lines().count(), 4, "{}", ntriples.body);

    let rdfxml = get_query(
        &format!("DESCRIBE <{INITIATIVE}>"),
        Some("application/rdf+xml"),
    );
    assert_eq!(rdfxml.status, 200, "{}", rdfxml.body);
    assert!(rdfxml.body.contains("rdf:RDF") && rdfxml.body.contains("高效办成一件事"));

    let csv_for_graph = get_query(construct, Some("text/csv"));
    assert_eq!(csv_for_graph.status, 406);
}

#[test]
fn malformed_query_is_a_400_with_one_line() {
    let reply = get_query("SELECT ?x WHERE { ?x ", None);
    assert_eq!(reply.status, 400);
    assert!(reply.body.starts_with("malformed SPARQL"), "{}", reply.body);
    assert_eq!(reply.body.trim_end().lines().count(), 1, "{}", reply.body);

    let missing = get("/sparql");
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("no query"), "{}", missing.body);

    let graphs = answer(
        agent()
            .get(url(server(), "/sparql"))
            .query("query", "ASK {}")
            .query(
                "default-graph-uri",
                "https://w3id.org/govkg/report/000_dongli",
            )
            .call(),
    );
    assert_eq!(graphs.status, 400);
    assert!(graphs.body.contains("not supported"), "{}", graphs.body);

    let wrong_type = post("/sparql", "text/plain", "ASK {}");
    assert_eq!(wrong_type.status, 415);
}

#[test]
fn updates_are_refused_and_change_nothing() {
    let before = count_quads();
    let insert = "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }";
    let delete = "DELETE WHERE { ?s ?p ?o }";
    for reply in [
        post("/sparql", "application/sparql-update", delete),
        answer(
            agent()
                .post(url(server(), "/sparql"))
                .send_form([("update", delete)]),
        ),
        answer(
            agent()
                .get(url(server(), "/sparql"))
                .query("update", insert)
                .call(),
        ),
        get_query(insert, None),
        post("/sparql", "application/sparql-query", delete),
    ] {
        assert_eq!(reply.status, 403, "{}", reply.body);
        assert_eq!(
            reply.body.trim_end(),
            "read-only endpoint: SPARQL Update is not accepted"
        );
    }
    assert_eq!(count_quads(), before);
    assert!(before > 50, "{before}");
}

#[test]
fn oversize_requests_are_a_413() {
    let padding = "#".repeat(LIMIT + 10);
    let long_get = get_query(&format!("ASK {{}} {padding}"), None);
    assert_eq!(long_get.status, 413, "{}", long_get.body);
    assert!(long_get.body.contains("too large"), "{}", long_get.body);

    let long_post = post(
        "/sparql",
        "application/sparql-query",
        &format!("ASK {{}}\n{padding}"),
    );
    assert_eq!(long_post.status, 413, "{}", long_post.body);
    assert!(
        long_post.body.contains(&LIMIT.to_string()),
        "{}",
        long_post.body
    );

    // Just under the limit is fine.
    let fits = post(
        "/sparql",
        "application/sparql-query",
        &format!("ASK {{}}\n{}", "#".repeat(LIMIT - 20)),
    );
    assert_eq!(fits.status, 200, "{}", fits.body);
}

/// Sends raw bytes on one connection and returns everything the server answers.
fn raw_exchange(request: &[u8]) -> String {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(server().addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn absurd_sizes_are_refused_without_harm() {
    // A body announced far beyond memory is refused from its Content-Length, unread.
    let answer = raw_exchange(
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\nContent-Length: 100000000000000\r\n\r\nASK {}",
    );
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    // A chunked body over the limit, too.
    let mut chunked = b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..4 {
        chunked.extend_from_slice(format!("{:x}\r\n{}\r\n", 4000, "#".repeat(4000)).as_bytes());
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let answer = raw_exchange(&chunked);
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    // A well-formed chunked query within the limit works.
    let answer = raw_exchange(
        b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nASK\r\n3\r\n {}\r\n0\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(answer.contains("\"boolean\":true"), "{answer}");
    // Garbage is a 400, and the server carries on.
    assert!(raw_exchange(b"NOT HTTP AT ALL\r\n\r\n").starts_with("HTTP/1.1 400 "));
    assert_eq!(get_query("ASK {}", None).status, 200);
}

#[test]
fn idle_connections_do_not_block_queries() {
    // Browsers open connections they may never use; each waits on its own, not on a worker.
    let idle: Vec<_> = (0..10)
        .map(|_| std::net::TcpStream::connect(server().addr()).unwrap())
        .collect();
    let started = std::time::Instant::now();
    assert_eq!(get_query("ASK {}", None).status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
}

#[test]
fn slow_queries_time_out_with_503() {
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_store(&dir.path().join("store"));
    let handle = spawn(store, "127.0.0.1:0", Duration::from_millis(100), LIMIT).unwrap();
    // Every step of this join goes back to the store, so the cancellation is seen quickly.
    let heavy = "SELECT (COUNT(*) AS ?n) WHERE {
        ?a ?b ?c . ?d ?e ?f . ?g ?h ?i .
        FILTER EXISTS { ?a ?x ?y . ?d ?z ?w . ?g ?u ?v . ?c ?t ?s }
    }";
    let started = std::time::Instant::now();
    let reply = answer(
        agent()
            .get(url(&handle, "/sparql"))
            .query("query", heavy)
            .call(),
    );
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.body.trim_end(), "query timed out after 0.1 s");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );

    // The server still answers afterwards.
    let ok = answer(
        agent()
            .get(url(&handle, "/sparql"))
            .query("query", "ASK {}")
            .call(),
    );
    assert_eq!(ok.status, 200);
    handle.shutdown();
}

#[test]
fn page_assets_and_json_routes() {
    let page = get("/");
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    for id in [
        "named-queries",
        "query",
        "run",
        "results",
        "profile",
        "graph",
        "error",
    ] {
        assert!(
            page.body.contains(&format!("id=\"{id}\"")),
            "page lacks #{id}"
        );
    }
    assert!(page.body.contains("/vendor/cytoscape.min.js"));

    let library = get("/vendor/cytoscape.min.js");
    assert_eq!(library.status, 200);
    assert!(library.content_type.starts_with("text/javascript"));
    assert!(library.body.len() > 100_000 && library.body.contains("cytoscape"));
    assert_eq!(get("/vendor/cytoscape.LICENSE").status, 200);
    assert!(get("/app.js").body.contains("govkgGraph"));
    assert_eq!(get("/app.css").status, 200);

    let ontology = get("/ontology.ttl");
    assert!(ontology.content_type.starts_with("text/turtle"));
    assert!(ontology.body.contains("gk:implements"));

    let queries = json(&get("/queries"));
    let names: Vec<&str> = queries
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"implementers") && names.contains(&"entity-profile"),
        "{names:?}"
    );
    assert!(queries[0]["text"].as_str().unwrap().contains("SELECT"));
    assert!(!queries[0]["summary"].as_str().unwrap().is_empty());

    // The registry of kinds, from which the page names and draws entities and relations.
    let kinds = json(&get("/kinds"));
    let ids = |list: &str| -> Vec<String> {
        kinds[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids("entities"),
        ["agency", "law", "document", "initiative", "place"]
    );
    assert_eq!(ids("relations"), ["implements", "cites", "issued"]);
    assert_eq!(kinds["relations"][2]["to"], "document");
    assert!(kinds["entities"][0]["color"]
        .as_str()
        .unwrap()
        .starts_with('#'));

    let missing = get("/no/such/page");
    assert_eq!(missing.status, 404);
    assert_eq!(post("/queries", "text/plain", "x").status, 405);

    let options = answer(agent().options(url(server(), "/sparql")).call());
    assert_eq!(options.status, 204);
    assert!(options.headers.get("access-control-allow-origin").is_none());
}

#[test]
fn profile_route_describes_an_entity() {
    let reply = answer(
        agent()
            .get(url(server(), "/profile"))
            .query("iri", INITIATIVE)
            .call(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let profile = json(&reply);
    assert_eq!(profile["label"], "高效办成一件事");
    assert_eq!(profile["kind"], "Initiative");
    let relations = profile["relations"].as_array().unwrap();
    assert_eq!(relations.len(), 3, "{profile}");
    assert!(relations
        .iter()
        .all(|r| r["direction"] == "in" && r["relation"] == "implements"));
    let others: Vec<&str> = relations
        .iter()
        .map(|r| r["other"].as_str().unwrap())
        .collect();
    assert!(others.contains(&"天津市东丽区司法局"), "{others:?}");
    assert!(relations.iter().any(|r| r["year"] == 2024));
    let reports = profile["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2, "{profile}");

    let agency = "https://w3id.org/govkg/id/agency/天津市东丽区人民政府政务服务办公室";
    let profile = json(&answer(
        agent()
            .get(url(server(), "/profile"))
            .query("iri", agency)
            .call(),
    ));
    assert_eq!(profile["kind"], "Agency");
    assert_eq!(
        profile["altLabels"],
        serde_json::json!(["区政务服务办", "我办"])
    );
    let facts = profile["facts"].as_array().unwrap();
    assert!(facts
        .iter()
        .any(|f| f["name"] == "level" && f["value"] == "district"));
    assert!(facts
        .iter()
        .any(|f| f["name"] == "jurisdiction" && f["label"] == "天津市东丽区"));
    assert_eq!(profile["relations"].as_array().unwrap().len(), 3);

    let unknown = answer(
        agent()
            .get(url(server(), "/profile"))
            .query("iri", "https://w3id.org/govkg/id/agency/nobody")
            .call(),
    );
    assert_eq!(unknown.status, 404);
    assert_eq!(get("/profile").status, 400);
}

#[test]
fn concurrent_clients_are_served() {
    let threads: Vec<_> = (0..8)
        .map(|_| std::thread::spawn(|| get_query("ASK { ?s ?p ?o }", None).status))
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), 200);
    }
}

#[test]
fn run_refuses_a_missing_store() {
    let dir = tempfile::tempdir().unwrap();
    let args = govkg::serve::ServeOptions {
        store: dir.path().join("nothing-here"),
        bind: "127.0.0.1:0".into(),
        timeout: 10.0,
        max_request_bytes: 1024,
        ..Default::default()
    };
    let err = govkg::serve::run(&args).unwrap_err().to_string();
    assert!(err.contains("no govkg store here"), "{err}");
    for timeout in [0.0, -1.0, f64::NAN, 1e300] {
        let args = govkg::serve::ServeOptions {
            timeout,
            ..args.clone()
        };
        let err = govkg::serve::run(&args).unwrap_err().to_string();
        assert!(err.contains("--timeout"), "{err}");
    }
}

/// End to end with the real pipeline: `govkg build data/reports`, then serve and query the result.
#[test]
fn serves_a_store_built_from_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_govkg"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", "data/reports", "--store"])
        .arg(&store_dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "govkg build failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let store = GovStore::open_existing(&store_dir).unwrap();
    let handle = spawn(store, "127.0.0.1:0", Duration::from_secs(30), 64 * 1024).unwrap();
    let implementers = govkg_graph::query::named_query("implementers")
        .unwrap()
        .text;
    let reply = answer(
        agent()
            .post(url(&handle, "/sparql"))
            .header("Content-Type", "application/sparql-query")
            .send(implementers),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let results = json(&reply);
    let initiatives = column(&results, "initiative");
    assert!(
        initiatives.iter().any(|i| i == "高效办成一件事"),
        "no agency implements 高效办成一件事 in the built store"
    );
    let iri = column(&results, "initiativeIri")
        .into_iter()
        .zip(initiatives)
        .find(|(_, name)| name == "高效办成一件事")
        .unwrap()
        .0;
    let profile = json(&answer(
        agent()
            .get(url(&handle, "/profile"))
            .query("iri", &iri)
            .call(),
    ));
    assert!(
        profile["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["direction"] == "in" && r["relation"] == "implements"),
        "{profile}"
    );
    let mut page = Vec::new();
    agent()
        .get(url(&handle, "/"))
        .call()
        .unwrap()
        .body_mut()
        .as_reader()
        .read_to_end(&mut page)
        .unwrap();
    assert!(String::from_utf8(page).unwrap().contains("named-queries"));
    handle.shutdown();
}

/// `/network` answers the drawing graph of `govkg export` with its filters.
#[test]
fn network_is_the_export_drawing_with_its_filters() {
    let counts = |path: &str| {
        let reply = get(path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        let net = json(&reply);
        let n = |key: &str| net[key].as_array().unwrap().len();
        (n("nodes"), n("edges"), reply)
    };
    // Three bodies, two initiatives, one law; five relations.
    let (nodes, edges, reply) = counts("/network");
    assert_eq!((nodes, edges), (6, 5), "{}", reply.body);
    let net = json(&reply);
    let one_thing = net["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == INITIATIVE)
        .unwrap();
    assert_eq!(one_thing["reports"], 2, "{one_thing}");
    assert_eq!(
        (
            one_thing["first_year"].clone(),
            one_thing["last_year"].clone()
        ),
        (2024.into(), 2025.into())
    );
    // 2024: only the court's report.
    assert_eq!(counts("/network?year=2024").0, 2);
    // 东丽区: the report of 000, not the court's.
    let (nodes, edges, _) = counts("/network?place=%E4%B8%9C%E4%B8%BD%E5%8C%BA");
    assert_eq!((nodes, edges), (5, 4));
    let (nodes, edges, _) = counts("/network?kind=agency,law");
    assert_eq!((nodes, edges), (2, 1));
    // The two hubs (three relations each) and the edge between them; the header says the rest.
    let (nodes, edges, reply) = counts("/network?max-nodes=2");
    assert_eq!((nodes, edges), (2, 1));
    let left_out = reply
        .headers
        .get("x-govkg-left-out")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(left_out.contains("4 more nodes and 4 edges"), "{left_out}");
    let graphml = get("/network?format=graphml&max-nodes=0");
    assert_eq!(graphml.status, 200);
    assert_eq!(graphml.body.matches("<node id=").count(), 6);
    assert!(graphml.content_type.starts_with("application/graphml+xml"));
    assert_eq!(get("/network?format=turtle").status, 400);
    assert_eq!(get("/network?year=soon").status, 400);
}

#[test]
fn other_sites_can_neither_reach_nor_read_the_local_endpoint() {
    // DNS rebinding: a page on evil.example resolves its name to 127.0.0.1; the Host header
    // still says evil.example.
    let rebound = raw_exchange(
        b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: evil.example:7878\r\nAccept: text/csv\r\n\r\n",
    );
    assert!(rebound.starts_with("HTTP/1.1 403"), "{rebound}");
    assert!(rebound.contains("--allow-host"), "{rebound}");
    // A page of another origin gets its answer, but no CORS header lets its script read it.
    let cross = raw_exchange(
        b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nAccept: text/csv\r\n\r\n",
    );
    assert!(cross.starts_with("HTTP/1.1 200"), "{cross}");
    assert!(!cross.contains("Access-Control-Allow-Origin"), "{cross}");
}

#[test]
fn a_request_that_trickles_in_is_cut_off_at_the_deadline() {
    use std::io::{Read, Write};
    // One header byte every second never runs out a single read's timeout (5 s), but the whole
    // request must arrive within its deadline (10 s): the server answers 408 while bytes still
    // come, with the deadline's own message.
    let mut stream = std::net::TcpStream::connect(server().addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    stream
        .write_all(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n")
        .unwrap();
    let mut answer = Vec::new();
    for _ in 0..40 {
        std::thread::sleep(Duration::from_secs(1));
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk) {
            Ok(n) if n > 0 => {
                answer.extend_from_slice(&chunk[..n]);
                break;
            }
            _ => {}
        }
        if stream.write_all(b"X").is_err() {
            break;
        }
    }
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("whole request"), "{answer}");
}

fn search(q: &str, limit: Option<&str>) -> Answer {
    let mut request = agent().get(url(server(), "/search")).query("q", q);
    if let Some(limit) = limit {
        request = request.query("limit", limit);
    }
    answer(request.call())
}

#[test]
fn search_finds_entities_by_any_of_their_names() {
    let reply = search("司法局", None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json");
    let found = json(&reply);
    let first = &found["results"][0];
    assert_eq!(
        first["iri"],
        "https://w3id.org/govkg/id/agency/天津市东丽区司法局"
    );
    assert_eq!(first["kind"], "agency");
    assert_eq!(first["label"], "天津市东丽区司法局");
    assert_eq!(first["matched"], serde_json::json!(["区司法局"]));
    // An other name (skos:altLabel) alone finds its entity.
    let court = json(&search("三中院", None));
    assert_eq!(
        court["results"][0]["label"], "天津市第三中级人民法院",
        "{court}"
    );
    assert_eq!(
        court["results"][0]["matched"],
        serde_json::json!(["三中院"])
    );
    // The report count is the number of report graphs that mention the entity.
    let initiative = json(&search("高效", None));
    assert_eq!(initiative["results"][0]["iri"], INITIATIVE, "{initiative}");
    assert_eq!(initiative["results"][0]["reports"], 2, "{initiative}");
    // A name equal to what was typed comes first, before names that only contain it.
    let exact = json(&search("天津市东丽区", None));
    assert_eq!(exact["results"][0]["kind"], "place", "{exact}");
    assert!(exact["results"].as_array().unwrap().len() >= 3, "{exact}");
}

#[test]
fn search_binds_what_was_typed_and_bounds_the_answer() {
    // Quotes and braces are data: nothing is spliced into the query text.
    for typed in [
        "\"} ?s ?p ?o . FILTER(true) #",
        "') } UNION { ?x ?y ?z } #",
        "\\",
    ] {
        let reply = search(typed, None);
        assert_eq!(reply.status, 200, "{typed}: {}", reply.body);
        assert_eq!(json(&reply)["results"], serde_json::json!([]), "{typed}");
    }
    let one = json(&search("天津", Some("1")));
    assert_eq!(one["results"].as_array().unwrap().len(), 1, "{one}");
    assert_eq!(json(&search("天津", Some("100000")))["limit"], 100);
    for limit in ["0", "-1", "many"] {
        assert_eq!(search("天津", Some(limit)).status, 400, "limit={limit}");
    }
    assert_eq!(search("  ", None).status, 400);
    assert_eq!(get("/search").status, 400);
    assert_eq!(search(&"局".repeat(101), None).status, 400);
}

#[test]
fn query_parameters_are_bound_as_the_command_line_binds_them() {
    let implementers = govkg_graph::query::named_query("implementers")
        .unwrap()
        .text;
    let run = |params: &[(&str, &str)]| {
        let mut request = agent().post(url(server(), "/sparql"));
        for (name, value) in params {
            request = request.query(format!("param.{name}"), *value);
        }
        answer(
            request
                .header("Content-Type", "application/sparql-query")
                .send(implementers),
        )
    };
    let bound = run(&[("initiative", "证照分离")]);
    assert_eq!(bound.status, 200, "{}", bound.body);
    let bound = json(&bound);
    assert_eq!(column(&bound, "initiative"), ["证照分离"], "{bound}");
    assert_eq!(
        column(&bound, "agency"),
        ["天津市东丽区人民政府政务服务办公室"]
    );
    // An empty value leaves the variable unbound: every row.
    assert_eq!(
        column(&json(&run(&[("initiative", "")])), "agency").len(),
        4
    );
    let unknown = run(&[("nobody", "1")]);
    assert_eq!(unknown.status, 400);
    assert!(
        unknown.body.contains("no variable ?nobody"),
        "{}",
        unknown.body
    );
    // `<…>` is an IRI, as with --param; GET with a result format, as the page's download links.
    let profile = answer(
        agent()
            .get(url(server(), "/sparql"))
            .query("query", "SELECT ?o WHERE { ?entity a ?o }")
            .query("param.entity", format!("<{INITIATIVE}>"))
            .query("format", "csv")
            .call(),
    );
    assert_eq!(profile.status, 200, "{}", profile.body);
    assert_eq!(
        profile.body,
        "o\r\nhttps://w3id.org/govkg/ontology#Initiative\r\n"
    );
    assert_eq!(
        answer(
            agent()
                .get(url(server(), "/sparql"))
                .query("query", "SELECT ?o WHERE { ?entity a ?o }")
                .query("param.entity", "<not an iri>")
                .call()
        )
        .status,
        400
    );
}

/// A hundred clients at once, each asking for a query, the page and a JSON route: every request
/// is answered (queries wait in line for a worker instead of being refused).
#[test]
fn a_hundred_concurrent_clients_are_all_answered() {
    let clients: Vec<_> = (0..100)
        .map(|i| {
            std::thread::spawn(move || {
                let path = ["/", "/queries", "/app.js"][i % 3];
                [
                    get_query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5", None).status,
                    get(path).status,
                    get("/sparql?query=ASK%20%7B%7D").status,
                ]
            })
        })
        .collect();
    for client in clients {
        assert_eq!(client.join().unwrap(), [200, 200, 200]);
    }
}

/// Queries that each scan the fixture four times over, with a store look-up per row: they run
/// until their time limit.
const HEAVY: &str = "SELECT (COUNT(*) AS ?n) WHERE {
    ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l .
    FILTER EXISTS { ?a ?x ?y . ?d ?z ?w . ?g ?u ?v . ?c ?t ?s }
}";

/// Sends `n` [`HEAVY`] queries, each on a thread of its own that returns the reply's status.
fn heavy_queries(
    handle: &std::sync::Arc<ServerHandle>,
    n: usize,
) -> Vec<std::thread::JoinHandle<u16>> {
    (0..n)
        .map(|_| {
            let handle = handle.clone();
            std::thread::spawn(move || {
                answer(
                    agent()
                        .get(url(&handle, "/sparql"))
                        .query("query", HEAVY)
                        .call(),
                )
                .status
            })
        })
        .collect()
}

/// Waits until the server's (running, waiting, long-running) queries are `wanted`.
fn wait_for_queries(handle: &ServerHandle, wanted: (usize, usize, usize)) {
    let given_up = std::time::Instant::now() + Duration::from_secs(60);
    while handle.queries() != wanted {
        assert!(
            std::time::Instant::now() < given_up,
            "queries {:?}, never {wanted:?}",
            handle.queries()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn cheap_requests_do_not_wait_for_heavy_queries() {
    use govkg::serve::{MAX_LONG, WORKERS};
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_store(&dir.path().join("store"));
    let handle =
        std::sync::Arc::new(spawn(store, "127.0.0.1:0", Duration::from_secs(5), LIMIT).unwrap());
    // Heavy queries that ran a while gave their workers back: a trivial query runs at once.
    let mut heavy = heavy_queries(&handle, MAX_LONG);
    wait_for_queries(&handle, (0, 0, MAX_LONG));
    assert_eq!(get_query_on(&handle, "ASK {}").status, 200);
    assert_eq!(handle.queries().2, MAX_LONG, "answered while they ran");
    // More heavy queries take every worker, and one waits in line: the page is still answered.
    heavy.extend(heavy_queries(&handle, WORKERS + 1));
    wait_for_queries(&handle, (WORKERS, 1, MAX_LONG));
    for path in ["/", "/app.js", "/queries", "/kinds", "/ontology.ttl"] {
        let page = answer(agent().get(url(&handle, path)).call());
        assert_eq!(page.status, 200, "{path}");
    }
    assert_eq!(
        handle.queries(),
        (WORKERS, 1, MAX_LONG),
        "answered while busy"
    );
    // Each heavy query is answered at its limit, the one in line when its wait is over.
    for query in heavy {
        assert_eq!(query.join().unwrap(), 503);
    }
}

fn get_query_on(handle: &ServerHandle, query: &str) -> Answer {
    answer(
        agent()
            .get(url(handle, "/sparql"))
            .query("query", query)
            .call(),
    )
}

#[test]
fn a_query_that_would_build_huge_values_is_refused_and_the_server_goes_on() {
    // 24 nested doublings of a stored value: 1.5 KB of query, gigabytes of string.
    let mut query = String::from("SELECT (STRLEN(?v24) AS ?n) WHERE { ?s ?p ?v0 ");
    for i in 0..24 {
        query.push_str(&format!("BIND(CONCAT(?v{i}, ?v{i}) AS ?v{}) ", i + 1));
    }
    query.push('}');
    let refused = get_query(&query, None);
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused
            .body
            .starts_with("query refused: CONCAT could build a value of up to"),
        "{}",
        refused.body
    );
    assert_eq!(get_query("ASK { ?s ?p ?o }", None).status, 200);
}

#[test]
fn the_network_is_answered_within_the_time_limit() {
    // The drawing takes no cancellation; the reply waits for it at most the limit, here far
    // shorter than any drawing.
    let dir = tempfile::tempdir().unwrap();
    let store = fixture_store(&dir.path().join("store"));
    let handle = spawn(store, "127.0.0.1:0", Duration::from_nanos(1), LIMIT).unwrap();
    let reply = answer(agent().get(url(&handle, "/network")).call());
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.body.trim_end(), "network timed out after 0.0 s");
    // The drawing ends unheard and the server goes on.
    assert_eq!(answer(agent().get(url(&handle, "/")).call()).status, 200);
    handle.shutdown();
}
