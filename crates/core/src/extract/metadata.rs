//! Report metadata: title, year, and who wrote it, read from the heading block.
//!
//! The furniture words and title endings are data: page_furniture.tsv (use `heading`) and
//! `[metadata]` of rule_vocabulary.toml.

use super::{AgencyRef, Context, Mention, PlaceRef, Referent};
use crate::model::Span;
use crate::segment;

#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub title: Option<String>,
    /// The title's lines (a heading may run over two lines).
    pub title_spans: Vec<Span>,
    /// The end of the heading block: text before it is not body.
    pub heading_end: usize,
    pub year: Option<i32>,
    /// Who the heading says wrote the report.
    pub author: Option<AgencyRef>,
    /// A place named in the title (东丽区2024年…), when the heading names no body.
    pub title_place: Option<crate::knowledge::PlaceName>,
}

/// Reads the heading block; `agencies_and_places` are the agency and place mentions of the text,
/// in order.
pub fn read(cx: &Context<'_>, agencies_and_places: &[Mention]) -> Metadata {
    let words = &cx.knowledge.vocabulary.metadata;
    // Web-page furniture and document-number lines never belong to a title.
    let furniture = &cx.knowledge.heading_furniture;
    let mut heading: Vec<Span> = Vec::new();
    let mut heading_end = 0;
    for line in segment::lines(cx.text).take(12) {
        let raw = cx.slice(line);
        let cleaned = clean_heading_line(raw);
        if cleaned.is_empty() || furniture.iter().any(|w| raw.contains(w.as_str())) {
            if heading.is_empty() {
                continue;
            }
            break;
        }
        let is_body =
            cleaned.chars().count() > 60 || cleaned.ends_with('。') || cleaned.ends_with('：');
        if is_body {
            break;
        }
        heading.push(trimmed_line_span(cx, line));
        heading_end = line.end;
        let joined: String = heading
            .iter()
            .map(|s| clean_heading_line(cx.slice(*s)))
            .collect();
        if words
            .title_endings
            .iter()
            .any(|e| joined.ends_with(e.as_str()))
            || heading.len() >= 3
        {
            break;
        }
    }
    let title: Option<String> = (!heading.is_empty())
        .then(|| {
            heading
                .iter()
                .map(|s| clean_heading_line(cx.slice(*s)))
                .collect::<String>()
        })
        .map(|t| t.trim_start_matches('#').trim().to_string());
    // The title's year; else the latest year in the opening lines (a regulation's last amendment).
    let year = title.as_deref().and_then(first_year).or_else(|| {
        let opening = &cx.text[..floor(cx.text, 600)];
        opening.lines().take(12).filter_map(first_year).max()
    });

    let mut meta = Metadata {
        title,
        title_spans: heading.clone(),
        heading_end,
        year,
        ..Default::default()
    };
    if let Some(title) = meta.title.clone() {
        find_author(cx, &title, &heading, agencies_and_places, &mut meta);
    }
    meta
}

fn floor(text: &str, i: usize) -> usize {
    crate::knowledge::floor_char_boundary(text, i)
}

fn clean_heading_line(s: &str) -> String {
    s.trim()
        .trim_matches(|c: char| c == '|' || c == '#' || c.is_whitespace())
        .trim()
        .to_string()
}

fn trimmed_line_span(cx: &Context<'_>, line: Span) -> Span {
    let s = cx.slice(line);
    let lead = s.len()
        - s.trim_start_matches(|c: char| c == '|' || c == '#' || c.is_whitespace())
            .len();
    let kept = s
        .trim_end_matches(|c: char| c == '|' || c.is_whitespace())
        .len();
    Span::new(line.start + lead, line.start + kept.max(lead))
}

/// The first 4-digit year (19xx/20xx) in `s`.
pub fn first_year(s: &str) -> Option<i32> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(4).enumerate().find_map(|(i, w)| {
        let digits: String = w.iter().collect();
        let before_ok = i == 0 || !chars[i - 1].is_ascii_digit();
        let after_ok = chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        (before_ok && after_ok && (digits.starts_with("19") || digits.starts_with("20")))
            .then(|| digits.parse().ok())
            .flatten()
    })
}

/// The author is the body the title starts with (天津市东丽区人民政府政务服务办公室2025年…,
/// 市政务服务办2023年…, 国务院关于…). A title that starts with a place only (东丽区2024年…) is the
/// place's government's report. A regulation's or a speech's title names no body: the first body
/// named in the rest of the heading block (…人民代表大会常务委员会…通过, 国务院总理) wrote it.
fn find_author(
    cx: &Context<'_>,
    title: &str,
    heading: &[Span],
    found: &[Mention],
    meta: &mut Metadata,
) {
    let Some(first_line) = heading.first().copied() else {
        return;
    };
    let at_title_start = found.iter().find(|m| m.span.start == first_line.start);
    match at_title_start.map(|m| &m.referent) {
        Some(Referent::Agency(agency)) if *agency != AgencyRef::Author => {
            meta.author = Some(agency.clone());
            return;
        }
        Some(Referent::Place(PlaceRef::Known(place))) => meta.title_place = Some(*place),
        _ => {}
    }
    let words = &cx.knowledge.vocabulary.metadata;
    let names_a_law = words
        .law_title_endings
        .iter()
        .any(|e| title.ends_with(e.as_str()));
    if meta.title_place.is_none() || names_a_law {
        let window_end = floor(cx.text, meta.heading_end + 400);
        // A body followed by …会议上 on its line is the venue (在第十四届全国人民代表大会第二次
        // 会议上), not the author; …会议通过 is.
        let is_venue = |m: &Mention| {
            let rest = &cx.text[m.span.end..];
            let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
            line.contains(words.venue_marker.as_str())
        };
        let first_body = found
            .iter()
            .take_while(|m| m.span.start < window_end)
            .find_map(|m| match &m.referent {
                Referent::Agency(agency) if *agency != AgencyRef::Author && !is_venue(m) => {
                    Some(agency.clone())
                }
                _ => None,
            });
        if let Some(agency) = first_body {
            meta.author = Some(agency);
            meta.title_place = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years() {
        assert_eq!(first_year("2018政府工作报告"), Some(2018));
        assert_eq!(first_year("东丽区2024年法治政府建设年度报告"), Some(2024));
        assert_eq!(first_year("国发〔12345〕号"), None);
        assert_eq!(first_year("no year"), None);
    }
}
