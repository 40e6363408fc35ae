//! Segment stage: lines, sentences, clauses and bracketed/quoted spans, all as byte spans.
//!
//! Architecture invariant: pure functions of the text (and of the few marker words they are
//! given); no knowledge tables.

use std::collections::VecDeque;

use crate::model::Span;

/// The words of list markers that are not part of a clause (一是, 二是): numerals, then a copula.
/// From `rule_vocabulary.toml` (see [`crate::vocabulary::Vocabulary::enumeration`]).
#[derive(Debug, Clone, Copy)]
pub struct Enumeration<'w> {
    pub numerals: &'w str,
    pub copula: char,
}

/// Characters that end a sentence. Half-width forms occur in reports copied from web pages.
const SENTENCE_END: &[char] = &['。', '！', '？', '；', '!', '?', ';', '\n'];
/// Characters that end a clause inside a sentence.
pub fn is_clause_end(c: char) -> bool {
    matches!(
        c,
        '，' | '：' | ',' | ':' | '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n'
    )
}

/// Non-empty lines with their spans (without the line break), lazily: callers that read only
/// the heading stop early.
pub fn lines(text: &str) -> impl Iterator<Item = Span> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        while start < text.len() {
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let line = Span::new(start, end);
            start = end + 1;
            if !text[line.start..line.end].trim().is_empty() {
                return Some(line);
            }
        }
        None
    })
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

/// How far a clause reaches beyond its mention on either side, in bytes (200 Chinese
/// characters): the clauses of real reports are under 130 characters, and a text without
/// punctuation (one clause of megabytes) would otherwise make every relation's evidence the
/// whole text — output as large as the text times the number of relations.
pub const MAX_CLAUSE_REACH: usize = 600;

/// Where the clause reach before `at` ends: [`MAX_CLAUSE_REACH`] bytes back, on a character.
fn reach_back(text: &str, at: usize) -> usize {
    let mut i = at.saturating_sub(MAX_CLAUSE_REACH);
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Where the clause reach after `at` ends: [`MAX_CLAUSE_REACH`] bytes on, on a character.
fn reach_ahead(text: &str, at: usize) -> usize {
    let mut i = at.saturating_add(MAX_CLAUSE_REACH).min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The clause containing `span`: from just after the previous clause break to just before the
/// next one (at most [`MAX_CLAUSE_REACH`] beyond the span on either side), widened to whole
/// characters, and trimmed of white space and list markers.
/// A mention that itself contains breaks (a quoted list) keeps them.
pub fn clause_around(text: &str, span: Span, marks: Enumeration<'_>) -> Span {
    let from = reach_back(text, span.start);
    let before = &text[from..span.start];
    let start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| is_clause_end(c))
        .map_or(from, |(i, c)| from + i + c.len_utf8());
    let after = &text[span.end..reach_ahead(text, span.end)];
    let end = after
        .char_indices()
        .find(|&(_, c)| is_clause_end(c))
        .map_or(span.end + after.len(), |(i, _)| span.end + i);
    trim_span(text, Span::new(start, end), marks)
}

/// [`clause_around`] for many spans of one text, each byte read at most once when the spans
/// come in text order. The clause breaks are found eight bytes at a time, and only around the
/// spans asked about: a report's relations name a law or an initiative in a few of its clauses,
/// and finding every break of the text cost more than all the lookups. Searching outwards from
/// every span re-read its whole clause for each mention in it.
pub struct ClauseCursor<'t> {
    text: &'t str,
    marks: Enumeration<'t>,
    /// (start, end) of every clause break that starts in the bytes `known`, in text order.
    breaks: VecDeque<(usize, usize)>,
    known: std::ops::Range<usize>,
}

/// How many bytes the cursor reads at a time beyond what it knows: about a clause.
const CLAUSE_SCAN_BYTES: usize = 64;

impl<'t> ClauseCursor<'t> {
    pub fn new(text: &'t str, marks: Enumeration<'t>) -> Self {
        Self {
            text,
            marks,
            breaks: VecDeque::new(),
            known: 0..0,
        }
    }

    /// Same as [`clause_around`], for spans in any order.
    pub fn clause_around(&mut self, span: Span) -> Span {
        let reach_start = reach_back(self.text, span.start);
        let reach_end = reach_ahead(self.text, span.end);
        if !self.known.contains(&span.start) && self.known.end != span.start {
            // Out of what is known: start afresh from the span.
            self.breaks.clear();
            self.known = span.start..span.start;
        }
        let start = loop {
            let before = self.breaks.partition_point(|&(_, end)| end <= span.start);
            if let Some(i) = before.checked_sub(1) {
                break self.breaks[i].1.max(reach_start);
            }
            if self.known.start <= reach_start {
                break reach_start;
            }
            self.read_back(reach_start);
        };
        if self.known.end < span.end {
            // The span's own bytes: what is known stays one run.
            self.read_ahead(span.end);
        }
        let end = loop {
            let after = self.breaks.partition_point(|&(start, _)| start < span.end);
            if let Some(&(next, _)) = self.breaks.get(after) {
                break next.min(reach_end);
            }
            if self.known.end >= reach_end {
                break reach_end;
            }
            self.read_ahead(self.known.end + CLAUSE_SCAN_BYTES);
        };
        trim_span(self.text, Span::new(start, end), self.marks)
    }

    /// Learns the breaks of up to [`CLAUSE_SCAN_BYTES`] bytes before what is known, not before
    /// `limit`.
    fn read_back(&mut self, limit: usize) {
        let from = self
            .known
            .start
            .saturating_sub(CLAUSE_SCAN_BYTES)
            .max(limit);
        let mut found = Vec::new();
        clause_breaks_in(self.text, from..self.known.start, &mut found);
        for b in found.into_iter().rev() {
            self.breaks.push_front(b);
        }
        self.known.start = from;
    }

    /// Learns the breaks of the bytes from what is known up to `to` (at most the text's end).
    fn read_ahead(&mut self, to: usize) {
        let to = to.min(self.text.len());
        let mut found = Vec::new();
        clause_breaks_in(self.text, self.known.end..to, &mut found);
        self.breaks.extend(found);
        self.known.end = to;
    }
}

/// (start, end) of every character [`is_clause_end`] accepts that starts in the bytes `range`,
/// in text order. Every clause end is ASCII or led by 0xE3 or 0xEF, bytes that only ever lead a
/// character: so the bytes are read eight at a time (from any byte, even inside a character),
/// and only the bytes flagged as one of those are decoded. Chinese prose has a clause end every
/// few characters, often enough that a SIMD search stopping at each cost more; most eight-byte
/// words flag none.
fn clause_breaks_in(text: &str, range: std::ops::Range<usize>, breaks: &mut Vec<(usize, usize)>) {
    let offset = range.start;
    let Some(bytes) = text.as_bytes().get(range) else {
        return;
    };
    for_each_flagged_byte(
        bytes,
        |word| bytes_equal(word, 0xE3) | bytes_equal(word, 0xEF) | !word,
        |at| push_clause_end(text, offset + at, breaks),
    );
}

/// Every clause break of `text`, for the tests.
#[cfg(test)]
fn clause_breaks(text: &str) -> Vec<(usize, usize)> {
    let mut breaks = Vec::new();
    clause_breaks_in(text, 0..text.len(), &mut breaks);
    breaks
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` equal to `value`, and maybe of a byte above one (the
/// borrow of the subtraction): never a miss, sometimes a byte too many.
#[inline(always)]
fn bytes_equal(word: u64, value: u8) -> u64 {
    let diff = word ^ (LOW_BITS * u64::from(value));
    diff.wrapping_sub(LOW_BITS) & !diff
}

/// Calls `found(at)`, in order, for every byte whose high bit `flag` sets in the eight-byte word
/// (first byte lowest) holding it: the candidates of a search that looks at eight bytes at once.
/// `found` must check its byte, as the flags may hold a byte too many.
#[inline(always)]
fn for_each_flagged_byte(bytes: &[u8], flag: impl Fn(u64) -> u64, mut found: impl FnMut(usize)) {
    let words = bytes.chunks_exact(8);
    let tail = bytes.len() - words.remainder().len();
    for (n, word) in words.enumerate() {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let mut flagged = flag(word) & HIGH_BITS;
        while flagged != 0 {
            found(n * 8 + flagged.trailing_zeros() as usize / 8);
            flagged &= flagged - 1;
        }
    }
    (tail..bytes.len()).for_each(found);
}

/// Pushes (at, end) when a clause end starts at byte `at`.
#[inline(always)]
fn push_clause_end(text: &str, at: usize, breaks: &mut Vec<(usize, usize)>) {
    let width = match text.as_bytes()[at] {
        0xE3 | 0xEF => 3,
        lead if lead < 0x80 => 1,
        _ => return,
    };
    let end = at + width;
    if text
        .get(at..end)
        .and_then(|c| c.chars().next())
        .is_some_and(is_clause_end)
    {
        breaks.push((at, end));
    }
}

/// Drops leading/trailing white space and leading enumeration markers (一是, 1., （二）).
pub fn trim_span(text: &str, span: Span, marks: Enumeration<'_>) -> Span {
    let s = &text[span.start..span.end];
    let trimmed_start = s.len() - s.trim_start().len();
    let mut start = span.start + trimmed_start;
    let end = span.start + s.trim_end().len();
    if start >= end {
        return Span::new(span.start, span.start);
    }
    let rest = &text[start..end];
    let marker = enumeration_marker_len(rest, marks);
    if marker < rest.len() {
        start += marker;
    }
    Span::new(start, end)
}

fn enumeration_marker_len(s: &str, marks: Enumeration<'_>) -> usize {
    let mut chars = s.char_indices().peekable();
    // 一是 / 二是 …
    let mut len = 0;
    while let Some(&(i, c)) = chars.peek() {
        if marks.numerals.contains(c) {
            chars.next();
            len = i + c.len_utf8();
        } else {
            break;
        }
    }
    if len > 0 {
        if s[len..].starts_with(marks.copula) {
            return len + marks.copula.len_utf8();
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

/// Where the bracketed part that ends `s` opens (《…规定（试行）》, 藏语委办(编译局)), with
/// full-width or ASCII brackets.
pub fn trailing_bracket_start(s: &str) -> Option<usize> {
    [('（', '）'), ('(', ')')]
        .into_iter()
        .find(|&(_, close)| s.ends_with(close))
        .and_then(|(open, _)| s.rfind(open))
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
    titles_and_quotations(text, max_chars, 0).0
}

/// “…” quotations (also ＂ and "…" pairs, and 「」), never across a line break.
pub fn quotations(text: &str, max_chars: usize) -> Vec<Enclosed> {
    titles_and_quotations(text, 0, max_chars).1
}

/// Open/close state of one kind of bracket pair during [`titles_and_quotations`]. Every mark
/// handled here is three bytes long in UTF-8.
struct Pairs {
    max_chars: usize,
    /// Nested pairs are kept on the stack (《…《…》…》); otherwise a new opening mark replaces the
    /// pending one (“…“…” pairs the second).
    nest: bool,
    stack: Vec<usize>,
    found: Vec<Enclosed>,
}

const MARK_LEN: usize = 3;

impl Pairs {
    fn new(max_chars: usize, nest: bool) -> Self {
        Self {
            max_chars,
            nest,
            stack: Vec::new(),
            found: Vec::new(),
        }
    }

    fn open(&mut self, text: &str, i: usize) {
        if !self.nest {
            self.stack.clear();
        } else if let Some(&pending) = self.stack.last() {
            // 《法治中国建设规划(2020-2025年)《…》: a title whose text ends with a bracketed note
            // right before another title opens was left unclosed (a nested title follows words
            // such as 关于印发, never a note): it ends there, and the next title is no part of it.
            let written = text[pending + MARK_LEN..i].trim_end();
            if written.ends_with([')', '）']) {
                self.stack.pop();
                let inner = Span::new(pending + MARK_LEN, pending + MARK_LEN + written.len());
                if self.stack.is_empty() && fits(written, self.max_chars) {
                    self.found.push(Enclosed {
                        outer: Span::new(pending, inner.end),
                        inner,
                    });
                }
            }
        }
        self.stack.push(i);
    }

    fn close(&mut self, text: &str, i: usize) {
        if let Some(start) = self.stack.pop() {
            let inner = Span::new(start + MARK_LEN, i);
            let outer = Span::new(start, i + MARK_LEN);
            // Keep only outermost pairs; nested ones are inside `inner`.
            if self.stack.is_empty() && fits(&text[inner.start..inner.end], self.max_chars) {
                self.found.push(Enclosed { outer, inner });
            }
        }
    }
}

/// Not only white space, and at most `max_chars` characters.
fn fits(s: &str, max_chars: usize) -> bool {
    // A char has at least one byte: short strings need no count.
    (s.len() <= max_chars || s.chars().count() <= max_chars) && !s.trim().is_empty()
}

/// [`book_titles`] and [`quotations`] without decoding the text: only line breaks and the marks
/// need a look, and memchr finds their bytes (most of a Chinese text is neither).
pub fn titles_and_quotations(
    text: &str,
    title_max_chars: usize,
    quote_max_chars: usize,
) -> (Vec<Enclosed>, Vec<Enclosed>) {
    let mut titles = Pairs::new(title_max_chars, true);
    let mut curly = Pairs::new(quote_max_chars, false);
    let mut corner = Pairs::new(quote_max_chars, false);
    let bytes = text.as_bytes();
    // Line breaks and the lead bytes of “” (E2 80 9C/9D) and of 《》「」 (E3 80 8A–8D).
    for i in memchr::memchr3_iter(b'\n', 0xE2, 0xE3, bytes) {
        let b = bytes[i];
        match (b, bytes.get(i + 1..i + MARK_LEN)) {
            (b'\n', _) => {
                titles.stack.clear();
                curly.stack.clear();
                corner.stack.clear();
            }
            (0xE2, Some([0x80, 0x9C])) => curly.open(text, i),
            (0xE2, Some([0x80, 0x9D])) => curly.close(text, i),
            (0xE3, Some([0x80, 0x8A])) => titles.open(text, i),
            (0xE3, Some([0x80, 0x8B])) => titles.close(text, i),
            (0xE3, Some([0x80, 0x8C])) => corner.open(text, i),
            (0xE3, Some([0x80, 0x8D])) => corner.close(text, i),
            _ => {}
        }
    }
    // Straight quotes pair up in order within a line: the 1st with the 2nd, the 3rd with the 4th.
    let mut straight: Vec<Enclosed> = Vec::new();
    let mut straight_open: Option<usize> = None;
    for i in memchr::memchr2_iter(b'\n', b'"', bytes) {
        if bytes[i] == b'\n' {
            straight_open = None;
            continue;
        }
        match straight_open.take() {
            None => straight_open = Some(i),
            Some(start) => {
                let inner = Span::new(start + 1, i);
                if fits(&text[inner.start..inner.end], quote_max_chars) {
                    straight.push(Enclosed {
                        outer: Span::new(start, i + 1),
                        inner,
                    });
                }
            }
        }
    }
    let mut quotes = curly.found;
    quotes.extend(corner.found);
    quotes.extend(straight);
    quotes.sort_by_key(|e| e.outer.start);
    (titles.found, quotes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The marks of the embedded rule_vocabulary.toml.
    const MARKS: Enumeration<'static> = Enumeration {
        numerals: "一二三四五六七八九十",
        copula: '是',
    };

    #[test]
    fn marks_are_those_of_the_vocabulary() {
        let k = crate::knowledge::Knowledge::embedded().unwrap();
        let marks = k.vocabulary.enumeration();
        assert_eq!(marks.numerals, MARKS.numerals);
        assert_eq!(marks.copula, MARKS.copula);
    }

    fn slice(text: &str, s: Span) -> &str {
        &text[s.start..s.end]
    }

    proptest! {
        /// The eight-byte flags miss no byte they look for, wherever it stands (the tail, a
        /// byte above a match).
        #[test]
        fn flagged_bytes_miss_none(
            bytes in prop::collection::vec(prop::sample::select(vec![0u8, 1, b'\n', 0x0B, 0x7F, 0x80, 0x81, 0xE2, 0xE3, 0xE4, 0xEF, 0xF0, 0xFF]), 0..40),
        ) {
            let mut flagged = Vec::new();
            let flag = |word| bytes_equal(word, b'\n') | bytes_equal(word, 0xE3) | !word;
            for_each_flagged_byte(&bytes, flag, |at| flagged.push(at));
            prop_assert!(flagged.windows(2).all(|w| w[0] < w[1]));
            for (at, &b) in bytes.iter().enumerate() {
                if b == b'\n' || b == 0xE3 || b < 0x80 {
                    prop_assert!(flagged.contains(&at), "byte {b:#x} at {at} missed");
                }
            }
        }

        /// The word-at-a-time search finds the clause ends a decoding of every character finds,
        /// among characters that share their lead bytes (《 〇 ｜ 、 fullwidth Ａ) and ASCII.
        #[test]
        fn clause_breaks_are_every_clause_end(
            text in "[，：,:。！？；!?;\n《〇｜、Ａ天a0 ]{0,60}",
        ) {
            let by_decoding: Vec<(usize, usize)> = text
                .char_indices()
                .filter(|&(_, c)| is_clause_end(c))
                .map(|(i, c)| (i, i + c.len_utf8()))
                .collect();
            prop_assert_eq!(clause_breaks(&text), by_decoding);
        }

        /// The cursor gives the clause the outward search gives, for spans in start order
        /// (nested, overlapping and repeated ones included) and for spans out of order.
        #[test]
        fn clause_cursor_agrees_with_the_outward_search(
            pieces in prop::collection::vec(prop::sample::select(
                ["甲", "乙丙", "，", "。", "\n", " ", "一是", ";", "a", "：", "？", "！", "；", "、", "（", "”", ",", "!", &"长".repeat(150), &"b".repeat(250)]
                    .map(str::to_string)
                    .to_vec()
            ), 0..40),
            cuts in prop::collection::vec((0usize..200, 0usize..12), 0..20),
        ) {
            let text: String = pieces.concat();
            let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let mut spans: Vec<Span> = cuts
                .iter()
                .map(|&(at, len)| {
                    let a = bounds[at % bounds.len()];
                    let b = bounds[(at % bounds.len() + len).min(bounds.len() - 1)];
                    Span::new(a, b)
                })
                .collect();
            let mut shuffled = ClauseCursor::new(&text, MARKS);
            for &span in &spans {
                prop_assert_eq!(shuffled.clause_around(span), clause_around(&text, span, MARKS));
            }
            spans.sort_by_key(|s| (s.start, s.end));
            let mut cursor = ClauseCursor::new(&text, MARKS);
            for &span in &spans {
                prop_assert_eq!(cursor.clause_around(span), clause_around(&text, span, MARKS));
            }
        }
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
        let c = clause_around(t, Span::new(m, m + "证照分离".len()), MARKS);
        assert_eq!(slice(t, c), "落实“证照分离”改革");
    }

    /// A clause without breaks for megabytes is cut at the reach on both sides, on characters.
    #[test]
    fn a_clause_reaches_at_most_so_far_around_its_span() {
        let t = format!(
            "前文，{}证照分离{}，后文",
            "甲".repeat(1_000),
            "乙".repeat(1_000)
        );
        let m = t.find("证照").unwrap();
        let span = Span::new(m, m + "证照分离".len());
        let c = clause_around(&t, span, MARKS);
        assert_eq!(
            c,
            Span::new(m - MAX_CLAUSE_REACH, span.end + MAX_CLAUSE_REACH)
        );
        assert_eq!(ClauseCursor::new(&t, MARKS).clause_around(span), c);
        // Off a character boundary: inwards to the next whole character.
        let t = format!(
            "前文，{}a证照分离b{}，后文",
            "甲".repeat(1_000),
            "乙".repeat(1_000)
        );
        let m = t.find("证照").unwrap();
        let span = Span::new(m, m + "证照分离".len());
        let c = clause_around(&t, span, MARKS);
        assert_eq!(span.start - c.start, MAX_CLAUSE_REACH - 2);
        assert_eq!(c.end - span.end, MAX_CLAUSE_REACH - 2);
        assert_eq!(ClauseCursor::new(&t, MARKS).clause_around(span), c);
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
    fn a_title_left_unclosed_after_its_note_ends_before_the_next() {
        let t = "结合《甲规划(2020-2025年)《乙纲要(2021-2025年)》《丙》及方案";
        let titles: Vec<&str> = book_titles(t, 100)
            .into_iter()
            .map(|e| slice(t, e.inner))
            .collect();
        assert_eq!(
            titles,
            vec!["甲规划(2020-2025年)", "乙纲要(2021-2025年)", "丙"]
        );
    }

    #[test]
    fn a_trailing_bracketed_part_is_found_in_either_width() {
        assert_eq!(trailing_bracket_start("规定（试行）"), Some("规定".len()));
        assert_eq!(
            trailing_bracket_start("藏语委办(编译局)"),
            Some("藏语委办".len())
        );
        assert_eq!(trailing_bracket_start("规定"), None);
        assert_eq!(trailing_bracket_start("试行）"), None);
    }

    #[test]
    fn marks_around_white_space_are_no_title() {
        // Found by the extract fuzz target: 《\t》 made a policy document without a name.
        let t = "《\t》《 》《乙》“ ”";
        let titles: Vec<&str> = book_titles(t, 100)
            .into_iter()
            .map(|e| slice(t, e.inner))
            .collect();
        assert_eq!(titles, vec!["乙"]);
        assert!(quotations(t, 40).is_empty());
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
