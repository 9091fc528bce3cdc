//! Printing results: human lines or one JSON document on stdout, warnings on stderr.

use std::io::{self, Write};

use crate::scan::ScanResult;

/// Prints the scan result for people: one line per identity, then a summary.
pub fn write_scan_human(result: &ScanResult, out: &mut impl Write) -> io::Result<()> {
    for found in &result.identities {
        let places: Vec<String> = found
            .sources
            .iter()
            .map(|source| match source.line {
                Some(line) => format!("{}:{line}", source.path),
                None => source.path.clone(),
            })
            .collect();
        writeln!(
            out,
            "{:<6} {}  ({})",
            found.identity.kind().as_str(),
            found.identity.value(),
            places.join(", ")
        )?;
    }
    writeln!(
        out,
        "{} identities in {} files ({} layout), {} warnings",
        result.identities.len(),
        result.files,
        result.layout.kind,
        result.warnings.len()
    )
}

/// Prints the contract's scan JSON.
pub fn write_scan_json(result: &ScanResult, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &result.to_json())?;
    writeln!(out)
}
