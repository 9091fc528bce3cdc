//! `blog-avatars url` and `profile` through the real binary: libgravatar-compatible URLs.

use crate::support::run;

fn stdout_of(args: &[&str]) -> String {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .trim_end()
        .to_owned()
}

fn usage_error(args: &[&str]) -> String {
    let output = run(args);
    assert_eq!(output.status.code(), Some(2), "{args:?} should be exit 2");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn gravatar_urls_match_libgravatar() {
    let hash = "0bc83cb571cd1c50ba6f3e8a78ef1346";
    assert_eq!(
        stdout_of(&["url", " MyEmailAddress@example.com "]),
        format!("https://www.gravatar.com/avatar/{hash}")
    );
    // size 80 is Gravatar's default and left out, as libgravatar does.
    assert_eq!(
        stdout_of(&["url", "myemailaddress@example.com", "--size", "80"]),
        format!("https://www.gravatar.com/avatar/{hash}")
    );
    assert_eq!(
        stdout_of(&[
            "url",
            "myemailaddress@example.com",
            "--size",
            "2048",
            "--default",
            "https://example.com/default.png",
            "--force-default",
            "--rating",
            "pg",
            "--extension",
            "--http",
        ]),
        format!(
            "http://www.gravatar.com/avatar/{hash}.jpg?size=2048\
             &default=https%3A%2F%2Fexample.com%2Fdefault.png&forcedefault=y&rating=pg"
        )
    );
    assert_eq!(
        stdout_of(&["url", hash, "--default", "identicon"]),
        format!("https://www.gravatar.com/avatar/{hash}?default=identicon")
    );
    // Gravatar's documented example address; the literal is its SHA-256, written out so the
    // test does not trust the same hashing code it checks.
    let sha = stdout_of(&["url", "myemailaddress@example.com", "--hash", "sha256"]);
    assert_eq!(
        sha,
        "https://www.gravatar.com/avatar/\
         84059b07d4be67b806386c0aad8070a23f18836bbaae342275dc0a83414c32ee"
    );
    assert_eq!(
        sha256_hex("myemailaddress@example.com"),
        "84059b07d4be67b806386c0aad8070a23f18836bbaae342275dc0a83414c32ee"
    );
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

#[test]
fn other_providers() {
    assert_eq!(
        stdout_of(&["url", "12345678"]),
        "https://q1.qlogo.cn/g?b=qq&nk=12345678&s=100"
    );
    assert_eq!(
        stdout_of(&["url", "12345678@QQ.com", "--provider", "qq", "--size", "40"]),
        "https://q1.qlogo.cn/g?b=qq&nk=12345678&s=40"
    );
    assert_eq!(
        stdout_of(&["url", "octocat", "--provider", "github", "--size", "64"]),
        "https://github.com/octocat.png?size=64"
    );
    assert_eq!(
        stdout_of(&[
            "url",
            "myemailaddress@example.com",
            "--provider",
            "libravatar"
        ]),
        "https://seccdn.libravatar.org/avatar/0bc83cb571cd1c50ba6f3e8a78ef1346"
    );
}

#[test]
fn profile_urls() {
    let base = "https://www.gravatar.com/0bc83cb571cd1c50ba6f3e8a78ef1346";
    assert_eq!(stdout_of(&["profile", "myemailaddress@example.com"]), base);
    for format in ["json", "xml", "php", "vcf", "qr"] {
        assert_eq!(
            stdout_of(&["profile", "myemailaddress@example.com", "--format", format]),
            format!("{base}.{format}")
        );
    }
    assert_eq!(
        stdout_of(&["profile", "myemailaddress@example.com", "--http"]),
        base.replace("https", "http")
    );
}

#[test]
fn invalid_flags_are_usage_errors() {
    assert!(usage_error(&["url", "a@b.org", "--size", "0"]).contains("size"));
    assert!(usage_error(&["url", "a@b.org", "--size", "2049"]).contains("size"));
    assert!(usage_error(&["url", "a@b.org", "--rating", "nc17"]).contains("rating"));
    assert!(
        usage_error(&["url", "a@b.org", "--default", "http://x.org/a.svg"]).contains("default")
    );
    assert!(
        usage_error(&["url", "a@b.org", "--default", "http://x.org/a.png?x=1"]).contains("default")
    );
    assert!(usage_error(&["url", "12345", "--provider", "qq", "--rating", "g"]).contains("rating"));
    assert!(usage_error(&["url", "ada@example.org", "--provider", "qq"]).contains("QQ"));
    assert!(usage_error(&["url", "not an identity"]).contains("not an identity"));
    assert!(usage_error(&["profile", "nobody"]).contains("nobody"));
    usage_error(&["profile", "a@b.org", "--format", "yaml"]);
}
