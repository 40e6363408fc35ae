//! Export stage: the store as Turtle, TriG or N-Quads, and agency–initiative–law graphs as
//! Graphviz DOT (built with petgraph).
//!
//! Output is sorted, so the same store content always gives byte-identical files.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anyhow::{bail, Context, Result};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, Quad};
use petgraph::dot::{Config, Dot};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::query::{self, Param, Table};
use crate::rdf::PREFIXES;
use crate::store::GovStore;
use govkg_core::kinds::{EntityKind, RelationKind};

named_enum! {
    /// Formats of `govkg export`: every RDF format Oxigraph writes, and DOT. The aliases are the
    /// usual file extensions, so `-o graph.nt` tells the format.
    pub enum ExportFormat ("export format") {
        Turtle => "turtle" | "ttl",
        Trig => "trig",
        Ntriples => "ntriples" | "nt",
        Nquads => "nquads" | "nq",
        RdfXml => "rdfxml" | "rdf" | "owl",
        JsonLd => "jsonld" | "json-ld",
        Dot => "dot" | "gv",
    }
}

impl ExportFormat {
    /// The format a file name's extension names, if any (`graph.ttl` → Turtle).
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        extension.parse().ok()
    }

    /// The Oxigraph serialisation format, or None for DOT.
    fn rdf_format(self) -> Option<RdfFormat> {
        Some(match self {
            Self::Turtle => RdfFormat::Turtle,
            Self::Trig => RdfFormat::TriG,
            Self::Ntriples => RdfFormat::NTriples,
            Self::Nquads => RdfFormat::NQuads,
            Self::RdfXml => RdfFormat::RdfXml,
            Self::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            Self::Dot => return None,
        })
    }
}

/// What to export: all reports, or some; for DOT also one initiative's or one agency's part.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Report ids (file stems), file names or report IRIs.
    pub reports: Vec<String>,
    pub initiative: Option<String>,
    pub agency: Option<String>,
}

/// The report graphs a filter selects (all when it names none); unknown names are an error.
fn selected_graphs(store: &GovStore, filter: &Filter) -> Result<Vec<NamedNode>> {
    let all = store.report_graphs()?;
    if filter.reports.is_empty() {
        return Ok(all);
    }
    let mut chosen = Vec::new();
    for wanted in &filter.reports {
        let iri = if wanted.starts_with("http") {
            wanted.clone()
        } else {
            crate::rdf::report_iri(crate::rdf::doc_id(wanted)).into_string()
        };
        match all.iter().find(|g| g.as_str() == iri) {
            Some(g) => chosen.push(g.clone()),
            None => bail!("no report `{wanted}` in the store ({} reports; see `govkg query --sparql 'SELECT ?g WHERE {{ GRAPH ?g {{}} }}'`)", all.len()),
        }
    }
    Ok(chosen)
}

fn sorted_quads(store: &GovStore, graphs: &[NamedNode]) -> Result<Vec<Quad>> {
    let mut quads = Vec::new();
    for graph in graphs {
        for quad in store.oxigraph().quads_for_pattern(
            None,
            None,
            None,
            Some(GraphNameRef::NamedNode(graph.as_ref())),
        ) {
            quads.push(quad.context("cannot read the store")?);
        }
    }
    sort_quads(&mut quads);
    Ok(quads)
}

/// Graph, subject, predicate, object order: identical content gives identical files.
fn sort_quads(quads: &mut [Quad]) {
    quads.sort_by_cached_key(|q| {
        (
            q.graph_name.to_string(),
            q.subject.to_string(),
            q.predicate.to_string(),
            q.object.to_string(),
        )
    });
}

/// Quads of the entities graph about the entities these quads refer to.
fn descriptions_of_entities_in(store: &GovStore, quads: &[Quad]) -> Result<Vec<Quad>> {
    let entities_graph = NamedNode::new_unchecked(crate::rdf::ENTITIES_GRAPH);
    let mut entities: BTreeSet<NamedNode> = BTreeSet::new();
    for quad in quads {
        for term in [quad.subject.to_string(), quad.object.to_string()] {
            if let Some(iri) = term.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
                if iri.starts_with(crate::rdf::ID_BASE) {
                    entities.insert(NamedNode::new_unchecked(iri));
                }
            }
        }
    }
    let mut out = Vec::new();
    for entity in &entities {
        for quad in store.oxigraph().quads_for_pattern(
            Some(entity.as_ref().into()),
            None,
            None,
            Some(GraphNameRef::NamedNode(entities_graph.as_ref())),
        ) {
            out.push(quad.context("cannot read the store")?);
        }
    }
    sort_quads(&mut out);
    Ok(out)
}

/// Writes RDF. Turtle merges the selected report graphs into one graph (each triple once);
/// TriG and N-Quads keep one named graph per report.
pub fn write_rdf(
    store: &GovStore,
    format: ExportFormat,
    filter: &Filter,
    out: &mut impl Write,
) -> Result<usize> {
    let mut buffer = Vec::new();
    let count = write_rdf_unsorted_prefixes(store, format, filter, &mut buffer)?;
    out.write_all(&sort_prefix_lines(&buffer))?;
    Ok(count)
}

/// The serializer keeps prefixes in a hash map, so their order varies from run to run; sort the
/// leading `@prefix` lines to make the output byte-identical for identical content.
fn sort_prefix_lines(serialized: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(serialized);
    let mut prefixes: Vec<&str> = Vec::new();
    let mut rest = text.as_ref();
    while rest.starts_with("@prefix ") {
        let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        prefixes.push(&rest[..end]);
        rest = &rest[end..];
    }
    prefixes.sort_unstable();
    let mut out = prefixes.concat();
    out.push_str(rest);
    out.into_bytes()
}

fn write_rdf_unsorted_prefixes(
    store: &GovStore,
    format: ExportFormat,
    filter: &Filter,
    out: &mut impl Write,
) -> Result<usize> {
    if filter.initiative.is_some() || filter.agency.is_some() {
        bail!("--initiative and --agency select a DOT subgraph; use them with --format dot");
    }
    let graphs = selected_graphs(store, filter)?;
    let mut quads = sorted_quads(store, &graphs)?;
    if !filter.reports.is_empty() {
        // Some reports only: bring along the descriptions of the entities they name.
        quads.extend(descriptions_of_entities_in(store, &quads)?);
    }
    let Some(rdf_format) = format.rdf_format() else {
        bail!("DOT is not an RDF format");
    };
    let mut serializer = RdfSerializer::from_format(rdf_format);
    if !matches!(rdf_format, RdfFormat::NQuads | RdfFormat::NTriples) {
        for (prefix, iri) in PREFIXES {
            serializer = serializer
                .with_prefix(*prefix, *iri)
                .context("bad prefix")?;
        }
    }
    let mut writer = serializer.for_writer(out);
    let mut count = 0;
    if rdf_format.supports_datasets() {
        for quad in &quads {
            writer.serialize_quad(quad)?;
            count += 1;
        }
    } else {
        // A format without named graphs gets the union of the graphs, each triple once.
        let xml = rdf_format == RdfFormat::RdfXml;
        let triples: BTreeMap<String, oxigraph::model::Triple> = quads
            .into_iter()
            .map(|q| {
                let mut t = oxigraph::model::Triple::from(q);
                if xml {
                    t = xml_safe_blank_nodes(t);
                }
                (t.to_string(), t)
            })
            .collect();
        for triple in triples.values() {
            writer.serialize_triple(triple)?;
            count += 1;
        }
    }
    writer.finish().context("cannot write output")?;
    Ok(count)
}

/// RDF/XML writes a blank node's id as an `rdf:nodeID`, which must be an XML name: govkg's
/// mention ids are hex digits, so they get a letter in front (Oxigraph writes them as they are).
fn xml_safe_blank_nodes(t: oxigraph::model::Triple) -> oxigraph::model::Triple {
    use oxigraph::model::{BlankNode, NamedOrBlankNode, Term};
    let rename = |b: &BlankNode| BlankNode::new_unchecked(format!("b{}", b.as_str()));
    let subject = match t.subject {
        NamedOrBlankNode::BlankNode(b) => NamedOrBlankNode::BlankNode(rename(&b)),
        other => other,
    };
    let object = match t.object {
        Term::BlankNode(b) => Term::BlankNode(rename(&b)),
        other => other,
    };
    oxigraph::model::Triple::new(subject, t.predicate, object)
}

#[derive(Debug, Clone)]
struct Node {
    label: String,
    kind: EntityKind,
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

#[derive(Debug, Clone)]
struct Edge {
    relation: RelationKind,
    reports: usize,
}

impl std::fmt::Display for Edge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = &self.relation.info().zh;
        if self.reports > 1 {
            write!(f, "{label} ×{}", self.reports)
        } else {
            f.write_str(label)
        }
    }
}

/// Every asserted relation with the number of reports asserting it; `#ONLY_GRAPH#` restricts it
/// to one report graph.
fn edges_query() -> String {
    let predicates: Vec<String> = RelationKind::ALL
        .iter()
        .map(|k| format!("gk:{}", k.id()))
        .collect();
    format!(
        r#"
PREFIX gk: <https://w3id.org/govkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?a ?aLabel ?p ?t ?tLabel ?reports WHERE {{
  {{
    SELECT ?a ?p ?t (COUNT(DISTINCT ?r) AS ?reports) WHERE {{
      #ONLY_GRAPH#
      GRAPH ?r {{ ?a ?p ?t . FILTER(?p IN ({})) }}
    }} GROUP BY ?a ?p ?t
  }}
  ?a skos:prefLabel ?aLabel .
  ?t skos:prefLabel ?tLabel .
}}
"#,
        predicates.join(", ")
    )
}

/// The relation kind whose ontology property is `iri`.
fn relation_of_predicate(iri: &str) -> Option<RelationKind> {
    let local = iri.strip_prefix(crate::rdf::ONTOLOGY)?;
    RelationKind::ALL.into_iter().find(|k| k.id() == local)
}

/// The relations graph as DOT: one node per entity and one edge per relation, labelled in
/// Chinese, drawn in the shapes and colours of the registry of kinds (data/kinds.toml).
pub fn write_dot(
    store: &GovStore,
    filter: &Filter,
    out: &mut impl Write,
) -> Result<(usize, usize)> {
    draw_dot(&relation_edges(store, filter)?, out)
}

/// (agent IRI, predicate IRI, target IRI) → (agent label, target label, reports asserting it).
type Edges = BTreeMap<(String, String, String), (String, String, usize)>;

/// The relations the filter keeps, each with the number of reports that assert it.
fn relation_edges(store: &GovStore, filter: &Filter) -> Result<Edges> {
    let graphs = if filter.reports.is_empty() {
        Vec::new()
    } else {
        selected_graphs(store, filter)?
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let graph_params: Vec<Option<NamedNode>> = if graphs.is_empty() {
        vec![None]
    } else {
        graphs.into_iter().map(Some).collect()
    };
    for graph in graph_params {
        let restriction = graph
            .map(|g| format!("VALUES ?r {{ {g} }}"))
            .unwrap_or_default();
        let sparql = edges_query().replace("#ONLY_GRAPH#", &restriction);
        let table = query::select(store.oxigraph(), &sparql, &[], None)?;
        for row in &table.rows {
            rows.push(row.iter().map(|t| Table::cell_text(t.as_ref())).collect());
        }
    }
    let names_of = |labels: &str| -> Result<BTreeSet<String>> { entity_names(store, labels) };
    let initiative_iris = filter.initiative.as_deref().map(names_of).transpose()?;
    let agency_iris = filter.agency.as_deref().map(names_of).transpose()?;
    if let (Some(set), Some(name)) = (&initiative_iris, &filter.initiative) {
        if set.is_empty() {
            bail!("no initiative named `{name}` in the store");
        }
    }
    if let (Some(set), Some(name)) = (&agency_iris, &filter.agency) {
        if set.is_empty() {
            bail!("no agency named `{name}` in the store");
        }
    }
    let mut edges = Edges::new();
    for row in rows {
        let [a, a_label, p, t, t_label, reports] =
            <[String; 6]>::try_from(row).map_err(|_| anyhow::anyhow!("unexpected result shape"))?;
        if initiative_iris
            .as_ref()
            .is_some_and(|set| !set.contains(&t))
        {
            continue;
        }
        if agency_iris.as_ref().is_some_and(|set| !set.contains(&a)) {
            continue;
        }
        let n: usize = reports.parse().unwrap_or(1);
        let entry = edges.entry((a, p, t)).or_insert((a_label, t_label, 0));
        entry.2 += n;
    }
    Ok(edges)
}

/// The edges as a DOT drawing in the registry's shapes and colours; (nodes, edges) drawn.
fn draw_dot(edges: &Edges, out: &mut impl Write) -> Result<(usize, usize)> {
    let mut graph: DiGraph<Node, Edge> = DiGraph::new();
    let mut index: BTreeMap<String, NodeIndex> = BTreeMap::new();
    let mut node = |graph: &mut DiGraph<Node, Edge>, iri: &str, label: &str, kind: EntityKind| {
        *index.entry(iri.to_string()).or_insert_with(|| {
            graph.add_node(Node {
                label: label.to_string(),
                kind,
            })
        })
    };
    for ((a, p, t), (a_label, t_label, reports)) in edges {
        let Some(relation) = relation_of_predicate(p) else {
            continue;
        };
        let (from_kind, to_kind) = relation.endpoints();
        let from = node(&mut graph, a, a_label, from_kind);
        let to = node(&mut graph, t, t_label, to_kind);
        graph.add_edge(
            from,
            to,
            Edge {
                relation,
                reports: *reports,
            },
        );
    }
    let node_attrs = |_, (_, n): (NodeIndex, &Node)| -> String {
        let info = n.kind.info();
        format!(
            "{}, fillcolor=\"{}\", color=\"{}\"",
            info.shape.dot(),
            info.fill,
            info.color
        )
    };
    let edge_attrs = |_, e: petgraph::graph::EdgeReference<'_, Edge>| -> String {
        let color = &e.weight().relation.info().color;
        format!("color=\"{color}\", fontcolor=\"{color}\"")
    };
    let dot = Dot::with_attr_getters(
        &graph,
        &[Config::GraphContentOnly],
        &edge_attrs,
        &node_attrs,
    );
    writeln!(out, "digraph govkg {{")?;
    writeln!(
        out,
        "    graph [rankdir=LR, fontname=\"Noto Sans CJK SC\", overlap=false];"
    )?;
    writeln!(
        out,
        "    node [fontname=\"Noto Sans CJK SC\", fontsize=11];"
    )?;
    writeln!(out, "    edge [fontname=\"Noto Sans CJK SC\", fontsize=9];")?;
    write!(out, "{dot}")?;
    writeln!(out, "}}")?;
    Ok((graph.node_count(), graph.edge_count()))
}

/// IRIs of entities with this name as preferred or alternative label.
fn entity_names(store: &GovStore, name: &str) -> Result<BTreeSet<String>> {
    let sparql = r#"PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?e ?name WHERE { { ?e skos:prefLabel ?name } UNION { ?e skos:altLabel ?name } }"#;
    let params = [Param {
        variable: oxigraph::sparql::Variable::new_unchecked("name"),
        value: oxigraph::model::Literal::new_language_tagged_literal_unchecked(name, "zh").into(),
    }];
    let table = query::select(store.oxigraph(), sparql, &params, None)?;
    Ok(table
        .rows
        .iter()
        .map(|r| Table::cell_text(r[0].as_ref()))
        .collect())
}
