//! The target bodies. Each panics (with the broken promise in its message) or returns.

use std::sync::OnceLock;

use govkg_core::kinds::{EntityKind, RelationKind};
use govkg_core::knowledge::Knowledge;
use govkg_core::model::{Document, Extraction};
use govkg_core::pipeline;
use govkg_read::{read_bytes, ReadError, SourceText};

/// The file names' extensions the `read` target reads its bytes as: the input's first byte
/// picks one, the rest is the file. Each is a different way `build` reads a file: the HTML,
/// DOCX and Markdown readers by extension, sniffing for none or an unknown one, refusals (PDF).
pub const READ_EXTENSIONS: [&str; 8] = ["txt", "html", "docx", "md", "", "htm", "pdf", "text"];

/// The bundled knowledge, loaded once per process.
fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(|| match Knowledge::embedded() {
        Ok(k) => k,
        Err(e) => panic!("the embedded knowledge does not load: {e:#}"),
    })
}

/// The name a `read` input's file has: `report.EXT` with the extension its first byte picks.
pub fn read_name(selector: u8) -> String {
    let ext = READ_EXTENSIONS[usize::from(selector) % READ_EXTENSIONS.len()];
    if ext.is_empty() {
        "report".to_string()
    } else {
        format!("report.{ext}")
    }
}

/// Bytes → the reader, as `build` calls it for a file: never a panic (the reader turns one in
/// a parser into `ReadError::Internal`, which counts as one here), an error on one line, or a
/// text that is normalised and not blank.
pub fn read(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let name = read_name(selector);
    match read_bytes(&name, bytes) {
        Ok(source) => check_source(&name, &source),
        Err(ReadError::Internal(why)) => panic!("{name}: the reader panicked: {why}"),
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty(), "{name}: an empty error message");
            assert!(
                !message.contains('\n'),
                "{name}: an error message of several lines: {message:?}"
            );
        }
    }
}

fn check_source(name: &str, source: &SourceText) {
    let text = &source.text;
    assert!(!text.trim().is_empty(), "{name}: a blank text was read");
    let stray = text
        .chars()
        .find(|c| matches!(c, '\r' | '\u{0B}' | '\u{0C}' | '\u{FEFF}'));
    assert!(
        stray.is_none(),
        "{name}: {stray:?} left in the text by normalisation"
    );
    assert!(!source.encoding.is_empty(), "{name}: no encoding named");
}

/// Text (the bytes as UTF-8, invalid sequences replaced) → the whole pure pipeline with the
/// bundled knowledge, then the record's invariants.
pub fn extract(data: &[u8]) {
    let (text, x) = extraction(data);
    check_extraction(&text, &x);
}

fn extraction(data: &[u8]) -> (String, Extraction) {
    let text = String::from_utf8_lossy(data).into_owned();
    let doc = Document::new(
        "fuzz.txt".to_string(),
        text.clone(),
        "text",
        "UTF-8".to_string(),
    );
    let x = pipeline::process(&doc, knowledge());
    (text, x)
}

/// Every entity has a name, and each of its spans is the text it says it is, within the text;
/// every relation names both ends and its evidence span lies within the text.
pub fn check_extraction(text: &str, x: &Extraction) {
    let chars: Vec<char> = text.chars().collect();
    for kind in EntityKind::ALL {
        for entity in x.entities_of(kind) {
            assert!(
                !entity.canonical.trim().is_empty(),
                "{kind:?} without a name: {:?}",
                entity.mentions
            );
            for span in entity.spans {
                let within = chars.get(span.start..span.end);
                assert!(
                    span.start < span.end && within.is_some(),
                    "{kind:?} {}: span {}..{} outside the text of {} chars",
                    entity.canonical,
                    span.start,
                    span.end,
                    chars.len()
                );
                let found: String = within.unwrap_or_default().iter().collect();
                assert_eq!(
                    found, span.text,
                    "{kind:?} {}: the span's text differs from the text at {}..{}",
                    entity.canonical, span.start, span.end
                );
            }
        }
    }
    for kind in RelationKind::ALL {
        for r in x.relations_of(kind) {
            assert!(
                !r.agent.trim().is_empty() && !r.target.trim().is_empty(),
                "{kind:?} with an end without a name: {:?} → {:?}",
                r.agent,
                r.target
            );
            if let Some(span) = r.span {
                assert!(
                    span.start <= span.end && span.end <= chars.len(),
                    "{kind:?} {} → {}: evidence span {}..{} outside the text of {} chars",
                    r.agent,
                    r.target,
                    span.start,
                    span.end,
                    chars.len()
                );
            }
        }
    }
}

/// Text → extraction → the report's RDF quads (no store): the extraction's invariants, then
/// every quad in the report's graph or the entities graph, and the mapping deterministic.
#[cfg(feature = "graph")]
pub fn rdf(data: &[u8]) {
    use govkg_graph::rdf::{report_quads, ENTITIES_GRAPH};
    use oxigraph::model::GraphName;

    let (text, x) = extraction(data);
    check_extraction(&text, &x);
    let quads = report_quads(&x);
    for quad in &quads.quads {
        assert_eq!(
            quad.graph_name,
            GraphName::NamedNode(quads.graph.clone()),
            "a report quad outside the report's graph: {quad}"
        );
    }
    for quad in &quads.entity_quads {
        assert!(
            matches!(&quad.graph_name, GraphName::NamedNode(g) if g.as_str() == ENTITIES_GRAPH),
            "an entity quad outside the entities graph: {quad}"
        );
    }
    let again = report_quads(&x);
    assert!(
        again.quads == quads.quads && again.entity_quads == quads.entity_quads,
        "the same extraction mapped to different quads"
    );
}

/// Bytes → one HTTP request read as from a connection by `govkg serve`, then the decoders its
/// routes apply (query string, form body, `Accept`); a refusal is a 4xx reply.
#[cfg(feature = "graph")]
pub fn http(data: &[u8]) {
    govkg::serve::fuzz_request(data);
}
