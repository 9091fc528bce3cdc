//! `blog-avatars serve`: the HTTP API in-process, the real binary, and the upload page in
//! headless Chromium.

mod api;
mod binary;
mod browser;
mod checks;
mod dev_proxy;
mod dev_proxy_http;
mod limits;
mod live;
mod overlay;
mod watch_data;
mod webdriver;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use blog_avatars::serve::{ServeOptions, ServerHandle, spawn};
use serde_json::Value;

use crate::support::copy_site;

/// A server on a copy of the native fixture site (`native@example.org` in a post,
/// `olga@example.org` in a comment), offline, on a free loopback port.
pub struct Running {
    pub handle: ServerHandle,
    pub site: PathBuf,
    pub base: String,
    agent: ureq::Agent,
    _temp: tempfile::TempDir,
}

/// Starts a server; `config` becomes the site's `blog-avatars.toml`, `tweak` adjusts options.
pub fn start(config: &str, tweak: impl FnOnce(&mut ServeOptions)) -> Running {
    let (temp, site) = copy_site("sites/native");
    std::fs::write(site.join("blog-avatars.toml"), config).unwrap();
    let mut options = ServeOptions::new(&site);
    options.port = 0;
    options.build.offline = true;
    options.watch = false;
    tweak(&mut options);
    let handle = spawn(options).expect("server starts");
    let base = format!("http://{}", handle.info().addr);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent();
    Running {
        site: site.canonicalize().unwrap(),
        handle,
        base,
        agent,
        _temp: temp,
    }
}

/// One answer: status, content type, body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&self.body));
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts an API error with this status and code.
    pub fn assert_error(&self, status: u16, code: &str) -> Value {
        let json = self.json();
        assert_eq!(
            (self.status, json["code"].as_str()),
            (status, Some(code)),
            "{json}"
        );
        assert!(json["error"].as_str().is_some_and(|e| !e.is_empty()));
        json
    }
}

/// A part of a multipart form.
#[derive(Clone)]
pub enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a [u8]),
}

impl Running {
    pub fn get(&self, path: &str) -> Answer {
        let response = self
            .agent
            .get(format!("{}{path}", self.base))
            .call()
            .unwrap();
        answer(response)
    }

    /// The token embedded in the upload page.
    pub fn token(&self) -> String {
        let page = self.get("/_avatars/upload").text();
        let start = page.find("name=\"avatars-token\" content=\"").unwrap() + 30;
        page[start..start + 64].to_owned()
    }

    /// POSTs a multipart form with extra headers (the token goes in a header when given).
    pub fn post(
        &self,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        parts: &[Part<'_>],
    ) -> Answer {
        let (content_type, body) = multipart(parts);
        let mut request = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("content-type", &content_type);
        if let Some(token) = token {
            request = request.header("x-avatars-token", token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        answer(request.send(&body[..]).unwrap())
    }

    /// POSTs with this server's token.
    pub fn post_ok(&self, path: &str, parts: &[Part<'_>]) -> Answer {
        self.post(path, Some(&self.token()), &[], parts)
    }

    pub fn preview_dir(&self) -> PathBuf {
        self.handle.info().preview_dir.clone()
    }

    pub fn previews(&self) -> Vec<String> {
        entries(&self.preview_dir())
    }

    pub fn data_file(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.site.join("data/avatars.json")).unwrap())
            .unwrap()
    }
}

fn answer(mut response: ureq::http::Response<ureq::Body>) -> Answer {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap();
    Answer {
        status,
        content_type,
        body,
    }
}

/// A `multipart/form-data` body (file parts are named `upload.bin`: the server sniffs content).
pub fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----blog-avatars-test-boundary-7d1f";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"upload.bin\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Sends `request` as is over TCP (for headers an HTTP client will not fake, like `Host`);
/// returns the status and the whole response text.
pub fn raw(addr: std::net::SocketAddr, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// Names in a directory (none when it does not exist), sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Polls `check` every 50 ms until it is true or `timeout` passes; returns whether it became true.
pub fn eventually(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A committed test image.
pub fn image(name: &str) -> Vec<u8> {
    std::fs::read(crate::support::fixtures().join("images").join(name)).unwrap()
}

/// A 300×200 PNG: 50 px blue bands left and right of a green square with a white disc, so a
/// correct centre crop is all green at its corners.
pub fn portrait() -> Vec<u8> {
    let image = image::RgbImage::from_fn(300, 200, |x, y| {
        let (dx, dy) = (x as i32 - 150, y as i32 - 100);
        if !(50..250).contains(&x) {
            image::Rgb([30, 60, 220])
        } else if dx * dx + dy * dy < 45 * 45 {
            image::Rgb([250, 250, 250])
        } else {
            image::Rgb([40, 170, 90])
        }
    });
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

/// Decodes a PNG answer.
pub fn decode(bytes: &[u8]) -> image::RgbaImage {
    image::load_from_memory(bytes).unwrap().to_rgba8()
}

/// Colour check with room for resampling.
pub fn near(actual: [u8; 4], expected: [u8; 3]) -> bool {
    actual[..3]
        .iter()
        .zip(expected)
        .all(|(a, e)| a.abs_diff(e) <= 24)
}

/// The side of a saved upload, checked to be a clean square copy: no EXIF, nothing after the
/// image.
pub fn clean_side(bytes: &[u8]) -> u32 {
    let image = decode(bytes);
    assert_eq!(image.width(), image.height(), "not the centre square");
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "metadata kept");
    if bytes.starts_with(&[0xff, 0xd8]) {
        assert!(bytes.ends_with(&[0xff, 0xd9]), "bytes after the JPEG");
    }
    image.width()
}
