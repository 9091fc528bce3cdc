//! A small W3C WebDriver client over ureq, driving Debian's headless Chromium through
//! `chromedriver`. Only what the end-to-end tests use.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// The key under which WebDriver returns element references.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A program on PATH, or a clear failure: CI installs Chromium, so a missing one is an error.
fn required(program: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "`{program}` is not installed: the end-to-end tests of the upload page need \
             Debian's chromium and chromium-driver (`apt-get install -y chromium \
             chromium-driver`, as ./test does)"
        )
    })
}

/// A browser session; the browser and driver stop when it is dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and a fresh headless Chromium.
    pub fn start() -> Browser {
        let chromium = required("chromium");
        let chromedriver = required("chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(chromedriver)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            agent,
            _profile: profile,
        };
        let ready = super::eventually(Duration::from_secs(20), || {
            browser
                .agent
                .get(format!("{}/status", browser.base))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                .is_some_and(|v| v["value"]["ready"] == true)
        });
        assert!(ready, "chromedriver did not become ready");
        let profile_dir = browser._profile.path().display().to_string();
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium.display().to_string(),
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--window-size=900,1100",
                        // Tests talk to loopback only. Chromium's own background traffic
                        // (DNS-over-HTTPS probes, autofill, safe browsing) goes to a closed
                        // loopback port, and no name is resolved but those of the test server.
                        "--proxy-server=http://127.0.0.1:9",
                        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
                        "--disable-features=DnsOverHttps,AutofillServerCommunication,OptimizationHints,MediaRouter",
                        "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                        "--no-pings", "--dns-prefetch-disable",
                        format!("--user-data-dir={profile_dir}"),
                    ]
                }
            }}
        });
        let value = browser.command("POST", "/session", Some(capabilities));
        browser.session = value["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {value}"))
            .to_owned();
        browser
    }

    /// Sends a command; returns its `value`, panicking on a WebDriver error.
    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let response = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(body.unwrap_or(json!({})).to_string()),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        value["value"].clone()
    }

    fn session(&self, path: &str) -> String {
        format!("/session/{}{path}", self.session)
    }

    pub fn goto(&self, url: &str) {
        self.command("POST", &self.session("/url"), Some(json!({ "url": url })));
    }

    /// The element matching a CSS selector.
    pub fn find(&self, css: &str) -> String {
        let value = self.command(
            "POST",
            &self.session("/element"),
            Some(json!({ "using": "css selector", "value": css })),
        );
        value[ELEMENT].as_str().unwrap().to_owned()
    }

    /// Types into an element; for a file input, `text` is the file's absolute path.
    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.command(
            "POST",
            &self.session(&format!("/element/{element}/value")),
            Some(json!({ "text": text })),
        );
    }

    pub fn choose_file(&self, css: &str, path: &Path) {
        self.type_into(css, &path.display().to_string());
    }

    pub fn click(&self, css: &str) {
        let element = self.find(css);
        self.command(
            "POST",
            &self.session(&format!("/element/{element}/click")),
            None,
        );
    }

    /// Runs synchronous JavaScript (`return ...;`) and returns its result.
    pub fn run(&self, script: &str) -> Value {
        self.command(
            "POST",
            &self.session("/execute/sync"),
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Runs asynchronous JavaScript; the script calls `arguments[0](result)`.
    pub fn run_async(&self, script: &str) -> Value {
        self.command(
            "POST",
            &self.session("/execute/async"),
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Polls `expression` until it is truthy; returns its value, or panics with `what`.
    pub fn wait_for(&self, expression: &str, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let value = self.run(&format!("return ({expression});"));
            let truthy = !matches!(&value, Value::Null | Value::Bool(false))
                && value != json!("")
                && value != json!(0);
            if truthy {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; status: {}",
                self.run("return document.getElementById('status') && document.getElementById('status').textContent;")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG screenshot of the viewport.
    pub fn screenshot(&self, path: &Path) {
        let value = self.command("GET", &self.session("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().unwrap())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let url = format!("{}/session/{}", self.base, self.session);
            let _ = self.agent.delete(&url).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
