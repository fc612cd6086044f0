//! Config loading tests: the built-in default, and every problem reported together with its location.
use super::*;

#[test]
fn built_in_default_loads_on_loopback_with_moderate() {
    let s = load(None).unwrap();
    assert!(s.listen.ip().is_loopback());
    assert_eq!(s.policy.profile, "moderate");
    assert_eq!(s.llm.len(), 2);
    assert!(s.source.is_none());
}

#[test]
fn problems_are_reported_together() {
    let text = r#"
[listen]
addr = "localhost-ish"

[policy]
profile = "moderate"
files = ["/nonexistent/rules.toml"]

[[mcp]]
name = "a"
path = "/mcp"
upstream = "http://127.0.0.1:9/mcp"
transprt = "sse"

[[mcp]]
name = "b"
path = "/mcp/"
upstream = "ftp://x"
"#;
    let err = load_str(text, Path::new("airlock.toml"), false).unwrap_err().to_string();
    assert!(err.contains("airlock.toml:3: listen.addr"), "{err}");
    assert!(err.contains("airlock.toml:13: mcp[0].transprt: unknown field"), "{err}");
    assert!(err.contains("mcp[1].path: route path \"/mcp\" is already used by mcp[0]"), "{err}");
    assert!(err.contains("mcp[1].upstream"), "{err}");
    assert!(err.contains("cannot read rule file"), "{err}");
}

#[test]
fn non_loopback_admin_needs_a_token() {
    let text = "[admin]\naddr = \"0.0.0.0:8788\"\n";
    let err = load_str(text, Path::new("a.toml"), false).unwrap_err().to_string();
    assert!(err.contains("admin.token: refusing an admin listener"), "{err}");
}

#[test]
fn secrets_never_print() {
    let s = Secret::new("sk-real-key");
    assert_eq!(format!("{s:?}"), "Secret(***)");
}

#[test]
fn sizes_and_env_expansion() {
    assert_eq!(parse_size("8MiB"), Some(8 << 20));
    assert_eq!(parse_size("512 KiB"), Some(512 << 10));
    assert_eq!(parse_size("lots"), None);
    std::env::set_var("AIRLOCK_TEST_EXPAND", "v");
    assert_eq!(expand_env("Bearer ${AIRLOCK_TEST_EXPAND}!").as_deref(), Ok("Bearer v!"));
    assert_eq!(expand_env("${AIRLOCK_TEST_UNSET_VAR}"), Err("AIRLOCK_TEST_UNSET_VAR".to_string()));
}

#[test]
fn workers_default_to_one_per_core_and_are_bounded() {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    assert_eq!(load(None).unwrap().workers, cores.min(256));
    let one = load_str("[listen]\naddr = \"127.0.0.1:0\"\nworkers = 1\n", Path::new("a.toml"), false).unwrap();
    assert_eq!(one.workers, 1);
    for bad in ["0", "-2", "257"] {
        let text = format!("[listen]\naddr = \"127.0.0.1:0\"\nworkers = {bad}\n");
        let err = load_str(&text, Path::new("a.toml"), false).unwrap_err().to_string();
        assert!(err.contains("a.toml:3: listen.workers: must be between 1 and 256"), "{bad}: {err}");
    }
    let text = "[listen]\naddr = \"127.0.0.1:0\"\nworkers = \"4\"\n";
    let err = load_str(text, Path::new("a.toml"), false).unwrap_err().to_string();
    assert!(err.contains("a.toml:3: invalid type: string \"4\""), "{err}");
}
