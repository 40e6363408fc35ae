//! Agency and place rules.
//!
//! - A national body from the table (国务院, 国家发展改革委).
//! - A local form after a place name (东丽区司法局), after a level character (区司法局, 市委), or,
//!   for forms that are unambiguous alone, bare (政务服务办).
//! - 党组 after a body, or bare (the author's).
//! - Numbered intermediate courts (三中院, 天津市第一中级人民法院), universities after a place
//!   (天津财经大学), named subdistricts (华新街道).
//! - Self-references (我办, 本单位) → the author.
//! - Places: names from the table not part of an agency name, and deictic 我区/全市….
//!
//! Every word and character these rules look for is in `[agencies]` of rule_vocabulary.toml.

use anyhow::{Context as _, Result};

use super::{is_han, AgencyRef, Context, JurisdictionRef, Mention, PlaceRef, Referent};
use crate::knowledge::{Bare, Entry, FewWords, PlaceLevel};
use crate::model::Span;
use crate::vocabulary::Vocabulary;

/// Where the pattern rules below start, found in one pass over the text (instead of one
/// substring search per word), each list in text order.
#[derive(Default)]
struct Anchors {
    /// 党组
    party_groups: Vec<usize>,
    /// 中院
    numbered_courts: Vec<usize>,
    /// 中级人民法院
    intermediate_courts: Vec<usize>,
    /// 大学
    universities: Vec<usize>,
    /// 学院
    colleges: Vec<usize>,
    /// 街道
    subdistricts: Vec<usize>,
    /// A deictic prefix before a level character (我区, 全市…).
    deictic: Vec<usize>,
    /// 领导小组 (and 领导小组办公室)
    leading_groups: Vec<usize>,
}

/// Which list of [`Anchors`] an anchor word goes to.
#[derive(Clone, Copy)]
enum Anchor {
    PartyGroup,
    NumberedCourt,
    IntermediateCourt,
    University,
    College,
    Subdistrict,
    Deictic,
    LeadingGroup,
}

/// Every anchor word in one matcher, with the list each goes to. Built with the knowledge
/// tables (see [`crate::knowledge::Knowledge::agency_anchors`]).
pub struct AnchorMatcher {
    words: FewWords,
    anchors: Vec<Anchor>,
    /// The college word, which may start inside a university word (大学院 holds 学院).
    college: String,
}

fn anchor_words(v: &Vocabulary) -> Vec<(String, Anchor)> {
    let a = &v.agencies;
    let mut words: Vec<(String, Anchor)> = vec![
        (a.party_group.clone(), Anchor::PartyGroup),
        (a.numbered_court.clone(), Anchor::NumberedCourt),
        (a.intermediate_court.clone(), Anchor::IntermediateCourt),
        (a.university.clone(), Anchor::University),
        (a.college.clone(), Anchor::College),
        (a.subdistrict.clone(), Anchor::Subdistrict),
        (a.leading_group.clone(), Anchor::LeadingGroup),
    ];
    words.retain(|(word, _)| !word.is_empty());
    for prefix in a.deictic_prefixes.chars() {
        for level in v.level_chars.iter().filter(|l| l.deictic) {
            words.push((format!("{prefix}{}", level.char), Anchor::Deictic));
        }
    }
    words
}

impl AnchorMatcher {
    pub fn new(vocabulary: &Vocabulary) -> Result<Self> {
        let (words, anchors): (Vec<String>, Vec<Anchor>) =
            anchor_words(vocabulary).into_iter().unzip();
        Ok(Self {
            words: FewWords::new(&words, false)
                .context("cannot build the agency-anchor matcher")?,
            anchors,
            college: vocabulary.agencies.college.clone(),
        })
    }
}

impl Anchors {
    /// One multi-pattern search finds every anchor; each list is in text order.
    fn find(text: &str, anchors: &AnchorMatcher) -> Self {
        Self::find_using(text, anchors, &anchors.words)
    }

    fn find_using(text: &str, anchors: &AnchorMatcher, words: &FewWords) -> Self {
        let mut found = Self::default();
        let mut add = |pattern: usize, start: usize, end: usize| {
            let list = match anchors.anchors[pattern] {
                Anchor::PartyGroup => &mut found.party_groups,
                Anchor::NumberedCourt => &mut found.numbered_courts,
                Anchor::IntermediateCourt => &mut found.intermediate_courts,
                Anchor::University => {
                    // Matches do not overlap, and the one way two anchors can is a college
                    // word starting inside a university word (大学院, which holds 学院 too).
                    let inside = text[start..end]
                        .char_indices()
                        .skip(1)
                        .map(|(i, _)| start + i)
                        .find(|&i| text[i..].starts_with(anchors.college.as_str()));
                    if let Some(at) = inside {
                        found.colleges.push(at);
                    }
                    &mut found.universities
                }
                Anchor::College => &mut found.colleges,
                Anchor::Subdistrict => &mut found.subdistricts,
                Anchor::Deictic => &mut found.deictic,
                Anchor::LeadingGroup => &mut found.leading_groups,
            };
            list.push(start);
        };
        words.for_each_match(text, &mut add);
        found
    }
}

pub fn find(cx: &Context<'_>) -> Vec<Mention> {
    let words = &cx.knowledge.vocabulary.agencies;
    let mut out: Vec<Mention> = Vec::new();
    let hits = &cx.hits;
    let mut i = 0;
    while i < hits.len() && !cx.budget.spent() {
        let (start, end, entry) = hits[i];
        match entry {
            Entry::Place(_) if is_level_inside_word(cx, start, end, hits.get(i + 1)) => {}
            Entry::Place(place) => {
                if let Some(&(next_start, next_end, Entry::AgencyForm(form))) = hits.get(i + 1) {
                    // 上海市第十五届人民代表大会常务委员会: a term number may stand between.
                    if next_start == end || is_term_number(cx, &cx.text[end..next_start]) {
                        let start = with_party_prefix(cx, start);
                        push_agency(
                            cx,
                            &mut out,
                            Span::new(start, next_end),
                            AgencyRef::Form {
                                form,
                                jurisdiction: JurisdictionRef::Named(place),
                            },
                        );
                        i += 2;
                        continue;
                    }
                }
                let next_hit = hits.get(i + 1).map_or(cx.text.len(), |h| h.0);
                if let Some(name_end) = named_department_after(cx, end, next_hit) {
                    out.push(Mention {
                        span: Span::new(start, name_end),
                        referent: Referent::Agency(AgencyRef::Department {
                            name: cx.text[end..name_end].to_string(),
                            jurisdiction: JurisdictionRef::Named(place),
                        }),
                    });
                    i += 1;
                    continue;
                }
                out.push(Mention {
                    span: Span::new(start, end),
                    referent: Referent::Place(PlaceRef::Known(place)),
                });
            }
            Entry::AgencyForm(form) => agency_form(cx, &mut out, start, end, form),
            // A ministry's name before 门 is a class of departments (上级司法部门), no ministry.
            Entry::NationalAgency(_)
                if cx.text[end..].starts_with(words.department_class_after.as_str())
                    && cx.text[..end].ends_with(words.ministry_char.as_str()) => {}
            Entry::NationalAgency(n) => {
                push_agency(cx, &mut out, Span::new(start, end), AgencyRef::National(n))
            }
            Entry::InternalUnit => {
                let name = cx.slice(Span::new(start, end)).to_string();
                let attached = cx.text[..start]
                    .chars()
                    .next_back()
                    .is_some_and(|c| is_han(c) && !words.unit_detached_after.contains(c));
                if !attached {
                    out.push(Mention {
                        span: Span::new(start, end),
                        referent: Referent::Agency(AgencyRef::UnitOfAuthor(name)),
                    });
                }
            }
            Entry::SelfReference => out.push(Mention {
                span: Span::new(start, end),
                referent: Referent::Agency(AgencyRef::Author),
            }),
            _ => {}
        }
        i += 1;
    }
    branches(cx, &mut out);
    units(cx, &mut out);
    other_nameplates(cx, &mut out);
    let anchors = Anchors::find(cx.text, &cx.knowledge.agency_anchors);
    let mut out = MentionList::new(out);
    bare_party_groups(cx, &anchors.party_groups, &mut out);
    intermediate_courts(
        cx,
        &anchors.numbered_courts,
        &anchors.intermediate_courts,
        &mut out,
    );
    universities(cx, &anchors, &mut out);
    subdistricts(cx, &anchors.subdistricts, &mut out);
    leading_groups(cx, &anchors.leading_groups, &mut out);
    deictic_places(cx, &anchors.deictic, &mut out);
    let mut out = out.into_vec();
    out.sort_by_key(|m| m.span);
    remove_nested(&mut out);
    out
}

/// A department followed by a county's name and the branch word (湘西州生态环境局凤凰分局, 重庆
/// 市公安局璧山区分局): the department's branch in that county, when the name, alone or with one
/// of the county endings, is a county-level place below the department's own place.
fn branches(cx: &Context<'_>, out: &mut Vec<Mention>) {
    let k = cx.knowledge;
    let words = &k.vocabulary.agencies;
    let mut found: Vec<(usize, Mention)> = Vec::new();
    for (i, mention) in out.iter().enumerate() {
        let Referent::Agency(AgencyRef::Form { form, jurisdiction }) = &mention.referent else {
            continue;
        };
        if !words
            .branch_parent_endings
            .iter()
            .any(|e| k.agency_forms[*form].short.ends_with(e.as_str()))
        {
            continue;
        }
        let after = cx.after(mention.span.end, words.branch_place_max_chars + 2);
        let Some(at) = after.find(words.branch.as_str()) else {
            continue;
        };
        let written = &after[..at];
        if written.is_empty() || !written.chars().all(is_han) {
            continue;
        }
        let above: &[usize] = match jurisdiction {
            JurisdictionRef::Named(name) => k.place_candidates(name),
            _ => &[],
        };
        let fits = |p: &usize| {
            k.places[*p].level == PlaceLevel::District
                && (above.is_empty() || k.place_chain(*p).iter().any(|q| above.contains(q)))
        };
        // The name as written and with each ending may name the same county twice (凤凰, 凤凰县).
        let mut fitting: Vec<usize> = words
            .branch_place_endings
            .iter()
            .filter_map(|ending| k.place_by_name.get(&format!("{written}{ending}")))
            .flat_map(|name| k.place_candidates(name).iter().copied())
            .filter(fits)
            .collect();
        fitting.sort_unstable();
        fitting.dedup();
        let [county] = fitting[..] else {
            continue;
        };
        let end = mention.span.end + at + words.branch.len();
        found.push((
            i,
            Mention {
                span: Span::new(mention.span.start, end),
                referent: Referent::Agency(AgencyRef::Branch {
                    of: Box::new(AgencyRef::Form {
                        form: *form,
                        jurisdiction: jurisdiction.clone(),
                    }),
                    county,
                    written: written.to_string(),
                }),
            },
        ));
    }
    replace_with_longer(out, found);
}

/// A body's unit named right after it (市公安局禁毒大队, 市消防救援支队文城大队): a body of its
/// own, the body's name followed by the unit's.
fn units(cx: &Context<'_>, out: &mut Vec<Mention>) {
    let words = &cx.knowledge.vocabulary.agencies;
    let mut found: Vec<(usize, Mention)> = Vec::new();
    for (i, mention) in out.iter().enumerate() {
        let Referent::Agency(body @ (AgencyRef::Form { .. } | AgencyRef::Department { .. })) =
            &mention.referent
        else {
            continue;
        };
        let after = cx.after(mention.span.end, words.unit_max_chars);
        let Some(unit_end) = words
            .unit_endings
            .iter()
            .filter_map(|e| after.find(e.as_str()).map(|at| at + e.len()))
            .min()
        else {
            continue;
        };
        let unit = &after[..unit_end];
        if !unit.chars().all(is_han)
            || words
                .unit_name_breaks
                .iter()
                .any(|b| unit.contains(b.as_str()))
        {
            continue;
        }
        found.push((
            i,
            Mention {
                span: Span::new(mention.span.start, mention.span.end + unit_end),
                referent: Referent::Agency(AgencyRef::Unit {
                    of: Box::new(body.clone()),
                    unit: unit.to_string(),
                }),
            },
        ));
    }
    replace_with_longer(out, found);
}

/// Puts each longer mention in place of the mention it grew from (index into `out`, in order),
/// and drops the mentions inside it (the county's name inside its branch's).
fn replace_with_longer(out: &mut Vec<Mention>, found: Vec<(usize, Mention)>) {
    for (i, longer) in found.into_iter().rev() {
        let span = longer.span;
        out[i] = longer;
        let mut j = i + 1;
        while j < out.len() {
            if span.contains(out[j].span) {
                out.remove(j);
            } else {
                j += 1;
            }
        }
    }
}

/// A body's other names in brackets right after it (市数据局(市营商环境建设局、市行政审批局)): the
/// same body under its other nameplates, when each is a body of the same kind. A party office in
/// brackets after a bureau (县司法局(县委依法治县办)) shares its staff but is a second body.
fn other_nameplates(cx: &Context<'_>, out: &mut [Mention]) {
    let k = cx.knowledge;
    let joiners = &k.vocabulary.agencies.list_joiners;
    let mut i = 0;
    while i < out.len() {
        let Referent::Agency(body) = &out[i].referent else {
            i += 1;
            continue;
        };
        let mut at = out[i].span.end;
        let Some(open) = cx.text[at..]
            .chars()
            .next()
            .filter(|c| matches!(c, '(' | '（'))
        else {
            i += 1;
            continue;
        };
        at += open.len_utf8();
        let kind = body.kind(k);
        // The run of same-kind bodies that fills the brackets, joined by list joiners.
        let mut j = i + 1;
        let closed = loop {
            let Some(Mention {
                span,
                referent: Referent::Agency(other),
            }) = out.get(j)
            else {
                break false;
            };
            if span.start != at || kind.is_none() || other.kind(k) != kind {
                break false;
            }
            at = span.end;
            match cx.text[at..].chars().next() {
                Some(')' | '）') => break true,
                Some(c) if joiners.contains(c) => at += c.len_utf8(),
                _ => break false,
            }
            j += 1;
        };
        if closed {
            let body = body.clone();
            for other in &mut out[i + 1..=j] {
                other.referent = Referent::Agency(body.clone());
            }
            i = j;
        }
        i += 1;
    }
}

/// A county written with one character and its level (成县) right after another Chinese
/// character and right before a form: the first character ends a word and the level stands
/// alone (完成县政府常务会议题 is 完成 + 县政府). After a place or a level (三明市沙县政府) it is
/// the county.
fn is_level_inside_word(
    cx: &Context<'_>,
    start: usize,
    end: usize,
    next: Option<&(usize, usize, Entry)>,
) -> bool {
    let v = &cx.knowledge.vocabulary;
    let mut written = cx.text[start..end].chars();
    let short_with_level = matches!(
        (written.next(), written.next(), written.next()),
        (Some(_), Some(level), None) if v.is_level_char(level)
    );
    let before_form =
        matches!(next, Some(&(next_start, _, Entry::AgencyForm(_))) if next_start == end);
    let after_word = cx.text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| is_han(c) && !v.is_level_char(c) && !v.agencies.list_joiners.contains(c));
    short_with_level && before_form && after_word
}

/// 第十五届, 第十四届 … (the whole of `s`, with its ordinal prefix).
fn is_term_number(cx: &Context<'_>, s: &str) -> bool {
    term_number_at_end(cx, s) == Some((0, true))
}

/// Where a term number (七届, 第十五届) ending at `at` starts, or `at` when none does.
fn term_number_start(cx: &Context<'_>, at: usize) -> usize {
    term_number_at_end(cx, &cx.text[..at]).map_or(at, |(start, _)| start)
}

/// The term number that ends `s` (七届, 第十五届): where it starts in `s`, and whether it is
/// written with its ordinal prefix (第).
fn term_number_at_end(cx: &Context<'_>, s: &str) -> Option<(usize, bool)> {
    let v = &cx.knowledge.vocabulary;
    let words = &v.agencies;
    let without_suffix = s.strip_suffix(words.term_suffix)?;
    let numerals = without_suffix
        .chars()
        .rev()
        .take_while(|&c| {
            v.is_numeral(c) || words.term_numeral_extra.contains(c) || c.is_ascii_digit()
        })
        .map(char::len_utf8)
        .sum::<usize>();
    if numerals == 0 {
        return None;
    }
    let numbers_start = without_suffix.len() - numerals;
    Some(
        match without_suffix[..numbers_start].strip_suffix(words.ordinal_prefix) {
            Some(before) => (before.len(), true),
            None => (numbers_start, false),
        },
    )
}

/// A form after a level character, or standing alone when the table allows it.
fn relative_form(
    cx: &Context<'_>,
    start: usize,
    end: usize,
    form: usize,
) -> Option<(Span, JurisdictionRef)> {
    let entry = &cx.knowledge.agency_forms[form];
    let v = &cx.knowledge.vocabulary;
    // A term number may stand between the level and the form (市七届人大常委会).
    let numbered = term_number_start(cx, start);
    if numbered < start {
        if let Some(found) = level_before(cx, numbered, end) {
            return found;
        }
    }
    if let Some(found) = level_before(cx, start, end) {
        return found;
    }
    let previous = cx.text[..start].chars().next_back();
    match entry.bare {
        // 依法治盟委员会, 行署: the form names its level or the kind of place it governs.
        Bare::AtLevel(level) => Some((
            Span::new(with_party_prefix(cx, start), end),
            JurisdictionRef::Level(level),
        )),
        Bare::Governing if !is_class_of_committees(cx, start, end, entry, previous) => {
            Some((Span::new(start, end), JurisdictionRef::Governing(form)))
        }
        Bare::Governing => None,
        Bare::Own
            if entry.short.chars().count() >= 3
                && (entry.short.chars().count() >= 4
                    || previous
                        .is_none_or(|c| !is_han(c) || v.agencies.bare_form_after.contains(c))) =>
        {
            Some((Span::new(start, end), JurisdictionRef::Own))
        }
        Bare::Own | Bare::No => None,
    }
}

/// A level word (自治区) or level character (市, 区) ending at `at`, before a form ending at
/// `end`: `Some(found)` decides the form (`Some(None)`: a class, 各区), `None` looks further.
fn level_before(
    cx: &Context<'_>,
    at: usize,
    end: usize,
) -> Option<Option<(Span, JurisdictionRef)>> {
    let v = &cx.knowledge.vocabulary;
    if let Some(w) = v
        .level_words
        .iter()
        .position(|w| cx.text[..at].ends_with(w.word.as_str()))
    {
        let word_start = at - v.level_words[w].word.len();
        let span_start = with_party_prefix(cx, word_start);
        return Some(Some((
            Span::new(span_start, end),
            JurisdictionRef::LevelWord(w),
        )));
    }
    let mut before = cx.text[..at].chars().rev();
    let level = before.next().filter(|&c| v.is_level_char(c))?;
    if before
        .next()
        .is_some_and(|c| v.agencies.generic_before_level.contains(c))
    {
        return Some(None);
    }
    let level_start = at - level.len_utf8();
    let span_start = with_party_prefix(cx, level_start);
    Some(Some((
        Span::new(span_start, end),
        JurisdictionRef::Level(level),
    )))
}

/// A form of agency_forms.tsv where the gazetteer found it: relative to a level or a place, or
/// a department's own party committee (局党委).
fn agency_form(cx: &Context<'_>, out: &mut Vec<Mention>, start: usize, end: usize, form: usize) {
    if let Some((span, jurisdiction)) = relative_form(cx, start, end, form)
        .or_else(|| government_beside_committee(cx, out, start, end, form))
    {
        push_agency(cx, out, span, AgencyRef::Form { form, jurisdiction });
    } else if let Some(span) = own_party_committee(cx, start, end, form) {
        out.push(Mention {
            span,
            referent: Referent::Agency(AgencyRef::PartyCommitteeOfAuthor),
        });
    }
}

/// 镇党委、政府, 区党委和政府: a government's form written bare right after a party committee
/// and a list joiner is the government of the committee's place.
fn government_beside_committee(
    cx: &Context<'_>,
    found: &[Mention],
    start: usize,
    end: usize,
    form: usize,
) -> Option<(Span, JurisdictionRef)> {
    let k = cx.knowledge;
    let forms = &k.agency_forms;
    if forms[form].full != forms[k.local_government_form].full {
        return None;
    }
    let previous = found.last()?;
    let between = cx.text.get(previous.span.end..start)?;
    let mut chars = between.chars();
    let joined = matches!((chars.next(), chars.next()), (Some(c), None)
        if k.vocabulary.agencies.list_joiners.contains(c));
    match &previous.referent {
        Referent::Agency(AgencyRef::Form {
            form: committee_form,
            jurisdiction,
        }) if joined && forms[*committee_form].full == forms[k.party_committee_form].full => {
            Some((Span::new(start, end), jurisdiction.clone()))
        }
        _ => None,
    }
}

/// 局党委, 厅党委: the party committee of the department that wrote the report.
fn own_party_committee(cx: &Context<'_>, start: usize, end: usize, form: usize) -> Option<Span> {
    let words = &cx.knowledge.vocabulary.agencies;
    if cx.knowledge.agency_forms[form].short != words.party_committee {
        return None;
    }
    let body_char = cx.text[..start]
        .chars()
        .next_back()
        .filter(|&c| words.own_body_chars.contains(c))?;
    Some(Span::new(start - body_char.len_utf8(), end))
}

/// Includes a preceding 中共 (中共天津市委) in the mention.
fn with_party_prefix(cx: &Context<'_>, start: usize) -> usize {
    let prefix = cx.knowledge.vocabulary.agencies.party_prefix.as_str();
    if cx.text[..start].ends_with(prefix) {
        start - prefix.len()
    } else {
        start
    }
}

/// Adds an agency mention, extended by a following 党组 into the body's party group.
fn push_agency(cx: &Context<'_>, out: &mut Vec<Mention>, span: Span, agency: AgencyRef) {
    let words = &cx.knowledge.vocabulary.agencies;
    let rest = &cx.text[span.end..];
    if names_website(words, rest) {
        return;
    }
    if rest.starts_with(words.party_group.as_str())
        && !rest.starts_with(words.party_organisation.as_str())
    {
        let group = Span::new(span.start, span.end + words.party_group.len());
        out.push(Mention {
            span: group,
            referent: Referent::Agency(AgencyRef::PartyGroupOf(Box::new(agency))),
        });
    } else {
        out.push(Mention {
            span,
            referent: Referent::Agency(agency),
        });
    }
}

/// Whether the text after a body's name makes it a website's name (来源:新疆政府网), not the
/// body: 网 ending the word (not 网格化, 网络安全, nor 网站: 在市政府网站上公布 names the body).
fn names_website(words: &crate::vocabulary::AgencyWords, rest: &str) -> bool {
    rest.strip_prefix(words.website_char)
        .is_some_and(|after| after.chars().next().is_none_or(|c| !is_han(c)))
}

/// A bare 党委 that is no township's own: part of a longer word (村党委, 企业党委), after a word
/// that makes it a class (各级党委), or before （党组）.
fn is_class_of_committees(
    cx: &Context<'_>,
    start: usize,
    end: usize,
    entry: &crate::knowledge::AgencyForm,
    previous: Option<char>,
) -> bool {
    let v = &cx.knowledge.vocabulary;
    if entry.short != v.names.township_committee_form {
        return false;
    }
    let inside_word = previous.is_some_and(|c| {
        is_han(c) && !v.agencies.list_joiners.contains(c) && !stands_alone_after(cx, start)
    });
    let class_before = v
        .names
        .committee_class_before
        .iter()
        .any(|w| cx.text[..start].ends_with(w.as_str()));
    let class_after = cx.text[end..]
        .strip_prefix(['（', '('])
        .is_some_and(|rest| rest.starts_with(v.agencies.party_group.as_str()));
    inside_word || class_before || class_after
}

/// 党组 standing alone (or as 办党组) is the author's party group.
fn bare_party_groups(cx: &Context<'_>, at_party_group: &[usize], out: &mut MentionList) {
    let words = &cx.knowledge.vocabulary.agencies;
    let office = words.office_char;
    for &at in at_party_group {
        let span = Span::new(at, at + words.party_group.len());
        // 党组织 is a party organisation, not a party group.
        if cx.text[at..].starts_with(words.party_organisation.as_str()) || out.any_overlapping(span)
        {
            continue;
        }
        // 各级党委（党组）: the class of party committees and groups, nobody in particular.
        if words
            .party_committee_class
            .iter()
            .any(|p| cx.text[..at].ends_with(p.as_str()))
        {
            continue;
        }
        // 办党组, 局党组, 厅党组: the author office's or department's own party group.
        let own_body = cx.text[..at]
            .chars()
            .next_back()
            .filter(|&c| c == office || words.own_body_chars.contains(c));
        let start = own_body.map_or(at, |c| at - c.len_utf8());
        // 政府党组 standing alone: the party group of the report's own government.
        if let Some(start) = bare_government_before(cx, at) {
            out.push(Mention {
                span: Span::new(start, span.end),
                referent: Referent::Agency(AgencyRef::PartyGroupOf(Box::new(AgencyRef::Form {
                    form: cx.knowledge.local_government_form,
                    jurisdiction: JurisdictionRef::Own,
                }))),
            });
            continue;
        }
        let previous = cx.text[..start].chars().next_back();
        if previous.is_some_and(|c| is_han(c) && c != office) && start == at {
            // Part of a longer word (机关党组…) we do not know; not after a list joiner, an
            // action verb (组织党组理论中心组学习) or a function word (通过党组中心组学习).
            if !previous.is_some_and(|c| words.list_joiners.contains(c))
                && !stands_alone_after(cx, at)
            {
                continue;
            }
        }
        out.push(Mention {
            span: Span::new(start, span.end),
            referent: Referent::Agency(AgencyRef::PartyGroupOf(Box::new(AgencyRef::Author))),
        });
    }
}

/// Whether a bare party body (党委, 党组, 政府党组) at `at` follows an action verb or one of the
/// verbs and function words after which it stands alone (召开党委会议, 通过党组中心组学习).
fn stands_alone_after(cx: &Context<'_>, at: usize) -> bool {
    let before = &cx.text[..at];
    cx.knowledge
        .vocabulary
        .names
        .party_body_free_before
        .iter()
        .any(|w| before.ends_with(w.as_str()))
        || cx.knowledge.rule_words.action_verbs.is_suffix_of(before)
}

/// Where a government's form (政府, 人民政府) written with no place or level before it ends at
/// `at`: at the start of a phrase (召开政府党组会, 、政府党组).
fn bare_government_before(cx: &Context<'_>, at: usize) -> Option<usize> {
    let k = cx.knowledge;
    let government = &k.agency_forms[k.local_government_form].full;
    let before = &cx.text[..at];
    let short = k
        .agency_forms
        .iter()
        .filter(|f| &f.full == government && before.ends_with(f.short.as_str()))
        .map(|f| f.short.as_str())
        .max_by_key(|s| s.len())?;
    let start = at - short.len();
    let previous = cx.text[..start].chars().next_back();
    let words = &k.vocabulary.agencies;
    let stands_alone = previous.is_none_or(|c| {
        !is_han(c)
            || words.list_joiners.contains(c)
            || words.bare_form_after.contains(c)
            || stands_alone_after(cx, start)
    });
    stands_alone.then_some(start)
}

/// 三中院 (relative to the municipality) and 天津市第一中级人民法院.
fn intermediate_courts(
    cx: &Context<'_>,
    at_numbered: &[usize],
    at_full_name: &[usize],
    out: &mut MentionList,
) {
    let v = &cx.knowledge.vocabulary;
    let words = &v.agencies;
    for &at in at_numbered {
        let Some(number) = cx.text[..at]
            .chars()
            .next_back()
            .filter(|c| v.is_numeral(*c))
        else {
            continue;
        };
        let span = Span::new(at - number.len_utf8(), at + words.numbered_court.len());
        out.push(Mention {
            span,
            referent: Referent::Agency(AgencyRef::IntermediateCourt {
                number: number.to_string(),
                jurisdiction: JurisdictionRef::Level(words.city_level),
            }),
        });
    }
    for &at in at_full_name {
        let head = &cx.text[..at];
        let mut chars = head.char_indices().rev();
        let Some((number_at, number)) = chars.next().filter(|(_, c)| v.is_numeral(*c)) else {
            continue;
        };
        let Some((di_at, ordinal)) = chars.next() else {
            continue;
        };
        if ordinal != words.ordinal_prefix {
            continue;
        }
        let end = at + words.intermediate_court.len();
        let (start, jurisdiction) = match cx.knowledge.place_ending_at(cx.text, di_at) {
            Some((place_start, place)) => (place_start, JurisdictionRef::Named(place)),
            None => (di_at, JurisdictionRef::Level(words.city_level)),
        };
        let _ = number_at;
        out.remove_contained(Span::new(start, end));
        out.push(Mention {
            span: Span::new(start, end),
            referent: Referent::Agency(AgencyRef::IntermediateCourt {
                number: number.to_string(),
                jurisdiction,
            }),
        });
    }
}

/// A university or college named after a place (天津财经大学, 天津大学).
fn universities(cx: &Context<'_>, anchors: &Anchors, out: &mut MentionList) {
    let words = &cx.knowledge.vocabulary.agencies;
    for (suffix, positions) in [
        (&words.university, &anchors.universities),
        (&words.college, &anchors.colleges),
    ] {
        for &at in positions {
            let end = at + suffix.len();
            // Up to six characters of name between the place and the suffix.
            let mut cut = at;
            for step in 0..=6 {
                if step > 0 {
                    match cx.text[..cut].chars().next_back() {
                        Some(c) if is_han(c) => cut -= c.len_utf8(),
                        _ => break,
                    }
                }
                if let Some((place_start, place)) = cx.knowledge.place_ending_at(cx.text, cut) {
                    // The places that share a name are county-level divisions, of one level.
                    let first = cx.knowledge.place_candidates(&place)[0];
                    let level = cx.knowledge.places[first].level.agency_level();
                    let span = Span::new(place_start, end);
                    out.remove_contained(span);
                    out.push(Mention {
                        span,
                        referent: Referent::Agency(AgencyRef::Named {
                            canonical: cx.slice(span).to_string(),
                            kind: "academic",
                            level,
                        }),
                    });
                    break;
                }
            }
        }
    }
}

/// Where a department no table lists ends, named in full right after its place
/// (山西省|民营经济发展局): the shortest run of Chinese characters from `at` ending with a
/// department word, before the next table name (`next_hit`) and without a phrase's characters.
fn named_department_after(cx: &Context<'_>, at: usize, next_hit: usize) -> Option<usize> {
    let words = &cx.knowledge.vocabulary.agencies;
    let max_chars = cx.knowledge.vocabulary.metadata.department_max_chars;
    let rest = cx.text.get(at..next_hit)?;
    let mut chars = 0;
    for (i, c) in rest.char_indices() {
        if !is_han(c) || words.named_department_breaks.contains(c) || chars >= max_chars {
            return None;
        }
        chars += 1;
        let end = i + c.len_utf8();
        let name = &rest[..end];
        let ends_with = |list: &[String]| list.iter().any(|e| name.ends_with(e.as_str()));
        if chars >= words.named_department_min_chars && ends_with(&words.named_department_endings) {
            return (!ends_with(&words.named_department_false_endings)).then_some(at + end);
        }
    }
    None
}

/// A leading group's office named by its topic after a place or a level character (市法治政府
/// 建设工作领导小组办公室): a body of that place, named by the topic and the office word. Without
/// a place or a level character before the topic, the office is nobody's in particular. The
/// group itself (调整海西州深入推进依法行政加快建设法治政府工作领导小组) is a body only after a
/// place named at its clause's start, with no other name in its topic: after a level character
/// or further into the clause, the words before 领导小组 are a role (区政府主要领导担任…领导小组组长).
fn leading_groups(cx: &Context<'_>, at_group: &[usize], out: &mut MentionList) {
    let words = &cx.knowledge.vocabulary.agencies;
    let breaks = &cx.knowledge.rules.name_start_breaks;
    for &at in at_group {
        let office = cx.text[at..].starts_with(words.group_office.as_str());
        let end = at
            + if office {
                words.group_office.len()
            } else {
                words.leading_group.len()
            };
        let window = cx.before(at, words.group_office_max_chars);
        let window_start = at - window.len();
        let run_start = window
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_han(c) || breaks.contains(c))
            .map_or(window_start, |(i, c)| window_start + i + c.len_utf8());
        let Some((start, jurisdiction, name_start)) = topic_owner(cx, run_start, at) else {
            continue;
        };
        if cx.text[name_start..at].chars().count() < 2 {
            continue;
        }
        if !office {
            let near_clause_start =
                cx.text[run_start..start].chars().count() <= words.leading_group_lead_max_chars;
            let topic_names_nothing = !out.any_overlapping(Span::new(name_start, at));
            if !matches!(jurisdiction, JurisdictionRef::Named(_))
                || !near_clause_start
                || !topic_names_nothing
            {
                continue;
            }
        }
        let span = Span::new(start, end);
        out.remove_contained(span);
        if out.any_overlapping(span) {
            continue;
        }
        out.push(Mention {
            span,
            referent: Referent::Agency(AgencyRef::Department {
                name: cx.text[name_start..end].to_string(),
                jurisdiction,
            }),
        });
    }
}

/// Where the owner of a topic in `run_start..at` is named: the first place, or the first level
/// character that is no part of another word (市场, 县长, 各区) if it comes first; as (where it
/// starts, the jurisdiction, where the topic starts).
fn topic_owner(
    cx: &Context<'_>,
    run_start: usize,
    at: usize,
) -> Option<(usize, JurisdictionRef, usize)> {
    let v = &cx.knowledge.vocabulary;
    let words = &v.agencies;
    let first_hit = cx.hits.partition_point(|h| h.0 < run_start);
    let place = cx.hits[first_hit..]
        .iter()
        .take_while(|h| h.1 <= at)
        .find_map(|&(start, end, entry)| match entry {
            Entry::Place(place) => Some((start, JurisdictionRef::Named(place), end)),
            _ => None,
        });
    let run = &cx.text[run_start..at];
    let level = run.char_indices().find_map(|(i, c)| {
        let deictic = v.level_chars.iter().any(|l| l.char == c && l.deictic);
        let next = run[i + c.len_utf8()..].chars().next();
        let previous = run[..i].chars().next_back();
        let another_word = next.is_some_and(|n| words.not_deictic_after.contains(n))
            || previous.is_some_and(|p| words.generic_before_level.contains(p));
        (deictic && !another_word).then(|| {
            let start = run_start + i;
            (start, JurisdictionRef::Level(c), start + c.len_utf8())
        })
    });
    match (place, level) {
        (Some(p), Some(l)) if l.0 < p.0 => Some(l),
        (Some(p), _) => Some(p),
        (None, l) => l,
    }
}

/// A named subdistrict: two or three characters before 街道, after a level character, a place, or a
/// list mark (区华新街道, 、金桥街道). Classes (各街道, 相关街道) are not named.
fn subdistricts(cx: &Context<'_>, at_subdistrict: &[usize], out: &mut MentionList) {
    let words = &cx.knowledge.vocabulary.agencies;
    for &at in at_subdistrict {
        let end = at + words.subdistrict.len();
        for name_chars in [2usize, 3] {
            let start = cx.text[..at]
                .char_indices()
                .rev()
                .nth(name_chars - 1)
                .map(|(i, _)| i);
            let Some(start) = start else { continue };
            let name = &cx.text[start..at];
            if !name.chars().all(is_han)
                || name.chars().any(|c| words.subdistrict_excluded.contains(c))
            {
                continue;
            }
            let before = cx.text[..start].chars().next_back();
            let (span_start, jurisdiction) =
                if let Some((place_start, place)) = cx.knowledge.place_ending_at(cx.text, start) {
                    (place_start, JurisdictionRef::Named(place))
                } else if before.is_some_and(|c| words.subdistrict_after_levels.contains(c)) {
                    (start, JurisdictionRef::Level(words.district_level))
                } else {
                    continue;
                };
            let span = Span::new(span_start, end);
            out.remove_contained(span);
            out.push(Mention {
                span,
                referent: Referent::Agency(AgencyRef::Subdistrict {
                    name: format!("{name}{}", words.subdistrict),
                    jurisdiction,
                }),
            });
            break;
        }
    }
}

/// 我区, 全区, 本市, 全市… refer to the report's own jurisdiction at that level.
fn deictic_places(cx: &Context<'_>, at_deictic: &[usize], out: &mut MentionList) {
    for &i in at_deictic {
        let mut chars = cx.text[i..].chars();
        let (Some(c), Some(level)) = (chars.next(), chars.next()) else {
            continue;
        };
        let rest = &cx.text[i + c.len_utf8()..];
        // 全市各部门 is fine; 全区域/全市场 are other words.
        let not_deictic = &cx.knowledge.vocabulary.agencies.not_deictic_after;
        if rest[level.len_utf8()..].starts_with(|c| not_deictic.contains(c)) {
            continue;
        }
        let span = Span::new(i, i + c.len_utf8() + level.len_utf8());
        out.push(Mention {
            span,
            referent: Referent::Place(PlaceRef::Deictic(level)),
        });
    }
}

/// Mentions in the order they were added, with an index by start, so that the anchor rules'
/// "is anything there already" and "drop what this name contains" cost a range lookup instead
/// of a scan of every mention (which made a text of many names cost their square).
struct MentionList {
    items: Vec<Option<Mention>>,
    /// (start, index into `items`) of every mention still there.
    by_start: std::collections::BTreeSet<(usize, usize)>,
    /// The longest span ever added: a mention overlapping `span` starts after
    /// `span.start - longest`.
    longest: usize,
}

impl MentionList {
    fn new(mentions: Vec<Mention>) -> Self {
        let mut list = Self {
            items: Vec::with_capacity(mentions.len()),
            by_start: std::collections::BTreeSet::new(),
            longest: 0,
        };
        for mention in mentions {
            list.push(mention);
        }
        list
    }

    fn push(&mut self, mention: Mention) {
        self.longest = self.longest.max(mention.span.end - mention.span.start);
        self.by_start.insert((mention.span.start, self.items.len()));
        self.items.push(Some(mention));
    }

    /// Same as `iter().any(|m| m.span.overlaps(span))`.
    fn any_overlapping(&self, span: Span) -> bool {
        let from = span.start.saturating_sub(self.longest);
        self.by_start
            .range((from, 0)..(span.end, 0))
            .any(|&(_, i)| {
                self.items[i]
                    .as_ref()
                    .is_some_and(|m| m.span.overlaps(span))
            })
    }

    /// Same as `retain(|m| !span.contains(m.span))`.
    fn remove_contained(&mut self, span: Span) {
        let inside: Vec<(usize, usize)> = self
            .by_start
            .range((span.start, 0)..=(span.end, usize::MAX))
            .copied()
            .filter(|&(_, i)| {
                self.items[i]
                    .as_ref()
                    .is_some_and(|m| span.contains(m.span))
            })
            .collect();
        for key in inside {
            self.by_start.remove(&key);
            self.items[key.1] = None;
        }
    }

    fn into_vec(self) -> Vec<Mention> {
        self.items.into_iter().flatten().collect()
    }
}

/// Drops mentions inside a longer one (华新 inside 华新街道…). `mentions` are sorted by span.
fn remove_nested(mentions: &mut Vec<Mention>) {
    // A span is nested when an earlier-starting span reaches at least its end, or a span with
    // the same start ends later (the last of its start group, in sorted order).
    let spans: Vec<Span> = mentions.iter().map(|m| m.span).collect();
    let mut nested = vec![false; spans.len()];
    let mut reach_before: Option<usize> = None;
    let mut group = 0;
    while group < spans.len() {
        let start = spans[group].start;
        let group_end = group + spans[group..].partition_point(|s| s.start == start);
        let longest = spans[group_end - 1].end;
        for i in group..group_end {
            nested[i] = reach_before.is_some_and(|r| r >= spans[i].end) || longest > spans[i].end;
        }
        reach_before = Some(reach_before.map_or(longest, |r| r.max(longest)));
        group = group_end;
    }
    let mut i = 0;
    mentions.retain(|_| {
        i += 1;
        !nested[i - 1]
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The indexed list answers and removes exactly as scans of a plain list would.
        #[test]
        fn mention_list_matches_plain_scans(
            ops in proptest::collection::vec((0u8..3, 0usize..60, 0usize..15), 0..80),
        ) {
            let mention = |start: usize, len: usize| Mention {
                span: Span::new(start, start + len),
                referent: Referent::Agency(AgencyRef::Author),
            };
            let mut plain: Vec<Mention> = Vec::new();
            let mut list = MentionList::new(Vec::new());
            for (op, start, len) in ops {
                let span = Span::new(start, start + len);
                match op {
                    0 => {
                        plain.push(mention(start, len));
                        list.push(mention(start, len));
                    }
                    1 => proptest::prop_assert_eq!(
                        list.any_overlapping(span),
                        plain.iter().any(|m| m.span.overlaps(span))
                    ),
                    _ => {
                        plain.retain(|m| !span.contains(m.span));
                        list.remove_contained(span);
                    }
                }
            }
            let spans = |v: Vec<Mention>| v.into_iter().map(|m| m.span).collect::<Vec<_>>();
            proptest::prop_assert_eq!(spans(list.into_vec()), spans(plain));
        }
    }

    fn knowledge() -> &'static crate::knowledge::Knowledge {
        static KNOWLEDGE: std::sync::OnceLock<crate::knowledge::Knowledge> =
            std::sync::OnceLock::new();
        KNOWLEDGE.get_or_init(|| crate::knowledge::Knowledge::embedded().unwrap())
    }

    /// Every occurrence of every anchor word, overlapping ones too, by plain substring search.
    fn anchors_by_substring(text: &str) -> Vec<Vec<usize>> {
        let mut lists = vec![Vec::new(); 8];
        for (word, anchor) in anchor_words(&knowledge().vocabulary) {
            let list = &mut lists[anchor as usize];
            list.extend(
                text.char_indices()
                    .filter(|&(i, _)| text[i..].starts_with(word.as_str()))
                    .map(|(i, _)| i),
            );
            list.sort_unstable();
        }
        lists
    }

    fn lists(a: &Anchors) -> Vec<Vec<usize>> {
        vec![
            a.party_groups.clone(),
            a.numbered_courts.clone(),
            a.intermediate_courts.clone(),
            a.universities.clone(),
            a.colleges.clone(),
            a.subdistricts.clone(),
            a.deictic.clone(),
            a.leading_groups.clone(),
        ]
    }

    proptest::proptest! {
        #[test]
        fn anchors_are_every_occurrence_of_every_word(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "党组", "党", "组", "中院", "中级人民法院", "中级", "大学", "学院", "大学院", "院",
                "街道", "我区", "全市市", "本省", "我", "全", "本", "，", "a", "东丽",
                "领导小组办公室", "领导小组", "办公室",
            ]),
            0..40,
        )) {
            let text = pieces.concat();
            let expected = anchors_by_substring(&text);
            let anchors = &knowledge().agency_anchors;
            proptest::prop_assert_eq!(lists(&Anchors::find(&text, anchors)), expected.clone());
            let portable = anchors.words.portable_only();
            proptest::prop_assert_eq!(lists(&Anchors::find_using(&text, anchors, &portable)), expected);
        }
    }
    use crate::knowledge::Knowledge;

    fn agencies(text: &str) -> Vec<(String, AgencyRef)> {
        let k = Knowledge::embedded().unwrap();
        let cx = Context::new(text, &k);
        find(&cx)
            .into_iter()
            .filter_map(|m| match m.referent {
                Referent::Agency(a) => Some((cx.slice(m.span).to_string(), a)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn level_character_makes_a_relative_form() {
        let found = agencies("区司法局牵头");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "区司法局");
        assert!(matches!(
            found[0].1,
            AgencyRef::Form {
                jurisdiction: JurisdictionRef::Level('区'),
                ..
            }
        ));
        // Short forms of associations too (市律协: the city's 律师协会).
        let found = agencies("指导市律协成立专门委员会");
        assert_eq!(found[0].0, "市律协");
    }

    #[test]
    fn a_form_that_names_its_level_or_place_kind_stands_alone() {
        let found = agencies("召开盟委委员会议、依法治盟委员会会议，盟委、行署主要领导");
        let refs: Vec<(&str, &JurisdictionRef)> = found
            .iter()
            .filter_map(|(s, a)| match a {
                AgencyRef::Form { jurisdiction, .. } => Some((s.as_str(), jurisdiction)),
                _ => None,
            })
            .collect();
        assert!(refs.contains(&("依法治盟委员会", &JurisdictionRef::Level('盟'))));
        assert!(refs
            .iter()
            .any(|(s, j)| *s == "行署" && matches!(j, JurisdictionRef::Governing(_))));
        // The committee written after a party committee's full name or 党委 is one body.
        let names: Vec<String> =
            agencies("中共融安县委员会全面依法治县委员会，自治区党委全面依法治区委员会")
                .into_iter()
                .map(|(s, _)| s)
                .collect();
        assert_eq!(
            names,
            vec![
                "中共融安县委员会全面依法治县委员会",
                "自治区党委全面依法治区委员会"
            ]
        );
    }

    #[test]
    fn a_department_no_table_lists_is_named_after_its_place() {
        let found = agencies("组建山西省民营经济发展局,出台措施");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "山西省民营经济发展局");
        assert!(
            matches!(&found[0].1, AgencyRef::Department { name, .. } if name == "民营经济发展局")
        );
        // A ministry's name before 门 is a class of departments.
        assert!(agencies("配合上级司法部门开展工作").is_empty());
        // A phrase that only ends like one is no body.
        assert!(agencies("融入天津市发展大局").is_empty());
        assert!(agencies("山西省各级公安局").is_empty());
        // A long name a report misspells (服务化 for 服务和) is still a name.
        let found = agencies("2024年,长春市政务服务化数字化建设管理局坚持依法行政");
        assert_eq!(found[0].0, "长春市政务服务化数字化建设管理局", "{found:?}");
    }

    /// A bare three-character form stands alone after a function word, not after any other
    /// Chinese character, where it may end a longer name.
    #[test]
    fn a_bare_short_form_after_a_function_word_is_the_own_body() {
        for text in ["办公室设在司法局,下设四个组", "由司法局牵头"] {
            let found = agencies(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, "司法局");
            assert!(matches!(
                &found[0].1,
                AgencyRef::Form {
                    jurisdiction: JurisdictionRef::Own,
                    ..
                }
            ));
        }
        assert!(agencies("浏阳司法局").is_empty());
    }

    #[test]
    fn generic_level_phrases_are_not_agencies() {
        assert!(agencies("各区司法局").is_empty());
        assert!(agencies("全市政务服务办").is_empty());
    }

    #[test]
    fn party_committee_and_its_commission() {
        let found = agencies("在区委全面依法治区委员会的领导下，区委、区政府");
        let names: Vec<&str> = found.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, vec!["区委全面依法治区委员会", "区委", "区政府"]);
    }

    #[test]
    fn party_group_after_a_body_and_bare() {
        let found = agencies("市政务服务办党组高度重视，办党组书记");
        assert!(matches!(found[0].1, AgencyRef::PartyGroupOf(_)));
        assert_eq!(found[0].0, "市政务服务办党组");
        assert_eq!(found[1].0, "办党组");
    }

    #[test]
    fn a_bare_government_after_its_party_committee_is_that_places() {
        let found = agencies("在镇党委、政府的领导下");
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].0, "政府");
        assert!(matches!(
            &found[1].1,
            AgencyRef::Form {
                jurisdiction: JurisdictionRef::Level('镇'),
                ..
            }
        ));
        // Not after another body, nor far from the committee.
        assert_eq!(agencies("在镇纪委、政府的领导下").len(), 1);
        assert_eq!(agencies("镇党委领导,政府负责").len(), 1);
    }

    #[test]
    fn a_bare_party_group_after_an_action_verb_is_the_authors() {
        let found = agencies("组织党组理论中心组学习");
        assert_eq!(found[0].0, "党组");
        assert!(matches!(found[0].1, AgencyRef::PartyGroupOf(_)));
        assert!(agencies("机关党组织").is_empty());
    }

    #[test]
    fn party_groups_as_a_class_are_generic() {
        assert!(agencies("纳入各级党委（党组）理论学习中心组").is_empty());
    }

    #[test]
    fn numbered_intermediate_court() {
        let found = agencies("与三中院联合");
        assert_eq!(found[0].0, "三中院");
    }

    #[test]
    fn self_reference_is_the_author() {
        let found = agencies("我办高度重视");
        assert_eq!(found[0].1, AgencyRef::Author);
    }
}
