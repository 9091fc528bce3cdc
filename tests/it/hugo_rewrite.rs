//! The post-build route, `hugo && blog-avatars rewrite public`, with the real `hugo`: a theme that
//! links Gravatar and QQ directly is built, then rewritten to local files.

use crate::avatar_server::{AvatarServer, md5_hex, png};
use crate::support::{copy_site, run_json, s};
use blog_avatars::testkit::Response;

/// The recipe fixture's partial replaced by what many themes do: hot-link the providers.
const HOTLINKING_PARTIAL: &str = r#"{{- $c := .comment -}}
{{- with $c.email -}}
{{- $h := md5 (lower (trim (string .) " ")) -}}
<img class="avatar" src="https://www.gravatar.com/avatar/{{ $h }}?s=40&d=identicon" srcset="https://www.gravatar.com/avatar/{{ $h }}?s=80&d=identicon 2x" width="40" height="40" alt="{{ $c.name }}">
{{- else -}}{{- with $c.qq -}}
<img class="avatar" src="https://q1.qlogo.cn/g?b=qq&nk={{ int . }}&s=100" width="40" height="40" alt="{{ $c.name }}">
{{- end -}}{{- end -}}
"#;

#[test]
fn hugo_then_rewrite_public_serves_every_avatar_locally() {
    let hugo = std::process::Command::new("hugo").arg("version").output();
    assert!(
        hugo.is_ok_and(|o| o.status.success()),
        "hugo is not installed: apt-get install hugo (./test does)"
    );
    let (temp, site) = copy_site("generators/hugo");
    std::fs::write(
        site.join("layouts/partials/avatar.html"),
        HOTLINKING_PARTIAL,
    )
    .unwrap();
    let built = std::process::Command::new("hugo")
        .current_dir(&site)
        .args(["--quiet", "--destination", "public"])
        .output()
        .unwrap();
    assert!(built.status.success(), "{built:?}");
    let public = site.join("public");
    let ivan = md5_hex("ivan@example.org");
    let page = || {
        walkdir::WalkDir::new(&public)
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect::<String>()
    };
    assert!(page().contains(&ivan), "the theme should hot-link Gravatar");

    let server = AvatarServer::start();
    server.routes.set(
        &format!("/avatar/{ivan}"),
        Response::ok(png(160, [1, 100, 200])),
    );
    let config = temp.path().join("blog-avatars.toml");
    std::fs::write(&config, server.config("")).unwrap();
    let report = run_json(
        &[
            "rewrite",
            s(&public),
            "--config",
            s(&config),
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(
        crate::support::identity(&report, &ivan)["provider"],
        "gravatar"
    );
    assert!(
        report["rewrite"]["urls_replaced"].as_u64().unwrap() >= 4,
        "{report:#}"
    );
    let html = page();
    for host in ["gravatar.com", "qlogo.cn"] {
        assert!(!html.contains(host), "{host} left in the pages");
    }
    // With the URLs gone, the pages no longer carry the email hash or the QQ number.
    assert!(!html.contains(&ivan));
    assert!(!html.contains("60007890"));
    let mut local = 0;
    for url in html.split("/avatars/").skip(1) {
        let name: String = url
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() || *c == '.' || c.is_ascii_alphabetic())
            .collect();
        assert!(
            public.join("avatars").join(&name).is_file(),
            "{name} missing"
        );
        local += 1;
    }
    assert!(local >= 4, "{local}");
}
