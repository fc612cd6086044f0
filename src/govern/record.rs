//! Decision records: the explanation behind `GET /v1/decisions/{id}`, kept for the most recent decisions.
use crate::analyze::{Facts, Tag};
use crate::call::ToolCall;
use crate::policy::{Decision, Policy, Verdict};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

const KEEP: usize = 10_000;

/// One matching rule, as shown in an explanation.
#[derive(Debug, Clone, Serialize)]
pub struct MatchedRule {
    pub id: String,
    pub decision: Verdict,
    pub reason: String,
    pub origin: String,
}

/// A decision with everything needed to explain it later.
#[derive(Debug, Serialize)]
pub struct DecisionRecord {
    #[serde(flatten)]
    pub decision: Decision,
    pub time: String,
    pub surface: &'static str,
    pub route: String,
    pub principal: Option<String>,
    pub session: Option<String>,
    pub tool: String,
    /// The tool judged (differs from `tool` for the `tool_call` meta-tool).
    pub effective_tool: String,
    /// Arguments with secrets removed.
    pub args: Value,
    pub matched_rules: Vec<MatchedRule>,
    pub evidence: Vec<Evidence>,
    pub latency_us: u64,
    /// What happened after the decision: approval lifecycle, upstream outcome.
    pub events: Mutex<Vec<String>>,
}

/// Why a tag was set.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub tag: Tag,
    pub detail: String,
}

impl DecisionRecord {
    pub fn new(
        decision: Decision,
        call: &ToolCall,
        facts: &Facts,
        policy: &Policy,
        args: Value,
        latency_us: u64,
    ) -> Self {
        let matched_rules = decision
            .matched
            .iter()
            .filter_map(|id| policy.rules.iter().find(|r| &r.id == id))
            .map(|r| MatchedRule {
                id: r.id.clone(),
                decision: r.verdict,
                reason: r.reason.clone(),
                origin: r.origin.clone(),
            })
            .collect();
        DecisionRecord {
            decision,
            time: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            surface: call.surface.as_str(),
            route: call.route.clone(),
            principal: call.principal.clone(),
            session: call.session.clone(),
            tool: call.tool.clone(),
            effective_tool: facts.tool.clone(),
            args,
            matched_rules,
            evidence: facts
                .evidence
                .iter()
                .map(|(tag, detail)| Evidence { tag: *tag, detail: detail.clone() })
                .collect(),
            latency_us,
            events: Mutex::new(Vec::new()),
        }
    }

    /// Notes something that happened after the decision.
    pub fn note(&self, event: impl Into<String>) {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).push(event.into());
    }

    /// The rule id shown to users: the winning rule, or `default`.
    pub fn rule_label(&self) -> &str {
        self.decision.rule.as_deref().unwrap_or("default")
    }
}

/// Records by id, and the same records oldest first (the queue holds the records, not copies of their ids).
type Index = (HashMap<String, Arc<DecisionRecord>>, VecDeque<Arc<DecisionRecord>>);

/// The most recent decisions, by id (bounded).
#[derive(Default)]
pub struct Recent {
    inner: Mutex<Index>,
}

impl Recent {
    pub fn insert(&self, record: Arc<DecisionRecord>) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.1.push_back(Arc::clone(&record));
        g.0.insert(record.decision.id.0.clone(), record);
        while g.1.len() > KEEP {
            if let Some(old) = g.1.pop_front() {
                g.0.remove(&old.decision.id.0);
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<Arc<DecisionRecord>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).0.get(id).cloned()
    }

    /// The newest `n` decisions, newest first.
    pub fn latest(&self, n: usize) -> Vec<Arc<DecisionRecord>> {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.1.iter().rev().take(n).cloned().collect()
    }
}
