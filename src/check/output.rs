//! The check report for people (short, grouped by what was found) and for machines (JSON).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{CheckReport, Found, SecretKind};
use crate::report::count;

/// Locations listed per group before "and N more".
const SHOWN_PLACES: usize = 5;

impl CheckReport {
    /// One line per thing found, with its places, then a total; a clean check says what it read.
    pub fn write_human(&self, dir: &str, out: &mut impl Write) -> io::Result<()> {
        let searched = format!(
            "{} and {} under {dir}",
            count(self.identifiers as u64, "identifier", "identifiers"),
            count(self.files as u64, "file", "files")
        );
        if self.findings.is_empty() {
            writeln!(out, "check: clean: no avatar-host URL, none of {searched}")?;
            return Ok(());
        }
        let mut groups: BTreeMap<(u8, String), Vec<String>> = BTreeMap::new();
        for finding in &self.findings {
            let key = match &finding.found {
                Found::AvatarHost { url } => (0, format!("avatar host {url}")),
                Found::Identifier { secret, shown } => (1, label(*secret, shown)),
            };
            let place = match (finding.line, finding.in_name) {
                (_, true) => format!("{} (file name)", finding.path),
                (Some(line), false) => format!("{}:{line}", finding.path),
                (None, false) => format!("{} (binary)", finding.path),
            };
            groups.entry(key).or_default().push(place);
        }
        let files = {
            let mut paths: Vec<&str> = self.findings.iter().map(|f| f.path.as_str()).collect();
            paths.dedup();
            paths.sort_unstable();
            paths.dedup();
            paths.len()
        };
        writeln!(
            out,
            "check: {} in {} (searched {searched})",
            count(self.findings.len() as u64, "finding", "findings"),
            count(files as u64, "file", "files"),
        )?;
        for places in groups.values_mut() {
            // Two URLs of one `srcset` are one place to fix.
            places.dedup();
        }
        for ((_, what), places) in &groups {
            let more = places.len().saturating_sub(SHOWN_PLACES);
            let shown = places[..places.len().min(SHOWN_PLACES)].join(", ");
            if more > 0 {
                writeln!(out, "  {what}: {shown} and {more} more")?;
            } else {
                writeln!(out, "  {what}: {shown}")?;
            }
        }
        Ok(())
    }

    /// The whole report as one JSON document (identifiers redacted, as in the human form).
    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        writeln!(out)
    }
}

/// `email ad***@example.org`, `md5 of ad***@example.org`, `QQ 17***56`.
fn label(kind: SecretKind, shown: &str) -> String {
    match kind {
        SecretKind::Email => format!("email {shown}"),
        SecretKind::EmailMd5 | SecretKind::EmailSha256 | SecretKind::Hash | SecretKind::Qq => {
            shown.to_owned()
        }
    }
}
