//! Comments of a post: from its front matter (`comments` at the top level, under `extra` or
//! under `params`) and from Staticman-style data files in `<comment dir>/<slug>/`, one comment or
//! a list per file.
//!
//! A comment reaches templates as name, date, body HTML and avatar URLs only: its email, hash or
//! QQ number stays here.

use std::path::Path;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::avatars::{Avatar, Avatars};
use super::dates::BlogDate;
use super::markdown::comment_html;
use crate::model::Warning;
use crate::scan::SiteLayout;

/// Fields holding the commenter's name, first match wins.
const NAME_FIELDS: &[&str] = &["name", "author", "nick"];
/// Fields holding the comment text.
const BODY_FIELDS: &[&str] = &["body", "message", "comment", "content"];
/// Fields holding the date.
const DATE_FIELDS: &[&str] = &["date", "created_at", "createdat", "time"];
/// Shown when a comment has no name.
const ANONYMOUS: &str = "Anonymous";

/// One comment as templates see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// The commenter's name (text; templates escape it).
    pub name: String,
    /// First letter of the name, for a placeholder when there is no avatar.
    pub initial: String,
    /// `<time datetime>` value, when dated.
    pub date: Option<String>,
    /// Human date, when dated.
    pub date_display: Option<String>,
    /// The body as sanitised HTML.
    pub body: String,
    /// The avatar, when the data file has one for this commenter.
    pub avatar: Option<Avatar>,
    #[serde(skip)]
    instant: Option<Timestamp>,
}

impl Comment {
    /// Builds a comment from one map; `None` when the value is not a map.
    pub fn from_value(value: &Value, avatars: &Avatars) -> Option<Self> {
        let map = value.as_object()?;
        let name = text_field(map, NAME_FIELDS).unwrap_or_else(|| ANONYMOUS.to_owned());
        let date = field(map, DATE_FIELDS).and_then(BlogDate::from_value);
        let body = text_field(map, BODY_FIELDS).unwrap_or_default();
        Some(Self {
            initial: initial(&name),
            name,
            date: date.map(|d| d.machine()),
            date_display: date.map(|d| d.display()),
            body: comment_html(&body),
            avatar: avatars.for_record(value),
            instant: date.map(|d| d.instant),
        })
    }
}

/// The first letter (upper case) of a name, or `?`.
pub fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map_or_else(|| "?".to_owned(), |c| c.to_uppercase().collect())
}

/// Sorts by date, oldest first; undated comments go last, in the order they were read.
pub fn sort(comments: &mut [Comment]) {
    comments.sort_by_key(|c| (c.instant.is_none(), c.instant));
}

/// The comment maps of a post's front matter.
pub fn in_front_matter(front: &Value) -> Vec<&Value> {
    let mut found = Vec::new();
    let Some(map) = front.as_object() else {
        return found;
    };
    let mut lists = vec![field(map, &["comments"])];
    for nested in ["extra", "params"] {
        if let Some(Value::Object(inner)) = field(map, &[nested]) {
            lists.push(field(inner, &["comments"]));
        }
    }
    for list in lists.into_iter().flatten() {
        if let Value::Array(items) = list {
            found.extend(items.iter().filter(|item| item.is_object()));
        }
    }
    found
}

/// Reads the data files of one post. A file that cannot be used is a warning naming it.
pub fn in_data_files(dir: &Path, layout: &SiteLayout, limit: u64) -> (Vec<Value>, Vec<Warning>) {
    let mut comments = Vec::new();
    let mut warnings = Vec::new();
    if !dir.is_dir() {
        return (comments, warnings);
    }
    let walker = crate::files::walk_visible(dir);
    for entry in walker {
        let warn = |path: &Path, message: String| Warning {
            path: layout.relative(path),
            line: None,
            message,
        };
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                warnings.push(warn(
                    error.path().unwrap_or(dir),
                    format!("cannot read: {error}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() || !crate::scan::is_data_file(entry.path()) {
            continue;
        }
        match crate::scan::read_data_file(entry.path(), limit).map(|document| document.value) {
            // A map holding a `comments` list is a file of several comments, as the scan reads it.
            Ok(Value::Object(mut map))
                if map
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case("comments") && v.is_array()) =>
            {
                let key = map
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case("comments"))
                    .cloned()
                    .unwrap_or_default();
                if let Some(Value::Array(items)) = map.remove(&key) {
                    comments.extend(items.into_iter().filter(Value::is_object));
                }
            }
            Ok(Value::Array(items)) => {
                let before = comments.len();
                comments.extend(items.into_iter().filter(Value::is_object));
                if comments.len() == before {
                    warnings.push(warn(entry.path(), "no comments in this list".to_owned()));
                }
            }
            Ok(value @ Value::Object(_)) => comments.push(value),
            Ok(_) => warnings.push(warn(
                entry.path(),
                "comment data should be a map or a list of maps".to_owned(),
            )),
            Err((line, message)) => warnings.push(Warning {
                line,
                ..warn(entry.path(), message)
            }),
        }
    }
    (comments, warnings)
}

/// A field by any of `names`, keys matched case-insensitively; nulls count as absent.
pub fn field<'a>(map: &'a serde_json::Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|name| {
        map.iter()
            .find(|(key, value)| key.eq_ignore_ascii_case(name) && !value.is_null())
            .map(|(_, value)| value)
    })
}

/// A text field (numbers are written out), trimmed, non-empty.
pub fn text_field(map: &serde_json::Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        let text = match field(map, &[name])? {
            Value::String(text) => text.trim().to_owned(),
            Value::Number(number) => number.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::publish::DataFile;
    use serde_json::json;

    fn avatars() -> Avatars {
        Avatars::new(&DataFile::new(), &Config::default())
    }

    #[test]
    fn fields_by_any_name_and_case() {
        let comment = Comment::from_value(
            &json!({"Nick": " Bob ", "MESSAGE": "hi <b>x</b>", "Date": 1_700_000_000}),
            &avatars(),
        )
        .unwrap();
        assert_eq!(comment.name, "Bob");
        assert_eq!(comment.initial, "B");
        assert_eq!(comment.body, "<p>hi &lt;b&gt;x&lt;/b&gt;</p>\n");
        assert_eq!(comment.date.as_deref(), Some("2023-11-14T22:13:20Z"));
        let anonymous = Comment::from_value(&json!({"name": "", "body": 1}), &avatars()).unwrap();
        assert_eq!(
            (anonymous.name.as_str(), anonymous.initial.as_str()),
            ("Anonymous", "A")
        );
        assert_eq!(anonymous.body, "<p>1</p>\n");
        assert_eq!(initial("  ...小明"), "小");
        assert_eq!(initial("!!"), "?");
        assert!(Comment::from_value(&json!(["x"]), &avatars()).is_none());
    }

    #[test]
    fn sorted_by_date_undated_last() {
        let make = |name: &str, date: Value| {
            Comment::from_value(&json!({"name": name, "date": date}), &avatars()).unwrap()
        };
        let mut comments = vec![
            make("undated-1", Value::Null),
            make("late", json!("2026-01-17")),
            make("undated-2", json!("not a date")),
            make("early", json!(1_700_000_000)),
            make("middle", json!("2026-01-16T23:00:00+08:00")),
        ];
        sort(&mut comments);
        let names: Vec<_> = comments.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["early", "middle", "late", "undated-1", "undated-2"]);
    }

    #[test]
    fn front_matter_lists() {
        let front = json!({
            "Comments": [{"name": "a"}, "junk"],
            "extra": {"comments": [{"name": "b"}]},
            "params": {"comments": [{"name": "c"}]},
        });
        let names: Vec<_> = in_front_matter(&front)
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(in_front_matter(&json!(null)).is_empty());
    }

    #[test]
    fn data_files_one_or_many_and_warnings() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join("data/comments/post");
        std::fs::create_dir_all(dir.join("nested")).unwrap();
        let files: &[(&str, &str)] = &[
            ("a.yml", "name: A\nmessage: one\n"),
            ("b.json", r#"[{"name": "B"}, {"name": "C"}]"#),
            ("nested/c.toml", "name = \"D\"\n"),
            ("d.yaml", "name: [unclosed\n"),
            ("e.json", "\"just text\""),
            ("f.yml", ""),
            ("notes.txt", "ignored"),
            (".hidden.yml", "name: hidden\n"),
        ];
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        let layout = SiteLayout::resolve(site.path(), &Default::default());
        let (comments, warnings) = in_data_files(&dir, &layout, 1024);
        let names: Vec<_> = comments
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["A", "B", "C", "D"]);
        let paths: Vec<_> = warnings.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "data/comments/post/d.yaml",
                "data/comments/post/e.json",
                "data/comments/post/f.yml"
            ]
        );
        assert!(
            warnings[0].message.starts_with("malformed data file"),
            "{warnings:?}"
        );
        let (_, too_big) = in_data_files(&dir, &layout, 10);
        assert!(
            too_big
                .iter()
                .any(|w| w.message.contains("larger than 10 bytes"))
        );
    }
}
