//! Verdicts and decisions: what policy says about one call, and why.
use crate::analyze::TagSet;
use serde::Serialize;
use std::fmt;

/// What to do with a call. Ordered from least to most restrictive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allow,
    Constrain,
    Throttle,
    RequireHuman,
    Deny,
}

impl Verdict {
    /// Parses a verdict as written in rule files.
    pub fn parse(s: &str) -> Option<Verdict> {
        Some(match s {
            "allow" => Verdict::Allow,
            "deny" => Verdict::Deny,
            "throttle" => Verdict::Throttle,
            "require_human" => Verdict::RequireHuman,
            "constrain" => Verdict::Constrain,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Constrain => "constrain",
            Verdict::Throttle => "throttle",
            Verdict::RequireHuman => "require_human",
            Verdict::Deny => "deny",
        }
    }

    /// Whether the call goes ahead (possibly rewritten).
    pub fn forwards(self) -> bool {
        matches!(self, Verdict::Allow | Verdict::Constrain)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decision id: sortable by time, unique, safe in URLs and log lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(transparent)]
pub struct DecisionId(pub String);

impl DecisionId {
    /// A fresh id: `dec_` + milliseconds since the epoch (hex) + 48 random bits.
    pub fn generate() -> Self {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        let r: u64 = rand::random::<u64>() & 0xffff_ffff_ffff;
        DecisionId(format!("dec_{ms:011x}{r:012x}"))
    }
}

impl fmt::Display for DecisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What policy decided, with everything needed to explain it.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub id: DecisionId,
    #[serde(rename = "decision")]
    pub verdict: Verdict,
    /// The rule that set the verdict (`None` when the default applied).
    pub rule: Option<String>,
    pub reason: String,
    pub tags: TagSet,
    /// Every rule that matched, in evaluation order.
    pub matched: Vec<String>,
    /// For a throttled call: seconds until a call would be accepted again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}
