//! The development set from the provinces govkg has no texts of (tests/devset): short report
//! openings from 山西 内蒙古 辽宁 吉林 黑龙江 江西 湖南 广西 海南 贵州 云南 西藏 甘肃 青海 宁夏 新疆,
//! at every level (province, 自治州, 盟, 地区, city, county, 旗, district, department, 乡, 街道),
//! with the answers in `tests/devset/openings/expected.toml` (sources in tests/devset/SOURCES.md).
//!
//! For each file it runs the pipeline and compares the report's author, its jurisdiction and the
//! agency each relative form (州委, 盟委, 行署, 旗人民政府, 局党组, 县司法局 …) resolves to. It prints
//! one block per file and the totals (`cargo test --release -p govkg-core --test devset --
//! --nocapture`).
//!
//! Matching: the author by `normalize_name`; the jurisdiction by its full name (the place's chain
//! from the province down, 河南省 + 鹤壁市 + 浚县 = 河南省鹤壁市浚县); a relative form is right when
//! the agencies that list it as a mention are exactly the expected one (an empty expected canonical
//! means no agency may list it).
//!
//! REGRESSION GUARD: the floors below are the figures measured when this test was written. A drop
//! fails; a rise is welcome, and the floors may then be raised to the new figures.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use govkg_core::knowledge::{normalize_name, Knowledge, PlaceLevel};
use govkg_core::model::{Document, Extraction};
use govkg_core::pipeline;

/// Floors: the number right when the set was written (39 reports, 137 relative forms) was
/// author 15/39, jurisdiction 28/39, relative forms 90/137; with 40 to 63 added (207 relative
/// forms in all), the floors are today's figures.
const REPORTS: usize = 63;
const AUTHOR_FLOOR: usize = 63;
const JURISDICTION_FLOOR: usize = 63;
const RELATIVE_FORMS_FLOOR: usize = 207;

#[derive(Deserialize)]
struct Expected {
    report: Vec<ExpectedReport>,
}

#[derive(Deserialize)]
struct ExpectedReport {
    file: String,
    province: String,
    form: String,
    author: String,
    jurisdiction: String,
    /// (surface form as written, canonical agency it denotes; "" for none).
    agencies: Vec<(String, String)>,
}

#[derive(Default)]
struct Tally {
    author: (usize, usize),
    jurisdiction: (usize, usize),
    forms: (usize, usize),
}

fn openings() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/devset/openings")
}

/// The full name of a place canonical (its chain from the province down, each name once), or the
/// name itself when the gazetteer does not know it.
fn full_place_name(knowledge: &Knowledge, canonical: &str) -> String {
    let Some(place) = knowledge
        .places
        .iter()
        .position(|p| p.canonical == canonical)
    else {
        return canonical.to_string();
    };
    let mut full = String::new();
    let mut previous = "";
    for &p in knowledge.place_chain(place).iter().rev() {
        let entry = &knowledge.places[p];
        if entry.level == PlaceLevel::National {
            continue;
        }
        let name = entry.canonical.as_str();
        // 北京市 then 北京市朝阳区: the child already repeats its parent's name.
        full.push_str(name.strip_prefix(previous).unwrap_or(name));
        previous = name;
    }
    full
}

/// The canonicals of the agencies that list `surface` among their mentions.
fn resolved(extraction: &Extraction, surface: &str) -> BTreeSet<String> {
    extraction
        .agencies
        .iter()
        .filter(|a| a.mentions.iter().any(|m| m == surface))
        .map(|a| a.canonical.clone())
        .collect()
}

fn mark(right: bool) -> &'static str {
    if right {
        "ok "
    } else {
        "XX "
    }
}

fn add(pair: &mut (usize, usize), right: bool) {
    pair.0 += usize::from(right);
    pair.1 += 1;
}

/// Scores one report, adding to `tally`, and returns its printed block.
fn score(
    key: &ExpectedReport,
    extraction: &Extraction,
    knowledge: &Knowledge,
    tally: &mut Tally,
) -> String {
    let mut out = format!("--- {} ({}, {})\n", key.file, key.province, key.form);
    let got_author = extraction.author.clone().unwrap_or_default();
    let author_right = normalize_name(&got_author) == normalize_name(&key.author);
    add(&mut tally.author, author_right);
    out += &format!(
        "  {}author        expected {} | got {}\n",
        mark(author_right),
        key.author,
        or_none(&got_author)
    );
    let got_place = extraction.jurisdiction.clone().unwrap_or_default();
    let full = full_place_name(knowledge, &got_place);
    let place_right =
        !got_place.is_empty() && (full == key.jurisdiction || got_place == key.jurisdiction);
    add(&mut tally.jurisdiction, place_right);
    out += &format!(
        "  {}jurisdiction  expected {} | got {}\n",
        mark(place_right),
        key.jurisdiction,
        or_none(&full)
    );
    for (surface, canonical) in &key.agencies {
        let got = resolved(extraction, surface);
        let right = if canonical.is_empty() {
            got.is_empty()
        } else {
            got.len() == 1 && got.contains(canonical)
        };
        add(&mut tally.forms, right);
        let got_text = if got.is_empty() {
            "—".to_string()
        } else {
            got.into_iter().collect::<Vec<_>>().join(" / ")
        };
        let expected = if canonical.is_empty() {
            "(none)"
        } else {
            canonical.as_str()
        };
        out += &format!(
            "  {}{surface} → expected {expected} | got {got_text}\n",
            mark(right)
        );
    }
    out
}

fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "(none)"
    } else {
        s
    }
}

#[test]
fn devset_figures_stay_at_least_where_they_were() {
    let knowledge = Knowledge::embedded().expect("the built-in knowledge tables load");
    let key_path = openings().join("expected.toml");
    let key_text = std::fs::read_to_string(&key_path)
        .unwrap_or_else(|e| panic!("{}: {e}", key_path.display()));
    let expected: Expected =
        toml::from_str(&key_text).unwrap_or_else(|e| panic!("{}: {e}", key_path.display()));
    let mut tally = Tally::default();
    for key in &expected.report {
        let path = openings().join(&key.file);
        let source =
            govkg_read::read_source(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc = Document::new(
            key.file.clone(),
            source.text,
            source.format.as_str(),
            source.encoding,
        );
        let extraction = pipeline::process(&doc, &knowledge);
        print!("{}", score(key, &extraction, &knowledge, &mut tally));
    }
    assert_eq!(
        expected.report.len(),
        REPORTS,
        "{}: number of reports",
        key_path.display()
    );
    let (a, j, f) = (tally.author, tally.jurisdiction, tally.forms);
    println!("=== devset: {} reports", expected.report.len());
    println!(
        "author right {}/{}, jurisdiction right {}/{}, relative forms right {}/{}",
        a.0, a.1, j.0, j.1, f.0, f.1
    );
    assert!(
        a.0 >= AUTHOR_FLOOR && j.0 >= JURISDICTION_FLOOR && f.0 >= RELATIVE_FORMS_FLOOR,
        "devset below its floors (author {AUTHOR_FLOOR}, jurisdiction {JURISDICTION_FLOOR}, relative forms {RELATIVE_FORMS_FLOOR}): \
         author {}/{}, jurisdiction {}/{}, relative forms {}/{}",
        a.0, a.1, j.0, j.1, f.0, f.1
    );
}
