use super::*;

const EMAIL: &str = "myemailaddress@example.com";
const HASH: &str = "0bc83cb571cd1c50ba6f3e8a78ef1346";

fn request(identity: &str) -> UrlRequest {
    UrlRequest {
        identity: identity.to_string(),
        ..Default::default()
    }
}

fn with(identity: &str, provider: Provider) -> UrlRequest {
    UrlRequest {
        provider: Some(provider),
        ..request(identity)
    }
}

#[test]
fn provider_detection() {
    assert_eq!(detect_provider(EMAIL), Some(Provider::Gravatar));
    assert_eq!(detect_provider(HASH), Some(Provider::Gravatar));
    assert_eq!(detect_provider(&"ab".repeat(32)), Some(Provider::Gravatar));
    assert_eq!(detect_provider("12345678"), Some(Provider::Qq));
    assert_eq!(detect_provider("12345678@qq.com"), Some(Provider::Gravatar));
    assert_eq!(detect_provider("octocat"), None);
    assert_eq!(detect_provider("0123456"), None);
}

#[test]
fn gravatar_by_default_for_emails_and_hashes() {
    let expected = format!("https://www.gravatar.com/avatar/{HASH}");
    assert_eq!(url_for(&request(EMAIL)).unwrap(), expected);
    assert_eq!(
        url_for(&request(" MyEmailAddress@Example.com ")).unwrap(),
        expected
    );
    assert_eq!(url_for(&request(&HASH.to_uppercase())).unwrap(), expected);
    let qq_mail = request("12345@qq.com");
    let qq_mail_hash = gravatar::email_hash("12345@qq.com", HashAlgo::Md5);
    assert_eq!(
        url_for(&qq_mail).unwrap(),
        format!("https://www.gravatar.com/avatar/{qq_mail_hash}")
    );
}

#[test]
fn gravatar_flags_map_onto_libgravatar_options() {
    let full = UrlRequest {
        size: Some(120),
        default: Some("https://example.com/me.png".into()),
        force_default: true,
        rating: Some("PG".into()),
        extension: true,
        http: true,
        ..request(EMAIL)
    };
    assert_eq!(
        url_for(&full).unwrap(),
        format!(
            "http://www.gravatar.com/avatar/{HASH}.jpg?size=120&default=https%3A%2F%2Fexample.com%2Fme.png&forcedefault=y&rating=pg"
        )
    );
    let sha = UrlRequest {
        hash: HashAlgo::Sha256,
        ..request(EMAIL)
    };
    let sha_hash = gravatar::email_hash(EMAIL, HashAlgo::Sha256);
    assert_eq!(
        url_for(&sha).unwrap(),
        format!("https://www.gravatar.com/avatar/{sha_hash}")
    );
}

#[test]
fn invalid_option_values_are_errors() {
    let bad_size = UrlRequest {
        size: Some(0),
        ..request(EMAIL)
    };
    assert_eq!(
        url_for(&bad_size),
        Err(UrlError::SizeOutOfRange { size: 0, max: 2048 }.into())
    );
    let bad_rating = UrlRequest {
        rating: Some("nc17".into()),
        ..request(EMAIL)
    };
    assert_eq!(
        url_for(&bad_rating),
        Err(UrlError::InvalidRating("nc17".into()).into())
    );
    let bad_default = UrlRequest {
        default: Some("ftp://x/a.jpg".into()),
        ..request(EMAIL)
    };
    assert_eq!(
        url_for(&bad_default),
        Err(UrlError::InvalidDefault("ftp://x/a.jpg".into()).into())
    );
}

#[test]
fn qq_numbers_and_qq_emails() {
    assert_eq!(
        url_for(&request("12345678")).unwrap(),
        "https://q1.qlogo.cn/g?b=qq&nk=12345678&s=100"
    );
    let mail = UrlRequest {
        size: Some(200),
        ..with("12345@QQ.com", Provider::Qq)
    };
    assert_eq!(
        url_for(&mail).unwrap(),
        "https://q1.qlogo.cn/g?b=qq&nk=12345&s=640"
    );
    let small = UrlRequest {
        size: Some(40),
        http: true,
        ..request("12345678")
    };
    assert_eq!(
        url_for(&small).unwrap(),
        "http://q1.qlogo.cn/g?b=qq&nk=12345678&s=40"
    );
    for bad in [EMAIL, "1234", HASH, "01234@qq.com"] {
        let err = url_for(&with(bad, Provider::Qq)).unwrap_err();
        assert!(
            matches!(
                err,
                LookupError::WrongIdentity {
                    provider: Provider::Qq,
                    ..
                }
            ),
            "{bad}: {err}"
        );
    }
}

#[test]
fn github_takes_a_user_name() {
    let req = UrlRequest {
        size: Some(64),
        ..with("octocat", Provider::Github)
    };
    assert_eq!(
        url_for(&req).unwrap(),
        "https://github.com/octocat.png?size=64"
    );
    assert_eq!(
        url_for(&with("octocat", Provider::Github)).unwrap(),
        "https://github.com/octocat.png"
    );
    let err = url_for(&with(EMAIL, Provider::Github)).unwrap_err();
    assert!(err.to_string().contains("GitHub user name"), "{err}");
    let unknown = url_for(&request("octocat")).unwrap_err();
    assert_eq!(
        unknown,
        LookupError::Unrecognised {
            identity: "octocat".into()
        }
    );
    assert!(unknown.to_string().contains("--provider github"));
}

#[test]
fn libravatar_urls() {
    let req = UrlRequest {
        size: Some(100),
        default: Some("retro".into()),
        force_default: true,
        ..with(EMAIL, Provider::Libravatar)
    };
    assert_eq!(
        url_for(&req).unwrap(),
        format!("https://seccdn.libravatar.org/avatar/{HASH}?s=100&d=retro&f=y")
    );
    let too_big = UrlRequest {
        size: Some(600),
        ..with(EMAIL, Provider::Libravatar)
    };
    assert_eq!(
        url_for(&too_big),
        Err(UrlError::SizeOutOfRange {
            size: 600,
            max: 512
        }
        .into())
    );
}

#[test]
fn flags_a_provider_cannot_use_are_refused() {
    let cases: Vec<(UrlRequest, &str, Provider)> = vec![
        (
            UrlRequest {
                rating: Some("g".into()),
                ..with("12345678", Provider::Qq)
            },
            "rating",
            Provider::Qq,
        ),
        (
            UrlRequest {
                rating: Some("g".into()),
                ..request("12345678")
            },
            "rating",
            Provider::Qq,
        ),
        (
            UrlRequest {
                default: Some("404".into()),
                ..with("octocat", Provider::Github)
            },
            "default",
            Provider::Github,
        ),
        (
            UrlRequest {
                force_default: true,
                ..request("12345678")
            },
            "force-default",
            Provider::Qq,
        ),
        (
            UrlRequest {
                extension: true,
                ..with(EMAIL, Provider::Libravatar)
            },
            "extension",
            Provider::Libravatar,
        ),
        (
            UrlRequest {
                rating: Some("g".into()),
                ..with(EMAIL, Provider::Libravatar)
            },
            "rating",
            Provider::Libravatar,
        ),
        (
            UrlRequest {
                hash: HashAlgo::Sha256,
                ..with("octocat", Provider::Github)
            },
            "hash",
            Provider::Github,
        ),
    ];
    for (req, flag, provider) in cases {
        let err = url_for(&req).unwrap_err();
        assert_eq!(err, LookupError::FlagNotApplicable { flag, provider });
        assert_eq!(
            err.to_string(),
            format!("--{flag} does not apply to the {provider} provider")
        );
    }
}

#[test]
fn empty_and_wrong_identities() {
    assert_eq!(url_for(&request("  ")), Err(LookupError::Empty));
    let err = url_for(&with("12345678", Provider::Gravatar)).unwrap_err();
    assert!(matches!(
        err,
        LookupError::WrongIdentity {
            provider: Provider::Gravatar,
            ..
        }
    ));
    assert!(err.to_string().contains("--provider qq"), "{err}");
    assert!(url_for(&with("a b@example.com", Provider::Gravatar)).is_err());
}

#[test]
fn profiles() {
    assert_eq!(
        profile_for(EMAIL, None, false).unwrap(),
        format!("https://www.gravatar.com/{HASH}")
    );
    assert_eq!(
        profile_for(HASH, Some("vcf"), true).unwrap(),
        format!("http://www.gravatar.com/{HASH}.vcf")
    );
    assert_eq!(
        profile_for(EMAIL, Some("html"), false),
        Err(UrlError::InvalidProfileFormat("html".into()).into())
    );
    assert!(profile_for("12345678", None, false).is_err());
    assert_eq!(profile_for("", None, false), Err(LookupError::Empty));
}

#[test]
fn provider_names() {
    assert_eq!("QQ".parse::<Provider>(), Ok(Provider::Qq));
    assert_eq!(Provider::Libravatar.to_string(), "libravatar");
    assert_eq!(
        "weibo".parse::<Provider>(),
        Err(crate::model::UnknownProvider("weibo".into()))
    );
    assert_eq!(
        serde_json::to_string(&Provider::Github).unwrap(),
        "\"github\""
    );
}

#[test]
fn providers_without_a_url_of_their_own_are_refused() {
    for provider in [Provider::Local, Provider::Url, Provider::Default] {
        let error = url_for(&with(EMAIL, provider)).unwrap_err();
        assert_eq!(error, LookupError::NoUrl(provider));
        assert!(
            error
                .to_string()
                .contains("gravatar, libravatar, qq or github")
        );
    }
}
