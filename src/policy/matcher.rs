//! Argument matchers: compiled tests on decoded argument values at dotted paths.
use globset::{GlobBuilder, GlobMatcher};
use regex::Regex;
use serde_json::Value;

/// One compiled test on a value.
#[derive(Debug, Clone)]
pub enum Test {
    Glob(GlobMatcher),
    Regex(Regex),
    Equals(Value),
    Contains(String),
    Exists(bool),
    Min(f64),
    Max(f64),
}

/// A path into the arguments and the tests that must all hold there.
#[derive(Debug, Clone)]
pub struct ArgMatcher {
    pub path: Vec<String>,
    pub tests: Vec<Test>,
}

/// Compiles a glob; `*` crosses `/` (arguments are not paths).
pub fn compile_glob(pattern: &str, case_insensitive: bool) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .literal_separator(false)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("invalid glob {pattern:?}: {}", e.kind()))
}

/// Splits a dotted path (`a.b.0`).
pub fn split_path(path: &str) -> Vec<String> {
    path.split('.').map(str::to_string).collect()
}

/// Looks a dotted path up in a JSON value.
pub fn lookup<'v>(value: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, key| match v {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

impl ArgMatcher {
    /// Whether every test holds on the value at the path.
    pub fn matches(&self, args: &Value) -> bool {
        let found = lookup(args, &self.path);
        self.tests.iter().all(|t| test(t, found))
    }
}

fn test(t: &Test, found: Option<&Value>) -> bool {
    match t {
        Test::Exists(want) => found.is_some() == *want,
        Test::Equals(want) => found == Some(want),
        _ => match found {
            Some(Value::Array(items)) => items.iter().any(|v| scalar(t, v)),
            Some(v) => scalar(t, v),
            None => false,
        },
    }
}

fn scalar(t: &Test, v: &Value) -> bool {
    match (t, v) {
        (Test::Glob(g), Value::String(s)) => g.is_match(s),
        (Test::Regex(r), Value::String(s)) => r.is_match(s),
        (Test::Contains(needle), Value::String(s)) => s.contains(needle.as_str()),
        (Test::Glob(g), Value::Number(n)) => g.is_match(n.to_string()),
        (Test::Regex(r), Value::Number(n)) => r.is_match(&n.to_string()),
        (Test::Glob(g), Value::Bool(b)) => g.is_match(b.to_string()),
        (Test::Min(m), Value::Number(n)) => n.as_f64().is_some_and(|x| x >= *m),
        (Test::Max(m), Value::Number(n)) => n.as_f64().is_some_and(|x| x <= *m),
        (Test::Equals(want), v) => v == want,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn globs_cross_slashes_and_arrays_match_any_element() {
        let m = ArgMatcher { path: split_path("cmd"), tests: vec![Test::Glob(compile_glob("rm *", false).unwrap())] };
        assert!(m.matches(&json!({"cmd": "rm -rf /tmp/x"})));
        assert!(m.matches(&json!({"cmd": ["ls", "rm a/b"]})));
        assert!(!m.matches(&json!({"cmd": "ls"})));
        assert!(!m.matches(&json!({"other": "rm x"})));
    }

    #[test]
    fn nested_paths_and_numbers() {
        let m = ArgMatcher { path: split_path("a.0.t"), tests: vec![Test::Max(10.0)] };
        assert!(m.matches(&json!({"a": [{"t": 5}]})));
        assert!(!m.matches(&json!({"a": [{"t": 50}]})));
        let e = ArgMatcher { path: split_path("elevated"), tests: vec![Test::Exists(false)] };
        assert!(e.matches(&json!({})));
        assert!(!e.matches(&json!({"elevated": true})));
    }
}
