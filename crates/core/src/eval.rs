//! `govkg eval`: scores extractions against answer keys (tests/gold/README.md schema).
//!
//! Matching, as the accuracy issue defines it: a predicted item matches a key item when their
//! canonical names, or any of their mentions, agree once quotes, brackets and white space are
//! dropped; a relation matches when both endpoints match. Key items marked `optional`, and
//! predictions that match only them or the `slogans`/`generic_org_phrases` lists, count neither way.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use serde::Deserialize;

use crate::kinds::{EntityKind, RelationKind};
use crate::knowledge::normalize_name;
use crate::model::{Extraction, RelationView};

#[derive(Debug, Deserialize)]
pub struct GoldKey {
    pub doc: String,
    /// Canonical full name of the reporting agency; a key without one is not counted for it.
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub agencies: Vec<GoldEntity>,
    #[serde(default)]
    pub laws: Vec<GoldEntity>,
    #[serde(default)]
    pub policy_documents: Vec<GoldEntity>,
    #[serde(default)]
    pub initiatives: Vec<GoldEntity>,
    #[serde(default)]
    pub implements: Vec<GoldRelation>,
    #[serde(default)]
    pub cites: Vec<GoldRelation>,
    #[serde(default)]
    pub slogans: Vec<String>,
    #[serde(default)]
    pub generic_org_phrases: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct GoldEntity {
    #[serde(alias = "title")]
    pub canonical: String,
    #[serde(default)]
    pub mentions: Vec<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub optional: bool,
}

#[derive(Debug, Deserialize)]
pub struct GoldRelation {
    pub agency: String,
    #[serde(alias = "initiative", alias = "law")]
    pub target: String,
    #[serde(default)]
    pub optional: bool,
}

/// The categories whose micro-average is the "entities" score of the accuracy bar.
pub const ENTITY_CATEGORIES: &[&str] = &["agencies", "laws", "initiatives"];

pub const CATEGORIES: &[&str] = &[
    "agencies",
    "laws",
    "policy_documents",
    "initiatives",
    "implements",
    "cites",
];

/// True/false positives and misses of one category, with the items for `--verbose`.
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub false_hits: Vec<String>,
    pub misses: Vec<String>,
}

impl Score {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    pub fn add(&mut self, other: &Score) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
        self.false_hits.extend(other.false_hits.iter().cloned());
        self.misses.extend(other.misses.iter().cloned());
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores of one report.
#[derive(Debug, Clone, Default)]
pub struct ReportScore {
    pub doc: String,
    pub categories: BTreeMap<&'static str, Score>,
    /// Matched laws whose predicted canonical title equals the key's, and all matched laws.
    pub exact_law_titles: (usize, usize),
    /// Whether the predicted author is the key's (normalised names); `None` when the key has none.
    pub author_right: Option<bool>,
    /// Matched agencies whose predicted canonical name is the key's (normalised), and all
    /// matched agencies.
    pub agency_full_names: (usize, usize),
}

/// A named thing on either side: the names it answers to, normalised.
struct Item {
    label: String,
    names: HashSet<String>,
    optional: bool,
}

fn names<'a>(
    canonical: &'a str,
    mentions: impl IntoIterator<Item = &'a String>,
) -> HashSet<String> {
    std::iter::once(canonical)
        .chain(mentions.into_iter().map(String::as_str))
        .map(normalize_name)
        .filter(|n| !n.is_empty())
        .collect()
}

/// 1-to-1 greedy matching of predictions to required key items; returns the score and, for each
/// prediction, the index of the key item it matched.
fn match_items(
    predicted: &[Item],
    key: &[Item],
    either_way: &HashSet<String>,
) -> (Score, Vec<Option<usize>>) {
    let mut score = Score::default();
    let mut taken = vec![false; key.len()];
    let mut matched: Vec<Option<usize>> = vec![None; predicted.len()];
    // Exact canonical agreement first, then any name overlap.
    for pass in 0..2 {
        for (p, item) in predicted.iter().enumerate() {
            if matched[p].is_some() {
                continue;
            }
            let hit = key.iter().enumerate().find(|(g, k)| {
                !taken[*g]
                    && !k.optional
                    && if pass == 0 {
                        normalize_name(&k.label) == normalize_name(&item.label)
                    } else {
                        !k.names.is_disjoint(&item.names)
                    }
            });
            if let Some((g, _)) = hit {
                taken[g] = true;
                matched[p] = Some(g);
            }
        }
    }
    for (p, item) in predicted.iter().enumerate() {
        if matched[p].is_some() {
            score.tp += 1;
            continue;
        }
        let neutral = key
            .iter()
            .any(|k| k.optional && !k.names.is_disjoint(&item.names))
            || item.names.iter().any(|n| either_way.contains(n));
        if !neutral {
            score.fp += 1;
            score.false_hits.push(item.label.clone());
        }
    }
    for (g, k) in key.iter().enumerate() {
        if !k.optional && !taken[g] {
            score.fn_ += 1;
            score.misses.push(k.label.clone());
        }
    }
    (score, matched)
}

/// One kind of entity on both sides: the predicted and the key items, and which key item each
/// prediction matched.
struct Matched {
    predicted: Vec<Item>,
    key: Vec<Item>,
    matches: Vec<Option<usize>>,
}

impl Matched {
    fn new(predicted: Vec<Item>, key: Vec<Item>, either_way: &HashSet<String>) -> (Score, Self) {
        let (score, matches) = match_items(&predicted, &key, either_way);
        (
            score,
            Self {
                predicted,
                key,
                matches,
            },
        )
    }

    /// The names a predicted endpoint goes by: its own, and those of the key item it matched.
    fn predicted_names(&self, name: &str) -> HashSet<String> {
        let mut out = names(name, []);
        if let Some(p) = self.predicted.iter().position(|i| i.label == name) {
            out.extend(self.predicted[p].names.iter().cloned());
            if let Some(g) = self.matches[p] {
                out.extend(self.key[g].names.iter().cloned());
            }
        }
        out
    }

    /// Whether a predicted endpoint matched no required key item but an optional one. The
    /// README drops predictions that match optional items, and a relation with an optional
    /// endpoint is optional itself.
    fn only_optional(&self, name: &str) -> bool {
        let Some(p) = self.predicted.iter().position(|i| i.label == name) else {
            return false;
        };
        self.matches[p].is_none()
            && self
                .key
                .iter()
                .any(|k| k.optional && !k.names.is_disjoint(&self.predicted[p].names))
    }

    /// The names a key endpoint goes by, and whether the key marks it optional.
    fn key_names(&self, name: &str) -> (HashSet<String>, bool) {
        match self.key.iter().find(|i| i.label == name) {
            Some(i) => (i.names.clone(), i.optional),
            None => (names(name, []), false),
        }
    }
}

fn key_items(list: &[GoldEntity]) -> Vec<Item> {
    list.iter()
        .map(|e| Item {
            label: e.canonical.clone(),
            names: names(&e.canonical, &e.mentions),
            optional: e.optional,
        })
        .collect()
}

fn predicted_items(extraction: &Extraction, kind: EntityKind) -> Vec<Item> {
    extraction
        .entities_of(kind)
        .iter()
        .map(|e| Item {
            label: e.canonical.to_string(),
            names: names(e.canonical, e.mentions),
            optional: false,
        })
        .collect()
}

pub fn score(extraction: &Extraction, key: &GoldKey) -> ReportScore {
    let either_way: HashSet<String> = key
        .slogans
        .iter()
        .chain(&key.generic_org_phrases)
        .map(|s| normalize_name(s))
        .collect();
    let mut report = ReportScore {
        doc: key.doc.clone(),
        ..Default::default()
    };
    let mut side = |category: &'static str, kind: EntityKind, gold: &[GoldEntity]| {
        let predicted = predicted_items(extraction, kind);
        let (s, matched) = Matched::new(predicted, key_items(gold), &either_way);
        report.categories.insert(category, s);
        matched
    };
    let agencies = side("agencies", EntityKind::Agency, &key.agencies);
    let laws = side("laws", EntityKind::Law, &key.laws);
    side(
        "policy_documents",
        EntityKind::PolicyDocument,
        &key.policy_documents,
    );
    let initiatives = side("initiatives", EntityKind::Initiative, &key.initiatives);
    let exact = laws
        .matches
        .iter()
        .enumerate()
        .filter_map(|(p, g)| g.map(|g| (p, g)))
        .filter(|&(p, g)| extraction.laws[p].canonical == key.laws[g].canonical)
        .count();
    report.exact_law_titles = (exact, report.categories["laws"].tp);
    report.agency_full_names = agency_full_names(&agencies);
    report.author_right = author_right(extraction, key);

    for (category, kind, gold, targets) in [
        (
            "implements",
            RelationKind::Implements,
            &key.implements,
            &initiatives,
        ),
        ("cites", RelationKind::Cites, &key.cites, &laws),
    ] {
        let predicted = extraction.relations_of(kind);
        let score = score_relations(&predicted, gold, &agencies, targets, &either_way);
        report.categories.insert(category, score);
    }
    report
}

/// Matched agencies whose predicted canonical name is the key's canonical name once both are
/// normalised, and all matched agencies.
fn agency_full_names(agencies: &Matched) -> (usize, usize) {
    let matched: Vec<(usize, usize)> = agencies
        .matches
        .iter()
        .enumerate()
        .filter_map(|(p, g)| g.map(|g| (p, g)))
        .collect();
    let right = matched
        .iter()
        .filter(|&&(p, g)| {
            normalize_name(&agencies.predicted[p].label) == normalize_name(&agencies.key[g].label)
        })
        .count();
    (right, matched.len())
}

/// Whether the extraction names the key's author (a missing prediction is wrong); `None` when the
/// key names no author.
fn author_right(extraction: &Extraction, key: &GoldKey) -> Option<bool> {
    let gold = normalize_name(key.author.as_deref()?);
    if gold.is_empty() {
        return None;
    }
    Some(
        extraction
            .author
            .as_deref()
            .is_some_and(|a| normalize_name(a) == gold),
    )
}

/// Relations: endpoints are compared through the entity they resolve to on each side.
fn score_relations(
    predicted: &[RelationView<'_>],
    gold: &[GoldRelation],
    agencies: &Matched,
    targets: &Matched,
    either_way: &HashSet<String>,
) -> Score {
    let mut score = Score::default();
    let key_rel: Vec<(HashSet<String>, HashSet<String>, bool, String)> = gold
        .iter()
        .map(|r| {
            let (a, a_opt) = agencies.key_names(&r.agency);
            let (t, t_opt) = targets.key_names(&r.target);
            (
                a,
                t,
                r.optional || a_opt || t_opt,
                format!("{} → {}", r.agency, r.target),
            )
        })
        .collect();
    let mut taken = vec![false; key_rel.len()];
    for relation in predicted {
        let a = agencies.predicted_names(relation.agent);
        let t = targets.predicted_names(relation.target);
        let found = key_rel.iter().enumerate().find(|(i, (ka, kt, opt, _))| {
            !taken[*i] && !opt && !ka.is_disjoint(&a) && !kt.is_disjoint(&t)
        });
        if let Some((i, _)) = found {
            taken[i] = true;
            score.tp += 1;
        } else if key_rel
            .iter()
            .any(|(ka, kt, opt, _)| *opt && !ka.is_disjoint(&a) && !kt.is_disjoint(&t))
            || t.iter().any(|n| either_way.contains(n))
            || agencies.only_optional(relation.agent)
            || targets.only_optional(relation.target)
        {
            // neutral
        } else {
            score.fp += 1;
            score
                .false_hits
                .push(format!("{} → {}", relation.agent, relation.target));
        }
    }
    for (i, (_, _, opt, label)) in key_rel.iter().enumerate() {
        if !opt && !taken[i] {
            score.fn_ += 1;
            score.misses.push(label.clone());
        }
    }
    score
}

/// The table `govkg eval` prints: one block per report, the micro-averaged total, then the run's
/// summary in the columns.
pub fn render(reports: &[ReportScore], verbose: bool) -> String {
    let mut out = String::new();
    for report in reports {
        let _ = writeln!(out, "{}", report.doc);
        render_block(&mut out, &report.categories);
        let author = match report.author_right {
            Some(true) => "yes",
            Some(false) => "no",
            None => "not in key",
        };
        render_counts(
            &mut out,
            report.exact_law_titles,
            report.agency_full_names,
            author,
        );
        if verbose {
            render_items(&mut out, &report.categories);
        }
    }
    let summary = summary(reports);
    if reports.len() > 1 {
        let _ = writeln!(out, "ALL ({} reports)", reports.len());
        let total: BTreeMap<&str, Score> = totals(reports)
            .into_iter()
            .filter_map(|(c, s)| CATEGORIES.iter().find(|k| **k == c).map(|k| (*k, s)))
            .collect();
        render_block(&mut out, &total);
        let author = counted(summary.author_right);
        render_counts(
            &mut out,
            summary.exact_law_titles,
            summary.agency_full_names,
            &author,
        );
    }
    render_summary(&mut out, &summary);
    out
}

/// `right/all (ratio)`, or `right/all` alone when there is nothing to count.
fn counted((right, all): (usize, usize)) -> String {
    match fraction((right, all)) {
        Some(f) => format!("{right}/{all} ({f:.3})"),
        None => format!("{right}/{all}"),
    }
}

fn fraction((right, all): (usize, usize)) -> Option<f64> {
    (all > 0).then(|| right as f64 / all as f64)
}

fn render_block(out: &mut String, categories: &BTreeMap<&str, Score>) {
    let row = |out: &mut String, name: &str, s: &Score| {
        let _ = writeln!(
            out,
            "  {:<18} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}",
            name,
            s.tp,
            s.fp,
            s.fn_,
            s.precision(),
            s.recall(),
            s.f1()
        );
    };
    let _ = writeln!(
        out,
        "  {:<18} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
        "category", "tp", "fp", "fn", "precision", "recall", "f1"
    );
    for category in CATEGORIES {
        if let Some(s) = categories.get(category) {
            row(out, category, s);
        }
    }
    let mut entity = Score::default();
    for c in ENTITY_CATEGORIES {
        if let Some(s) = categories.get(c) {
            entity.add(s);
        }
    }
    row(out, "entities (a+l+i)", &entity);
}

fn render_counts(
    out: &mut String,
    exact: (usize, usize),
    agency_full_names: (usize, usize),
    author: &str,
) {
    let _ = writeln!(out, "  canonical law titles exact: {}/{}", exact.0, exact.1);
    let _ = writeln!(
        out,
        "  agency full names right: {}",
        counted(agency_full_names)
    );
    let _ = writeln!(out, "  author right: {author}");
}

fn render_items(out: &mut String, categories: &BTreeMap<&str, Score>) {
    for category in CATEGORIES {
        if let Some(s) = categories.get(category) {
            for m in &s.misses {
                let _ = writeln!(out, "    miss   {category:<16} {m}");
            }
            for f in &s.false_hits {
                let _ = writeln!(out, "    false  {category:<16} {f}");
            }
        }
    }
}

/// The columns for the whole run, one header line and one line of figures.
fn render_summary(out: &mut String, s: &Summary) {
    let columns = [
        format!("{:.3}", s.entities.f1()),
        format!("{:.3}", s.implements.f1()),
        format!("{:.3}", s.cites.f1()),
        counted(s.agency_full_names),
        counted(s.author_right),
    ];
    let widths: Vec<usize> = SUMMARY_COLUMNS
        .iter()
        .zip(&columns)
        .map(|(h, c)| h.chars().count().max(c.chars().count()))
        .collect();
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        cells
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let _ = writeln!(out, "SUMMARY ({} reports)", s.reports);
    let _ = writeln!(out, "  {}", line(&mut SUMMARY_COLUMNS.iter().copied()));
    let _ = writeln!(out, "  {}", line(&mut columns.iter().map(String::as_str)));
}

/// The column heads of the run summary, as the nationwide-extraction issue names them.
pub const SUMMARY_COLUMNS: [&str; 5] = [
    "entity micro-F1",
    "implements F1",
    "cites F1",
    "agency full names right",
    "author right",
];

/// Micro-averaged scores over reports, by category plus "entities".
pub fn totals(reports: &[ReportScore]) -> BTreeMap<String, Score> {
    let mut total: BTreeMap<String, Score> = BTreeMap::new();
    for report in reports {
        for (category, score) in &report.categories {
            total.entry((*category).to_string()).or_default().add(score);
            if ENTITY_CATEGORIES.contains(category) {
                total.entry("entities".into()).or_default().add(score);
            }
        }
    }
    total
}

/// A whole run in the columns: entity micro-F1, implements and cites F1, agency full
/// names right / matched, author right / counted (plus exact law titles).
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub reports: usize,
    pub entities: Score,
    pub implements: Score,
    pub cites: Score,
    pub exact_law_titles: (usize, usize),
    pub agency_full_names: (usize, usize),
    pub author_right: (usize, usize),
}

pub fn summary(reports: &[ReportScore]) -> Summary {
    let mut total = totals(reports);
    let mut take = |c: &str| total.remove(c).unwrap_or_default();
    let mut s = Summary {
        reports: reports.len(),
        entities: take("entities"),
        implements: take("implements"),
        cites: take("cites"),
        ..Default::default()
    };
    let add = |sum: &mut (usize, usize), (a, b): (usize, usize)| {
        sum.0 += a;
        sum.1 += b;
    };
    for r in reports {
        add(&mut s.exact_law_titles, r.exact_law_titles);
        add(&mut s.agency_full_names, r.agency_full_names);
        if let Some(right) = r.author_right {
            add(&mut s.author_right, (usize::from(right), 1));
        }
    }
    s
}

/// What `govkg eval --json` prints. `reports`, `totals.<category>` (tp, fp, fn, precision,
/// recall, f1) and `exact_law_titles` keep their meaning; `agency_full_names` and `author_right`
/// are [right, counted] pairs like `exact_law_titles`; `summary` holds the columns as
/// ratios (null when nothing was counted); `per_report` has each report's author and agency names.
pub fn json(reports: &[ReportScore]) -> serde_json::Value {
    use serde_json::json;
    let totals: serde_json::Map<String, serde_json::Value> = totals(reports)
        .into_iter()
        .map(|(k, s)| {
            let v = json!({"tp": s.tp, "fp": s.fp, "fn": s.fn_, "precision": s.precision(),
                "recall": s.recall(), "f1": s.f1()});
            (k, v)
        })
        .collect();
    let s = summary(reports);
    let per_report: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            json!({"doc": r.doc, "author_right": r.author_right,
                "agency_full_names": [r.agency_full_names.0, r.agency_full_names.1]})
        })
        .collect();
    let pair = |(a, b): (usize, usize)| json!([a, b]);
    json!({
        "reports": reports.len(),
        "totals": totals,
        "exact_law_titles": pair(s.exact_law_titles),
        "agency_full_names": pair(s.agency_full_names),
        "author_right": pair(s.author_right),
        "summary": {
            "entity_f1": s.entities.f1(),
            "implements_f1": s.implements.f1(),
            "cites_f1": s.cites.f1(),
            "agency_full_names_right": fraction(s.agency_full_names),
            "author_right": fraction(s.author_right),
        },
        "per_report": per_report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgencyRecord, ImplementsRecord};

    fn agency(canonical: &str, mentions: &[&str]) -> AgencyRecord {
        AgencyRecord {
            canonical: canonical.into(),
            mentions: mentions.iter().map(|m| m.to_string()).collect(),
            level: "district".into(),
            kind: "government".into(),
            jurisdiction: None,
            spans: Vec::new(),
        }
    }

    fn key(author: Option<&str>) -> GoldKey {
        serde_json::from_value(serde_json::json!({
            "doc": "t.txt",
            "author": author,
            "agencies": [
                {"canonical": "天津市东丽区司法局", "mentions": ["区司法局"]},
                {"canonical": "天津市东丽区人民政府", "mentions": ["区政府"]},
                {"canonical": "天津市东丽区人民政府政务服务办公室", "mentions": ["我办"]},
            ],
        }))
        .expect("a key")
    }

    fn extraction(author: Option<&str>) -> Extraction {
        Extraction {
            doc: "t.txt".into(),
            author: author.map(String::from),
            agencies: vec![
                // Matches its key agency through the mention, with a shorter name: not full.
                agency("东丽区司法局", &["区司法局"]),
                // The key's own name, but quoted and spaced: full once normalised.
                agency("天津市东丽区 人民政府", &["区政府"]),
                agency("天津市东丽区人民政府政务服务办公室", &["我办"]),
                // Matches no key agency: not among the matched.
                agency("天津市东丽区财政局", &[]),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn a_matched_agency_with_a_shorter_name_is_not_a_full_name() {
        let report = score(&extraction(None), &key(None));
        assert_eq!(report.categories["agencies"].tp, 3);
        assert_eq!(report.agency_full_names, (2, 3));
        let text = render(std::slice::from_ref(&report), false);
        assert!(
            text.contains("agency full names right: 2/3 (0.667)"),
            "{text}"
        );
    }

    #[test]
    fn the_author_is_right_only_when_it_is_the_keys() {
        let office = "天津市东丽区人民政府政务服务办公室";
        let right = score(&extraction(Some(office)), &key(Some(office)));
        assert_eq!(right.author_right, Some(true));
        // A wrong author, and a missing one, are both wrong.
        let wrong = score(
            &extraction(Some("天津市东丽区人民政府")),
            &key(Some(office)),
        );
        assert_eq!(wrong.author_right, Some(false));
        let missing = score(&extraction(None), &key(Some(office)));
        assert_eq!(missing.author_right, Some(false));
        // A key without an author is not counted.
        let uncounted = score(&extraction(Some(office)), &key(None));
        assert_eq!(uncounted.author_right, None);

        let run = [right, wrong, missing, uncounted];
        let s = summary(&run);
        assert_eq!(s.author_right, (1, 3));
        assert_eq!(s.agency_full_names, (8, 12));
        let text = render(&run, false);
        assert!(text.contains("author right: no"), "{text}");
        assert!(text.contains("author right: 1/3 (0.333)"), "{text}");
        for column in SUMMARY_COLUMNS {
            assert!(text.contains(column), "{column} missing:\n{text}");
        }
    }

    #[test]
    fn a_relation_to_an_optional_item_is_neither_right_nor_wrong() {
        let key: GoldKey = serde_json::from_value(serde_json::json!({
            "doc": "t.txt",
            "agencies": [{"canonical": "和平县人民政府", "mentions": []},
                         {"canonical": "中共广东省委员会", "mentions": ["省委"]}],
            "initiatives": [{"canonical": "1310具体部署", "mentions": [], "optional": true},
                            {"canonical": "放管服", "mentions": []}],
        }))
        .expect("a key");
        let initiative = |name: &str| crate::model::InitiativeRecord {
            canonical: name.into(),
            mentions: Vec::new(),
            scope: "local_brand".into(),
            spans: Vec::new(),
        };
        let implements = |agency: &str, initiative: &str| ImplementsRecord {
            agency: agency.into(),
            initiative: initiative.into(),
            evidence: String::new(),
            span: None,
        };
        let extraction = Extraction {
            doc: "t.txt".into(),
            agencies: vec![
                agency("和平县人民政府", &[]),
                agency("中共广东省委员会", &[]),
            ],
            initiatives: vec![initiative("1310具体部署"), initiative("放管服")],
            implements: vec![
                implements("中共广东省委员会", "1310具体部署"),
                implements("中共广东省委员会", "放管服"),
            ],
            ..Default::default()
        };
        let implements = &score(&extraction, &key).categories["implements"];
        // The first is dropped (its initiative is optional); the second is a false hit.
        assert_eq!((implements.tp, implements.fp, implements.fn_), (0, 1, 0));
    }

    #[test]
    fn the_json_keeps_the_old_fields_and_adds_the_summary() {
        let office = "天津市东丽区人民政府政务服务办公室";
        let run = [
            score(&extraction(Some(office)), &key(Some(office))),
            score(&extraction(None), &key(Some(office))),
        ];
        let v = json(&run);
        assert_eq!(v["reports"], 2);
        assert_eq!(v["totals"]["agencies"]["tp"], 6);
        assert!(v["totals"]["entities"]["f1"].is_f64());
        assert_eq!(v["exact_law_titles"], serde_json::json!([0, 0]));
        assert_eq!(v["agency_full_names"], serde_json::json!([4, 6]));
        assert_eq!(v["author_right"], serde_json::json!([1, 2]));
        assert_eq!(v["summary"]["author_right"], 0.5);
        assert_eq!(v["per_report"][1]["author_right"], false);
    }
}
