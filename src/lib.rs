//! The govkg program's library half: build orchestration (read → extract in parallel → store),
//! the HTTP server and the push client. The stages themselves live in the workspace crates
//! `govkg-read`, `govkg-core` and `govkg-graph` (ARCHITECTURE.md); the command line (and the
//! only use of clap) is the binary, `src/main.rs` and `src/cli.rs`.
//!
//! Public API (everything else is `pub(crate)`):
//! - [`build`]: [`build::build`] (reports → store) with [`build::BuildOptions`], giving a
//!   [`build::BuildOutcome`] whose left-out files are typed [`build::FileFailure`]s;
//!   [`build::extract_paths`], [`build::evaluate`], [`build::read_document`];
//! - [`serve`]: [`serve::run`] with [`serve::ServeOptions`], and [`serve::spawn`] for tests;
//! - [`push`]: [`push::run`] / [`push::push`] with [`push::PushOptions`], failing with a
//!   [`push::PushError`] that says what reached the server;
//! - [`error_line`] (from `govkg-graph`): how every govkg program prints an error.

pub mod build;
pub mod push;
pub mod serve;

pub use govkg_graph::error_line;
