//! MCP legacy HTTP+SSE (2024-11-05): `GET {path}/sse` opens the server stream, `POST {path}/messages`
//! carries client messages, and every response arrives on the stream.
//!
//! airlock opens the upstream stream for the client and rewrites the `endpoint` event so the client posts
//! to airlock (`{path}/messages?sessionId=…`, same origin as the stream, as clients require). Replies
//! airlock gives itself (refused calls) are injected into the client's stream, because that is where this
//! transport delivers responses. Responses to tracked requests are filtered as on Streamable HTTP.
use super::exchange::{relay_sse, PendingIds};
use super::{plan, Plan, ResponseFilter};
use crate::body::{self, Body};
use crate::config::McpRoute;
use crate::jsonrpc;
use crate::server::{respond, App};
use crate::sse;
use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode, Uri};
use hyper::body::Incoming;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// One client's stream and where its messages go upstream.
pub struct Session {
    /// The upstream's message endpoint, known once its `endpoint` event arrived.
    upstream_endpoint: Mutex<Option<Uri>>,
    pending: PendingIds,
    /// The client's stream: airlock's own replies are injected here.
    tx: mpsc::Sender<Bytes>,
}

/// Open legacy sessions, by airlock's session id.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Arc<Session>>>,
}

impl Sessions {
    fn get(&self, id: &str) -> Option<Arc<Session>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).get(id).cloned()
    }
    fn insert(&self, id: String, s: Arc<Session>) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).insert(id, s);
    }
    fn remove(&self, id: &str) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

pub async fn handle(app: Arc<App>, route: McpRoute, req: Request<Incoming>, rest: String) -> Response<Body> {
    match (req.method().clone(), rest.trim_end_matches('/')) {
        (Method::GET, "/sse") => open(app, route, req).await,
        (Method::POST, "/messages") => post(app, route, req).await,
        _ => respond::error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("route {} serves GET {}/sse and POST {}/messages", route.name, route.path, route.path),
        ),
    }
}

async fn open(app: Arc<App>, route: McpRoute, req: Request<Incoming>) -> Response<Body> {
    let snap = app.gov.snapshot.load_full();
    let mut out = Request::new(body::empty());
    *out.uri_mut() = route.upstream.clone();
    *out.headers_mut() = crate::upstream::request_headers(req.headers(), route.forward_authorization, &route.headers);
    let resp = match app.upstream.send(&route.name, out, snap.limits.upstream_timeout).await {
        Ok(r) => r,
        Err(e) => {
            app.gov.metrics.upstream_error(&route.name, e.kind());
            return respond::error(StatusCode::BAD_GATEWAY, "upstream", &e.to_string());
        }
    };
    if !resp.status().is_success() {
        return respond::relay_untouched(resp);
    }
    let sid = hex::encode(rand::random::<[u8; 16]>());
    let (tx, client_body) = body::channel(32);
    let session =
        Arc::new(Session { upstream_endpoint: Mutex::new(None), pending: PendingIds::default(), tx: tx.clone() });
    app.legacy.insert(sid.clone(), session.clone());
    let (mut parts, incoming) = resp.into_parts();
    crate::upstream::strip_hop_by_hop(&mut parts.headers);
    tokio::spawn(async move {
        let filter =
            ResponseFilter { gov: &app.gov, route: &route.name, session: Some(sid.clone()), hints: &app.hints };
        let base = route.upstream.to_string();
        let ours = format!("{}/messages?sessionId={sid}", route.path);
        let mut hook = |event: &sse::Event| -> Option<Bytes> {
            if event.event.as_deref() != Some("endpoint") {
                return None;
            }
            let target = event.data.as_deref().and_then(|d| url::Url::parse(&base).ok()?.join(d.trim()).ok());
            let uri = target.and_then(|u| u.as_str().parse::<Uri>().ok());
            *session.upstream_endpoint.lock().unwrap_or_else(|p| p.into_inner()) = uri;
            Some(sse::encode(Some("endpoint"), event.id.as_deref(), &ours))
        };
        let end = relay_sse(
            incoming,
            &tx,
            &filter,
            &session.pending,
            snap.limits.max_sse_event,
            snap.limits.idle_stream_timeout,
            &mut hook,
        )
        .await;
        app.stream_ended("mcp", &route.name, &[], &end);
        app.legacy.remove(&sid);
    });
    let mut r = Response::from_parts(parts, client_body);
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

async fn post(app: Arc<App>, route: McpRoute, req: Request<Incoming>) -> Response<Body> {
    let sid =
        req.uri().query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("sessionId="))).map(str::to_string);
    let Some(session) = sid.as_deref().and_then(|s| app.legacy.get(s)) else {
        return respond::error(StatusCode::NOT_FOUND, "not_found", "unknown or expired sessionId");
    };
    let snap = app.gov.snapshot.load_full();
    let (parts, incoming) = req.into_parts();
    let bytes = match respond::read_body(&app, &parts.headers, incoming, snap.limits.max_body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let mut decide = {
        let (app, route, bytes, sid) = (app.clone(), route.clone(), bytes.clone(), sid.clone());
        super::spawn_decision(async move {
            let parsed = jsonrpc::parse(&bytes).map_err(|e| (e.code(), e.to_string()))?;
            Ok::<Plan, (i64, String)>(plan(&app.gov, &route, &parsed, sid.as_deref(), &app.hints).await)
        })
    };
    match decide.unless_held().await {
        Some(Ok(Ok(plan))) => {
            if plan.declares_elicitation {
                if let Some(sid) = &sid {
                    app.elicit.mark(sid);
                }
            }
            deliver(&app, &route, &session, &parts.headers, &bytes, plan).await
        }
        Some(Ok(Err((code, msg)))) => respond::rpc_error(StatusCode::BAD_REQUEST, None, code, &msg),
        Some(Err(_)) => {
            respond::rpc_error(StatusCode::INTERNAL_SERVER_ERROR, None, jsonrpc::INTERNAL_ERROR, "decision failed")
        }
        None => {
            // Held for a person: accept now, keep the client's stream alive, deliver when decided.
            let every = snap.keepalive;
            let mut decide = decide.into_task();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                let mut asked = std::collections::HashSet::new();
                let elicit = app.gov.snapshot.load().elicit && sid.as_deref().is_some_and(|s| app.elicit.has(s));
                let plan = loop {
                    tokio::select! {
                        joined = &mut decide => {
                            break joined.unwrap_or_else(|_| Err((jsonrpc::INTERNAL_ERROR, "decision failed".into())));
                        }
                        _ = tick.tick() => {
                            let mut out = vec![Bytes::from_static(sse::KEEPALIVE)];
                            if let (true, Some(s)) = (elicit, sid.as_deref()) {
                                let asks = super::elicit::new_requests(&app.gov, s, &mut asked);
                                out.extend(asks.iter().map(|r| sse::encode(Some("message"), None, r)));
                            }
                            for b in out {
                                if session.tx.send(b).await.is_err() {
                                    decide.abort();
                                    return;
                                }
                            }
                        }
                    }
                };
                match plan {
                    Ok(plan) => {
                        deliver(&app, &route, &session, &parts.headers, &bytes, plan).await;
                    }
                    // The POST was already accepted, so an error (only a decision task that failed: a call is
                    // held only after its body parsed) goes to the client on its stream instead.
                    Err((code, msg)) => {
                        let err = jsonrpc::error_response(None, code, &msg);
                        let _ = session.tx.send(sse::encode(Some("message"), None, &err)).await;
                    }
                }
            });
            accepted()
        }
    }
}

fn accepted() -> Response<Body> {
    let mut r = Response::new(body::full("Accepted"));
    *r.status_mut() = StatusCode::ACCEPTED;
    r
}

/// Forwards what the plan lets through and injects airlock's own replies into the client's stream.
async fn deliver(
    app: &App,
    route: &McpRoute,
    session: &Session,
    headers: &http::HeaderMap,
    original: &[u8],
    plan: Plan,
) -> Response<Body> {
    for local in &plan.local {
        let _ = session.tx.send(sse::encode(Some("message"), None, local)).await;
    }
    let Some(body_bytes) = plan.upstream_body(original) else {
        return accepted();
    };
    let Some(endpoint) = session.upstream_endpoint.lock().unwrap_or_else(|p| p.into_inner()).clone() else {
        return respond::error(StatusCode::CONFLICT, "not_ready", "the upstream has not announced its endpoint yet");
    };
    for (id, kind) in &plan.track {
        session.pending.insert(id.clone(), *kind);
    }
    let snap = app.gov.snapshot.load();
    let mut req = Request::new(body::full(body_bytes));
    *req.method_mut() = Method::POST;
    *req.uri_mut() = endpoint;
    *req.headers_mut() = crate::upstream::request_headers(headers, route.forward_authorization, &route.headers);
    match app.upstream.send(&route.name, req, snap.limits.upstream_timeout).await {
        Ok(resp) => {
            plan.held_outcome(&app.gov, format_args!("forwarded; the server answered {}", resp.status()));
            respond::relay_untouched(resp)
        }
        Err(e) => {
            plan.held_outcome(&app.gov, format_args!("forwarding failed: {e}"));
            app.gov.metrics.upstream_error(&route.name, e.kind());
            for text in &plan.forward {
                if let Ok(p) = jsonrpc::parse_one(text) {
                    if let jsonrpc::Message::Request { id, .. } = p.message() {
                        let err = jsonrpc::error_response(Some(id), jsonrpc::INTERNAL_ERROR, &e.to_string());
                        let _ = session.tx.send(sse::encode(Some("message"), None, &err)).await;
                    }
                }
            }
            respond::error(StatusCode::BAD_GATEWAY, "upstream", &e.to_string())
        }
    }
}
