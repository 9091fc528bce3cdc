//! Each field kind: what is accepted, how it is normalised, and the message for what is not.

use super::*;

fn ok(kind: FieldKind, raw: &str) -> Identity {
    identify(kind, raw).unwrap().unwrap()
}

fn err(kind: FieldKind, raw: &str) -> String {
    identify(kind, raw).unwrap_err().0
}

#[test]
fn emails_are_trimmed_and_lowercased() {
    assert_eq!(
        ok(FieldKind::Email, "  Ada@Example.ORG "),
        Identity::Email {
            address: "ada@example.org".into(),
            qq: None
        }
    );
}

#[test]
fn qq_mail_is_both_email_and_qq_in_any_case() {
    assert_eq!(
        ok(FieldKind::Email, "12345678@QQ.com"),
        Identity::Email {
            address: "12345678@qq.com".into(),
            qq: Some("12345678".into())
        }
    );
    // Not a QQ number: leading zero.
    assert_eq!(
        ok(FieldKind::Email, "0123456@qq.com"),
        Identity::Email {
            address: "0123456@qq.com".into(),
            qq: None
        }
    );
}

#[test]
fn hashes_in_email_fields_are_hashes() {
    let md5 = "0BC83CB571CD1C50BA6F3E8A78EF1346";
    assert_eq!(
        ok(FieldKind::Email, md5),
        Identity::Hash(md5.to_lowercase())
    );
    let sha = "a".repeat(64);
    assert_eq!(ok(FieldKind::Hash, &sha), Identity::Hash(sha.clone()));
    assert!(err(FieldKind::Hash, "abc").contains("not a Gravatar hash"));
}

#[test]
fn non_addresses_are_refused() {
    for bad in [
        "ada",
        "ada@",
        "@example.org",
        "ada@localhost",
        "a b@example.org",
        "ada@@example.org",
        "ada@example..org",
        "ada@-example.org",
        "<script>@x.org",
        "https://example.org",
    ] {
        assert!(
            err(FieldKind::Email, bad).contains("not an email"),
            "{bad} accepted"
        );
    }
}

#[test]
fn qq_numbers() {
    assert_eq!(ok(FieldKind::Qq, "10001"), Identity::Qq("10001".into()));
    assert_eq!(
        ok(FieldKind::Qq, "12345678901"),
        Identity::Qq("12345678901".into())
    );
    for bad in ["1234", "123456789012", "012345", "12a45", "-12345", "1e5"] {
        assert!(err(FieldKind::Qq, bad).contains("QQ"), "{bad}");
    }
}

#[test]
fn github_logins() {
    assert_eq!(
        ok(FieldKind::Github, "@Octo-Cat"),
        Identity::Github("octo-cat".into())
    );
    for bad in ["-x", "x-", "a--b", "a_b", &"a".repeat(40), "a/b"] {
        assert!(err(FieldKind::Github, bad).contains("GitHub"), "{bad}");
    }
}

#[test]
fn avatar_urls_and_paths() {
    assert_eq!(
        ok(FieldKind::Avatar, "https://tva1.sinaimg.cn/a.jpg"),
        Identity::Url("https://tva1.sinaimg.cn/a.jpg".into())
    );
    assert_eq!(
        ok(FieldKind::Avatar, "//wx.qlogo.cn/mmopen/x/132"),
        Identity::Url("https://wx.qlogo.cn/mmopen/x/132".into())
    );
    assert_eq!(
        ok(FieldKind::Avatar, "/images/./me.png"),
        Identity::File("images/me.png".into())
    );
    assert_eq!(
        ok(FieldKind::Avatar, "images\\me.png"),
        Identity::File("images/me.png".into())
    );
    for (bad, needle) in [
        ("file:///etc/passwd", "file:"),
        ("gopher://example.org/", "gopher:"),
        ("javascript:alert(1)", "javascript:"),
        ("../secret.png", "escapes"),
        ("images/../../x.png", "escapes"),
        ("C:\\Windows\\x.png", "absolute"),
        ("\\\\server\\share\\x.png", "escapes"),
        ("/C:/Windows/win.ini", "escapes"),
        ("/image://s/me.png", "escapes"),
        ("/\nimages/me.png", "not a plain path"),
        ("/ me.png", "not a plain path"),
        ("./~/.ssh/id_rsa", "escapes"),
        ("http://", "not a valid URL"),
    ] {
        assert!(err(FieldKind::Avatar, bad).contains(needle), "{bad}");
    }
}

#[test]
fn avatars_holding_an_identity_are_read_as_that_kind() {
    assert_eq!(
        ok(FieldKind::Avatar, " 17450856@QQ.com"),
        Identity::Email {
            address: "17450856@qq.com".into(),
            qq: Some("17450856".into())
        }
    );
    assert_eq!(
        ok(FieldKind::Avatar, "mailto:Ada@Example.org"),
        Identity::Email {
            address: "ada@example.org".into(),
            qq: None
        }
    );
    let md5 = "0BC83CB571CD1C50BA6F3E8A78EF1346";
    assert_eq!(
        ok(FieldKind::Avatar, md5),
        Identity::Hash(md5.to_lowercase())
    );
    let sha = "b".repeat(64);
    assert_eq!(ok(FieldKind::Avatar, &sha), Identity::Hash(sha.clone()));
    // Paths and URLs that look a little like addresses stay what they are.
    for (path, expected) in [
        ("me@2x.png", "me@2x.png"),
        ("/img/ada@example.org", "img/ada@example.org"),
        ("faces/a@b.JPEG", "faces/a@b.JPEG"),
        ("abc123", "abc123"),
    ] {
        assert_eq!(ok(FieldKind::Avatar, path), Identity::File(expected.into()));
    }
    // A path normalising to an address or a hash is neither (found by fuzzing: the value
    // would read back as the other kind).
    for raw in [
        "/imag@e127.1",
        "./Ada@Example.org",
        "/0bc83cb571cd1c50ba6f3e8a78ef1346",
    ] {
        assert!(
            err(FieldKind::Avatar, raw).contains("written as a path"),
            "{raw}"
        );
    }
    assert_eq!(
        ok(FieldKind::Avatar, "https://user@example.org/a.png"),
        Identity::Url("https://user@example.org/a.png".into())
    );
}

#[test]
fn theme_spellings_of_emails_and_github_names() {
    assert_eq!(
        ok(FieldKind::Email, "MAILTO:ada@example.org"),
        Identity::Email {
            address: "ada@example.org".into(),
            qq: None
        }
    );
    for spelling in [
        "https://github.com/Ada-L/",
        "http://www.github.com/ada-l",
        "github.com/ada-l",
        "@ada-l",
    ] {
        assert_eq!(
            ok(FieldKind::Github, spelling),
            Identity::Github("ada-l".into()),
            "{spelling}"
        );
    }
    assert!(err(FieldKind::Github, "https://github.com/a/b").contains("GitHub"));
    // Hexo NexT's `social:` entries.
    assert_eq!(
        ok(
            FieldKind::Github,
            "https://github.com/ada-l || fab fa-github"
        ),
        Identity::Github("ada-l".into())
    );
    assert_eq!(
        ok(FieldKind::Email, "mailto:ada@example.org || fa fa-envelope"),
        Identity::Email {
            address: "ada@example.org".into(),
            qq: None
        }
    );
}

#[test]
fn empty_values_are_nothing_and_long_values_are_shortened() {
    assert_eq!(identify(FieldKind::Email, "  ").unwrap(), None);
    let message = err(FieldKind::Email, &"x".repeat(10_000));
    assert!(message.len() < 200, "{}", message.len());
    // A long scheme too (found by fuzzing).
    let message = err(FieldKind::Avatar, &format!("{}://x", "h".repeat(10_000)));
    assert!(message.len() < 300, "{}", message.len());
}
