//! The govkg program's library half: build orchestration (read → extract in parallel → store),
//! the HTTP server and the push client. The stages themselves live in the workspace crates
//! `govkg-read`, `govkg-core` and `govkg-graph` (ARCHITECTURE.md); the command line is
//! `src/main.rs`.

pub mod build;
pub mod push;
pub mod serve;

pub use govkg_graph::error_line;
