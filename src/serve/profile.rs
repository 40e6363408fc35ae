//! `/profile?iri=…`: everything the page shows about one entity, as JSON.
//!
//! The relation rows come from the named query `entity-profile`; names, attributes, incoming
//! links (documents an agency issued, bodies in a place) and mention counts come from the small
//! queries below. The entity is bound with a [`Param`], never spliced into query text.
//!
//! Oxigraph substitutes only variables of the outermost SELECT projection (a substitution is an
//! initial binding of the projected solution), so every query here projects `?entity`; for the
//! named query, [`project_variable`] adds it to the projection when the query text does not.

use oxigraph::model::vocab::xsd;
use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::Variable;
use oxigraph::store::Store;
use serde_json::{json, Map, Value};

use super::http::{Reply, Request};
use super::Config;
use govkg_core::kinds::RelationKind;
use govkg_graph::query::{named_query, select, Param, Table};

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

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const PREF_LABEL: &str = "http://www.w3.org/2004/02/skos/core#prefLabel";
const ALT_LABEL: &str = "http://www.w3.org/2004/02/skos/core#altLabel";
const GK: &str = "https://w3id.org/govkg/ontology#";

pub fn handle(request: &Request, store: &Store, config: &Config) -> Reply {
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
        Err(e) => {
            let message = format!("{e:#}");
            let status = if message.starts_with("query timed out") {
                503
            } else {
                500
            };
            Reply::error(status, &message)
        }
    }
}

fn profile(store: &Store, entity: NamedNode, config: &Config) -> anyhow::Result<Option<Value>> {
    let param = [Param {
        variable: Variable::new("entity")?,
        value: entity.clone().into(),
    }];
    let timeout = Some(config.timeout);
    let run = |text: &str| select(store, &format!("{PREFIXES}{text}"), &param, timeout);
    let facts = run(&facts_query())?;
    let links_in = run(LINKS_IN)?;
    let mentions = run(MENTIONS)?;
    let relations_query = named_query("entity-profile")
        .ok_or_else(|| anyhow::anyhow!("named query entity-profile is missing"))?;
    let relations = select(
        store,
        &project_variable(relations_query.text, "entity"),
        &param,
        timeout,
    )?;
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

/// Adds `?name` to the outermost SELECT projection of `query` unless it is there already (or the
/// query projects `*`), so that a [`Param`] for it is accepted.
fn project_variable(query: &str, name: &str) -> String {
    let Some(select) = find_keyword(query, "SELECT") else {
        return query.to_string();
    };
    let after = select + "SELECT".len();
    let end = find_keyword(&query[after..], "WHERE")
        .or_else(|| query[after..].find('{'))
        .map_or(query.len(), |i| after + i);
    let projection = &query[after..end];
    let variable = format!("?{name}");
    let mentioned = projection
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '?' || c == '$'))
        .any(|word| word == variable || word == format!("${name}"));
    if mentioned || projection.trim_start().starts_with('*') {
        return query.to_string();
    }
    // Keep DISTINCT/REDUCED first.
    let rest = projection.trim_start();
    let modifier = ["DISTINCT", "REDUCED"]
        .into_iter()
        .find(|m| rest.len() >= m.len() && rest[..m.len()].eq_ignore_ascii_case(m))
        .map_or(0, |m| projection.len() - rest.len() + m.len());
    let insert_at = after + modifier;
    format!("{} {variable}{}", &query[..insert_at], &query[insert_at..])
}

/// Byte offset of the first occurrence of a keyword outside comments, IRIs and strings.
fn find_keyword(text: &str, keyword: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'<' => {
                // An IRI has no spaces; a lone `<` (comparison) is skipped as one character.
                if let Some(n) = text[i..].find(|c: char| c == '>' || c.is_whitespace()) {
                    if text[i + n..].starts_with('>') {
                        i += n + 1;
                        continue;
                    }
                }
            }
            b'"' | b'\'' => {
                let quote = bytes[i] as char;
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] as char != quote {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                i = j + 1;
                continue;
            }
            _ => {}
        }
        let boundary_before =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let end = i + keyword.len();
        if boundary_before
            && end <= bytes.len()
            && text.is_char_boundary(end)
            && text[i..end].eq_ignore_ascii_case(keyword)
            && (end == bytes.len() || !(bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_'))
        {
            return Some(i);
        }
        i += 1;
    }
    None
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
    fn projection_gains_the_parameter() {
        let q = "# SELECT in a comment\nPREFIX a: <http://x/SELECT>\nSELECT DISTINCT ?x ?y WHERE { ?x ?p ?entity }";
        assert_eq!(
            project_variable(q, "entity"),
            "# SELECT in a comment\nPREFIX a: <http://x/SELECT>\nSELECT DISTINCT ?entity ?x ?y WHERE { ?x ?p ?entity }"
        );
        let already = "SELECT ?entity ?x WHERE { ?x ?p ?entity }";
        assert_eq!(project_variable(already, "entity"), already);
        let star = "select * where { ?x ?p ?entity }";
        assert_eq!(project_variable(star, "entity"), star);
        let lower = "select ?x where { ?x ?p ?entity }";
        assert_eq!(
            project_variable(lower, "entity"),
            "select ?entity ?x where { ?x ?p ?entity }"
        );
    }

    #[test]
    fn the_entity_profile_query_accepts_its_parameter() {
        let text = named_query("entity-profile").unwrap().text;
        let projected = project_variable(text, "entity");
        let select = find_keyword(&projected, "SELECT").unwrap();
        assert!(
            projected[select..].starts_with("SELECT ?entity "),
            "{projected}"
        );
        let store = Store::new().unwrap();
        let param = [Param {
            variable: Variable::new("entity").unwrap(),
            value: NamedNode::new("https://w3id.org/govkg/id/agency/x")
                .unwrap()
                .into(),
        }];
        select_ok(&store, &projected, &param);
    }

    fn select_ok(store: &Store, text: &str, param: &[Param]) {
        if let Err(e) = select(store, text, param, None) {
            panic!("{e:#}");
        }
    }
}
