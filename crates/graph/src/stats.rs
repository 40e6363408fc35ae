//! What a store holds (`govkg stats`): reports, entities and relations of each kind of the
//! registry, the years and places the reports cover, and the store's size on disk. Every figure
//! is a SPARQL count over the union of the report graphs, so a reader can check any of them with
//! `govkg query --sparql`.

use std::io::Write;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::query::{self, write_aligned, Table};
use crate::store::{GovStore, StoreLocation};
use govkg_core::kinds::{EntityKind, RelationKind};

const PREFIXES: &str = "PREFIX gk: <https://w3id.org/govkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
";

/// The figures of `govkg stats`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// The store folder (None for a store in memory).
    pub store: Option<String>,
    /// Bytes of the store's files on disk.
    pub store_bytes: Option<u64>,
    pub reports: u64,
    /// One per entity kind, in registry order.
    pub entities: Vec<EntityCount>,
    /// One per relation kind, in registry order.
    pub relations: Vec<RelationCount>,
    pub years: Years,
    /// Reports per jurisdiction (the place a report is about), most reports first.
    pub places: Vec<PlaceCount>,
    /// Reports whose jurisdiction is unknown.
    pub reports_without_place: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntityCount {
    /// The kind's id in data/kinds.toml (agency, law, …).
    pub kind: String,
    /// Entities of this kind the store describes.
    pub entities: u64,
    /// Of those, the ones some report names (what `govkg build` counts in its summary).
    pub named_in_reports: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelationCount {
    /// The relation's id in data/kinds.toml (implements, cites, issued).
    pub kind: String,
    /// Distinct (agent, target) pairs (what `govkg build` counts in its summary).
    pub pairs: u64,
    /// Statements with their evidence: one per sentence a relation was found in.
    pub assertions: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Years {
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// Reports per year, in year order.
    pub reports: Vec<YearCount>,
    /// Reports whose year is unknown.
    pub without_year: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct YearCount {
    pub year: i64,
    pub reports: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlaceCount {
    pub place: String,
    pub reports: u64,
}

/// The rows of a query as cell texts.
fn rows(store: &GovStore, sparql: &str) -> Result<Vec<Vec<String>>> {
    let table = query::select(store.oxigraph(), &format!("{PREFIXES}{sparql}"), &[], None)
        .with_context(|| format!("cannot count: {sparql}"))?;
    Ok(table
        .rows
        .iter()
        .map(|row| row.iter().map(|t| Table::cell_text(t.as_ref())).collect())
        .collect())
}

/// A query's one count.
fn count(store: &GovStore, sparql: &str) -> Result<u64> {
    let rows = rows(store, sparql)?;
    let cell = rows
        .first()
        .and_then(|r| r.first())
        .map_or("0", |c| c.as_str());
    cell.parse()
        .with_context(|| format!("count `{cell}` is not a number: {sparql}"))
}

impl Stats {
    /// Counts what `store` holds.
    pub fn of(store: &GovStore) -> Result<Self> {
        let reports = count(
            store,
            "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a gk:Report }",
        )?;
        let (years, without_year) = counts_by(store, "gk:year")?;
        let years: Vec<YearCount> = years
            .into_iter()
            .filter_map(|(year, reports)| {
                Some(YearCount {
                    year: year.parse().ok()?,
                    reports,
                })
            })
            .collect();
        let (mut places, reports_without_place) =
            counts_by(store, "gk:jurisdiction/skos:prefLabel")?;
        places.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let (store_dir, store_bytes) = match store.location() {
            StoreLocation::Disk(dir) => {
                (Some(dir.display().to_string()), Some(store.disk_bytes()?))
            }
            StoreLocation::Memory => (None, None),
        };
        Ok(Self {
            store: store_dir,
            store_bytes,
            reports,
            entities: entity_counts(store)?,
            relations: relation_counts(store)?,
            years: Years {
                first: years.iter().map(|y| y.year).min(),
                last: years.iter().map(|y| y.year).max(),
                reports: years,
                without_year,
            },
            places: places
                .into_iter()
                .map(|(place, reports)| PlaceCount { place, reports })
                .collect(),
            reports_without_place,
        })
    }
}

/// Reports per value of `path` (a property path from the report), in value order, and the
/// number of reports without one.
fn counts_by(store: &GovStore, path: &str) -> Result<(Vec<(String, u64)>, u64)> {
    let sparql = format!(
        "SELECT ?value (COUNT(DISTINCT ?r) AS ?n) WHERE {{ ?r a gk:Report OPTIONAL {{ ?r {path} ?value }} }} GROUP BY ?value ORDER BY ?value"
    );
    let mut values = Vec::new();
    let mut without = 0;
    for row in rows(store, &sparql)? {
        let n: u64 = row[1].parse().context("report count")?;
        if row[0].is_empty() {
            without += n;
        } else {
            values.push((row[0].clone(), n));
        }
    }
    Ok((values, without))
}

fn entity_counts(store: &GovStore) -> Result<Vec<EntityCount>> {
    EntityKind::ALL
        .iter()
        .map(|kind| {
            let info = kind.info();
            let class = &info.class;
            Ok(EntityCount {
                kind: info.id.clone(),
                entities: count(store, &format!("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a gk:{class} }}"))?,
                named_in_reports: count(
                    store,
                    &format!("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a gk:{class} FILTER EXISTS {{ GRAPH ?r {{ ?r gk:mentions ?e }} }} }}"),
                )?,
            })
        })
        .collect()
}

fn relation_counts(store: &GovStore) -> Result<Vec<RelationCount>> {
    RelationKind::ALL
        .iter()
        .map(|kind| {
            let id = kind.id();
            Ok(RelationCount {
                kind: id.to_string(),
                pairs: count(
                    store,
                    &format!("SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?a ?b WHERE {{ ?a gk:{id} ?b }} }}"),
                )?,
                assertions: count(
                    store,
                    &format!("SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE {{ GRAPH ?r {{ ?st rdf:predicate gk:{id} }} }}"),
                )?,
            })
        })
        .collect()
}

impl Stats {
    /// Aligned tables for people, one section per subject.
    pub fn write_text(&self, out: &mut impl Write) -> Result<()> {
        let store = match (&self.store, self.store_bytes) {
            (Some(dir), Some(bytes)) => format!("{dir} ({} on disk)", human_bytes(bytes)),
            _ => "in memory".to_string(),
        };
        let years = match (self.years.first, self.years.last) {
            (Some(first), Some(last)) => format!("{first}–{last}"),
            _ => "none known".to_string(),
        };
        let overview = [
            ["store".to_string(), store],
            ["reports".to_string(), self.reports.to_string()],
            ["years".to_string(), years],
        ];
        for [name, value] in &overview {
            writeln!(out, "{name:<8} {value}")?;
        }
        let section = |out: &mut dyn Write, header: &[&str], cells: Vec<Vec<String>>| {
            let mut buffer = Vec::new();
            write_aligned(header, &cells, &mut buffer)?;
            writeln!(out)?;
            out.write_all(&buffer)?;
            anyhow::Ok(())
        };
        let entities = self.entities.iter().map(|e| {
            let info = entity_kind(&e.kind);
            vec![
                e.kind.clone(),
                info,
                e.entities.to_string(),
                e.named_in_reports.to_string(),
            ]
        });
        section(
            out,
            &["entity", "zh", "in store", "named in reports"],
            entities.collect(),
        )?;
        let relations = self.relations.iter().map(|r| {
            vec![
                r.kind.clone(),
                r.pairs.to_string(),
                r.assertions.to_string(),
            ]
        });
        section(
            out,
            &["relation", "pairs", "assertions"],
            relations.collect(),
        )?;
        let mut years: Vec<Vec<String>> = self
            .years
            .reports
            .iter()
            .map(|y| vec![y.year.to_string(), y.reports.to_string()])
            .collect();
        if self.years.without_year > 0 {
            years.push(vec!["unknown".into(), self.years.without_year.to_string()]);
        }
        section(out, &["year", "reports"], years)?;
        let mut places: Vec<Vec<String>> = self
            .places
            .iter()
            .map(|p| vec![p.place.clone(), p.reports.to_string()])
            .collect();
        if self.reports_without_place > 0 {
            places.push(vec![
                "unknown".into(),
                self.reports_without_place.to_string(),
            ]);
        }
        section(out, &["place", "reports"], places)?;
        Ok(())
    }
}

/// The Chinese name of an entity kind, from the registry.
fn entity_kind(id: &str) -> String {
    EntityKind::ALL
        .iter()
        .find(|k| k.id() == id)
        .map(|k| k.info().zh.clone())
        .unwrap_or_default()
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(829_741), "810.3 KiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }
}
