//! The parts that run by themselves: the sweeper, the watcher and live reload, clean stops.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime};

use super::{Part, entries, eventually, image, start};

#[test]
fn the_sweeper_deletes_previews_nobody_saved() {
    let server = start("", |options| {
        options.preview_ttl = Some(Duration::from_secs(1));
        options.sweep_interval = Some(Duration::from_millis(200));
    });
    let answer = server.post_ok(
        "/_avatars/api/preview",
        &[Part::File("file", &image("wide.jpg"))],
    );
    assert_eq!(answer.json()["expires_in_s"], 1);
    assert_eq!(server.previews().len(), 1);
    assert!(
        eventually(Duration::from_secs(10), || server.previews().is_empty()),
        "preview still there: {:?}",
        server.previews()
    );
}

#[test]
fn expired_previews_of_an_earlier_run_are_swept_at_start_up() {
    let (temp, site) = crate::support::copy_site("sites/native");
    let previews = site.join(".blog-avatars-cache/previews");
    let (old, fresh) = ("0".repeat(32), "f".repeat(32));
    for id in [&old, &fresh] {
        std::fs::create_dir_all(previews.join(id)).unwrap();
        std::fs::write(previews.join(id).join("source.png"), image("alpha.png")).unwrap();
    }
    let two_hours_ago = SystemTime::now() - Duration::from_secs(2 * 3600);
    std::fs::File::open(previews.join(&old))
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    let mut options = blog_avatars::serve::ServeOptions::new(&site);
    options.port = 0;
    options.build.offline = true;
    options.watch = false;
    let handle = blog_avatars::serve::spawn(options).unwrap();
    assert_eq!(entries(&previews), vec![fresh], "default TTL is one hour");
    handle.stop().unwrap();
    drop(temp);
}

/// Reads from an event stream until `needle` appears; returns everything read.
fn read_until(stream: &mut TcpStream, needle: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    let mut text = String::new();
    let mut buffer = [0u8; 4096];
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    while !text.contains(needle) && Instant::now() < deadline {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => text.push_str(&String::from_utf8_lossy(&buffer[..n])),
            Err(_) => continue,
        }
    }
    text
}

fn open_events(addr: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET /_avatars/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    stream
}

#[test]
fn a_new_comment_file_rebuilds_and_reloads_open_pages() {
    let server = start("", |options| {
        options.watch = true;
        options.debounce = Duration::from_millis(100);
    });
    let mut events = open_events(server.handle.info().addr);
    let hello = read_until(&mut events, "data: 1", Duration::from_secs(10));
    assert!(hello.contains("text/event-stream"), "{hello}");
    assert!(
        hello.contains("event: hello\ndata: 1"),
        "first build is generation 1: {hello}"
    );

    std::fs::write(
        server.site.join("data/comments/a/2.yaml"),
        "name: Newcomer\nemail: newcomer@example.org\n",
    )
    .unwrap();
    let reload = read_until(&mut events, "event: reload", Duration::from_secs(20));
    assert!(reload.contains("event: reload"), "{reload}");
    assert!(
        server.data_file()["avatars"]
            .get("newcomer@example.org")
            .is_some(),
        "the rebuild did not see the new comment"
    );

    // A change to the build's own output does not trigger another build.
    let generation = server.get("/_avatars/api/status").json()["build"]["generation"].clone();
    std::fs::write(server.site.join("public/avatars/notes.txt"), "x").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        server.get("/_avatars/api/status").json()["build"]["generation"],
        generation
    );
}

#[test]
fn a_save_rebuilds_once_not_again_when_the_watcher_sees_the_file() {
    let server = start("", |options| {
        options.watch = true;
        options.debounce = Duration::from_millis(100);
    });
    let answer = server.post_ok(
        "/_avatars/api/save",
        &[
            Part::Text("identity", "olga@example.org"),
            Part::File("file", &image("wide.jpg")),
        ],
    );
    let generation = answer.json()["build"]["generation"].as_u64().unwrap();
    assert_eq!(generation, 2);
    std::thread::sleep(Duration::from_millis(1000));
    let now = server.get("/_avatars/api/status").json()["build"]["generation"].as_u64();
    assert_eq!(now, Some(generation));
}

#[test]
fn stopping_ends_open_reload_streams_and_returns() {
    let server = start("", |_| {});
    let mut events = open_events(server.handle.info().addr);
    assert!(read_until(&mut events, "event: hello", Duration::from_secs(10)).contains("hello"));
    let started = Instant::now();
    server.handle.stop().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The server closed the stream rather than leaving it hanging.
    events
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut rest = Vec::new();
    let closed = events.read_to_end(&mut rest);
    assert!(closed.is_ok(), "stream still open after stop: {closed:?}");
}

#[test]
fn editing_the_config_rebuilds_with_the_new_settings() {
    let server = start("", |options| {
        options.watch = true;
        options.debounce = Duration::from_millis(100);
    });
    let sizes = |server: &super::Running| {
        let data = server.data_file();
        let entry = &data["avatars"]["native@example.org"]["sizes"];
        let mut keys: Vec<String> = entry.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(sizes(&server), vec!["40", "80"]);
    std::fs::write(
        server.site.join("blog-avatars.toml"),
        "[avatars]\nsizes = [48]\n",
    )
    .unwrap();
    assert!(
        eventually(Duration::from_secs(20), || sizes(&server) == vec!["48"]),
        "{:?}",
        sizes(&server)
    );
    // The upload page follows the new sizes too (once the build that wrote the data file has
    // finished: the data file is written before the pages are rendered).
    assert!(
        eventually(Duration::from_secs(20), || server
            .get("/_avatars/upload")
            .text()
            .contains("content=\"48\"")),
        "{}",
        server.get("/_avatars/upload").text()
    );
}
