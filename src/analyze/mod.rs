//! Analysis: what a tool call *means*, found before any rule looks at it.
//!
//! `analyze` is pure and allocation-light: it maps the tool (OpenClaw built-ins, the `tool_call` meta-tool,
//! generic MCP tools by argument names and annotations) onto the analyzers for shell commands, URLs and paths,
//! and returns [`Facts`]: tags plus the evidence for each. It never fails: input it cannot understand is tagged
//! `unparsed` so that policy can treat it conservatively.
pub mod tags;

use crate::call::ToolCall;
use serde::{Deserialize, Serialize};
use serde_json::Value;
pub use tags::{Tag, TagSet};

/// `[analyze]` settings.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnalyzeSettings {
    /// The home directory `~` and `$HOME` resolve to (default: the `HOME` of the airlock process).
    pub home: Option<String>,
}

/// What analysis found, with the evidence for each tag (used in explanations).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    /// The effective tool name: lowercase, with `tool_call {id, args}` unwrapped to `id`.
    pub tool: String,
    /// The effective arguments when they differ from the call's (meta-tool unwrapping); `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Value>,
    pub tags: TagSet,
    /// Why each tag was set: `(tag, what was seen)`.
    pub evidence: Vec<(Tag, String)>,
}

impl Facts {
    /// Adds a tag with the evidence that justified it.
    pub fn tag(&mut self, tag: Tag, why: impl Into<String>) {
        self.tags.insert(tag);
        self.evidence.push((tag, why.into()));
    }

    /// The arguments rules should look at: the unwrapped ones when the call was a meta-tool.
    pub fn effective_args<'a>(&'a self, call: &'a ToolCall) -> &'a Value {
        self.args.as_ref().unwrap_or(&call.args)
    }
}

/// Compiled analysis settings.
#[derive(Debug, Clone, Default)]
pub struct Analyzer {
    pub home: String,
}

impl Analyzer {
    pub fn new(settings: &AnalyzeSettings) -> Self {
        let home = settings.home.clone().or_else(|| std::env::var("HOME").ok()).unwrap_or_else(|| "/root".to_string());
        Analyzer { home }
    }

    /// Analyzes one call.
    pub fn analyze(&self, call: &ToolCall) -> Facts {
        let mut facts = Facts { tool: call.tool.to_ascii_lowercase(), ..Facts::default() };
        if facts.tool == "tool_call" {
            if let Some(id) = call.args.get("id").and_then(Value::as_str) {
                facts.tool = id.to_ascii_lowercase();
                facts.args = Some(call.args.get("args").cloned().unwrap_or(Value::Null));
            }
        }
        if call.hints.destructive == Some(true) {
            facts.tag(Tag::Destructive, "the server marks this tool destructive");
        }
        if call.hints.read_only == Some(true) {
            facts.tag(Tag::ReadOnly, "the server marks this tool read-only");
        }
        facts
    }
}
