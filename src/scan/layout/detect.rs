//! Which generator a site is for, by each generator's own rules, and why.
//!
//! Every generator module reports the strongest sign it sees (see [`Strength`]); the strongest
//! sign wins and the report says which file decided and why. Two generators with equally strong
//! signs are a usage error asking for `[site] layout`: guessing would write into the wrong
//! generator's folders. With no sign at all, `content/` means the native layout; otherwise there
//! is no site, which is also a usage error (nothing is written).

use std::fmt;
use std::path::Path;

use serde::Serialize;

use super::{LayoutKind, hexo, hugo, jekyll, zola};
use crate::error::{Error, Result};

/// How strongly a file or folder says "this site is for that generator", weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Strength {
    /// A config name shared by several generators and nothing more (a bare `_config.yml`).
    ConfigOnly,
    /// The generator's own folders beside a shared config name (`_posts/`, `source/_posts/`,
    /// `archetypes/`).
    Folders,
    /// Keys only this generator reads, in a shared config name.
    Keys,
    /// A file only this generator reads (`hugo.toml`, `zola.toml`, `config/_default/`), its
    /// package manifest (`package.json` depending on `hexo`, a `Gemfile` with `jekyll`), or the
    /// key its config must have (Hugo's `baseURL` in any case, Zola's `base_url`).
    Own,
}

/// One generator's strongest sign in a site.
#[derive(Debug, Clone)]
pub(super) struct Evidence {
    pub kind: LayoutKind,
    pub strength: Strength,
    /// The file or folder, relative to the site.
    pub file: String,
    /// Why it points at `kind`.
    pub reason: String,
}

impl Evidence {
    pub(super) fn new(kind: LayoutKind, strength: Strength, file: &str, reason: String) -> Self {
        Self {
            kind,
            strength,
            file: file.to_owned(),
            reason,
        }
    }
}

/// Which layout was chosen, from which file, and why: what the report shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// The layout.
    pub layout: LayoutKind,
    /// The file (or folder, ending in `/`) that decided, relative to the site; `None` when the
    /// config chose.
    pub file: Option<String>,
    /// Why, in words.
    pub reason: String,
}

impl fmt::Display for Detection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{} ({file}: {})", self.layout, self.reason),
            None => write!(f, "{} ({})", self.layout, self.reason),
        }
    }
}

/// What `no site found` says was looked for.
pub const LOOKED_FOR: &str = "hugo.toml/.yaml/.yml/.json, config.toml/.yaml/.yml/.json, \
config/_default/, _config.yml/.yaml/.toml, package.json with hexo, Gemfile with jekyll, \
zola.toml, content/";

/// Detects the layout of `root` from its files.
pub(super) fn detect(root: &Path) -> Result<Detection> {
    // Problems with candidate files, told when nothing else decides.
    let mut notes = Vec::new();
    let mut signs: Vec<Evidence> = [
        zola::evidence(root, &mut notes),
        hugo::evidence(root, &mut notes),
        jekyll::evidence(root, &mut notes),
        hexo::evidence(root, &mut notes),
    ]
    .into_iter()
    .flatten()
    .collect();
    // Stable: among equals the order above stays, which only matters for the message.
    signs.sort_by_key(|sign| std::cmp::Reverse(sign.strength));
    let Some((best, weaker)) = signs.split_first() else {
        if root.join("content").is_dir() {
            return Ok(Detection {
                layout: LayoutKind::Native,
                file: Some("content/".to_owned()),
                reason: "content/ found, no generator config".to_owned(),
            });
        }
        return Err(Error::NoSite {
            dir: root.to_path_buf(),
            looked_for: LOOKED_FOR.to_owned(),
            notes,
        });
    };
    if let Some(tie) = weaker.first().filter(|e| e.strength == best.strength) {
        return Err(Error::Usage(format!(
            "cannot tell which generator {} is for: {} says {} ({}) and {} says {} ({}), \
             equally strong signs; set [site] layout = \"{}\" or layout = \"{}\" in \
             blog-avatars.toml",
            root.display(),
            best.file,
            best.kind,
            best.reason,
            tie.file,
            tie.kind,
            tie.reason,
            best.kind,
            tie.kind
        )));
    }
    let mut reason = best.reason.clone();
    if !weaker.is_empty() {
        let others: Vec<String> = weaker
            .iter()
            .map(|e| format!("{} for {} ({})", e.file, e.kind, e.reason))
            .collect();
        reason.push_str("; weaker signs ignored: ");
        reason.push_str(&others.join(", "));
    }
    Ok(Detection {
        layout: best.kind,
        file: Some(best.file.clone()),
        reason,
    })
}
