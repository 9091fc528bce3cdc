//! Posts: Markdown (or HTML) files with YAML, TOML or JSON front matter, read into what the
//! templates show. A post that cannot be read is a warning naming its file, never a failure.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::avatars::{Avatar, Avatars};
use super::comments::{self, Comment, field, text_field};
use super::dates::BlogDate;
use super::markdown::post_html;
use crate::model::Warning;
use crate::scan::SiteLayout;
use crate::scan::front_matter::{FrontMatterError, split};

/// Markdown extensions; `.html`/`.htm` posts are used as they are.
const MARKDOWN_EXTENSIONS: &[&str] = &["md", "markdown", "mdown", "mkd"];
const HTML_EXTENSIONS: &[&str] = &["html", "htm"];

/// One post as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct Post {
    /// Title (the slug when the front matter has none).
    pub title: String,
    /// The output directory name: the front matter's `slug`, else the file stem.
    pub slug: String,
    /// Link from the site root, percent-encoded and relative (`<slug>/`).
    pub url: String,
    /// `<time datetime>` value, when dated.
    pub date: Option<String>,
    /// Human date, when dated.
    pub date_display: Option<String>,
    /// The author's name, when given.
    pub author: Option<String>,
    /// The author's avatar, when the data file has one.
    pub author_avatar: Option<Avatar>,
    /// The body as HTML.
    pub content: String,
    /// The first paragraph as HTML.
    pub summary: String,
    /// Comments, oldest first (on a post's own page; empty in the index's list, which would
    /// otherwise hold every comment of the site at once).
    pub comments: Vec<Comment>,
    /// Number of comments (set on the index too).
    pub comment_count: usize,
    #[serde(skip)]
    pub(super) instant: Option<Timestamp>,
    #[serde(skip)]
    pub(super) source: PathBuf,
}

/// What reading one post file gave.
pub enum Read {
    /// A post to render.
    Post(Box<Post>),
    /// A draft (`draft: true`): not published.
    Draft,
    /// Unusable: the warning says why.
    Skipped,
}

/// Lists post files, sorted, skipping hidden entries and section files (`_index.md`).
pub fn list(layout: &SiteLayout) -> (Vec<PathBuf>, Vec<Warning>) {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for dir in layout.post_dirs.iter().filter(|dir| dir.is_dir()) {
        let walker = crate::files::walk_visible(dir);
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() && is_post(entry.path()) => {
                    files.push(entry.into_path());
                }
                Ok(_) => {}
                Err(error) => warnings.push(Warning {
                    path: layout.relative(error.path().unwrap_or(dir)),
                    line: None,
                    message: format!("cannot read: {error}"),
                }),
            }
        }
    }
    (files, warnings)
}

fn is_post(path: &Path) -> bool {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    extension(path).is_some_and(|e| {
        MARKDOWN_EXTENSIONS.contains(&e.as_str()) || HTML_EXTENSIONS.contains(&e.as_str())
    }) && stem != "_index"
}

fn extension(path: &Path) -> Option<String> {
    Some(path.extension()?.to_str()?.to_ascii_lowercase())
}

/// Reads one post without its comments ([`comments_of`] reads those when its page is
/// rendered). Warnings go to `warnings`. Front matter over `front_matter_limit` bytes skips the
/// post, as the scanner skips it: what the scan refused must not be rendered either.
pub fn read(
    path: &Path,
    layout: &SiteLayout,
    avatars: &Avatars,
    front_matter_limit: u64,
    warnings: &mut Vec<Warning>,
) -> Read {
    let relative = layout.relative(path);
    let mut warn = |line: Option<usize>, message: String| {
        warnings.push(Warning {
            path: relative.clone(),
            line,
            message,
        });
    };
    let text = match std::fs::read(path) {
        Ok(bytes) if bytes.contains(&0) => {
            warn(None, FrontMatterError::Binary.to_string());
            return Read::Skipped;
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                warn(None, "not UTF-8 text".to_owned());
                return Read::Skipped;
            }
        },
        Err(error) => {
            warn(None, format!("cannot read: {error}"));
            return Read::Skipped;
        }
    };
    let (front, body) = match split(&text) {
        Ok(split) => split,
        Err(FrontMatterError::Empty) => (None, ""),
        Err(error) => {
            warn(Some(1), error.to_string());
            return Read::Skipped;
        }
    };
    if let Some(front) = &front
        && front.text.len() as u64 > front_matter_limit
    {
        // Said once: the scan's warning for the same file reads the same.
        let error = FrontMatterError::TooLarge {
            limit: front_matter_limit,
        };
        warn(None, error.to_string());
        return Read::Skipped;
    }
    let front = match front {
        None => Value::Object(serde_json::Map::new()),
        Some(front) => match crate::scan::parse(front.format, &front.text) {
            Ok(Value::Null) => Value::Object(serde_json::Map::new()),
            Ok(value @ Value::Object(_)) => value,
            Ok(_) => {
                warn(
                    Some(front.first_line),
                    "front matter should be a map".to_owned(),
                );
                return Read::Skipped;
            }
            Err((line, message)) => {
                let line = line.map(|l| l + front.first_line - 1);
                warn(line, format!("malformed front matter: {message}"));
                return Read::Skipped;
            }
        },
    };
    let Some(map) = front.as_object() else {
        return Read::Skipped;
    };
    if field(map, &["draft"]).and_then(Value::as_bool) == Some(true) {
        return Read::Draft;
    }
    // A page bundle (`my-post/index.md`) is named by its directory.
    let stem = match path.file_stem().map(|s| s.to_string_lossy().into_owned()) {
        Some(stem)
            if stem == "index" && !layout.post_dirs.iter().any(|d| path.parent() == Some(d)) =>
        {
            path.parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
        }
        stem => stem,
    };
    let slug = text_field(map, &["slug"]).or(stem).unwrap_or_default();
    if let Err(problem) = check_slug(&slug) {
        warn(None, format!("slug `{slug}` {problem}; post skipped"));
        return Read::Skipped;
    }
    let date_value = field(map, &["date"]);
    let date = date_value.and_then(BlogDate::from_value);
    if let (Some(value), None) = (date_value, date) {
        warn(
            None,
            format!("`date` {value} is not a date; the post is undated"),
        );
    }
    let author = match field(map, &["author"]) {
        Some(Value::Object(person)) => text_field(person, &["name"]),
        Some(_) => text_field(map, &["author"]),
        None => None,
    };
    let author_avatar = avatars.for_record(&front).or_else(|| {
        field(map, &["author"])
            .filter(|a| a.is_object())
            .and_then(|person| avatars.for_record(person))
    });
    let html = if extension(path).is_some_and(|e| HTML_EXTENSIONS.contains(&e.as_str())) {
        super::markdown::PostHtml {
            content: body.to_owned(),
            summary: String::new(),
        }
    } else {
        post_html(body)
    };

    Read::Post(Box::new(Post {
        title: text_field(map, &["title"]).unwrap_or_else(|| slug.clone()),
        url: format!("{}/", url_segment(&slug)),
        slug,
        date: date.map(|d| d.machine()),
        date_display: date.map(|d| d.display()),
        author,
        author_avatar,
        content: html.content,
        summary: html.summary,
        comment_count: 0,
        comments: Vec::new(),
        instant: date.map(|d| d.instant),
        source: path.to_path_buf(),
    }))
}

/// The comments of `post`, oldest first: from its front matter (read up to the closing
/// delimiter only, never the body) and from the data files under `<comment_dir>/<slug>/`.
/// Problems with the data files go to `warnings`; the post itself was checked by [`read`].
pub fn comments_of(
    post: &Post,
    layout: &SiteLayout,
    avatars: &Avatars,
    data_file_limit: u64,
    warnings: &mut Vec<Warning>,
) -> Vec<Comment> {
    let front = std::fs::File::open(&post.source)
        .ok()
        .and_then(|file| {
            crate::scan::front_matter::read_front_matter(std::io::BufReader::new(file), u64::MAX)
                .ok()
                .flatten()
        })
        .and_then(|front| crate::scan::parse(front.format, &front.text).ok())
        .unwrap_or(Value::Null);
    let mut all: Vec<Comment> = comments::in_front_matter(&front)
        .into_iter()
        .filter_map(|value| Comment::from_value(value, avatars))
        .collect();
    let (from_files, file_warnings) = comments::in_data_files(
        &layout.comment_dir.join(&post.slug),
        layout,
        data_file_limit,
    );
    warnings.extend(file_warnings);
    all.extend(
        from_files
            .iter()
            .filter_map(|value| Comment::from_value(value, avatars)),
    );
    comments::sort(&mut all);
    all
}

/// A slug names one directory of the output: no separators, no `.`/`..`, no control characters.
fn check_slug(slug: &str) -> Result<(), &'static str> {
    if slug.is_empty() || slug == "." || slug == ".." {
        return Err("is not a directory name");
    }
    if slug.contains(['/', '\\']) || slug.chars().any(char::is_control) {
        return Err("has a path separator or control character");
    }
    if slug.starts_with('.') {
        return Err("would be a hidden directory");
    }
    Ok(())
}

/// Percent-encodes a slug for use as one URL path segment.
fn url_segment(slug: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(slug, SEGMENT).to_string()
}

/// Newest first; undated posts last, by slug.
pub fn sort(posts: &mut [Post]) {
    posts.sort_by(|a, b| {
        (a.instant.is_none(), std::cmp::Reverse(a.instant), &a.slug).cmp(&(
            b.instant.is_none(),
            std::cmp::Reverse(b.instant),
            &b.slug,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(check_slug("hello-world").is_ok());
        assert!(check_slug("你好").is_ok());
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", ".git", "a\nb"] {
            assert!(check_slug(bad).is_err(), "{bad:?}");
        }
        assert_eq!(url_segment("你好 world"), "%E4%BD%A0%E5%A5%BD%20world");
        assert_eq!(url_segment("a-b_c.d~e"), "a-b_c.d~e");
    }
}
