//! Holding calls for a human: pending approvals, their resolution, and time-bounded grants.
//!
//! An approval is bound to the exact call (tool + SHA-256 of the arguments + principal + session) and is
//! single-use: resolving it removes it. An approver may widen an approval into a grant ("this tool for this
//! session") that lasts a bounded time. Nothing here turns silence into a verdict: a held call ends only by
//! approve, deny, or the configured timeout (which denies, and says so).
use prometheus_client::metrics::gauge::Gauge;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{broadcast, oneshot};

/// How a held call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Approved { by: String, reason: Option<String> },
    Denied { by: String, reason: Option<String> },
    Expired { after: Duration },
}

/// A call waiting for a person, as the operator surfaces show it.
#[derive(Debug, Clone, Serialize)]
pub struct PendingView {
    pub id: String,
    pub decision_id: String,
    pub surface: &'static str,
    pub route: String,
    pub principal: Option<String>,
    pub session: Option<String>,
    pub tool: String,
    /// Arguments with secrets redacted.
    pub args: Value,
    pub rule: String,
    pub reason: String,
    pub requested_at: String,
    pub expires_in_secs: u64,
    /// SHA-256 over tool, arguments, principal and session: what the approval is bound to.
    pub binding: String,
}

struct Pending {
    view: PendingView,
    deadline: Instant,
    tx: oneshot::Sender<Resolution>,
}

struct Grant {
    tool: String,
    principal: Option<String>,
    session: Option<String>,
    until: Instant,
    by: String,
}

/// A change operators may want to see live.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApprovalEvent {
    Pending(Box<PendingView>),
    Resolved { id: String, outcome: String },
}

/// Why resolving an approval failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResolveError {
    #[error("no pending approval {0} (already resolved, expired, or never existed)")]
    NotFound(String),
}

/// All pending approvals and grants.
///
/// Every change to the pending table is announced and counted while the table is still locked, so
/// subscribers see `Pending` before `Resolved` for each id, and the gauge always equals the table's size.
pub struct Approvals {
    pending: Mutex<HashMap<String, Pending>>,
    grants: Mutex<Vec<Grant>>,
    events: broadcast::Sender<ApprovalEvent>,
    gauge: Gauge,
}

impl Default for Approvals {
    fn default() -> Self {
        Approvals::counted_by(Gauge::default())
    }
}

/// The binding of a call: hash of tool, canonical arguments, principal and session.
pub fn binding(tool: &str, args: &Value, principal: Option<&str>, session: Option<&str>) -> String {
    let mut h = Sha256::new();
    for part in [tool, &args.to_string(), principal.unwrap_or(""), session.unwrap_or("")] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

impl Approvals {
    /// An empty table whose size is kept in `gauge` (the `approvals_pending` metric).
    pub fn counted_by(gauge: Gauge) -> Self {
        Approvals { pending: Mutex::default(), grants: Mutex::default(), events: broadcast::channel(256).0, gauge }
    }

    /// Registers a held call; the receiver resolves when a person (or the timeout) decides.
    pub fn hold(&self, mut view: PendingView, timeout: Duration) -> oneshot::Receiver<Resolution> {
        let (tx, rx) = oneshot::channel();
        view.expires_in_secs = timeout.as_secs();
        view.requested_at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let id = view.id.clone();
        let event = ApprovalEvent::Pending(Box::new(view.clone()));
        // Registered before it is announced: a webhook receiver or page that resolves it the moment it hears
        // of it must find it. (Sending never blocks, so it is done under the lock.)
        let mut pending = self.lock_pending();
        pending.insert(id, Pending { view, deadline: Instant::now() + timeout, tx });
        self.gauge.set(pending.len() as i64);
        let _ = self.events.send(event);
        rx
    }

    /// Resolves a pending approval. `widen` turns an approval into a grant for this tool and session.
    pub fn resolve(
        &self,
        id: &str,
        resolution: Resolution,
        widen: Option<Duration>,
    ) -> Result<PendingView, ResolveError> {
        let mut table = self.lock_pending();
        let pending = table.remove(id).ok_or_else(|| ResolveError::NotFound(id.to_string()))?;
        self.gauge.set(table.len() as i64);
        if let (Resolution::Approved { by, .. }, Some(d)) = (&resolution, widen) {
            self.grants.lock().unwrap_or_else(|p| p.into_inner()).push(Grant {
                tool: pending.view.tool.clone(),
                principal: pending.view.principal.clone(),
                session: pending.view.session.clone(),
                until: Instant::now() + d,
                by: by.clone(),
            });
        }
        let outcome = match &resolution {
            Resolution::Approved { by, .. } => format!("approved by {by}"),
            Resolution::Denied { by, .. } => format!("denied by {by}"),
            Resolution::Expired { .. } => "expired".to_string(),
        };
        let _ = self.events.send(ApprovalEvent::Resolved { id: id.to_string(), outcome });
        drop(table);
        let view = pending.view.clone();
        let _ = pending.tx.send(resolution);
        Ok(view)
    }

    /// Expires a call whose holder gave up waiting (the holder's own timeout fired). False if a person
    /// resolved it first: then that resolution is on its way to the holder and stands.
    pub fn expire(&self, id: &str, after: Duration) -> bool {
        self.resolve(id, Resolution::Expired { after }, None).is_ok()
    }

    /// Drops a pending approval whose client went away (nothing left to resume).
    pub fn abandon(&self, id: &str) {
        let mut table = self.lock_pending();
        if table.remove(id).is_some() {
            self.gauge.set(table.len() as i64);
            let _ = self.events.send(ApprovalEvent::Resolved { id: id.to_string(), outcome: "abandoned".into() });
        }
    }

    /// A live grant covering this call, if any: returns who granted it.
    pub fn granted(&self, tool: &str, principal: Option<&str>, session: Option<&str>) -> Option<String> {
        let now = Instant::now();
        let mut grants = self.grants.lock().unwrap_or_else(|p| p.into_inner());
        grants.retain(|g| g.until > now);
        grants
            .iter()
            .find(|g| g.tool == tool && g.principal.as_deref() == principal && g.session.as_deref() == session)
            .map(|g| g.by.clone())
    }

    /// Pending approvals, oldest first, with their remaining time.
    pub fn list(&self) -> Vec<PendingView> {
        let now = Instant::now();
        let mut out: Vec<PendingView> = self
            .lock_pending()
            .values()
            .map(|p| PendingView {
                expires_in_secs: p.deadline.saturating_duration_since(now).as_secs(),
                ..p.view.clone()
            })
            .collect();
        out.sort_by(|a, b| a.requested_at.cmp(&b.requested_at).then(a.id.cmp(&b.id)));
        out
    }

    pub fn count(&self) -> usize {
        self.lock_pending().len()
    }

    /// Live events for the operator page.
    pub fn subscribe(&self) -> broadcast::Receiver<ApprovalEvent> {
        self.events.subscribe()
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view(id: &str) -> PendingView {
        PendingView {
            id: id.into(),
            decision_id: id.into(),
            surface: "mcp",
            route: "r".into(),
            principal: None,
            session: Some("s".into()),
            tool: "deploy".into(),
            args: json!({}),
            rule: "hold".into(),
            reason: "deploys need a person".into(),
            requested_at: String::new(),
            expires_in_secs: 0,
            binding: binding("deploy", &json!({}), None, Some("s")),
        }
    }

    #[tokio::test]
    async fn approval_is_single_use_and_resumes_the_holder() {
        let a = Approvals::default();
        let rx = a.hold(view("a1"), Duration::from_secs(60));
        assert_eq!(a.list().len(), 1);
        let r = Resolution::Approved { by: "alice".into(), reason: None };
        a.resolve("a1", r.clone(), None).unwrap();
        assert_eq!(rx.await.unwrap(), r);
        assert_eq!(a.resolve("a1", r, None).map(|v| v.id), Err(ResolveError::NotFound("a1".into())));
        assert!(a.list().is_empty());
    }

    #[tokio::test]
    async fn widening_grants_the_tool_for_the_session_only() {
        let a = Approvals::default();
        let _rx = a.hold(view("a2"), Duration::from_secs(60));
        a.resolve("a2", Resolution::Approved { by: "bob".into(), reason: None }, Some(Duration::from_secs(60)))
            .unwrap();
        assert_eq!(a.granted("deploy", None, Some("s")).as_deref(), Some("bob"));
        assert_eq!(a.granted("deploy", None, Some("other")), None);
        assert_eq!(a.granted("rm", None, Some("s")), None);
    }

    #[test]
    fn an_approval_is_registered_before_it_is_announced() {
        // A webhook receiver may resolve an approval the instant it hears of it, so no Pending event may be
        // observable before the approval is in the table. Hold the table's lock while another thread holds a
        // call: the announcement must wait for the lock.
        let a = std::sync::Arc::new(Approvals::default());
        let mut events = a.subscribe();
        let table = a.lock_pending();
        let (started_tx, started) = std::sync::mpsc::channel();
        let holder = {
            let a = a.clone();
            std::thread::spawn(move || {
                let _ = started_tx.send(());
                a.hold(view("r1"), Duration::from_secs(60))
            })
        };
        // The holder is running (and then blocks on the table) before the window starts.
        started.recv().unwrap();
        let deadline = Instant::now() + Duration::from_millis(200);
        while Instant::now() < deadline {
            assert!(events.try_recv().is_err(), "announced before it was registered");
            std::thread::yield_now();
        }
        drop(table);
        let rx = holder.join().unwrap();
        let Ok(ApprovalEvent::Pending(v)) = events.try_recv() else { panic!("no announcement") };
        a.resolve(&v.id, Resolution::Denied { by: "hook".into(), reason: None }, None).unwrap();
        assert!(matches!(rx.blocking_recv().unwrap(), Resolution::Denied { .. }));
    }

    #[test]
    fn the_gauge_follows_the_table_through_every_exit() {
        let gauge = Gauge::default();
        let a = Approvals::counted_by(gauge.clone());
        let _r1 = a.hold(view("g1"), Duration::from_secs(60));
        let _r2 = a.hold(view("g2"), Duration::from_secs(60));
        let _r3 = a.hold(view("g3"), Duration::from_secs(60));
        assert_eq!(gauge.get(), 3);
        a.resolve("g1", Resolution::Approved { by: "a".into(), reason: None }, None).unwrap();
        assert_eq!(gauge.get(), 2);
        assert!(a.expire("g2", Duration::from_secs(1)));
        assert!(!a.expire("g2", Duration::from_secs(1)), "expiring twice must report the first outcome stands");
        assert_eq!(gauge.get(), 1);
        a.abandon("g3");
        assert_eq!(gauge.get(), 0);
        assert_eq!(a.count(), 0);
    }

    #[test]
    fn binding_depends_on_every_part() {
        let b = binding("t", &json!({"a": 1}), Some("p"), Some("s"));
        assert_ne!(b, binding("t", &json!({"a": 2}), Some("p"), Some("s")));
        assert_ne!(b, binding("t", &json!({"a": 1}), None, Some("s")));
        assert_ne!(b, binding("t", &json!({"a": 1}), Some("p"), Some("s2")));
    }
}
