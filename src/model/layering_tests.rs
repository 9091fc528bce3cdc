//! Keeps the arrows pointing down: `model` names no other module of the crate; `config`,
//! `identify` and `scan` (which come before the provider chain) name no later stage; and they and
//! `serve` name the model's types through `crate::model`, not through a stage that re-exports
//! them. A path creeping back in fails here, with the file and line.

use std::path::{Path, PathBuf};

/// The stages after scan and identify; the ground floor and the early stages import none.
const LATER_STAGES: &[&str] = &[
    "resolve", "fetch", "cache", "process", "publish", "pipeline", "rewrite", "render", "report",
    "serve", "check", "init",
];

fn sources(under: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let start = root.join(under);
    let single = start.with_extension("rs");
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&start)
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        // This file spells the paths it looks for.
        .filter(|path| !path.ends_with("model/layering_tests.rs"))
        .collect();
    if single.is_file() {
        files.push(single);
    }
    assert!(!files.is_empty(), "no sources under src/{under}");
    files
}

/// Every `crate::<module>` (and `blog_avatars::<module>`) a file names, with its line.
fn named_modules(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for prefix in ["crate::", "blog_avatars::"] {
            for (at, _) in line.match_indices(prefix) {
                let module: String = line[at + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                found.push((index + 1, module));
            }
        }
    }
    found
}

fn violations(under: &str, allowed: impl Fn(&str) -> bool) -> Vec<String> {
    sources(under)
        .iter()
        .flat_map(|path| {
            named_modules(path)
                .into_iter()
                .filter(|(_, module)| !allowed(module))
                .map(move |(line, module)| format!("{}:{line}: {module}", path.display()))
        })
        .collect()
}

#[test]
fn model_names_no_other_module() {
    // `crate::Result` and friends would be the crate root, which re-exports stages: refused too.
    let found = violations("model", |module| module == "model");
    assert!(
        found.is_empty(),
        "model must import no stage:\n{}",
        found.join("\n")
    );
}

#[test]
fn config_identify_and_scan_name_no_later_stage() {
    for under in ["config", "identify", "scan"] {
        let found = violations(under, |module| !LATER_STAGES.contains(&module));
        assert!(
            found.is_empty(),
            "{under} imports a later stage (take the type from crate::model):\n{}",
            found.join("\n")
        );
    }
}

/// The model's types: nobody may name them through a stage (no stage re-exports them).
const MODEL_TYPES: &[&str] = &[
    "Source",
    "Warning",
    "Published",
    "OutputFormat",
    "HashAlgo",
    "Rating",
    "Identity",
    "IdentityKind",
    "Provider",
];

/// Every `crate::<module>::...` path (a `{...}` group whole) whose module is not `model` and that
/// names one of [`MODEL_TYPES`], with its line.
fn model_types_through_stages(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut found = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let module: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if module == "model" {
            continue;
        }
        let path_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let span = match rest[path_end..].starts_with('{') {
            true => &rest[..path_end + rest[path_end..].find('}').unwrap_or(0)],
            false => &rest[..path_end],
        };
        let names: Vec<&str> = span
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        if let Some(name) = MODEL_TYPES.iter().find(|name| names.contains(name)) {
            let line = text[..at].matches('\n').count() + 1;
            found.push((line, format!("{module}::…::{name}")));
        }
    }
    found
}

#[test]
fn early_stages_and_serve_take_model_types_from_model() {
    for under in ["config", "identify", "scan", "serve"] {
        let found: Vec<String> = sources(under)
            .iter()
            .flat_map(|path| {
                model_types_through_stages(path)
                    .into_iter()
                    .map(move |(line, what)| format!("{}:{line}: {what}", path.display()))
            })
            .collect();
        assert!(
            found.is_empty(),
            "{under} names a model type through a stage (use crate::model):\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_check_sees_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.rs");
    std::fs::write(
        &file,
        "use crate::model::Email;\nuse crate::resolve::gravatar::HashAlgo;\n",
    )
    .unwrap();
    assert_eq!(
        named_modules(&file),
        [(1, "model".to_owned()), (2, "resolve".to_owned())]
    );
    std::fs::write(
        &file,
        "use crate::model::Warning;\nuse crate::process::{\n    DecodeLimits,\n    OutputFormat,\n};\nlet w: crate::scan::Warning;\nuse crate::scan::SiteLayout;\n",
    )
    .unwrap();
    assert_eq!(
        model_types_through_stages(&file),
        [
            (2, "process::…::OutputFormat".to_owned()),
            (6, "scan::…::Warning".to_owned())
        ]
    );
}
