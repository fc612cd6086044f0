//! The command line (contract in ARCHITECTURE.md). `anyhow` lives here, at the edge, and nowhere else.
mod approvals;
mod serve;
mod simulate;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "airlock",
    version,
    about = "Governs what AI agents do: every tool call decided, redacted and audited on the wire."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `--config`, shared by most commands.
#[derive(Args, Clone)]
pub struct ConfigArg {
    /// Configuration file (TOML). Without it, the built-in default is used.
    #[arg(long, short = 'c', env = "AIRLOCK_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the proxy.
    Serve(ConfigArg),
    /// Validate a configuration and print a summary of routes and rules.
    Check {
        #[command(flatten)]
        config: ConfigArg,
        /// Also list the tag vocabulary rules can match on.
        #[arg(long)]
        tags: bool,
    },
    /// Decide a tool call (or a JSONL batch of them) without running anything.
    Simulate(simulate::SimulateArgs),
    /// Redact secrets and personal data from stdin.
    Redact {
        #[command(flatten)]
        config: ConfigArg,
        /// Read `{"text": …}` lines; write `{"text": …, "findings": […]}` lines.
        #[arg(long)]
        jsonl: bool,
    },
    /// Wrap a stdio MCP server: `airlock mcp-stdio -- CMD ARGS…`.
    McpStdio {
        #[command(flatten)]
        config: ConfigArg,
        /// The server command and its arguments.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// List and resolve calls held for a human (talks to the admin listener).
    Approvals(approvals::ApprovalsArgs),
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write an example configuration to start from.
    Init {
        /// Where to write it.
        #[arg(default_value = "airlock.toml")]
        path: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; names the first bad record.
    Verify { file: PathBuf },
}

/// Parses arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Serve(c) => crate::server::worker::runtime()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(serve::serve(c.config))),
        Command::Check { config, tags } => check(config.config, tags),
        Command::Simulate(args) => simulate::run(args),
        Command::Redact { config, jsonl } => redact(config.config, jsonl),
        Command::McpStdio { config, command } => {
            return match runtime().and_then(|rt| rt.block_on(serve::mcp_stdio(config.config, command))) {
                Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
                Err(e) => fail(e),
            };
        }
        Command::Approvals(args) => runtime().and_then(|rt| rt.block_on(approvals::run(args))),
        Command::Audit { command: AuditCommand::Verify { file } } => verify(file),
        Command::Init { path } => init(path),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn fail(e: anyhow::Error) -> ExitCode {
    eprintln!("airlock: {e:#}");
    ExitCode::FAILURE
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("AIRLOCK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// Loads the configuration or explains every problem.
pub fn load(path: Option<&std::path::Path>) -> anyhow::Result<crate::config::Snapshot> {
    crate::config::load(path).map_err(|e| anyhow::anyhow!("{e}"))
}

fn check(path: Option<PathBuf>, tags: bool) -> anyhow::Result<()> {
    let snap = load(path.as_deref())?;
    let source = snap.source.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "built-in default".into());
    println!("configuration OK ({source})");
    println!("listen  {}{}", snap.listen, if snap.tls.is_some() { " (TLS)" } else { "" });
    match &snap.admin {
        Some(a) => println!(
            "admin   {} ({})",
            a.addr,
            if a.token.is_some() { "token required" } else { "no token, loopback only" }
        ),
        None => println!("admin   off"),
    }
    for r in &snap.mcp {
        println!("mcp     {:<12} {:<20} -> {} ({:?})", r.name, r.path, r.upstream, r.transport);
    }
    for r in &snap.llm {
        let key = if r.key.is_some() { "key set" } else { "NO KEY" };
        println!("llm     {:<12} {:<20} -> {} ({}, {key})", r.name, r.path, r.upstream, r.api.as_str());
    }
    let p = &snap.policy;
    let count = |v: crate::policy::Verdict| p.rules.iter().filter(|r| r.verdict == v).count();
    println!(
        "policy  profile {}, {} rules (deny {}, require_human {}, throttle {}, constrain {}, allow {}), default {}",
        p.profile,
        p.rules.len(),
        count(crate::policy::Verdict::Deny),
        count(crate::policy::Verdict::RequireHuman),
        count(crate::policy::Verdict::Throttle),
        count(crate::policy::Verdict::Constrain),
        count(crate::policy::Verdict::Allow),
        p.default
    );
    match &snap.audit_path {
        Some(a) => println!("audit   {}", a.display()),
        None => println!("audit   off"),
    }
    for w in &snap.warnings {
        println!("warning {w}");
    }
    if tags {
        for t in crate::analyze::Tag::ALL {
            println!("tag     {:<22} {}", t.as_str(), t.describe());
        }
    }
    Ok(())
}

fn redact(path: Option<PathBuf>, jsonl: bool) -> anyhow::Result<()> {
    use std::io::{BufRead, Read, Write};
    let snap = load(path.as_deref())?;
    let r = &snap.redactor;
    let dir = crate::redact::Direction::Prompt;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if jsonl {
        #[derive(serde::Deserialize)]
        struct In {
            text: String,
        }
        for (n, line) in std::io::stdin().lock().lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let input: In = serde_json::from_str(&line).map_err(|e| anyhow::anyhow!("line {}: {e}", n + 1))?;
            let red = r.redact_text(&input.text, dir);
            let o = serde_json::json!({ "text": red.text, "findings": red.findings });
            writeln!(out, "{o}")?;
        }
    } else {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        let red = r.redact_text(&text, dir);
        out.write_all(red.text.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

fn verify(file: PathBuf) -> anyhow::Result<()> {
    match crate::audit::verify(&file) {
        Ok(report) => {
            println!("{}: {} records, chain intact, head {}", file.display(), report.records, report.head);
            Ok(())
        }
        Err(e) => anyhow::bail!("{}: chain broken at {e}", file.display()),
    }
}

fn init(path: PathBuf) -> anyhow::Result<()> {
    if path.exists() {
        anyhow::bail!("{} already exists; not overwriting it", path.display());
    }
    std::fs::write(&path, include_str!("../../config/airlock.toml"))?;
    println!("wrote {}; check it with `airlock check --config {}`", path.display(), path.display());
    Ok(())
}
