//! Loading: read the file, parse strictly, validate every section, compile the policy — all problems at once.
use super::diag::{Diagnostic, Diagnostics, LoadError};
use super::raw::*;
use super::snapshot::*;
use super::toml_src::parse_strict;
use crate::analyze::Analyzer;
use crate::policy::Policy;
use crate::redact::Redactor;
use http::{HeaderName, HeaderValue, Uri};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

/// The built-in configuration (used when no `--config` is given).
pub const DEFAULT_CONFIG: &str = include_str!("../../config/default.toml");

/// Loads a configuration file, or the built-in default when `path` is `None`.
pub fn load(path: Option<&Path>) -> Result<Snapshot, LoadError> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                LoadError(vec![Diagnostic {
                    file: p.to_path_buf(),
                    line: None,
                    field: None,
                    message: format!("cannot read the configuration: {e}"),
                }])
            })?;
            load_str(&text, p, false)
        }
        None => load_str(DEFAULT_CONFIG, Path::new("<built-in default>"), true),
    }
    .map(|mut s| {
        s.source = path.map(Path::to_path_buf);
        s
    })
}

/// Loads configuration text. `lenient_env` turns a missing key variable into a warning (built-in default).
pub fn load_str(text: &str, file: &Path, lenient_env: bool) -> Result<Snapshot, LoadError> {
    let mut d = Diagnostics::new(file, text);
    let Some(raw) = parse_strict::<RawConfig>(&mut d) else {
        return Err(LoadError(d.list));
    };
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut v = Validator { d, base, lenient_env, warnings: Vec::new() };
    let snapshot = v.snapshot(raw);
    let mut problems = v.d.list;
    match snapshot {
        Ok(s) if problems.is_empty() => Ok(Snapshot { warnings: v.warnings, ..s }),
        Ok(_) => Err(LoadError(problems)),
        Err(policy_problems) => {
            problems.extend(policy_problems);
            Err(LoadError(problems))
        }
    }
}

/// The most worker threads `listen.workers` accepts.
const MAX_WORKERS: usize = 256;

struct Validator<'a> {
    d: Diagnostics<'a>,
    base: PathBuf,
    lenient_env: bool,
    warnings: Vec<String>,
}

impl Validator<'_> {
    fn snapshot(&mut self, raw: RawConfig) -> Result<Snapshot, Vec<Diagnostic>> {
        let listen = raw
            .listen
            .as_ref()
            .and_then(|l| self.addr(&l.addr, "listen.addr"))
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8787)));
        let workers = self.workers(raw.listen.as_ref().and_then(|l| l.workers.as_ref()));
        let tls = raw
            .listen
            .as_ref()
            .and_then(|l| l.tls.as_ref())
            .map(|t| TlsFiles { cert: self.file(&t.cert), key: self.file(&t.key) });
        let admin = raw.admin.as_ref().and_then(|a| self.admin(a));
        let approvals = raw.approvals.unwrap_or_default();
        let approval_timeout = self.duration(approvals.timeout.as_ref(), "approvals.timeout", Duration::from_secs(300));
        let keepalive = self.duration(approvals.keepalive.as_ref(), "approvals.keepalive", Duration::from_secs(15));
        let webhook = approvals.webhook.as_ref().map(|w| self.webhook(w));
        let limits = self.limits(raw.limits.unwrap_or_default());
        let audit_path = raw.audit.as_ref().map(|a| self.file(&a.path));
        let audit_fsync = raw.audit.as_ref().is_some_and(|a| a.fsync);
        let redact_settings = raw.redact.unwrap_or_default();
        for problem in redact_settings.validate() {
            self.d.at(None, "redact", problem);
        }
        let mcp = self.mcp_routes(&raw.mcp);
        let llm = self.llm_routes(&raw.llm);
        self.unique_paths(&raw.mcp, &raw.llm);
        let agents = self.agents(&raw.agents);

        let policy_raw = raw.policy.unwrap_or_default();
        let profile = policy_raw.profile.as_ref().map(|p| p.get_ref().clone()).unwrap_or_else(|| "moderate".into());
        if let Some(p) = policy_raw.profile.as_ref().filter(|p| p.get_ref() != "none") {
            if crate::policy::profiles::builtin(p.get_ref()).is_none() {
                let msg = format!("unknown profile {:?} (strict, moderate, permissive or none)", p.get_ref());
                self.d.at(Some(p.span().start), "policy.profile", msg);
                return Err(Vec::new());
            }
        }
        let files: Vec<PathBuf> = policy_raw.files.iter().map(|f| self.file(f)).collect();
        let policy = Policy::load(&profile, &files, &policy_raw.disable)?;
        Ok(Snapshot {
            source: None,
            listen,
            workers,
            tls,
            admin,
            policy,
            approval_timeout,
            keepalive,
            webhook,
            elicit: approvals.elicit,
            audit_path,
            audit_fsync,
            limits,
            analyzer: Analyzer::new(&raw.analyze.unwrap_or_default()),
            redactor: Redactor::new(&redact_settings),
            mcp,
            llm,
            agents,
            warnings: Vec::new(),
        })
    }

    /// `listen.workers`: 1 to 256; absent means one per core.
    fn workers(&mut self, raw: Option<&Spanned<i64>>) -> usize {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(MAX_WORKERS);
        let Some(n) = raw else { return cores };
        match usize::try_from(*n.get_ref()) {
            Ok(w @ 1..=MAX_WORKERS) => w,
            _ => {
                let msg =
                    format!("must be between 1 and {MAX_WORKERS} (got {}); leave it out for one per core", n.get_ref());
                self.d.at(Some(n.span().start), "listen.workers", msg);
                cores
            }
        }
    }

    fn addr(&mut self, s: &Spanned<String>, field: &str) -> Option<SocketAddr> {
        match s.get_ref().parse::<SocketAddr>() {
            Ok(a) => Some(a),
            Err(_) => {
                let msg = format!("{:?} is not an address like \"127.0.0.1:8787\"", s.get_ref());
                self.d.at(Some(s.span().start), field, msg);
                None
            }
        }
    }

    fn file(&self, s: &Spanned<String>) -> PathBuf {
        let p = PathBuf::from(s.get_ref());
        if p.is_absolute() {
            p
        } else {
            self.base.join(p)
        }
    }

    fn duration(&mut self, s: Option<&Spanned<String>>, field: &str, default: Duration) -> Duration {
        let Some(s) = s else { return default };
        match humantime::parse_duration(s.get_ref()) {
            Ok(d) if !d.is_zero() => d,
            _ => {
                let msg = format!("{:?} is not a duration like \"30s\" or \"5m\"", s.get_ref());
                self.d.at(Some(s.span().start), field, msg);
                default
            }
        }
    }

    fn size(&mut self, s: Option<&Spanned<String>>, field: &str, default: usize) -> usize {
        let Some(s) = s else { return default };
        match parse_size(s.get_ref()) {
            Some(n) if n > 0 => n,
            _ => {
                let msg = format!("{:?} is not a size like \"8MiB\" or \"512KiB\"", s.get_ref());
                self.d.at(Some(s.span().start), field, msg);
                default
            }
        }
    }

    fn limits(&mut self, raw: RawLimits) -> Limits {
        let def = Limits::default();
        Limits {
            max_body: self.size(raw.max_body.as_ref(), "limits.max_body", def.max_body),
            max_sse_event: self.size(raw.max_sse_event.as_ref(), "limits.max_sse_event", def.max_sse_event),
            connect_timeout: self.duration(raw.connect_timeout.as_ref(), "limits.connect_timeout", def.connect_timeout),
            upstream_timeout: self.duration(
                raw.upstream_timeout.as_ref(),
                "limits.upstream_timeout",
                def.upstream_timeout,
            ),
            idle_stream_timeout: self.duration(
                raw.idle_stream_timeout.as_ref(),
                "limits.idle_stream_timeout",
                def.idle_stream_timeout,
            ),
            header_read_timeout: self.duration(
                raw.header_read_timeout.as_ref(),
                "limits.header_read_timeout",
                def.header_read_timeout,
            ),
            max_connections: raw.max_connections.unwrap_or(def.max_connections),
        }
    }

    fn env(&mut self, var: &Spanned<String>, field: &str) -> Option<Secret> {
        match std::env::var(var.get_ref()) {
            Ok(v) if !v.is_empty() => Some(Secret::new(v)),
            _ if self.lenient_env => {
                self.warnings.push(format!("{field}: environment variable {} is not set", var.get_ref()));
                None
            }
            _ => {
                let msg = format!("environment variable {} is not set", var.get_ref());
                self.d.at(Some(var.span().start), field, msg);
                None
            }
        }
    }

    fn webhook(&mut self, raw: &RawWebhook) -> Webhook {
        let url = self.upstream(&raw.url, "approvals.webhook.url");
        let secret = raw.secret_env.as_ref().and_then(|v| self.env(v, "approvals.webhook.secret_env"));
        let slack = match raw.format.as_ref().map(|f| (f, f.get_ref().as_str())) {
            None | Some((_, "json")) => false,
            Some((_, "slack")) => true,
            Some((f, other)) => {
                let msg = format!("unknown format {other:?} (json or slack)");
                self.d.at(Some(f.span().start), "approvals.webhook.format", msg);
                false
            }
        };
        Webhook { url, secret, slack }
    }

    fn admin(&mut self, raw: &RawAdmin) -> Option<Admin> {
        let addr = self.addr(&raw.addr, "admin.addr")?;
        let token = match (&raw.token, &raw.token_env) {
            (Some(t), None) => Some(Secret::new(t.get_ref().clone())),
            (None, Some(var)) => match std::env::var(var.get_ref()) {
                Ok(v) if !v.is_empty() => Some(Secret::new(v)),
                _ => None,
            },
            (None, None) => None,
            (Some(t), Some(_)) => {
                self.d.at(Some(t.span().start), "admin.token", "set token or token_env, not both");
                None
            }
        };
        if token.is_none() && !addr.ip().is_loopback() {
            let msg = format!("refusing an admin listener on non-loopback {addr} without a token");
            self.d.at(Some(raw.addr.span().start), "admin.token", msg);
        }
        Some(Admin { addr, token })
    }

    fn route_path(&mut self, s: &Spanned<String>, field: &str) -> String {
        let p = s.get_ref().trim_end_matches('/').to_string();
        if !p.starts_with('/') || p.len() < 2 || p.contains(['?', '#', ' ']) {
            let msg = format!("{:?} must be a path prefix like \"/mcp/docs\"", s.get_ref());
            self.d.at(Some(s.span().start), field, msg);
        }
        p
    }

    fn upstream(&mut self, s: &Spanned<String>, field: &str) -> Uri {
        match s.get_ref().parse::<Uri>() {
            Ok(u) if matches!(u.scheme_str(), Some("http" | "https")) && u.host().is_some() => u,
            _ => {
                let msg = format!("{:?} is not an http(s) URL", s.get_ref());
                self.d.at(Some(s.span().start), field, msg);
                Uri::from_static("http://invalid.invalid")
            }
        }
    }

    fn fail_mode(&mut self, s: Option<&Spanned<String>>, field: &str) -> FailMode {
        match s.map(|s| (s, s.get_ref().as_str())) {
            None | Some((_, "closed")) => FailMode::Closed,
            Some((_, "open")) => FailMode::Open,
            Some((s, other)) => {
                self.d.at(Some(s.span().start), field, format!("{other:?} is not \"closed\" or \"open\""));
                FailMode::Closed
            }
        }
    }

    fn headers(&mut self, raw: &BTreeMap<String, Spanned<String>>, field: &str) -> Vec<(HeaderName, HeaderValue)> {
        let mut out = Vec::new();
        for (name, value) in raw {
            let at = format!("{field}.{name}");
            let Ok(n) = HeaderName::from_bytes(name.as_bytes()) else {
                self.d.at(Some(value.span().start), &at, "invalid header name");
                continue;
            };
            let resolved = match expand_env(value.get_ref()) {
                Ok(v) => v,
                Err(var) => {
                    let msg = format!("environment variable {var} is not set");
                    self.d.at(Some(value.span().start), &at, msg);
                    continue;
                }
            };
            match HeaderValue::from_str(&resolved) {
                Ok(mut v) => {
                    v.set_sensitive(true);
                    out.push((n, v));
                }
                Err(_) => self.d.at(Some(value.span().start), &at, "invalid header value"),
            }
        }
        out
    }

    fn mcp_routes(&mut self, raw: &[RawMcp]) -> Vec<McpRoute> {
        let mut out = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            let f = |x: &str| format!("mcp[{i}].{x}");
            let transport = match r.transport.as_ref().map(|t| (t, t.get_ref().as_str())) {
                None | Some((_, "streamable-http")) => McpTransport::StreamableHttp,
                Some((_, "sse")) => McpTransport::Sse,
                Some((t, other)) => {
                    let msg = format!("unknown transport {other:?} (streamable-http or sse)");
                    self.d.at(Some(t.span().start), f("transport"), msg);
                    McpTransport::StreamableHttp
                }
            };
            out.push(McpRoute {
                name: r.name.get_ref().clone(),
                path: self.route_path(&r.path, &f("path")),
                upstream: self.upstream(&r.upstream, &f("upstream")),
                transport,
                headers: self.headers(&r.headers, &f("headers")),
                forward_authorization: r.forward_authorization,
                fail_mode: self.fail_mode(r.fail_mode.as_ref(), &f("fail_mode")),
            });
        }
        out
    }

    fn llm_routes(&mut self, raw: &[RawLlm]) -> Vec<LlmRoute> {
        let mut out = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            let f = |x: &str| format!("llm[{i}].{x}");
            let api = match r.api.get_ref().as_str() {
                "anthropic-messages" => LlmApi::AnthropicMessages,
                "openai-chat" | "openai-completions" => LlmApi::OpenAiChat,
                "openai-responses" => LlmApi::OpenAiResponses,
                other => {
                    let msg = format!("unknown api {other:?} (anthropic-messages, openai-chat or openai-responses)");
                    self.d.at(Some(r.api.span().start), f("api"), msg);
                    LlmApi::OpenAiChat
                }
            };
            let key = match (&r.api_key_env, &r.api_key_file) {
                (Some(var), None) => self.env(var, &f("api_key_env")),
                (None, Some(file)) => {
                    let path = self.file(file);
                    match std::fs::read_to_string(&path) {
                        Ok(k) if !k.trim().is_empty() => Some(Secret::new(k.trim())),
                        _ => {
                            let msg = format!("cannot read a key from {}", path.display());
                            self.d.at(Some(file.span().start), f("api_key_file"), msg);
                            None
                        }
                    }
                }
                (Some(var), Some(_)) => {
                    self.d.at(Some(var.span().start), f("api_key_env"), "set api_key_env or api_key_file, not both");
                    None
                }
                (None, None) => None,
            };
            let default_header = if api == LlmApi::AnthropicMessages { "x-api-key" } else { "authorization" };
            let header_name = r.api_key_header.as_ref().map(|h| h.get_ref().as_str()).unwrap_or(default_header);
            let key_header = HeaderName::from_bytes(header_name.to_ascii_lowercase().as_bytes()).unwrap_or_else(|_| {
                let at = r.api_key_header.as_ref().map(|h| h.span().start);
                self.d.at(at, f("api_key_header"), "invalid header name");
                HeaderName::from_static("authorization")
            });
            out.push(LlmRoute {
                name: r.name.get_ref().clone(),
                path: self.route_path(&r.path, &f("path")),
                api,
                upstream: self.upstream(&r.upstream, &f("upstream")),
                key,
                key_header,
                headers: self.headers(&r.headers, &f("headers")),
                fail_mode: self.fail_mode(r.fail_mode.as_ref(), &f("fail_mode")),
            });
        }
        out
    }

    fn unique_paths(&mut self, mcp: &[RawMcp], llm: &[RawLlm]) {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let all = mcp
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("mcp[{i}]"), &r.path, &r.name))
            .chain(llm.iter().enumerate().map(|(i, r)| (format!("llm[{i}]"), &r.path, &r.name)));
        for (field, path, name) in all {
            let p = path.get_ref().trim_end_matches('/').to_string();
            if let Some(first) = seen.insert(p.clone(), field.clone()) {
                let msg = format!("route path {p:?} is already used by {first}");
                self.d.at(Some(path.span().start), format!("{field}.path"), msg);
            }
            if let Some(first) = names.insert(name.get_ref().clone(), field.clone()) {
                let msg = format!("route name {:?} is already used by {first}", name.get_ref());
                self.d.at(Some(name.span().start), format!("{field}.name"), msg);
            }
        }
    }

    fn agents(&mut self, raw: &[RawAgent]) -> Vec<Agent> {
        let mut out = Vec::new();
        for (i, a) in raw.iter().enumerate() {
            let f = |x: &str| format!("agents[{i}].{x}");
            let token = match (&a.token, &a.token_env) {
                (Some(t), None) => Some(Secret::new(t.get_ref().clone())),
                (None, Some(var)) => self.env(var, &f("token_env")),
                _ => {
                    self.d.at(Some(a.name.span().start), f("token"), "set exactly one of token or token_env");
                    None
                }
            };
            if let Some(token) = token {
                if token.expose().len() < 16 {
                    self.d.at(Some(a.name.span().start), f("token"), "an agent token needs at least 16 characters");
                }
                out.push(Agent { name: a.name.get_ref().clone(), token });
            }
        }
        out
    }
}

/// Expands `${VAR}` references; `Err(name)` names the first unset variable.
pub fn expand_env(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = &after[..end];
        match std::env::var(name) {
            Ok(v) => out.push_str(&v),
            Err(_) => return Err(name.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses `8MiB`, `512KiB`, `1GiB`, `4096` (bytes), also `MB`/`KB` (decimal).
pub fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: usize = n.parse().ok()?;
    let mult: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" | "k" => 1 << 10,
        "mib" | "m" => 1 << 20,
        "gib" | "g" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return None,
    };
    n.checked_mul(mult)
}

#[cfg(test)]
mod tests;
