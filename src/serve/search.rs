//! `/search?q=…&limit=…`: entities whose names contain the words typed, as JSON, for the page's
//! search box.
//!
//! A name is any `skos:prefLabel` or `skos:altLabel` (the surface forms reports use, such as
//! 区司法局 for 天津市东丽区司法局); the match is a substring match, case-blind for Latin letters.
//! What was typed is bound as a plain literal through a [`Param`], never spliced into the query
//! text, and the answer holds at most [`MAX_LIMIT`] entities: exact names first, then names that
//! start with the words, then by the number of reports that mention the entity.

use oxigraph::model::{Literal, Term};
use oxigraph::sparql::Variable;
use oxigraph::store::Store;
use serde_json::{json, Value};

use super::http::{Reply, Request};
use super::Config;
use govkg_graph::query::{select, Param, QueryError, Table};

/// Entities listed when the request gives no `limit`.
const DEFAULT_LIMIT: usize = 20;
/// The most entities one answer lists, whatever `limit` says.
pub(crate) const MAX_LIMIT: usize = 100;
/// The longest search text accepted, in characters (names are far shorter).
const MAX_CHARS: usize = 100;

const ENTITY_PREFIX: &str = "https://w3id.org/govkg/id/";

/// Every entity with a name containing `?needle`, its preferred name, its other matching names,
/// how well the best name matches (0 exact, 1 prefix, 2 inside) and in how many reports it is
/// mentioned. `{limit}` is the only text put into the query, and it is a number.
const SEARCH: &str = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX gk: <https://w3id.org/govkg/ontology#>
SELECT ?entity ?label ?rank ?hits (COUNT(DISTINCT ?report) AS ?reports) WHERE {
  {
    SELECT ?entity (SAMPLE(?pref) AS ?label) (MIN(?hitRank) AS ?rank)
           (GROUP_CONCAT(DISTINCT STR(?hit); separator=\"\\n\") AS ?hits) WHERE {
      ?entity skos:prefLabel|skos:altLabel ?hit .
      BIND(LCASE(STR(?hit)) AS ?folded)
      FILTER(CONTAINS(?folded, LCASE(STR(?needle))))
      BIND(IF(?folded = LCASE(STR(?needle)), 0,
              IF(STRSTARTS(?folded, LCASE(STR(?needle))), 1, 2)) AS ?hitRank)
      ?entity skos:prefLabel ?pref .
    }
    GROUP BY ?entity
  }
  OPTIONAL { GRAPH ?report { ?mention gk:mentionOf ?entity } }
}
GROUP BY ?entity ?label ?rank ?hits
ORDER BY ?rank DESC(?reports) STRLEN(?label) ?label
LIMIT {limit}";

/// Answers `GET /search?q=…&limit=…`.
pub(crate) fn handle(request: &Request, store: &Store, config: &Config) -> Reply {
    let params = match request.query_params() {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    let value = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let needle = value("q").map(|q| q.trim()).unwrap_or_default();
    if needle.is_empty() {
        return Reply::error(400, "give the words to look for as /search?q=…");
    }
    if needle.chars().count() > MAX_CHARS {
        return Reply::error(
            400,
            &format!("the search text is longer than {MAX_CHARS} characters"),
        );
    }
    let limit = match value("limit").map(|l| l.trim().parse::<usize>()) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if n >= 1 => n.min(MAX_LIMIT),
        Some(_) => {
            return Reply::error(
                400,
                &format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
            )
        }
    };
    match search(store, needle, limit, config) {
        Ok(value) => Reply::json(200, &value).with_header("Cache-Control", "no-store"),
        Err(e) => super::sparql::query_error(&e),
    }
}

fn search(store: &Store, needle: &str, limit: usize, config: &Config) -> Result<Value, QueryError> {
    let param = [Param {
        variable: Variable::new_unchecked("needle"),
        value: Literal::new_simple_literal(needle).into(),
    }];
    let query = SEARCH.replace("{limit}", &limit.to_string());
    let table = select(store, &query, &param, Some(config.timeout))?;
    let results: Vec<Value> = table
        .rows
        .iter()
        .filter_map(|row| match_json(row))
        .collect();
    Ok(json!({ "query": needle, "limit": limit, "results": results }))
}

/// One row of [`SEARCH`] as the page shows it: the entity, its kind (the IRI's segment, a
/// kind of the registry), its name, its other names that matched, and its report count.
fn match_json(row: &[Option<Term>]) -> Option<Value> {
    let Some(Term::NamedNode(entity)) = &row[0] else {
        return None;
    };
    let iri = entity.as_str();
    let kind = iri
        .strip_prefix(ENTITY_PREFIX)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default();
    let label = Table::cell_text(row[1].as_ref());
    let matched: Vec<&str> = match &row[3] {
        Some(Term::Literal(hits)) => hits.value().split('\n').filter(|h| *h != label).collect(),
        _ => Vec::new(),
    };
    let reports = match &row[4] {
        Some(Term::Literal(n)) => n.value().parse::<u64>().unwrap_or(0),
        _ => 0,
    };
    Some(json!({
        "iri": iri,
        "kind": kind,
        "label": label,
        "matched": matched,
        "reports": reports,
    }))
}
