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

/// The table `govkg eval` prints: one block per report, then the micro-averaged total.
pub fn render(reports: &[ReportScore], verbose: bool) -> String {
    let mut out = String::new();
    let mut total: BTreeMap<&str, Score> = BTreeMap::new();
    let mut exact = (0, 0);
    for report in reports {
        let _ = writeln!(out, "{}", report.doc);
        render_block(
            &mut out,
            &report.categories,
            report.exact_law_titles,
            verbose,
        );
        for (category, score) in &report.categories {
            total.entry(category).or_default().add(score);
        }
        exact.0 += report.exact_law_titles.0;
        exact.1 += report.exact_law_titles.1;
    }
    if reports.len() > 1 {
        let _ = writeln!(out, "ALL ({} reports)", reports.len());
        render_block(&mut out, &total, exact, false);
    }
    out
}

fn render_block(
    out: &mut String,
    categories: &BTreeMap<&str, Score>,
    exact: (usize, usize),
    verbose: bool,
) {
    let _ = writeln!(
        out,
        "  {:<18} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
        "category", "tp", "fp", "fn", "precision", "recall", "f1"
    );
    for category in CATEGORIES {
        if let Some(s) = categories.get(category) {
            let _ = writeln!(
                out,
                "  {:<18} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}",
                category,
                s.tp,
                s.fp,
                s.fn_,
                s.precision(),
                s.recall(),
                s.f1()
            );
        }
    }
    let mut entity = Score::default();
    for c in ENTITY_CATEGORIES {
        if let Some(s) = categories.get(c) {
            entity.add(s);
        }
    }
    let _ = writeln!(
        out,
        "  {:<18} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}",
        "entities (a+l+i)",
        entity.tp,
        entity.fp,
        entity.fn_,
        entity.precision(),
        entity.recall(),
        entity.f1()
    );
    let _ = writeln!(out, "  canonical law titles exact: {}/{}", exact.0, exact.1);
    if verbose {
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
}

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
