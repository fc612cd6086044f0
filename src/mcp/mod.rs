//! The MCP surface: `tools/call` requests become [`ToolCall`]s, verdicts are applied in MCP's own terms.
//!
//! A denied call never reaches the server; the client gets a normal result with `isError: true` and a
//! text naming the tool, the reason, the rule and the decision id. Responses to `tools/list` lose the tools
//! policy denies outright (and teach airlock each tool's annotations); responses to `tools/call` are
//! redacted. Everything else passes as the original bytes. See `README.md` for the transport details.
pub mod elicit;
pub mod exchange;
pub mod legacy_sse;
pub mod stdio;
pub mod streamable_http;

use crate::call::{Surface, ToolCall, ToolHints};
use crate::govern::{Action, Governor};
use crate::jsonrpc::{self, Message};
use crate::redact::Direction;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// What airlock learned from `tools/list`: each tool's annotations, per route.
#[derive(Default)]
pub struct Hints {
    map: Mutex<HashMap<(String, String), ToolHints>>,
}

impl Hints {
    pub fn get(&self, route: &str, tool: &str) -> ToolHints {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&(route.to_string(), tool.to_string())).copied().unwrap_or_default()
    }

    fn set(&self, route: &str, tool: &str, hints: ToolHints) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() < 100_000 {
            map.insert((route.to_string(), tool.to_string()), hints);
        }
    }
}

/// Builds the `ToolCall` for a `tools/call` request's params.
pub fn tool_call(
    params: Option<&RawValue>,
    route: &str,
    session: Option<&str>,
    hints: &Hints,
) -> Result<ToolCall, String> {
    let params: Map<String, Value> = match params {
        Some(p) => serde_json::from_str(p.get()).map_err(|e| format!("tools/call params must be an object: {e}"))?,
        None => return Err("tools/call needs params with a tool name".into()),
    };
    let name = params.get("name").and_then(Value::as_str).ok_or("tools/call params need a string \"name\"")?;
    let args = params.get("arguments").cloned().unwrap_or(Value::Object(Map::new()));
    let mut call = ToolCall::new(Surface::Mcp, route, name, args);
    call.session = session.map(str::to_string);
    call.hints = hints.get(route, name);
    Ok(call)
}

/// The result a refused `tools/call` gets: a normal result with `isError: true`.
pub fn refusal_response(id: &RawValue, message: &str) -> String {
    let result = serde_json::json!({ "content": [{ "type": "text", "text": message }], "isError": true });
    jsonrpc::result_response(id, &result.to_string())
}

/// A `tools/call` request with its arguments replaced (constrain).
pub fn rewrite_call(raw: &RawValue, args: &Value) -> Result<String, String> {
    let mut msg: Map<String, Value> = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
    if let Some(Value::Object(params)) = msg.get_mut("params") {
        params.insert("arguments".into(), args.clone());
    }
    serde_json::to_string(&msg).map_err(|e| e.to_string())
}

/// What a request id was for, so its response can be filtered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    ToolsList,
    ToolsCall,
}

/// The outcome of deciding every message of one client body.
#[derive(Default)]
pub struct Plan {
    /// Messages to forward (original bytes or rewritten), in order.
    pub forward: Vec<String>,
    /// Replies airlock gives itself (refused calls, malformed params).
    pub local: Vec<String>,
    /// Request ids whose responses must be filtered.
    pub track: Vec<(String, Pending)>,
    /// The body was a batch.
    pub batch: bool,
    /// Whether every forwarded message is byte-identical to what the client sent.
    pub untouched: bool,
    /// Decision ids of forwarded calls (for outcome notes).
    pub decisions: Vec<String>,
    /// One of the forwarded calls was held for a person: its outcome is audited too.
    pub held: bool,
    /// An `initialize` in this body declared the client's `elicitation` capability.
    pub declares_elicitation: bool,
    /// Messages airlock consumed itself (answers to its own elicitations).
    pub consumed: usize,
}

impl Plan {
    /// The body to send upstream (`None` when nothing is left to forward).
    pub fn upstream_body(&self, original: &[u8]) -> Option<bytes::Bytes> {
        if self.forward.is_empty() {
            return None;
        }
        if self.untouched {
            return Some(bytes::Bytes::copy_from_slice(original));
        }
        Some(if self.batch { format!("[{}]", self.forward.join(",")).into() } else { self.forward.concat().into() })
    }

    /// Airlock's own replies as one JSON body (a single message, or an array for a batch).
    pub fn local_body(&self) -> String {
        if self.batch {
            format!("[{}]", self.local.join(","))
        } else {
            self.local.concat()
        }
    }
}

impl Plan {
    /// Audits what became of the forwarded calls that were held for a person. Nothing is formatted or
    /// looked up when none was, which is every ordinary call.
    pub fn held_outcome(&self, gov: &Governor, outcome: std::fmt::Arguments<'_>) {
        if self.held {
            gov.held_outcome(&self.decisions, &outcome.to_string());
        }
    }
}

/// A decision running in its own task (so a held one can outlive the request that started it), started by
/// [`spawn_decision`].
pub(crate) struct Deciding<T> {
    task: tokio::task::JoinHandle<T>,
    held: std::sync::Arc<tokio::sync::Notify>,
}

/// Spawns `decide` and watches it for a call held for a person (see [`crate::govern::watch_hold`]).
pub(crate) fn spawn_decision<T: Send + 'static>(
    decide: impl std::future::Future<Output = T> + Send + 'static,
) -> Deciding<T> {
    let held = std::sync::Arc::new(tokio::sync::Notify::new());
    Deciding { task: tokio::spawn(crate::govern::watch_hold(held.clone(), decide)), held }
}

impl<T> Deciding<T> {
    /// The decision, or `None` as soon as a call in it is held for a person (the task keeps running; take
    /// it with [`Deciding::into_task`]). A finished decision wins over a hold that was already resolved.
    pub(crate) async fn unless_held(&mut self) -> Option<Result<T, tokio::task::JoinError>> {
        tokio::select! {
            biased;
            joined = &mut self.task => Some(joined),
            () = self.held.notified() => None,
        }
    }

    pub(crate) fn into_task(self) -> tokio::task::JoinHandle<T> {
        self.task
    }
}

/// Decides every message of a parsed client body.
pub async fn plan(
    gov: &Governor,
    route: &crate::config::McpRoute,
    body: &jsonrpc::Body<'_>,
    session: Option<&str>,
    hints: &Hints,
) -> Plan {
    let mut plan = Plan { batch: body.batch, untouched: true, ..Plan::default() };
    for m in &body.messages {
        match m.message() {
            Message::Request { id, method: "tools/call", params } => {
                let call = match tool_call(params, &route.name, session, hints) {
                    Ok(c) => c,
                    Err(e) => {
                        plan.local.push(jsonrpc::error_response(Some(id), -32602, &e));
                        plan.untouched = false;
                        continue;
                    }
                };
                let governed = gov.govern(call, route.fail_mode).await;
                plan.held |= governed.record.decision.verdict == crate::policy::Verdict::RequireHuman;
                match governed.action {
                    Action::Forward => {
                        plan.forward.push(m.raw.get().to_string());
                        plan.track.push((jsonrpc::id_key(id), Pending::ToolsCall));
                        plan.decisions.push(governed.record.decision.id.0.clone());
                    }
                    Action::Rewrite(args) => match rewrite_call(m.raw, &args) {
                        Ok(text) => {
                            plan.forward.push(text);
                            plan.untouched = false;
                            plan.track.push((jsonrpc::id_key(id), Pending::ToolsCall));
                            plan.decisions.push(governed.record.decision.id.0.clone());
                        }
                        Err(e) => {
                            plan.local.push(jsonrpc::error_response(Some(id), jsonrpc::INTERNAL_ERROR, &e));
                            plan.untouched = false;
                        }
                    },
                    Action::Refuse(msg) => {
                        plan.local.push(refusal_response(id, &msg));
                        plan.untouched = false;
                    }
                }
            }
            Message::Request { method: "initialize", params, .. } => {
                plan.declares_elicitation |= elicit::declares(params);
                plan.forward.push(m.raw.get().to_string());
            }
            Message::Response { id, result, error } if elicit::answer(gov, id, result, error) => {
                plan.consumed += 1;
                plan.untouched = false;
            }
            Message::Request { id, method: "tools/list", .. } => {
                plan.forward.push(m.raw.get().to_string());
                plan.track.push((jsonrpc::id_key(id), Pending::ToolsList));
            }
            _ => plan.forward.push(m.raw.get().to_string()),
        }
    }
    plan
}

/// Filters server → client messages: `tools/list` and `tools/call` responses to tracked ids.
pub struct ResponseFilter<'a> {
    pub gov: &'a Governor,
    pub route: &'a str,
    pub session: Option<String>,
    pub hints: &'a Hints,
}

impl ResponseFilter<'_> {
    /// Returns the rewritten message text, or `None` to forward the original bytes.
    pub fn filter(&self, text: &str, pending: impl Fn(&str) -> Option<Pending>) -> Option<String> {
        let parsed = jsonrpc::parse_one(text).ok()?;
        let Message::Response { id, result: Some(result), .. } = parsed.message() else {
            return None;
        };
        let kind = pending(&jsonrpc::id_key(id))?;
        let mut value: Value = serde_json::from_str(result.get()).ok()?;
        let changed = match kind {
            Pending::ToolsList => self.filter_list(&mut value),
            Pending::ToolsCall => self.redact_result(&mut value),
        };
        changed.then(|| jsonrpc::result_response(id, &value.to_string()))
    }

    fn filter_list(&self, value: &mut Value) -> bool {
        let Some(tools) = value.get_mut("tools").and_then(Value::as_array_mut) else {
            return false;
        };
        let snap = self.gov.snapshot.load();
        let before = tools.len();
        tools.retain(|tool| {
            let Some(name) = tool.get("name").and_then(Value::as_str) else {
                return true;
            };
            let ann = tool.get("annotations");
            let hint = |k: &str| ann.and_then(|a| a.get(k)).and_then(Value::as_bool);
            let hints = ToolHints {
                read_only: hint("readOnlyHint"),
                destructive: hint("destructiveHint"),
                open_world: hint("openWorldHint"),
            };
            self.hints.set(self.route, name, hints);
            let mut call = ToolCall::new(Surface::Mcp, self.route, name, Value::Object(Map::new()));
            call.session.clone_from(&self.session);
            call.hints = hints;
            let facts = crate::analyze::Facts { tool: name.to_ascii_lowercase(), ..Default::default() };
            snap.policy.denies_outright(&call, &facts).is_none()
        });
        tools.len() != before
    }

    fn redact_result(&self, value: &mut Value) -> bool {
        let snap = self.gov.snapshot.load();
        let r = &snap.redactor;
        let mut found = 0;
        if let Some(content) = value.get_mut("content").and_then(Value::as_array_mut) {
            for block in content {
                if let Some(text) = block.get_mut("text") {
                    found += r.redact_json(text, Direction::ToolResult).len();
                }
                if let Some(text) = block.get_mut("resource").and_then(|res| res.get_mut("text")) {
                    found += r.redact_json(text, Direction::ToolResult).len();
                }
            }
        }
        if let Some(sc) = value.get_mut("structuredContent") {
            found += r.redact_json(sc, Direction::ToolResult).len();
        }
        found > 0
    }
}

#[cfg(test)]
mod deciding_tests {
    use super::spawn_decision;
    use std::time::Duration;

    /// Only an actual hold switches a reply to keep-alives: a decision slower than any timer guess is
    /// still an ordinary decision.
    #[tokio::test]
    async fn a_slow_decision_is_not_taken_for_a_hold() {
        let mut slow = spawn_decision(async {
            tokio::time::sleep(Duration::from_millis(400)).await;
            7
        });
        assert_eq!(slow.unless_held().await.map(Result::unwrap), Some(7));
        let mut held = spawn_decision(async {
            crate::govern::announce_hold();
            std::future::pending::<()>().await;
        });
        assert!(held.unless_held().await.is_none());
        held.into_task().abort();
        // Outside a watched task the announcement goes nowhere (and does not panic).
        crate::govern::announce_hold();
    }
}
