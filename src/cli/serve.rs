//! `airlock serve` and `airlock mcp-stdio`: load, open the audit log, build the governor, run.
use crate::audit::AuditLog;
use crate::config::Snapshot;
use crate::govern::Governor;
use crate::server::{App, Bound};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn governor(snap: Snapshot) -> anyhow::Result<Arc<Governor>> {
    let audit = match &snap.audit_path {
        Some(p) => Some(AuditLog::open(p, snap.audit_fsync).with_context(|| "opening the audit log")?),
        None => None,
    };
    Ok(Arc::new(Governor::new(snap, audit)))
}

pub async fn serve(config: Option<PathBuf>) -> anyhow::Result<()> {
    let snap = super::load(config.as_deref())?;
    for w in &snap.warnings {
        tracing::warn!("{w}");
    }
    let built_in = snap.source.is_none();
    let gov = governor(snap)?;
    let app = App::new(gov.clone());
    // Subscribed before any listener exists: a call held the moment the first connection arrives must still
    // be announced (a broadcast with no subscriber yet is lost).
    let approval_events = app.gov.approvals.subscribe();
    let bound = Bound::bind(&app).await.context("binding the listeners")?;
    let snap = gov.snapshot.load_full();
    let main = bound.main_addr()?;
    if built_in {
        tracing::info!("no --config given: serving the built-in default (loopback listeners, moderate profile)");
    }
    for r in &snap.mcp {
        tracing::info!(route = %r.name, "mcp  http://{main}{} -> {}", r.path, r.upstream);
    }
    for r in &snap.llm {
        tracing::info!(route = %r.name, "llm  http://{main}{} -> {} ({})", r.path, r.upstream, r.api.as_str());
    }
    if let Some(admin) = bound.admin_addr() {
        tracing::info!("admin http://{admin} (approvals page at /, metrics at /metrics)");
    }
    tracing::info!(profile = %snap.policy.profile, rules = snap.policy.rules.len(), "airlock listening on {main}");
    tokio::spawn(crate::server::webhook::run(app.clone(), approval_events));
    let (tx, rx) = tokio::sync::watch::channel(false);
    // Installed here, not inside the spawned task: a SIGTERM that arrives before the task first runs must
    // still drain instead of killing the process.
    use tokio::signal::unix::{signal, SignalKind};
    let handlers = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()), signal(SignalKind::hangup()));
    let (Ok(int), Ok(term), Ok(hup)) = handlers else {
        anyhow::bail!("could not install the signal handlers");
    };
    tokio::spawn(signals(tx, gov.clone(), config, [int, term, hup]));
    bound.serve(app, rx).await
}

/// SIGINT/SIGTERM: drain and stop. SIGHUP: reload the configuration (a bad one keeps the last good).
async fn signals(
    tx: tokio::sync::watch::Sender<bool>,
    gov: Arc<Governor>,
    config: Option<PathBuf>,
    [mut int, mut term, mut hup]: [tokio::signal::unix::Signal; 3],
) {
    loop {
        tokio::select! {
            _ = int.recv() => break,
            _ = term.recv() => break,
            _ = hup.recv() => reload(&gov, config.as_deref()),
        }
    }
    tracing::info!("shutting down: no new connections, draining in-flight calls");
    let _ = tx.send(true);
}

fn reload(gov: &Governor, config: Option<&Path>) {
    match crate::config::load(config) {
        Ok(new) => {
            let old = gov.snapshot.load();
            if new.listen != old.listen
                || new.workers != old.workers
                || new.admin.as_ref().map(|a| a.addr) != old.admin.as_ref().map(|a| a.addr)
            {
                tracing::warn!(
                    "listen addresses or workers changed: that takes a restart; routes and policy are reloaded now"
                );
            }
            gov.snapshot.store(Arc::new(new));
            tracing::info!("configuration reloaded");
        }
        Err(e) => tracing::error!("reload refused, keeping the last good configuration:\n{e}"),
    }
}

pub async fn mcp_stdio(config: Option<PathBuf>, command: Vec<String>) -> anyhow::Result<i32> {
    let snap = super::load(config.as_deref())?;
    let gov = governor(snap)?;
    crate::mcp::stdio::run(gov, command).await
}
