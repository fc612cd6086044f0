//! Strict TOML deserialization: every unknown key in a file is reported (with its line), not just the first.
//!
//! Raw structs do not use `deny_unknown_fields` (which stops at the first); instead `serde_ignored` reports
//! every key the structs did not consume, and `toml_edit` finds where each one is written.
use super::diag::Diagnostics;
use serde::de::DeserializeOwned;

/// Deserializes `T` from TOML source, recording syntax/type errors and unknown keys in `diags`.
/// Returns `None` when the file could not be read into `T` at all.
pub fn parse_strict<T: DeserializeOwned>(diags: &mut Diagnostics<'_>) -> Option<T> {
    let source = diags.source;
    let mut unknown: Vec<String> = Vec::new();
    let de = toml::Deserializer::new(source);
    let result: Result<T, _> = serde_ignored::deserialize(de, |path| unknown.push(path.to_string()));
    let doc = source.parse::<toml_edit::ImDocument<String>>().ok();
    for path in &unknown {
        let offset = doc.as_ref().and_then(|d| key_offset(d, path));
        diags.at(offset, display_path(path), "unknown field");
    }
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            let offset = e.span().map(|s| s.start);
            diags.at(offset, "", e.message().trim().to_string());
            None
        }
    }
}

/// `rule.3.decison` → `rule[3].decison`.
fn display_path(path: &str) -> String {
    let mut out = String::new();
    for part in path.split('.') {
        if part.parse::<usize>().is_ok() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
    }
    out
}

/// Finds the byte offset of the key at a `serde_ignored` path (`a.0.b`).
fn key_offset(doc: &toml_edit::ImDocument<String>, path: &str) -> Option<usize> {
    let mut table: &dyn toml_edit::TableLike = doc.as_table();
    let mut parts = path.split('.').peekable();
    let mut offset = None;
    while let Some(part) = parts.next() {
        let (key, value) = table.get_key_value(part)?;
        offset = key.span().map(|s| s.start).or(offset);
        if parts.peek().is_none() {
            break;
        }
        match value {
            toml_edit::Item::ArrayOfTables(a) => {
                let index = parts.next()?.parse::<usize>().ok()?;
                let t = a.get(index)?;
                offset = t.span().map(|s| s.start).or(offset);
                table = t;
            }
            toml_edit::Item::Value(toml_edit::Value::Array(a)) => {
                let index = parts.next()?.parse::<usize>().ok()?;
                let v = a.get(index)?;
                offset = v.span().map(|s| s.start).or(offset);
                match v.as_inline_table() {
                    Some(t) => table = t,
                    None => break,
                }
            }
            other => match other.as_table_like() {
                Some(t) => table = t,
                None => break,
            },
        }
    }
    offset
}
