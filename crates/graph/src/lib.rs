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
