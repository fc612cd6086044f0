//! Token buckets for throttle rules, one per (rule, route, session). Memory is bounded: idle full buckets
//! are dropped when the table grows past its cap.
use crate::call::ToolCall;
use crate::policy::Rule;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

const MAX_BUCKETS: usize = 100_000;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// All throttle buckets.
#[derive(Debug, Default)]
pub struct Throttle {
    buckets: Mutex<HashMap<(String, String, String), Bucket>>,
}

impl Throttle {
    /// Takes one token for this rule and call: `Ok(())`, or `Err(seconds until one is available)`.
    pub fn take(&self, rule: &Rule, call: &ToolCall) -> Result<(), u64> {
        let Some(rate) = rule.rate else { return Ok(()) };
        let capacity = f64::from(rate.capacity);
        let per_sec = capacity / rate.per.as_secs_f64();
        let now = Instant::now();
        let key = (rule.id.clone(), call.route.clone(), call.session.clone().unwrap_or_default());
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&key) {
            buckets.retain(|_, b| b.tokens + now.duration_since(b.last).as_secs_f64() * per_sec < capacity);
        }
        let b = buckets.entry(key).or_insert(Bucket { tokens: capacity, last: now });
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * per_sec).min(capacity);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / per_sec).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::Surface;
    use crate::policy::{Policy, Verdict};
    use serde_json::json;

    #[test]
    fn buckets_are_per_session_and_refuse_past_capacity() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, b"[[rule]]\nid='t'\ndecision='throttle'\nrate='2/hour'\n").unwrap();
        let p = Policy::load("none", &[f.path()], &[]).unwrap();
        let rule = &p.rules[0];
        assert_eq!(rule.verdict, Verdict::Throttle);
        let t = Throttle::default();
        let mut a = ToolCall::new(Surface::Mcp, "r", "x", json!({}));
        a.session = Some("s1".into());
        let mut b = a.clone();
        b.session = Some("s2".into());
        assert!(t.take(rule, &a).is_ok());
        assert!(t.take(rule, &a).is_ok());
        let wait = t.take(rule, &a).unwrap_err();
        assert!(wait > 60 && wait <= 1800, "{wait}");
        assert!(t.take(rule, &b).is_ok());
    }
}
