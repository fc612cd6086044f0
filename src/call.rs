//! The one thing every surface produces: a tool call the agent (or the model on its behalf) wants to make.
//!
//! A `ToolCall` carries the decoded arguments as a `serde_json::Value`; the surface keeps the original bytes
//! so that an allowed call is forwarded untouched.
use serde::Serialize;
use serde_json::Value;

/// Where a call was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Surface {
    /// An MCP `tools/call` (Streamable HTTP, legacy SSE or stdio).
    Mcp,
    /// A tool call the LLM asked for in a provider response.
    Llm,
}

impl Surface {
    /// The lowercase name used in audit records and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Mcp => "mcp",
            Surface::Llm => "llm",
        }
    }
}

/// What an MCP server said about a tool in `tools/list` (`annotations`), when airlock has seen it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ToolHints {
    pub read_only: Option<bool>,
    pub destructive: Option<bool>,
    pub open_world: Option<bool>,
}

/// A tool call on its way to being decided.
#[derive(Debug, Clone, Serialize)]
pub struct ToolCall {
    pub surface: Surface,
    /// The configured route name (`[[mcp]] name` / `[[llm]] name`, or `stdio`).
    pub route: String,
    /// Who is calling: an agent name from `[[agents]]`, or `None` when anonymous.
    pub principal: Option<String>,
    /// The client session (MCP session id, or an LLM-side conversation key) used for throttling and approvals.
    pub session: Option<String>,
    /// The tool name exactly as the caller sent it.
    pub tool: String,
    /// The decoded arguments (an object for every well-formed call; `Value::Null` when absent).
    pub args: Value,
    /// Annotations the server published for this tool, if known.
    #[serde(skip_serializing_if = "is_default_hints")]
    pub hints: ToolHints,
}

fn is_default_hints(h: &ToolHints) -> bool {
    *h == ToolHints::default()
}

impl ToolCall {
    /// A call with no principal, session or hints: the shape `airlock simulate` and tests use.
    pub fn new(surface: Surface, route: impl Into<String>, tool: impl Into<String>, args: Value) -> Self {
        ToolCall {
            surface,
            route: route.into(),
            principal: None,
            session: None,
            tool: tool.into(),
            args,
            hints: ToolHints::default(),
        }
    }
}
