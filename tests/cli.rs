//! The CLI contract, with the real binary: `check`, `simulate` (single and `--batch`), `redact --jsonl`,
//! `init`, `audit verify` on a missing file. No peers needed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

fn airlock(args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_airlock"))
        .args(args)
        .env_remove("AIRLOCK_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn check_accepts_the_built_in_default_and_the_example() {
    let (ok, out, err) = airlock(&["check"], "");
    assert!(ok, "{err}");
    assert!(out.contains("configuration OK (built-in default)") && out.contains("profile moderate"), "{out}");
    std::env::set_var("ANTHROPIC_API_KEY", "sk-test-not-real");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config/airlock.toml");
    let (ok, out, err) = airlock(&["check", "--config", example], "");
    assert!(ok, "the example config must be valid: {err}");
    assert!(out.contains("/mcp/docs") && out.contains("/mcp/legacy"), "{out}");
    assert!(!out.contains("sk-test-not-real"), "check must never print a key");
}

#[test]
fn check_rejects_a_bad_rule_file_with_every_location() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.toml"),
        "[[rule]]\nid = \"a\"\ndecision = \"alow\"\n\n[[rule]]\nid = \"b\"\ntags_any = [\"destructiv\"]\ndecision = \"deny\"\n\n\
         [[rule]]\nid = \"c\"\ntools = [\"{unclosed\"]\ndecision = \"deny\"\n",
    )
    .unwrap();
    let config = dir.path().join("airlock.toml");
    std::fs::write(&config, "[policy]\nprofile = \"none\"\nfiles = [\"rules.toml\"]\n").unwrap();
    let (ok, _, err) = airlock(&["check", "--config", config.to_str().unwrap()], "");
    assert!(!ok, "a bad rule file must be rejected");
    assert!(err.contains("rules.toml:3: rule[0].decision: unknown decision \"alow\""), "{err}");
    assert!(err.contains("rules.toml:7: rule[1].tags_any: unknown tag \"destructiv\""), "{err}");
    assert!(err.contains("rules.toml:12: rule[2].tools: invalid glob"), "{err}");
    // And `serve` refuses it too: a typo is never read as allow.
    let (ok, _, err) = airlock(&["serve", "--config", config.to_str().unwrap()], "");
    assert!(!ok && err.contains("unknown decision"), "{err}");
}

#[test]
fn simulate_prints_a_decision_and_batch_keeps_order() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(&rules, "[[rule]]\nid = \"no-rm\"\ntools = [\"exec\"]\nargs = { command = \"rm *\" }\ndecision = \"deny\"\nreason = \"no rm\"\n")
        .unwrap();
    let config = dir.path().join("airlock.toml");
    std::fs::write(&config, "[policy]\nprofile = \"none\"\nfiles = [\"rules.toml\"]\n").unwrap();
    let c = config.to_str().unwrap();
    let (ok, out, err) =
        airlock(&["simulate", "--config", c, "--tool", "exec", "--args", r#"{"command":"rm -rf x"}"#], "");
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["decision"].as_str(), v["rule"].as_str(), v["reason"].as_str()),
        (Some("deny"), Some("no-rm"), Some("no rm"))
    );
    assert!(v["tags"].is_array());
    let batch = "{\"tool\":\"exec\",\"args\":{\"command\":\"ls\"}}\n{\"tool\":\"exec\",\"args\":{\"command\":\"rm a\"}}\n\n{\"tool\":\"read\",\"args\":{}}\n";
    let (ok, out, err) = airlock(&["simulate", "--config", c, "--batch", "-"], batch);
    assert!(ok, "{err}");
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let verdicts: Vec<&str> = lines.iter().map(|l| l["decision"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["allow", "deny", "allow"]);
    let (ok, _, err) = airlock(&["simulate", "--profile", "moderate", "--tool", "x", "--args", "{nope"], "");
    assert!(!ok && err.contains("--args is not JSON"), "{err}");
}

#[test]
fn redact_jsonl_has_the_contract_shape() {
    let (ok, out, err) =
        airlock(&["redact", "--jsonl"], "{\"text\":\"nothing to see\"}\n{\"text\":\"mail jane.roe@example.com\"}\n");
    assert!(ok, "{err}");
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["text"], "nothing to see");
    assert!(lines[0]["findings"].as_array().unwrap().is_empty());
    assert!(lines[1]["findings"].is_array());
    let (ok, _, err) = airlock(&["redact", "--jsonl"], "not json\n");
    assert!(!ok && err.contains("line 1"), "{err}");
}

#[test]
fn init_writes_a_valid_config_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("airlock.toml");
    let p = path.to_str().unwrap();
    let (ok, out, _) = airlock(&["init", p], "");
    assert!(ok && out.contains("wrote"), "{out}");
    let (ok, _, err) = airlock(&["init", p], "");
    assert!(!ok && err.contains("already exists"), "{err}");
}

#[test]
fn audit_verify_reports_a_missing_file() {
    let (ok, _, err) = airlock(&["audit", "verify", "/nonexistent/audit.jsonl"], "");
    assert!(!ok && err.contains("cannot open"), "{err}");
}
