//! Markdown: keeps the text, strips the markup that would otherwise pollute entities and offsets.
//! Lines stay lines (apart from front matter, fences, rules, link definitions and comments, which
//! are removed).

use std::collections::HashMap;

/// Strips Markdown markup: YAML/TOML front matter, HTML comments, heading markers, blockquote
/// markers, list markers, fenced-code fences, thematic breaks, link reference definitions,
/// emphasis/strikethrough delimiters, code-span backticks, backslash escapes, link syntax
/// (`[text](url)` → `text`), images (removed) and inline HTML tags. Table rows become one line
/// with tab-separated cells; delimiter rows are removed.
pub(crate) fn strip(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let text = strip_front_matter(text);
    let text = remove_html_comments(text);
    let mut out: Vec<String> = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for line in text.split('\n') {
        if let Some((c, n)) = fence_marker(line) {
            match fence {
                None => fence = Some((c, n)),
                Some((fc, fnum)) if fc == c && n >= fnum && is_closing_fence(line) => fence = None,
                Some(_) => out.push(line.to_string()),
            }
            continue;
        }
        if fence.is_some() {
            out.push(line.to_string());
            continue;
        }
        if is_rule(line) || is_link_definition(line) {
            continue;
        }
        if let Some(cells) = table_cells(line) {
            if cells.iter().all(|c| is_delimiter_cell(c)) {
                continue;
            }
            let cells: Vec<String> = cells.iter().map(|c| inline(c.trim())).collect();
            out.push(cells.join("\t"));
            continue;
        }
        out.push(inline(strip_block_markers(line)));
    }
    out.join("\n")
}

/// Removes a leading `---` … `---` (YAML) or `+++` … `+++` (TOML) block.
fn strip_front_matter(text: &str) -> &str {
    let mut lines = text.split_inclusive('\n');
    let first = match lines.next() {
        Some(l) => l.trim_end(),
        None => return text,
    };
    let closers: &[&str] = match first {
        "---" => &["---", "..."],
        "+++" => &["+++"],
        _ => return text,
    };
    let mut consumed = text.split_inclusive('\n').next().map_or(0, str::len);
    for line in lines {
        consumed += line.len();
        if closers.contains(&line.trim_end()) {
            return text.get(consumed..).unwrap_or("");
        }
    }
    text
}

/// Removes `<!-- … -->` comments (an unterminated one is left alone).
fn remove_html_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        let after = rest.get(start + 4..).unwrap_or("");
        match after.find("-->") {
            Some(end) => {
                out.push_str(rest.get(..start).unwrap_or(""));
                rest = after.get(end + 3..).unwrap_or("");
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// A code fence: up to 3 spaces, then 3+ backticks or tildes.
fn fence_marker(line: &str) -> Option<(char, usize)> {
    let t = strip_up_to_3_spaces(line)?;
    let c = t.chars().next().filter(|&c| c == '`' || c == '~')?;
    let n = t.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

fn is_closing_fence(line: &str) -> bool {
    line.trim().chars().all(|c| c == '`' || c == '~')
}

fn strip_up_to_3_spaces(line: &str) -> Option<&str> {
    let n = line.chars().take_while(|&c| c == ' ').count();
    if n > 3 {
        None
    } else {
        line.get(n..)
    }
}

/// Thematic breaks (`---`, `***`, `___`) and setext underlines (`===`, `---`).
fn is_rule(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut chars = t.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    matches!(first, '-' | '*' | '_' | '=') && t.chars().count() >= 3 && chars.all(|c| c == first)
}

/// `[label]: url` and `[label]: url "title"` lines (footnote definitions `[^1]: …` are text).
fn is_link_definition(line: &str) -> bool {
    let Some(t) = strip_up_to_3_spaces(line) else {
        return false;
    };
    let Some(body) = t.strip_prefix('[') else {
        return false;
    };
    if body.starts_with('^') {
        return false;
    }
    let Some(i) = body.find("]:") else {
        return false;
    };
    let label = body.get(..i).unwrap_or("");
    let rest = body.get(i + 2..).unwrap_or("").trim();
    let mut parts = rest.splitn(2, char::is_whitespace);
    let url = parts.next().unwrap_or("");
    let title = parts.next().unwrap_or("").trim();
    !label.is_empty()
        && !label.contains(['[', ']'])
        && !url.is_empty()
        && url.is_ascii()
        && (title.is_empty() || title.starts_with(['"', '\'', '(']))
}

/// Cells of a `| a | b |` table row.
fn table_cells(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    if t.len() < 2 || !t.starts_with('|') || !t.ends_with('|') {
        return None;
    }
    let inner = t.get(1..t.len() - 1)?;
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut escaped = false;
    for c in inner.chars() {
        if escaped {
            if c != '|' {
                cur.push('\\');
            }
            cur.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '|' {
            cells.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if escaped {
        cur.push('\\');
    }
    cells.push(cur);
    Some(cells)
}

fn is_delimiter_cell(cell: &str) -> bool {
    let c = cell.trim();
    let c = c.strip_prefix(':').unwrap_or(c);
    let c = c.strip_suffix(':').unwrap_or(c);
    !c.is_empty() && c.chars().all(|x| x == '-')
}

/// Removes blockquote markers, heading markers (and closing `#`s) and list markers at line start.
fn strip_block_markers(line: &str) -> &str {
    let mut t = line;
    loop {
        // Blockquote.
        if let Some(rest) = strip_up_to_3_spaces(t).and_then(|s| s.strip_prefix('>')) {
            t = rest.strip_prefix(' ').unwrap_or(rest);
            continue;
        }
        // List item: bullet or ordered marker followed by whitespace.
        let lead = t.len() - t.trim_start_matches([' ', '\t']).len();
        let body = t.get(lead..).unwrap_or("");
        if let Some(rest) = list_marker(body) {
            let rest = rest.trim_start_matches([' ', '\t']);
            t = ["[ ] ", "[x] ", "[X] "]
                .iter()
                .find_map(|task| rest.strip_prefix(task))
                .unwrap_or(rest);
            continue;
        }
        break;
    }
    heading(t).unwrap_or(t)
}

/// The rest of the line after a list marker (`- `, `* `, `+ `, `1. `, `1) `).
fn list_marker(s: &str) -> Option<&str> {
    let mut chars = s.char_indices();
    let (_, c) = chars.next()?;
    let after = if matches!(c, '-' | '*' | '+') {
        s.get(1..)?
    } else if c.is_ascii_digit() {
        let digits = s.chars().take_while(char::is_ascii_digit).count();
        if digits > 9 {
            return None;
        }
        let rest = s.get(digits..)?;
        rest.strip_prefix('.').or_else(|| rest.strip_prefix(')'))?
    } else {
        return None;
    };
    after.starts_with([' ', '\t']).then_some(after)
}

/// An ATX heading's text: `## 标题 ##` → `标题`. `#` directly followed by CJK text counts too.
fn heading(line: &str) -> Option<&str> {
    let t = strip_up_to_3_spaces(line)?;
    let n = t.chars().take_while(|&c| c == '#').count();
    if n == 0 || n > 6 {
        return None;
    }
    let rest = t.get(n..)?;
    match rest.chars().next() {
        None => return Some(""),
        Some(c) if c == ' ' || c == '\t' || !c.is_ascii() => {}
        Some(_) => return None,
    }
    let rest = rest.trim_start_matches([' ', '\t']);
    // Closing sequence: whitespace then only '#'s.
    let trimmed = rest.trim_end_matches([' ', '\t']);
    let without = trimmed.trim_end_matches('#');
    if without.len() < trimmed.len() && (without.is_empty() || without.ends_with([' ', '\t'])) {
        return Some(without.trim_end_matches([' ', '\t']));
    }
    Some(rest)
}

// Tokens visited by the inline passes, counted in tests only: the linearity test checks that
// they grow in proportion to the line (a count, not a clock, so it cannot be flaky).
#[cfg(test)]
thread_local! {
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `n` tokens visited (tests only; nothing in a build).
#[inline]
fn step(n: usize) {
    #[cfg(test)]
    STEPS.with(|s| s.set(s.get() + n as u64));
    #[cfg(not(test))]
    let _ = n;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tok {
    c: char,
    /// Escaped or inside a code span: never markup.
    literal: bool,
}

fn is_markup(t: Option<&Tok>, c: char) -> bool {
    t.is_some_and(|t| !t.literal && t.c == c)
}

/// Inline markup of one line.
fn inline(line: &str) -> String {
    let toks = tokenize(line);
    let toks = links(toks);
    let toks = tags(toks);
    let toks = emphasis(toks);
    toks.iter().map(|t| t.c).collect()
}

/// Backslash escapes and code spans.
fn tokenize(line: &str) -> Vec<Tok> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    // Where each run of backticks starts, by its length: a code span closes at the next run of
    // the opening run's length. Looked up, not searched for: searching from every opening run
    // cost a line of runs of many different lengths the square of its length.
    let mut runs: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut k = 0;
    while k < chars.len() {
        let m = chars[k..].iter().take_while(|&&x| x == '`').count();
        step(m.max(1));
        if m > 0 {
            runs.entry(m).or_default().push(k);
        }
        k += m.max(1);
    }
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        step(1);
        if c == '\\' {
            if let Some(&next) = chars.get(i + 1).filter(|n| n.is_ascii_punctuation()) {
                out.push(Tok {
                    c: next,
                    literal: true,
                });
                i += 2;
                continue;
            }
        }
        if c == '`' {
            let n = chars
                .get(i..)
                .map_or(0, |s| s.iter().take_while(|&&x| x == '`').count());
            step(n);
            // The first run of exactly n backticks after this one.
            let close = runs.get(&n).and_then(|starts| {
                let after = starts.partition_point(|&start| start < i + n);
                starts.get(after).copied()
            });
            match close {
                Some(j) => {
                    let content = chars.get(i + n..j).unwrap_or(&[]);
                    step(content.len());
                    out.extend(content.iter().map(|&c| Tok { c, literal: true }));
                    i = j + n;
                }
                None => {
                    out.extend(std::iter::repeat_n(
                        Tok {
                            c: '`',
                            literal: true,
                        },
                        n,
                    ));
                    i += n;
                }
            }
            continue;
        }
        out.push(Tok { c, literal: false });
        i += 1;
    }
    out
}

/// How far ahead a bracket's partner is looked for (bounds the work on pathological lines).
const MAX_LINK_SPAN: usize = 4096;

/// For every markup `open` token, the index of the `close` that matches it (nesting counted),
/// if there is one within [`MAX_LINK_SPAN`] tokens. One pass with a stack: looking for the
/// partner of each bracket separately cost MAX_LINK_SPAN steps per bracket on a line of them.
fn partners(toks: &[Tok], open: char, close: char) -> Vec<Option<usize>> {
    let mut partner = vec![None; toks.len()];
    let mut stack: Vec<usize> = Vec::new();
    step(toks.len());
    for (k, t) in toks.iter().enumerate() {
        if t.literal {
            continue;
        }
        if t.c == open {
            stack.push(k);
        } else if t.c == close {
            if let Some(start) = stack.pop() {
                if k - start < MAX_LINK_SPAN {
                    partner[start] = Some(k);
                }
            }
        }
    }
    partner
}

/// `[text](url)`, `[text][ref]`, `[text][]` → text; `![alt](src)` and `![alt][ref]` → removed.
fn links(toks: Vec<Tok>) -> Vec<Tok> {
    let mut cur = toks;
    // Nested constructs (an image inside a link) need a second pass.
    for _ in 0..3 {
        let (next, changed) = links_once(&cur);
        cur = next;
        if !changed {
            break;
        }
    }
    cur
}

fn links_once(toks: &[Tok]) -> (Vec<Tok>, bool) {
    let brackets = partners(toks, '[', ']');
    let parentheses = partners(toks, '(', ')');
    let matching = |table: &[Option<usize>], at: usize| table.get(at).copied().flatten();
    let mut out = Vec::with_capacity(toks.len());
    let mut changed = false;
    let mut i = 0;
    while let Some(&t) = toks.get(i) {
        step(1);
        let image = is_markup(Some(&t), '!') && is_markup(toks.get(i + 1), '[');
        let open = if image { i + 1 } else { i };
        if image || is_markup(Some(&t), '[') {
            if let Some(close) = matching(&brackets, open) {
                let target_end = if is_markup(toks.get(close + 1), '(') {
                    matching(&parentheses, close + 1)
                } else if is_markup(toks.get(close + 1), '[') {
                    matching(&brackets, close + 1)
                } else {
                    None
                };
                if let Some(end) = target_end {
                    if !image {
                        out.extend_from_slice(toks.get(open + 1..close).unwrap_or(&[]));
                        step(close - open);
                    }
                    changed = true;
                    i = end + 1;
                    continue;
                }
            }
        }
        out.push(t);
        i += 1;
    }
    (out, changed)
}

/// Autolinks `<https://…>` → the URL; inline HTML tags (`<br>`, `<span …>`, `</sup>`) removed.
fn tags(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while let Some(&t) = toks.get(i) {
        step(1);
        if is_markup(Some(&t), '<') {
            let window = toks.get(i + 1..).unwrap_or(&[]);
            let window = window.get(..MAX_LINK_SPAN).unwrap_or(window);
            let stop = window
                .iter()
                .position(|x| !x.literal && (x.c == '>' || x.c == '<'));
            step(stop.map_or(window.len(), |p| p + 1));
            if let Some(end) = stop
                .filter(|&p| window.get(p).is_some_and(|x| x.c == '>'))
                .map(|p| i + 1 + p)
            {
                let inner: String = toks
                    .get(i + 1..end)
                    .unwrap_or(&[])
                    .iter()
                    .map(|x| x.c)
                    .collect();
                if is_autolink(&inner) {
                    out.extend_from_slice(toks.get(i + 1..end).unwrap_or(&[]));
                    i = end + 1;
                    continue;
                }
                if is_html_tag(&inner) {
                    i = end + 1;
                    continue;
                }
            }
        }
        out.push(t);
        i += 1;
    }
    out
}

fn is_autolink(s: &str) -> bool {
    !s.contains(char::is_whitespace)
        && (["http://", "https://", "ftp://", "mailto:"]
            .iter()
            .any(|p| s.len() > p.len() && s.to_ascii_lowercase().starts_with(p))
            || (s.contains('@') && s.contains('.') && !s.starts_with('@')))
}

fn is_html_tag(s: &str) -> bool {
    let s = s.strip_prefix('/').unwrap_or(s);
    let name_len = s
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .count();
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !first.is_ascii_alphabetic() || name_len == 0 {
        return false;
    }
    let rest = s.get(name_len..).unwrap_or("");
    rest.is_empty() || rest == "/" || rest.starts_with(|c: char| c.is_ascii_whitespace())
}

/// Removes matched emphasis (`*`, `_`, up to three) and strikethrough (`~~`) delimiter runs.
fn emphasis(toks: Vec<Tok>) -> Vec<Tok> {
    struct Run {
        start: usize,
        len: usize,
        c: char,
    }
    let mut runs: Vec<(Run, bool, bool)> = Vec::new();
    let mut i = 0;
    while let Some(t) = toks.get(i) {
        step(1);
        if !t.literal && matches!(t.c, '*' | '_' | '~') {
            let c = t.c;
            let len = toks.get(i..).map_or(0, |s| {
                s.iter().take_while(|x| !x.literal && x.c == c).count()
            });
            step(len);
            let prev = if i == 0 {
                None
            } else {
                toks.get(i - 1).map(|x| x.c)
            };
            let next = toks.get(i + len).map(|x| x.c);
            let ws = |x: Option<char>| x.is_none_or(char::is_whitespace);
            let alnum = |x: Option<char>| x.is_some_and(|c| c.is_ascii_alphanumeric());
            let left = !ws(next);
            let right = !ws(prev);
            let (open, close) = match c {
                '_' => (left && !alnum(prev), right && !alnum(next)),
                _ => (left, right),
            };
            let valid_len = if c == '~' { len == 2 } else { len <= 3 };
            if valid_len {
                runs.push((Run { start: i, len, c }, open, close));
            }
            i += len;
        } else {
            i += 1;
        }
    }
    let mut remove = vec![false; toks.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (k, (run, open, close)) in runs.iter().enumerate() {
        if *close {
            // Only the most recent openers are considered (bounds the work on long lines).
            let lowest = stack.len().saturating_sub(256);
            let found = stack
                .iter()
                .enumerate()
                .skip(lowest)
                .rev()
                .find(|(_, &o)| {
                    step(1);
                    runs.get(o)
                        .is_some_and(|(r, _, _)| r.c == run.c && r.len == run.len)
                })
                .map(|(pos, _)| pos);
            if let Some(pos) = found {
                if let Some((opener, _, _)) = stack.get(pos).and_then(|&o| runs.get(o)) {
                    for flag in remove.iter_mut().skip(opener.start).take(opener.len) {
                        *flag = true;
                    }
                    for flag in remove.iter_mut().skip(run.start).take(run.len) {
                        *flag = true;
                    }
                }
                stack.truncate(pos);
                continue;
            }
        }
        if *open {
            stack.push(k);
        }
    }
    toks.into_iter()
        .zip(remove)
        .filter(|(_, r)| !r)
        .map(|(t, _)| t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{read_bytes, SourceFormat};
    use super::*;

    #[test]
    fn headings_lists_quotes() {
        let md = "# 一、总体情况\n## 二、主要举措 ##\n#无空格标题\n#hashtag\n> 引用段落\n> > 二级\n- 项目一\n* 项目二\n+ 项目三\n  1. 第一\n2) 第二\n1.梳理政务服务事项清单\n- [x] 已完成\n-负数";
        assert_eq!(
            strip(md),
            "一、总体情况\n二、主要举措\n无空格标题\n#hashtag\n引用段落\n二级\n项目一\n项目二\n项目三\n第一\n第二\n1.梳理政务服务事项清单\n已完成\n-负数"
        );
    }

    #[test]
    fn emphasis_code_and_escapes() {
        assert_eq!(inline("**加粗**和*斜体*和***都有***"), "加粗和斜体和都有");
        assert_eq!(inline("__粗__ _斜_ ~~删除线~~"), "粗 斜 删除线");
        assert_eq!(
            inline("snake_case_name 和 a * b * c"),
            "snake_case_name 和 a * b * c"
        );
        assert_eq!(inline("`代码 **不变**` 与 ``a`b``"), "代码 **不变** 与 a`b");
        assert_eq!(
            inline(r"\*不是强调\* 与 \[不是链接\](x)"),
            "*不是强调* 与 [不是链接](x)"
        );
        assert_eq!(inline("*未闭合 与 `未闭合"), "*未闭合 与 `未闭合");
    }

    #[test]
    fn links_and_images() {
        assert_eq!(
            inline("见[《法治政府建设实施纲要》](http://www.gov.cn/a_(1).htm \"t\")全文"),
            "见《法治政府建设实施纲要》全文"
        );
        assert_eq!(inline("图![示意图](img/a.png)后"), "图后");
        assert_eq!(inline("[![徽章](b.svg)](https://x)"), "");
        assert_eq!(inline("[引用][1] 和 [简写][]"), "引用 和 简写");
        assert_eq!(
            inline("〔2024〕15号 与 [2024]15号"),
            "〔2024〕15号 与 [2024]15号"
        );
        assert_eq!(
            inline("<https://www.gov.cn> a<br>b <span class=\"x\">c</span>"),
            "https://www.gov.cn ab c"
        );
        assert_eq!(inline("1 < 2 且 3 > 2"), "1 < 2 且 3 > 2");
    }

    #[test]
    fn front_matter_comments_fences_rules_tables() {
        let md = "---\ntitle: 报告\ndate: 2024\n---\n# 标题\n<!-- INFO END -->\n正文<!-- 注释 -->继续\n\n---\n***\n```text\n**原样**\n```\n| 序号 | 事项 |\n|:---|---:|\n| 1 | **审批** |\n[1]: http://example.com\n结束";
        assert_eq!(
            strip(md),
            "标题\n\n正文继续\n\n**原样**\n序号\t事项\n1\t审批\n结束"
        );
    }

    #[test]
    fn link_definitions_versus_text_lines() {
        assert_eq!(
            strip("[1]: http://www.gov.cn \"国务院\"\n[^1]: 脚注内容\n[注]: 说明文字"),
            "[^1]: 脚注内容\n[注]: 说明文字"
        );
    }

    /// The tokens the inline passes visit for `line`, and what they make of it.
    fn steps_of(line: &str) -> (u64, String) {
        STEPS.with(|s| s.set(0));
        let out = strip(line);
        (STEPS.with(std::cell::Cell::get), out)
    }

    /// Lines that once cost the square of their length, or a look-ahead of MAX_LINK_SPAN per
    /// bracket: the work per character (tokens visited, counted, not timed) does not grow when
    /// the line doubles, and stays within a few hundred visits per character — the caps on look-back
    /// (256 emphasis openers) and look-ahead (up to the next `<`) and nothing more. The time
    /// these lines take is measured by `govkg-bench --pathological`.
    #[test]
    fn pathological_lines_take_linear_work() {
        type Shape = (&'static str, fn(usize) -> String);
        let shapes: [Shape; 9] = [
            ("[", |n| "[".repeat(n)),
            ("![a](", |n| "![a](".repeat(n)),
            ("*a", |n| "*a".repeat(n)),
            ("_a ", |n| "_a ".repeat(n)),
            ("``a`", |n| "``a`".repeat(n)),
            ("<a", |n| "<a".repeat(n)),
            ("< and 5 000 letters", |n| {
                format!("<{}", "a".repeat(5_000)).repeat(n / 1000)
            }),
            // Brackets that never close: each used to look MAX_LINK_SPAN tokens ahead.
            ("[(", |n| "[(".repeat(n)),
            // Backtick runs of 1, 2, … n/10: each length used to search to the end of the line.
            ("backtick runs", |n| {
                (1..n / 10).map(|k| format!("{}a", "`".repeat(k))).collect()
            }),
        ];
        for (name, shape) in shapes {
            let (small, big) = (shape(10_000), shape(20_000));
            let (steps_small, out_small) = steps_of(&small);
            let (steps_big, out_big) = steps_of(&big);
            assert!(
                !out_small.is_empty() && out_big.len() <= big.len(),
                "{name}"
            );
            let chars_small = small.chars().count() as u64;
            let chars = big.chars().count() as u64;
            // steps_big / chars ≤ 1.05 × steps_small / chars_small, with some slack.
            assert!(
                steps_big * chars_small * 20 <= steps_small * chars * 21 + chars * 1_000,
                "{name}: {steps_small} steps for {chars_small} chars, {steps_big} for {chars}"
            );
            assert!(
                steps_big <= 300 * chars,
                "{name}: {steps_big} steps for {chars} chars"
            );
        }
    }

    #[test]
    fn code_spans_close_at_the_next_run_of_their_length() {
        assert_eq!(strip("a `b` c ``d`e`` f `g"), "a b c d`e f `g");
        assert_eq!(strip("\\``x` y"), "`x y");
        assert_eq!(strip("[a](b) [c] (d) [[e]](f)"), "a [c] (d) [e]");
    }

    #[test]
    fn unterminated_front_matter_is_text() {
        assert_eq!(strip("---\n正文"), "正文");
        assert_eq!(strip("+++\n正文"), "+++\n正文");
    }

    #[test]
    fn en_space_and_fullwidth_are_kept() {
        let md = "\u{2002}\u{2002}静海区政务服务办，坚持（依法）行政；\u{3000}两个  空格";
        assert_eq!(strip(md), md);
    }

    #[test]
    fn markdown_through_read_bytes() {
        let got = read_bytes(
            "r.markdown",
            "# 标题\r\n\r\n**正文**[bookmark: _GoBack]".as_bytes(),
        )
        .unwrap();
        assert_eq!(got.format, SourceFormat::Markdown);
        assert_eq!(got.text, "标题\n\n正文");
    }
}
