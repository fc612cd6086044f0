//! Anthropic Messages: `tool_use` content blocks, streamed as `content_block_start` +
//! `input_json_delta`s + `content_block_stop` per block index.
//!
//! A tool_use block's events are held until its `content_block_stop`, then released as the original bytes
//! (allow), re-emitted with the rewritten input in one delta (constrain), or replaced by a text block at
//! the same index (deny). When no tool call is left, `message_delta`'s `stop_reason: "tool_use"` becomes
//! `"end_turn"`. Thinking blocks, signatures, pings, usage and errors pass untouched.
use super::{encode_json, parse_args, Asked, Rewriter, Step};
use crate::govern::Action;
use crate::sse;
use bytes::Bytes;
use serde_json::{json, Value};

/// A tool_use block being held.
struct Held {
    index: u64,
    name: String,
    start: Bytes,
    start_json: Value,
    raw: Vec<Bytes>,
    json: String,
    complete: bool,
}

/// Stream state for one response.
#[derive(Default)]
pub struct Stream {
    held: Vec<Held>,
    /// Tool calls that reached the agent (allowed or rewritten).
    kept: usize,
    /// Tool calls the model asked for.
    asked: usize,
    finished: bool,
}

fn index_of(v: &Value) -> Option<u64> {
    v.get("index").and_then(Value::as_u64)
}

fn text_block(index: u64, text: &str) -> Vec<Bytes> {
    vec![
        encode_json(
            Some("content_block_start"),
            &json!({"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}),
        ),
        encode_json(
            Some("content_block_delta"),
            &json!({"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": text}}),
        ),
        encode_json(Some("content_block_stop"), &json!({"type": "content_block_stop", "index": index})),
    ]
}

impl Rewriter for Stream {
    fn event(&mut self, ev: &sse::Event, out: &mut Vec<Step>) {
        // Fast path: text deltas and pings (nearly every event) need no parsing while no tool call is open.
        let open = self.held.iter().any(|h| !h.complete);
        if !open && matches!(ev.event.as_deref(), Some("content_block_delta" | "ping")) {
            out.push(Step::Emit(ev.raw.clone()));
            return;
        }
        let Some(v) = ev.data.as_deref().and_then(|d| serde_json::from_str::<Value>(d).ok()) else {
            out.push(Step::Emit(ev.raw.clone()));
            return;
        };
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "content_block_start" if v.pointer("/content_block/type").and_then(Value::as_str) == Some("tool_use") => {
                self.asked += 1;
                self.held.push(Held {
                    index: index_of(&v).unwrap_or(0),
                    name: v.pointer("/content_block/name").and_then(Value::as_str).unwrap_or("").to_string(),
                    start: ev.raw.clone(),
                    start_json: v,
                    raw: Vec::new(),
                    json: String::new(),
                    complete: false,
                });
            }
            "content_block_delta" | "content_block_stop" => {
                let index = index_of(&v);
                let Some(slot) = self.held.iter().position(|h| Some(h.index) == index && !h.complete) else {
                    out.push(Step::Emit(ev.raw.clone()));
                    return;
                };
                let h = &mut self.held[slot];
                h.raw.push(ev.raw.clone());
                if let Some(part) = v.pointer("/delta/partial_json").and_then(Value::as_str) {
                    h.json.push_str(part);
                }
                if kind == "content_block_stop" {
                    h.complete = true;
                    out.push(Step::Judge(slot, Asked { name: h.name.clone(), args: parse_args(&h.json) }));
                }
            }
            "message_delta" if self.kept == 0 && self.asked > 0 => {
                if v.pointer("/delta/stop_reason").and_then(Value::as_str) == Some("tool_use") {
                    let mut v = v;
                    if let Some(d) = v.get_mut("delta") {
                        d["stop_reason"] = json!("end_turn");
                    }
                    out.push(Step::Emit(encode_json(ev.event.as_deref(), &v)));
                } else {
                    out.push(Step::Emit(ev.raw.clone()));
                }
            }
            "message_stop" => {
                self.finished = true;
                out.push(Step::Emit(ev.raw.clone()));
            }
            _ => out.push(Step::Emit(ev.raw.clone())),
        }
    }

    fn verdict(&mut self, slot: usize, action: &Action, out: &mut Vec<Bytes>) {
        let Some(h) = self.held.get_mut(slot) else { return };
        match action {
            Action::Forward => {
                self.kept += 1;
                out.push(h.start.clone());
                out.append(&mut h.raw);
            }
            Action::Rewrite(args) => {
                self.kept += 1;
                out.push(h.start.clone());
                let delta = json!({"type": "content_block_delta", "index": h.index,
                    "delta": {"type": "input_json_delta", "partial_json": args.to_string()}});
                out.push(encode_json(Some("content_block_delta"), &delta));
                out.push(encode_json(
                    Some("content_block_stop"),
                    &json!({"type": "content_block_stop", "index": h.index}),
                ));
            }
            Action::Refuse(msg) => out.extend(text_block(h.index, msg)),
        }
        let _ = &h.start_json;
    }

    fn end(&mut self, out: &mut Vec<Bytes>) -> Option<String> {
        let cut: Vec<&Held> = self.held.iter().filter(|h| !h.complete).collect();
        if cut.is_empty() {
            return None;
        }
        let names: Vec<&str> = cut.iter().map(|h| h.name.as_str()).collect();
        let detail = format!("the stream ended inside tool call(s) {names:?}; they were not delivered");
        for h in &cut {
            out.extend(text_block(h.index, &format!("[airlock: {detail}]")));
        }
        if !self.finished {
            let stop = if self.kept == 0 { "end_turn" } else { "tool_use" };
            out.push(encode_json(
                Some("message_delta"),
                &json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": 0}}),
            ));
            out.push(encode_json(Some("message_stop"), &json!({"type": "message_stop"})));
        }
        Some(detail)
    }

    fn keepalive(&self) -> Bytes {
        Bytes::from_static(b"event: ping\ndata: {\"type\": \"ping\"}\n\n")
    }
}

/// The tool calls in a non-streaming Messages response, in order.
pub fn calls_in(v: &Value) -> Vec<Asked> {
    let Some(content) = v.get("content").and_then(Value::as_array) else { return Vec::new() };
    content
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))
        .map(|b| Asked {
            name: b.get("name").and_then(Value::as_str).unwrap_or("").to_string(),
            args: match b.get("input") {
                Some(i @ Value::Object(_)) => Ok(i.clone()),
                Some(_) => Err("input must be a JSON object".into()),
                None => Ok(json!({})),
            },
        })
        .collect()
}

/// Applies verdicts (in `calls_in` order) to a non-streaming response.
pub fn apply(v: &mut Value, actions: &[Action]) {
    let Some(content) = v.get_mut("content").and_then(Value::as_array_mut) else { return };
    let mut i = 0;
    let mut kept = 0;
    for block in content.iter_mut() {
        if block.get("type").and_then(Value::as_str) != Some("tool_use") {
            continue;
        }
        match actions.get(i) {
            Some(Action::Forward) | None => kept += 1,
            Some(Action::Rewrite(args)) => {
                block["input"] = args.clone();
                kept += 1;
            }
            Some(Action::Refuse(msg)) => *block = json!({"type": "text", "text": msg}),
        }
        i += 1;
    }
    if kept == 0 && v.get("stop_reason").and_then(Value::as_str) == Some("tool_use") {
        v["stop_reason"] = json!("end_turn");
    }
}
