//! Writers of a [`Drawing`]: Graphviz DOT (the registry's shapes and colours), GraphML, GEXF 1.3,
//! node and edge CSV, and JSON. All of them carry the same attributes: a node's label, kind,
//! jurisdiction, first and last year and report count; an edge's relation and report count.
//! Node ids are the entities' IRIs (DOT numbers its nodes, as petgraph writes them).

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;
use petgraph::dot::{Config, Dot};
use petgraph::graph::{EdgeReference, NodeIndex};
use petgraph::visit::EdgeRef;
use serde_json::{json, Map, Value};

use super::{DrawEdge, DrawNode, Drawing};

/// The type of an attribute in GraphML and GEXF.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    Text,
    Integer,
}

impl Type {
    fn graphml(self) -> &'static str {
        match self {
            Self::Text => "string",
            Self::Integer => "int",
        }
    }
    fn gexf(self) -> &'static str {
        match self {
            Self::Text => "string",
            Self::Integer => "integer",
        }
    }
}

/// Node attributes, in the order of [`node_values`] (and of the CSV columns after `id`).
const NODE_FIELDS: [(&str, Type); 6] = [
    ("label", Type::Text),
    ("kind", Type::Text),
    ("jurisdiction", Type::Text),
    ("first_year", Type::Integer),
    ("last_year", Type::Integer),
    ("reports", Type::Integer),
];

/// Edge attributes, in the order of [`edge_values`].
const EDGE_FIELDS: [(&str, Type); 2] = [("relation", Type::Text), ("reports", Type::Integer)];

fn node_values(n: &DrawNode) -> [Option<String>; 6] {
    [
        Some(n.label.clone()),
        Some(n.kind.id().to_string()),
        n.jurisdiction.clone(),
        n.first_year.map(|y| y.to_string()),
        n.last_year.map(|y| y.to_string()),
        Some(n.reports.to_string()),
    ]
}

fn edge_values(e: &DrawEdge) -> [Option<String>; 2] {
    [
        Some(e.relation.id().to_string()),
        Some(e.reports.to_string()),
    ]
}

/// The drawing as DOT, in the shapes and colours of the registry of kinds (data/kinds.toml),
/// labelled in Chinese; a graph label says what the node limit left out.
pub fn dot(drawing: &Drawing, out: &mut impl Write) -> Result<()> {
    let node_attrs = |_, (_, n): (NodeIndex, &DrawNode)| -> String {
        let info = n.kind.info();
        format!(
            "{}, fillcolor=\"{}\", color=\"{}\"",
            info.shape.dot(),
            info.fill,
            info.color
        )
    };
    let edge_attrs = |_, e: EdgeReference<'_, DrawEdge>| -> String {
        let color = &e.weight().relation.info().color;
        format!("color=\"{color}\", fontcolor=\"{color}\"")
    };
    let dot = Dot::with_attr_getters(
        &drawing.graph,
        &[Config::GraphContentOnly],
        &edge_attrs,
        &node_attrs,
    );
    let font = "fontname=\"Noto Sans CJK SC\"";
    writeln!(out, "digraph govkg {{")?;
    writeln!(out, "    graph [rankdir=LR, {font}, overlap=false];")?;
    if let Some(left_out) = drawing.left_out {
        let note = left_out.note().replace('\\', "\\\\").replace('"', "\\\"");
        writeln!(
            out,
            "    graph [label=\"{note}\", labelloc=t, labeljust=l, fontsize=12];"
        )?;
    }
    writeln!(out, "    node [{font}, fontsize=11];")?;
    writeln!(out, "    edge [{font}, fontsize=9];")?;
    write!(out, "{dot}")?;
    writeln!(out, "}}")?;
    Ok(())
}

/// Text for XML content and attribute values: the five markup characters escaped, and the
/// characters XML 1.0 does not allow (controls other than tab and line breaks) dropped.
fn xml(text: &str) -> Cow<'_, str> {
    let plain = |c: char| !matches!(c, '&' | '<' | '>' | '"' | '\'') && allowed_in_xml(c);
    if text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars().filter(|&c| allowed_in_xml(c)) {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// The drawing as GraphML (directed; attributes declared as `<key>`s named like the CSV columns).
pub fn graphml(drawing: &Drawing, out: &mut impl Write) -> Result<()> {
    writeln!(out, "{XML_DECLARATION}")?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (prefix, target, fields) in [
        ("n_", "node", &NODE_FIELDS[..]),
        ("e_", "edge", &EDGE_FIELDS[..]),
    ] {
        for (name, kind) in fields {
            let ty = kind.graphml();
            writeln!(
                out,
                r#"  <key id="{prefix}{name}" for="{target}" attr.name="{name}" attr.type="{ty}"/>"#
            )?;
        }
    }
    writeln!(out, r#"  <graph id="govkg" edgedefault="directed">"#)?;
    if let Some(left_out) = drawing.left_out {
        writeln!(out, "    <desc>{}</desc>", xml(&left_out.note()))?;
    }
    let g = &drawing.graph;
    for n in g.node_weights() {
        writeln!(out, r#"    <node id="{}">"#, xml(&n.iri))?;
        graphml_data(out, "n_", &NODE_FIELDS, &node_values(n))?;
        writeln!(out, "    </node>")?;
    }
    for e in g.edge_references() {
        let (source, target) = (&g[e.source()].iri, &g[e.target()].iri);
        let id = e.id().index();
        writeln!(
            out,
            r#"    <edge id="e{id}" source="{}" target="{}">"#,
            xml(source),
            xml(target)
        )?;
        graphml_data(out, "e_", &EDGE_FIELDS, &edge_values(e.weight()))?;
        writeln!(out, "    </edge>")?;
    }
    writeln!(out, "  </graph>\n</graphml>")?;
    Ok(())
}

fn graphml_data(
    out: &mut impl Write,
    prefix: &str,
    fields: &[(&str, Type)],
    values: &[Option<String>],
) -> Result<()> {
    for ((name, _), value) in fields.iter().zip(values) {
        if let Some(value) = value {
            writeln!(
                out,
                r#"      <data key="{prefix}{name}">{}</data>"#,
                xml(value)
            )?;
        }
    }
    Ok(())
}

/// The drawing as GEXF 1.3 (directed, static; edge weight = reports asserting it).
pub fn gexf(drawing: &Drawing, out: &mut impl Write) -> Result<()> {
    writeln!(out, "{XML_DECLARATION}")?;
    writeln!(
        out,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    )?;
    writeln!(out, "  <meta>\n    <creator>govkg</creator>")?;
    if let Some(left_out) = drawing.left_out {
        writeln!(
            out,
            "    <description>{}</description>",
            xml(&left_out.note())
        )?;
    }
    writeln!(out, "  </meta>")?;
    writeln!(out, r#"  <graph defaultedgetype="directed" mode="static">"#)?;
    // The label is GEXF's own node attribute; the others are declared.
    gexf_attributes(out, "node", &NODE_FIELDS[1..])?;
    gexf_attributes(out, "edge", &EDGE_FIELDS)?;
    let g = &drawing.graph;
    writeln!(out, "    <nodes>")?;
    for n in g.node_weights() {
        let (id, label) = (xml(&n.iri), xml(&n.label));
        writeln!(out, r#"      <node id="{id}" label="{label}">"#)?;
        gexf_values(out, &NODE_FIELDS[1..], &node_values(n)[1..])?;
        writeln!(out, "      </node>")?;
    }
    writeln!(out, "    </nodes>\n    <edges>")?;
    for e in g.edge_references() {
        let (source, target) = (xml(&g[e.source()].iri), xml(&g[e.target()].iri));
        let (id, weight) = (e.id().index(), e.weight().reports);
        let label = xml(&e.weight().relation.info().zh);
        writeln!(
            out,
            r#"      <edge id="e{id}" source="{source}" target="{target}" label="{label}" weight="{weight}">"#
        )?;
        gexf_values(out, &EDGE_FIELDS, &edge_values(e.weight()))?;
        writeln!(out, "      </edge>")?;
    }
    writeln!(out, "    </edges>\n  </graph>\n</gexf>")?;
    Ok(())
}

fn gexf_attributes(out: &mut impl Write, class: &str, fields: &[(&str, Type)]) -> Result<()> {
    writeln!(out, r#"    <attributes class="{class}" mode="static">"#)?;
    for (name, kind) in fields {
        let ty = kind.gexf();
        writeln!(
            out,
            r#"      <attribute id="{name}" title="{name}" type="{ty}"/>"#
        )?;
    }
    writeln!(out, "    </attributes>")?;
    Ok(())
}

fn gexf_values(
    out: &mut impl Write,
    fields: &[(&str, Type)],
    values: &[Option<String>],
) -> Result<()> {
    writeln!(out, "        <attvalues>")?;
    for ((name, _), value) in fields.iter().zip(values) {
        if let Some(value) = value {
            writeln!(
                out,
                r#"          <attvalue for="{name}" value="{}"/>"#,
                xml(value)
            )?;
        }
    }
    writeln!(out, "        </attvalues>")?;
    Ok(())
}

/// One CSV field, quoted when it holds a comma, a quote or a line break.
fn csv(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

fn csv_row<'a>(out: &mut impl Write, fields: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let row: Vec<Cow<'_, str>> = fields.into_iter().map(csv).collect();
    writeln!(out, "{}", row.join(","))?;
    Ok(())
}

/// The nodes as CSV: `id` (the entity's IRI), then the node attributes; empty when unknown.
pub fn csv_nodes(drawing: &Drawing, out: &mut impl Write) -> Result<()> {
    csv_row(
        out,
        ["id"].into_iter().chain(NODE_FIELDS.map(|(name, _)| name)),
    )?;
    for n in drawing.graph.node_weights() {
        let values = node_values(n);
        let cells = values.iter().map(|v| v.as_deref().unwrap_or(""));
        csv_row(out, [n.iri.as_str()].into_iter().chain(cells))?;
    }
    Ok(())
}

/// The edges as CSV: `source` and `target` (IRIs, the `id`s of the node file), then the edge
/// attributes.
pub fn csv_edges(drawing: &Drawing, out: &mut impl Write) -> Result<()> {
    let g = &drawing.graph;
    let header = ["source", "target"].into_iter();
    csv_row(out, header.chain(EDGE_FIELDS.map(|(name, _)| name)))?;
    for e in g.edge_references() {
        let values = edge_values(e.weight());
        let ends = [g[e.source()].iri.as_str(), g[e.target()].iri.as_str()];
        let cells = values.iter().map(|v| v.as_deref().unwrap_or(""));
        csv_row(out, ends.into_iter().chain(cells))?;
    }
    Ok(())
}

/// The drawing as JSON: `{"nodes": [{id, label, kind, …}], "edges": [{source, target,
/// relation, reports}], "note": what the node limit left out, or null}`.
pub fn json(drawing: &Drawing) -> Value {
    let g = &drawing.graph;
    let object = |id: Vec<(&str, Value)>, fields: &[(&str, Type)], values: &[Option<String>]| {
        let mut map: Map<String, Value> = id.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        for ((name, kind), value) in fields.iter().zip(values) {
            let value = match (kind, value) {
                (_, None) => Value::Null,
                (Type::Integer, Some(v)) => v.parse::<i64>().map_or(Value::Null, Value::from),
                (Type::Text, Some(v)) => Value::from(v.as_str()),
            };
            map.insert((*name).to_string(), value);
        }
        Value::Object(map)
    };
    let nodes: Vec<Value> = g
        .node_weights()
        .map(|n| object(vec![("id", json!(n.iri))], &NODE_FIELDS, &node_values(n)))
        .collect();
    let edges: Vec<Value> = g
        .edge_references()
        .map(|e| {
            let ends = vec![
                ("source", json!(g[e.source()].iri)),
                ("target", json!(g[e.target()].iri)),
            ];
            object(ends, &EDGE_FIELDS, &edge_values(e.weight()))
        })
        .collect();
    let note = drawing.left_out.map(|l| l.note());
    json!({ "nodes": nodes, "edges": edges, "note": note })
}

#[cfg(test)]
mod tests {
    use super::*;
    use govkg_core::kinds::{EntityKind, RelationKind};
    use petgraph::graph::DiGraph;

    fn drawing_with(label: &str) -> Drawing {
        let mut graph = DiGraph::new();
        let node = |iri: &str, kind, label: &str| DrawNode {
            iri: iri.to_string(),
            kind,
            label: label.to_string(),
            jurisdiction: Some("天津市".to_string()),
            first_year: Some(2023),
            last_year: None,
            reports: 2,
        };
        let a = graph.add_node(node(
            "https://w3id.org/govkg/id/agency/a&b",
            EntityKind::Agency,
            label,
        ));
        let b = graph.add_node(node(
            "https://w3id.org/govkg/id/initiative/x",
            EntityKind::Initiative,
            "x,y",
        ));
        graph.add_edge(
            a,
            b,
            DrawEdge {
                relation: RelationKind::Implements,
                reports: 3,
            },
        );
        Drawing {
            graph,
            left_out: None,
        }
    }

    #[test]
    fn xml_escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(xml("a<&\">'b\u{1}c"), "a&lt;&amp;&quot;&gt;&apos;bc");
        assert!(matches!(xml("天津市"), Cow::Borrowed(_)));
    }

    #[test]
    fn markup_in_labels_is_escaped_in_graphml_and_gexf() {
        let d = drawing_with("<&\">");
        for write in [graphml as fn(&Drawing, &mut Vec<u8>) -> Result<()>, gexf] {
            let mut out = Vec::new();
            write(&d, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("&lt;&amp;&quot;&gt;"), "{text}");
            assert!(text.contains("agency/a&amp;b"), "{text}");
            assert!(!text.contains("<&"), "{text}");
        }
    }

    #[test]
    fn csv_quotes_commas_and_leaves_unknown_years_empty() {
        let d = drawing_with("say \"hi\"");
        let mut nodes = Vec::new();
        csv_nodes(&d, &mut nodes).unwrap();
        let nodes = String::from_utf8(nodes).unwrap();
        assert!(nodes.starts_with("id,label,kind,jurisdiction,first_year,last_year,reports\n"));
        assert!(
            nodes.contains(",\"say \"\"hi\"\"\",agency,天津市,2023,,2\n"),
            "{nodes}"
        );
        assert!(nodes.contains(",\"x,y\",initiative,"), "{nodes}");
        let mut edges = Vec::new();
        csv_edges(&d, &mut edges).unwrap();
        let edges = String::from_utf8(edges).unwrap();
        assert!(edges.ends_with("/initiative/x,implements,3\n"), "{edges}");
    }

    #[test]
    fn json_has_numbers_for_counts_and_null_for_unknown() {
        let v = json(&drawing_with("a"));
        assert_eq!(v["nodes"][0]["reports"], 2);
        assert_eq!(v["nodes"][0]["last_year"], Value::Null);
        assert_eq!(v["edges"][0]["relation"], "implements");
        assert_eq!(v["note"], Value::Null);
    }
}
