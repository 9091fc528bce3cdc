//! `serve --proxy` against a loopback test server whose answers the test controls: what is
//! forwarded, what is added, what is left alone.

use std::net::TcpListener;

use blog_avatars::serve::ProxyTarget;
use blog_avatars::testkit::{Response, TestServer};

use super::start;

const PAGE: &str = "<!doctype html><html><body><p>upstream page</p></body></html>";

fn upstream() -> TestServer {
    TestServer::start(|request| match request.path.as_str() {
        "/" | "/post/?q=1" => Response::ok(PAGE).header("content-type", "text/html; charset=utf-8"),
        "/packed/" => Response::ok("compressed <p>page</p>")
            .header("content-type", "text/html")
            .header("content-encoding", "gzip"),
        "/style.css" => Response::ok("body{}").header("content-type", "text/css"),
        "/old" => Response::redirect(301, "/post/?q=1"),
        _ => Response::status(404),
    })
}

#[test]
fn pages_are_forwarded_with_the_overlay_and_everything_else_as_it_is() {
    let dev = upstream();
    let origin = format!("http://{}", dev.addr());
    let server = start("", |options| {
        options.proxy = Some(ProxyTarget::parse(&origin).unwrap());
    });

    let page = server.get("/post/?q=1");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.starts_with("<!doctype html><html><body><p>upstream page</p><script"),
        "{html}"
    );
    assert!(
        html.contains("/_avatars/overlay.js") && html.ends_with("</body></html>"),
        "{html}"
    );
    let seen = dev.requests();
    let forwarded = seen.iter().find(|r| r.path == "/post/?q=1").unwrap();
    assert_eq!(forwarded.header("accept-encoding"), Some("identity"));
    assert_eq!(
        forwarded.header("host"),
        Some(dev.addr().to_string().as_str())
    );

    // Compressed anyway: passed on as it is, without the overlay (raw: a client would inflate).
    let (status, text) = super::raw(
        server.handle.info().addr,
        "GET /packed/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200, "{text}");
    assert!(text.ends_with("\r\n\r\ncompressed <p>page</p>"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("content-encoding: gzip"),
        "{text}"
    );
    let css = server.get("/style.css");
    assert_eq!((css.status, css.text().as_str()), (200, "body{}"));
    assert_eq!(server.get("/nothing").status, 404);

    // A redirect to the dev server's own origin stays on the proxy.
    let (status, text) = super::raw(
        server.handle.info().addr,
        "GET /old HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 301, "{text}");
    assert!(
        text.to_ascii_lowercase().contains("location: /post/?q=1"),
        "{text}"
    );

    // The proxy's own pages are not forwarded.
    assert_eq!(server.get("/_avatars/upload").status, 200);
    assert!(
        !dev.requests()
            .iter()
            .any(|r| r.path.starts_with("/_avatars"))
    );

    // An avatar the dev server does not have (yet) comes from the avatar folder.
    let data = server.data_file();
    let url = data["avatars"]["olga@example.org"]["sizes"]["40"]["1x"]
        .as_str()
        .unwrap()
        .to_owned();
    let avatar = server.get(&url);
    assert_eq!(avatar.status, 200);
    assert!(avatar.body.starts_with(b"RIFF"));
    assert!(
        dev.requests().iter().any(|r| r.path == url),
        "asked upstream first"
    );
}

#[test]
fn a_dev_server_that_is_not_running_is_a_502_page_that_says_so() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let origin = format!("http://127.0.0.1:{port}");
    let server = start("", |options| {
        options.proxy = Some(ProxyTarget::parse(&origin).unwrap());
    });
    let page = server.get("/");
    assert_eq!(page.status, 502);
    assert!(page.text().contains(&origin), "{}", page.text());
    assert_eq!(server.get("/_avatars/upload").status, 200);
}

#[cfg(unix)]
#[test]
fn the_binary_takes_proxy_and_says_what_it_serves() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dev = upstream();
    let (_temp, site) = crate::support::copy_site("sites/native");
    let mut child = Command::new(env!("CARGO_BIN_EXE_blog-avatars"))
        .args([
            "serve",
            crate::support::s(&site),
            "--port",
            "0",
            "--offline",
            "--proxy",
            &format!("http://{}/", dev.addr()),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let page = line
        .split(" at ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .map(|base| {
            ureq::get(base)
                .call()
                .map(|r| r.into_body().read_to_string())
        });
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with(&format!("Serving the pages of http://{}", dev.addr())),
        "{line}"
    );
    let page = page.unwrap().unwrap().unwrap();
    assert!(
        page.contains("upstream page") && page.contains("/_avatars/overlay.js"),
        "{page}"
    );
}
