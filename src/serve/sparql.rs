//! `/sparql`: the SPARQL 1.1 Protocol, query operation only, with content negotiation.

use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use super::http::{parse_accept, parse_form, Reply, Request};
use super::Config;
use govkg_graph::query::{Param, QueryError};

pub(crate) const READ_ONLY: &str = "read-only endpoint: SPARQL Update is not accepted";

/// Answers a GET or POST on `/sparql`.
pub(crate) fn handle(request: &Request, store: &Store, config: &Config) -> Reply {
    match answer(request, store, config) {
        Ok(reply) | Err(reply) => reply,
    }
    .with_header("Cache-Control", "no-store")
    .with_header("Vary", "Accept")
}

fn answer(request: &Request, store: &Store, config: &Config) -> Result<Reply, Reply> {
    let mut params = request.query_params()?;
    if request.method == "POST" {
        match request.content_type().as_deref() {
            Some("application/sparql-query") => {
                let text = String::from_utf8(request.body.clone())
                    .map_err(|_| Reply::error(400, "the query is not valid UTF-8"))?;
                params.push(("query".into(), text));
            }
            Some("application/sparql-update") => return Err(Reply::error(403, READ_ONLY)),
            Some("application/x-www-form-urlencoded") => {
                let form = parse_form(&request.body)
                    .map_err(|e| Reply::error(400, &format!("bad form data: {e}")))?;
                params.extend(form);
            }
            other => {
                return Err(Reply::error(
                    415,
                    &format!(
                        "unsupported request body type {}: POST a query as application/sparql-query, or as query=… in application/x-www-form-urlencoded",
                        other.unwrap_or("(none)")
                    ),
                ))
            }
        }
    }
    let values = |name: &str| -> Vec<&str> {
        params
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    if !values("update").is_empty() {
        return Err(Reply::error(403, READ_ONLY));
    }
    if !values("default-graph-uri").is_empty() || !values("named-graph-uri").is_empty() {
        return Err(Reply::error(
            400,
            "default-graph-uri and named-graph-uri are not supported: queries run over the union of all report graphs; use GRAPH <report IRI> { … } in the query to pick reports",
        ));
    }
    let text = match values("query").as_slice() {
        [] => {
            return Err(Reply::error(
                400,
                "no query: send ?query=… (GET) or POST the query as application/sparql-query",
            ))
        }
        [one] => one.to_string(),
        many => {
            return Err(Reply::error(
                400,
                &format!("give one query, not {}", many.len()),
            ))
        }
    };
    let format = match values("format").as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        _ => return Err(Reply::error(400, "give format= at most once")),
    };
    let accept = request.header("accept");
    let bindings = parameters(&params)?;

    let (results, watchdog) =
        govkg_graph::query::run(store, &text, &bindings, Some(config.timeout))
            .map_err(|e| run_error(&e, &text))?;
    let kind = match &results {
        QueryResults::Graph(_) => Kind::Graph,
        _ => Kind::Solutions,
    };
    let output = negotiate(kind, accept, format.as_deref())?;
    let reply = serialize(results, output, config);
    drop(watchdog);
    reply
}

/// The `param.NAME=VALUE` pairs of a request, read as `govkg query --param NAME=VALUE` reads
/// them ([`Param`]: `<…>` an IRI, a whole number a number, anything else a `@zh` name) and bound
/// in the parsed query, never spliced into its text. An empty value leaves the variable unbound.
fn parameters(params: &[(String, String)]) -> Result<Vec<Param>, Reply> {
    params
        .iter()
        .filter_map(|(name, value)| Some((name.strip_prefix("param.")?, value)))
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| {
            if name.contains('=') {
                return Err(Reply::error(
                    400,
                    &format!("param.{name}: not a variable name"),
                ));
            }
            format!("{name}={}", value.trim())
                .parse::<Param>()
                .map_err(|e| Reply::error(400, &format!("param.{name}: {e}")))
        })
        .collect()
}

/// Maps an error from [`govkg_graph::query::run`] to a status: text that is not a query may be
/// an update, which this endpoint refuses as such.
fn run_error(error: &QueryError, text: &str) -> Reply {
    match error {
        QueryError::Syntax(_) if SparqlEvaluator::new().parse_update(text).is_ok() => {
            Reply::error(403, READ_ONLY)
        }
        _ => query_error(error),
    }
}

/// The reply for a query that gave no answer.
pub(crate) fn query_error(error: &QueryError) -> Reply {
    let status = match error {
        QueryError::Syntax(_)
        | QueryError::UnknownParameter(_)
        | QueryError::Unbindable { .. }
        | QueryError::TooLarge(_) => 400,
        QueryError::Timeout(_) => 503,
        QueryError::Evaluation(_) | QueryError::GraphResult => 500,
    };
    Reply::error(status, &error.to_string())
}

/// An error met while reading the solutions: a cancellation is the time limit.
fn evaluation_error(error: &QueryEvaluationError, config: &Config) -> Reply {
    query_error(&QueryError::evaluation(error, Some(config.timeout)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// SELECT and ASK: SPARQL results formats.
    Solutions,
    /// CONSTRUCT and DESCRIBE: RDF formats.
    Graph,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    Results(QueryResultsFormat),
    Rdf(RdfFormat),
}

const JSON_LD: RdfFormat = RdfFormat::JsonLd {
    profile: JsonLdProfileSet::empty(),
};

/// Media types per kind, the default first; `format=` short names after them.
const RESULT_TYPES: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("application/xml", QueryResultsFormat::Xml),
    ("text/xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
];
const RESULT_NAMES: &[(&str, QueryResultsFormat)] = &[
    ("json", QueryResultsFormat::Json),
    ("srj", QueryResultsFormat::Json),
    ("xml", QueryResultsFormat::Xml),
    ("srx", QueryResultsFormat::Xml),
    ("csv", QueryResultsFormat::Csv),
    ("tsv", QueryResultsFormat::Tsv),
];
const GRAPH_TYPES: &[(&str, RdfFormat)] = &[
    ("text/turtle", RdfFormat::Turtle),
    ("application/x-turtle", RdfFormat::Turtle),
    ("application/n-triples", RdfFormat::NTriples),
    ("application/rdf+xml", RdfFormat::RdfXml),
    ("application/xml", RdfFormat::RdfXml),
    ("text/xml", RdfFormat::RdfXml),
    ("application/n-quads", RdfFormat::NQuads),
    ("application/trig", RdfFormat::TriG),
    ("text/n3", RdfFormat::N3),
    ("application/ld+json", JSON_LD),
    ("application/json", JSON_LD),
    ("text/plain", RdfFormat::NTriples),
];
const GRAPH_NAMES: &[(&str, RdfFormat)] = &[
    ("turtle", RdfFormat::Turtle),
    ("ttl", RdfFormat::Turtle),
    ("ntriples", RdfFormat::NTriples),
    ("nt", RdfFormat::NTriples),
    ("rdfxml", RdfFormat::RdfXml),
    ("rdf", RdfFormat::RdfXml),
    ("xml", RdfFormat::RdfXml),
    ("nquads", RdfFormat::NQuads),
    ("nq", RdfFormat::NQuads),
    ("trig", RdfFormat::TriG),
    ("n3", RdfFormat::N3),
    ("jsonld", JSON_LD),
    ("json", JSON_LD),
];

fn table(kind: Kind) -> Vec<(&'static str, Output)> {
    match kind {
        Kind::Solutions => RESULT_TYPES
            .iter()
            .map(|(t, f)| (*t, Output::Results(*f)))
            .collect(),
        Kind::Graph => GRAPH_TYPES
            .iter()
            .map(|(t, f)| (*t, Output::Rdf(*f)))
            .collect(),
    }
}

fn names(kind: Kind) -> Vec<(&'static str, Output)> {
    match kind {
        Kind::Solutions => RESULT_NAMES
            .iter()
            .map(|(t, f)| (*t, Output::Results(*f)))
            .collect(),
        Kind::Graph => GRAPH_NAMES
            .iter()
            .map(|(t, f)| (*t, Output::Rdf(*f)))
            .collect(),
    }
}

fn describe(kind: Kind) -> &'static str {
    match kind {
        Kind::Solutions => "SELECT/ASK results",
        Kind::Graph => "CONSTRUCT/DESCRIBE results",
    }
}

fn available(kind: Kind) -> String {
    let types: Vec<&str> = match kind {
        Kind::Solutions => vec![
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        ],
        Kind::Graph => vec![
            "text/turtle",
            "application/n-triples",
            "application/rdf+xml",
            "application/n-quads",
            "application/trig",
            "application/ld+json",
        ],
    };
    types.join(", ")
}

/// Picks the output format from `format=` (a short name or a media type) or else `Accept`.
/// A browser's navigation `Accept` (with `text/html`) and `*/*` get the default.
pub(crate) fn negotiate(
    kind: Kind,
    accept: Option<&str>,
    format: Option<&str>,
) -> Result<Output, Reply> {
    let table = table(kind);
    let default = table[0].1;
    if let Some(format) = format.map(str::trim).filter(|f| !f.is_empty()) {
        let wanted = format.to_ascii_lowercase();
        let wanted = wanted.split(';').next().unwrap_or_default().trim();
        if let Some((_, output)) = names(kind)
            .into_iter()
            .chain(table.iter().copied())
            .find(|(n, _)| *n == wanted)
        {
            return Ok(output);
        }
        let other = match kind {
            Kind::Solutions => Kind::Graph,
            Kind::Graph => Kind::Solutions,
        };
        let fits_other = names(other)
            .into_iter()
            .chain(self::table(other))
            .any(|(n, _)| n == wanted);
        return Err(if fits_other {
            Reply::error(
                406,
                &format!(
                    "format={format} does not fit {}; use one of: {}",
                    describe(kind),
                    available(kind)
                ),
            )
        } else {
            Reply::error(400, &format!("unknown format={format}"))
        });
    }
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(default);
    };
    let ranges = parse_accept(accept);
    if ranges.iter().any(|r| r.media_type == "text/html") {
        return Ok(default);
    }
    for range in &ranges {
        let media = range.media_type.as_str();
        if media == "*/*" {
            return Ok(default);
        }
        if let Some(main) = media.strip_suffix("/*") {
            if let Some((_, output)) = table
                .iter()
                .find(|(t, _)| t.split('/').next() == Some(main))
            {
                return Ok(*output);
            }
            continue;
        }
        if let Some((_, output)) = table.iter().find(|(t, _)| *t == media) {
            return Ok(*output);
        }
    }
    Err(Reply::error(
        406,
        &format!(
            "cannot give {} as {accept}; acceptable types: {}",
            describe(kind),
            available(kind)
        ),
    ))
}

fn content_type(output: Output) -> String {
    match output {
        Output::Results(QueryResultsFormat::Json) => "application/sparql-results+json".into(),
        Output::Results(QueryResultsFormat::Xml) => "application/sparql-results+xml".into(),
        Output::Results(format) => format.media_type().into(), // CSV and TSV carry the charset
        Output::Rdf(RdfFormat::JsonLd { .. }) => "application/ld+json".into(),
        Output::Rdf(format) => format!("{}; charset=utf-8", format.media_type()),
    }
}

const PREFIXES: &[(&str, &str)] = &[
    ("gk", "https://w3id.org/govkg/ontology#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    (
        "nif",
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    ),
];

/// Writes the whole result into memory while the watchdog is armed, so a query that runs out of
/// time mid-way still gets a clean 503 instead of a truncated 200.
fn serialize(
    results: QueryResults<'static>,
    output: Output,
    config: &Config,
) -> Result<Reply, Reply> {
    let io_error = |e: std::io::Error| Reply::error(500, &format!("cannot write results: {e}"));
    let body = match (results, output) {
        (QueryResults::Solutions(solutions), Output::Results(format)) => {
            let mut serializer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(Vec::new(), solutions.variables().to_vec())
                .map_err(io_error)?;
            for solution in solutions {
                let solution = solution.map_err(|e| evaluation_error(&e, config))?;
                serializer.serialize(&solution).map_err(io_error)?;
            }
            serializer.finish().map_err(io_error)?
        }
        (QueryResults::Boolean(value), Output::Results(format)) => {
            QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(Vec::new(), value)
                .map_err(io_error)?
        }
        (QueryResults::Graph(triples), Output::Rdf(format)) => {
            let mut serializer = RdfSerializer::from_format(format);
            for (name, iri) in PREFIXES {
                serializer = serializer
                    .with_prefix(*name, *iri)
                    .map_err(|e| Reply::error(500, &format!("bad prefix: {e}")))?;
            }
            let mut writer = serializer.for_writer(Vec::new());
            for triple in triples {
                let triple = triple.map_err(|e| evaluation_error(&e, config))?;
                writer.serialize_triple(&triple).map_err(io_error)?;
            }
            writer.finish().map_err(io_error)?
        }
        _ => return Err(Reply::error(500, "result kind and format do not match")),
    };
    Ok(Reply::bytes(200, &content_type(output), body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(kind: Kind, accept: Option<&str>, format: Option<&str>) -> Result<Output, u16> {
        negotiate(kind, accept, format).map_err(|r| r.status)
    }

    #[test]
    fn defaults_and_browsers() {
        let json = Ok(Output::Results(QueryResultsFormat::Json));
        assert_eq!(pick(Kind::Solutions, None, None), json);
        assert_eq!(pick(Kind::Solutions, Some("*/*"), None), json);
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(pick(Kind::Solutions, Some(browser), None), json);
        assert_eq!(
            pick(Kind::Graph, Some(browser), None),
            Ok(Output::Rdf(RdfFormat::Turtle))
        );
    }

    #[test]
    fn accept_picks_the_best_supported() {
        assert_eq!(
            pick(Kind::Solutions, Some("text/csv"), None),
            Ok(Output::Results(QueryResultsFormat::Csv))
        );
        assert_eq!(
            pick(
                Kind::Solutions,
                Some("image/png, text/tab-separated-values;q=0.5"),
                None
            ),
            Ok(Output::Results(QueryResultsFormat::Tsv))
        );
        assert_eq!(
            pick(Kind::Graph, Some("application/n-triples"), None),
            Ok(Output::Rdf(RdfFormat::NTriples))
        );
        assert_eq!(
            pick(Kind::Graph, Some("application/*"), None),
            Ok(Output::Rdf(RdfFormat::Turtle))
        );
        assert_eq!(pick(Kind::Solutions, Some("image/png"), None), Err(406));
        assert_eq!(pick(Kind::Graph, Some("text/csv"), None), Err(406));
    }

    #[test]
    fn format_parameter_wins() {
        assert_eq!(
            pick(Kind::Solutions, Some("text/csv"), Some("xml")),
            Ok(Output::Results(QueryResultsFormat::Xml))
        );
        assert_eq!(
            pick(Kind::Graph, None, Some("application/rdf+xml")),
            Ok(Output::Rdf(RdfFormat::RdfXml))
        );
        assert_eq!(pick(Kind::Graph, None, Some("csv")), Err(406));
        assert_eq!(pick(Kind::Solutions, None, Some("bogus")), Err(400));
    }

    #[test]
    fn updates_in_query_are_refused_as_updates() {
        let syntax = QueryError::Syntax("x".into());
        let reply = run_error(&syntax, "INSERT DATA { <a:a> <a:b> <a:c> }");
        assert_eq!(reply.status, 403);
        assert_eq!(run_error(&syntax, "SELEKT").status, 400);
        let timeout = QueryError::Timeout(std::time::Duration::from_secs(1));
        assert_eq!(run_error(&timeout, "").status, 503);
        assert_eq!(
            run_error(&QueryError::Evaluation("disk".into()), "").status,
            500
        );
    }
}
