//! `airlock simulate`: the same analyze + decide path the proxy uses, on calls given at the command line.
//! Throttle rules use real in-memory buckets, so a batch shows when a rate would be exceeded.
use crate::call::{Surface, ToolCall};
use crate::govern::throttle::Throttle;
use crate::policy::Policy;
use clap::Args;
use serde::Serialize;
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(Args)]
pub struct SimulateArgs {
    /// The tool name.
    #[arg(long, required_unless_present = "batch")]
    tool: Option<String>,
    /// The arguments as JSON.
    #[arg(long, default_value = "{}")]
    args: String,
    /// JSONL file of `{"tool", "args"}` lines (`-` for stdin); one decision line out per line in.
    #[arg(long, conflicts_with = "tool")]
    batch: Option<PathBuf>,
    /// Decide with a built-in profile (strict, moderate, permissive) instead of a configuration.
    #[arg(long, conflicts_with = "config")]
    profile: Option<String>,
    #[arg(long, short = 'c', env = "AIRLOCK_CONFIG")]
    config: Option<PathBuf>,
    /// Which surface the call is from.
    #[arg(long, default_value = "llm", value_parser = ["llm", "mcp"])]
    surface: String,
}

#[derive(Serialize)]
struct Output<'a> {
    tool: &'a str,
    decision: &'a str,
    rule: Option<&'a str>,
    reason: &'a str,
    tags: crate::analyze::TagSet,
    matched: &'a [String],
    evidence: Vec<String>,
}

#[derive(serde::Deserialize)]
struct BatchLine {
    tool: String,
    #[serde(default)]
    args: serde_json::Value,
}

pub fn run(a: SimulateArgs) -> anyhow::Result<()> {
    let (policy, analyzer) = match &a.profile {
        Some(p) => (
            Policy::load(p, &[] as &[&str], &[]).map_err(|e| anyhow::anyhow!("{}", crate::config::LoadError(e)))?,
            crate::analyze::Analyzer::new(&Default::default()),
        ),
        None => {
            let snap = super::load(a.config.as_deref())?;
            (snap.policy, snap.analyzer)
        }
    };
    let surface = if a.surface == "mcp" { Surface::Mcp } else { Surface::Llm };
    let throttle = Throttle::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let decide = |tool: &str, args: serde_json::Value, out: &mut dyn Write| -> anyhow::Result<()> {
        let call = ToolCall::new(surface, "simulate", tool, args);
        let facts = analyzer.analyze(&call);
        let ruling = policy.decide(&call, &facts, &mut |r, c| throttle.take(r, c));
        let d = &ruling.decision;
        let o = Output {
            tool: &facts.tool,
            decision: d.verdict.as_str(),
            rule: d.rule.as_deref(),
            reason: &d.reason,
            tags: d.tags,
            matched: &d.matched,
            evidence: facts.evidence.iter().map(|(t, w)| format!("{t}: {w}")).collect(),
        };
        writeln!(out, "{}", serde_json::to_string(&o)?)?;
        Ok(())
    };
    match &a.batch {
        Some(path) => {
            let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
                Box::new(std::io::BufReader::new(std::io::stdin()))
            } else {
                Box::new(std::io::BufReader::new(std::fs::File::open(path)?))
            };
            for (n, line) in reader.lines().enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let l: BatchLine = serde_json::from_str(&line).map_err(|e| anyhow::anyhow!("line {}: {e}", n + 1))?;
                decide(&l.tool, l.args, &mut out)?;
            }
        }
        None => {
            let args: serde_json::Value =
                serde_json::from_str(&a.args).map_err(|e| anyhow::anyhow!("--args is not JSON: {e}"))?;
            decide(a.tool.as_deref().unwrap_or_default(), args, &mut out)?;
        }
    }
    out.flush()?;
    Ok(())
}
