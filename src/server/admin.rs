//! The admin listener: health, metrics, decision explanations, approvals.
//!
//! Every route except `/healthz` needs `Authorization: Bearer <token>` when a token is configured
//! (compared in constant time). Loading refuses a non-loopback admin address without a token.
use super::respond::{error, json};
use super::App;
use crate::body::{self, Body};
use crate::govern::approval::Resolution;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The optional body of approve/deny.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveBody {
    reason: Option<String>,
    by: Option<String>,
    /// Approve: also allow this tool for this session for this long (e.g. "15m").
    widen: Option<String>,
}

pub async fn handle(app: Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_string();
    if path == "/healthz" {
        return json(StatusCode::OK, "{\"status\":\"ok\"}");
    }
    if !authorized(&app, &req) {
        let mut r = error(StatusCode::UNAUTHORIZED, "unauthorized", "a valid admin bearer token is required");
        r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return r;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (req.method().clone(), segments.as_slice()) {
        (Method::GET, ["metrics"]) => {
            let mut r = Response::new(body::full(app.gov.metrics.encode()));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            );
            r
        }
        (Method::GET, ["v1", "decisions"]) => {
            let latest = app.gov.recent.latest(100);
            let refs: Vec<&crate::govern::record::DecisionRecord> = latest.iter().map(|r| &**r).collect();
            json(StatusCode::OK, serde_json::to_string(&refs).unwrap_or_else(|_| "[]".into()))
        }
        (Method::GET, ["v1", "decisions", id]) => match app.gov.recent.get(id) {
            Some(record) => json(StatusCode::OK, serde_json::to_string(&*record).unwrap_or_default()),
            None => error(StatusCode::NOT_FOUND, "not_found", &format!("no recent decision {id}")),
        },
        (Method::GET, ["v1", "approvals"]) => {
            json(StatusCode::OK, serde_json::to_string(&app.gov.approvals.list()).unwrap_or_else(|_| "[]".into()))
        }
        (Method::POST, ["v1", "approvals", id, action @ ("approve" | "deny")]) => {
            let (id, approve) = (id.to_string(), *action == "approve");
            resolve(app, req, id, approve).await
        }
        (Method::GET, ["v1", "approvals", "events"]) => super::page::events(app),
        (Method::GET, [""]) | (Method::GET, ["ui"]) => super::page::page(),
        _ => error(StatusCode::NOT_FOUND, "not_found", &format!("no admin route {path}")),
    }
}

fn authorized(app: &App, req: &Request<Incoming>) -> bool {
    let snap = app.gov.snapshot.load();
    let Some(token) = snap.admin.as_ref().and_then(|a| a.token.as_ref()) else {
        return true;
    };
    let header = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let query = req.uri().query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")));
    let presented = header.and_then(|h| h.strip_prefix("Bearer ")).or(query).unwrap_or("");
    bool::from(presented.as_bytes().ct_eq(token.expose().as_bytes()))
}

async fn resolve(app: Arc<App>, req: Request<Incoming>, id: String, approve: bool) -> Response<Body> {
    let bytes = match body::read_limited(req.into_body(), 64 << 10).await {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", &e.to_string()),
    };
    let parsed: ResolveBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        ResolveBody::default()
    } else {
        match serde_json::from_slice(&bytes) {
            Ok(b) => b,
            Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", &format!("invalid body: {e}")),
        }
    };
    let widen = match parsed.widen.as_deref().map(humantime::parse_duration) {
        None => None,
        Some(Ok(d)) if d <= Duration::from_secs(24 * 3600) => Some(d),
        Some(_) => return error(StatusCode::BAD_REQUEST, "bad_request", "widen must be a duration up to 24h"),
    };
    let by = parsed.by.unwrap_or_else(|| "admin-api".to_string());
    let resolution = if approve {
        Resolution::Approved { by, reason: parsed.reason }
    } else {
        Resolution::Denied { by, reason: parsed.reason }
    };
    match app.gov.approvals.resolve(&id, resolution, widen) {
        Ok(view) => {
            let body = serde_json::json!({ "id": view.id, "tool": view.tool, "resolved": if approve { "approved" } else { "denied" } });
            json(StatusCode::OK, body.to_string())
        }
        Err(e) => error(StatusCode::NOT_FOUND, "not_found", &e.to_string()),
    }
}
