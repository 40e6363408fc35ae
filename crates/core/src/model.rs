//! Plain data types that flow between the stages. No behaviour beyond small helpers.
//!
//! Offsets: inside the pipeline, spans are byte offsets into the report text (what `str` slicing
//! and aho-corasick use); the public JSON contract and the RDF use character offsets, converted
//! once at the end by [`CharCursor`].

use serde::{Deserialize, Serialize};

use crate::kinds::{EntityKind, RelationKind};

/// One report after reading: its text and how it was read.
#[derive(Debug, Clone)]
pub struct Document {
    /// Stable identifier: the file stem (`000_4b45c834b152138c`).
    pub id: String,
    /// File name as given (`000_4b45c834b152138c.txt`).
    pub name: String,
    pub text: String,
    pub format: String,
    pub encoding: String,
}

impl Document {
    /// A document read from the file `name`; its id is [`doc_id`] of the name.
    pub fn new(name: String, text: String, format: &str, encoding: String) -> Self {
        Self {
            id: doc_id(&name).to_string(),
            name,
            text,
            format: format.to_string(),
            encoding,
        }
    }
}

/// The document id of a report file name: its stem.
pub fn doc_id(file_name: &str) -> &str {
    std::path::Path::new(file_name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(file_name)
}

/// Half-open byte range `[start, end)` into a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Maps byte offsets to character offsets for one text, counting from the offset asked before:
/// the pipeline asks in nearly ascending order (mentions sorted by position, each relation's
/// clause around its mention), so the text is counted about once in all.
pub struct CharCursor<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharCursor<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            byte: 0,
            chars: 0,
        }
    }
    /// A cursor at a place whose char offset is known (`byte` must start a char).
    pub fn at(text: &'a str, byte: usize, chars: usize) -> Self {
        Self { text, byte, chars }
    }
    pub fn char_offset(&mut self, byte: usize) -> usize {
        // A byte inside a char counts as that char's start.
        let byte = floor_boundary(self.text, byte.min(self.text.len()));
        let bytes = self.text.as_bytes();
        if byte >= self.byte {
            self.chars += count_chars(&bytes[self.byte..byte]);
        } else {
            self.chars -= count_chars(&bytes[byte..self.byte]);
        }
        self.byte = byte;
        self.chars
    }
    pub fn char_span(&mut self, span: Span) -> CharSpan {
        CharSpan {
            start: self.char_offset(span.start),
            end: self.char_offset(span.end),
        }
    }
}

/// Chars in `bytes` (which start and end at char boundaries): the bytes that are not UTF-8
/// continuation bytes. Summed in u8 lanes a chunk at a time, which the compiler vectorises;
/// the gaps between mentions are a few dozen bytes, too short for std's word-at-a-time count.
fn count_chars(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| {
            chunk
                .iter()
                .fold(0u8, |n, &b| n + u8::from((b as i8) >= -0x40)) as usize
        })
        .sum()
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod char_cursor_tests {
    use super::*;

    #[test]
    fn byte_offsets_become_char_offsets_in_any_order() {
        let text = "a东丽区b".repeat(200);
        let offsets: Vec<(usize, usize)> = text
            .char_indices()
            .enumerate()
            .map(|(chars, (byte, _))| (byte, chars))
            .chain([(text.len(), text.chars().count())])
            .collect();
        let mut cursor = CharCursor::new(&text);
        for &(byte, chars) in offsets.iter().chain(offsets.iter().rev()).step_by(7) {
            assert_eq!(cursor.char_offset(byte), chars);
        }
        // Inside a char: that char's start.
        assert_eq!(cursor.char_offset(2), 1);
    }
}

/// Half-open character range, as published in JSON and RDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CharSpan {
    pub start: usize,
    pub end: usize,
}

/// One occurrence of an entity in the text, as published.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MentionSpan {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    National,
    Provincial,
    Municipal,
    District,
    Subdistrict,
    Other,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Provincial => "provincial",
            Level::Municipal => "municipal",
            Level::District => "district",
            Level::Subdistrict => "subdistrict",
            Level::Other => "other",
        }
    }
}

// ------------------------------------------------------------------ the extraction contract
// `govkg extract` prints one `Extraction` per line. Field names follow tests/gold/README.md;
// `spans`/`span`, `format` and `encoding` are additions. Keep this stable: `govkg eval` and
// downstream tools read it.

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Extraction {
    pub doc: String,
    pub title: Option<String>,
    pub year: Option<i32>,
    pub author: Option<String>,
    pub jurisdiction: Option<String>,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub encoding: String,
    #[serde(default)]
    pub agencies: Vec<AgencyRecord>,
    #[serde(default)]
    pub laws: Vec<LawRecord>,
    #[serde(default)]
    pub policy_documents: Vec<PolicyDocumentRecord>,
    #[serde(default)]
    pub initiatives: Vec<InitiativeRecord>,
    #[serde(default)]
    pub places: Vec<PlaceRecord>,
    #[serde(default)]
    pub implements: Vec<ImplementsRecord>,
    #[serde(default)]
    pub cites: Vec<CitesRecord>,
    #[serde(default)]
    pub issued: Vec<IssuedRecord>,
    /// Every place this extraction names (its places, the jurisdictions of its agencies and of
    /// the report) and every place above them up to the nation, each with its level and parent:
    /// the hierarchy that lets a query roll adoption up to the province.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub place_hierarchy: Vec<PlaceLink>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgencyRecord {
    pub canonical: String,
    pub mentions: Vec<String>,
    pub level: String,
    pub kind: String,
    /// Canonical name of the place the agency governs, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    #[serde(default)]
    pub spans: Vec<MentionSpan>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LawRecord {
    pub canonical: String,
    pub mentions: Vec<String>,
    pub kind: String,
    #[serde(default)]
    pub spans: Vec<MentionSpan>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyDocumentRecord {
    pub title: String,
    pub issuer: Option<String>,
    pub doc_type: String,
    pub mentions: Vec<String>,
    #[serde(default)]
    pub spans: Vec<MentionSpan>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InitiativeRecord {
    pub canonical: String,
    pub mentions: Vec<String>,
    pub scope: String,
    #[serde(default)]
    pub spans: Vec<MentionSpan>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlaceRecord {
    pub canonical: String,
    pub mentions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default)]
    pub spans: Vec<MentionSpan>,
}

/// One place of [`Extraction::place_hierarchy`]: its level and the place it lies in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PlaceLink {
    pub place: String,
    pub level: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// The agency carries out the initiative; `evidence` is the verbatim fragment that says so.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImplementsRecord {
    pub agency: String,
    pub initiative: String,
    pub evidence: String,
    #[serde(default)]
    pub span: Option<CharSpan>,
}

/// The agency studies, publicises or applies the law.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CitesRecord {
    pub agency: String,
    pub law: String,
    pub evidence: String,
    #[serde(default)]
    pub span: Option<CharSpan>,
}

/// The agency issued the policy document (its `title` in `policy_documents`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuedRecord {
    pub agency: String,
    pub document: String,
    pub evidence: String,
    #[serde(default)]
    pub span: Option<CharSpan>,
}

/// One entity of an extraction, whatever its kind: what the stages after extraction loop over.
#[derive(Debug, Clone, Copy)]
pub struct EntityView<'a> {
    pub kind: EntityKind,
    /// The canonical name (a document's title).
    pub canonical: &'a str,
    pub mentions: &'a [String],
    pub spans: &'a [MentionSpan],
}

/// One relation of an extraction, whatever its kind.
#[derive(Debug, Clone, Copy)]
pub struct RelationView<'a> {
    pub kind: RelationKind,
    /// Canonical name of the agent (an agency).
    pub agent: &'a str,
    /// Canonical name of the target, of the kind's second endpoint.
    pub target: &'a str,
    pub evidence: &'a str,
    pub span: Option<CharSpan>,
}

impl Extraction {
    /// The entities of one kind, in the order of the record list.
    pub fn entities_of(&self, kind: EntityKind) -> Vec<EntityView<'_>> {
        fn view<'a>(
            kind: EntityKind,
            canonical: &'a str,
            mentions: &'a [String],
            spans: &'a [MentionSpan],
        ) -> EntityView<'a> {
            EntityView {
                kind,
                canonical,
                mentions,
                spans,
            }
        }
        match kind {
            EntityKind::Agency => self
                .agencies
                .iter()
                .map(|r| view(kind, &r.canonical, &r.mentions, &r.spans))
                .collect(),
            EntityKind::Law => self
                .laws
                .iter()
                .map(|r| view(kind, &r.canonical, &r.mentions, &r.spans))
                .collect(),
            EntityKind::PolicyDocument => self
                .policy_documents
                .iter()
                .map(|r| view(kind, &r.title, &r.mentions, &r.spans))
                .collect(),
            EntityKind::Initiative => self
                .initiatives
                .iter()
                .map(|r| view(kind, &r.canonical, &r.mentions, &r.spans))
                .collect(),
            EntityKind::Place => self
                .places
                .iter()
                .map(|r| view(kind, &r.canonical, &r.mentions, &r.spans))
                .collect(),
        }
    }

    /// The relations of one kind, in the order of the record list.
    pub fn relations_of(&self, kind: RelationKind) -> Vec<RelationView<'_>> {
        match kind {
            RelationKind::Implements => self
                .implements
                .iter()
                .map(|r| RelationView {
                    kind,
                    agent: &r.agency,
                    target: &r.initiative,
                    evidence: &r.evidence,
                    span: r.span,
                })
                .collect(),
            RelationKind::Cites => self
                .cites
                .iter()
                .map(|r| RelationView {
                    kind,
                    agent: &r.agency,
                    target: &r.law,
                    evidence: &r.evidence,
                    span: r.span,
                })
                .collect(),
            RelationKind::Issued => self
                .issued
                .iter()
                .map(|r| RelationView {
                    kind,
                    agent: &r.agency,
                    target: &r.document,
                    evidence: &r.evidence,
                    span: r.span,
                })
                .collect(),
        }
    }
}
