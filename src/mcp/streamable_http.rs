//! MCP Streamable HTTP: POST answered with JSON or SSE, GET server stream, DELETE — all relayed.
//!
//! A POST is decided before anything is sent upstream. A decision that holds for a human switches the
//! reply to SSE at once (when the client accepts it) and sends keep-alive comments until the hold ends,
//! so the client's read timeout never fires. Session, protocol-version, resumption and the 2026-07-28
//! `Mcp-Method`/`Mcp-Name` headers pass through untouched.
use super::exchange::{relay_sse, PendingIds, StreamEnd};
use super::{plan, Plan, ResponseFilter};
use crate::body::{self, Body};
use crate::config::McpRoute;
use crate::jsonrpc;
use crate::server::{respond, App};
use crate::sse;
use bytes::Bytes;
use http::{header, HeaderMap, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Handles one request on a Streamable HTTP route. `rest` is the path after the route prefix.
pub async fn handle(app: Arc<App>, route: McpRoute, req: Request<Incoming>, rest: String) -> Response<Body> {
    if req.method() == Method::POST {
        post(app, route, req, rest).await
    } else {
        respond::passthrough(
            &app,
            &route.name,
            &route.upstream,
            &route.headers,
            route.forward_authorization,
            req,
            &rest,
        )
        .await
    }
}

async fn post(app: Arc<App>, route: McpRoute, req: Request<Incoming>, rest: String) -> Response<Body> {
    let snap = app.gov.snapshot.load_full();
    let (parts, incoming) = req.into_parts();
    let bytes = match respond::read_body(&app, &parts.headers, incoming, snap.limits.max_body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let session = header_str(&parts.headers, "mcp-session-id");
    let accepts_sse = header_str(&parts.headers, "accept").is_some_and(|a| a.contains("text/event-stream"));
    // Deciding runs in its own task that owns the body, so a held decision can outlive this handler.
    let mut decide = {
        let (app, route, bytes, session) = (app.clone(), route.clone(), bytes.clone(), session.clone());
        let routing = (header_str(&parts.headers, "mcp-method"), header_str(&parts.headers, "mcp-name"));
        super::spawn_decision(async move {
            let parsed = jsonrpc::parse(&bytes).map_err(|e| (e.code(), e.to_string()))?;
            check_routing_headers(&parsed, &routing).map_err(|e| (jsonrpc::INVALID_REQUEST, e))?;
            Ok::<Plan, (i64, String)>(plan(&app.gov, &route, &parsed, session.as_deref(), &app.hints).await)
        })
    };
    let joined = if accepts_sse {
        match decide.unless_held().await {
            Some(joined) => joined,
            None => {
                let decide = decide.into_task();
                let (tx, body) = body::channel(16);
                let every = snap.keepalive;
                tokio::spawn(async move {
                    match keep_alive_until(&app, session.as_deref(), decide, &tx, every).await {
                        None => {}
                        Some(Ok(plan)) => {
                            let post = Post { app, route, headers: parts.headers, rest, session, original: bytes };
                            finish_into_sse(post, plan, tx).await;
                        }
                        // Only a decision task that failed lands here (a call is held only after its body
                        // parsed): the error goes out on the stream the client already has.
                        Some(Err((code, msg))) => {
                            let err = jsonrpc::error_response(None, code, &msg);
                            let _ = tx.send(sse::encode(Some("message"), None, &err)).await;
                        }
                    }
                });
                return respond::sse_response(body);
            }
        }
    } else {
        decide.into_task().await
    };
    match joined {
        Ok(Ok(plan)) => finish(Post { app, route, headers: parts.headers, rest, session, original: bytes }, plan).await,
        Ok(Err((code, msg))) => respond::rpc_error(StatusCode::BAD_REQUEST, None, code, &msg),
        Err(_) => {
            respond::rpc_error(StatusCode::INTERNAL_SERVER_ERROR, None, jsonrpc::INTERNAL_ERROR, "decision failed")
        }
    }
}

type Decide = tokio::task::JoinHandle<Result<Plan, (i64, String)>>;

/// Sends keep-alives until the decision task ends, and returns what it decided (a task that failed is an
/// internal error). If the client goes away, the decision is aborted (which withdraws a pending approval)
/// and `None` is returned.
/// When the client can be asked in-band (`[approvals] elicit`), each held call of its session also gets an
/// `elicitation/create` request on this stream.
async fn keep_alive_until(
    app: &App,
    session: Option<&str>,
    mut decide: Decide,
    tx: &mpsc::Sender<Bytes>,
    every: Duration,
) -> Option<Result<Plan, (i64, String)>> {
    let mut tick = tokio::time::interval(every);
    let mut asked = std::collections::HashSet::new();
    let elicit = app.gov.snapshot.load().elicit && session.is_some_and(|s| app.elicit.has(s));
    loop {
        tokio::select! {
            joined = &mut decide => {
                return Some(joined.unwrap_or_else(|_| Err((jsonrpc::INTERNAL_ERROR, "decision failed".into()))));
            }
            _ = tick.tick() => {
                let mut out = vec![Bytes::from_static(sse::KEEPALIVE)];
                if let (true, Some(s)) = (elicit, session) {
                    out.extend(super::elicit::new_requests(&app.gov, s, &mut asked).iter().map(|r| sse::encode(Some("message"), None, r)));
                }
                for b in out {
                    if tx.send(b).await.is_err() {
                        decide.abort();
                        return None;
                    }
                }
            }
        }
    }
}

/// What the upstream exchange produced.
enum Reply {
    /// airlock answers alone (nothing to forward, or only replies of its own).
    Local(String),
    /// The upstream could not be reached; one JSON-RPC error per forwarded request.
    Failed(Vec<String>, StatusCode),
    Upstream(Response<Incoming>),
}

/// One client POST, carried from deciding through forwarding to relaying the reply.
struct Post {
    app: Arc<App>,
    route: McpRoute,
    headers: HeaderMap,
    /// The path after the route prefix.
    rest: String,
    session: Option<String>,
    /// The body exactly as the client sent it.
    original: Bytes,
}

async fn exchange(post: &Post, plan: &Plan) -> Reply {
    let Post { app, route, headers, rest, original, .. } = post;
    let Some(body) = plan.upstream_body(original) else {
        return Reply::Local(plan.local_body());
    };
    let snap = app.gov.snapshot.load();
    let uri = match crate::upstream::target(&route.upstream, rest, None, &route.name) {
        Ok(u) => u,
        Err(e) => return Reply::Failed(errors_for(plan, &e.to_string()), StatusCode::BAD_GATEWAY),
    };
    let mut req = Request::new(body::full(body));
    *req.method_mut() = Method::POST;
    *req.uri_mut() = uri;
    *req.headers_mut() = crate::upstream::request_headers(headers, route.forward_authorization, &route.headers);
    let started = std::time::Instant::now();
    match app.upstream.send(&route.name, req, snap.limits.upstream_timeout).await {
        Ok(resp) => {
            app.observe_upstream("mcp", &route.name, started);
            if plan.declares_elicitation {
                if let Some(sid) = resp.headers().get("mcp-session-id").and_then(|v| v.to_str().ok()) {
                    app.elicit.mark(sid);
                }
            }
            plan.held_outcome(&app.gov, format_args!("forwarded; the server answered {}", resp.status()));
            Reply::Upstream(resp)
        }
        Err(e) => {
            plan.held_outcome(&app.gov, format_args!("forwarding failed: {e}"));
            app.gov.metrics.upstream_error(&route.name, e.kind());
            tracing::warn!(route = %route.name, error = %e, "upstream request failed");
            Reply::Failed(errors_for(plan, &e.to_string()), StatusCode::BAD_GATEWAY)
        }
    }
}

/// JSON-RPC errors for every request that was to be forwarded, plus airlock's own replies.
fn errors_for(plan: &Plan, message: &str) -> Vec<String> {
    let mut out = plan.local.clone();
    for text in &plan.forward {
        if let Ok(p) = jsonrpc::parse_one(text) {
            if let jsonrpc::Message::Request { id, .. } = p.message() {
                out.push(jsonrpc::error_response(Some(id), jsonrpc::INTERNAL_ERROR, message));
            }
        }
    }
    out
}

fn pending_of(plan: &Plan) -> PendingIds {
    let ids = PendingIds::default();
    for (id, kind) in &plan.track {
        ids.insert(id.clone(), *kind);
    }
    ids
}

async fn finish(post: Post, plan: Plan) -> Response<Body> {
    let reply = exchange(&post, &plan).await;
    let Post { app, route, session, .. } = post;
    match reply {
        Reply::Local(body) if body.is_empty() => respond::accepted(),
        Reply::Local(body) => respond::json(StatusCode::OK, body),
        Reply::Failed(errors, status) => {
            if errors.is_empty() {
                return respond::rpc_error(status, None, jsonrpc::INTERNAL_ERROR, "upstream unavailable");
            }
            respond::json(StatusCode::OK, join(&errors, plan.batch))
        }
        Reply::Upstream(resp) => relay_reply(app, route, session, plan, resp).await,
    }
}

fn join(messages: &[String], batch: bool) -> String {
    if batch || messages.len() > 1 {
        format!("[{}]", messages.join(","))
    } else {
        messages.concat()
    }
}

fn content_type(resp: &Response<Incoming>) -> &str {
    resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn relay_reply(
    app: Arc<App>,
    route: McpRoute,
    session: Option<String>,
    plan: Plan,
    resp: Response<Incoming>,
) -> Response<Body> {
    let status = resp.status();
    let is_sse = content_type(&resp).starts_with("text/event-stream");
    let is_json = content_type(&resp).starts_with("application/json");
    let nothing_to_do = plan.track.is_empty() && plan.local.is_empty();
    if nothing_to_do || !status.is_success() || !(is_sse || is_json) {
        if !plan.local.is_empty() && status == StatusCode::ACCEPTED {
            return respond::json(StatusCode::OK, plan.local_body());
        }
        return respond::relay_untouched(resp);
    }
    let (mut parts, incoming) = resp.into_parts();
    crate::upstream::strip_hop_by_hop(&mut parts.headers);
    let snap = app.gov.snapshot.load_full();
    if is_json {
        let bytes = match body::read_limited(incoming, snap.limits.max_body).await {
            Ok(b) => b,
            Err(e) => {
                app.gov.metrics.limit_hit("upstream_body");
                let msg = format!("route {}: upstream reply refused: {e}", route.name);
                return respond::json(StatusCode::OK, join(&errors_for(&plan, &msg), plan.batch));
            }
        };
        let pending = pending_of(&plan);
        let filter = ResponseFilter { gov: &app.gov, route: &route.name, session, hints: &app.hints };
        let out = filter_json_body(&bytes, &filter, &pending, &plan.local);
        let mut builder = Response::builder().status(status);
        if let Some(h) = builder.headers_mut() {
            *h = parts.headers;
        }
        return builder.body(body::full(out.unwrap_or(bytes))).unwrap_or_else(|_| respond::internal());
    }
    let (tx, body) = body::channel(32);
    let mut builder = Response::builder().status(status);
    if let Some(h) = builder.headers_mut() {
        *h = parts.headers;
    }
    tokio::spawn(async move {
        for local in &plan.local {
            if tx.send(sse::encode(Some("message"), None, local)).await.is_err() {
                return;
            }
        }
        stream_into(&app, &route, session, &plan, incoming, &tx).await;
    });
    builder.body(body).unwrap_or_else(|_| respond::internal())
}

/// Filters a JSON reply (single or batch) and merges airlock's own replies. `None`: forward as-is.
fn filter_json_body(
    bytes: &[u8],
    filter: &ResponseFilter<'_>,
    pending: &PendingIds,
    local: &[String],
) -> Option<Bytes> {
    let text = std::str::from_utf8(bytes).ok()?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(text).ok()?;
        let mut changed = !local.is_empty();
        let mut out: Vec<String> = items
            .iter()
            .map(|raw| match filter.filter(raw.get(), |id| pending.take(id)) {
                Some(new) => {
                    changed = true;
                    new
                }
                None => raw.get().to_string(),
            })
            .collect();
        out.extend(local.iter().cloned());
        return changed.then(|| Bytes::from(format!("[{}]", out.join(","))));
    }
    let filtered = filter.filter(text, |id| pending.take(id));
    if local.is_empty() {
        return filtered.map(Bytes::from);
    }
    let mut all = vec![filtered.unwrap_or_else(|| text.to_string())];
    all.extend(local.iter().cloned());
    Some(Bytes::from(format!("[{}]", all.join(","))))
}

async fn stream_into(
    app: &App,
    route: &McpRoute,
    session: Option<String>,
    plan: &Plan,
    incoming: Incoming,
    tx: &mpsc::Sender<Bytes>,
) {
    let snap = app.gov.snapshot.load_full();
    let pending = pending_of(plan);
    let filter = ResponseFilter { gov: &app.gov, route: &route.name, session, hints: &app.hints };
    let end = relay_sse(
        incoming,
        tx,
        &filter,
        &pending,
        snap.limits.max_sse_event,
        snap.limits.idle_stream_timeout,
        &mut |_| None,
    )
    .await;
    app.stream_ended("mcp", &route.name, &plan.decisions, &end);
    if matches!(end, StreamEnd::TooLarge) {
        app.gov.metrics.limit_hit("sse_event");
    }
}

/// The held path: the response is already an SSE stream; finish the exchange inside it.
async fn finish_into_sse(post: Post, plan: Plan, tx: mpsc::Sender<Bytes>) {
    let reply = exchange(&post, &plan).await;
    let Post { app, route, session, .. } = post;
    let send_all = |messages: Vec<String>| {
        let tx = tx.clone();
        async move {
            for m in messages {
                if tx.send(sse::encode(Some("message"), None, &m)).await.is_err() {
                    return;
                }
            }
        }
    };
    match reply {
        Reply::Local(_) => send_all(plan.local.clone()).await,
        Reply::Failed(errors, _) => send_all(errors).await,
        Reply::Upstream(resp) => {
            send_all(plan.local.clone()).await;
            let status = resp.status();
            let is_sse = content_type(&resp).starts_with("text/event-stream");
            let incoming = resp.into_body();
            if !status.is_success() {
                let msg = format!("route {}: upstream answered {status}", route.name);
                send_all(errors_for(&Plan { local: vec![], ..plan }, &msg)).await;
            } else if is_sse {
                stream_into(&app, &route, session, &plan, incoming, &tx).await;
            } else {
                let snap = app.gov.snapshot.load_full();
                let Ok(bytes) = body::read_limited(incoming, snap.limits.max_body).await else {
                    return;
                };
                let pending = pending_of(&plan);
                let filter = ResponseFilter { gov: &app.gov, route: &route.name, session, hints: &app.hints };
                let out = filter_json_body(&bytes, &filter, &pending, &[]).unwrap_or(bytes);
                let text = String::from_utf8_lossy(&out);
                let messages = match serde_json::from_str::<Vec<&serde_json::value::RawValue>>(&text) {
                    Ok(items) => items.iter().map(|r| r.get().to_string()).collect(),
                    Err(_) if !text.trim().is_empty() => vec![text.trim().to_string()],
                    Err(_) => vec![],
                };
                send_all(messages).await;
            }
        }
    }
}

/// The 2026-07-28 `Mcp-Method` / `Mcp-Name` headers must agree with the body: a server that routes by
/// header must never run something other than what airlock judged.
fn check_routing_headers(body: &jsonrpc::Body<'_>, headers: &(Option<String>, Option<String>)) -> Result<(), String> {
    let (method, name) = headers;
    if method.is_none() && name.is_none() {
        return Ok(());
    }
    let [only] = body.messages.as_slice() else {
        return Err("Mcp-Method/Mcp-Name headers need a single message, not a batch".into());
    };
    let (body_method, params) = match only.message() {
        jsonrpc::Message::Request { method, params, .. } | jsonrpc::Message::Notification { method, params } => {
            (method, params)
        }
        jsonrpc::Message::Response { .. } => return Ok(()),
    };
    if let Some(m) = method {
        if m != body_method {
            return Err(format!("Mcp-Method header {m:?} does not match the body's method {body_method:?}"));
        }
    }
    if let (Some(n), "tools/call") = (name, body_method) {
        let body_name = params
            .and_then(|p| serde_json::from_str::<serde_json::Value>(p.get()).ok())
            .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string));
        if body_name.as_deref() != Some(n.as_str()) {
            return Err(format!("Mcp-Name header {n:?} does not match the tool in the body"));
        }
    }
    Ok(())
}

fn header_str(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}
