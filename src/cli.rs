//! The command line's grammar: every flag of every command, with its help text. The library
//! takes plain option values ([`govkg::serve::ServeOptions`], [`govkg::push::PushOptions`]);
//! this module is the only place that knows clap.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};

use govkg::build::FileLimits;
use govkg::push::{PushOptions, PushProtocol};
use govkg::serve::ServeOptions;
use govkg_core::kinds::EntityKind;
use govkg_graph::drawing::{self, YearRange};
use govkg_graph::export::{ExportFormat, Filter};
use govkg_graph::query::{OutputFormat, Param};

/// govkg turns Chinese government reports into a knowledge graph: agencies, laws, policy
/// documents and initiatives, and which body implements which reform or cites which law, each
/// fact traceable to the sentence it came from. The graph lives in an embedded Oxigraph store
/// (one named graph per report) and answers SPARQL.
#[derive(Parser)]
#[command(name = "govkg", version, about, long_about = None, max_term_width = 100)]
pub(crate) struct Cli {
    /// Knowledge tables to use instead of the built-in ones (a folder like the repository's
    /// data/; files it lacks fall back to the built-in copy). Also GOVKG_DATA.
    #[arg(long, global = true, env = "GOVKG_DATA")]
    pub(crate) data: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
        #[arg(long, value_parser = names::<ExportFormat>(ExportFormat::NAMES.iter().copied()))]
        export: Option<ExportFormat>,
        #[arg(long, short = 'o', requires = "export")]
        output: Option<PathBuf>,
        /// No progress bar and no summary.
        #[arg(long, short = 'q')]
        quiet: bool,
        #[command(flatten)]
        limits: FileLimitArgs,
    },
    /// Print what is extracted from each report as one JSON object per line (no store).
    ///
    /// Fields follow the answer-key schema (doc, title, year, author, jurisdiction, agencies,
    /// laws, policy_documents, initiatives, places, implements, cites), plus `spans` of every
    /// mention and the `span` of every relation's evidence, in characters, and the `format` and
    /// `encoding` the file was read with.
    Extract {
        /// Files or folders of reports; `-` reads one report from standard input.
        #[arg(default_value = "data/reports")]
        paths: Vec<PathBuf>,
        /// Indent the JSON (one object per report, no longer one per line).
        #[arg(long, conflicts_with = "text")]
        pretty: bool,
        /// Print the text of one report as govkg read it (decoded, page furniture and markup
        /// removed) instead of the JSON: the text that the character offsets of `spans` count in.
        #[arg(long)]
        text: bool,
        #[command(flatten)]
        limits: FileLimitArgs,
    },
    /// Run a SPARQL query: a named query, a .rq file, or --sparql TEXT.
    ///
    /// Named queries: implementers, laws-cited, initiative-adoption, adoption-by-province,
    /// agency-profile, agencies, entity-profile (`govkg query --list` prints what each answers
    /// and its parameters). The default graph is the union of all report graphs. SELECT and ASK answer a table, CONSTRUCT
    /// and DESCRIBE a graph (Turtle unless --format says otherwise).
    Query {
        /// Named query or .rq file; `-` reads the query text from standard input.
        #[arg(required_unless_present_any = ["sparql", "list"])]
        query: Option<String>,
        /// Query text.
        #[arg(long, conflicts_with = "query")]
        sparql: Option<String>,
        #[arg(long, default_value = "govkg-store")]
        store: PathBuf,
        /// Tables (SELECT, ASK): table (default), csv, tsv, json, jsonl (one flat JSON object per
        /// row), xml. Graphs (CONSTRUCT, DESCRIBE): turtle (default), ntriples, nquads, trig,
        /// rdfxml, jsonld.
        #[arg(long, short = 'f', value_parser = names::<OutputFormat>(OutputFormat::NAMES.iter().copied()))]
        format: Option<OutputFormat>,
        /// Bind a variable before running, e.g. --param agencyName=天津市东丽区司法局 or
        /// --param 'entity=<https://w3id.org/govkg/id/initiative/证照分离>'. A name that several
        /// entities carry gets a warning on standard error naming them.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<Param>,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 60.0)]
        timeout: f64,
        /// List the named queries: what each answers and the parameters it takes.
        #[arg(long)]
        list: bool,
    },
    /// What the store holds: reports, entities and relations of each kind, the years and
    /// places the reports cover, and its size on disk.
    Stats {
        #[arg(long, default_value = "govkg-store")]
        store: PathBuf,
        /// Print the figures as one JSON object instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Export the graph as Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD, or the network of
    /// agencies, initiatives, laws and documents as a Graphviz DOT drawing, GraphML, GEXF, node
    /// and edge CSV, or JSON.
    ///
    /// The network's flags (--initiative … --max-nodes) work with dot, graphml, gexf, csv and
    /// json. CSV writes two files: -o net.csv writes net.nodes.csv and net.edges.csv.
    Export {
        /// Format (default: guessed from --output's extension: .ttl, .trig, .nt, .nq, .rdf,
        /// .jsonld, .dot, .graphml, .gexf, .csv, .json).
        #[arg(long, short = 'f', value_parser = names::<ExportFormat>(ExportFormat::NAMES.iter().copied()))]
        format: Option<ExportFormat>,
        #[arg(long, default_value = "govkg-store")]
        store: PathBuf,
        /// Only these reports (file name, id or report IRI); repeatable.
        #[arg(long = "report")]
        reports: Vec<String>,
        #[command(flatten)]
        network: NetworkArgs,
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
    Serve(ServeArgs),
    /// Send each report's graph to a SPARQL 1.1 Graph Store Protocol endpoint (PUT per graph,
    /// so pushing again replaces, never duplicates), or through SPARQL Update.
    Push(PushArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell), e.g.
    /// `govkg completions bash > ~/.local/share/bash-completion/completions/govkg`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on standard output, e.g. `govkg man | man -l -`; with --dir,
    /// write one page per command (govkg.1, govkg-build.1, …) into that folder.
    Man {
        /// Folder to write the pages into (created if missing).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// The filters of the network formats (DOT, GraphML, GEXF, CSV, JSON).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct NetworkArgs {
    /// The bodies implementing this initiative (any of its names), or citing or issuing it.
    #[arg(long)]
    pub(crate) initiative: Option<String>,
    /// What this agency (any of its names) implements, cites and issued.
    #[arg(long)]
    pub(crate) agency: Option<String>,
    /// Reports of this year or range of years only: 2024, 2022-2024.
    #[arg(long, value_name = "YEAR[-YEAR]")]
    pub(crate) year: Option<YearRange>,
    /// What reports of this place say, and what any report says about its bodies: the
    /// jurisdiction's name contains NAME (东丽区, 天津市).
    #[arg(long, value_name = "NAME")]
    pub(crate) place: Option<String>,
    /// Entities of these kinds and the relations between them, e.g. agency,law (ids of
    /// data/kinds.toml); an entity without such a relation is left out, unless no relation links
    /// its kind to the others (--kind initiative lists the initiatives).
    #[arg(long = "kind", value_name = "KIND,...", value_delimiter = ',', value_parser = drawing::entity_kind)]
    pub(crate) kinds: Vec<EntityKind>,
    /// Nodes named in at least N reports only.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) min_reports: usize,
    /// At most N nodes, those with most relations (then named in most reports); 0: no limit.
    /// Default: 150 for DOT, no limit for the other formats.
    #[arg(long, value_name = "N")]
    pub(crate) max_nodes: Option<usize>,
}

impl NetworkArgs {
    /// The library's filter for `format`: DOT gets the default node limit.
    pub(crate) fn filter(self, reports: Vec<String>, format: ExportFormat) -> Filter {
        let max_nodes = match (self.max_nodes, format) {
            (Some(0), _) => None,
            (None, ExportFormat::Dot) => Some(drawing::DOT_MAX_NODES),
            (limit, _) => limit,
        };
        Filter {
            reports,
            initiative: self.initiative,
            agency: self.agency,
            years: self.year,
            place: self.place,
            kinds: self.kinds,
            min_reports: self.min_reports,
            max_nodes,
        }
    }
}

/// What one report file may cost (`build` and `extract`).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct FileLimitArgs {
    /// Refuse files larger than this (a one-line error; the other files are still built):
    /// e.g. 64MB, 500KB, 1.5GB, 2GiB, or a number of bytes. Also GOVKG_MAX_FILE_SIZE.
    #[arg(long, value_name = "SIZE", default_value = "64MB", value_parser = parse_size, env = "GOVKG_MAX_FILE_SIZE")]
    max_file_size: u64,
    /// Leave out a file whose reading and extraction take longer than this many seconds (a
    /// one-line error; the other files are still built); 0: no limit. Also GOVKG_FILE_TIMEOUT.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, value_parser = parse_seconds, env = "GOVKG_FILE_TIMEOUT")]
    file_timeout: f64,
}

impl From<FileLimitArgs> for FileLimits {
    fn from(args: FileLimitArgs) -> Self {
        Self {
            max_bytes: args.max_file_size,
            timeout: (args.file_timeout > 0.0).then(|| Duration::from_secs_f64(args.file_timeout)),
        }
    }
}

/// A size: a number of bytes, or a number with a unit — KB, MB, GB (powers of 1000) or KiB,
/// MiB, GiB (powers of 1024); K, M, G alone are the decimal ones; case does not matter.
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 64MB, 500KB, 2GiB)"))?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` (use KB, MB, GB, KiB, MiB or GiB)"
            ))
        }
    };
    let bytes = number * scale;
    if !bytes.is_finite() || bytes < 1.0 || bytes > u64::MAX as f64 {
        return Err(format!("`{text}` is not a size of at least one byte"));
    }
    Ok(bytes as u64)
}

/// Seconds, at least 0 (0: no limit).
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => Ok(s),
        _ => Err(format!("`{text}` is not a number of seconds (0 or more)")),
    }
}

/// Options of `govkg serve`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ServeArgs {
    /// Store folder written by `govkg build`.
    #[arg(long, default_value = "govkg-store")]
    store: PathBuf,
    /// Address to listen on; loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: String,
    /// Query time limit in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Largest accepted request body / query string, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    max_request_bytes: usize,
    /// A web origin whose pages may read the answers (CORS), e.g. http://localhost:8888 for a
    /// notebook; repeatable; `*` for any. By default no other site's page can read them.
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origins: Vec<String>,
    /// A host name a loopback server also answers to (it refuses other names in `Host`, which
    /// is how DNS-rebinding pages reach local servers); repeatable.
    #[arg(long = "allow-host", value_name = "NAME")]
    allowed_hosts: Vec<String>,
}

impl From<ServeArgs> for ServeOptions {
    fn from(args: ServeArgs) -> Self {
        Self {
            store: args.store,
            bind: args.bind,
            timeout: args.timeout,
            max_request_bytes: args.max_request_bytes,
            cors_origins: args.cors_origins,
            allowed_hosts: args.allowed_hosts,
        }
    }
}

/// `govkg push`: send report graphs to a SPARQL server.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PushArgs {
    /// Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph server), http://host:3030/ds/data (Fuseki)
    #[arg(long)]
    endpoint: String,
    /// The govkg store to read (opened read-only)
    #[arg(long, default_value = "govkg-store")]
    store: PathBuf,
    /// graph-store (PUT each graph: replaces, never duplicates) or update (SPARQL 1.1 Update: DROP SILENT GRAPH + INSERT DATA per graph, in one request per graph)
    #[arg(long, value_enum, default_value = "graph-store")]
    protocol: ProtocolArg,
    /// SPARQL Update endpoint for --protocol update (default: --endpoint), e.g. http://127.0.0.1:7878/update
    #[arg(long)]
    update_endpoint: Option<String>,
    /// Only these reports (doc id or graph IRI); default all.
    #[arg(long = "report")]
    reports: Vec<String>,
    /// Retries of a graph after a transient failure (connection error, timeout, HTTP 5xx or 429)
    #[arg(long, default_value_t = 3)]
    retries: u32,
    /// Seconds one HTTP request may take
    #[arg(long, default_value_t = 60.0)]
    timeout: f64,
    /// HTTP basic auth as user:password (or env GOVKG_PUSH_AUTH)
    #[arg(long)]
    auth: Option<String>,
    /// With --protocol update: at most this many triples per INSERT DATA request (bigger graphs are sent in several requests after the DROP)
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    chunk_triples: u64,
}

/// `--protocol`: [`PushProtocol`] as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ProtocolArg {
    /// SPARQL 1.1 Graph Store HTTP Protocol: `PUT {endpoint}?graph=<iri>` with N-Triples.
    GraphStore,
    /// SPARQL 1.1 Update: `DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> { … } }` (triples with
    /// blank nodes go in `INSERT { GRAPH <g> { … } } WHERE {}`).
    Update,
}

impl From<PushArgs> for PushOptions {
    fn from(args: PushArgs) -> Self {
        Self {
            endpoint: args.endpoint,
            store: args.store,
            protocol: match args.protocol {
                ProtocolArg::GraphStore => PushProtocol::GraphStore,
                ProtocolArg::Update => PushProtocol::Update,
            },
            update_endpoint: args.update_endpoint,
            reports: args.reports,
            retries: args.retries,
            timeout: args.timeout,
            auth: args.auth,
            chunk_triples: args.chunk_triples,
        }
    }
}

/// A flag value that is one of `names`, parsed into the library's type (whose `FromStr` accepts
/// exactly those names), with the names listed in `--help` and in errors.
pub(crate) fn names<T>(
    names: impl IntoIterator<Item = &'static str>,
) -> impl TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::fmt::Debug,
{
    PossibleValuesParser::new(names).map(|name| {
        name.parse::<T>()
            .expect("every listed name parses: FromStr accepts the names it lists")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Parser)]
    struct PushCli {
        #[command(flatten)]
        push: PushArgs,
    }

    #[derive(Parser)]
    struct ServeCli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn command_line_defaults_match_push_options_new() {
        let parsed = PushCli::parse_from(["govkg", "--endpoint", "http://h/store"]).push;
        assert_eq!(
            PushOptions::from(parsed),
            PushOptions::new("http://h/store")
        );
        let parsed = PushCli::parse_from([
            "govkg",
            "--endpoint",
            "http://h/store",
            "--protocol",
            "update",
            "--report",
            "a",
            "--report",
            "b",
        ])
        .push;
        let options = PushOptions::from(parsed);
        assert_eq!(options.protocol, PushProtocol::Update);
        assert_eq!(options.reports, vec!["a", "b"]);
        assert!(PushCli::try_parse_from([
            "govkg",
            "--endpoint",
            "http://h",
            "--chunk-triples",
            "0"
        ])
        .is_err());
    }

    #[derive(Parser)]
    struct LimitsCli {
        #[command(flatten)]
        limits: FileLimitArgs,
    }

    #[test]
    fn file_limits_default_to_the_library_defaults() {
        let parsed = LimitsCli::parse_from(["govkg"]).limits;
        assert_eq!(FileLimits::from(parsed), FileLimits::default());
        let parsed =
            LimitsCli::parse_from(["govkg", "--max-file-size", "2GiB", "--file-timeout", "0"])
                .limits;
        assert_eq!(
            FileLimits::from(parsed),
            FileLimits {
                max_bytes: 2 << 30,
                timeout: None
            }
        );
        assert!(LimitsCli::try_parse_from(["govkg", "--file-timeout", "-1"]).is_err());
    }

    #[test]
    fn sizes_take_decimal_and_binary_units() {
        assert_eq!(parse_size("64MB"), Ok(64_000_000));
        assert_eq!(parse_size("64 mb"), Ok(64_000_000));
        assert_eq!(parse_size("1.5GB"), Ok(1_500_000_000));
        assert_eq!(parse_size("500k"), Ok(500_000));
        assert_eq!(parse_size("2MiB"), Ok(2 << 20));
        assert_eq!(parse_size("12345"), Ok(12_345));
        for bad in ["", "MB", "0", "64XB", "-1MB", "1e999"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn command_line_defaults_match_serve_options_default() {
        let parsed = ServeCli::parse_from(["govkg"]).serve;
        assert_eq!(ServeOptions::from(parsed), ServeOptions::default());
    }
}
