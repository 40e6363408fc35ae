//! `govkg-bench`: throughput, latency and memory of govkg on a seeded synthetic corpus.
//! A tool of the workspace, not part of the shipped `govkg` binary; run it with
//! `cargo run --release -p govkg-bench -- --reports 10000`.
//!
//! Generates two corpora (N reports and N/10, see [`govkg_synth`]), then measures
//! - extraction: single-thread MB/s of [`pipeline::process`] over the large corpus held in
//!   memory, jieba-rs word segmentation (default dictionary, HMM off) over the same texts as a
//!   yardstick, and multi-thread (rayon, all cores) extraction;
//! - build: six builds (small/large × a new store on disk, a rebuild into it, memory), each as
//!   a separate child process
//!   (`govkg build …`), so that its wall time and peak RSS (`ru_maxrss` from `wait4`) are its own;
//! - queries: p50/p95 latency of every named query on the large on-disk store, in process;
//! - drawing: `govkg export -f dot` of the large store with the default node limit, Graphviz's
//!   `dot -Tsvg` layout of it, and a GraphML export of the whole network (`--drawing-of STORE`
//!   measures only this, on a store already built);
//! - `--load` alone: `govkg serve` under `--clients` concurrent clients for `--seconds` (see
//!   [`load`]);
//!
//! and prints one Markdown table with the project's bar beside the figures, also written to
//! `<dir>/bench.md`. Corpora and stores are deleted afterwards unless `--keep`.

mod linear;
mod load;

use std::fmt::Write as _;
use std::fs;
use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use govkg_core::knowledge::Knowledge;
use govkg_core::model::Document;
use govkg_core::pipeline;
use govkg_graph::query::{self, Param, Table};
use govkg_graph::store::GovStore;
use govkg_synth::{self as synth, CorpusStats};
use oxigraph::model::Term;

/// The bar the project must meet.
pub const BAR_RATIO: f64 = 1.0;
pub const BAR_MB_PER_CORE: f64 = 50.0;
pub const BAR_BUILD_SECONDS: f64 = 60.0;
pub const BAR_BUILD_RSS_BYTES: u64 = 2 << 30;
pub const BAR_SELECTIVE_MS: f64 = 50.0;
pub const BAR_AGGREGATE_MS: f64 = 1000.0;
/// DOT export with the default node limit plus Graphviz's layout, for 2 000 reports.
pub const BAR_DRAWING_SECONDS: f64 = 30.0;
/// The corpus size the build bar is set for.
pub const BAR_REPORTS: usize = 10_000;

// mimalloc, as in the govkg binary, so that the in-process extraction figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Measure govkg's throughput, build time, memory and query latency on a seeded synthetic
/// corpus, and print one Markdown table with the project's bars beside the figures.
#[derive(Debug, clap::Parser)]
#[command(name = "govkg-bench", version, about, long_about = None, max_term_width = 100)]
pub struct BenchArgs {
    /// The govkg executable whose builds are measured (default: the `govkg` beside this
    /// program, as `cargo build --release` leaves it).
    #[arg(long, value_name = "PATH")]
    pub govkg: Option<PathBuf>,
    /// Largest corpus, in reports (the table also shows a tenth of it).
    #[arg(long, default_value_t = 10_000)]
    pub reports: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where to generate the corpora and stores (deleted afterwards unless --keep).
    #[arg(long, default_value = "bench-out")]
    pub dir: PathBuf,
    #[arg(long)]
    pub keep: bool,
    /// Query repetitions for latency percentiles.
    #[arg(long, default_value_t = 20)]
    pub repeat: usize,
    /// Extra texts (*.txt) recombined beside the bundled reports, when the folder exists.
    #[arg(long, default_value = "tests/corpus/more", value_name = "DIR")]
    pub sources: PathBuf,
    /// Recombine the bundled reports only (ignore --sources).
    #[arg(long)]
    pub bundled_only: bool,
    /// Give up a query after this many seconds (it is then reported as timed out).
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    pub query_timeout: f64,
    /// Only write the corpus of --reports reports to <dir>/corpus-<reports>, keep it, and stop.
    #[arg(long)]
    pub generate_only: bool,
    /// Only measure the drawing (DOT export and Graphviz layout, GraphML export) of this store,
    /// already built, and stop.
    #[arg(long, value_name = "STORE")]
    pub drawing_of: Option<PathBuf>,
    /// Only measure whether extraction is linear: `govkg extract` on one file of generated
    /// report text per size of --linear-mb (time, MB/s, peak memory, and the time ratio).
    #[arg(long)]
    pub linear: bool,
    /// Sizes of the --linear inputs, in MB.
    #[arg(long, value_delimiter = ',', default_values_t = [1.0, 10.0, 100.0], value_name = "MB,…")]
    pub linear_mb: Vec<f64>,
    /// Only time `govkg extract` on each pathological input (synth's `pathological` module)
    /// of each size of --pathological-mb.
    #[arg(long)]
    pub pathological: bool,
    /// Sizes of the --pathological inputs, in MB.
    #[arg(long, value_delimiter = ',', default_values_t = [5.0], value_name = "MB,…")]
    pub pathological_mb: Vec<f64>,
    /// Only these --pathological inputs (file names as listed, without extension; default all).
    #[arg(long, value_delimiter = ',', value_name = "NAME,…")]
    pub pathological_inputs: Vec<String>,
    /// Only measure extraction against jieba-rs on a generated corpus of --reports reports
    /// (the bar "extraction ≥ 1.0× jieba"), and stop: a quick check after a rule change.
    #[arg(long)]
    pub extraction_only: bool,
    /// With --linear and --pathological: kill a `govkg extract` that runs longer than this.
    #[arg(long, default_value_t = 300.0, value_name = "SECONDS")]
    pub child_timeout: f64,
    /// Only load `govkg serve` with --clients concurrent clients for --seconds (named queries,
    /// SPARQL, the page, slow clients) and print answered %, 503 %, replies/s, p50/p95/p99
    /// latency and the server's peak RSS.
    #[arg(long)]
    pub load: bool,
    /// With --load: the store to serve (default: one built from data/reports into <dir>).
    #[arg(long, value_name = "STORE")]
    pub store: Option<PathBuf>,
    /// With --load: concurrent clients.
    #[arg(long, default_value_t = 200)]
    pub clients: usize,
    /// With --load: how long the load lasts, in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub seconds: f64,
}

fn main() -> std::process::ExitCode {
    let args = <BenchArgs as clap::Parser>::parse();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("govkg-bench: {}", govkg::error_line(e.as_ref()));
            std::process::ExitCode::from(2)
        }
    }
}

/// The govkg executable to measure: `--govkg`, or the one beside this program.
fn govkg_executable(args: &BenchArgs) -> Result<PathBuf> {
    let exe = match &args.govkg {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .context("cannot find this program's folder")?
            .with_file_name("govkg"),
    };
    if !exe.is_file() {
        bail!(
            "{}: no govkg executable (build it with `cargo build --release`, or pass --govkg PATH)",
            exe.display()
        );
    }
    Ok(exe)
}

/// Runs the benchmark and prints the table.
pub fn run(args: &BenchArgs) -> Result<()> {
    if args.reports == 0 {
        bail!("--reports must be at least 1");
    }
    fs::create_dir_all(&args.dir)
        .with_context(|| format!("{}: cannot create folder", args.dir.display()))?;
    if args.linear || args.pathological {
        return run_linear(args);
    }
    if args.load {
        let exe = govkg_executable(args)?;
        return load::run_load(
            &exe,
            args.store.as_deref(),
            &args.dir,
            args.clients,
            args.seconds,
        );
    }
    let sources = if args.bundled_only {
        Vec::new()
    } else {
        synth::read_sources(&args.sources)?
    };
    let source_note = if sources.is_empty() {
        format!("the {} bundled reports", synth::BUNDLED.len())
    } else {
        format!(
            "the {} bundled reports + {} texts of {}",
            synth::BUNDLED.len(),
            sources.len(),
            args.sources.display()
        )
    };

    if let Some(store) = &args.drawing_of {
        let mut md = String::new();
        let exe = govkg_executable(args)?;
        write_drawing(
            &mut md,
            &store.display().to_string(),
            &measure_drawing(&exe, store, &args.dir)?,
        )?;
        print!("{md}");
        return Ok(());
    }
    let large_n = args.reports;
    let small_n = (large_n / 10).max(1);
    let large_dir = args.dir.join(format!("corpus-{large_n}"));
    if args.extraction_only {
        return run_extraction_only(args, &sources, &source_note, &large_dir);
    }
    if args.generate_only {
        remove_dir(&large_dir)?;
        let stats = synth::generate(args.seed, large_n, &large_dir, &sources)?;
        println!("{}", corpus_line(&stats, args.seed, &source_note));
        return Ok(());
    }
    let small_dir = args.dir.join(format!("corpus-{small_n}"));
    let large_store = args.dir.join(format!("store-{large_n}"));
    let small_store = args.dir.join(format!("store-{small_n}"));
    let owned = [&large_dir, &small_dir, &large_store, &small_store];
    for dir in owned {
        remove_dir(dir)?;
    }

    let result = measure(args, &sources, &source_note, large_n, small_n);
    if !args.keep {
        for dir in owned {
            remove_dir(dir)?;
        }
    }
    let report = result?;
    print!("{report}");
    let md = args.dir.join("bench.md");
    fs::write(&md, &report).with_context(|| format!("{}: cannot write", md.display()))?;
    eprintln!("bench: wrote {}", md.display());
    Ok(())
}

/// `--extraction-only`: generate the corpus, print the extraction table, remove the corpus
/// unless --keep.
fn run_extraction_only(
    args: &BenchArgs,
    sources: &[String],
    source_note: &str,
    corpus: &Path,
) -> Result<()> {
    remove_dir(corpus)?;
    let stats = synth::generate(args.seed, args.reports, corpus, sources)?;
    let mut md = format!("{}\n\n", corpus_line(&stats, args.seed, source_note));
    let extraction = measure_extraction(corpus);
    if !args.keep {
        remove_dir(corpus)?;
    }
    write_extraction(&mut md, &extraction?)?;
    print!("{md}");
    Ok(())
}

/// `--linear` and/or `--pathological`: print their tables and write them to
/// `<dir>/linear.md`.
fn run_linear(args: &BenchArgs) -> Result<()> {
    let exe = govkg_executable(args)?;
    let machine = Machine::probe();
    let mut md = format!(
        "{} cores, {:.1} GiB RAM, {}; load average at the start: {}\n\n",
        machine.cores, machine.ram_gib, machine.cpu, machine.load
    );
    if args.linear {
        md.push_str(&linear::linear(args, &exe)?);
        md.push('\n');
    }
    if args.pathological {
        md.push_str(&linear::pathological(args, &exe)?);
    }
    print!("{md}");
    let path = args.dir.join("linear.md");
    fs::write(&path, &md).with_context(|| format!("{}: cannot write", path.display()))?;
    eprintln!("bench: wrote {}", path.display());
    Ok(())
}

/// How a bench build stores its graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BuildMode {
    /// A new store on disk: reports are bulk-loaded.
    Disk,
    /// The same reports into the store `Disk` left: each replaced in a transaction.
    Rebuild,
    Memory,
}

impl BuildMode {
    fn label(self) -> &'static str {
        match self {
            BuildMode::Disk => "disk (RocksDB), new store",
            BuildMode::Rebuild => "disk, rebuild into that store",
            BuildMode::Memory => "memory",
        }
    }
}

pub(crate) fn remove_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("{}: cannot remove", dir.display()))?;
    }
    Ok(())
}

/// A build measured: reports, how the store was written, corpus bytes, and the run.
type MeasuredBuild = (usize, BuildMode, u64, BuildRun);

fn measure(
    args: &BenchArgs,
    sources: &[String],
    source_note: &str,
    large_n: usize,
    small_n: usize,
) -> Result<String> {
    let mut md = String::new();
    let machine = Machine::probe();
    let large_dir = args.dir.join(format!("corpus-{large_n}"));
    let small_dir = args.dir.join(format!("corpus-{small_n}"));

    eprintln!(
        "bench: generating {large_n} + {small_n} reports (seed {}) in {}",
        args.seed,
        args.dir.display()
    );
    let large = synth::generate(args.seed, large_n, &large_dir, sources)?;
    let small = synth::generate(args.seed, small_n, &small_dir, sources)?;
    let corpora = [(small_n, &small_dir, &small), (large_n, &large_dir, &large)];

    write_header(&mut md, args, &machine, &corpora, source_note)?;
    eprintln!("bench: extraction over {large_n} reports in memory");
    write_extraction(&mut md, &measure_extraction(&large_dir)?)?;
    let builds = measure_builds(args, &corpora)?;
    write_builds(&mut md, &builds, large_n)?;
    let disk_seconds = |n: usize| {
        builds
            .iter()
            .find(|b| b.0 == n && b.1 == BuildMode::Disk && b.3.outcome.is_ok())
            .map(|b| b.3.seconds)
    };
    write_growth(
        &mut md,
        disk_seconds(small_n),
        disk_seconds(large_n),
        small_n,
        large_n,
    )?;
    writeln!(md, "## queries ({large_n}-report on-disk store, in process, p50/p95 of --repeat runs after one warm-up)\n")?;
    if disk_seconds(large_n).is_some() {
        eprintln!("bench: queries");
        let timeout = Duration::from_secs_f64(args.query_timeout.max(0.001));
        let rows = measure_queries(
            &args.dir.join(format!("store-{large_n}")),
            args.repeat.max(1),
            timeout,
        )?;
        write_queries(&mut md, &rows)?;
    } else {
        writeln!(md, "n/a (the on-disk build of {large_n} reports failed)")?;
    }
    if disk_seconds(large_n).is_some() {
        eprintln!("bench: drawing");
        let store = args.dir.join(format!("store-{large_n}"));
        let drawing = measure_drawing(&govkg_executable(args)?, &store, &args.dir)?;
        write_drawing(
            &mut md,
            &format!("{large_n}-report on-disk store"),
            &drawing,
        )?;
    }
    writeln!(md)?;
    writeln!(
        md,
        "Load average at the end: {} (other work on the machine slows every figure).",
        Machine::probe().load
    )?;
    Ok(md)
}

/// The two corpora, small then large: reports, folder, statistics.
type Corpora<'a> = [(usize, &'a PathBuf, &'a CorpusStats); 2];

fn write_header(
    md: &mut String,
    args: &BenchArgs,
    machine: &Machine,
    corpora: &Corpora<'_>,
    source_note: &str,
) -> Result<()> {
    let [(small_n, _, small), (large_n, _, large)] = *corpora;
    writeln!(
        md,
        "# govkg bench — {large_n} reports, seed {}\n",
        args.seed
    )?;
    writeln!(
        md,
        "- machine: {} cores, {:.1} GiB RAM, {}; load average {} at the start",
        machine.cores, machine.ram_gib, machine.cpu, machine.load
    )?;
    writeln!(
        md,
        "- govkg {} ({})",
        env!("CARGO_PKG_VERSION"),
        if cfg!(debug_assertions) {
            "debug build: figures are not meaningful"
        } else {
            "release build"
        }
    )?;
    writeln!(
        md,
        "- corpus: {}",
        corpus_line(large, args.seed, source_note)
    )?;
    writeln!(
        md,
        "- small corpus: the first {small_n} of the same reports ({:.1} MB)",
        small.bytes as f64 / 1e6
    )?;
    writeln!(md)?;

    Ok(())
}

fn write_extraction(md: &mut String, extraction: &Extraction) -> Result<()> {
    writeln!(
        md,
        "## extraction ({} reports, {:.1} MB held in memory, no file I/O)\n",
        extraction.reports,
        extraction.bytes as f64 / 1e6
    )?;
    writeln!(md, "| measure | value | bar | |")?;
    writeln!(md, "|---|---:|---|:-:|")?;
    let (fast, slow) = extraction.single_spread;
    writeln!(
        md,
        "| govkg extraction (`pipeline::process`), 1 thread, median of {} | {:.1} MB/s ({:.2} s; {:.2}–{:.2}) | ≥ {BAR_MB_PER_CORE} MB/s per core | {} |",
        extraction.rounds,
        extraction.single_mbps(),
        extraction.single_seconds,
        fast,
        slow,
        mark(extraction.single_mbps() >= BAR_MB_PER_CORE)
    )?;
    let (fast, slow) = extraction.jieba_spread;
    writeln!(
        md,
        "| jieba-rs `cut(text, false)` (default dictionary, HMM off), 1 thread, median of {} | {:.1} MB/s ({:.2} s; {:.2}–{:.2}; {} tokens) | | |",
        extraction.rounds,
        extraction.jieba_mbps(),
        extraction.jieba_seconds,
        fast,
        slow,
        extraction.jieba_tokens
    )?;
    writeln!(
        md,
        "| ratio extraction / jieba (medians; passes alternate) | {:.2} | ≥ {BAR_RATIO:.1} | {} |",
        extraction.ratio(),
        mark(extraction.ratio() >= BAR_RATIO)
    )?;
    writeln!(
        md,
        "| govkg extraction, {} threads (rayon) | {:.1} MB/s ({:.2} s, ×{:.2}) | | |",
        extraction.threads,
        extraction.multi_mbps(),
        extraction.multi_seconds,
        extraction.multi_mbps() / extraction.single_mbps().max(1e-9)
    )?;
    writeln!(md)?;

    Ok(())
}

/// Builds each corpus on disk, again over that store, and in memory, each by a separate process.
fn measure_builds(args: &BenchArgs, corpora: &Corpora<'_>) -> Result<Vec<MeasuredBuild>> {
    // Builds, by a copy of this executable: a rebuild of govkg while the bench runs must not
    // change (or remove) the program measured.
    let exe = args.dir.join("govkg-bench-child");
    fs::copy(govkg_executable(args)?, &exe)
        .with_context(|| format!("{}: cannot copy the govkg executable", exe.display()))?;
    let mut builds = Vec::new();
    for (n, corpus, stats) in corpora.iter().copied() {
        let store = args.dir.join(format!("store-{n}"));
        remove_dir(&store)?;
        // The rebuild goes into the store the fresh build left: every report is replaced in a
        // transaction (the crash-safe path), not bulk-loaded.
        for mode in [BuildMode::Disk, BuildMode::Rebuild, BuildMode::Memory] {
            eprintln!("bench: build of {n} reports, {}", mode.label());
            let on_disk = (mode != BuildMode::Memory).then_some(store.as_path());
            let run = run_build(&exe, corpus, on_disk).unwrap_or_else(|e| BuildRun {
                seconds: 0.0,
                peak_rss: None,
                outcome: Err(format!("{e:#}")),
            });
            if let Err(e) = &run.outcome {
                eprintln!("bench:   failed: {e}");
            }
            builds.push((n, mode, stats.bytes, run));
        }
    }
    fs::remove_file(&exe).ok();
    Ok(builds)
}

fn write_builds(md: &mut String, builds: &[MeasuredBuild], large_n: usize) -> Result<()> {
    writeln!(md, "## build (each a separate `govkg build` process; wall time includes start-up and commit)\n")?;
    writeln!(
        md,
        "| reports | store | wall s | triples | triples/s | MB/s | peak RSS | bar | |"
    )?;
    writeln!(md, "|---:|---|---:|---:|---:|---:|---:|---|:-:|")?;
    for (n, mode, bytes, run) in builds {
        let store = mode.label();
        match &run.outcome {
            Ok(built) => {
                let (bar, ok) = if *n == large_n && *mode == BuildMode::Rebuild {
                    (
                        format!("≤ {} GiB", BAR_BUILD_RSS_BYTES >> 30),
                        mark(run.peak_rss.is_some_and(|r| r <= BAR_BUILD_RSS_BYTES)),
                    )
                } else if *n == large_n && *mode == BuildMode::Disk {
                    let note = if large_n == BAR_REPORTS {
                        ""
                    } else {
                        " (set for 10 000)"
                    };
                    (
                        format!(
                            "≤ {BAR_BUILD_SECONDS} s, ≤ {} GiB{note}",
                            BAR_BUILD_RSS_BYTES >> 30
                        ),
                        mark(
                            run.seconds <= BAR_BUILD_SECONDS
                                && run.peak_rss.is_some_and(|r| r <= BAR_BUILD_RSS_BYTES),
                        ),
                    )
                } else {
                    (String::new(), "")
                };
                writeln!(
                    md,
                    "| {n} | {store} | {:.2} | {} | {:.0} | {:.1} | {} | {bar} | {ok} |",
                    run.seconds,
                    built.triples,
                    built.triples as f64 / run.seconds.max(1e-9),
                    *bytes as f64 / 1e6 / run.seconds.max(1e-9),
                    run.peak_rss
                        .map(format_bytes)
                        .unwrap_or_else(|| "n/a".into()),
                )?;
            }
            Err(message) => writeln!(
                md,
                "| {n} | {store} | {:.2} | failed: {message} | | | | | ✗ |",
                run.seconds
            )?,
        }
    }
    if let Some((n, _, _, run)) = builds.iter().rev().find(|b| b.3.outcome.is_ok()) {
        if let Ok(built) = &run.outcome {
            writeln!(
                md,
                "\n{:.0} triples per report ({} reports → {} triples).",
                built.triples as f64 / built.reports.max(1) as f64,
                n,
                built.triples
            )?;
        }
    }
    writeln!(md)?;

    Ok(())
}

fn write_growth(
    md: &mut String,
    small_seconds: Option<f64>,
    large_seconds: Option<f64>,
    small_n: usize,
    large_n: usize,
) -> Result<()> {
    // Growth.
    writeln!(md, "## growth\n")?;
    match (small_seconds, large_seconds) {
        (Some(s), Some(l)) if large_n != small_n => writeln!(
            md,
            "build time {large_n} / build time {small_n} (on disk) = {:.2} for {:.0}× the reports (≈ {:.0} = linear)\n",
            l / s.max(1e-9),
            large_n as f64 / small_n as f64,
            large_n as f64 / small_n as f64
        )?,
        _ => writeln!(md, "n/a (a build failed or the corpora are the same size)\n")?,
    }

    Ok(())
}

fn write_queries(md: &mut String, rows: &[QueryRow]) -> Result<()> {
    writeln!(
        md,
        "| query | kind | parameters | rows | runs | p50 ms | p95 ms | bar | |"
    )?;
    writeln!(md, "|---|---|---|---:|---:|---:|---:|---|:-:|")?;
    for q in rows {
        let limit = q.kind.bar_ms();
        let bar = format!("p50 ≤ {limit} ms");
        let params = &q.params;
        match &q.error {
            None => writeln!(
                md,
                "| {} | {} | {} | {} | {} | {:.1} | {:.1} | {bar} | {} |",
                q.name,
                q.kind.label(),
                params,
                q.rows,
                q.runs,
                q.p50,
                q.p95,
                mark(q.p50 <= limit)
            )?,
            Some(e) => writeln!(
                md,
                "| {} | {} | {} | failed: {e} | | | | {bar} | ✗ |",
                q.name,
                q.kind.label(),
                params
            )?,
        }
    }
    writeln!(
        md,
        "\nselective: the entity in the middle when all are ranked by how many reports name them; broad: the one named in (nearly) every report, whose answer is as large as a whole-graph one."
    )?;
    Ok(())
}

fn corpus_line(stats: &CorpusStats, seed: u64, source_note: &str) -> String {
    format!(
        "{} reports, {:.1} MB (mean {:.1} KB, {:.1}–{:.1} KB), {} districts, {} authors, years {}–{}, from {source_note}; seed {seed}, fingerprint {:016x}; generated in {:.1} s into {}",
        stats.reports,
        stats.bytes as f64 / 1e6,
        stats.mean_bytes() / 1e3,
        stats.min_bytes as f64 / 1e3,
        stats.max_bytes as f64 / 1e3,
        stats.districts,
        stats.authors,
        stats.years.0,
        stats.years.1,
        stats.fingerprint,
        stats.seconds,
        stats.dir.display()
    )
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "✓"
    } else {
        "✗"
    }
}

fn format_bytes(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.0} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

/// Cores, memory and CPU of this machine.
pub struct Machine {
    pub cores: usize,
    pub ram_gib: f64,
    pub cpu: String,
    /// The 1-minute load average: above ~0.5, something else was running.
    pub load: String,
}

impl Machine {
    pub fn probe() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let ram_kib: f64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name")
                    .and_then(|v| v.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| std::env::consts::ARCH.to_string());
        let load = fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_string))
            .unwrap_or_else(|| "n/a".into());
        Self {
            cores,
            ram_gib: ram_kib / (1024.0 * 1024.0),
            cpu,
            load,
        }
    }
}

/// Extraction throughput over a corpus held in memory.
pub struct Extraction {
    pub reports: usize,
    pub bytes: usize,
    /// Medians over `rounds` alternating passes, and (fastest, slowest) of each.
    pub single_seconds: f64,
    pub single_spread: (f64, f64),
    pub jieba_seconds: f64,
    pub jieba_spread: (f64, f64),
    pub jieba_tokens: usize,
    pub rounds: usize,
    pub multi_seconds: f64,
    pub threads: usize,
}

impl Extraction {
    fn mbps(&self, seconds: f64) -> f64 {
        self.bytes as f64 / 1e6 / seconds.max(1e-9)
    }
    pub fn single_mbps(&self) -> f64 {
        self.mbps(self.single_seconds)
    }
    pub fn jieba_mbps(&self) -> f64 {
        self.mbps(self.jieba_seconds)
    }
    pub fn multi_mbps(&self) -> f64 {
        self.mbps(self.multi_seconds)
    }
    /// Extraction speed over jieba's: above 1, extraction is the faster.
    pub fn ratio(&self) -> f64 {
        self.single_mbps() / self.jieba_mbps().max(1e-9)
    }
}

/// Reads every report of `dir` (sorted) as the build would.
pub fn load_documents(dir: &Path) -> Result<Vec<Document>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| govkg::build::read_document(p))
        .collect()
}

/// Single-thread extraction and jieba over the same texts, then extraction on all cores.
/// Rounds of the single-thread comparison with jieba. On a shared machine one pass of each is
/// at the mercy of whatever else runs during it: the passes alternate, and the medians count.
const EXTRACTION_ROUNDS: usize = 5;

pub fn measure_extraction(dir: &Path) -> Result<Extraction> {
    let docs = load_documents(dir)?;
    let knowledge = Knowledge::embedded()?;
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    // Warm-up: fault in the tables and the allocator's arenas, and build the one table that is
    // built on first use (jieba with the gazetteer's names), a start-up cost like the others
    // that would otherwise land in the timed loop or not, depending on the first reports.
    black_box(knowledge.segmenter());
    for doc in docs.iter().take(20) {
        black_box(pipeline::process(doc, &knowledge));
    }
    let jieba = jieba_rs::Jieba::new();
    for doc in docs.iter().take(20) {
        black_box(jieba.cut(&doc.text, false));
    }
    // Each round times one pass of each over the whole corpus, in turns.
    let mut single = Vec::with_capacity(EXTRACTION_ROUNDS);
    let mut by_jieba = Vec::with_capacity(EXTRACTION_ROUNDS);
    let mut jieba_tokens = 0;
    for _ in 0..EXTRACTION_ROUNDS {
        let started = Instant::now();
        for doc in &docs {
            black_box(pipeline::process(black_box(doc), &knowledge));
        }
        single.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        jieba_tokens = 0;
        for doc in &docs {
            jieba_tokens += black_box(jieba.cut(black_box(&doc.text), false)).len();
        }
        by_jieba.push(started.elapsed().as_secs_f64());
    }
    drop(jieba);

    let threads = rayon::current_num_threads();
    let started = Instant::now();
    let done = docs
        .par_iter()
        .map(|doc| black_box(pipeline::process(doc, &knowledge)).year.is_some() as usize)
        .sum::<usize>();
    black_box(done);
    let multi_seconds = started.elapsed().as_secs_f64();
    Ok(Extraction {
        reports: docs.len(),
        bytes,
        single_seconds: median(&mut single),
        single_spread: spread(&single),
        jieba_seconds: median(&mut by_jieba),
        jieba_spread: spread(&by_jieba),
        jieba_tokens,
        rounds: EXTRACTION_ROUNDS,
        multi_seconds,
        threads,
    })
}

/// The median of `seconds` (sorted in place).
fn median(seconds: &mut [f64]) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds.get(seconds.len() / 2).copied().unwrap_or(0.0)
}

/// (fastest, slowest) of `seconds`, sorted.
fn spread(seconds: &[f64]) -> (f64, f64) {
    (
        seconds.first().copied().unwrap_or(0.0),
        seconds.last().copied().unwrap_or(0.0),
    )
}

/// What one `govkg build` child did.
pub struct BuildRun {
    /// Wall time from spawn to exit, measured by the parent.
    pub seconds: f64,
    /// The child's peak resident set (`ru_maxrss`), when the platform tells it.
    pub peak_rss: Option<u64>,
    pub outcome: std::result::Result<Built, String>,
}

/// Figures of the build's summary line ("built N reports: … T triples in S s").
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    pub reports: usize,
    pub triples: usize,
    pub seconds: f64,
}

/// Parses the summary line `govkg build` prints on standard error.
pub fn parse_summary(stderr: &str) -> Option<Built> {
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("built ") && l.contains(" triples in "))?;
    let reports = line
        .strip_prefix("built ")?
        .split(' ')
        .next()?
        .parse()
        .ok()?;
    let (before, after) = line.split_once(" triples in ")?;
    let triples = before.rsplit(' ').next()?.parse().ok()?;
    let seconds = after.split(' ').next()?.parse().ok()?;
    Some(Built {
        reports,
        triples,
        seconds,
    })
}

/// Builds `corpus` with the govkg executable `exe` in a child process (on disk at `store`, or in
/// memory when `None`).
pub fn run_build(exe: &Path, corpus: &Path, store: Option<&Path>) -> Result<BuildRun> {
    let mut command = Command::new(exe);
    command.arg("build");
    match store {
        Some(dir) => command.arg("--store").arg(dir),
        None => command.arg("--memory"),
    };
    command
        .arg(corpus)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().context("cannot start `govkg build`")?;
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr)
            .context("cannot read the build's output")?;
    }
    let (success, peak_rss) = wait_with_rusage(&mut child)?;
    let seconds = started.elapsed().as_secs_f64();
    let outcome = match parse_summary(&stderr) {
        Some(built) if success || built.reports > 0 => Ok(built),
        _ => Err(stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no output")
            .trim()
            .to_string()),
    };
    Ok(BuildRun {
        seconds,
        peak_rss,
        outcome,
    })
}

/// Waits for the child and returns whether it succeeded and its peak RSS in bytes.
#[cfg(target_os = "linux")]
fn wait_with_rusage(child: &mut std::process::Child) -> Result<(bool, Option<u64>)> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value that wait4 overwrites.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our own unreaped child; the pointers are to live locals.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err).context("cannot wait for `govkg build`");
        }
    }
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // Linux reports ru_maxrss in KiB.
    Ok((success, Some(usage.ru_maxrss as u64 * 1024)))
}

#[cfg(not(target_os = "linux"))]
fn wait_with_rusage(child: &mut std::process::Child) -> Result<(bool, Option<u64>)> {
    let status = child.wait().context("cannot wait for `govkg build`")?;
    Ok((status.success(), None))
}

/// What a query case asks, which decides its bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseKind {
    /// Whole graph, no parameter.
    Aggregate,
    /// One typical entity: the one in the middle when entities are ranked by how many reports
    /// name them.
    Selective,
    /// One entity named in (nearly) every report: an answer the size of a whole-graph one.
    Broad,
}

impl CaseKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Aggregate => "aggregate",
            Self::Selective => "selective",
            Self::Broad => "broad",
        }
    }
    /// Selective answers must be interactive; aggregate and broad ones are held to the
    /// whole-graph bar.
    pub fn bar_ms(self) -> f64 {
        match self {
            Self::Selective => BAR_SELECTIVE_MS,
            Self::Aggregate | Self::Broad => BAR_AGGREGATE_MS,
        }
    }
}

/// Latency of one query case.
pub struct QueryRow {
    pub name: String,
    pub kind: CaseKind,
    pub params: String,
    pub rows: usize,
    pub runs: usize,
    pub p50: f64,
    pub p95: f64,
    pub error: Option<String>,
}

/// Time limit of the helper queries that find the parameters.
const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

/// A query whose warm-up takes longer than this runs only three more times.
const SLOW_QUERY: Duration = Duration::from_secs(5);

/// Runs every named query on the store: whole-graph ones as they are, the ones about one
/// entity with parameters.
pub fn measure_queries(
    store_dir: &Path,
    repeat: usize,
    timeout: Duration,
) -> Result<Vec<QueryRow>> {
    let gov = GovStore::open_existing(store_dir)?;
    let store = gov.oxigraph();
    let mut rows = Vec::new();
    for (name, kind, raw_params) in query_cases(store)? {
        let row = measure_query(store, name, kind, &raw_params, repeat, timeout)?;
        match &row.error {
            None => eprintln!(
                "bench:   {name} ({}) {:.1} ms p50, {} rows",
                row.params, row.p50, row.rows
            ),
            Some(e) => eprintln!("bench:   {name} ({}) {e}", row.params),
        }
        rows.push(row);
    }
    Ok(rows)
}

/// A named query to measure: its name, what kind of question it is, its parameters.
type QueryCase = (&'static str, CaseKind, Vec<String>);

/// The whole-graph named queries as they are; the ones about one entity with a typical and the
/// most named entity as parameter.
fn query_cases(store: &oxigraph::store::Store) -> Result<Vec<QueryCase>> {
    let agencies = ranked_entities(store, "Agency")?;
    let initiatives = ranked_entities(store, "Initiative")?;
    // The typical (middle) and the most named entity of a ranking, each as a parameter.
    let about = |ranked: &[(String, String)], param: &dyn Fn(&(String, String)) -> String| {
        [
            (CaseKind::Selective, ranked.get(ranked.len() / 2)),
            (CaseKind::Broad, ranked.last()),
        ]
        .into_iter()
        .filter_map(|(kind, entity)| entity.map(|e| (kind, vec![param(e)])))
        .collect::<Vec<_>>()
    };
    let mut cases: Vec<QueryCase> = Vec::new();
    for q in query::NAMED_QUERIES {
        let entity_cases = match q.name {
            "implementers" => {
                cases.push((q.name, CaseKind::Aggregate, vec![]));
                about(&initiatives, &|(_, name)| format!("initiative={name}"))
            }
            "agency-profile" => about(&agencies, &|(_, name)| format!("agencyName={name}")),
            "entity-profile" => about(&initiatives, &|(iri, _)| format!("entity=<{iri}>")),
            name => {
                cases.push((name, CaseKind::Aggregate, vec![]));
                Vec::new()
            }
        };
        cases.extend(
            entity_cases
                .into_iter()
                .map(|(kind, params)| (q.name, kind, params)),
        );
    }
    Ok(cases)
}

/// Runs one case once to warm up, then `repeat` times (3 for a slow query) for the percentiles.
fn measure_query(
    store: &oxigraph::store::Store,
    name: &str,
    kind: CaseKind,
    raw_params: &[String],
    repeat: usize,
    timeout: Duration,
) -> Result<QueryRow> {
    let text = query::named_query(name)
        .map(|q| q.text.to_string())
        .unwrap_or_default();
    let params: Vec<Param> = raw_params
        .iter()
        .map(|p| p.parse())
        .collect::<Result<_>>()?;
    let mut row = QueryRow {
        name: name.to_string(),
        kind,
        params: if raw_params.is_empty() {
            "—".into()
        } else {
            raw_params.join(", ")
        },
        rows: 0,
        runs: 0,
        p50: 0.0,
        p95: 0.0,
        error: None,
    };
    // Parameters are bound in the query's algebra wherever the variable stands, so every
    // named query takes them as `govkg query --param` does.
    let started = Instant::now();
    let first = query::select(store, &text, &params, Some(timeout));
    match first {
        Err(e) => row.error = Some(e.to_string()),
        Ok(table) => {
            row.rows = table.rows.len();
            let runs = if started.elapsed() > SLOW_QUERY {
                repeat.min(3)
            } else {
                repeat
            };
            let mut times = Vec::with_capacity(runs);
            for _ in 0..runs {
                let started = Instant::now();
                match query::select(store, &text, &params, Some(timeout)) {
                    Ok(table) => {
                        times.push(started.elapsed().as_secs_f64() * 1e3);
                        black_box(table);
                    }
                    Err(e) => {
                        row.error = Some(e.to_string());
                        break;
                    }
                }
            }
            row.runs = times.len();
            row.p50 = percentile(&mut times, 0.50);
            row.p95 = percentile(&mut times, 0.95);
        }
    }
    Ok(row)
}

/// Nearest-rank percentile (`p` in 0..=1); 0 for no samples.
pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(f64::total_cmp);
    let rank = (p * samples.len() as f64).ceil().max(1.0) as usize;
    samples[rank.min(samples.len()) - 1]
}

const PREFIXES: &str = "PREFIX gk: <https://w3id.org/govkg/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n";

/// The entities of class `class` (IRI, name), ranked by how many reports name them, fewest
/// first (ties by IRI). The middle one is what a selective question is typically about; the
/// last is named in the most reports.
fn ranked_entities(store: &oxigraph::store::Store, class: &str) -> Result<Vec<(String, String)>> {
    let table: Table = query::select(
        store,
        &format!(
            "{PREFIXES}SELECT ?e ?name (COUNT(DISTINCT ?r) AS ?n) WHERE {{ {{ SELECT ?e ?name WHERE {{ ?e a gk:{class} ; skos:prefLabel ?name }} }} GRAPH ?r {{ ?r gk:mentions ?e }} }} GROUP BY ?e ?name ORDER BY ?n ?e"
        ),
        &[],
        Some(PROBE_TIMEOUT),
    )?;
    Ok(table
        .rows
        .iter()
        .filter_map(|row| match (row.first(), row.get(1)) {
            (Some(Some(Term::NamedNode(iri))), Some(Some(Term::Literal(name)))) => {
                Some((iri.as_str().to_string(), name.value().to_string()))
            }
            _ => None,
        })
        .collect())
}

/// The drawing of a store: `govkg export` of DOT (default node limit) and of the whole network
/// as GraphML, and Graphviz's layout of the DOT.
pub struct DrawingRun {
    /// Wall seconds and the `wrote … (N nodes, M edges)` summary of the DOT export.
    pub dot_export: (f64, String),
    /// What the node limit left out, as govkg says it.
    pub note: Option<String>,
    /// Wall seconds of `dot -Tsvg` and the SVG's size, or why it did not run.
    pub layout: Result<(f64, u64), String>,
    pub graphml_export: (f64, String),
}

/// Runs a command to completion: wall seconds and standard error, or its last error line.
fn timed(command: &mut Command) -> Result<(f64, String)> {
    let started = Instant::now();
    let out = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        bail!("{command:?} failed: {}", stderr.trim());
    }
    Ok((seconds, stderr))
}

/// The `(N nodes, M edges)` of govkg's `wrote …` line.
fn wrote_summary(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix("wrote ")?
                .split_once(" (")?
                .1
                .split_once(')')
        })
        .map_or_else(|| "?".to_string(), |(summary, _)| summary.to_string())
}

/// Measures the drawing of `store` with the govkg executable `exe`, writing files into `dir`.
pub fn measure_drawing(exe: &Path, store: &Path, dir: &Path) -> Result<DrawingRun> {
    let dot_file = dir.join("drawing.dot");
    let svg_file = dir.join("drawing.svg");
    let graphml_file = dir.join("network.graphml");
    let export = |format: &str, file: &Path| {
        timed(
            Command::new(exe)
                .args(["export", "-f", format, "--store"])
                .arg(store)
                .arg("-o")
                .arg(file),
        )
    };
    let (seconds, stderr) = export("dot", &dot_file)?;
    let note = stderr
        .lines()
        .find(|l| l.contains("left out"))
        .map(str::to_string);
    let dot_export = (seconds, wrote_summary(&stderr));
    let layout = match timed(
        Command::new("dot")
            .arg("-Tsvg")
            .arg(&dot_file)
            .arg("-o")
            .arg(&svg_file),
    ) {
        Ok((seconds, _)) => Ok((seconds, fs::metadata(&svg_file).map_or(0, |m| m.len()))),
        Err(e) => Err(format!(
            "Graphviz `dot` did not run ({e:#}); install graphviz"
        )),
    };
    let (seconds, stderr) = export("graphml", &graphml_file)?;
    for file in [&dot_file, &svg_file, &graphml_file] {
        fs::remove_file(file).ok();
    }
    Ok(DrawingRun {
        dot_export,
        note,
        layout,
        graphml_export: (seconds, wrote_summary(&stderr)),
    })
}

fn write_drawing(md: &mut String, what: &str, run: &DrawingRun) -> Result<()> {
    writeln!(md, "\n## drawing ({what}; each step a separate process)\n")?;
    writeln!(md, "| step | wall s | result | bar | |")?;
    writeln!(md, "|---|---:|---|---|:-:|")?;
    let (export_s, summary) = &run.dot_export;
    writeln!(
        md,
        "| `govkg export -f dot` (default --max-nodes) | {export_s:.2} | {summary} | | |"
    )?;
    match &run.layout {
        Ok((layout_s, svg_bytes)) => {
            let svg = format_bytes(*svg_bytes);
            writeln!(
                md,
                "| `dot -Tsvg` of that | {layout_s:.2} | {svg} of SVG | | |"
            )?;
            let total = export_s + layout_s;
            let bar = format!("≤ {BAR_DRAWING_SECONDS:.0} s (2 000 reports)");
            writeln!(
                md,
                "| export + layout | {total:.2} | | {bar} | {} |",
                mark(total <= BAR_DRAWING_SECONDS)
            )?;
        }
        Err(reason) => writeln!(md, "| `dot -Tsvg` of that | n/a | {reason} | | |")?,
    }
    let (graphml_s, summary) = &run.graphml_export;
    writeln!(
        md,
        "| `govkg export -f graphml` (whole network) | {graphml_s:.2} | {summary} | | |\n"
    )?;
    if let Some(note) = &run.note {
        writeln!(
            md,
            "The DOT's note: {}\n",
            note.trim_start_matches("govkg: ")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line_is_parsed() {
        let err = "govkg: x.txt: cannot read\nbuilt 40 reports: 12 agencies, 3 laws, 0 policy documents, 9 initiatives, 20 implements, 4 cites; 12345 triples in 1.25 s (3.4 MB/s)\n";
        assert_eq!(
            parse_summary(err),
            Some(Built {
                reports: 40,
                triples: 12345,
                seconds: 1.25
            })
        );
        assert_eq!(parse_summary("govkg: nothing"), None);
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&mut v, 0.5), 10.0);
        assert_eq!(percentile(&mut v, 0.95), 19.0);
        assert_eq!(percentile(&mut [3.0], 0.95), 3.0);
        assert_eq!(percentile(&mut [], 0.5), 0.0);
    }

    #[test]
    fn export_summary_is_parsed() {
        let stderr =
            "govkg: showing the 150 nodes…\nwrote /t/d.dot (150 nodes, 2143 edges) in 3.70 s\n";
        assert_eq!(wrote_summary(stderr), "150 nodes, 2143 edges");
        assert_eq!(wrote_summary("nothing"), "?");
    }
}
