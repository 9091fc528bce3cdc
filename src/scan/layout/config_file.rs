//! A generator's own config file read into a JSON value, whatever its format (TOML, YAML, JSON),
//! so each generator's rules can look keys up the way that generator does.

use std::path::Path;

use serde_json::Value;

/// What reading one candidate config file gave.
pub(super) enum ConfigRead {
    /// No such file.
    Missing,
    /// Parsed; an empty file is an empty map.
    Parsed(Value),
    /// There, but not readable or not valid in its format: why.
    Invalid(String),
}

/// Reads `root/name`, choosing the parser by extension (`.toml`, `.json`, else YAML).
pub(super) fn read(root: &Path, name: &str) -> ConfigRead {
    let path = root.join(name);
    if !path.is_file() {
        return ConfigRead::Missing;
    }
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => return ConfigRead::Invalid(format!("{name}: cannot be read: {error}")),
    };
    let parsed = match name.rsplit('.').next() {
        Some("toml") => text
            .parse::<toml::Table>()
            .map_err(|e| format!("not valid TOML: {}", e.message()))
            .and_then(|table| serde_json::to_value(table).map_err(|e| e.to_string())),
        Some("json") => {
            serde_json::from_str::<Value>(&text).map_err(|e| format!("not valid JSON: {e}"))
        }
        _ => serde_saphyr::from_str::<Value>(&text).map_err(|e| format!("not valid YAML: {e}")),
    };
    match parsed {
        Ok(Value::Null) => ConfigRead::Parsed(Value::Object(Default::default())),
        Ok(value) => ConfigRead::Parsed(value),
        Err(why) => ConfigRead::Invalid(format!("{name}: {why}")),
    }
}

/// The value of `key` in the top-level map of `config`, matched as written.
pub(super) fn get<'a>(config: &'a Value, key: &str) -> Option<&'a Value> {
    config.as_object()?.get(key)
}

/// The key of `config` that equals `key` in any letter case (Hugo reads keys so), and its value.
pub(super) fn get_any_case<'a>(config: &'a Value, key: &str) -> Option<(&'a str, &'a Value)> {
    config
        .as_object()?
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .map(|(name, value)| (name.as_str(), value))
}

/// The first of `keys` that `config` has (as written), for the report's "why".
pub(super) fn first_key<'a>(config: &Value, keys: &[&'a str]) -> Option<&'a str> {
    keys.iter().copied().find(|key| get(config, key).is_some())
}

/// A non-empty string value.
pub(super) fn string(value: Option<&Value>) -> Option<&str> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}
