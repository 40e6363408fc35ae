//! govkg's fuzz targets, in one place for both of their drivers: libFuzzer (`fuzz/`, run with
//! `cargo +nightly fuzz run TARGET`) and the bounded pass of the stable test suite
//! (`tests/bounded.rs`: every seed plus a fixed number of seeded mutations of each).
//!
//! A target takes any bytes and panics only when govkg breaks a promise on them: a panic of
//! its own, or an invariant of its output (spans inside the text and on its characters, no
//! entity without a name, error messages on one line). Hangs and memory blow-ups are caught
//! by the driver (libFuzzer's `-timeout` and `-rss_limit_mb`; the bounded pass's inputs are
//! small and it runs under the test harness).

pub mod mutate;
pub mod seeds;
mod targets;

pub use targets::{extract, read, READ_EXTENSIONS};
#[cfg(feature = "graph")]
pub use targets::{http, rdf};

/// One fuzz target: its name (the libFuzzer binary and corpus folder) and its body.
#[derive(Clone, Copy)]
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target this build has (the RocksDB ones only with the `graph` feature).
pub fn all_targets() -> Vec<Target> {
    // `mut` is needed only when the graph feature adds its targets.
    #[cfg_attr(not(feature = "graph"), allow(unused_mut))]
    let mut targets = vec![
        Target {
            name: "read",
            run: read,
        },
        Target {
            name: "extract",
            run: extract,
        },
    ];
    #[cfg(feature = "graph")]
    targets.extend([
        Target {
            name: "rdf",
            run: rdf,
        },
        Target {
            name: "http",
            run: http,
        },
    ]);
    targets
}
