//! An avatar uploaded through `serve` never reaches what the generator publishes, with the real
//! Jekyll (which publishes every folder not starting with `_` or `.`), and what is saved is a
//! clean copy: no EXIF (GPS position), no comment, no bytes after the image.

use std::path::Path;
use std::process::Command;

use blog_avatars::serve::{ServeOptions, spawn};

use crate::avatar_server::md5_hex;
use crate::serve::{Part, multipart};
use crate::support::{assert_no_secrets, copy_site, run_json, s};

const AUTHOR: &str = "jekyll-author@example.org";
const QQ: &str = "40001234";

/// A JPEG photo as phones write them: an EXIF block with a GPS position and a description, a
/// comment segment, and bytes appended after the end of the image.
fn photo_with_metadata() -> Vec<u8> {
    let image = image::RgbImage::from_fn(120, 80, |x, _| image::Rgb([(x * 2) as u8, 90, 160]));
    let mut jpeg = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    // TIFF, big-endian: IFD0 (description, pointer to the GPS IFD), then the GPS IFD.
    let description = b"GPS-SECRET 48.8584N 2.2945E\0";
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = tag.to_be_bytes().to_vec();
        e.extend(kind.to_be_bytes());
        e.extend(count.to_be_bytes());
        e.extend(value.to_be_bytes());
        e
    };
    tiff.extend(2u16.to_be_bytes());
    tiff.extend(entry(0x010e, 2, description.len() as u32, 56));
    tiff.extend(entry(0x8825, 4, 1, 38));
    tiff.extend(0u32.to_be_bytes());
    tiff.extend(1u16.to_be_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_be_bytes(*b"N\0\0\0")));
    tiff.extend(0u32.to_be_bytes());
    assert_eq!(tiff.len(), 56);
    tiff.extend(description);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let comment = format!("commenter {AUTHOR} lives here");
    let segment = |marker: u8, body: &[u8]| {
        let mut s = vec![0xff, marker];
        s.extend(((body.len() + 2) as u16).to_be_bytes());
        s.extend(body);
        s
    };
    let mut out = jpeg[..2].to_vec();
    out.extend(segment(0xe1, &app1));
    out.extend(segment(0xfe, comment.as_bytes()));
    out.extend(&jpeg[2..]);
    out.extend(b"TRAILING-SECRET appended after the image");
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// POSTs a form to a running server with its token; status and JSON answer.
pub fn post(base: &str, token: &str, path: &str, parts: &[Part<'_>]) -> (u16, serde_json::Value) {
    let (content_type, body) = multipart(parts);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent
        .post(format!("{base}{path}"))
        .header("content-type", &content_type)
        .header("x-avatars-token", token)
        .send(&body[..])
        .unwrap();
    let status = response.status().as_u16();
    let json = serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap();
    (status, json)
}

pub fn token(base: &str) -> String {
    let page = ureq::get(format!("{base}/_avatars/upload"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let start = page.find("name=\"avatars-token\" content=\"").unwrap() + 30;
    page[start..start + 64].to_owned()
}

fn jekyll_build(site: &Path) {
    let out = site.join("_site");
    let output = Command::new("jekyll")
        .args([
            "build",
            "--source",
            s(site),
            "--destination",
            s(&out),
            "--quiet",
        ])
        .current_dir(site)
        .output()
        .expect("jekyll is installed (apt-get install jekyll, as .ci/run does)");
    assert!(output.status.success(), "jekyll: {output:?}");
}

#[test]
fn uploads_are_clean_copies_that_jekyll_never_publishes() {
    let (_temp, site) = copy_site("sites/jekyll");
    let mut options = ServeOptions::new(&site);
    options.port = 0;
    options.build.offline = true;
    options.watch = false;
    let handle = spawn(options).expect("server starts");
    let base = format!("http://{}", handle.info().addr);
    let token = token(&base);
    let photo = photo_with_metadata();
    for (identity, kind) in [(AUTHOR, "email"), (QQ, "qq")] {
        let (status, answer) = post(
            &base,
            &token,
            "/_avatars/api/save",
            &[
                Part::Text("identity", identity),
                Part::Text("kind", kind),
                Part::File("file", &photo),
            ],
        );
        assert_eq!(status, 200, "{answer}");
        let saved = answer["saved"].as_str().unwrap();
        assert_eq!(saved, format!("_avatars/{identity}.jpg"));
        let bytes = std::fs::read(site.join(saved)).unwrap();
        assert!(bytes.starts_with(&[0xff, 0xd8]) && bytes.ends_with(&[0xff, 0xd9]));
        for secret in [
            &b"Exif"[..],
            b"GPS-SECRET",
            b"lives here",
            b"TRAILING-SECRET",
            AUTHOR.as_bytes(),
        ] {
            assert!(
                !contains(&bytes, secret),
                "{saved} keeps {}",
                String::from_utf8_lossy(secret)
            );
        }
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (80, 80));
    }
    handle.stop().unwrap();

    let report = run_json(&["build", s(&site), "--offline", "--format", "json"], 0);
    let author = crate::support::identity(&report, AUTHOR);
    assert_eq!(author["provider"], "local", "{report:#}");
    jekyll_build(&site);
    let out = site.join("_site");
    let mut secrets = crate::support::secrets(&site);
    secrets.extend([
        AUTHOR.to_owned(),
        md5_hex(AUTHOR),
        QQ.to_owned(),
        "GPS-SECRET".to_owned(),
        "TRAILING-SECRET".to_owned(),
    ]);
    assert_no_secrets(&out, &secrets);
    // The avatars themselves are published, under content hashes.
    assert!(
        walkdir::WalkDir::new(out.join("assets/avatars"))
            .into_iter()
            .flatten()
            .any(|e| e.file_type().is_file()),
        "no avatar published"
    );
}
