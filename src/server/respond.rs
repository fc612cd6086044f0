//! Turning outcomes into HTTP responses: JSON-RPC errors, JSON bodies, SSE streams, untouched relays.
//! This is the one place errors become responses; messages never contain credentials.
use super::App;
use crate::body::{self, Body, ReadError};
use crate::jsonrpc;
use bytes::Bytes;
use http::{header, HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode, Uri};
use hyper::body::Incoming;
use serde_json::value::RawValue;

pub fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(body::full(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// A JSON-RPC error as the whole response.
pub fn rpc_error(status: StatusCode, id: Option<&RawValue>, code: i64, message: &str) -> Response<Body> {
    json(status, jsonrpc::error_response(id, code, message))
}

/// A plain JSON error for non-JSON-RPC endpoints: `{"error": {"type", "message"}}`.
pub fn error(status: StatusCode, kind: &str, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "error": { "type": kind, "message": message } });
    json(status, body.to_string())
}

/// `202 Accepted` with no body: what MCP servers answer to a POST of only responses or notifications.
pub fn accepted() -> Response<Body> {
    let mut r = Response::new(body::empty());
    *r.status_mut() = StatusCode::ACCEPTED;
    r
}

pub fn internal() -> Response<Body> {
    error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "airlock could not build the response")
}

/// An SSE response fed by a channel.
pub fn sse_response(body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// Reads a client body within the limit: 413 (before reading it all when Content-Length says so).
pub async fn read_body(
    app: &App,
    headers: &HeaderMap,
    incoming: Incoming,
    limit: usize,
) -> Result<Bytes, Response<Body>> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        app.gov.metrics.limit_hit("max_body");
        let msg = format!("request body larger than the {limit}-byte limit");
        rpc_error(StatusCode::PAYLOAD_TOO_LARGE, None, jsonrpc::INVALID_REQUEST, &msg)
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match body::read_limited(incoming, limit).await {
        Ok(b) => Ok(b),
        Err(ReadError::TooLarge(_)) => Err(too_large()),
        Err(ReadError::Io(e)) => Err(rpc_error(StatusCode::BAD_REQUEST, None, jsonrpc::PARSE_ERROR, &e)),
    }
}

/// Relays an upstream response untouched (hop-by-hop headers aside), streaming its body.
pub fn relay_untouched(resp: Response<Incoming>) -> Response<Body> {
    let (mut parts, incoming) = resp.into_parts();
    let length = parts.headers.get(header::CONTENT_LENGTH).cloned();
    crate::upstream::strip_hop_by_hop(&mut parts.headers);
    if let Some(l) = length {
        parts.headers.insert(header::CONTENT_LENGTH, l);
    }
    Response::from_parts(parts, body::incoming(incoming))
}

/// Forwards any request to the route's upstream without interpretation (GET streams, DELETE, …).
pub async fn passthrough(
    app: &App,
    route: &str,
    upstream: &Uri,
    extra: &[(HeaderName, HeaderValue)],
    forward_authorization: bool,
    req: Request<Incoming>,
    rest: &str,
) -> Response<Body> {
    let (parts, incoming) = req.into_parts();
    let uri = match crate::upstream::target(upstream, rest, parts.uri.query(), route) {
        Ok(u) => u,
        Err(e) => return error(StatusCode::BAD_GATEWAY, "upstream", &e.to_string()),
    };
    let mut out = Request::new(body::incoming(incoming));
    *out.method_mut() = parts.method;
    *out.uri_mut() = uri;
    *out.headers_mut() = crate::upstream::request_headers(&parts.headers, forward_authorization, extra);
    let snap = app.gov.snapshot.load();
    let started = std::time::Instant::now();
    match app.upstream.send(route, out, snap.limits.upstream_timeout).await {
        Ok(resp) => {
            app.observe_upstream("passthrough", route, started);
            relay_untouched(resp)
        }
        Err(e) => {
            app.gov.metrics.upstream_error(route, e.kind());
            error(StatusCode::BAD_GATEWAY, "upstream", &e.to_string())
        }
    }
}
