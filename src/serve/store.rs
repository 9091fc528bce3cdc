//! Saving an upload into `[local] dir` as `<identity>.<ext>`, the names the `local` provider
//! looks for.
//!
//! The identity is validated with the build's own validators and then checked again as a file
//! name (no separators, no dot names), the directory is resolved through symlinks and must lie
//! inside the site, and an existing avatar of the same identity (any extension) is replaced only
//! when the request says `overwrite`.
//!
//! What is saved is never the uploaded file itself but a clean copy ([`clean_copy`]): a photo's
//! EXIF block can hold the GPS position of the commenter's home, and bytes appended after the
//! image can hold anything; neither may reach the site.

use std::path::Path;

use axum::http::StatusCode;

use super::error::ApiError;
use crate::model::{Email, GithubLogin, QqNumber};
use crate::resolve::local::UPLOAD_EXTENSIONS;

/// Largest side of a saved upload: the build needs at most 2048 px (the 2x of the largest size).
const MAX_SAVED_SIDE: u32 = 2048;
/// JPEG quality of a saved photo: the build re-encodes it once more, so stay near lossless.
const SAVED_JPEG_QUALITY: u8 = 92;

/// Decodes an upload with the build's decoder and limits and encodes it again: upright, sRGB,
/// the centre square the build would cut anyway, with no metadata and nothing after the image.
/// A JPEG stays a JPEG; everything else becomes a PNG. Returns the bytes and their extension.
pub(crate) fn clean_copy(bytes: &[u8]) -> Result<(Vec<u8>, &'static str), ApiError> {
    use crate::model::OutputFormat;
    use crate::process::{DecodeLimits, EncodeOptions, SourceFormat};
    let not_an_image = |error: crate::process::ProcessError| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_an_image",
            format!("this file cannot be used as an avatar: {error}"),
        )
    };
    let square =
        crate::process::decode_square(bytes, &DecodeLimits::default()).map_err(not_an_image)?;
    let format = match crate::process::sniff(bytes) {
        Some(SourceFormat::Jpeg) => OutputFormat::Jpeg,
        _ => OutputFormat::Png,
    };
    let options = EncodeOptions {
        format,
        quality: SAVED_JPEG_QUALITY,
    };
    let side = square.side().min(MAX_SAVED_SIDE);
    let rendition = crate::process::render(&square, side, &options).map_err(not_an_image)?;
    Ok((rendition.bytes, format.extension()))
}

/// A validated identity, ready to be a file stem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UploadName {
    /// `email`, `qq` or `github`.
    pub(crate) kind: &'static str,
    /// The normalised identity (lower case), used as the file stem.
    pub(crate) stem: String,
}

/// Validates what was typed. `kind` is `email`, `qq`, `github`, or empty/`auto` to guess:
/// an `@` means email, 5–11 digits a QQ number, anything else a GitHub name.
pub(crate) fn upload_name(kind: Option<&str>, raw: &str) -> Result<UploadName, ApiError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(bad_identity(
            "type the email address, QQ number or GitHub name the avatar is for",
        ));
    }
    let kind = match kind
        .map(str::trim)
        .filter(|k| !k.is_empty() && *k != "auto")
    {
        Some(kind) => kind,
        None if value.contains('@') => "email",
        None if QqNumber::parse(value).is_ok() => "qq",
        None => "github",
    };
    let (kind, stem) = match kind {
        "email" => match Email::parse(value) {
            Ok(address) => ("email", address.into_string()),
            Err(_) => {
                return Err(bad_identity(format!(
                    "`{value}` is not a valid email address"
                )));
            }
        },
        "qq" => match QqNumber::parse(value) {
            Ok(number) => ("qq", number.into_string()),
            Err(_) => {
                return Err(bad_identity(format!(
                    "`{value}` is not a QQ number (5 to 11 digits, no leading zero)"
                )));
            }
        },
        "github" => match GithubLogin::parse(value) {
            Ok(login) => ("github", login.into_string()),
            Err(_) => {
                return Err(bad_identity(format!(
                    "`{value}` is not a GitHub user name (letters, digits and single hyphens, \
                     at most 39)"
                )));
            }
        },
        other => {
            return Err(bad_identity(format!(
                "unknown identity kind `{other}` (email, qq or github)"
            )));
        }
    };
    if !is_safe_stem(&stem) {
        return Err(bad_identity(format!(
            "`{value}` cannot be used as a file name (no slashes, backslashes or leading dots)"
        )));
    }
    Ok(UploadName { kind, stem })
}

fn bad_identity(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("bad_identity", message)
}

/// A file stem that names exactly one file in the directory it is joined to.
fn is_safe_stem(stem: &str) -> bool {
    !stem.is_empty()
        && stem.len() <= 254
        && !stem.starts_with('.')
        && !stem.contains("..")
        && !stem
            .chars()
            .any(|c| matches!(c, '/' | '\\' | ':') || c.is_control())
}

/// What a save did; paths relative to the site with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Saved {
    /// The file written.
    pub(crate) file: String,
    /// Earlier uploads of the same identity that were replaced (deleted or overwritten).
    pub(crate) replaced: Vec<String>,
    /// Absolute paths written or deleted.
    pub(crate) touched: Vec<std::path::PathBuf>,
}

/// Writes `bytes` (already validated as an image of type `extension`) to
/// `<local_dir>/<stem>.<extension>`.
pub(crate) fn save(
    local_dir: &Path,
    site_root: &Path,
    name: &UploadName,
    bytes: &[u8],
    extension: &str,
    overwrite: bool,
) -> Result<Saved, ApiError> {
    if !UPLOAD_EXTENSIONS.contains(&extension) {
        return Err(ApiError::bad_request(
            "unsupported",
            format!("`.{extension}` uploads are not used by the build"),
        ));
    }
    let created = !local_dir.exists();
    std::fs::create_dir_all(local_dir)
        .map_err(|e| ApiError::internal(format!("{}: {e}", local_dir.display())))?;
    let (Ok(dir), Ok(root)) = (local_dir.canonicalize(), site_root.canonicalize()) else {
        return Err(ApiError::internal(format!(
            "cannot resolve {}",
            local_dir.display()
        )));
    };
    if !dir.starts_with(&root) {
        // The build ignores uploads outside the site, so saving there would be useless.
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "outside_site",
            format!(
                "[local] dir {} is outside the site; the build would not use it",
                local_dir.display()
            ),
        ));
    }
    let file_name = format!("{}.{extension}", name.stem);
    let target = dir.join(&file_name);
    if target.parent() != Some(dir.as_path()) {
        return Err(bad_identity("the identity is not a plain file name"));
    }
    let existing = existing_uploads(&dir, &name.stem);
    if !existing.is_empty() && !overwrite {
        let mut error = ApiError::new(
            StatusCode::CONFLICT,
            "exists",
            format!(
                "an avatar for {} already exists ({}); save again to replace it",
                name.stem,
                existing.join(", ")
            ),
        );
        error.existing = existing;
        return Err(error);
    }
    if std::fs::symlink_metadata(&target).is_ok_and(|m| !m.is_file()) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_a_file",
            format!("{file_name} exists and is not a plain file; not touching it"),
        ));
    }
    crate::files::write_atomic(&target, bytes).map_err(ApiError::internal)?;
    // Another extension would win over the new file (or tie with it) in the `local` provider.
    for old in existing.iter().filter(|old| **old != file_name) {
        let path = dir.join(old);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            std::fs::remove_file(&path)
                .map_err(|e| ApiError::internal(format!("{}: {e}", path.display())))?;
        }
    }
    let relative = |file: &str| {
        let path = dir.join(file);
        path.strip_prefix(&root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut touched = vec![target.clone()];
    if created {
        touched.push(dir.clone());
    }
    touched.extend(existing.iter().map(|f| dir.join(f)));
    Ok(Saved {
        file: relative(&file_name),
        replaced: existing.iter().map(|f| relative(f)).collect(),
        touched,
    })
}

/// Files in `dir` the `local` provider would take for `stem` (case-insensitive), sorted.
fn existing_uploads(dir: &Path, stem: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let (file_stem, extension) = (path.file_stem()?.to_str()?, path.extension()?.to_str()?);
            let ours = file_stem.to_lowercase() == stem
                && UPLOAD_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str());
            ours.then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_guessed_and_validated() {
        let email = upload_name(None, " Ada@Example.org ").unwrap();
        assert_eq!(
            (email.kind, email.stem.as_str()),
            ("email", "ada@example.org")
        );
        assert_eq!(upload_name(Some("auto"), "123456").unwrap().kind, "qq");
        assert_eq!(upload_name(None, "OctoCat").unwrap().stem, "octocat");
        assert_eq!(upload_name(Some("github"), "12345").unwrap().kind, "github");
        for (kind, bad) in [
            (None, ""),
            (None, "../../etc/passwd"),
            (None, "a/b@example.org"),
            (None, "..@example.org"),
            (Some("email"), "a\\b@example.org"),
            (Some("qq"), "0123456"),
            (Some("qq"), "12ab5"),
            (Some("github"), "-bad-"),
            (Some("github"), ".hidden"),
            (Some("file"), "x"),
        ] {
            let error = upload_name(kind, bad).unwrap_err();
            assert_eq!(error.code, "bad_identity", "{bad}");
        }
    }

    #[test]
    fn saves_replace_only_on_request_and_drop_other_extensions() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join("avatars");
        let name = upload_name(None, "ada@example.org").unwrap();
        let saved = save(&dir, site.path(), &name, b"one", "png", false).unwrap();
        assert_eq!(saved.file, "avatars/ada@example.org.png");
        assert!(saved.replaced.is_empty());
        let error = save(&dir, site.path(), &name, b"two", "jpg", false).unwrap_err();
        assert_eq!(
            (error.code, error.existing.clone()),
            ("exists", vec!["ada@example.org.png".into()])
        );
        assert_eq!(
            std::fs::read(dir.join("ada@example.org.png")).unwrap(),
            b"one"
        );
        let saved = save(&dir, site.path(), &name, b"two", "jpg", true).unwrap();
        assert_eq!(
            saved.replaced,
            vec!["avatars/ada@example.org.png".to_owned()]
        );
        assert!(!dir.join("ada@example.org.png").exists());
        assert_eq!(
            std::fs::read(dir.join("ada@example.org.jpg")).unwrap(),
            b"two"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_local_dir_outside_the_site_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        let site = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), site.path().join("avatars")).unwrap();
        let name = upload_name(None, "12345").unwrap();
        let error = save(
            &site.path().join("avatars"),
            site.path(),
            &name,
            b"x",
            "png",
            false,
        )
        .unwrap_err();
        assert_eq!(error.code, "outside_site");
        assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
    }
}
