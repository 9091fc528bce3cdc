//! `scan`'s output: one line per identity for people, the contract's JSON for machines.

use std::io::{self, Write};

use super::count;
use crate::scan::ScanResult;

/// Prints the scan result for people: one line per identity, then a summary.
pub fn write_scan_human(result: &ScanResult, out: &mut impl Write) -> io::Result<()> {
    for found in &result.identities {
        let places: Vec<String> = found.sources.iter().map(ToString::to_string).collect();
        writeln!(
            out,
            "{:<6} {}  ({})",
            found.identity.kind().as_str(),
            found.identity.value(),
            places.join(", ")
        )?;
    }
    writeln!(out, "layout: {}", result.layout.summary())?;
    writeln!(
        out,
        "{} in {} ({} layout), {}",
        count(result.identities.len() as u64, "identity", "identities"),
        count(result.files as u64, "file", "files"),
        result.layout.kind,
        count(result.warnings.len() as u64, "warning", "warnings")
    )
}

/// Prints the contract's scan JSON, plus `layout` and `site` (the layout, the file that decided
/// it, why, and its folders).
pub fn write_scan_json(result: &ScanResult, out: &mut impl Write) -> io::Result<()> {
    let mut json = serde_json::to_value(result.to_json())?;
    if let Some(object) = json.as_object_mut() {
        object.insert("layout".to_owned(), result.layout.kind.to_string().into());
        object.insert(
            "site".to_owned(),
            serde_json::to_value(result.layout.summary())?,
        );
    }
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}
