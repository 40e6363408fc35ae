//! `/profile?iri=…`: everything the page shows about one entity, as JSON.
//!
//! The relation rows come from the named query `entity-profile`; names, attributes, incoming
//! links (documents an agency issued, bodies in a place) and mention counts come from the small
//! queries below. The entity is bound with a [`Param`], never spliced into query text.
//!
//! The parameter is bound in each query's algebra (`govkg_graph::query::run`), so a
//! query need not project `?entity`; those that do answer it as a column.

use oxigraph::model::vocab::xsd;
use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::Variable;
use oxigraph::store::Store;
use serde_json::{json, Map, Value};

use super::http::{Reply, Request};
use super::Config;
use govkg_core::kinds::RelationKind;
use govkg_graph::query::{select, Param, QueryError, Table};

const PREFIXES: &str = "PREFIX gk: <https://w3id.org/govkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
";

/// The entity's own statements (types, names, attributes, jurisdiction, creator…), without
/// the relations of the registry, which come with their evidence from `entity-profile`.
fn facts_query() -> String {
    let relations: Vec<String> = RelationKind::ALL
        .iter()
        .map(|k| format!("gk:{}", k.id()))
        .collect();
    format!(
        "SELECT DISTINCT ?entity ?p ?o ?label WHERE {{
  ?entity ?p ?o .
  FILTER(?p NOT IN ({}))
  OPTIONAL {{ ?o skos:prefLabel ?label }}
}}",
        relations.join(", ")
    )
}

/// Statements about other things that point at the entity, besides the registry's relations.
const LINKS_IN: &str = "SELECT DISTINCT ?entity ?p ?s ?label WHERE {
  ?s ?p ?entity .
  FILTER(?p IN (dcterms:creator, gk:jurisdiction))
  OPTIONAL { ?s skos:prefLabel ?prefLabel }
  OPTIONAL { ?s dcterms:title ?title }
  BIND(COALESCE(?prefLabel, ?title) AS ?label)
}
ORDER BY ?p ?label
LIMIT 500";

/// In which reports the entity is mentioned, and how often.
const MENTIONS: &str =
    "SELECT ?entity ?report ?title ?year (COUNT(DISTINCT ?m) AS ?mentions) WHERE {
  GRAPH ?r {
    ?m gk:mentionOf ?entity .
    ?r dcterms:source ?report .
    OPTIONAL { ?r dcterms:title ?title }
    OPTIONAL { ?r gk:year ?year }
  }
}
GROUP BY ?entity ?report ?title ?year
ORDER BY ?year ?report";

/// The named query `entity-profile` (queries/entity-profile.rq), which projects `?entity`.
const ENTITY_PROFILE: &str = include_str!("../../queries/entity-profile.rq");

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const PREF_LABEL: &str = "http://www.w3.org/2004/02/skos/core#prefLabel";
const ALT_LABEL: &str = "http://www.w3.org/2004/02/skos/core#altLabel";
const GK: &str = "https://w3id.org/govkg/ontology#";

pub(crate) fn handle(request: &Request, store: &Store, config: &Config) -> Reply {
    let params = match request.query_params() {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    let Some((_, iri)) = params.iter().find(|(n, _)| n == "iri") else {
        return Reply::error(400, "give the entity as /profile?iri=<IRI>");
    };
    let iri = iri.trim();
    let iri = iri
        .strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .unwrap_or(iri);
    let entity = match NamedNode::new(iri) {
        Ok(node) => node,
        Err(e) => return Reply::error(400, &format!("not an IRI: {iri}: {e}")),
    };
    match profile(store, entity, config) {
        Ok(Some(value)) => Reply::json(200, &value).with_header("Cache-Control", "no-store"),
        Ok(None) => Reply::error(404, &format!("the store says nothing about <{iri}>")),
        Err(e) => super::sparql::query_error(&e),
    }
}

fn profile(store: &Store, entity: NamedNode, config: &Config) -> Result<Option<Value>, QueryError> {
    let param = [Param {
        variable: Variable::new_unchecked("entity"),
        value: entity.clone().into(),
    }];
    let timeout = Some(config.timeout);
    let run = |text: &str| select(store, &format!("{PREFIXES}{text}"), &param, timeout);
    let facts = run(&facts_query())?;
    let links_in = run(LINKS_IN)?;
    let mentions = run(MENTIONS)?;
    let relations = select(store, ENTITY_PROFILE, &param, timeout)?;
    if facts.rows.is_empty() && links_in.rows.is_empty() && relations.rows.is_empty() {
        return Ok(None);
    }

    let mut kinds = Vec::new();
    let mut pref_labels = Vec::new();
    let mut alt_labels = Vec::new();
    let mut other_facts = Vec::new();
    for row in &facts.rows {
        let (Some(Term::NamedNode(p)), Some(o)) = (&row[1], &row[2]) else {
            continue;
        };
        let text = Table::cell_text(Some(o));
        match p.as_str() {
            RDF_TYPE => kinds.push(text.strip_prefix(GK).unwrap_or(&text).to_string()),
            PREF_LABEL => pref_labels.push(text),
            ALT_LABEL => alt_labels.push(text),
            property => other_facts.push(json!({
                "property": property,
                "name": local_name(property),
                "value": cell(Some(o)),
                "iri": matches!(o, Term::NamedNode(_)).then_some(text),
                "label": cell(row[3].as_ref()),
            })),
        }
    }
    dedup(&mut kinds);
    dedup(&mut pref_labels);
    dedup(&mut alt_labels);
    let label = pref_labels.first().cloned();
    // A second preferred label (from a differently resolved report) is still a name of the entity.
    alt_labels.extend(pref_labels.iter().skip(1).cloned());
    alt_labels.retain(|a| Some(a) != label.as_ref());
    dedup(&mut alt_labels);

    let links: Vec<Value> = links_in
        .rows
        .iter()
        .filter_map(|row| {
            let Some(Term::NamedNode(p)) = &row[1] else {
                return None;
            };
            Some(json!({
                "direction": "in",
                "property": p.as_str(),
                "name": local_name(p.as_str()),
                "iri": cell(row[2].as_ref()),
                "label": cell(row[3].as_ref()),
            }))
        })
        .collect();

    Ok(Some(json!({
        "iri": entity.as_str(),
        "kind": kinds.iter().find(|k| !k.contains(':')).or(kinds.first()),
        "kinds": kinds,
        "label": label,
        "altLabels": alt_labels,
        "facts": other_facts,
        "relations": table_json(&relations),
        "links": links,
        "reports": table_json(&mentions),
    })))
}

fn dedup(values: &mut Vec<String>) {
    values.sort();
    values.dedup();
}

fn local_name(iri: &str) -> &str {
    iri.rsplit(['#', '/']).next().unwrap_or(iri)
}

/// A cell as JSON: integers as numbers, everything else as its plain text.
fn cell(term: Option<&Term>) -> Value {
    match term {
        None => Value::Null,
        Some(Term::Literal(l)) if l.datatype() == xsd::INTEGER => l
            .value()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(l.value())),
        Some(t) => Value::from(Table::cell_text(Some(t))),
    }
}

/// Rows as objects keyed by variable name.
fn table_json(table: &Table) -> Value {
    Value::Array(
        table
            .rows
            .iter()
            .map(|row| {
                let mut object = Map::new();
                for (name, term) in table.variables.iter().zip(row) {
                    object.insert(name.clone(), cell(term.as_ref()));
                }
                Value::Object(object)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entity_profile_query_accepts_its_parameter() {
        let store = Store::new().unwrap();
        let param = [Param {
            variable: Variable::new("entity").unwrap(),
            value: NamedNode::new("https://w3id.org/govkg/id/agency/x")
                .unwrap()
                .into(),
        }];
        select_ok(&store, ENTITY_PROFILE, &param);
        let table = select(&store, ENTITY_PROFILE, &param, None).unwrap();
        assert_eq!(table.variables.first().map(String::as_str), Some("entity"));
        for text in [facts_query().as_str(), LINKS_IN, MENTIONS] {
            select_ok(&store, &format!("{PREFIXES}{text}"), &param);
        }
    }

    fn select_ok(store: &Store, text: &str, param: &[Param]) {
        if let Err(e) = select(store, text, param, None) {
            panic!("{e:#}");
        }
    }
}
