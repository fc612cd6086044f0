//! Shared harness for end-to-end tests: the real `airlock` binary, real peers (the official MCP Python
//! SDK, FastMCP), free loopback ports, and processes that are killed when a test ends.
//!
//! Peers come from `AIRLOCK_PEER_PYTHON` (a Python with `mcp<2`, `anthropic`, `openai`), which
//! `tests/run-all.sh` sets up. Without it these tests print `skipped` and return; with
//! `AIRLOCK_E2E_REQUIRED=1` (set by CI) a missing peer is a failure instead.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The peers' Python, or `None` (and a note on stderr) when e2e peers are not installed.
pub fn python() -> Option<PathBuf> {
    match std::env::var_os("AIRLOCK_PEER_PYTHON") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            assert!(
                std::env::var_os("AIRLOCK_E2E_REQUIRED").is_none(),
                "AIRLOCK_E2E_REQUIRED is set but AIRLOCK_PEER_PYTHON is not: run tests/run-all.sh"
            );
            eprintln!("skipped: AIRLOCK_PEER_PYTHON not set (run tests/run-all.sh for end-to-end tests)");
            None
        }
    }
}

pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers")
}

pub fn airlock_bin() -> &'static str {
    env!("CARGO_BIN_EXE_airlock")
}

/// A free loopback port (bound then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

pub fn wait_port(port: u16, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listened on port {port} within {timeout:?}");
}

/// A child process killed on drop.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A FastMCP server (`transport` = `streamable-http` or `sse`) on a free port; calls logged to `log`.
pub fn fastmcp(py: &Path, transport: &str, log: &Path) -> (Proc, u16) {
    fastmcp_with(py, transport, log, &[])
}

/// Like `fastmcp`, with extra environment (e.g. `FASTMCP_JSON=1` for JSON replies).
pub fn fastmcp_with(py: &Path, transport: &str, log: &Path, env: &[(&str, &str)]) -> (Proc, u16) {
    let port = free_port();
    let child = Command::new(py)
        .envs(env.iter().copied())
        .arg(peers_dir().join("fastmcp_server.py"))
        .arg(transport)
        .arg(port.to_string())
        .env("CALL_LOG", log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start fastmcp server");
    wait_port(port, Duration::from_secs(20));
    (Proc(child), port)
}

/// Starts `tests/peers/scripted_provider.py` (a fake LLM provider) asking for one `exec` of `command`;
/// every request it gets is logged to `log`. Returns it and its port.
pub fn scripted_provider(py: &Path, log: &Path, command: &str) -> (Proc, u16) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(py)
        .arg(peers_dir().join("scripted_provider.py"))
        .env("FAKE_LOG", log)
        .env("FAKE_COMMAND", command)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the scripted provider");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("provider stdout")).read_line(&mut line).expect("provider port");
    let port = line.trim().parse().expect("the provider prints its port");
    (Proc(child), port)
}

/// The requests a scripted provider logged.
pub fn provider_requests(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// A running airlock with its own directory, ports and audit log.
pub struct Airlock {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub admin_port: u16,
    pub config: PathBuf,
    pub audit: PathBuf,
    pub proc: Option<Proc>,
}

impl Airlock {
    /// Writes a config (`[listen]`, `[admin]`, `[audit]` are added) plus `rules` as a rule file, and starts it.
    pub fn start(extra: &str, rules: &str) -> Airlock {
        let mut a = Airlock::configure(extra, rules);
        a.spawn();
        a
    }

    /// Like `start` without starting (for `mcp-stdio`, `check`, `simulate`).
    pub fn configure(extra: &str, rules: &str) -> Airlock {
        let dir = tempfile::tempdir().expect("tempdir");
        let (port, admin_port) = (free_port(), free_port());
        let audit = dir.path().join("audit.jsonl");
        std::fs::write(dir.path().join("rules.toml"), rules).expect("write rules");
        let config = dir.path().join("airlock.toml");
        let text = format!(
            "[listen]\naddr = \"127.0.0.1:{port}\"\n[admin]\naddr = \"127.0.0.1:{admin_port}\"\ntoken = \"test-admin-token\"\n\
             [audit]\npath = \"{}\"\n{extra}\n",
            audit.display()
        );
        let text = if extra.contains("[policy]") {
            text
        } else {
            format!("{text}\n[policy]\nprofile = \"none\"\nfiles = [\"rules.toml\"]\n")
        };
        std::fs::write(&config, text).expect("write config");
        Airlock { dir, port, admin_port, config, audit, proc: None }
    }

    /// Starts the configured airlock and waits until it says it is listening. The ports were free when
    /// chosen but another test may take one before airlock binds it: then airlock exits, and it is started
    /// again on new ports (connecting to the port alone could reach that other test's listener).
    pub fn spawn(&mut self) {
        for _attempt in 0..3 {
            let log_path = self.dir.path().join("airlock.log");
            let log = std::fs::File::create(&log_path).expect("log file");
            let child = Command::new(airlock_bin())
                .args(["serve", "--config"])
                .arg(&self.config)
                .env("AIRLOCK_LOG", "info")
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start airlock");
            let mut proc = Proc(child);
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if self.log().contains("airlock listening on") {
                    self.proc = Some(proc);
                    wait_port(self.port, Duration::from_secs(20));
                    wait_port(self.admin_port, Duration::from_secs(20));
                    return;
                }
                if let Ok(Some(status)) = proc.0.try_wait() {
                    let log = self.log();
                    assert!(log.contains("binding the listeners"), "airlock exited ({status}): {log}");
                    break;
                }
                assert!(Instant::now() < deadline, "airlock did not start listening: {}", self.log());
                std::thread::sleep(Duration::from_millis(20));
            }
            // A port was taken in the meantime: move both and try again.
            let (port, admin_port) = (free_port(), free_port());
            let text = std::fs::read_to_string(&self.config)
                .expect("read config")
                .replace(&format!("127.0.0.1:{}\"", self.port), &format!("127.0.0.1:{port}\""))
                .replace(&format!("127.0.0.1:{}\"", self.admin_port), &format!("127.0.0.1:{admin_port}\""));
            std::fs::write(&self.config, text).expect("write config");
            (self.port, self.admin_port) = (port, admin_port);
        }
        panic!("airlock could not bind its ports in 3 attempts: {}", self.log());
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("airlock.log")).unwrap_or_default()
    }

    pub fn audit_text(&self) -> String {
        std::fs::read_to_string(&self.audit).unwrap_or_default()
    }

    /// Runs an airlock subcommand with this config; returns (success, stdout, stderr).
    pub fn cli(&self, args: &[&str]) -> (bool, String, String) {
        let out =
            Command::new(airlock_bin()).args(args).arg("--config").arg(&self.config).output().expect("run airlock");
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
    }
}

/// Runs the SDK client driver: `kind` is streamable-http, sse or stdio; returns its JSON report.
pub fn mcp_client(py: &Path, kind: &str, target: &str, script: &Value) -> Value {
    let out = Command::new(py)
        .arg(peers_dir().join("mcp_client.py"))
        .args([kind, target, &script.to_string()])
        .output()
        .expect("run mcp client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "mcp client failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("client output not JSON ({e}): {stdout}"))
}

/// The tool calls a FastMCP server received (from its call log).
pub fn calls(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// A raw HTTP/1.1 exchange (for malformed input the SDKs would never send). Returns (status, body).
pub fn http_raw(port: u16, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    // A server may answer (413, 400) and close before reading the whole request: the write can then fail
    // while the answer is already waiting to be read.
    let _ = s.write_all(request);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// A POST with `Connection: close`.
pub fn post(port: u16, path: &str, headers: &str, body: &[u8]) -> (u16, String) {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n{headers}\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    http_raw(port, &req)
}
