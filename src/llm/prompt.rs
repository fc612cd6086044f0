//! Redacting prompts before they leave the host (`Direction::Prompt`).
//!
//! Only text that people and tools wrote is walked: `system`, message `content` (strings and text / tool
//! result blocks), tool-call inputs and arguments in the history, and Responses `input`. Structural fields
//! (model, ids, roles, types) and thinking blocks with their signatures are never touched: changing a
//! signed thinking block would make the provider reject the request. A request with nothing to redact is
//! forwarded as its original bytes.
use crate::config::LlmApi;
use crate::redact::{Direction, Redactor};
use bytes::Bytes;
use serde_json::Value;

/// Keys whose string values (or whose subtrees) carry text to redact.
const TEXT_KEYS: &[&str] = &["text", "content", "system", "input", "output", "arguments", "instructions"];

/// Returns the request body to send: the original bytes, or a redacted re-serialization.
pub fn redact_request(redactor: &Redactor, _api: LlmApi, original: Bytes) -> Bytes {
    let Ok(mut v) = serde_json::from_slice::<Value>(&original) else { return original };
    let mut found = 0;
    walk(redactor, &mut v, false, &mut found);
    if found == 0 {
        return original;
    }
    match serde_json::to_vec(&v) {
        Ok(b) => Bytes::from(b),
        Err(_) => original,
    }
}

/// `inside`: we are under a text-bearing key, so every string here is text.
fn walk(r: &Redactor, v: &mut Value, inside: bool, found: &mut usize) {
    match v {
        Value::String(s) if inside => {
            let red = r.redact_text(s, Direction::Prompt);
            if !red.findings.is_empty() {
                *found += red.findings.len();
                *s = red.text.into_owned();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk(r, i, inside, found)),
        Value::Object(map) => {
            let thinking = matches!(map.get("type").and_then(Value::as_str), Some("thinking" | "redacted_thinking"));
            if thinking {
                return;
            }
            for (k, child) in map.iter_mut() {
                let text = inside && !is_structural(k) || TEXT_KEYS.contains(&k.as_str());
                walk(r, child, text, found);
            }
        }
        _ => {}
    }
}

fn is_structural(key: &str) -> bool {
    matches!(
        key,
        "type"
            | "role"
            | "id"
            | "model"
            | "name"
            | "tool_use_id"
            | "call_id"
            | "signature"
            | "media_type"
            | "cache_control"
    ) || key.ends_with("_id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_messages_are_redacted_and_structure_and_thinking_kept() {
        let body = serde_json::json!({
            "model": "claude-x",
            "system": "You are helpful.",
            "messages": [
                {"role": "user", "content": "my key is AKIAIOSFODNN7EXAMPLE, deploy"},
                {"role": "assistant", "content": [
                    {"type": "thinking", "thinking": "AKIAIOSFODNN7EXAMPLE", "signature": "sig"},
                    {"type": "tool_use", "id": "toolu_1", "name": "exec", "input": {"command": "echo AKIAIOSFODNN7EXAMPLE"}}
                ]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "AKIAIOSFODNN7EXAMPLE"}]}
            ]
        });
        let out = redact_request(&Redactor::default(), LlmApi::AnthropicMessages, Bytes::from(body.to_string()));
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert!(v["messages"][0]["content"].as_str().unwrap().contains("[REDACTED:"));
        assert_eq!(v["messages"][1]["content"][0]["thinking"], "AKIAIOSFODNN7EXAMPLE", "signed thinking is untouched");
        assert!(!v["messages"][1]["content"][1]["input"]["command"].as_str().unwrap().contains("AKIA"));
        assert!(!v["messages"][2]["content"][0]["content"].as_str().unwrap().contains("AKIA"));
        assert_eq!(v["messages"][2]["content"][0]["tool_use_id"], "toolu_1");
        assert_eq!(v["model"], "claude-x");
    }

    #[test]
    fn clean_requests_pass_byte_for_byte() {
        let raw =
            Bytes::from_static(br#"{"model":"m",  "messages":[{"role":"user","content":"hello"}],"stream":true}"#);
        assert_eq!(redact_request(&Redactor::default(), LlmApi::OpenAiChat, raw.clone()), raw);
    }
}
