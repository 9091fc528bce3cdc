//! The bodies of the fuzz targets, shared with the regular test suite.
//!
//! Each function takes arbitrary bytes, runs one stage that reads untrusted input, and panics
//! when an invariant breaks: a panic is what libFuzzer reports as a crash. The cargo-fuzz
//! targets in `fuzz_targets/` are one line each; `tests/it/fuzz_replay.rs` includes this file to
//! replay every saved crash (`fuzz/regressions/<target>/`) and the seed inputs on stable Rust.

use blog_avatars::config::ScanConfig;
use blog_avatars::identify::{FieldKind, identify};
use blog_avatars::model::{Email, GithubLogin, Identity, OutputFormat, QqNumber};
use blog_avatars::net_guard::{UrlPolicy, check_content_url, classify_ip, parse_ip_host};
use blog_avatars::process::{DecodeLimits, EncodeOptions, process};
use blog_avatars::scan::fields::{FieldNames, Locator, extract};
use blog_avatars::scan::front_matter::{FrontMatterFormat, read_front_matter, split};
use blog_avatars::scan::parse;

/// The front matter limit used on raw bytes: small, so the limit paths are exercised too.
const FRONT_MATTER_LIMIT: u64 = 4096;

/// Front matter splitting, the three parsers, field extraction and identity validation, as the
/// scan runs them on one post.
pub fn front_matter(data: &[u8]) {
    if let Ok(Some(front)) = read_front_matter(data, FRONT_MATTER_LIMIT) {
        assert!(
            front.text.len() as u64 <= FRONT_MATTER_LIMIT + 1,
            "front matter of {} bytes passed a limit of {FRONT_MATTER_LIMIT}",
            front.text.len()
        );
        assert!(front.end_offset <= data.len());
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok((front, body)) = split(text) else {
        return;
    };
    assert!(text.ends_with(body), "the body is not the end of the file");
    if let Some(front) = front {
        assert!(front.end_offset <= text.len());
        assert!(matches!(front.first_line, 1 | 2));
        scan_document(front.format, &front.text, front.first_line);
    }
    // Comment data files are whole documents in any of the three formats.
    for format in [
        FrontMatterFormat::Yaml,
        FrontMatterFormat::Toml,
        FrontMatterFormat::Json,
    ] {
        scan_document(format, text, 1);
    }
}

/// Parses one document, extracts its fields and validates each value, checking line numbers.
fn scan_document(format: FrontMatterFormat, text: &str, first_line: usize) {
    // YAML counts a lone CR as a line break too (found by fuzzing), so bound by both.
    let lines = text.lines().count().max(1);
    let breaks = text.matches(['\n', '\r']).count() + 1;
    let value = match parse(format, text) {
        Ok(value) => value,
        Err((line, message)) => {
            assert!(!message.contains('\n'), "multi-line warning: {message:?}");
            if let Some(line) = line {
                assert!(
                    (1..=breaks + 1).contains(&line),
                    "{format:?} error on line {line} of a text with {breaks} line breaks"
                );
            }
            return;
        }
    };
    let names = FieldNames::new(&ScanConfig::default());
    let extracted = extract(&value, &names, &mut Locator::new(text, first_line));
    for field in extracted.records.iter().flatten() {
        if let Some(line) = field.line {
            assert!((first_line..first_line + lines).contains(&line));
        }
        if let Ok(Some(identity)) = identify(field.kind, &field.raw) {
            check_identity(field.kind, &field.raw, &identity);
        }
    }
}

/// Identity validation: the first byte picks the field kind, the rest is the value.
pub fn identity(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = match selector % 5 {
        0 => FieldKind::Email,
        1 => FieldKind::Hash,
        2 => FieldKind::Qq,
        3 => FieldKind::Github,
        _ => FieldKind::Avatar,
    };
    let raw = String::from_utf8_lossy(rest);
    match identify(kind, &raw) {
        Ok(Some(identity)) => check_identity(kind, &raw, &identity),
        Ok(None) => assert!(raw.trim().is_empty(), "{raw:?} ignored"),
        Err(invalid) => assert!(invalid.0.len() < 400, "overlong message for {raw:?}"),
    }
}

/// What every identity must satisfy, whatever the input.
fn check_identity(kind: FieldKind, raw: &str, identity: &Identity) {
    match identity {
        Identity::Email { address, qq } => {
            // Themes' spellings are dropped: NexT's ` || icon`, a `mailto:` scheme.
            let value = raw.split(" || ").next().unwrap_or(raw).trim();
            let value = match value.get(..7) {
                Some(head) if head.eq_ignore_ascii_case("mailto:") => &value[7..],
                _ => value,
            };
            assert_eq!(*address, value.to_lowercase());
            assert!(Email::parse(address).is_ok(), "{address:?}");
            assert_eq!(
                qq.as_deref(),
                address
                    .strip_suffix("@qq.com")
                    .filter(|local| QqNumber::parse(local).is_ok())
            );
        }
        Identity::Hash(hash) => assert!(
            matches!(hash.len(), 32 | 64)
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{hash:?}"
        ),
        Identity::Qq(number) => assert!(QqNumber::parse(number).is_ok()),
        Identity::Github(login) => {
            assert!(GithubLogin::parse(login).is_ok() && *login == login.to_ascii_lowercase());
        }
        Identity::Url(value) => {
            let url = url::Url::parse(value).expect("a URL identity parses");
            assert!(matches!(url.scheme(), "http" | "https"), "{value}");
            assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{value}");
            check_guard_agrees(value);
        }
        Identity::File(path) => {
            assert!(!path.is_empty() && !path.starts_with('/'), "{path:?}");
            assert!(!path.contains(['\\', '\0']), "{path:?}");
            assert!(
                path.split('/').all(|c| !matches!(c, "" | "." | "..")),
                "{path:?} is not a plain relative path"
            );
        }
    }
    // Normalising is idempotent: the normalised value means the same identity. Emails and
    // hashes are re-read from the same field; URLs and paths are `avatar` values.
    let again = identify(kind, identity.value());
    assert_eq!(
        again.as_ref().ok().and_then(|i| i.as_ref()),
        Some(identity),
        "{raw:?} became {identity:?}, which reads back as {again:?}"
    );
}

/// The content-URL guard on arbitrary text.
pub fn url_guard(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = check_content_url(
        text,
        &UrlPolicy {
            allow_private: true,
            allow_hosts: vec!["*.example.org".into(), "127.0.0.1".into()],
        },
    );
    check_guard_agrees(text);
    // Host parsing alone: every spelling of an IPv4 address the WHATWG parser (browsers, and the
    // `url` crate that normalises avatar URLs) accepts must mean the same address to the guard.
    if text.len() < 64 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
        let ours = parse_ip_host(text);
        if let Ok(url::Host::Ipv4(theirs)) = url::Host::parse(text) {
            assert_eq!(ours, Some(theirs.into()), "{text:?}");
        }
    }
}

/// When the guard lets a URL through under the default policy, neither the `http` crate (the
/// host ureq connects to) nor the `url` crate (browsers' reading) may see a non-public IP in it.
fn check_guard_agrees(text: &str) {
    let policy = UrlPolicy::default();
    if check_content_url(text, &policy).is_err() {
        return;
    }
    let trimmed = text.trim();
    let uri: ureq::http::Uri = trimmed.parse().expect("an allowed URL parses");
    let host = uri.host().expect("an allowed URL has a host");
    if let Some(ip) = parse_ip_host(host) {
        assert_eq!(classify_ip(ip), None, "{text:?} reaches {ip}");
    }
    match url::Url::parse(trimmed)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Ipv4(ip)) => {
            assert_eq!(classify_ip(ip.into()), None, "{text:?} means {ip} to url");
        }
        Some(url::Host::Ipv6(ip)) => {
            assert_eq!(classify_ip(ip.into()), None, "{text:?} means {ip} to url");
        }
        _ => {}
    }
}

/// Image decoding under limits: never a panic, never more than the limits allow, and every
/// output is a real image of the size asked for.
pub fn decode_image(data: &[u8]) {
    let limits = DecodeLimits {
        max_width: 2048,
        max_height: 2048,
        max_alloc: 64 * 1024 * 1024,
    };
    let format = match data.len() % 3 {
        0 => OutputFormat::Png,
        1 => OutputFormat::Jpeg,
        _ => OutputFormat::Webp,
    };
    let options = EncodeOptions {
        format,
        quality: 50,
    };
    let Ok(renditions) = process(data, &[8, 16], &options, &limits) else {
        return;
    };
    for rendition in renditions {
        let decoded = image::load_from_memory(&rendition.bytes).expect("outputs decode");
        assert_eq!(
            (decoded.width(), decoded.height()),
            (rendition.px, rendition.px)
        );
    }
}

/// `srcset` parsing and serialising: candidates are ordered, non-overlapping ranges inside the
/// text; replacing every URL by itself changes nothing; replacing them all by one new URL keeps
/// every byte outside the URL ranges.
pub fn srcset(data: &[u8]) {
    use blog_avatars::rewrite::srcset::{parse, replace_urls};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let candidates = parse(text);
    let mut end = 0;
    for candidate in &candidates {
        assert!(candidate.url.start >= end, "candidates overlap in {text:?}");
        assert!(
            candidate.url.start < candidate.url.end,
            "empty URL in {text:?}"
        );
        assert!(candidate.url.end <= text.len() && candidate.descriptors.end <= text.len());
        assert!(
            text.is_char_boundary(candidate.url.start) && text.is_char_boundary(candidate.url.end)
        );
        end = candidate.url.end.max(candidate.descriptors.end);
    }
    assert_eq!(replace_urls(text, |url, _| Some(url.to_owned())), None);
    if let Some(out) = replace_urls(text, |_, _| {
        Some("/avatars/0123456789abcdef.webp".to_owned())
    }) {
        // Everything outside the URLs is kept: the text between candidates reappears in order.
        let mut rest = out.as_str();
        let mut copied = 0;
        for candidate in &candidates {
            let between = &text[copied..candidate.url.start];
            let at = rest
                .find(between)
                .unwrap_or_else(|| panic!("{between:?} lost from {text:?}"));
            rest = &rest[at + between.len()..];
            copied = candidate.url.end;
        }
        assert!(
            out.ends_with(&text[copied..]),
            "the tail of {text:?} changed"
        );
    }
}

/// The HTML rewriter: never panics; a lookup that finds nothing changes nothing; after every
/// recognised avatar URL is replaced by a local file, a second pass finds nothing left to do.
pub fn rewrite_html(data: &[u8]) {
    use blog_avatars::rewrite::{collect, rewrite};
    let Ok(found) = collect(data) else {
        return;
    };
    assert_eq!(rewrite(data, &|_, _| None).ok().flatten(), None);
    let local = |_: &_, _| Some("/avatars/0123456789abcdef.webp".to_owned());
    if let Ok(Some(out)) = rewrite(data, &local) {
        assert!(!found.is_empty(), "rewritten without a recognised URL");
        if let Ok(again) = rewrite(&out, &local) {
            assert_eq!(again, None, "a second pass still found avatar URLs");
        }
    }
}
