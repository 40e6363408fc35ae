//! govkg's core: the knowledge tables and the pure pipeline of one report,
//! segment → extract → resolve, with the record it produces ([`model`]) and its scoring
//! against answer keys ([`eval`]).
//!
//! Invariant: no storage, no RDF, no threads, no command line — text in, records out. That is
//! why this crate's dependencies are string-search and serde crates only, and why
//! `cargo test -p govkg-core` runs without compiling RocksDB.

pub mod budget;
pub mod eval;
pub mod extract;
pub mod gazetteer;
pub mod kinds;
pub mod knowledge;
pub mod model;
pub mod pipeline;
pub mod resolve;
pub mod segment;
pub mod vocabulary;
