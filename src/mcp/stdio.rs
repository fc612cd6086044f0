//! MCP over stdio: `airlock mcp-stdio -- CMD ARGS…` runs the server as a child and sits on its pipes.
//!
//! Client lines (our stdin) are decided exactly like HTTP bodies; refused calls are answered on our
//! stdout without reaching the child. Server lines (the child's stdout) are filtered and relayed. The
//! child's stderr is passed through untouched; SIGINT/SIGTERM/SIGHUP are forwarded; airlock exits with
//! the child's exit code. airlock's own logs go to stderr, never stdout (stdout is the protocol).
use super::exchange::PendingIds;
use super::{plan, Hints, Plan, ResponseFilter};
use crate::config::{FailMode, McpRoute, McpTransport};
use crate::govern::Governor;
use crate::jsonrpc;
use anyhow::Context;
use bytes::BytesMut;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// Server output lines may be large (tool results); this bounds memory, not correctness of small ones.
const MAX_SERVER_LINE: usize = 64 << 20;

/// A newline-delimited reader with a bound on line length.
pub struct Lines<R> {
    reader: R,
    buf: BytesMut,
    max: usize,
    eof: bool,
}

/// One line, or a line that exceeded the bound (its bytes were discarded).
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    Text(Vec<u8>),
    TooLong,
}

impl<R: AsyncRead + Unpin> Lines<R> {
    pub fn new(reader: R, max: usize) -> Self {
        Lines { reader, buf: BytesMut::with_capacity(8192), max, eof: false }
    }

    /// The next line without its terminator; `None` at end of input.
    pub async fn next(&mut self) -> std::io::Result<Option<Line>> {
        let mut skipping = false;
        loop {
            if let Some(pos) = self.buf.iter().position(|b| *b == b'\n') {
                let mut line = self.buf.split_to(pos + 1);
                if skipping || pos > self.max {
                    return Ok(Some(Line::TooLong));
                }
                line.truncate(pos);
                if line.last() == Some(&b'\r') {
                    line.truncate(pos - 1);
                }
                return Ok(Some(Line::Text(line.to_vec())));
            }
            if self.buf.len() > self.max {
                skipping = true;
                self.buf.clear();
            }
            if self.eof {
                if self.buf.is_empty() {
                    return Ok(if skipping { Some(Line::TooLong) } else { None });
                }
                let rest = self.buf.split().to_vec();
                return Ok(Some(if skipping { Line::TooLong } else { Line::Text(rest) }));
            }
            let n = self.reader.read_buf(&mut self.buf).await?;
            if n == 0 {
                self.eof = true;
            }
        }
    }
}

async fn write_lines<W: AsyncWrite + Unpin>(mut w: W, mut rx: mpsc::Receiver<Vec<u8>>) {
    while let Some(mut line) = rx.recv().await {
        line.push(b'\n');
        if w.write_all(&line).await.is_err() || w.flush().await.is_err() {
            return;
        }
    }
    let _ = w.shutdown().await;
}

/// Runs the wrapped server; returns the exit code airlock should exit with.
pub async fn run(gov: Arc<Governor>, command: Vec<String>) -> anyhow::Result<i32> {
    let (program, args) = command.split_first().context("mcp-stdio needs a command after --")?;
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("could not start the MCP server {program:?}"))?;
    let pid = child.id();
    let child_in = child.stdin.take().context("child stdin")?;
    let child_out = child.stdout.take().context("child stdout")?;
    let (to_server, server_rx) = mpsc::channel::<Vec<u8>>(64);
    let (to_client, client_rx) = mpsc::channel::<Vec<u8>>(64);
    let server_writer = tokio::spawn(write_lines(child_in, server_rx));
    let client_writer = tokio::spawn(write_lines(tokio::io::stdout(), client_rx));
    let pending = PendingIds::default();
    let hints = Arc::new(Hints::default());
    let route = McpRoute {
        name: "stdio".into(),
        path: String::new(),
        upstream: http::Uri::from_static("http://stdio.invalid"),
        transport: McpTransport::StreamableHttp,
        headers: Vec::new(),
        forward_authorization: false,
        fail_mode: FailMode::Closed,
    };
    let session = format!("stdio-{}", std::process::id());
    let capable = Arc::new(super::elicit::Capable::default());
    let reader = tokio::spawn(server_to_client(
        gov.clone(),
        child_out,
        to_client.clone(),
        pending.clone(),
        hints.clone(),
        session.clone(),
    ));
    if let Some(pid) = pid {
        tokio::spawn(forward_signals(pid));
    }
    let max = gov.snapshot.load().limits.max_body;
    let mut stdin = Lines::new(tokio::io::stdin(), max);
    loop {
        let line = match stdin.next().await {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "reading stdin failed");
                break;
            }
        };
        let bytes = match line {
            Line::Text(t) if t.iter().all(u8::is_ascii_whitespace) => continue,
            Line::Text(t) => t,
            Line::TooLong => {
                gov.metrics.limit_hit("max_body");
                let msg = format!("message larger than the {max}-byte limit");
                let _ =
                    to_client.send(jsonrpc::error_response(None, jsonrpc::INVALID_REQUEST, &msg).into_bytes()).await;
                continue;
            }
        };
        let mut decide = {
            let (gov, route, hints, session, bytes) =
                (gov.clone(), route.clone(), hints.clone(), session.clone(), bytes.clone());
            super::spawn_decision(async move {
                let parsed =
                    jsonrpc::parse(&bytes).map_err(|e| jsonrpc::error_response(None, e.code(), &e.to_string()))?;
                Ok::<Plan, String>(plan(&gov, &route, &parsed, Some(&session), &hints).await)
            })
        };
        let deliver = {
            let (to_server, to_client, pending) = (to_server.clone(), to_client.clone(), pending.clone());
            let gov = gov.clone();
            let (capable, session) = (capable.clone(), session.clone());
            move |joined: Result<Result<Plan, String>, tokio::task::JoinError>, bytes: Vec<u8>| async move {
                match joined {
                    Ok(Ok(plan)) => {
                        if plan.declares_elicitation {
                            capable.mark(&session);
                        }
                        for (id, kind) in &plan.track {
                            pending.insert(id.clone(), *kind);
                        }
                        for local in &plan.local {
                            let _ = to_client.send(local.clone().into_bytes()).await;
                        }
                        if let Some(body) = plan.upstream_body(&bytes) {
                            let outcome = match to_server.send(body.to_vec()).await {
                                Ok(()) => "forwarded to the stdio server",
                                Err(_) => "not forwarded: the stdio server has exited",
                            };
                            plan.held_outcome(&gov, format_args!("{outcome}"));
                        }
                    }
                    Ok(Err(error)) => {
                        let _ = to_client.send(error.into_bytes()).await;
                    }
                    Err(_) => {
                        let e = jsonrpc::error_response(None, jsonrpc::INTERNAL_ERROR, "decision failed");
                        let _ = to_client.send(e.into_bytes()).await;
                    }
                }
            }
        };
        match decide.unless_held().await {
            Some(joined) => deliver(joined, bytes).await,
            // Held for a person: keep reading other messages; deliver this one when decided.
            None => {
                let mut decide = decide.into_task();
                let (gov, to_client, capable, session) =
                    (gov.clone(), to_client.clone(), capable.clone(), session.clone());
                tokio::spawn(async move {
                    let elicit = gov.snapshot.load().elicit && capable.has(&session);
                    let mut asked = std::collections::HashSet::new();
                    let mut tick = tokio::time::interval(gov.snapshot.load().keepalive);
                    let joined = loop {
                        tokio::select! {
                            joined = &mut decide => break joined,
                            _ = tick.tick(), if elicit => {
                                for ask in super::elicit::new_requests(&gov, &session, &mut asked) {
                                    let _ = to_client.send(ask.into_bytes()).await;
                                }
                            }
                        }
                    };
                    deliver(joined, bytes).await
                });
            }
        }
    }
    drop(to_server);
    let _ = server_writer.await;
    let status = child.wait().await.context("waiting for the MCP server")?;
    let _ = reader.await;
    drop(to_client);
    let _ = client_writer.await;
    Ok(exit_code(status))
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(1)
}

async fn server_to_client(
    gov: Arc<Governor>,
    out: tokio::process::ChildStdout,
    to_client: mpsc::Sender<Vec<u8>>,
    pending: PendingIds,
    hints: Arc<Hints>,
    session: String,
) {
    let filter = ResponseFilter { gov: &gov, route: "stdio", session: Some(session), hints: &hints };
    let mut lines = Lines::new(out, MAX_SERVER_LINE);
    while let Ok(Some(line)) = lines.next().await {
        let Line::Text(bytes) = line else {
            tracing::error!("the MCP server wrote a line over {MAX_SERVER_LINE} bytes; dropped");
            continue;
        };
        let out = match std::str::from_utf8(&bytes) {
            Ok(text) if !pending.is_empty() => match filter.filter(text, |id| pending.take(id)) {
                Some(new) => new.into_bytes(),
                None => bytes,
            },
            _ => bytes,
        };
        if to_client.send(out).await.is_err() {
            return;
        }
    }
}

async fn forward_signals(pid: u32) {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    use tokio::signal::unix::{signal, SignalKind};
    let kinds = [
        (SignalKind::interrupt(), Signal::SIGINT),
        (SignalKind::terminate(), Signal::SIGTERM),
        (SignalKind::hangup(), Signal::SIGHUP),
    ];
    let mut streams = Vec::new();
    for (kind, sig) in kinds {
        if let Ok(s) = signal(kind) {
            streams.push((s, sig));
        }
    }
    let target = Pid::from_raw(pid as i32);
    loop {
        let futures = streams.iter_mut().map(|(s, sig)| {
            let sig = *sig;
            Box::pin(async move {
                s.recv().await;
                sig
            })
        });
        let (sig, _, _) = futures_util::future::select_all(futures).await;
        let _ = kill(target, sig);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_bounded_and_split_on_newlines() {
        let input: &[u8] = b"short\r\nxxxxxxxxxxxxxxxxxxxxxxxx\nlast";
        let mut l = Lines::new(input, 8);
        assert_eq!(l.next().await.unwrap(), Some(Line::Text(b"short".to_vec())));
        assert_eq!(l.next().await.unwrap(), Some(Line::TooLong));
        assert_eq!(l.next().await.unwrap(), Some(Line::Text(b"last".to_vec())));
        assert_eq!(l.next().await.unwrap(), None);
    }
}
