use super::*;

#[test]
fn hex_digests_by_algorithm() {
    let md5 = "0BC83CB571CD1C50BA6F3E8A78EF1346";
    assert!(is_hex_digest(md5, HashAlgo::Md5));
    assert!(!is_hex_digest(md5, HashAlgo::Sha256));
    assert!(is_hex_digest(&"a".repeat(64), HashAlgo::Sha256));
    assert!(!is_hex_digest(
        "0bc83cb571cd1c50ba6f3e8a78ef134g",
        HashAlgo::Md5
    ));
    assert!(!is_hex_digest(&md5[1..], HashAlgo::Md5));
}

#[test]
fn gravatar_hashes_are_lowercased_and_know_their_algorithm() {
    let hash = GravatarHash::parse(" 0BC83CB571CD1C50BA6F3E8A78EF1346 ").unwrap();
    assert_eq!(hash.as_str(), "0bc83cb571cd1c50ba6f3e8a78ef1346");
    assert_eq!(hash.algo(), HashAlgo::Md5);
    assert_eq!(
        GravatarHash::parse(&"b".repeat(64)).unwrap().algo(),
        HashAlgo::Sha256
    );
    for bad in [
        "",
        "abc",
        &"a".repeat(40),
        "0bc83cb571cd1c50ba6f3e8a78ef134g",
    ] {
        assert!(GravatarHash::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(
        GravatarHash::parse("abc").unwrap_err().to_string(),
        "`abc` is not a Gravatar hash (32 or 64 hex digits)"
    );
}

#[test]
fn emails_are_trimmed_lowercased_and_checked() {
    assert_eq!(
        Email::parse("  Ada@Example.ORG ").unwrap().as_str(),
        "ada@example.org"
    );
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
        ".ada@example.org",
    ] {
        assert!(Email::parse(bad).is_err(), "{bad} accepted");
    }
    let long = format!("{}@example.org", "x".repeat(300));
    let message = Email::parse(&long).unwrap_err().to_string();
    assert!(message.ends_with("…` is not an email address"), "{message}");
    assert!(message.len() < 200, "{}", message.len());
}

#[test]
fn qq_numbers_in_emails() {
    let qq = |s: &str| {
        Email::parse(s)
            .unwrap()
            .qq_number()
            .map(QqNumber::into_string)
    };
    assert_eq!(qq("12345@qq.com"), Some("12345".into()));
    assert_eq!(qq(" 2654765432@QQ.COM "), Some("2654765432".into()));
    assert_eq!(qq("alice@qq.com"), None);
    assert_eq!(qq("01234@qq.com"), None);
    assert_eq!(qq("12345@qq.com.cn"), None);
}

#[test]
fn qq_numbers() {
    for ok in ["10000", "12345678", "99999999999", "2654765432"] {
        assert_eq!(QqNumber::parse(ok).unwrap().as_str(), ok);
    }
    for bad in [
        "1234",
        "012345",
        "123456789012",
        "12345a",
        "",
        " 12345",
        "-12345",
        "１２３４５",
    ] {
        assert!(QqNumber::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn github_logins() {
    let longest = "a".repeat(MAX_GITHUB_LOGIN_LEN);
    for ok in ["octocat", "a", "A-b-C", "user123", "0", longest.as_str()] {
        assert_eq!(
            GithubLogin::parse(ok).unwrap().as_str(),
            ok.to_ascii_lowercase()
        );
    }
    let too_long = "a".repeat(MAX_GITHUB_LOGIN_LEN + 1);
    for bad in [
        "",
        "-octo",
        "octo-",
        "oc--to",
        "octo_cat",
        "octo.cat",
        "octo cat",
        "@octocat",
        "ada@example.org",
        "octocät",
        "a/b",
        too_long.as_str(),
    ] {
        assert!(GithubLogin::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn identities_are_strings_in_serde_and_validated_on_the_way_in() {
    let login = GithubLogin::parse("Octo-Cat").unwrap();
    assert_eq!(serde_json::to_string(&login).unwrap(), "\"octo-cat\"");
    assert_eq!(login.to_string(), "octo-cat");
    let email: Email = serde_json::from_str("\"Ada@Example.org\"").unwrap();
    assert_eq!(email.as_str(), "ada@example.org");
    let error = serde_json::from_str::<QqNumber>("\"0123\"").unwrap_err();
    assert!(error.to_string().contains("not a QQ number"), "{error}");
    assert_eq!("12345".parse::<QqNumber>().unwrap().as_str(), "12345");
}
