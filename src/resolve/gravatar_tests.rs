use super::*;

const EMAIL: &str = "myemailaddress@example.com";
const HASH: &str = "0bc83cb571cd1c50ba6f3e8a78ef1346";

fn image(options: ImageOptions) -> String {
    Gravatar::new(EMAIL).image_url(&options).unwrap()
}

#[test]
fn md5_of_the_libgravatar_vector_and_normalisation() {
    assert_eq!(email_hash(EMAIL, HashAlgo::Md5), HASH);
    assert_eq!(
        email_hash(" MyEmailAddress@example.com ", HashAlgo::Md5),
        HASH
    );
    assert_eq!(
        email_hash("", HashAlgo::Md5),
        "d41d8cd98f00b204e9800998ecf8427e"
    );
    assert_eq!(Gravatar::new(" MyEmailAddress@Example.com\n").hash(), HASH);
}

#[test]
fn sha256_hash_of_the_normalised_email() {
    // sha256("myemailaddress@example.com")
    let expected = "84059b07d4be67b806386c0aad8070a23f18836bbaae342275dc0a83414c32ee";
    assert_eq!(
        email_hash(" MyEmailAddress@example.com", HashAlgo::Sha256),
        expected
    );
    assert_eq!(
        Gravatar::with_hash(EMAIL, HashAlgo::Sha256).hash(),
        expected
    );
}

#[test]
fn a_hash_is_used_as_given_lowercased() {
    let upper = HASH.to_ascii_uppercase();
    assert_eq!(Gravatar::new(&upper).hash(), HASH);
    assert_eq!(Gravatar::with_hash(HASH, HashAlgo::Sha256).hash(), HASH);
    let sha = "84059B07D4BE67B806386C0AAD8070A23F18836BBAAE342275DC0A83414C32EE";
    assert_eq!(Gravatar::new(sha).hash(), sha.to_ascii_lowercase());
    // 31 hex digits is not a hash: it gets hashed.
    assert_ne!(Gravatar::new(&HASH[1..]).hash(), &HASH[1..]);
    let not_hex = "0bc83cb571cd1c50ba6f3e8a78ef134g";
    assert_ne!(Gravatar::new(not_hex).hash(), not_hex);
}

#[test]
fn libgravatar_image_expectations() {
    let base = format!("https://www.gravatar.com/avatar/{HASH}");
    assert_eq!(image(ImageOptions::default()), base);
    let sized = ImageOptions {
        size: Some(24),
        ..Default::default()
    };
    assert_eq!(image(sized), format!("{base}?size=24"));
    let ext = ImageOptions {
        extension: true,
        ..Default::default()
    };
    assert_eq!(image(ext), format!("{base}.jpg"));
    let monster = ImageOptions {
        default: Some("monsterid".parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(image(monster), format!("{base}?default=monsterid"));
    let url_default = ImageOptions {
        default: Some("http://example.com/images/avatar.jpg".parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(
        image(url_default),
        format!("{base}?default=http%3A%2F%2Fexample.com%2Fimages%2Favatar.jpg")
    );
    let forced = ImageOptions {
        force_default: true,
        ..Default::default()
    };
    assert_eq!(image(forced), format!("{base}?forcedefault=y"));
    let http = ImageOptions {
        http: true,
        ..Default::default()
    };
    assert_eq!(
        image(http),
        format!("http://www.gravatar.com/avatar/{HASH}")
    );
    for r in ["g", "pg", "r", "x"] {
        let rated = ImageOptions {
            rating: Some(r.parse().unwrap()),
            ..Default::default()
        };
        assert_eq!(image(rated), format!("{base}?rating={r}"));
    }
}

#[test]
fn parameters_come_in_libgravatar_order() {
    let all = ImageOptions {
        size: Some(200),
        default: Some("identicon".parse().unwrap()),
        force_default: true,
        rating: Some(Rating::Pg),
        extension: true,
        http: true,
    };
    assert_eq!(
        image(all),
        format!(
            "http://www.gravatar.com/avatar/{HASH}.jpg?size=200&default=identicon&forcedefault=y&rating=pg"
        )
    );
}

#[test]
fn size_80_is_left_out_and_the_range_is_1_to_2048() {
    let at = |size| {
        Gravatar::new(EMAIL).image_url(&ImageOptions {
            size: Some(size),
            ..Default::default()
        })
    };
    assert_eq!(
        at(80).unwrap(),
        format!("https://www.gravatar.com/avatar/{HASH}")
    );
    assert!(at(1).unwrap().ends_with("?size=1"));
    assert!(at(2048).unwrap().ends_with("?size=2048"));
    assert_eq!(at(0), Err(UrlError::SizeOutOfRange { size: 0, max: 2048 }));
    assert_eq!(
        at(2049),
        Err(UrlError::SizeOutOfRange {
            size: 2049,
            max: 2048
        })
    );
}

#[test]
fn quote_plus_matches_python() {
    assert_eq!(quote_plus("a b&c=d/é~_.-*"), "a+b%26c%3Dd%2F%C3%A9~_.-%2A");
    assert_eq!(quote_plus("100%"), "100%25");
}

#[test]
fn profile_urls() {
    let g = Gravatar::new(EMAIL);
    assert_eq!(
        g.profile_url(None, false),
        format!("https://www.gravatar.com/{HASH}")
    );
    assert_eq!(
        g.profile_url(None, true),
        format!("http://www.gravatar.com/{HASH}")
    );
    for ext in ["json", "xml", "php", "vcf", "qr"] {
        let format = ext.parse::<ProfileFormat>().unwrap();
        assert_eq!(
            g.profile_url(Some(format), false),
            format!("https://www.gravatar.com/{HASH}.{ext}")
        );
    }
    assert_eq!("JSON".parse::<ProfileFormat>(), Ok(ProfileFormat::Json));
    assert_eq!(
        "html".parse::<ProfileFormat>(),
        Err(UrlError::InvalidProfileFormat("html".into()))
    );
}

#[test]
fn probe_urls_accept_a_base_with_or_without_slash() {
    let expected = format!("https://www.gravatar.com/avatar/{HASH}?s=80&d=404");
    assert_eq!(probe_url(DEFAULT_BASE_URL, HASH, 80, None), expected);
    assert_eq!(
        probe_url("https://www.gravatar.com/avatar", HASH, 80, None),
        expected
    );
    assert_eq!(
        probe_url("http://127.0.0.1:8080/avatar/", HASH, 160, Some(Rating::R)),
        format!("http://127.0.0.1:8080/avatar/{HASH}?s=160&d=404&r=r")
    );
    assert!(probe_url(DEFAULT_BASE_URL, HASH, 5000, None).ends_with("?s=2048&d=404"));
}

#[test]
fn hash_algo_parses_and_serialises_lowercase() {
    assert_eq!("SHA256".parse::<HashAlgo>(), Ok(HashAlgo::Sha256));
    assert_eq!("md5".parse::<HashAlgo>(), Ok(HashAlgo::Md5));
    assert!("sha1".parse::<HashAlgo>().is_err());
    assert_eq!(
        serde_json::to_string(&HashAlgo::Sha256).unwrap(),
        "\"sha256\""
    );
    assert_eq!(
        serde_json::from_str::<HashAlgo>("\"md5\"").unwrap(),
        HashAlgo::Md5
    );
}
