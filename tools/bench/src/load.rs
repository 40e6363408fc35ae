//! `govkg-bench --load`: `govkg serve` under many concurrent clients. Starts the server as a
//! child process on a free loopback port (over `--store`, or over a store built from
//! data/reports), runs `--clients` clients for `--seconds`, each sending one request after the
//! other (one request per connection, as the server does), and prints, per kind of request and
//! in all, the share answered (200), the share refused as busy (503), replies per second and
//! p50/p95/p99 latency, and the server's peak RSS (`VmHWM` of /proc). Linux only for the RSS.
//!
//! The mix, by client: one client in 20 is a slow client that sends its request head a few
//! bytes at a time over about two seconds; the others cycle through a named query (the text of
//! each named query without parameters, as the page sends it), a trivial query (`ASK {}`), a
//! SPARQL query (`SELECT … LIMIT 20`) and the page (`/`, `/app.js`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::percentile;

/// One kind of request of the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Named,
    Trivial,
    Sparql,
    Page,
    Slow,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Self::Named => "named query",
            Self::Trivial => "trivial query (ASK {})",
            Self::Sparql => "SPARQL SELECT … LIMIT 20",
            Self::Page => "static page (/, /app.js)",
            Self::Slow => "slow client (head over ~2 s)",
        }
    }
}

/// Outcomes of one kind: status counts (0: no reply) and latencies in ms.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, usize>,
    latencies: Vec<f64>,
}

impl Tally {
    fn total(&self) -> usize {
        self.statuses.values().sum()
    }

    fn count(&self, status: u16) -> usize {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    fn merge(&mut self, other: &Tally) {
        for (status, n) in &other.statuses {
            *self.statuses.entry(*status).or_default() += n;
        }
        self.latencies.extend_from_slice(&other.latencies);
    }
}

/// The server under test, stopped when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(exe: &Path, store: &Path) -> Result<Self> {
        let mut child = Command::new(exe)
            .args(["serve", "--bind", "127.0.0.1:0", "--store"])
            .arg(store)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("{}: cannot start", exe.display()))?;
        let stderr = child.stderr.take().context("no stderr of govkg serve")?;
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let Some(line) = lines.next() else {
                bail!("govkg serve ended before listening");
            };
            let line = line?;
            if let Some(url) = line.strip_prefix("govkg serve: listening on http://") {
                break url.trim_end_matches('/').parse::<SocketAddr>()?;
            }
        };
        // Keep reading the request log so that the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Self { child, addr })
    }

    /// Peak resident memory so far, in bytes (Linux).
    fn peak_rss(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }
}

/// `--load`: runs the load and prints its table.
pub fn run_load(
    exe: &Path,
    store: Option<&Path>,
    dir: &Path,
    clients: usize,
    seconds: f64,
) -> Result<()> {
    if clients == 0 || seconds.is_nan() || seconds <= 0.0 {
        bail!("--clients must be at least 1 and --seconds positive");
    }
    let built;
    let store = match store {
        Some(store) => store.to_path_buf(),
        None => {
            built = dir.join("load-store");
            crate::remove_dir(&built)?;
            let status = Command::new(exe)
                .args(["build", "--quiet", "--store"])
                .arg(&built)
                .arg("data/reports")
                .status()?;
            if !status.success() {
                bail!("govkg build data/reports failed (run from the repository root, or give --store)");
            }
            built.clone()
        }
    };
    let server = Server::start(exe, &store)?;
    let paths = requests();
    let stop = Arc::new(AtomicBool::new(false));
    let totals = Arc::new(Mutex::new(BTreeMap::<Kind, Tally>::new()));
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|i| {
            let (stop, totals, paths) = (stop.clone(), totals.clone(), paths.clone());
            let addr = server.addr;
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || client(i, addr, &paths, &stop, &totals))
        })
        .collect::<Result<_, _>>()?;
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::SeqCst);
    for thread in threads {
        let _ = thread.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let peak = server.peak_rss();
    drop(server);
    let totals = totals.lock().unwrap_or_else(|p| p.into_inner());
    print!("{}", table(&totals, clients, elapsed, peak));
    Ok(())
}

/// The requests of each kind but the slow one, as request targets.
fn requests() -> Arc<Vec<(Kind, String)>> {
    let sparql = |text: &str| format!("/sparql?query={}", encode(text));
    let mut list = Vec::new();
    for q in govkg_graph::query::NAMED_QUERIES {
        if q.parameters().is_empty() {
            list.push((Kind::Named, sparql(q.text)));
        }
    }
    list.push((Kind::Trivial, sparql("ASK {}")));
    list.push((
        Kind::Sparql,
        sparql("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"),
    ));
    list.push((Kind::Page, "/".into()));
    list.push((Kind::Page, "/app.js".into()));
    Arc::new(list)
}

/// One client: requests one after the other until `stop`, its outcomes added to `totals`.
fn client(
    index: usize,
    addr: SocketAddr,
    paths: &[(Kind, String)],
    stop: &AtomicBool,
    totals: &Mutex<BTreeMap<Kind, Tally>>,
) {
    let slow = index % 20 == 19;
    let mut own: BTreeMap<Kind, Tally> = BTreeMap::new();
    let mut turn = index;
    while !stop.load(Ordering::SeqCst) {
        // Kinds in turn: named queries as often as the others together.
        let (kind, target) = if slow {
            (Kind::Slow, "/")
        } else if turn.is_multiple_of(2) {
            let named: Vec<_> = paths.iter().filter(|(k, _)| *k == Kind::Named).collect();
            let (k, t) = named[(turn / 2) % named.len()];
            (*k, t.as_str())
        } else {
            let others: Vec<_> = paths.iter().filter(|(k, _)| *k != Kind::Named).collect();
            let (k, t) = others[(turn / 2) % others.len()];
            (*k, t.as_str())
        };
        turn += 1;
        let sent = Instant::now();
        let status = exchange(addr, target, slow).unwrap_or(0);
        let tally = own.entry(kind).or_default();
        *tally.statuses.entry(status).or_default() += 1;
        tally.latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        if status == 503 || status == 0 {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let mut totals = totals.lock().unwrap_or_else(|p| p.into_inner());
    for (kind, tally) in own {
        totals.entry(kind).or_default().merge(&tally);
    }
}

/// One request on a new connection; the reply's status.
fn exchange(addr: SocketAddr, target: &str, slow: bool) -> Result<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_nodelay(true)?;
    let head = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nAccept: application/sparql-results+json\r\nConnection: close\r\n\r\n");
    if slow {
        for chunk in head.as_bytes().chunks(head.len().div_ceil(20)) {
            stream.write_all(chunk)?;
            std::thread::sleep(Duration::from_millis(100));
        }
    } else {
        stream.write_all(head.as_bytes())?;
    }
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    let line = reply.split(|&b| b == b'\n').next().unwrap_or_default();
    let status = std::str::from_utf8(line)?
        .split_whitespace()
        .nth(1)
        .context("no status line")?;
    Ok(status.parse()?)
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The Markdown table of the outcomes, per kind and in all.
fn table(
    totals: &BTreeMap<Kind, Tally>,
    clients: usize,
    seconds: f64,
    peak: Option<u64>,
) -> String {
    let mut out = format!(
        "## load: {clients} clients for {seconds:.0} s on loopback\n\n| requests | replies | answered (200) | refused busy (503) | other / none | replies/s | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    );
    let mut all = Tally::default();
    let mut row = |label: &str, t: &Tally| {
        let n = t.total().max(1) as f64;
        let mut lat = t.latencies.clone();
        let (ok, busy) = (t.count(200), t.count(503));
        out.push_str(&format!(
            "| {label} | {} | {:.1} % | {:.1} % | {:.1} % | {:.0} | {:.0} | {:.0} | {:.0} |\n",
            t.total(),
            100.0 * ok as f64 / n,
            100.0 * busy as f64 / n,
            100.0 * (t.total() - ok - busy) as f64 / n,
            t.total() as f64 / seconds,
            percentile(&mut lat, 0.50),
            percentile(&mut lat, 0.95),
            percentile(&mut lat, 0.99),
        ));
    };
    for (kind, tally) in totals {
        row(kind.label(), tally);
        all.merge(tally);
    }
    row("**all**", &all);
    out.push_str(&format!(
        "\nanswered: {:.0}/s; statuses: {:?} (0: no reply); server peak RSS: {}\n",
        all.count(200) as f64 / seconds,
        all.statuses,
        peak.map_or("unknown".into(), |b| format!(
            "{:.0} MiB",
            b as f64 / 1048576.0
        )),
    ));
    out
}
