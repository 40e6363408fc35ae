//! Extract stage: text in, mentions and relation candidates out. Pure: no I/O, no store.
//!
//! Each entity kind has its own rules module; they read the text, the shared gazetteer hits and
//! the bracket/quote spans, and return [`Mention`]s whose referent is still relative
//! (区司法局 → "the 区-level jurisdiction's 司法局"). The `resolve` stage makes them canonical.

pub mod agencies;
pub mod initiatives;
pub mod laws;
pub mod metadata;
pub mod relations;

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use crate::budget::{Budget, UNLIMITED};
use crate::knowledge::{Entry, Knowledge, PlaceName};
use crate::model::Span;
use crate::segment::{self, Enclosed};

/// Which jurisdiction a relative agency form refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JurisdictionRef {
    /// A place named right before the form (东丽区司法局).
    Named(PlaceName),
    /// A level character before the form: 市, 区, 县, 省 (市政务服务办).
    Level(char),
    /// A level word before the form (自治区党委): an index into `level_words`.
    LevelWord(usize),
    /// Nothing before it (政务服务办): the report's own jurisdiction.
    Own,
    /// A government form standing alone (行署): the nearest place of the report's chain that a
    /// body of this form (an index into agency_forms) governs.
    Governing(usize),
}

/// What an agency mention refers to, before resolution.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AgencyRef {
    /// A row of national_agencies.tsv.
    National(usize),
    /// A row of agency_forms.tsv in some jurisdiction.
    Form {
        form: usize,
        jurisdiction: JurisdictionRef,
    },
    /// A named body recognised by pattern, already canonical (天津财经大学), with kind and level.
    Named {
        canonical: String,
        kind: &'static str,
        level: crate::model::Level,
    },
    /// The report's author (我办, 本单位).
    Author,
    /// The party group (党组) of another referent (市政务服务办党组, or bare 党组 = the author's).
    PartyGroupOf(Box<AgencyRef>),
    /// The party committee of the department that wrote the report (局党委, 厅党委).
    PartyCommitteeOfAuthor,
    /// A numbered intermediate court of a jurisdiction (三中院 → 第三中级人民法院).
    IntermediateCourt {
        number: String,
        jurisdiction: JurisdictionRef,
    },
    /// An internal unit (政策法规科) of the author.
    UnitOfAuthor(String),
    /// A named subdistrict (华新街道) of a jurisdiction; `name` is empty when the jurisdiction
    /// is the subdistrict itself (a 街道 of the township table).
    Subdistrict {
        name: String,
        jurisdiction: JurisdictionRef,
    },
    /// A department no table knows, named in a heading after its place (荷塘区文旅体局).
    Department {
        name: String,
        jurisdiction: JurisdictionRef,
    },
    /// A department's branch in one of its counties (湘西州生态环境局凤凰分局, 重庆市公安局璧山区
    /// 分局): the department, the county-level place, and the county as written.
    Branch {
        of: Box<AgencyRef>,
        county: usize,
        written: String,
    },
    /// A body's unit named right after it (市公安局禁毒大队): the body and the unit's name.
    Unit { of: Box<AgencyRef>, unit: String },
}

impl AgencyRef {
    /// The body a unit belongs to, or the body itself: whose place a unit's report is.
    pub fn body(&self) -> &AgencyRef {
        match self {
            Self::Unit { of, .. } => of.body(),
            other => other,
        }
    }

    /// The kind (government, party, ...) of a body before it is resolved, where it is known.
    pub fn kind<'k>(&'k self, k: &'k Knowledge) -> Option<&'k str> {
        match self {
            Self::National(n) => Some(k.national_agencies[*n].kind.as_str()),
            Self::Form { form, .. } => Some(k.agency_forms[*form].kind.as_str()),
            Self::Named { kind, .. } => Some(kind),
            Self::Branch { of, .. } | Self::Unit { of, .. } => of.kind(k),
            _ => None,
        }
    }
}

/// What a law mention refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LawRef {
    pub canonical: String,
    pub kind: &'static str,
}

/// What an initiative mention refers to: a row of initiatives.tsv (by index, so that the many
/// mentions of known initiatives copy no strings), or a name the rules recognised.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InitiativeRef {
    Known(usize),
    /// A local programme or brand named in the text (scope [`LOCAL_BRAND`]).
    Named(String),
}

/// The scope of initiatives the rules find that the table does not list.
pub const LOCAL_BRAND: &str = "local_brand";

impl InitiativeRef {
    pub fn canonical<'k>(&'k self, knowledge: &'k Knowledge) -> &'k str {
        match self {
            Self::Known(index) => &knowledge.initiatives[*index].canonical,
            Self::Named(name) => name,
        }
    }

    pub fn scope<'k>(&self, knowledge: &'k Knowledge) -> &'k str {
        match self {
            Self::Known(index) => &knowledge.initiatives[*index].scope,
            Self::Named(_) => LOCAL_BRAND,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocumentRef {
    pub title: String,
    pub doc_type: String,
    /// Issuer named right before the title, or (for 制定/印发/出台…) the author.
    pub issuer: Option<Issuer>,
}

/// Who issued a document, and the text that says so (from the issuer or the issuing verb to the
/// end of the title).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Issuer {
    pub agency: AgencyRef,
    pub evidence: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PlaceRef {
    /// A name from the place tables (resolved by the report's place chain when shared).
    Known(PlaceName),
    /// 我区/全区/本区 (level 区), 我市/全市/本市 (level 市) …
    Deictic(char),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Referent {
    Agency(AgencyRef),
    Law(LawRef),
    /// Boxed: the largest referent, and the rarest; mentions are moved when sorted.
    Document(Box<DocumentRef>),
    Initiative(InitiativeRef),
    Place(PlaceRef),
}

/// One occurrence in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub span: Span,
    pub referent: Referent,
}

/// Spans and hits shared by the rules modules, computed once per text.
pub struct Context<'a> {
    pub text: &'a str,
    pub knowledge: &'a Knowledge,
    /// The report's time budget: the rules' loops stop early once it is spent.
    pub budget: &'a Budget,
    pub hits: Vec<(usize, usize, Entry)>,
    pub titles: Vec<Enclosed>,
    pub quotes: Vec<Enclosed>,
    /// `title_reach[i]` = the largest end of `titles[..=i]` (likewise for quotes): positional
    /// searches skip every mark that ends too early with one binary search.
    title_reach: Vec<usize>,
    quote_reach: Vec<usize>,
    /// Memo of [`Context::quote_run_start`]: every quote of a run steps back over the same
    /// quotes, so without it a run of k quotations cost k² steps.
    quote_run_starts: RefCell<FxHashMap<(usize, &'static str), usize>>,
}

/// Running maximum of the marks' ends (the marks are sorted by start).
fn reach(marks: &[Enclosed]) -> Vec<usize> {
    marks
        .iter()
        .scan(0, |max, m| {
            *max = m.outer.end.max(*max);
            Some(*max)
        })
        .collect()
}

/// The first of `marks` (in start order) whose outer span satisfies `wanted`, among those that
/// end at `min_end` or later and start at `max_start` or earlier.
fn first_mark<'m>(
    marks: &'m [Enclosed],
    reach: &[usize],
    min_end: usize,
    max_start: usize,
    wanted: impl Fn(&Enclosed) -> bool,
) -> Option<&'m Enclosed> {
    let from = reach.partition_point(|&end| end < min_end);
    marks[from..]
        .iter()
        .take_while(|m| m.outer.start <= max_start)
        .find(|m| m.outer.end >= min_end && wanted(m))
}

impl<'a> Context<'a> {
    pub fn new(text: &'a str, knowledge: &'a Knowledge) -> Self {
        Self::with_budget(text, knowledge, &UNLIMITED)
    }

    /// [`Context::new`] for a report with a time budget.
    pub fn with_budget(text: &'a str, knowledge: &'a Knowledge, budget: &'a Budget) -> Self {
        let (titles, quotes) = segment::titles_and_quotations(text, 120, 40);
        Self {
            text,
            knowledge,
            budget,
            hits: knowledge.scan(text),
            title_reach: reach(&titles),
            quote_reach: reach(&quotes),
            titles,
            quotes,
            quote_run_starts: RefCell::default(),
        }
    }

    pub fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The 《…》 title whose inner text contains `span`, if any.
    pub fn title_containing(&self, span: Span) -> Option<&Enclosed> {
        first_mark(&self.titles, &self.title_reach, span.end, span.start, |t| {
            t.inner.contains(span)
        })
    }

    /// The “…” quotation whose inner text contains `span`, if any.
    pub fn quote_containing(&self, span: Span) -> Option<&Enclosed> {
        first_mark(&self.quotes, &self.quote_reach, span.end, span.start, |q| {
            q.outer.contains(span)
        })
    }

    /// The first title (in text order) that ends at or before `at` with only `separators`
    /// between it and `at`.
    pub fn title_just_before(&self, at: usize, separators: &str) -> Option<&Enclosed> {
        let run = self.separator_run_start(at, separators);
        first_mark(&self.titles, &self.title_reach, run, at, |t| {
            t.outer.end <= at
        })
    }

    /// The first quotation (in text order) that ends at or before `at` with only `separators`
    /// between it and `at`.
    pub fn quote_just_before(&self, at: usize, separators: &str) -> Option<&Enclosed> {
        let run = self.separator_run_start(at, separators);
        first_mark(&self.quotes, &self.quote_reach, run, at, |q| {
            q.outer.end <= at
        })
    }

    /// The quotation whose opening mark is at byte `at`, if any.
    pub fn quote_starting_at(&self, at: usize) -> Option<&Enclosed> {
        let i = self.quotes.partition_point(|q| q.outer.start < at);
        self.quotes.get(i).filter(|q| q.outer.start == at)
    }

    /// Where the run of quotations that follows `from` ends (“甲”“乙”、“丙”: each just after the
    /// one before, with only `separators` between); None when no quotation follows `from`.
    pub fn quote_run_end(&self, from: usize, separators: &str) -> Option<usize> {
        let mut end = None;
        let mut at = from;
        loop {
            let next = self.text[at..].trim_start_matches(|c| separators.contains(c));
            match self.quote_starting_at(self.text.len() - next.len()) {
                Some(q) => {
                    at = q.outer.end;
                    end = Some(at);
                }
                None => return end,
            }
        }
    }

    /// Where the run of quotations that ends at `at` starts (“甲”“乙”、“丙”: each is just before the
    /// next, with only `separators` between); `at` itself when no quotation is just before it.
    pub fn quote_run_start(&self, from: usize, separators: &'static str) -> usize {
        let mut memo = self.quote_run_starts.borrow_mut();
        let mut at = from;
        let mut passed = Vec::new();
        loop {
            if let Some(&start) = memo.get(&(at, separators)) {
                at = start;
                break;
            }
            match self.quote_just_before(at, separators) {
                Some(previous) if previous.outer.start < at => {
                    passed.push(at);
                    at = previous.outer.start;
                }
                _ => break,
            }
        }
        for position in passed {
            memo.insert((position, separators), at);
        }
        at
    }

    /// Where the run of `separators` that ends at byte `at` starts.
    fn separator_run_start(&self, at: usize, separators: &str) -> usize {
        self.text[..at]
            .trim_end_matches(|c: char| separators.contains(c))
            .len()
    }

    /// The text right before byte `at`, at most `chars` characters.
    pub fn before(&self, at: usize, chars: usize) -> &'a str {
        let head = &self.text[..at];
        let start = head
            .char_indices()
            .rev()
            .nth(chars.saturating_sub(1))
            .map_or(0, |(i, _)| i);
        &head[start..]
    }

    /// The text right after byte `at`, at most `chars` characters.
    pub fn after(&self, at: usize, chars: usize) -> &'a str {
        let tail = &self.text[at..];
        let end = tail
            .char_indices()
            .nth(chars)
            .map_or(tail.len(), |(i, _)| i);
        &tail[..end]
    }
}

/// The names of bodies and places: what the heading and the report's context are read from.
pub fn bodies_and_places(context: &Context<'_>) -> Vec<Mention> {
    agencies::find(context)
}

/// Named 街道 in the body are bodies, not places (the gold rules: named 街道 are agencies of
/// level subdistrict): a 街道 of the township table named after the heading (前甸镇、长春街道等
/// 单位) becomes a mention of its office. The heading's own subject stays a place, which the
/// report's place was read from.
pub fn subdistricts_as_bodies(context: &Context<'_>, mentions: &mut [Mention], heading_end: usize) {
    let k = context.knowledge;
    let word = &k.vocabulary.agencies.subdistrict;
    for mention in mentions.iter_mut().filter(|m| m.span.start >= heading_end) {
        let Referent::Place(PlaceRef::Known(place)) = mention.referent else {
            continue;
        };
        if k.names_townships_only(&place) && context.slice(mention.span).ends_with(word.as_str()) {
            mention.referent = Referent::Agency(AgencyRef::Subdistrict {
                name: String::new(),
                jurisdiction: JurisdictionRef::Named(place),
            });
        }
    }
}

/// Every other mention (laws, policy documents, initiatives) joined with the bodies and places,
/// in text order. Bodies named inside a title (《天津市政务服务中心…规范》) serve as its issuer,
/// not as mentions, unless the title is the body's name alone.
pub fn all_mentions(context: &Context<'_>, bodies_and_places: Vec<Mention>) -> Vec<Mention> {
    let laws = laws::find(context, &bodies_and_places);
    let mut mentions = bodies_and_places;
    // A title that is nothing but a body's name (《人民日报》) names that body, a newspaper.
    mentions.retain(|m| {
        !matches!(m.referent, Referent::Agency(_))
            || context
                .title_containing(m.span)
                .is_none_or(|title| title.inner == m.span)
    });
    mentions.extend(laws);
    mentions.extend(initiatives::find(context));
    mentions.sort_by_key(|m| m.span);
    mentions.dedup();
    mentions
}

/// A title this short (《通知》, 《条例》) may stand for a longer one named before it: a document
/// (resolve) or a law (laws).
pub const MAX_ABBREVIATION_CHARS: usize = 4;

pub fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}
