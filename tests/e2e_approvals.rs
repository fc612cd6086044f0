//! End-to-end approvals: a `require_human` call through the official MCP SDK client is held (the server
//! never sees it), shows up in `airlock approvals list`, and is approved, denied or left to expire via
//! the real CLI. The audit records the whole lifecycle and its chain verifies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RULES: &str = r#"
[[rule]]
id = "hold-drops"
tools = ["drop_database"]
decision = "require_human"
reason = "dropping a database needs a person"
"#;

fn spawn_client(py: &std::path::Path, url: &str, script: &Value) -> Child {
    Command::new(py)
        .arg(peers_dir().join("mcp_client.py"))
        .args(["streamable-http", url, &script.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn client")
}

fn finish(child: Child) -> Value {
    let out = child.wait_with_output().expect("client output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "client failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.trim()).expect("client JSON")
}

/// Waits until `airlock approvals list --json` shows exactly one pending call; returns it.
fn wait_pending(airlock: &Airlock) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (ok, out, err) = airlock.cli(&["approvals", "list", "--json"]);
        assert!(ok, "approvals list failed: {err}");
        let list: Value = serde_json::from_str(out.trim()).expect("list JSON");
        if let Some(first) = list.as_array().and_then(|a| a.first()) {
            return first.clone();
        }
        assert!(Instant::now() < deadline, "no approval appeared");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn held_calls_are_approved_denied_or_expire_and_the_server_only_sees_the_approved_one() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls.log");
    let (_h, hp) = fastmcp(&py, "streamable-http", &log);
    // Approve and deny get a timeout no loaded machine reaches (each CLI call is a new process that loads the
    // config); the expiry step below gets its own airlock with a short one.
    let config = |timeout: &str| {
        format!(
            "[approvals]\ntimeout = \"{timeout}\"\nkeepalive = \"1s\"\n\
             [[mcp]]\nname = \"fast\"\npath = \"/mcp/fast\"\nupstream = \"http://127.0.0.1:{hp}/mcp\"\n"
        )
    };
    let airlock = Airlock::start(&config("120s"), RULES);
    let url = airlock.url("/mcp/fast");
    let script = |name: &str| json!([{"call": "drop_database", "args": {"name": name}}]);

    // 1. Approved by the CLI: the original call goes ahead and the client gets the server's result.
    let client = spawn_client(&py, &url, &script("staging"));
    let pending = wait_pending(&airlock);
    assert_eq!(pending["tool"], "drop_database");
    assert_eq!(pending["rule"], "hold-drops");
    assert_eq!(pending["args"], json!({"name": "staging"}));
    assert!(calls(&log).is_empty(), "a held call reached the server before approval");
    // The list also renders as a table for people.
    let (_, table, _) = airlock.cli(&["approvals", "list"]);
    assert!(table.contains("drop_database") && table.contains("dropping a database needs a person"), "{table}");
    let id = pending["id"].as_str().unwrap().to_string();
    let (ok, out, err) = airlock.cli(&["approvals", "approve", &id, "--reason", "planned maintenance"]);
    assert!(ok, "{out}{err}");
    let result = finish(client);
    assert_eq!(result["results"][0]["isError"], false, "{result}");
    assert_eq!(result["results"][0]["text"], "dropped staging");
    assert_eq!(calls(&log).len(), 1);
    // Single use: the same approval cannot be used twice.
    let (ok, _, err) = airlock.cli(&["approvals", "approve", &id]);
    assert!(!ok && err.contains("no pending approval"), "{err}");

    // 2. Denied by the CLI: refused with who denied it, never forwarded.
    let client = spawn_client(&py, &url, &script("prod"));
    let id = wait_pending(&airlock)["id"].as_str().unwrap().to_string();
    let (ok, out, err) = airlock.cli(&["approvals", "deny", &id, "--reason", "not in business hours"]);
    assert!(ok, "{out}{err}");
    let result = finish(client);
    let r = &result["results"][0];
    assert_eq!(r["isError"], true, "{result}");
    let text = r["text"].as_str().unwrap();
    assert!(
        text.contains("denied by") && text.contains("not in business hours") && text.contains("rule hold-drops"),
        "{text}"
    );

    // 3. Nobody answers: denied at the configured timeout, saying so.
    let short = Airlock::start(&config("3s"), RULES);
    let started = Instant::now();
    let result = finish(spawn_client(&py, &short.url("/mcp/fast"), &script("archive")));
    let r = &result["results"][0];
    assert_eq!(r["isError"], true, "{result}");
    assert!(r["text"].as_str().unwrap().contains("no one approved it within 3s"), "{r}");
    assert!(started.elapsed() >= Duration::from_secs(3));

    let received = calls(&log);
    assert_eq!(received.len(), 1, "only the approved call may reach the server: {received:?}");
    assert_eq!(received[0]["args"]["name"], "staging");

    let audit = airlock.audit_text();
    for kind in ["approval_requested", "approval_approved", "approval_denied"] {
        assert!(audit.contains(&format!("\"kind\":\"{kind}\"")), "audit lacks {kind}");
    }
    assert!(short.audit_text().contains("\"kind\":\"approval_expired\""), "audit lacks approval_expired");
    for a in [&airlock, &short] {
        let out = Command::new(airlock_bin()).args(["audit", "verify"]).arg(&a.audit).output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
}

#[test]
fn the_admin_api_needs_the_token() {
    let airlock = Airlock::start("", "");
    let (status, _) =
        http_raw(airlock.admin_port, b"GET /v1/approvals HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 401);
    let (status, _) = http_raw(
        airlock.admin_port,
        b"GET /v1/approvals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-token-000\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 401);
    let (status, body) = http_raw(
        airlock.admin_port,
        b"GET /v1/approvals HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-admin-token\r\nConnection: close\r\n\r\n",
    );
    assert_eq!((status, body.trim()), (200, "[]"));
    let (status, _) = http_raw(airlock.admin_port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 200);
}

/// Receives one HTTP request on a free port; returns (port, handle yielding (headers, body)).
fn receive_one() -> (u16, std::thread::JoinHandle<(String, String)>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        // Fail instead of hanging if the webhook never comes.
        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut s = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("no webhook request within 60 s: {e}"),
            }
        };
        s.set_nonblocking(false).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = s.read(&mut chunk).unwrap();
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if body.len() >= len {
                    s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").unwrap();
                    return (head.to_string(), body.to_string());
                }
            }
            if n == 0 {
                return (text, String::new());
            }
        }
    });
    (port, handle)
}

#[test]
fn each_pending_approval_is_announced_to_a_signed_webhook() {
    use hmac::{Hmac, Mac};
    let (hook_port, received) = receive_one();
    std::env::set_var("AIRLOCK_TEST_HOOK_SECRET", "hook-secret");
    let extra = format!(
        "[approvals]\ntimeout = \"30s\"\n[approvals.webhook]\nurl = \"http://127.0.0.1:{hook_port}/hook\"\n\
         secret_env = \"AIRLOCK_TEST_HOOK_SECRET\"\n\
         [[mcp]]\nname = \"fast\"\npath = \"/mcp/fast\"\nupstream = \"http://127.0.0.1:{}/mcp\"\n",
        free_port()
    );
    let airlock = Airlock::start(&extra, RULES);
    let port = airlock.port;
    let caller = std::thread::spawn(move || {
        let call = br#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"drop_database","arguments":{"name":"x"}}}"#;
        post(port, "/mcp/fast", "", call)
    });
    let (head, body) = received.join().unwrap();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let ts = header("x-airlock-timestamp");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"hook-secret").unwrap();
    mac.update(format!("{ts}.{body}").as_bytes());
    assert_eq!(header("x-airlock-signature"), format!("sha256={}", hex::encode(mac.finalize().into_bytes())));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["type"], "approval.pending");
    assert_eq!(v["approval"]["tool"], "drop_database");
    // Resolve it so the caller finishes: denied via the admin API.
    let id = v["approval"]["id"].as_str().unwrap();
    let req = format!(
        "POST /v1/approvals/{id}/deny HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-admin-token\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(http_raw(airlock.admin_port, req.as_bytes()).0, 200);
    let (status, body) = caller.join().unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("isError") && body.contains("denied by admin-api"), "{body}");
}

#[test]
fn decisions_are_explained_by_id_and_counted_in_metrics() {
    let rules = "[[rule]]\nid = \"no-danger\"\ntools = [\"danger\"]\ndecision = \"deny\"\nreason = \"too dangerous\"\n";
    let extra =
        format!("[[mcp]]\nname = \"r\"\npath = \"/mcp/r\"\nupstream = \"http://127.0.0.1:{}/mcp\"\n", free_port());
    let airlock = Airlock::start(&extra, rules);
    let call = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"danger","arguments":{"x":1}}}"#;
    let (status, body) = post(airlock.port, "/mcp/r", "", call);
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    let text = v["result"]["content"][0]["text"].as_str().unwrap();
    let id = text.rsplit("decision ").next().unwrap().trim_end_matches(']');
    let auth = "Authorization: Bearer test-admin-token\r\nConnection: close\r\n\r\n";
    let (status, body) =
        http_raw(airlock.admin_port, format!("GET /v1/decisions/{id} HTTP/1.1\r\nHost: x\r\n{auth}").as_bytes());
    assert_eq!(status, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["decision"], "deny");
    assert_eq!(d["rule"], "no-danger");
    assert_eq!(d["reason"], "too dangerous");
    assert_eq!(d["tool"], "danger");
    assert_eq!(d["matched_rules"][0]["id"], "no-danger");
    assert!(d["matched_rules"][0]["origin"].as_str().unwrap().ends_with("rules.toml:2"), "{d}");
    let (status, metrics) =
        http_raw(airlock.admin_port, format!("GET /metrics HTTP/1.1\r\nHost: x\r\n{auth}").as_bytes());
    assert_eq!(status, 200);
    assert!(metrics.contains("airlock_decisions_total{verdict=\"deny\",rule=\"no-danger\"} 1"), "{metrics}");
    assert!(metrics.contains("airlock_requests_total{surface=\"mcp\",route=\"r\"} 1"), "{metrics}");
    assert!(metrics.contains("airlock_decision_seconds_bucket"), "{metrics}");
    let (status, _) =
        http_raw(airlock.admin_port, format!("GET /v1/decisions/dec_nope HTTP/1.1\r\nHost: x\r\n{auth}").as_bytes());
    assert_eq!(status, 404);
}

fn run_client(py: &std::path::Path, kind: &str, target: &str, script: &Value, elicit: &str) -> Value {
    let out = Command::new(py)
        .arg(peers_dir().join("mcp_client.py"))
        .args([kind, target, &script.to_string(), elicit])
        .output()
        .expect("run client");
    assert!(out.status.success(), "client failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("client JSON")
}

#[test]
fn a_client_that_declared_elicitation_is_asked_in_band_on_every_transport() {
    let Some(py) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("calls.log");
    let (_h, hp) = fastmcp(&py, "streamable-http", &log);
    let (_s, sp) = fastmcp(&py, "sse", &log);
    let extra = format!(
        "[approvals]\ntimeout = \"30s\"\nkeepalive = \"1s\"\nelicit = true\n\
         [[mcp]]\nname = \"fast\"\npath = \"/mcp/fast\"\nupstream = \"http://127.0.0.1:{hp}/mcp\"\n\
         [[mcp]]\nname = \"legacy\"\npath = \"/mcp/legacy\"\nupstream = \"http://127.0.0.1:{sp}/sse\"\ntransport = \"sse\"\n"
    );
    let airlock = Airlock::start(&extra, RULES);
    let stdio = json!([
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
    .to_string();
    let targets =
        [("streamable-http", airlock.url("/mcp/fast")), ("sse", airlock.url("/mcp/legacy/sse")), ("stdio", stdio)];
    for (kind, target) in &targets {
        let name = format!("in-band-{kind}");
        let out = run_client(&py, kind, target, &json!([{"call": "drop_database", "args": {"name": name}}]), "accept");
        assert_eq!(out["results"][0]["text"], format!("dropped {name}"), "{kind}: {out}");
        let asked = out["elicitations"][0].as_str().unwrap_or_default();
        assert!(asked.contains("drop_database") && asked.contains("hold-drops"), "{kind}: {out}");

        let out =
            run_client(&py, kind, target, &json!([{"call": "drop_database", "args": {"name": "never"}}]), "decline");
        let r = &out["results"][0];
        assert_eq!(r["isError"], true, "{kind}: {out}");
        assert!(r["text"].as_str().unwrap().contains("denied by the MCP client (in-band elicitation)"), "{kind}: {r}");
    }
    let received = calls(&log);
    assert_eq!(received.len(), 3, "exactly the three accepted calls reach a server: {received:?}");
    assert!(received.iter().all(|c| c["args"]["name"] != "never"));
}
