//! A compiled rule: globs built, tags resolved to bitsets, matchers compiled. Matching is allocation-free.
use super::matcher::ArgMatcher;
use super::verdict::Verdict;
use crate::analyze::{Facts, TagSet};
use crate::call::{Surface, ToolCall};
use globset::GlobSet;
use serde_json::Value;
use std::time::Duration;

/// A token-bucket rate: `capacity` calls per `per`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub capacity: u32,
    pub per: Duration,
}

impl Rate {
    /// Parses `N/second|minute|hour` (also `s`, `sec`, `m`, `min`, `h`).
    pub fn parse(s: &str) -> Result<Rate, String> {
        let (n, unit) = s.split_once('/').ok_or_else(|| format!("rate {s:?} must look like \"30/minute\""))?;
        let capacity: u32 = n
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("rate {s:?}: {n:?} is not a positive whole number"))?;
        let per = match unit.trim() {
            "second" | "sec" | "s" => Duration::from_secs(1),
            "minute" | "min" | "m" => Duration::from_secs(60),
            "hour" | "h" => Duration::from_secs(3600),
            other => return Err(format!("rate {s:?}: unknown unit {other:?} (second, minute or hour)")),
        };
        Ok(Rate { capacity, per })
    }
}

/// The argument rewrite a `constrain` rule applies.
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub set: Vec<(Vec<String>, Value)>,
    pub remove: Vec<Vec<String>>,
    pub cap: Vec<(Vec<String>, f64)>,
    pub redact: Vec<Vec<String>>,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub description: Option<String>,
    /// Where it was written: `file:line`.
    pub origin: String,
    pub tools: Option<GlobSet>,
    pub surfaces: Option<Vec<Surface>>,
    pub routes: Option<GlobSet>,
    pub principals: Option<GlobSet>,
    pub tags_any: TagSet,
    pub tags_all: TagSet,
    pub tags_none: TagSet,
    pub args: Vec<ArgMatcher>,
    pub verdict: Verdict,
    pub reason: String,
    pub rate: Option<Rate>,
    pub patch: Option<Patch>,
}

impl Rule {
    /// Whether every condition of the rule holds for this call.
    pub fn matches(&self, call: &ToolCall, facts: &Facts) -> bool {
        if let Some(tools) = &self.tools {
            if !tools.is_match(&facts.tool) && !tools.is_match(&call.tool) {
                return false;
            }
        }
        if let Some(surfaces) = &self.surfaces {
            if !surfaces.contains(&call.surface) {
                return false;
            }
        }
        if let Some(routes) = &self.routes {
            if !routes.is_match(&call.route) {
                return false;
            }
        }
        if let Some(principals) = &self.principals {
            match &call.principal {
                Some(p) if principals.is_match(p) => {}
                _ => return false,
            }
        }
        if !self.tags_any.is_empty() && !facts.tags.intersects(self.tags_any) {
            return false;
        }
        if !facts.tags.contains_all(self.tags_all) || facts.tags.intersects(self.tags_none) {
            return false;
        }
        let args = facts.effective_args(call);
        self.args.iter().all(|m| m.matches(args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_reject_nonsense() {
        assert_eq!(Rate::parse("30/minute"), Ok(Rate { capacity: 30, per: Duration::from_secs(60) }));
        assert_eq!(Rate::parse("2/s").map(|r| r.per), Ok(Duration::from_secs(1)));
        assert!(Rate::parse("0/minute").is_err());
        assert!(Rate::parse("30 per minute").is_err());
        assert!(Rate::parse("30/fortnight").is_err());
    }
}
