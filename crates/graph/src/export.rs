//! Export stage: the store as Turtle, TriG, N-Quads and the other RDF formats, and the network of
//! agencies, initiatives, laws and documents (the drawing graph, [`crate::drawing`]) as Graphviz
//! DOT, GraphML, GEXF, node/edge CSV or JSON.
//!
//! Output is sorted, so the same store content always gives byte-identical files.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anyhow::{bail, Context, Result};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedNode, Quad};

use crate::drawing::{self, YearRange};
use crate::rdf::PREFIXES;
use crate::store::GovStore;
use govkg_core::kinds::EntityKind;

named_enum! {
    /// Formats of `govkg export`: every RDF format Oxigraph writes, and the drawing graph's
    /// formats (DOT, GraphML, GEXF, node/edge CSV, JSON). The aliases are the usual file
    /// extensions, so `-o graph.nt` tells the format.
    pub enum ExportFormat ("export format") {
        Turtle => "turtle" | "ttl",
        Trig => "trig",
        Ntriples => "ntriples" | "nt",
        Nquads => "nquads" | "nq",
        RdfXml => "rdfxml" | "rdf" | "owl",
        JsonLd => "jsonld" | "json-ld",
        Dot => "dot" | "gv",
        GraphMl => "graphml",
        Gexf => "gexf",
        Csv => "csv",
        Json => "json",
    }
}

impl ExportFormat {
    /// The format a file name's extension names, if any (`graph.ttl` → Turtle).
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        extension.parse().ok()
    }

    /// Whether it writes the drawing graph rather than RDF.
    pub fn is_drawing(self) -> bool {
        self.rdf_format().is_none()
    }

    /// The Oxigraph serialisation format, or None for the drawing's formats.
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
            Self::Dot | Self::GraphMl | Self::Gexf | Self::Csv | Self::Json => return None,
        })
    }
}

/// What to export: all reports, or some; for the drawing's formats also one initiative's or one
/// agency's part, years, a place, kinds of entity, and how many nodes.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Report ids (file stems), file names or report IRIs.
    pub reports: Vec<String>,
    /// The bodies implementing (citing, issuing) the entity of this name.
    pub initiative: Option<String>,
    /// What the agency of this name implements, cites and issued.
    pub agency: Option<String>,
    /// Reports of these years only.
    pub years: Option<YearRange>,
    /// Statements of reports whose jurisdiction, or about entities whose jurisdiction, has a name
    /// containing this.
    pub place: Option<String>,
    /// Entities of these kinds and the relations between them (empty: all kinds); an entity
    /// without such a relation is dropped unless no relation links its kind to a kept kind.
    pub kinds: Vec<EntityKind>,
    /// Nodes named in at least this many of the counted reports.
    pub min_reports: usize,
    /// At most this many nodes: those with most relations, then named in most reports (None: all).
    pub max_nodes: Option<usize>,
}

impl Filter {
    /// Whether it uses a filter that only the drawing's formats understand.
    fn selects_drawing(&self) -> bool {
        self.initiative.is_some()
            || self.agency.is_some()
            || self.years.is_some()
            || self.place.is_some()
            || !self.kinds.is_empty()
            || self.min_reports > 0
            || self.max_nodes.is_some()
    }
}

/// The report graphs a filter selects (all when it names none); unknown names are an error.
pub(crate) fn selected_graphs(store: &GovStore, filter: &Filter) -> Result<Vec<NamedNode>> {
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
pub(crate) fn sort_prefix_lines(serialized: &[u8]) -> Vec<u8> {
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
    if filter.selects_drawing() {
        bail!("--initiative, --agency, --year, --place, --kind, --min-reports and --max-nodes select part of the drawing; use them with --format dot, graphml, gexf, csv or json");
    }
    let graphs = selected_graphs(store, filter)?;
    let mut quads = sorted_quads(store, &graphs)?;
    if !filter.reports.is_empty() {
        // Some reports only: bring along the descriptions of the entities they name.
        quads.extend(descriptions_of_entities_in(store, &quads)?);
    }
    let Some(rdf_format) = format.rdf_format() else {
        bail!("{} is not an RDF format", format.name());
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
pub(crate) fn xml_safe_blank_nodes(t: oxigraph::model::Triple) -> oxigraph::model::Triple {
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

/// Writes the drawing graph in one of its formats; CSV writes the nodes here and the edges to
/// `edges`, which it needs. Returns the drawing, whose `left_out` says what the node limit cut.
pub fn write_drawing(
    store: &GovStore,
    format: ExportFormat,
    filter: &Filter,
    out: &mut impl Write,
    edges: Option<&mut dyn Write>,
) -> Result<drawing::Drawing> {
    let d = drawing::drawing(store, filter)?;
    match format {
        ExportFormat::Dot => drawing::write::dot(&d, out)?,
        ExportFormat::GraphMl => drawing::write::graphml(&d, out)?,
        ExportFormat::Gexf => drawing::write::gexf(&d, out)?,
        ExportFormat::Json => serde_json::to_writer_pretty(&mut *out, &drawing::write::json(&d))?,
        ExportFormat::Csv => {
            let Some(mut edges) = edges else {
                bail!("CSV writes two files, nodes and edges: give -o NAME.csv");
            };
            drawing::write::csv_nodes(&d, out)?;
            drawing::write::csv_edges(&d, &mut edges)?;
        }
        _ => bail!("{} is an RDF format, not a drawing", format.name()),
    }
    Ok(d)
}
