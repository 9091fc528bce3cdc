//! Every limit of the upload API: size, real images only, identity names and path tricks, the
//! token, cross-origin requests and foreign host names. Each refusal leaves nothing behind.

use super::{Part, Running, entries, image, portrait, raw, start};

/// Nothing was saved or previewed.
fn assert_untouched(server: &Running) {
    assert!(entries(&server.site.join("_avatars")).is_empty());
    assert!(server.previews().is_empty(), "{:?}", server.previews());
}

#[test]
fn uploads_above_the_size_limit_are_refused_with_the_limit_named() {
    let server = start("[serve]\nmax_upload_bytes = 1000\n", |_| {});
    let big = portrait();
    assert!(big.len() > 1000);
    for path in ["/_avatars/api/preview", "/_avatars/api/save"] {
        let answer = server.post_ok(
            path,
            &[
                Part::Text("identity", "olga@example.org"),
                Part::File("file", &big),
            ],
        );
        let json = answer.assert_error(413, "too_large");
        assert!(
            json["error"].as_str().unwrap().contains("1000 B "),
            "{json}"
        );
    }
    // A body announced far above the limit is refused before it is read.
    let token = server.token();
    let (status, text) = raw(
        server.handle.info().addr,
        &format!(
            "POST /_avatars/api/preview HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Avatars-Token: {token}\r\n\
             Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 900000000\r\n\
             Connection: close\r\n\r\n--x\r\n"
        ),
    );
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("too_large"));
    // Under the limit is fine.
    let small = server.post_ok(
        "/_avatars/api/preview",
        &[Part::File("file", &image("wide.jpg"))],
    );
    assert_eq!(small.status, 200, "{}", small.text());
}

#[test]
fn only_images_the_build_can_decode_are_accepted() {
    let server = start("", |_| {});
    for (name, needle) in [
        ("page.html", "HTML page"),
        ("drawing.svg", "SVG"),
        ("truncated.png", "cut short"),
        ("bomb.png", "too large to decode"),
        ("bomb.jpg", "too large to decode"),
    ] {
        for path in ["/_avatars/api/preview", "/_avatars/api/save"] {
            let answer = server.post_ok(
                path,
                &[
                    Part::Text("identity", "olga@example.org"),
                    Part::File("file", &image(name)),
                ],
            );
            let json = answer.assert_error(422, "not_an_image");
            assert!(
                json["error"].as_str().unwrap().contains(needle),
                "{name}: {json}"
            );
        }
    }
    let empty = server.post_ok("/_avatars/api/preview", &[Part::File("file", b"")]);
    empty.assert_error(400, "no_file");
    assert_untouched(&server);
}

#[test]
fn bad_identities_and_path_tricks_are_refused() {
    let server = start("", |_| {});
    let outside = server.site.parent().unwrap().to_path_buf();
    let before = entries(&outside);
    for (identity, kind) in [
        ("", ""),
        ("not an email@", ""),
        ("../../etc/passwd", ""),
        ("../blog-avatars.toml", "github"),
        ("a/b@example.org", ""),
        ("a\\b@example.org", "email"),
        ("..@example.org", ""),
        ("012345", "qq"),
        ("1234/../5", "qq"),
        ("-octocat", "github"),
        (".hidden", "github"),
        ("olga@example.org", "file"),
    ] {
        let answer = server.post_ok(
            "/_avatars/api/save",
            &[
                Part::Text("identity", identity),
                Part::Text("kind", kind),
                Part::File("file", &image("wide.jpg")),
            ],
        );
        answer.assert_error(400, "bad_identity");
    }
    assert_untouched(&server);
    assert_eq!(
        entries(&outside),
        before,
        "something was written next to the site"
    );
}

#[test]
fn state_changing_requests_need_this_servers_token() {
    let server = start("", |_| {});
    let other = start("", |_| {});
    let form = [
        Part::Text("identity", "olga@example.org"),
        Part::File("file", &image("wide.jpg")),
    ];
    for path in [
        "/_avatars/api/preview",
        "/_avatars/api/save",
        "/_avatars/api/discard",
    ] {
        server
            .post(path, None, &[], &form)
            .assert_error(403, "missing_token");
        server
            .post(path, Some(&other.token()), &[], &form)
            .assert_error(403, "bad_token");
        let mut with_field = form.to_vec();
        let wrong = "0".repeat(64);
        with_field.push(Part::Text("csrf", &wrong));
        server
            .post(path, None, &[], &with_field)
            .assert_error(403, "bad_token");
    }
    assert_untouched(&server);
}

#[test]
fn cross_origin_requests_are_refused_even_with_the_token() {
    let server = start("", |_| {});
    let token = server.token();
    let form = [
        Part::Text("identity", "olga@example.org"),
        Part::File("file", &image("wide.jpg")),
    ];
    let port = server.handle.info().addr.port();
    let other_port = format!("http://127.0.0.1:{}", port.wrapping_add(1));
    for headers in [
        vec![("origin", "http://evil.example")],
        vec![("origin", "null")],
        vec![("origin", other_port.as_str())],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
    ] {
        for path in [
            "/_avatars/api/preview",
            "/_avatars/api/save",
            "/_avatars/api/discard",
        ] {
            server
                .post(path, Some(&token), &headers, &form)
                .assert_error(403, "cross_origin");
        }
    }
    assert_untouched(&server);
    // The page's own origin is accepted.
    let same = server.post(
        "/_avatars/api/save",
        Some(&token),
        &[("origin", &server.base), ("sec-fetch-site", "same-origin")],
        &form,
    );
    assert_eq!(same.status, 200, "{}", same.text());
}

#[test]
fn a_rebound_host_name_gets_neither_the_page_nor_the_api() {
    let server = start("", |_| {});
    let addr = server.handle.info().addr;
    let token = server.token();
    let (status, text) = raw(
        addr,
        "GET /_avatars/upload HTTP/1.1\r\nHost: evil.example:1111\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 403, "{text}");
    assert!(
        !text.contains(&token),
        "the token leaked to a foreign host name"
    );
    let (status, text) = raw(
        addr,
        &format!(
            "POST /_avatars/api/discard HTTP/1.1\r\nHost: evil.example\r\nX-Avatars-Token: {token}\r\n\
             Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 6\r\n\
             Connection: close\r\n\r\n--x--\r\n"
        ),
    );
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("bad_host"));
    let (status, _) = raw(
        addr,
        "GET /_avatars/upload HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200);
}
