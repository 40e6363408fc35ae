//! Map stage: one report's [`Extraction`] → RDF quads in the report's named graph.
//!
//! Architecture invariant: pure and deterministic. IRIs are minted from canonical names (same
//! body → same IRI in every report) and from character offsets (assertions); mention nodes are
//! blank nodes whose ids are derived from the report and the offsets. Nothing comes from counters
//! or random blank nodes, so two builds of the same reports give identical output.

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};

use govkg_core::kinds::{EntityKind, RelationKind};
use govkg_core::model::*;

pub const ONTOLOGY: &str = "https://w3id.org/govkg/ontology#";
pub const ID_BASE: &str = "https://w3id.org/govkg/id/";
pub const REPORT_BASE: &str = "https://w3id.org/govkg/report/";

/// Prefixes used when serialising (Turtle, TriG) and in the named queries.
pub const PREFIXES: &[(&str, &str)] = &[
    ("gk", ONTOLOGY),
    ("agency", "https://w3id.org/govkg/id/agency/"),
    ("law", "https://w3id.org/govkg/id/law/"),
    ("document", "https://w3id.org/govkg/id/document/"),
    ("initiative", "https://w3id.org/govkg/id/initiative/"),
    ("place", "https://w3id.org/govkg/id/place/"),
    ("report", REPORT_BASE),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("org", "http://www.w3.org/ns/org#"),
    ("eli", "http://data.europa.eu/eli/ontology#"),
    (
        "nif",
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    ),
    ("schema", "https://schema.org/"),
];

/// The ontology, as shipped in `ontology/govkg.ttl`.
pub const ONTOLOGY_TURTLE: &str = include_str!("../../../ontology/govkg.ttl");

fn iri(s: String) -> NamedNode {
    NamedNode::new_unchecked(s)
}

fn gk(local: &str) -> NamedNode {
    cached(ONTOLOGY, local)
}

thread_local! {
    /// Vocabulary terms are built once per thread and cloned, instead of formatted per triple.
    static TERMS: std::cell::RefCell<std::collections::HashMap<(&'static str, String), NamedNode>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn cached(namespace: &'static str, local: &str) -> NamedNode {
    TERMS.with(|terms| {
        terms
            .borrow_mut()
            .entry((namespace, local.to_string()))
            .or_insert_with(|| iri(format!("{namespace}{local}")))
            .clone()
    })
}

fn skos(local: &str) -> NamedNode {
    iri(format!("http://www.w3.org/2004/02/skos/core#{local}"))
}

fn dcterms(local: &str) -> NamedNode {
    iri(format!("http://purl.org/dc/terms/{local}"))
}

fn nif(local: &str) -> NamedNode {
    cached(
        "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
        local,
    )
}

/// Percent-encodes what may not stand in an IRI path segment as is: ASCII outside the
/// unreserved set, white space (including EN SPACE), controls and private-use characters.
/// CJK characters stay readable.
pub fn iri_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let keep = if c.is_ascii() {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
        } else {
            !c.is_whitespace()
                && !c.is_control()
                && !('\u{E000}'..='\u{F8FF}').contains(&c)
                && !('\u{FFF0}'..='\u{FFFF}').contains(&c)
                && !('\u{200B}'..='\u{200F}').contains(&c)
                && c != '\u{FEFF}'
        };
        if keep {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

pub fn report_iri(doc_id: &str) -> NamedNode {
    iri(format!("{REPORT_BASE}{}", iri_segment(doc_id)))
}

pub fn entity_iri(kind: &str, canonical: &str) -> NamedNode {
    iri(format!("{ID_BASE}{kind}/{}", iri_segment(canonical)))
}

pub use govkg_core::model::doc_id;

/// The node of one mention: a blank node whose id is a function of the report, the span and the
/// entity kind, so exports are the same on every build. Mentions are the most numerous nodes;
/// a numeric blank node is stored inline by Oxigraph, where an IRI would add a string per mention
/// to the store's dictionary. `report_hash` is [`report_hash`] of the report's IRI.
fn mention_node(report_hash: u64, span: &MentionSpan, tag: char) -> BlankNode {
    let start = span.start as u64 & 0x7fff_ffff;
    let length = (span.end.saturating_sub(span.start) as u64) & 0x3fff_ffff;
    let kind = match tag {
        'a' => 0,
        'l' => 1,
        'd' => 2,
        'i' => 3,
        'p' => 4,
        _ => 7,
    };
    let low = start << 33 | length << 3 | kind;
    BlankNode::new_from_unique_id(u128::from(report_hash) << 64 | u128::from(low))
}

/// FNV-1a of a report IRI: stable across Rust versions, unlike the std hasher.
fn report_hash(report: &NamedNode) -> u64 {
    report
        .as_str()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

fn zh(s: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(s, "zh")
}

struct Writer {
    graph: GraphName,
    /// Of the report's IRI, computed once for all its mention nodes.
    report_hash: u64,
    quads: Vec<Quad>,
    entities_graph: GraphName,
    /// What entities are (type, names, attributes): shared by all reports.
    entity_quads: Vec<Quad>,
}

impl Writer {
    /// A fact of this report (metadata, mention, relation, evidence).
    fn add(&mut self, s: &(impl Clone + Into<NamedOrBlankNode>), p: NamedNode, o: impl Into<Term>) {
        self.quads
            .push(Quad::new(s.clone(), p, o.into(), self.graph.clone()));
    }
    /// A description of an entity, true whichever report names it.
    fn describe(&mut self, s: &NamedNode, p: NamedNode, o: impl Into<Term>) {
        self.entity_quads.push(Quad::new(
            NamedOrBlankNode::from(s.clone()),
            p,
            o.into(),
            self.entities_graph.clone(),
        ));
    }
    fn labels(&mut self, node: &NamedNode, class: &str, canonical: &str, mentions: &[String]) {
        self.describe(node, rdf::TYPE.into_owned(), gk(class));
        self.describe(node, skos("prefLabel"), zh(canonical));
        for m in mentions {
            if m != canonical {
                self.describe(node, skos("altLabel"), zh(m));
            }
        }
    }
    fn mentions(&mut self, report: &NamedNode, node: &NamedNode, tag: char, spans: &[MentionSpan]) {
        // One direct edge per entity and report, so "in how many reports" needs no mention scan.
        // A mention is where (two integers) and what (gk:mentionOf); its text is one of the
        // entity's labels and the span recovers it, so it is not stored again.
        if !spans.is_empty() {
            self.add(report, gk("mentions"), node.clone());
        }
        for span in spans {
            let m = mention_node(self.report_hash, span, tag);
            self.add(&m, gk("mentionOf"), node.clone());
            self.add(&m, nif("beginIndex"), Literal::from(span.start as i64));
            self.add(&m, nif("endIndex"), Literal::from(span.end as i64));
        }
    }
    #[allow(clippy::too_many_arguments)]
    fn assertion(
        &mut self,
        report: &NamedNode,
        predicate: &str,
        index: usize,
        agent: &NamedNode,
        target: &NamedNode,
        evidence: &str,
        span: Option<CharSpan>,
    ) {
        self.add(agent, gk(predicate), target.clone());
        let st = iri(format!("{}#{predicate}-{index}", report.as_str()));
        self.add(&st, rdf::TYPE.into_owned(), gk("Assertion"));
        self.add(&st, rdf::SUBJECT.into_owned(), agent.clone());
        self.add(&st, rdf::PREDICATE.into_owned(), gk(predicate));
        self.add(&st, rdf::OBJECT.into_owned(), target.clone());
        self.add(&st, gk("evidence"), zh(evidence));
        if let Some(span) = span {
            self.add(&st, nif("beginIndex"), Literal::from(span.start as i64));
            self.add(&st, nif("endIndex"), Literal::from(span.end as i64));
        }
    }
    /// What is particular to an entity of this kind: the `index`th record of its list.
    fn attributes(&mut self, x: &Extraction, kind: EntityKind, index: usize, node: &NamedNode) {
        match kind {
            EntityKind::Agency => {
                let a = &x.agencies[index];
                self.describe(node, gk("level"), Literal::new_simple_literal(&a.level));
                self.describe(node, gk("agencyKind"), Literal::new_simple_literal(&a.kind));
                if let Some(place) = &a.jurisdiction {
                    let p = self.place(place);
                    self.describe(node, gk("jurisdiction"), p);
                }
            }
            EntityKind::Law => {
                let kind = &x.laws[index].kind;
                self.describe(node, gk("lawKind"), Literal::new_simple_literal(kind));
            }
            EntityKind::PolicyDocument => {
                let d = &x.policy_documents[index];
                self.describe(node, dcterms("title"), zh(&d.title));
                let doc_type = Literal::new_simple_literal(&d.doc_type);
                self.describe(node, gk("docType"), doc_type);
                // Who issued it is what this report says.
                if let Some(issuer) = &d.issuer {
                    let agency = entity_iri(EntityKind::Agency.id(), issuer);
                    self.add(node, dcterms("creator"), agency);
                }
            }
            EntityKind::Initiative => {
                let scope = &x.initiatives[index].scope;
                self.describe(node, gk("scope"), Literal::new_simple_literal(scope));
            }
            EntityKind::Place => {
                if let Some(level) = &x.places[index].level {
                    self.describe(node, gk("level"), Literal::new_simple_literal(level));
                }
            }
        }
    }

    /// The places above those the report names, with their levels: `gk:parentPlace` links
    /// each to the place it lies in (a district to its city, a city to its province).
    fn place_hierarchy(&mut self, x: &Extraction) {
        for link in &x.place_hierarchy {
            let node = self.place(&link.place);
            self.describe(&node, gk("level"), Literal::new_simple_literal(&link.level));
            if let Some(parent) = &link.parent {
                let parent = self.place(parent);
                self.describe(&node, gk("parentPlace"), parent);
            }
        }
    }
    fn place(&mut self, canonical: &str) -> NamedNode {
        let node = entity_iri(EntityKind::Place.id(), canonical);
        self.describe(&node, rdf::TYPE.into_owned(), gk("Place"));
        self.describe(&node, skos("prefLabel"), zh(canonical));
        node
    }
}

/// The graph holding what entities are: types, names and attributes. Every report graph adds to
/// it; each description is stored once however many reports name the entity.
pub const ENTITIES_GRAPH: &str = "https://w3id.org/govkg/graph/entities";

/// What one report contributes: its own graph's quads, and entity descriptions for the
/// entities graph.
pub struct ReportQuads {
    pub graph: NamedNode,
    pub quads: Vec<Quad>,
    pub entity_quads: Vec<Quad>,
}

/// All quads of one report.
pub fn report_quads(x: &Extraction) -> ReportQuads {
    let report = report_iri(doc_id(&x.doc));
    let mut w = Writer {
        graph: GraphName::NamedNode(report.clone()),
        report_hash: report_hash(&report),
        quads: Vec::with_capacity(1024),
        entities_graph: GraphName::NamedNode(iri(ENTITIES_GRAPH.to_string())),
        entity_quads: Vec::with_capacity(512),
    };
    w.add(&report, rdf::TYPE.into_owned(), gk("Report"));
    w.add(
        &report,
        dcterms("source"),
        Literal::new_simple_literal(&x.doc),
    );
    if let Some(title) = &x.title {
        w.add(&report, dcterms("title"), zh(title));
    }
    if let Some(year) = x.year {
        w.add(
            &report,
            gk("year"),
            Literal::new_typed_literal(year.to_string(), xsd::INTEGER),
        );
    }
    if let Some(author) = &x.author {
        w.add(
            &report,
            dcterms("creator"),
            entity_iri(EntityKind::Agency.id(), author),
        );
    }
    if let Some(place) = &x.jurisdiction {
        let node = w.place(place);
        w.add(&report, gk("jurisdiction"), node);
    }
    w.place_hierarchy(x);
    if !x.format.is_empty() {
        w.add(
            &report,
            gk("sourceFormat"),
            Literal::new_simple_literal(&x.format),
        );
    }
    if !x.encoding.is_empty() {
        w.add(
            &report,
            gk("encoding"),
            Literal::new_simple_literal(&x.encoding),
        );
    }
    for kind in EntityKind::ALL {
        let info = kind.info();
        for (i, e) in x.entities_of(kind).iter().enumerate() {
            let node = entity_iri(&info.id, e.canonical);
            w.labels(&node, &info.class, e.canonical, e.mentions);
            w.attributes(x, kind, i, &node);
            w.mentions(&report, &node, info.tag, e.spans);
        }
    }
    for kind in RelationKind::ALL {
        let (from, to) = kind.endpoints();
        for (n, r) in x.relations_of(kind).iter().enumerate() {
            let agent = entity_iri(from.id(), r.agent);
            let target = entity_iri(to.id(), r.target);
            w.assertion(&report, kind.id(), n, &agent, &target, r.evidence, r.span);
        }
    }
    // Places repeat (every agency of a district names it): keep each description once.
    let mut seen = std::collections::HashSet::with_capacity(w.entity_quads.len());
    w.entity_quads.retain(|q| seen.insert(q.clone()));
    ReportQuads {
        graph: report,
        quads: w.quads,
        entity_quads: w.entity_quads,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::vocab::rdfs;
    use oxigraph::model::{GraphNameRef, NamedNodeRef, QuadRef};

    #[test]
    fn iri_keeps_cjk_and_encodes_spaces() {
        assert_eq!(
            iri_segment("以案释法\u{2002}月月学法"),
            "以案释法%E2%80%82月月学法"
        );
        assert_eq!(iri_segment("互联网+政务服务"), "互联网%2B政务服务");
        assert_eq!(iri_segment("天津市东丽区司法局"), "天津市东丽区司法局");
    }

    #[test]
    fn same_name_same_iri() {
        assert_eq!(
            entity_iri("agency", "国务院"),
            entity_iri("agency", "国务院")
        );
        assert_ne!(
            entity_iri("agency", "天津市东丽区司法局"),
            entity_iri("agency", "天津市静海区司法局")
        );
    }

    /// The ontology declares every class and property of the registry of kinds, with the
    /// registry's labels, and every relation's domain and range are its endpoints' classes.
    #[test]
    fn the_ontology_declares_the_registry_with_its_labels() {
        use oxigraph::io::RdfFormat;
        use oxigraph::store::Store;
        let store = Store::new().unwrap();
        store
            .load_from_reader(RdfFormat::Turtle, ONTOLOGY_TURTLE.as_bytes())
            .unwrap();
        let label = |node: &NamedNode, lang: &str| -> Option<String> {
            store
                .quads_for_pattern(Some(node.into()), Some(rdfs::LABEL), None, None)
                .filter_map(Result::ok)
                .find_map(|q| match q.object {
                    Term::Literal(l) if l.language() == Some(lang) => Some(l.value().to_string()),
                    _ => None,
                })
        };
        let has = |s: &NamedNode, p: NamedNodeRef<'_>, o: &NamedNode| {
            store
                .contains(QuadRef::new(s, p, o, GraphNameRef::DefaultGraph))
                .unwrap()
        };
        for kind in EntityKind::ALL {
            let info = kind.info();
            let class = gk(&info.class);
            assert!(
                has(&class, rdf::TYPE, &owl("Class")),
                "{class} is not declared"
            );
            assert_eq!(
                label(&class, "zh").as_deref(),
                Some(info.zh.as_str()),
                "{class}"
            );
            assert_eq!(
                label(&class, "en").as_deref(),
                Some(info.en.as_str()),
                "{class}"
            );
        }
        for kind in RelationKind::ALL {
            let info = kind.info();
            let property = gk(&info.id);
            assert!(
                has(&property, rdf::TYPE, &owl("ObjectProperty")),
                "{property}"
            );
            assert_eq!(
                label(&property, "zh").as_deref(),
                Some(info.zh.as_str()),
                "{property}"
            );
            assert_eq!(
                label(&property, "en").as_deref(),
                Some(info.en.as_str()),
                "{property}"
            );
            let (from, to) = kind.endpoints();
            assert!(
                has(&property, rdfs::DOMAIN, &gk(&from.info().class)),
                "{property}"
            );
            assert!(
                has(&property, rdfs::RANGE, &gk(&to.info().class)),
                "{property}"
            );
        }
    }

    fn owl(local: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("http://www.w3.org/2002/07/owl#{local}"))
    }
}
