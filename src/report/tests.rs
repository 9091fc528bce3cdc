//! The report's side of the outcome mapping: each attempt [`Status`] in the JSON, in the
//! `--strict` exit code, in the deadline count and in the human groups.

use std::time::Duration;

use super::*;
use crate::model::Identity;
use crate::model::Provider;
use crate::model::status::Attempt;
use crate::model::status::{AttemptError, NoAvatar, Skip, Status};
use crate::resolve::chain::{Decision, SourceImage};
use crate::scan::FoundIdentity;

fn ada() -> FoundIdentity {
    FoundIdentity {
        identity: Identity::Email {
            address: "ada@example.org".to_owned(),
            qq: None,
        },
        raw: vec!["ada@example.org".to_owned()],
        sources: Vec::new(),
        linked: Default::default(),
    }
}

fn image(stale: Option<&str>, gone: Option<&str>) -> SourceImage {
    SourceImage {
        bytes: Vec::new().into(),
        stale: stale.map(str::to_owned),
        gone: gone.map(str::to_owned),
        fetched_from: None,
    }
}

/// A report of one identity whose Gravatar attempt ended as `status`; unless Gravatar found
/// it, the default provider did.
fn report_of(status: Status, image: SourceImage) -> BuildReport {
    let mut attempts = vec![Attempt {
        provider: Provider::Gravatar,
        status: status.clone(),
    }];
    let provider = if status == Status::Found {
        Provider::Gravatar
    } else {
        attempts.push(Attempt {
            provider: Provider::Default,
            status: Status::Found,
        });
        Provider::Default
    };
    let decision = Decision {
        provider: Some(provider),
        image: Some(image),
        attempts,
    };
    let site = tempfile::tempdir().unwrap();
    let layout = SiteLayout::resolve(site.path(), &Default::default());
    let identity = IdentityReport::new(&ada(), &decision, None);
    BuildReport::new(
        &layout,
        vec![identity],
        Vec::new(),
        FileTotals::default(),
        Default::default(),
        Duration::ZERO,
    )
}

fn error(kind: ErrorKind, message: &str) -> Status {
    Status::Error(AttemptError::new(kind, message))
}

/// Exit codes without and with `--strict`, and the JSON of the Gravatar attempt, for every
/// variant: only an error (or a failed refresh that kept the last good image) makes `--strict`
/// exit 3.
#[test]
fn each_status_gives_its_json_and_strict_exit_code() {
    let cases = [
        (
            Status::Found,
            image(None, None),
            r#"{"provider":"gravatar","outcome":"found"}"#,
            0,
        ),
        (
            Status::NoAvatar(NoAvatar::NotFound),
            image(None, None),
            r#"{"provider":"gravatar","outcome":"no_avatar","detail":"not found (404)"}"#,
            0,
        ),
        (
            Status::NotApplicable,
            image(None, None),
            r#"{"provider":"gravatar","outcome":"not_applicable"}"#,
            0,
        ),
        (
            Status::Skipped(Skip::Offline),
            image(None, None),
            r#"{"provider":"gravatar","outcome":"skipped","detail":"offline and not cached"}"#,
            0,
        ),
        (
            error(ErrorKind::Network, "http://127.0.0.1:9/a: HTTP status 503"),
            image(None, None),
            r#"{"provider":"gravatar","outcome":"error","detail":"http://127.0.0.1:9/a: HTTP status 503"}"#,
            3,
        ),
        (
            Status::Planned(vec!["http://127.0.0.1:9/a".to_owned()]),
            image(None, None),
            r#"{"provider":"gravatar","outcome":"planned","detail":"http://127.0.0.1:9/a"}"#,
            0,
        ),
        // A failed refresh that kept the last good image is an error for --strict...
        (
            Status::Found,
            image(Some("http://127.0.0.1:9/a: timed out after 1s"), None),
            r#"{"provider":"gravatar","outcome":"found"}"#,
            3,
        ),
        // ...unless the server answered that the URL is gone (404/410).
        (
            Status::Found,
            image(
                Some("http://127.0.0.1:9/a: HTTP status 404"),
                Some("http://127.0.0.1:9/a"),
            ),
            r#"{"provider":"gravatar","outcome":"found"}"#,
            0,
        ),
    ];
    for (status, image, json, strict) in cases {
        let report = report_of(status.clone(), image);
        let attempt = serde_json::to_string(&report.identities[0].attempts[0]).unwrap();
        assert_eq!(attempt, json, "{status:?}");
        assert_eq!(report.exit_code(false), 0, "{status:?}");
        assert_eq!(report.exit_code(true), strict, "{status:?}");
        let document: serde_json::Value = serde_json::to_value(&report).unwrap();
        assert_eq!(document["errors"], u64::from(strict / 3), "{status:?}");
        assert_eq!(
            document["identities"][0]["error"],
            strict == 3,
            "{status:?}"
        );
    }
}

/// `identities_cut_by_deadline` counts deadline errors by their kind, not by their words.
#[test]
fn only_deadline_errors_count_as_cut_by_the_deadline() {
    let deadline = error(
        ErrorKind::Deadline,
        "http://127.0.0.1:9/a: not fetched, the build's deadline of 1s has passed",
    );
    let report = report_of(deadline, image(None, None));
    assert_eq!(report.network.identities_cut_by_deadline, 1);
    // The same words under another kind are not a deadline cut.
    let timeout = error(
        ErrorKind::Network,
        "http://127.0.0.1:9/the build's deadline: timed out after 1s",
    );
    let report = report_of(timeout, image(None, None));
    assert_eq!(report.network.identities_cut_by_deadline, 0);
}

/// The human summary's one line per cause, for a skip, an error and a host given up on.
#[test]
fn human_groups_follow_the_status() {
    let lines = |status: Status| {
        let mut out = Vec::new();
        report_of(status, image(None, None))
            .write_groups(&mut out)
            .unwrap();
        String::from_utf8(out).unwrap()
    };
    assert_eq!(
        lines(Status::Skipped(Skip::Offline)),
        "1 used the default avatar: offline, not in the cache\n"
    );
    assert_eq!(
        lines(Status::NoAvatar(NoAvatar::NotFound)),
        "1 used the default avatar: no provider has one\n"
    );
    assert_eq!(
        lines(error(
            ErrorKind::Network,
            "http://127.0.0.1:9/a: HTTP status 503"
        )),
        "1 used the default avatar: HTTP status 503 (127.0.0.1)\n"
    );
    assert_eq!(
        lines(error(
            ErrorKind::HostDown,
            "http://127.0.0.1:9/a: host 127.0.0.1:9 is unreachable this run, not contacted"
        )),
        "1 used the default avatar: host unreachable (an earlier request to it failed) \
         (127.0.0.1)\n"
    );
    assert_eq!(lines(Status::Found), "");
}
