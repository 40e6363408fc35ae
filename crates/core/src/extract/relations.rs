//! Relation rules.
//!
//! - implements: the author carries out every initiative its report names (the subject of most
//!   sentences is implicit: the author); in addition, a body named right before an initiative in
//!   the same clause (落实国务院“证照分离”, 配合市委依法治市办开展“一规划两纲要”…) carries it out too.
//! - cites: the author studies, publicises or applies every law its report names; a body named
//!   right before a law it studies (市委理论学习中心组专题学习《…》) cites it too.
//!
//! The evidence is the clause around the target mention.

use super::{AgencyRef, Context, Mention, Referent};
use crate::model::Span;
use crate::segment;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelationKind {
    Implements,
    Cites,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationCandidate {
    pub kind: RelationKind,
    pub agent: AgencyRef,
    /// Index into the mention list.
    pub target: usize,
    pub evidence: Span,
}

/// How far (in characters) before an initiative a named body may stand and still be its agent.
const AGENT_WINDOW_CHARS: usize = 8;
/// How many mentions back from an initiative the search for its body goes.
const MAX_MENTIONS_BACK: usize = 32;

pub fn find(cx: &Context<'_>, mentions: &[Mention]) -> Vec<RelationCandidate> {
    let mut out = Vec::new();
    let mut clauses = segment::ClauseCursor::new(cx.text, cx.knowledge.vocabulary.enumeration());
    for (index, mention) in mentions.iter().enumerate() {
        if cx.budget.spent() {
            break;
        }
        let kind = match &mention.referent {
            Referent::Initiative(_) => RelationKind::Implements,
            Referent::Law(_) => RelationKind::Cites,
            _ => continue,
        };
        let evidence = clauses.clause_around(mention.span);
        out.push(RelationCandidate {
            kind,
            agent: AgencyRef::Author,
            target: index,
            evidence,
        });
        let agent = match kind {
            RelationKind::Implements => named_agent(cx, mentions, mention.span, evidence),
            RelationKind::Cites => studying_agent(cx, mentions, mention.span, evidence),
        };
        if let Some(agent) = agent {
            let evidence = Span::new(evidence.start.min(agent.1.start), evidence.end);
            out.push(RelationCandidate {
                kind,
                agent: agent.0,
                target: index,
                evidence,
            });
        }
    }
    out
}

/// A body named right before the law `target` that it studies, in the same clause: between
/// them at most one of the body's organs (理论学习中心组, 常委会) and a few words with a study verb.
fn studying_agent(
    cx: &Context<'_>,
    mentions: &[Mention],
    target: Span,
    clause: Span,
) -> Option<(AgencyRef, Span)> {
    let words = &cx.knowledge.vocabulary.relations;
    // A law in a title is read from the title's opening bracket.
    let at = cx
        .title_containing(target)
        .map_or(target.start, |t| t.outer.start);
    let agent = nearest_body_before(mentions, clause, at)?;
    let gap = &cx.text[agent.span.end..at];
    let gap = words
        .study_organs
        .iter()
        .find_map(|organ| gap.strip_prefix(organ.as_str()))
        .unwrap_or(gap);
    if gap.chars().take(words.study_gap_chars + 1).count() > words.study_gap_chars
        || gap.contains(|c| words.agent_gap_breaks.contains(c))
        || !words.study_verbs.iter().any(|v| gap.contains(v.as_str()))
    {
        return None;
    }
    other_than_author(agent)
}

/// A body named shortly before `target` in the same clause, with nothing but a verb or a run of
/// quoted names between (国务院“证照分离”“高效办成一次办”“跨省通办”).
fn named_agent(
    cx: &Context<'_>,
    mentions: &[Mention],
    target: Span,
    clause: Span,
) -> Option<(AgencyRef, Span)> {
    let mut at = target.start;
    if let Some(q) = cx
        .quote_containing(Span::new(at, at))
        .filter(|q| q.outer.start < at)
    {
        at = q.outer.start;
    }
    // Step back over a run of quoted initiatives (“甲”“乙”、“丙”).
    let at = cx.quote_run_start(at, "、");
    let agent = nearest_body_before(mentions, clause, at)?;
    // 在区政务服务中心设立“…”专区: a place where the author acts, not an actor.
    let words = &cx.knowledge.vocabulary.relations;
    if words
        .place_prepositions
        .iter()
        .any(|p| cx.text[..agent.span.start].ends_with(p.as_str()))
    {
        return None;
    }
    let gap = &cx.text[agent.span.end..at];
    if gap.chars().take(AGENT_WINDOW_CHARS + 1).count() > AGENT_WINDOW_CHARS
        || gap.contains(|c| words.agent_gap_breaks.contains(c))
    {
        return None;
    }
    other_than_author(agent)
}

/// The nearest body mentioned in `clause` that ends by `at`. Mentions are sorted by span: only
/// those starting inside [clause.start, at] can qualify; looking further back than a few dozen
/// mentions cannot find one within a window, and would make a clause of many mentions cost
/// their square.
fn nearest_body_before(mentions: &[Mention], clause: Span, at: usize) -> Option<&Mention> {
    let first = mentions.partition_point(|m| m.span.start < clause.start);
    let last = mentions.partition_point(|m| m.span.start <= at);
    mentions[first..last.max(first)]
        .iter()
        .rev()
        .take(MAX_MENTIONS_BACK)
        .find(|m| m.span.end <= at && matches!(m.referent, Referent::Agency(_)))
}

/// The body `agent` names, with its span, unless it is the author (who is the agent anyway).
fn other_than_author(agent: &Mention) -> Option<(AgencyRef, Span)> {
    match &agent.referent {
        Referent::Agency(AgencyRef::Author) => None,
        Referent::Agency(a) => Some((a.clone(), agent.span)),
        _ => None,
    }
}
