//! The built-in profiles, embedded in the binary from `config/policies/`.

/// The names `[policy] profile` accepts besides `none`.
pub const NAMES: &[&str] = &["strict", "moderate", "permissive"];

/// The rule-file text of a built-in profile.
pub fn builtin(name: &str) -> Option<&'static str> {
    match name {
        "strict" => Some(include_str!("../../config/policies/strict.toml")),
        "moderate" => Some(include_str!("../../config/policies/moderate.toml")),
        "permissive" => Some(include_str!("../../config/policies/permissive.toml")),
        _ => None,
    }
}
