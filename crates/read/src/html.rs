//! HTML: drop page chrome (scripts, navigation, toolbars, footers), pick the main content block,
//! and render block elements as lines.

use std::collections::{HashMap, HashSet};

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::node::Element;
use scraper::{Html, Node};

type NodeR<'a> = NodeRef<'a, Node>;

/// Extracts the report text of an HTML page (see the module documentation).
pub(crate) fn extract(source: &str) -> String {
    // Nesting and attributes bounded first: html5ever's work per tag grows with both.
    let doc = Html::parse_document(&crate::html_bound::bound(source));
    let root = doc.tree.root();

    // CJK counts ignoring only what is never visible, to tell layout wrappers from chrome.
    let raw = cjk_counts(root, |n| element(n).is_some_and(never_visible));
    let total_raw = raw.get(&root.id()).copied().unwrap_or(0);
    let mut dropped: HashSet<NodeId> = HashSet::new();
    for node in root.descendants() {
        let Some(el) = element(node) else { continue };
        if never_visible(el) {
            dropped.insert(node.id());
        } else if is_chrome(node, el) {
            let own = raw.get(&node.id()).copied().unwrap_or(0);
            // A "chrome" element holding most of the page's text is a layout wrapper
            // (e.g. an ASP.NET page-wide <form>): keep it.
            let wrapper = own > 200 && own * 2 > total_raw;
            if !wrapper {
                dropped.insert(node.id());
            }
        }
    }
    // CJK counts of what is left; a node is visible iff it has an entry.
    let kept = cjk_counts(root, |n| dropped.contains(&n.id()));
    let unlinked = cjk_counts(root, |n| {
        dropped.contains(&n.id()) || element(n).is_some_and(|e| e.name() == "a")
    });
    let content = choose_content(root, &kept, &unlinked);
    let mut lines = render(content, &dropped);

    if let Some(title) = title_outside(root, content, &kept) {
        let key = squash(&title);
        let already = lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .take(5)
            .any(|l| {
                let l = squash(l);
                !l.is_empty() && (l.contains(&key) || key.contains(&l))
            });
        if !already && !key.is_empty() {
            lines.insert(0, title);
        }
    }
    finish(lines)
}

fn element<'a>(node: NodeR<'a>) -> Option<&'a Element> {
    match node.value() {
        Node::Element(e) => Some(e),
        _ => None,
    }
}

/// Elements whose content is never page text.
fn never_visible(el: &Element) -> bool {
    if matches!(
        el.name(),
        "script"
            | "style"
            | "noscript"
            | "template"
            | "iframe"
            | "frame"
            | "frameset"
            | "svg"
            | "canvas"
            | "object"
            | "embed"
            | "select"
            | "textarea"
            | "button"
            | "input"
            | "head"
            | "audio"
            | "video"
            | "map"
    ) {
        return true;
    }
    if el.attr("hidden").is_some() {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

/// The lower-cased id and class attribute values, and their word tokens (split on non-letters
/// and camelCase boundaries).
fn id_class(el: &Element) -> (String, Vec<String>) {
    let mut joined = String::new();
    let mut tokens = Vec::new();
    for value in el.attr("id").into_iter().chain(el.attr("class")) {
        joined.push_str(&value.to_ascii_lowercase());
        joined.push(' ');
        let mut cur = String::new();
        let mut prev_lower = false;
        for c in value.chars() {
            if c.is_ascii_alphanumeric() {
                if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
                prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
                cur.push(c.to_ascii_lowercase());
            } else {
                prev_lower = false;
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
        }
        if !cur.is_empty() {
            tokens.push(cur);
        }
    }
    (joined, tokens)
}

/// id/class substrings that always mean page chrome.
const CHROME_STRONG: &[&str] = &[
    "nav",
    "menu",
    "breadcrumb",
    "crumb",
    "sidebar",
    "share",
    "toolbar",
    "skip",
    "accessib",
    "wza",
    "copyright",
    "footer",
    "banner",
    "search",
    "login",
    "friendlink",
    "yqlj",
    "related",
];
/// id/class words that mean page chrome only when nothing content-like is named too.
const CHROME_WEAK_SUBSTR: &[&str] = &["header"];
const CHROME_WEAK_TOKENS: &[&str] = &["head", "top", "topbar", "foot", "bottom", "links", "side"];
/// id/class substrings of specific Chinese government CMS content containers.
const CONTENT_SPECIFIC: &[&str] = &["trs_editor", "custom_unionstyle", "ucap-content", "zoom"];
/// id/class substrings that suggest a content container.
const CONTENT_GENERIC: &[&str] = &["content", "article", "main", "detail", "zhengwen", "title"];
const CONTENT_GENERIC_TOKENS: &[&str] = &["zw", "con", "text", "bt", "tit"];

fn names_content(joined: &str, tokens: &[String]) -> bool {
    CONTENT_SPECIFIC
        .iter()
        .chain(CONTENT_GENERIC)
        .any(|p| joined.contains(p))
        || tokens
            .iter()
            .any(|t| CONTENT_GENERIC_TOKENS.contains(&t.as_str()))
}

/// Navigation, toolbars, headers, footers, sidebars, forms.
fn is_chrome(node: NodeR<'_>, el: &Element) -> bool {
    match el.name() {
        "nav" | "aside" | "footer" | "form" | "menu" => return true,
        // An article's own <header> holds its title.
        "header" => {
            return !node
                .ancestors()
                .any(|a| element(a).is_some_and(|e| matches!(e.name(), "article" | "main")))
        }
        _ => {}
    }
    if let Some(role) = el.attr("role") {
        if matches!(
            role.to_ascii_lowercase().as_str(),
            "navigation"
                | "banner"
                | "contentinfo"
                | "search"
                | "complementary"
                | "menu"
                | "menubar"
                | "toolbar"
        ) {
            return true;
        }
    }
    let (joined, tokens) = id_class(el);
    if joined.is_empty() {
        return false;
    }
    if CHROME_STRONG.iter().any(|p| joined.contains(p)) {
        return true;
    }
    let weak = CHROME_WEAK_SUBSTR.iter().any(|p| joined.contains(p))
        || tokens
            .iter()
            .any(|t| CHROME_WEAK_TOKENS.contains(&t.as_str()));
    weak && !names_content(&joined, &tokens)
}

/// A Chinese character (the unified ideographs, their extensions and compatibility forms).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn cjk_len(s: &str) -> usize {
    s.chars().filter(|&c| is_cjk(c)).count()
}

/// CJK characters under every node, skipping excluded subtrees (which get no entry).
fn cjk_counts(root: NodeR<'_>, exclude: impl Fn(NodeR<'_>) -> bool) -> HashMap<NodeId, usize> {
    let mut counts = HashMap::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut skipping: Option<NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                if exclude(node) {
                    skipping = Some(node.id());
                    continue;
                }
                let own = match node.value() {
                    Node::Text(t) => cjk_len(t),
                    _ => 0,
                };
                stack.push(own);
            }
            Edge::Close(node) => {
                if let Some(id) = skipping {
                    if id == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                let v = stack.pop().unwrap_or(0);
                counts.insert(node.id(), v);
                if let Some(top) = stack.last_mut() {
                    *top += v;
                }
            }
        }
    }
    counts
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tier {
    Specific,
    Semantic,
    Generic,
}

fn tier_of(el: &Element) -> Option<Tier> {
    let (joined, tokens) = id_class(el);
    if CONTENT_SPECIFIC.iter().any(|p| joined.contains(p)) {
        return Some(Tier::Specific);
    }
    if matches!(el.name(), "article" | "main")
        || el
            .attr("role")
            .is_some_and(|r| r.eq_ignore_ascii_case("main"))
    {
        return Some(Tier::Semantic);
    }
    let generic = CONTENT_GENERIC
        .iter()
        .filter(|p| **p != "title")
        .any(|p| joined.contains(p))
        || tokens
            .iter()
            .any(|t| matches!(t.as_str(), "zw" | "con" | "text"));
    generic.then_some(Tier::Generic)
}

/// Picks the main content element: a government-CMS content container, else `<article>` /
/// `<main>`, else an element named like content — each only if it holds at least 30% of the
/// page's visible CJK text — else the block that directly holds the most CJK text. The choice is
/// then widened to ancestors that add little text (the title and publication line above the
/// body).
fn choose_content<'a>(
    root: NodeR<'a>,
    kept: &HashMap<NodeId, usize>,
    unlinked: &HashMap<NodeId, usize>,
) -> NodeR<'a> {
    let count = |n: NodeR<'_>| kept.get(&n.id()).copied().unwrap_or(0);
    let total = count(root);
    let body = root
        .descendants()
        .find(|n| element(*n).is_some_and(|e| e.name() == "body"))
        .unwrap_or(root);
    if total == 0 {
        return body;
    }
    let mut chosen = None;
    for tier in [Tier::Specific, Tier::Semantic, Tier::Generic] {
        let mut best: Option<NodeR<'a>> = None;
        for node in root.descendants() {
            if !kept.contains_key(&node.id()) {
                continue;
            }
            let Some(el) = element(node) else { continue };
            if tier_of(el) != Some(tier) {
                continue;
            }
            // `>=`: of equal counts the later (deeper) candidate wins.
            if best.is_none_or(|b| count(node) >= count(b)) {
                best = Some(node);
            }
        }
        let Some(mut b) = best else { continue };
        if count(b) * 10 < total * 3 {
            continue;
        }
        // Narrow down to a candidate of the same tier inside it that keeps 80% of its text.
        let base = count(b);
        for node in b.descendants() {
            if kept.contains_key(&node.id())
                && element(node).and_then(tier_of) == Some(tier)
                && count(node) * 10 >= base * 8
            {
                b = node;
            }
        }
        chosen = Some(b);
        break;
    }
    match chosen {
        Some(c) => widen(c, kept, unlinked),
        None => densest_block(root, kept).unwrap_or(body),
    }
}

const INLINE: &[&str] = &[
    "a", "span", "font", "strong", "b", "i", "em", "u", "small", "big", "sub", "sup", "label",
    "abbr", "cite", "code", "mark", "s", "strike", "q", "time", "var", "ins", "del", "img", "nobr",
    "wbr",
];

/// The block element that directly holds the most CJK text (each text node credits its nearest
/// block ancestor and that block's parent block).
fn densest_block<'a>(root: NodeR<'a>, kept: &HashMap<NodeId, usize>) -> Option<NodeR<'a>> {
    let mut credit: HashMap<NodeId, usize> = HashMap::new();
    for node in root.descendants() {
        let Node::Text(t) = node.value() else {
            continue;
        };
        if !kept.contains_key(&node.id()) {
            continue;
        }
        let n = cjk_len(t);
        if n == 0 {
            continue;
        }
        let mut blocks = node
            .ancestors()
            .filter(|a| element(*a).is_some_and(|e| !INLINE.contains(&e.name())));
        for b in blocks.by_ref().take(2) {
            *credit.entry(b.id()).or_insert(0) += n;
        }
    }
    let mut best: Option<(NodeR<'a>, usize)> = None;
    for node in root.descendants() {
        if let Some(&c) = credit.get(&node.id()) {
            if element(node).is_some_and(|e| matches!(e.name(), "html" | "body")) {
                continue;
            }
            if best.is_none_or(|(_, bc)| c >= bc) {
                best = Some((node, c));
            }
        }
    }
    best.map(|(n, _)| n)
}

/// Widens the content to ancestors (below `<body>`) that add at most a little text, most of it
/// not link text (a title and a publication line, not a list of links).
fn widen<'a>(
    chosen: NodeR<'a>,
    kept: &HashMap<NodeId, usize>,
    unlinked: &HashMap<NodeId, usize>,
) -> NodeR<'a> {
    let get = |m: &HashMap<NodeId, usize>, n: NodeR<'_>| m.get(&n.id()).copied().unwrap_or(0);
    let base = get(kept, chosen);
    let base_unlinked = get(unlinked, chosen);
    let limit = (base / 10).clamp(60, 200);
    let mut cur = chosen;
    for anc in chosen.ancestors() {
        let Some(el) = element(anc) else { break };
        if matches!(el.name(), "body" | "html") || !kept.contains_key(&anc.id()) {
            break;
        }
        let extra = get(kept, anc).saturating_sub(base);
        let extra_links = extra.saturating_sub(get(unlinked, anc).saturating_sub(base_unlinked));
        if extra > limit || extra_links * 2 > extra {
            break;
        }
        cur = anc;
    }
    cur
}

/// A title-like heading outside the content block, when the content has no `<h1>` of its own:
/// the first visible `<h1>`, else the nearest visible element named like a title before the
/// content, else — when the content has no heading at all — the page `<title>` (without the site
/// name).
fn title_outside(
    root: NodeR<'_>,
    content: NodeR<'_>,
    kept: &HashMap<NodeId, usize>,
) -> Option<String> {
    let inside =
        |n: NodeR<'_>| n.id() == content.id() || n.ancestors().any(|a| a.id() == content.id());
    let visible = |n: NodeR<'_>| kept.contains_key(&n.id());
    let text_of = |n: NodeR<'_>| -> String {
        let s: String = n
            .descendants()
            .filter_map(|d| match d.value() {
                Node::Text(t) if visible(d) => Some(&**t),
                _ => None,
            })
            .collect();
        collapse_ws(&s)
    };
    let plausible = |s: &str| cjk_len(s) >= 2 && s.chars().count() <= 150;
    let is_h1 = |n: NodeR<'_>| element(n).is_some_and(|e| e.name() == "h1");
    let titled = |el: &Element| {
        let (joined, tokens) = id_class(el);
        joined.contains("title") && !joined.contains("subtitle")
            || tokens
                .iter()
                .any(|t| matches!(t.as_str(), "bt" | "tit" | "biaoti" | "wzbt"))
    };
    // The content has its own main heading: an <h1> outside is the site's logo.
    if content.descendants().any(|n| is_h1(n) && visible(n)) {
        return None;
    }

    for node in root.descendants() {
        if is_h1(node) && visible(node) && !inside(node) {
            let t = text_of(node);
            if plausible(&t) {
                return Some(t);
            }
        }
    }
    let mut before: Option<String> = None;
    for node in root.descendants() {
        if node.id() == content.id() {
            break;
        }
        let Some(el) = element(node) else { continue };
        if titled(el) && visible(node) && !inside(node) {
            let t = text_of(node);
            if plausible(&t) {
                before = Some(t);
            }
        }
    }
    if before.is_some() {
        return before;
    }
    let has_heading = content.descendants().any(|n| {
        visible(n)
            && element(n).is_some_and(|e| matches!(e.name(), "h1" | "h2" | "h3") || titled(e))
    });
    if has_heading {
        return None;
    }
    let title = root
        .descendants()
        .find(|n| element(*n).is_some_and(|e| e.name() == "title"))?;
    let raw: String = title
        .descendants()
        .filter_map(|d| match d.value() {
            Node::Text(t) => Some(&**t),
            _ => None,
        })
        .collect();
    let first = raw
        .split(['_', '|', '｜', '—', '－'])
        .flat_map(|s| s.split(" - "))
        .map(collapse_ws)
        .find(|s| !s.is_empty())?;
    plausible(&first).then_some(first)
}

/// Collapses runs of whitespace to one space and trims.
fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text without any whitespace, for comparing lines.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
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
    "html",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
    "caption",
    "title",
    "legend",
    "option",
];

/// Whether a character is wide (CJK or full-width punctuation): a source line break between two
/// of them is not a space.
fn is_wide(c: char) -> bool {
    is_cjk(c) || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2018..=0x201F)
}

struct Lines {
    lines: Vec<String>,
    cur: String,
}

impl Lines {
    fn soft_break(&mut self) {
        if !self.cur.trim().is_empty() {
            self.lines.push(std::mem::take(&mut self.cur));
        } else if !self.cur.is_empty() {
            // A block holding only non-breaking spaces is a deliberate blank line.
            self.cur.clear();
            self.lines.push(String::new());
        }
    }

    fn hard_break(&mut self) {
        self.lines.push(std::mem::take(&mut self.cur));
    }

    /// Appends text with HTML whitespace collapsing (ASCII whitespace only: NBSP, EN SPACE and
    /// ideographic space are kept verbatim).
    fn text(&mut self, s: &str, pre: bool) {
        if pre {
            let mut first = true;
            for part in s.split('\n') {
                if !first {
                    self.hard_break();
                }
                first = false;
                self.cur.push_str(part);
            }
            return;
        }
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0C}') {
                let mut newline = c == '\n' || c == '\r';
                while let Some(&n) = chars.peek() {
                    if !matches!(n, ' ' | '\t' | '\n' | '\r' | '\u{0C}') {
                        break;
                    }
                    newline |= n == '\n' || n == '\r';
                    chars.next();
                }
                let prev_wide = self.cur.chars().next_back().is_some_and(is_wide);
                let next_wide = chars.peek().is_some_and(|&n| is_wide(n));
                if newline && prev_wide && next_wide {
                    continue;
                }
                if !(self.cur.is_empty() || self.cur.ends_with(' ') || self.cur.ends_with('\t')) {
                    self.cur.push(' ');
                }
            } else {
                self.cur.push(c);
            }
        }
    }
}

/// Renders a subtree as lines: block elements and table rows end lines, `<br>` breaks lines,
/// table cells are separated by a tab.
fn render(content: NodeR<'_>, dropped: &HashSet<NodeId>) -> Vec<String> {
    let mut out = Lines {
        lines: Vec::new(),
        cur: String::new(),
    };
    let mut skipping: Option<NodeId> = None;
    let mut pre = 0usize;
    for edge in content.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                if dropped.contains(&node.id()) {
                    skipping = Some(node.id());
                    continue;
                }
                match node.value() {
                    Node::Text(t) => out.text(t, pre > 0),
                    Node::Element(el) => match el.name() {
                        "br" => out.hard_break(),
                        "td" | "th" if !out.cur.trim().is_empty() => out.cur.push('\t'),
                        "pre" | "listing" | "plaintext" => {
                            pre += 1;
                            out.soft_break();
                        }
                        name if BLOCK.contains(&name) => out.soft_break(),
                        _ => {}
                    },
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skipping {
                    if id == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Node::Element(el) = node.value() {
                    match el.name() {
                        "pre" | "listing" | "plaintext" => {
                            pre = pre.saturating_sub(1);
                            out.soft_break();
                        }
                        name if BLOCK.contains(&name) => out.soft_break(),
                        _ => {}
                    }
                }
            }
        }
    }
    out.soft_break();
    out.lines
}

/// Trims lines, drops toolbar/navigation/footer lines, collapses blank lines to at most one and
/// removes leading and trailing blank lines.
fn finish(lines: Vec<String>) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        let line = strip_toolbar_brackets(&line);
        let t = strip_toolbar_tail(line.trim());
        if t.is_empty() {
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            continue;
        }
        if is_boilerplate_line(t) {
            continue;
        }
        out.push(t.to_string());
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// The page-furniture table, shared with govkg-core (which reads its `heading` words):
/// toolbar words, navigation prefixes, footer marks and site-host prefixes. Compiled in; the
/// table is checked by this crate's tests, so a malformed copy cannot ship.
const FURNITURE_TABLE: &str = include_str!("../../../data/page_furniture.tsv");

/// The words of [`FURNITURE_TABLE`], by use, in table order.
#[derive(Debug, Default)]
struct Furniture {
    /// Words that make up toolbar and navigation lines ("无障碍 简体| 繁体", "【字体：大 中 小】",
    /// "打印本页 关闭窗口", "分享到："), tried in table order.
    toolbar: Vec<String>,
    /// A short line starting with one is navigation (当前位置, 上一篇).
    navigation: Vec<String>,
    /// A short line containing one is a footer (版权所有, ICP备).
    footer: Vec<String>,
    /// A short line starting with one names the site's host (主办单位).
    host: Vec<String>,
}

impl Furniture {
    /// Parses the table (`word uses`, `#` comments, uses separated by `|`); uses for other
    /// crates are skipped, unknown ones are errors naming the line.
    fn parse(table: &str) -> Result<Self, String> {
        let mut furniture = Self::default();
        let mut lines = table
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
        match lines.next() {
            Some((_, header)) if header.split('\t').map(str::trim).eq(["word", "uses"]) => {}
            _ => return Err("page_furniture.tsv: header must be `word\tuses`".into()),
        }
        for (i, line) in lines {
            let mut cells = line.split('\t').map(str::trim);
            let (Some(word), Some(uses), None) = (cells.next(), cells.next(), cells.next()) else {
                return Err(format!("page_furniture.tsv:{}: need two cells", i + 1));
            };
            if word.is_empty() {
                return Err(format!("page_furniture.tsv:{}: empty word", i + 1));
            }
            for u in uses.split('|').map(str::trim).filter(|u| !u.is_empty()) {
                let list = match u {
                    "toolbar" => &mut furniture.toolbar,
                    "navigation" => &mut furniture.navigation,
                    "footer" => &mut furniture.footer,
                    "host" => &mut furniture.host,
                    "heading" | "source_text" => continue,
                    _ => return Err(format!("page_furniture.tsv:{}: unknown use `{u}`", i + 1)),
                };
                list.push(word.to_string());
            }
        }
        Ok(furniture)
    }
}

static FURNITURE: std::sync::LazyLock<Furniture> = std::sync::LazyLock::new(|| {
    // The table is compiled in and checked by `furniture_table_parses`.
    Furniture::parse(FURNITURE_TABLE).unwrap_or_else(|e| panic!("{e}"))
});

/// Separators ignored when matching toolbar words.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '|' | '｜'
                | '/'
                | '／'
                | '·'
                | '•'
                // 丨, a CJK stroke that pages use as a vertical bar.
                | '\u{4E28}'
                | ':'
                | '：'
                | '【'
                | '】'
                | '['
                | ']'
                | '('
                | ')'
                | '（'
                | '）'
                | '>'
                | '＞'
                | '»'
                | '-'
        )
}

/// True when the text consists only of toolbar words and separators.
fn only_toolbar_words(s: &str) -> bool {
    let squashed: String = s.chars().filter(|&c| !is_separator(c)).collect();
    if squashed.is_empty() {
        return false;
    }
    let mut rest = squashed.as_str();
    while !rest.is_empty() {
        let Some(w) = FURNITURE
            .toolbar
            .iter()
            .find(|w| rest.starts_with(w.as_str()))
        else {
            return false;
        };
        rest = rest.get(w.len()..).unwrap_or("");
    }
    true
}

/// Removes bracketed toolbar fragments (`【字体：大 中 小】`, `[打印本页]`) from a line.
fn strip_toolbar_brackets(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    loop {
        let open = rest.find(['【', '[']);
        let Some(i) = open else { break };
        let close_char = if rest.get(i..).is_some_and(|s| s.starts_with('【')) {
            '】'
        } else {
            ']'
        };
        let open_len = if close_char == '】' {
            '【'.len_utf8()
        } else {
            1
        };
        let after = rest.get(i + open_len..).unwrap_or("");
        // Toolbar brackets are short: look for the closing bracket within 40 characters.
        let close = after
            .char_indices()
            .take(40)
            .find(|&(_, c)| c == close_char)
            .map(|(j, _)| j);
        match close {
            Some(j) if only_toolbar_words(after.get(..j).unwrap_or("")) => {
                out.push_str(rest.get(..i).unwrap_or(""));
                rest = after.get(j + close_char.len_utf8()..).unwrap_or("");
            }
            _ => {
                out.push_str(rest.get(..i + open_len).unwrap_or(""));
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes toolbar words trailing a line after a space ("来源：某局 打印 关闭"). Single-character
/// words (大/中/小/简/繁) are not removed this way: a table cell may hold just that.
fn strip_toolbar_tail(line: &str) -> &str {
    let is_space = |c: char| matches!(c, ' ' | '\u{A0}' | '\u{3000}');
    let mut end = line.len();
    loop {
        let head = line.get(..end).unwrap_or(line);
        let Some(at) = head.rfind(is_space) else {
            break;
        };
        let last = head.get(at..).unwrap_or("").trim_matches(is_space);
        if last.chars().count() < 2 || !only_toolbar_words(last) {
            break;
        }
        end = head
            .get(..at)
            .unwrap_or("")
            .trim_end_matches(is_space)
            .len();
    }
    line.get(..end).unwrap_or(line)
}

/// Navigation, toolbar and footer lines.
fn is_boilerplate_line(t: &str) -> bool {
    if only_toolbar_words(t) {
        return true;
    }
    let short = t.chars().count() <= 200;
    let furniture = &*FURNITURE;
    short
        && (furniture
            .navigation
            .iter()
            .any(|p| t.starts_with(p.as_str()))
            || furniture.footer.iter().any(|m| t.contains(m.as_str()))
            || furniture.host.iter().any(|p| t.starts_with(p.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_table_parses() {
        let furniture = Furniture::parse(FURNITURE_TABLE).expect("page_furniture.tsv parses");
        assert!(furniture.toolbar.len() > 50);
        assert!(!furniture.navigation.is_empty());
        assert!(!furniture.footer.is_empty());
        assert!(!furniture.host.is_empty());
        assert!(Furniture::parse("word\tuses\n打印\tprinting\n").is_err());
    }

    fn page(body: &str) -> String {
        format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>测试页面_某某市人民政府</title><style>p{{color:red}}</style></head><body>{body}</body></html>")
    }

    const PARA: &str = "静海区政务服务办始终坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大精神，全面贯彻习近平法治思想。";

    #[test]
    fn drops_chrome_and_keeps_trs_editor_content() {
        let body = format!(
            r#"<div class="top"><span>某某市人民政府</span> 2019年12月3日星期二</div>
<div id="wzaBar">无障碍 简体| 繁体</div>
<ul class="mainNav"><li><a href="/">首页</a></li><li>机构</li><li>政务公开</li></ul>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开</div>
<script>document.write("脚本里的中文")</script>
<div class="article"><h1>某某区2024年法治政府建设年度报告</h1>
<div class="info">来源：某某区司法局 发布时间：2025-02-27 【字体：大 中 小】</div>
<div class="TRS_Editor"><p>　　{PARA}</p><p>一、主要举措</p><p>（一）第一项。</p></div>
<div class="tools">【打印本页】【关闭窗口】</div></div>
<div class="footer"><p>版权所有：某某区人民政府 津ICP备05009235号 网站标识码：1202230001</p></div>"#
        );
        let got = extract(&page(&body));
        assert_eq!(
            got,
            format!("某某区2024年法治政府建设年度报告\n来源：某某区司法局 发布时间：2025-02-27\n{PARA}\n一、主要举措\n（一）第一项。")
        );
    }

    #[test]
    fn title_far_outside_content_is_prepended() {
        let long = PARA.repeat(20);
        let body = format!(
            r#"<div class="hd"><h1 class="title">关于某某工作的报告</h1><p>{}</p></div>
<div id="zoom"><p>{long}</p><p>第二段。</p></div>"#,
            "另一段较长的说明文字。".repeat(30)
        );
        let got = extract(&page(&body));
        let lines: Vec<&str> = got.lines().collect();
        assert_eq!(lines, ["关于某某工作的报告", long.as_str(), "第二段。"]);
    }

    #[test]
    fn title_element_is_used_when_no_heading() {
        let body = format!("<div class=\"content\"><p>{PARA}</p></div>");
        let got = extract(&page(&body));
        assert_eq!(got, format!("测试页面\n{PARA}"));
        // Not repeated when the content already starts with it.
        let body = format!("<div class=\"content\"><p>测试页面</p><p>{PARA}</p></div>");
        assert_eq!(extract(&page(&body)), format!("测试页面\n{PARA}"));
    }

    #[test]
    fn fallback_picks_densest_block() {
        let body = format!(
            r#"<table><tr><td width="200"><a href="/">链接一</a><br><a href="/">链接二</a></td>
<td><p>{PARA}</p><p>{PARA}</p><p>第三段</p></td></tr></table>"#
        );
        let got = extract(&page(&body));
        assert_eq!(got, format!("测试页面\n{PARA}\n{PARA}\n第三段"));
    }

    #[test]
    fn whitespace_rules() {
        let body = "<article><p>第一行\n  接着写 English\n words&nbsp;&nbsp;and\u{2002}EN</p>\
<p>a<br>b<br><br>c</p><p>&nbsp;</p><p>&nbsp;</p><p>d</p>\
<table><tr><td>序号</td><td> 事项 </td></tr><tr><td>1</td><td>审批</td></tr></table>\
<pre>保留\n  缩进</pre></article>";
        let got = extract(&page(body));
        assert_eq!(
            got,
            "测试页面\n第一行接着写 English words\u{a0}\u{a0}and\u{2002}EN\na\nb\n\nc\n\nd\n序号\t事项\n1\t审批\n保留\n缩进"
        );
    }

    #[test]
    fn hidden_elements_and_forms_are_dropped_but_page_wide_forms_kept() {
        let body = format!(
            r#"<form id="form1" action="x.aspx"><input type="hidden" value="abc">
<div style="display: none">隐藏的文字</div><div hidden>也隐藏</div>
<form class="s"><p>站内搜索关键词</p></form>
<div><p>{}</p></div></form>"#,
            PARA.repeat(5)
        );
        let got = extract(&page(&body));
        assert!(got.contains(PARA), "{got}");
        assert!(!got.contains("隐藏"));
        assert!(!got.contains("搜索"));
    }

    #[test]
    fn boilerplate_lines() {
        for l in [
            "无障碍 简体| 繁体",
            "无障碍 简体|繁体",
            "简体| 繁体",
            "打印本页 关闭窗口",
            "【字体：大 中 小】",
            "分享到：",
            "【打印本页】 【关闭窗口】",
            "当前位置：首页 > 政务公开",
            "版权所有：某某区人民政府 津ICP备05009235号",
            "网站标识码：1202230001",
        ] {
            let stripped = strip_toolbar_brackets(l);
            let t = stripped.trim();
            assert!(t.is_empty() || is_boilerplate_line(t), "{l}");
        }
        for l in [
            "来源:天津市静海区人民政府政务服务办公室 发布时间:2025-02-27 09:57",
            "一、主要举措和成效",
            "中小企业",
            "附件:",
        ] {
            assert!(!is_boilerplate_line(l), "{l}");
        }
        assert_eq!(
            strip_toolbar_brackets("发布时间：2025-02-27 【字体：大 中 小】[打印本页]【附件】"),
            "发布时间：2025-02-27 【附件】"
        );
        assert_eq!(
            strip_toolbar_tail("2019-02-15 16:05 来源： 中国政府网 打印 关闭窗口"),
            "2019-02-15 16:05 来源： 中国政府网"
        );
        assert_eq!(strip_toolbar_tail("企业规模 大"), "企业规模 大");
        assert_eq!(strip_toolbar_tail("打印"), "打印");
    }

    #[test]
    fn weak_header_class_inside_article_is_kept() {
        let body = format!(
            r#"<div class="header"><a href="/">网站名称</a></div><div class="wrap"><div class="article-header"><h2>文章小标题</h2></div><div class="article-body"><p>{PARA}</p></div></div>"#
        );
        let got = extract(&page(&body));
        assert!(got.contains("文章小标题"), "{got}");
        assert!(!got.contains("网站名称"), "{got}");
    }

    #[test]
    fn gov_cn_like_layout() {
        let body = format!(
            r#"<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a>政策</a></div>
<div class="article oneColumn pub_border">
<h1>国务院关于在市场监管领域全面推行部门联合监管的意见</h1>
<div class="pages-date">2019-02-15 16:05 来源： 中国政府网 <span class="font">【字体：<a>大</a> <a>中</a> <a>小</a>】</span> <span class="printIco">打印</span></div>
<div class="pages_content" id="UCAP-CONTENT"><p>{PARA}</p><p>{PARA}</p></div>
<div class="editor">责任编辑：某某</div>
<div class="bdshare_t"><span>分享到：</span></div></div>
<div class="related"><a>相关文章一</a></div>"#
        );
        let got = extract(&page(&body));
        assert_eq!(
            got,
            format!(
                "国务院关于在市场监管领域全面推行部门联合监管的意见\n2019-02-15 16:05 来源： 中国政府网\n{PARA}\n{PARA}\n责任编辑：某某"
            )
        );
    }

    #[test]
    fn many_brackets_stay_fast() {
        let line = format!("{}{PARA}", "【[".repeat(50_000));
        let start = std::time::Instant::now();
        let got = extract(&format!("<p>{line}</p>"));
        assert!(got.contains("静海区"));
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 5_000;
        let src = format!("{}{PARA}{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let got = extract(&src);
        assert!(got.contains("静海区"));
    }
}
