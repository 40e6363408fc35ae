//! The registry of entity and relation kinds: what govkg extracts, and how every later stage
//! names and draws it. The kinds themselves are the enums below, so a `match` names every place
//! that must handle a new one; their names, IRI segments, labels and styles are data
//! (`data/kinds.toml`), loaded once and checked against the enums.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A kind of entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Agency,
    Law,
    PolicyDocument,
    Initiative,
    Place,
}

impl EntityKind {
    pub const ALL: [Self; 5] = [
        Self::Agency,
        Self::Law,
        Self::PolicyDocument,
        Self::Initiative,
        Self::Place,
    ];

    /// Its id in data/kinds.toml, which is also its IRI segment.
    pub fn id(self) -> &'static str {
        match self {
            Self::Agency => "agency",
            Self::Law => "law",
            Self::PolicyDocument => "document",
            Self::Initiative => "initiative",
            Self::Place => "place",
        }
    }

    /// Everything the registry says about it.
    pub fn info(self) -> &'static EntityKindInfo {
        &registry().entities[self as usize]
    }
}

/// A kind of relation between two entities, asserted by a report with its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RelationKind {
    /// An agency carries out an initiative.
    Implements,
    /// An agency studies, publicises or applies a law.
    Cites,
    /// An agency issued a policy document.
    Issued,
}

impl RelationKind {
    pub const ALL: [Self; 3] = [Self::Implements, Self::Cites, Self::Issued];

    /// Its id in data/kinds.toml: the ontology property and the JSON field.
    pub fn id(self) -> &'static str {
        match self {
            Self::Implements => "implements",
            Self::Cites => "cites",
            Self::Issued => "issued",
        }
    }

    /// The kinds it links, agent first.
    pub fn endpoints(self) -> (EntityKind, EntityKind) {
        match self {
            Self::Implements => (EntityKind::Agency, EntityKind::Initiative),
            Self::Cites => (EntityKind::Agency, EntityKind::Law),
            Self::Issued => (EntityKind::Agency, EntityKind::PolicyDocument),
        }
    }

    pub fn info(self) -> &'static RelationInfo {
        &registry().relations[self as usize]
    }
}

/// How an entity kind is named and drawn (a row of data/kinds.toml).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityKindInfo {
    pub id: String,
    pub class: String,
    pub field: String,
    pub tag: char,
    pub zh: String,
    pub en: String,
    pub color: String,
    pub fill: String,
    pub shape: Shape,
}

/// How a relation kind is named and drawn (a row of data/kinds.toml).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationInfo {
    pub id: String,
    pub from: String,
    pub to: String,
    pub zh: String,
    pub en: String,
    pub inverse_zh: String,
    pub inverse_en: String,
    pub color: String,
}

/// Node shapes both drawings have (cytoscape names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    RoundRectangle,
    Rectangle,
    Ellipse,
    Hexagon,
    Diamond,
    Triangle,
}

impl Shape {
    /// Graphviz attributes for the shape.
    pub fn dot(self) -> &'static str {
        match self {
            Self::RoundRectangle => "shape=box, style=\"rounded,filled\"",
            Self::Rectangle => "shape=box, style=filled",
            Self::Ellipse => "shape=ellipse, style=filled",
            Self::Hexagon => "shape=hexagon, style=filled",
            Self::Diamond => "shape=diamond, style=filled",
            Self::Triangle => "shape=triangle, style=filled",
        }
    }
}

/// The whole table, in the order of the enums' variants.
#[derive(Debug, Clone, Serialize)]
pub struct Registry {
    pub entities: Vec<EntityKindInfo>,
    pub relations: Vec<RelationInfo>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    entity: Vec<EntityKindInfo>,
    relation: Vec<RelationInfo>,
}

const KINDS_TOML: &str = include_str!("../../../data/kinds.toml");

/// The registry, from the data/kinds.toml built into the program.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        // The table is part of the program, checked by the tests: a bad one is a build defect.
        parse_registry(KINDS_TOML).unwrap_or_else(|e| panic!("data/kinds.toml: {e}"))
    })
}

/// Parses and checks a kinds table: one entry per enum variant, ordered as the variants, with
/// unique tags and relation endpoints that agree with [`RelationKind::endpoints`].
pub fn parse_registry(text: &str) -> Result<Registry, String> {
    let file: RegistryFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut entities = Vec::with_capacity(EntityKind::ALL.len());
    for kind in EntityKind::ALL {
        let info = file
            .entity
            .iter()
            .find(|e| e.id == kind.id())
            .ok_or_else(|| format!("no [[entity]] with id = \"{}\"", kind.id()))?;
        if entities.iter().any(|e: &EntityKindInfo| e.tag == info.tag) {
            return Err(format!("entity `{}`: tag `{}` is taken", info.id, info.tag));
        }
        entities.push(info.clone());
    }
    if let Some(extra) = file
        .entity
        .iter()
        .find(|e| !EntityKind::ALL.iter().any(|k| k.id() == e.id))
    {
        return Err(format!("entity `{}` is not a kind govkg knows", extra.id));
    }
    let mut relations = Vec::with_capacity(RelationKind::ALL.len());
    for kind in RelationKind::ALL {
        let info = file
            .relation
            .iter()
            .find(|r| r.id == kind.id())
            .ok_or_else(|| format!("no [[relation]] with id = \"{}\"", kind.id()))?;
        let (from, to) = kind.endpoints();
        if info.from != from.id() || info.to != to.id() {
            return Err(format!(
                "relation `{}` links {} → {}, not {} → {}",
                info.id,
                from.id(),
                to.id(),
                info.from,
                info.to
            ));
        }
        relations.push(info.clone());
    }
    if let Some(extra) = file
        .relation
        .iter()
        .find(|r| !RelationKind::ALL.iter().any(|k| k.id() == r.id))
    {
        return Err(format!("relation `{}` is not a kind govkg knows", extra.id));
    }
    Ok(Registry {
        entities,
        relations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_covers_every_kind_in_order() {
        let r = registry();
        for kind in EntityKind::ALL {
            assert_eq!(kind.info().id, kind.id());
        }
        for kind in RelationKind::ALL {
            assert_eq!(kind.info().id, kind.id());
        }
        assert_eq!(r.entities.len(), EntityKind::ALL.len());
    }

    #[test]
    fn a_missing_or_unknown_or_mislinked_kind_is_an_error() {
        let without_place = KINDS_TOML.replace("id = \"place\"", "id = \"region\"");
        let e = parse_registry(&without_place).unwrap_err();
        assert!(e.contains("place"), "{e}");
        let mislinked = KINDS_TOML.replace("to = \"law\"", "to = \"document\"");
        let e = parse_registry(&mislinked).unwrap_err();
        assert!(e.contains("cites"), "{e}");
        let bad_shape = KINDS_TOML.replace("shape = \"hexagon\"", "shape = \"star\"");
        assert!(parse_registry(&bad_shape).is_err());
    }
}
