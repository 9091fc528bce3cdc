//! `blog-avatars init`: sets a site up for its generator. It detects the layout as every other
//! command does, then writes a commented `blog-avatars.toml`, the template piece that reads the
//! data file (Hugo partial, Jekyll include, Hexo helper, Zola macro), a neutral placeholder image
//! for identities the build never saw, and the `.gitignore` lines for the cache and the private
//! uploads. It never replaces a file unless asked (`force`), and a dry run writes nothing.

mod config_text;
mod generators;
mod placeholder;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::{Config, LayoutChoice};
use crate::error::{Error, Result};
use crate::scan::SiteLayout;
use crate::scan::layout::LayoutSummary;

pub use config_text::config_text;

/// The placeholder's file name, beside the avatar folder (outside it, so a build never prunes it).
pub const PLACEHOLDER_NAME: &str = "avatar-placeholder.png";

/// The lines `init` makes sure `.gitignore` has, with the comments that explain them.
const GITIGNORE_BLOCK: &[(&str, &str)] = &[
    (
        ".blog-avatars-cache/",
        "# blog-avatars: downloaded avatars, kept between builds (cache it in CI instead).",
    ),
    (
        "_avatars/",
        "# blog-avatars: uploaded avatars are named by the commenter's email or QQ number, so\n\
         # they stay out of git. Remove this line only if the repository is private and CI must\n\
         # build with them.",
    ),
];

/// How `init` runs.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// Replace files that exist.
    pub force: bool,
    /// Write nothing; list what would be written.
    pub dry_run: bool,
    /// Force a layout instead of detecting it.
    pub layout: Option<LayoutChoice>,
}

/// What happens to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileAction {
    /// A new file.
    Create,
    /// An existing file replaced (`--force`).
    Replace,
    /// An existing file left as it was.
    LeftAlone,
    /// Missing lines added at the end of an existing file.
    Append,
    /// The file already has everything.
    UpToDate,
}

/// One file `init` writes (or would, or left alone).
#[derive(Debug, Clone, Serialize)]
pub struct InitFile {
    /// Path relative to the site.
    pub path: String,
    /// What was done (or, in a dry run, would be).
    pub action: FileAction,
    /// What the file is for.
    pub purpose: String,
}

/// The outcome of `init`.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    /// The layout found and why.
    pub layout: LayoutSummary,
    /// Every file, in the order written.
    pub files: Vec<InitFile>,
    /// Nothing was written.
    pub dry_run: bool,
    /// The commands to run next.
    pub next: Vec<String>,
    /// How a theme calls the template piece, if there is one.
    pub call: Option<String>,
    /// What the user still has to do by hand.
    pub notes: Vec<String>,
}

/// Sets up `site`. No site found (or two generators equally likely): the same usage error as
/// every other command, and nothing written.
pub fn init(site: &Path, options: &InitOptions) -> Result<InitReport> {
    let layout = open(site, options.layout)?;
    let mut planned: Vec<(PathBuf, Vec<u8>, String, bool)> = Vec::new();
    planned.push((
        site.join(crate::config::CONFIG_FILE_NAME),
        config_text(&layout).into_bytes(),
        "blog-avatars settings for this site".to_owned(),
        false,
    ));
    let placeholder_url = placeholder_url(&layout.url_prefix);
    let piece = generators::piece(layout.kind);
    if let Some(piece) = &piece {
        let text = piece
            .template
            .replace("__PLACEHOLDER__", &placeholder_url)
            .replace("__DATA_FILE__", &layout.relative(&layout.data_file));
        planned.push((
            site.join(piece.path),
            text.into_bytes(),
            format!("the `avatar` template piece for {}", layout.kind),
            false,
        ));
        if let Some(dir) = layout.avatar_dir.parent() {
            planned.push((
                dir.join(PLACEHOLDER_NAME),
                placeholder::png()?,
                format!("neutral placeholder, published as {placeholder_url}"),
                false,
            ));
        }
    }
    planned.push((
        site.join(".gitignore"),
        Vec::new(),
        "ignores the download cache and the private uploads".to_owned(),
        true,
    ));

    let mut files = Vec::new();
    // No write may follow a symlink out of the site (a `layouts/` linked elsewhere, say); all
    // checked before the first write, so a refusal leaves the site as it was.
    let base = crate::scan::published::normalise(site);
    for (path, ..) in &planned {
        crate::publish::ensure_within(&base, path)?;
    }
    for (path, bytes, purpose, is_gitignore) in planned {
        let action = if is_gitignore {
            gitignore(&path, options.dry_run)?
        } else {
            write_file(&path, &bytes, options)?
        };
        files.push(InitFile {
            path: layout.relative(&path),
            action,
            purpose,
        });
    }
    let mut next = vec![if site == Path::new(".") {
        "blog-avatars build".to_owned()
    } else {
        format!("blog-avatars build {}", site.display())
    }];
    if let Some(command) = generators::build_command(layout.kind) {
        next.push(command.to_owned());
    }
    Ok(InitReport {
        layout: layout.summary(),
        files,
        dry_run: options.dry_run,
        next,
        call: piece.map(|p| p.call.to_owned()),
        notes: jekyll_notes(site, layout.kind),
    })
}

/// Jekyll publishes every file of its source not named `_…` or `.…`, the config included,
/// unless `_config.yml` excludes it; init does not edit the generator's config.
fn jekyll_notes(site: &Path, kind: crate::scan::LayoutKind) -> Vec<String> {
    if kind != crate::scan::LayoutKind::Jekyll {
        return Vec::new();
    }
    let excluded = ["_config.yml", "_config.yaml", "_config.toml"]
        .iter()
        .any(|name| {
            std::fs::read_to_string(site.join(name))
                .is_ok_and(|text| text.contains(crate::config::CONFIG_FILE_NAME))
        });
    if excluded {
        return Vec::new();
    }
    vec![format!(
        "add `{}` to `exclude:` in _config.yml, or Jekyll publishes it",
        crate::config::CONFIG_FILE_NAME
    )]
}

/// The layout, as `open_site` finds it, or the one forced.
fn open(site: &Path, forced: Option<LayoutChoice>) -> Result<SiteLayout> {
    let Some(choice) = forced else {
        return crate::open_site(site, None).map(|(_, layout)| layout);
    };
    let metadata = std::fs::metadata(site).map_err(|e| Error::io(site, e))?;
    if !metadata.is_dir() {
        return Err(Error::io(
            site,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        ));
    }
    let mut config = Config::load(site, None)?;
    config.site.layout = choice;
    let layout = SiteLayout::open(site, &config.site)?;
    layout.check_outputs(&config.cache_dir(&layout.root))?;
    Ok(layout)
}

/// The placeholder's URL: beside the avatars' URL prefix (`/blog/avatars/` gives
/// `/blog/avatar-placeholder.png`).
fn placeholder_url(url_prefix: &str) -> String {
    let trimmed = url_prefix.trim_end_matches('/');
    let parent = trimmed.rsplit_once('/').map_or("", |(parent, _)| parent);
    format!("{parent}/{PLACEHOLDER_NAME}")
}

/// Writes one file unless it exists (then only with `force`).
fn write_file(path: &Path, bytes: &[u8], options: &InitOptions) -> Result<FileAction> {
    let exists = std::fs::symlink_metadata(path).is_ok();
    let action = match (exists, options.force) {
        (false, _) => FileAction::Create,
        (true, true) => FileAction::Replace,
        (true, false) => return Ok(FileAction::LeftAlone),
    };
    if !options.dry_run {
        crate::files::write_atomic(path, bytes)?;
    }
    Ok(action)
}

/// Adds the missing ignore lines at the end of `.gitignore` (creating it); never rewrites the
/// lines already there.
fn gitignore(path: &Path, dry_run: bool) -> Result<FileAction> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(path, e)),
    };
    let text = existing.clone().unwrap_or_default();
    let has = |line: &str| {
        text.lines().any(|l| {
            let l = l.trim();
            l == line || l == line.trim_end_matches('/') || l == format!("/{line}")
        })
    };
    let mut addition = String::new();
    for (line, comment) in GITIGNORE_BLOCK {
        if !has(line) {
            addition.push_str(comment);
            addition.push('\n');
            addition.push_str(line);
            addition.push('\n');
        }
    }
    if addition.is_empty() {
        return Ok(FileAction::UpToDate);
    }
    let action = if existing.is_some() {
        FileAction::Append
    } else {
        FileAction::Create
    };
    if !dry_run {
        let mut new = text;
        if !new.is_empty() && !new.ends_with('\n') {
            new.push('\n');
        }
        if !new.is_empty() {
            new.push('\n');
        }
        new.push_str(&addition);
        crate::files::write_atomic(path, new.as_bytes())?;
    }
    Ok(action)
}

impl InitReport {
    /// The report for people: each file and what happened to it, then what to do next.
    pub fn write_human(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(out, "layout: {}", self.layout)?;
        for file in &self.files {
            let verb = match (self.dry_run, file.action) {
                (true, FileAction::Create) => "would write",
                (true, FileAction::Replace) => "would replace",
                (true, FileAction::Append) => "would add lines to",
                (false, FileAction::Create) => "wrote",
                (false, FileAction::Replace) => "replaced",
                (false, FileAction::Append) => "added lines to",
                (_, FileAction::LeftAlone) => "left alone (exists; --force replaces it)",
                (_, FileAction::UpToDate) => "left alone (already has the lines)",
            };
            writeln!(out, "{verb}: {} ({})", file.path, file.purpose)?;
        }
        if self.dry_run {
            writeln!(out, "dry run: nothing was written")?;
        }
        writeln!(out, "next:")?;
        for command in &self.next {
            writeln!(out, "  {command}")?;
        }
        for note in &self.notes {
            writeln!(out, "note: {note}")?;
        }
        if let Some(call) = &self.call {
            writeln!(out, "call the template piece from your theme:\n  {call}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
