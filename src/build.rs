//! Orchestration of the stages for many files: read → pipeline → rdf → store, in parallel
//! over reports and in bounded chunks, so memory stays flat however many reports there are.
//!
//! Architecture invariant: this module owns concurrency and the file system walk; the stages it
//! calls stay single-document and pure. Results are gathered in input order, so the store's
//! content does not depend on the number of threads.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::model::{NamedNode, Quad};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use govkg_core::budget::Budget;
use govkg_core::eval::{self, GoldKey, ReportScore};
use govkg_core::kinds::{EntityKind, RelationKind};
use govkg_core::knowledge::Knowledge;
use govkg_core::model::{doc_id, Document, Extraction};
use govkg_core::pipeline;
use govkg_graph::rdf;
use govkg_graph::store::{GovStore, StoreLocation};
use govkg_read::file_name_text;

/// Reports handled together: large enough to keep both cores busy, small enough that a chunk's
/// texts and quads stay a few tens of megabytes.
const CHUNK: usize = 256;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub threads: Option<usize>,
    pub progress: bool,
    pub limits: FileLimits,
}

/// The default of [`FileLimits::max_bytes`]: 64 MB. Reports are 10–60 KB; at this size a file
/// of the worst shape known takes a few seconds and about 2 GB of memory to extract.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64_000_000;
/// The default of [`FileLimits::timeout`]: a minute, a thousand times what a large report takes.
pub const DEFAULT_FILE_TIMEOUT: Duration = Duration::from_secs(60);

/// What one file may cost: files larger than `max_bytes` are refused before they are read, and
/// a file whose reading and extraction take longer than `timeout` is left out (the budget is
/// polled by extraction's loops, see `govkg_core::budget`). Either way the file gets a one-line
/// error and the others are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimits {
    pub max_bytes: u64,
    /// `None`: no time budget.
    pub timeout: Option<Duration>,
}

impl Default for FileLimits {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_FILE_BYTES,
            timeout: Some(DEFAULT_FILE_TIMEOUT),
        }
    }
}

impl FileLimits {
    /// No size limit below the reader's own ([`govkg_read::MAX_INPUT_BYTES`]), no time budget.
    pub fn unlimited() -> Self {
        Self {
            max_bytes: govkg_read::MAX_INPUT_BYTES,
            timeout: None,
        }
    }

    /// The budget of a file whose work starts now.
    pub fn budget(&self) -> Budget {
        self.timeout
            .map_or_else(Budget::unlimited, Budget::from_now)
    }
}

/// A byte count for people: "64 MB", "1.5 GB", "900 bytes".
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{} GB", round1(b as f64 / 1e9)),
        b if b >= 1_000_000 => format!("{} MB", round1(b as f64 / 1e6)),
        b if b >= 1_000 => format!("{} KB", round1(b as f64 / 1e3)),
        b => format!("{b} bytes"),
    }
}

/// One decimal, none when it is zero (64 → "64", 1.25 → "1.2").
fn round1(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// What a build did.
pub struct BuildOutcome {
    pub store: GovStore,
    /// The files that could not be built; each displays as one line, "path: problem".
    pub failures: Vec<FileFailure>,
    pub summary: Summary,
}

/// A report file that a build or an extraction left out, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct FileFailure {
    pub path: PathBuf,
    pub reason: FailureReason,
}

/// Why a file was left out.
#[derive(Debug, thiserror::Error)]
pub enum FailureReason {
    /// The file could not be read as a report.
    #[error("{0}")]
    Read(govkg_read::ReadError),
    /// The file is larger than the limit per file.
    #[error("{} is over the size limit of {} per file (raise it with --max-file-size)", human_bytes(*.size), human_bytes(*.limit))]
    TooLarge { size: u64, limit: u64 },
    /// Reading and extracting the file took longer than the budget per file.
    #[error("took longer than the budget of {} s per file; left out (raise it with --file-timeout)", .0.as_secs_f64())]
    OverBudget(Duration),
    /// Another file of the build has the same report id (stem), so they would share a graph.
    #[error("same report id `{id}` as {}; rename one of them", first.display())]
    DuplicateId { id: String, first: PathBuf },
}

/// The error of a run in which no file could be read: the one failure's line, or all of them.
fn nothing_readable(failures: &[FileFailure], count_files: bool) -> anyhow::Error {
    if let [only] = failures {
        return anyhow::anyhow!("{only}");
    }
    let lines: Vec<String> = failures.iter().map(ToString::to_string).collect();
    if count_files {
        anyhow::anyhow!(
            "no report could be read ({} files failed: {})",
            failures.len(),
            lines.join("; ")
        )
    } else {
        anyhow::anyhow!("no report could be read ({})", lines.join("; "))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub reports: usize,
    pub bytes: usize,
    /// Distinct entities of each kind (by canonical name), in registry order.
    pub entities: Vec<(EntityKind, usize)>,
    /// Distinct (agent, target) pairs of each relation kind, in registry order.
    pub relations: Vec<(RelationKind, usize)>,
    pub triples: usize,
    pub seconds: f64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts: Vec<String> = self
            .entities
            .iter()
            .map(|(kind, n)| format!("{n} {}", kind.info().field.replace('_', " ")))
            .chain(
                self.relations
                    .iter()
                    .map(|(kind, n)| format!("{n} {}", kind.id())),
            )
            .collect();
        write!(
            f,
            "built {} reports: {}; {} triples in {:.2} s ({:.1} MB/s)",
            self.reports,
            counts.join(", "),
            self.triples,
            self.seconds,
            self.bytes as f64 / 1e6 / self.seconds.max(1e-9)
        )
    }
}

/// The distinct entities and relation pairs seen so far, for the summary.
#[derive(Default)]
struct Distinct {
    entities: BTreeMap<EntityKind, BTreeSet<String>>,
    relations: BTreeMap<RelationKind, BTreeSet<(String, String)>>,
}

impl Distinct {
    fn add(&mut self, x: &Extraction) {
        for kind in EntityKind::ALL {
            let names = self.entities.entry(kind).or_default();
            names.extend(x.entities_of(kind).iter().map(|e| e.canonical.to_string()));
        }
        for kind in RelationKind::ALL {
            let pairs = self.relations.entry(kind).or_default();
            pairs.extend(
                x.relations_of(kind)
                    .iter()
                    .map(|r| (r.agent.to_string(), r.target.to_string())),
            );
        }
    }
}

/// Reads one report file into a [`Document`].
pub fn read_document(path: &Path) -> Result<Document> {
    read_report(path).map_err(|e| anyhow::anyhow!("{e}"))
}

fn read_report(path: &Path) -> std::result::Result<Document, govkg_read::ReadError> {
    read_report_within(path, govkg_read::MAX_INPUT_BYTES)
}

fn read_report_within(
    path: &Path,
    max_bytes: u64,
) -> std::result::Result<Document, govkg_read::ReadError> {
    let source = govkg_read::read_source_within(path, max_bytes)?;
    Ok(Document::new(
        file_name_text(path),
        source.text,
        source.format.as_str(),
        source.encoding,
    ))
}

fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n.max(1));
    }
    builder.build().context("cannot start worker threads")
}

/// The report files under `paths`; an error when there are none.
fn inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let files = govkg_read::collect_inputs(paths).map_err(|e| anyhow::anyhow!("{e}"))?;
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        bail!("{}: no report files found", shown.join(", "));
    }
    Ok(files)
}

/// Two files with the same stem would share a report graph: refuse the second.
/// Returns the files to build and a failure per file refused.
fn check_unique_ids(files: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<FileFailure>) {
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut unique = Vec::with_capacity(files.len());
    let mut failures = Vec::new();
    for file in files {
        let name = file_name_text(&file);
        let id = doc_id(&name).to_string();
        if let Some(first) = seen.get(&id) {
            failures.push(FileFailure {
                path: file,
                reason: FailureReason::DuplicateId {
                    id,
                    first: first.clone(),
                },
            });
        } else {
            seen.insert(id, file.clone());
            unique.push(file);
        }
    }
    (unique, failures)
}

/// One report through read → extract → resolve → rdf, done on a worker thread.
struct ProcessedReport {
    bytes: usize,
    extraction: Extraction,
    graph: NamedNode,
    quads: Vec<Quad>,
    entity_quads: Vec<Quad>,
}

type Processed = std::result::Result<ProcessedReport, FileFailure>;

/// Roughly how many quads a report adds (measured: ~700); only sizes buffers.
const QUADS_PER_REPORT: usize = 1024;

/// Quads per batch handed to the bulk loader. Each batch is sorted into files on one thread:
/// batches of this size keep both cores busy until the end and keep the batches in flight small.
const LOAD_BATCH: usize = 400_000;

/// A build that loaded this many quads compacts the store afterwards. The bulk loader leaves
/// one set of overlapping sorted files per batch, and every lookup of a query then probes all
/// of them: on 10 000 reports compaction costs ~15 s once and makes joins ~8× faster. Small
/// incremental builds add few files and skip it.
const COMPACT_AFTER: usize = 1_000_000;

/// Builds what the knowledge builds lazily (the word segmenter, a few tenths of a second) before
/// any file's time budget starts, so that the first file does not pay for it.
pub fn prepare(knowledge: &Knowledge, limits: &FileLimits) {
    if limits.timeout.is_some() {
        knowledge.segmenter();
    }
}

/// Reads and extracts one file within `limits`: its time budget starts before reading.
fn extract_one(
    path: &Path,
    knowledge: &Knowledge,
    limits: &FileLimits,
) -> std::result::Result<(Document, Extraction), FileFailure> {
    let failure = |reason| FileFailure {
        path: path.to_path_buf(),
        reason,
    };
    let budget = limits.budget();
    let doc = read_report_within(path, limits.max_bytes).map_err(|e| {
        failure(match e {
            govkg_read::ReadError::TooLarge { size, limit } => {
                FailureReason::TooLarge { size, limit }
            }
            e => FailureReason::Read(e),
        })
    })?;
    let extraction = pipeline::process_within(&doc, knowledge, &budget)
        .map_err(|over| failure(FailureReason::OverBudget(over.0)))?;
    Ok((doc, extraction))
}

fn process_chunk(chunk: &[PathBuf], knowledge: &Knowledge, limits: &FileLimits) -> Vec<Processed> {
    chunk
        .par_iter()
        .map(|path| {
            let (doc, extraction) = extract_one(path, knowledge, limits)?;
            let rdf::ReportQuads {
                graph,
                quads,
                entity_quads,
            } = rdf::report_quads(&extraction);
            Ok(ProcessedReport {
                bytes: doc.text.len(),
                extraction,
                graph,
                quads,
                entity_quads,
            })
        })
        .collect()
}

/// Builds the store from the reports under `paths`.
///
/// Files that cannot be read are reported in `failures` and leave their old graph untouched;
/// when no file can be read at all, nothing is written and the store is not even created.
/// Whenever the build stops (an error, a kill, a full disk), every report in the store holds
/// either its complete previous graph or its complete new one (see [`GraphWriter`]).
pub fn build(
    paths: &[PathBuf],
    knowledge: &Knowledge,
    location: StoreLocation,
    options: &BuildOptions,
) -> Result<BuildOutcome> {
    let started = Instant::now();
    let files = inputs(paths)?;
    let (files, mut failures) = check_unique_ids(files);
    let pool = thread_pool(options.threads)?;
    prepare(knowledge, &options.limits);
    let progress = progress_bar(options.progress, files.len());
    let mut chunks = files.chunks(CHUNK);
    let process = |chunk: &[PathBuf]| {
        let results = pool.install(|| process_chunk(chunk, knowledge, &options.limits));
        progress.inc(chunk.len() as u64);
        results
    };
    // Read chunks until one report succeeds, so bad input never creates or touches a store.
    let first = until_one_succeeds(&mut chunks, &process);
    if first.iter().all(|r| r.is_err()) {
        progress.finish_and_clear();
        failures.extend(first.into_iter().filter_map(|r| r.err()));
        return Err(nothing_readable(&failures, true));
    }
    let store = GovStore::create(location)?;
    let mut tally = Tally::default();
    // Extraction (rayon, this thread) and bulk loading (Oxigraph's loader, which sorts each
    // batch on its own thread and blocks its caller while all of them are busy) overlap: batches
    // go to a loading thread through a rendezvous channel, so the next chunk is extracted
    // meanwhile and at most one batch waits beside the ones being sorted.
    let rest = chunks.map(process);
    let written = write_graphs(&store, first, rest, &mut tally, &mut failures);
    progress.finish_and_clear();
    written?;
    store.flush()?;
    if tally.summary.triples >= COMPACT_AFTER {
        store.compact()?;
    }
    let summary = tally.finish(started);
    Ok(BuildOutcome {
        store,
        failures,
        summary,
    })
}

/// Processes chunks until one holds a report that succeeded; returns all their results.
fn until_one_succeeds<'f>(
    chunks: &mut impl Iterator<Item = &'f [PathBuf]>,
    process: &impl Fn(&[PathBuf]) -> Vec<Processed>,
) -> Vec<Processed> {
    let mut first: Vec<Processed> = Vec::new();
    for chunk in chunks {
        let results = process(chunk);
        let any_ok = results.iter().any(|r| r.is_ok());
        first.extend(results);
        if any_ok {
            break;
        }
    }
    first
}

/// Writes the processed reports, `first` then each chunk of `rest` as it is processed, while a
/// loading thread bulk-loads the new ones.
fn write_graphs(
    store: &GovStore,
    first: Vec<Processed>,
    rest: impl Iterator<Item = Vec<Processed>>,
    tally: &mut Tally,
    failures: &mut Vec<FileFailure>,
) -> Result<()> {
    std::thread::scope(|scope| {
        let (batches, received) = std::sync::mpsc::sync_channel::<Load>(0);
        let loading = scope.spawn(|| bulk_load(store, received));
        let extracted: Result<()> = (|| {
            let mut writer = GraphWriter::new(store, batches);
            if !writer.write(first, tally, failures)? {
                return Ok(());
            }
            for results in rest {
                if !writer.write(results, tally, failures)? {
                    return Ok(());
                }
            }
            writer.finish();
            Ok(())
        })();
        let loaded = loading
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the loading thread panicked")));
        extracted.and(loaded)
    })
}

fn progress_bar(show: bool, files: usize) -> ProgressBar {
    if !show || files <= 3 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(files as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} reports ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// What the loading thread receives: a batch to load, or the word to commit everything.
enum Load {
    Batch(Vec<Quad>),
    Commit,
}

/// The loading thread: bulk-loads the batches it receives and commits them all at once when
/// told to. If the channel closes without [`Load::Commit`] (the build failed), nothing is
/// committed and the loader removes its files.
fn bulk_load(store: &GovStore, messages: std::sync::mpsc::Receiver<Load>) -> Result<()> {
    let mut loader = store.bulk_loader();
    for message in messages {
        match message {
            Load::Batch(batch) => loader
                .load_quads(batch)
                .context("cannot write report graphs")?,
            Load::Commit => return loader.commit().context("cannot commit report graphs"),
        }
    }
    Ok(())
}

/// What a build counted: the summary's figures and the distinct entities behind them.
#[derive(Default)]
struct Tally {
    summary: Summary,
    distinct: Distinct,
}

impl Tally {
    fn finish(mut self, started: Instant) -> Summary {
        let d = &self.distinct;
        self.summary.entities = EntityKind::ALL
            .iter()
            .map(|&k| (k, d.entities.get(&k).map_or(0, BTreeSet::len)))
            .collect();
        self.summary.relations = RelationKind::ALL
            .iter()
            .map(|&k| (k, d.relations.get(&k).map_or(0, BTreeSet::len)))
            .collect();
        self.summary.seconds = started.elapsed().as_secs_f64();
        self.summary
    }
}

/// Reports replaced in one transaction: big enough to amortise a commit, small enough that the
/// transaction's write buffer stays a few megabytes.
const REPLACE_GROUP: usize = 32;

/// Sends each report's quads where a killed build cannot leave it half written.
///
/// A report the store does not hold yet goes to the bulk loader: nothing of it is visible until
/// RocksDB ingests the loader's files, all in one atomic step, at commit. A report the store
/// already holds is replaced in a transaction that removes its old graph and writes the new one
/// (with the entity descriptions it brings), so at any moment it is either old or new, and no
/// copy of the old graph is kept in memory.
struct GraphWriter<'s> {
    store: &'s GovStore,
    batches: std::sync::mpsc::SyncSender<Load>,
    /// Quads of reports new to the store, waiting to be sent to the loader.
    pending: Vec<Quad>,
    /// Entity descriptions repeat across reports: each is written once per build.
    described: FxHashSet<Quad>,
}

impl<'s> GraphWriter<'s> {
    fn new(store: &'s GovStore, batches: std::sync::mpsc::SyncSender<Load>) -> Self {
        Self {
            store,
            batches,
            pending: Vec::with_capacity(LOAD_BATCH + CHUNK * QUADS_PER_REPORT),
            described: FxHashSet::default(),
        }
    }

    /// Writes one chunk's reports. `Ok(false)`: the loading thread stopped (its error is the
    /// build's).
    fn write(
        &mut self,
        results: Vec<Processed>,
        tally: &mut Tally,
        failures: &mut Vec<FileFailure>,
    ) -> Result<bool> {
        let mut replaced: Vec<NamedNode> = Vec::new();
        let mut replacing: Vec<Quad> = Vec::new();
        for result in results {
            let report = match result {
                Err(failure) => {
                    failures.push(failure);
                    continue;
                }
                Ok(report) => report,
            };
            tally.summary.reports += 1;
            tally.summary.bytes += report.bytes;
            tally.distinct.add(&report.extraction);
            let exists = self.store.has_graph(&report.graph)?;
            let target = if exists {
                &mut replacing
            } else {
                &mut self.pending
            };
            let before = target.len();
            target.extend(report.quads);
            for quad in report.entity_quads {
                if self.described.insert(quad.clone()) {
                    target.push(quad);
                }
            }
            tally.summary.triples += target.len() - before;
            if exists {
                replaced.push(report.graph);
                if replaced.len() == REPLACE_GROUP {
                    self.store.replace_graphs(&replaced, &replacing)?;
                    replaced.clear();
                    replacing.clear();
                }
            }
        }
        if !replaced.is_empty() {
            self.store.replace_graphs(&replaced, &replacing)?;
        }
        while self.pending.len() >= LOAD_BATCH {
            // Sized for a whole batch plus a chunk: growing by doubling would copy the quads
            // several times per batch.
            let mut rest = Vec::with_capacity(LOAD_BATCH + CHUNK * QUADS_PER_REPORT);
            rest.extend(self.pending.drain(LOAD_BATCH..));
            let batch = std::mem::replace(&mut self.pending, rest);
            if self.batches.send(Load::Batch(batch)).is_err() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Sends the last quads in two halves, so both of the loader's threads finish together,
    /// then the word to commit. (A send fails only when the loader stopped with an error.)
    fn finish(mut self) {
        let second = self.pending.split_off(self.pending.len() / 2);
        for batch in [std::mem::take(&mut self.pending), second] {
            if !batch.is_empty() && self.batches.send(Load::Batch(batch)).is_err() {
                return;
            }
        }
        let _ = self.batches.send(Load::Commit);
    }
}

/// Extractions of every readable report under `paths`, in input order, and the files left out.
pub fn extract_paths(
    paths: &[PathBuf],
    knowledge: &Knowledge,
    threads: Option<usize>,
    limits: &FileLimits,
) -> Result<(Vec<Extraction>, Vec<FileFailure>)> {
    let files = inputs(paths)?;
    let pool = thread_pool(threads)?;
    prepare(knowledge, limits);
    let mut extractions = Vec::new();
    let mut failures = Vec::new();
    for chunk in files.chunks(CHUNK) {
        let results: Vec<_> = pool.install(|| {
            chunk
                .par_iter()
                .map(|p| extract_one(p, knowledge, limits))
                .collect()
        });
        for result in results {
            match result {
                Ok((_, x)) => extractions.push(x),
                Err(e) => failures.push(e),
            }
        }
    }
    if extractions.is_empty() && !failures.is_empty() {
        return Err(nothing_readable(&failures, false));
    }
    Ok((extractions, failures))
}

/// Whether two paths name the same file (after resolving links and relative parts).
fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// Scores every report under `paths` that has a key `<stem>.json` in `gold`.
pub fn evaluate(paths: &[PathBuf], gold: &Path, knowledge: &Knowledge) -> Result<Vec<ReportScore>> {
    if !gold.is_dir() {
        bail!("{}: answer-key folder not found", gold.display());
    }
    let files = inputs(paths)?;
    let mut scores = Vec::new();
    for file in files {
        let name = file_name_text(&file);
        let key_path = gold.join(format!("{}.json", doc_id(&name)));
        // A key kept beside its report is no report: it would be scored against itself.
        if !key_path.is_file() || same_file(&file, &key_path) {
            continue;
        }
        let key: GoldKey = serde_json::from_str(
            &std::fs::read_to_string(&key_path)
                .with_context(|| format!("{}: cannot read", key_path.display()))?,
        )
        .with_context(|| format!("{}: not an answer key", key_path.display()))?;
        let doc = read_document(&file).with_context(|| file.display().to_string())?;
        let extraction = pipeline::process(&doc, knowledge);
        scores.push(eval::score(&extraction, &key));
    }
    if scores.is_empty() {
        bail!(
            "{}: no answer key matches any of the reports",
            gold.display()
        );
    }
    Ok(scores)
}
