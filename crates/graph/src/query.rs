//! Query stage: named SPARQL queries (embedded from `queries/`) and result formatting.
//!
//! Architecture invariant: queries run over the union of all report graphs as the default graph,
//! so a query may ignore named graphs or use `GRAPH ?report { … }` to keep per-report provenance.

use std::io::Write;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};

use crate::error_line;
use oxigraph::model::{Literal, Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{
    CancellationToken, QueryEvaluationError, QueryResults, QuerySolutionIter, SparqlEvaluator,
};
use oxigraph::store::Store;

/// A query shipped with govkg. `text` starts with a comment header: `# name — what it answers`
/// and the lines after it up to the first `# Parameter` or empty `#` line (its purpose), then one
/// `# Parameter ?variable: what to give` line per variable meant to be bound with `--param`.
pub struct NamedQuery {
    pub name: &'static str,
    pub text: &'static str,
}

/// A variable a named query declares in its header, for `--param NAME=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryParameter {
    pub name: String,
    /// What to give, as the header says it.
    pub about: String,
}

impl NamedQuery {
    /// The header's comment lines, without `#` and surrounding blanks.
    fn header(&self) -> impl Iterator<Item = &'static str> {
        self.text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| l.trim_start_matches('#').trim())
    }

    /// What the query answers: the header's first paragraph, after the name.
    pub fn summary(&self) -> String {
        let mut lines = self.header();
        let first = lines
            .next()
            .and_then(|l| l.split_once('—').map(|(_, s)| s.trim()))
            .unwrap_or_default();
        let rest = lines.take_while(|l| !l.is_empty() && !l.starts_with("Parameter "));
        std::iter::once(first)
            .chain(rest)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The variables the header declares (`# Parameter ?name: what to give`), in its order.
    pub fn parameters(&self) -> Vec<QueryParameter> {
        self.header()
            .filter_map(|l| {
                let (name, about) = l.strip_prefix("Parameter ?")?.split_once(':')?;
                Some(QueryParameter {
                    name: name.trim().to_string(),
                    about: about.trim().to_string(),
                })
            })
            .collect()
    }
}

pub const NAMED_QUERIES: &[NamedQuery] = &[
    NamedQuery {
        name: "implementers",
        text: include_str!("../../../queries/implementers.rq"),
    },
    NamedQuery {
        name: "laws-cited",
        text: include_str!("../../../queries/laws-cited.rq"),
    },
    NamedQuery {
        name: "initiative-adoption",
        text: include_str!("../../../queries/initiative-adoption.rq"),
    },
    NamedQuery {
        name: "adoption-by-province",
        text: include_str!("../../../queries/adoption-by-province.rq"),
    },
    NamedQuery {
        name: "agency-profile",
        text: include_str!("../../../queries/agency-profile.rq"),
    },
    NamedQuery {
        name: "agencies",
        text: include_str!("../../../queries/agencies.rq"),
    },
    NamedQuery {
        name: "entity-profile",
        text: include_str!("../../../queries/entity-profile.rq"),
    },
];

pub fn named_query(name: &str) -> Option<&'static NamedQuery> {
    NAMED_QUERIES.iter().find(|q| q.name == name)
}

named_enum! {
    /// Output formats of `govkg query`: tables for SELECT and ASK answers, RDF for CONSTRUCT and
    /// DESCRIBE graphs.
    pub enum OutputFormat ("output format") {
        Table => "table",
        Csv => "csv",
        Tsv => "tsv",
        Json => "json",
        Jsonl => "jsonl" | "ndjson",
        Xml => "xml",
        Turtle => "turtle" | "ttl",
        Ntriples => "ntriples" | "nt",
        Nquads => "nquads" | "nq",
        Trig => "trig",
        RdfXml => "rdfxml" | "rdf",
        JsonLd => "jsonld" | "json-ld",
    }
}

impl OutputFormat {
    /// The RDF serialisation of a graph format; None for the table formats.
    pub fn rdf_format(self) -> Option<oxigraph::io::RdfFormat> {
        use oxigraph::io::{JsonLdProfileSet, RdfFormat};
        Some(match self {
            Self::Turtle => RdfFormat::Turtle,
            Self::Ntriples => RdfFormat::NTriples,
            Self::Nquads => RdfFormat::NQuads,
            Self::Trig => RdfFormat::TriG,
            Self::RdfXml => RdfFormat::RdfXml,
            Self::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            Self::Table | Self::Csv | Self::Tsv | Self::Json | Self::Jsonl | Self::Xml => {
                return None
            }
        })
    }

    /// The names of the formats for tables (`graph` false) or for graphs, for messages.
    pub fn names_for(graph: bool) -> Vec<&'static str> {
        Self::ALL
            .iter()
            .filter(|f| f.rdf_format().is_some() == graph)
            .map(|f| f.name())
            .collect()
    }
}

/// A variable binding given on the command line (`name=value`). Values become `@zh` literals
/// unless they look like an IRI (`<…>`) or a number, because govkg's labels are tagged `@zh`.
#[derive(Debug, Clone)]
pub struct Param {
    pub variable: Variable,
    pub value: Term,
}

impl FromStr for Param {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        let (name, value) = s
            .split_once('=')
            .ok_or_else(|| anyhow!("parameter `{s}` must look like name=value"))?;
        let variable = Variable::new(name.trim_start_matches(['?', '$']))
            .map_err(|e| anyhow!("parameter `{name}`: {e}"))?;
        let value: Term =
            if let Some(iri) = value.strip_prefix('<').and_then(|v| v.strip_suffix('>')) {
                oxigraph::model::NamedNode::new(iri)
                    .map_err(|e| anyhow!("parameter `{name}`: {e}"))?
                    .into()
            } else if let Ok(n) = value.parse::<i64>() {
                Literal::from(n).into()
            } else {
                Literal::new_language_tagged_literal_unchecked(value, "zh").into()
            };
        Ok(Self { variable, value })
    }
}

/// Why a query gave no answer. Callers branch on the kind (the server picks its status code from
/// it); the text is the one-line message govkg prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The text is not SPARQL 1.1 Query (it may be an update, which the caller can check).
    #[error("malformed SPARQL: {0}")]
    Syntax(String),
    /// A parameter names a variable the query does not have.
    #[error("the query has no variable {0} to bind")]
    UnknownParameter(Variable),
    /// A parameter's value cannot stand where the query uses its variable.
    #[error("cannot bind {variable}: {reason}")]
    Unbindable {
        variable: Variable,
        reason: &'static str,
    },
    /// Evaluation ran longer than the time limit and was cancelled.
    #[error("query timed out after {:.1} s", .0.as_secs_f64())]
    Timeout(Duration),
    /// The engine failed while evaluating (storage error, unsupported function…).
    #[error("query failed: {0}")]
    Evaluation(String),
    /// An expression of the query could build a value too large to hold
    /// ([`check_value_growth`]).
    #[error("query refused: {0}")]
    TooLarge(String),
    /// A CONSTRUCT or DESCRIBE query where a table of solutions was wanted.
    #[error(
        "query failed: CONSTRUCT/DESCRIBE results are graphs; use `govkg export` or --format turtle"
    )]
    GraphResult,
}

impl QueryError {
    /// Classifies an error of Oxigraph's evaluation: a cancellation under a time limit is that
    /// limit running out.
    pub fn evaluation(error: &QueryEvaluationError, timeout: Option<Duration>) -> Self {
        match (error, timeout) {
            (QueryEvaluationError::Cancelled, Some(limit)) => Self::Timeout(limit),
            _ => Self::Evaluation(error_line(error)),
        }
    }
}

/// Cancels a running query when its time is up; dropping it (query finished) disarms it.
pub struct Watchdog {
    _done: Option<std::sync::mpsc::Sender<()>>,
}

/// What a process does with a query still running [`OVERRUN_GRACE`] after its cancellation.
static ON_OVERRUN: std::sync::OnceLock<fn(Duration)> = std::sync::OnceLock::new();

/// How long a cancelled query may take to stop before it counts as overrunning. Oxigraph checks
/// the cancellation when it reads the store, not inside joins of rows it holds in memory (a
/// cross product of three scans with FILTER EXISTS never stops: EXISTS takes the cancellation
/// error as a match), so a query can run on long after its limit.
pub const OVERRUN_GRACE: Duration = Duration::from_millis(200);

/// Sets what happens when a cancelled query does not stop within [`OVERRUN_GRACE`]: the command
/// line exits with the timeout error (the evaluation cannot be stopped otherwise). Without it, the
/// query runs on and its caller waits.
pub fn on_overrun(action: fn(Duration)) {
    let _ = ON_OVERRUN.set(action);
}

impl Watchdog {
    /// Cancels `token` after `timeout`, unless dropped first; no limit, no thread.
    fn arm(token: CancellationToken, timeout: Option<Duration>) -> Self {
        let done = timeout.map(|limit| {
            let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
            std::thread::spawn(move || {
                use std::sync::mpsc::RecvTimeoutError::Timeout;
                if let Err(Timeout) = done_rx.recv_timeout(limit) {
                    token.cancel();
                    if let (Err(Timeout), Some(action)) =
                        (done_rx.recv_timeout(OVERRUN_GRACE), ON_OVERRUN.get())
                    {
                        action(limit);
                    }
                }
            });
            done_tx
        });
        Self { _done: done }
    }
}

/// Parses SPARQL 1.1 Query text into the algebra Oxigraph evaluates.
pub(crate) fn parse(sparql: &str) -> Result<spargebra::Query, QueryError> {
    spargebra::SparqlParser::new()
        .parse_query(sparql)
        .map_err(|e| QueryError::Syntax(error_line(&e)))
}

/// Parses a query, binds `params` in its algebra ([`bind_parameters`]) and evaluates it over the
/// union of all report graphs. Keep the returned [`Watchdog`] alive while consuming the results:
/// it cancels evaluation that runs longer than `timeout`.
pub fn run(
    store: &Store,
    sparql: &str,
    params: &[Param],
    timeout: Option<Duration>,
) -> Result<(QueryResults<'static>, Watchdog), QueryError> {
    let mut query = parse(sparql)?;
    bind_parameters(&mut query, params)?;
    evaluate(store, query, timeout)
}

/// Evaluates a parsed query over the union of all report graphs (see [`run`]).
pub(crate) fn evaluate(
    store: &Store,
    mut query: spargebra::Query,
    timeout: Option<Duration>,
) -> Result<(QueryResults<'static>, Watchdog), QueryError> {
    check_value_growth(&query)?;
    let token = CancellationToken::new();
    let order = defer_order(&mut query);
    // FROM / FROM NAMED choose the dataset themselves; only without them is the default graph
    // the union of the report graphs.
    let names_dataset = match &query {
        spargebra::Query::Select { dataset, .. }
        | spargebra::Query::Construct { dataset, .. }
        | spargebra::Query::Describe { dataset, .. }
        | spargebra::Query::Ask { dataset, .. } => dataset.is_some(),
    };
    let mut prepared = SparqlEvaluator::new()
        .with_cancellation_token(token.clone())
        .for_query(query);
    if !names_dataset {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    let watchdog = Watchdog::arm(token, timeout);
    let results = prepared
        .on_store(store)
        .execute()
        .map_err(|e| QueryError::evaluation(&e, timeout))?;
    let results = match (order, results) {
        (Some(order), QueryResults::Solutions(solutions)) => {
            let variables: Arc<[Variable]> = solutions.variables().into();
            let mut rows = Vec::new();
            for solution in solutions {
                let solution = solution.map_err(|e| QueryError::evaluation(&e, timeout))?;
                rows.push(solution.values().to_vec());
            }
            sort_rows(&mut rows, &variables, &order);
            QueryResults::Solutions(QuerySolutionIter::from_tuples(
                variables,
                rows.into_iter().map(Ok),
            ))
        }
        (_, results) => results,
    };
    Ok((results, watchdog))
}

/// Longest value, in bytes, a query is taken to read from the store when bounding what its
/// expressions build (the stored values are names, titles and evidence sentences, far shorter).
pub const STORED_VALUE_BYTES: f64 = 64.0 * 1024.0;
/// Longest value, in bytes, an expression of a query may build (for any row). Oxigraph checks
/// the time limit between steps of evaluation, not inside one expression, and keeps every value
/// it builds in memory, so a query whose expressions could build more is refused before it runs:
/// 24 nested `BIND(CONCAT(?x, ?x) AS ?y)` double a value 24 times (16 s and 3.6 GB under a
/// 10 s limit before this check).
pub const MAX_BUILT_VALUE_BYTES: f64 = 16.0 * 1024.0 * 1024.0;

/// Refuses a query one of whose expressions could build a value over [`MAX_BUILT_VALUE_BYTES`],
/// taking values read from the store as up to [`STORED_VALUE_BYTES`]: nested CONCAT, REPLACE,
/// UCASE, ENCODE_FOR_URI… multiply the length of strings.
pub fn check_value_growth(query: &spargebra::Query) -> Result<(), QueryError> {
    let pattern = match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    };
    Growth::default().pattern(pattern)
}

/// Upper bounds, in bytes, of the values the variables built so far hold.
#[derive(Default)]
struct Growth {
    built: std::collections::HashMap<Variable, f64>,
}

/// Bytes of a number, boolean, date or other value of bounded size.
const SMALL_VALUE_BYTES: f64 = 64.0;

impl Growth {
    fn pattern(&mut self, pattern: &spargebra::algebra::GraphPattern) -> Result<(), QueryError> {
        use spargebra::algebra::GraphPattern as P;
        match pattern {
            P::Bgp { .. } | P::Path { .. } => Ok(()),
            P::Join { left, right }
            | P::Union { left, right }
            | P::Minus { left, right }
            | P::Lateral { left, right } => {
                self.pattern(left)?;
                self.pattern(right)
            }
            P::LeftJoin {
                left,
                right,
                expression,
            } => {
                self.pattern(left)?;
                self.pattern(right)?;
                expression
                    .as_ref()
                    .map_or(Ok(()), |e| self.expression(e).map(drop))
            }
            P::Filter { expr, inner } => {
                self.pattern(inner)?;
                self.expression(expr).map(drop)
            }
            P::Graph { inner, .. }
            | P::Project { inner, .. }
            | P::Distinct { inner }
            | P::Reduced { inner }
            | P::Slice { inner, .. }
            | P::Service { inner, .. } => self.pattern(inner),
            P::Extend {
                inner,
                variable,
                expression,
            } => {
                self.pattern(inner)?;
                let bytes = self.expression(expression)?;
                self.bind(variable, bytes);
                Ok(())
            }
            P::Values {
                variables,
                bindings,
            } => {
                for row in bindings {
                    for (variable, value) in variables.iter().zip(row) {
                        if let Some(value) = value {
                            self.bind(variable, ground_bytes(value));
                        }
                    }
                }
                Ok(())
            }
            P::OrderBy { inner, expression } => {
                self.pattern(inner)?;
                for key in expression {
                    let (spargebra::algebra::OrderExpression::Asc(e)
                    | spargebra::algebra::OrderExpression::Desc(e)) = key;
                    self.expression(e)?;
                }
                Ok(())
            }
            P::Group {
                inner, aggregates, ..
            } => {
                self.pattern(inner)?;
                for (variable, aggregate) in aggregates {
                    let bytes = self.aggregate(aggregate)?;
                    self.bind(variable, bytes);
                }
                Ok(())
            }
        }
    }

    /// A variable bound in several places holds the longest of them.
    fn bind(&mut self, variable: &Variable, bytes: f64) {
        let held = self.built.entry(variable.clone()).or_insert(0.0);
        *held = held.max(bytes);
    }

    /// GROUP_CONCAT joins values of the store's rows: as long as a stored value, at least.
    fn aggregate(
        &mut self,
        aggregate: &spargebra::algebra::AggregateExpression,
    ) -> Result<f64, QueryError> {
        use spargebra::algebra::{AggregateExpression, AggregateFunction};
        let AggregateExpression::FunctionCall { name, expr, .. } = aggregate else {
            return Ok(SMALL_VALUE_BYTES);
        };
        let bytes = self.expression(expr)?;
        Ok(match name {
            AggregateFunction::GroupConcat { .. } => bytes.max(STORED_VALUE_BYTES),
            AggregateFunction::Min | AggregateFunction::Max | AggregateFunction::Sample => bytes,
            _ => SMALL_VALUE_BYTES,
        })
    }

    /// The longest value `expression` can build; an error when that is over the limit.
    fn expression(
        &mut self,
        expression: &spargebra::algebra::Expression,
    ) -> Result<f64, QueryError> {
        use spargebra::algebra::Expression as E;
        let bytes = match expression {
            E::NamedNode(node) => node.as_str().len() as f64,
            E::Literal(literal) => literal.value().len() as f64,
            E::Variable(variable) => self.value_of(variable),
            E::If(test, then, other) => {
                self.expression(test)?;
                self.expression(then)?.max(self.expression(other)?)
            }
            E::Coalesce(list) => self.largest(list)?,
            E::FunctionCall(function, arguments) => return self.call(function, arguments),
            E::Exists(pattern) => {
                self.pattern(pattern)?;
                SMALL_VALUE_BYTES
            }
            E::Bound(_) => SMALL_VALUE_BYTES,
            E::Or(a, b)
            | E::And(a, b)
            | E::Equal(a, b)
            | E::SameTerm(a, b)
            | E::Greater(a, b)
            | E::GreaterOrEqual(a, b)
            | E::Less(a, b)
            | E::LessOrEqual(a, b)
            | E::Add(a, b)
            | E::Subtract(a, b)
            | E::Multiply(a, b)
            | E::Divide(a, b) => {
                self.expression(a)?;
                self.expression(b)?;
                SMALL_VALUE_BYTES
            }
            E::In(a, list) => {
                self.expression(a)?;
                self.largest(list)?;
                SMALL_VALUE_BYTES
            }
            E::UnaryPlus(a) | E::UnaryMinus(a) | E::Not(a) => {
                self.expression(a)?;
                SMALL_VALUE_BYTES
            }
        };
        Ok(bytes)
    }

    fn value_of(&self, variable: &Variable) -> f64 {
        self.built
            .get(variable)
            .copied()
            .unwrap_or(STORED_VALUE_BYTES)
    }

    fn largest(&mut self, list: &[spargebra::algebra::Expression]) -> Result<f64, QueryError> {
        let mut largest = 0.0f64;
        for e in list {
            largest = largest.max(self.expression(e)?);
        }
        Ok(largest)
    }

    /// The longest value a function call can build from its arguments'.
    fn call(
        &mut self,
        function: &spargebra::algebra::Function,
        arguments: &[spargebra::algebra::Expression],
    ) -> Result<f64, QueryError> {
        use spargebra::algebra::Function as F;
        let mut sizes = Vec::with_capacity(arguments.len());
        for argument in arguments {
            sizes.push(self.expression(argument)?);
        }
        let first = sizes.first().copied().unwrap_or(0.0);
        let bytes = match function {
            F::Concat | F::Custom(_) => sizes.iter().sum(),
            // A character's upper or lower case, and its %XX escape, take at most 3 times its bytes.
            F::UCase | F::LCase | F::EncodeForUri => 3.0 * first,
            F::Str | F::SubStr | F::StrBefore | F::StrAfter | F::Lang | F::Datatype => first,
            F::StrLang | F::StrDt | F::Iri => sizes.iter().sum::<f64>() + 1024.0,
            F::Replace => replaced_bytes(first, arguments.get(2), sizes.get(2).copied()),
            _ => sizes.iter().sum::<f64>().min(SMALL_VALUE_BYTES),
        };
        if bytes > MAX_BUILT_VALUE_BYTES {
            return Err(QueryError::TooLarge(format!(
                "{} could build a value of up to {} (values read from the store taken as up to {}), over the limit of {} per value; nested CONCAT, REPLACE or UCASE multiply the length of strings",
                function,
                human_bytes(bytes),
                human_bytes(STORED_VALUE_BYTES),
                human_bytes(MAX_BUILT_VALUE_BYTES)
            )));
        }
        Ok(bytes)
    }
}

/// REPLACE(text, pattern, replacement): at most one match per character and one at the end,
/// each replaced by the replacement, whose `$n` references together copy at most the text
/// again per reference (matches do not overlap).
fn replaced_bytes(
    text: f64,
    replacement: Option<&spargebra::algebra::Expression>,
    replacement_bytes: Option<f64>,
) -> f64 {
    let replacement_bytes = replacement_bytes.unwrap_or(0.0);
    let references = match replacement {
        Some(spargebra::algebra::Expression::Literal(l)) => l.value().matches('$').count() as f64,
        // A replacement computed per row may hold a reference in every byte.
        _ => replacement_bytes,
    };
    text + (text + 1.0) * replacement_bytes + references * text
}

fn ground_bytes(term: &spargebra::term::GroundTerm) -> f64 {
    match term {
        spargebra::term::GroundTerm::NamedNode(n) => n.as_str().len() as f64,
        spargebra::term::GroundTerm::Literal(l) => l.value().len() as f64,
        #[allow(unreachable_patterns)]
        _ => STORED_VALUE_BYTES,
    }
}

/// Bytes as KiB, MiB, GiB… with one decimal.
fn human_bytes(bytes: f64) -> String {
    let mut value = bytes;
    for unit in ["B", "KiB", "MiB", "GiB", "TiB"] {
        if value < 1024.0 {
            return if unit == "B" {
                format!("{value:.0} B")
            } else {
                format!("{value:.1} {unit}")
            };
        }
        value /= 1024.0;
    }
    format!("{:.1e} bytes", bytes)
}

/// One key of a final ORDER BY: a projected variable, descending or not.
type OrderKey = (Variable, bool);

/// Takes a final `ORDER BY ?a DESC(?b) …` on projected variables out of a SELECT and returns
/// its keys, for [`sort_rows`] to apply to the decoded answer. Oxigraph sorts by decoding both
/// terms from the store at every comparison; sorting decoded rows once is several times faster
/// (implementers on 10 000 reports: 2.4 → 0.5 s). Anything else (LIMIT/OFFSET after the
/// ORDER BY, expressions, unprojected keys) is left to the engine.
fn defer_order(query: &mut spargebra::Query) -> Option<Vec<OrderKey>> {
    use spargebra::algebra::{Expression, GraphPattern, OrderExpression};
    let spargebra::Query::Select { pattern, .. } = query else {
        return None;
    };
    let project = match pattern {
        GraphPattern::Distinct { inner } | GraphPattern::Reduced { inner } => inner.as_mut(),
        other => other,
    };
    let GraphPattern::Project { inner, variables } = project else {
        return None;
    };
    let GraphPattern::OrderBy {
        inner: ordered,
        expression,
    } = inner.as_mut()
    else {
        return None;
    };
    let mut keys = Vec::new();
    for key in expression.iter() {
        let (expression, descending) = match key {
            OrderExpression::Asc(e) => (e, false),
            OrderExpression::Desc(e) => (e, true),
        };
        match expression {
            Expression::Variable(v) if variables.contains(v) => keys.push((v.clone(), descending)),
            _ => return None,
        }
    }
    let unordered = std::mem::replace(
        ordered.as_mut(),
        GraphPattern::Bgp {
            patterns: Vec::new(),
        },
    );
    **inner = unordered;
    Some(keys)
}

/// Sorts rows as SPARQL's ORDER BY does for the terms govkg stores: unbound first, then blank
/// nodes, IRIs, literals; numbers by value, other literals by their text.
fn sort_rows(rows: &mut [Vec<Option<Term>>], variables: &[Variable], keys: &[OrderKey]) {
    let columns: Vec<(usize, bool)> = keys
        .iter()
        .filter_map(|(v, descending)| {
            variables
                .iter()
                .position(|x| x == v)
                .map(|i| (i, *descending))
        })
        .collect();
    rows.sort_by(|a, b| {
        for &(i, descending) in &columns {
            let ordering = compare_terms(a[i].as_ref(), b[i].as_ref());
            let ordering = if descending {
                ordering.reverse()
            } else {
                ordering
            };
            if ordering.is_ne() {
                return ordering;
            }
        }
        std::cmp::Ordering::Equal
    });
}

fn compare_terms(a: Option<&Term>, b: Option<&Term>) -> std::cmp::Ordering {
    fn rank(t: Option<&Term>) -> u8 {
        match t {
            None => 0,
            Some(Term::BlankNode(_)) => 1,
            Some(Term::NamedNode(_)) => 2,
            Some(Term::Literal(_)) => 3,
            #[allow(unreachable_patterns)]
            Some(_) => 4,
        }
    }
    match (a, b) {
        (Some(Term::NamedNode(x)), Some(Term::NamedNode(y))) => x.as_str().cmp(y.as_str()),
        (Some(Term::BlankNode(x)), Some(Term::BlankNode(y))) => x.as_str().cmp(y.as_str()),
        (Some(Term::Literal(x)), Some(Term::Literal(y))) => {
            match (numeric_value(x), numeric_value(y)) {
                (Some(m), Some(n)) => m.total_cmp(&n),
                _ => x.value().cmp(y.value()),
            }
            .then_with(|| x.datatype().as_str().cmp(y.datatype().as_str()))
            .then_with(|| x.language().cmp(&y.language()))
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

fn numeric_value(literal: &Literal) -> Option<f64> {
    let datatype = literal.datatype().as_str();
    let numeric = datatype
        .strip_prefix("http://www.w3.org/2001/XMLSchema#")
        .is_some_and(|local| {
            matches!(
                local,
                "integer" | "decimal" | "double" | "float" | "int" | "long" | "short" | "byte"
            ) || local.ends_with("Integer")
                || local.starts_with("unsigned")
        });
    if numeric {
        literal.value().trim().parse::<f64>().ok()
    } else {
        None
    }
}

/// Runs a query and materialises its solutions (SELECT or ASK) within the timeout.
pub fn select(
    store: &Store,
    sparql: &str,
    params: &[Param],
    timeout: Option<Duration>,
) -> Result<Table, QueryError> {
    let (results, watchdog) = run(store, sparql, params, timeout)?;
    let table = Table::from_results(results, timeout);
    drop(watchdog);
    table
}

/// Binds each parameter in the parsed query: its variable becomes the value in every pattern and
/// expression, and where the answer projects the variable it stays bound to the value (an
/// `Extend` under the projection); sub-selects stop projecting it. Oxigraph's own substitution
/// binds the variable only after evaluating the patterns, so a selective query would still scan
/// everything; a constant in the pattern lets the evaluator start from the index.
pub(crate) fn bind_parameters(
    query: &mut spargebra::Query,
    params: &[Param],
) -> Result<(), QueryError> {
    use spargebra::Query;
    for param in params {
        let mut binder = Binder {
            variable: &param.variable,
            value: &param.value,
            found: false,
        };
        match query {
            Query::Select { pattern, .. } | Query::Describe { pattern, .. } => {
                binder.answer(pattern)?
            }
            Query::Construct {
                template, pattern, ..
            } => {
                for triple in template {
                    binder.triple(triple)?;
                }
                binder.pattern(pattern)?;
            }
            Query::Ask { pattern, .. } => binder.pattern(pattern)?,
        }
        if !binder.found {
            return Err(QueryError::UnknownParameter(param.variable.clone()));
        }
    }
    Ok(())
}

/// Substitutes one parameter through a query's algebra.
struct Binder<'a> {
    variable: &'a Variable,
    value: &'a Term,
    /// The query mentions the variable somewhere.
    found: bool,
}

impl Binder<'_> {
    fn unbindable(&self, reason: &'static str) -> QueryError {
        QueryError::Unbindable {
            variable: self.variable.clone(),
            reason,
        }
    }

    fn is_ours(&mut self, variable: &Variable) -> bool {
        let ours = variable == self.variable;
        self.found |= ours;
        ours
    }

    /// The answer's pattern: modifiers, then the projection that keeps the variable bound.
    fn answer(&mut self, pattern: &mut spargebra::algebra::GraphPattern) -> Result<(), QueryError> {
        use spargebra::algebra::GraphPattern;
        match pattern {
            GraphPattern::Slice { inner, .. }
            | GraphPattern::Distinct { inner }
            | GraphPattern::Reduced { inner } => self.answer(inner),
            GraphPattern::Project { inner, variables } if variables.contains(self.variable) => {
                self.found = true;
                self.pattern(inner)?;
                let value = self.expression_value()?;
                // Under a final ORDER BY, so that `defer_order` still finds it.
                match inner.as_mut() {
                    GraphPattern::OrderBy { inner, .. } => extend(inner, self.variable, value),
                    inner => extend(inner, self.variable, value),
                }
                Ok(())
            }
            other => self.pattern(other),
        }
    }

    fn pattern(
        &mut self,
        pattern: &mut spargebra::algebra::GraphPattern,
    ) -> Result<(), QueryError> {
        use spargebra::algebra::GraphPattern;
        match pattern {
            GraphPattern::Bgp { patterns } => {
                for triple in patterns {
                    self.triple(triple)?;
                }
            }
            GraphPattern::Path {
                subject, object, ..
            } => {
                self.term(subject)?;
                self.term(object)?;
            }
            GraphPattern::Join { left, right }
            | GraphPattern::Union { left, right }
            | GraphPattern::Minus { left, right }
            | GraphPattern::Lateral { left, right }
            | GraphPattern::LeftJoin {
                left,
                right,
                expression: None,
            } => {
                self.pattern(left)?;
                self.pattern(right)?;
            }
            GraphPattern::LeftJoin {
                left,
                right,
                expression: Some(expression),
            } => {
                self.pattern(left)?;
                self.pattern(right)?;
                self.expression(expression)?;
            }
            GraphPattern::Filter { expr, inner } => {
                self.expression(expr)?;
                self.pattern(inner)?;
            }
            GraphPattern::Graph { name, inner } | GraphPattern::Service { name, inner, .. } => {
                self.named_node(name)?;
                self.pattern(inner)?;
            }
            GraphPattern::Extend {
                inner,
                variable,
                expression,
            } => {
                self.refuse_own_binding(variable, "the query binds it itself (BIND … AS)")?;
                self.pattern(inner)?;
                self.expression(expression)?;
            }
            GraphPattern::Values { variables, .. } => {
                if variables.iter().any(|v| v == self.variable) {
                    self.found = true;
                    return Err(self.unbindable("the query gives it VALUES"));
                }
            }
            modifier => self.modifier(modifier)?,
        }
        Ok(())
    }

    /// Solution modifiers and groups (of sub-selects, for the answer's see [`Self::answer`]).
    fn modifier(
        &mut self,
        pattern: &mut spargebra::algebra::GraphPattern,
    ) -> Result<(), QueryError> {
        use spargebra::algebra::{GraphPattern, OrderExpression};
        match pattern {
            GraphPattern::OrderBy { inner, expression } => {
                self.pattern(inner)?;
                for key in expression {
                    let (OrderExpression::Asc(e) | OrderExpression::Desc(e)) = key;
                    self.expression(e)?;
                }
            }
            GraphPattern::Project { inner, variables } => {
                // A sub-select: the answer's projection binds the variable, not this one.
                let before = variables.len();
                variables.retain(|v| v != self.variable);
                self.found |= variables.len() != before;
                self.pattern(inner)?;
            }
            GraphPattern::Distinct { inner }
            | GraphPattern::Reduced { inner }
            | GraphPattern::Slice { inner, .. } => self.pattern(inner)?,
            GraphPattern::Group {
                inner,
                variables,
                aggregates,
            } => {
                // Grouping by the (now unbound) variable is grouping by the constant.
                self.found |= variables.contains(self.variable);
                self.pattern(inner)?;
                self.aggregates(aggregates)?;
            }
            // Every other kind is handled by `pattern`, which sends only these here.
            _ => {}
        }
        Ok(())
    }

    fn aggregates(
        &mut self,
        aggregates: &mut [(Variable, spargebra::algebra::AggregateExpression)],
    ) -> Result<(), QueryError> {
        use spargebra::algebra::AggregateExpression;
        for (variable, aggregate) in aggregates {
            self.refuse_own_binding(variable, "the query binds it itself (… AS)")?;
            if let AggregateExpression::FunctionCall { expr, .. } = aggregate {
                self.expression(expr)?;
            }
        }
        Ok(())
    }

    /// A parameter cannot replace a variable the query computes itself.
    fn refuse_own_binding(
        &mut self,
        variable: &Variable,
        reason: &'static str,
    ) -> Result<(), QueryError> {
        if self.is_ours(variable) {
            return Err(self.unbindable(reason));
        }
        Ok(())
    }

    fn triple(&mut self, triple: &mut spargebra::term::TriplePattern) -> Result<(), QueryError> {
        self.term(&mut triple.subject)?;
        self.named_node(&mut triple.predicate)?;
        self.term(&mut triple.object)
    }

    fn term(&mut self, term: &mut spargebra::term::TermPattern) -> Result<(), QueryError> {
        use spargebra::term::TermPattern;
        if let TermPattern::Variable(v) = term {
            if self.is_ours(v) {
                *term = match self.value {
                    Term::NamedNode(n) => TermPattern::NamedNode(n.clone()),
                    Term::Literal(l) => TermPattern::Literal(l.clone()),
                    _ => return Err(self.unbindable("its value must be an IRI or a literal")),
                };
            }
        }
        Ok(())
    }

    fn named_node(
        &mut self,
        name: &mut spargebra::term::NamedNodePattern,
    ) -> Result<(), QueryError> {
        use spargebra::term::NamedNodePattern;
        if let NamedNodePattern::Variable(v) = name {
            if self.is_ours(v) {
                let Term::NamedNode(n) = self.value else {
                    return Err(self.unbindable("the query needs an IRI where it uses it"));
                };
                *name = NamedNodePattern::NamedNode(n.clone());
            }
        }
        Ok(())
    }

    fn expression_value(&self) -> Result<spargebra::algebra::Expression, QueryError> {
        use spargebra::algebra::Expression;
        match self.value {
            Term::NamedNode(n) => Ok(Expression::NamedNode(n.clone())),
            Term::Literal(l) => Ok(Expression::Literal(l.clone())),
            _ => Err(self.unbindable("its value must be an IRI or a literal")),
        }
    }

    fn expression(
        &mut self,
        expression: &mut spargebra::algebra::Expression,
    ) -> Result<(), QueryError> {
        use spargebra::algebra::Expression;
        match expression {
            Expression::Variable(v) => {
                if self.is_ours(v) {
                    *expression = self.expression_value()?;
                }
            }
            Expression::Bound(v) => {
                if self.is_ours(v) {
                    *expression = Expression::Literal(Literal::from(true));
                }
            }
            Expression::NamedNode(_) | Expression::Literal(_) => {}
            Expression::Or(a, b)
            | Expression::And(a, b)
            | Expression::Equal(a, b)
            | Expression::SameTerm(a, b)
            | Expression::Greater(a, b)
            | Expression::GreaterOrEqual(a, b)
            | Expression::Less(a, b)
            | Expression::LessOrEqual(a, b)
            | Expression::Add(a, b)
            | Expression::Subtract(a, b)
            | Expression::Multiply(a, b)
            | Expression::Divide(a, b) => {
                self.expression(a)?;
                self.expression(b)?;
            }
            Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
                self.expression(a)?
            }
            Expression::If(a, b, c) => {
                self.expression(a)?;
                self.expression(b)?;
                self.expression(c)?;
            }
            Expression::In(a, list) => {
                self.expression(a)?;
                for e in list {
                    self.expression(e)?;
                }
            }
            Expression::Coalesce(list) | Expression::FunctionCall(_, list) => {
                for e in list {
                    self.expression(e)?;
                }
            }
            Expression::Exists(pattern) => self.pattern(pattern)?,
        }
        Ok(())
    }
}

/// Wraps `pattern` so that it binds `variable` to `value` in every solution.
fn extend(
    pattern: &mut spargebra::algebra::GraphPattern,
    variable: &Variable,
    value: spargebra::algebra::Expression,
) {
    use spargebra::algebra::GraphPattern;
    let inner = std::mem::replace(
        pattern,
        GraphPattern::Bgp {
            patterns: Vec::new(),
        },
    );
    *pattern = GraphPattern::Extend {
        inner: Box::new(inner),
        variable: variable.clone(),
        expression: value,
    };
}

/// A fully materialised SELECT result: variable names and rows of optional terms.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub variables: Vec<String>,
    pub rows: Vec<Vec<Option<Term>>>,
}

impl Table {
    /// Materialises SELECT solutions or an ASK answer; a cancellation under `timeout` is that
    /// limit running out.
    pub(crate) fn from_results(
        results: QueryResults<'_>,
        timeout: Option<Duration>,
    ) -> Result<Self, QueryError> {
        match results {
            QueryResults::Solutions(solutions) => {
                let variables: Vec<String> = solutions
                    .variables()
                    .iter()
                    .map(|v| v.as_str().to_string())
                    .collect();
                let mut rows = Vec::new();
                for solution in solutions {
                    let solution = solution.map_err(|e| QueryError::evaluation(&e, timeout))?;
                    rows.push(
                        variables
                            .iter()
                            .map(|v| solution.get(v.as_str()).cloned())
                            .collect(),
                    );
                }
                Ok(Self { variables, rows })
            }
            QueryResults::Boolean(b) => Ok(Self {
                variables: vec!["result".into()],
                rows: vec![vec![Some(Literal::from(b).into())]],
            }),
            QueryResults::Graph(_) => Err(QueryError::GraphResult),
        }
    }

    /// Plain value of a cell: literal lexical form or IRI, without quotes or tags.
    pub fn cell_text(term: Option<&Term>) -> String {
        match term {
            None => String::new(),
            Some(Term::Literal(l)) => l.value().to_string(),
            Some(Term::NamedNode(n)) => n.as_str().to_string(),
            Some(Term::BlankNode(b)) => format!("_:{}", b.as_str()),
            #[allow(unreachable_patterns)]
            Some(other) => other.to_string(),
        }
    }

    /// Writes the table in the requested format. JSON/XML/CSV/TSV follow the W3C SPARQL 1.1
    /// result formats; `table` is an aligned text table for people; `jsonl` is one flat JSON
    /// object per row ([`Self::write_json_lines`]). The RDF formats are for graphs, not tables.
    pub fn write(&self, format: OutputFormat, out: &mut impl Write) -> Result<()> {
        let w3c = match format {
            OutputFormat::Table => return self.write_text_table(out),
            OutputFormat::Jsonl => return self.write_json_lines(out),
            OutputFormat::Csv => QueryResultsFormat::Csv,
            OutputFormat::Tsv => QueryResultsFormat::Tsv,
            OutputFormat::Json => QueryResultsFormat::Json,
            OutputFormat::Xml => QueryResultsFormat::Xml,
            graph => anyhow::bail!(
                "--format {} writes graphs (CONSTRUCT, DESCRIBE); a table is written as {}",
                graph.name(),
                OutputFormat::names_for(false).join(", ")
            ),
        };
        let variables = self
            .variables
            .iter()
            .map(|v| Variable::new(v.as_str()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut serializer = QueryResultsSerializer::from_format(w3c)
            .serialize_solutions_to_writer(&mut *out, variables.clone())
            .context("cannot write results")?;
        for row in &self.rows {
            serializer.serialize(
                variables
                    .iter()
                    .zip(row)
                    .filter_map(|(v, t)| t.as_ref().map(|t| (v.as_ref(), t.as_ref()))),
            )?;
        }
        serializer.finish()?;
        if matches!(format, OutputFormat::Json | OutputFormat::Xml) {
            writeln!(out)?;
        }
        Ok(())
    }

    /// One JSON object per row, `{"variable": "plain value", …}` with the values as
    /// [`Self::cell_text`] gives them and unbound variables left out: what
    /// `pandas.read_json(path, lines=True)` and `jq` read.
    /// Keys come in the order of the query's variables.
    pub fn write_json_lines(&self, out: &mut impl Write) -> Result<()> {
        let keys: Vec<String> = self
            .variables
            .iter()
            .map(|v| serde_json::Value::from(v.as_str()).to_string())
            .collect();
        for row in &self.rows {
            let fields: Vec<String> = keys
                .iter()
                .zip(row)
                .filter_map(|(key, t)| {
                    let value = serde_json::Value::from(Self::cell_text(Some(t.as_ref()?)));
                    Some(format!("{key}:{value}"))
                })
                .collect();
            writeln!(out, "{{{}}}", fields.join(","))?;
        }
        Ok(())
    }

    /// An aligned table for people. Columns named `…Iri` are left out when the table has a label
    /// column beside them (they are for machines; use csv/tsv/json to get them).
    fn write_text_table(&self, out: &mut impl Write) -> Result<()> {
        let shown: Vec<usize> = (0..self.variables.len())
            .filter(|&i| !(self.variables[i].ends_with("Iri") && self.variables.len() > 1))
            .collect();
        let variables: Vec<&str> = shown.iter().map(|&i| self.variables[i].as_str()).collect();
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| {
                shown
                    .iter()
                    .map(|&i| Self::cell_text(row[i].as_ref()))
                    .collect()
            })
            .collect();
        write_aligned(&variables, &cells, out)?;
        writeln!(out, "({} rows)", cells.len())?;
        Ok(())
    }
}

/// Writes a header, a rule and the rows in columns aligned for a terminal (CJK characters take two
/// columns; cells longer than 60 columns are cut with `…`).
pub fn write_aligned(header: &[&str], cells: &[Vec<String>], out: &mut impl Write) -> Result<()> {
    let width = |s: &str| s.chars().map(display_width).sum::<usize>();
    let mut widths: Vec<usize> = header.iter().map(|v| width(v)).collect();
    for row in cells {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(c).min(60));
        }
    }
    let pad = |s: &str, w: usize| {
        let shown: String = truncate_to_width(s, 60);
        let used = width(&shown);
        format!("{shown}{}", " ".repeat(w.saturating_sub(used)))
    };
    let padded: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, v)| pad(v, widths[i]))
        .collect();
    writeln!(out, "{}", padded.join(" │ ").trim_end())?;
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("─┼─"))?;
    for row in cells {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, widths[i]))
            .collect();
        writeln!(out, "{}", line.join(" │ ").trim_end())?;
    }
    Ok(())
}

/// Terminal columns a character takes: CJK and full-width forms take two.
fn display_width(c: char) -> usize {
    let u = c as u32;
    let wide = (0x1100..=0x115F).contains(&u)
        || (0x2E80..=0xA4CF).contains(&u)
        || (0xAC00..=0xD7A3).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0xFE30..=0xFE4F).contains(&u)
        || (0xFF00..=0xFF60).contains(&u)
        || (0xFFE0..=0xFFE6).contains(&u)
        || (0x20000..=0x3FFFD).contains(&u);
    if wide {
        2
    } else {
        1
    }
}

fn truncate_to_width(s: &str, max: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        let w = display_width(c);
        if used + w > max {
            out.push('…');
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(s: &str) -> Param {
        s.parse().unwrap()
    }

    fn bound(sparql: &str, params: &[Param]) -> String {
        let mut query = parse(sparql).unwrap();
        bind_parameters(&mut query, params).unwrap();
        query.to_string()
    }

    #[test]
    fn parameters_become_constants_in_patterns_and_projections() {
        let q = "# ?agency in a comment\nSELECT ?agency ?agencyIri WHERE { ?agencyIri <http://e/p> ?agency . FILTER(?agencyName) }";
        let bound = bound(q, &[param("agency=国务院")]);
        assert!(
            bound.contains("?agencyIri <http://e/p> \"国务院\"@zh"),
            "{bound}"
        );
        assert!(bound.contains("(\"国务院\"@zh AS ?agency)"), "{bound}");
        assert!(bound.contains("?agencyName"), "{bound}");
        assert!(
            bound.starts_with("SELECT (\"国务院\"@zh AS ?agency) ?agencyIri WHERE"),
            "{bound}"
        );
    }

    #[test]
    fn only_the_outer_projection_binds_a_parameter() {
        let q =
            "SELECT ?x ?n WHERE { { SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x } }";
        let mut query = parse(q).unwrap();
        bind_parameters(&mut query, &[param("x=<http://e/x>")]).unwrap();
        let text = query.to_string();
        assert!(text.contains("<http://e/x> ?p ?o"), "{text}");
        assert!(
            text.starts_with("SELECT (<http://e/x> AS ?x) ?n WHERE"),
            "{text}"
        );
        assert!(!text.contains("AS ?n) ?x WHERE"), "{text}");
        assert!(text.contains("(<http://e/x> AS ?x)"), "{text}");
        let store = Store::new().unwrap();
        store
            .load_from_reader(
                oxigraph::io::RdfFormat::NQuads,
                "<http://e/x> <http://e/p> <http://e/o> <http://e/g> .\n<http://e/y> <http://e/p> <http://e/o> <http://e/g> .\n".as_bytes(),
            )
            .unwrap();
        let (results, _watchdog) = evaluate(&store, query, None).unwrap();
        let table = Table::from_results(results, None).unwrap();
        assert_eq!(table.variables, ["x", "n"]);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(Table::cell_text(table.rows[0][0].as_ref()), "http://e/x");
        assert_eq!(Table::cell_text(table.rows[0][1].as_ref()), "1");
    }

    #[test]
    fn constants_in_order_by_and_filters_are_bound() {
        let q = "SELECT ?a WHERE { ?a ?b ?c FILTER(BOUND(?a) && ?a != <http://e/z>) } ORDER BY ?a ?b LIMIT 3";
        let bound = bound(q, &[param("a=<http://e/a>")]);
        assert!(!bound.contains("BOUND"), "{bound}");
        assert!(bound.contains("<http://e/a> = <http://e/z>"), "{bound}");
        assert!(
            bound.contains("ORDER BY ASC(<http://e/a>) ASC(?b)"),
            "{bound}"
        );
        assert!(bound.contains("(<http://e/a> AS ?a)"), "{bound}");
    }

    #[test]
    fn a_bound_parameter_keeps_its_column_and_filters_the_rows() {
        let store = Store::new().unwrap();
        store
            .load_from_reader(
                oxigraph::io::RdfFormat::NQuads,
                r#"<http://e/a> <http://e/name> "甲"@zh <http://e/g> .
<http://e/b> <http://e/name> "乙"@zh <http://e/g> .
"#
                .as_bytes(),
            )
            .unwrap();
        let q = "SELECT DISTINCT ?name ?s WHERE { ?s <http://e/name> ?name } ORDER BY ?s";
        let table = select(&store, q, &[param("name=乙")], None).unwrap();
        assert_eq!(table.variables, ["name", "s"]);
        assert_eq!(table.rows.len(), 1);
        assert_eq!(Table::cell_text(table.rows[0][0].as_ref()), "乙");
        assert_eq!(Table::cell_text(table.rows[0][1].as_ref()), "http://e/b");
        let q = "ASK { ?s <http://e/name> ?name }";
        let table = select(&store, q, &[param("name=丙")], None).unwrap();
        assert_eq!(Table::cell_text(table.rows[0][0].as_ref()), "false");
    }

    /// Without FROM the default graph is the union of the report graphs; FROM picks graphs.
    #[test]
    fn from_chooses_the_default_graph_and_its_absence_means_all() {
        let store = Store::new().unwrap();
        store
            .load_from_reader(
                oxigraph::io::RdfFormat::NQuads,
                r#"<http://e/a> <http://e/p> "1" <http://e/g1> .
<http://e/b> <http://e/p> "2" <http://e/g2> .
"#
                .as_bytes(),
            )
            .unwrap();
        let count = |q: &str| select(&store, q, &[], None).unwrap().rows.len();
        assert_eq!(count("SELECT ?s WHERE { ?s <http://e/p> ?o }"), 2);
        assert_eq!(
            count("SELECT ?s FROM <http://e/g2> WHERE { ?s <http://e/p> ?o }"),
            1
        );
        assert_eq!(
            count("SELECT ?s FROM <http://e/none> WHERE { ?s <http://e/p> ?o }"),
            0
        );
    }

    #[test]
    fn a_final_order_by_on_projected_variables_is_deferred() {
        let mut q = spargebra::SparqlParser::new()
            .parse_query("SELECT DISTINCT ?a ?n WHERE { ?a <http://e/p> ?n } ORDER BY DESC(?n) ?a")
            .unwrap();
        let keys = defer_order(&mut q).expect("deferred");
        assert_eq!(
            keys,
            vec![
                (Variable::new_unchecked("n"), true),
                (Variable::new_unchecked("a"), false)
            ]
        );
        assert!(!q.to_string().contains("ORDER"), "{q}");
        for engine_sorted in [
            "SELECT ?a WHERE { ?a <http://e/p> ?n } ORDER BY ?a LIMIT 3",
            "SELECT ?a WHERE { ?a <http://e/p> ?n } ORDER BY ?n",
            "SELECT ?a WHERE { ?a <http://e/p> ?n } ORDER BY STR(?a)",
        ] {
            let mut q = spargebra::SparqlParser::new()
                .parse_query(engine_sorted)
                .unwrap();
            assert!(defer_order(&mut q).is_none(), "{engine_sorted}");
        }
    }

    #[test]
    fn deferred_order_matches_the_engine() {
        let store = Store::new().unwrap();
        store
            .load_from_reader(
                oxigraph::io::RdfFormat::NQuads,
                r#"<http://e/b> <http://e/p> "10"^^<http://www.w3.org/2001/XMLSchema#integer> <http://e/g> .
<http://e/a> <http://e/p> "9"^^<http://www.w3.org/2001/XMLSchema#integer> <http://e/g> .
<http://e/c> <http://e/p> "乙"@zh <http://e/g> .
<http://e/d> <http://e/p> "甲"@zh <http://e/g> .
<http://e/e> <http://e/q> "x" <http://e/g> .
"#
                .as_bytes(),
            )
            .unwrap();
        let base =
            "SELECT ?s ?o WHERE { ?s ?p ?x OPTIONAL { ?s <http://e/p> ?o } } ORDER BY ?o DESC(?s)";
        let deferred = select(&store, base, &[], None).unwrap();
        // A LIMIT keeps the ORDER BY in the engine.
        let engine = select(&store, &format!("{base} LIMIT 100"), &[], None).unwrap();
        assert_eq!(deferred.rows, engine.rows);
        assert_eq!(
            deferred.rows[0][0]
                .as_ref()
                .map(|t| t.to_string())
                .as_deref(),
            Some("<http://e/e>"),
            "unbound first"
        );
    }

    #[test]
    fn every_declared_parameter_of_a_named_query_can_be_bound() {
        for q in NAMED_QUERIES {
            assert!(!q.summary().is_empty(), "{}: no summary", q.name);
            assert!(!q.summary().contains("Parameter"), "{}", q.summary());
            for p in q.parameters() {
                assert!(!p.about.is_empty(), "{}: ?{} undocumented", q.name, p.name);
                let value = if p.about.contains("IRI") {
                    format!("{}=<http://e/x>", p.name)
                } else {
                    format!("{}=名称", p.name)
                };
                let mut query = parse(q.text).unwrap();
                bind_parameters(&mut query, &[param(&value)])
                    .unwrap_or_else(|e| panic!("{}: ?{}: {e}", q.name, p.name));
            }
        }
        let names = |name: &str| -> Vec<String> {
            named_query(name)
                .unwrap()
                .parameters()
                .into_iter()
                .map(|p| p.name)
                .collect()
        };
        assert_eq!(names("agency-profile"), ["agencyName"]);
        assert_eq!(names("laws-cited"), ["law", "agency"]);
        assert!(names("agencies").is_empty());
        let adoption = named_query("initiative-adoption").unwrap().summary();
        assert!(
            adoption.ends_with("The jurisdiction and year are the report's."),
            "{adoption}"
        );
    }

    #[test]
    fn json_lines_are_flat_objects_without_unbound_cells() {
        let table = Table {
            variables: vec!["name".into(), "year".into(), "iri".into()],
            rows: vec![
                vec![
                    Some(Literal::new_language_tagged_literal_unchecked("甲", "zh").into()),
                    Some(Literal::from(2024).into()),
                    None,
                ],
                vec![
                    None,
                    None,
                    Some(oxigraph::model::NamedNode::new_unchecked("http://e/x").into()),
                ],
            ],
        };
        let mut out = Vec::new();
        table.write(OutputFormat::Jsonl, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"name\":\"甲\",\"year\":\"2024\"}\n{\"iri\":\"http://e/x\"}\n"
        );
        assert!(table.write(OutputFormat::Turtle, &mut Vec::new()).is_err());
    }

    #[test]
    fn unknown_parameter_is_an_error() {
        let mut query = parse("SELECT ?a WHERE { ?a ?b ?c }").unwrap();
        let err = bind_parameters(&mut query, &[param("zzz=1")]).unwrap_err();
        assert_eq!(
            err,
            QueryError::UnknownParameter(Variable::new_unchecked("zzz"))
        );
        assert_eq!(err.to_string(), "the query has no variable ?zzz to bind");
        let mut query = parse("SELECT ?a WHERE { ?a ?b ?c }").unwrap();
        let err = bind_parameters(&mut query, &[param("b=1")]).unwrap_err();
        assert!(matches!(err, QueryError::Unbindable { .. }), "{err}");
    }

    #[test]
    fn errors_say_what_went_wrong_in_one_line() {
        let store = Store::new().unwrap();
        let err = select(&store, "SELEKT ?a\nWHERE", &[], None).unwrap_err();
        assert!(matches!(err, QueryError::Syntax(_)), "{err}");
        assert!(err.to_string().starts_with("malformed SPARQL: "), "{err}");
        assert!(!err.to_string().contains('\n'), "{err}");
        let err = select(&store, "CONSTRUCT WHERE { ?a ?b ?c }", &[], None).unwrap_err();
        assert_eq!(err, QueryError::GraphResult);
        let err = QueryError::evaluation(
            &QueryEvaluationError::Cancelled,
            Some(Duration::from_millis(100)),
        );
        assert_eq!(err.to_string(), "query timed out after 0.1 s");
    }

    /// `levels` nested `BIND(CONCAT(?vN, ?vN) AS ?vN+1)` over a stored value.
    fn doubling(levels: usize) -> String {
        let mut text = String::from("SELECT ?v0 WHERE { ?s ?p ?v0 ");
        for i in 0..levels {
            text.push_str(&format!("BIND(CONCAT(?v{i}, ?v{i}) AS ?v{}) ", i + 1));
        }
        text.push('}');
        text
    }

    #[test]
    fn expressions_that_could_build_huge_values_are_refused() {
        let growth = |sparql: &str| check_value_growth(&parse(sparql).unwrap());
        // 2^8 copies of a stored value: 16 MiB at most, allowed; one doubling more is not.
        growth(&doubling(8)).unwrap();
        let err = growth(&doubling(24)).unwrap_err();
        assert!(matches!(err, QueryError::TooLarge(_)), "{err}");
        assert!(
            err.to_string()
                .starts_with("query refused: CONCAT could build a value of up to 32.0 MiB"),
            "{err}"
        );
        assert!(growth(&doubling(9)).is_err());
        // Ordinary expressions, GROUP_CONCAT included, pass.
        for ok in [
            "SELECT (CONCAT(?a, \" \", UCASE(?b)) AS ?c) WHERE { ?a ?p ?b }",
            "SELECT (GROUP_CONCAT(?b; separator=\"、\") AS ?c) WHERE { ?a ?p ?b } GROUP BY ?a",
            "SELECT ?a WHERE { ?a ?p ?b FILTER(CONTAINS(REPLACE(?b, \"x\", \"yy\"), \"y\")) }",
        ] {
            growth(ok).unwrap();
        }
        // Growth hidden in a FILTER, a subquery, an ORDER BY or an aggregate is found too.
        let mut deep = "?b".to_string();
        for _ in 0..10 {
            deep = format!("CONCAT({deep}, {deep})");
        }
        for hidden in [
            format!("SELECT ?a WHERE {{ ?a ?p ?b FILTER(STRLEN({deep}) > 0) }}"),
            format!("SELECT ?a WHERE {{ {{ SELECT ?a ({deep} AS ?c) WHERE {{ ?a ?p ?b }} }} }}"),
            format!("SELECT ?a WHERE {{ ?a ?p ?b }} ORDER BY {deep}"),
            format!("SELECT (MAX({deep}) AS ?m) WHERE {{ ?a ?p ?b }}"),
            "SELECT ?c WHERE { ?a ?p ?b BIND(REPLACE(?b, \"\", ?b) AS ?c) }".to_string(),
        ] {
            assert!(growth(&hidden).is_err(), "{hidden}");
        }
    }

    #[test]
    fn a_refused_query_does_not_run() {
        let store = Store::new().unwrap();
        let err = select(&store, &doubling(24), &[], Some(Duration::from_secs(1))).unwrap_err();
        assert!(matches!(err, QueryError::TooLarge(_)), "{err}");
    }
}
