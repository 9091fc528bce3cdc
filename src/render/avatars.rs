//! Looking avatars up in the data file for rendering.
//!
//! The data file maps each identity *exactly as written in the source* to its local files, so a
//! record's raw field values are the keys. Only the URLs of local files ever leave this module:
//! the identity values themselves (emails, hashes, QQ numbers) never reach a template.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::config::{Config, DEFAULT_SIZES};
use crate::identify::FieldKind;
use crate::publish::{DataFile, SizeUrls};
use crate::scan::fields::{self, FieldNames, Locator};

/// Which field kinds are tried, in order: the first one with an entry wins.
const LOOKUP_ORDER: [FieldKind; 5] = [
    FieldKind::Email,
    FieldKind::Hash,
    FieldKind::Qq,
    FieldKind::Github,
    FieldKind::Avatar,
];

/// An avatar as templates see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Avatar {
    /// URL of the 1x file.
    pub src: String,
    /// `"<1x> 1x, <2x> 2x"`.
    pub srcset: String,
    /// CSS pixels: the `width` and `height` of the `<img>`.
    pub size: u32,
}

/// The data file, ready for lookups by raw identity or by record.
#[derive(Debug, Clone)]
pub struct Avatars {
    entries: BTreeMap<String, BTreeMap<u32, SizeUrls>>,
    size: u32,
    names: FieldNames,
}

impl Avatars {
    /// Lookups in `data`; comments get the smallest configured size.
    pub fn new(data: &DataFile, config: &Config) -> Self {
        let entries = data
            .avatars
            .iter()
            .map(|(raw, entry)| {
                let sizes = entry
                    .sizes
                    .iter()
                    .filter_map(|(size, urls)| Some((size.parse().ok()?, urls.clone())))
                    .collect();
                (raw.clone(), sizes)
            })
            .collect();
        let size = config
            .avatars
            .sizes
            .iter()
            .copied()
            .min()
            .unwrap_or(DEFAULT_SIZES[0]);
        Self {
            entries,
            size,
            names: FieldNames::new(&config.scan),
        }
    }

    /// The CSS size used for comment and author avatars.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// The avatar of `raw` (an identity exactly as written in the source) at `size` CSS pixels:
    /// the files of that size, else of the nearest larger one, else of the largest there is.
    pub fn get(&self, raw: &str, size: u32) -> Option<Avatar> {
        let sizes = self.entries.get(raw)?;
        let urls = sizes
            .range(size..)
            .next()
            .or_else(|| sizes.iter().next_back())
            .map(|(_, urls)| urls)?;
        Some(Avatar {
            src: urls.x1.clone(),
            srcset: format!("{} 1x, {} 2x", urls.x1, urls.x2),
            size,
        })
    }

    /// The avatar of the person a front matter map or comment describes, found through its
    /// identity fields (the same names, case-insensitive, as scanning uses). Nested comment
    /// lists are other people and are not looked at.
    pub fn for_record(&self, record: &Value) -> Option<Avatar> {
        let Value::Object(map) = record else {
            return None;
        };
        let own: serde_json::Map<String, Value> = map
            .iter()
            .filter(|(key, _)| !is_comment_list(key))
            .map(|(key, value)| (key.clone(), without_comment_lists(value)))
            .collect();
        let extracted = fields::extract(&Value::Object(own), &self.names, &mut Locator::new("", 1));
        let fields = extracted.records.into_iter().next()?;
        LOOKUP_ORDER.iter().find_map(|kind| {
            fields
                .iter()
                .filter(|field| field.kind == *kind)
                .find_map(|field| self.get(&field.raw, self.size))
        })
    }
}

fn is_comment_list(key: &str) -> bool {
    key.eq_ignore_ascii_case("comments") || key.eq_ignore_ascii_case("replies")
}

/// `extra`/`params` maps may hold comment lists too; keep only their own fields.
fn without_comment_lists(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !is_comment_list(key))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provider;
    use crate::publish::DataEntry;
    use serde_json::json;

    fn data(entries: &[(&str, &[u32])]) -> DataFile {
        let mut data = DataFile::new();
        for (raw, sizes) in entries {
            let sizes = sizes
                .iter()
                .map(|size| {
                    let urls = SizeUrls {
                        x1: format!("/a/{raw}-{size}.webp"),
                        x2: format!("/a/{raw}-{size}@2.webp"),
                    };
                    (size.to_string(), urls)
                })
                .collect();
            let entry = DataEntry {
                provider: Provider::Default,
                sizes,
            };
            data.avatars.insert((*raw).to_owned(), entry);
        }
        data
    }

    #[test]
    fn sizes_fall_back_to_the_nearest_larger_then_the_largest() {
        let avatars = Avatars::new(&data(&[("a", &[40, 80, 160])]), &Config::default());
        assert_eq!(avatars.size(), 40);
        let at = |size| avatars.get("a", size).map(|a| a.src);
        assert_eq!(at(40).as_deref(), Some("/a/a-40.webp"));
        assert_eq!(at(60).as_deref(), Some("/a/a-80.webp"));
        assert_eq!(at(500).as_deref(), Some("/a/a-160.webp"));
        let avatar = avatars.get("a", 80).unwrap();
        assert_eq!(avatar.srcset, "/a/a-80.webp 1x, /a/a-80@2.webp 2x");
        assert_eq!(avatar.size, 80);
        assert_eq!(avatars.get("b", 40), None);
    }

    #[test]
    fn records_try_email_then_hash_qq_github_avatar() {
        let avatars = Avatars::new(
            &data(&[("Ada@X.org", &[40]), ("123456", &[40]), ("ada", &[40])]),
            &Config::default(),
        );
        let src = |record: Value| avatars.for_record(&record).map(|a| a.src);
        // Field order in the record does not matter, kind order does.
        assert_eq!(
            src(json!({"github": "ada", "QQ": 123456, "E-Mail": "Ada@X.org"})).as_deref(),
            Some("/a/Ada@X.org-40.webp")
        );
        assert_eq!(
            src(json!({"github": "ada", "qq": 123456, "email": "nobody@x.org"})).as_deref(),
            Some("/a/123456-40.webp")
        );
        assert_eq!(
            src(json!({"extra": {"github": "ada"}})).as_deref(),
            Some("/a/ada-40.webp")
        );
        // A nested comment is someone else.
        assert_eq!(
            src(json!({"title": "x", "comments": [{"github": "ada"}]})),
            None
        );
        assert_eq!(
            src(json!({"extra": {"comments": [{"github": "ada"}]}})),
            None
        );
        assert_eq!(src(json!("ada")), None);
    }

    #[test]
    fn configured_field_names_count() {
        let mut config = Config::default();
        config.scan.email_fields = vec!["Commenter_Mail".into()];
        config.avatars.sizes = vec![64, 32];
        let avatars = Avatars::new(&data(&[("a@b.org", &[32, 64])]), &config);
        let avatar = avatars
            .for_record(&json!({"commenter_mail": "a@b.org"}))
            .unwrap();
        assert_eq!(
            (avatar.src.as_str(), avatar.size),
            ("/a/a@b.org-32.webp", 32)
        );
    }
}
