//! Announces each new pending approval to a webhook, so a person hears about it without watching a page.
//!
//! The JSON payload is signed: `X-Airlock-Timestamp: <unix secs>` and
//! `X-Airlock-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the configured secret, so the
//! receiver can check it came from this airlock and is fresh. `format = "slack"` sends a Slack
//! incoming-webhook `{"text": …}` body instead (signed the same way). Failures are logged and counted,
//! never retried forever and never block the held call: the approval stays pending either way.
use crate::body;
use crate::config::Webhook;
use crate::govern::approval::{ApprovalEvent, PendingView};
use crate::upstream::Upstream;
use hmac::{Hmac, Mac};
use http::{header, Method, Request};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;

/// The signature header value for a body sent at `timestamp`.
pub fn sign(secret: &str, timestamp: u64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The body sent for one pending approval.
pub fn payload(view: &PendingView, slack: bool) -> String {
    if slack {
        let text = format!(
            ":lock: *airlock* is holding `{}` for a person (rule `{}`): {}\nroute {} · session {} · approve with `airlock approvals approve {}`",
            view.tool,
            view.rule,
            view.reason,
            view.route,
            view.session.as_deref().unwrap_or("-"),
            view.id
        );
        serde_json::json!({ "text": text }).to_string()
    } else {
        serde_json::json!({ "type": "approval.pending", "approval": view }).to_string()
    }
}

/// Runs until the process ends: posts every new pending approval. `events` comes from
/// `app.gov.approvals.subscribe()`, taken before the listeners open so no approval goes unannounced.
pub async fn run(app: Arc<super::App>, mut events: tokio::sync::broadcast::Receiver<ApprovalEvent>) {
    loop {
        let view = match events.recv().await {
            Ok(ApprovalEvent::Pending(view)) => view,
            Ok(_) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "webhook fell behind; some approvals were not announced");
                continue;
            }
            Err(_) => return,
        };
        let Some(hook) = app.gov.snapshot.load().webhook.clone() else {
            continue;
        };
        let upstream = app.upstream.clone();
        let metrics_app = app.clone();
        tokio::spawn(async move {
            if let Err(e) = deliver(&upstream, &hook, &view).await {
                metrics_app.gov.metrics.upstream_error("approvals-webhook", "webhook");
                tracing::warn!(approval = %view.id, error = %e, "approval webhook failed");
            }
        });
    }
}

async fn deliver(upstream: &Upstream, hook: &Webhook, view: &PendingView) -> Result<(), String> {
    let body = payload(view, hook.slack);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(hook.url.clone())
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-airlock-timestamp", now.to_string());
    if let Some(secret) = &hook.secret {
        req = req.header("x-airlock-signature", sign(secret.expose(), now, &body));
    }
    let req = req.body(body::full(body)).map_err(|e| e.to_string())?;
    let resp = upstream.send("approvals-webhook", req, Duration::from_secs(10)).await.map_err(|e| e.to_string())?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("the webhook answered {}", resp.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_of_timestamp_and_body() {
        // Independent check: HMAC-SHA256("k", "1.{}") computed with the same primitive by hand.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"k").unwrap();
        mac.update(b"1.{}");
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(sign("k", 1, "{}"), expected);
        assert_ne!(sign("k", 2, "{}"), expected);
        assert_ne!(sign("other", 1, "{}"), expected);
    }
}
