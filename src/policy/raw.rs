//! The rule file as written (serde model). Validation and compilation live in `compile.rs`.
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A whole rule file.
#[derive(Debug, Deserialize, Default)]
pub struct RawRuleFile {
    pub default: Option<Spanned<String>>,
    #[serde(default)]
    pub rule: Vec<RawRule>,
}

/// One `[[rule]]` table.
#[derive(Debug, Deserialize)]
pub struct RawRule {
    pub id: Spanned<String>,
    pub description: Option<String>,
    pub tools: Option<Vec<Spanned<String>>>,
    pub surfaces: Option<Vec<Spanned<String>>>,
    pub routes: Option<Vec<Spanned<String>>>,
    pub principals: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub tags_any: Vec<Spanned<String>>,
    #[serde(default)]
    pub tags_all: Vec<Spanned<String>>,
    #[serde(default)]
    pub tags_none: Vec<Spanned<String>>,
    #[serde(default)]
    pub args: BTreeMap<String, Spanned<RawMatcher>>,
    pub decision: Spanned<String>,
    pub reason: Option<String>,
    pub rate: Option<Spanned<String>>,
    pub set: Option<Spanned<BTreeMap<String, toml::Value>>>,
    pub remove: Option<Spanned<Vec<String>>>,
    pub cap: Option<Spanned<BTreeMap<String, f64>>>,
    pub redact: Option<Spanned<Vec<String>>>,
}

/// An argument matcher: a bare glob string, or a table of tests that must all hold.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawMatcher {
    Glob(String),
    Table(RawMatcherTable),
}

/// The table form of an argument matcher.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawMatcherTable {
    pub glob: Option<String>,
    pub iglob: Option<String>,
    pub regex: Option<String>,
    pub equals: Option<toml::Value>,
    pub contains: Option<String>,
    pub exists: Option<bool>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}
