//! In-band approval through MCP elicitation (`[approvals] elicit = true`).
//!
//! When a client declared the `elicitation` capability at `initialize`, a call held for a person also
//! produces an `elicitation/create` request to that client, on the same stream the held reply travels.
//! The client's answer comes back as a JSON-RPC response with airlock's own request id; it is consumed
//! here (never forwarded to the server) and resolves the approval. Out-of-band approval (API, CLI,
//! page) stays available the whole time and is authoritative in the usual way: whichever answer comes
//! first resolves the call, and a later one is refused as already resolved. Enable this only when the
//! MCP client shows elicitations to a person; an agent that answers its own elicitations would approve
//! its own calls.
use crate::govern::approval::{PendingView, Resolution};
use crate::govern::Governor;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Mutex;

/// Request ids airlock uses for its own elicitations.
pub const ID_PREFIX: &str = "airlock-elicit-";
const BY: &str = "the MCP client (in-band elicitation)";

/// Sessions whose client declared the `elicitation` capability.
#[derive(Default)]
pub struct Capable(Mutex<HashSet<String>>);

impl Capable {
    pub fn mark(&self, session: &str) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if s.len() < 100_000 {
            s.insert(session.to_string());
        }
    }

    pub fn has(&self, session: &str) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).contains(session)
    }
}

/// Whether `initialize` params declare the elicitation capability.
pub fn declares(params: Option<&RawValue>) -> bool {
    params
        .and_then(|p| serde_json::from_str::<Value>(p.get()).ok())
        .is_some_and(|v| v.pointer("/capabilities/elicitation").is_some())
}

/// The `elicitation/create` request for one pending approval.
pub fn request(view: &PendingView) -> String {
    let args = serde_json::to_string_pretty(&view.args).unwrap_or_default();
    let message = format!(
        "airlock is holding a call for your approval.\n\nTool: {}\nRule: {} — {}\nArguments:\n{args}\n\nApprove it?",
        view.tool, view.rule, view.reason
    );
    json!({
        "jsonrpc": "2.0",
        "id": format!("{ID_PREFIX}{}", view.id),
        "method": "elicitation/create",
        "params": {
            "message": message,
            "requestedSchema": {
                "type": "object",
                "properties": { "approve": { "type": "boolean", "title": "Approve this call" } },
                "required": ["approve"]
            }
        }
    })
    .to_string()
}

/// Elicitation requests for this session's pending approvals that have not been asked yet.
pub fn new_requests(gov: &Governor, session: &str, asked: &mut HashSet<String>) -> Vec<String> {
    gov.approvals
        .list()
        .into_iter()
        .filter(|v| v.session.as_deref() == Some(session) && asked.insert(v.id.clone()))
        .map(|v| request(&v))
        .collect()
}

/// If `id` is one of airlock's elicitations, resolves the approval from the answer and returns true
/// (the message is consumed). Anything but an explicit `accept` with `approve: true` denies.
pub fn answer(gov: &Governor, id: &RawValue, result: Option<&RawValue>, error: Option<&RawValue>) -> bool {
    let Ok(id) = serde_json::from_str::<String>(id.get()) else { return false };
    let Some(approval) = id.strip_prefix(ID_PREFIX) else { return false };
    if error.is_some() {
        // The client could not ask; the out-of-band approval still decides.
        return true;
    }
    let result: Value = result.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or(Value::Null);
    let action = result.get("action").and_then(Value::as_str).unwrap_or("invalid");
    let approved = action == "accept" && result.pointer("/content/approve") == Some(&Value::Bool(true));
    let resolution = if approved {
        Resolution::Approved { by: BY.into(), reason: None }
    } else {
        Resolution::Denied { by: BY.into(), reason: Some(format!("the person answered {action}")) }
    };
    if let Err(e) = gov.approvals.resolve(approval, resolution, None) {
        tracing::info!(approval, error = %e, "in-band answer after the approval was already resolved");
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_detection_and_request_ids() {
        let with: &RawValue = serde_json::from_str(r#"{"capabilities":{"elicitation":{}}}"#).unwrap();
        let without: &RawValue = serde_json::from_str(r#"{"capabilities":{"roots":{}}}"#).unwrap();
        assert!(declares(Some(with)));
        assert!(!declares(Some(without)));
        assert!(!declares(None));
    }
}
