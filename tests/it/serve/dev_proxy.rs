//! `serve --proxy URL` beside the real `hugo server` on loopback: Hugo's pages come through with
//! the overlay added and Hugo's live reload intact (its websocket too), the upload page works
//! through the proxy, and a saved upload reaches the page Hugo renders.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use blog_avatars::serve::{ProxyTarget, ServeOptions, spawn};

use super::{Part, Running, eventually, image};
use crate::support::{copy_site, run, s};

/// A free loopback port (closed again, so the server started next can take it).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `hugo server`, killed when dropped.
struct Hugo(Child);

impl Drop for Hugo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `hugo server` as the README's recipe starts it: its live reload pointed at the proxy's port.
fn hugo_server(site: &Path, port: u16, proxy_port: u16) -> Hugo {
    let port = port.to_string();
    let child = Command::new("hugo")
        .args([
            "server",
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
            "--baseURL",
            &format!("http://127.0.0.1:{port}/"),
            "--disableFastRender",
            "--liveReloadPort",
            &proxy_port.to_string(),
        ])
        .current_dir(site)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run hugo ({e}): install it with `apt-get install hugo`")
        });
    Hugo(child)
}

/// Reads until `needle` appears or `timeout` passes; returns what was read.
fn read_until(stream: &mut TcpStream, needle: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    while !String::from_utf8_lossy(&bytes).contains(needle) && Instant::now() < deadline {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
            Err(_) => continue,
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A masked websocket text frame, as a browser sends it (RFC 6455 §5.2).
fn text_frame(text: &str) -> Vec<u8> {
    let payload = text.as_bytes();
    assert!(payload.len() < 126);
    let mask = [0x12u8, 0x34, 0x56, 0x78];
    let mut frame = vec![0x81, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// Opens Hugo's live-reload websocket through the proxy and says hello as livereload.js does.
fn livereload_socket(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(
            format!(
                "GET /livereload HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\n\
                 Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
                 Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
            )
            .as_bytes(),
        )
        .unwrap();
    let handshake = read_until(&mut stream, "\r\n\r\n", Duration::from_secs(10));
    assert!(
        handshake.starts_with("HTTP/1.1 101"),
        "no websocket upgrade through the proxy: {handshake}"
    );
    assert!(
        handshake.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        "Hugo's accept key did not come through: {handshake}"
    );
    stream
        .write_all(&text_frame(
            r#"{"command":"hello","protocols":["http://livereload.com/protocols/official-7"]}"#,
        ))
        .unwrap();
    let hello = read_until(&mut stream, "\"hello\"", Duration::from_secs(10));
    assert!(hello.contains("\"hello\""), "Hugo did not answer: {hello}");
    stream
}

#[test]
fn hugo_server_pages_come_through_with_the_overlay_and_uploads_reach_them() {
    let (temp, site) = copy_site("generators/hugo");
    let (hugo_port, proxy_port) = (free_port(), free_port());
    let mut options = ServeOptions::new(&site);
    options.port = proxy_port;
    options.build.offline = true;
    options.debounce = Duration::from_millis(100);
    options.proxy = Some(ProxyTarget::parse(&format!("http://127.0.0.1:{hugo_port}")).unwrap());
    // Started first: its build writes the data file Hugo's templates read.
    let handle = spawn(options).expect("server starts");
    let _hugo = hugo_server(&site, hugo_port, proxy_port);
    let server = Running {
        base: format!("http://{}", handle.info().addr),
        handle,
        site: site.canonicalize().unwrap(),
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent(),
        _temp: temp,
    };
    let page = "/posts/first-post/";
    assert!(
        eventually(Duration::from_secs(60), || server.get(page).status == 200),
        "hugo server did not come up behind the proxy"
    );
    let before = server.get(page);
    let html = before.text();
    assert!(before.content_type.starts_with("text/html"));
    assert!(html.contains("Hello from Hugo."), "{html}");
    assert!(
        html.contains("id=\"blog-avatars-status\""),
        "no overlay data: {html}"
    );
    assert!(
        html.contains("/_avatars/overlay.js"),
        "no overlay script: {html}"
    );
    assert!(
        html.contains(&format!(
            "/livereload.js?mindelay=10&amp;v=2&amp;port={proxy_port}"
        )),
        "Hugo's live-reload script is gone: {html}"
    );
    assert!(html.find("overlay.js").unwrap() < html.rfind("</body>").unwrap());
    // Hugo's own files pass through as they are.
    let script = server.get("/livereload.js");
    assert_eq!(script.status, 200);
    assert!(script.content_type.contains("javascript"));
    assert!(!script.text().contains("blog-avatars"));

    let data = server.data_file();
    let old_url = data["avatars"]["ivan@example.org"]["sizes"]["40"]["1x"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(html.contains(&old_url), "{old_url} not in the page: {html}");
    let avatar = server.get(&old_url);
    assert_eq!(avatar.status, 200);
    assert!(avatar.content_type.starts_with("image/webp"));
    assert!(avatar.body.starts_with(b"RIFF"));

    let mut livereload = livereload_socket(server.handle.info().addr);

    // The upload page and its API, through the proxy's own routes.
    let upload_page = server.get("/_avatars/upload");
    assert_eq!(upload_page.status, 200);
    assert!(upload_page.text().contains("Upload an avatar"));
    let saved = server.post_ok(
        "/_avatars/api/save",
        &[
            Part::Text("identity", "ivan@example.org"),
            Part::Text("kind", "email"),
            Part::File("file", &image("wide.jpg")),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(saved.json()["build"]["ok"], true);
    let data = server.data_file();
    assert_eq!(data["avatars"]["ivan@example.org"]["provider"], "local");
    let new_url = data["avatars"]["ivan@example.org"]["sizes"]["40"]["1x"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_url, old_url);

    // Hugo's watcher sees the new data file, rebuilds and tells its live-reload clients.
    let reload = read_until(&mut livereload, "\"reload\"", Duration::from_secs(30));
    assert!(
        reload.contains("\"reload\""),
        "no live reload from Hugo: {reload}"
    );
    assert!(
        eventually(Duration::from_secs(30), || server
            .get(page)
            .text()
            .contains(&new_url)),
        "the page never showed {new_url}: {}",
        server.get(page).text()
    );
    assert_eq!(server.get(&new_url).status, 200);

    // Stopping the proxy ends the websocket it carries instead of waiting for the tab.
    let started = Instant::now();
    server.handle.stop().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    livereload
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut rest = Vec::new();
    let closed = livereload.read_to_end(&mut rest);
    assert!(
        closed.is_ok(),
        "websocket still open after stop: {closed:?}"
    );
}

#[test]
fn a_proxy_target_off_this_machine_is_a_usage_error_before_anything_is_written() {
    let (_temp, site) = copy_site("generators/hugo");
    for target in [
        "http://203.0.113.7:1313",
        "http://example.org:1313",
        "https://127.0.0.1:1313",
    ] {
        let output = run(&["serve", s(&site), "--port", "0", "--proxy", target]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{target}: {stderr}");
        assert!(
            stderr.contains("--proxy") && stderr.contains(target),
            "{target}: {stderr}"
        );
        assert!(!site.join("data/avatars.json").exists(), "{target} built");
    }
    let output = run(&[
        "serve",
        s(&site),
        "--port",
        "0",
        "--proxy",
        "http://10.1.2.3:1313",
    ]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a loopback address"));
}
