//! OpenAI Chat Completions: `choices[].delta.tool_calls[]` fragments, one index per call.
//!
//! A call's chunks are held until the call is complete — a later call starts, `finish_reason` arrives,
//! or `[DONE]` — then released as the original bytes (allow, when no earlier call was removed), or as one
//! synthesized chunk carrying the whole call (constrain, or re-indexed so indexes stay contiguous after a
//! removed call). A denied call becomes `delta.content` text. The finish chunk waits for the last verdict
//! so that `finish_reason: "tool_calls"` becomes `"stop"` when no call is left. Usage chunks, role chunks
//! and text pass untouched.
use super::{encode_json, parse_args, Asked, Rewriter, Step};
use crate::govern::Action;
use crate::sse;
use bytes::Bytes;
use serde_json::{json, Value};

struct Call {
    index: u64,
    id: String,
    name: String,
    args: String,
    raw: Vec<Bytes>,
    /// The chunk fields besides `choices` (id, object, created, model), for synthesized chunks.
    template: Value,
    /// A held chunk carried more than this call: it cannot be released as is.
    shared: bool,
    /// A held chunk carried `delta.role`.
    has_role: bool,
    complete: bool,
}

/// Stream state for one response.
#[derive(Default)]
pub struct Stream {
    calls: Vec<Call>,
    next_index: u64,
    kept: usize,
    asked: usize,
    pending: usize,
    /// Events that must wait for pending verdicts (the finish chunk).
    deferred: Vec<(Option<String>, Value, Bytes)>,
    saw_done: bool,
    /// `delta.role` has reached the agent (synthesized chunks add it otherwise).
    role_sent: bool,
}

impl Stream {
    fn complete_open(&mut self, out: &mut Vec<Step>) {
        for (slot, c) in self.calls.iter_mut().enumerate() {
            if !c.complete {
                c.complete = true;
                self.pending += 1;
                out.push(Step::Judge(slot, Asked { name: c.name.clone(), args: parse_args(&c.args) }));
            }
        }
    }

    /// The finish chunk: its original bytes, or with `tool_calls` → `stop` when no call reached the agent.
    fn finish_chunk(&self, event: Option<&str>, mut v: Value, raw: Bytes) -> Bytes {
        if self.kept > 0 || self.asked == 0 {
            return raw;
        }
        {
            if let Some(choices) = v.get_mut("choices").and_then(Value::as_array_mut) {
                for c in choices {
                    if c.get("finish_reason").and_then(Value::as_str) == Some("tool_calls") {
                        c["finish_reason"] = json!("stop");
                    }
                }
            }
        }
        encode_json(event, &v)
    }
}

fn template_of(v: &Value) -> Value {
    let mut t = v.clone();
    if let Some(o) = t.as_object_mut() {
        o.remove("choices");
        o.remove("usage");
    }
    t
}

/// A synthesized chunk; the first one to reach the agent carries `role` if no earlier chunk did.
fn chunk(template: &Value, mut delta: Value, role_sent: &mut bool) -> Bytes {
    if !*role_sent {
        delta["role"] = json!("assistant");
        *role_sent = true;
    }
    let mut v = template.clone();
    v["choices"] = json!([{ "index": 0, "delta": delta, "finish_reason": null }]);
    encode_json(None, &v)
}

/// One chunk carrying a whole tool call at `index`.
fn call_chunk(c: &Call, index: u64, args: &str, role_sent: &mut bool) -> Bytes {
    let call = json!({"index": index, "id": c.id, "type": "function", "function": {"name": c.name, "arguments": args}});
    chunk(&c.template, json!({ "tool_calls": [call] }), role_sent)
}

impl Rewriter for Stream {
    fn event(&mut self, ev: &sse::Event, out: &mut Vec<Step>) {
        let data = ev.data.as_deref().unwrap_or("");
        if data.trim() == "[DONE]" {
            self.saw_done = true;
            self.complete_open(out);
            out.push(Step::Emit(ev.raw.clone()));
            return;
        }
        // Fast path: a chunk that carries no tool call and no finish reason passes unparsed.
        let no_finish = !data.contains("finish_reason") || data.contains("\"finish_reason\":null");
        if !data.contains("tool_calls") && no_finish {
            self.role_sent |= data.contains("\"role\"");
            out.push(Step::Emit(ev.raw.clone()));
            return;
        }
        let Ok(v) = serde_json::from_str::<Value>(data) else {
            out.push(Step::Emit(ev.raw.clone()));
            return;
        };
        let choice = v.pointer("/choices/0");
        let tool_calls = choice.and_then(|c| c.pointer("/delta/tool_calls")).and_then(Value::as_array);
        let finish = choice.and_then(|c| c.get("finish_reason")).is_some_and(|f| !f.is_null());
        let has_role = choice.and_then(|c| c.pointer("/delta/role")).is_some_and(|r| !r.is_null());
        let Some(tool_calls) = tool_calls.filter(|t| !t.is_empty()) else {
            self.role_sent |= has_role;
            if finish {
                self.complete_open(out);
                if self.pending > 0 {
                    self.deferred.push((ev.event.clone(), v, ev.raw.clone()));
                } else {
                    out.push(Step::Emit(self.finish_chunk(ev.event.as_deref(), v, ev.raw.clone())));
                }
            } else {
                out.push(Step::Emit(ev.raw.clone()));
            }
            return;
        };
        let shared = tool_calls.len() > 1;
        let mut owner = None;
        for tc in tool_calls {
            let index = tc.get("index").and_then(Value::as_u64).unwrap_or(0);
            let slot = match self.calls.iter().position(|c| c.index == index && !c.complete) {
                Some(s) => s,
                None => {
                    // A new call: every earlier one is complete.
                    self.complete_open(out);
                    self.asked += 1;
                    self.calls.push(Call {
                        index,
                        id: String::new(),
                        name: String::new(),
                        args: String::new(),
                        raw: Vec::new(),
                        template: template_of(&v),
                        shared: false,
                        has_role: false,
                        complete: false,
                    });
                    self.calls.len() - 1
                }
            };
            let c = &mut self.calls[slot];
            if let Some(id) = tc.get("id").and_then(Value::as_str) {
                c.id = id.to_string();
            }
            if let Some(name) = tc.pointer("/function/name").and_then(Value::as_str) {
                c.name.push_str(name);
            }
            if let Some(args) = tc.pointer("/function/arguments").and_then(Value::as_str) {
                c.args.push_str(args);
            }
            c.shared |= shared;
            c.has_role |= has_role && owner.is_none();
            owner.get_or_insert(slot);
        }
        if let Some(slot) = owner {
            self.calls[slot].raw.push(ev.raw.clone());
        }
        if finish {
            self.complete_open(out);
        }
    }

    fn verdict(&mut self, slot: usize, action: &Action, out: &mut Vec<Bytes>) {
        let next = self.next_index;
        let Some(c) = self.calls.get_mut(slot) else { return };
        let role_sent = &mut self.role_sent;
        match action {
            Action::Forward if c.index == next && !c.shared && (c.has_role || *role_sent) => {
                *role_sent = true;
                out.append(&mut c.raw);
                self.next_index += 1;
                self.kept += 1;
            }
            Action::Forward => {
                out.push(call_chunk(c, next, &c.args, role_sent));
                self.next_index += 1;
                self.kept += 1;
            }
            Action::Rewrite(args) => {
                out.push(call_chunk(c, next, &args.to_string(), role_sent));
                self.next_index += 1;
                self.kept += 1;
            }
            Action::Refuse(msg) => out.push(chunk(&c.template, json!({"content": msg}), role_sent)),
        }
        self.pending = self.pending.saturating_sub(1);
        if self.pending == 0 {
            for (event, v, raw) in std::mem::take(&mut self.deferred) {
                out.push(self.finish_chunk(event.as_deref(), v, raw));
            }
        }
    }

    fn end(&mut self, out: &mut Vec<Bytes>) -> Option<String> {
        let cut: Vec<String> = self.calls.iter().filter(|c| !c.complete).map(|c| c.name.clone()).collect();
        if cut.is_empty() && self.saw_done {
            return None;
        }
        let template = self
            .calls
            .first()
            .map(|c| c.template.clone())
            .unwrap_or_else(|| json!({"object": "chat.completion.chunk"}));
        let detail = if cut.is_empty() {
            "the provider stream ended without [DONE]".to_string()
        } else {
            format!("the stream ended inside tool call(s) {cut:?}; they were not delivered")
        };
        if !cut.is_empty() {
            out.push(chunk(&template, json!({"content": format!("[airlock: {detail}]")}), &mut self.role_sent));
            let mut fin = template.clone();
            let reason = if self.kept == 0 { "stop" } else { "tool_calls" };
            fin["choices"] = json!([{ "index": 0, "delta": {}, "finish_reason": reason }]);
            out.push(encode_json(None, &fin));
        }
        if !self.saw_done {
            out.push(Bytes::from_static(b"data: [DONE]\n\n"));
        }
        (!cut.is_empty()).then_some(detail)
    }

    fn keepalive(&self) -> Bytes {
        Bytes::from_static(sse::KEEPALIVE)
    }
}

/// The tool calls in a non-streaming response (first choice), in order.
pub fn calls_in(v: &Value) -> Vec<Asked> {
    let Some(calls) = v.pointer("/choices/0/message/tool_calls").and_then(Value::as_array) else { return Vec::new() };
    calls
        .iter()
        .map(|c| Asked {
            name: c.pointer("/function/name").and_then(Value::as_str).unwrap_or("").to_string(),
            args: parse_args(c.pointer("/function/arguments").and_then(Value::as_str).unwrap_or("")),
        })
        .collect()
}

/// Applies verdicts (in `calls_in` order) to a non-streaming response.
pub fn apply(v: &mut Value, actions: &[Action]) {
    let Some(choice) = v.pointer_mut("/choices/0") else { return };
    let mut notes = Vec::new();
    if let Some(calls) = choice.pointer_mut("/message/tool_calls").and_then(Value::as_array_mut) {
        let mut i = 0;
        calls.retain_mut(|c| {
            let keep = match actions.get(i) {
                Some(Action::Forward) | None => true,
                Some(Action::Rewrite(args)) => {
                    c["function"]["arguments"] = json!(args.to_string());
                    true
                }
                Some(Action::Refuse(msg)) => {
                    notes.push(msg.clone());
                    false
                }
            };
            i += 1;
            keep
        });
    }
    let left = choice.pointer("/message/tool_calls").and_then(Value::as_array).map_or(0, Vec::len);
    if let Some(message) = choice.get_mut("message") {
        if !notes.is_empty() {
            let before = message.get("content").and_then(Value::as_str).unwrap_or("").to_string();
            let joined = notes.join("\n");
            message["content"] = json!(if before.is_empty() { joined } else { format!("{before}\n{joined}") });
        }
        if left == 0 {
            if let Some(o) = message.as_object_mut() {
                o.remove("tool_calls");
            }
        }
    }
    if left == 0 && choice.get("finish_reason").and_then(Value::as_str) == Some("tool_calls") {
        choice["finish_reason"] = json!("stop");
    }
}
