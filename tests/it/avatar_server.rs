//! A loopback stand-in for Gravatar, QQ, Libravatar and GitHub, built on the crate's testkit.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;
use std::sync::{Arc, Mutex};

use blog_avatars::testkit::{Request, Response, TestServer};

/// A solid-colour PNG of `side` pixels: real bytes for the decoder.
pub fn png(side: u32, rgb: [u8; 3]) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(side, side, image::Rgb(rgb));
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .unwrap();
    bytes
}

/// What the fake providers answer, by route: `/avatar/<hash>`, `/qq?...nk=<n>&s=<size>`,
/// `/lib/avatar/<hash>`, `/gh/<login>.png`, `/img/<name>`; anything unknown is 404.
#[derive(Clone, Default)]
pub struct Routes {
    map: Arc<Mutex<HashMap<String, Response>>>,
}

impl Routes {
    /// Answers `key` (a path prefix up to the query) with `response`.
    pub fn set(&self, key: &str, response: Response) {
        self.map.lock().unwrap().insert(key.to_owned(), response);
    }

    fn answer(&self, request: &Request) -> Response {
        let map = self.map.lock().unwrap();
        let path = request.path.as_str();
        let (route, query) = path.split_once('?').unwrap_or((path, ""));
        // QQ answers depend on the number and the size, both in the query.
        let key = if route == "/qq" {
            let param = |name: &str| {
                query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                    .unwrap_or("")
                    .to_owned()
            };
            format!("/qq/{}/{}", param("nk"), param("s"))
        } else {
            route.to_owned()
        };
        map.get(&key)
            .cloned()
            .unwrap_or_else(|| Response::status(404))
    }
}

/// A running fake avatar service and its routes.
pub struct AvatarServer {
    /// The server.
    pub server: TestServer,
    /// Its routes, changeable while it runs.
    pub routes: Routes,
}

impl AvatarServer {
    /// Starts an empty service (everything 404).
    pub fn start() -> Self {
        let routes = Routes::default();
        let handler_routes = routes.clone();
        let server = TestServer::start(move |request| handler_routes.answer(request));
        Self { server, routes }
    }

    /// Config text pointing every provider at this server.
    pub fn config(&self, extra: &str) -> String {
        format!(
            "[gravatar]\nbase_url = \"{}\"\n[qq]\nbase_url = \"{}\"\nplaceholder_md5 = [\"{}\"]\n\
             [libravatar]\nbase_url = \"{}\"\n[github]\nbase_url = \"{}\"\n\
             [http]\ntimeout_s = 5\nretries = 1\n{extra}\n",
            self.server.url("/avatar/"),
            self.server.url("/qq"),
            placeholder_md5(),
            self.server.url("/lib/avatar/"),
            self.server.url("/gh/"),
        )
    }

    /// Writes the config into `site/blog-avatars.toml`.
    pub fn configure(&self, site: &Path, extra: &str) {
        std::fs::write(site.join("blog-avatars.toml"), self.config(extra)).unwrap();
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.server.request_count()
    }
}

/// The bytes QQ sends for "no 640 px picture" in these tests.
pub fn placeholder() -> Vec<u8> {
    png(64, [200, 200, 200])
}

/// MD5 of [`placeholder`].
pub fn placeholder_md5() -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(placeholder()))
}

/// MD5 hex of a normalised email, as Gravatar wants it.
pub fn md5_hex(email: &str) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(email.trim().to_lowercase().as_bytes()))
}

/// A copy of the demo site whose one real-looking avatar URL (Heidi's) points at `server`, so
/// no test ever looks up a real host. Providers are not configured: see [`AvatarServer::configure`].
pub fn demo_site_on(server: &AvatarServer) -> (tempfile::TempDir, std::path::PathBuf) {
    let (temp, site) = crate::support::copy_site("demo-site");
    let heidi = site.join("data/comments/second-post/entry1700000200000.toml");
    let text = std::fs::read_to_string(&heidi).unwrap().replace(
        "https://avatars.example.com/heidi.jpg",
        &server.server.url("/img/heidi.jpg"),
    );
    std::fs::write(&heidi, text).unwrap();
    (temp, site)
}
