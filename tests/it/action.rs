//! The composite GitHub Action (`action.yml`): its inputs, outputs and steps are read with
//! serde-saphyr and checked, and its main script runs here with bash, the test binary on the
//! PATH and the runner's files (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`) in a temp dir.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::support::copy_site;

#[derive(Debug, Deserialize)]
struct Action {
    name: String,
    description: String,
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, Output>,
    runs: Runs,
}

#[derive(Debug, Deserialize)]
struct Input {
    description: String,
    default: String,
}

#[derive(Debug, Deserialize)]
struct Output {
    value: String,
}

#[derive(Debug, Deserialize)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
struct Step {
    name: String,
    id: Option<String>,
    uses: Option<String>,
    run: Option<String>,
    shell: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    with: BTreeMap<String, String>,
}

fn action_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap()
}

fn action() -> Action {
    serde_saphyr::from_str(&action_text()).unwrap()
}

/// Every `${{ prefix NAME` in `text`.
fn references<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.split("${{")
        .skip(1)
        .filter_map(|rest| rest.trim_start().strip_prefix(prefix))
        .map(|rest| {
            rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .next()
                .unwrap()
        })
        .collect()
}

#[test]
fn action_yml_declares_its_inputs_outputs_and_steps() {
    let action = action();
    assert!(!action.name.is_empty() && !action.description.is_empty());
    assert_eq!(action.runs.using, "composite");
    for input in [
        "args",
        "working-directory",
        "fail",
        "job-summary",
        "version",
        "cache",
    ] {
        let declared = action.inputs.get(input);
        assert!(
            declared.is_some_and(|i| !i.description.is_empty()),
            "input {input}"
        );
    }
    assert_eq!(action.inputs["fail"].default, "true");
    assert_eq!(
        action.outputs["exit_code"].value,
        "${{ steps.run.outputs.exit_code }}"
    );

    // Every input and step a reference names exists.
    let text = action_text();
    for name in references(&text, "inputs.") {
        assert!(
            action.inputs.contains_key(name),
            "`inputs.{name}` is not declared"
        );
    }
    let ids: Vec<&str> = action
        .runs
        .steps
        .iter()
        .filter_map(|s| s.id.as_deref())
        .collect();
    for id in references(&text, "steps.") {
        assert!(ids.contains(&id), "no step with id `{id}`");
    }

    let mut scripts = String::new();
    for step in &action.runs.steps {
        if let Some(run) = &step.run {
            assert_eq!(step.shell.as_deref(), Some("bash"), "{}: shell", step.name);
            // Inputs go through `env:`; an expression pasted into a script is an injection.
            assert!(
                !run.contains("${{"),
                "{}: expression inside the script",
                step.name
            );
            for (key, value) in &step.env {
                let input = key
                    .strip_prefix("INPUT_")
                    .unwrap()
                    .to_lowercase()
                    .replace('_', "-");
                assert_eq!(
                    value,
                    &format!("${{{{ inputs.{input} }}}}"),
                    "{}",
                    step.name
                );
            }
            scripts.push_str(run);
        } else {
            assert!(step.uses.is_some(), "{}: neither run nor uses", step.name);
        }
    }
    for command in [
        "cargo install --locked --git",
        "blog-avatars build",
        "blog-avatars rewrite",
    ] {
        assert!(scripts.contains(command), "no step runs `{command}`");
    }
    assert!(
        scripts.contains("blog-avatars check"),
        "no step runs the audit"
    );
    assert!(scripts.contains("GITHUB_STEP_SUMMARY") && scripts.contains("GITHUB_OUTPUT"));

    let caches: Vec<&Step> = action
        .runs
        .steps
        .iter()
        .filter(|s| {
            s.uses
                .as_deref()
                .is_some_and(|u| u.starts_with("actions/cache@"))
        })
        .collect();
    assert!(
        caches
            .iter()
            .any(|s| s.with["path"].contains(".cargo/bin")
                && s.with["key"].contains("inputs.version")),
        "the binary is cached by version"
    );
    assert!(
        caches
            .iter()
            .any(|s| s.with["path"].contains("inputs.cache-dir")),
        "the avatar cache is restored and saved"
    );
}

/// The runner's files of one run of the main step.
struct Run {
    status: Option<i32>,
    output: String,
    summary: String,
    log: String,
}

/// Runs the `run` step's script in `cwd` as the runner would, with `inputs` over the defaults.
fn run_step(cwd: &Path, inputs: &[(&str, &str)]) -> Run {
    let action = action();
    let step = action
        .runs
        .steps
        .iter()
        .find(|s| s.id.as_deref() == Some("run"))
        .unwrap();
    let temp = tempfile::tempdir().unwrap();
    let output = temp.path().join("output");
    let summary = temp.path().join("summary");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_blog-avatars"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(step.run.as_ref().unwrap())
        .current_dir(cwd)
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", temp.path());
    for key in step.env.keys() {
        let input = key
            .strip_prefix("INPUT_")
            .unwrap()
            .to_lowercase()
            .replace('_', "-");
        let value = inputs
            .iter()
            .find(|(name, _)| *name == input)
            .map_or(action.inputs[&input].default.as_str(), |(_, v)| v);
        command.env(key, value);
    }
    let done = command.output().unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    Run {
        status: done.status.code(),
        output: read(&output),
        summary: read(&summary),
        log: format!(
            "{}{}",
            String::from_utf8_lossy(&done.stdout),
            String::from_utf8_lossy(&done.stderr)
        ),
    }
}

#[test]
fn the_action_builds_and_audits_the_demo_and_fails_on_a_leak() {
    let (_temp, site) = copy_site("demo-site");
    let run = run_step(&site, &[("args", "--offline")]);
    assert_eq!(run.status, Some(0), "{}", run.log);
    assert_eq!(run.output, "exit_code=0\n");
    assert!(
        run.summary.starts_with("## blog-avatars"),
        "{}",
        run.summary
    );
    assert!(run.summary.contains("`public`: clean"), "{}", run.summary);
    assert!(run.summary.contains("check: clean"), "{}", run.summary);
    assert!(
        run.summary.contains("files:"),
        "the build report: {}",
        run.summary
    );

    // A script that hot-links Gravatar with a commenter's hash: the audit fails the step...
    let hash = crate::avatar_server::md5_hex("ada@example.org");
    std::fs::write(
        site.join("public/tracker.js"),
        format!("img.src = 'https://gravatar.com/avatar/{hash}';\n"),
    )
    .unwrap();
    let run = run_step(&site, &[("command", "none")]);
    assert_eq!(run.status, Some(3), "{}", run.log);
    assert_eq!(run.output, "exit_code=3\n");
    assert!(run.summary.contains("leaks found"), "{}", run.summary);
    assert!(run.summary.contains("tracker.js:1"), "{}", run.summary);
    assert!(
        !run.summary.contains(&hash) && !run.log.contains(&hash),
        "{}",
        run.summary
    );
    // ...unless told not to; the output still says what happened.
    let run = run_step(
        &site,
        &[
            ("command", "none"),
            ("fail", "false"),
            ("job-summary", "false"),
        ],
    );
    assert_eq!(run.status, Some(0), "{}", run.log);
    assert_eq!(run.output, "exit_code=3\n");
    assert!(run.summary.is_empty());
}

#[test]
fn the_action_runs_hugo_then_rewrites_its_output() {
    let (_temp, site) = copy_site("generators/hugo");
    std::fs::write(
        site.join("layouts/partials/avatar.html"),
        r#"{{- with .comment.email -}}<img src="https://www.gravatar.com/avatar/{{ md5 (lower (trim (string .) " ")) }}?s=40" alt="">{{- end -}}"#,
    )
    .unwrap();
    let run = run_step(
        &site,
        &[
            ("command", "rewrite"),
            ("generate", "hugo --quiet --destination public"),
            ("args", "--offline"),
        ],
    );
    assert_eq!(run.status, Some(0), "{}\n{}", run.log, run.summary);
    assert_eq!(run.output, "exit_code=0\n");
    assert!(run.summary.contains("`public`: clean"), "{}", run.summary);
    let page = std::fs::read_to_string(site.join("public/posts/first-post/index.html")).unwrap();
    assert!(
        !page.contains("gravatar.com"),
        "hugo ran, then rewrite: {page}"
    );
    assert!(page.contains("<img src=\"/avatars/"), "{page}");
}
