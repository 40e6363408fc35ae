//! govkg: Chinese government reports → knowledge graph.
//!
//! The pipeline is `read → segment → extract → resolve → rdf → store → query/export`;
//! see ARCHITECTURE.md for the map.

pub mod bench;
pub mod build;
pub mod eval;
pub mod export;
pub mod extract;
pub mod knowledge;
pub mod model;
pub mod pipeline;
pub mod push;
pub mod query;
pub mod rdf;
pub mod read;
pub mod resolve;
pub mod segment;
pub mod serve;
pub mod store;
pub mod synth;
