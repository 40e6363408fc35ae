//! Serve stage: a read-only SPARQL 1.1 Protocol endpoint and a browser page over a built store.
//!
//! Architecture invariant: this module never writes to the store (it opens it read-only and refuses
//! SPARQL Update), and it evaluates every query through [`govkg_graph::query::run`], so the web endpoint
//! sees exactly what `govkg query` sees: the union of the report graphs as default graph, under the
//! same time limit.
//!
//! HTTP is a deliberately small HTTP/1.1 server on `std::net` (request heads parsed by `httparse`):
//! one request per connection, every size checked before anything is read or allocated (the
//! request target and body against `--max-request-bytes`), read and write timeouts, at most
//! `MAX_CONNECTIONS` connections, each read on its own thread. Requests that evaluate queries
//! wait in a first-come queue (`QueryQueue`: at most `QUEUE_CAPACITY` waiting, each at most
//! `QUEUE_WAIT`) for one of `WORKERS`; the page and the cheap routes do not wait. Each request becomes a
//! `http::Request` value answered by plain functions returning a `http::Reply`, which keeps
//! routing testable without sockets.

mod http;
mod network;
mod profile;
mod search;
mod sparql;

use std::io::Read;
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use govkg_graph::store::GovStore;

use http::{Reply, Request};

/// The body of the `http` fuzz target (tools/fuzz): one request read from `data` as from a
/// connection, then decoded as the routes would. Panics only on a broken promise.
#[doc(hidden)]
pub fn fuzz_request(data: &[u8]) {
    http::fuzz_request(data);
}

/// What `govkg serve` serves and how. The command line's flags (`src/cli.rs` of the binary) fill
/// it; [`ServeOptions::default`] gives their defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeOptions {
    /// Store folder written by `govkg build`.
    pub store: PathBuf,
    /// Address to listen on.
    pub bind: String,
    /// Query time limit in seconds.
    pub timeout: f64,
    /// Largest accepted request body / query string, in bytes.
    pub max_request_bytes: usize,
    /// Web origins whose pages may read the answers (CORS); `*` for any. None by default, so a
    /// page the user visits elsewhere cannot read the local endpoint.
    pub cors_origins: Vec<String>,
    /// Host names besides localhost, 127.0.0.1 and [::1] that a loopback server answers to
    /// (a check against DNS rebinding).
    pub allowed_hosts: Vec<String>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            store: PathBuf::from("govkg-store"),
            bind: "127.0.0.1:7878".into(),
            timeout: 10.0,
            max_request_bytes: 64 * 1024,
            cors_origins: Vec::new(),
            allowed_hosts: Vec::new(),
        }
    }
}

/// Queries evaluated at once. Queries are CPU-bound and the machines have few cores; the page's
/// static files and the cheap JSON routes do not wait for these.
pub const WORKERS: usize = 4;
/// Queries that may wait for a worker, in arrival order. A query past this is refused at once
/// (503 with `Retry-After`).
pub const QUEUE_CAPACITY: usize = 512;
/// How long a query waits in the queue for a worker before it is refused (503 with
/// `Retry-After`). Its own time limit (`--timeout`) starts when a worker takes it.
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);
/// Connections open at once. Each has a thread that reads the request, waits in the queue if
/// its request is a query, and writes the reply; slow clients hold only their own thread. A
/// connection beyond this waits up to `ACCEPT_WAIT` for another to close, then gets a 503.
pub const MAX_CONNECTIONS: usize = 1024;
const ACCEPT_WAIT: Duration = Duration::from_secs(2);
/// Seconds a refused client is told to wait before it tries again.
const RETRY_AFTER_SECONDS: u32 = 2;
/// How long a client may take to send its request, and to take the reply.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The whole request (line, header and body) must arrive within this, so clients that send
/// slowly cannot hold a connection slot for longer.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// Opens the store read-only and serves it until the process is stopped.
pub fn run(options: &ServeOptions) -> Result<()> {
    let timeout = Duration::try_from_secs_f64(options.timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .with_context(|| {
            format!(
                "--timeout must be a positive number of seconds, not {}",
                options.timeout
            )
        })?;
    if options.max_request_bytes == 0 {
        bail!("--max-request-bytes must be at least 1");
    }
    let store = GovStore::open_existing(&options.store)?;
    let handle = start(
        store,
        &options.bind,
        Config {
            timeout,
            max_request_bytes: options.max_request_bytes,
            log: true,
            cors_origins: options.cors_origins.clone(),
            allowed_hosts: options.allowed_hosts.clone(),
        },
    )?;
    if !handle.addr().ip().is_loopback() {
        eprintln!(
            "govkg serve: warning: {} is reachable from other machines and the endpoint has no authentication",
            handle.addr()
        );
    }
    eprintln!("govkg serve: listening on {}", handle.url());
    handle.wait();
    Ok(())
}

/// For tests: serve an already opened store on a listener; returns a handle with the bound address
/// and a shutdown. Bind to `127.0.0.1:0` for a free port.
pub fn spawn(
    store: GovStore,
    bind: &str,
    timeout: Duration,
    max_request_bytes: usize,
) -> Result<ServerHandle> {
    start(
        store,
        bind,
        Config {
            timeout,
            max_request_bytes,
            log: false,
            cors_origins: Vec::new(),
            allowed_hosts: Vec::new(),
        },
    )
}

/// What every worker needs to answer a request.
pub(crate) struct Config {
    pub timeout: Duration,
    pub max_request_bytes: usize,
    pub log: bool,
    pub cors_origins: Vec<String>,
    pub allowed_hosts: Vec<String>,
}

impl Config {
    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    fn cors_for(&self, origin: Option<&str>) -> Option<String> {
        if self.cors_origins.iter().any(|o| o == "*") {
            return Some("*".into());
        }
        let origin = origin?.trim();
        self.cors_origins
            .iter()
            .any(|o| o.trim_end_matches('/') == origin)
            .then(|| origin.to_string())
    }

    /// Whether a loopback server answers to the name in a `Host` header (port aside). Names
    /// other than its own are how a DNS-rebinding page reaches it.
    fn answers_to(&self, host: Option<&str>) -> bool {
        let Some(host) = host.map(str::trim) else {
            return true; // HTTP/1.0 clients send none; browsers always do.
        };
        let name = match host.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or(""),
            None => host.split(':').next().unwrap_or(""),
        };
        ["localhost", "127.0.0.1", "::1"]
            .iter()
            .any(|own| name.eq_ignore_ascii_case(own))
            || self
                .allowed_hosts
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h))
    }
}

struct Shared {
    store: GovStore,
    config: Config,
    /// Open connections, each with its own thread (reading and writing only).
    connections: Counter,
    /// Queries being evaluated (at most [`WORKERS`]) and those waiting for a worker.
    queue: Arc<QueryQueue>,
    /// Queries running longer than [`LONG_AFTER`] without a worker (at most [`MAX_LONG`]).
    long_running: std::sync::atomic::AtomicUsize,
}

/// A count with a wait for it to change.
#[derive(Default)]
struct Counter {
    count: Mutex<usize>,
    changed: Condvar,
}

impl Counter {
    fn lock(&self) -> MutexGuard<'_, usize> {
        self.count
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes one unit, waiting at most `wait` while `limit` are taken; false if none came free.
    fn take_within(&self, limit: usize, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        let mut count = self.lock();
        while *count >= limit {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            count = self
                .changed
                .wait_timeout(count, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        *count += 1;
        true
    }

    fn give_back(&self) {
        *self.lock() -= 1;
        self.changed.notify_all();
    }

    /// Waits until the count is zero, at most `limit`.
    fn wait_for_zero(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut count = self.lock();
        while *count > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            count = self
                .changed
                .wait_timeout(count, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }
}

/// Gives a unit back to its counter when dropped (also on panic).
struct Taken<'a>(&'a Counter);

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        self.0.give_back();
    }
}

/// Why a query got no worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// [`QUEUE_CAPACITY`] queries were waiting already.
    Full,
    /// It waited [`QUEUE_WAIT`] without a worker coming free.
    Waited,
}

impl Refusal {
    fn reply(self) -> Reply {
        let why = match self {
            Self::Full => format!(
                "server busy: {QUEUE_CAPACITY} queries are waiting for one of {WORKERS} workers; try again"
            ),
            Self::Waited => format!(
                "server busy: no worker came free within {} s; try again",
                QUEUE_WAIT.as_secs()
            ),
        };
        Reply::error(503, &why).with_header("Retry-After", RETRY_AFTER_SECONDS.to_string())
    }
}

/// The query workers and the first-come, first-served queue in front of them: at most
/// `workers` queries run, at most `capacity` wait, each at most `wait`.
#[derive(Default)]
struct QueryQueue {
    state: Mutex<QueueState>,
}

#[derive(Default)]
struct QueueState {
    running: usize,
    waiting: std::collections::VecDeque<Arc<Waiter>>,
}

/// A query waiting in line; the query that finishes hands its worker to the first in line.
#[derive(Default)]
struct Waiter {
    granted: AtomicBool,
    wake: Condvar,
}

impl QueryQueue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A worker for one query, waiting in line for at most `wait`.
    fn enter(
        self: &Arc<Self>,
        workers: usize,
        capacity: usize,
        wait: Duration,
    ) -> Result<Worker, Refusal> {
        let mut state = self.lock();
        if state.running < workers && state.waiting.is_empty() {
            state.running += 1;
            return Ok(Worker(self.clone()));
        }
        if state.waiting.len() >= capacity {
            return Err(Refusal::Full);
        }
        let me = Arc::new(Waiter::default());
        state.waiting.push_back(me.clone());
        let deadline = Instant::now() + wait;
        loop {
            // Granted under the lock, so it cannot change between this check and the removal.
            if me.granted.load(Ordering::SeqCst) {
                return Ok(Worker(self.clone()));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.waiting.retain(|w| !Arc::ptr_eq(w, &me));
                return Err(Refusal::Waited);
            }
            state = me
                .wake
                .wait_timeout(state, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// A query finished: its worker goes to the first in line, or becomes free.
    fn leave(&self) {
        let mut state = self.lock();
        match state.waiting.pop_front() {
            Some(next) => {
                next.granted.store(true, Ordering::SeqCst);
                next.wake.notify_one();
            }
            None => state.running -= 1,
        }
    }
}

/// A worker held by one query; dropping it (also on panic) passes it on.
pub(crate) struct Worker(Arc<QueryQueue>);

impl Drop for Worker {
    fn drop(&mut self) {
        self.0.leave();
    }
}

/// A running server. Dropping it shuts the server down.
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
}

impl ServerHandle {
    /// The address the server listens on (with the real port when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/`, the page's address.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Queries holding a worker now (at most [`WORKERS`]), queries waiting for one, and
    /// long-running queries that gave theirs back (at most [`MAX_LONG`]).
    pub fn queries(&self) -> (usize, usize, usize) {
        let state = self.shared.queue.lock();
        let long = self.shared.long_running.load(Ordering::SeqCst);
        (state.running, state.waiting.len(), long)
    }

    /// Stops accepting connections and waits (a few seconds at most) for open ones to finish.
    pub fn shutdown(mut self) {
        self.stop();
    }

    /// Blocks until the server stops (in practice: until the process is stopped).
    fn wait(mut self) {
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }

    fn stop(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor, blocked in accept(), with a connection of our own.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        let _ = acceptor.join();
        self.shared
            .connections
            .wait_for_zero(Duration::from_secs(10));
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

fn start(store: GovStore, bind: &str, config: Config) -> Result<ServerHandle> {
    let listener = TcpListener::bind(bind).with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        store,
        config,
        connections: Counter::default(),
        queue: Arc::default(),
        long_running: Default::default(),
    });
    let stop = Arc::new(AtomicBool::new(false));
    let acceptor = {
        let (shared, stop) = (shared.clone(), stop.clone());
        std::thread::Builder::new()
            .name("govkg-serve-accept".into())
            .spawn(move || accept_loop(&listener, &shared, &stop))
            .context("cannot start the server thread")?
    };
    Ok(ServerHandle {
        addr,
        stop,
        acceptor: Some(acceptor),
        shared,
    })
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let mut stream = match stream {
            Ok(stream) => stream,
            Err(_) => {
                // Out of file descriptors and the like: let connections close, then go on.
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        // At the cap, wait for a connection to close (each has a deadline) rather than refuse.
        if !shared.connections.take_within(MAX_CONNECTIONS, ACCEPT_WAIT) {
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = Reply::error(
                503,
                &format!("server busy: {MAX_CONNECTIONS} connections are open; try again"),
            )
            .with_header("Retry-After", RETRY_AFTER_SECONDS.to_string())
            .write_to(&mut stream, false);
            continue;
        }
        let connection_shared = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("govkg-serve-conn".into())
            .spawn(move || {
                let _taken = Taken(&connection_shared.connections);
                serve_connection(stream, &connection_shared);
            });
        if spawned.is_err() {
            shared.connections.give_back();
        }
    }
}

/// Answers the one request a connection carries, then closes it.
fn serve_connection(mut stream: TcpStream, shared: &Arc<Shared>) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let started = Instant::now();
    let loopback = stream.local_addr().is_ok_and(|a| a.ip().is_loopback());
    let deadline = started + REQUEST_DEADLINE;
    let mut cors = None;
    let (reply, method, target) =
        match http::read_request(&mut stream, shared.config.max_request_bytes, deadline) {
            Ok(None) => return,
            Ok(Some(request)) if loopback && !shared.config.answers_to(request.header("host")) => (
                Reply::error(
                    403,
                    "this server answers to localhost and 127.0.0.1 only; to reach it by another name, start it with --allow-host NAME",
                ),
                request.method,
                request.path,
            ),
            Ok(Some(request)) => {
                cors = shared.config.cors_for(request.header("origin"));
                let reply = answer_in_turn(&request, shared);
                let target = if request.query.is_empty() {
                    request.path.clone()
                } else {
                    format!("{}?{}", request.path, request.query)
                };
                (reply, request.method, target)
            }
            Err(reply) => (
                reply,
                "-".to_string(),
                "(request refused unread)".to_string(),
            ),
        };
    if shared.config.log {
        let shown: String = target.chars().take(120).collect();
        eprintln!(
            "govkg serve: {method} {shown} → {} ({} ms)",
            reply.status,
            started.elapsed().as_millis()
        );
    }
    let reply = match cors {
        Some(origin) => reply
            .with_header("Access-Control-Allow-Origin", origin)
            .with_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            .with_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            .with_header("Vary", "Origin"),
        None => reply.with_header("Vary", "Origin"),
    };
    let _ = reply.write_to(&mut stream, method == "HEAD");
    linger(stream);
}

/// Answers a request: queries (and the routes that evaluate them) once a worker takes them from
/// the queue, the page and the cheap routes at once.
fn answer_in_turn(request: &Request, shared: &Arc<Shared>) -> Reply {
    let mut worker = if evaluates(request) {
        match shared.queue.enter(WORKERS, QUEUE_CAPACITY, QUEUE_WAIT) {
            Ok(worker) => Some(worker),
            Err(refusal) => return refusal.reply(),
        }
    } else {
        None
    };
    // A bug in a handler must cost one request, not the server.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handle(request, shared, &mut worker)
    }))
    .unwrap_or_else(|_| Reply::error(500, "internal error while answering the request"))
}

/// Work (a query, a drawing) still running after this gives its worker back to the queue and
/// runs on as long-running work, so that cheap queries behind heavy ones do not wait for them.
pub const LONG_AFTER: Duration = Duration::from_secs(1);
/// Long-running work at most; beyond this, work keeps its worker until it ends. So at most
/// `WORKERS + MAX_LONG` queries run at once.
pub const MAX_LONG: usize = WORKERS;

/// The worker of work run by [`within`], and whether that work went long and gave it up.
struct Held {
    worker: Option<Worker>,
    long: bool,
}

/// Runs `work` on a thread of its own that holds the request's query `worker`, and waits for
/// its reply at most `limit`: past that the client gets a 503 naming `what` timed out. Work
/// running longer than [`LONG_AFTER`] gives its worker back (while fewer than [`MAX_LONG`] do).
/// Oxigraph does not stop every query it cancels (see `govkg_graph::query::OVERRUN_GRACE`) and
/// the drawing of `/network` takes no cancellation: such work runs on unheard after its 503,
/// still counted as long-running until it ends.
fn within<F>(
    shared: &Arc<Shared>,
    worker: Option<Worker>,
    limit: Duration,
    what: &str,
    work: F,
) -> Reply
where
    F: FnOnce(&Shared) -> Reply + Send + 'static,
{
    use std::sync::mpsc::RecvTimeoutError;
    let started = std::time::Instant::now();
    let held = Arc::new(Mutex::new(Held {
        worker,
        long: false,
    }));
    let (done, reply) = std::sync::mpsc::channel();
    let spawned = {
        let (shared, held) = (shared.clone(), held.clone());
        std::thread::Builder::new()
            .name("govkg-serve-query".into())
            .spawn(move || {
                let reply =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&shared)))
                        .unwrap_or_else(|_| {
                            Reply::error(500, "internal error while answering the request")
                        });
                let _ = done.send(reply);
                let mut held = held.lock().unwrap_or_else(|p| p.into_inner());
                if held.long {
                    shared.long_running.fetch_sub(1, Ordering::SeqCst);
                }
                held.worker.take();
            })
    };
    if spawned.is_err() {
        return Reply::error(500, "cannot start a thread for the query");
    }
    let short = limit.min(LONG_AFTER);
    let mut waited = reply.recv_timeout(short);
    if let Err(RecvTimeoutError::Timeout) = waited {
        go_long(shared, &held);
        waited = reply.recv_timeout(limit.saturating_sub(short));
    }
    // A reply that came in only past the limit is late all the same (the thread may have ended
    // before the wait began), so the limit holds whatever the scheduler did.
    if waited.is_ok() && started.elapsed() > limit {
        waited = Err(RecvTimeoutError::Timeout);
    }
    match waited {
        Ok(reply) => reply,
        Err(RecvTimeoutError::Timeout) => {
            if shared.config.log {
                eprintln!("govkg serve: a {what} overran its time limit; it runs on unheard");
            }
            Reply::error(
                503,
                &format!(
                    "{what} timed out after {:.1} s",
                    shared.config.timeout.as_secs_f64()
                ),
            )
        }
        Err(RecvTimeoutError::Disconnected) => {
            Reply::error(500, "internal error while answering the request")
        }
    }
}

/// Work past [`LONG_AFTER`] gives its worker back, unless [`MAX_LONG`] have already.
fn go_long(shared: &Shared, held: &Mutex<Held>) {
    let mut held = held.lock().unwrap_or_else(|p| p.into_inner());
    if held.worker.is_none() {
        return; // It has just ended.
    }
    let room = shared
        .long_running
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            (n < MAX_LONG).then_some(n + 1)
        })
        .is_ok();
    if room {
        held.long = true;
        held.worker.take();
    }
}

/// Whether a request evaluates queries (and so waits for a worker). OPTIONS and the errors
/// decided from the request alone do not.
fn evaluates(request: &Request) -> bool {
    request.method != "OPTIONS"
        && matches!(
            request.path.as_str(),
            "/sparql" | "/profile" | "/network" | "/search"
        )
}

/// Closes a connection without losing the reply: stop sending, then read and drop what the client
/// still sends (an oversize body it had started) for a moment, so that closing does not reset the
/// connection before the client has read the reply.
fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut sink = [0u8; 16 * 1024];
    let mut drained = 0usize;
    while drained < 8 * 1024 * 1024 && Instant::now() < deadline {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// Routes one request. Pure apart from reading the store. `worker` is the query worker the
/// request holds, if it evaluates queries; a route may keep it beyond its reply.
fn handle(request: &Request, shared: &Arc<Shared>, worker: &mut Option<Worker>) -> Reply {
    let store = shared.store.oxigraph();
    let config = &shared.config;
    if request.method == "OPTIONS" {
        return Reply::empty(204).with_header("Access-Control-Max-Age", "600");
    }
    let readable = matches!(request.method.as_str(), "GET" | "HEAD");
    match request.path.as_str() {
        "/sparql" => match request.method.as_str() {
            "GET" | "HEAD" | "POST" => {
                // The query is cancelled at the limit; the grace covers its stopping.
                let limit = config.timeout + govkg_graph::query::OVERRUN_GRACE;
                let request = request.clone();
                within(shared, worker.take(), limit, "query", move |shared| {
                    sparql::handle(&request, shared.store.oxigraph(), &shared.config)
                })
            }
            _ => Reply::method_not_allowed("GET, POST, OPTIONS"),
        },
        _ if !readable => {
            if static_file(&request.path).is_some() || is_api_route(&request.path) {
                Reply::method_not_allowed("GET, HEAD, OPTIONS")
            } else {
                Reply::error(404, &format!("no such page: {}", request.path))
            }
        }
        "/queries" => Reply::json(200, &named_queries_json()),
        // The registry of kinds: the page names and draws entities and relations from it.
        "/kinds" => Reply::json(200, &kinds_json()),
        "/profile" => profile::handle(request, store, config),
        "/search" => search::handle(request, store, config),
        // The drawing graph of `govkg export`, with its filters.
        "/network" => {
            let request = request.clone();
            within(
                shared,
                worker.take(),
                config.timeout,
                "network",
                move |shared| network::handle(&request, &shared.store),
            )
        }
        path => match static_file(path) {
            Some((content_type, body)) => Reply::bytes(200, content_type, body.to_vec())
                .with_header("Cache-Control", "no-cache"),
            None => Reply::error(404, &format!("no such page: {path}")),
        },
    }
}

fn is_api_route(path: &str) -> bool {
    matches!(
        path,
        "/queries" | "/profile" | "/kinds" | "/network" | "/search"
    )
}

/// The page and its assets, embedded in the binary.
fn static_file(path: &str) -> Option<(&'static str, &'static [u8])> {
    Some(match path {
        "/" | "/index.html" => (
            "text/html; charset=utf-8",
            include_bytes!("../../web/index.html"),
        ),
        "/app.js" => (
            "text/javascript; charset=utf-8",
            include_bytes!("../../web/app.js"),
        ),
        "/app.css" => (
            "text/css; charset=utf-8",
            include_bytes!("../../web/app.css"),
        ),
        "/vendor/cytoscape.min.js" => (
            "text/javascript; charset=utf-8",
            include_bytes!("../../web/vendor/cytoscape.min.js"),
        ),
        "/vendor/cytoscape.LICENSE" => (
            "text/plain; charset=utf-8",
            include_bytes!("../../web/vendor/cytoscape.LICENSE"),
        ),
        "/ontology.ttl" => (
            "text/turtle; charset=utf-8",
            include_str!("../../ontology/govkg.ttl").as_bytes(),
        ),
        "/favicon.ico" => ("image/svg+xml", include_bytes!("../../web/favicon.svg")),
        "/favicon.svg" => ("image/svg+xml", include_bytes!("../../web/favicon.svg")),
        _ => return None,
    })
}

/// data/kinds.toml as the page reads it: `{"entities": [...], "relations": [...]}`.
fn kinds_json() -> serde_json::Value {
    serde_json::to_value(govkg_core::kinds::registry())
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }))
}

fn named_queries_json() -> serde_json::Value {
    serde_json::Value::Array(
        govkg_graph::query::NAMED_QUERIES
            .iter()
            .map(|q| {
                serde_json::json!({
                    "name": q.name,
                    "summary": q.summary(),
                    "text": q.text,
                    "parameters": q.parameters().into_iter().map(|p| p.name).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(cors: &[&str], hosts: &[&str]) -> Config {
        Config {
            timeout: Duration::from_secs(1),
            max_request_bytes: 1024,
            log: false,
            cors_origins: cors.iter().map(|s| s.to_string()).collect(),
            allowed_hosts: hosts.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn cross_origin_reads_only_for_the_origins_allowed() {
        let none = config(&[], &[]);
        assert_eq!(none.cors_for(Some("https://evil.example")), None);
        let notebook = config(&["http://localhost:8888/"], &[]);
        assert_eq!(
            notebook.cors_for(Some("http://localhost:8888")).as_deref(),
            Some("http://localhost:8888")
        );
        assert_eq!(notebook.cors_for(Some("https://evil.example")), None);
        assert_eq!(config(&["*"], &[]).cors_for(None).as_deref(), Some("*"));
    }

    #[test]
    fn a_loopback_server_answers_only_to_its_own_names() {
        let c = config(&[], &["govkg.internal"]);
        for host in [
            "localhost:7878",
            "127.0.0.1:7878",
            "[::1]:7878",
            "LOCALHOST",
            "govkg.internal:80",
        ] {
            assert!(c.answers_to(Some(host)), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:7878",
            "127.0.0.1.evil.example",
            "[::2]:7878",
        ] {
            assert!(!c.answers_to(Some(host)), "{host}");
        }
        assert!(c.answers_to(None));
    }

    #[test]
    fn queries_wait_in_line_for_a_bounded_time_then_are_refused() {
        let queue = Arc::new(QueryQueue::default());
        let wait = Duration::from_millis(20);
        let first = queue.enter(1, 1, wait).unwrap();
        // The one worker is busy: the next query waits its time out, a query past the queue's
        // capacity is refused at once.
        assert_eq!(queue.enter(1, 1, wait).err(), Some(Refusal::Waited));
        let line = {
            let queue = queue.clone();
            std::thread::spawn(move || queue.enter(1, 1, Duration::from_secs(60)).map(drop))
        };
        while queue.lock().waiting.is_empty() {
            std::thread::yield_now();
        }
        assert_eq!(queue.enter(1, 1, wait).err(), Some(Refusal::Full));
        // The worker goes to the query in line.
        drop(first);
        assert_eq!(line.join().unwrap(), Ok(()));
        let state = queue.lock();
        assert_eq!((state.running, state.waiting.len()), (0, 0));
        let reply = Refusal::Full.reply();
        assert_eq!(reply.status, 503);
        assert!(reply.headers.iter().any(|(n, _)| *n == "Retry-After"));
    }

    #[test]
    fn documented_parameters_are_listed() {
        let queries = named_queries_json();
        let parameters = |name: &str| {
            queries
                .as_array()
                .unwrap()
                .iter()
                .find(|q| q["name"] == name)
                .map(|q| q["parameters"].clone())
                .unwrap()
        };
        assert_eq!(parameters("entity-profile"), serde_json::json!(["entity"]));
        assert_eq!(
            parameters("implementers"),
            serde_json::json!(["initiative", "agency"])
        );
        assert_eq!(parameters("agencies"), serde_json::json!([]));
    }

    #[test]
    fn every_named_query_has_a_summary() {
        for q in named_queries_json().as_array().unwrap() {
            assert!(!q["summary"].as_str().unwrap().is_empty(), "{q}");
        }
    }
}
