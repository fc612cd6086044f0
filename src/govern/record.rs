//! Decision records: the explanation behind `GET /v1/decisions/{id}`, kept for the most recent decisions.
use crate::analyze::{Facts, Tag};
use crate::call::ToolCall;
use crate::policy::{Decision, Policy, Verdict};
use crate::redact::{Direction, Redactor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use std::borrow::Borrow;
use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

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
    /// When the decision was made (RFC 3339, milliseconds, when shown).
    #[serde(serialize_with = "rfc3339_millis")]
    pub time: SystemTime,
    pub surface: &'static str,
    pub route: String,
    pub principal: Option<String>,
    pub session: Option<String>,
    pub tool: String,
    /// The tool judged (differs from `tool` for the `tool_call` meta-tool).
    pub effective_tool: String,
    /// Arguments with secrets removed, kept as compact JSON text: ten thousand records stay small, and
    /// the audit line copies it as is.
    pub args: Box<RawValue>,
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
        args: Box<RawValue>,
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
            time: SystemTime::now(),
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

/// Arguments as shown in records: secrets removed ([`Direction::Audit`]), compact JSON.
pub fn shown_args(args: &serde_json::Value, redactor: &Redactor) -> Box<RawValue> {
    let mut shown = args.clone();
    redactor.redact_json(&mut shown, Direction::Audit);
    // A `Value` always serializes; `null` only to stay total.
    serde_json::value::to_raw_value(&shown).unwrap_or_default()
}

fn rfc3339_millis<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&humantime::format_rfc3339_millis(*time))
}

/// A record in the by-id set, looked up by its id without a copy of the id.
struct ById(Arc<DecisionRecord>);

impl Borrow<str> for ById {
    fn borrow(&self) -> &str {
        &self.0.decision.id.0
    }
}

impl Hash for ById {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.0.decision.id.0.as_str().hash(h);
    }
}

impl PartialEq for ById {
    fn eq(&self, other: &Self) -> bool {
        self.0.decision.id.0 == other.0.decision.id.0
    }
}

impl Eq for ById {}

/// Records by id, and the same records oldest first (both hold the records; no id is copied).
type Index = (HashSet<ById>, VecDeque<Arc<DecisionRecord>>);

/// The most recent decisions, by id (bounded).
#[derive(Default)]
pub struct Recent {
    inner: Mutex<Index>,
}

impl Recent {
    pub fn insert(&self, record: Arc<DecisionRecord>) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.1.push_back(Arc::clone(&record));
        g.0.insert(ById(record));
        while g.1.len() > KEEP {
            if let Some(old) = g.1.pop_front() {
                g.0.remove(old.decision.id.0.as_str());
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<Arc<DecisionRecord>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).0.get(id).map(|r| Arc::clone(&r.0))
    }

    /// The newest `n` decisions, newest first.
    pub fn latest(&self, n: usize) -> Vec<Arc<DecisionRecord>> {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.1.iter().rev().take(n).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{Surface, ToolCall};
    use crate::policy::DecisionId;
    use serde_json::json;

    fn record(n: usize) -> Arc<DecisionRecord> {
        let call = ToolCall {
            surface: Surface::Mcp,
            route: "r".into(),
            principal: None,
            session: None,
            tool: "read_file".into(),
            args: json!({"path": format!("f{n}"), "token": "ghp_9Tq3xM2vLw8ZkR4pN7sY1bC6dF0hJ5gA2eXu"}),
            hints: Default::default(),
        };
        let decision = Decision {
            id: DecisionId(format!("dec_{n}")),
            verdict: Verdict::Allow,
            rule: None,
            reason: "ok".into(),
            tags: Default::default(),
            matched: Vec::new(),
            retry_after_secs: None,
        };
        let policy = Policy { profile: "none".into(), rules: Vec::new(), default: Verdict::Allow };
        let args = shown_args(&call.args, &Redactor::default());
        Arc::new(DecisionRecord::new(decision, &call, &Facts::default(), &policy, args, 3))
    }

    #[test]
    fn recent_finds_by_id_and_forgets_the_oldest() {
        let recent = Recent::default();
        for n in 0..KEEP + 5 {
            recent.insert(record(n));
        }
        assert!(recent.get("dec_4").is_none(), "the oldest five are gone");
        assert_eq!(recent.get("dec_5").map(|r| r.decision.id.0.clone()), Some("dec_5".to_string()));
        let newest: Vec<String> = recent.latest(2).iter().map(|r| r.decision.id.0.clone()).collect();
        assert_eq!(newest, [format!("dec_{}", KEEP + 4), format!("dec_{}", KEEP + 3)]);
        assert_eq!(recent.inner.lock().map(|g| (g.0.len(), g.1.len())).ok(), Some((KEEP, KEEP)));
    }

    #[test]
    fn records_show_redacted_args_and_an_rfc3339_time() {
        let shown = serde_json::to_value(&*record(7)).unwrap_or_default();
        assert_eq!(shown["args"]["path"], "f7");
        assert_eq!(shown["args"]["token"], "[REDACTED:GITHUB_TOKEN]");
        let time = shown["time"].as_str().unwrap_or_default();
        assert!(humantime::parse_rfc3339(time).is_ok() && time.ends_with('Z') && time.len() == 24, "{time}");
    }
}
