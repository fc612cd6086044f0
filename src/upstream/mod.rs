//! The pooled upstream client (hyper-util over rustls with the system's roots) and header hygiene.
//!
//! Everything that leaves airlock for an upstream goes through here: hop-by-hop headers are dropped, the
//! client's credentials are removed unless a route says otherwise, the route's own headers are added, and
//! waiting for response headers is bounded so an upstream that is down or stalled becomes a prompt error.
use crate::body::Body;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response, Uri};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::time::Duration;

/// Why an upstream exchange failed. Messages name the route, never a credential.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("upstream of route {route} is unreachable: {detail}")]
    Connect { route: String, detail: String },
    #[error("upstream of route {route} did not answer within {secs}s")]
    Timeout { route: String, secs: u64 },
    #[error("bad upstream URL for route {route}: {detail}")]
    Uri { route: String, detail: String },
}

impl UpstreamError {
    /// A short label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            UpstreamError::Connect { .. } => "connect",
            UpstreamError::Timeout { .. } => "timeout",
            UpstreamError::Uri { .. } => "uri",
        }
    }
}

/// The shared client.
#[derive(Clone)]
pub struct Upstream {
    /// One client (and so one connection pool) per worker: a pooled connection is driven by the worker
    /// that opened it, so each worker only reuses its own.
    clients: Vec<Client<HttpsConnector<HttpConnector>, Body>>,
}

impl Upstream {
    pub fn new(connect_timeout: Duration, workers: usize) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let tls = match builder.with_native_roots() {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "no system TLS roots found; https upstreams will fail to verify");
                let config = rustls::ClientConfig::builder()
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth();
                hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
            }
        };
        let connector = tls.https_or_http().enable_http1().enable_http2().wrap_connector(http);
        let client = |_| {
            Client::builder(TokioExecutor::new())
                .timer(TokioTimer::new())
                .pool_timer(TokioTimer::new())
                .pool_idle_timeout(Duration::from_secs(90))
                .pool_max_idle_per_host(256)
                .build(connector.clone())
        };
        Upstream { clients: (0..workers.max(1)).map(client).collect() }
    }

    /// Sends a request; bounded wait for the response headers.
    pub async fn send(
        &self,
        route: &str,
        req: Request<Body>,
        timeout: Duration,
    ) -> Result<Response<Incoming>, UpstreamError> {
        let worker = crate::server::worker::index();
        let Some(client) = self.clients.get(worker).or(self.clients.first()) else {
            return Err(UpstreamError::Connect { route: route.to_string(), detail: "no upstream client".into() });
        };
        match tokio::time::timeout(timeout, client.request(req)).await {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(e)) => Err(UpstreamError::Connect { route: route.to_string(), detail: describe(&e) }),
            Err(_) => Err(UpstreamError::Timeout { route: route.to_string(), secs: timeout.as_secs() }),
        }
    }
}

fn describe(e: &hyper_util::client::legacy::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Joins an upstream base URI with the path remainder and query of a client request.
pub fn target(base: &Uri, rest: &str, query: Option<&str>, route: &str) -> Result<Uri, UpstreamError> {
    let base_path = base.path().trim_end_matches('/');
    let mut pq = String::with_capacity(base_path.len() + rest.len() + 16);
    pq.push_str(base_path);
    if !rest.is_empty() && !rest.starts_with('/') {
        pq.push('/');
    }
    pq.push_str(rest);
    if pq.is_empty() {
        pq.push('/');
    }
    let merged_query = match (base.query(), query) {
        (Some(a), Some(b)) => Some(format!("{a}&{b}")),
        (Some(a), None) => Some(a.to_string()),
        (None, Some(b)) => Some(b.to_string()),
        (None, None) => None,
    };
    if let Some(q) = merged_query {
        pq.push('?');
        pq.push_str(&q);
    }
    let mut parts = base.clone().into_parts();
    parts.path_and_query =
        Some(pq.parse().map_err(|e: http::uri::InvalidUri| UpstreamError::Uri {
            route: route.to_string(),
            detail: e.to_string(),
        })?);
    Uri::from_parts(parts).map_err(|e| UpstreamError::Uri { route: route.to_string(), detail: e.to_string() })
}

const HOP_BY_HOP: &[HeaderName] = &[
    header::CONNECTION,
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::HOST,
    header::CONTENT_LENGTH,
];

/// Removes hop-by-hop headers (and any the `Connection` header names) from a header map.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for h in HOP_BY_HOP.iter().chain(named.iter()) {
        headers.remove(h);
    }
    headers.remove("keep-alive");
    headers.remove("proxy-connection");
}

/// Headers for an upstream request: hygiene, credential stripping, the route's own headers.
/// `accept-encoding` is removed so that bodies airlock must inspect arrive uncompressed.
pub fn request_headers(src: &HeaderMap, forward_authorization: bool, extra: &[(HeaderName, HeaderValue)]) -> HeaderMap {
    let mut h = src.clone();
    strip_hop_by_hop(&mut h);
    h.remove(header::ACCEPT_ENCODING);
    if !forward_authorization {
        h.remove(header::AUTHORIZATION);
        h.remove(header::COOKIE);
        h.remove("x-api-key");
        h.remove("api-key");
    }
    for (name, value) in extra {
        h.insert(name.clone(), value.clone());
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_joins_paths_and_queries() {
        let base: Uri = "http://127.0.0.1:9000/mcp".parse().unwrap();
        assert_eq!(target(&base, "", None, "r").unwrap().to_string(), "http://127.0.0.1:9000/mcp");
        assert_eq!(
            target(&base, "/messages", Some("sessionId=1"), "r").unwrap().to_string(),
            "http://127.0.0.1:9000/mcp/messages?sessionId=1"
        );
        let root: Uri = "https://api.example.com".parse().unwrap();
        assert_eq!(target(&root, "/v1/messages", None, "r").unwrap().path(), "/v1/messages");
    }

    #[test]
    fn client_credentials_and_hop_by_hop_never_go_upstream() {
        let mut src = HeaderMap::new();
        src.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer client-secret"));
        src.insert(header::CONNECTION, HeaderValue::from_static("keep-alive, x-private"));
        src.insert("x-private", HeaderValue::from_static("1"));
        src.insert("mcp-session-id", HeaderValue::from_static("abc"));
        src.insert("x-api-key", HeaderValue::from_static("client-key"));
        let extra = [(HeaderName::from_static("x-api-key"), HeaderValue::from_static("real"))];
        let h = request_headers(&src, false, &extra);
        assert!(h.get(header::AUTHORIZATION).is_none());
        assert!(request_headers(&src, false, &[]).get("x-api-key").is_none());
        assert!(h.get("x-private").is_none());
        assert!(h.get(header::CONNECTION).is_none());
        assert_eq!(h.get("mcp-session-id").unwrap(), "abc");
        assert_eq!(h.get("x-api-key").unwrap(), "real");
        assert!(request_headers(&src, true, &[]).get(header::AUTHORIZATION).is_some());
    }
}
