//! Initiative rules. Known initiatives (initiatives.tsv, any variant) are found anywhere.
//! Quoted terms are sorted by the rules of `data/initiative_rules.toml`, in its order:
//! slogan patterns → name heads → completing words → genus words → action verbs → slogan.

use super::{Context, InitiativeRef, Mention, Referent};
use crate::knowledge::{normalize_name, Entry, Knowledge};
use crate::model::Span;

use crate::segment::Enclosed;

pub fn find(cx: &Context<'_>) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    for &(start, end, entry) in &cx.hits {
        if let Entry::Initiative(index) = entry {
            // A whole quoted name (“一件事”) is mentioned by the text inside the quotes.
            let (start, end) = match cx.text[start..end]
                .strip_prefix('“')
                .and_then(|s| s.strip_suffix('”'))
            {
                Some(_) => (start + '“'.len_utf8(), end - '”'.len_utf8()),
                None => (start, end),
            };
            // A known name that is one part of a quoted brand (“蒙速办·帮您办”), or the head of
            // a quoted name that a few words narrow (“一次性接诉即办”): the quoted name.
            if let Some(brand) = brand_around(cx, Span::new(start, end))
                .or_else(|| narrowed_name_around(cx, Span::new(start, end)))
            {
                out.push(brand);
                continue;
            }
            out.push(Mention {
                span: Span::new(start, end),
                referent: Referent::Initiative(InitiativeRef::Known(index)),
            });
        }
    }
    // Known names are in text order (one leftmost-longest scan): a binary search finds overlaps.
    let known: Vec<Span> = out.iter().map(|m| m.span).collect();
    let overlaps_known = |span: Span| {
        let i = known.partition_point(|k| k.end <= span.start);
        known.get(i).is_some_and(|k| k.overlaps(span))
    };
    for quote in &cx.quotes {
        if cx.budget.spent() {
            break;
        }
        // A quote inside a bracketed title is part of the title's name (《…“双下降”行动方案》).
        if overlaps_known(quote.inner) || cx.title_containing(quote.outer).is_some() {
            continue;
        }
        if let Some(mention) = classify_quote(cx, quote) {
            out.push(with_lead_in(cx, quote, mention));
        }
    }
    // A known name right after a quoted initiative describes it (“谁执法谁普法”普法责任制): the
    // quoted one is what is meant.
    let mut spans: Vec<Span> = out.iter().map(|m| m.span).collect();
    spans.sort();
    let quoted_ends: rustc_hash::FxHashSet<usize> = cx
        .quotes
        .iter()
        .filter(|q| {
            // A mention inside the quote, or one containing its text.
            let i = spans.partition_point(|s| s.end < q.inner.start);
            spans[i..]
                .iter()
                .take_while(|s| s.start <= q.outer.end)
                .any(|s| q.outer.contains(*s) || s.contains(q.inner))
        })
        .map(|q| q.outer.end)
        .collect();
    // A quote right after a quote is a name of its own (“极简审批”“创新办”改革).
    out.retain(|m| {
        !quoted_ends.contains(&m.span.start) || cx.quote_starting_at(m.span.start).is_some()
    });
    out.extend(unquoted_named(cx, &out));
    out.extend(striven_titles(cx, &out));
    out
}

/// A demonstration title (全国法治政府建设示范市) that a verb of striving goes before (争创, 创建;
/// a scope may stand between) or that a creating word follows within a few characters (示范市
/// 第一阶段创建工作): the programme that awards the title. A title awarded (获得…示范县命名) is an
/// honour, not a programme, and names none.
fn striven_titles(cx: &Context<'_>, found: &[Mention]) -> Vec<Mention> {
    let k = cx.knowledge;
    let titles = &k.rules.striven_titles;
    let mut out = Vec::new();
    k.striven_title_stems
        .for_each_match(cx.text, |stem, at, stem_end| {
            let index = k.striven_title_programmes[stem];
            let after_stem = &cx.text[stem_end..];
            let Some(place_word) = titles
                .place_words
                .iter()
                .filter(|w| after_stem.starts_with(w.as_str()))
                .max_by_key(|w| w.len())
            else {
                return;
            };
            let end = stem_end + place_word.len();
            // A scope right before the title is part of it (全国法治政府建设示范市).
            let before = cx.before(at, 8);
            let scope = k
                .rules
                .scope_words
                .iter()
                .filter(|w| before.ends_with(w.as_str()))
                .max_by_key(|w| w.len());
            let start = at - scope.map_or(0, |w| w.len());
            let striven = titles
                .verbs_before
                .iter()
                .any(|v| cx.before(start, 4).ends_with(v.as_str()));
            let created = !striven && {
                let after = cx.after(end, titles.after_max_chars + 2);
                after.find(titles.creating_word.as_str()).is_some_and(|i| {
                    after[..i].chars().count() <= titles.after_max_chars
                        && after[..i].chars().all(super::is_han)
                })
            };
            let span = Span::new(start, end);
            if !(striven || created)
                || found.iter().any(|m| m.span.overlaps(span))
                || cx.title_containing(span).is_some()
            {
                return;
            }
            out.push(Mention {
                span,
                referent: Referent::Initiative(InitiativeRef::Known(index)),
            });
        });
    out
}

/// A quoted name that says only what a programme holds (“四大工程”, “5S”, “抓示范、创品牌、出
/// 经验”) with the words an action verb puts before it (启动基层法治建设“四大工程”): they are
/// part of the name when they are 2 to `lead_in_max_chars` Chinese characters right after the
/// verb, name no body, place, law or known initiative, hold no numeral and no continuation
/// blocker (的, 等), and start with no scope (全省) and no verb. A quote that names on its own
/// (涉企执法“亮码检查”, “一企一策”) keeps its name.
fn with_lead_in(cx: &Context<'_>, quote: &Enclosed, mention: Mention) -> Mention {
    let Referent::Initiative(InitiativeRef::Named(name)) = &mention.referent else {
        return mention;
    };
    let k = cx.knowledge;
    let quoted = normalize_name(cx.slice(quote.inner));
    let says_contents = !quoted.chars().any(super::is_han)
        || quoted.contains('、')
        || (quoted
            .chars()
            .next()
            .is_some_and(|c| k.vocabulary.is_numeral(c))
            && !is_one_per_set(
                k.rules.one_per_marker,
                k.rules.one_per_part_max_chars,
                &quoted,
            ));
    if !says_contents {
        return mention;
    }
    let Some(start) = lead_in_start(cx, quote.outer.start) else {
        return mention;
    };
    let lead = cx.slice(Span::new(start, quote.outer.start));
    Mention {
        span: Span::new(start, mention.span.end),
        referent: Referent::Initiative(InitiativeRef::Named(format!("{lead}{name}"))),
    }
}

/// Where the words between an action verb and the quote at `quote_start` begin, when they are
/// part of the quoted name (see [`with_lead_in`]).
fn lead_in_start(cx: &Context<'_>, quote_start: usize) -> Option<usize> {
    let k = cx.knowledge;
    let max_chars = k.rules.lead_in_max_chars;
    let longest_verb = k
        .rules
        .action_verbs
        .iter()
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(0);
    let before = cx.before(quote_start, max_chars + longest_verb);
    let run_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !super::is_han(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let run = &before[run_start..];
    let offset = quote_start - before.len() + run_start;
    // The shortest lead-in (two characters or more) that an action verb ends right before.
    let start = run
        .char_indices()
        .rev()
        .skip(1)
        .take(max_chars.saturating_sub(1))
        .map(|(i, _)| i)
        .find(|&i| k.rule_words.action_verbs.is_suffix_of(&run[..i]))?;
    let lead = &run[start..];
    let start = offset + start;
    let names_something = {
        let i = cx.hits.partition_point(|h| h.1 <= start);
        cx.hits.get(i).is_some_and(|h| h.0 < quote_start)
    };
    let is_scope = k
        .rules
        .scope_words
        .iter()
        .any(|w| lead.starts_with(w.as_str()));
    let has_numeral = lead.chars().any(|c| k.vocabulary.is_numeral(c));
    if names_something || is_scope || has_numeral || crosses_blocker(k, lead) {
        return None;
    }
    // A second verb (深化构建“3+X”产业创新体系) makes the words an act, not a name.
    let starts_with_verb = k
        .segmenter()
        .tag(lead, false)
        .first()
        .is_some_and(|w| w.tag == "v");
    (!starts_with_verb).then_some(start)
}

/// The quoted brand of two parts (“蒙速办·帮您办”) of which `part` is one whole part.
fn brand_around(cx: &Context<'_>, part: Span) -> Option<Mention> {
    let quote = cx.quote_containing(part)?;
    let inner = cx.slice(quote.inner);
    let written = cx.slice(part);
    let is_part =
        inner.len() > written.len() && inner.split(is_brand_joiner).any(|p| p.trim() == written);
    is_part.then(|| Mention {
        span: quote.inner,
        referent: Referent::Initiative(InitiativeRef::Named(inner.trim().to_string())),
    })
}

/// The quoted name (“一次性接诉即办”) that ends with the known name `head` and starts with at
/// most `narrowing_max_chars` Chinese characters before it.
fn narrowed_name_around(cx: &Context<'_>, head: Span) -> Option<Mention> {
    let quote = cx.quote_containing(head)?;
    let narrowing = cx.text.get(quote.inner.start..head.start)?;
    let count = narrowing.chars().count();
    let fits = quote.inner.end == head.end
        && (1..=cx.knowledge.rules.narrowing_max_chars).contains(&count)
        && narrowing.chars().all(super::is_han);
    fits.then(|| Mention {
        span: quote.inner,
        referent: Referent::Initiative(InitiativeRef::Named(cx.slice(quote.inner).to_string())),
    })
}

/// The marks that join the two parts of a brand (法治讲堂·逢九必讲).
const BRAND_JOINERS: [char; 2] = ['·', '・'];

/// A brand's joining mark, or the space a brand of two parts may be written with instead
/// (以案释法\u{2002}月月学法).
fn is_brand_joiner(c: char) -> bool {
    BRAND_JOINERS.contains(&c) || c.is_whitespace()
}

/// Unquoted names ending in a programme word (营商环境提升专项行动, 东丽区营商环境大讲堂). The name
/// starts after the nearest action verb (落实, 举办…); without one, jieba's segmentation decides how
/// many words before the head belong to the name.
fn unquoted_named(cx: &Context<'_>, found: &[Mention]) -> Vec<Mention> {
    let rules = &cx.knowledge.rules;
    let mut out: Vec<Mention> = Vec::new();
    // Overlap with what was found is a binary search over the found spans sorted by start, with
    // the running maximum of their ends (a scan per head word made a text of many mentions cost
    // their square). Names found here end at their head, and heads come in text order without
    // overlapping, so the last name's end tells whether a head overlaps any of them.
    let mut spans: Vec<Span> = found.iter().map(|m| m.span).collect();
    spans.sort_unstable();
    let reach: Vec<usize> = spans
        .iter()
        .scan(0, |max, s| {
            *max = s.end.max(*max);
            Some(*max)
        })
        .collect();
    let overlaps_found = |head: Span| {
        let i = spans.partition_point(|s| s.start < head.end);
        i > 0 && reach[i - 1] > head.start
    };
    let mut previous_head_end = 0;
    // One pass for all head words.
    cx.knowledge
        .unquoted_heads
        .for_each_match(cx.text, |pattern, at, end| {
            let head = &rules.unquoted_heads[pattern];
            let head_span = Span::new(at, end);
            let overlaps_named = if at >= previous_head_end {
                out.last().is_some_and(|m| m.span.end > at)
            } else {
                out.iter().any(|m| m.span.overlaps(head_span))
            };
            previous_head_end = previous_head_end.max(end);
            if overlaps_found(head_span)
                || overlaps_named
                || cx.title_containing(head_span).is_some()
                || cx.quote_containing(head_span).is_some()
            {
                return;
            }
            let mut start = name_start(cx, at).unwrap_or(at);
            // A scope (全省, 全国) starts a name: the words before it are no part of it (项目
            // 申报全省示范创建).
            if let Some(scope) = last_scope_word(&rules.scope_words, &cx.text[start..at]) {
                start += scope;
            }
            let before_head = &cx.text[start..at];
            if rules
                .head_qualifiers
                .iter()
                .any(|q| before_head.ends_with(q.as_str()))
            {
                return;
            }
            if before_head.is_empty() || rules.scope_words.iter().any(|w| w == before_head) {
                // No name before the head (推进示范创建, 全省示范创建): the initiative it stands
                // for, if any.
                if let Some(&index) = rules
                    .bare_heads
                    .get(head)
                    .and_then(|canonical| cx.knowledge.initiative_by_name.get(canonical))
                {
                    out.push(Mention {
                        span: head_span,
                        referent: Referent::Initiative(InitiativeRef::Known(index)),
                    });
                    return;
                }
                if before_head.is_empty() {
                    return;
                }
            }
            let name = &cx.text[start..end];
            let chars = name.chars().count();
            if chars < head.chars().count() + 2
                || chars > rules.unquoted_max_chars
                || !name.chars().all(super::is_han)
            {
                return;
            }
            out.push(Mention {
                span: Span::new(start, end),
                referent: Referent::Initiative(InitiativeRef::Named(name.to_string())),
            });
        });
    out
}

/// Where the last of `scope_words` in `run` starts.
fn last_scope_word(scope_words: &[String], run: &str) -> Option<usize> {
    scope_words
        .iter()
        .filter_map(|w| run.rfind(w.as_str()))
        .max()
}

/// Where a name ending at `at` begins: right after an action verb within twelve characters, or
/// else at the first of the noun-like words jieba finds before the head.
fn name_start(cx: &Context<'_>, at: usize) -> Option<usize> {
    let before = cx.before(at, cx.knowledge.rules.unquoted_max_chars);
    let window_start = at - before.len();
    // Stop at punctuation.
    let run_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !super::is_han(*c))
        .map_or(window_start, |(i, c)| window_start + i + c.len_utf8());
    // 等 ends a list and 的 a description: the name starts after them (…机构等涉及无证无照专项行动).
    let run_start = cx.text[run_start..at]
        .char_indices()
        .rev()
        .find(|&(_, c)| cx.knowledge.rules.name_start_breaks.contains(c))
        .map_or(run_start, |(i, c)| run_start + i + c.len_utf8());
    let run = &cx.text[run_start..at];
    // The name starts where the last action verb in the run ends.
    let verb_end = run
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .rev()
        .find(|&end| {
            cx.knowledge
                .rule_words
                .action_verbs
                .is_suffix_of(&run[..end])
        });
    if let Some(end) = verb_end {
        return Some(run_start + end);
    }
    let words = cx.knowledge.segmenter().tag(run, false);
    let mut start = at;
    for word in words.iter().rev() {
        let noun_like =
            word.tag.starts_with('n') || matches!(word.tag, "vn" | "j" | "l" | "b" | "an");
        if !noun_like {
            break;
        }
        start -= word.word.len();
    }
    (start < at).then_some(start)
}

/// What a quoted term is, by the rules; `None` for slogans and anything not an initiative.
fn classify_quote(cx: &Context<'_>, quote: &Enclosed) -> Option<Mention> {
    let k: &Knowledge = cx.knowledge;
    let rules = &k.rules;
    let raw = cx.slice(quote.inner);
    let term = raw.trim();
    let name = normalize_name(term);
    // The published name keeps inner spaces (以案释法\u{2002}月月学法), drops quote marks.
    let display = || -> String {
        term.chars()
            .filter(|c| !matches!(c, '“' | '”' | '"' | '‘' | '’'))
            .collect()
    };
    if name.is_empty() || k.slogans.contains(&name) || k.generic_phrases.contains(&name) {
        return None;
    }
    if k.law_by_normalized_name(&name).is_some()
        || k.place_by_name.contains_key(&name)
        || k.national_by_name.contains_key(&name)
    {
        return None;
    }
    let name_chars = name.chars().count();
    let slogan_shape = is_slogan_shape(k, &name);
    let after = cx.after(quote.outer.end, 12);
    let initiative = |span: Span, canonical: String| {
        Some(Mention {
            span,
            referent: Referent::Initiative(InitiativeRef::Named(canonical)),
        })
    };
    let words = &k.rule_words;
    // Rule 3 first for short terms: “八五”普法 names 八五普法 even though 八五 alone is too short.
    if let Some(word) = completing_word(k, after, slogan_shape, name_chars) {
        let span = Span::new(quote.outer.start, quote.outer.end + word.len());
        return initiative(span, format!("{name}{word}"));
    }
    // Rule 3c: a quoted part that is no name on its own (short, numbered, a list, an -化 label)
    // goes on past the quote to a programme word (“铁拳”行动, “153”工作机制, “大综合一体化”行政
    // 执法改革): the whole is the name. Ideological formulas and joined phrases stay slogans.
    let continued = |rest: &str| {
        let span = Span::new(quote.outer.start, quote.outer.end + rest.len());
        initiative(span, format!("{}{rest}", display()))
    };
    // A quote without a Chinese word (“153”, “5S”) names nothing until the words after it.
    let symbols_only = !name.chars().any(super::is_han);
    let no_name_alone =
        slogan_shape || name_chars < rules.min_chars || name.contains('、') || symbols_only;
    // What is opposed (反对“台独”分裂活动) is nobody's programme; a quote that runs over two
    // clauses (“优化行政审批项目,全面清理行政许可事项”) is a task written out, not a name.
    let opposed = words.opposing.is_suffix_of(cx.before(quote.outer.start, 4));
    if opposed || term.contains([',', '，', ';', '；']) {
        return None;
    }
    // One of a run of quotes that a programme word ends (推出“创新办”“极简审批”改革措施): each
    // is a name of its own, the last one too, as “跨省通办”等改革 names 跨省通办. (A quote
    // followed by another cannot go on to a head word: its own text after is no head.)
    if !slogan_shape && !symbols_only && !is_formula(k, &name) {
        let preceded = cx.quote_run_start(quote.outer.start, "、") < quote.outer.start;
        let run_end = cx.quote_run_end(quote.outer.end, "、");
        if (preceded || run_end.is_some())
            && continuing_name(k, &cx.text[run_end.unwrap_or(quote.outer.end)..], false).is_some()
        {
            return initiative(quote.inner, display());
        }
    }
    if no_name_alone && (!is_formula(k, &name) || is_formula_applied(k, &name)) {
        if let Some(rest) = continuing_name(k, after, symbols_only) {
            return continued(rest);
        }
    }
    // Rule 1.
    if slogan_shape
        || name_chars < rules.min_chars
        || name.contains('、')
        || words.rectifying.is_prefix_of(after)
    {
        return None;
    }
    // Rule 2; a brand of two parts (“法治讲堂·逢九必讲”) by either part; a member of a named
    // family (“互联网+执法”).
    let of_family = rules
        .name_prefixes
        .iter()
        .any(|p| name.len() > p.len() && name.starts_with(p.as_str()));
    if of_family
        || words.name_heads.is_suffix_of(&name)
        || name
            .split(BRAND_JOINERS)
            .any(|part| words.name_heads.is_suffix_of(part))
    {
        return initiative(quote.inner, display());
    }
    // Rule 2b.
    if is_one_per_set(rules.one_per_marker, rules.one_per_part_max_chars, &name) {
        return continuing_name(k, after, false)
            .and_then(continued)
            .or_else(|| initiative(quote.inner, display()));
    }
    if named_by_context(cx, quote, name_chars, after) {
        return initiative(quote.inner, display());
    }
    // Rule 3c for a name that needs the words after it (“法治先锋”巡回宣讲活动).
    continuing_name(k, after, false).and_then(continued)
}

/// A set of one-per rules (一企一策, 一规划一方案一清单): two or more parts, each `marker` and
/// 1 to `max_part_chars` Chinese characters.
fn is_one_per_set(marker: char, max_part_chars: usize, name: &str) -> bool {
    let Some(rest) = name.strip_prefix(marker) else {
        return false;
    };
    let parts: Vec<&str> = rest.split(marker).collect();
    parts.len() >= 2
        && parts.iter().all(|part| {
            let chars = part.chars().count();
            (1..=max_part_chars).contains(&chars) && part.chars().all(super::is_han)
        })
}

/// Rules 3 and 3b: a completing word right after the quote joins the name (“八五”普法), unless
/// the quoted part is a slogan long enough to stand alone.
fn completing_word<'t>(
    k: &Knowledge,
    after: &'t str,
    slogan_shape: bool,
    name_chars: usize,
) -> Option<&'t str> {
    let short = name_chars < k.rules.min_chars;
    // A long name stands alone: the word after it is what is done with it (“民族团结法治服务直
    // 通车”普法宣传品牌).
    if name_chars > k.rules.completing_max_chars {
        return None;
    }
    if let Some(word) = k.rule_words.completing.first_prefix(after) {
        if !slogan_shape || short {
            return Some(word);
        }
    }
    if short && !slogan_shape {
        return k.rule_words.short_term_completing.first_prefix(after);
    }
    None
}

/// Rules 4 and 5: a genus word right after the quote or ending the words after it
/// (“对标先进谋提升”主题活动), or an action verb right before the quote or before the run of
/// quotes it ends, make the quoted name alone an initiative.
fn named_by_context(cx: &Context<'_>, quote: &Enclosed, name_chars: usize, after: &str) -> bool {
    let rules = &cx.knowledge.rules;
    let words = &cx.knowledge.rule_words;
    let window = cx.after(quote.outer.end, rules.genus_window_chars);
    let run = &window[..window
        .find(|c: char| !super::is_han(c))
        .unwrap_or(window.len())];
    let genus_follows = name_chars >= rules.genus_rule_min_chars && words.genus.is_prefix_of(after);
    let genus_ends_run = run
        .char_indices()
        .map(|(i, c)| &run[..i + c.len_utf8()])
        .any(|prefix| words.window_genus.is_suffix_of(prefix));
    if genus_follows || genus_ends_run {
        return true;
    }
    name_chars >= rules.verb_rule_min_chars && {
        let start = start_of_quote_run(cx, quote);
        words.action_verbs.is_suffix_of(cx.before(start, 4))
            || (ends_clause(after) && verb_before_description(cx, start))
    }
}

/// Nothing, or a clause end, right after the quote.
fn ends_clause(after: &str) -> bool {
    after
        .chars()
        .next()
        .is_none_or(crate::segment::is_clause_end)
}

/// An action verb, then a short description without 的 (涉企执法), right before `start`.
fn verb_before_description(cx: &Context<'_>, start: usize) -> bool {
    let rules = &cx.knowledge.rules;
    let before = cx.before(start, rules.verb_modifier_max_chars + 4);
    before
        .char_indices()
        .rev()
        .take(rules.verb_modifier_max_chars)
        .take_while(|&(_, c)| super::is_han(c))
        .any(|(i, _)| {
            cx.knowledge
                .rule_words
                .action_verbs
                .is_suffix_of(&before[..i])
                && !crosses_blocker(cx.knowledge, &before[i..])
        })
}

/// Whether `s` holds a word after which no name goes on (的, 进行: see `continuation_blockers`).
fn crosses_blocker(k: &Knowledge, s: &str) -> bool {
    k.rules
        .continuation_blockers
        .iter()
        .any(|b| s.contains(b.as_str()))
}

/// An ideological formula or phrases joined into one (思想, 精神…; 领导带头—科室联动).
fn is_formula(k: &Knowledge, name: &str) -> bool {
    k.slogan_markers.find_iter(name).next().is_some()
        || k.rules
            .formula_joiners
            .iter()
            .any(|j| name.contains(j.as_str()))
}

/// A formula with words of its own after it (习近平法治思想引领基层实践): a theme, which a programme
/// word after the quote makes a campaign's name (“…引领基层实践”主题宣传活动); the formula alone
/// (“四个意识”主题活动) or phrases joined into one stay slogans.
fn is_formula_applied(k: &Knowledge, name: &str) -> bool {
    let own_words = k
        .slogan_markers
        .find_iter(name)
        .last()
        .is_some_and(|marker| name[marker.end()..].chars().count() >= k.rules.min_chars);
    own_words
        && !k
            .rules
            .formula_joiners
            .iter()
            .any(|j| name.contains(j.as_str()))
}

/// The words after a quote up to and including a continuing head (行政执法改革 of
/// “大综合一体化”行政执法改革), within the genus window and the run of Han characters; not when
/// they start with an action verb (“X”开展活动 is an act on X). A quote of `symbols_only`
/// (“1+9+N”) also goes on to a symbol-quote head (模式).
fn continuing_name<'t>(k: &Knowledge, after: &'t str, symbols_only: bool) -> Option<&'t str> {
    let run_end: usize = after
        .chars()
        .take(k.rules.genus_window_chars)
        .take_while(|&c| super::is_han(c))
        .map(char::len_utf8)
        .sum();
    let run = &after[..run_end];
    if run.is_empty() || k.rule_words.action_verbs.first_prefix(run).is_some() {
        return None;
    }
    // 的 makes the rest a description (“两个毫不动摇”的体制机制), and 进行 a verb phrase that
    // only looks like a head (“两库”进行动态管理).
    run.char_indices()
        .map(|(i, c)| &run[..i + c.len_utf8()])
        .rev()
        .find(|prefix| {
            k.rule_words.continuing_heads.is_suffix_of(prefix)
                || (symbols_only && k.rule_words.symbol_quote_heads.is_suffix_of(prefix))
        })
        .filter(|prefix| !crosses_blocker(k, prefix))
}

/// Political formulas and descriptive labels: markers (思想, 意识…), numbered formulas
/// (四个意识, 两个维护, but not 三个年), and telling endings (智享式, 主力军, 路线图).
fn is_slogan_shape(k: &Knowledge, name: &str) -> bool {
    if let Some(marker) = k.slogan_markers.find_iter(name).last() {
        // A formula followed by what carries it out (习近平法治思想宣讲教室, …进万家) names that
        // programme; the formula alone, or with a description, stays one.
        let rest = &name[marker.end()..];
        let names_programme =
            rest.chars().count() >= k.rules.min_chars && k.rule_words.name_heads.is_suffix_of(rest);
        if !names_programme {
            return true;
        }
    }
    if k.rule_words.slogan_endings.is_suffix_of(name) {
        return true;
    }
    // Phrases joined into one formula: something on both sides of a joiner.
    if k.rules.formula_joiners.iter().any(|j| {
        name.split_once(j.as_str())
            .is_some_and(|(head, tail)| !head.is_empty() && !tail.is_empty())
    }) {
        return true;
    }
    // …unless it ends like a programme's name: “三个年”, “五个一工程” are sets of campaigns.
    k.rule_words
        .numbered_formula_prefixes
        .prefixes(name)
        .any(|(_, n)| name[n..].starts_with(k.vocabulary.initiatives.formula_counter))
        && !k.rule_words.name_heads.is_suffix_of(name)
}

/// A quote preceded directly by other quotes (“甲”“乙”、“丙”) shares the words before the first.
fn start_of_quote_run(cx: &Context<'_>, quote: &Enclosed) -> usize {
    cx.quote_run_start(quote.outer.start, "、，, ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn initiatives(text: &str) -> Vec<(String, String)> {
        let k = Knowledge::embedded().unwrap();
        let cx = Context::new(text, &k);
        find(&cx)
            .into_iter()
            .filter_map(|m| match m.referent {
                Referent::Initiative(i) => {
                    Some((cx.slice(m.span).to_string(), i.canonical(&k).to_string()))
                }
                _ => None,
            })
            .collect()
    }

    /// The canonical names of the initiatives found in `text`, in order.
    fn canonicals(text: &str) -> Vec<String> {
        initiatives(text).into_iter().map(|(_, c)| c).collect()
    }

    #[test]
    fn completing_word_joins_the_name() {
        assert_eq!(
            initiatives("做好“八五”普法工作"),
            vec![("“八五”普法".into(), "八五普法".into())]
        );
    }

    #[test]
    fn words_between_the_verb_and_the_quote_are_part_of_the_name() {
        assert_eq!(
            canonicals("启动基层法治建设“四大工程”,开展工作"),
            vec!["基层法治建设四大工程".to_string()]
        );
        assert_eq!(
            canonicals("推进新时代法治建设“抓示范、创品牌、出经验”活动走深走实"),
            vec!["新时代法治建设抓示范、创品牌、出经验活动".to_string()]
        );
        // Not before a quote that names on its own; not a verb, a body, a law, a scope or a
        // count.
        assert_eq!(
            canonicals("深化构建“3+X”产业创新体系"),
            vec!["3+X产业创新体系".to_string()]
        );
        assert_eq!(
            canonicals("全域推广涉企执法“亮码检查”。"),
            vec!["亮码检查".to_string()]
        );
        assert_eq!(
            canonicals("落实省委“1310”具体部署"),
            vec!["1310具体部署".to_string()]
        );
        assert_eq!(
            canonicals("开展全省“法治先锋”巡回宣讲活动"),
            vec!["法治先锋巡回宣讲活动".to_string()]
        );
        assert_eq!(
            canonicals("开展三轮“法治先锋”巡回宣讲活动"),
            vec!["法治先锋巡回宣讲活动".to_string()]
        );
    }

    #[test]
    fn a_member_of_a_named_family_is_an_initiative() {
        assert_eq!(
            canonicals("按照应急管理部“互联网+执法”要求"),
            vec!["互联网+执法".to_string()]
        );
        // The family's name alone is no member.
        assert!(canonicals("按照“互联网+”要求").is_empty());
    }

    #[test]
    fn each_of_a_run_of_quotes_a_programme_word_ends_is_a_name() {
        for text in [
            "推出“创新办”“极简审批”改革措施,整体审批效率提升。",
            "推出“极简审批”“创新办”改革措施。",
        ] {
            let mut found = canonicals(text);
            found.sort();
            assert_eq!(found, ["创新办", "极简审批"], "{text}");
        }
        // A run of formulas stays slogans.
        assert!(canonicals("坚持“两个确立”“两个维护”,开展工作。").is_empty());
    }

    #[test]
    fn a_set_of_one_per_rules_is_a_working_method() {
        assert_eq!(
            canonicals("指导县域法治建设“一规划一方案一清单”工作落实"),
            vec!["一规划一方案一清单".to_string()]
        );
        assert_eq!(
            canonicals("实行每季度“一考核一打分”考评制度"),
            vec!["一考核一打分考评制度".to_string()]
        );
        // Not the shape: a part too long, or one part only.
        assert!(canonicals("围绕“一张蓝图绘到底”要求").is_empty());
        assert!(canonicals("坚持“一盘棋”思路").is_empty());
    }

    #[test]
    fn a_long_quoted_name_is_not_completed_by_the_word_after_it() {
        assert_eq!(
            canonicals("打造“民族团结法治服务直通车”普法宣传品牌"),
            vec!["民族团结法治服务直通车".to_string()]
        );
        assert_eq!(
            canonicals("设立“办不成事”窗口"),
            vec!["办不成事窗口".to_string()]
        );
    }

    #[test]
    fn name_head_makes_an_initiative() {
        assert_eq!(
            initiatives("开展“丽企赋能百日行动”")[0].1,
            "丽企赋能百日行动"
        );
    }

    #[test]
    fn genus_word_after_the_quote() {
        assert_eq!(
            initiatives("开展“对标先进谋提升”主题活动")[0].1,
            "对标先进谋提升"
        );
    }

    #[test]
    fn a_formula_with_its_own_theme_goes_on_to_its_campaign() {
        assert_eq!(
            canonicals("开展“习近平法治思想引领基层实践”主题宣传活动,推动学习。"),
            vec!["习近平法治思想引领基层实践主题宣传活动"]
        );
        assert!(canonicals("开展“四个意识”主题活动。").is_empty());
    }

    #[test]
    fn formulas_and_metaphors_are_slogans() {
        assert!(initiatives("增强“四个意识”、坚定“四个自信”、做到“两个维护”").is_empty());
        assert!(initiatives("抓好“关键少数”，建强“主力军”，绘好“路线图”").is_empty());
        assert!(initiatives("打造“智享式”服务").is_empty());
        assert!(initiatives("实现“两个一百年”奋斗目标").is_empty());
        assert!(initiatives("深入学习“习近平法治思想”").is_empty());
    }

    #[test]
    fn a_formula_with_what_carries_it_out_names_a_programme() {
        assert_eq!(
            initiatives("依托党校设立“习近平法治思想宣讲教室”")[0].1,
            "习近平法治思想宣讲教室"
        );
        // A description after the formula is no programme's name.
        assert!(initiatives("筑牢“习近平法治思想理论根基”").is_empty());
    }

    #[test]
    fn a_demonstration_city_is_the_national_demonstration_programme() {
        let found = initiatives("巩固拓展全国法治政府建设示范市创建成果");
        assert_eq!(found[0].1, "法治政府建设示范创建");
        // A title a place was awarded is no programme it carries out; one striven for is.
        assert!(initiatives("获得全省法治政府建设示范县命名").is_empty());
        assert_eq!(
            initiatives("以创建法治政府建设示范县为抓手"),
            [("法治政府建设示范县".into(), "法治政府建设示范创建".into())]
        );
        assert_eq!(
            initiatives("全力争创全国法治政府建设示范市。"),
            [(
                "全国法治政府建设示范市".into(),
                "法治政府建设示范创建".into()
            )]
        );
        assert_eq!(
            initiatives("高标准完成全国法治政府建设示范市第一阶段创建工作"),
            [(
                "全国法治政府建设示范市".into(),
                "法治政府建设示范创建".into()
            )]
        );
        assert!(initiatives("被命名为全国法治政府建设示范市,创建工作经验").is_empty());
        for text in [
            "深入开展第三批“全国法治政府建设示范区”创建活动",
            "积极推动2023年的法治建设示范创建工作",
            // A level before the head is a scope, as 全省 is.
            "实现省级示范创建全域达标",
        ] {
            assert_eq!(initiatives(text)[0].1, "法治政府建设示范创建", "{text}");
        }
    }

    #[test]
    fn a_quote_of_symbols_goes_on_to_its_model() {
        assert_eq!(initiatives("创新“1+9+N”模式,成立基地")[0].1, "1+9+N模式");
        // A Chinese name before 模式 stands alone, by its genus word.
        assert_eq!(initiatives("推行“清单管理”模式,成立基地")[0].1, "清单管理");
    }

    #[test]
    fn a_verb_after_a_quote_stops_its_name() {
        assert!(initiatives("三是聚焦“决战决胜”强化制度供给。").is_empty());
        // So does the end of a list: “12.4” does not go on to 活动.
        let found = initiatives("利用“12.4”宪法宣传等活动进行宣传。");
        assert!(found.iter().all(|(_, c)| !c.contains("活动")), "{found:?}");
        // The day itself is the table's, under its name since 2014.
        assert_eq!(
            initiatives("利用“12.4”法制宣传日等活动进行宣传。")[0].1,
            "国家宪法日"
        );
    }

    #[test]
    fn a_qualified_head_alone_names_no_programme() {
        assert!(initiatives("报送2个单项示范创建候选项目").is_empty());
    }

    #[test]
    fn a_legal_services_zone_is_a_programme() {
        assert_eq!(
            canonicals("持续深化长春智慧法务区建设,设立窗口"),
            vec!["长春智慧法务区"]
        );
        assert_eq!(canonicals("“和合昌吉”法务区被推荐"), vec!["和合昌吉法务区"]);
    }

    #[test]
    fn a_short_quote_goes_on_to_its_system() {
        assert_eq!(
            initiatives("建立“两山”生态观察员制度,推行"),
            vec![("“两山”生态观察员制度".into(), "两山生态观察员制度".into())]
        );
    }

    #[test]
    fn a_quote_ending_its_clause_after_a_verb_and_a_short_description() {
        assert_eq!(canonicals("全域推广涉企执法“亮码检查”。"), vec!["亮码检查"]);
        // Not when the quote goes on (a genus of its own decides then), nor across 的.
        assert!(canonicals("全域推广涉企执法“亮码检查”情况良好。").is_empty());
        assert!(canonicals("推广他们的“亮码检查”。").is_empty());
        // Nor when more than a short description stands between.
        assert!(canonicals("推广全区各部门涉企行政执法“亮码检查”。").is_empty());
    }

    #[test]
    fn numbered_campaigns_are_initiatives() {
        // A numbered name that ends like a programme's is a set of campaigns, not a formula.
        let names = canonicals("围绕全省“三个年”活动，开展“作风建设年”，落实“五个一工程”");
        for expected in ["三个年", "作风建设年", "五个一工程"] {
            assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
        }
        // 创建 is a campaign for a title: “四个创建” is one, “四件大事” stays a formula.
        assert_eq!(canonicals("聚焦“四件大事”聚力“四个创建”"), ["四个创建"]);
    }

    #[test]
    fn a_known_name_in_a_brand_of_two_parts_is_the_brand() {
        assert_eq!(
            canonicals("优化“蒙速办·帮您办”,建设工作站。"),
            vec!["蒙速办·帮您办"]
        );
    }

    #[test]
    fn a_known_name_in_a_brand_written_with_a_space_is_the_brand() {
        assert_eq!(
            canonicals("开展“以案释法\u{2002}月月学法”学习培训。"),
            vec!["以案释法\u{2002}月月学法"]
        );
    }

    /// A quote ending with a known name that a few words narrow is a name of its own; the
    /// known name alone, or one a long description goes before, is the known name.
    #[test]
    fn a_quote_that_narrows_a_known_name_is_a_name_of_its_own() {
        assert_eq!(
            canonicals("推行“一次性接诉即办”,群众满意。"),
            vec!["一次性接诉即办"]
        );
        assert_eq!(canonicals("推行“接诉即办”,群众满意。"), vec!["接诉即办"]);
        assert_eq!(
            canonicals("推行“全面推行全域全量接诉即办”。"),
            vec!["接诉即办"]
        );
    }

    #[test]
    fn a_brand_of_two_parts_is_named_by_either() {
        let found = initiatives("积极参加“法治讲堂·逢九必讲”专题法治讲座");
        assert_eq!(found[0].1, "法治讲堂·逢九必讲");
        assert!(initiatives("坚持“守正创新·笃行实干”").is_empty());
    }

    #[test]
    fn the_national_campaigns_are_programmes_though_they_name_a_formula() {
        let found = initiatives("以开展学习贯彻习近平新时代中国特色社会主义思想主题教育为契机");
        assert_eq!(
            found[0].1,
            "学习贯彻习近平新时代中国特色社会主义思想主题教育"
        );
        let found = initiatives("以深入学习贯彻落实中央八项规定精神学习教育为契机");
        assert_eq!(found[0].1, "深入贯彻中央八项规定精神学习教育");
    }

    #[test]
    fn observance_days_are_campaigns_of_the_tables() {
        assert_eq!(
            canonicals("在“3·15消费者权益日”“6·26禁毒日”等关键节点开展宣传"),
            ["国际消费者权益日", "国际禁毒日"]
        );
        // Dates written with a full stop, and the day's other name.
        let found = initiatives("结合“3.15”消费者权益保障日、“6.26”国际禁毒日等节日");
        let spans: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(spans, ["“3.15”消费者权益保障日", "“6.26”国际禁毒日"]);
    }

    #[test]
    fn what_is_rooted_out_is_not_an_initiative() {
        // 工程 is a name head, but 排查整治 says the thing is being eliminated.
        assert!(initiatives("组织政务服务中的“面子工程”排查整治").is_empty());
        assert_eq!(initiatives("实施“民心工程”建设")[0].1, "民心工程");
    }

    #[test]
    fn phrases_joined_by_dashes_are_a_formula() {
        assert!(initiatives("形成“领导带头—科室联动—企业受益”新机制").is_empty());
        assert_eq!(
            initiatives("形成“领导带头科室联动”新机制")[0].1,
            "领导带头科室联动"
        );
    }

    #[test]
    fn a_quote_of_two_clauses_is_no_name() {
        assert!(initiatives("扎实推进“优化行政审批项目,全面清理行政许可事项”,提升效能").is_empty());
        assert!(initiatives("推进“优化审批，清理事项”改革").is_empty());
    }

    #[test]
    fn unknown_quoted_label_defaults_to_slogan() {
        assert!(initiatives("突出“围绕中心工作”").is_empty());
    }
}
