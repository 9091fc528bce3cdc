//! Rendering sites with hostile or broken input, rendering twice, and the site's own templates.

use std::path::Path;

use super::{DEMO, copy_tree, data_file, demo_data, open, read, render_demo, urls, write_files};
use crate::publish::DataFile;
use crate::render::render_site;

#[test]
fn hostile_content_is_escaped() {
    let site = tempfile::tempdir().unwrap();
    write_files(
        site.path(),
        &[
            (
                "content/evil.md",
                "---\ntitle: \"</title><script>alert('t')</script>\"\nauthor: \"<b onmouseover=alert(1)>\"\ncomments:\n  - name: '\"><img src=x onerror=alert(1)>'\n    email: evil@example.org\n    date: 2026-01-01\n    body: |\n      <script>alert('body')</script>\n\n      [click](javascript:alert('link')) and <a href=\"javascript:alert(2)\">raw</a>\n\n      <iframe src=\"https://evil.example/\"></iframe>\n---\nOwner's <em>raw</em> HTML passes.\n",
            ),
            (
                "data/comments/evil/c.json",
                r#"{"name": "<svg onload=alert(3)>", "message": "![x](https://tracker.example/p.gif)", "date": 1}"#,
            ),
        ],
    );
    let (config, layout) = open(site.path());
    let report = render_site(&layout, &config, &data_file(&["evil@example.org"])).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let page = read(site.path().join("public/evil/index.html"));
    let index = read(site.path().join("public/index.html"));
    for html in [&page, &index] {
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("</title><script>"), "{html}");
    }
    for forbidden in [
        "<img src=x",
        "onerror=alert(1)>",
        "<svg",
        "<b onmouseover",
        "href=\"javascript:",
        "href=\"javascript",
        "<iframe",
        "<img src=\"https://tracker",
    ] {
        assert!(!page.contains(forbidden), "{forbidden} in\n{page}");
    }
    assert!(page.contains(
        r#"alt="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" loading="lazy" decoding="async">"#
    ));
    assert!(
        page.contains("&lt;script&gt;alert(&apos;body&apos;)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;/title&gt;&lt;script&gt;"), "{page}");
    assert!(page.contains("&lt;svg onload=alert(3)&gt;"));
    assert!(
        page.contains("&lt;iframe src=&quot;https://evil.example/&quot;&gt;"),
        "{page}"
    );
    // The image became a link; the javascript: link lost its anchor but kept its text.
    assert!(
        page.contains(
            r#"<a href="https://tracker.example/p.gif" rel="nofollow ugc noopener">x</a>"#
        )
    );
    assert!(
        page.contains(
            "<p>click and &lt;a href=&quot;javascript:alert(2)&quot;&gt;raw&lt;/a&gt;</p>"
        ),
        "{page}"
    );
    assert!(page.contains("Owner’s <em>raw</em> HTML passes."), "{page}");
}

#[test]
fn bad_files_are_warnings_and_drafts_are_not_published() {
    let site = tempfile::tempdir().unwrap();
    write_files(
        site.path(),
        &[
            ("content/good.md", "---\ntitle: Good\n---\nfine\n"),
            ("content/broken.md", "---\ntitle: [unclosed\n---\nx\n"),
            ("content/open.md", "+++\ntitle = \"x\"\n"),
            ("content/draft.md", "---\ndraft: true\n---\nsecret plans\n"),
            ("content/escape.md", "---\nslug: ../../outside\n---\nx\n"),
            ("content/dup.md", "---\nslug: good\n---\nx\n"),
            ("content/avatars.md", "no front matter at all\n"),
            ("content/undated.md", "---\ndate: someday\n---\nx\n"),
            ("content/_index.md", "---\ntitle: section\n---\n"),
            ("content/bundle/index.md", "---\ntitle: Bundled\n---\nx\n"),
            ("content/index.md", "---\nslug: index.html\n---\nx\n"),
            ("data/comments/good/bad.yml", "name: [unclosed\n"),
            ("data/comments/good/ok.yml", "name: Ok\nmessage: hi\n"),
        ],
    );
    let (config, layout) = open(site.path());
    let report = render_site(&layout, &config, &DataFile::new()).unwrap();
    let warned: Vec<(&str, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.path.as_str(), w.message.as_str()))
        .collect();
    let has = |path: &str, text: &str| warned.iter().any(|(p, m)| *p == path && m.contains(text));
    assert!(
        has("content/broken.md", "malformed front matter"),
        "{warned:?}"
    );
    assert!(has("content/open.md", "never closed"), "{warned:?}");
    assert!(has("content/escape.md", "path separator"), "{warned:?}");
    assert!(
        has("content/good.md", "already taken") || has("content/dup.md", "already taken"),
        "{warned:?}"
    );
    assert!(has("content/avatars.md", "avatar directory"), "{warned:?}");
    assert!(has("content/undated.md", "not a date"), "{warned:?}");
    assert!(has("content/index.md", "index page"), "{warned:?}");
    assert!(
        has("data/comments/good/bad.yml", "malformed data file"),
        "{warned:?}"
    );
    assert_eq!(
        report
            .warnings
            .iter()
            .filter(|w| w.path.contains("broken"))
            .count(),
        1
    );
    // The index, `bundle`, `good` (from dup.md, first in path order) and `undated`.
    assert_eq!(report.pages, 4, "{warned:?}");
    let public = site.path().join("public");
    assert!(read(public.join("good/index.html")).contains(">Ok</span>"));
    assert!(public.join("undated/index.html").is_file());
    assert!(read(public.join("bundle/index.html")).contains("Bundled"));
    assert!(!public.join("draft").exists());
    assert!(!public.join("_index").exists());
    assert!(!site.path().join("outside").exists());
    let index = read(public.join("index.html"));
    assert!(!index.contains("secret plans"));
}

#[test]
fn a_second_render_removes_what_it_no_longer_produces() {
    let (site, first) = render_demo();
    assert!(first.removed.is_empty());
    let public = site.path().join("public");
    write_files(
        &public,
        &[
            ("avatars/0123456789abcdef.webp", "avatar"),
            ("CNAME", "blog.example.org"),
        ],
    );
    write_files(
        site.path(),
        &[
            ("static/index.html", "not the index"),
            ("static/faces/ada@example.org.png", "uploaded"),
        ],
    );
    let config_file = site.path().join("blog-avatars.toml");
    let config_text = read(&config_file) + "\n[local]\ndir = \"static/faces\"\n";
    std::fs::write(&config_file, config_text).unwrap();
    std::fs::remove_file(site.path().join("content/posts/json-front-matter.md")).unwrap();
    std::fs::remove_file(site.path().join("static/images/grace.png")).unwrap();
    let (config, layout) = open(site.path());
    let second = render_site(&layout, &config, &demo_data()).unwrap();
    assert_eq!(
        second.removed,
        ["images/grace.png", "json-front-matter/index.html"]
    );
    assert!(!public.join("json-front-matter").exists());
    assert!(!public.join("images").exists());
    assert!(public.join("avatars/0123456789abcdef.webp").exists());
    assert!(public.join("CNAME").exists());
    assert!(!public.join("faces").exists(), "uploaded avatars published");
    assert_eq!(second.pages, 3);
    let warned: Vec<_> = second.warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(warned, ["static/index.html"]);
    assert!(read(public.join("index.html")).contains("post-list"));
}

#[test]
fn site_templates_override_the_theme_and_call_avatar() {
    let temp = tempfile::tempdir().unwrap();
    copy_tree(Path::new(DEMO), temp.path());
    write_files(
        temp.path(),
        &[(
            "templates/post.html",
            concat!(
                r#"{% extends "base.html" %}{% block main %}<h1 class="mine">{{ post.title }}</h1>"#,
                r#"<img src="{{ avatar(id="ada@example.org", size=80) }}" srcset="{{ avatar_srcset(id="ada@example.org") }}">"#,
                r#"{% for c in post.comments %}<p>{{ c.name }}: {{ c.avatar.src | default(value="-") }}</p>{% endfor %}"#,
                r#"{% endblock main %}"#
            ),
        )],
    );
    let (config, layout) = open(temp.path());
    render_site(&layout, &config, &demo_data()).unwrap();
    let public = temp.path().join("public");
    let page = read(public.join("hello-world/index.html"));
    let ada80 = urls("ada@example.org", 80);
    let ada40 = urls("ada@example.org", 40);
    assert!(
        page.contains("<h1 class=\"mine\">Hello, world</h1>"),
        "{page}"
    );
    assert!(page.contains(&format!(
        r#"<img src="{}" srcset="{} 1x, {} 2x">"#,
        ada80.x1, ada40.x1, ada40.x2
    )));
    assert!(page.contains(&format!("<p>Bob: {}</p>", urls("Bob@Example.com", 40).x1)));
    // base.html still comes from the bundled theme, and so does the index.
    assert!(page.contains("<meta name=\"viewport\""));
    assert!(read(public.join("index.html")).contains("class=\"post-list\""));
}

#[test]
fn other_layouts_have_nowhere_to_render() {
    let site = tempfile::tempdir().unwrap();
    write_files(site.path(), &[("hugo.toml", "")]);
    let (config, layout) = open(site.path());
    let error = render_site(&layout, &config, &DataFile::new()).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(error.to_string().contains("output_dir"), "{error}");
}
