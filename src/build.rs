//! Orchestration of the stages for many files: read → pipeline → rdf → store, in parallel
//! over reports and in bounded chunks, so memory stays flat however many reports there are.
//!
//! Architecture invariant: this module owns concurrency and the file system walk; the stages it
//! calls stay single-document and pure. Results are gathered in input order, so the store's
//! content does not depend on the number of threads.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::eval::{self, GoldKey, ReportScore};
use crate::knowledge::Knowledge;
use crate::model::{Document, Extraction};
use crate::pipeline;
use crate::rdf;
use crate::store::{GovStore, StoreLocation};

/// Reports handled together: large enough to keep both cores busy, small enough that a chunk's
/// texts and quads stay a few tens of megabytes.
const CHUNK: usize = 256;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub threads: Option<usize>,
    pub progress: bool,
}

/// What a build did.
pub struct BuildOutcome {
    pub store: GovStore,
    /// One line per file that could not be built ("path: problem").
    pub failures: Vec<String>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub reports: usize,
    pub bytes: usize,
    pub agencies: usize,
    pub laws: usize,
    pub policy_documents: usize,
    pub initiatives: usize,
    pub implements: usize,
    pub cites: usize,
    pub triples: usize,
    pub seconds: f64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "built {} reports: {} agencies, {} laws, {} policy documents, {} initiatives, {} implements, {} cites; {} triples in {:.2} s ({:.1} MB/s)",
            self.reports,
            self.agencies,
            self.laws,
            self.policy_documents,
            self.initiatives,
            self.implements,
            self.cites,
            self.triples,
            self.seconds,
            self.bytes as f64 / 1e6 / self.seconds.max(1e-9)
        )
    }
}

/// Distinct entities and relations over all reports of a build.
#[derive(Default)]
struct Distinct {
    agencies: BTreeSet<String>,
    laws: BTreeSet<String>,
    documents: BTreeSet<String>,
    initiatives: BTreeSet<String>,
    implements: BTreeSet<(String, String)>,
    cites: BTreeSet<(String, String)>,
}

impl Distinct {
    fn add(&mut self, x: &Extraction) {
        self.agencies
            .extend(x.agencies.iter().map(|a| a.canonical.clone()));
        self.laws.extend(x.laws.iter().map(|a| a.canonical.clone()));
        self.documents
            .extend(x.policy_documents.iter().map(|a| a.title.clone()));
        self.initiatives
            .extend(x.initiatives.iter().map(|a| a.canonical.clone()));
        self.implements.extend(
            x.implements
                .iter()
                .map(|r| (r.agency.clone(), r.initiative.clone())),
        );
        self.cites
            .extend(x.cites.iter().map(|r| (r.agency.clone(), r.law.clone())));
    }
}

/// Reads one report file into a [`Document`].
pub fn read_document(path: &Path) -> Result<Document> {
    let source = crate::read::read_source(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("report")
        .to_string();
    Ok(Document {
        id: rdf::doc_id(&name).to_string(),
        name,
        text: source.text,
        format: format!("{:?}", source.format).to_lowercase(),
        encoding: source.encoding,
    })
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
    let files = crate::read::collect_inputs(paths).map_err(|e| anyhow::anyhow!("{e}"))?;
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        bail!("{}: no report files found", shown.join(", "));
    }
    Ok(files)
}

/// Two files with the same stem would share a report graph: refuse the second.
/// Returns the files to build and one failure line per file refused.
fn check_unique_ids(files: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<String>) {
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut unique = Vec::with_capacity(files.len());
    let mut failures = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let id = rdf::doc_id(name).to_string();
        if let Some(first) = seen.get(&id) {
            failures.push(format!(
                "{}: same report id `{id}` as {}; rename one of them",
                file.display(),
                first.display()
            ));
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
    graph: oxigraph::model::NamedNode,
    quads: Vec<oxigraph::model::Quad>,
    entity_quads: Vec<oxigraph::model::Quad>,
}

type Processed = std::result::Result<ProcessedReport, String>;

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

fn extract_one(
    path: &Path,
    knowledge: &Knowledge,
) -> std::result::Result<(Document, Extraction), String> {
    let doc = read_document(path).map_err(|e| format!("{}: {}", path.display(), e))?;
    let extraction = pipeline::process(&doc, knowledge);
    Ok((doc, extraction))
}

fn process_chunk(chunk: &[PathBuf], knowledge: &Knowledge) -> Vec<Processed> {
    chunk
        .par_iter()
        .map(|path| {
            let (doc, extraction) = extract_one(path, knowledge)?;
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
    let progress = if options.progress && files.len() > 3 {
        let bar = ProgressBar::new(files.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} reports ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };

    let mut distinct = Distinct::default();
    let mut summary = Summary::default();
    let mut chunks = files.chunks(CHUNK);
    // Read chunks until one report succeeds, so bad input never creates or touches a store.
    let mut first: Vec<Processed> = Vec::new();
    for chunk in chunks.by_ref() {
        let results = pool.install(|| process_chunk(chunk, knowledge));
        progress.inc(chunk.len() as u64);
        let any_ok = results.iter().any(|r| r.is_ok());
        first.extend(results);
        if any_ok {
            break;
        }
    }
    if first.iter().all(|r| r.is_err()) {
        progress.finish_and_clear();
        failures.extend(first.into_iter().filter_map(|r| r.err()));
        if failures.len() == 1 {
            bail!("{}", failures[0]);
        }
        bail!(
            "no report could be read ({} files failed: {})",
            failures.len(),
            failures.join("; ")
        );
    }
    let store = GovStore::create(location)?;
    let mut written: Vec<oxigraph::model::NamedNode> = Vec::new();
    let mut previous: Vec<oxigraph::model::Quad> = Vec::new();
    // Extraction (rayon, this thread) and loading (Oxigraph's bulk loader, which sorts each batch
    // on its own thread and blocks its caller while all of them are busy) overlap: batches go to
    // a loading thread through a rendezvous channel, so the next chunk is extracted meanwhile
    // and at most one batch waits beside the ones being sorted.
    let loaded: Result<()> = std::thread::scope(|scope| {
        let (batches, received) = std::sync::mpsc::sync_channel::<Vec<oxigraph::model::Quad>>(0);
        let loading = scope.spawn(|| -> Result<()> {
            let mut loader = store.bulk_loader();
            for batch in received {
                loader
                    .load_quads(batch)
                    .context("cannot write report graphs")?;
            }
            loader.commit().context("cannot commit report graphs")
        });
        let extracted: Result<()> = (|| {
            let mut pending: Vec<oxigraph::model::Quad> =
                Vec::with_capacity(LOAD_BATCH + CHUNK * QUADS_PER_REPORT);
            // Entity descriptions repeat across reports: load each once per build.
            let mut described: std::collections::HashSet<oxigraph::model::Quad> =
                std::collections::HashSet::new();
            // A failed send means the loading thread stopped: its error is reported below.
            let send = |batch: Vec<oxigraph::model::Quad>| batches.send(batch).is_ok();
            let mut handle = |results: Vec<Processed>,
                              pending: &mut Vec<oxigraph::model::Quad>|
             -> Result<bool> {
                let before = pending.len();
                let mut graphs = Vec::new();
                for result in results {
                    match result {
                        Err(failure) => failures.push(failure),
                        Ok(report) => {
                            summary.reports += 1;
                            summary.bytes += report.bytes;
                            distinct.add(&report.extraction);
                            graphs.push(report.graph);
                            pending.extend(report.quads);
                            for quad in report.entity_quads {
                                if !described.contains(&quad) {
                                    described.insert(quad.clone());
                                    pending.push(quad);
                                }
                            }
                        }
                    }
                }
                summary.triples += pending.len() - before;
                previous.extend(store.take_graphs(&graphs)?);
                written.extend(graphs);
                while pending.len() >= LOAD_BATCH {
                    // Sized for a whole batch plus a chunk: growing by doubling would copy
                    // the quads several times per batch.
                    let mut rest = Vec::with_capacity(LOAD_BATCH + CHUNK * QUADS_PER_REPORT);
                    rest.extend(pending.drain(LOAD_BATCH..));
                    if !send(std::mem::replace(pending, rest)) {
                        return Ok(false);
                    }
                }
                Ok(true)
            };
            if !handle(std::mem::take(&mut first), &mut pending)? {
                return Ok(());
            }
            for chunk in chunks.by_ref() {
                let results = pool.install(|| process_chunk(chunk, knowledge));
                progress.inc(chunk.len() as u64);
                if !handle(results, &mut pending)? {
                    return Ok(());
                }
            }
            // The last quads in two halves, so both of the loader's threads finish together.
            let second = pending.split_off(pending.len() / 2);
            for batch in [pending, second] {
                if !batch.is_empty() && !send(batch) {
                    break;
                }
            }
            Ok(())
        })();
        drop(batches);
        let loaded = loading
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the loading thread panicked")));
        extracted.and(loaded)
    });
    progress.finish_and_clear();
    if let Err(err) = loaded {
        // Put back what the rebuilt reports had: a failed build loses nothing.
        store.restore_graphs(&written, previous)?;
        return Err(err);
    }
    store.flush()?;
    if summary.triples >= COMPACT_AFTER {
        store.compact()?;
    }
    summary.agencies = distinct.agencies.len();
    summary.laws = distinct.laws.len();
    summary.policy_documents = distinct.documents.len();
    summary.initiatives = distinct.initiatives.len();
    summary.implements = distinct.implements.len();
    summary.cites = distinct.cites.len();
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(BuildOutcome {
        store,
        failures,
        summary,
    })
}

/// Extractions of every readable report under `paths`, in input order, and one line per failure.
pub fn extract_paths(
    paths: &[PathBuf],
    knowledge: &Knowledge,
    threads: Option<usize>,
) -> Result<(Vec<Extraction>, Vec<String>)> {
    let files = inputs(paths)?;
    let pool = thread_pool(threads)?;
    let mut extractions = Vec::new();
    let mut failures = Vec::new();
    for chunk in files.chunks(CHUNK) {
        let results: Vec<_> = pool.install(|| {
            chunk
                .par_iter()
                .map(|p| extract_one(p, knowledge))
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
        if failures.len() == 1 {
            bail!("{}", failures[0]);
        }
        bail!("no report could be read ({})", failures.join("; "));
    }
    Ok((extractions, failures))
}

/// Scores every report under `paths` that has a key `<stem>.json` in `gold`.
pub fn evaluate(paths: &[PathBuf], gold: &Path, knowledge: &Knowledge) -> Result<Vec<ReportScore>> {
    if !gold.is_dir() {
        bail!("{}: answer-key folder not found", gold.display());
    }
    let files = inputs(paths)?;
    let mut scores = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let key_path = gold.join(format!("{}.json", rdf::doc_id(name)));
        if !key_path.is_file() {
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
