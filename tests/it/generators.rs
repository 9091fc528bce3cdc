//! The README's generator recipes, each on a fixture site under `fixtures/generators/<name>/`
//! whose avatar template is quoted verbatim in the README. Every test first runs the generator
//! with no data file (every comment must fall back), then `blog-avatars build` against the
//! loopback avatar service, then the generator again, and checks the built pages: each avatar
//! `<img>` is the right person's local file at 1x and 2x, and nothing names a provider, an email,
//! a hash or a QQ number. Hugo, Jekyll and Hexo run for real (`./test` installs them); Zola is
//! not packaged for Debian, so its templates are rendered with Tera 1 (Zola releases) and Tera 2
//! (Zola's next engine) the way Zola renders a page.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::avatar_server::{AvatarServer, md5_hex, placeholder, png};
use crate::support::{assert_no_secrets, fixtures, run_json, s};
use blog_avatars::testkit::Response;

/// Every fixture has these commenters: name → data file key of the avatar the page must show, or
/// `None` where the recipe must fall back to the initial (Nia's hash has no avatar anywhere, so
/// with no `default` provider she has no entry; 匿名 has no identity at all).
const COMMENTERS: &[(&str, Option<&str>)] = &[
    ("Ada \"<Lovelace>\"", Some("Ada.Lovelace@Example.org")),
    ("Lee", Some("40001234@qq.com")),
    ("Jo", Some("jo-hub")),
    ("Quinn", Some("50005678")),
    ("Rui", Some("60007890")),
    ("Ivan", Some("ivan@example.org")),
    ("Nia", None),
    ("匿名", None),
];
/// Each found avatar's colour at the loopback service, by data file key.
const COLOURS: &[(&str, [u8; 3])] = &[
    ("Ada.Lovelace@Example.org", [200, 30, 30]),
    ("40001234@qq.com", [30, 200, 30]),
    ("jo-hub", [30, 30, 200]),
    ("50005678", [200, 200, 30]),
    ("60007890", [30, 200, 200]),
    ("ivan@example.org", [200, 30, 200]),
];
/// The chain without `default`, so that an identity without an avatar gets no entry.
const NO_DEFAULT: &str = "[avatars]\nproviders = [\"local\", \"url\", \"gravatar\", \"qq\", \"libravatar\", \"github\"]\n";

/// One recipe: its fixture, the template file the README quotes, the output directory.
struct Recipe {
    name: &'static str,
    snippet: &'static str,
    output: &'static str,
}

#[test]
fn hugo_recipe_partial_reads_site_data_avatars() {
    let recipe = Recipe {
        name: "hugo",
        snippet: "layouts/partials/avatar.html",
        output: "public",
    };
    exercise(&recipe, |site| {
        tool(
            "hugo",
            &["--source", s(site), "--quiet"],
            site,
            "apt-get install hugo",
        );
    });
}

#[test]
fn jekyll_recipe_include_reads_site_data_avatars() {
    let recipe = Recipe {
        name: "jekyll",
        snippet: "_includes/avatar.html",
        output: "_site",
    };
    exercise(&recipe, |site| {
        let out = site.join("_site");
        let args = [
            "build",
            "--source",
            s(site),
            "--destination",
            s(&out),
            "--quiet",
        ];
        tool("jekyll", &args, site, "apt-get install jekyll");
    });
}

#[cfg(unix)]
#[test]
fn hexo_recipe_partial_reads_site_data_avatars() {
    let recipe = Recipe {
        name: "hexo",
        snippet: "themes/recipe/layout/_partial/avatar.ejs",
        output: "public",
    };
    let modules = fixtures().join("generators/hexo/node_modules");
    let hexo = modules.join(".bin/hexo");
    exercise(&recipe, |site| {
        if std::fs::symlink_metadata(site.join("node_modules")).is_err() {
            std::os::unix::fs::symlink(&modules, site.join("node_modules")).unwrap();
        }
        let output = tool(
            s(&hexo),
            &["generate"],
            site,
            "npm ci --prefix fixtures/generators/hexo",
        );
        // Hexo reports a template error and still exits 0 with an empty page.
        assert!(!output.contains("ERROR"), "hexo failed:\n{output}");
    });
}

#[test]
fn zola_recipe_load_data_under_tera_1_and_tera_2() {
    for (engine, render) in [
        ("tera 1", zola_tera1 as fn(&Path) -> String),
        ("tera 2", zola_tera2),
    ] {
        let recipe = Recipe {
            name: "zola",
            snippet: "templates/partials/avatar.html",
            output: "public",
        };
        exercise(&recipe, |site| {
            let html = render(site);
            let page = site.join("public/blog/first-post/index.html");
            std::fs::create_dir_all(page.parent().unwrap()).unwrap();
            std::fs::write(page, html).unwrap();
            // Zola publishes static/ as is.
            if site.join("static").is_dir() {
                copy_tree(&site.join("static"), &site.join("public"));
            }
        });
        eprintln!("zola recipe passed under {engine}");
    }
}

/// The recipe's whole run: README quote, generator without data, build, generator, checks.
fn exercise(recipe: &Recipe, generate: impl Fn(&Path)) {
    let snippet = std::fs::read_to_string(
        fixtures()
            .join("generators")
            .join(recipe.name)
            .join(recipe.snippet),
    )
    .unwrap();
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains(snippet.trim_end()),
        "README.md must quote fixtures/generators/{}/{} verbatim",
        recipe.name,
        recipe.snippet
    );

    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    copy_tree(&fixtures().join("generators").join(recipe.name), &site);
    let output = site.join(recipe.output);

    // No data file yet: the pages build, and every comment gets the fallback.
    generate(&site);
    let (images, initials) = avatars_in(&output);
    assert!(
        images.is_empty(),
        "{}: images without a data file: {images:?}",
        recipe.name
    );
    let everyone: Vec<&str> = COMMENTERS.iter().map(|(who, _)| *who).collect();
    assert_eq!(
        initials,
        initials_of(&everyone),
        "{}: fallbacks without a data file",
        recipe.name
    );
    std::fs::remove_dir_all(&output).unwrap();

    let server = avatar_service();
    server.configure(&site, NO_DEFAULT);
    let report = run_json(&["build", s(&site), "--format", "json", "--no-progress"], 0);
    assert_eq!(report["layout"], recipe.name, "{report:#}");
    assert_eq!(report["errors"], 0, "{report:#}");
    // Every provider of the chain wins for someone; Nia's hash has no avatar anywhere.
    let totals =
        serde_json::json!({"gravatar": 1, "qq": 3, "github": 1, "libravatar": 1, "none": 1});
    for (provider, count) in totals.as_object().unwrap() {
        assert_eq!(&report["totals"][provider], count, "{provider}: {report:#}");
    }
    let data_file = report_data_file(&site, recipe.name);
    let data: Value = serde_json::from_slice(&std::fs::read(&data_file).unwrap()).unwrap();
    generate(&site);
    check_pages(recipe.name, &output, &data);
    let secrets = crate::support::secrets(&site);
    assert!(secrets.len() >= 12, "{secrets:?}");
    assert_no_secrets(&output, &secrets);
    assert_no_provider_urls(&output, &server);
}

/// Where the layout's data file is (the contract's table).
fn report_data_file(site: &Path, layout: &str) -> PathBuf {
    site.join(match layout {
        "jekyll" => "_data/avatars.json",
        "hexo" => "source/_data/avatars.json",
        _ => "data/avatars.json",
    })
}

/// The loopback providers: each commenter with an avatar is found at a different provider.
fn avatar_service() -> AvatarServer {
    let server = AvatarServer::start();
    let colour = |key: &str| png(120, COLOURS.iter().find(|(k, _)| *k == key).unwrap().1);
    let routes = &server.routes;
    let ada = md5_hex("Ada.Lovelace@Example.org");
    routes.set(
        &format!("/avatar/{ada}"),
        Response::ok(colour("Ada.Lovelace@Example.org")),
    );
    routes.set("/qq/40001234/640", Response::ok(placeholder()));
    routes.set("/qq/40001234/140", Response::ok(colour("40001234@qq.com")));
    routes.set("/qq/50005678/640", Response::ok(colour("50005678")));
    routes.set("/qq/60007890/640", Response::ok(colour("60007890")));
    routes.set("/gh/jo-hub.png", Response::ok(colour("jo-hub")));
    let ivan = md5_hex("ivan@example.org");
    routes.set(
        &format!("/lib/avatar/{ivan}"),
        Response::ok(colour("ivan@example.org")),
    );
    server
}

/// Runs `program` in `dir`, failing with how to install it when it is missing. Returns its output.
pub(crate) fn tool(program: &str, args: &[&str], dir: &Path, install: &str) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}): install it with `{install}`, as ./test does")
        });
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{text}"
    );
    text
}

/// One rendered avatar `<img>`: its page and decoded attributes.
#[derive(Debug)]
pub(crate) struct Img {
    pub(crate) page: PathBuf,
    pub(crate) attrs: BTreeMap<String, String>,
}

/// Every `<img>`, and the text of every fallback `<span class="avatar-initial">`, of every HTML
/// page under `dir`.
pub(crate) fn avatars_in(dir: &Path) -> (Vec<Img>, Vec<String>) {
    let mut images = Vec::new();
    let mut initials = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let found = RefCell::new(Vec::new());
        let spans = RefCell::new(Vec::<String>::new());
        let settings = lol_html::RewriteStrSettings::new()
            .append_element_content_handler(lol_html::element!("img", |el| {
                let attrs = el.attributes().iter().map(|a| {
                    (
                        a.name(),
                        htmlize::unescape_attribute(a.value()).into_owned(),
                    )
                });
                found.borrow_mut().push(attrs.collect());
                Ok(())
            }))
            .append_element_content_handler(lol_html::element!("span.avatar-initial", |_| {
                spans.borrow_mut().push(String::new());
                Ok(())
            }))
            .append_element_content_handler(lol_html::text!("span.avatar-initial", |t| {
                let mut spans = spans.borrow_mut();
                spans.last_mut().unwrap().push_str(t.as_str());
                Ok(())
            }));
        lol_html::rewrite_str(&html, settings).unwrap();
        let page = entry.path().to_path_buf();
        images.extend(found.into_inner().into_iter().map(|attrs| Img {
            page: page.clone(),
            attrs,
        }));
        initials.extend(
            spans
                .into_inner()
                .iter()
                .map(|t| htmlize::unescape(t).into_owned()),
        );
    }
    initials.sort();
    (images, initials)
}

/// Every commenter with an entry has their own avatar as a complete `<img>`, every file exists
/// in the output at the right pixel size, and the others fall back.
fn check_pages(name: &str, output: &Path, data: &Value) {
    let (images, initials) = avatars_in(output);
    let with_entry: Vec<_> = COMMENTERS
        .iter()
        .filter_map(|(who, key)| key.map(|k| (*who, k)))
        .collect();
    assert_eq!(images.len(), with_entry.len(), "{name}: {images:#?}");
    let without: Vec<&str> = COMMENTERS
        .iter()
        .filter(|(_, k)| k.is_none())
        .map(|(w, _)| *w)
        .collect();
    assert_eq!(initials, initials_of(&without), "{name}: fallbacks");
    assert!(
        data["avatars"]
            .get("0bc83cb571cd1c50ba6f3e8a78ef1346")
            .is_none(),
        "{data:#}"
    );
    for (who, key) in with_entry {
        let img = images
            .iter()
            .find(|i| i.attrs["alt"] == who)
            .unwrap_or_else(|| panic!("{name}: no <img> for {who}: {images:#?}"));
        let urls = &data["avatars"][key]["sizes"]["40"];
        let (x1, x2) = (urls["1x"].as_str().unwrap(), urls["2x"].as_str().unwrap());
        let attr = |a: &str| img.attrs.get(a).map_or("", String::as_str);
        assert_eq!(attr("src"), x1, "{name}: {who} in {}", img.page.display());
        assert_eq!(attr("srcset"), format!("{x1} 1x, {x2} 2x"), "{name}: {who}");
        assert_eq!(
            (attr("width"), attr("height")),
            ("40", "40"),
            "{name}: {who}"
        );
        assert_eq!(attr("loading"), "lazy", "{name}: {who}");
        let colour = COLOURS.iter().find(|(k, _)| *k == key).unwrap().1;
        for (url, px) in [(x1, 40), (x2, 80)] {
            let prefix = if name == "jekyll" {
                "/assets/avatars/"
            } else {
                "/avatars/"
            };
            assert!(url.starts_with(prefix), "{name}: {url}");
            let file = output.join(url.trim_start_matches('/'));
            let image = image::open(&file)
                .unwrap_or_else(|e| panic!("{name}: {}: {e}", file.display()))
                .to_rgb8();
            assert_eq!(image.dimensions(), (px, px), "{name}: {url}");
            let centre = image.get_pixel(px / 2, px / 2).0;
            let close = centre.iter().zip(colour).all(|(a, b)| a.abs_diff(b) < 40);
            assert!(
                close,
                "{name}: {who} shows {centre:?}, not their avatar {colour:?}"
            );
        }
    }
}

/// The sorted upper-case first characters of `names`, as the fallback shows them.
fn initials_of(names: &[&str]) -> Vec<String> {
    let mut initials: Vec<String> = names
        .iter()
        .map(|n| n.chars().next().unwrap().to_uppercase().to_string())
        .collect();
    initials.sort();
    initials
}

/// No built file names a provider host or the loopback service.
fn assert_no_provider_urls(output: &Path, server: &AvatarServer) {
    let origin = server.server.url("/");
    let hosts = [
        "gravatar.com",
        "qlogo.cn",
        "libravatar.org",
        "githubusercontent.com",
        origin.as_str(),
    ];
    for entry in walkdir::WalkDir::new(output) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text =
                String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap()).to_lowercase();
            for host in hosts {
                assert!(
                    !text.contains(host),
                    "{} names {host}",
                    entry.path().display()
                );
            }
        }
    }
}

/// Copies a directory tree, leaving out `node_modules` (the Hexo test links it instead).
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    let entries = walkdir::WalkDir::new(from)
        .into_iter()
        .filter_entry(|e| e.file_name() != "node_modules");
    for entry in entries {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The Zola page's context: `page` (title, rendered Markdown content, `extra`) from its front
/// matter, and `config` from `config.toml`, as Zola passes them to `page.html`.
fn zola_context(site: &Path) -> Value {
    let text = std::fs::read_to_string(site.join("content/blog/first-post.md")).unwrap();
    let (front, body) = text
        .trim_start_matches("+++\n")
        .split_once("\n+++\n")
        .unwrap();
    let front: Value = toml::from_str(front).unwrap();
    let mut content = String::new();
    pulldown_cmark::html::push_html(&mut content, pulldown_cmark::Parser::new(body));
    let config: Value =
        toml::from_str(&std::fs::read_to_string(site.join("config.toml")).unwrap()).unwrap();
    serde_json::json!({
        "page": { "title": front["title"], "content": content, "extra": front["extra"] },
        "config": config,
    })
}

/// The site's `templates/`, by name relative to it, as Zola registers them.
fn zola_templates(site: &Path) -> Vec<(String, String)> {
    let dir = site.join("templates");
    walkdir::WalkDir::new(&dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e
                .path()
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (name, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

/// Zola's `load_data(path=..., required=...)` for a JSON file: relative to the site root; a
/// missing file is an error unless `required=false`, which gives null.
fn load_data(site: &Path, path: &str, required: bool) -> Result<Value, String> {
    match std::fs::read(site.join(path)) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|e| format!("`load_data`: {path}: {e}"))
        }
        Err(_) if !required => Ok(Value::Null),
        Err(e) => Err(format!("`load_data`: {path} doesn't exist ({e})")),
    }
}

/// `page.html` rendered with Tera 1, the engine of Zola's releases.
pub(crate) fn zola_tera1(site: &Path) -> String {
    let mut tera = tera1::Tera::default();
    let root = site.to_path_buf();
    tera.register_function(
        "load_data",
        move |args: &std::collections::HashMap<String, Value>| {
            let path = args
                .get("path")
                .and_then(Value::as_str)
                .ok_or("`load_data`: no path")?;
            let required = args
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            load_data(&root, path, required).map_err(tera1::Error::msg)
        },
    );
    tera.add_raw_templates(zola_templates(site)).unwrap();
    let context = tera1::Context::from_value(zola_context(site)).unwrap();
    tera.render("page.html", &context)
        .unwrap_or_else(|e| panic!("tera 1: {e:?}"))
}

/// `page.html` rendered with Tera 2, the engine of Zola's next release.
pub(crate) fn zola_tera2(site: &Path) -> String {
    let mut tera = tera::Tera::new();
    let root = site.to_path_buf();
    tera.register_function("load_data", move |kwargs: tera::Kwargs, _: &tera::State| {
        let path: String = kwargs.must_get("path")?;
        let required = kwargs.get::<bool>("required")?.unwrap_or(true);
        load_data(&root, &path, required)
            .map(|v| tera::Value::from_serializable(&v))
            .map_err(tera::Error::message)
    });
    tera.add_raw_templates(zola_templates(site)).unwrap();
    let context = tera::Context::from_serialize(&zola_context(site)).unwrap();
    tera.render("page.html", &context)
        .unwrap_or_else(|e| panic!("tera 2: {e:?}"))
}
