//! Analysis: what a tool call *means*, found before any rule looks at it.
//!
//! `analyze` is pure: it maps the tool (OpenClaw built-ins, the `tool_call` meta-tool, generic MCP tools by
//! argument names and annotations — see [`tools`]) onto the analyzers for shell commands ([`shell`]), URLs
//! ([`url`]) and paths ([`path`]), and returns [`Facts`]: tags plus the evidence for each. It never fails:
//! input it cannot understand is tagged `unparsed`, so that policy can treat it conservatively. See
//! `README.md` for the tag vocabulary and what sets each tag.
pub mod path;
pub mod shell;
pub mod tags;
pub mod tools;
pub mod url;

use crate::call::ToolCall;
use serde::{Deserialize, Serialize};
use serde_json::Value;
pub use tags::{Tag, TagSet};

/// `[analyze]` settings.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnalyzeSettings {
    /// The home directory `~` and `$HOME` resolve to (default: the `HOME` of the airlock process).
    pub home: Option<String>,
    /// Resolve host names in URLs and tag those that resolve to internal addresses. Off by default: it costs
    /// a DNS lookup per call, and a name can resolve differently when the agent fetches it (DNS rebinding),
    /// so the fetcher should still be pinned to the checked address.
    #[serde(default)]
    pub resolve: bool,
    /// Extra path globs treated as credentials when read and as configuration when written.
    #[serde(default)]
    pub protected_paths: Vec<String>,
    /// The agent's own directories (default `~/.openclaw`): its config, persona and memory live there.
    pub agent_dirs: Option<Vec<String>>,
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
    /// Adds a tag with the evidence that justified it (the first reason for a tag is kept, bounded).
    pub fn tag(&mut self, tag: Tag, why: impl Into<String>) {
        self.tags.insert(tag);
        if self.evidence.len() < 32 && !self.evidence.iter().any(|(t, _)| *t == tag) {
            self.evidence.push((tag, why.into()));
        }
    }

    /// The arguments rules should look at: the unwrapped ones when the call was a meta-tool.
    pub fn effective_args<'a>(&'a self, call: &'a ToolCall) -> &'a Value {
        self.args.as_ref().unwrap_or(&call.args)
    }
}

/// Compiled analysis settings.
#[derive(Debug, Clone)]
pub struct Analyzer {
    pub home: String,
    pub resolve: bool,
    pub paths: path::PathSets,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new(&AnalyzeSettings::default())
    }
}

impl Analyzer {
    pub fn new(settings: &AnalyzeSettings) -> Self {
        let home = settings.home.clone().or_else(|| std::env::var("HOME").ok()).unwrap_or_else(|| "/root".to_string());
        let agent_dirs = settings.agent_dirs.clone().unwrap_or_else(|| vec!["~/.openclaw".to_string()]);
        let paths = path::PathSets::new(&home, &settings.protected_paths, &agent_dirs);
        Analyzer { home, resolve: settings.resolve, paths }
    }

    /// Analyzes one call.
    pub fn analyze(&self, call: &ToolCall) -> Facts {
        let mut facts = Facts { tool: call.tool.to_ascii_lowercase(), ..Facts::default() };
        let mut args = &call.args;
        // The meta-tool `tool_call {id, args}` is judged as the tool it names (nested wrappers too).
        let mut depth = 0;
        while facts.tool == "tool_call" && depth < 4 {
            let Some(id) = args.get("id").and_then(Value::as_str) else { break };
            facts.tool = id.to_ascii_lowercase();
            let inner = args.get("args").cloned().unwrap_or(Value::Object(Default::default()));
            facts.args = Some(inner);
            args = facts.args.as_ref().unwrap_or(&call.args);
            depth += 1;
        }
        let args = facts.args.clone().unwrap_or_else(|| call.args.clone());
        let tool = facts.tool.clone();
        if call.hints.destructive == Some(true) {
            facts.tag(Tag::Destructive, "the server marks this tool destructive");
        }
        tools::inspect(self, &tool, &args, call.hints, &mut facts);
        if call.hints.read_only == Some(true) && !facts.tags.intersects(risky()) {
            facts.tag(Tag::ReadOnly, "the server marks this tool read-only");
        }
        facts
    }
}

/// Tags that contradict a read-only claim.
fn risky() -> TagSet {
    [Tag::Destructive, Tag::FileWrite, Tag::ShellExec, Tag::Exfiltration, Tag::CredentialAccess, Tag::OutboundMessage]
        .into_iter()
        .collect()
}
