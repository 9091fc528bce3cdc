//! The search itself: whole-word QQ numbers, overlapping identifiers, redacted paths.

use super::*;

fn audit() -> Audit {
    let secret = |kind, needle: &str, shown: &str, whole_word| Secret {
        kind,
        needle: needle.to_owned(),
        shown: shown.to_owned(),
        whole_word,
    };
    Audit::new(
        Recognizer::default(),
        vec![
            secret(SecretKind::Email, "20005678@qq.com", "20***@qq.com", false),
            secret(SecretKind::Qq, "20005678", "QQ 20***78", true),
        ],
    )
}

#[test]
fn qq_numbers_match_only_as_whole_words() {
    let audit = audit();
    for text in [
        "120005678",
        "x20005678",
        "20005678a",
        "id_20005678",
        "2000567",
    ] {
        assert!(audit.secrets_in(text.as_bytes()).is_empty(), "{text}");
    }
    for text in ["qq: 20005678,", "avatar-20005678.png", "20005678"] {
        assert_eq!(audit.secrets_in(text.as_bytes()).len(), 1, "{text}");
    }
}

#[test]
fn an_email_holding_a_qq_number_is_one_finding_named_by_the_email() {
    let audit = audit();
    let hits = audit.secrets_in(b"mail 20005678@QQ.com here");
    assert_eq!(hits, vec![(0, 5)]);
}

#[test]
fn paths_are_redacted() {
    assert_eq!(
        audit().redact("u/20005678@qq.com/avatar-20005678.png"),
        "u/***/avatar-***.png"
    );
}
