//! Synthetic benchmark corpus: realistic, seeded, reproducible reports.
//!
//! The generator cuts the five bundled reports (and any extra texts it is given) into headings,
//! numbered items, paragraphs and sentences, and recombines them into new annual reports
//! (法治政府建设年度报告) of about 14 KB each. Every report gets its own author (a district body of
//! one of the 16 districts of Tianjin), year (2019–2025) and size; place names of the source texts
//! are replaced by the report's district, years are shifted to the report's year, and quoted
//! initiatives (“证照分离”, “高效办成一件事”…) and district-relative agency names (区司法局…) are
//! swapped among pools, so that the graph built from the corpus has realistic variety.
//!
//! Determinism: report `i` depends only on the seed, `i` and the source texts (one ChaCha8
//! stream per report), never on the number of reports or threads, so the first 1 000 reports of
//! a 10 000-report corpus are the 1 000-report corpus, and the same seed gives the same bytes.
//!
//! Architecture invariant (ARCHITECTURE.md, `bench`): corpora are generated at run time and never
//! committed.
//!
//! Knowledge is data: the districts come from `data/jurisdictions.tsv`, the official names of
//! their bodies from `data/agency_forms.tsv`, the initiatives from `data/initiatives.tsv`, and the
//! report templates and the choice among them from `data/synth_corpus.toml`.

pub mod pathological;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{anyhow, bail, Context, Result};
use govkg_core::knowledge::{normalize_name, Knowledge, PlaceLevel};
use govkg_core::vocabulary::FurnitureUse;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Deserialize;
use std::sync::LazyLock;

/// The reports bundled with govkg: always part of the material.
pub const BUNDLED: &[&str] = &[
    include_str!("../../../data/reports/000_4b45c834b152138c.txt"),
    include_str!("../../../data/reports/001_519dceed93fb7c9a.txt"),
    include_str!("../../../data/reports/002_efc6be8a1984df28.txt"),
    include_str!("../../../data/reports/003_85c5a0bdb2ee3462.txt"),
    include_str!("../../../data/reports/004_bf516dcb483bd87d.txt"),
];

/// A district of Tianjin: its name as written (和平区), the short form used in slogans (和平)
/// and the ASCII name used in file names.
#[derive(Debug, Clone, Copy)]
pub struct District {
    pub name: &'static str,
    pub short: &'static str,
    pub ascii: &'static str,
}

/// All districts of the city of `data/synth_corpus.toml` (the 16 districts of Tianjin), in the
/// order of jurisdictions.tsv.
pub static DISTRICTS: LazyLock<Vec<District>> = LazyLock::new(|| TABLES.districts.clone());

/// Years the reports are about.
pub const YEARS: std::ops::RangeInclusive<i32> = 2019..=2025;

/// District bodies that write reports: the short form written after 区 in running text
/// (区司法局) and the official name after the district's (天津市和平区司法局). The first is the
/// district government itself.
pub static AUTHORS: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| TABLES.authors.clone());

/// Initiatives (canonical names and plain variants of initiatives.tsv); a quoted one in a source
/// text may be swapped for another of the pool.
pub static INITIATIVES: LazyLock<Vec<&'static str>> = LazyLock::new(|| TABLES.initiatives.clone());

/// `data/synth_corpus.toml`: the report templates and the choice of city, bodies and places.
const CORPUS_TABLE: &str = include_str!("../../../data/synth_corpus.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusWords {
    city: String,
    district_level_char: char,
    authors: Vec<String>,
    title: String,
    opening: String,
    intro: String,
    date: String,
    heading: HeadingTemplates,
    sections: SectionHeadings,
    part_words: PartWords,
    source: SourceWords,
    district_short_forms: BTreeMap<String, String>,
    district_ascii: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadingTemplates {
    full_name: String,
    government: String,
    two_lines: String,
    author_line: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionHeadings {
    measures: Vec<String>,
    problems: Vec<String>,
    leaders: Vec<String>,
    plans: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartWords {
    problems: Vec<String>,
    leaders: Vec<String>,
    plans: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceWords {
    /// Place names of the source texts, replaced by the report's district.
    places: Vec<String>,
    place_short_forms: Vec<String>,
    article_prefix: char,
    article_suffix: char,
    article_numeral_extra: String,
}

/// Everything the generator takes from the data folder's tables, loaded once.
struct Tables {
    districts: Vec<District>,
    authors: Vec<(&'static str, &'static str)>,
    initiatives: Vec<&'static str>,
    words: CorpusWords,
    /// Chinese numerals one to ten (rule_vocabulary.toml).
    numerals: Vec<char>,
    /// Source lines holding one of these are page furniture (page_furniture.tsv).
    furniture: Vec<String>,
}

/// The tables are compiled in; [`tables_load`](tests) checks them, so this cannot fail at run
/// time for a build whose tests pass.
static TABLES: LazyLock<Tables> =
    LazyLock::new(|| Tables::load().unwrap_or_else(|e| panic!("synth tables: {e:#}")));

/// A string that lives as long as the program: the tables are loaded once.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

impl Tables {
    fn load() -> Result<Self> {
        let words: CorpusWords = toml::from_str(CORPUS_TABLE).context("synth_corpus.toml")?;
        let k = Knowledge::embedded().context("knowledge tables")?;
        let numerals: Vec<char> = k.vocabulary.numerals.chars().collect();
        if numerals.len() != 10 {
            bail!("rule_vocabulary.toml: ten numerals expected");
        }
        let sections = &words.sections;
        if [
            &sections.measures,
            &sections.problems,
            &sections.leaders,
            &sections.plans,
        ]
        .iter()
        .any(|s| s.is_empty())
        {
            bail!("synth_corpus.toml: [sections] needs at least one heading per part");
        }
        Ok(Self {
            districts: districts(&k, &words)?,
            authors: authors(&k, &words)?,
            initiatives: initiatives(&k)?,
            numerals,
            furniture: k.page_furniture.words_for(FurnitureUse::SourceText),
            words,
        })
    }
}

/// The districts of the city, from jurisdictions.tsv.
fn districts(k: &Knowledge, words: &CorpusWords) -> Result<Vec<District>> {
    let city = k.place(&words.city).ok_or_else(|| {
        anyhow!(
            "synth_corpus.toml: city `{}` not in jurisdictions.tsv",
            words.city
        )
    })?;
    let mut out = Vec::new();
    for place in &k.places {
        if place.level != PlaceLevel::District || place.parent != Some(city) {
            continue;
        }
        let Some(name) = place.canonical.strip_prefix(words.city.as_str()) else {
            continue;
        };
        let short = match words.district_short_forms.get(&place.canonical) {
            Some(short) => short.clone(),
            None => {
                let mut chars = name.chars();
                chars.next_back();
                chars.as_str().to_string()
            }
        };
        let ascii = match words.district_ascii.get(&place.canonical) {
            Some(ascii) if ascii.bytes().all(|b| b.is_ascii_alphanumeric()) => ascii.clone(),
            Some(ascii) => bail!("synth_corpus.toml: `{ascii}` is not an ASCII name"),
            None => format!("d{}", out.len() + 1),
        };
        out.push(District {
            name: leak(name.to_string()),
            short: leak(short),
            ascii: leak(ascii),
        });
    }
    if out.is_empty() {
        bail!("jurisdictions.tsv: `{}` has no districts", words.city);
    }
    Ok(out)
}

/// The authors' short forms and official names after the district's, from agency_forms.tsv.
fn authors(k: &Knowledge, words: &CorpusWords) -> Result<Vec<(&'static str, &'static str)>> {
    if words.authors.len() < 2 {
        bail!("synth_corpus.toml: `authors` needs the government and at least one body");
    }
    words
        .authors
        .iter()
        .map(|short| {
            let form = k
                .form_by_short
                .get(short)
                .map(|&i| &k.agency_forms[i])
                .ok_or_else(|| anyhow!("synth_corpus.toml: `{short}` not in agency_forms.tsv"))?;
            let full = form.full.strip_prefix("{J}").ok_or_else(|| {
                anyhow!("agency_forms.tsv: `{short}`: the official name must start with {{J}}")
            })?;
            Ok((leak(short.clone()), leak(full.to_string())))
        })
        .collect()
}

/// Canonical names and plain variants (no quote marks) of initiatives.tsv.
fn initiatives(k: &Knowledge) -> Result<Vec<&'static str>> {
    let mut pool: Vec<&'static str> = Vec::new();
    let mut seen = HashSet::new();
    let mut names: Vec<&String> = k.initiatives.iter().map(|i| &i.canonical).collect();
    let mut variants: Vec<(&String, &usize)> = k.initiative_by_name.iter().collect();
    variants.sort_by_key(|&(name, &index)| (index, name.clone()));
    names.extend(variants.into_iter().map(|(name, _)| name));
    for name in names {
        if normalize_name(name) == *name && seen.insert(name.clone()) {
            pool.push(leak(name.clone()));
        }
    }
    if pool.is_empty() {
        bail!("initiatives.tsv: no initiatives");
    }
    Ok(pool)
}

/// `template` with every `{name}` of `values` replaced.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Where in a report a piece of text came from, which decides where it may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// 主要举措和成效.
    Measures = 0,
    /// 存在的不足.
    Problems = 1,
    /// 党政主要负责人履行第一责任人职责.
    Leaders = 2,
    /// 下一年度工作安排.
    Plans = 3,
}

const PARTS: usize = 4;

impl Part {
    fn of_section_heading(heading: &str) -> Part {
        let words = &TABLES.words.part_words;
        let has = |list: &[String]| list.iter().any(|w| heading.contains(w.as_str()));
        if has(&words.problems) {
            Part::Problems
        } else if has(&words.leaders) {
            Part::Leaders
        } else if has(&words.plans) {
            Part::Plans
        } else {
            Part::Measures
        }
    }
}

/// A piece of source text and the index of the source it came from (for its year).
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    source: usize,
}

#[derive(Debug, Default)]
struct Pools {
    subheadings: Vec<Piece>,
    items: Vec<Piece>,
    paragraphs: Vec<Piece>,
    sentences: Vec<Piece>,
}

#[derive(Debug, Clone, Copy)]
enum PoolKind {
    Subheading,
    Item,
    Paragraph,
    Sentence,
}

impl Pools {
    fn get(&self, kind: PoolKind) -> &[Piece] {
        match kind {
            PoolKind::Subheading => &self.subheadings,
            PoolKind::Item => &self.items,
            PoolKind::Paragraph => &self.paragraphs,
            PoolKind::Sentence => &self.sentences,
        }
    }
}

/// What was cut out of a group of sources, by report part.
#[derive(Debug, Default)]
struct Material {
    parts: [Pools; PARTS],
}

impl Material {
    fn is_empty(&self) -> bool {
        self.parts
            .iter()
            .all(|p| p.paragraphs.is_empty() && p.sentences.is_empty())
    }
}

/// One generated report.
#[derive(Debug, Clone)]
pub struct SynthReport {
    /// `NNNNN_<district>_<year>.txt`.
    pub file_name: String,
    pub text: String,
    pub district: &'static str,
    pub year: i32,
    /// Official name of the author (天津市和平区司法局).
    pub author: String,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct CorpusStats {
    pub dir: PathBuf,
    pub reports: usize,
    pub bytes: u64,
    pub min_bytes: usize,
    pub max_bytes: usize,
    pub districts: usize,
    pub authors: usize,
    pub years: (i32, i32),
    /// FNV-1a 64 of every file name and text, in order: equal fingerprints, equal corpora.
    pub fingerprint: u64,
    pub seconds: f64,
}

impl CorpusStats {
    pub fn mean_bytes(&self) -> f64 {
        self.bytes as f64 / self.reports.max(1) as f64
    }
}

/// Recombines source texts into reports. Build it once; [`Generator::report`] is pure.
pub struct Generator {
    years: Vec<Option<i32>>,
    bundled: Material,
    extra: Material,
    replacer: AhoCorasick,
    replacements: Vec<Replacement>,
}

#[derive(Debug, Clone, Copy)]
enum Replacement {
    /// A place of the source texts → the report's district.
    Place,
    /// A place's short form → the district's short form.
    PlaceShort,
    /// “initiative” → maybe another initiative of the pool.
    Initiative,
    /// 区 + agency short form → maybe another district body.
    Agency,
}

impl Generator {
    /// A generator over the bundled reports plus `extra` texts (e.g. `tests/corpus/more`).
    /// Extra material is drawn for about a fifth of the pieces, the bundled reports for the rest.
    pub fn new(extra: &[String]) -> Self {
        let mut years = Vec::new();
        let mut bundled = Material::default();
        for text in BUNDLED {
            years.push(source_year(text));
            cut(text, years.len() - 1, &mut bundled);
        }
        let mut extra_material = Material::default();
        for text in extra {
            years.push(source_year(text));
            cut(text, years.len() - 1, &mut extra_material);
        }
        let mut patterns: Vec<String> = Vec::new();
        let mut replacements = Vec::new();
        let tables = &*TABLES;
        for p in &tables.words.source.places {
            patterns.push(p.to_string());
            replacements.push(Replacement::Place);
        }
        for p in &tables.words.source.place_short_forms {
            patterns.push(p.to_string());
            replacements.push(Replacement::PlaceShort);
        }
        for i in &tables.initiatives {
            patterns.push(format!("“{i}”"));
            replacements.push(Replacement::Initiative);
        }
        // AUTHORS[0] is the government itself (区政府), not one of its bodies.
        let level = tables.words.district_level_char;
        for (short, _) in &tables.authors[1..] {
            patterns.push(format!("{level}{short}"));
            replacements.push(Replacement::Agency);
        }
        let replacer = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("replacement patterns are valid");
        Self {
            years,
            bundled,
            extra: extra_material,
            replacer,
            replacements,
        }
    }

    /// Report number `index` of the corpus of seed `seed`.
    pub fn report(&self, seed: u64, index: usize, width: usize) -> SynthReport {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(index as u64);
        let mut r = Rand {
            rng,
            used: HashSet::new(),
        };
        let tables = &*TABLES;
        let words = &tables.words;
        let district = tables.districts[r.below(tables.districts.len())];
        let year = *YEARS.start() + r.below((YEARS.end() - YEARS.start() + 1) as usize) as i32;
        let author_index = r.below(tables.authors.len());
        let (author_short, author_full) = tables.authors[author_index];
        // The first author is the district government itself.
        let is_government = author_index == 0;
        let author = format!("{}{}{}", words.city, district.name, author_full);
        let cx = Cx { district, year };
        let target = 8_700 + r.below(5_000);
        let mut out = String::with_capacity(target + 4_000);

        // How the report names its author: the government in full, a body as 区 + short form.
        let me = if is_government {
            format!("{}{author_full}", district.name)
        } else {
            format!("{}{author_short}", words.district_level_char)
        };
        let year_text = year.to_string();
        let next_year = (year + 1).to_string();
        let values = [
            ("author", author.as_str()),
            ("district", district.name),
            ("body", author_full),
            ("me", me.as_str()),
            ("year", year_text.as_str()),
            ("next_year", next_year.as_str()),
            ("title", words.title.as_str()),
        ];

        self.write_opening(&mut r, is_government, &values, &cx, &mut out);

        // The four customary parts, each filled to its share of the target size.
        let headings: [&[String]; PARTS] = [
            &words.sections.measures,
            &words.sections.problems,
            &words.sections.leaders,
            &words.sections.plans,
        ];
        let shares = [0.62, 0.10, 0.10, 0.18];
        let parts = [Part::Measures, Part::Problems, Part::Leaders, Part::Plans];
        for ((part, share), options) in parts.into_iter().zip(shares).zip(headings) {
            let heading = fill(&options[r.below(options.len())], &values);
            out.push_str(&heading);
            out.push('\n');
            let budget = out.len() + (target as f64 * share) as usize;
            self.write_part(&mut r, part, budget, &cx, &mut out);
        }

        // Signature and date.
        let signature = if r.below(2) == 0 { &author } else { &me };
        write_signature(&mut r, signature, year, &words.date, &mut out);

        let file_name = format!("{index:0width$}_{}_{year}.txt", district.ascii);
        SynthReport {
            file_name,
            text: out,
            district: district.name,
            year,
            author,
        }
    }

    /// The heading (who, when, what) and the opening paragraph.
    fn write_opening(
        &self,
        r: &mut Rand,
        is_government: bool,
        values: &[(&str, &str)],
        cx: &Cx,
        out: &mut String,
    ) {
        let words = &TABLES.words;
        let heading = match r.below(5) {
            0 => &words.heading.full_name,
            1 if is_government => &words.heading.government,
            2 => &words.heading.two_lines,
            _ => &words.heading.author_line,
        };
        out.push_str(&fill(heading, values));
        out.push_str("\n\n");
        out.push_str(&fill(&words.opening, values));
        for _ in 0..1 + r.below(2) {
            if let Some(s) = self.pick(r, Part::Measures, PoolKind::Sentence) {
                out.push_str(&self.transform(&s.text, s.source, cx, r));
            }
        }
        out.push_str(&fill(&words.intro, values));
        out.push('\n');
    }

    /// One customary part's body, until `out` reaches `budget` bytes: numbered items or
    /// paragraphs, under subheadings for the measures and plans (and sometimes the others).
    fn write_part(&self, r: &mut Rand, part: Part, budget: usize, cx: &Cx, out: &mut String) {
        let with_subheadings = matches!(part, Part::Measures | Part::Plans) || r.below(3) == 0;
        let mut sub = 0;
        for _ in 0..200 {
            if out.len() >= budget {
                break;
            }
            let before = out.len();
            if with_subheadings {
                if let Some(h) = self.pick(r, part, PoolKind::Subheading) {
                    sub += 1;
                    let h = self.transform(&h.text, h.source, cx, r);
                    out.push_str(&format!("（{}）{h}\n", chinese_number(sub)));
                }
            }
            let numbered = r.below(2) == 0;
            let pieces = if numbered {
                2 + r.below(3)
            } else {
                1 + r.below(2)
            };
            for n in 1..=pieces {
                if out.len() >= budget && n > 1 {
                    break;
                }
                let body = if numbered {
                    self.pick(r, part, PoolKind::Item)
                        .map(|p| self.transform(&p.text, p.source, cx, r))
                } else {
                    self.paragraph(r, part, cx)
                };
                let Some(body) = body else { continue };
                if numbered {
                    out.push_str(&format!("{n}."));
                }
                out.push_str(&body);
                out.push('\n');
            }
            if out.len() == before {
                break;
            }
        }
    }

    /// A paragraph: a source paragraph, or sentences of several recombined.
    fn paragraph(&self, r: &mut Rand, part: Part, cx: &Cx) -> Option<String> {
        if r.below(2) == 0 {
            if let Some(p) = self.pick(r, part, PoolKind::Paragraph) {
                return Some(self.transform(&p.text, p.source, cx, r));
            }
        }
        let mut text = String::new();
        for _ in 0..3 + r.below(5) {
            if let Some(s) = self.pick(r, part, PoolKind::Sentence) {
                text.push_str(&self.transform(&s.text, s.source, cx, r));
            }
        }
        (!text.is_empty()).then_some(text)
    }

    /// A random piece of `kind` for `part`: extra material one time in five when there is some,
    /// the bundled reports otherwise; the measures part when `part` has none.
    fn pick(&self, r: &mut Rand, part: Part, kind: PoolKind) -> Option<&Piece> {
        let material = if !self.extra.is_empty() && r.below(5) == 0 {
            &self.extra
        } else {
            &self.bundled
        };
        let candidates = [
            material.parts[part as usize].get(kind),
            material.parts[Part::Measures as usize].get(kind),
            self.bundled.parts[part as usize].get(kind),
            self.bundled.parts[Part::Measures as usize].get(kind),
        ];
        let pool = candidates.into_iter().find(|p| !p.is_empty())?;
        // A report does not repeat itself: draw again (a few times) a piece it already has.
        let mut piece = &pool[r.below(pool.len())];
        for _ in 0..4 {
            if r.used.insert(piece as *const Piece as usize) {
                break;
            }
            piece = &pool[r.below(pool.len())];
        }
        Some(piece)
    }

    /// Moves a piece of source text into the report: its years shifted to the report's, its
    /// places replaced, some quoted initiatives and district bodies swapped.
    fn transform(&self, text: &str, source: usize, cx: &Cx, r: &mut Rand) -> String {
        let shifted = match self.years.get(source).copied().flatten() {
            Some(from) if from != cx.year => shift_years(text, cx.year - from),
            _ => text.to_string(),
        };
        let mut out = String::with_capacity(shifted.len() + 16);
        let mut last = 0;
        for m in self.replacer.find_iter(&shifted) {
            out.push_str(&shifted[last..m.start()]);
            let found = &shifted[m.start()..m.end()];
            match self.replacements[m.pattern().as_usize()] {
                Replacement::Place => out.push_str(cx.district.name),
                Replacement::PlaceShort => out.push_str(cx.district.short),
                Replacement::Initiative if r.below(5) < 3 => {
                    let pool = &TABLES.initiatives;
                    out.push('“');
                    out.push_str(pool[r.below(pool.len())]);
                    out.push('”');
                }
                Replacement::Agency if r.below(10) < 3 => {
                    let bodies = &TABLES.authors[1..];
                    out.push(TABLES.words.district_level_char);
                    out.push_str(bodies[r.below(bodies.len())].0);
                }
                Replacement::Initiative | Replacement::Agency => out.push_str(found),
            }
            last = m.end();
        }
        out.push_str(&shifted[last..]);
        out
    }
}

/// The report being written.
struct Cx {
    district: District,
    year: i32,
}

/// The seeded random source of one report (ChaCha8, one stream per report) and the pieces the
/// report already has.
struct Rand {
    rng: ChaCha8Rng,
    used: HashSet<usize>,
}

impl Rand {
    /// Uniform in `0..n` (`n` > 0), by widening multiplication (no modulo bias worth the name).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.rng.next_u64()) * n as u128) >> 64) as usize
    }
}

/// The closing lines: who signs, and the date early in the next year.
fn write_signature(r: &mut Rand, signature: &str, year: i32, template: &str, out: &mut String) {
    out.push('\n');
    out.push_str(signature);
    out.push('\n');
    let month = (1 + r.below(3)).to_string();
    let day = (1 + r.below(28)).to_string();
    let (year_text, next_year) = (year.to_string(), (year + 1).to_string());
    let date_values = [
        ("next_year", next_year.as_str()),
        ("year", year_text.as_str()),
        ("month", month.as_str()),
        ("day", day.as_str()),
    ];
    out.push_str(&fill(template, &date_values));
    out.push('\n');
}

/// 1 → 一, 12 → 十二, 20 → 二十, 99 → 九十九; the numerals from rule_vocabulary.toml.
fn chinese_number(n: usize) -> String {
    let numerals = &TABLES.numerals;
    // numerals[0..9] are one to nine, numerals[9] is ten; digit 0 is written as nothing.
    let digit = |d: usize| {
        d.checked_sub(1)
            .map(|i| numerals[i].to_string())
            .unwrap_or_default()
    };
    let ten = numerals[9];
    match n {
        1..=9 => digit(n),
        10 => ten.to_string(),
        11..=19 => format!("{ten}{}", digit(n - 10)),
        20..=99 => format!("{}{ten}{}", digit(n / 10), digit(n % 10)),
        _ => n.to_string(),
    }
}

/// The year a source text is about: the year it names most often (2000–2039), the earliest
/// of equals.
fn source_year(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    let mut counts = [0usize; 40];
    for i in 0..bytes.len().saturating_sub(3) {
        if is_year_at(bytes, i) {
            counts[usize::from(bytes[i + 2] - b'0') * 10 + usize::from(bytes[i + 3] - b'0')] += 1;
        }
    }
    let (best, n) = counts.iter().enumerate().rev().max_by_key(|(_, n)| **n)?;
    (*n > 0).then_some(2000 + best as i32)
}

/// Whether a year 2000–2039 written with four ASCII digits, not part of a longer number,
/// starts at byte `i`.
fn is_year_at(bytes: &[u8], i: usize) -> bool {
    i + 4 <= bytes.len()
        && bytes[i..i + 4].iter().all(u8::is_ascii_digit)
        && (i == 0 || !bytes[i - 1].is_ascii_digit())
        && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit())
        && bytes[i] == b'2'
        && bytes[i + 1] == b'0'
        && bytes[i + 2] <= b'3'
}

/// Adds `delta` to every year (2000–2039) outside 《》 titles, which keep their years.
fn shift_years(text: &str, delta: i32) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if rest.starts_with('《') {
            depth += 1;
        } else if rest.starts_with('》') {
            depth = depth.saturating_sub(1);
        }
        if depth == 0 && is_year_at(bytes, i) {
            let year: i32 = text[i..i + 4].parse().unwrap_or(0);
            out.push_str(&(year + delta).to_string());
            i += 4;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        i += c.len_utf8().max(1);
    }
    out
}

/// Cuts a source text into the pools of `material`.
fn cut(text: &str, source: usize, material: &mut Material) {
    let mut part = Part::Measures;
    let mut seen_body = false;
    for raw in text.lines() {
        let line = clean_line(raw);
        let chars = line.chars().count();
        if line.is_empty() || TABLES.furniture.iter().any(|f| line.contains(f.as_str())) {
            continue;
        }
        if !seen_body {
            // The heading block: skip until the first paragraph of running text.
            if chars > 60 || line.ends_with('。') || line.ends_with('：') {
                seen_body = true;
            } else {
                continue;
            }
        }
        let pools = &mut material.parts[part as usize];
        if is_section_heading(&line) && chars < 80 {
            part = Part::of_section_heading(&line);
        } else if let Some(rest) = strip_subheading(&line) {
            match rest.find('。') {
                Some(end) if rest.chars().count() > 45 => {
                    let head = &rest[..end];
                    let body = &rest[end + '。'.len_utf8()..];
                    if head.chars().count() <= 40 {
                        pools.subheadings.push(Piece {
                            text: head.to_string(),
                            source,
                        });
                    }
                    add_body(body, source, pools);
                }
                _ if rest.chars().count() <= 45 => {
                    let head = rest.trim_end_matches(['。', '；', ';']);
                    pools.subheadings.push(Piece {
                        text: head.to_string(),
                        source,
                    });
                }
                _ => add_body(rest, source, pools),
            }
        } else if let Some(rest) = strip_item_number(&line) {
            if rest.chars().count() >= 40 {
                pools.items.push(Piece {
                    text: rest.to_string(),
                    source,
                });
                add_sentences(rest, source, pools);
            }
        } else {
            add_body(strip_article_number(&line), source, pools);
        }
    }
}

fn add_body(text: &str, source: usize, pools: &mut Pools) {
    if text.chars().count() >= 60 {
        pools.paragraphs.push(Piece {
            text: text.to_string(),
            source,
        });
    }
    add_sentences(text, source, pools);
}

fn add_sentences(text: &str, source: usize, pools: &mut Pools) {
    for sentence in text.split_inclusive(['。', '！', '？']) {
        let n = sentence.chars().count();
        if (15..=220).contains(&n) && sentence.ends_with(['。', '！', '？']) {
            pools.sentences.push(Piece {
                text: sentence.to_string(),
                source,
            });
        }
    }
}

fn clean_line(raw: &str) -> String {
    let line = raw.replace("[bookmark: _GoBack]", "");
    line.trim()
        .trim_matches(|c: char| c == '|' || c == '#' || c.is_whitespace())
        .to_string()
}

fn is_section_heading(line: &str) -> bool {
    let rest = line.trim_start_matches(TABLES.numerals.as_slice());
    rest.len() < line.len() && rest.starts_with('、')
}

/// `（一）…` or `(一)…` → `…`.
fn strip_subheading(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('（').or_else(|| line.strip_prefix('('))?;
    let inner = rest.trim_start_matches(TABLES.numerals.as_slice());
    if inner.len() == rest.len() {
        return None;
    }
    inner
        .strip_prefix('）')
        .or_else(|| inner.strip_prefix(')'))
        .map(str::trim)
}

/// `第十二条 …` (an article of a regulation) → `…`.
fn strip_article_number(line: &str) -> &str {
    let source = &TABLES.words.source;
    let Some(rest) = line.strip_prefix(source.article_prefix) else {
        return line;
    };
    match rest
        .char_indices()
        .take(8)
        .find(|(_, c)| *c == source.article_suffix)
    {
        Some((end, _))
            if rest[..end].chars().all(|c| {
                TABLES.numerals.contains(&c) || source.article_numeral_extra.contains(c)
            }) =>
        {
            rest[end + source.article_suffix.len_utf8()..].trim_start()
        }
        _ => line,
    }
}

/// `1.…`, `2．…`, `3、…` → `…`.
fn strip_item_number(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
    if rest.len() == line.len() || line.len() - rest.len() > 2 {
        return None;
    }
    rest.strip_prefix('.')
        .or_else(|| rest.strip_prefix('．'))
        .or_else(|| rest.strip_prefix('、'))
        .map(str::trim)
}

/// FNV-1a, 64 bits.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(pub u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn update(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Digits of the report number in file names: 5, or more for 100 000 reports and beyond.
pub fn number_width(n_reports: usize) -> usize {
    n_reports.saturating_sub(1).to_string().len().max(5)
}

/// Writes `n_reports` reports of seed `seed` into `out_dir` (created if missing) as
/// `NNNNN_<district>_<year>.txt`. `sources` are extra texts recombined beside the bundled
/// reports (pass `&[]` for the bundled reports alone). Same seed and sources → same bytes.
pub fn generate(
    seed: u64,
    n_reports: usize,
    out_dir: &Path,
    sources: &[String],
) -> Result<CorpusStats> {
    let started = Instant::now();
    fs::create_dir_all(out_dir)
        .with_context(|| format!("{}: cannot create folder", out_dir.display()))?;
    let generator = Generator::new(sources);
    let width = number_width(n_reports);
    let mut stats = CorpusStats {
        dir: out_dir.to_path_buf(),
        reports: 0,
        bytes: 0,
        min_bytes: usize::MAX,
        max_bytes: 0,
        districts: 0,
        authors: 0,
        years: (i32::MAX, i32::MIN),
        fingerprint: 0,
        seconds: 0.0,
    };
    let mut fnv = Fnv::default();
    let mut districts = BTreeSet::new();
    let mut authors = BTreeSet::new();
    let indices: Vec<usize> = (0..n_reports).collect();
    for chunk in indices.chunks(512) {
        let reports: Vec<SynthReport> = chunk
            .par_iter()
            .map(|&i| generator.report(seed, i, width))
            .collect();
        for report in reports {
            let path = out_dir.join(&report.file_name);
            let mut file = fs::File::create(&path)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            file.write_all(report.text.as_bytes())
                .with_context(|| format!("{}: cannot write", path.display()))?;
            fnv.update(report.file_name.as_bytes());
            fnv.update(report.text.as_bytes());
            stats.reports += 1;
            stats.bytes += report.text.len() as u64;
            stats.min_bytes = stats.min_bytes.min(report.text.len());
            stats.max_bytes = stats.max_bytes.max(report.text.len());
            stats.years = (
                stats.years.0.min(report.year),
                stats.years.1.max(report.year),
            );
            districts.insert(report.district);
            authors.insert(report.author);
        }
    }
    if stats.reports == 0 {
        stats.min_bytes = 0;
        stats.years = (0, 0);
    }
    stats.districts = districts.len();
    stats.authors = authors.len();
    stats.fingerprint = fnv.0;
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}

/// The `*.txt` files of `dir`, sorted by name, as texts; none when `dir` does not exist.
pub fn read_sources(dir: &Path) -> Result<Vec<String>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt") && p.is_file())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_load() {
        let tables = Tables::load().expect("the synth tables load");
        assert_eq!(tables.districts.len(), 16);
        assert!(tables
            .districts
            .iter()
            .any(|d| d.name == "滨海新区" && d.short == "滨海"));
        assert!(tables
            .districts
            .iter()
            .any(|d| d.name == "和平区" && d.short == "和平" && d.ascii == "heping"));
        assert_eq!(tables.authors[0], ("政府", "人民政府"));
        assert!(tables
            .authors
            .contains(&("政务服务办", "人民政府政务服务办公室")));
        assert!(tables.initiatives.contains(&"证照分离"));
        assert!(!tables.furniture.is_empty());
    }

    #[test]
    fn years_shift_outside_titles_only() {
        assert_eq!(
            shift_years("2024年，《纲要（2021—2025年）》2025年", -2),
            "2022年，《纲要（2021—2025年）》2023年"
        );
        assert_eq!(shift_years("12024 3900余名", 1), "12024 3900余名");
    }

    #[test]
    fn markers_are_recognised() {
        assert_eq!(strip_subheading("（三）完善制度"), Some("完善制度"));
        assert_eq!(strip_subheading("(十二)x"), Some("x"));
        assert_eq!(strip_item_number("12.梳理"), Some("梳理"));
        assert_eq!(strip_item_number("2024年"), None);
        assert!(is_section_heading("四、下一步"));
        assert!(!is_section_heading("四个亲自"));
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(strip_article_number("第六十二条　市经济部门"), "市经济部门");
        assert_eq!(strip_article_number("第一议题制度"), "第一议题制度");
    }

    #[test]
    fn bundled_material_fills_every_pool() {
        let g = Generator::new(&[]);
        for part in &g.bundled.parts {
            assert!(!part.sentences.is_empty());
        }
        assert!(!g.bundled.parts[0].subheadings.is_empty());
        assert!(!g.bundled.parts[0].items.is_empty());
    }

    #[test]
    fn reports_do_not_depend_on_corpus_size() {
        let g = Generator::new(&[]);
        assert_eq!(g.report(7, 3, 5).text, g.report(7, 3, 5).text);
        assert_ne!(g.report(7, 3, 5).text, g.report(7, 4, 5).text);
        assert_ne!(g.report(7, 3, 5).text, g.report(8, 3, 5).text);
    }
}
