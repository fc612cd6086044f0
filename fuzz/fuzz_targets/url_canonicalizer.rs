//! URL analysis on arbitrary strings (fetch tools and shell downloads): never panics.
#![no_main]
use airlock::call::{Surface, ToolCall};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|s: &str| {
    static A: OnceLock<airlock::analyze::Analyzer> = OnceLock::new();
    let a = A.get_or_init(airlock::analyze::Analyzer::default);
    let _ = a.analyze(&ToolCall::new(Surface::Llm, "fuzz", "web_fetch", serde_json::json!({ "url": s })));
    let _ = a.analyze(&ToolCall::new(Surface::Llm, "fuzz", "exec", serde_json::json!({ "command": format!("curl {s}") })));
});
