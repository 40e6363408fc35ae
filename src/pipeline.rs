//! The pure part of the pipeline for one document: extract → resolve.

use crate::extract;
use crate::knowledge::Knowledge;
use crate::model::{Document, Extraction};
use crate::resolve;

/// Everything govkg knows about one report, as the published record.
pub fn process(doc: &Document, knowledge: &Knowledge) -> Extraction {
    let (found, relations) = extract::extract_with_relations(&doc.text, knowledge);
    resolve::resolve(doc, knowledge, &found, &relations)
}
