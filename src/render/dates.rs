//! Dates of posts and comments, in the shapes blogs write them: ISO dates, RFC 3339 date-times,
//! Jekyll's `2026-01-15 10:00:00 +0800`, TOML datetimes, and Unix timestamps (Staticman's seconds
//! or JavaScript milliseconds).
//!
//! A date keeps the calendar day its author wrote (their local day, whatever the offset) for
//! display, and an instant for sorting; a value without an offset counts as UTC.

use jiff::fmt::{strtime, temporal::Pieces};
use jiff::tz::Offset;
use jiff::{Timestamp, civil};
use serde_json::Value;

/// The key under which `toml` hands a datetime to a generic deserializer such as
/// `serde_json::Value`.
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";
/// Integers above this are milliseconds: as seconds they would be past the year 5000.
const MILLISECONDS_FROM: i64 = 100_000_000_000;
/// Date-time shapes the ISO parser does not take (Jekyll and Hexo write the first ones).
const EXTRA_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
];

/// A parsed date or date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlogDate {
    /// The instant, for sorting.
    pub instant: Timestamp,
    /// The calendar day as written.
    pub day: civil::Date,
    /// Whether a time of day was given (else the instant is midnight UTC of `day`).
    pub has_time: bool,
}

impl BlogDate {
    /// Reads a front matter or comment data value; `None` when it is no date this understands.
    pub fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Number(number) => number.as_i64().and_then(Self::from_unix),
            Value::String(text) => Self::parse(text),
            Value::Object(map) if map.len() == 1 => {
                map.get(TOML_DATETIME_KEY)?.as_str().and_then(Self::parse)
            }
            _ => None,
        }
    }

    /// Parses text: digits are a Unix timestamp, anything else an ISO or Jekyll-style date.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse().ok().and_then(Self::from_unix);
        }
        if let Ok(pieces) = Pieces::parse(text) {
            let time = pieces.time();
            let local = pieces.date().to_datetime(time.unwrap_or_default());
            return Self::from_local(local, pieces.to_numeric_offset(), time.is_some());
        }
        EXTRA_FORMATS.iter().find_map(|format| {
            let parsed = strtime::parse(format, text).ok()?;
            let local = parsed.to_datetime().ok()?;
            Self::from_local(local, parsed.offset(), format.contains("%H"))
        })
    }

    fn from_unix(number: i64) -> Option<Self> {
        let instant = if number >= MILLISECONDS_FROM {
            Timestamp::from_millisecond(number).ok()?
        } else {
            Timestamp::from_second(number).ok()?
        };
        Some(Self {
            instant,
            day: Offset::UTC.to_datetime(instant).date(),
            has_time: true,
        })
    }

    fn from_local(local: civil::DateTime, offset: Option<Offset>, has_time: bool) -> Option<Self> {
        let instant = offset.unwrap_or(Offset::UTC).to_timestamp(local).ok()?;
        Some(Self {
            instant,
            day: local.date(),
            has_time,
        })
    }

    /// For `<time datetime="...">`: the day, or the instant in UTC.
    pub fn machine(&self) -> String {
        if self.has_time {
            self.instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            self.day.to_string()
        }
    }

    /// For readers: `January 15, 2026`.
    pub fn display(&self) -> String {
        self.day.strftime("%B %-d, %Y").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(value: Value) -> (String, String, i64) {
        let date = BlogDate::from_value(&value).unwrap_or_else(|| panic!("{value} not a date"));
        (date.machine(), date.display(), date.instant.as_second())
    }

    #[test]
    fn iso_dates_and_date_times() {
        assert_eq!(
            parsed(json!("2026-01-15")),
            (
                "2026-01-15".into(),
                "January 15, 2026".into(),
                1_768_435_200
            )
        );
        // The author's day stays, the instant moves to UTC.
        let (machine, display, _) = parsed(json!("2026-01-15T01:30:00+08:00"));
        assert_eq!(machine, "2026-01-14T17:30:00Z");
        assert_eq!(display, "January 15, 2026");
        assert_eq!(
            parsed(json!("2026-01-15T10:00:00Z")).0,
            "2026-01-15T10:00:00Z"
        );
        assert_eq!(parsed(json!("2026-01-15 10:00")).0, "2026-01-15T10:00:00Z");
    }

    #[test]
    fn jekyll_and_slashes() {
        let (machine, display, _) = parsed(json!("2026-01-15 08:00:00 +0800"));
        assert_eq!(machine, "2026-01-15T00:00:00Z");
        assert_eq!(display, "January 15, 2026");
        assert_eq!(parsed(json!("2026/3/9")).0, "2026-03-09");
    }

    #[test]
    fn unix_seconds_and_milliseconds() {
        assert_eq!(
            parsed(json!(1_700_000_000)),
            (
                "2023-11-14T22:13:20Z".into(),
                "November 14, 2023".into(),
                1_700_000_000
            )
        );
        assert_eq!(parsed(json!(1_700_000_000_123_i64)).2, 1_700_000_000);
        assert_eq!(parsed(json!("1700000000")).2, 1_700_000_000);
    }

    #[test]
    fn toml_datetimes() {
        let value: Value =
            toml::from_str("a = 2026-02-01\nb = 2026-02-01T10:00:00+01:00\n").unwrap();
        assert_eq!(parsed(value["a"].clone()).0, "2026-02-01");
        assert_eq!(parsed(value["b"].clone()).0, "2026-02-01T09:00:00Z");
    }

    #[test]
    fn not_dates() {
        for value in [
            json!("yesterday"),
            json!(""),
            json!(true),
            json!(1.5),
            json!({"a": 1}),
        ] {
            assert_eq!(BlogDate::from_value(&value), None, "{value}");
        }
    }
}
