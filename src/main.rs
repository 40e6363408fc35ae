//! govkg command line. Thin: parses flags ([`cli`]), calls the library stages, prints.

mod cli;

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::{CommandFactory, Parser};

use cli::{Cli, Command};
use govkg::build::{self, BuildOptions, FileLimits};
use govkg_core::knowledge::Knowledge;
use govkg_graph::answer;
use govkg_graph::export::{self, ExportFormat, Filter};
use govkg_graph::query::{self, OutputFormat, Param};
use govkg_graph::stats::Stats;
use govkg_graph::store::{GovStore, StoreLocation};

// mimalloc for Rust and, through its `override` feature, for C and C++ too (see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // `govkg query … | head` closes the pipe early: that is not an error.
        Err(err)
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("govkg: {}", govkg::error_line(err.as_ref()));
            ExitCode::from(2)
        }
    }
}

fn knowledge(data: &Option<PathBuf>) -> Result<Knowledge> {
    match data {
        Some(dir) => Knowledge::from_dir(dir),
        None => Knowledge::embedded(),
    }
}

/// Success, or 1 when some files were left out (each already reported on standard error).
fn exit_code(failures: usize) -> ExitCode {
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => govkg::serve::run(&args.into()).map(|()| ExitCode::SUCCESS),
        Command::Push(args) => govkg::push::run(&args.into()).map(|()| ExitCode::SUCCESS),
        Command::Build {
            paths,
            store,
            memory,
            threads,
            queries,
            export,
            output,
            quiet,
            limits,
        } => {
            let location = if memory {
                StoreLocation::Memory
            } else {
                StoreLocation::Disk(store)
            };
            let options = BuildOptions {
                threads,
                progress: !quiet && std::io::stderr().is_terminal(),
                limits: limits.into(),
            };
            let after = AfterBuild {
                queries,
                export,
                output,
                quiet,
            };
            run_build(&knowledge(&cli.data)?, &paths, location, &options, &after)
        }
        Command::Extract {
            paths,
            text: true,
            limits,
            ..
        } => run_extract_text(&paths, &limits.into()),
        Command::Extract {
            paths,
            pretty,
            limits,
            ..
        } => run_extract(&knowledge(&cli.data)?, &paths, pretty, &limits.into()),
        Command::Query { list: true, .. } => list_queries(),
        Command::Query {
            query,
            sparql,
            store,
            format,
            params,
            timeout,
            list: false,
        } => {
            let text = query_or_sparql(query.as_deref(), sparql)?;
            run_query(&store, &text, &params, format, timeout)
        }
        Command::Stats { store, json } => run_stats(&store, json),
        Command::Completions { shell } => print_completions(shell),
        Command::Man { dir } => run_man(dir.as_deref()),
        Command::Export {
            format,
            store,
            reports,
            network,
            output,
        } => run_export(format, &store, reports, network, output.as_deref()),
        Command::Eval {
            gold,
            paths,
            verbose,
            json,
        } => run_eval(&knowledge(&cli.data)?, &paths, &gold, verbose, json),
    }
}

/// What `govkg build` does with the store once built.
struct AfterBuild {
    queries: Vec<String>,
    export: Option<ExportFormat>,
    output: Option<PathBuf>,
    quiet: bool,
}

/// `govkg build`: builds, reports the files left out and the summary, then runs the queries and
/// the export asked for.
fn run_build(
    knowledge: &Knowledge,
    paths: &[PathBuf],
    location: StoreLocation,
    options: &BuildOptions,
    after: &AfterBuild,
) -> Result<ExitCode> {
    let outcome = build::build(paths, knowledge, location, options)?;
    for failure in &outcome.failures {
        eprintln!("govkg: {failure}");
    }
    if !after.quiet {
        eprintln!("{}", outcome.summary);
    }
    let gov = &outcome.store;
    for name in &after.queries {
        let (_, text) = query_text(name)?;
        let table = query::select(gov.oxigraph(), &text, &[], None)?;
        let mut out = std::io::stdout().lock();
        table.write(OutputFormat::Table, &mut out)?;
    }
    if let Some(format) = after.export {
        let filter = cli::NetworkArgs::default().filter(Vec::new(), format);
        write_export(gov, format, &filter, after.output.as_deref())?;
    }
    Ok(exit_code(outcome.failures.len()))
}

/// `govkg extract`: one JSON object per readable report on standard output.
fn run_extract(
    knowledge: &Knowledge,
    paths: &[PathBuf],
    pretty: bool,
    limits: &FileLimits,
) -> Result<ExitCode> {
    let (extractions, failures) = if paths.len() == 1 && paths[0].as_os_str() == "-" {
        (vec![extract_stdin(knowledge, limits)?], Vec::new())
    } else {
        build::extract_paths(paths, knowledge, None, limits)?
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for x in &extractions {
        // As io errors, so that a closed pipe is recognised as one.
        if pretty {
            serde_json::to_writer_pretty(&mut out, x).map_err(std::io::Error::from)?;
        } else {
            serde_json::to_writer(&mut out, x).map_err(std::io::Error::from)?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    for failure in &failures {
        eprintln!("govkg: {failure}");
    }
    Ok(exit_code(failures.len()))
}

/// `govkg extract --text`: the text of one report exactly as govkg read it, which the character
/// offsets of `extract` count in.
fn run_extract_text(paths: &[PathBuf], limits: &FileLimits) -> Result<ExitCode> {
    let [path] = paths else {
        bail!("--text prints one report: give one file (or `-` for standard input)");
    };
    let hint = " (raise it with --max-file-size)";
    let source = if path.as_os_str() == "-" {
        let bytes = read_stdin(limits.max_bytes, hint)?;
        govkg_read::read_bytes("stdin", &bytes).map_err(|e| anyhow!("stdin: {e}"))?
    } else {
        govkg_read::read_source_within(path, limits.max_bytes)
            .map_err(|e| anyhow!("{}: {e}", path.display()))?
    };
    let mut out = std::io::stdout().lock();
    out.write_all(source.text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The extraction of the one report on standard input (its name, and so its id, is `stdin`).
fn extract_stdin(
    knowledge: &Knowledge,
    limits: &FileLimits,
) -> Result<govkg_core::model::Extraction> {
    let bytes = read_stdin(limits.max_bytes, " (raise it with --max-file-size)")?;
    // The budget starts once the report is in: a terminal may take its time to send it.
    build::prepare(knowledge, limits);
    let budget = limits.budget();
    let source = govkg_read::read_bytes("stdin", &bytes).map_err(|e| anyhow!("stdin: {e}"))?;
    let doc = govkg_core::model::Document::new(
        "stdin".to_string(),
        source.text,
        source.format.as_str(),
        source.encoding,
    );
    govkg_core::pipeline::process_within(&doc, knowledge, &budget)
        .map_err(|over| anyhow!("stdin: {}", build::FailureReason::OverBudget(over.0)))
}

/// Standard input, up to `limit` bytes; `hint` ends the error beyond it.
fn read_stdin(limit: u64, hint: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .context("stdin: cannot read")?;
    if bytes.len() as u64 > limit {
        bail!(
            "stdin: over the size limit of {}{hint}",
            build::human_bytes(limit)
        );
    }
    Ok(bytes)
}

/// `govkg query --list`: each named query, what it answers and the parameters it declares.
fn list_queries() -> Result<ExitCode> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    for q in query::NAMED_QUERIES {
        writeln!(out, "{:<22} {}", q.name, q.summary())?;
        for p in q.parameters() {
            writeln!(out, "{:<22}   --param {}=…  {}", "", p.name, p.about)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The text `govkg query` runs: `--sparql`, or a named query or .rq file.
fn query_or_sparql(query: Option<&str>, sparql: Option<String>) -> Result<String> {
    match (query, sparql) {
        (_, Some(text)) => Ok(text),
        (Some("-"), None) => String::from_utf8(read_stdin(govkg_read::MAX_INPUT_BYTES, "")?)
            .map_err(|_| anyhow!("stdin: the query is not UTF-8 text")),
        (Some(name), None) => Ok(query_text(name)?.1),
        (None, None) => bail!("give a named query, a .rq file or --sparql"),
    }
}

/// `govkg query`: runs the query on the store and prints the answer, then a warning for each
/// name given as a parameter that more than one entity carries (last, where it stays in sight).
fn run_query(
    store: &Path,
    text: &str,
    params: &[Param],
    format: Option<OutputFormat>,
    timeout: f64,
) -> Result<ExitCode> {
    let gov = GovStore::open_existing(store)?;
    let limit = Duration::from_secs_f64(timeout.max(0.001));
    // A query Oxigraph cannot cancel (see OVERRUN_GRACE) ends the process instead.
    govkg_graph::query::on_overrun(|limit| {
        eprintln!("govkg: {}", govkg_graph::query::QueryError::Timeout(limit));
        std::process::exit(2);
    });
    let mut out = BufWriter::new(std::io::stdout().lock());
    answer::write_answer(gov.oxigraph(), text, params, Some(limit), format, &mut out)?;
    out.flush()?;
    for warning in answer::ambiguous_names(gov.oxigraph(), text, params)? {
        eprintln!("govkg: warning: {warning}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `govkg stats`: what the store holds, as tables or JSON.
fn run_stats(store: &Path, json: bool) -> Result<ExitCode> {
    let gov = GovStore::open_existing(store)?;
    let stats = Stats::of(&gov)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, &stats).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        stats.write_text(&mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `govkg completions SHELL`: the shell's completion script, from the clap definitions.
fn print_completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    // Into memory first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "govkg", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `govkg man`: the manual page on standard output, or one page per command into `dir`.
fn run_man(dir: Option<&Path>) -> Result<ExitCode> {
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
            clap_mangen::generate_to(Cli::command(), dir)
                .with_context(|| format!("{}: cannot write the manual pages", dir.display()))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `govkg eval`: scores as a table, or as JSON.
fn run_eval(
    knowledge: &Knowledge,
    paths: &[PathBuf],
    gold: &Path,
    verbose: bool,
    json: bool,
) -> Result<ExitCode> {
    let scores = build::evaluate(paths, gold, knowledge)?;
    let text = if json {
        format!("{}\n", govkg_core::eval::json(&scores))
    } else {
        govkg_core::eval::render(&scores, verbose)
    };
    // Written, not printed: a closed pipe is an error that ends quietly, not a panic.
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A named query's text, or a .rq file's.
fn query_text(name: &str) -> Result<(String, String)> {
    if let Some(q) = query::named_query(name) {
        return Ok((q.name.to_string(), q.text.to_string()));
    }
    let path = PathBuf::from(name);
    if path.extension().is_some_and(|e| e == "rq") || path.is_file() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read query file", path.display()))?;
        return Ok((name.to_string(), text));
    }
    let names: Vec<&str> = query::NAMED_QUERIES.iter().map(|q| q.name).collect();
    bail!(
        "no named query `{name}` (named queries: {}; or give a .rq file or --sparql)",
        names.join(", ")
    )
}

/// `govkg export`: the format (given or guessed from the output's extension), the filter, the file.
fn run_export(
    format: Option<ExportFormat>,
    store: &Path,
    reports: Vec<String>,
    network: cli::NetworkArgs,
    output: Option<&Path>,
) -> Result<ExitCode> {
    let format = export_format(format, output)?;
    let filter = network.filter(reports, format);
    let gov = GovStore::open_existing(store)?;
    write_export(&gov, format, &filter, output)?;
    Ok(ExitCode::SUCCESS)
}

/// The export format: as given, or named by the output file's extension.
fn export_format(given: Option<ExportFormat>, output: Option<&Path>) -> Result<ExportFormat> {
    if let Some(format) = given {
        return Ok(format);
    }
    match output {
        Some(path) => ExportFormat::from_path(path).with_context(|| {
            format!(
                "{}: cannot tell the format from the file name; give --format ({})",
                path.display(),
                ExportFormat::NAMES.join(", ")
            )
        }),
        None => bail!(
            "give --format ({}), or --output FILE with a known extension",
            ExportFormat::NAMES.join(", ")
        ),
    }
}

/// Writes an export to its file (through a temporary file renamed into place, so a failed
/// export never leaves a truncated file) or to standard output.
fn write_export(
    gov: &GovStore,
    format: ExportFormat,
    filter: &Filter,
    output: Option<&Path>,
) -> Result<()> {
    let started = Instant::now();
    let mut buffer: Vec<u8> = Vec::new();
    let mut edges: Vec<u8> = Vec::new();
    let summary = if format.is_drawing() {
        let csv = format == ExportFormat::Csv && output.is_some();
        let edges_out = csv.then_some(&mut edges as &mut dyn Write);
        let d = export::write_drawing(gov, format, filter, &mut buffer, edges_out)?;
        if let Some(left_out) = d.left_out {
            eprintln!("govkg: {}", left_out.note());
        }
        format!(
            "{} nodes, {} edges",
            d.graph.node_count(),
            d.graph.edge_count()
        )
    } else {
        let count = export::write_rdf(gov, format, filter, &mut buffer)?;
        format!("{count} statements")
    };
    let Some(path) = output else {
        let mut out = std::io::stdout().lock();
        out.write_all(&buffer)?;
        return Ok(out.flush()?);
    };
    let files = if format == ExportFormat::Csv {
        let (nodes, edges_path) = csv_paths(path);
        vec![(nodes, buffer), (edges_path, edges)]
    } else {
        vec![(path.to_path_buf(), buffer)]
    };
    for (path, bytes) in &files {
        write_atomically(path, bytes)?;
    }
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "wrote {} ({summary}) in {seconds:.2} s",
        names.join(" and ")
    );
    Ok(())
}

/// The two files of a CSV export: `net.csv` → `net.nodes.csv` and `net.edges.csv`.
fn csv_paths(path: &Path) -> (PathBuf, PathBuf) {
    let stem = match path.extension() {
        Some(ext) if ext.eq_ignore_ascii_case("csv") => path.with_extension(""),
        _ => path.to_path_buf(),
    };
    let with = |part: &str| {
        let mut name = stem.clone().into_os_string();
        name.push(format!(".{part}.csv"));
        PathBuf::from(name)
    };
    (with("nodes"), with("edges"))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("govkg-tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))
}
