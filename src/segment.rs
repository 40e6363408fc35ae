//! Segment stage: lines, sentences, clauses and bracketed/quoted spans, all as byte spans.
//!
//! Architecture invariant: pure functions of the text; no knowledge tables.

use crate::model::Span;

/// Characters that end a sentence. Half-width forms occur in reports copied from web pages.
const SENTENCE_END: &[char] = &['。', '！', '？', '；', '!', '?', ';', '\n'];
/// Characters that end a clause inside a sentence.
const CLAUSE_END: &[char] = &[
    '，', '：', ',', ':', '。', '！', '？', '；', '!', '?', ';', '\n',
];

/// Non-empty lines with their spans (without the line break).
pub fn lines(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            if !text[start..i].trim().is_empty() {
                spans.push(Span::new(start, i));
            }
            start = i + 1;
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        spans.push(Span::new(start, text.len()));
    }
    spans
}

/// Sentence spans covering the text (terminators included in the sentence they end).
pub fn sentences(text: &str) -> Vec<Span> {
    split_keeping(text, SENTENCE_END)
}

fn split_keeping(text: &str, ends: &[char]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if ends.contains(&c) {
            let end = i + c.len_utf8();
            if !text[start..end].trim().is_empty() {
                spans.push(Span::new(start, end));
            }
            start = end;
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        spans.push(Span::new(start, text.len()));
    }
    spans
}

/// The clause containing `span`: from just after the previous clause break to just before the
/// next one, widened to whole characters, and trimmed of white space and list markers.
/// A mention that itself contains breaks (a quoted list) keeps them.
pub fn clause_around(text: &str, span: Span) -> Span {
    let before = &text[..span.start];
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| CLAUSE_END.contains(c))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0);
    let after = &text[span.end..];
    let end = after
        .char_indices()
        .find(|(_, c)| CLAUSE_END.contains(c))
        .map(|(i, _)| span.end + i)
        .unwrap_or(text.len());
    trim_span(text, Span::new(start, end))
}

/// Drops leading/trailing white space and leading enumeration markers (一是, 1., （二）).
pub fn trim_span(text: &str, span: Span) -> Span {
    let s = &text[span.start..span.end];
    let trimmed_start = s.len() - s.trim_start().len();
    let mut start = span.start + trimmed_start;
    let end = span.start + s.trim_end().len();
    if start >= end {
        return Span::new(span.start, span.start);
    }
    let rest = &text[start..end];
    let marker = enumeration_marker_len(rest);
    if marker < rest.len() {
        start += marker;
    }
    Span::new(start, end)
}

fn enumeration_marker_len(s: &str) -> usize {
    let mut chars = s.char_indices().peekable();
    // 一是 / 二是 …
    let numerals = "一二三四五六七八九十";
    let mut len = 0;
    while let Some(&(i, c)) = chars.peek() {
        if numerals.contains(c) {
            chars.next();
            len = i + c.len_utf8();
        } else {
            break;
        }
    }
    if len > 0 {
        if s[len..].starts_with('是') {
            return len + '是'.len_utf8();
        }
        if s[len..].starts_with('、') {
            return len + '、'.len_utf8();
        }
        return 0;
    }
    // 1. / 1、 / 12.
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        let rest = &s[digits..];
        for sep in ['.', '、', '．'] {
            if rest.starts_with(sep) {
                return digits + sep.len_utf8();
            }
        }
    }
    0
}

/// A balanced pair of marks and what lies between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enclosed {
    /// The marks included.
    pub outer: Span,
    /// The text between the marks.
    pub inner: Span,
}

/// 《…》 titles (outermost; nested ones are found by calling again on the inner text), at most
/// `max_chars` long and never across a line break.
pub fn book_titles(text: &str, max_chars: usize) -> Vec<Enclosed> {
    enclosed(text, '《', '》', max_chars, true)
}

/// “…” quotations (also ＂ and "…" pairs, and 「」), never across a line break.
pub fn quotations(text: &str, max_chars: usize) -> Vec<Enclosed> {
    let mut all = enclosed(text, '“', '”', max_chars, false);
    all.extend(enclosed(text, '「', '」', max_chars, false));
    all.extend(straight_quotes(text, max_chars));
    all.sort_by_key(|e| e.outer.start);
    all
}

fn enclosed(text: &str, open: char, close: char, max_chars: usize, nest: bool) -> Vec<Enclosed> {
    let mut found = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (i, c) in text.char_indices() {
        if c == '\n' {
            stack.clear();
        } else if c == open {
            if !nest {
                stack.clear();
            }
            stack.push(i);
        } else if c == close {
            if let Some(start) = stack.pop() {
                let inner = Span::new(start + open.len_utf8(), i);
                let outer = Span::new(start, i + close.len_utf8());
                let inner_chars = text[inner.start..inner.end].chars().count();
                // Keep only outermost pairs; nested ones are inside `inner`.
                if stack.is_empty() && inner_chars > 0 && inner_chars <= max_chars {
                    found.push(Enclosed { outer, inner });
                }
            }
        }
    }
    found
}

fn straight_quotes(text: &str, max_chars: usize) -> Vec<Enclosed> {
    let mut found = Vec::new();
    for line in lines(text) {
        let s = &text[line.start..line.end];
        let positions: Vec<usize> = s.match_indices('"').map(|(i, _)| line.start + i).collect();
        for pair in positions.chunks_exact(2) {
            let inner = Span::new(pair[0] + 1, pair[1]);
            let n = text[inner.start..inner.end].chars().count();
            if n > 0 && n <= max_chars {
                found.push(Enclosed {
                    outer: Span::new(pair[0], pair[1] + 1),
                    inner,
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, s: Span) -> &str {
        &text[s.start..s.end]
    }

    #[test]
    fn sentences_split_on_full_and_half_width_marks() {
        let t = "一是甲。二是乙;丙\n丁";
        let s: Vec<&str> = sentences(t).into_iter().map(|s| slice(t, s)).collect();
        assert_eq!(s, vec!["一是甲。", "二是乙;", "丙\n", "丁"]);
    }

    #[test]
    fn clause_drops_enumeration_marker() {
        let t = "前文。一是落实“证照分离”改革，后文";
        let m = t.find("证照").unwrap();
        let c = clause_around(t, Span::new(m, m + "证照分离".len()));
        assert_eq!(slice(t, c), "落实“证照分离”改革");
    }

    #[test]
    fn nested_titles_keep_outermost() {
        let t = "制定《关于《甲法》的方案》和《乙》";
        let titles: Vec<&str> = book_titles(t, 100)
            .into_iter()
            .map(|e| slice(t, e.inner))
            .collect();
        assert_eq!(titles, vec!["关于《甲法》的方案", "乙"]);
    }

    #[test]
    fn unbalanced_quotes_are_ignored() {
        let t = "深入落实放管服”改革，推行“证照分离”";
        let q: Vec<&str> = quotations(t, 40)
            .into_iter()
            .map(|e| slice(t, e.inner))
            .collect();
        assert_eq!(q, vec!["证照分离"]);
    }

    #[test]
    fn quotes_do_not_cross_lines() {
        let t = "“甲\n乙”“丙”";
        let q: Vec<&str> = quotations(t, 40)
            .into_iter()
            .map(|e| slice(t, e.inner))
            .collect();
        assert_eq!(q, vec!["丙"]);
    }
}
