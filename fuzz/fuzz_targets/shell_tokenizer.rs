//! Shell analysis on arbitrary command lines (as `exec` and as a generic MCP `command`): never panics.
#![no_main]
use airlock::call::{Surface, ToolCall};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|s: &str| {
    static A: OnceLock<airlock::analyze::Analyzer> = OnceLock::new();
    let a = A.get_or_init(airlock::analyze::Analyzer::default);
    let _ = a.analyze(&ToolCall::new(Surface::Llm, "fuzz", "exec", serde_json::json!({ "command": s })));
    let _ = a.analyze(&ToolCall::new(Surface::Mcp, "fuzz", "run", serde_json::json!({ "script": s, "path": s })));
});
