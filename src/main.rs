//! govkg command line. Thin: parses flags ([`cli`]), calls the library stages, prints.

mod cli;

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::Parser;

use cli::{Cli, Command};
use govkg::build::{self, BuildOptions, FileLimits};
use govkg_core::knowledge::Knowledge;
use govkg_graph::export::{self, ExportFormat, Filter};
use govkg_graph::query::{self, OutputFormat, Param};
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
        Command::Serve(args) => {
            govkg::serve::run(&args.into())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Push(args) => {
            govkg::push::run(&args.into())?;
            Ok(ExitCode::SUCCESS)
        }
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
            pretty,
            limits,
        } => run_extract(&knowledge(&cli.data)?, &paths, pretty, &limits.into()),
        Command::Query {
            query,
            sparql,
            store,
            format,
            params,
            timeout,
            list,
        } => {
            if list {
                list_queries();
                return Ok(ExitCode::SUCCESS);
            }
            let text = query_or_sparql(query.as_deref(), sparql)?;
            run_query(&store, &text, &params, format, timeout)
        }
        Command::Export {
            format,
            store,
            reports,
            initiative,
            agency,
            output,
        } => {
            let filter = Filter {
                reports,
                initiative,
                agency,
            };
            let format = export_format(format, output.as_deref())?;
            let gov = GovStore::open_existing(&store)?;
            write_export(&gov, format, &filter, output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
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
        write_export(gov, format, &Filter::default(), after.output.as_deref())?;
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

/// `govkg query --list`.
fn list_queries() {
    for q in query::NAMED_QUERIES {
        println!("{:<22} {}", q.name, q.summary());
    }
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

/// `govkg query`: runs the query on the store and prints the answer.
fn run_query(
    store: &Path,
    text: &str,
    params: &[Param],
    format: OutputFormat,
    timeout: f64,
) -> Result<ExitCode> {
    let gov = GovStore::open_existing(store)?;
    let limit = Duration::from_secs_f64(timeout.max(0.001));
    let table = query::select(gov.oxigraph(), text, params, Some(limit))?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    table.write(format, &mut out)?;
    out.flush()?;
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
    if json {
        println!("{}", govkg_core::eval::json(&scores));
    } else {
        print!("{}", govkg_core::eval::render(&scores, verbose));
    }
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

fn write_export(
    gov: &GovStore,
    format: ExportFormat,
    filter: &Filter,
    output: Option<&Path>,
) -> Result<()> {
    let started = Instant::now();
    // Write to a temporary file and rename, so a failed export never leaves a truncated file.
    let mut buffer: Vec<u8> = Vec::new();
    let summary = match format {
        ExportFormat::Dot => {
            let (nodes, edges) = export::write_dot(gov, filter, &mut buffer)?;
            format!("{nodes} nodes, {edges} edges")
        }
        _ => format!(
            "{} statements",
            export::write_rdf(gov, format, filter, &mut buffer)?
        ),
    };
    match output {
        Some(path) => {
            let tmp = path.with_extension("govkg-tmp");
            std::fs::write(&tmp, &buffer)
                .with_context(|| format!("{}: cannot write", tmp.display()))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            eprintln!(
                "wrote {} ({summary}) in {:.2} s",
                path.display(),
                started.elapsed().as_secs_f64()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&buffer)?;
            out.flush()?;
        }
    }
    Ok(())
}
