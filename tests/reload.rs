//! SIGHUP reloads the configuration; a bad file is refused and the last good one keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use std::time::{Duration, Instant};

fn call(port: u16, tool: &str) -> String {
    let body =
        format!(r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"{tool}","arguments":{{}}}}}}"#);
    post(port, "/mcp/r", "", body.as_bytes()).1
}

fn hup(airlock: &Airlock) {
    let pid = airlock.proc.as_ref().unwrap().0.id();
    assert!(std::process::Command::new("kill").args(["-HUP", &pid.to_string()]).status().unwrap().success());
}

fn wait_for(mut f: impl FnMut() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sighup_applies_a_good_config_and_keeps_the_last_good_one_on_error() {
    let deny = |tool: &str| format!("[[rule]]\nid = \"no-{tool}\"\ntools = [\"{tool}\"]\ndecision = \"deny\"\n");
    let extra =
        format!("[[mcp]]\nname = \"r\"\npath = \"/mcp/r\"\nupstream = \"http://127.0.0.1:{}/mcp\"\n", free_port());
    let airlock = Airlock::start(&extra, &deny("alpha"));
    assert!(call(airlock.port, "alpha").contains("airlock denied alpha"));
    assert!(!call(airlock.port, "beta").contains("airlock denied"));

    std::fs::write(airlock.dir.path().join("rules.toml"), deny("beta")).unwrap();
    hup(&airlock);
    wait_for(|| call(airlock.port, "beta").contains("airlock denied beta"), "the new rules");
    assert!(!call(airlock.port, "alpha").contains("airlock denied"), "the old rule is gone");

    std::fs::write(airlock.dir.path().join("rules.toml"), "[[rule]]\nid = \"x\"\ndecision = \"maybe\"\n").unwrap();
    hup(&airlock);
    wait_for(|| airlock.log().contains("reload refused"), "the refusal in the log");
    assert!(airlock.log().contains("unknown decision \"maybe\""));
    assert!(call(airlock.port, "beta").contains("airlock denied beta"), "the last good policy still applies");
}
