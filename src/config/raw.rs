//! The configuration file as written (serde model). Unknown keys are caught by `toml_src::parse_strict`.
use crate::analyze::AnalyzeSettings;
use crate::redact::RedactSettings;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize, Default)]
pub struct RawConfig {
    pub listen: Option<RawListen>,
    pub admin: Option<RawAdmin>,
    pub policy: Option<RawPolicy>,
    pub approvals: Option<RawApprovals>,
    pub audit: Option<RawAudit>,
    pub limits: Option<RawLimits>,
    pub analyze: Option<AnalyzeSettings>,
    pub redact: Option<RedactSettings>,
    #[serde(default)]
    pub mcp: Vec<RawMcp>,
    #[serde(default)]
    pub llm: Vec<RawLlm>,
    #[serde(default)]
    pub agents: Vec<RawAgent>,
}

#[derive(Debug, Deserialize)]
pub struct RawListen {
    pub addr: Spanned<String>,
    pub tls: Option<RawTls>,
    /// Worker threads, each with its own listener on the same address (default: one per core).
    pub workers: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
pub struct RawTls {
    pub cert: Spanned<String>,
    pub key: Spanned<String>,
}

#[derive(Debug, Deserialize)]
pub struct RawAdmin {
    pub addr: Spanned<String>,
    pub token: Option<Spanned<String>>,
    pub token_env: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default)]
pub struct RawPolicy {
    pub profile: Option<Spanned<String>>,
    #[serde(default)]
    pub files: Vec<Spanned<String>>,
    #[serde(default)]
    pub disable: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct RawApprovals {
    pub timeout: Option<Spanned<String>>,
    pub keepalive: Option<Spanned<String>>,
    pub webhook: Option<RawWebhook>,
    /// Also ask in-band (MCP elicitation) when the client supports it.
    #[serde(default)]
    pub elicit: bool,
}

/// `[approvals.webhook]`: notify a URL of each new pending approval.
#[derive(Debug, Deserialize)]
pub struct RawWebhook {
    pub url: Spanned<String>,
    /// Environment variable holding the HMAC secret the payload is signed with.
    pub secret_env: Option<Spanned<String>>,
    /// `json` (default) or `slack` (an incoming-webhook `{"text": …}` payload).
    pub format: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawAudit {
    pub path: Spanned<String>,
    #[serde(default)]
    pub fsync: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct RawLimits {
    pub max_body: Option<Spanned<String>>,
    pub max_sse_event: Option<Spanned<String>>,
    pub connect_timeout: Option<Spanned<String>>,
    pub upstream_timeout: Option<Spanned<String>>,
    pub idle_stream_timeout: Option<Spanned<String>>,
    pub header_read_timeout: Option<Spanned<String>>,
    pub max_connections: Option<usize>,
}

#[derive(Debug, Deserialize)]
pub struct RawMcp {
    pub name: Spanned<String>,
    pub path: Spanned<String>,
    pub upstream: Spanned<String>,
    pub transport: Option<Spanned<String>>,
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub forward_authorization: bool,
    pub fail_mode: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawLlm {
    pub name: Spanned<String>,
    pub path: Spanned<String>,
    pub api: Spanned<String>,
    pub upstream: Spanned<String>,
    pub api_key_env: Option<Spanned<String>>,
    pub api_key_file: Option<Spanned<String>>,
    /// The header the key goes in (default: `x-api-key` for Anthropic, `authorization` (Bearer) otherwise).
    pub api_key_header: Option<Spanned<String>>,
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    pub fail_mode: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawAgent {
    pub name: Spanned<String>,
    pub token: Option<Spanned<String>>,
    pub token_env: Option<Spanned<String>>,
}
