//! Listeners and routing. The main listener routes by path prefix to a surface; the admin listener
//! serves health, metrics, explanations and approvals. HTTP/1.1 and HTTP/2 on both; TLS optional.
//!
//! Connections are bounded (`limits.max_connections`), slow header senders are cut off
//! (`limits.header_read_timeout`), and shutdown stops accepting, then drains in-flight requests.
pub mod admin;
pub mod page;
pub mod respond;
mod tls;
pub mod webhook;
pub mod worker;

use crate::body::Body;
use crate::config::McpTransport;
use crate::govern::Governor;
use crate::mcp;
use crate::metrics::RouteLabels;
use crate::upstream::Upstream;
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

/// Everything a request handler needs.
pub struct App {
    pub gov: Arc<Governor>,
    pub upstream: Upstream,
    pub hints: mcp::Hints,
    pub legacy: mcp::legacy_sse::Sessions,
    /// Sessions whose client can be asked in-band (MCP elicitation).
    pub elicit: mcp::elicit::Capable,
}

impl App {
    pub fn new(gov: Arc<Governor>) -> Arc<App> {
        let (timeout, workers) = {
            let snap = gov.snapshot.load();
            (snap.limits.connect_timeout, snap.workers)
        };
        Arc::new(App {
            gov,
            upstream: Upstream::new(timeout, workers),
            hints: mcp::Hints::default(),
            legacy: mcp::legacy_sse::Sessions::default(),
            elicit: mcp::elicit::Capable::default(),
        })
    }

    pub fn observe_upstream(&self, surface: &str, route: &str, started: Instant) {
        let labels = RouteLabels { surface: surface.to_string(), route: route.to_string() };
        self.gov.metrics.upstream_seconds.get_or_create(&labels).observe(started.elapsed().as_secs_f64());
    }

    /// Records how a relayed stream ended; a cut stream is audited against the calls it carried.
    pub fn stream_ended(&self, surface: &str, route: &str, decisions: &[String], end: &mcp::exchange::StreamEnd) {
        use mcp::exchange::StreamEnd;
        let detail = match end {
            StreamEnd::Complete => return,
            StreamEnd::Cut(why) => why.clone(),
            StreamEnd::ClientGone => "the client disconnected before the stream ended".to_string(),
            StreamEnd::TooLarge => "an upstream event exceeded limits.max_sse_event".to_string(),
            StreamEnd::Idle => "the upstream stream was idle past limits.idle_stream_timeout".to_string(),
        };
        tracing::warn!(surface, route, %detail, "stream ended early");
        self.gov.metrics.upstream_error(route, "stream_cut");
        for id in decisions {
            if let Some(record) = self.gov.recent.get(id) {
                record.note(format!("stream ended early: {detail}"));
                let _ = self.gov.write_audit_event(&record, "stream_truncated", &detail);
            }
        }
    }
}

/// Routes one request on the main listener.
async fn route(app: Arc<App>, req: Request<Incoming>) -> Response<Body> {
    let snap = app.gov.snapshot.load_full();
    let path = req.uri().path().to_string();
    let under = |prefix: &str| -> Option<String> {
        let rest = path.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with('/')).then(|| rest.to_string())
    };
    for r in &snap.mcp {
        if let Some(rest) = under(&r.path) {
            app.gov.metrics.request("mcp", &r.name);
            return match r.transport {
                McpTransport::StreamableHttp => mcp::streamable_http::handle(app.clone(), r.clone(), req, rest).await,
                McpTransport::Sse => mcp::legacy_sse::handle(app.clone(), r.clone(), req, rest).await,
            };
        }
    }
    for r in &snap.llm {
        if let Some(rest) = under(&r.path) {
            app.gov.metrics.request("llm", &r.name);
            return crate::llm::handle(app.clone(), r.clone(), req, rest).await;
        }
    }
    respond::error(StatusCode::NOT_FOUND, "not_found", &format!("no airlock route serves {path}"))
}

/// Which listener a connection arrived on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Main,
    Admin,
}

/// Binds the listeners (so callers learn the real ports before serving): one main socket per worker.
pub struct Bound {
    main: Vec<std::net::TcpListener>,
    admin: Option<TcpListener>,
}

impl Bound {
    pub async fn bind(app: &App) -> std::io::Result<Bound> {
        let snap = app.gov.snapshot.load_full();
        let main = worker::listeners(snap.listen, snap.workers)?;
        let admin = match &snap.admin {
            Some(a) => Some(TcpListener::bind(a.addr).await?),
            None => None,
        };
        Ok(Bound { main, admin })
    }

    pub fn main_addr(&self) -> std::io::Result<SocketAddr> {
        match self.main.first() {
            Some(l) => l.local_addr(),
            None => Err(std::io::Error::other("no listener bound")),
        }
    }

    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Serves until `shutdown` flips to true, then drains in-flight connections (bounded wait). Worker 0
    /// is the calling task (with the admin listener); the others get a thread and a runtime each, and this
    /// returns once every worker has drained.
    pub async fn serve(self, app: Arc<App>, shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        let snap = app.gov.snapshot.load_full();
        let tls = match &snap.tls {
            Some(files) => Some(tls::acceptor(files)?),
            None => None,
        };
        let limit = Arc::new(Semaphore::new(snap.limits.max_connections));
        let shared = Shared { app, tls, limit, shutdown };
        let mut main = self.main.into_iter();
        let first = main.next().ok_or_else(|| anyhow::anyhow!("no listener bound"))?;
        let mut others = Vec::new();
        for (i, listener) in main.enumerate() {
            let shared = shared.clone();
            let (done, finished) = tokio::sync::oneshot::channel();
            std::thread::Builder::new().name(format!("airlock-worker-{}", i + 1)).spawn(move || {
                worker::set_index(i + 1);
                let result = match worker::runtime() {
                    Ok(rt) => rt.block_on(run_worker(listener, None, shared)),
                    Err(e) => Err(anyhow::anyhow!("worker {}: starting its runtime: {e}", i + 1)),
                };
                let _ = done.send(result);
            })?;
            others.push(finished);
        }
        let mut result = run_worker(first, self.admin, shared).await;
        for finished in others {
            let outcome = finished.await.unwrap_or_else(|_| Err(anyhow::anyhow!("a worker thread panicked")));
            result = result.and(outcome);
        }
        result
    }
}

/// What every worker shares.
#[derive(Clone)]
struct Shared {
    app: Arc<App>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limit: Arc<Semaphore>,
    shutdown: watch::Receiver<bool>,
}

/// One worker: accepts on its socket (and the admin socket, for worker 0) until shutdown, then drains its
/// own connections for at most 30 s.
async fn run_worker(main: std::net::TcpListener, admin: Option<TcpListener>, s: Shared) -> anyhow::Result<()> {
    let main = TcpListener::from_std(main)?;
    let graceful = GracefulShutdown::new();
    let admin_loop = async {
        if let Some(admin) = admin {
            accept_loop(admin, Role::Admin, &s, &graceful).await;
        }
    };
    tokio::join!(accept_loop(main, Role::Main, &s, &graceful), admin_loop);
    let worker = worker::index();
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!(worker, "all connections drained"),
        _ = tokio::time::sleep(Duration::from_secs(30)) => tracing::warn!(worker, "drain timed out after 30s; closing remaining connections"),
    }
    Ok(())
}

/// Accepts until shutdown. Each connection is watched by `graceful` (through a watcher it owns, so the
/// drain can start while connections are still in flight). TLS applies to the main listener only.
async fn accept_loop(listener: TcpListener, role: Role, s: &Shared, graceful: &GracefulShutdown) {
    let tls = if role == Role::Main { s.tls.clone() } else { None };
    let mut shutdown = s.shutdown.clone();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = s.limit.clone().try_acquire_owned() else {
            s.app.gov.metrics.limit_hit("max_connections");
            tracing::warn!(%peer, "connection refused: limits.max_connections reached");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = s.app.clone();
        let tls = tls.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let header_timeout = app.gov.snapshot.load().limits.header_read_timeout;
            let svc = service_fn(move |req: Request<Incoming>| {
                let app = app.clone();
                async move {
                    Ok::<_, std::convert::Infallible>(match role {
                        Role::Main => route(app, req).await,
                        Role::Admin => admin::handle(app, req).await,
                    })
                }
            });
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
            builder.http2().timer(TokioTimer::new());
            let result = match tls {
                Some(acceptor) => match tokio::time::timeout(header_timeout, acceptor.accept(stream)).await {
                    Ok(Ok(s)) => {
                        let conn = builder.serve_connection_with_upgrades(TokioIo::new(s), svc);
                        watcher.watch(conn.into_owned()).await
                    }
                    _ => return,
                },
                None => {
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), svc);
                    watcher.watch(conn.into_owned()).await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
}
