//! A small loopback HTTP/1.1 server whose answers the test controls, for tests and benchmarks.
//!
//! `TcpListener` on `127.0.0.1:0`, one thread per connection, keep-alive. A handler closure
//! maps each [`Request`](crate::testkit::Request) to a [`Response`](crate::testkit::Response),
//! which may also be a fault: latency, a dropped connection, a truncated body, a body dripped
//! slower than any client timeout. The server counts and logs requests (headers included) and
//! records the most requests it ever had in flight at once.
//!
//! The hot path takes no lock shared between connections: each connection logs into its own
//! vector and only atomics are shared, so the benchmarks measure the client, not this server.

mod wire;

use std::collections::HashMap;
use std::io::{self, BufReader};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use std::time::Duration;
use wire::{read_request, write_response};

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    /// Header names and values in arrival order.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Close the connection without answering.
    HangUp,
    /// Announce the full `Content-Length`, send half the body, close.
    Truncate,
    /// Send the body one byte at a time with this pause between bytes.
    Drip(Duration),
}

/// What the handler wants sent back.
#[derive(Debug, Clone)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
    fault: Option<Fault>,
}

impl Response {
    /// 200 with `body`.
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Self::status(200).body(body)
    }

    /// `status` with an empty body.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            fault: None,
        }
    }

    /// A redirect (`status` 301/302/307/308) to `location`.
    pub fn redirect(status: u16, location: &str) -> Self {
        Self::status(status).header("Location", location)
    }

    /// Closes the connection without sending anything (after any delay).
    pub fn hang_up() -> Self {
        Self {
            fault: Some(Fault::HangUp),
            ..Self::status(200)
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Waits `delay` before answering (simulated latency).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Announces the whole body's length but sends only half of it, then closes.
    pub fn truncated(mut self) -> Self {
        self.fault = Some(Fault::Truncate);
        self
    }

    /// Sends the body one byte every `pause`.
    pub fn drip(mut self, pause: Duration) -> Self {
        self.fault = Some(Fault::Drip(pause));
        self
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;
type Log = Arc<Mutex<Vec<(u64, Request)>>>;

struct Shared {
    handler: Box<Handler>,
    stop: AtomicBool,
    total: AtomicU64,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Per-connection logs, registered once per connection (not per request).
    logs: Mutex<Vec<Log>>,
    /// Open connections, so that dropping the server can shut them down.
    open: Mutex<HashMap<u64, TcpStream>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

/// A running loopback server; stops (and closes its connections) when dropped.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TestServer {
    /// Starts a server on `127.0.0.1` (a free port) answering with `handler`.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Self {
        Self::start_on("127.0.0.1:0", handler)
    }

    /// Starts a server bound to `bind` (a loopback address such as `[::1]:0`, for tests that
    /// need two hosts) answering with `handler`.
    pub fn start_on(
        bind: &str,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind(bind).expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            stop: AtomicBool::new(false),
            total: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            logs: Mutex::new(Vec::new()),
            open: Mutex::new(HashMap::new()),
            threads: Mutex::new(Vec::new()),
        });
        let acceptor = {
            let shared = shared.clone();
            std::thread::spawn(move || accept_loop(&listener, &shared))
        };
        Self {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port><path>` (`http://[::1]:<port><path>` on IPv6).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Requests received so far.
    pub fn request_count(&self) -> u64 {
        self.shared.total.load(Ordering::SeqCst)
    }

    /// Requests received so far for exactly `path` (path and query).
    pub fn count_for(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        let mut all: Vec<(u64, Request)> = lock(&self.shared.logs)
            .iter()
            .flat_map(|log| lock(log).clone())
            .collect();
        all.sort_by_key(|(seq, _)| *seq);
        all.into_iter().map(|(_, r)| r).collect()
    }

    /// The most requests that were being handled at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor blocked in `accept`.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        for stream in lock(&self.shared.open).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        let threads = std::mem::take(&mut *lock(&self.shared.threads));
        for thread in threads {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for (id, stream) in (0u64..).zip(listener.incoming()) {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.open).insert(id, clone);
        }
        let log = Log::default();
        lock(&shared.logs).push(log.clone());
        let thread = {
            let shared = shared.clone();
            std::thread::spawn(move || {
                let _ = serve_connection(stream, &shared, &log);
                lock(&shared.open).remove(&id);
            })
        };
        lock(&shared.threads).push(thread);
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared, log: &Log) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    while let Some(request) = read_request(&mut reader)? {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let seq = shared.total.fetch_add(1, Ordering::SeqCst);
        lock(log).push((seq, request.clone()));
        let response = (shared.handler)(&request);
        std::thread::sleep(response.delay);
        // Counted out before writing: the client may send its next request (on another
        // connection) as soon as it has read this answer, and must not be counted twice.
        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        let close = request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        if !write_response(&mut stream, &request, &response, close, shared)? || close {
            break;
        }
    }
    Ok(())
}
