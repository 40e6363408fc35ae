//! Push stage: copies report graphs from the local store to a remote SPARQL server.
//!
//! Architecture invariants:
//! - push only reads the store (opened read-only) and never changes it;
//! - every report graph is sent as a unit that *replaces* the server's copy of that graph
//!   (Graph Store Protocol `PUT`, or `DROP SILENT GRAPH` + `INSERT DATA`), so pushing again never
//!   duplicates triples;
//! - a failed graph is retried as a whole unit (for `--protocol update` from the `DROP` on), which
//!   keeps retries idempotent, blank nodes included;
//! - push stops at the first graph that fails for good and says exactly which graphs reached the
//!   server, which did not, and whether one was left half-sent.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNodeRef, TermRef};

use govkg_graph::store::GovStore;

/// Graph IRIs of reports start with this; the rest is the report's doc id.
const REPORT_PREFIX: &str = "https://w3id.org/govkg/report/";
/// Environment variable holding `user:password` when `--auth` is not given.
pub(crate) const AUTH_ENV: &str = "GOVKG_PUSH_AUTH";
/// At most this many graphs get one plain line each on a terminal; more get a progress bar.
const PLAIN_LINES_UP_TO: usize = 3;
/// First retry delay; doubled on every further retry, capped at [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A server's `Retry-After` is honoured up to this long.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
/// How much of an error response body is read for the error message.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// What `govkg push` does: where to send which report graphs, and how. The command line's flags
/// (`src/cli.rs` of the binary) fill it; [`PushOptions::new`] gives their defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct PushOptions {
    /// Graph Store Protocol endpoint (`--endpoint`).
    pub endpoint: String,
    /// The govkg store to read (opened read-only).
    pub store: PathBuf,
    pub protocol: PushProtocol,
    /// SPARQL Update endpoint for [`PushProtocol::Update`] (default: `endpoint`).
    pub update_endpoint: Option<String>,
    /// Only these reports (doc id or graph IRI); empty: all.
    pub reports: Vec<String>,
    /// Retries of a graph after a transient failure.
    pub retries: u32,
    /// Seconds one HTTP request may take.
    pub timeout: f64,
    /// HTTP basic auth as `user:password` (else the `GOVKG_PUSH_AUTH` environment variable).
    pub auth: Option<String>,
    /// With [`PushProtocol::Update`]: at most this many triples per INSERT DATA request.
    pub chunk_triples: u64,
}

impl PushOptions {
    /// Options with the command line's defaults.
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            store: PathBuf::from("govkg-store"),
            protocol: PushProtocol::GraphStore,
            update_endpoint: None,
            reports: Vec::new(),
            retries: 3,
            timeout: 60.0,
            auth: None,
            chunk_triples: 20_000,
        }
    }
}

/// How graphs are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushProtocol {
    /// SPARQL 1.1 Graph Store HTTP Protocol: `PUT {endpoint}?graph=<iri>` with N-Triples.
    GraphStore,
    /// SPARQL 1.1 Update: `DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> { … } }` (triples with
    /// blank nodes go in `INSERT { GRAPH <g> { … } } WHERE {}`).
    Update,
}

impl fmt::Display for PushProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::GraphStore => "graph-store",
            Self::Update => "update",
        })
    }
}

/// One graph that reached the server.
#[derive(Debug, Clone)]
pub struct PushedGraph {
    pub graph: NamedNode,
    pub triples: u64,
    /// Request body bytes of the successful attempt.
    pub bytes: u64,
    /// HTTP requests of the successful attempt (more than one: a chunked update).
    pub requests: usize,
    /// Attempts it took (1 = no retry).
    pub attempts: u32,
}

/// What a push did. On failure it comes inside [`PushError`].
#[derive(Debug, Clone)]
pub struct PushReport {
    /// Where graphs went (the GSP endpoint, or the update endpoint for `--protocol update`).
    pub endpoint: String,
    pub protocol: PushProtocol,
    /// Graphs selected for the push, in push order.
    pub selected: Vec<NamedNode>,
    pub pushed: Vec<PushedGraph>,
    pub elapsed: Duration,
}

impl PushReport {
    pub fn triples(&self) -> u64 {
        self.pushed.iter().map(|g| g.triples).sum()
    }

    pub fn bytes(&self) -> u64 {
        self.pushed.iter().map(|g| g.bytes).sum()
    }

    pub fn requests(&self) -> usize {
        self.pushed.iter().map(|g| g.requests).sum()
    }

    /// Selected graphs that are not (fully) on the server.
    pub fn not_pushed(&self) -> Vec<NamedNode> {
        self.selected
            .iter()
            .filter(|g| !self.pushed.iter().any(|p| &p.graph == *g))
            .cloned()
            .collect()
    }

    /// One line: graphs, triples, bytes, requests, seconds.
    pub fn summary(&self) -> String {
        let graphs = self.pushed.len();
        format!(
            "pushed {graphs} graph{} ({} triples, {}, {} request{}) to {} ({} protocol) in {:.1} s",
            plural(graphs),
            self.triples(),
            HumanBytes(self.bytes()),
            self.requests(),
            plural(self.requests()),
            self.endpoint,
            self.protocol,
            self.elapsed.as_secs_f64()
        )
    }
}

/// A push that stopped before every selected graph was on the server. Its message is one line
/// naming the graphs that were pushed and those that were not.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.message())]
pub struct PushError {
    /// What was pushed before the failure.
    pub report: PushReport,
    /// The graph that failed.
    pub failed: NamedNode,
    /// Why it failed (HTTP status and server message, or the connection error).
    pub reason: String,
    /// Attempts made for the failed graph (0: it could not be read from the store).
    pub attempts: u32,
    /// For `--protocol update`: the failed graph's requests that the server accepted, out of the
    /// requests it needs, when that is more than zero: the server's copy of the graph is incomplete.
    pub half_sent: Option<(usize, usize)>,
}

impl PushError {
    fn message(&self) -> String {
        let report = &self.report;
        let not_pushed = report.not_pushed();
        let mut line = format!(
            "pushed {} of {} graphs",
            report.pushed.len(),
            report.selected.len()
        );
        if !report.pushed.is_empty() {
            let names: Vec<String> = report.pushed.iter().map(|p| short_name(&p.graph)).collect();
            let _ = write!(line, " ({})", names.join(", "));
        }
        let names: Vec<String> = not_pushed.iter().map(short_name).collect();
        let _ = write!(line, "; not pushed: {}", names.join(", "));
        let tries = if self.attempts > 1 {
            format!(" after {} attempts", self.attempts)
        } else {
            String::new()
        };
        let _ = write!(
            line,
            " — {} failed{tries}: {}",
            short_name(&self.failed),
            self.reason
        );
        if let Some((done, total)) = self.half_sent {
            let _ = write!(
                line,
                "; {} is HALF-SENT ({done} of {total} update requests accepted): the server's copy of it is incomplete, push it again",
                short_name(&self.failed)
            );
        }
        if not_pushed.len() > 1 {
            line.push_str("; the graphs after it were not attempted");
        }
        line
    }
}

/// `govkg push`: opens the store read-only, pushes, prints the summary on stdout.
pub fn run(options: &PushOptions) -> Result<()> {
    // Check the arguments before touching the store, so a typo fails at once.
    Settings::from_options(options)?;
    let store = GovStore::open_existing(&options.store)?;
    let report = push(&store, options)?;
    println!("{}", report.summary());
    Ok(())
}

/// Pushes the selected report graphs of `store`. Progress goes to stderr; nothing goes to stdout.
/// A failure is a [`PushError`] (inside the `anyhow::Error`) carrying what was pushed.
pub fn push(store: &GovStore, options: &PushOptions) -> Result<PushReport> {
    let settings = Settings::from_options(options)?;
    let graphs = select_graphs(store, &options.reports)?;
    let client = Client::new(&settings);
    let started = Instant::now();
    let mut report = PushReport {
        endpoint: settings.target().to_string(),
        protocol: settings.protocol,
        selected: graphs.clone(),
        pushed: Vec::new(),
        elapsed: Duration::ZERO,
    };
    let progress = Progress::new(graphs.len());
    for (index, graph) in graphs.iter().enumerate() {
        let name = short_name(graph);
        progress.start(&name);
        let payload = match Payload::read(store, graph, &settings) {
            Ok(payload) => payload,
            Err(err) => {
                progress.finish();
                report.elapsed = started.elapsed();
                return Err(PushError {
                    report,
                    failed: graph.clone(),
                    reason: crate::error_line(err.as_ref()),
                    attempts: 0,
                    half_sent: None,
                }
                .into());
            }
        };
        let graph_started = Instant::now();
        let Attempts {
            result,
            attempts,
            ever_accepted,
        } = client.send_with_retries(&settings, &payload, &progress, &name);
        match result {
            Ok(status) => {
                progress.done(
                    index,
                    &pushed_line(&name, &payload, status, graph_started.elapsed()),
                );
                report.pushed.push(PushedGraph {
                    graph: graph.clone(),
                    triples: payload.triples,
                    bytes: payload.bytes(),
                    requests: payload.requests.len(),
                    attempts,
                });
            }
            Err(failure) => {
                progress.finish();
                report.elapsed = started.elapsed();
                // Some attempt got the DROP (and maybe some chunks) accepted and no attempt finished:
                // the server holds a partial copy of this graph.
                let half_sent =
                    (ever_accepted > 0).then_some((ever_accepted, payload.requests.len()));
                return Err(PushError {
                    report,
                    failed: graph.clone(),
                    reason: failure.reason,
                    attempts,
                    half_sent,
                }
                .into());
            }
        }
    }
    progress.finish();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Why the server refused a request: its status, its own message, and a hint for the usual
/// mistakes (wrong endpoint kind, credentials, size).
fn rejection_reason(
    request: &Request,
    status: ureq::http::StatusCode,
    body: &str,
    is_html: bool,
    location: Option<&str>,
) -> String {
    let code = status.as_u16();
    let mut reason = format!(
        "HTTP {code} {} from {}",
        status.canonical_reason().unwrap_or(""),
        strip_query(&request.url)
    );
    let message = server_message(body, is_html);
    if !message.is_empty() {
        let _ = write!(reason, ": {message}");
    }
    match code {
        300..=399 => {
            let _ = write!(
                reason,
                " (redirected to {}; use that URL as the endpoint)",
                location.unwrap_or("an unnamed location")
            );
        }
        401 | 403 => {
            let _ = write!(reason, " (check --auth / {AUTH_ENV})");
        }
        404 | 405 if request.put => {
            reason.push_str(" (is this a Graph Store Protocol endpoint? e.g. http://host:7878/store for Oxigraph, http://host:3030/ds/data for Fuseki)");
        }
        404 | 405 => {
            reason.push_str(" (is this a SPARQL Update endpoint? e.g. http://host:7878/update for Oxigraph, http://host:3030/ds/update for Fuseki)");
        }
        413 => {
            reason.push_str(" (graph too big for the server: try --protocol update with a smaller --chunk-triples)");
        }
        _ => {}
    }
    reason
}

/// The line for a graph that reached the server.
fn pushed_line(name: &str, payload: &Payload, status: u16, took: Duration) -> String {
    format!(
        "{name}: {} triples, {}{} → HTTP {status} in {:.2} s",
        payload.triples,
        HumanBytes(payload.bytes()),
        if payload.requests.len() > 1 {
            format!(" in {} requests", payload.requests.len())
        } else {
            String::new()
        },
        took.as_secs_f64()
    )
}

/// How sending one graph ended, after retries.
struct Attempts {
    /// The last HTTP status, or the failure that ended the retries.
    result: Result<u16, Failure>,
    attempts: u32,
    /// The most requests of the graph any attempt got accepted (the DROP counts).
    ever_accepted: usize,
}

/// Arguments checked and turned into what the sender needs.
struct Settings {
    protocol: PushProtocol,
    /// GSP endpoint (graph-store) or update endpoint (update).
    gsp_endpoint: String,
    update_endpoint: String,
    retries: u32,
    timeout: Duration,
    /// `Authorization` header value.
    authorization: Option<String>,
    chunk_triples: u64,
}

impl Settings {
    fn from_options(options: &PushOptions) -> Result<Self> {
        let gsp_endpoint = validate_endpoint(&options.endpoint, "--endpoint")?;
        let update_endpoint = match &options.update_endpoint {
            Some(url) => validate_endpoint(url, "--update-endpoint")?,
            None => gsp_endpoint.clone(),
        };
        let timeout = Duration::try_from_secs_f64(options.timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                anyhow!(
                    "--timeout must be a positive number of seconds, not {}",
                    options.timeout
                )
            })?;
        let auth = match &options.auth {
            Some(auth) => Some(auth.clone()),
            None => std::env::var(AUTH_ENV).ok().filter(|v| !v.is_empty()),
        };
        let authorization = match auth {
            Some(auth) => {
                if !auth.contains(':') {
                    bail!("--auth / {AUTH_ENV} must look like user:password");
                }
                Some(format!("Basic {}", base64(auth.as_bytes())))
            }
            None => None,
        };
        Ok(Self {
            protocol: options.protocol,
            gsp_endpoint,
            update_endpoint,
            retries: options.retries,
            timeout,
            authorization,
            chunk_triples: options.chunk_triples.max(1),
        })
    }

    fn target(&self) -> &str {
        match self.protocol {
            PushProtocol::GraphStore => &self.gsp_endpoint,
            PushProtocol::Update => &self.update_endpoint,
        }
    }
}

/// Accepts absolute http(s) URLs with a host; credentials belong in --auth, not in the URL.
fn validate_endpoint(url: &str, flag: &str) -> Result<String> {
    let url = url.trim();
    let bad = |why: &str| anyhow!("{flag} `{}`: {why}", redact(url));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("not a URL; expected e.g. http://127.0.0.1:7878/store"))?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(bad("only http:// and https:// endpoints are supported"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(bad(&format!(
            "put credentials in --auth or {AUTH_ENV}, not in the URL"
        )));
    }
    if authority.is_empty() || authority.starts_with(':') {
        return Err(bad("the URL has no host"));
    }
    if url.contains('#') {
        return Err(bad("an endpoint URL cannot have a #fragment"));
    }
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| bad(&format!("invalid URL ({e})")))?;
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("the URL has no host"));
    }
    Ok(url.to_string())
}

/// The URL with any `user:password@` replaced, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// The report graphs to push: all of them, or those named by doc id or IRI, in store order.
fn select_graphs(store: &GovStore, wanted: &[String]) -> Result<Vec<NamedNode>> {
    let all = store.report_graphs()?;
    if all.is_empty() {
        bail!(
            "{}: the store has no report graphs; nothing to push",
            describe_store(store)
        );
    }
    if wanted.is_empty() {
        return Ok(all);
    }
    let mut chosen = Vec::new();
    for want in wanted {
        let want = want.trim();
        let iri = want
            .strip_prefix('<')
            .and_then(|w| w.strip_suffix('>'))
            .unwrap_or(want);
        let found = all
            .iter()
            .find(|g| g.as_str() == iri || g.as_str().strip_prefix(REPORT_PREFIX) == Some(iri));
        match found {
            Some(graph) => {
                if !chosen.contains(graph) {
                    chosen.push(graph.clone());
                }
            }
            None => {
                let mut known: Vec<String> = all.iter().take(10).map(short_name).collect();
                if all.len() > 10 {
                    known.push(format!("… ({} in all)", all.len()));
                }
                bail!(
                    "--report `{want}`: no such report in {}; it has: {}",
                    describe_store(store),
                    known.join(", ")
                );
            }
        }
    }
    chosen.sort();
    Ok(chosen)
}

fn describe_store(store: &GovStore) -> String {
    match store.location() {
        govkg_graph::store::StoreLocation::Disk(dir) => dir.display().to_string(),
        govkg_graph::store::StoreLocation::Memory => "in-memory store".to_string(),
    }
}

/// The doc id of a report graph, or the IRI in angle brackets for any other graph.
fn short_name(graph: &NamedNode) -> String {
    match graph.as_str().strip_prefix(REPORT_PREFIX) {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => format!("<{}>", graph.as_str()),
    }
}

/// The HTTP requests that put one graph on the server.
struct Payload {
    triples: u64,
    requests: Vec<Request>,
}

struct Request {
    url: String,
    content_type: &'static str,
    put: bool,
    body: Vec<u8>,
}

impl Payload {
    fn read(store: &GovStore, graph: &NamedNode, settings: &Settings) -> Result<Self> {
        let context = || format!("cannot read graph <{}> from the store", graph.as_str());
        let mut lines = Vec::new();
        for quad in store.oxigraph().quads_for_pattern(
            None,
            None,
            None,
            Some(GraphNameRef::NamedNode(graph.as_ref())),
        ) {
            let quad = quad.with_context(context)?;
            let mut blanks = Vec::new();
            if let NamedOrBlankNodeRef::BlankNode(b) = quad.subject.as_ref() {
                blanks.push(b.as_str().to_string());
            }
            if let TermRef::BlankNode(b) = quad.object.as_ref() {
                blanks.push(b.as_str().to_string());
            }
            // Exactly what oxigraph's N-Triples serializer writes for a triple.
            let line = format!("{} {} {} .\n", quad.subject, quad.predicate, quad.object);
            lines.push((line, blanks));
        }
        let triples = lines.len() as u64;
        let requests = match settings.protocol {
            PushProtocol::GraphStore => vec![Request {
                url: graph_url(&settings.gsp_endpoint, graph),
                content_type: "application/n-triples",
                put: true,
                body: lines.iter().flat_map(|(l, _)| l.bytes()).collect(),
            }],
            PushProtocol::Update => {
                let g = format!("<{}>", graph.as_str());
                let chunks = chunk(&lines, settings.chunk_triples as usize);
                let mut requests = Vec::new();
                if chunks.is_empty() {
                    requests.push(format!("DROP SILENT GRAPH {g}\n"));
                }
                for (i, chunk) in chunks.iter().enumerate() {
                    let mut body = if i == 0 {
                        format!("DROP SILENT GRAPH {g} ;\n")
                    } else {
                        String::new()
                    };
                    // Blank nodes are allowed in INSERT DATA by SPARQL 1.1, but some servers
                    // (Virtuoso) refuse them there; an INSERT template with an empty WHERE means
                    // the same (one solution, so one fresh node per label) and every server takes it.
                    let blanks = chunk.iter().any(|&line| !lines[line].1.is_empty());
                    if blanks {
                        let _ = writeln!(body, "INSERT {{ GRAPH {g} {{");
                    } else {
                        let _ = writeln!(body, "INSERT DATA {{ GRAPH {g} {{");
                    }
                    for &line in chunk {
                        body.push_str(&lines[line].0);
                    }
                    body.push_str(if blanks { "} } WHERE {}\n" } else { "} }\n" });
                    requests.push(body);
                }
                requests
                    .into_iter()
                    .map(|body| Request {
                        url: settings.update_endpoint.clone(),
                        content_type: "application/sparql-update",
                        put: false,
                        body: body.into_bytes(),
                    })
                    .collect()
            }
        };
        Ok(Self { triples, requests })
    }

    fn bytes(&self) -> u64 {
        self.requests.iter().map(|r| r.body.len() as u64).sum()
    }
}

/// Splits triples (line, blank node labels) into chunks of at most `limit` triples, keeping
/// triples that share blank nodes (directly or through each other) in one chunk: blank nodes
/// are scoped to one request, so splitting them would change the graph. A group larger than
/// `limit` becomes one oversized chunk. Returns line indexes per chunk, in store order.
fn chunk(lines: &[(String, Vec<String>)], limit: usize) -> Vec<Vec<usize>> {
    // Union-find over blank node labels.
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (_, blanks) in lines {
        let mut first = None;
        for b in blanks {
            let id = *ids.entry(b.as_str()).or_insert_with(|| {
                parent.push(parent.len());
                parent.len() - 1
            });
            match first {
                None => first = Some(id),
                Some(f) => {
                    let (a, b) = (find(&mut parent, f), find(&mut parent, id));
                    parent[a] = b;
                }
            }
        }
    }
    // Units: one per blank-node group (at its first triple), one per other triple.
    let mut units: Vec<Vec<usize>> = Vec::new();
    let mut unit_of_group: HashMap<usize, usize> = HashMap::new();
    for (i, (_, blanks)) in lines.iter().enumerate() {
        match blanks.first() {
            None => units.push(vec![i]),
            Some(b) => {
                let group = find(&mut parent, ids[b.as_str()]);
                let unit = *unit_of_group.entry(group).or_insert_with(|| {
                    units.push(Vec::new());
                    units.len() - 1
                });
                units[unit].push(i);
            }
        }
    }
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for unit in units {
        if !current.is_empty() && current.len() + unit.len() > limit {
            chunks.push(std::mem::take(&mut current));
        }
        current.extend(unit);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// `{endpoint}?graph=<percent-encoded IRI>` (or `&graph=` if the endpoint has a query already).
fn graph_url(endpoint: &str, graph: &NamedNode) -> String {
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{sep}graph={}", percent_encode(graph.as_str()))
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648), for the basic auth header.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for group in input.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Delay before retry number `retry` (1-based): 0.5 s, 1 s, 2 s, … up to 30 s.
fn backoff(retry: u32) -> Duration {
    FIRST_BACKOFF
        .checked_mul(1u32 << retry.saturating_sub(1).min(16))
        .unwrap_or(MAX_BACKOFF)
        .min(MAX_BACKOFF)
}

/// Why one attempt at a graph failed.
struct Failure {
    reason: String,
    /// Worth retrying: connection error, timeout, 5xx, 429, 408.
    transient: bool,
    /// The server's `Retry-After`.
    retry_after: Option<Duration>,
    /// Requests of this graph the server accepted before the failure.
    accepted: usize,
}

struct Client {
    agent: ureq::Agent,
    authorization: Option<String>,
}

impl Client {
    fn new(settings: &Settings) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirected PUT/POST could silently lose its body: report redirects instead.
            .max_redirects(0)
            .timeout_global(Some(settings.timeout))
            .user_agent(concat!("govkg/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: ureq::Agent::new_with_config(config),
            authorization: settings.authorization.clone(),
        }
    }

    /// Sends every request of a graph, in order; returns the last HTTP status.
    fn send(
        &self,
        settings: &Settings,
        payload: &Payload,
        progress: &Progress,
        name: &str,
    ) -> Result<u16, Failure> {
        let mut status = 0;
        for (index, request) in payload.requests.iter().enumerate() {
            if payload.requests.len() > 1 {
                progress.start(&format!(
                    "{name} (request {} of {})",
                    index + 1,
                    payload.requests.len()
                ));
            }
            status = self.send_one(settings, request).map_err(|mut failure| {
                failure.accepted = index;
                if payload.requests.len() > 1 {
                    failure.reason = format!(
                        "request {} of {}: {}",
                        index + 1,
                        payload.requests.len(),
                        failure.reason
                    );
                }
                failure
            })?;
        }
        Ok(status)
    }

    /// Sends a graph, again after a transient failure, at most `settings.retries` more times.
    fn send_with_retries(
        &self,
        settings: &Settings,
        payload: &Payload,
        progress: &Progress,
        name: &str,
    ) -> Attempts {
        let mut attempts = 0;
        let mut ever_accepted = 0;
        let result = loop {
            attempts += 1;
            match self.send(settings, payload, progress, name) {
                Ok(status) => break Ok(status),
                Err(failure) => {
                    ever_accepted = ever_accepted.max(failure.accepted);
                    if !failure.transient || attempts > settings.retries {
                        break Err(failure);
                    }
                    let wait = failure.retry_after.unwrap_or_else(|| backoff(attempts));
                    progress.note(&format!(
                        "{name}: {}; retry {attempts} of {} in {:.1} s",
                        failure.reason,
                        settings.retries,
                        wait.as_secs_f64()
                    ));
                    std::thread::sleep(wait);
                }
            }
        };
        Attempts {
            result,
            attempts,
            ever_accepted,
        }
    }

    fn send_one(&self, settings: &Settings, request: &Request) -> Result<u16, Failure> {
        let fail = |reason: String, transient: bool| Failure {
            reason,
            transient,
            retry_after: None,
            accepted: 0,
        };
        let mut builder = if request.put {
            self.agent.put(&request.url)
        } else {
            self.agent.post(&request.url)
        };
        builder = builder.header("Content-Type", request.content_type);
        if let Some(auth) = &self.authorization {
            builder = builder.header("Authorization", auth);
        }
        let mut response = match builder.send(&request.body[..]) {
            Ok(response) => response,
            Err(err) => {
                let (reason, transient) = describe_error(&err, settings.timeout);
                return Err(fail(
                    format!(
                        "{reason} ({} {})",
                        if request.put { "PUT" } else { "POST" },
                        strip_query(&request.url)
                    ),
                    transient,
                ));
            }
        };
        let status = response.status();
        let code = status.as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
        let location = header("location");
        let is_html = header("content-type").is_some_and(|t| t.contains("html"));
        let body = response
            .body_mut()
            .with_config()
            .limit(ERROR_BODY_LIMIT)
            .lossy_utf8(true)
            .read_to_string()
            .unwrap_or_default();
        if status.is_success() {
            return Ok(code);
        }
        let reason = rejection_reason(request, status, &body, is_html, location.as_deref());
        let transient = code == 408 || code == 429 || status.is_server_error();
        Err(Failure {
            reason,
            transient,
            retry_after: if transient { retry_after } else { None },
            accepted: 0,
        })
    }
}

/// A one-line description of a transport error and whether it is worth retrying.
fn describe_error(err: &ureq::Error, timeout: Duration) -> (String, bool) {
    match err {
        ureq::Error::Io(e) => (format!("connection error: {e}"), true),
        ureq::Error::Timeout(_) => (
            format!(
                "no answer within {:.0} s (--timeout)",
                timeout.as_secs_f64()
            ),
            true,
        ),
        ureq::Error::HostNotFound => ("host not found".to_string(), true),
        ureq::Error::ConnectionFailed => ("connection failed".to_string(), true),
        ureq::Error::Protocol(e) => (format!("HTTP protocol error: {e}"), true),
        other => (other.to_string(), false),
    }
}

/// The endpoint part of a request URL (the graph IRI is named separately).
fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// A server's error body as one short line: tags dropped from HTML, whitespace collapsed.
fn server_message(body: &str, html: bool) -> String {
    let text = if html {
        let mut out = String::new();
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    out.push(' ');
                }
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    } else {
        body.to_string()
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 300 {
        let mut cut: String = line.chars().take(300).collect();
        cut.push('…');
        cut
    } else {
        line
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Progress on stderr: a bar on a terminal with more than a few graphs, else one line per graph.
struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
}

impl Progress {
    fn new(total: usize) -> Self {
        let bar = (std::io::stderr().is_terminal() && total > PLAIN_LINES_UP_TO).then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "pushing [{bar:30}] {pos}/{len} graphs {elapsed} {msg}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Self { bar, total }
    }

    /// Shows what is being sent (on the bar only).
    fn start(&self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(what.to_string());
        }
    }

    fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn done(&self, index: usize, line: &str) {
        match &self.bar {
            Some(bar) => bar.inc(1),
            None => eprintln!("[{}/{}] {line}", index + 1, self.total),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn graph_iri_is_percent_encoded() {
        let g = NamedNode::new("https://w3id.org/govkg/report/000_ab").unwrap();
        assert_eq!(
            graph_url("http://h:1/store", &g),
            "http://h:1/store?graph=https%3A%2F%2Fw3id.org%2Fgovkg%2Freport%2F000_ab"
        );
        assert!(graph_url("http://h/ds?x=1", &g).starts_with("http://h/ds?x=1&graph="));
    }

    #[test]
    fn endpoints_are_validated() {
        assert!(validate_endpoint("http://127.0.0.1:7878/store", "--endpoint").is_ok());
        assert!(validate_endpoint("HTTPS://example.org/ds/data", "--endpoint").is_ok());
        let err = validate_endpoint("http://me:s3cret@h/x", "--endpoint").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
        for bad in [
            "ftp://h/x",
            "127.0.0.1:7878/store",
            "http://",
            "http:///x",
            "http://u:p@h/x",
            "http://h/x#f",
        ] {
            assert!(validate_endpoint(bad, "--endpoint").is_err(), "{bad}");
        }
    }

    #[test]
    fn blank_node_groups_stay_in_one_chunk() {
        let line = |blanks: &[&str]| {
            (
                String::new(),
                blanks.iter().map(|b| b.to_string()).collect(),
            )
        };
        let lines = vec![
            line(&[]),
            line(&["a"]),
            line(&[]),
            line(&["b"]),
            line(&["a", "b"]),
            line(&[]),
        ];
        let chunks = chunk(&lines, 2);
        assert!(chunks
            .iter()
            .any(|c| c.contains(&1) && c.contains(&3) && c.contains(&4)));
        let mut all: Vec<usize> = chunks.concat();
        all.sort();
        assert_eq!(all, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(chunk(&lines, 100).len(), 1);
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(2));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
