//! Knowledge tables from `data/`: gazetteers, suffix lists, jurisdiction and initiative rules.
//!
//! Architecture invariant: knowledge is data. This module parses the TSV/TOML files a domain
//! expert edits and builds the matchers; it holds no Chinese vocabulary of its own. The tables are
//! embedded in the binary (so an installed govkg works anywhere) and can be overridden at run time
//! with `--data DIR` / `GOVKG_DATA`.

// Fx hashing: the name maps are looked up for every quoted term and mention.
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use anyhow::{anyhow, bail, Context, Result};
use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder};
use serde::Deserialize;

use crate::model::Level;
use crate::vocabulary::{FurnitureUse, PageFurniture, Vocabulary, FURNITURE_FILE, VOCABULARY_FILE};

/// The hand-made places: the nation, provinces, prefectures, the districts of the four
/// municipalities, zones and regions.
const PLACES_FILE: &str = "jurisdictions.tsv";
/// Every other county-level division, generated from GB/T 2260 by scripts/places_gbt2260.py;
/// read after [`PLACES_FILE`], whose rows its parents name.
const GENERATED_PLACES_FILE: &str = "places_gbt2260.tsv";

/// The embedded copy of every table, by file name.
const EMBEDDED: &[(&str, &str)] = &[
    ("laws.tsv", include_str!("../../../data/laws.tsv")),
    (
        "jurisdictions.tsv",
        include_str!("../../../data/jurisdictions.tsv"),
    ),
    (
        GENERATED_PLACES_FILE,
        include_str!("../../../data/places_gbt2260.tsv"),
    ),
    (
        "national_agencies.tsv",
        include_str!("../../../data/national_agencies.tsv"),
    ),
    (
        "agency_forms.tsv",
        include_str!("../../../data/agency_forms.tsv"),
    ),
    (
        "initiatives.tsv",
        include_str!("../../../data/initiatives.tsv"),
    ),
    ("slogans.tsv", include_str!("../../../data/slogans.tsv")),
    (
        "self_references.tsv",
        include_str!("../../../data/self_references.tsv"),
    ),
    (
        "generic_org_phrases.tsv",
        include_str!("../../../data/generic_org_phrases.tsv"),
    ),
    (
        "internal_units.tsv",
        include_str!("../../../data/internal_units.tsv"),
    ),
    (
        "document_types.tsv",
        include_str!("../../../data/document_types.tsv"),
    ),
    (
        "initiative_rules.toml",
        include_str!("../../../data/initiative_rules.toml"),
    ),
    (
        VOCABULARY_FILE,
        include_str!("../../../data/rule_vocabulary.toml"),
    ),
    (
        FURNITURE_FILE,
        include_str!("../../../data/page_furniture.tsv"),
    ),
];

#[derive(Debug, Clone)]
pub struct LawEntry {
    pub title: String,
    /// One of the fixed law kinds of the answer-key vocabulary (law, rule, …).
    pub kind: &'static str,
}

#[derive(Debug, Clone)]
pub struct PlaceEntry {
    pub canonical: String,
    pub level: PlaceLevel,
    pub parent: Option<usize>,
}

/// What a place name denotes: one place, or several that share the name (和平区 of 天津 and of
/// 沈阳), which the report's place chain decides between ([`Knowledge::decide_place`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceName {
    One(usize),
    /// An index into [`Knowledge::shared_places`].
    Shared(usize),
}

/// Administrative level of a place, as in jurisdictions.tsv.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceLevel {
    National,
    Provincial,
    Prefectural,
    District,
    Zone,
    Region,
}

impl PlaceLevel {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "national" => Self::National,
            "provincial" => Self::Provincial,
            "prefectural" => Self::Prefectural,
            "district" => Self::District,
            "zone" => Self::Zone,
            "region" => Self::Region,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::National => "national",
            Self::Provincial => "provincial",
            Self::Prefectural => "prefectural",
            Self::District => "district",
            Self::Zone => "zone",
            Self::Region => "region",
        }
    }
    /// The level an agency of this place has in the answer-key vocabulary
    /// (a provincial-level city such as 天津市 is "municipal").
    pub fn agency_level(self) -> Level {
        match self {
            Self::National => Level::National,
            Self::Provincial | Self::Prefectural => Level::Municipal,
            Self::District | Self::Zone => Level::District,
            Self::Region => Level::Other,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NationalAgency {
    pub canonical: String,
    pub level: String,
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct AgencyForm {
    pub short: String,
    /// Official name with `{J}` standing for the jurisdiction's canonical name.
    pub full: String,
    pub kind: String,
    /// May stand without a place before it.
    pub bare: bool,
}

#[derive(Debug, Clone)]
pub struct InitiativeEntry {
    pub canonical: String,
    pub scope: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InitiativeRules {
    pub min_chars: usize,
    pub verb_rule_min_chars: usize,
    pub genus_rule_min_chars: usize,
    pub slogan_markers: Vec<String>,
    pub numbered_formula_prefixes: Vec<String>,
    pub slogan_endings: Vec<String>,
    pub name_heads: Vec<String>,
    pub completing_words: Vec<String>,
    pub short_term_completing_words: Vec<String>,
    pub genus_window_chars: usize,
    pub window_genus_words: Vec<String>,
    pub genus_words: Vec<String>,
    pub action_verbs: Vec<String>,
    pub unquoted_heads: Vec<String>,
    /// The longest unquoted name, in characters (优化营商环境规范监管执法专项攻坚行动 is 18).
    pub unquoted_max_chars: usize,
    /// Characters after which an unquoted name starts (等, 的).
    pub name_start_breaks: String,
    /// Programme words that carry a name on past its quote (“铁拳”行动).
    pub continuing_heads: Vec<String>,
    /// Words that stop such a continuation (的, 进行).
    pub continuation_blockers: Vec<String>,
    /// Verbs right before a quote that oppose what it names (反对“台独”…).
    pub opposing_verbs: Vec<String>,
    /// Marks that join phrases into one formula (领导带头—科室联动—企业受益).
    #[serde(default)]
    pub formula_joiners: Vec<String>,
    /// Words right after a quote that say the quoted thing is being rooted out (“面子工程”排查整治).
    #[serde(default)]
    pub rectifying_words: Vec<String>,
}

/// A list of words for "does this text start (or end) with one of them": one hash lookup per
/// distinct word length instead of one comparison per word. Quoted terms are checked against
/// several such lists, and comparing word by word was a tenth of extraction time.
#[derive(Debug, Clone, Default)]
pub struct WordSet {
    /// Each word's position in the list it came from (the first, for a word listed twice).
    index: FxHashMap<String, usize>,
    /// The distinct byte lengths of the words, ascending.
    lengths: Vec<usize>,
}

impl WordSet {
    pub fn new(words: &[String]) -> Self {
        let mut index = FxHashMap::default();
        for (i, word) in words.iter().enumerate() {
            index.entry(word.clone()).or_insert(i);
        }
        let mut lengths: Vec<usize> = words.iter().map(String::len).filter(|&n| n > 0).collect();
        lengths.sort_unstable();
        lengths.dedup();
        Self { index, lengths }
    }

    /// The listed words `text` starts with, as (list position, byte length).
    pub fn prefixes<'s>(&'s self, text: &'s str) -> impl Iterator<Item = (usize, usize)> + 's {
        self.lengths.iter().filter_map(move |&n| {
            let head = text.get(..n)?;
            self.index.get(head).map(|&i| (i, n))
        })
    }

    /// The first word in list order that `text` starts with.
    pub fn first_prefix<'s>(&self, text: &'s str) -> Option<&'s str> {
        self.prefixes(text)
            .min_by_key(|&(i, _)| i)
            .map(|(_, n)| &text[..n])
    }

    pub fn is_prefix_of(&self, text: &str) -> bool {
        self.prefixes(text).next().is_some()
    }

    pub fn is_suffix_of(&self, text: &str) -> bool {
        self.lengths.iter().any(|&n| {
            text.len() >= n
                && text
                    .get(text.len() - n..)
                    .is_some_and(|tail| self.index.contains_key(tail))
        })
    }
}

/// A few short words searched for in whole texts: Teddy (aho-corasick's SIMD packed searcher)
/// where the CPU has it, the portable automaton elsewhere; the matches are the same. Most of a
/// report holds none of the words, and Teddy skips such text several times faster.
#[derive(Debug, Clone)]
pub struct FewWords {
    packed: Option<aho_corasick::packed::Searcher>,
    portable: AhoCorasick,
}

impl FewWords {
    /// Non-overlapping matches; at one position, the longest word (`longest`) or the first
    /// listed.
    pub fn new<W: AsRef<[u8]>>(words: &[W], longest: bool) -> Result<Self> {
        let (kind, packed_kind) = if longest {
            (
                MatchKind::LeftmostLongest,
                aho_corasick::packed::MatchKind::LeftmostLongest,
            )
        } else {
            (
                MatchKind::LeftmostFirst,
                aho_corasick::packed::MatchKind::LeftmostFirst,
            )
        };
        let portable = AhoCorasickBuilder::new().match_kind(kind).build(words)?;
        let packed = aho_corasick::packed::Config::new()
            .match_kind(packed_kind)
            .builder()
            .extend(words)
            .build();
        Ok(Self { packed, portable })
    }

    /// Calls `found(word index, start, end)` for every match, in text order.
    pub fn for_each_match(&self, text: &str, mut found: impl FnMut(usize, usize, usize)) {
        match &self.packed {
            Some(packed) => packed
                .find_iter(text)
                .for_each(|m| found(m.pattern().as_usize(), m.start(), m.end())),
            None => self
                .portable
                .find_iter(text)
                .for_each(|m| found(m.pattern().as_usize(), m.start(), m.end())),
        }
    }

    /// The same words without Teddy, as on a CPU that lacks it (for tests).
    pub fn portable_only(&self) -> Self {
        Self {
            packed: None,
            portable: self.portable.clone(),
        }
    }
}

/// The word lists of [`InitiativeRules`] that quoted terms are checked against, as [`WordSet`]s.
#[derive(Debug, Clone, Default)]
pub struct RuleWords {
    pub completing: WordSet,
    pub short_term_completing: WordSet,
    pub name_heads: WordSet,
    pub genus: WordSet,
    pub window_genus: WordSet,
    pub action_verbs: WordSet,
    pub slogan_endings: WordSet,
    pub numbered_formula_prefixes: WordSet,
    pub rectifying: WordSet,
    pub continuing_heads: WordSet,
    pub opposing: WordSet,
}

impl RuleWords {
    fn new(rules: &InitiativeRules) -> Self {
        Self {
            completing: WordSet::new(&rules.completing_words),
            short_term_completing: WordSet::new(&rules.short_term_completing_words),
            name_heads: WordSet::new(&rules.name_heads),
            genus: WordSet::new(&rules.genus_words),
            window_genus: WordSet::new(&rules.window_genus_words),
            action_verbs: WordSet::new(&rules.action_verbs),
            slogan_endings: WordSet::new(&rules.slogan_endings),
            numbered_formula_prefixes: WordSet::new(&rules.numbered_formula_prefixes),
            rectifying: WordSet::new(&rules.rectifying_words),
            continuing_heads: WordSet::new(&rules.continuing_heads),
            opposing: WordSet::new(&rules.opposing_verbs),
        }
    }
}

/// What a gazetteer hit denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Law(usize),
    Place(PlaceName),
    NationalAgency(usize),
    AgencyForm(usize),
    Initiative(usize),
    SelfReference,
    /// An internal unit (政策法规科) of the author.
    InternalUnit,
    Generic,
}

/// All tables, parsed, with one multi-pattern matcher over every name so that a text is scanned
/// once and overlapping names compete by length (民法典宣传月 beats 民法典).
pub struct Knowledge {
    pub laws: Vec<LawEntry>,
    pub places: Vec<PlaceEntry>,
    pub national_agencies: Vec<NationalAgency>,
    pub agency_forms: Vec<AgencyForm>,
    pub initiatives: Vec<InitiativeEntry>,
    pub slogans: FxHashSet<String>,
    pub generic_phrases: FxHashSet<String>,
    pub document_types: Vec<(String, String)>,
    pub rules: InitiativeRules,
    /// The rules' word lists, ready for lookups.
    pub rule_words: RuleWords,
    /// Law lookup by any name (title, title without the national prefix, short names).
    pub law_by_name: FxHashMap<String, usize>,
    /// Every place name (canonical or alias), with what it denotes.
    pub place_by_name: FxHashMap<String, PlaceName>,
    /// The places of each shared name, in table order.
    pub shared_places: Vec<Vec<usize>>,
    pub initiative_by_name: FxHashMap<String, usize>,
    pub national_by_name: FxHashMap<String, usize>,
    pub form_by_short: FxHashMap<String, usize>,
    /// Every name, matched char by char: the value of a match indexes `gazetteer_entries`.
    gazetteer: CharwiseDoubleArrayAhoCorasick<u32>,
    gazetteer_entries: Vec<Entry>,
    /// The byte length of the longest place name.
    longest_place_name: usize,
    /// The head words of unquoted programme names, in one matcher.
    pub unquoted_heads: FewWords,
    /// The slogan markers (思想, 意识…), in one matcher: every quoted term is checked for them.
    /// Char-wise, without a prefilter: the terms are a few characters long.
    pub slogan_markers: CharwiseDoubleArrayAhoCorasick<u32>,
    /// Words jieba should keep whole: every gazetteer name.
    dictionary_words: Vec<String>,
    segmenter: std::sync::OnceLock<jieba_rs::Jieba>,
    /// The rules' words, characters and name templates (rule_vocabulary.toml).
    pub vocabulary: Vocabulary,
    /// Web-page furniture words and their uses (page_furniture.tsv).
    pub page_furniture: PageFurniture,
    /// The furniture words that end a heading (use `heading`).
    pub heading_furniture: Vec<String>,
    /// The place of level `national` (中华人民共和国).
    pub nation: usize,
    /// Its canonical name, which national law titles start with.
    pub national_prefix: String,
    /// The national government, in `national_agencies`.
    pub national_government: usize,
    /// The agency forms of a zone's government and of any other place's government.
    pub zone_government_form: usize,
    pub local_government_form: usize,
    /// The government form of a 盟 or 地区 (行政公署), and the name endings of such places.
    pub office_government_form: usize,
    /// The anchor words of the agency rules, in one matcher.
    pub agency_anchors: crate::extract::agencies::AnchorMatcher,
}

/// Where tables come from.
pub enum TableSource<'a> {
    Embedded,
    Dir(&'a Path),
}

impl TableSource<'_> {
    fn read(&self, name: &str) -> Result<String> {
        match self {
            TableSource::Embedded => EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| (*text).to_string())
                .ok_or_else(|| anyhow!("no embedded table {name}")),
            TableSource::Dir(dir) => {
                let path = dir.join(name);
                if path.is_file() {
                    std::fs::read_to_string(&path)
                        .with_context(|| format!("{}: cannot read table", path.display()))
                } else {
                    // A data folder may override only some tables.
                    TableSource::Embedded.read(name)
                }
            }
        }
    }
}

/// Rows of a TSV table: the header names the columns; `#` lines and blank lines are skipped.
fn tsv_rows(name: &str, text: &str, columns: &[&str]) -> Result<Vec<Vec<String>>> {
    Ok(tsv_numbered_rows(name, text, columns)?
        .into_iter()
        .map(|(_, cells)| cells)
        .collect())
}

/// [`tsv_rows`] with each row's line number (from 1), for errors that point at the row.
fn tsv_numbered_rows(
    name: &str,
    text: &str,
    columns: &[&str],
) -> Result<Vec<(usize, Vec<String>)>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let (_, header) = lines.next().ok_or_else(|| anyhow!("{name}: empty table"))?;
    let header: Vec<&str> = header.split('\t').map(str::trim).collect();
    if header.len() < columns.len() || header[..columns.len()] != *columns {
        bail!("{name}: header must start with `{}`", columns.join("\\t"));
    }
    let mut rows = Vec::new();
    for (line_no, line) in lines {
        let mut cells: Vec<String> = line.split('\t').map(|c| c.trim().to_string()).collect();
        if cells.len() > header.len() {
            bail!(
                "{name}:{}: {} cells, header has {}",
                line_no + 1,
                cells.len(),
                header.len()
            );
        }
        cells.resize(columns.len().max(cells.len()), String::new());
        if cells[0].is_empty() {
            bail!("{name}:{}: first column is empty", line_no + 1);
        }
        rows.push((line_no + 1, cells));
    }
    Ok(rows)
}

fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split('|').map(str::trim).filter(|s| !s.is_empty())
}

/// Every gazetteer name in the order the tables list them, with what it denotes.
#[derive(Default)]
struct Patterns {
    patterns: Vec<String>,
    entries: Vec<Entry>,
}

impl Patterns {
    /// Single characters are too ambiguous to match, except agency forms (委), which are only
    /// read after a place or a level character.
    fn add(&mut self, pattern: &str, entry: Entry) {
        if pattern.chars().count() >= 2 || matches!(entry, Entry::AgencyForm(_)) {
            self.patterns.push(pattern.to_string());
            self.entries.push(entry);
        }
    }
}

struct Laws {
    laws: Vec<LawEntry>,
    law_by_name: FxHashMap<String, usize>,
}

/// laws.tsv. `national_prefix` (中华人民共和国…) may be left out of a title.
fn load_laws(
    source: &TableSource<'_>,
    national_prefix: &str,
    patterns: &mut Patterns,
) -> Result<Laws> {
    const FILE: &str = "laws.tsv";
    const LAW_KINDS: &[&str] = &[
        "law",
        "administrative_regulation",
        "local_regulation",
        "party_regulation",
        "rule",
    ];
    let mut laws = Vec::new();
    let mut law_by_name = FxHashMap::default();
    for (line, row) in
        tsv_numbered_rows(FILE, &source.read(FILE)?, &["title", "kind", "short_names"])?
    {
        let Some(kind) = LAW_KINDS.iter().find(|&&k| k == row[1]) else {
            bail!("{FILE}:{line}: {}: unknown kind `{}`", row[0], row[1]);
        };
        let index = laws.len();
        laws.push(LawEntry {
            title: row[0].clone(),
            kind,
        });
        let mut names = vec![row[0].clone()];
        if let Some(rest) = row[0].strip_prefix(national_prefix) {
            names.push(rest.to_string());
        }
        names.extend(split_list(&row[2]).map(str::to_string));
        for name in names {
            law_by_name.entry(name.clone()).or_insert(index);
            patterns.add(&name, Entry::Law(index));
        }
    }
    Ok(Laws { laws, law_by_name })
}

struct Places {
    places: Vec<PlaceEntry>,
    place_by_name: FxHashMap<String, PlaceName>,
    shared_places: Vec<Vec<usize>>,
    /// The one place of level `national`.
    nation: usize,
}

/// The rows of both place tables, hand-made first, each with its file and line.
fn place_rows(source: &TableSource<'_>) -> Result<Vec<(&'static str, usize, Vec<String>)>> {
    let mut rows = Vec::new();
    for file in [PLACES_FILE, GENERATED_PLACES_FILE] {
        let columns = ["canonical", "level", "parent", "aliases"];
        for (line, row) in tsv_numbered_rows(file, &source.read(file)?, &columns)? {
            rows.push((file, line, row));
        }
    }
    Ok(rows)
}

/// jurisdictions.tsv and places_gbt2260.tsv: places by canonical name and alias, each with its
/// parent. A name on several rows (鼓楼区) is shared; a canonical name may be on one row only.
fn load_places(source: &TableSource<'_>) -> Result<Places> {
    let rows = place_rows(source)?;
    let mut by_canonical: FxHashMap<&str, usize> = FxHashMap::default();
    let mut places = Vec::with_capacity(rows.len());
    for (file, line, row) in &rows {
        let level = PlaceLevel::parse(&row[1])
            .ok_or_else(|| anyhow!("{file}:{line}: {}: unknown level `{}`", row[0], row[1]))?;
        if by_canonical.insert(&row[0], places.len()).is_some() {
            bail!(
                "{file}:{line}: {}: a second row with this canonical name",
                row[0]
            );
        }
        places.push(PlaceEntry {
            canonical: row[0].clone(),
            level,
            parent: None,
        });
    }
    // Each name with the rows that bear it, in table order.
    let mut rows_of_name: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (index, (file, line, row)) in rows.iter().enumerate() {
        if !row[2].is_empty() {
            let parent = *by_canonical
                .get(row[2].as_str())
                .ok_or_else(|| anyhow!("{file}:{line}: {}: unknown parent `{}`", row[0], row[2]))?;
            places[index].parent = Some(parent);
        }
        for name in std::iter::once(row[0].as_str()).chain(split_list(&row[3])) {
            let bearers = rows_of_name.entry(name).or_default();
            if !bearers.contains(&index) {
                bearers.push(index);
            }
        }
    }
    let mut names: Vec<(&str, Vec<usize>)> = rows_of_name.into_iter().collect();
    names.sort_unstable();
    let mut place_by_name = FxHashMap::default();
    let mut shared_places = Vec::new();
    for (name, bearers) in names {
        let denotes = match bearers[..] {
            [one] => PlaceName::One(one),
            _ => {
                shared_places.push(bearers);
                PlaceName::Shared(shared_places.len() - 1)
            }
        };
        place_by_name.insert(name.to_string(), denotes);
    }
    let mut national = places
        .iter()
        .enumerate()
        .filter(|(_, p)| p.level == PlaceLevel::National);
    let (Some((nation, _)), None) = (national.next(), national.next()) else {
        bail!("{PLACES_FILE}: exactly one row must have level `national`");
    };
    Ok(Places {
        places,
        place_by_name,
        shared_places,
        nation,
    })
}

/// national_agencies.tsv.
fn load_national_agencies(
    source: &TableSource<'_>,
    patterns: &mut Patterns,
) -> Result<(Vec<NationalAgency>, FxHashMap<String, usize>)> {
    const FILE: &str = "national_agencies.tsv";
    let mut national_agencies = Vec::new();
    let mut national_by_name = FxHashMap::default();
    for row in tsv_rows(
        FILE,
        &source.read(FILE)?,
        &["canonical", "level", "kind", "aliases"],
    )? {
        let index = national_agencies.len();
        national_agencies.push(NationalAgency {
            canonical: row[0].clone(),
            level: row[1].clone(),
            kind: row[2].clone(),
        });
        let mut names = vec![row[0].clone()];
        names.extend(split_list(&row[3]).map(str::to_string));
        for name in names {
            national_by_name.entry(name.clone()).or_insert(index);
            patterns.add(&name, Entry::NationalAgency(index));
        }
    }
    Ok((national_agencies, national_by_name))
}

/// agency_forms.tsv: local agency forms by short form.
fn load_agency_forms(
    source: &TableSource<'_>,
    patterns: &mut Patterns,
) -> Result<(Vec<AgencyForm>, FxHashMap<String, usize>)> {
    const FILE: &str = "agency_forms.tsv";
    let mut agency_forms = Vec::new();
    let mut form_by_short = FxHashMap::default();
    for (line, row) in tsv_numbered_rows(
        FILE,
        &source.read(FILE)?,
        &["short", "full", "kind", "bare"],
    )? {
        if !row[1].contains("{J}") {
            bail!("{FILE}:{line}: {}: `full` must contain {{J}}", row[0]);
        }
        let index = agency_forms.len();
        agency_forms.push(AgencyForm {
            short: row[0].clone(),
            full: row[1].clone(),
            kind: row[2].clone(),
            bare: row[3] == "yes",
        });
        form_by_short.insert(row[0].clone(), index);
        patterns.add(&row[0], Entry::AgencyForm(index));
    }
    Ok((agency_forms, form_by_short))
}

/// initiatives.tsv: initiatives by normalized name.
fn load_initiatives(
    source: &TableSource<'_>,
    patterns: &mut Patterns,
) -> Result<(Vec<InitiativeEntry>, FxHashMap<String, usize>)> {
    const FILE: &str = "initiatives.tsv";
    let mut initiatives = Vec::new();
    let mut initiative_by_name = FxHashMap::default();
    for row in tsv_rows(
        FILE,
        &source.read(FILE)?,
        &["canonical", "scope", "variants"],
    )? {
        let index = initiatives.len();
        initiatives.push(InitiativeEntry {
            canonical: row[0].clone(),
            scope: row[1].clone(),
        });
        let mut names = vec![row[0].clone()];
        names.extend(split_list(&row[2]).map(str::to_string));
        for name in names {
            initiative_by_name
                .entry(normalize_name(&name))
                .or_insert(index);
            patterns.add(&name, Entry::Initiative(index));
        }
    }
    Ok((initiatives, initiative_by_name))
}

/// The first column of a one-column table.
fn single_column(source: &TableSource<'_>, file: &str, column: &str) -> Result<Vec<String>> {
    Ok(tsv_rows(file, &source.read(file)?, &[column])?
        .into_iter()
        .map(|mut r| r.swap_remove(0))
        .collect())
}

struct WordLists {
    generic_phrases: FxHashSet<String>,
    slogans: FxHashSet<String>,
}

/// The one-column tables: self-references, internal units and generic phrases (gazetteer
/// names), and slogans.
fn load_word_lists(source: &TableSource<'_>, patterns: &mut Patterns) -> Result<WordLists> {
    for word in single_column(source, "self_references.tsv", "word")? {
        patterns.add(&word, Entry::SelfReference);
    }
    for unit in single_column(source, "internal_units.tsv", "unit")? {
        patterns.add(&unit, Entry::InternalUnit);
    }
    let generic_phrases: FxHashSet<String> =
        single_column(source, "generic_org_phrases.tsv", "phrase")?
            .into_iter()
            .collect();
    for phrase in &generic_phrases {
        patterns.add(phrase, Entry::Generic);
    }
    let slogans: FxHashSet<String> = single_column(source, "slogans.tsv", "slogan")?
        .into_iter()
        .collect();
    Ok(WordLists {
        generic_phrases,
        slogans,
    })
}

/// document_types.tsv, longest suffix first.
fn load_document_types(source: &TableSource<'_>) -> Result<Vec<(String, String)>> {
    const FILE: &str = "document_types.tsv";
    let mut document_types: Vec<(String, String)> =
        tsv_rows(FILE, &source.read(FILE)?, &["suffix", "doc_type"])?
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
    document_types.sort_by_key(|(suffix, _)| std::cmp::Reverse(suffix.chars().count()));
    Ok(document_types)
}

/// page_furniture.tsv.
fn load_page_furniture(source: &TableSource<'_>) -> Result<PageFurniture> {
    PageFurniture::from_rows(tsv_numbered_rows(
        FURNITURE_FILE,
        &source.read(FURNITURE_FILE)?,
        &["word", "uses"],
    )?)
}

/// The bodies [`Vocabulary::names`] refers to by name, looked up in the tables.
struct NamedBodies {
    national_government: usize,
    zone_government_form: usize,
    local_government_form: usize,
    office_government_form: usize,
}

fn named_bodies(
    vocabulary: &Vocabulary,
    national_by_name: &FxHashMap<String, usize>,
    form_by_short: &FxHashMap<String, usize>,
) -> Result<NamedBodies> {
    let names = &vocabulary.names;
    let form = |short: &str| {
        form_by_short.get(short).copied().ok_or_else(|| {
            anyhow!("{VOCABULARY_FILE}: [names] `{short}` is not a short form in agency_forms.tsv")
        })
    };
    Ok(NamedBodies {
        national_government: national_by_name
            .get(&names.national_government)
            .copied()
            .ok_or_else(|| {
                anyhow!(
                    "{VOCABULARY_FILE}: [names] `{}` is not in national_agencies.tsv",
                    names.national_government
                )
            })?,
        zone_government_form: form(&names.zone_government_form)?,
        local_government_form: form(&names.local_government_form)?,
        office_government_form: form(&names.office_government_form)?,
    })
}

/// The matchers built from the tables.
struct Matchers {
    gazetteer: CharwiseDoubleArrayAhoCorasick<u32>,
    gazetteer_entries: Vec<Entry>,
    unquoted_heads: FewWords,
    slogan_markers: CharwiseDoubleArrayAhoCorasick<u32>,
    dictionary_words: Vec<String>,
}

fn build_matchers(patterns: Patterns, rules: &InitiativeRules) -> Result<Matchers> {
    let dictionary_words: Vec<String> = patterns
        .patterns
        .iter()
        .filter(|p| p.chars().count() >= 2)
        .cloned()
        .collect();
    let unquoted_heads = FewWords::new(&rules.unquoted_heads, true)
        .context("cannot build the programme-head matcher")?;
    // A name listed twice (a law's short name that is also an initiative) keeps its first entry.
    let mut first_of_name: FxHashMap<&str, u32> = FxHashMap::default();
    for (index, pattern) in patterns.patterns.iter().enumerate() {
        first_of_name
            .entry(pattern.as_str())
            .or_insert(index as u32);
    }
    let mut unique: Vec<(&str, u32)> = first_of_name.into_iter().collect();
    unique.sort_unstable_by_key(|&(_, index)| index);
    let slogan_markers = CharwiseDoubleArrayAhoCorasickBuilder::new()
        .use_prefilter(false)
        .build(&rules.slogan_markers)
        .map_err(|e| anyhow!("cannot build the slogan-marker matcher: {e}"))?;
    let gazetteer = CharwiseDoubleArrayAhoCorasickBuilder::new()
        .match_kind(daachorse::MatchKind::LeftmostLongest)
        .build_with_values(unique)
        .map_err(|e| anyhow!("cannot build the gazetteer matcher: {e}"))?;
    Ok(Matchers {
        gazetteer,
        gazetteer_entries: patterns.entries,
        unquoted_heads,
        slogan_markers,
        dictionary_words,
    })
}

impl Knowledge {
    /// The tables compiled into the binary.
    pub fn embedded() -> Result<Self> {
        Self::load(TableSource::Embedded)
    }

    /// Tables from `dir`, falling back to the embedded copy for any file the folder lacks.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            bail!("{}: data folder not found", dir.display());
        }
        Self::load(TableSource::Dir(dir))
    }

    pub fn load(source: TableSource<'_>) -> Result<Self> {
        let vocabulary = Vocabulary::parse(&source.read(VOCABULARY_FILE)?)?;
        let page_furniture = load_page_furniture(&source)?;
        // Gazetteer names go in table order: laws, places, national agencies, forms, initiatives.
        let mut patterns = Patterns::default();
        let Places {
            places,
            place_by_name,
            shared_places,
            nation,
        } = load_places(&source)?;
        let national_prefix = places[nation].canonical.clone();
        let Laws { laws, law_by_name } = load_laws(&source, &national_prefix, &mut patterns)?;
        let mut place_names: Vec<(&String, &PlaceName)> = place_by_name.iter().collect();
        place_names.sort_unstable_by_key(|&(name, _)| name);
        for (name, denotes) in &place_names {
            patterns.add(name, Entry::Place(**denotes));
        }
        let longest_place_name = place_names.iter().map(|(n, _)| n.len()).max();
        let (national_agencies, national_by_name) = load_national_agencies(&source, &mut patterns)?;
        let (agency_forms, form_by_short) = load_agency_forms(&source, &mut patterns)?;
        let (initiatives, initiative_by_name) = load_initiatives(&source, &mut patterns)?;
        let WordLists {
            generic_phrases,
            slogans,
        } = load_word_lists(&source, &mut patterns)?;
        let document_types = load_document_types(&source)?;
        let rules: InitiativeRules = toml::from_str(&source.read("initiative_rules.toml")?)
            .context("initiative_rules.toml")?;
        let bodies = named_bodies(&vocabulary, &national_by_name, &form_by_short)?;
        let matchers = build_matchers(patterns, &rules)?;
        Ok(Self {
            laws,
            places,
            national_agencies,
            agency_forms,
            initiatives,
            slogans,
            generic_phrases,
            document_types,
            law_by_name,
            place_by_name,
            shared_places,
            initiative_by_name,
            national_by_name,
            form_by_short,
            gazetteer: matchers.gazetteer,
            gazetteer_entries: matchers.gazetteer_entries,
            longest_place_name: longest_place_name.unwrap_or(0),
            rule_words: RuleWords::new(&rules),
            rules,
            unquoted_heads: matchers.unquoted_heads,
            slogan_markers: matchers.slogan_markers,
            dictionary_words: matchers.dictionary_words,
            segmenter: std::sync::OnceLock::new(),
            heading_furniture: page_furniture.words_for(FurnitureUse::Heading),
            agency_anchors: crate::extract::agencies::AnchorMatcher::new(&vocabulary)?,
            page_furniture,
            vocabulary,
            nation,
            national_prefix,
            national_government: bodies.national_government,
            zone_government_form: bodies.zone_government_form,
            local_government_form: bodies.local_government_form,
            office_government_form: bodies.office_government_form,
        })
    }

    /// The government form of a place: 行政公署 for a 盟 or 地区, 人民政府 elsewhere.
    pub fn government_form_of(&self, place: usize) -> usize {
        let entry = &self.places[place];
        if entry.level == PlaceLevel::Zone {
            return self.zone_government_form;
        }
        let run_by_office = self
            .vocabulary
            .names
            .office_government_places
            .iter()
            .any(|e| entry.canonical.ends_with(e.as_str()));
        if run_by_office {
            self.office_government_form
        } else {
            self.local_government_form
        }
    }

    /// Every gazetteer hit in `text`, leftmost-longest and non-overlapping, as (start, end, entry).
    pub fn scan(&self, text: &str) -> Vec<(usize, usize, Entry)> {
        // Reports have about one hit per hundred bytes: reserve once instead of regrowing.
        let mut hits = Vec::with_capacity(text.len() / 64);
        hits.extend(self.gazetteer.leftmost_find_iter(text).map(|m| {
            (
                m.start(),
                m.end(),
                self.gazetteer_entries[m.value() as usize],
            )
        }));
        hits
    }

    /// The longest place name that ends exactly at byte `end` of `text`, as (start, what it
    /// denotes).
    pub fn place_ending_at(&self, text: &str, end: usize) -> Option<(usize, PlaceName)> {
        let window_start = floor_char_boundary(text, end.saturating_sub(self.longest_place_name));
        let window = text.get(window_start..end)?;
        // Every tail of the window, longest first: a few hash lookups, and no matcher over the
        // thousands of names to build.
        window.char_indices().find_map(|(i, _)| {
            self.place_by_name
                .get(&window[i..])
                .map(|&p| (window_start + i, p))
        })
    }

    /// The place `name` denotes by itself: None for a name several places share.
    pub fn place(&self, name: &str) -> Option<usize> {
        match self.place_by_name.get(name)? {
            PlaceName::One(place) => Some(*place),
            PlaceName::Shared(_) => None,
        }
    }

    /// Every place a name may denote.
    pub fn place_candidates<'s>(&'s self, name: &'s PlaceName) -> &'s [usize] {
        match name {
            PlaceName::One(place) => std::slice::from_ref(place),
            PlaceName::Shared(group) => &self.shared_places[*group],
        }
    }

    /// The place `name` denotes in a report about the place chain `chain` ([own place, parent, …,
    /// nation]): the candidate that is in the chain, else the one candidate under the nearest
    /// place of the chain that has any (和平区 in a 东丽区 report: the one under 天津市). None
    /// when the nearest such place has several (鼓楼区 in a 江苏省 report) or the chain is empty.
    pub fn decide_place(&self, name: PlaceName, chain: &[usize]) -> Option<usize> {
        let group = match name {
            PlaceName::One(place) => return Some(place),
            PlaceName::Shared(group) => &self.shared_places[group],
        };
        if let Some(&own) = chain.iter().find(|p| group.contains(p)) {
            return Some(own);
        }
        for &above in chain {
            let mut under = group
                .iter()
                .filter(|&&c| self.place_chain(c)[1..].contains(&above));
            match (under.next(), under.next()) {
                (Some(&only), None) => return Some(only),
                (Some(_), Some(_)) => return None,
                _ => {}
            }
        }
        None
    }

    /// The chain from a place up to the nation: [place, parent, grandparent…].
    pub fn place_chain(&self, place: usize) -> Vec<usize> {
        let mut chain = vec![place];
        let mut current = place;
        while let Some(parent) = self.places.get(current).and_then(|p| p.parent) {
            if chain.contains(&parent) {
                break;
            }
            chain.push(parent);
            current = parent;
        }
        chain
    }

    /// jieba with its default dictionary plus every gazetteer name as a user word, built on first
    /// use (only rules that need word boundaries call it).
    pub fn segmenter(&self) -> &jieba_rs::Jieba {
        self.segmenter.get_or_init(|| {
            let mut jieba = jieba_rs::Jieba::new();
            for word in &self.dictionary_words {
                jieba.add_word(word, Some(1000), Some("nz"));
            }
            jieba
        })
    }

    pub fn document_type(&self, title: &str) -> &str {
        self.document_types
            .iter()
            .find(|(suffix, _)| title.ends_with(suffix.as_str()))
            .map(|(_, t)| t.as_str())
            .unwrap_or("other")
    }

    /// The law a name denotes, if the table knows it (title, title without 中华人民共和国, or short name).
    pub fn law(&self, name: &str) -> Option<&LawEntry> {
        self.law_by_normalized_name(&normalize_name(name))
    }

    /// [`Knowledge::law`] for a name already passed through [`normalize_name`].
    pub fn law_by_normalized_name(&self, name: &str) -> Option<&LawEntry> {
        self.law_by_name
            .get(name)
            .or_else(|| {
                name.strip_prefix(self.national_prefix.as_str())
                    .and_then(|n| self.law_by_name.get(n))
            })
            .map(|&i| &self.laws[i])
    }
}

/// Drops quotes, brackets and white space: how names are compared.
pub fn normalize_name(name: &str) -> String {
    let dropped = |c: char| {
        // Every dropped char is below U+3020; ideographs are above.
        c < '\u{3020}'
            && (c.is_whitespace()
                || matches!(
                    c,
                    '“' | '”'
                        | '‘'
                        | '’'
                        | '"'
                        | '\''
                        | '《'
                        | '》'
                        | '〈'
                        | '〉'
                        | '<'
                        | '>'
                        | '「'
                        | '」'
                        | '『'
                        | '』'
                ))
    };
    // Most names have nothing to drop: every dropped char is ASCII or starts with one of these
    // lead bytes (U+0085/00A0, U+1680, U+2000–205F, U+3000–301F), so a byte check rules them out.
    let may_drop = name
        .bytes()
        .any(|b| matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3) || (b.is_ascii() && dropped(b as char)));
    if !may_drop {
        return name.to_string();
    }
    let mut kept = String::with_capacity(name.len());
    kept.extend(name.chars().filter(|&c| !dropped(c)));
    kept
}

/// The largest char boundary ≤ `index`.
pub fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut i = index.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_load() {
        let k = Knowledge::embedded().expect("embedded tables parse");
        assert!(!k.agency_forms.is_empty());
        assert!(k.rules.min_chars >= 2);
    }

    fn chain_names(k: &Knowledge, name: &str) -> Vec<String> {
        let place = k
            .place(name)
            .unwrap_or_else(|| panic!("{name}: not one place"));
        k.place_chain(place)
            .into_iter()
            .map(|p| k.places[p].canonical.clone())
            .collect()
    }

    /// The country's places, complete (GB/T 2260 as of the dataset of places_gbt2260.tsv): 31
    /// provincial-level divisions with prefectures (plus 台湾省 and the two SARs), 333
    /// prefecture-level and 2,842 county-level divisions, each under its parent.
    #[test]
    fn every_division_is_loaded_under_its_parent() {
        let k = Knowledge::embedded().unwrap();
        let count = |level: PlaceLevel| k.places.iter().filter(|p| p.level == level).count();
        assert_eq!(count(PlaceLevel::Provincial), 34);
        assert_eq!(count(PlaceLevel::Prefectural), 333);
        assert_eq!(count(PlaceLevel::District), 2842);
        let parents: FxHashSet<usize> = k
            .places
            .iter()
            .filter(|p| matches!(p.level, PlaceLevel::Prefectural | PlaceLevel::District))
            .filter_map(|p| p.parent)
            .collect();
        let provinces_with_divisions = parents
            .iter()
            .filter(|&&p| k.places[p].level == PlaceLevel::Provincial)
            .count();
        assert_eq!(provinces_with_divisions, 31);
        assert_eq!(
            chain_names(&k, "浚县"),
            ["浚县", "鹤壁市", "河南省", "中华人民共和国"]
        );
        assert_eq!(
            chain_names(&k, "钱塘区"),
            ["杭州市钱塘区", "杭州市", "浙江省", "中华人民共和国"]
        );
        assert_eq!(chain_names(&k, "高陵区")[..2], ["西安市高陵区", "西安市"]);
        assert_eq!(chain_names(&k, "和平县")[..2], ["和平县", "河源市"]);
        assert_eq!(
            chain_names(&k, "红河州")[..2],
            ["红河哈尼族彝族自治州", "云南省"]
        );
        assert_eq!(chain_names(&k, "宁夏")[0], "宁夏回族自治区");
        assert_eq!(
            chain_names(&k, "长阳县")[..2],
            ["长阳土家族自治县", "宜昌市"]
        );
        // Hand-made rows keep their names; ordinary words are no place names.
        assert_eq!(chain_names(&k, "东丽")[0], "天津市东丽区");
        for word in ["城区", "郊区", "矿区", "海城市", "范县"] {
            assert!(!k.place_by_name.contains_key(word), "{word}");
        }
    }

    /// A name several places share is decided by the report's place chain, or not at all.
    #[test]
    fn a_shared_name_is_decided_by_the_place_chain() {
        let k = Knowledge::embedded().unwrap();
        let chain = |name: &str| k.place_chain(k.place(name).unwrap());
        let decide = |name: &str, report: &str| {
            k.decide_place(k.place_by_name[name], &chain(report))
                .map(|p| k.places[p].canonical.as_str())
        };
        assert!(matches!(k.place_by_name["和平区"], PlaceName::Shared(_)));
        assert_eq!(decide("和平区", "东丽区"), Some("天津市和平区"));
        assert_eq!(decide("和平区", "天津市"), Some("天津市和平区"));
        assert_eq!(decide("和平区", "沈阳市"), Some("沈阳市和平区"));
        assert_eq!(decide("和平区", "天津市和平区"), Some("天津市和平区"));
        assert_eq!(decide("和平区", "上海市"), None);
        assert_eq!(decide("朝阳区", "北京市"), Some("北京市朝阳区"));
        assert_eq!(decide("朝阳区", "长春市"), Some("长春市朝阳区"));
        assert_eq!(decide("鼓楼区", "南京市"), Some("南京市鼓楼区"));
        // Two of the four 鼓楼区 are in 江苏: the province does not decide.
        assert_eq!(decide("鼓楼区", "江苏省"), None);
        assert_eq!(decide("鼓楼区", "福建省"), Some("福州市鼓楼区"));
        assert_eq!(decide("新城区", "中华人民共和国"), None);
        assert_eq!(k.decide_place(k.place_by_name["新城区"], &[]), None);
    }

    /// A data folder holding only `files`, removed when dropped.
    struct DataDir(std::path::PathBuf);

    impl DataDir {
        fn with(name: &str, files: &[(&str, &str)]) -> Self {
            let dir =
                std::env::temp_dir().join(format!("govkg-data-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            for (file, text) in files {
                std::fs::write(dir.join(file), text).unwrap();
            }
            Self(dir)
        }
    }

    impl Drop for DataDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn embedded(name: &str) -> &'static str {
        EMBEDDED.iter().find(|(n, _)| *n == name).unwrap().1
    }

    #[test]
    fn data_folder_overrides_the_new_tables() {
        let vocabulary = embedded(VOCABULARY_FILE)
            .replace("venue_marker = \"会议上\"", "venue_marker = \"大会上\"");
        let dir = DataDir::with(
            "override",
            &[
                (VOCABULARY_FILE, &vocabulary),
                (FURNITURE_FILE, "word\tuses\n浏览次数\theading\n"),
            ],
        );
        let k = Knowledge::from_dir(&dir.0).unwrap();
        assert_eq!(k.vocabulary.metadata.venue_marker, "大会上");
        assert_eq!(k.heading_furniture, vec!["浏览次数".to_string()]);
        // The other tables still come from the embedded copy.
        assert!(!k.agency_forms.is_empty());
    }

    #[test]
    fn bad_rows_of_the_new_tables_name_file_and_line() {
        let error = |name: &str, file: &str, text: &str| {
            let dir = DataDir::with(name, &[(file, text)]);
            format!("{:#}", Knowledge::from_dir(&dir.0).err().unwrap())
        };
        let e = error(
            "furniture",
            FURNITURE_FILE,
            "# c\nword\tuses\n打印\ttoolbar\n分享\tsharing\n",
        );
        assert!(
            e.contains("page_furniture.tsv:4") && e.contains("sharing"),
            "{e}"
        );
        let bad_level = embedded(VOCABULARY_FILE)
            .replace("levels = [\"provincial\"]", "levels = [\"province\"]");
        let e = error("level", VOCABULARY_FILE, &bad_level);
        assert!(
            e.contains("rule_vocabulary.toml") && e.contains("line"),
            "{e}"
        );
        let bad_char = embedded(VOCABULARY_FILE).replace(
            "enumeration_copula = \"是\"",
            "enumeration_copula = \"是的\"",
        );
        let e = error("char", VOCABULARY_FILE, &bad_char);
        assert!(
            e.contains("rule_vocabulary.toml") && e.contains("line"),
            "{e}"
        );
        let unknown_form = embedded(VOCABULARY_FILE).replace(
            "zone_government_form = \"管委会\"",
            "zone_government_form = \"管理会\"",
        );
        let e = error("form", VOCABULARY_FILE, &unknown_form);
        assert!(
            e.contains("agency_forms.tsv") && e.contains("管理会"),
            "{e}"
        );
    }

    #[test]
    fn bad_rows_of_the_old_tables_name_the_line() {
        let dir = DataDir::with(
            "laws",
            &[("laws.tsv", "title\tkind\tshort_names\nX法\tstatute\n")],
        );
        let e = format!("{:#}", Knowledge::from_dir(&dir.0).err().unwrap());
        assert!(e.contains("laws.tsv:2"), "{e}");
    }

    #[test]
    fn tsv_rejects_bad_header() {
        assert!(tsv_rows("x.tsv", "a\tb\nq\tr\n", &["title", "kind"]).is_err());
    }

    #[test]
    fn tsv_skips_comments_and_pads_cells() {
        let rows = tsv_rows(
            "x.tsv",
            "# c\ntitle\tkind\tshort\nA\tlaw\n",
            &["title", "kind", "short"],
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![vec!["A".to_string(), "law".into(), String::new()]]
        );
    }

    #[test]
    fn normalize_drops_quotes_and_space() {
        assert_eq!(normalize_name("“八五”普法"), "八五普法");
        assert_eq!(
            normalize_name("以案释法\u{2002}月月学法"),
            "以案释法月月学法"
        );
    }

    #[test]
    fn word_sets_find_prefixes_in_list_order_and_suffixes() {
        let words: Vec<String> = ["普法", "普法月", "宣传", "月"].map(String::from).to_vec();
        let set = WordSet::new(&words);
        // The first listed word wins, not the longest.
        assert_eq!(set.first_prefix("普法月活动"), Some("普法"));
        assert_eq!(set.first_prefix("宣传周"), Some("宣传"));
        assert_eq!(set.first_prefix("法治"), None);
        assert!(set.is_prefix_of("月度"));
        assert!(set.is_suffix_of("民法典宣传月"));
        assert!(set.is_suffix_of("开展宣传"));
        assert!(!set.is_suffix_of("宣传周"));
        // Byte lengths that fall inside a char are no match, and no panic.
        assert!(!set.is_suffix_of("a"));
        assert_eq!(set.first_prefix("普"), None);
    }

    proptest::proptest! {
        /// Teddy and the portable automaton report the same head words (longest first).
        #[test]
        fn few_words_match_alike_with_and_without_simd(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "专项行动", "三年行动计划", "宣传月", "宣传周", "大讲堂", "提升行动", "行动", "宣传", "，", "a",
            ]),
            0..30,
        )) {
            static KNOWLEDGE: std::sync::OnceLock<Knowledge> = std::sync::OnceLock::new();
            let k = KNOWLEDGE.get_or_init(|| Knowledge::embedded().unwrap());
            let text = pieces.concat();
            let collect = |words: &FewWords| {
                let mut found = Vec::new();
                words.for_each_match(&text, |w, s, e| found.push((w, s, e)));
                found
            };
            proptest::prop_assert_eq!(
                collect(&k.unquoted_heads),
                collect(&k.unquoted_heads.portable_only())
            );
        }
    }

    /// Chars around the pre-check's edge: every dropped one, and neighbours sharing lead bytes.
    fn name_chars() -> impl proptest::strategy::Strategy<Value = char> {
        use proptest::prelude::*;
        prop_oneof![
            prop::sample::select(
                "“”‘’\"'《》〈〉<>「」『』 \t\n\u{85}\u{a0}\u{1680}\u{2002}\u{2028}\u{205f}\u{3000}、。〇…—法东丽区a1"
                    .chars()
                    .collect::<Vec<_>>()
            ),
            any::<char>(),
        ]
    }

    proptest::proptest! {
        /// The byte pre-check never keeps a char the full rule drops.
        #[test]
        fn normalize_matches_the_char_rule(name in proptest::collection::vec(name_chars(), 0..12)) {
            let name: String = name.into_iter().collect();
            let by_rule: String = name
                .chars()
                .filter(|&c| !c.is_whitespace() && !"“”‘’\"'《》〈〉<>「」『』".contains(c))
                .collect();
            proptest::prop_assert_eq!(normalize_name(&name), by_rule);
        }
    }
}
