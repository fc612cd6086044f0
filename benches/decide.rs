//! Analyze + decide per call over the whole corpus (`tests/corpus/cases.jsonl`) under the moderate profile:
//! median, p99 and p99.9 from per-call timings (target p99 ≤ 50 µs). `cargo bench --bench decide`.
use airlock::analyze::Analyzer;
use airlock::call::{Surface, ToolCall};
use airlock::policy::Policy;
use std::time::Instant;

fn main() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/cases.jsonl")).unwrap_or_default();
    let calls: Vec<ToolCall> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|c| ToolCall::new(Surface::Llm, "bench", c["tool"].as_str().unwrap_or(""), c["args"].clone()))
        .collect();
    let Ok(policy) = Policy::load("moderate", &[] as &[&str], &[]) else { return };
    let analyzer = Analyzer::default();
    let mut sink = 0usize;
    for c in &calls {
        sink += policy.decide(c, &analyzer.analyze(c), &mut |_, _| Ok(())).decision.matched.len();
    }
    let rounds = 200;
    let mut times: Vec<u64> = Vec::with_capacity(calls.len() * rounds);
    for _ in 0..rounds {
        for c in &calls {
            let t = Instant::now();
            let facts = analyzer.analyze(c);
            let r = policy.decide(c, &facts, &mut |_, _| Ok(()));
            sink += r.decision.matched.len();
            times.push(t.elapsed().as_nanos() as u64);
        }
    }
    times.sort_unstable();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)] as f64 / 1000.0;
    println!(
        "decide (analyze + policy, moderate) over {} corpus calls x {rounds}: median {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, max {:.1} µs  [{sink}]",
        calls.len(),
        pct(0.5),
        pct(0.99),
        pct(0.999),
        pct(1.0),
    );
}
