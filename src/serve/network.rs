//! `/network?…`: the drawing graph of `govkg export` (the same code, the same filters) as JSON,
//! DOT, GraphML or GEXF.
//!
//! Parameters, as the export's flags: `format` (json, default; dot, graphml, gexf), `report`
//! (repeatable), `initiative`, `agency`, `year` (2024 or 2022-2024), `place`, `kind`
//! (agency,initiative,…), `min-reports`, `max-nodes` (default 150 for every format here, 0 for
//! no limit: the page draws what it gets). What the limit cut is the JSON's `note` and the
//! `X-Govkg-Left-Out` header.
//!
//! The drawing reads the store with quad scans that take no cancellation; the server waits for
//! it at most the query time limit (`--timeout`), then answers 503 (`super::within`).

use anyhow::{anyhow, bail, Result};

use super::http::{Reply, Request};
use govkg_graph::drawing::{self, DOT_MAX_NODES};
use govkg_graph::export::{self, ExportFormat, Filter};
use govkg_graph::store::GovStore;

pub(crate) fn handle(request: &Request, store: &GovStore) -> Reply {
    let params = match request.query_params() {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    match parse(&params) {
        Ok((format, filter)) => draw(store, format, &filter),
        Err(e) => Reply::error(400, &e.to_string()),
    }
}

/// The drawing under `filter` in `format`, as a reply.
fn draw(store: &GovStore, format: ExportFormat, filter: &Filter) -> Reply {
    let mut body = Vec::new();
    let drawn = if format == ExportFormat::Json {
        drawing::drawing(store, filter).and_then(|d| {
            serde_json::to_writer(&mut body, &drawing::write::json(&d))?;
            Ok(d)
        })
    } else {
        export::write_drawing(store, format, filter, &mut body, None)
    };
    match drawn {
        Ok(d) => {
            let reply = Reply::bytes(200, content_type(format), body)
                .with_header("Cache-Control", "no-store");
            match d.left_out {
                Some(left_out) => reply.with_header("X-Govkg-Left-Out", left_out.note()),
                None => reply,
            }
        }
        // A name or place the store does not hold is the request's fault.
        Err(e) => Reply::error(404, &crate::error_line(e.as_ref())),
    }
}

fn content_type(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Dot => "text/vnd.graphviz; charset=utf-8",
        ExportFormat::GraphMl => "application/graphml+xml; charset=utf-8",
        ExportFormat::Gexf => "application/gexf+xml; charset=utf-8",
        _ => "application/json",
    }
}

/// The format and the filter the parameters ask for.
fn parse(params: &[(String, String)]) -> Result<(ExportFormat, Filter)> {
    let mut format = ExportFormat::Json;
    let mut filter = Filter {
        max_nodes: Some(DOT_MAX_NODES),
        ..Filter::default()
    };
    for (name, value) in params {
        let value = value.trim();
        match name.as_str() {
            "format" => format = network_format(value)?,
            "report" => filter.reports.push(value.to_string()),
            "initiative" => filter.initiative = Some(value.to_string()),
            "agency" => filter.agency = Some(value.to_string()),
            "year" => filter.years = Some(value.parse().map_err(|e: String| anyhow!(e))?),
            "place" => filter.place = Some(value.to_string()),
            "kind" => {
                for id in value.split(',').filter(|k| !k.is_empty()) {
                    filter.kinds.push(drawing::entity_kind(id).map_err(|e| anyhow!(e))?);
                }
            }
            "min-reports" => filter.min_reports = number(name, value)?,
            "max-nodes" => filter.max_nodes = Some(number(name, value)?).filter(|&n| n > 0),
            other => bail!("unknown parameter `{other}` (format, report, initiative, agency, year, place, kind, min-reports, max-nodes)"),
        }
    }
    Ok((format, filter))
}

fn network_format(value: &str) -> Result<ExportFormat> {
    match value.parse::<ExportFormat>() {
        Ok(f @ (ExportFormat::Json | ExportFormat::Dot | ExportFormat::GraphMl | ExportFormat::Gexf)) => Ok(f),
        _ => bail!("format `{value}`: the network is served as json, dot, graphml or gexf (CSV: govkg export -f csv)"),
    }
}

fn number(name: &str, value: &str) -> Result<usize> {
    value
        .parse()
        .map_err(|_| anyhow!("{name} `{value}` is not a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parameters_are_the_export_flags() {
        let (format, filter) = parse(&pairs(&[
            ("format", "graphml"),
            ("year", "2022-2024"),
            ("kind", "agency,initiative"),
            ("min-reports", "2"),
            ("max-nodes", "0"),
        ]))
        .unwrap();
        assert_eq!(format, ExportFormat::GraphMl);
        assert_eq!(filter.years.map(|y| (y.first, y.last)), Some((2022, 2024)));
        assert_eq!(filter.kinds.len(), 2);
        assert_eq!((filter.min_reports, filter.max_nodes), (2, None));
        let (format, filter) = parse(&[]).unwrap();
        assert_eq!((format, filter.max_nodes), (ExportFormat::Json, Some(150)));
        assert!(parse(&pairs(&[("format", "turtle")])).is_err());
        assert!(parse(&pairs(&[("colour", "red")])).is_err());
        assert!(parse(&pairs(&[("max-nodes", "many")])).is_err());
    }
}
