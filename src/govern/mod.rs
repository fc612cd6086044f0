//! Governing a call: analyze → decide → carry the verdict out (throttle, constrain, hold, audit).
//!
//! This is the one decision path every surface calls. It returns what the surface must do — forward the
//! call (maybe with rewritten arguments) or refuse it with a message — and never touches wire bytes.
//! Every decision is audited *before* it is acted on; if the audit cannot be written the call is refused
//! (fail closed) unless the route is `fail_mode = "open"`, which forwards loudly.
pub mod approval;
pub mod constrain;
pub mod record;
pub mod throttle;

use crate::audit::AuditLog;
use crate::call::ToolCall;
use crate::config::{FailMode, Snapshot};
use crate::metrics::{DecisionLabels, Metrics};
use crate::policy::Verdict;
use approval::{Approvals, PendingView, Resolution};
use arc_swap::ArcSwap;
use record::{DecisionRecord, Recent};
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

tokio::task_local! {
    /// Set by [`watch_hold`]: told the moment a call being decided in this task is held for a person.
    static ON_HOLD: Arc<tokio::sync::Notify>;
}

/// Runs `decide` (which may hold a call for a person) so that `held` is notified the moment it does. A
/// surface uses this to switch to keep-alives exactly when a call is held, never on a guess from a timer:
/// a slow but ordinary decision keeps its ordinary reply.
pub fn watch_hold<F: std::future::Future>(
    held: Arc<tokio::sync::Notify>,
    decide: F,
) -> impl std::future::Future<Output = F::Output> {
    ON_HOLD.scope(held, decide)
}

/// Tells the surface watching this task (if any) that a call is now held for a person.
pub(crate) fn announce_hold() {
    let _ = ON_HOLD.try_with(|held| held.notify_one());
}

/// What the surface must do with the call.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Forward the original bytes.
    Forward,
    /// Forward with these arguments in place of the original ones.
    Rewrite(Value),
    /// Do not forward; tell the caller this.
    Refuse(String),
}

/// The result of governing one call.
pub struct Governed {
    pub record: Arc<DecisionRecord>,
    pub action: Action,
}

/// Shared state behind every surface.
pub struct Governor {
    pub snapshot: ArcSwap<Snapshot>,
    pub audit: Option<AuditLog>,
    pub throttle: throttle::Throttle,
    pub approvals: Approvals,
    pub recent: Recent,
    pub metrics: Metrics,
}

impl Governor {
    pub fn new(snapshot: Snapshot, audit: Option<AuditLog>) -> Self {
        let metrics = Metrics::default();
        Governor {
            snapshot: ArcSwap::from_pointee(snapshot),
            audit,
            throttle: throttle::Throttle::default(),
            approvals: Approvals::counted_by(metrics.approvals_pending.clone()),
            recent: Recent::default(),
            metrics,
        }
    }

    /// Decides one call and carries the verdict out. For `require_human` this waits for a person.
    pub async fn govern(&self, call: ToolCall, fail_mode: FailMode) -> Governed {
        let start = Instant::now();
        let snap = self.snapshot.load_full();
        let facts = snap.analyzer.analyze(&call);
        let ruling = snap.policy.decide(&call, &facts, &mut |rule, call| self.throttle.take(rule, call));
        let latency = start.elapsed();
        self.metrics.decision_seconds.observe(latency.as_secs_f64());
        let verdict = ruling.decision.verdict;
        let rewritten = (verdict == Verdict::Constrain)
            .then(|| constrain::apply(&call.args, facts.args.is_some(), &ruling.patches, &snap.redactor));
        let shown_args = record::shown_args(rewritten.as_ref().unwrap_or(&call.args), &snap.redactor);
        let record = Arc::new(DecisionRecord::new(
            ruling.decision,
            &call,
            &facts,
            &snap.policy,
            shown_args,
            latency.as_micros() as u64,
        ));
        self.metrics
            .decisions
            .get_or_create(&DecisionLabels { verdict: verdict.as_str().into(), rule: record.rule_label().into() })
            .inc();
        self.recent.insert(record.clone());
        if let Err(e) = self.write_audit("decision", &record) {
            tracing::error!(decision = %record.decision.id, error = %e, "audit write failed");
            if fail_mode == FailMode::Closed {
                let msg = refusal(&record, "the audit log could not be written, so the call is refused (fail closed)");
                return Governed { record, action: Action::Refuse(msg) };
            }
            tracing::warn!(decision = %record.decision.id, "fail_mode = open: forwarding without an audit record");
        }
        let action = match verdict {
            Verdict::Allow => Action::Forward,
            Verdict::Constrain => Action::Rewrite(rewritten.unwrap_or(Value::Null)),
            Verdict::Deny => Action::Refuse(refusal(&record, &record.decision.reason)),
            Verdict::Throttle => {
                let wait = record.decision.retry_after_secs.unwrap_or(1);
                let why = format!("{}; rate limit reached, retry in {wait}s", record.decision.reason);
                Action::Refuse(refusal(&record, &why).replacen("airlock denied", "airlock throttled", 1))
            }
            Verdict::RequireHuman => self.hold(&call, &facts.tool, &record, &snap).await,
        };
        Governed { record, action }
    }

    /// Refuses a call that cannot be judged (e.g. its arguments are not JSON): fail closed, audited like
    /// any decision, under the pseudo-rule `rule`.
    pub fn refuse(&self, call: ToolCall, rule: &str, reason: &str) -> Governed {
        let facts = crate::analyze::Facts { tool: call.tool.to_ascii_lowercase(), ..Default::default() };
        let snap = self.snapshot.load_full();
        let decision = crate::policy::Decision {
            id: crate::policy::DecisionId::generate(),
            verdict: Verdict::Deny,
            rule: Some(rule.to_string()),
            reason: reason.to_string(),
            tags: facts.tags,
            matched: Vec::new(),
            retry_after_secs: None,
        };
        let shown = record::shown_args(&call.args, &snap.redactor);
        let record = Arc::new(DecisionRecord::new(decision, &call, &facts, &snap.policy, shown, 0));
        self.metrics.decisions.get_or_create(&DecisionLabels { verdict: "deny".into(), rule: rule.into() }).inc();
        self.recent.insert(record.clone());
        if let Err(e) = self.write_audit("decision", &record) {
            tracing::error!(decision = %record.decision.id, error = %e, "audit write failed");
        }
        let msg = refusal(&record, reason);
        Governed { record, action: Action::Refuse(msg) }
    }

    async fn hold(&self, call: &ToolCall, tool: &str, record: &Arc<DecisionRecord>, snap: &Snapshot) -> Action {
        let (principal, session) = (call.principal.as_deref(), call.session.as_deref());
        if let Some(by) = self.approvals.granted(tool, principal, session) {
            record.note(format!("allowed by a standing grant from {by}"));
            let _ = self.write_audit_event(record, "approval_granted_earlier", &by);
            return Action::Forward;
        }
        let id = record.decision.id.0.clone();
        let view = PendingView {
            id: id.clone(),
            decision_id: id.clone(),
            surface: record.surface,
            route: record.route.clone(),
            principal: call.principal.clone(),
            session: call.session.clone(),
            tool: tool.to_string(),
            args: serde_json::from_str(record.args.get()).unwrap_or(Value::Null),
            rule: record.rule_label().to_string(),
            reason: record.decision.reason.clone(),
            requested_at: String::new(),
            expires_in_secs: 0,
            binding: approval::binding(tool, &call.args, principal, session),
        };
        let timeout = snap.approval_timeout;
        // Audited before it is announced: whoever hears of the approval may resolve it at once, and the
        // request must come first in the log.
        record.note("held for a human");
        let _ = self.write_audit_event(record, "approval_requested", "");
        let rx = self.approvals.hold(view, timeout);
        announce_hold();
        let guard = AbandonGuard { approvals: &self.approvals, id: &id, armed: true };
        let mut rx = rx;
        let resolution = match tokio::time::timeout(timeout, &mut rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Resolution::Expired { after: timeout },
            // A person who resolved it between the timer firing and `expire` won: their answer is already
            // sent (they were told it took effect), so it is the one carried out.
            Err(_) if !self.approvals.expire(&id, timeout) => {
                rx.await.unwrap_or(Resolution::Expired { after: timeout })
            }
            Err(_) => Resolution::Expired { after: timeout },
        };
        guard.disarm();
        match resolution {
            Resolution::Approved { by, reason } => {
                record.note(format!("approved by {by}"));
                let _ = self.write_audit_event(record, "approval_approved", &with_reason(&by, &reason));
                Action::Forward
            }
            Resolution::Denied { by, reason } => {
                record.note(format!("denied by {by}"));
                let _ = self.write_audit_event(record, "approval_denied", &with_reason(&by, &reason));
                let why = match reason {
                    Some(r) => format!("{}; denied by {by}: {r}", record.decision.reason),
                    None => format!("{}; denied by {by}", record.decision.reason),
                };
                Action::Refuse(refusal(record, &why))
            }
            Resolution::Expired { after } => {
                record.note("approval expired");
                let _ = self.write_audit_event(record, "approval_expired", "");
                let why = format!(
                    "{}; no one approved it within {}",
                    record.decision.reason,
                    humantime::format_duration(after)
                );
                Action::Refuse(refusal(record, &why))
            }
        }
    }

    fn write_audit(&self, kind: &str, record: &DecisionRecord) -> Result<(), crate::audit::AuditError> {
        match &self.audit {
            Some(log) => log.append(kind, &AuditDecision::from(record)).map(|_| ()),
            None => Ok(()),
        }
    }

    /// Audits what became of calls that were held for a person and then forwarded.
    pub fn held_outcome(&self, decisions: &[String], outcome: &str) {
        for id in decisions {
            if let Some(record) = self.recent.get(id) {
                if record.decision.verdict == Verdict::RequireHuman {
                    record.note(outcome.to_string());
                    let _ = self.write_audit_event(&record, "call_outcome", outcome);
                }
            }
        }
    }

    /// Appends a lifecycle event about a decision (approval steps, upstream outcome, truncation).
    pub fn write_audit_event(
        &self,
        record: &DecisionRecord,
        kind: &str,
        detail: &str,
    ) -> Result<(), crate::audit::AuditError> {
        match &self.audit {
            Some(log) => log
                .append(
                    kind,
                    &serde_json::json!({
                        "decision_id": record.decision.id,
                        "surface": record.surface,
                        "route": record.route,
                        "session": record.session,
                        "tool": record.tool,
                        "detail": detail,
                    }),
                )
                .map(|_| ()),
            None => Ok(()),
        }
    }
}

/// If the waiting future is dropped (the client went away), the approval is withdrawn.
struct AbandonGuard<'a> {
    approvals: &'a Approvals,
    id: &'a str,
    armed: bool,
}

impl AbandonGuard<'_> {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for AbandonGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.approvals.abandon(self.id);
        }
    }
}

fn with_reason(by: &str, reason: &Option<String>) -> String {
    match reason {
        Some(r) => format!("{by}: {r}"),
        None => by.to_string(),
    }
}

/// The text a refused caller sees: `airlock denied <tool>: <reason> [rule <id>, decision <id>]`.
pub fn refusal(record: &DecisionRecord, why: &str) -> String {
    format!(
        "airlock denied {}: {} [rule {}, decision {}]",
        record.effective_tool,
        why,
        record.rule_label(),
        record.decision.id
    )
}

/// The audit form of a decision.
#[derive(serde::Serialize)]
struct AuditDecision<'a> {
    decision_id: &'a str,
    surface: &'a str,
    route: &'a str,
    principal: &'a Option<String>,
    session: &'a Option<String>,
    tool: &'a str,
    effective_tool: &'a str,
    args: &'a serde_json::value::RawValue,
    verdict: &'a str,
    rule: &'a str,
    reason: &'a str,
    tags: &'a crate::analyze::TagSet,
    matched: &'a [String],
    latency_us: u64,
}

impl<'a> From<&'a DecisionRecord> for AuditDecision<'a> {
    fn from(r: &'a DecisionRecord) -> Self {
        AuditDecision {
            decision_id: &r.decision.id.0,
            surface: r.surface,
            route: &r.route,
            principal: &r.principal,
            session: &r.session,
            tool: &r.tool,
            effective_tool: &r.effective_tool,
            args: &r.args,
            verdict: r.decision.verdict.as_str(),
            rule: r.rule_label(),
            reason: &r.decision.reason,
            tags: &r.decision.tags,
            matched: &r.decision.matched,
            latency_us: r.latency_us,
        }
    }
}
