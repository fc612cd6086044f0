//! OpenAI Responses: `function_call` output items, streamed as `response.output_item.added`,
//! `response.function_call_arguments.delta`/`.done` and `response.output_item.done` per `output_index`.
//!
//! A function_call item's events are held until its `output_item.done`, then released as the original
//! bytes (allow), re-emitted with the rewritten arguments (constrain), or replaced by an assistant
//! `message` item with the explanation (deny). `response.completed` carries the whole output again; its
//! `output` is rewritten the same way when a verdict changed anything. Sequence numbers of replaced events
//! are reused, so they stay increasing.
use super::{encode_json, parse_args, Asked, Rewriter, Step};
use crate::govern::Action;
use crate::sse;
use bytes::Bytes;
use serde_json::{json, Value};
use std::collections::HashMap;

struct Item {
    output_index: u64,
    name: String,
    added: Value,
    raw: Vec<Bytes>,
    seqs: Vec<u64>,
    done_item: Option<Value>,
    complete: bool,
}

/// Stream state for one response.
#[derive(Default)]
pub struct Stream {
    items: Vec<Item>,
    /// What to put in place of a function_call item in `response.completed` (by item id).
    replaced: HashMap<String, Value>,
    finished: bool,
}

fn seq(v: &Value) -> u64 {
    v.get("sequence_number").and_then(Value::as_u64).unwrap_or(0)
}

/// Replaces function_call items in an output array by what verdicts made of them.
fn patch_output(output: &mut [Value], replaced: &HashMap<String, Value>) {
    for item in output {
        let id = item.get("id").and_then(Value::as_str).unwrap_or("").to_string();
        if let Some(new) = replaced.get(&id) {
            *item = new.clone();
        }
    }
}

fn message_item(id: &str, text: &str) -> Value {
    json!({"type": "message", "id": id, "role": "assistant", "status": "completed",
           "content": [{"type": "output_text", "text": text, "annotations": []}]})
}

impl Rewriter for Stream {
    fn event(&mut self, ev: &sse::Event, out: &mut Vec<Step>) {
        let Some(v) = ev.data.as_deref().and_then(|d| serde_json::from_str::<Value>(d).ok()) else {
            out.push(Step::Emit(ev.raw.clone()));
            return;
        };
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
        let output_index = v.get("output_index").and_then(Value::as_u64);
        let held = output_index.and_then(|i| self.items.iter().position(|it| it.output_index == i && !it.complete));
        match kind {
            "response.output_item.added"
                if v.pointer("/item/type").and_then(Value::as_str) == Some("function_call") =>
            {
                self.items.push(Item {
                    output_index: output_index.unwrap_or(0),
                    name: v.pointer("/item/name").and_then(Value::as_str).unwrap_or("").to_string(),
                    seqs: vec![seq(&v)],
                    added: v,
                    raw: vec![ev.raw.clone()],
                    done_item: None,
                    complete: false,
                });
            }
            "response.output_item.done" if held.is_some() => {
                let Some(slot) = held else { return };
                let it = &mut self.items[slot];
                it.raw.push(ev.raw.clone());
                it.seqs.push(seq(&v));
                let item = v.get("item").cloned().unwrap_or(Value::Null);
                let args = item.get("arguments").and_then(Value::as_str).unwrap_or("").to_string();
                it.done_item = Some(item);
                it.complete = true;
                out.push(Step::Judge(slot, Asked { name: it.name.clone(), args: parse_args(&args) }));
            }
            _ if held.is_some() => {
                if let Some(it) = held.and_then(|slot| self.items.get_mut(slot)) {
                    it.raw.push(ev.raw.clone());
                    it.seqs.push(seq(&v));
                }
            }
            "response.completed" | "response.incomplete" | "response.failed" => {
                self.finished = true;
                if self.replaced.is_empty() {
                    out.push(Step::Emit(ev.raw.clone()));
                } else {
                    let mut v = v;
                    if let Some(output) = v.pointer_mut("/response/output").and_then(Value::as_array_mut) {
                        patch_output(output, &self.replaced);
                    }
                    out.push(Step::Emit(encode_json(ev.event.as_deref(), &v)));
                }
            }
            _ => out.push(Step::Emit(ev.raw.clone())),
        }
    }

    fn verdict(&mut self, slot: usize, action: &Action, out: &mut Vec<Bytes>) {
        let Some(it) = self.items.get_mut(slot) else { return };
        let item = it.done_item.clone().unwrap_or(Value::Null);
        let id = item.get("id").and_then(Value::as_str).unwrap_or("").to_string();
        let mut seqs = it.seqs.iter().copied();
        let last = it.seqs.last().copied().unwrap_or(0);
        let mut next_seq = move || seqs.next().unwrap_or(last);
        let event = |kind: &str, mut v: Value, seq: u64| {
            v["type"] = json!(kind);
            v["sequence_number"] = json!(seq);
            encode_json(Some(kind), &v)
        };
        match action {
            Action::Forward => out.append(&mut it.raw),
            Action::Rewrite(args) => {
                let args = args.to_string();
                let mut new_item = item.clone();
                new_item["arguments"] = json!(args);
                self.replaced.insert(id.clone(), new_item.clone());
                let oi = it.output_index;
                out.push(event("response.output_item.added", it.added.clone(), next_seq()));
                let base = json!({"item_id": id, "output_index": oi});
                let mut delta = base.clone();
                delta["delta"] = json!(args);
                out.push(event("response.function_call_arguments.delta", delta, next_seq()));
                let mut done = base;
                done["arguments"] = json!(args);
                out.push(event("response.function_call_arguments.done", done, next_seq()));
                out.push(event("response.output_item.done", json!({"output_index": oi, "item": new_item}), next_seq()));
            }
            Action::Refuse(msg) => {
                let replacement = message_item(&id, msg);
                self.replaced.insert(id.clone(), replacement.clone());
                let oi = it.output_index;
                let mut added = replacement.clone();
                added["status"] = json!("in_progress");
                added["content"] = json!([]);
                out.push(event("response.output_item.added", json!({"output_index": oi, "item": added}), next_seq()));
                out.push(event(
                    "response.output_item.done",
                    json!({"output_index": oi, "item": replacement}),
                    next_seq(),
                ));
            }
        }
    }

    fn end(&mut self, _out: &mut Vec<Bytes>) -> Option<String> {
        let cut: Vec<&str> = self.items.iter().filter(|i| !i.complete).map(|i| i.name.as_str()).collect();
        (!cut.is_empty()).then(|| format!("the stream ended inside function call(s) {cut:?}; they were not delivered"))
    }

    fn keepalive(&self) -> Bytes {
        Bytes::from_static(sse::KEEPALIVE)
    }
}

/// The function calls in a non-streaming response, in order.
pub fn calls_in(v: &Value) -> Vec<Asked> {
    let Some(output) = v.get("output").and_then(Value::as_array) else { return Vec::new() };
    output
        .iter()
        .filter(|i| i.get("type").and_then(Value::as_str) == Some("function_call"))
        .map(|i| Asked {
            name: i.get("name").and_then(Value::as_str).unwrap_or("").to_string(),
            args: parse_args(i.get("arguments").and_then(Value::as_str).unwrap_or("")),
        })
        .collect()
}

/// Applies verdicts (in `calls_in` order) to a non-streaming response.
pub fn apply(v: &mut Value, actions: &[Action]) {
    let Some(output) = v.get_mut("output").and_then(Value::as_array_mut) else { return };
    let mut i = 0;
    for item in output.iter_mut() {
        if item.get("type").and_then(Value::as_str) != Some("function_call") {
            continue;
        }
        let id = item.get("id").and_then(Value::as_str).unwrap_or("").to_string();
        match actions.get(i) {
            Some(Action::Forward) | None => {}
            Some(Action::Rewrite(args)) => item["arguments"] = json!(args.to_string()),
            Some(Action::Refuse(msg)) => *item = message_item(&id, msg),
        }
        i += 1;
    }
}
