//! Where outputs may go: never inside the folder the generator publishes (data file, cache), and
//! avatars only in a folder it does publish.

use std::path::{Path, PathBuf};

use super::{LayoutKind, SiteLayout, lexical};
use crate::error::{Error, Result};

impl SiteLayout {
    /// Refuses a data file or cache inside the folder the generator publishes (it would publish
    /// them, or wipe them on its next build), and, for a generator, an avatar folder there (the
    /// generator owns that folder: avatars go to its static or source folder, which it copies).
    pub fn check_outputs(&self, cache_dir: &Path) -> Result<()> {
        let publish = lexical(&self.publish_dir);
        let mut outputs = vec![
            ("data file", "[site] data_file", lexical(&self.data_file)),
            ("cache", "[http] cache_dir", lexical(cache_dir)),
        ];
        if self.kind != LayoutKind::Native {
            outputs.push((
                "avatar folder",
                "[site] avatar_dir",
                lexical(&self.avatar_dir),
            ));
        }
        for (what, key, path) in outputs {
            if path.starts_with(&publish) {
                return Err(Error::Usage(format!(
                    "the {what} {} lies inside {}, the folder the {} site publishes; \
                     set {key} to a path outside it",
                    self.relative(&path),
                    self.relative(&publish),
                    self.kind
                )));
            }
        }
        Ok(())
    }

    /// Refuses an avatar folder the generator would not publish: every avatar would be missing
    /// from the built site.
    pub(super) fn check_avatars_published(
        &self,
        unpublished: &[(PathBuf, String)],
        underscore_root: Option<&Path>,
    ) -> Result<()> {
        let avatars = lexical(&self.avatar_dir);
        let mut why = unpublished
            .iter()
            .find(|(dir, _)| avatars.starts_with(dir))
            .map(|(_, why)| why.clone());
        if let Some(inside) = underscore_root.and_then(|base| avatars.strip_prefix(base).ok())
            && inside.components().any(|c| {
                let name = c.as_os_str().to_string_lossy();
                name.starts_with('_') || name.starts_with('.')
            })
        {
            why = Some(format!("{} skips names starting with _ or .", self.kind));
        }
        match why {
            Some(why) => Err(Error::Usage(format!(
                "the avatar folder {} would not be published ({why}); set [site] avatar_dir to \
                 a folder the {} site publishes",
                self.relative(&avatars),
                self.kind
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
#[path = "outputs_tests.rs"]
mod tests;
