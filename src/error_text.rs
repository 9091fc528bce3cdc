//! How the binary words an error: each cause once, the operating system's texts in plain words.

use std::io;

/// The error and its causes in words, each said once. `{:#}` would repeat a cause that the
/// message above it already quotes (`path: No such file…: No such file…`), and an I/O error's
/// own text ends in `(os error 2)`, which tells a person nothing.
pub(crate) fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    // Only the operating system's own texts are reworded: an error made with a message of ours
    // (a refused symlink, say) already says what happened.
    for io in error.chain().filter_map(|c| c.downcast_ref::<io::Error>()) {
        if let Some(code) = io.raw_os_error() {
            let words = io_words(io).map_or_else(
                || io.to_string().replace(&format!(" (os error {code})"), ""),
                str::to_owned,
            );
            text = text.replace(&io.to_string(), &words);
        }
    }
    text
}

/// What an I/O error means, in the words a person would use.
fn io_words(error: &io::Error) -> Option<&'static str> {
    Some(match error.kind() {
        io::ErrorKind::NotFound => "no such file or folder",
        io::ErrorKind::PermissionDenied => "permission denied",
        io::ErrorKind::NotADirectory => "not a folder",
        io::ErrorKind::IsADirectory => "a folder, not a file",
        io::ErrorKind::AlreadyExists => "already exists",
        io::ErrorKind::StorageFull => "the disk is full",
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only",
        io::ErrorKind::InvalidData => "not valid text",
        _ => return None,
    })
}

/// Whether the error is a closed pipe on stdout (`blog-avatars scan | head`).
pub(crate) fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}
