//! Reads the facts a drawing needs from the store (quad patterns, one scan per predicate),
//! applies the filters and the node limit, and assembles the petgraph graph.
//!
//! Counting rule: a report's statement (a relation it asserts, an entity it mentions) counts when
//! the report is selected (`--report`, `--year`) and, with `--place`, when the report's
//! jurisdiction or the jurisdiction of an entity in the statement has a name containing the
//! place. Edges count the reports asserting them; nodes the reports that name them.

use std::cmp::Reverse;

use anyhow::{bail, Context, Result};
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use petgraph::graph::{DiGraph, NodeIndex};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{DrawEdge, DrawNode, Drawing, LeftOut};
use crate::export::Filter;
use crate::query::{self, Param, Table};
use crate::rdf::{ENTITIES_GRAPH, ID_BASE, ONTOLOGY, REPORT_BASE};
use crate::store::GovStore;
use govkg_core::kinds::{EntityKind, RelationKind};

const PREF_LABEL: &str = "http://www.w3.org/2004/02/skos/core#prefLabel";

/// One relation a report asserts, between interned entities.
struct Assertion {
    report: u32,
    relation: RelationKind,
    agent: u32,
    target: u32,
}

/// What the store says, with reports and entities as small integers.
#[derive(Default)]
struct Facts {
    /// Per report: its year and the IRI of its jurisdiction.
    years: Vec<Option<i32>>,
    report_places: Vec<Option<String>>,
    /// Per entity (the relations' endpoints only): IRI and kind.
    iris: Vec<String>,
    kinds: Vec<EntityKind>,
    ids: FxHashMap<String, u32>,
    /// Entity IRI → IRI of its jurisdiction (entities graph).
    entity_places: FxHashMap<String, String>,
    assertions: Vec<Assertion>,
    /// (report, entity) for every entity a report mentions that is also a relation's endpoint.
    mentions: Vec<(u32, u32)>,
}

/// The entity kind an entity IRI belongs to (its segment after the id base).
fn kind_of_iri(iri: &str) -> Option<EntityKind> {
    let (segment, _) = iri.strip_prefix(ID_BASE)?.split_once('/')?;
    EntityKind::ALL.into_iter().find(|k| k.id() == segment)
}

fn gk(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ONTOLOGY}{local}"))
}

/// Every quad with this predicate, in any graph.
fn each_quad(
    store: &GovStore,
    predicate: NamedNodeRef<'_>,
    mut visit: impl FnMut(Quad),
) -> Result<()> {
    for quad in store
        .oxigraph()
        .quads_for_pattern(None, Some(predicate), None, None)
    {
        visit(quad.context("cannot read the store")?);
    }
    Ok(())
}

fn named(term: &NamedOrBlankNode) -> Option<&str> {
    match term {
        NamedOrBlankNode::NamedNode(n) => Some(n.as_str()),
        NamedOrBlankNode::BlankNode(_) => None,
    }
}

fn object_iri(term: &Term) -> Option<&str> {
    match term {
        Term::NamedNode(n) => Some(n.as_str()),
        _ => None,
    }
}

impl Facts {
    fn read(store: &GovStore, graphs: &[NamedNode]) -> Result<Self> {
        let reports: FxHashMap<&str, u32> = graphs
            .iter()
            .map(NamedNode::as_str)
            .filter(|g| g.starts_with(REPORT_BASE))
            .zip(0..)
            .collect();
        let mut facts = Self {
            years: vec![None; reports.len()],
            report_places: vec![None; reports.len()],
            ..Self::default()
        };
        let report_of = |quad: &Quad| match &quad.graph_name {
            GraphName::NamedNode(g) => reports.get(g.as_str()).copied(),
            _ => None,
        };
        each_quad(store, gk("year").as_ref(), |q| {
            if let (Some(r), Term::Literal(year)) = (report_of(&q), &q.object) {
                facts.years[r as usize] = year.value().parse().ok();
            }
        })?;
        each_quad(store, gk("jurisdiction").as_ref(), |q| {
            facts.read_jurisdiction(&q, report_of(&q));
        })?;
        for relation in RelationKind::ALL {
            each_quad(store, gk(relation.id()).as_ref(), |q| {
                if let Some(r) = report_of(&q) {
                    facts.read_assertion(&q, r, relation);
                }
            })?;
        }
        each_quad(store, gk("mentions").as_ref(), |q| {
            let entity = object_iri(&q.object).and_then(|iri| facts.ids.get(iri));
            if let (Some(r), Some(&e)) = (report_of(&q), entity) {
                facts.mentions.push((r, e));
            }
        })?;
        Ok(facts)
    }

    fn read_jurisdiction(&mut self, quad: &Quad, report: Option<u32>) {
        let (Some(subject), Some(place)) = (named(&quad.subject), object_iri(&quad.object)) else {
            return;
        };
        match (&quad.graph_name, report) {
            (_, Some(r)) => self.report_places[r as usize] = Some(place.to_string()),
            (GraphName::NamedNode(g), None) if g.as_str() == ENTITIES_GRAPH => {
                self.entity_places
                    .insert(subject.to_string(), place.to_string());
            }
            _ => {}
        }
    }

    fn read_assertion(&mut self, quad: &Quad, report: u32, relation: RelationKind) {
        let (Some(agent), Some(target)) = (named(&quad.subject), object_iri(&quad.object)) else {
            return;
        };
        let (Some(agent), Some(target)) = (self.intern(agent), self.intern(target)) else {
            return;
        };
        self.assertions.push(Assertion {
            report,
            relation,
            agent,
            target,
        });
    }

    fn intern(&mut self, iri: &str) -> Option<u32> {
        if let Some(&id) = self.ids.get(iri) {
            return Some(id);
        }
        let kind = kind_of_iri(iri)?;
        let id = u32::try_from(self.iris.len()).ok()?;
        self.iris.push(iri.to_string());
        self.kinds.push(kind);
        self.ids.insert(iri.to_string(), id);
        Some(id)
    }
}

/// The first preferred label of an IRI in the entities graph.
fn pref_label(store: &GovStore, iri: &str) -> Result<Option<String>> {
    let subject = NamedNode::new_unchecked(iri);
    let graph = NamedNode::new_unchecked(ENTITIES_GRAPH);
    let predicate = NamedNode::new_unchecked(PREF_LABEL);
    let mut quads = store.oxigraph().quads_for_pattern(
        Some(subject.as_ref().into()),
        Some(predicate.as_ref()),
        None,
        Some(graph.as_ref().into()),
    );
    Ok(
        match quads.next().transpose().context("cannot read the store")? {
            Some(Quad {
                object: Term::Literal(label),
                ..
            }) => Some(label.value().to_string()),
            _ => None,
        },
    )
}

/// Names of places, looked up once each.
struct PlaceNames<'a> {
    store: &'a GovStore,
    names: FxHashMap<String, Option<String>>,
}

impl PlaceNames<'_> {
    fn name(&mut self, iri: &str) -> Result<Option<String>> {
        if let Some(name) = self.names.get(iri) {
            return Ok(name.clone());
        }
        let name = pref_label(self.store, iri)?;
        self.names.insert(iri.to_string(), name.clone());
        Ok(name)
    }

    fn contains(&mut self, iri: Option<&String>, wanted: &str) -> Result<bool> {
        Ok(match iri {
            Some(iri) => self.name(iri)?.is_some_and(|n| n.contains(wanted)),
            None => false,
        })
    }
}

/// The filters, resolved against the facts.
struct Rules {
    /// Per report: selected by `--year` (`--report` already chose the graphs read).
    report_ok: Vec<bool>,
    /// Per report and per entity: in the `--place` (all true without one).
    report_in_place: Vec<bool>,
    entity_in_place: Vec<bool>,
    initiative: Option<FxHashSet<u32>>,
    agency: Option<FxHashSet<u32>>,
    kinds: Vec<EntityKind>,
}

impl Rules {
    fn new(
        store: &GovStore,
        filter: &Filter,
        facts: &Facts,
        places: &mut PlaceNames,
    ) -> Result<Self> {
        let report_ok = facts
            .years
            .iter()
            .map(|&y| filter.years.is_none_or(|range| range.contains(y)))
            .collect();
        let (report_in_place, entity_in_place) = match &filter.place {
            None => (vec![true; facts.years.len()], vec![true; facts.iris.len()]),
            Some(wanted) => in_place(facts, wanted, places)?,
        };
        Ok(Self {
            report_ok,
            report_in_place,
            entity_in_place,
            initiative: named_set(store, facts, filter.initiative.as_deref(), "initiative")?,
            agency: named_set(store, facts, filter.agency.as_deref(), "agency")?,
            kinds: if filter.kinds.is_empty() {
                EntityKind::ALL.to_vec()
            } else {
                filter.kinds.clone()
            },
        })
    }

    /// Whether entities of this kind are drawn without relations: no relation links the kind to
    /// a kept kind.
    fn alone(&self, kind: EntityKind) -> bool {
        !RelationKind::ALL.into_iter().any(|r| {
            let (from, to) = r.endpoints();
            (from == kind && self.kinds.contains(&to)) || (to == kind && self.kinds.contains(&from))
        })
    }

    /// Whether a report's statement about these entities counts.
    fn counts(&self, report: u32, entities: &[u32]) -> bool {
        self.report_ok[report as usize]
            && (self.report_in_place[report as usize]
                || entities.iter().any(|&e| self.entity_in_place[e as usize]))
    }
}

/// Which reports and which entities have a jurisdiction whose name contains `wanted`.
fn in_place(
    facts: &Facts,
    wanted: &str,
    places: &mut PlaceNames,
) -> Result<(Vec<bool>, Vec<bool>)> {
    let mut reports = Vec::with_capacity(facts.report_places.len());
    for place in &facts.report_places {
        reports.push(places.contains(place.as_ref(), wanted)?);
    }
    let mut entities = Vec::with_capacity(facts.iris.len());
    for iri in &facts.iris {
        entities.push(places.contains(facts.entity_places.get(iri), wanted)?);
    }
    if !reports.contains(&true) && !entities.contains(&true) {
        bail!("no report or entity of a place named like `{wanted}` in the store");
    }
    Ok((reports, entities))
}

/// The entities named `name` (preferred or alternative label), as ids; an error when none.
fn named_set(
    store: &GovStore,
    facts: &Facts,
    name: Option<&str>,
    what: &str,
) -> Result<Option<FxHashSet<u32>>> {
    let Some(name) = name else {
        return Ok(None);
    };
    let iris = entity_names(store, name)?;
    if iris.is_empty() {
        bail!("no {what} named `{name}` in the store");
    }
    Ok(Some(
        iris.iter()
            .filter_map(|i| facts.ids.get(i).copied())
            .collect(),
    ))
}

/// IRIs of entities with this name as preferred or alternative label.
fn entity_names(store: &GovStore, name: &str) -> Result<Vec<String>> {
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

/// Edges and nodes that the filters keep, with their counted reports.
struct Tally {
    /// (agent, relation, target) → reports asserting it.
    edges: FxHashMap<(u32, RelationKind, u32), usize>,
    /// Entity → counted reports that name it (sorted, each once).
    nodes: FxHashMap<u32, Vec<u32>>,
}

fn tally(facts: &Facts, rules: &Rules) -> Tally {
    let mut t = Tally {
        edges: FxHashMap::default(),
        nodes: FxHashMap::default(),
    };
    let kept = |e: u32| rules.kinds.contains(&facts.kinds[e as usize]);
    for a in &facts.assertions {
        let named =
            |set: &Option<FxHashSet<u32>>, e: u32| set.as_ref().is_none_or(|s| s.contains(&e));
        if !rules.counts(a.report, &[a.agent, a.target])
            || !named(&rules.initiative, a.target)
            || !named(&rules.agency, a.agent)
        {
            continue;
        }
        let edge = kept(a.agent) && kept(a.target);
        if edge {
            *t.edges.entry((a.agent, a.relation, a.target)).or_insert(0) += 1;
        }
        // An entity comes with a kept relation, or alone when no relation links its kind to a
        // kept kind (`--kind initiative` lists initiatives; `--kind agency,law` drops the
        // agencies that only implement initiatives).
        let shown = |e: u32| kept(e) && (edge || rules.alone(facts.kinds[e as usize]));
        for e in [a.agent, a.target].into_iter().filter(|&e| shown(e)) {
            t.nodes.entry(e).or_default().push(a.report);
        }
    }
    for &(report, e) in &facts.mentions {
        if let Some(reports) = t.nodes.get_mut(&e) {
            if rules.counts(report, &[e]) {
                reports.push(report);
            }
        }
    }
    for reports in t.nodes.values_mut() {
        reports.sort_unstable();
        reports.dedup();
    }
    t
}

/// `--min-reports`, then `--max-nodes` (the nodes with most relations, then named in most
/// reports, then by IRI), each dropping the edges of the nodes it drops. Ranking by relations
/// keeps the hubs of the network: ranked by reports, a large store's top nodes are nearly all
/// initiatives and laws that every report names, with few edges between them.
fn prune(t: &mut Tally, filter: &Filter, facts: &Facts) -> Option<LeftOut> {
    t.nodes
        .retain(|_, reports| reports.len() >= filter.min_reports);
    retain_edges_of_nodes(t);
    let limit = filter.max_nodes?;
    if t.nodes.len() <= limit {
        return None;
    }
    let mut degree: FxHashMap<u32, usize> = FxHashMap::default();
    for &(a, _, b) in t.edges.keys() {
        *degree.entry(a).or_insert(0) += 1;
        *degree.entry(b).or_insert(0) += 1;
    }
    let mut ranked: Vec<u32> = t.nodes.keys().copied().collect();
    ranked.sort_by_cached_key(|e| {
        let reports = t.nodes[e].len();
        let iri = &facts.iris[*e as usize];
        (
            Reverse(degree.get(e).copied().unwrap_or(0)),
            Reverse(reports),
            iri,
        )
    });
    let nodes_before = t.nodes.len();
    let edges_before = t.edges.len();
    for e in &ranked[limit..] {
        t.nodes.remove(e);
    }
    retain_edges_of_nodes(t);
    Some(LeftOut {
        limit,
        nodes: nodes_before - t.nodes.len(),
        edges: edges_before - t.edges.len(),
    })
}

fn retain_edges_of_nodes(t: &mut Tally) {
    let nodes = &t.nodes;
    t.edges
        .retain(|(a, _, b), _| nodes.contains_key(a) && nodes.contains_key(b));
}

/// The kept nodes and edges as a petgraph graph, in the stable order [`Drawing`] promises.
fn assemble(
    store: &GovStore,
    facts: &Facts,
    t: &Tally,
    places: &mut PlaceNames,
) -> Result<DiGraph<DrawNode, DrawEdge>> {
    let iri = |e: u32| facts.iris[e as usize].as_str();
    let mut edges: Vec<(u32, RelationKind, u32, usize)> = t
        .edges
        .iter()
        .map(|(&(a, r, b), &n)| (a, r, b, n))
        .collect();
    edges.sort_unstable_by(|x, y| {
        (iri(x.0), x.1.id(), iri(x.2)).cmp(&(iri(y.0), y.1.id(), iri(y.2)))
    });
    let mut order: Vec<u32> = Vec::with_capacity(t.nodes.len());
    let mut seen: FxHashSet<u32> = FxHashSet::default();
    for &(a, _, b, _) in &edges {
        order.extend([a, b].into_iter().filter(|&e| seen.insert(e)));
    }
    let mut lonely: Vec<u32> = t
        .nodes
        .keys()
        .copied()
        .filter(|e| !seen.contains(e))
        .collect();
    lonely.sort_unstable_by_key(|&e| iri(e));
    order.extend(lonely);
    let mut graph = DiGraph::with_capacity(order.len(), edges.len());
    let mut index: FxHashMap<u32, NodeIndex> = FxHashMap::default();
    for e in order {
        let node = draw_node(store, facts, e, &t.nodes[&e], places)?;
        index.insert(e, graph.add_node(node));
    }
    for (a, relation, b, reports) in edges {
        graph.add_edge(index[&a], index[&b], DrawEdge { relation, reports });
    }
    Ok(graph)
}

fn draw_node(
    store: &GovStore,
    facts: &Facts,
    e: u32,
    reports: &[u32],
    places: &mut PlaceNames,
) -> Result<DrawNode> {
    let iri = &facts.iris[e as usize];
    let label = match pref_label(store, iri)? {
        Some(label) => label,
        None => iri.rsplit('/').next().unwrap_or(iri).to_string(),
    };
    let jurisdiction = match facts.entity_places.get(iri) {
        Some(place) => places.name(place)?,
        None => None,
    };
    let years = reports.iter().filter_map(|&r| facts.years[r as usize]);
    Ok(DrawNode {
        iri: iri.clone(),
        kind: facts.kinds[e as usize],
        label,
        jurisdiction,
        first_year: years.clone().min(),
        last_year: years.max(),
        reports: reports.len(),
    })
}

pub(super) fn drawing(store: &GovStore, filter: &Filter) -> Result<Drawing> {
    let graphs = crate::export::selected_graphs(store, filter)?;
    let facts = Facts::read(store, &graphs)?;
    let mut places = PlaceNames {
        store,
        names: FxHashMap::default(),
    };
    let rules = Rules::new(store, filter, &facts, &mut places)?;
    let mut tally = tally(&facts, &rules);
    let left_out = prune(&mut tally, filter, &facts);
    let graph = assemble(store, &facts, &tally, &mut places)?;
    Ok(Drawing { graph, left_out })
}
