//! The govkg program's library half: build orchestration (read → extract in parallel → store),
//! the HTTP server and the push client. The stages themselves live in the workspace crates
//! `govkg-read`, `govkg-core` and `govkg-graph` (ARCHITECTURE.md); the command line is
//! `src/main.rs`.

pub mod build;
pub mod push;
pub mod serve;

/// An error and its causes as one line, "outer: inner: cause", without repeats (a cause whose
/// text an outer message already contains) and with whitespace collapsed: how every govkg
/// program prints an error.
pub fn error_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
