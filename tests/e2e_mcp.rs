//! End-to-end: the official MCP Python SDK client through the real airlock binary to a FastMCP server,
//! on Streamable HTTP, legacy HTTP+SSE and stdio. Proves transparency, deny, throttle, constrain,
//! audit and the bad-input contract as a user would see them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use serde_json::{json, Value};
use std::path::Path;

const DENY_RULES: &str = r#"
[[rule]]
id = "no-drop"
tools = ["drop_database"]
decision = "deny"
reason = "dropping databases is not allowed"
"#;

/// Routes for a streamable-http server and a legacy SSE server.
fn routes(http_port: u16, sse_port: u16) -> String {
    format!(
        "[[mcp]]\nname = \"fast\"\npath = \"/mcp/fast\"\nupstream = \"http://127.0.0.1:{http_port}/mcp\"\n\
         [[mcp]]\nname = \"legacy\"\npath = \"/mcp/legacy\"\nupstream = \"http://127.0.0.1:{sse_port}/sse\"\ntransport = \"sse\"\n"
    )
}

/// `airlock mcp-stdio -- env CALL_LOG=… python server.py stdio` (the SDK's stdio client passes only a
/// whitelisted environment to what it spawns, so the call log goes on the command line).
fn stdio_target(py: &Path, airlock: &Airlock, log: &Path) -> String {
    json!([
        airlock_bin(),
        "mcp-stdio",
        "--config",
        airlock.config,
        "--",
        "env",
        format!("CALL_LOG={}", log.display()),
        py,
        peers_dir().join("fastmcp_server.py"),
        "stdio"
    ])
    .to_string()
}

fn direct_stdio_target(py: &Path) -> String {
    json!([py, peers_dir().join("fastmcp_server.py"), "stdio"]).to_string()
}

#[test]
fn results_through_airlock_are_identical_to_direct_on_every_transport() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls.log");
    let (_h, hp) = fastmcp(&py, "streamable-http", &log);
    let (_s, sp) = fastmcp(&py, "sse", &log);
    let airlock = Airlock::start(&routes(hp, sp), "");
    let script = json!([
        {"list": true},
        {"call": "add", "args": {"a": 2, "b": 40}},
        {"call": "echo", "args": {"text": "héllo \"quoted\" \\ line\nbreak"}},
        {"call": "slow_progress", "args": {"steps": 3}},
        {"call": "run_command", "args": {"command": "ls -la", "timeout": 5}}
    ]);
    let cases = [
        ("streamable-http", format!("http://127.0.0.1:{hp}/mcp"), airlock.url("/mcp/fast")),
        ("sse", format!("http://127.0.0.1:{sp}/sse"), airlock.url("/mcp/legacy/sse")),
        ("stdio", direct_stdio_target(&py), stdio_target(&py, &airlock, &log)),
    ];
    for (kind, direct, proxied) in cases {
        let d = mcp_client(&py, kind, &direct, &script);
        let p = mcp_client(&py, kind, &proxied, &script);
        assert_eq!(d, p, "{kind}: proxied results differ from direct");
        assert_eq!(p["results"][0]["text"], "42", "{kind}");
        assert_eq!(
            p["results"][2]["progress"].as_array().map(Vec::len),
            Some(3),
            "{kind}: progress notifications lost"
        );
    }
}

#[test]
fn a_denied_tool_never_reaches_the_server_on_any_transport_and_the_audit_names_the_rule() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls.log");
    let (_h, hp) = fastmcp(&py, "streamable-http", &log);
    let (_s, sp) = fastmcp(&py, "sse", &log);
    let airlock = Airlock::start(&routes(hp, sp), DENY_RULES);
    let script = json!([
        {"list": true},
        {"call": "drop_database", "args": {"name": "prod"}},
        {"call": "add", "args": {"a": 1, "b": 1}}
    ]);
    for (kind, target) in [
        ("streamable-http", airlock.url("/mcp/fast")),
        ("sse", airlock.url("/mcp/legacy/sse")),
        ("stdio", stdio_target(&py, &airlock, &log)),
    ] {
        let out = mcp_client(&py, kind, &target, &script);
        let denied = &out["results"][0];
        assert_eq!(denied["isError"], true, "{kind}: {out}");
        let text = denied["text"].as_str().unwrap_or_default();
        assert!(text.starts_with("airlock denied drop_database: dropping databases is not allowed"), "{kind}: {text}");
        assert!(text.contains("[rule no-drop, decision dec_"), "{kind}: {text}");
        assert_eq!(out["results"][1]["text"], "2", "{kind}: the allowed call after the denied one failed");
        let tools: Vec<&str> = out["tools"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(!tools.contains(&"drop_database"), "{kind}: a tool denied outright is still offered: {tools:?}");
        assert!(tools.contains(&"add"), "{kind}");
    }
    let received = calls(&log);
    assert_eq!(received.iter().filter(|c| c["tool"] == "add").count(), 3);
    assert!(received.iter().all(|c| c["tool"] != "drop_database"), "the server saw a denied call: {received:?}");

    // The audit names the rule for every transport's denial, and the chain verifies.
    let audit = airlock.audit_text();
    let denials: Vec<Value> = audit
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|r| r["verdict"] == "deny")
        .collect();
    assert!(denials.len() >= 2, "http transports' denials must be in the server's audit: {audit}");
    assert!(denials.iter().all(|r| r["rule"] == "no-drop" && r["tool"] == "drop_database"));
    let out = std::process::Command::new(airlock_bin()).args(["audit", "verify"]).arg(&airlock.audit).output().unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("chain intact"), "{out:?}");

    // A one-byte edit breaks verification and names the record.
    let mut bytes = std::fs::read(&airlock.audit).unwrap();
    let at = bytes.windows(7).position(|w| w == b"no-drop").unwrap();
    bytes[at] = b'N';
    std::fs::write(&airlock.audit, &bytes).unwrap();
    let out = std::process::Command::new(airlock_bin()).args(["audit", "verify"]).arg(&airlock.audit).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("chain broken at line"));
}

#[test]
fn throttle_refuses_calls_over_the_rate_with_a_retry_hint() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls.log");
    let (_h, hp) = fastmcp(&py, "streamable-http", &log);
    let rules = "[[rule]]\nid = \"slow-echo\"\ntools = [\"echo\"]\ndecision = \"throttle\"\nrate = \"2/minute\"\n";
    let airlock = Airlock::start(&routes(hp, free_port()), rules);
    let script = json!([
        {"call": "echo", "args": {"text": "1"}},
        {"call": "echo", "args": {"text": "2"}},
        {"call": "echo", "args": {"text": "3"}},
        {"call": "add", "args": {"a": 1, "b": 2}}
    ]);
    let out = mcp_client(&py, "streamable-http", &airlock.url("/mcp/fast"), &script);
    assert_eq!(out["results"][0]["text"], "1");
    assert_eq!(out["results"][1]["text"], "2");
    let third = &out["results"][2];
    assert_eq!(third["isError"], true);
    let text = third["text"].as_str().unwrap();
    assert!(
        text.starts_with("airlock throttled echo:") && text.contains("retry in") && text.contains("rule slow-echo"),
        "{text}"
    );
    assert_eq!(out["results"][3]["text"], "3", "other tools are not throttled");
    assert_eq!(calls(&log).iter().filter(|c| c["tool"] == "echo").count(), 2);
}

#[test]
fn constrain_rewrites_arguments_before_the_server_sees_them() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls.log");
    let (_h, hp) = fastmcp(&py, "streamable-http", &log);
    let rules = "[[rule]]\nid = \"safe-run\"\ntools = [\"run_command\"]\ndecision = \"constrain\"\n\
                 remove = [\"elevated\"]\ncap = { timeout = 10 }\n";
    let airlock = Airlock::start(&routes(hp, free_port()), rules);
    let script = json!([{"call": "run_command", "args": {"command": "make", "timeout": 600, "elevated": true}}]);
    let out = mcp_client(&py, "streamable-http", &airlock.url("/mcp/fast"), &script);
    let got: Value = serde_json::from_str(out["results"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(got, json!({"command": "make", "elevated": false, "timeout": 10}));
    assert_eq!(
        calls(&log),
        vec![json!({"tool": "run_command", "args": {"command": "make", "timeout": 10, "elevated": false}})]
    );
    assert!(airlock.audit_text().contains("\"verdict\":\"constrain\""));
}

#[test]
fn bad_input_gets_clear_errors_and_nothing_is_forwarded() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls.log");
    let (_h, hp) = fastmcp(&py, "streamable-http", &log);
    let dead = free_port();
    let extra = format!(
        "{}[[mcp]]\nname = \"down\"\npath = \"/mcp/down\"\nupstream = \"http://127.0.0.1:{dead}/mcp\"\n[limits]\nmax_body = \"4KiB\"\n",
        routes(hp, free_port())
    );
    let airlock = Airlock::start(&extra, "");
    let (status, body) = post(airlock.port, "/mcp/fast", "", b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
    assert_eq!(status, 400);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["code"], -32700);
    let (status, body) = post(airlock.port, "/mcp/fast", "", b"{\"hello\":\"world\"}");
    assert_eq!(status, 400);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["code"], -32600);
    let (status, _) = post(airlock.port, "/mcp/fast", "", b"\xff\xfe\x00garbage");
    assert_eq!(status, 400);
    // 2026-07-28 routing headers that disagree with the body are refused, never forwarded.
    let smuggle = br#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"drop_database","arguments":{}}}"#;
    let (status, body) = post(airlock.port, "/mcp/fast", "Mcp-Method: tools/call\r\nMcp-Name: echo\r\n", smuggle);
    assert!(body.contains("Mcp-Name header"), "{body}");
    assert_eq!(status, 400);
    let big = format!("{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{{\"name\":\"echo\",\"arguments\":{{\"text\":\"{}\"}}}}}}", "x".repeat(8192));
    let (status, _) = post(airlock.port, "/mcp/fast", "", big.as_bytes());
    assert_eq!(status, 413);
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    let (status, _) = post(airlock.port, "/mcp/fast", "", deep.as_bytes());
    assert!(status == 400 || status == 413, "deep nesting: {status}");
    assert!(calls(&log).is_empty(), "malformed input reached the server");

    let started = std::time::Instant::now();
    let call = br#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}"#;
    let (status, body) = post(airlock.port, "/mcp/down", "", call);
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "an unreachable upstream must fail promptly");
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["id"], 9);
    assert!(v["error"]["message"].as_str().unwrap().contains("route down"), "{body}");

    // airlock still serves normal clients after all of that.
    let out = mcp_client(
        &py,
        "streamable-http",
        &airlock.url("/mcp/fast"),
        &json!([{"call": "add", "args": {"a": 1, "b": 1}}]),
    );
    assert_eq!(out["results"][0]["text"], "2");
}

#[test]
fn the_tls_listener_serves_mcp_over_https() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (cert, key) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let log = tmp.path().join("calls.log");
    let (_h, hp) = fastmcp(&py, "streamable-http", &log);
    let mut airlock = Airlock::configure(&routes(hp, free_port()), DENY_RULES);
    let text = std::fs::read_to_string(&airlock.config).unwrap().replacen(
        &format!("addr = \"127.0.0.1:{}\"\n", airlock.port),
        &format!(
            "addr = \"127.0.0.1:{}\"\ntls = {{ cert = \"{}\", key = \"{}\" }}\n",
            airlock.port,
            cert.display(),
            key.display()
        ),
        1,
    );
    std::fs::write(&airlock.config, text).unwrap();
    airlock.spawn();
    let url = format!("https://127.0.0.1:{}/mcp/fast", airlock.port);
    let script = json!([{"call": "add", "args": {"a": 20, "b": 22}}, {"call": "drop_database", "args": {"name": "x"}}]);
    let out = std::process::Command::new(&py)
        .arg(peers_dir().join("mcp_client.py"))
        .args(["streamable-http", &url, &script.to_string()])
        .env("SSL_CERT_FILE", &cert)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["results"][0]["text"], "42");
    assert_eq!(v["results"][1]["isError"], true);
}

#[test]
fn tool_results_reach_the_client_redacted_for_json_and_sse_replies_on_every_transport() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls.log");
    let (_j, jp) = fastmcp_with(&py, "streamable-http", &log, &[("FASTMCP_JSON", "1")]);
    let (_h, hp) = fastmcp(&py, "streamable-http", &log);
    let (_s, sp) = fastmcp(&py, "sse", &log);
    let extra = format!(
        "{}[[mcp]]\nname = \"json\"\npath = \"/mcp/json\"\nupstream = \"http://127.0.0.1:{jp}/mcp\"\n",
        routes(hp, sp)
    );
    let airlock = Airlock::start(&extra, "");
    let script = json!([{"call": "customer_record", "args": {"customer_id": "42"}}]);
    // Direct, the record carries the personal data: the test would prove nothing otherwise.
    let direct = mcp_client(&py, "streamable-http", &format!("http://127.0.0.1:{jp}/mcp"), &script);
    assert!(direct.to_string().contains("jane.roe@example.com"));
    for (kind, target) in [
        ("streamable-http (JSON reply)", airlock.url("/mcp/json")),
        ("streamable-http (SSE reply)", airlock.url("/mcp/fast")),
        ("sse", airlock.url("/mcp/legacy/sse")),
        ("stdio", stdio_target(&py, &airlock, &log)),
    ] {
        let transport = kind.split(' ').next().unwrap();
        let out = mcp_client(&py, transport, &target, &script);
        let r = &out["results"][0];
        assert_eq!(r["isError"], false, "{kind}: {out}");
        let all = r.to_string();
        for secret in ["jane.roe@example.com", "123-45-6789", "4111 1111 1111 1111"] {
            assert!(!all.contains(secret), "{kind}: {secret} reached the client: {all}");
        }
        let text = r["text"].as_str().unwrap();
        assert!(text.contains("[REDACTED:EMAIL]") && text.contains("[REDACTED:CARD]"), "{kind}: {text}");
        let structured = &r["structured"];
        assert_eq!(structured["name"], "Jane Roe", "{kind}: untouched fields stay: {structured}");
        assert_eq!(structured["email"], "[REDACTED:EMAIL]", "{kind}: {structured}");
        assert!(structured["ssn"].as_str().unwrap().contains("REDACTED"), "{kind}: {structured}");
    }
}
