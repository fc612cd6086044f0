//! Policy unit tests: compile errors with locations, verdict precedence, throttle accounting.
use super::*;
use crate::analyze::{Analyzer, Tag};
use crate::call::{Surface, ToolCall};
use serde_json::json;
use std::io::Write;

fn policy(text: &str) -> Result<Policy, Vec<Diagnostic>> {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    Policy::load("none", &[f.path()], &[])
}

fn call(tool: &str, args: serde_json::Value) -> ToolCall {
    ToolCall::new(Surface::Mcp, "r", tool, args)
}

fn decide(p: &Policy, c: &ToolCall) -> Decision {
    let facts = Analyzer::default().analyze(c);
    p.decide(c, &facts, &mut |_, _| Ok(())).decision
}

#[test]
fn most_restrictive_wins_and_ties_go_to_the_earlier_rule() {
    let p = policy(
        r#"
[[rule]]
id = "a"
tools = ["*"]
decision = "allow"
[[rule]]
id = "d1"
tools = ["del*"]
decision = "deny"
reason = "first"
[[rule]]
id = "d2"
tools = ["delete"]
decision = "deny"
[[rule]]
id = "h"
tools = ["delete"]
decision = "require_human"
"#,
    )
    .unwrap();
    let d = decide(&p, &call("DELETE", json!({})));
    assert_eq!(d.verdict, Verdict::Deny);
    assert_eq!(d.rule.as_deref(), Some("d1"));
    assert_eq!(d.reason, "first");
    assert_eq!(d.matched, vec!["a", "d1", "d2", "h"]);
    let d = decide(&p, &call("read", json!({})));
    assert_eq!((d.verdict, d.rule.as_deref()), (Verdict::Allow, Some("a")));
}

#[test]
fn args_matchers_see_decoded_values_and_meta_tool_arguments() {
    let p = policy(
        r#"
[[rule]]
id = "no-prod"
tools = ["exec"]
args = { command = { regex = "prod" } }
decision = "deny"
"#,
    )
    .unwrap();
    assert_eq!(decide(&p, &call("exec", json!({"command": "ssh prod-1"}))).verdict, Verdict::Deny);
    let wrapped = call("tool_call", json!({"id": "exec", "args": {"command": "ssh prod-1"}}));
    assert_eq!(decide(&p, &wrapped).verdict, Verdict::Deny);
    assert_eq!(decide(&p, &call("exec", json!({"command": "ls"}))).verdict, Verdict::Allow);
}

#[test]
fn throttle_only_spends_tokens_when_nothing_stronger_matched() {
    let p = policy(
        r#"
[[rule]]
id = "t"
tools = ["*"]
decision = "throttle"
rate = "1/minute"
[[rule]]
id = "d"
tools = ["bad"]
decision = "deny"
"#,
    )
    .unwrap();
    let mut spent = 0;
    let mut limiter = |_: &Rule, _: &ToolCall| {
        spent += 1;
        if spent > 1 {
            Err(42)
        } else {
            Ok(())
        }
    };
    let bad = call("bad", json!({}));
    let facts = Analyzer::default().analyze(&bad);
    assert_eq!(p.decide(&bad, &facts, &mut limiter).decision.verdict, Verdict::Deny);
    let ok = call("ok", json!({}));
    let facts = Analyzer::default().analyze(&ok);
    assert_eq!(p.decide(&ok, &facts, &mut limiter).decision.verdict, Verdict::Allow);
    let r = p.decide(&ok, &facts, &mut limiter);
    assert_eq!(r.decision.verdict, Verdict::Throttle);
    assert_eq!(r.decision.retry_after_secs, Some(42));
}

#[test]
fn constrain_collects_every_matching_patch_in_order() {
    let p = policy(
        r#"
[[rule]]
id = "c1"
tools = ["exec"]
decision = "constrain"
remove = ["elevated"]
[[rule]]
id = "c2"
tools = ["exec"]
decision = "constrain"
cap = { timeout = 60 }
"#,
    )
    .unwrap();
    let c = call("exec", json!({"command": "ls", "elevated": true}));
    let facts = Analyzer::default().analyze(&c);
    let r = p.decide(&c, &facts, &mut |_, _| Ok(()));
    assert_eq!(r.decision.verdict, Verdict::Constrain);
    assert_eq!(r.decision.rule.as_deref(), Some("c1"));
    assert_eq!(r.patches.len(), 2);
}

#[test]
fn every_problem_is_reported_with_line_and_field() {
    let errs = policy(
        r#"
[[rule]]
id = "x"
decision = "dney"
tags_any = ["destructve"]
tools = ["a[b"]
colour = "red"

[[rule]]
id = "y"
decision = "throttle"
rate = "lots"
"#,
    )
    .unwrap_err();
    let text: Vec<String> = errs.iter().map(|d| d.to_string()).collect();
    let all = text.join("\n");
    assert!(all.contains(":4: rule[0].decision: unknown decision \"dney\""), "{all}");
    assert!(all.contains(":5: rule[0].tags_any: unknown tag \"destructve\""), "{all}");
    assert!(all.contains(":6: rule[0].tools: invalid glob"), "{all}");
    assert!(all.contains(":7: rule[0].colour: unknown field"), "{all}");
    assert!(all.contains(":12: rule[1].rate:"), "{all}");
}

#[test]
fn require_human_default_and_tags() {
    let p = policy(
        r#"
default = "require_human"
[[rule]]
id = "ro"
tags_any = ["read-only"]
decision = "allow"
"#,
    )
    .unwrap();
    let mut ro = call("lookup", json!({}));
    ro.hints.read_only = Some(true);
    let d = decide(&p, &ro);
    assert_eq!(d.verdict, Verdict::Allow);
    assert!(d.tags.contains(Tag::ReadOnly));
    assert_eq!(decide(&p, &call("write", json!({}))).verdict, Verdict::RequireHuman);
}

#[test]
fn built_in_profiles_compile() {
    for name in profiles::NAMES {
        Policy::load(name, &[] as &[&str], &[]).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    assert!(Policy::load("moderat", &[] as &[&str], &[]).is_err());
}
