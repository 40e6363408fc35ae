//! govkg command line. Thin: parses flags, calls the library stages, prints.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};

use govkg::build::{self, BuildOptions};
use govkg_graph::export::{self, ExportFormat, Filter};
use govkg_core::knowledge::Knowledge;
use govkg_graph::query::{self, OutputFormat, Param};
use govkg_graph::store::{GovStore, StoreLocation};

// mimalloc for Rust and, through its `override` feature, for C and C++ too (see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// govkg turns Chinese government reports into a knowledge graph: agencies, laws, policy
/// documents and initiatives, and which body implements which reform or cites which law, each
/// fact traceable to the sentence it came from. The graph lives in an embedded Oxigraph store
/// (one named graph per report) and answers SPARQL.
#[derive(Parser)]
#[command(name = "govkg", version, about, long_about = None, max_term_width = 100)]
struct Cli {
    /// Knowledge tables to use instead of the built-in ones (a folder like the repository's
    /// data/; files it lacks fall back to the built-in copy). Also GOVKG_DATA.
    #[arg(long, global = true, env = "GOVKG_DATA")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read reports, extract, and write each into its own named graph of the store.
    Build {
        /// Files or folders of reports (text, HTML, DOCX, Markdown; UTF-8 or GB18030).
        #[arg(default_value = "data/reports")]
        paths: Vec<PathBuf>,
        /// Store folder (created if missing). Rebuilding a report replaces its graph.
        #[arg(long, default_value = "govkg-store", conflicts_with = "memory")]
        store: PathBuf,
        /// Build in memory only, for one-shot runs with --query/--export.
        #[arg(long)]
        memory: bool,
        /// Worker threads for reading and extraction (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// After building, run these named queries (or .rq files) and print them as tables.
        #[arg(long = "query", value_name = "NAME")]
        queries: Vec<String>,
        /// After building, export in this format to --output (or standard output).
        #[arg(long, value_parser = names::<ExportFormat>(ExportFormat::ALL.map(ExportFormat::name)))]
        export: Option<ExportFormat>,
        #[arg(long, short = 'o', requires = "export")]
        output: Option<PathBuf>,
        /// No progress bar and no summary.
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Print what is extracted from each report as one JSON object per line (no store).
    ///
    /// Fields follow the answer-key schema (doc, title, year, author, jurisdiction, agencies,
    /// laws, policy_documents, initiatives, places, implements, cites), plus `spans` of every
    /// mention and the `span` of every relation's evidence, in characters, and the `format` and
    /// `encoding` the file was read with.
    Extract {
        #[arg(default_value = "data/reports")]
        paths: Vec<PathBuf>,
        /// Indent the JSON (one object per report, no longer one per line).
        #[arg(long)]
        pretty: bool,
    },
    /// Run a SPARQL query: a named query, a .rq file, or --sparql TEXT.
    ///
    /// Named queries: implementers, laws-cited, initiative-adoption, agency-profile, agencies,
    /// entity-profile (`govkg query --list` prints what each answers). The default graph is the
    /// union of all report graphs.
    Query {
        /// Named query or .rq file.
        #[arg(required_unless_present_any = ["sparql", "list"])]
        query: Option<String>,
        /// Query text.
        #[arg(long, conflicts_with = "query")]
        sparql: Option<String>,
        #[arg(long, default_value = "govkg-store")]
        store: PathBuf,
        #[arg(long, short = 'f', default_value = "table", value_parser = names::<OutputFormat>(OutputFormat::ALL.map(OutputFormat::name)))]
        format: OutputFormat,
        /// Bind a variable before running, e.g. --param agencyName=天津市东丽区司法局 or
        /// --param 'entity=<https://w3id.org/govkg/id/initiative/证照分离>'.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<Param>,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 60.0)]
        timeout: f64,
        /// List the named queries.
        #[arg(long)]
        list: bool,
    },
    /// Export the graph as Turtle, TriG, N-Quads, or a Graphviz DOT drawing.
    Export {
        #[arg(long, short = 'f', value_parser = names::<ExportFormat>(ExportFormat::ALL.map(ExportFormat::name)))]
        format: ExportFormat,
        #[arg(long, default_value = "govkg-store")]
        store: PathBuf,
        /// Only these reports (file name, id or report IRI); repeatable.
        #[arg(long = "report")]
        reports: Vec<String>,
        /// DOT only: the bodies implementing this initiative (any of its names).
        #[arg(long)]
        initiative: Option<String>,
        /// DOT only: what this agency (any of its names) implements and cites.
        #[arg(long)]
        agency: Option<String>,
        /// Output file (default: standard output).
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
    },
    /// Score extraction against answer keys: precision, recall and F1 per category.
    Eval {
        /// Folder of answer keys (<report stem>.json).
        #[arg(long)]
        gold: PathBuf,
        /// Reports to score (those without a key are skipped).
        #[arg(default_value = "data/reports")]
        paths: Vec<PathBuf>,
        /// List misses and false hits.
        #[arg(long, short = 'v')]
        verbose: bool,
        /// Print the scores as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Serve the store: a read-only SPARQL 1.1 Protocol endpoint at /sparql and a web page at /
    /// to query, browse entity profiles and explore the graph.
    Serve(govkg::serve::ServeArgs),
    /// Send each report's graph to a SPARQL 1.1 Graph Store Protocol endpoint (PUT per graph,
    /// so pushing again replaces, never duplicates), or through SPARQL Update.
    Push(govkg::push::PushArgs),
}

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

/// A flag value that is one of `names`, parsed into the library's type (whose `FromStr` accepts
/// exactly those names), with the names listed in `--help` and in errors.
fn names<T>(names: impl IntoIterator<Item = &'static str>) -> impl TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::fmt::Debug,
{
    PossibleValuesParser::new(names).map(|name| {
        name.parse::<T>()
            .expect("every listed name parses: FromStr accepts the names it lists")
    })
}

fn knowledge(data: &Option<PathBuf>) -> Result<Knowledge> {
    match data {
        Some(dir) => Knowledge::from_dir(dir),
        None => Knowledge::embedded(),
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => {
            govkg::serve::run(&args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Push(args) => {
            govkg::push::run(&args)?;
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
        } => {
            let knowledge = knowledge(&cli.data)?;
            let location = if memory {
                StoreLocation::Memory
            } else {
                StoreLocation::Disk(store)
            };
            let options = BuildOptions {
                threads,
                progress: !quiet && std::io::stderr().is_terminal(),
            };
            let outcome = build::build(&paths, &knowledge, location, &options)?;
            for failure in &outcome.failures {
                eprintln!("govkg: {failure}");
            }
            if !quiet {
                eprintln!("{}", outcome.summary);
            }
            let gov = &outcome.store;
            for name in &queries {
                let (_, text) = query_text(name)?;
                let table = query::select(gov.oxigraph(), &text, &[], None)?;
                let mut out = std::io::stdout().lock();
                table.write(OutputFormat::Table, &mut out)?;
            }
            if let Some(format) = export {
                write_export(gov, format, &Filter::default(), output.as_deref())?;
            }
            Ok(if outcome.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Extract { paths, pretty } => {
            let knowledge = knowledge(&cli.data)?;
            let (extractions, failures) = build::extract_paths(&paths, &knowledge, None)?;
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
            Ok(if failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
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
                for q in query::NAMED_QUERIES {
                    println!("{:<22} {}", q.name, q.summary());
                }
                return Ok(ExitCode::SUCCESS);
            }
            let (_, text) = match (&query, &sparql) {
                (_, Some(text)) => ("--sparql".to_string(), text.clone()),
                (Some(name), None) => query_text(name)?,
                (None, None) => bail!("give a named query, a .rq file or --sparql"),
            };
            let gov = GovStore::open_existing(&store)?;
            let limit = Duration::from_secs_f64(timeout.max(0.001));
            let table = query::select(gov.oxigraph(), &text, &params, Some(limit))?;
            let mut out = BufWriter::new(std::io::stdout().lock());
            table.write(format, &mut out)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            format,
            store,
            reports,
            initiative,
            agency,
            output,
        } => {
            let gov = GovStore::open_existing(&store)?;
            let filter = Filter {
                reports,
                initiative,
                agency,
            };
            write_export(&gov, format, &filter, output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            gold,
            paths,
            verbose,
            json,
        } => {
            let knowledge = knowledge(&cli.data)?;
            let scores = build::evaluate(&paths, &gold, &knowledge)?;
            if json {
                let totals = govkg_core::eval::totals(&scores);
                let value: serde_json::Value = totals
                    .iter()
                    .map(|(k, s)| {
                        (k.clone(), serde_json::json!({"tp": s.tp, "fp": s.fp, "fn": s.fn_, "precision": s.precision(), "recall": s.recall(), "f1": s.f1()}))
                    })
                    .collect::<serde_json::Map<_, _>>()
                    .into();
                let exact: (usize, usize) = scores.iter().fold((0, 0), |a, r| {
                    (a.0 + r.exact_law_titles.0, a.1 + r.exact_law_titles.1)
                });
                println!(
                    "{}",
                    serde_json::json!({"reports": scores.len(), "totals": value, "exact_law_titles": [exact.0, exact.1]})
                );
            } else {
                print!("{}", govkg_core::eval::render(&scores, verbose));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
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

fn write_export(
    gov: &GovStore,
    format: ExportFormat,
    filter: &Filter,
    output: Option<&std::path::Path>,
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
