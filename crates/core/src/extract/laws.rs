//! Law and policy-document rules.
//!
//! - 《X》 is a law when the table knows X (by title or short name), or X follows a law pattern:
//!   中华人民共和国…法/条例, 中国共产党…条例/规定/准则, or <place>…条例 (a local regulation).
//!   Every other 《X》 is a policy document, typed by how its title ends.
//! - A law nested in a title (《…学习宣传贯彻实施<天津市法治宣传教育条例>工作方案》) is a law mention too.
//! - A known law name outside 《》 (宪法、民法典) is a law mention.

use super::{AgencyRef, Context, DocumentRef, Issuer, LawRef, Mention, Referent};
use crate::knowledge::{Entry, Knowledge, PlaceLevel};
use crate::model::Span;
use crate::segment::Enclosed;

pub fn find(cx: &Context<'_>, agencies: &[Mention]) -> Vec<Mention> {
    let mut out = Vec::new();
    // The laws named in titles so far, latest last: 《条例》 after 《贵州省外来投资服务和保障条例》
    // is that law, abbreviated.
    let mut laws_named: Vec<(&str, LawRef)> = Vec::new();
    for title in &cx.titles {
        if cx.budget.spent() {
            break;
        }
        let inner = cx.slice(title.inner);
        if let Some(law) = classify_law(cx.knowledge, inner) {
            laws_named.push((inner.trim(), law.clone()));
            out.push(Mention {
                span: title.inner,
                referent: Referent::Law(law),
            });
            continue;
        }
        if let Some(law) = abbreviated_law(&laws_named, inner.trim()) {
            out.push(Mention {
                span: title.inner,
                referent: Referent::Law(law),
            });
            continue;
        }
        out.push(Mention {
            span: title.inner,
            referent: Referent::Document(Box::new(DocumentRef {
                title: inner.trim().to_string(),
                doc_type: cx.knowledge.document_type(inner.trim()).to_string(),
                issuer: issuer(cx, title, agencies),
            })),
        });
        for nested in nested_titles(cx, title.inner) {
            if let Some(law) = classify_law(cx.knowledge, cx.slice(nested)) {
                out.push(Mention {
                    span: nested,
                    referent: Referent::Law(law),
                });
            }
        }
    }
    for &(start, end, entry) in &cx.hits {
        if let Entry::Law(index) = entry {
            let span = Span::new(start, end);
            if cx.title_containing(span).is_some() {
                continue;
            }
            // A short name is a whole word: 公证法律服务 does not name 公证法.
            let continues_word = cx.text[end..].chars().next().is_some_and(|c| {
                cx.knowledge
                    .vocabulary
                    .laws
                    .unbracketed_name_continuations
                    .contains(c)
            });
            if continues_word {
                continue;
            }
            let law = &cx.knowledge.laws[index];
            out.push(Mention {
                span,
                referent: Referent::Law(LawRef {
                    canonical: law.title.clone(),
                    kind: law.kind,
                }),
            });
        }
    }
    out
}

/// The law a short title abbreviates (《条例》, 《办法》): the latest law named before it whose
/// title, as written or canonical, ends with it.
fn abbreviated_law(laws_named: &[(&str, LawRef)], short: &str) -> Option<LawRef> {
    if short.is_empty() || short.chars().count() > super::MAX_ABBREVIATION_CHARS {
        return None;
    }
    laws_named
        .iter()
        .rev()
        .find(|(written, law)| {
            written.len() > short.len()
                && (written.ends_with(short) || law.canonical.ends_with(short))
        })
        .map(|(_, law)| law.clone())
}

/// Titles nested inside a title: 《…》, <…>, 〈…〉.
fn nested_titles(cx: &Context<'_>, inner: Span) -> Vec<Span> {
    let text = cx.slice(inner);
    let mut spans = Vec::new();
    // Most titles hold no bracket: every opening one is '<' or has lead byte E3 or EF.
    if !text.bytes().any(|b| matches!(b, b'<' | 0xE3 | 0xEF)) {
        return spans;
    }
    for (open, close) in [('《', '》'), ('<', '>'), ('〈', '〉'), ('＜', '＞')] {
        let mut search = 0;
        while let Some(o) = text[search..].find(open).map(|i| search + i) {
            let from = o + open.len_utf8();
            let Some(c) = text[from..].find(close).map(|i| from + i) else {
                break;
            };
            spans.push(Span::new(inner.start + from, inner.start + c));
            search = c + close.len_utf8();
        }
    }
    spans
}

/// Whether a title names a law, and which. Trailing edition notes (（2023年修订）) are ignored.
pub fn classify_law(k: &Knowledge, title: &str) -> Option<LawRef> {
    let title = title.trim();
    let base = strip_edition(title, &k.vocabulary.laws.edition_note_words);
    if let Some(entry) = k.law(base) {
        return Some(LawRef {
            canonical: entry.title.clone(),
            kind: entry.kind,
        });
    }
    // 、 joins words inside a title (…学习、使用和发展藏语文的若干规定).
    let han_only = base.chars().all(|c| super::is_han(c) || c == '、');
    if !han_only || base.chars().count() < 4 {
        return None;
    }
    let words = &k.vocabulary.laws;
    let ends_with_one =
        |text: &str, endings: &[String]| endings.iter().any(|e| text.ends_with(e.as_str()));
    let kind = if let Some(rest) = base.strip_prefix(k.national_prefix.as_str()) {
        if ends_with_one(rest, &words.national_law_endings) {
            "law"
        } else if ends_with_one(rest, &words.national_regulation_endings) {
            "administrative_regulation"
        } else {
            return None;
        }
    } else if base.starts_with(words.party_regulation_prefix.as_str())
        && ends_with_one(base, &words.party_regulation_endings)
    {
        "party_regulation"
    } else if ends_with_one(base, &words.local_regulation_endings)
        && starts_with_regional_place(k, base)
    {
        "local_regulation"
    } else if ends_with_one(base, &words.local_rule_endings)
        && !words
            .local_rule_excluding_words
            .iter()
            .any(|w| base.contains(w.as_str()))
        && starts_with_regional_place(k, base)
    {
        // A province's or city's 规定 is a government rule (政府规章), not a policy document.
        "rule"
    } else {
        // A law's title written with a word moved or left out.
        return k.law_misquoted(base).map(|entry| LawRef {
            canonical: entry.title.clone(),
            kind: entry.kind,
        });
    };
    Some(LawRef {
        canonical: base.to_string(),
        kind,
    })
}

/// 天津市…, 上海市…, 浙江省… (a place that can pass local regulations), as a prefix.
fn starts_with_regional_place(k: &Knowledge, title: &str) -> bool {
    k.may_start_with_place(title)
        && title.char_indices().skip(1).take(12).any(|(i, _)| {
            k.place_by_name.get(&title[..i]).is_some_and(|name| {
                k.place_candidates(name).iter().any(|&p| {
                    matches!(
                        k.places[p].level,
                        PlaceLevel::Provincial | PlaceLevel::Prefectural | PlaceLevel::Zone
                    )
                })
            })
        })
}

/// Drops an edition note (（2019年修订）, （试行）) that holds one of `note_words` or a digit.
fn strip_edition<'t>(title: &'t str, note_words: &[String]) -> &'t str {
    if let Some(i) = crate::segment::trailing_bracket_start(title) {
        let note = &title[i..];
        if note_words.iter().any(|w| note.contains(w.as_str()))
            || note.chars().any(|c| c.is_ascii_digit())
        {
            return title[..i].trim_end();
        }
    }
    title
}

/// How many agency mentions back from a title the search for its issuer goes: the issuer ends
/// within 8 characters of the title, so it is among the last few that start before it.
const MAX_AGENCIES_BACK: usize = 32;

/// The issuer named right before the title (国家发改委《…》, 区政府重大行政决策《…》), or the
/// author when the title follows an issuing verb (制定《…》); the evidence runs from the issuer's
/// name or the verb to the end of the title.
fn issuer(cx: &Context<'_>, title: &Enclosed, agencies: &[Mention]) -> Option<Issuer> {
    let before = cx.before(title.outer.start, 8);
    let window_start = title.outer.start - before.len();
    // `agencies` are sorted by span: only those starting before the title can end before it,
    // and the nearest of them are the last few (a scan from the end of all agencies for every
    // title made a text of many titles cost titles × agencies).
    let before_title = agencies.partition_point(|m| m.span.start < title.outer.start);
    if let Some(agency) = agencies[..before_title]
        .iter()
        .rev()
        .take(MAX_AGENCIES_BACK)
        .find(|m| m.span.end <= title.outer.start && m.span.end >= window_start)
        .filter(|m| !cx.text[m.span.end..title.outer.start].contains(['，', '。', '；', ',', ';']))
    {
        if let Referent::Agency(a) = &agency.referent {
            return Some(Issuer {
                agency: a.clone(),
                evidence: Span::new(agency.span.start, title.outer.end),
            });
        }
    }
    // A run of titles (制定《甲》《乙》、《丙》) shares the verb before the first.
    let words = &cx.knowledge.vocabulary.laws;
    let mut at = title.outer.start;
    loop {
        let head = cx.before(at, 4);
        if let Some(verb) = words
            .issuing_verbs
            .iter()
            .find(|v| head.ends_with(v.as_str()))
        {
            return Some(Issuer {
                agency: AgencyRef::Author,
                evidence: Span::new(at - verb.len(), title.outer.end),
            });
        }
        let previous = cx.title_just_before(at, &words.title_run_separators);
        match previous {
            Some(t) if t.outer.start < at => at = t.outer.start,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k() -> Knowledge {
        Knowledge::embedded().unwrap()
    }

    #[test]
    fn national_law_pattern_without_table() {
        let law = classify_law(&k(), "中华人民共和国某某促进法").unwrap();
        assert_eq!(law.kind, "law");
    }

    #[test]
    fn a_short_name_of_the_table_is_its_law() {
        let law = classify_law(&k(), "招投标法").unwrap();
        assert_eq!(law.canonical, "中华人民共和国招标投标法");
    }

    #[test]
    fn party_regulation_pattern() {
        assert_eq!(
            classify_law(&k(), "中国共产党某某工作条例").unwrap().kind,
            "party_regulation"
        );
    }

    /// A province's 办法 is a rule only when the table lists it (confirmed as a 政府令); any
    /// other is a normative document, as the key of 002 files 《天津市行政备案管理办法》.
    #[test]
    fn a_provincial_rule_titled_banfa_is_a_rule_only_from_the_table() {
        let k = k();
        let rule = classify_law(&k, "黑龙江省行政规范性文件制定和监督管理办法").expect("rule");
        assert_eq!(rule.kind, "rule");
        assert!(classify_law(&k, "天津市行政备案管理办法").is_none());
    }

    #[test]
    fn a_regional_guiding_title_is_a_rule_unless_it_carries_out_another() {
        let k = k();
        let rule = classify_law(&k, "绍兴市电梯安全管理规定").expect("rule");
        assert_eq!(rule.kind, "rule");
        assert!(classify_law(&k, "山西省贯彻落实法治政府建设年度报告制度的规定").is_none());
    }

    #[test]
    fn a_short_title_after_a_law_abbreviates_it() {
        let law = classify_law(&k(), "贵州省外来投资服务和保障条例").unwrap();
        let named = [("贵州省外来投资服务和保障条例", law.clone())];
        assert_eq!(abbreviated_law(&named, "条例"), Some(law));
        assert_eq!(abbreviated_law(&named, "纲要"), None);
        assert_eq!(abbreviated_law(&[], "条例"), None);
    }

    #[test]
    fn edition_note_is_ignored() {
        let notes = k().vocabulary.laws.edition_note_words;
        assert_eq!(
            strip_edition("中华人民共和国行政复议法（2023年修订）", &notes),
            "中华人民共和国行政复议法"
        );
        assert_eq!(
            strip_edition("东丽区行政许可事项清单（2025年版）", &notes),
            "东丽区行政许可事项清单"
        );
    }

    #[test]
    fn a_misquoted_title_is_its_law() {
        let k = k();
        let law = classify_law(&k, "法治政府建设责任落实与督察规定").expect("law");
        assert_eq!(law.canonical, "法治政府建设与责任落实督察工作规定");
        assert_eq!(law.kind, "party_regulation");
        // A law's title with a word changed is another title, not a misquote.
        assert!(k.law_misquoted("中华人民共和国行政审批法").is_none());
        assert!(classify_law(&k, "法治政府建设实施纲要宣传方案").is_none());
    }

    #[test]
    fn plans_are_not_laws() {
        assert!(classify_law(&k(), "东丽区2024年营商环境白皮书").is_none());
        assert!(classify_law(&k(), "天津市行政备案管理办法").is_none());
    }
}
