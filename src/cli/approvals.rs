//! `airlock approvals list|approve|deny`: a client of the admin API, reading its address and token from
//! the same configuration the server uses.
use anyhow::Context;
use bytes::Bytes;
use clap::{Args, Subcommand};
use http::{header, Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::path::PathBuf;

#[derive(Args)]
pub struct ApprovalsArgs {
    #[command(subcommand)]
    command: Action,
    #[arg(long, short = 'c', env = "AIRLOCK_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum Action {
    /// Calls waiting for a person.
    List,
    /// Let a held call go ahead.
    Approve {
        id: String,
        #[arg(long)]
        reason: Option<String>,
        /// Also allow this tool for this session for this long (e.g. 15m).
        #[arg(long)]
        widen: Option<String>,
    },
    /// Refuse a held call.
    Deny {
        id: String,
        #[arg(long)]
        reason: Option<String>,
    },
}

pub async fn run(a: ApprovalsArgs) -> anyhow::Result<()> {
    let snap = super::load(a.config.as_deref())?;
    let admin = snap.admin.context("the configuration has no [admin] listener")?;
    let addr = if admin.addr.ip().is_unspecified() {
        std::net::SocketAddr::from(([127, 0, 0, 1], admin.addr.port()))
    } else {
        admin.addr
    };
    let who = std::env::var("USER").unwrap_or_else(|_| "cli".into());
    let (method, path, body) = match &a.command {
        Action::List => (Method::GET, "/v1/approvals".to_string(), None),
        Action::Approve { id, reason, widen } => (
            Method::POST,
            format!("/v1/approvals/{id}/approve"),
            Some(serde_json::json!({ "reason": reason, "by": format!("{who} (cli)"), "widen": widen })),
        ),
        Action::Deny { id, reason } => (
            Method::POST,
            format!("/v1/approvals/{id}/deny"),
            Some(serde_json::json!({ "reason": reason, "by": format!("{who} (cli)") })),
        ),
    };
    let body = body.map(|b| strip_nulls(b).to_string()).unwrap_or_default();
    let mut req = Request::builder().method(method).uri(format!("http://{addr}{path}"));
    if let Some(t) = &admin.token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {}", t.expose()));
    }
    let req = req.header(header::CONTENT_TYPE, "application/json").body(Full::new(Bytes::from(body)))?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let resp = client.request(req).await.with_context(|| format!("cannot reach the admin listener at {addr}"))?;
    let status = resp.status();
    let bytes = resp.into_body().collect().await?.to_bytes();
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    if !status.is_success() {
        let msg = value["error"]["message"].as_str().unwrap_or("request failed");
        anyhow::bail!("{status}: {msg}");
    }
    if a.json {
        println!("{value}");
        return Ok(());
    }
    match a.command {
        Action::List => {
            let items = value.as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                println!("no calls are waiting");
            }
            for i in items {
                println!(
                    "{}  {}  route {}  rule {}  expires in {}s\n    {}\n    args {}",
                    i["id"].as_str().unwrap_or(""),
                    i["tool"].as_str().unwrap_or(""),
                    i["route"].as_str().unwrap_or(""),
                    i["rule"].as_str().unwrap_or(""),
                    i["expires_in_secs"],
                    i["reason"].as_str().unwrap_or(""),
                    i["args"]
                );
            }
        }
        _ => println!("{} {}", value["id"].as_str().unwrap_or(""), value["resolved"].as_str().unwrap_or("")),
    }
    Ok(())
}

fn strip_nulls(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => m.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        other => other,
    }
}
