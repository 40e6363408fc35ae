//! Bounds the work of the HTML parser: a page whose elements nest deeper than [`MAX_DEPTH`], or
//! with a tag of more than [`MAX_ATTRIBUTES`] attributes, is rewritten before html5ever sees it.
//!
//! Why: html5ever's tree builder looks down its stack of open elements for almost every tag (is
//! a `<p>` open in button scope? is this end tag's element in scope?), and its tokenizer compares
//! each attribute with those before it for duplicates. So a page of 100 000 nested `<div>`s, or
//! of one tag with 100 000 attributes, costs the square of that. Real pages nest a few dozen
//! deep and carry a handful of attributes per tag.
//!
//! How: one pass over the page follows the HTML5 tree construction closely enough to know the
//! depth of every tag (the stack of open elements, with the implicit closes that keep real pages
//! shallow: a block start closes an open `<p>`, `<li>` closes the previous `<li>`, `<td>`/`<tr>`
//! close the previous cell/row, void elements never open, raw text of `<script>`, `<style>`,
//! `<textarea>` is not markup). A naive count of start and end tags drifts on every unclosed
//! `<p>` or `<li>`; this does not. The same pass writes the page out normalised: every element
//! the model closes implicitly gets an explicit end tag (so html5ever's stack is the model's),
//! start tags past [`MAX_DEPTH`] are dropped with their end tags (their text stays, in the
//! deepest element kept), raw-text elements past it are dropped with their content, and a tag
//! keeps its first [`MAX_ATTRIBUTES`] distinct attributes. Only a page that needed this gets the
//! rewritten text: every other page is parsed exactly as written.
//!
//! Cost: each tag looks at most [`MAX_DEPTH`] open elements, so the pass is linear, and so is
//! html5ever on its output.

use std::borrow::Cow;
use std::collections::HashMap;

/// Elements deeper than this are dropped (their text is kept). Real pages stay well below it:
/// tables nested in tables, with unclosed `<font>`s in their cells, reach a few dozen.
pub(crate) const MAX_DEPTH: usize = 256;
/// Attributes of one tag beyond this are dropped (a tag uses at most a dozen).
pub(crate) const MAX_ATTRIBUTES: usize = 64;

/// The page, or its normalised rewrite when it nests deeper than [`MAX_DEPTH`] or has a tag of
/// more than [`MAX_ATTRIBUTES`] attributes (see the module documentation).
pub(crate) fn bound(source: &str) -> Cow<'_, str> {
    let mut pass = Pass::new(source);
    pass.run();
    if pass.changed {
        Cow::Owned(pass.out)
    } else {
        Cow::Borrowed(source)
    }
}

/// An element the model holds open.
struct Open {
    /// Lower-case tag name.
    name: Box<str>,
    /// Inside `<svg>`/`<math>` (and not in an HTML integration point of it).
    foreign: bool,
    /// Inside `<select>`.
    in_select: bool,
}

/// A start or end tag as read.
struct Tag {
    name: String,
    end: bool,
    self_closing: bool,
    /// Byte ranges of the attributes (name, and `=value` if any).
    attributes: Vec<(usize, usize)>,
    /// Where the tag starts (`<`) and ends (after `>`).
    start: usize,
    stop: usize,
}

struct Pass<'s> {
    src: &'s str,
    at: usize,
    out: String,
    changed: bool,
    stack: Vec<Open>,
    /// Elements dropped past the depth limit and not closed yet, by name.
    dropped: HashMap<Box<str>, usize>,
    dropped_total: usize,
}

const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];
/// Raw text: the content up to the matching end tag is not markup.
const RAW_TEXT: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "title", "textarea",
];
/// Start tags that close an open `<p>` (in button scope).
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "listing",
    "section",
    "search",
    "summary",
    "table",
    "ul",
    "li",
    "dd",
    "dt",
    "plaintext",
    "xmp",
];
/// Elements that end the search for an open `<p>` (button scope) or `<button>` (default scope).
const SCOPE: &[&str] = &[
    "applet",
    "caption",
    "html",
    "table",
    "td",
    "th",
    "marquee",
    "object",
    "template",
    "foreignobject",
    "desc",
    "mi",
    "mo",
    "mn",
    "ms",
    "mtext",
    "annotation-xml",
];
/// "Special" elements (HTML5) other than address, div and p: they end the search for an open
/// `<li>`, `<dd>` or `<dt>` to close.
const SPECIAL: &[&str] = &[
    "applet",
    "area",
    "article",
    "aside",
    "base",
    "basefont",
    "bgsound",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dir",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "li",
    "link",
    "listing",
    "main",
    "marquee",
    "menu",
    "meta",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "param",
    "plaintext",
    "pre",
    "script",
    "search",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "wbr",
    "xmp",
];
/// HTML start tags that end foreign content (`<svg>`, `<math>`).
const BREAKS_FOREIGN: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

impl<'s> Pass<'s> {
    fn new(src: &'s str) -> Self {
        Self {
            src,
            at: 0,
            out: String::with_capacity(src.len()),
            changed: false,
            stack: Vec::new(),
            dropped: HashMap::new(),
            dropped_total: 0,
        }
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.src.as_bytes().get(i).copied()
    }

    /// Copies the source up to `to` to the output.
    fn copy_to(&mut self, to: usize) {
        self.out.push_str(self.src.get(self.at..to).unwrap_or(""));
        self.at = to;
    }

    fn run(&mut self) {
        let bytes = self.src.as_bytes();
        while let Some(lt) = memchr::memchr(b'<', bytes.get(self.at..).unwrap_or(&[])) {
            let lt = self.at + lt;
            self.copy_to(lt);
            match self.byte(lt + 1) {
                Some(b'!') if self.src.get(lt..).is_some_and(|s| s.starts_with("<!--")) => {
                    let end = comment_end(self.src, lt + 4);
                    self.copy_to(end);
                }
                Some(b'!' | b'?') => {
                    let end = find_byte(bytes, b'>', lt).map_or(bytes.len(), |i| i + 1);
                    self.copy_to(end);
                }
                Some(b'/') if self.byte(lt + 2).is_some_and(|b| b.is_ascii_alphabetic()) => {
                    self.tag(lt, true)
                }
                Some(b'/') => {
                    // `</>` is ignored, `</3` is a bogus comment: either way it ends at `>`.
                    let end = find_byte(bytes, b'>', lt).map_or(bytes.len(), |i| i + 1);
                    self.copy_to(end);
                }
                Some(b) if b.is_ascii_alphabetic() => self.tag(lt, false),
                _ => self.copy_to(lt + 1),
            }
        }
        self.copy_to(self.src.len());
    }

    /// Reads the tag at `lt` and handles it.
    fn tag(&mut self, lt: usize, end: bool) {
        let Some(tag) = read_tag(self.src, lt, end) else {
            // A tag cut off by the end of the page is dropped by the tokenizer: copy it as is.
            self.copy_to(self.src.len());
            return;
        };
        self.at = tag.stop;
        if end {
            self.end_tag(&tag);
        } else {
            self.start_tag(&tag);
        }
    }

    fn write_tag(&mut self, tag: &Tag) {
        if tag.attributes.len() <= MAX_ATTRIBUTES {
            self.out
                .push_str(self.src.get(tag.start..tag.stop).unwrap_or(""));
            return;
        }
        // Only the first occurrence of a name counts (as in html5ever).
        self.changed = true;
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        self.out.push('<');
        if tag.end {
            self.out.push('/');
        }
        self.out.push_str(&tag.name);
        for &(start, stop) in &tag.attributes {
            if seen.len() == MAX_ATTRIBUTES {
                break;
            }
            let text = self.src.get(start..stop).unwrap_or("");
            let name = text.split('=').next().unwrap_or("").to_ascii_lowercase();
            if seen.insert(name) {
                self.out.push(' ');
                self.out.push_str(text);
            }
        }
        self.out
            .push_str(if tag.self_closing { " />" } else { ">" });
    }

    fn foreign(&self) -> bool {
        self.stack.last().is_some_and(|o| o.foreign)
    }

    fn in_select(&self) -> bool {
        self.stack.last().is_some_and(|o| o.in_select)
    }

    fn start_tag(&mut self, tag: &Tag) {
        let name = tag.name.as_str();
        if self.dropped_total > 0 {
            // Past the depth limit: nothing is modelled any more until the dropped close.
            return self.drop_start(tag);
        }
        if self.foreign() {
            if BREAKS_FOREIGN.contains(&name) {
                while self.foreign() {
                    self.pop();
                }
            } else {
                return self.push_or_drop(tag, !tag.self_closing);
            }
        }
        if matches!(name, "html" | "head" | "body") || VOID.contains(&name) {
            return self.write_tag(tag);
        }
        if self.in_select() && !matches!(name, "option" | "optgroup" | "select") {
            if RAW_TEXT.contains(&name) {
                return self.push_or_drop(tag, true);
            }
            return self.write_tag(tag);
        }
        if !self.close_before(name) {
            return self.write_tag(tag);
        }
        self.push_or_drop(tag, true);
    }

    /// The implicit closes a start tag makes. False when the tag opens nothing (html5ever
    /// ignores it or treats it as an end tag).
    fn close_before(&mut self, name: &str) -> bool {
        if CLOSES_P.contains(&name) {
            self.close_in_scope(|n| n == "p", |n| SCOPE.contains(&n) || n == "button");
        }
        match name {
            "li" => self.close_in_scope(|n| n == "li", |n| SPECIAL.contains(&n)),
            "dd" | "dt" => {
                self.close_in_scope(|n| matches!(n, "dd" | "dt"), |n| SPECIAL.contains(&n))
            }
            n if is_heading(n) && self.stack.last().is_some_and(|o| is_heading(&o.name)) => {
                self.pop();
            }
            "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "caption" | "colgroup" => {
                if !self.open(|n| n == "table", |n| matches!(n, "html" | "template")) {
                    // Table parts outside a table are ignored.
                    return false;
                }
                let part = |n: &str| match name {
                    "td" | "th" => matches!(n, "td" | "th"),
                    "tr" => n == "tr",
                    _ => matches!(n, "tbody" | "thead" | "tfoot" | "caption" | "colgroup"),
                };
                self.close_in_scope(part, |n| n == "table");
            }
            "table" => self.close_in_scope(|n| n == "table", |n| SCOPE.contains(&n)),
            "a" | "nobr" => self.close_in_scope(
                |n| n == name,
                |n| matches!(n, "td" | "th" | "caption" | "applet" | "object" | "marquee"),
            ),
            "button" => self.close_in_scope(|n| n == "button", |n| SCOPE.contains(&n)),
            "option" => self.close_top(&["option"]),
            "optgroup" => self.close_top(&["option", "optgroup"]),
            "select" if self.in_select() => {
                // `<select>` inside a select closes it.
                self.close_in_scope(|n| n == "select", |_| false);
                return false;
            }
            "form" if self.open(|n| n == "form", |_| false) => return false,
            _ => {}
        }
        true
    }

    /// Pops the current element while it is one of `names`.
    fn close_top(&mut self, names: &[&str]) {
        for name in names {
            if self.stack.last().is_some_and(|o| &*o.name == *name) {
                self.pop();
            }
        }
    }

    /// Whether an element `wanted` is open below the nearest `boundary`.
    fn open(&self, wanted: impl Fn(&str) -> bool, boundary: impl Fn(&str) -> bool) -> bool {
        self.position(wanted, boundary).is_some()
    }

    fn position(
        &self,
        wanted: impl Fn(&str) -> bool,
        boundary: impl Fn(&str) -> bool,
    ) -> Option<usize> {
        for (i, o) in self.stack.iter().enumerate().rev() {
            if wanted(&o.name) {
                return Some(i);
            }
            if boundary(&o.name) || o.foreign {
                return None;
            }
        }
        None
    }

    /// Closes the nearest open `wanted` (and everything above it) unless a `boundary` comes
    /// first.
    fn close_in_scope(&mut self, wanted: impl Fn(&str) -> bool, boundary: impl Fn(&str) -> bool) {
        if let Some(i) = self.position(wanted, boundary) {
            while self.stack.len() > i {
                self.pop();
            }
        }
    }

    /// Pops the current element, writing its end tag.
    fn pop(&mut self) {
        if let Some(open) = self.stack.pop() {
            self.out.push_str("</");
            self.out.push_str(&open.name);
            self.out.push('>');
        }
    }

    fn push_or_drop(&mut self, tag: &Tag, opens: bool) {
        if !opens {
            return self.write_tag(tag);
        }
        if self.stack.len() >= MAX_DEPTH {
            return self.drop_start(tag);
        }
        let name = tag.name.as_str();
        let parent = self.stack.last();
        let parent_foreign = parent.is_some_and(|p| p.foreign);
        let foreign = match name {
            "svg" | "math" => true,
            "foreignobject" | "desc" | "title" | "mi" | "mo" | "mn" | "ms" | "mtext"
            | "annotation-xml" => false,
            _ => parent_foreign,
        };
        let in_select = name == "select" || parent.is_some_and(|p| p.in_select);
        self.write_tag(tag);
        self.stack.push(Open {
            name: name.into(),
            foreign,
            in_select,
        });
        if !foreign && !parent_foreign && (RAW_TEXT.contains(&name) || name == "plaintext") {
            let end = self.raw_text_end(name);
            self.copy_to(end);
        }
    }

    /// A start tag past the depth limit: dropped, and counted so that its end tag is dropped
    /// too. A raw-text element goes with its content.
    fn drop_start(&mut self, tag: &Tag) {
        self.changed = true;
        let name = tag.name.as_str();
        if VOID.contains(&name) || tag.self_closing && self.foreign() {
            return;
        }
        if RAW_TEXT.contains(&name) || name == "plaintext" {
            self.at = self.raw_text_end(name);
            return;
        }
        *self.dropped.entry(name.into()).or_insert(0) += 1;
        self.dropped_total += 1;
    }

    /// Where the raw text after the start tag of `name` ends: at its end tag (`</name` followed
    /// by a space, `/` or `>`), or at the end of the page.
    fn raw_text_end(&self, name: &str) -> usize {
        if name == "plaintext" {
            return self.src.len();
        }
        let bytes = self.src.as_bytes();
        let mut from = self.at;
        while let Some(i) = memchr::memmem::find(bytes.get(from..).unwrap_or(&[]), b"</") {
            let lt = from + i;
            let after = lt + 2 + name.len();
            let matches = bytes
                .get(lt + 2..after)
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()));
            if matches
                && bytes
                    .get(after)
                    .is_none_or(|&b| is_space(b) || b == b'/' || b == b'>')
            {
                return lt;
            }
            from = lt + 2;
        }
        self.src.len()
    }

    fn end_tag(&mut self, tag: &Tag) {
        let name = tag.name.as_str();
        if let Some(count) = self.dropped.get_mut(name) {
            // The end of an element dropped past the depth limit.
            *count -= 1;
            if *count == 0 {
                self.dropped.remove(name);
            }
            self.dropped_total -= 1;
            self.changed = true;
            return;
        }
        match self.closes(name) {
            Some(Close::To(i)) => {
                // Elements dropped past the limit are closed with it.
                self.dropped.clear();
                self.dropped_total = 0;
                while self.stack.len() > i + 1 {
                    self.pop();
                }
                self.stack.pop();
            }
            Some(Close::Reopen(i)) => {
                // The adoption agency: the formatting element closes and opens again inside
                // the block after it; the depth stays.
                let open = self.stack.remove(i);
                self.stack.push(open);
            }
            // Not open, or not in scope: html5ever ignores it (or, for `</p>`, writes an empty
            // paragraph).
            None => {}
        }
        self.write_tag(tag);
    }

    /// What the end tag of `name` closes, as html5ever's tree builder decides it.
    fn closes(&self, name: &str) -> Option<Close> {
        if matches!(name, "html" | "head" | "body" | "br") {
            return None;
        }
        // In foreign content an end tag closes the nearest foreign element of its name.
        let foreign = self.stack.iter().rev().take_while(|o| o.foreign);
        if let Some(k) = foreign.clone().position(|o| &*o.name == name) {
            return Some(Close::To(self.stack.len() - 1 - k));
        }
        if FORMATTING.contains(&name) {
            let i = self.position(|n| n == name, |n| SCOPE.contains(&n))?;
            let block = self
                .stack
                .get(i + 1..)
                .unwrap_or(&[])
                .iter()
                .any(|o| SPECIAL.contains(&&*o.name));
            return Some(if block {
                Close::Reopen(i)
            } else {
                Close::To(i)
            });
        }
        if is_heading(name) {
            return self
                .position(is_heading, |n| SCOPE.contains(&n))
                .map(Close::To);
        }
        if TABLE_PARTS.contains(&name) {
            // In table scope: a cell left open is closed with its table.
            return self
                .position(
                    |n| n == name,
                    |n| matches!(n, "html" | "table" | "template"),
                )
                .map(Close::To);
        }
        if SPECIAL.contains(&name) {
            return self
                .position(|n| n == name, |n| SCOPE.contains(&n))
                .map(Close::To);
        }
        // Any other end tag: the nearest element of its name, unless a special element is
        // open above it.
        self.position(|n| n == name, |n| SPECIAL.contains(&n))
            .map(Close::To)
    }
}

/// What an end tag does to the stack of open elements.
enum Close {
    /// Closes the element at this index and everything above it.
    To(usize),
    /// Closes the formatting element at this index and reopens it on top.
    Reopen(usize),
}

const TABLE_PARTS: &[&str] = &[
    "table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "colgroup",
];

/// Formatting elements: their end tags run the adoption agency algorithm.
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

fn find_byte(bytes: &[u8], b: u8, from: usize) -> Option<usize> {
    memchr::memchr(b, bytes.get(from..)?).map(|i| from + i)
}

/// Where the comment whose text starts at `from` ends (after `-->`; `<!-->` and `<!--->` end at
/// once).
fn comment_end(src: &str, from: usize) -> usize {
    let rest = src.get(from..).unwrap_or("");
    if rest.starts_with('>') {
        return from + 1;
    }
    if rest.starts_with("->") {
        return from + 2;
    }
    memchr::memmem::find(rest.as_bytes(), b"-->").map_or(src.len(), |i| from + i + 3)
}

/// Reads the tag starting at `lt` (`<name …>` or `</name …>`), attributes quoted or not.
/// `None` when the page ends inside it.
fn read_tag(src: &str, lt: usize, end: bool) -> Option<Tag> {
    let bytes = src.as_bytes();
    let mut i = lt + if end { 2 } else { 1 };
    let name_start = i;
    while bytes
        .get(i)
        .is_some_and(|&b| !is_space(b) && b != b'/' && b != b'>')
    {
        i += 1;
    }
    let name = src.get(name_start..i)?.to_ascii_lowercase();
    let mut attributes = Vec::new();
    let mut self_closing = false;
    loop {
        let b = *bytes.get(i)?;
        if is_space(b) {
            i += 1;
            continue;
        }
        if b == b'/' {
            self_closing = bytes.get(i + 1) == Some(&b'>');
            i += 1;
            continue;
        }
        if b == b'>' {
            return Some(Tag {
                name,
                end,
                self_closing,
                attributes,
                start: lt,
                stop: i + 1,
            });
        }
        self_closing = false;
        let start = i;
        // An attribute's name may start with `=`; it ends at a space, `/`, `>` or `=`.
        i += 1;
        while bytes
            .get(i)
            .is_some_and(|&b| !is_space(b) && !matches!(b, b'/' | b'>' | b'='))
        {
            i += 1;
        }
        let mut j = i;
        while bytes.get(j).is_some_and(|&b| is_space(b)) {
            j += 1;
        }
        if bytes.get(j) == Some(&b'=') {
            j += 1;
            while bytes.get(j).is_some_and(|&b| is_space(b)) {
                j += 1;
            }
            match bytes.get(j) {
                Some(&q @ (b'"' | b'\'')) => i = find_byte(bytes, q, j + 1)? + 1,
                _ => {
                    i = j;
                    while bytes.get(i).is_some_and(|&b| !is_space(b) && b != b'>') {
                        i += 1;
                    }
                }
            }
        }
        attributes.push((start, i));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounded(src: &str) -> String {
        bound(src).into_owned()
    }

    #[test]
    fn shallow_pages_are_not_touched() {
        for page in [
            "<html><body><div><p>一<p>二<ul><li>甲<li>乙</ul></div></body></html>",
            "<table><tr><td>一<td>二<tr><td>三</table><p>正文",
            "<p><font color=red><b>unclosed inline</p><p>next",
            "<script>if (a<b) { document.write('<div><div><div>'); }</script>",
            "<svg><path d='M0'/><rect/></svg><br/><img src=x>",
            "<!-- <div><div> --><![CDATA[x]]><?php ?>",
        ] {
            assert!(matches!(bound(page), Cow::Borrowed(_)), "{page}");
        }
    }

    /// Unclosed paragraphs and list items do not add up to a depth: a long page of them is
    /// left as written.
    #[test]
    fn unclosed_paragraphs_do_not_drift() {
        let unit = "<p>段落<ul><li>一<li>二</ul><dl><dt>甲<dd>乙</dl><table><tr><td>甲<td>乙<tr><td>丙</table><select><option>a<option>b</select><h2>标题<h3>小标题";
        let page = unit.repeat(5_000);
        assert!(matches!(bound(&page), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_cut_at_the_limit_keeping_the_text() {
        let depth = MAX_DEPTH * 4;
        let page = format!("{}正文{}尾", "<div>".repeat(depth), "</div>".repeat(depth));
        let out = bounded(&page);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        assert!(out.contains("正文") && out.ends_with("尾"));
        // Unclosed: the same cut, and nothing closed that was not open.
        let out = bounded(&format!("{}正文", "<div>".repeat(depth)));
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert!(out.ends_with("正文"));
    }

    #[test]
    fn implicit_closes_are_written_out_once_rewriting() {
        let page = format!(
            "<p>一<font>字<div>二</div>{}",
            "<span>".repeat(MAX_DEPTH + 1)
        );
        let out = bounded(&page);
        assert!(
            out.starts_with("<p>一<font>字</font></p><div>二</div>"),
            "{out}"
        );
    }

    #[test]
    fn dropped_raw_text_goes_with_its_content() {
        let page = format!(
            "{}<script>var s = '<b>';</script><style>p{{}}</style>正文",
            "<div>".repeat(MAX_DEPTH)
        );
        let out = bounded(&page);
        assert!(!out.contains("var s") && !out.contains("p{}"), "{out}");
        assert!(out.ends_with("正文"));
    }

    #[test]
    fn many_attributes_keep_the_first_distinct_ones() {
        let attributes: String = (0..1000).map(|i| format!(" a{i}=\"v>{i}\"")).collect();
        let page = format!("<div class=x class=y{attributes}>正文</div>");
        let out = bounded(&page);
        assert!(out.starts_with("<div class=x a0=\"v>0\""), "{}", &out[..40]);
        assert!(!out.contains("class=y"));
        let tag_end = out.find("正文").unwrap();
        assert_eq!(out[..tag_end].matches('=').count(), MAX_ATTRIBUTES);
        assert!(out.ends_with(">正文</div>"));
    }

    #[test]
    fn truncated_and_odd_markup_is_copied() {
        for page in [
            "<div",
            "<div a=\"x",
            "</",
            "<!--",
            "<",
            "a < b > c",
            "</ div>",
            "<3",
        ] {
            assert_eq!(bounded(page), page);
        }
    }
}
