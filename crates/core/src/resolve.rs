//! Resolve stage: relative mentions → canonical entities, using the report's context
//! (its author and jurisdiction), and grouping of mentions into entities.
//!
//! Architecture invariant: pure. Input is the text, the knowledge tables and what `extract`
//! found; output is the published [`Extraction`] record. Cross-report identity needs nothing
//! more: canonical names include their jurisdiction, so the same body gets the same name (and
//! IRI) in every report, and 区司法局 of two districts gets two.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::extract::metadata::Metadata;
use crate::extract::relations::{RelationCandidate, RelationKind};
use crate::extract::Context;
use crate::extract::{
    AgencyRef, DocumentRef, InitiativeRef, JurisdictionRef, Mention, PlaceRef, Referent,
    MAX_ABBREVIATION_CHARS,
};
use crate::knowledge::{Knowledge, PlaceLevel, PlaceName};
use crate::model::*;

/// The report's own place and the chain above it, and its author: decided once, from the
/// heading and the names of bodies and places, before any mention is resolved against it.
pub struct ReportContext {
    /// [own place, parent, …, nation]
    chain: Vec<usize>,
    author: Option<ResolvedAgency>,
}

impl ReportContext {
    /// The context of a report `text` whose heading is `heading` and which names
    /// `bodies_and_places`.
    pub fn decide(
        k: &Knowledge,
        context: &Context<'_>,
        heading: &Metadata,
        bodies_and_places: &[Mention],
    ) -> Self {
        let mut cx = ReportContext {
            chain: Vec::new(),
            author: None,
        };
        let mut votes = place_votes(k, context, bodies_and_places);
        add_votes_of_titles_and_quotations(k, context, &mut votes);
        // A shared name the places named alone leave open (郑庄镇 of 沁水县 or of 延长县): the
        // places in the bodies' names decide (沁水县委).
        // Still open, the levels of the relative forms decide: a 宁安镇 report that speaks of
        // 县委、县政府 is 中宁县's 宁安镇, not 宁安市's.
        let tie_break = |name: PlaceName| {
            let mut with_bodies = votes.clone();
            add_votes_of_bodies(k, bodies_and_places, &mut with_bodies);
            most_voted(k, name, &with_bodies)
                .or_else(|| fitting_relative_forms(k, name, bodies_and_places))
        };
        let own_place = place_of_deictic_forms(k, heading, bodies_and_places, &votes)
            .or_else(|| report_place(k, heading, &votes, tie_break));
        if let Some(place) = own_place {
            cx.chain = k.place_chain(place).to_vec();
        }
        cx.author = author(k, heading, &cx);
        if let (Some(author), None) = (&cx.author, own_place) {
            if let Some(place) = author.jurisdiction {
                cx.chain = k.place_chain(place).to_vec();
            }
        }
        cx
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ResolvedAgency {
    canonical: String,
    level: Level,
    kind: String,
    jurisdiction: Option<usize>,
}

/// Resolves every mention and relation candidate of one report against its context, and groups
/// the mentions into the published records.
pub fn resolve<'a>(
    doc: &'a Document,
    knowledge: &'a Knowledge,
    cx: &'a ReportContext,
    heading: &Metadata,
    mentions: &'a [Mention],
    relations: &'a [RelationCandidate],
) -> Extraction {
    let mut out = Extraction {
        doc: doc.name.clone(),
        title: heading.title.clone(),
        year: heading.year,
        author: cx.author.as_ref().map(|a| a.canonical.clone()),
        jurisdiction: cx
            .chain
            .first()
            .map(|&p| knowledge.places[p].canonical.clone()),
        format: doc.format.clone(),
        encoding: doc.encoding.clone(),
        ..Default::default()
    };
    let mut resolver = Resolver::new(knowledge, cx, &doc.text, mentions);
    for mention in mentions {
        resolver.mention(mention);
    }
    // The author is always among the agencies, even when only the heading names it.
    if let Some(author) = &cx.author {
        resolver
            .agencies
            .index_of(&author.canonical, || agency_record(knowledge, author));
    }
    resolver.relations(relations, &mut out);
    resolver.issued(&mut out);
    out.agencies = resolver.agencies.records;
    out.laws = resolver.laws.records;
    out.policy_documents = resolver.documents.records;
    out.initiatives = resolver.initiatives.records;
    out.places = resolver.places.records;
    out.place_hierarchy = place_hierarchy(knowledge, &out);
    out
}

/// The places `x` names and all places above them, each once, in name order.
fn place_hierarchy(k: &Knowledge, x: &Extraction) -> Vec<PlaceLink> {
    let named = x
        .places
        .iter()
        .map(|p| p.canonical.as_str())
        .chain(x.agencies.iter().filter_map(|a| a.jurisdiction.as_deref()))
        .chain(x.jurisdiction.as_deref());
    let mut seen: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
    for name in named {
        if let Some(place) = k.place(name) {
            seen.extend(k.place_chain(place));
        }
    }
    let mut links: Vec<PlaceLink> = seen
        .into_iter()
        .map(|p| {
            let entry = &k.places[p];
            PlaceLink {
                place: entry.canonical.clone(),
                level: entry.level.as_str().to_string(),
                parent: entry.parent.map(|q| k.places[q].canonical.clone()),
            }
        })
        .collect();
    links.sort();
    links
}

/// The state of resolving one report: what each mention named, and the records so far.
struct Resolver<'a> {
    k: &'a Knowledge,
    cx: &'a ReportContext,
    text: &'a str,
    mentions: &'a [Mention],
    chars: CharCursor<'a>,
    memo: AgencyMemo<'a>,
    /// What every mention names (None = not resolvable, dropped), for the relations.
    target_of: Vec<Option<Target<'a>>>,
    /// Where each mention starts, in chars: a relation's evidence is counted from its target.
    mention_chars: Vec<usize>,
    agencies: Grouped<AgencyRecord>,
    /// The agency record of each resolved agency (several referents may share one canonical name).
    record_of_agency: Vec<Option<usize>>,
    laws: Grouped<LawRecord>,
    documents: Grouped<PolicyDocumentRecord>,
    initiatives: Grouped<InitiativeRecord>,
    /// The initiative record of each initiatives.tsv row named so far.
    record_of_known: Vec<Option<usize>>,
    places: Grouped<PlaceRecord>,
    /// The document records by the last characters of their titles, for abbreviated titles.
    document_endings: Endings,
    /// (issuer, document record, evidence, mention index) of every document whose issuer is known.
    issued: Vec<(usize, usize, Span, usize)>,
}

impl<'a> Resolver<'a> {
    fn new(
        k: &'a Knowledge,
        cx: &'a ReportContext,
        text: &'a str,
        mentions: &'a [Mention],
    ) -> Self {
        Self {
            k,
            cx,
            text,
            mentions,
            chars: CharCursor::new(text),
            memo: AgencyMemo {
                ids: FxHashMap::with_capacity_and_hasher(32, Default::default()),
                ..AgencyMemo::default()
            },
            target_of: Vec::with_capacity(mentions.len()),
            mention_chars: Vec::with_capacity(mentions.len()),
            agencies: Grouped::default(),
            record_of_agency: Vec::new(),
            laws: Grouped::default(),
            documents: Grouped::default(),
            initiatives: Grouped::default(),
            record_of_known: Vec::new(),
            places: Grouped::default(),
            document_endings: Endings::default(),
            issued: Vec::new(),
        }
    }

    /// Resolves the next mention (mentions come in text order) and adds it to its record.
    fn mention(&mut self, mention: &'a Mention) {
        let surface = &self.text[mention.span.start..mention.span.end];
        let span = self.chars.char_span(mention.span);
        self.mention_chars.push(span.start);
        let span = MentionSpan {
            text: surface.to_string(),
            start: span.start,
            end: span.end,
        };
        let (k, cx) = (self.k, self.cx);
        let target = match &mention.referent {
            Referent::Agency(agency) => self.agency(agency, span),
            Referent::Law(law) => {
                self.laws.add(&law.canonical, span, || LawRecord {
                    canonical: law.canonical.clone(),
                    mentions: Vec::new(),
                    kind: law.kind.to_string(),
                    spans: Vec::new(),
                });
                Some(Target::Name(&law.canonical))
            }
            Referent::Document(document) => Some(self.document(mention, document, span)),
            Referent::Initiative(initiative) => Some(self.initiative(initiative, span)),
            // The nation is context, not a mention: 中国 and 中华人民共和国 stand inside names.
            Referent::Place(place) => resolve_place(k, cx, place)
                .filter(|&p| k.places[p].level != PlaceLevel::National)
                .map(|p| {
                    let entry = &k.places[p];
                    self.places.add(&entry.canonical, span, || PlaceRecord {
                        canonical: entry.canonical.clone(),
                        mentions: Vec::new(),
                        level: Some(entry.level.as_str().to_string()),
                        spans: Vec::new(),
                    });
                    Target::Name(&entry.canonical)
                }),
        };
        self.target_of.push(target);
    }

    fn agency(&mut self, agency: &'a AgencyRef, span: MentionSpan) -> Option<Target<'a>> {
        let (k, cx) = (self.k, self.cx);
        let id = self.memo.id(k, cx, agency)?;
        if self.record_of_agency.len() <= id {
            self.record_of_agency.resize(id + 1, None);
        }
        let a = &self.memo.resolved[id];
        let agencies = &mut self.agencies;
        let record = *self.record_of_agency[id]
            .get_or_insert_with(|| agencies.index_of(&a.canonical, || agency_record(k, a)));
        self.agencies.push_span(record, span);
        Some(Target::Agency(id))
    }

    fn document(
        &mut self,
        mention: &'a Mention,
        document: &'a DocumentRef,
        span: MentionSpan,
    ) -> Target<'a> {
        let (k, cx) = (self.k, self.cx);
        // The issuer and the text that says so: before the title, or in it.
        let memo = &mut self.memo;
        let issued_by = document
            .issuer
            .as_ref()
            .and_then(|i| Some((memo.id(k, cx, &i.agency)?, i.evidence)))
            .or_else(|| {
                issuer_named_in_title(k, cx, memo, self.mentions, mention.span)
                    .map(|id| (id, mention.span))
            });
        let issuer = issued_by.map(|(id, _)| self.memo.resolved[id].canonical.clone());
        // 《通知》 after 《关于…的通知》 is that document, abbreviated.
        let key = document_key(&document.title);
        let abbreviated_from = (key.chars().count() <= MAX_ABBREVIATION_CHARS)
            .then(|| self.document_endings.latest_other(&key, &document.title))
            .flatten()
            .map(|d| document_key(&self.documents.records[d].title));
        let key = abbreviated_from.unwrap_or(key);
        let known = self.documents.records.len();
        let record = self.documents.index_of(&key, || PolicyDocumentRecord {
            title: document.title.clone(),
            issuer,
            doc_type: document.doc_type.clone(),
            mentions: Vec::new(),
            spans: Vec::new(),
        });
        if self.documents.records.len() > known {
            let title = &self.documents.records[record].title;
            self.document_endings.add(title, record);
        }
        self.documents.push_span(record, span);
        if let Some((agency, evidence)) = issued_by {
            self.issued
                .push((agency, record, evidence, self.target_of.len()));
        }
        Target::Name(&document.title)
    }

    fn initiative(&mut self, initiative: &'a InitiativeRef, span: MentionSpan) -> Target<'a> {
        let k = self.k;
        let canonical = initiative.canonical(k);
        let make = || InitiativeRecord {
            canonical: canonical.to_string(),
            mentions: Vec::new(),
            scope: initiative.scope(k).to_string(),
            spans: Vec::new(),
        };
        // A table row's record is found by its row number after the first time.
        let record = match initiative {
            InitiativeRef::Known(row) => {
                if self.record_of_known.len() <= *row {
                    self.record_of_known.resize(row + 1, None);
                }
                let initiatives = &mut self.initiatives;
                *self.record_of_known[*row]
                    .get_or_insert_with(|| initiatives.index_of(canonical, make))
            }
            InitiativeRef::Named(_) => self.initiatives.index_of(canonical, make),
        };
        self.initiatives.push_span(record, span);
        Target::Name(canonical)
    }

    /// The implements and cites records: each candidate whose agent and target resolved, once
    /// per (kind, agent, target), with the clause around the target as evidence.
    fn relations(&mut self, relations: &'a [RelationCandidate], out: &mut Extraction) {
        let (k, cx) = (self.k, self.cx);
        // Resolve every agent first, so that the names below can be borrowed from the memo.
        let agents: Vec<Option<usize>> = relations
            .iter()
            .map(|relation| match self.target_of.get(relation.target) {
                Some(Some(_)) => self.memo.id(k, cx, &relation.agent),
                _ => None,
            })
            .collect();
        let memo = &self.memo;
        let name_of = |target: &Target<'a>| -> &str {
            match *target {
                Target::Name(name) => name,
                Target::Agency(id) => &memo.resolved[id].canonical,
            }
        };
        let mut seen: FxHashSet<(RelationKind, &str, &str)> =
            FxHashSet::with_capacity_and_hasher(relations.len(), Default::default());
        for (relation, agent) in relations.iter().zip(agents) {
            let (Some(Some(target)), Some(agent)) = (self.target_of.get(relation.target), agent)
            else {
                continue;
            };
            let agent = memo.resolved[agent].canonical.as_str();
            let target = name_of(target);
            if !seen.insert((relation.kind, agent, target)) {
                continue;
            }
            let evidence = &self.text[relation.evidence.start..relation.evidence.end];
            // The evidence is the clause around the target: count from where the target starts.
            let target_start = self.mentions[relation.target].span.start;
            let span = Some(
                CharCursor::at(self.text, target_start, self.mention_chars[relation.target])
                    .char_span(relation.evidence),
            );
            match relation.kind {
                RelationKind::Implements => out.implements.push(ImplementsRecord {
                    agency: agent.to_string(),
                    initiative: target.to_string(),
                    evidence: evidence.to_string(),
                    span,
                }),
                RelationKind::Cites => out.cites.push(CitesRecord {
                    agency: agent.to_string(),
                    law: target.to_string(),
                    evidence: evidence.to_string(),
                    span,
                }),
            }
        }
    }

    /// The issued records: one per (issuer, document), with the words that say so as evidence.
    fn issued(&mut self, out: &mut Extraction) {
        let mut seen: FxHashSet<(usize, usize)> = FxHashSet::default();
        for &(agency, record, evidence, at) in &self.issued {
            if !seen.insert((agency, record)) {
                continue;
            }
            let start = self.mentions[at].span.start;
            out.issued.push(IssuedRecord {
                agency: self.memo.resolved[agency].canonical.clone(),
                document: self.documents.records[record].title.clone(),
                evidence: self.text[evidence.start..evidence.end].to_string(),
                span: Some(
                    CharCursor::at(self.text, start, self.mention_chars[at]).char_span(evidence),
                ),
            });
        }
    }
}

/// A new agency record, without mentions yet.
fn agency_record(k: &Knowledge, a: &ResolvedAgency) -> AgencyRecord {
    AgencyRecord {
        canonical: a.canonical.clone(),
        mentions: Vec::new(),
        level: a.level.as_str().to_string(),
        kind: a.kind.clone(),
        jurisdiction: a.jurisdiction.map(|p| k.places[p].canonical.clone()),
        spans: Vec::new(),
    }
}

/// What a mention names: a name borrowed from the mention or the tables, or a resolved agency.
#[derive(Clone, Copy)]
enum Target<'a> {
    Name(&'a str),
    Agency(usize),
}

/// Agency referents resolved once per report: a report names the same few bodies over and over.
#[derive(Default)]
struct AgencyMemo<'a> {
    ids: FxHashMap<&'a AgencyRef, Option<usize>>,
    resolved: Vec<ResolvedAgency>,
    /// What [`AgencyRef::Author`] resolved to, once asked.
    author: Option<Option<usize>>,
}

impl<'a> AgencyMemo<'a> {
    /// The index in `resolved` of what `agency` refers to, or None when it cannot be resolved.
    fn id(&mut self, k: &Knowledge, cx: &ReportContext, agency: &'a AgencyRef) -> Option<usize> {
        // Most relation agents are the author: no hashing for it.
        if let (AgencyRef::Author, Some(id)) = (agency, self.author) {
            return id;
        }
        if let Some(&id) = self.ids.get(agency) {
            return id;
        }
        let id = resolve_agency(k, cx, agency).map(|a| {
            self.resolved.push(a);
            self.resolved.len() - 1
        });
        self.ids.insert(agency, id);
        if matches!(agency, AgencyRef::Author) {
            self.author = Some(id);
        }
        id
    }
}

/// Document records by each ending of their titles of up to [`MAX_ABBREVIATION_CHARS`]
/// characters: the latest record with that ending, and the latest whose title differs from
/// that one's. Looking an abbreviation up among all the records before it made a text of many
/// documents cost their square.
#[derive(Default)]
struct Endings {
    by_ending: FxHashMap<String, (EndingRecord, Option<EndingRecord>)>,
}

/// A document record and its title.
#[derive(Clone)]
struct EndingRecord {
    record: usize,
    title: String,
}

impl Endings {
    fn add(&mut self, title: &str, record: usize) {
        let new = EndingRecord {
            record,
            title: title.to_string(),
        };
        // The title's endings, and those before an edition note (《…纲要(2015-2020年)》, 以下
        // 简称《纲要》).
        let without_note = crate::segment::trailing_bracket_start(title).map(|i| &title[..i]);
        let endings: Vec<&str> = [Some(title), without_note]
            .into_iter()
            .flatten()
            .flat_map(|t| {
                t.char_indices()
                    .rev()
                    .take(MAX_ABBREVIATION_CHARS)
                    .map(move |(i, _)| &t[i..])
            })
            .collect();
        for ending in endings {
            match self.by_ending.get_mut(ending) {
                Some((latest, other)) => {
                    if latest.title != new.title {
                        *other = Some(latest.clone());
                    }
                    *latest = new.clone();
                }
                None => {
                    self.by_ending
                        .insert(ending.to_string(), (new.clone(), None));
                }
            }
        }
    }

    /// The latest record whose title ends with `ending` and is not `title`.
    fn latest_other(&self, ending: &str, title: &str) -> Option<usize> {
        let (latest, other) = self.by_ending.get(ending)?;
        if latest.title != title {
            Some(latest.record)
        } else {
            other.as_ref().map(|o| o.record)
        }
    }
}

/// Records keyed by canonical name, in order of first mention, collecting distinct surface forms.
struct Grouped<R> {
    records: Vec<R>,
    index: FxHashMap<String, usize>,
}

impl<R> Default for Grouped<R> {
    /// Room for the few dozen entities of each kind a report names, without regrowing.
    fn default() -> Self {
        Self {
            records: Vec::with_capacity(32),
            index: FxHashMap::with_capacity_and_hasher(32, Default::default()),
        }
    }
}

trait HasMentions {
    fn mentions(&mut self) -> &mut Vec<String>;
    fn spans(&mut self) -> &mut Vec<MentionSpan>;
}

macro_rules! has_mentions {
    ($($t:ty),*) => {$(
        impl HasMentions for $t {
            fn mentions(&mut self) -> &mut Vec<String> { &mut self.mentions }
            fn spans(&mut self) -> &mut Vec<MentionSpan> { &mut self.spans }
        }
    )*};
}
has_mentions!(
    AgencyRecord,
    LawRecord,
    PolicyDocumentRecord,
    InitiativeRecord,
    PlaceRecord
);

impl<R: HasMentions> Grouped<R> {
    fn add(&mut self, key: &str, span: MentionSpan, make: impl FnOnce() -> R) {
        let index = self.index_of(key, make);
        self.push_span(index, span);
    }

    /// The record keyed `key`, made on first use.
    fn index_of(&mut self, key: &str, make: impl FnOnce() -> R) -> usize {
        match self.index.get(key) {
            Some(&i) => i,
            None => {
                self.records.push(make());
                self.index.insert(key.to_string(), self.records.len() - 1);
                self.records.len() - 1
            }
        }
    }

    fn push_span(&mut self, index: usize, span: MentionSpan) {
        let record = &mut self.records[index];
        if !record.mentions().contains(&span.text) {
            record.mentions().push(span.text.clone());
        }
        record.spans().push(span);
    }
}

/// The key one document's titles share however its years are written: 《纲要(2021-2025)》 and
/// 《纲要（2021—2025年）》 are one plan.
fn document_key(title: &str) -> String {
    let name = crate::knowledge::normalize_name(title);
    if !name.bytes().any(|b| b.is_ascii_digit()) {
        return name;
    }
    let chars: Vec<char> = name.chars().collect();
    let digit_at = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    let is_dash = |c: char| matches!(c, '-' | '–' | '—' | '―' | '~' | '～' | '至');
    let mut key = String::with_capacity(name.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '（' => key.push('('),
            '）' => key.push(')'),
            // A dash between years, however written (2021—2025, 2021——2025, 2021至2025).
            c if is_dash(c) && i > 1 && digit_at(i - 2) => {
                let mut next = i;
                while chars.get(next).copied().is_some_and(is_dash) {
                    next += 1;
                }
                if digit_at(next) {
                    key.push('-');
                    i = next;
                } else {
                    key.push(c);
                }
            }
            // 年 closing a year in brackets: (2021—2025年).
            '年' if i > 1 && digit_at(i - 2) && matches!(chars.get(i), Some(')' | '）')) => {}
            _ => key.push(c),
        }
    }
    key
}

/// The place a report is about: the place in its author's name or title (of the places that
/// share that name, the one whose chain the text names most); else the place the text names most
/// often at the level its relative author needs (市政务服务办 → a city).
fn report_place(
    k: &Knowledge,
    heading: &Metadata,
    votes: &FxHashMap<usize, usize>,
    tie_break: impl FnOnce(PlaceName) -> Option<usize>,
) -> Option<usize> {
    // A unit's report is its body's place (市公安局交警支队: the city's).
    let named = match heading.author.as_ref().map(AgencyRef::body) {
        Some(
            AgencyRef::Form {
                jurisdiction: JurisdictionRef::Named(p),
                ..
            }
            | AgencyRef::Department {
                jurisdiction: JurisdictionRef::Named(p),
                ..
            }
            | AgencyRef::Subdistrict {
                jurisdiction: JurisdictionRef::Named(p),
                ..
            },
        ) => Some(*p),
        Some(AgencyRef::National(_)) => return Some(k.nation),
        // A branch's report is its county's (凤凰分局: 凤凰县).
        Some(AgencyRef::Branch { county, .. }) => return Some(*county),
        _ => heading.title_place,
    };
    if let Some(name) = named {
        if let Some(place) = most_voted(k, name, votes).or_else(|| tie_break(name)) {
            return Some(place);
        }
    }
    // 地区司法处, 自治州人民政府: the most named place of the word's levels whose name ends with
    // it (阿里地区, though 西藏自治区, which every 地区 of it votes for, is named more).
    if let Some(
        AgencyRef::Form {
            jurisdiction: JurisdictionRef::LevelWord(w),
            ..
        }
        | AgencyRef::Department {
            jurisdiction: JurisdictionRef::LevelWord(w),
            ..
        },
    ) = heading.author.as_ref().map(AgencyRef::body)
    {
        let word = &k.vocabulary.level_words[*w];
        let place = votes
            .iter()
            .filter(|&(&p, _)| word.stands_for(k.places[p].level, &k.places[p].canonical))
            .max_by_key(|&(&p, &n)| (n, std::cmp::Reverse(p)))
            .map(|(&p, _)| p);
        if place.is_some() {
            return place;
        }
    }
    // 我区, 全县: the most named place of that level; 我镇, 全乡: of the township level; and
    // one the character stands for (市 is 景德镇市, never 江西省, whose votes every city swells).
    let level_char = match heading.author.as_ref().map(AgencyRef::body) {
        Some(
            AgencyRef::Form {
                jurisdiction: JurisdictionRef::Level(c),
                ..
            }
            | AgencyRef::Department {
                jurisdiction: JurisdictionRef::Level(c),
                ..
            },
        ) => Some(*c),
        _ => None,
    };
    let wanted: &[PlaceLevel] = match level_char {
        Some(c) => {
            let levels = k.vocabulary.level_places(c);
            if levels.contains(&PlaceLevel::District) {
                &[PlaceLevel::District, PlaceLevel::Zone]
            } else if levels.contains(&PlaceLevel::Township) {
                &[PlaceLevel::Township]
            } else {
                &[PlaceLevel::Provincial, PlaceLevel::Prefectural]
            }
        }
        None => &[PlaceLevel::Provincial, PlaceLevel::Prefectural],
    };
    most_named(k, votes, Some(wanted), level_char)
}

/// The place the text names most, of those at `levels` (any, when None) that the level
/// character `c` stands for (any, when None). On a tie the deeper place: a city that has all its
/// province's votes is the better guess.
fn most_named(
    k: &Knowledge,
    votes: &FxHashMap<usize, usize>,
    levels: Option<&[PlaceLevel]>,
    c: Option<char>,
) -> Option<usize> {
    let fits = |p: usize| {
        let place = &k.places[p];
        levels.is_none_or(|levels| levels.contains(&place.level))
            && c.is_none_or(|c| {
                k.vocabulary
                    .level_char_stands_for(c, place.level, &place.canonical)
            })
    };
    votes
        .iter()
        .filter(|&(&p, _)| fits(p))
        .max_by_key(|&(&p, &n)| (n, k.place_chain(p).len(), std::cmp::Reverse(p)))
        .map(|(&p, _)| p)
}

/// A report that names no author and says 全市, 我市 more than any other such form is a city's:
/// the most named place that 市 stands for (景德镇市, though 江西省 has more votes: every city
/// the text names votes for its province too).
fn place_of_deictic_forms(
    k: &Knowledge,
    heading: &Metadata,
    bodies_and_places: &[Mention],
    votes: &FxHashMap<usize, usize>,
) -> Option<usize> {
    if heading.author.is_some() || heading.title_place.is_some() {
        return None;
    }
    let mut counts: Vec<(char, usize)> = Vec::new();
    for mention in bodies_and_places {
        if let Referent::Place(PlaceRef::Deictic(c)) = mention.referent {
            match counts.iter_mut().find(|(d, _)| *d == c) {
                Some((_, n)) => *n += 1,
                None => counts.push((c, 1)),
            }
        }
    }
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let c = match counts[..] {
        [(c, _)] => c,
        [(c, n), (_, m), ..] if n > m => c,
        _ => return None,
    };
    most_named(k, votes, None, Some(c))
}

/// How often the text names each place, a district counting as a vote for its city too. Only
/// names that denote one place vote, and not a place written with its province (四川省成都市
/// 新都区): a report calls its own place 全区 or 新都区, and names places elsewhere in full.
fn place_votes(
    k: &Knowledge,
    context: &Context<'_>,
    bodies_and_places: &[Mention],
) -> FxHashMap<usize, usize> {
    let text = context.text;
    let mut votes: FxHashMap<usize, usize> = FxHashMap::default();
    for mention in bodies_and_places {
        if let Referent::Place(PlaceRef::Known(PlaceName::One(p))) = mention.referent {
            // A place inside a quoted name, not at its start (“清风辽宁政务窗口”), names a brand
            // or an honour, not where the report is; a quote that starts with it votes below.
            if context
                .quote_containing(mention.span)
                .is_some_and(|q| q.inner.start < mention.span.start)
            {
                continue;
            }
            let chain = k.place_chain(p);
            let written = &text[mention.span.start..mention.span.end];
            let from_elsewhere = chain[1..].iter().any(|&q| {
                k.places[q].level == PlaceLevel::Provincial
                    && written.starts_with(k.places[q].canonical.as_str())
            });
            if from_elsewhere {
                continue;
            }
            for q in chain {
                *votes.entry(q).or_default() += 1;
            }
        }
    }
    votes
}

/// The places named before bodies (沁水县委, 东丽区司法局) vote too.
fn add_votes_of_bodies(
    k: &Knowledge,
    bodies_and_places: &[Mention],
    votes: &mut FxHashMap<usize, usize>,
) {
    for mention in bodies_and_places {
        let Referent::Agency(
            AgencyRef::Form { jurisdiction, .. }
            | AgencyRef::Department { jurisdiction, .. }
            | AgencyRef::Subdistrict { jurisdiction, .. },
        ) = &mention.referent
        else {
            continue;
        };
        if let JurisdictionRef::Named(PlaceName::One(p)) = jurisdiction {
            for q in k.place_chain(*p) {
                *votes.entry(q).or_default() += 1;
            }
        }
    }
}

/// Of the places that share `name`, the one alone whose chain above it holds a place of every
/// level the text's relative forms name (县委, 市政府): where the candidates' parents differ in
/// kind (a 县 and a 县级市), the forms tell them apart.
fn fitting_relative_forms(k: &Knowledge, name: PlaceName, bodies: &[Mention]) -> Option<usize> {
    let mut level_chars: Vec<char> = Vec::new();
    for mention in bodies {
        if let Referent::Agency(
            AgencyRef::Form {
                jurisdiction: JurisdictionRef::Level(c),
                ..
            }
            | AgencyRef::Department {
                jurisdiction: JurisdictionRef::Level(c),
                ..
            },
        ) = &mention.referent
        {
            if !level_chars.contains(c) {
                level_chars.push(*c);
            }
        }
    }
    let candidates = k.place_candidates(&name);
    let own_level = candidates.first().map(|&c| k.places[c].level);
    // The report's own level char (镇 in a 镇 report) is no evidence.
    level_chars
        .retain(|&c| own_level.is_none_or(|level| !k.vocabulary.level_places(c).contains(&level)));
    if level_chars.is_empty() {
        return None;
    }
    let fits = |candidate: usize| {
        let above = &k.place_chain(candidate)[1..];
        level_chars.iter().all(|&c| {
            above.iter().any(|&q| {
                let place = &k.places[q];
                k.vocabulary
                    .level_char_stands_for(c, place.level, &place.canonical)
            })
        })
    };
    match candidates.iter().filter(|&&c| fits(c)).collect::<Vec<_>>()[..] {
        [only] => Some(*only),
        _ => None,
    }
}

/// A title or quoted name that starts with a place (《天津市法治宣传教育条例》, “天津干部在线学习”)
/// votes for it too: the laws, plans and programmes a report names are mostly its own place's,
/// and a report that never names its city on its own may still cite the city's regulations.
fn add_votes_of_titles_and_quotations(
    k: &Knowledge,
    context: &Context<'_>,
    votes: &mut FxHashMap<usize, usize>,
) {
    /// The longest place name a title starts with is at most this many characters.
    const LONGEST_NAME: usize = 12;
    let party_prefix = k.vocabulary.agencies.party_prefix.as_str();
    for enclosed in context.titles.iter().chain(&context.quotes) {
        // A title issued by a party committee starts with its place after the prefix
        // (《中共绥滨县委全面依法治县委员会2024年工作要点》).
        let inner = context.slice(enclosed.inner);
        let inner = inner.strip_prefix(party_prefix).unwrap_or(inner);
        if !k.may_start_with_place(inner) {
            continue;
        }
        let ends: Vec<usize> = inner
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take(LONGEST_NAME)
            .collect();
        let Some(place) = ends.iter().rev().find_map(|&end| k.place(&inner[..end])) else {
            continue;
        };
        for q in k.place_chain(place) {
            *votes.entry(q).or_default() += 1;
        }
    }
}

/// The place `name` denotes when the text's `votes` decide: the only candidate, or the one
/// whose chain below the nation the text names most, if any and alone.
fn most_voted(k: &Knowledge, name: PlaceName, votes: &FxHashMap<usize, usize>) -> Option<usize> {
    let candidates = k.place_candidates(&name);
    if let [only] = candidates {
        return Some(*only);
    }
    let score = |&c: &usize| -> usize {
        k.place_chain(c)
            .iter()
            .filter(|&&q| q != k.nation)
            .map(|q| votes.get(q).copied().unwrap_or(0))
            .sum()
    };
    let mut scored: Vec<(usize, usize)> = candidates.iter().map(|c| (score(c), *c)).collect();
    scored.sort_unstable_by(|a, b| b.cmp(a));
    match scored[..] {
        [(best, place), (next, _), ..] if best > next => Some(place),
        _ => None,
    }
}

fn author(k: &Knowledge, heading: &Metadata, cx: &ReportContext) -> Option<ResolvedAgency> {
    if let Some(agency) = &heading.author {
        return resolve_agency(k, cx, agency);
    }
    let place = k.decide_place(heading.title_place?, &cx.chain)?;
    let entry = &k.places[place];
    let (canonical, kind) = match entry.level {
        PlaceLevel::National => (
            k.national_agencies[k.national_government].canonical.clone(),
            "government",
        ),
        PlaceLevel::Region => return None,
        _ => (
            k.vocabulary.names.fill_jurisdiction(
                &k.agency_forms[k.government_form_of(place)].full,
                &entry.canonical,
            ),
            "government",
        ),
    };
    Some(ResolvedAgency {
        canonical,
        level: entry.level.agency_level(),
        kind: kind.into(),
        jurisdiction: Some(place),
    })
}

fn resolve_jurisdiction(k: &Knowledge, cx: &ReportContext, j: &JurisdictionRef) -> Option<usize> {
    match j {
        JurisdictionRef::Named(name) => k.decide_place(*name, &cx.chain),
        JurisdictionRef::Own => cx.chain.first().copied(),
        JurisdictionRef::Governing(form) => {
            let form = &k.agency_forms[*form];
            let names = &k.vocabulary.names;
            let beside_government = |government: &str| {
                form.short == names.working_committee_form
                    && names
                        .working_committee_beside
                        .iter()
                        .any(|g| g == government)
            };
            let township_committee = |p: usize| {
                form.short == names.township_committee_form
                    && k.places[p].level == PlaceLevel::Township
            };
            cx.chain.iter().copied().find(|&p| {
                let government = &k.agency_forms[k.government_form_of(p)];
                government.full == form.full
                    || beside_government(&government.short)
                    || township_committee(p)
            })
        }
        JurisdictionRef::Level(c) => cx.chain.iter().copied().find(|&p| {
            let place = &k.places[p];
            k.vocabulary
                .level_char_stands_for(*c, place.level, &place.canonical)
        }),
        JurisdictionRef::LevelWord(w) => {
            let word = &k.vocabulary.level_words[*w];
            cx.chain.iter().copied().find(|&p| {
                let place = &k.places[p];
                word.stands_for(place.level, &place.canonical)
            })
        }
    }
}

fn resolve_agency(k: &Knowledge, cx: &ReportContext, agency: &AgencyRef) -> Option<ResolvedAgency> {
    Some(match agency {
        AgencyRef::National(n) => {
            let entry = &k.national_agencies[*n];
            ResolvedAgency {
                canonical: entry.canonical.clone(),
                level: Level::National,
                kind: entry.kind.clone(),
                jurisdiction: Some(k.nation),
            }
        }
        AgencyRef::Form { form, jurisdiction } => resolve_form(k, cx, *form, jurisdiction)?,
        AgencyRef::Named {
            canonical,
            kind,
            level,
        } => ResolvedAgency {
            canonical: canonical.clone(),
            level: *level,
            kind: (*kind).to_string(),
            jurisdiction: None,
        },
        AgencyRef::Author => cx.author.clone()?,
        AgencyRef::PartyGroupOf(body) => party_group_of(k, resolve_agency(k, cx, body)?)?,
        AgencyRef::PartyCommitteeOfAuthor => party_committee_of(k, cx.author.as_ref()?)?,
        AgencyRef::IntermediateCourt {
            number,
            jurisdiction,
        } => {
            let place = resolve_jurisdiction(k, cx, jurisdiction)?;
            let entry = &k.places[place];
            ResolvedAgency {
                canonical: k
                    .vocabulary
                    .names
                    .intermediate_court
                    .replace("{N}", number)
                    .replace("{J}", &entry.canonical),
                level: entry.level.agency_level(),
                kind: "court".into(),
                jurisdiction: Some(place),
            }
        }
        AgencyRef::UnitOfAuthor(unit) => {
            let author = cx.author.as_ref()?;
            ResolvedAgency {
                canonical: format!("{}{}", author.canonical, unit),
                ..author.clone()
            }
        }
        AgencyRef::Department { name, jurisdiction } => {
            let body = named_body_of_place(k, cx, jurisdiction, name, None)?;
            match &cx.author {
                Some(author) if abbreviates_author(k, author, &body, name) => author.clone(),
                _ => body,
            }
        }
        AgencyRef::Branch {
            of,
            county,
            written,
        } => {
            let department = resolve_agency(k, cx, of)?;
            ResolvedAgency {
                canonical: format!(
                    "{}{}{}",
                    department.canonical, written, k.vocabulary.agencies.branch
                ),
                level: k.places[*county].level.agency_level(),
                kind: department.kind,
                jurisdiction: Some(*county),
            }
        }
        AgencyRef::Unit { of, unit } => {
            let body = resolve_agency(k, cx, of)?;
            ResolvedAgency {
                canonical: format!("{}{}", body.canonical, unit),
                ..body
            }
        }
        AgencyRef::Subdistrict { name, jurisdiction } => {
            let body = named_body_of_place(k, cx, jurisdiction, name, Some(Level::Subdistrict))?;
            // A 街道 named in its own office's report is that office (荷泉街道 in the report of
            // 荷泉街道办事处): one body, the author, not a second one beside it.
            match &cx.author {
                Some(author)
                    if author.kind == body.kind
                        && author
                            .jurisdiction
                            .is_some_and(|p| k.places[p].canonical == body.canonical) =>
                {
                    author.clone()
                }
                _ => body,
            }
        }
    })
}

/// A government body named after its place (华新街道, 荷塘区城市更新服务中心): the place's
/// canonical name and `name`, at `level` or else the place's own.
/// Whether a department no table knows (梨树县政数局) is the author's own name written short
/// (政务服务和数字化建设管理局): of the same place, with the same first and last characters, and the
/// rest in the same order.
fn abbreviates_author(
    k: &Knowledge,
    author: &ResolvedAgency,
    body: &ResolvedAgency,
    name: &str,
) -> bool {
    let Some(place) = body
        .jurisdiction
        .filter(|&p| author.jurisdiction == Some(p))
    else {
        return false;
    };
    let Some(full) = author
        .canonical
        .strip_prefix(k.places[place].canonical.as_str())
    else {
        return false;
    };
    let mut rest = full.chars();
    let in_order = name.chars().all(|c| rest.any(|f| f == c));
    name.len() < full.len()
        && in_order
        && name.chars().next() == full.chars().next()
        && name.chars().next_back() == full.chars().next_back()
}

fn named_body_of_place(
    k: &Knowledge,
    cx: &ReportContext,
    jurisdiction: &JurisdictionRef,
    name: &str,
    level: Option<Level>,
) -> Option<ResolvedAgency> {
    let place = resolve_jurisdiction(k, cx, jurisdiction)?;
    let entry = &k.places[place];
    Some(ResolvedAgency {
        canonical: format!("{}{}", entry.canonical, name),
        level: level.unwrap_or_else(|| entry.level.agency_level()),
        kind: "government".into(),
        jurisdiction: Some(place),
    })
}

/// The party group (党组) of a body that is not itself a party body.
fn party_group_of(k: &Knowledge, body: ResolvedAgency) -> Option<ResolvedAgency> {
    if body.kind == "party" {
        return None;
    }
    Some(ResolvedAgency {
        canonical: k
            .vocabulary
            .names
            .party_group
            .replace("{J}", &body.canonical),
        level: body.level,
        kind: "party".into(),
        jurisdiction: body.jurisdiction,
    })
}

/// The party committee of the department that wrote the report (局党委); a government or a
/// party body has none of its own.
fn party_committee_of(k: &Knowledge, author: &ResolvedAgency) -> Option<ResolvedAgency> {
    let names = &k.vocabulary.names;
    if author.kind != "government" || author.canonical.ends_with(&names.government_ending) {
        return None;
    }
    Some(ResolvedAgency {
        canonical: names.party_committee.replace("{J}", &author.canonical),
        kind: "party".into(),
        ..author.clone()
    })
}

/// A body of the agency_forms.tsv kind `form` in the place `jurisdiction` names.
fn resolve_form(
    k: &Knowledge,
    cx: &ReportContext,
    form: usize,
    jurisdiction: &JurisdictionRef,
) -> Option<ResolvedAgency> {
    let place = resolve_jurisdiction(k, cx, jurisdiction)?;
    // 政府 is the government of whatever kind the place has: 我盟 reporting is its 行政公署, a
    // zone's 区政府 its 管理委员会.
    let form = if form == k.local_government_form {
        k.government_form_of(place)
    } else {
        form
    };
    let form = &k.agency_forms[form];
    let place_entry = &k.places[place];
    if place_entry.level == PlaceLevel::National {
        // In a national text a bare 发展改革委 is the national body: 国家发展改革委.
        let national = k.national_by_name.get(&form.short).or_else(|| {
            let prefix = &k.vocabulary.names.national_agency_prefix;
            k.national_by_name.get(&format!("{prefix}{}", form.short))
        })?;
        return resolve_agency(k, cx, &AgencyRef::National(*national));
    }
    // 省法院 is the province's high court, 市法院 the city's intermediate court.
    let names = &k.vocabulary.names;
    let full = match place_entry.level {
        PlaceLevel::Provincial if form.full == names.local_court => &names.provincial_court,
        PlaceLevel::Prefectural if form.full == names.local_court => &names.prefectural_court,
        _ => &form.full,
    };
    // 地区司法局 in the report of 大兴安岭地区行政公署司法局: the author, whose heading wrote its
    // official name with its government's between place and department.
    let department = full.trim_start_matches("{J}");
    if let Some(author) = cx.author.as_ref().filter(|a| {
        a.jurisdiction == Some(place)
            && a.kind == form.kind
            && a.canonical.ends_with(department)
            && a.canonical.starts_with(place_entry.canonical.as_str())
            && full.starts_with("{J}")
    }) {
        return Some(author.clone());
    }
    Some(ResolvedAgency {
        canonical: names.fill_jurisdiction(full, &place_entry.canonical),
        level: place_entry.level.agency_level(),
        kind: form.kind.clone(),
        jurisdiction: Some(place),
    })
}

fn resolve_place(k: &Knowledge, cx: &ReportContext, place: &PlaceRef) -> Option<usize> {
    match place {
        PlaceRef::Known(name) => k.decide_place(*name, &cx.chain),
        PlaceRef::Deictic(c) => resolve_jurisdiction(k, cx, &JurisdictionRef::Level(*c)),
    }
}

/// A title that starts with a body's name (市政务服务办2023年普法责任清单) was issued by it.
fn issuer_named_in_title<'a>(
    k: &Knowledge,
    cx: &ReportContext,
    memo: &mut AgencyMemo<'a>,
    mentions: &'a [Mention],
    title_span: crate::model::Span,
) -> Option<usize> {
    // Mentions are sorted by span: a binary search finds those starting with the title (a scan
    // from the first mention for every title made a text of many titles cost their square).
    let first = mentions.partition_point(|m| m.span.start < title_span.start);
    mentions[first..]
        .iter()
        .take_while(|m| m.span.start == title_span.start)
        .find(|m| title_span.contains(m.span))
        .and_then(|m| match &m.referent {
            Referent::Agency(a) => memo.id(k, cx, a),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    /// One plan's title with its years written two ways is one document; other titles keep
    /// their dashes and years.
    #[test]
    fn a_title_written_with_other_dashes_is_one_document() {
        let key = super::document_key;
        assert_eq!(
            key("法治政府建设实施纲要(2021-2025)"),
            key("法治政府建设实施纲要（2021—2025年）")
        );
        assert_eq!(key("纲要(2021——2025年)"), key("纲要(2021至2025)"));
        assert_ne!(key("纲要(2021-2025)"), key("纲要(2021-2023)"));
        assert_eq!(key("翻译—校审—复核办法"), "翻译—校审—复核办法");
        assert_eq!(key("2023年工作要点"), "2023年工作要点");
    }

    /// An abbreviated title stands for the latest longer title with its ending, never itself.
    #[test]
    fn endings_find_the_latest_other_title() {
        let mut endings = super::Endings::default();
        endings.add("关于甲的通知", 0);
        endings.add("关于乙的通知", 1);
        endings.add("通知", 2);
        assert_eq!(endings.latest_other("通知", "通知"), Some(1));
        assert_eq!(endings.latest_other("的通知", "通知"), Some(1));
        assert_eq!(endings.latest_other("通知", "关于丙的通知"), Some(2));
        assert_eq!(endings.latest_other("意见", "意见"), None);
        // An edition note does not hide the ending (以下简称《纲要》).
        endings.add("法治政府建设实施纲要(2015-2020年)", 3);
        assert_eq!(endings.latest_other("纲要", "纲要"), Some(3));
    }
}
