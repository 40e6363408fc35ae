//! The words, characters and name templates the rules look for (`data/rule_vocabulary.toml`) and
//! the page-furniture words (`data/page_furniture.tsv`), typed and checked on load.
//!
//! Architecture invariant: knowledge is data. The rules in `extract`, `resolve` and `segment`
//! hold no Chinese vocabulary of their own; they read it from here.

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;

use crate::knowledge::PlaceLevel;

pub const VOCABULARY_FILE: &str = "rule_vocabulary.toml";
pub const FURNITURE_FILE: &str = "page_furniture.tsv";

/// `data/rule_vocabulary.toml`. Fields described as "characters" are strings of single
/// characters, any of which counts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// Chinese numerals one to ten, in order.
    pub numerals: String,
    pub level_chars: Vec<LevelChar>,
    pub level_words: Vec<LevelWord>,
    /// How a township-level division's name ends (乡, 镇, 街道): where a name of
    /// places_townships.tsv may end in the text.
    pub township_endings: Vec<String>,
    /// County-level names that are also words (城中区, 东方市): places only where a body's form
    /// follows, or in the opening at the start of a word.
    pub word_like_place_names: Vec<String>,
    /// Characters after which a word-like place name in the opening starts a word (2025年城中区).
    pub word_like_place_after: String,
    /// Words a level character starts (县级, 县域, 县(市)): a place name of two characters that
    /// ends with the character and stands after another Chinese character (完成县级, 现代县域) is
    /// that word's start, not the place (成县, 代县).
    pub level_word_tails: Vec<String>,
    pub segment: SegmentWords,
    pub agencies: AgencyWords,
    pub metadata: MetadataWords,
    pub laws: LawWords,
    pub relations: RelationWords,
    pub initiatives: InitiativeWords,
    pub names: NameWords,
}

/// A level character (市, 区 …) and the jurisdiction levels it stands for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelChar {
    pub char: char,
    pub levels: Vec<PlaceLevel>,
    /// How the names of the places it stands for end (地 → 阿里地区); default: the character.
    #[serde(default)]
    pub ending: Option<String>,
    /// Whether 我/全/本 + the character is a deictic place (全州); not for 地 (本地, 当地).
    #[serde(default = "yes")]
    pub deictic: bool,
}

fn yes() -> bool {
    true
}

/// A word before an agency form that names the level of the place (自治区党委, 地区司法处); the
/// place is the one in the report's chain whose name ends with the word.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelWord {
    pub word: String,
    pub levels: Vec<PlaceLevel>,
}

impl LevelWord {
    /// Whether the word (地区, 自治州) stands for a place of this level and name: one of its
    /// levels, and a name that ends with it (阿里地区).
    pub fn stands_for(&self, level: PlaceLevel, name: &str) -> bool {
        self.levels.contains(&level) && name.ends_with(self.word.as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentWords {
    pub enumeration_copula: char,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyWords {
    pub generic_before_level: String,
    pub bare_form_after: String,
    pub deictic_prefixes: String,
    pub not_deictic_after: String,
    pub city_level: char,
    pub district_level: char,
    pub subdistrict_after_levels: String,
    pub ordinal_prefix: char,
    pub term_suffix: char,
    pub term_numeral_extra: String,
    pub party_prefix: String,
    pub party_group: String,
    pub party_organisation: String,
    pub party_committee_class: Vec<String>,
    pub office_char: char,
    /// A department's last character before 党组/党委 standing alone (局党组, 厅党委).
    pub own_body_chars: String,
    /// The form short name of a party committee (党委).
    pub party_committee: String,
    pub list_joiners: String,
    pub unit_detached_after: String,
    pub numbered_court: String,
    pub intermediate_court: String,
    pub university: String,
    pub college: String,
    pub subdistrict: String,
    pub subdistrict_excluded: String,
    /// A department's branch in a county (凤凰分局): the branch word, the form endings of the
    /// departments that have branches, the endings a county's name may drop, and the longest
    /// county name as written.
    pub branch: String,
    pub branch_parent_endings: Vec<String>,
    pub branch_place_endings: Vec<String>,
    pub branch_place_max_chars: usize,
    /// A body's unit named right after it (禁毒大队): its endings, longest name, and the words
    /// that make the run an act rather than a name.
    pub unit_endings: Vec<String>,
    pub unit_max_chars: usize,
    pub unit_name_breaks: Vec<String>,
    pub leading_group: String,
    pub group_office: String,
    pub group_office_max_chars: usize,
    /// The most characters (a verb: 调整, 成立) before the place that owns a leading group.
    pub leading_group_lead_max_chars: usize,
    pub named_department_endings: Vec<String>,
    pub ministry_char: String,
    /// 网 after a body's name, ending the word: a website's name (新疆政府网).
    pub website_char: char,
    pub department_class_after: String,
    pub named_department_false_endings: Vec<String>,
    pub named_department_min_chars: usize,
    pub named_department_breaks: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataWords {
    pub title_endings: Vec<String>,
    /// Endings of a line that leads into the body (…报告如下:): never a title.
    pub lead_sentence_endings: Vec<String>,
    /// The mark that ends a sentence (。): a headingless report may name itself in its second.
    pub sentence_end: String,
    /// A government written bare after a party body (巴州党委、政府).
    pub bare_government_words: Vec<String>,
    pub law_title_endings: Vec<String>,
    pub venue_marker: String,
    pub joint_author_separators: String,
    pub year_marker: String,
    pub after_year: Vec<String>,
    pub clause_separators: String,
    pub framing_clauses: Vec<[String; 2]>,
    pub subject_prefixes: Vec<String>,
    pub opening_time_phrases: Vec<String>,
    pub report_preamble: String,
    pub report_preamble_within_chars: usize,
    /// What a headingless report of the party's 法治建设 calls itself: its author is the place's
    /// party committee.
    pub party_report_designation: String,
    /// How the name of a department no table knows ends, in a heading after its place.
    pub department_endings: Vec<String>,
    pub department_max_chars: usize,
    /// The Chinese characters of a date and time (年月日时分秒): a line of digits and these
    /// alone is page metadata.
    pub date_chars: String,
    /// Ends a heading's author part (X区司法局关于…).
    pub heading_about: String,
    /// A line starting with one of these continues a breadcrumb (> 陇西动态 > 政务公告).
    pub breadcrumb_marks: String,
    /// Labels of a page's publisher (发布机构: …): the author when nothing else names one.
    pub publisher_labels: Vec<String>,
    /// A label whose value, on the next line, is the title itself (标题:).
    pub title_labels: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawWords {
    pub issuing_verbs: Vec<String>,
    pub national_law_endings: Vec<String>,
    pub national_regulation_endings: Vec<String>,
    pub party_regulation_prefix: String,
    pub party_regulation_endings: Vec<String>,
    pub local_regulation_endings: Vec<String>,
    pub local_rule_endings: Vec<String>,
    /// Words that make a regional 规定 a document carrying out another (贯彻), not a rule.
    pub local_rule_excluding_words: Vec<String>,
    pub unbracketed_name_continuations: String,
    pub edition_note_words: Vec<String>,
    pub title_run_separators: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationWords {
    pub place_prepositions: Vec<String>,
    pub agent_gap_breaks: String,
    pub study_organs: Vec<String>,
    pub study_verbs: Vec<String>,
    pub study_gap_chars: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InitiativeWords {
    pub formula_counter: char,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameWords {
    /// A name of the national government in national_agencies.tsv.
    pub national_government: String,
    /// Short forms in agency_forms.tsv.
    pub zone_government_form: String,
    pub local_government_form: String,
    /// A place's party committee (委: 中共{J}委员会).
    pub party_committee_form: String,
    pub office_government_form: String,
    pub office_government_places: Vec<String>,
    /// A 街道 is run by a 街道办事处, the county's agency, not by a government of its own.
    pub subdistrict_government_form: String,
    pub subdistrict_government_places: Vec<String>,
    /// A party working committee (党工委) stands beside the bodies of these forms (管委会,
    /// 办事处): standing alone, it is the committee of the report's zone or 街道.
    pub working_committee_form: String,
    pub working_committee_beside: Vec<String>,
    /// A party committee (党委) standing alone, after no other word, in a township's report:
    /// the township's (镇党委 written short: 党委书记, 党委会).
    pub township_committee_form: String,
    /// Words before such a 党委 that make it a class (各级党委, 基层党委).
    pub committee_class_before: Vec<String>,
    /// Verbs and function words after which a bare 党委 or 党组 stands alone (召开党委会议).
    pub party_body_free_before: Vec<String>,
    pub national_agency_prefix: String,
    /// With `{J}`.
    pub party_group: String,
    /// A department's own party committee, with `{J}`.
    pub party_committee: String,
    /// How a people's government's name ends (it has no department party committee).
    pub government_ending: String,
    /// With `{J}` and `{N}`.
    pub intermediate_court: String,
    /// A court by the level of its place: 省法院 is the high court, 市法院 the intermediate one.
    pub local_court: String,
    pub provincial_court: String,
    pub prefectural_court: String,
    /// Before a committee written short (委全面依法治地委员会, 委办公室: the committee word's first
    /// character, not the whole word), a place name ending with the first of a pair is written
    /// with the second (喀什地区 → 中共喀什地委…), as the party names its 地区 committees.
    pub short_committee_endings: Vec<(String, String)>,
    pub committee_word: String,
}

impl NameWords {
    /// `template` with each `{J}` replaced by the place `place`, written short before a committee
    /// written short (see `short_committee_endings`).
    pub fn fill_jurisdiction(&self, template: &str, place: &str) -> String {
        let mut pieces = template.split("{J}");
        let mut out = pieces.next().unwrap_or_default().to_string();
        let committee_char = self.committee_word.chars().next();
        for rest in pieces {
            let short_committee = committee_char.is_some_and(|c| rest.starts_with(c))
                && !rest.starts_with(self.committee_word.as_str());
            let short = short_committee
                .then(|| {
                    self.short_committee_endings
                        .iter()
                        .find_map(|(long, short)| Some((place.strip_suffix(long.as_str())?, short)))
                })
                .flatten();
            match short {
                Some((stem, ending)) if !stem.is_empty() => {
                    out.push_str(stem);
                    out.push_str(ending);
                }
                _ => out.push_str(place),
            }
            out.push_str(rest);
        }
        out
    }
}

impl Vocabulary {
    /// Parses and checks the vocabulary; errors name the file (and, from the TOML parser, the
    /// line).
    pub fn parse(text: &str) -> Result<Self> {
        let vocabulary: Self = toml::from_str(text).with_context(|| VOCABULARY_FILE.to_string())?;
        vocabulary
            .check()
            .with_context(|| VOCABULARY_FILE.to_string())?;
        Ok(vocabulary)
    }

    fn check(&self) -> Result<()> {
        self.check_levels()?;
        self.check_words()?;
        self.check_templates()
    }

    fn check_levels(&self) -> Result<()> {
        if self.numerals.chars().count() != 10 {
            bail!("`numerals` must hold the ten numerals one to ten");
        }
        if self.level_chars.is_empty() || self.level_chars.iter().any(|l| l.levels.is_empty()) {
            bail!("`level_chars` must list characters, each with at least one level");
        }
        for c in [self.agencies.city_level, self.agencies.district_level] {
            if self.level_places(c).is_empty() {
                bail!("[agencies]: `{c}` is not one of `level_chars`");
            }
        }
        // The office is found where its group is (领导小组 → 领导小组办公室).
        if !self
            .agencies
            .group_office
            .starts_with(self.agencies.leading_group.as_str())
        {
            bail!("[agencies]: `group_office` must start with `leading_group`");
        }
        Ok(())
    }

    /// No anchor word, marker or list word may be empty: an empty word matches everywhere.
    fn check_words(&self) -> Result<()> {
        let words = [
            (
                "[agencies] deictic_prefixes",
                &self.agencies.deictic_prefixes,
            ),
            ("[agencies] party_prefix", &self.agencies.party_prefix),
            ("[agencies] party_group", &self.agencies.party_group),
            (
                "[agencies] party_organisation",
                &self.agencies.party_organisation,
            ),
            ("[agencies] numbered_court", &self.agencies.numbered_court),
            (
                "[agencies] intermediate_court",
                &self.agencies.intermediate_court,
            ),
            ("[agencies] university", &self.agencies.university),
            ("[agencies] college", &self.agencies.college),
            ("[agencies] subdistrict", &self.agencies.subdistrict),
            ("[metadata] venue_marker", &self.metadata.venue_marker),
            (
                "[laws] party_regulation_prefix",
                &self.laws.party_regulation_prefix,
            ),
            (
                "[names] national_agency_prefix",
                &self.names.national_agency_prefix,
            ),
        ];
        if let Some((name, _)) = words.iter().find(|(_, w)| w.is_empty()) {
            bail!("{name} must not be empty");
        }
        let lists = [
            ("[metadata] title_endings", &self.metadata.title_endings),
            (
                "[metadata] law_title_endings",
                &self.metadata.law_title_endings,
            ),
            ("[laws] issuing_verbs", &self.laws.issuing_verbs),
            (
                "[laws] national_law_endings",
                &self.laws.national_law_endings,
            ),
            (
                "[laws] party_regulation_endings",
                &self.laws.party_regulation_endings,
            ),
            (
                "[laws] local_regulation_endings",
                &self.laws.local_regulation_endings,
            ),
            ("[laws] edition_note_words", &self.laws.edition_note_words),
            (
                "[relations] place_prepositions",
                &self.relations.place_prepositions,
            ),
            (
                "[agencies] party_committee_class",
                &self.agencies.party_committee_class,
            ),
        ];
        for (name, list) in lists {
            if list.iter().any(String::is_empty) {
                bail!("{name}: empty word");
            }
        }
        Ok(())
    }

    fn check_templates(&self) -> Result<()> {
        if !self.names.party_group.contains("{J}") {
            bail!("[names] party_group must contain {{J}}");
        }
        if !self.names.intermediate_court.contains("{J}")
            || !self.names.intermediate_court.contains("{N}")
        {
            bail!("[names] intermediate_court must contain {{J}} and {{N}}");
        }
        Ok(())
    }

    /// The jurisdiction levels a level character stands for (none for another character).
    pub fn level_places(&self, c: char) -> &[PlaceLevel] {
        self.level_chars
            .iter()
            .find(|l| l.char == c)
            .map_or(&[], |l| l.levels.as_slice())
    }

    /// Whether a place at `level` named `name` is one a level character stands for. A
    /// county-level division is the one its name's last character stands for (市 is 新乐市 in a
    /// 新乐市 report, 县 is 浚县); other places must be at one of the character's levels and end
    /// as its names do (区 is 宁夏回族自治区, never 天津市; 州 is an autonomous prefecture).
    pub fn level_char_stands_for(&self, c: char, level: PlaceLevel, name: &str) -> bool {
        let Some(entry) = self.level_chars.iter().find(|l| l.char == c) else {
            return false;
        };
        if level == PlaceLevel::District {
            return name.ends_with(c);
        }
        entry.levels.contains(&level)
            && match &entry.ending {
                Some(ending) => name.ends_with(ending.as_str()),
                None => name.ends_with(c),
            }
    }

    pub fn is_level_char(&self, c: char) -> bool {
        self.level_chars.iter().any(|l| l.char == c)
    }

    pub fn is_numeral(&self, c: char) -> bool {
        self.numerals.contains(c)
    }

    /// What [`crate::segment`] needs to see list markers (一是, 二是).
    pub fn enumeration(&self) -> crate::segment::Enumeration<'_> {
        crate::segment::Enumeration {
            numerals: &self.numerals,
            copula: self.segment.enumeration_copula,
        }
    }
}

/// Which rule reads a page-furniture word (`uses` column of page_furniture.tsv).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FurnitureUse {
    /// HTML toolbar and navigation words (crates/read).
    Toolbar,
    /// HTML navigation line prefixes (crates/read).
    Navigation,
    /// HTML footer marks (crates/read).
    Footer,
    /// HTML site-host line prefixes (crates/read).
    Host,
    /// Heading lines that are not the title (extract::metadata).
    Heading,
    /// Source lines the synthetic-corpus generator does not cut (tools/synth).
    SourceText,
}

impl FurnitureUse {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "toolbar" => Self::Toolbar,
            "navigation" => Self::Navigation,
            "footer" => Self::Footer,
            "host" => Self::Host,
            "heading" => Self::Heading,
            "source_text" => Self::SourceText,
            _ => return None,
        })
    }
}

/// `data/page_furniture.tsv`: each word with its uses, in table order.
#[derive(Debug, Clone, Default)]
pub struct PageFurniture {
    pub words: Vec<(String, Vec<FurnitureUse>)>,
}

impl PageFurniture {
    /// `rows` are (line number, cells) of the table with columns `word uses`.
    pub fn from_rows(rows: Vec<(usize, Vec<String>)>) -> Result<Self> {
        let mut words = Vec::with_capacity(rows.len());
        let mut seen = rustc_hash::FxHashSet::default();
        for (line, mut cells) in rows {
            let uses = cells[1]
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|u| {
                    FurnitureUse::parse(u)
                        .ok_or_else(|| anyhow!("{FURNITURE_FILE}:{line}: unknown use `{u}`"))
                })
                .collect::<Result<Vec<_>>>()?;
            if uses.is_empty() {
                bail!("{FURNITURE_FILE}:{line}: `{}` has no use", cells[0]);
            }
            let word = std::mem::take(&mut cells[0]);
            if !seen.insert(word.clone()) {
                bail!("{FURNITURE_FILE}:{line}: `{word}` is listed twice");
            }
            words.push((word, uses));
        }
        Ok(Self { words })
    }

    /// The words of one use, in table order.
    pub fn words_for(&self, wanted: FurnitureUse) -> Vec<String> {
        self.words
            .iter()
            .filter(|(_, uses)| uses.contains(&wanted))
            .map(|(w, _)| w.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefecture_is_written_short_before_a_committee_written_short() {
        let vocabulary = Vocabulary::parse(include_str!("../../../data/rule_vocabulary.toml"))
            .expect("vocabulary");
        let names = &vocabulary.names;
        assert_eq!(
            names.fill_jurisdiction("中共{J}委全面依法治地委员会", "喀什地区"),
            "中共喀什地委全面依法治地委员会"
        );
        // The committee's full name keeps the place as it is; so does any other place.
        assert_eq!(
            names.fill_jurisdiction("中共{J}委员会", "喀什地区"),
            "中共喀什地区委员会"
        );
        assert_eq!(
            names.fill_jurisdiction("中共{J}委全面依法治市委员会", "兰州市"),
            "中共兰州市委全面依法治市委员会"
        );
        assert_eq!(
            names.fill_jurisdiction("中共{J}纪律检查委员会、{J}监察委员会", "阿里地区"),
            "中共阿里地区纪律检查委员会、阿里地区监察委员会"
        );
    }
}
