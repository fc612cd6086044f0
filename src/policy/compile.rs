//! Raw rule files → compiled [`Rule`]s, reporting every problem with its file, line and field.
//!
//! Nothing here is lenient: an unknown decision, tag, surface, glob or regex error, a `rate` on a rule that
//! does not throttle, a constrain rule with no patch — each is a diagnostic, and any diagnostic fails the load.
use super::matcher::{compile_glob, split_path, ArgMatcher, Test};
use super::raw::{RawMatcher, RawRule, RawRuleFile};
use super::rule::{Patch, Rate, Rule};
use super::verdict::Verdict;
use crate::analyze::{Tag, TagSet};
use crate::call::Surface;
use crate::config::diag::Diagnostics;
use globset::{GlobSet, GlobSetBuilder};
use toml::Spanned;

/// What one rule file contributes.
#[derive(Debug, Default, Clone)]
pub struct CompiledFile {
    pub default: Option<Verdict>,
    pub rules: Vec<Rule>,
}

/// Compiles a parsed rule file. `name` is how the file is shown (`moderate` for a built-in profile).
pub fn compile_file(raw: RawRuleFile, name: &str, diags: &mut Diagnostics<'_>) -> CompiledFile {
    let default = raw.default.and_then(|d| match Verdict::parse(d.get_ref()) {
        Some(v @ (Verdict::Allow | Verdict::Deny | Verdict::RequireHuman)) => Some(v),
        _ => {
            diags.at(Some(d.span().start), "default", format!("{:?} is not allow, deny or require_human", d.get_ref()));
            None
        }
    });
    let rules = raw.rule.into_iter().enumerate().filter_map(|(i, r)| compile_rule(r, i, name, diags)).collect();
    CompiledFile { default, rules }
}

fn compile_rule(raw: RawRule, index: usize, file: &str, d: &mut Diagnostics<'_>) -> Option<Rule> {
    let errors_before = d.list.len();
    let at = |field: &str| format!("rule[{index}].{field}");
    let id = raw.id.get_ref().trim().to_string();
    if id.is_empty() {
        d.at(Some(raw.id.span().start), at("id"), "a rule needs a non-empty id");
    }
    let line = crate::config::diag::line_of(d.source, raw.id.span().start);
    let verdict = match Verdict::parse(raw.decision.get_ref()) {
        Some(v) => v,
        None => {
            let msg = format!(
                "unknown decision {:?} (allow, deny, throttle, require_human or constrain)",
                raw.decision.get_ref()
            );
            d.at(Some(raw.decision.span().start), at("decision"), msg);
            Verdict::Deny
        }
    };
    let tools = globs(raw.tools.as_deref(), true, &at("tools"), d);
    let routes = globs(raw.routes.as_deref(), false, &at("routes"), d);
    let principals = globs(raw.principals.as_deref(), false, &at("principals"), d);
    let surfaces = raw.surfaces.as_ref().map(|list| {
        list.iter()
            .filter_map(|s| match s.get_ref().as_str() {
                "mcp" => Some(Surface::Mcp),
                "llm" => Some(Surface::Llm),
                other => {
                    d.at(Some(s.span().start), at("surfaces"), format!("unknown surface {other:?} (mcp or llm)"));
                    None
                }
            })
            .collect()
    });
    let tags_any = tags(&raw.tags_any, &at("tags_any"), d);
    let tags_all = tags(&raw.tags_all, &at("tags_all"), d);
    let tags_none = tags(&raw.tags_none, &at("tags_none"), d);
    let args = raw.args.iter().filter_map(|(path, m)| matcher(path, m, &at(&format!("args.{path}")), d)).collect();

    let rate = match (&raw.rate, verdict) {
        (Some(r), Verdict::Throttle) => match Rate::parse(r.get_ref()) {
            Ok(rate) => Some(rate),
            Err(e) => {
                d.at(Some(r.span().start), at("rate"), e);
                None
            }
        },
        (None, Verdict::Throttle) => {
            d.at(Some(raw.decision.span().start), at("rate"), "a throttle rule needs a rate like \"30/minute\"");
            None
        }
        (Some(r), _) => {
            d.at(Some(r.span().start), at("rate"), "rate only applies to decision = \"throttle\"");
            None
        }
        (None, _) => None,
    };
    let patch = patch(&raw, verdict, index, d);
    if d.list.len() > errors_before {
        return None;
    }
    Some(Rule {
        reason: raw.reason.unwrap_or_else(|| format!("{} by rule {id}", verdict.as_str())),
        origin: format!("{file}:{line}"),
        id,
        description: raw.description,
        tools,
        surfaces,
        routes,
        principals,
        tags_any,
        tags_all,
        tags_none,
        args,
        verdict,
        rate,
        patch,
    })
}

fn globs(list: Option<&[Spanned<String>]>, ci: bool, field: &str, d: &mut Diagnostics<'_>) -> Option<GlobSet> {
    let list = list?;
    let mut builder = GlobSetBuilder::new();
    for g in list {
        match compile_glob(g.get_ref(), ci) {
            Ok(m) => {
                builder.add(m.glob().clone());
            }
            Err(e) => d.at(Some(g.span().start), field, e),
        }
    }
    match builder.build() {
        Ok(set) => Some(set),
        Err(e) => {
            d.at(list.first().map(|g| g.span().start), field, e.to_string());
            None
        }
    }
}

fn tags(list: &[Spanned<String>], field: &str, d: &mut Diagnostics<'_>) -> TagSet {
    let mut set = TagSet::EMPTY;
    for t in list {
        match Tag::parse(t.get_ref()) {
            Some(tag) => set.insert(tag),
            None => {
                d.at(Some(t.span().start), field, format!("unknown tag {:?} (see `airlock check --tags`)", t.get_ref()))
            }
        }
    }
    set
}

fn matcher(path: &str, raw: &Spanned<RawMatcher>, field: &str, d: &mut Diagnostics<'_>) -> Option<ArgMatcher> {
    let offset = Some(raw.span().start);
    let mut tests = Vec::new();
    let fail = |d: &mut Diagnostics<'_>, e: String| d.at(offset, field, e);
    match raw.get_ref() {
        RawMatcher::Glob(g) => match compile_glob(g, false) {
            Ok(m) => tests.push(Test::Glob(m)),
            Err(e) => fail(d, e),
        },
        RawMatcher::Table(t) => {
            for (g, ci) in [(&t.glob, false), (&t.iglob, true)] {
                if let Some(g) = g {
                    match compile_glob(g, ci) {
                        Ok(m) => tests.push(Test::Glob(m)),
                        Err(e) => fail(d, e),
                    }
                }
            }
            if let Some(r) = &t.regex {
                match regex::Regex::new(r) {
                    Ok(re) => tests.push(Test::Regex(re)),
                    Err(e) => fail(d, format!("invalid regex: {e}")),
                }
            }
            if let Some(v) = &t.equals {
                match serde_json::to_value(v) {
                    Ok(v) => tests.push(Test::Equals(v)),
                    Err(e) => fail(d, format!("equals: {e}")),
                }
            }
            if let Some(c) = &t.contains {
                tests.push(Test::Contains(c.clone()));
            }
            if let Some(e) = t.exists {
                tests.push(Test::Exists(e));
            }
            if let Some(m) = t.min {
                tests.push(Test::Min(m));
            }
            if let Some(m) = t.max {
                tests.push(Test::Max(m));
            }
            if tests.is_empty() {
                fail(d, "a matcher table needs one of glob, iglob, regex, equals, contains, exists, min, max".into());
            }
        }
    }
    Some(ArgMatcher { path: split_path(path), tests })
}

fn patch(raw: &RawRule, verdict: Verdict, index: usize, d: &mut Diagnostics<'_>) -> Option<Patch> {
    let field = |f: &str| format!("rule[{index}].{f}");
    let offsets = [
        ("set", raw.set.as_ref().map(|s| s.span().start)),
        ("remove", raw.remove.as_ref().map(|s| s.span().start)),
        ("cap", raw.cap.as_ref().map(|s| s.span().start)),
        ("redact", raw.redact.as_ref().map(|s| s.span().start)),
    ];
    let given: Vec<_> = offsets.iter().filter(|(_, o)| o.is_some()).collect();
    if verdict != Verdict::Constrain {
        for (name, offset) in given {
            d.at(*offset, field(name), "only a constrain rule can rewrite arguments");
        }
        return None;
    }
    if given.is_empty() {
        d.at(Some(raw.decision.span().start), field("decision"), "a constrain rule needs set, remove, cap or redact");
        return None;
    }
    let mut p = Patch::default();
    if let Some(set) = &raw.set {
        for (k, v) in set.get_ref() {
            match serde_json::to_value(v) {
                Ok(v) => p.set.push((split_path(k), v)),
                Err(e) => d.at(Some(set.span().start), field(&format!("set.{k}")), e.to_string()),
            }
        }
    }
    if let Some(rm) = &raw.remove {
        p.remove = rm.get_ref().iter().map(|k| split_path(k)).collect();
    }
    if let Some(cap) = &raw.cap {
        p.cap = cap.get_ref().iter().map(|(k, v)| (split_path(k), *v)).collect();
    }
    if let Some(r) = &raw.redact {
        p.redact = r.get_ref().iter().map(|k| split_path(k)).collect();
    }
    Some(p)
}
