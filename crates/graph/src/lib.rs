//! govkg's graph: the mapping of extraction records to RDF under the project ontology
//! ([`rdf`]), the embedded Oxigraph store ([`store`]), SPARQL queries ([`query`]) and exports
//! ([`export`]).
//!
//! Invariant: plain values in and out, no command line and no threads of its own; everything
//! that touches Oxigraph/RocksDB is here or in the binary.
//!
//! Public API (everything else is `pub(crate)`):
//! - [`store`]: [`store::GovStore`] (create, open read-only, bulk loader, replace graphs, report
//!   graphs, flush, compact) and [`store::StoreLocation`];
//! - [`rdf`]: [`rdf::report_quads`] and the ontology's IRIs, prefixes and Turtle;
//! - [`query`]: [`query::run`] and [`query::select`] with [`query::Param`]s and a time limit,
//!   failing with a typed [`query::QueryError`]; [`query::Table`] and its output formats
//!   ([`query::OutputFormat`]); the named queries ([`query::NAMED_QUERIES`],
//!   [`query::named_query`]);
//! - [`answer`]: [`answer::write_answer`] (a query's table or graph in the format asked for) and
//!   [`answer::ambiguous_names`] (names given as parameters that more than one entity carries);
//! - [`stats`]: [`stats::Stats`], what a store holds;
//! - [`export`]: [`export::write_rdf`] and [`export::write_drawing`] with an [`export::Filter`];
//! - [`drawing`]: the drawing graph ([`drawing::drawing`]) and its writers ([`drawing::write`]);
//! - [`error_line`]: an error and its causes as one line, as every govkg program prints it.

/// An enum of names users type on the command line (`--format trig`): the enum, `ALL`, `NAMES`
/// (each variant's name, then its aliases), `name()`, and a `FromStr` that accepts exactly
/// `NAMES`, so a flag parser can offer them.
macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident ($what:literal) {
        $($variant:ident => $text:literal $(| $alias:literal)*),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text, $($alias,)*)+];

            /// The name users type.
            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(name: &str) -> Result<Self, String> {
                match name {
                    $($text $(| $alias)* => Ok(Self::$variant),)+
                    _ => Err(format!(concat!("unknown ", $what, " {:?}"), name)),
                }
            }
        }
    };
}

pub mod answer;
pub mod drawing;
pub mod export;
pub mod query;
pub mod rdf;
pub mod stats;
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
