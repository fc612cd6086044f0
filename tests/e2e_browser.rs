//! The approvals page in a real browser: headless Chromium (driven by playwright-core) shows a held MCP
//! call live and a real click on Approve lets it through. Needs `AIRLOCK_PEER_NODE_PATH` (where
//! playwright-core is installed) and Chromium, both set up by `tests/run-all.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use serde_json::json;
use std::process::{Command, Stdio};

#[test]
fn a_click_on_the_page_approves_a_held_call() {
    let Some(py) = python() else { return };
    let Some(node_path) = std::env::var_os("AIRLOCK_PEER_NODE_PATH") else {
        assert!(std::env::var_os("AIRLOCK_E2E_REQUIRED").is_none(), "AIRLOCK_PEER_NODE_PATH not set");
        eprintln!("skipped: AIRLOCK_PEER_NODE_PATH not set");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls.log");
    let (_h, hp) = fastmcp(&py, "streamable-http", &log);
    let rules = "[[rule]]\nid = \"hold-drops\"\ntools = [\"drop_database\"]\ndecision = \"require_human\"\nreason = \"needs a person\"\n";
    let extra = format!("[approvals]\ntimeout = \"60s\"\n[[mcp]]\nname = \"fast\"\npath = \"/mcp/fast\"\nupstream = \"http://127.0.0.1:{hp}/mcp\"\n");
    let airlock = Airlock::start(&extra, rules);
    let client = Command::new(&py)
        .arg(peers_dir().join("mcp_client.py"))
        .args([
            "streamable-http",
            &airlock.url("/mcp/fast"),
            &json!([{"call": "drop_database", "args": {"name": "web"}}]).to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let shot = tmp.path().join("approvals.png");
    let browser = Command::new("node")
        .arg(peers_dir().join("approve_in_browser.cjs"))
        .arg(format!("http://127.0.0.1:{}", airlock.admin_port))
        .arg("test-admin-token")
        .arg("drop_database")
        .arg(&shot)
        .env("NODE_PATH", &node_path)
        .output()
        .unwrap();
    assert!(browser.status.success(), "browser run failed: {}", String::from_utf8_lossy(&browser.stderr));
    assert!(shot.exists(), "no screenshot of the page with the pending call");
    let out = client.wait_with_output().unwrap();
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["results"][0]["text"], "dropped web", "{result}");
    assert_eq!(calls(&log).len(), 1);
    assert!(airlock.audit_text().contains("web-page"), "the audit names the page as approver");
}
