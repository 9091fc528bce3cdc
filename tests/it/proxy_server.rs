//! A small real proxy on loopback for the proxy tests: HTTP `CONNECT`, absolute-form `GET`
//! and SOCKS5 (no authentication) on one port, recording what it was asked.
//!
//! It only ever connects to loopback, or to the namespace's own address inside a test network
//! namespace (`crate::netns::PUBLIC`), so a mistake can never send a packet off the machine.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// The running proxy; it stops accepting when the test process ends.
pub struct TestProxy {
    addr: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
}

impl TestProxy {
    /// Starts on `bind` (e.g. `127.0.0.1:0`).
    pub fn start(bind: &str) -> Self {
        let listener = TcpListener::bind(bind).unwrap();
        let addr = listener.local_addr().unwrap();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &log);
                });
            }
        });
        Self { addr, asked }
    }

    /// `http://host:port`, for `HTTP_PROXY`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `socks5://host:port`, for `ALL_PROXY`.
    pub fn socks_url(&self) -> String {
        format!("socks5://{}", self.addr)
    }

    /// What it was asked, in order: `CONNECT 127.0.0.1:8080`, `GET http://…`, `SOCKS5 1.2.3.4:80`.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

fn allowed(addr: &SocketAddr) -> bool {
    #[cfg(target_os = "linux")]
    if addr.ip() == IpAddr::V4(crate::netns::PUBLIC) {
        return true;
    }
    addr.ip().is_loopback()
}

fn serve(mut client: TcpStream, log: &Mutex<Vec<String>>) -> io::Result<()> {
    let mut first = [0u8; 1];
    client.peek(&mut first)?;
    if first[0] == 5 {
        return socks5(client, log);
    }
    let mut reader = BufReader::new(client.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut head = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let end = header == "\r\n" || header.is_empty();
        head.push(header);
        if end {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    log.lock().unwrap().push(format!("{method} {target}"));
    if method == "CONNECT" {
        let Some(mut upstream) = connect(target) else {
            return client.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        };
        client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
        // Bytes the client sent after the CONNECT head are still in the reader's buffer.
        upstream.write_all(reader.buffer())?;
        return relay(client, upstream);
    }
    // Absolute form: `GET http://host:port/path HTTP/1.1`.
    let Some(rest) = target.strip_prefix("http://") else {
        return client.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let authority = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let Some(mut upstream) = connect(&authority) else {
        return client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
    };
    let path = if path.is_empty() { "/" } else { path };
    write!(upstream, "{method} {path} HTTP/1.1\r\n")?;
    for header in &head {
        upstream.write_all(header.as_bytes())?;
    }
    upstream.write_all(reader.buffer())?;
    relay(client, upstream)
}

/// Connects to `host:port` when it is an address this proxy may reach.
fn connect(target: &str) -> Option<TcpStream> {
    let addr: SocketAddr = target.parse().ok()?;
    allowed(&addr).then(|| TcpStream::connect(addr).ok())?
}

fn socks5(mut client: TcpStream, log: &Mutex<Vec<String>>) -> io::Result<()> {
    let mut greeting = [0u8; 2];
    client.read_exact(&mut greeting)?;
    let mut methods = vec![0u8; usize::from(greeting[1])];
    client.read_exact(&mut methods)?;
    client.write_all(&[5, 0])?;
    let mut request = [0u8; 4];
    client.read_exact(&mut request)?;
    let host = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip)?;
            IpAddr::from(ip).to_string()
        }
        4 => {
            let mut ip = [0u8; 16];
            client.read_exact(&mut ip)?;
            format!("[{}]", IpAddr::from(ip))
        }
        _ => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len)?;
            let mut name = vec![0u8; usize::from(len[0])];
            client.read_exact(&mut name)?;
            String::from_utf8_lossy(&name).into_owned()
        }
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port)?;
    let target = format!("{host}:{}", u16::from_be_bytes(port));
    log.lock().unwrap().push(format!("SOCKS5 {target}"));
    let Some(upstream) = connect(&target) else {
        // General failure.
        return client.write_all(&[5, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    };
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0])?;
    relay(client, upstream)
}

/// Copies both ways until each side is done.
fn relay(client: TcpStream, upstream: TcpStream) -> io::Result<()> {
    let (mut client_read, mut upstream_write) = (client.try_clone()?, upstream.try_clone()?);
    let up = std::thread::spawn(move || {
        let _ = io::copy(&mut client_read, &mut upstream_write);
        let _ = upstream_write.shutdown(std::net::Shutdown::Write);
    });
    let (mut upstream_read, mut client_write) = (upstream, client);
    let _ = io::copy(&mut upstream_read, &mut client_write);
    let _ = client_write.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
    Ok(())
}
