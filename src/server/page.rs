//! The operator page served by the admin listener: pending approvals live (SSE) and recent decisions.
//!
//! The page is static HTML + a little JavaScript; it reads the admin token from `?token=` (kept in
//! `sessionStorage`, never sent anywhere but this listener) and uses the same admin API as the CLI.
use super::App;
use crate::body::{self, Body};
use crate::sse;
use bytes::Bytes;
use http::{header, HeaderValue, Response};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

const PAGE: &str = include_str!("page.html");

pub fn page() -> Response<Body> {
    let mut r = Response::new(body::full(PAGE));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    r
}

/// Server-sent events: one `approval` event per new pending approval or resolution.
pub fn events(app: Arc<App>) -> Response<Body> {
    let (tx, body) = body::channel(16);
    let mut rx = app.gov.approvals.subscribe();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(15));
        loop {
            let out = tokio::select! {
                ev = rx.recv() => match ev {
                    Ok(ev) => sse::encode(Some("approval"), None, &serde_json::to_string(&ev).unwrap_or_default()),
                    Err(RecvError::Lagged(_)) => sse::encode(Some("resync"), None, "{}"),
                    Err(RecvError::Closed) => return,
                },
                _ = tick.tick() => Bytes::from_static(sse::KEEPALIVE),
            };
            if tx.send(out).await.is_err() {
                return;
            }
        }
    });
    super::respond::sse_response(body)
}
