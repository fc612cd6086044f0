//! Policy: rules compiled at load, evaluated as a pure function of (rules, call, facts).
//!
//! Most restrictive verdict wins: deny > require_human > throttle (when over its limit) > constrain > allow;
//! ties go to the earlier rule. Rate limits are the only state involved, and they are passed in as a
//! `limiter` so that this module does no I/O and keeps no state of its own. See `README.md` for the format.
pub mod compile;
pub mod matcher;
pub mod profiles;
pub mod raw;
pub mod rule;
pub mod verdict;

use crate::analyze::Facts;
use crate::call::ToolCall;
use crate::config::diag::{Diagnostic, Diagnostics};
use std::collections::HashMap;
use std::path::Path;

pub use rule::{Patch, Rate, Rule};
pub use verdict::{Decision, DecisionId, Verdict};

/// The compiled policy of a snapshot.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The profile the rules start from (`strict`, `moderate`, `permissive` or `none`).
    pub profile: String,
    pub rules: Vec<Rule>,
    /// What happens when no rule matches.
    pub default: Verdict,
}

/// The outcome of evaluating one call: the decision and, for constrain, the patches to apply in order.
#[derive(Debug, Clone)]
pub struct Ruling<'p> {
    pub decision: Decision,
    pub patches: Vec<&'p Patch>,
    /// The rule whose rate limit refused the call, if any.
    pub throttled_by: Option<&'p Rule>,
}

/// Answers "may one more call pass this throttle rule?": `Ok(())`, or `Err(seconds until it may)`.
pub type Limiter<'a> = dyn FnMut(&Rule, &ToolCall) -> Result<(), u64> + 'a;

/// A built-in profile compiled once per process (with any diagnostics, which the profile tests keep empty):
/// every load and reload, and every `airlock check`, reuses it.
fn compiled_profile(name: &str) -> Option<&'static (compile::CompiledFile, Vec<Diagnostic>)> {
    use std::sync::OnceLock;
    type Cell = OnceLock<(compile::CompiledFile, Vec<Diagnostic>)>;
    static CACHE: [(&str, Cell); 3] =
        [("strict", OnceLock::new()), ("moderate", OnceLock::new()), ("permissive", OnceLock::new())];
    let text = profiles::builtin(name)?;
    let (_, cell) = CACHE.iter().find(|(n, _)| *n == name)?;
    Some(cell.get_or_init(|| {
        let label = format!("<built-in profile {name}>");
        let mut d = Diagnostics::new(Path::new(&label), text);
        let file = match crate::config::toml_src::parse_strict::<raw::RawRuleFile>(&mut d) {
            Some(raw) => compile::compile_file(raw, &label, &mut d),
            None => compile::CompiledFile::default(),
        };
        (file, d.list)
    }))
}

impl Policy {
    /// Loads a profile and rule files; `disable` removes rules by id. Every problem is reported.
    pub fn load(profile: &str, files: &[impl AsRef<Path>], disable: &[String]) -> Result<Policy, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let mut rules = Vec::new();
        let mut default = None;
        let mut sources: Vec<(String, String)> = Vec::new();
        if profile != "none" {
            match compiled_profile(profile) {
                Some((file, diags)) => {
                    default = file.default.or(default);
                    rules.extend(file.rules.iter().cloned());
                    problems.extend(diags.iter().cloned());
                }
                None => problems.push(Diagnostic {
                    file: "policy".into(),
                    line: None,
                    field: Some("policy.profile".into()),
                    message: format!("unknown profile {profile:?} (strict, moderate, permissive or none)"),
                }),
            }
        }
        for f in files {
            let f = f.as_ref();
            match std::fs::read_to_string(f) {
                Ok(text) => sources.push((f.display().to_string(), text)),
                Err(e) => problems.push(Diagnostic {
                    file: f.to_path_buf(),
                    line: None,
                    field: None,
                    message: format!("cannot read rule file: {e}"),
                }),
            }
        }
        for (name, text) in &sources {
            let path = Path::new(name);
            let mut d = Diagnostics::new(path, text);
            if let Some(raw) = crate::config::toml_src::parse_strict::<raw::RawRuleFile>(&mut d) {
                let file = compile::compile_file(raw, name, &mut d);
                default = file.default.or(default);
                rules.extend(file.rules);
            }
            problems.extend(d.list);
        }
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for r in &rules {
            if let Some(first) = seen.insert(&r.id, &r.origin) {
                problems.push(Diagnostic {
                    file: r.origin.clone().into(),
                    line: None,
                    field: Some("id".into()),
                    message: format!("duplicate rule id {:?} (first defined at {first})", r.id),
                });
            }
        }
        for id in disable {
            if !rules.iter().any(|r| &r.id == id) {
                problems.push(Diagnostic {
                    file: "policy".into(),
                    line: None,
                    field: Some("policy.disable".into()),
                    message: format!("no rule has id {id:?}"),
                });
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        rules.retain(|r| !disable.contains(&r.id));
        Ok(Policy { profile: profile.to_string(), rules, default: default.unwrap_or(Verdict::Allow) })
    }

    /// Decides one call. `limiter` is consulted only for throttle rules, and only when no deny or
    /// require_human rule matched (so a refused call never spends a rate-limit token).
    pub fn decide<'p>(&'p self, call: &ToolCall, facts: &Facts, limiter: &mut Limiter<'_>) -> Ruling<'p> {
        let matched: Vec<&Rule> = self.rules.iter().filter(|r| r.matches(call, facts)).collect();
        let strongest = |v: Verdict| matched.iter().copied().find(|r| r.verdict == v);
        let mut ruling = Ruling {
            decision: Decision {
                id: DecisionId::generate(),
                verdict: self.default,
                rule: None,
                reason: format!("no rule matched; the default is {}", self.default),
                tags: facts.tags,
                matched: matched.iter().map(|r| r.id.clone()).collect(),
                retry_after_secs: None,
            },
            patches: Vec::new(),
            throttled_by: None,
        };
        let set = |ruling: &mut Ruling<'p>, r: &Rule, v: Verdict| {
            ruling.decision.verdict = v;
            ruling.decision.rule = Some(r.id.clone());
            ruling.decision.reason = r.reason.clone();
        };
        if let Some(r) = strongest(Verdict::Deny).or_else(|| strongest(Verdict::RequireHuman)) {
            set(&mut ruling, r, r.verdict);
            return ruling;
        }
        for r in matched.iter().filter(|r| r.verdict == Verdict::Throttle) {
            if let Err(wait) = limiter(r, call) {
                set(&mut ruling, r, Verdict::Throttle);
                ruling.decision.retry_after_secs = Some(wait);
                ruling.throttled_by = Some(r);
                return ruling;
            }
        }
        let constrains: Vec<&Rule> = matched.iter().copied().filter(|r| r.verdict == Verdict::Constrain).collect();
        if let Some(first) = constrains.first() {
            set(&mut ruling, first, Verdict::Constrain);
            ruling.patches = constrains.iter().filter_map(|r| r.patch.as_ref()).collect();
            return ruling;
        }
        let explicit = strongest(Verdict::Allow).or_else(|| strongest(Verdict::Throttle));
        if let Some(r) = explicit {
            set(&mut ruling, r, Verdict::Allow);
        } else if matched.is_empty() && self.default != Verdict::Allow {
            ruling.decision.reason = format!("no rule allows this call; the default is {}", self.default);
        }
        ruling
    }
}

#[cfg(test)]
mod tests;

impl Policy {
    /// The deny rule that refuses this tool whatever its arguments (no tag or argument conditions), if any.
    /// Such tools are removed from `tools/list` so what cannot be called is not offered.
    pub fn denies_outright(&self, call: &ToolCall, facts: &Facts) -> Option<&Rule> {
        self.rules.iter().find(|r| {
            r.verdict == Verdict::Deny
                && r.args.is_empty()
                && r.tags_any.is_empty()
                && r.tags_all.is_empty()
                && r.tags_none.is_empty()
                && r.matches(call, facts)
        })
    }
}
