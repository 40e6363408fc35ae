//! govkg's graph: the mapping of extraction records to RDF under the project ontology
//! ([`rdf`]), the embedded Oxigraph store ([`store`]), SPARQL queries ([`query`]) and exports
//! ([`export`]).
//!
//! Invariant: plain values in and out, no command line and no threads of its own; everything
//! that touches Oxigraph/RocksDB is here or in the binary.

pub mod export;
pub mod query;
pub mod rdf;
pub mod store;

/// An error and its causes as one line, "outer: inner: cause", without repeats (a cause whose
/// text an outer message already contains) and with whitespace collapsed: how every govkg
/// program prints an error. Re-exported as `govkg::error_line`.
pub fn error_line(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause = Some(err);
    while let Some(error) = cause {
        let text = error.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = error.source();
    }
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
