//! The LLM provider surface: every tool call the model asks for is judged before the agent sees it.
//!
//! The agent's provider `baseUrl` points at a route. The request side strips whatever credential the
//! agent sent (checking it against `[[agents]]` tokens when configured), injects the route's real key,
//! and redacts secrets and PII from the prompt. The response side runs a per-provider [`Rewriter`] over
//! the SSE stream (or the JSON body): every event passes as its original bytes except a tool call's own
//! events, which are held only until that call is complete and then released, rewritten or replaced by
//! text according to the verdict. While a verdict is pending (a human approval), the agent's stream gets
//! keep-alives. See `README.md` for the per-provider rules.
pub mod anthropic;
pub mod openai_chat;
pub mod openai_responses;
pub mod prompt;

use crate::body::{self, Body};
use crate::call::{Surface, ToolCall};
use crate::config::{LlmApi, LlmRoute};
use crate::govern::{Action, Governed};
use crate::server::{respond, App};
use crate::sse;
use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::sync::mpsc;

/// A complete tool call the model asked for.
#[derive(Debug, Clone)]
pub struct Asked {
    pub name: String,
    /// The parsed arguments, or why they could not be parsed (the call is then refused).
    pub args: Result<Value, String>,
}

/// What a rewriter wants done with an event.
pub enum Step {
    /// Send these bytes to the agent now.
    Emit(Bytes),
    /// A tool call is complete: judge it, then call `verdict(slot, …)`.
    Judge(usize, Asked),
}

/// A per-provider stream rewriter.
pub trait Rewriter: Send {
    /// Handles one upstream event.
    fn event(&mut self, ev: &sse::Event, out: &mut Vec<Step>);
    /// Applies the verdict for the call in `slot`; returns the bytes to send.
    fn verdict(&mut self, slot: usize, action: &Action, out: &mut Vec<Bytes>);
    /// The upstream stream ended (cleanly or not). Returns a description when a held call was cut off.
    fn end(&mut self, out: &mut Vec<Bytes>) -> Option<String>;
    /// What keeps this provider's stream alive while a verdict is pending.
    fn keepalive(&self) -> Bytes;
}

/// Per-request facts the judge step needs.
#[derive(Clone)]
pub struct Ctx {
    pub app: Arc<App>,
    pub route: LlmRoute,
    pub principal: Option<String>,
    pub session: Option<String>,
}

impl Ctx {
    /// Judges one call, keeping the stream alive while the verdict is pending.
    pub async fn judge(&self, asked: Asked, keepalive: Option<(&mpsc::Sender<Bytes>, Bytes)>) -> Governed {
        let args = asked.args.clone().unwrap_or_else(Value::String);
        let mut call = ToolCall::new(Surface::Llm, &self.route.name, &asked.name, args);
        call.principal.clone_from(&self.principal);
        call.session.clone_from(&self.session);
        if let Err(why) = asked.args {
            let reason = format!("the tool call's arguments are not valid JSON ({why}), so it was not run");
            return self.app.gov.refuse(call, "invalid-arguments", &reason);
        }
        let fut = self.app.gov.govern(call, self.route.fail_mode);
        let Some((tx, ping)) = keepalive else { return fut.await };
        tokio::pin!(fut);
        let every = self.app.gov.snapshot.load().keepalive;
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + Duration::from_millis(500), every);
        loop {
            tokio::select! {
                g = &mut fut => return g,
                _ = tick.tick() => { let _ = tx.send(ping.clone()).await; }
            }
        }
    }
}

/// Handles one request on an LLM route. `rest` is the path after the route prefix.
pub async fn handle(app: Arc<App>, route: LlmRoute, req: Request<Incoming>, rest: String) -> Response<Body> {
    let snap = app.gov.snapshot.load_full();
    let principal = if snap.agents.is_empty() {
        None
    } else {
        match agent_of(&snap.agents, req.headers()) {
            Some(name) => Some(name),
            None => return respond::error(StatusCode::UNAUTHORIZED, "authentication_error", "unknown agent token"),
        }
    };
    let rest = upstream_path(&route, &rest);
    let (parts, incoming) = req.into_parts();
    let uri = match crate::upstream::target(&route.upstream, &rest, parts.uri.query(), &route.name) {
        Ok(u) => u,
        Err(e) => return respond::error(StatusCode::BAD_GATEWAY, "upstream", &e.to_string()),
    };
    let mut headers = crate::upstream::request_headers(&parts.headers, false, &route.headers);
    headers.remove("x-api-key");
    if let Some(key) = &route.key {
        let value = if route.key_header == header::AUTHORIZATION {
            format!("Bearer {}", key.expose())
        } else {
            key.expose().to_string()
        };
        match HeaderValue::from_str(&value) {
            Ok(mut v) => {
                v.set_sensitive(true);
                headers.insert(route.key_header.clone(), v);
            }
            Err(_) => {
                return respond::error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "config",
                    "the route's key is not a valid header value",
                )
            }
        }
    }
    let intercept = parts.method == Method::POST && is_generation(route.api, &rest);
    let session = parts.headers.get("x-airlock-session").and_then(|v| v.to_str().ok()).map(str::to_string);
    let ctx = Ctx { app: app.clone(), route: route.clone(), principal, session };
    let body = if intercept {
        let bytes = match respond::read_body(&app, &parts.headers, incoming, snap.limits.max_body).await {
            Ok(b) => b,
            Err(resp) => return resp,
        };
        body::full(prompt::redact_request(&snap.redactor, route.api, bytes))
    } else {
        body::incoming(incoming)
    };
    let mut out = Request::new(body);
    *out.method_mut() = parts.method;
    *out.uri_mut() = uri;
    *out.headers_mut() = headers;
    let started = std::time::Instant::now();
    let resp = match app.upstream.send(&route.name, out, snap.limits.upstream_timeout).await {
        Ok(r) => r,
        Err(e) => {
            app.gov.metrics.upstream_error(&route.name, e.kind());
            return respond::error(StatusCode::BAD_GATEWAY, "upstream_error", &e.to_string());
        }
    };
    app.observe_upstream("llm", &route.name, started);
    let content_type = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if !intercept || !resp.status().is_success() {
        return respond::relay_untouched(resp);
    }
    if content_type.starts_with("text/event-stream") {
        relay_stream(ctx, resp, rewriter(route.api))
    } else if content_type.starts_with("application/json") {
        relay_json(ctx, resp).await
    } else {
        respond::relay_untouched(resp)
    }
}

/// Which agent presented this credential (constant-time comparison against every token).
fn agent_of(agents: &[crate::config::Agent], headers: &http::HeaderMap) -> Option<String> {
    let presented = headers.get("x-api-key").and_then(|v| v.to_str().ok()).or_else(|| {
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    })?;
    let mut found = None;
    for a in agents {
        if bool::from(presented.as_bytes().ct_eq(a.token.expose().as_bytes())) {
            found = Some(a.name.clone());
        }
    }
    found
}

/// `/v1/chat/completions` on a route whose upstream already ends in `/v1` maps to `{upstream}/chat/completions`.
fn upstream_path(route: &LlmRoute, rest: &str) -> String {
    if route.upstream.path().trim_end_matches('/').ends_with("/v1") {
        if let Some(stripped) = rest.strip_prefix("/v1/") {
            return format!("/{stripped}");
        }
    }
    rest.to_string()
}

/// Whether a path is the API's generation endpoint (others pass through with the key injected).
fn is_generation(api: LlmApi, path: &str) -> bool {
    let p = path.trim_end_matches('/');
    match api {
        LlmApi::AnthropicMessages => p.ends_with("/messages"),
        LlmApi::OpenAiChat => p.ends_with("/chat/completions"),
        LlmApi::OpenAiResponses => p.ends_with("/responses"),
    }
}

fn rewriter(api: LlmApi) -> Box<dyn Rewriter> {
    match api {
        LlmApi::AnthropicMessages => Box::new(anthropic::Stream::default()),
        LlmApi::OpenAiChat => Box::new(openai_chat::Stream::default()),
        LlmApi::OpenAiResponses => Box::new(openai_responses::Stream::default()),
    }
}

/// Relays a provider SSE stream through a rewriter.
fn relay_stream(ctx: Ctx, resp: Response<Incoming>, mut rw: Box<dyn Rewriter>) -> Response<Body> {
    let (mut parts, mut incoming) = resp.into_parts();
    crate::upstream::strip_hop_by_hop(&mut parts.headers);
    let (tx, body) = body::channel(32);
    tokio::spawn(async move {
        let snap = ctx.app.gov.snapshot.load_full();
        let mut decoder = sse::Decoder::new(snap.limits.max_sse_event);
        let mut steps = Vec::new();
        let mut cut = None;
        'outer: loop {
            let frame = match tokio::time::timeout(snap.limits.idle_stream_timeout, incoming.frame()).await {
                Ok(Some(Ok(f))) => f,
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    cut = Some(format!("the provider stream failed: {e}"));
                    break;
                }
                Err(_) => {
                    cut = Some("the provider stream was idle past limits.idle_stream_timeout".into());
                    break;
                }
            };
            let Ok(data) = frame.into_data() else { continue };
            let events = match decoder.push(&data) {
                Ok(e) => e,
                Err(e) => {
                    ctx.app.gov.metrics.limit_hit("sse_event");
                    cut = Some(e.to_string());
                    break;
                }
            };
            // Everything one upstream chunk releases goes to the agent as one frame.
            let mut batch = bytes::BytesMut::new();
            for ev in events {
                rw.event(&ev, &mut steps);
                for step in steps.drain(..) {
                    match step {
                        Step::Emit(b) => batch.extend_from_slice(&b),
                        Step::Judge(slot, asked) => {
                            if !batch.is_empty() && tx.send(batch.split().freeze()).await.is_err() {
                                break 'outer;
                            }
                            let governed = ctx.judge(asked, Some((&tx, rw.keepalive()))).await;
                            let mut out = Vec::new();
                            rw.verdict(slot, &governed.action, &mut out);
                            out.iter().for_each(|b| batch.extend_from_slice(b));
                        }
                    }
                }
            }
            if !batch.is_empty() && tx.send(batch.freeze()).await.is_err() {
                break 'outer;
            }
        }
        let mut tail = Vec::new();
        let truncated = rw.end(&mut tail);
        for b in tail {
            let _ = tx.send(b).await;
        }
        if let Some(detail) = truncated.or(cut) {
            tracing::warn!(route = %ctx.route.name, %detail, "provider stream ended early");
            ctx.app.gov.metrics.upstream_error(&ctx.route.name, "stream_cut");
            if let Some(log) = &ctx.app.gov.audit {
                let note = serde_json::json!({
                    "surface": "llm", "route": ctx.route.name, "principal": ctx.principal,
                    "session": ctx.session, "detail": detail,
                });
                let _ = log.append("stream_truncated", &note);
            }
        }
    });
    Response::from_parts(parts, body)
}

/// A non-streaming reply: judge every tool call in the body and rewrite only if a verdict changes it.
async fn relay_json(ctx: Ctx, resp: Response<Incoming>) -> Response<Body> {
    let snap = ctx.app.gov.snapshot.load_full();
    let (mut parts, incoming) = resp.into_parts();
    crate::upstream::strip_hop_by_hop(&mut parts.headers);
    let bytes = match body::read_limited(incoming, snap.limits.max_body.max(64 << 20)).await {
        Ok(b) => b,
        Err(e) => {
            return respond::error(StatusCode::BAD_GATEWAY, "upstream_error", &format!("provider reply refused: {e}"))
        }
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, body::full(bytes));
    };
    let calls = match ctx.route.api {
        LlmApi::AnthropicMessages => anthropic::calls_in(&value),
        LlmApi::OpenAiChat => openai_chat::calls_in(&value),
        LlmApi::OpenAiResponses => openai_responses::calls_in(&value),
    };
    if calls.is_empty() {
        return Response::from_parts(parts, body::full(bytes));
    }
    let mut actions = Vec::with_capacity(calls.len());
    for asked in calls {
        actions.push(ctx.judge(asked, None).await.action);
    }
    if actions.iter().all(|a| *a == Action::Forward) {
        return Response::from_parts(parts, body::full(bytes));
    }
    match ctx.route.api {
        LlmApi::AnthropicMessages => anthropic::apply(&mut value, &actions),
        LlmApi::OpenAiChat => openai_chat::apply(&mut value, &actions),
        LlmApi::OpenAiResponses => openai_responses::apply(&mut value, &actions),
    }
    Response::from_parts(parts, body::full(value.to_string()))
}

/// Parses a tool call's argument text.
pub fn parse_args(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err("arguments must be a JSON object".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Re-encodes a JSON event airlock changed, keeping its event name.
pub fn encode_json(event: Option<&str>, value: &Value) -> Bytes {
    sse::encode(event, None, &value.to_string())
}

#[cfg(test)]
mod tests;
