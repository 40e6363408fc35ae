//! The answer of `govkg query`: a table (SELECT, ASK) in a table format, or a graph (CONSTRUCT,
//! DESCRIBE) in an RDF format; and the entities a name given as a parameter matches, so that the
//! command line can say when a name is ambiguous.

use std::io::Write;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Term, Triple};
use oxigraph::sparql::QueryResults;
use oxigraph::store::Store;

use crate::query::{self, OutputFormat, Param, QueryError, Table};
use crate::rdf::PREFIXES;

/// Runs a query and writes its answer in `format`, by default an aligned table for SELECT and
/// ASK and Turtle for CONSTRUCT and DESCRIBE. A format that does not fit the query's form is
/// refused before the query runs. Returns the number of rows or triples written.
pub fn write_answer(
    store: &Store,
    sparql: &str,
    params: &[Param],
    timeout: Option<Duration>,
    format: Option<OutputFormat>,
    out: &mut impl Write,
) -> Result<usize> {
    let mut parsed = query::parse(sparql)?;
    let graph = matches!(
        parsed,
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. }
    );
    let format = fitting_format(graph, format)?;
    query::bind_parameters(&mut parsed, params)?;
    let (results, watchdog) = query::evaluate(store, parsed, timeout)?;
    let written = match results {
        QueryResults::Graph(triples) => {
            let triples = triples
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| QueryError::evaluation(&e, timeout))?;
            drop(watchdog);
            let rdf = format.rdf_format().context("a graph needs an RDF format")?;
            write_graph(triples, rdf, out)?
        }
        solutions => {
            let table = Table::from_results(solutions, timeout)?;
            drop(watchdog);
            table.write(format, out)?;
            table.rows.len()
        }
    };
    Ok(written)
}

/// The format to write a query's answer in: the one given if it fits the answer (a graph or a
/// table), the default for the answer if none was given.
fn fitting_format(graph: bool, given: Option<OutputFormat>) -> Result<OutputFormat> {
    match given {
        None if graph => Ok(OutputFormat::Turtle),
        None => Ok(OutputFormat::Table),
        Some(format) if format.rdf_format().is_some() == graph => Ok(format),
        Some(format) if graph => bail!(
            "a CONSTRUCT or DESCRIBE query answers a graph, which --format {} cannot hold; give --format {}",
            format.name(),
            OutputFormat::names_for(true).join(", ")
        ),
        Some(format) => bail!(
            "--format {} writes graphs (CONSTRUCT, DESCRIBE queries); a SELECT or ASK query answers a table: give --format {}",
            format.name(),
            OutputFormat::names_for(false).join(", ")
        ),
    }
}

/// Writes triples sorted and each once, so that the same answer gives the same bytes; Turtle and
/// TriG with govkg's prefixes.
fn write_graph(mut triples: Vec<Triple>, format: RdfFormat, out: &mut impl Write) -> Result<usize> {
    if format == RdfFormat::RdfXml {
        // An rdf:nodeID must be an XML name; govkg's mention ids are hex digits.
        triples = triples
            .into_iter()
            .map(crate::export::xml_safe_blank_nodes)
            .collect();
    }
    let mut keyed: Vec<(String, Triple)> =
        triples.into_iter().map(|t| (t.to_string(), t)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    let mut serializer = RdfSerializer::from_format(format);
    if !matches!(format, RdfFormat::NQuads | RdfFormat::NTriples) {
        for (prefix, iri) in PREFIXES {
            serializer = serializer
                .with_prefix(*prefix, *iri)
                .context("bad prefix")?;
        }
    }
    let mut buffer = Vec::new();
    let mut writer = serializer.for_writer(&mut buffer);
    for (_, triple) in &keyed {
        writer.serialize_triple(triple)?;
    }
    writer.finish().context("cannot write the graph")?;
    if buffer.last().is_some_and(|&b| b != b'\n') {
        buffer.push(b'\n');
    }
    out.write_all(&crate::export::sort_prefix_lines(&buffer))?;
    Ok(keyed.len())
}

/// An entity a name belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    pub iri: String,
    /// Its canonical name (`skos:prefLabel`).
    pub label: String,
}

/// Which entities carry `name` as their canonical name or as one of their other names
/// (`skos:prefLabel` or `skos:altLabel`, tagged `@zh` as govkg writes them), by canonical name.
pub fn entities_named(store: &Store, name: &str) -> Result<Vec<NameMatch>, QueryError> {
    const LOOKUP: &str = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?label ?entity WHERE {
  { ?entity skos:prefLabel ?name } UNION { ?entity skos:altLabel ?name }
  ?entity skos:prefLabel ?label
} ORDER BY ?label ?entity";
    let name = Param {
        variable: oxigraph::model::Variable::new_unchecked("name"),
        value: oxigraph::model::Literal::new_language_tagged_literal_unchecked(name, "zh").into(),
    };
    let table = query::select(store, LOOKUP, &[name], None)?;
    Ok(table
        .rows
        .iter()
        .map(|row| NameMatch {
            label: Table::cell_text(row[0].as_ref()),
            iri: Table::cell_text(row[1].as_ref()),
        })
        .collect())
}

/// The warning for each parameter of `query_text` whose value is a name (a `@zh` literal) that
/// more than one entity carries: the query answers for all of them, which is rarely what was
/// meant. One line each, naming the entities and how to pick one.
pub fn ambiguous_names(store: &Store, query_text: &str, params: &[Param]) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    for param in params {
        let Term::Literal(literal) = &param.value else {
            continue;
        };
        if literal.language().is_none() {
            continue;
        }
        let matches = entities_named(store, literal.value())?;
        if matches.len() < 2 {
            continue;
        }
        warnings.push(ambiguity_warning(
            query_text,
            param,
            literal.value(),
            &matches,
        ));
    }
    Ok(warnings)
}

/// At most this many names in a warning.
const SHOWN_NAMES: usize = 8;

fn ambiguity_warning(
    query_text: &str,
    param: &Param,
    value: &str,
    matches: &[NameMatch],
) -> String {
    let variable = param.variable.as_str();
    let mut names: Vec<&str> = matches.iter().map(|m| m.label.as_str()).collect();
    let more = names.len().saturating_sub(SHOWN_NAMES);
    names.truncate(SHOWN_NAMES);
    let mut listed = names.join(", ");
    if more > 0 {
        listed.push_str(&format!(" and {more} more"));
    }
    // The IRI goes in the query's `…Iri` column beside the name: agencyName → agencyIri.
    let iri_variable = format!("{}Iri", variable.strip_suffix("Name").unwrap_or(variable));
    let by_iri = if query_text.contains(&format!("?{iri_variable}")) {
        format!(
            " or its IRI (--param '{iri_variable}=<{}>')",
            matches[0].iri
        )
    } else {
        String::new()
    };
    format!(
        "{variable}={value} names {} entities: {listed}; the answer covers them all. To pick one, pass its full name (--param {variable}={}){by_iri}",
        matches.len(),
        matches[0].label,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(nquads: &str) -> Store {
        let store = Store::new().unwrap();
        store
            .load_from_reader(RdfFormat::NQuads, nquads.as_bytes())
            .unwrap();
        store
    }

    const TWO_OFFICES: &str = r#"<http://e/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "甲区办公室"@zh <http://e/g> .
<http://e/a> <http://www.w3.org/2004/02/skos/core#altLabel> "区办"@zh <http://e/g> .
<http://e/b> <http://www.w3.org/2004/02/skos/core#prefLabel> "乙区办公室"@zh <http://e/g> .
<http://e/b> <http://www.w3.org/2004/02/skos/core#altLabel> "区办"@zh <http://e/g> .
"#;

    #[test]
    fn a_name_two_entities_carry_is_reported_with_both() {
        let store = store(TWO_OFFICES);
        let matches = entities_named(&store, "区办").unwrap();
        let labels: Vec<&str> = matches.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["乙区办公室", "甲区办公室"]);
        assert_eq!(entities_named(&store, "甲区办公室").unwrap().len(), 1);
        let query = "SELECT ?x ?agencyIri WHERE { ?agencyIri ?p ?agencyName }";
        let params = [
            "agencyName=区办".parse().unwrap(),
            "agencyName=甲区办公室".parse().unwrap(),
        ];
        let warnings = ambiguous_names(&store, query, &params).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let w = &warnings[0];
        assert!(
            w.starts_with("agencyName=区办 names 2 entities: 乙区办公室, 甲区办公室;"),
            "{w}"
        );
        assert!(w.contains("--param agencyName=乙区办公室"), "{w}");
        assert!(w.contains("--param 'agencyIri=<http://e/b>'"), "{w}");
        assert!(!w.contains('\n'), "{w}");
    }

    #[test]
    fn formats_must_fit_the_answer() {
        assert_eq!(fitting_format(true, None).unwrap(), OutputFormat::Turtle);
        assert_eq!(fitting_format(false, None).unwrap(), OutputFormat::Table);
        let err = fitting_format(true, Some(OutputFormat::Csv)).unwrap_err();
        assert!(err.to_string().contains("turtle"), "{err}");
        let err = fitting_format(false, Some(OutputFormat::Turtle)).unwrap_err();
        assert!(err.to_string().contains("jsonl"), "{err}");
    }

    #[test]
    fn a_construct_answer_is_written_sorted_once_per_triple() {
        let store = store(TWO_OFFICES);
        let q = "CONSTRUCT { ?s <http://e/named> ?n } WHERE { ?s ?p ?n }";
        let mut out = Vec::new();
        let n = write_answer(&store, q, &[], None, Some(OutputFormat::Ntriples), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(n, 4, "{text}");
        let lines: Vec<&str> = text.lines().collect();
        let mut sorted = lines.clone();
        sorted.sort();
        assert_eq!(lines, sorted);
        let mut out = Vec::new();
        let params = ["n=区办".parse().unwrap()];
        let n = write_answer(&store, q, &params, None, None, &mut out).unwrap();
        assert_eq!(n, 2);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("@prefix "), "{text}");
        assert!(write_answer(
            &store,
            q,
            &[],
            None,
            Some(OutputFormat::Json),
            &mut Vec::new()
        )
        .is_err());
    }
}
