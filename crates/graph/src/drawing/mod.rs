//! The drawing graph: the store's entities and relations as one in-memory network, computed once
//! with the filters of `govkg export`, then written as DOT, GraphML, GEXF, node/edge CSV or
//! JSON ([`write`]).
//!
//! A node is an entity that takes part in a relation the filters keep; it carries its kind,
//! label, jurisdiction, the first and last year of the reports that name it and how many reports
//! name it. An edge is a relation with the number of reports asserting it. Everything comes
//! from quad patterns over the report graphs and the entities graph (see [`collect`]).

mod collect;
pub mod write;

use std::str::FromStr;

use anyhow::Result;
use petgraph::graph::DiGraph;

use crate::export::Filter;
use crate::store::GovStore;
use govkg_core::kinds::{EntityKind, RelationKind};

/// The node limit of a DOT drawing when none is given: Graphviz lays out this many in seconds.
pub const DOT_MAX_NODES: usize = 150;

/// One entity of the drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawNode {
    pub iri: String,
    pub kind: EntityKind,
    pub label: String,
    /// The name of its jurisdiction (agencies), if the store knows one.
    pub jurisdiction: Option<String>,
    /// First and last year of the counted reports that name it (reports without a year aside).
    pub first_year: Option<i32>,
    pub last_year: Option<i32>,
    /// Counted reports that name it or assert one of its relations.
    pub reports: usize,
}

impl std::fmt::Display for DrawNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// One relation of the drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawEdge {
    pub relation: RelationKind,
    /// Counted reports asserting it.
    pub reports: usize,
}

impl std::fmt::Display for DrawEdge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = &self.relation.info().zh;
        if self.reports > 1 {
            write!(f, "{label} ×{}", self.reports)
        } else {
            f.write_str(label)
        }
    }
}

/// What `--max-nodes` cut from the drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeftOut {
    pub limit: usize,
    pub nodes: usize,
    pub edges: usize,
}

impl LeftOut {
    /// One line for readers: what is missing and which flag shows it.
    pub fn note(&self) -> String {
        format!(
            "showing the {} nodes with most relations; {} more nodes and {} edges left out \
             (--max-nodes N shows more, --max-nodes 0 all; --kind, --year, --place, \
             --min-reports narrow the graph)",
            self.limit, self.nodes, self.edges
        )
    }
}

/// The network: nodes in a stable order (first appearance along the edges sorted by agent,
/// relation and target; then the nodes without edges, by IRI), and what the node limit cut.
#[derive(Debug, Clone)]
pub struct Drawing {
    pub graph: DiGraph<DrawNode, DrawEdge>,
    pub left_out: Option<LeftOut>,
}

/// The drawing of the store's relations under `filter`.
pub fn drawing(store: &GovStore, filter: &Filter) -> Result<Drawing> {
    collect::drawing(store, filter)
}

/// Years a drawing keeps: one year (`2024`) or an inclusive range (`2022-2024`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearRange {
    pub first: i32,
    pub last: i32,
}

impl YearRange {
    pub fn contains(self, year: Option<i32>) -> bool {
        year.is_some_and(|y| self.first <= y && y <= self.last)
    }
}

impl FromStr for YearRange {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a year (2024) or a range of years (2022-2024)");
        let year = |s: &str| s.trim().parse::<i32>().map_err(|_| bad());
        let (first, last) = match text.split_once('-') {
            Some((a, b)) => (year(a)?, year(b)?),
            None => (year(text)?, year(text)?),
        };
        if first > last {
            return Err(format!("`{text}`: the first year is after the last"));
        }
        Ok(Self { first, last })
    }
}

/// The entity kind a `--kind` value names (its id in data/kinds.toml).
pub fn entity_kind(id: &str) -> Result<EntityKind, String> {
    EntityKind::ALL
        .into_iter()
        .find(|k| k.id() == id)
        .ok_or_else(|| {
            let ids: Vec<&str> = EntityKind::ALL.iter().map(|k| k.id()).collect();
            format!("unknown kind `{id}` (kinds: {})", ids.join(", "))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_ranges_parse() {
        let y: YearRange = "2024".parse().unwrap();
        assert!(y.contains(Some(2024)) && !y.contains(Some(2023)) && !y.contains(None));
        let r: YearRange = "2022-2024".parse().unwrap();
        assert_eq!((r.first, r.last), (2022, 2024));
        assert!("2024-2022".parse::<YearRange>().is_err());
        assert!("twenty".parse::<YearRange>().is_err());
    }

    #[test]
    fn kinds_are_the_registry_ids() {
        for kind in EntityKind::ALL {
            assert_eq!(entity_kind(kind.id()), Ok(kind));
        }
        assert!(entity_kind("person").unwrap_err().contains("agency"));
    }
}
