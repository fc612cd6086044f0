//! Abuse: oversized bodies, slow-drip headers, 1,000 idle connections, malformed SSE from the upstream and a
//! client that leaves mid-stream. After each, airlock still serves a normal request, and its memory comes
//! back near its baseline. Std-only mock upstream; no peers needed. No timing assertions: bounds are only
//! there so a hung server fails instead of hanging the suite.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod common;

use common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// A misbehaving MCP upstream: the request path picks the misbehaviour.
/// How many `/slow` requests reached the mock (only the drain test sends them).
static SLOW_ARRIVED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn mock_upstream() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    port
}

/// Serves one request per connection and says so (`connection: close`): a pooled connection that the
/// mock closed silently could otherwise be picked for the next request and turn it into a 502.
fn serve(mut s: TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let Ok(n) = s.read(&mut chunk) else { return };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let len: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let Ok(n) = s.read(&mut chunk) else { return };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let sse = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
    let _ = match path.as_str() {
        "/json" => {
            let body = r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"ok"}],"isError":false}}"#;
            write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
        }
        "/slow" => {
            SLOW_ARRIVED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(1500));
            let body =
                r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"late"}],"isError":false}}"#;
            write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
        }
        "/garbage" => write!(s, "{sse}data: {{not json\n\nevent: message\ndata: \u{0}\u{1}\n\n\x7f\x7f no terminator"),
        "/huge" => write!(s, "{sse}event: message\ndata: {}\n\n", "x".repeat(256 << 10)),
        "/cut" => write!(s, "{sse}event: message\ndata: {{\"jsonrpc\":\"2.0\",\"id\":1,\"res"),
        "/forever" => {
            let _ = write!(s, "{sse}");
            loop {
                if s.write_all(b": tick\n\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\n")
                    .is_err()
                {
                    return;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        _ => write!(s, "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"),
    };
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:").map(|v| v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0)))
        .unwrap_or(0)
}

const CALL: &[u8] =
    br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}}"#;

fn healthy(a: &Airlock) {
    let (status, body) = post(a.port, "/r/json", "", CALL);
    assert_eq!(status, 200, "airlock stopped serving normal requests: {body}");
    assert!(body.contains("\"text\":\"ok\""), "{body}");
}

fn start() -> (Airlock, u32) {
    let up = mock_upstream();
    let extra = format!(
        "[[mcp]]\nname = \"r\"\npath = \"/r\"\nupstream = \"http://127.0.0.1:{up}\"\n\
         [limits]\nmax_body = \"64KiB\"\nmax_sse_event = \"64KiB\"\nheader_read_timeout = \"1s\"\nidle_stream_timeout = \"5s\"\n"
    );
    let a = Airlock::start(&extra, "");
    let pid = a.proc.as_ref().unwrap().0.id();
    healthy(&a);
    (a, pid)
}

#[test]
fn oversized_bodies_are_refused_with_413() {
    let (a, _) = start();
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(100 << 10));
    assert_eq!(post(a.port, "/r/json", "", big.as_bytes()).0, 413);
    // Chunked, no Content-Length: refused once the limit is crossed.
    let mut req = b"POST /r/json HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..40 {
        req.extend_from_slice(format!("1000\r\n{}\r\n", "a".repeat(4096)).as_bytes());
    }
    req.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(http_raw(a.port, &req).0, 413);
    healthy(&a);
}

#[test]
fn a_slow_drip_client_is_cut_off_and_others_are_served() {
    let (a, _) = start();
    let mut s = TcpStream::connect(("127.0.0.1", a.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let mut closed = false;
    for b in b"POST /r/json HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n" {
        if s.write_all(&[*b]).is_err() {
            closed = true;
            break;
        }
        healthy(&a);
        std::thread::sleep(Duration::from_millis(300));
    }
    if !closed {
        let mut buf = [0u8; 256];
        // The server must close (or answer 408) rather than wait for the rest forever.
        let n = s.read(&mut buf).unwrap_or(0);
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(n == 0 || text.contains("408"), "a slow header sender was kept open: {text}");
    }
    healthy(&a);
}

#[test]
fn a_thousand_idle_connections_do_not_stop_service() {
    let (a, pid) = start();
    let before = rss_kb(pid);
    let idle: Vec<TcpStream> = (0..1000).filter_map(|_| TcpStream::connect(("127.0.0.1", a.port)).ok()).collect();
    assert!(idle.len() >= 990, "could only open {} connections", idle.len());
    healthy(&a);
    drop(idle);
    std::thread::sleep(Duration::from_millis(500));
    healthy(&a);
    let after = rss_kb(pid);
    assert!(after < before * 2 + 20_000, "memory did not come back: {before} kB -> {after} kB");
}

#[test]
fn malformed_upstream_sse_ends_the_client_stream_cleanly() {
    let (a, pid) = start();
    let before = rss_kb(pid);
    for path in ["/r/garbage", "/r/huge", "/r/cut"] {
        let (status, body) = post(a.port, path, "", CALL);
        assert_eq!(status, 200, "{path}");
        // Never a half event: what the client got parses as complete SSE events or nothing.
        assert!(
            !body.contains("\"res\u{0}") && !body.contains(&"x".repeat(70 << 10)),
            "{path}: a partial or oversized event leaked"
        );
        healthy(&a);
    }
    let audit = a.audit_text();
    assert!(audit.contains("\"kind\":\"stream_truncated\""), "the cut stream is audited: {audit}");
    let after = rss_kb(pid);
    assert!(after < before * 2 + 20_000, "memory did not come back: {before} kB -> {after} kB");
}

#[test]
fn a_client_leaving_mid_stream_frees_everything() {
    let (a, pid) = start();
    let before = rss_kb(pid);
    for _ in 0..20 {
        let mut s = TcpStream::connect(("127.0.0.1", a.port)).unwrap();
        s.write_all(b"GET /r/forever HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        let mut buf = [0u8; 4096];
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // The status line may arrive in more than one read on a busy machine.
        let mut head = Vec::new();
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = s.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 200"), "the stream did not start: {head:?}");
        drop(s);
    }
    std::thread::sleep(Duration::from_millis(500));
    healthy(&a);
    let after = rss_kb(pid);
    assert!(after < before * 2 + 20_000, "memory did not come back: {before} kB -> {after} kB");
}

#[test]
fn shutdown_drains_calls_in_flight_on_every_worker() {
    let up = mock_upstream();
    let extra = format!("[[mcp]]\nname = \"r\"\npath = \"/r\"\nupstream = \"http://127.0.0.1:{up}\"\n");
    let mut a = Airlock::configure(&extra, "");
    let text = std::fs::read_to_string(&a.config).unwrap().replacen("[listen]\n", "[listen]\nworkers = 2\n", 1);
    std::fs::write(&a.config, text).unwrap();
    a.spawn();
    let port = a.port;
    // Several slow calls, so both workers (the kernel spreads connections) have one in flight.
    let calls: Vec<_> = (0..6).map(|_| std::thread::spawn(move || post(port, "/r/slow", "", CALL))).collect();
    // Signal only once every call is in flight (forwarded and waiting on the upstream), however slow the
    // machine is.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while SLOW_ARRIVED.load(std::sync::atomic::Ordering::SeqCst) < 6 {
        assert!(std::time::Instant::now() < deadline, "the slow calls never reached the upstream");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = a.proc.as_ref().unwrap().0.id();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), nix::sys::signal::Signal::SIGTERM).unwrap();
    for c in calls {
        let (status, body) = c.join().unwrap();
        let log = std::fs::read_to_string(a.dir.path().join("airlock.log")).unwrap_or_default();
        assert_eq!(status, 200, "a call in flight at shutdown was dropped: {body}\n{log}");
        assert!(body.contains("late"), "{body}");
    }
    let mut child = a.proc.take().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(st) = child.0.try_wait().unwrap() {
            break st;
        }
        assert!(std::time::Instant::now() < deadline, "airlock did not exit after draining");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exit status {exit}");
    let log = std::fs::read_to_string(a.dir.path().join("airlock.log")).unwrap_or_default();
    assert_eq!(log.matches("all connections drained").count(), 2, "both workers drained: {log}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "still accepting after shutdown");
}
