//! The validated, compiled configuration. Built once per load; the request path only reads it.
use crate::analyze::Analyzer;
use crate::policy::Policy;
use crate::redact::Redactor;
use http::{HeaderName, HeaderValue, Uri};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A value that must never be printed: `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself, for the one place that needs it (a header value, a constant-time compare).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where a route's failure to decide leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailMode {
    /// An internal error while deciding denies the call (the default).
    Closed,
    /// An internal error while deciding lets the call through — loudly, and audited.
    Open,
}

/// How an MCP route talks to its server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum McpTransport {
    StreamableHttp,
    Sse,
}

/// Which provider wire format an LLM route speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmApi {
    AnthropicMessages,
    OpenAiChat,
    OpenAiResponses,
}

impl LlmApi {
    pub fn as_str(self) -> &'static str {
        match self {
            LlmApi::AnthropicMessages => "anthropic-messages",
            LlmApi::OpenAiChat => "openai-chat",
            LlmApi::OpenAiResponses => "openai-responses",
        }
    }
}

/// An `[[mcp]]` route.
#[derive(Debug, Clone)]
pub struct McpRoute {
    pub name: String,
    /// The path prefix clients use, without a trailing slash.
    pub path: String,
    pub upstream: Uri,
    pub transport: McpTransport,
    /// Extra headers sent upstream (values resolved from the environment at load).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub forward_authorization: bool,
    pub fail_mode: FailMode,
}

/// An `[[llm]]` route.
#[derive(Debug, Clone)]
pub struct LlmRoute {
    pub name: String,
    pub path: String,
    pub api: LlmApi,
    pub upstream: Uri,
    /// The real key, injected upstream; `None` when not configured (the upstream will answer 401).
    pub key: Option<Secret>,
    pub key_header: HeaderName,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub fail_mode: FailMode,
}

/// `[approvals.webhook]`, validated.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: Uri,
    pub secret: Option<Secret>,
    /// Send a Slack incoming-webhook payload instead of airlock's JSON.
    pub slack: bool,
}

/// An `[[agents]]` entry: a name and the token it presents in place of a provider key.
#[derive(Debug, Clone)]
pub struct Agent {
    pub name: String,
    pub token: Secret,
}

/// The admin listener.
#[derive(Debug, Clone)]
pub struct Admin {
    pub addr: SocketAddr,
    pub token: Option<Secret>,
}

/// TLS material for the main listener.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Limits that keep airlock's memory and time bounded.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_body: usize,
    pub max_sse_event: usize,
    pub connect_timeout: Duration,
    /// Time allowed for an upstream to start answering.
    pub upstream_timeout: Duration,
    /// A stream silent for this long is ended.
    pub idle_stream_timeout: Duration,
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 8 << 20,
            max_sse_event: 8 << 20,
            connect_timeout: Duration::from_secs(5),
            upstream_timeout: Duration::from_secs(120),
            idle_stream_timeout: Duration::from_secs(600),
            header_read_timeout: Duration::from_secs(10),
            max_connections: 4096,
        }
    }
}

/// The whole compiled configuration.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The file it came from; `None` for the built-in default.
    pub source: Option<PathBuf>,
    pub listen: SocketAddr,
    /// Worker threads serving `listen`, each with its own runtime, listener and upstream connections.
    pub workers: usize,
    pub tls: Option<TlsFiles>,
    pub admin: Option<Admin>,
    pub policy: Policy,
    pub approval_timeout: Duration,
    /// How often a held SSE stream gets a keep-alive.
    pub keepalive: Duration,
    /// Where to announce new pending approvals.
    pub webhook: Option<Webhook>,
    /// Ask in-band through MCP elicitation when the client declared it.
    pub elicit: bool,
    pub audit_path: Option<PathBuf>,
    pub audit_fsync: bool,
    pub limits: Limits,
    pub analyzer: Analyzer,
    pub redactor: Redactor,
    pub mcp: Vec<McpRoute>,
    pub llm: Vec<LlmRoute>,
    pub agents: Vec<Agent>,
    /// Things worth telling the operator at startup (e.g. a missing key in the built-in default).
    pub warnings: Vec<String>,
}
