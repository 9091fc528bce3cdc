//! Rebuild on change: `notify` watches the inputs of a build, a quiet period debounces bursts
//! (an editor's save, `git checkout`), then one rebuild is requested.
//!
//! Watched: what the scan reads (post directories and the whole data folder, not only the
//! comment folder: theme data such as `_data/authors.yml` names people too), native templates,
//! `[local] dir` (uploads) and the config file. The build's own outputs (rendered site, avatar directory, data file, cache) are
//! ignored, or every build would trigger the next. Directories that do not exist yet are
//! picked up after the next change in the site root (e.g. the first upload creates `avatars/`),
//! and the list is recomputed from the config after every batch, so a changed `[site]` applies.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::rebuild::{Builder, SiteState};
use super::{ServeError, ServeOptions};
use crate::config::CONFIG_FILE_NAME;

/// What to watch and what to ignore for one site.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    /// Directories watched recursively.
    dirs: Vec<PathBuf>,
    /// The config file (its directory is watched non-recursively).
    config_file: PathBuf,
    /// The build's outputs.
    ignored: Vec<PathBuf>,
}

impl Plan {
    fn new(site: &SiteState, config_path: Option<&Path>) -> Self {
        let layout = &site.layout;
        let mut dirs = layout.post_dirs.clone();
        // The folder the scan reads every data file of (the comment folder lies inside it, or
        // is it when configured elsewhere).
        dirs.push(crate::scan::data_dir(layout));
        dirs.extend(layout.template_dir.clone());
        dirs.push(site.local_dir());
        dirs.sort();
        dirs.dedup();
        // A folder inside another is covered by the outer recursive watch; watching it again
        // would register the same inode twice, which inotify merges into one watch.
        let mut outer: Vec<PathBuf> = Vec::new();
        for dir in dirs {
            if !outer.iter().any(|kept| dir.starts_with(kept)) {
                outer.push(dir);
            }
        }
        let dirs = outer;
        let mut ignored = vec![
            layout.avatar_dir.clone(),
            layout.data_file.clone(),
            site.config.cache_dir(&layout.root),
        ];
        ignored.extend(layout.output_dir.clone());
        Self {
            dirs,
            config_file: config_path
                .map_or_else(|| layout.root.join(CONFIG_FILE_NAME), Path::to_path_buf),
            ignored,
        }
    }

    /// Whether a change at `path` should rebuild.
    fn wants(&self, path: &Path) -> bool {
        if self.ignored.iter().any(|dir| path.starts_with(dir)) {
            return false;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        // Our own atomic-write temp files and editors' swap and backup files.
        if (name.starts_with(".blog-avatars-") && name.ends_with(".tmp"))
            || name.ends_with('~')
            || name.ends_with(".swp")
        {
            return false;
        }
        path == self.config_file || self.dirs.iter().any(|dir| path.starts_with(dir))
    }

    /// Every path to watch, with its mode: the directories, and the config file's directory.
    fn watches(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut list: Vec<_> = self
            .dirs
            .iter()
            .map(|dir| (dir.clone(), RecursiveMode::Recursive))
            .collect();
        if let Some(parent) = self.config_file.parent() {
            list.push((parent.to_path_buf(), RecursiveMode::NonRecursive));
        }
        list
    }
}

/// Starts watching; the returned task debounces and requests rebuilds until shutdown.
pub(crate) fn start(
    options: &ServeOptions,
    builder: Arc<Builder>,
    shutdown: watch::Receiver<bool>,
) -> Result<JoinHandle<()>, ServeError> {
    let (tx, rx) = mpsc::unbounded_channel();
    let watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|source| ServeError::Watch {
        path: options.site.clone(),
        source,
    })?;
    let mut state = WatchState {
        watcher,
        watched: HashSet::new(),
        plan: Plan::new(&builder.site(), options.config_path.as_deref()),
        config_path: options.config_path.clone(),
        log: options.log.clone(),
    };
    state.arm()?;
    Ok(tokio::spawn(state.run(
        rx,
        builder,
        options.debounce,
        shutdown,
    )))
}

struct WatchState {
    watcher: RecommendedWatcher,
    watched: HashSet<PathBuf>,
    plan: Plan,
    config_path: Option<PathBuf>,
    log: super::Log,
}

impl WatchState {
    /// Watches every planned path that exists and is not watched yet; forgets vanished ones.
    fn arm(&mut self) -> Result<(), ServeError> {
        let wanted = self.plan.watches();
        self.watched
            .retain(|path| path.exists() && wanted.iter().any(|(wanted, _)| wanted == path));
        for (path, mode) in wanted {
            if self.watched.contains(&path) || !path.is_dir() {
                continue;
            }
            self.watcher
                .watch(&path, mode)
                .map_err(|source| ServeError::Watch {
                    path: path.clone(),
                    source,
                })?;
            self.watched.insert(path);
        }
        Ok(())
    }

    async fn run(
        mut self,
        mut events: mpsc::UnboundedReceiver<notify::Result<notify::Event>>,
        builder: Arc<Builder>,
        debounce: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            let event = tokio::select! {
                event = events.recv() => event,
                _ = shutdown.changed() => return,
            };
            let Some(event) = event else { return };
            let mut changed = self.wanted(event);
            if changed.is_empty() {
                continue;
            }
            // The quiet period: every further wanted change restarts it. Reads and ignored
            // paths do not (a generator reading the data file would otherwise postpone it
            // forever).
            let mut quiet_until = tokio::time::Instant::now() + debounce;
            loop {
                tokio::select! {
                    next = tokio::time::timeout_at(quiet_until, events.recv()) => match next {
                        Ok(Some(event)) => {
                            let more = self.wanted(event);
                            if !more.is_empty() {
                                changed.extend(more);
                                quiet_until = tokio::time::Instant::now() + debounce;
                            }
                        }
                        Ok(None) => return,
                        Err(_) => break,
                    },
                    _ = shutdown.changed() => return,
                }
            }
            // Decided only now: a save notes its files after writing them, within the period.
            let Some(path) = changed.into_iter().find(|path| !builder.is_own_write(path)) else {
                continue;
            };
            self.log
                .line(format_args!("changed: {}; rebuilding", path.display()));
            builder.request();
            self.plan = Plan::new(&builder.site(), self.config_path.as_deref());
            if let Err(error) = self.arm() {
                self.log.line(format_args!("warning: {error}"));
            }
        }
    }

    /// The paths of `event` that should trigger a rebuild.
    fn wanted(&self, event: notify::Result<notify::Event>) -> Vec<PathBuf> {
        match event {
            Ok(event) if !matches!(event.kind, EventKind::Access(_)) => event
                .paths
                .into_iter()
                .filter(|path| self.plan.wants(path))
                .collect(),
            Ok(_) => Vec::new(),
            Err(error) => {
                self.log
                    .line(format_args!("warning: watching the site: {error}"));
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::scan::SiteLayout;

    #[test]
    fn inputs_rebuild_outputs_do_not() {
        let root = Path::new("/site");
        let config = Config::default();
        let layout = SiteLayout::resolve(root, &config.site);
        let plan = Plan::new(&SiteState { config, layout }, None);
        for path in [
            "/site/content/posts/a.md",
            "/site/data/comments/a/1.yml",
            "/site/data/authors.yml",
            "/site/templates/page.html",
            "/site/_avatars/ada@example.org.png",
            "/site/blog-avatars.toml",
        ] {
            assert!(plan.wants(Path::new(path)), "{path}");
        }
        for path in [
            "/site/public/index.html",
            "/site/public/avatars/0123456789abcdef.webp",
            "/site/data/avatars.json",
            "/site/.blog-avatars-cache/index.json",
            "/site/content/.blog-avatars-x.tmp",
            "/site/content/a.md~",
            "/site/README.md",
        ] {
            assert!(!plan.wants(Path::new(path)), "{path}");
        }
        assert!(
            plan.watches()
                .contains(&(PathBuf::from("/site"), RecursiveMode::NonRecursive))
        );
    }
}
