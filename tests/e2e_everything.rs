//! End-to-end with the reference MCP server (`@modelcontextprotocol/server-everything`, Node) through the
//! real airlock binary, on stdio and Streamable HTTP, including a tool that streams progress.
//! The server's entry point comes from `AIRLOCK_PEER_EVERYTHING` (its `dist/index.js`), set by
//! `tests/run-all.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

const RULES: &str = r#"
[[rule]]
id = "no-env"
tools = ["get-env"]
decision = "deny"
reason = "the agent may not read the server's environment"
"#;

fn everything() -> Option<PathBuf> {
    let path = std::env::var_os("AIRLOCK_PEER_EVERYTHING").map(PathBuf::from);
    if path.is_none() {
        assert!(std::env::var_os("AIRLOCK_E2E_REQUIRED").is_none(), "AIRLOCK_PEER_EVERYTHING not set");
        eprintln!("skipped: AIRLOCK_PEER_EVERYTHING not set");
    }
    path
}

fn script() -> Value {
    json!([
        {"list": true},
        {"call": "get-sum", "args": {"a": 19, "b": 23}},
        {"call": "echo", "args": {"message": "through airlock"}},
        {"call": "trigger-long-running-operation", "args": {"duration": 1, "steps": 4}},
        {"call": "get-env", "args": {}}
    ])
}

fn check(kind: &str, direct: &Value, proxied: &Value) {
    let d = direct["results"].as_array().unwrap();
    let p = proxied["results"].as_array().unwrap();
    assert_eq!(d[..3], p[..3], "{kind}: results differ from a direct connection");
    assert!(p[0]["text"].as_str().unwrap().contains("42"), "{kind}: {}", p[0]);
    assert_eq!(p[2]["progress"].as_array().map(Vec::len), Some(4), "{kind}: progress notifications lost: {}", p[2]);
    assert_eq!(p[3]["isError"], true, "{kind}: get-env was not denied: {}", p[3]);
    assert!(p[3]["text"].as_str().unwrap().contains("[rule no-env, decision dec_"), "{kind}");
    assert_eq!(d[3]["isError"], false, "{kind}: the direct call should succeed");
    let tools = |v: &Value| {
        v["tools"].as_array().unwrap().iter().filter_map(Value::as_str).map(String::from).collect::<Vec<_>>()
    };
    let (dt, pt) = (tools(direct), tools(proxied));
    assert!(dt.contains(&"get-env".to_string()) && !pt.contains(&"get-env".to_string()), "{kind}: {pt:?}");
    assert_eq!(dt.len(), pt.len() + 1, "{kind}: only the denied tool is hidden");
}

#[test]
fn server_everything_on_stdio() {
    let (Some(py), Some(index)) = (python(), everything()) else {
        return;
    };
    let airlock = Airlock::configure("", RULES);
    let direct = json!(["node", index, "stdio"]).to_string();
    let proxied =
        json!([airlock_bin(), "mcp-stdio", "--config", airlock.config, "--", "node", index, "stdio"]).to_string();
    let d = mcp_client(&py, "stdio", &direct, &script());
    let p = mcp_client(&py, "stdio", &proxied, &script());
    check("stdio", &d, &p);
}

#[test]
fn server_everything_on_streamable_http() {
    let (Some(py), Some(index)) = (python(), everything()) else {
        return;
    };
    let port = free_port();
    let server = Command::new("node")
        .arg(&index)
        .arg("streamableHttp")
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server-everything");
    let _server = Proc(server);
    wait_port(port, Duration::from_secs(30));
    let routes = format!(
        "[[mcp]]\nname = \"everything\"\npath = \"/mcp/everything\"\nupstream = \"http://127.0.0.1:{port}/mcp\"\n"
    );
    let airlock = Airlock::start(&routes, RULES);
    let d = mcp_client(&py, "streamable-http", &format!("http://127.0.0.1:{port}/mcp"), &script());
    let p = mcp_client(&py, "streamable-http", &airlock.url("/mcp/everything"), &script());
    check("streamable-http", &d, &p);
    assert!(airlock.audit_text().contains("\"rule\":\"no-env\""));
}
