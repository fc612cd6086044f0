//! Workers: one thread per core (`listen.workers`), each with a single-threaded runtime, its own listening
//! socket on the shared address and its own upstream connections. The kernel spreads incoming connections
//! over the sockets (`SO_REUSEPORT`); a connection, and every upstream call it makes, then stays on one
//! thread: no work stealing, no cross-thread wake-ups or frees on the hot path. What the workers share —
//! policy, audit log, approvals, metrics, sessions — sits behind the same `Arc`s as before.
//!
//! Only processes of the same user can join a `SO_REUSEPORT` group on Linux; with one worker the option is
//! not set at all.
use socket2::{Domain, Protocol, Socket, Type};
use std::cell::Cell;
use std::io;
use std::net::SocketAddr;

thread_local! {
    static INDEX: Cell<usize> = const { Cell::new(0) };
}

/// The worker running on this thread (0 on any thread that is not a worker).
pub fn index() -> usize {
    INDEX.with(Cell::get)
}

pub(super) fn set_index(i: usize) {
    INDEX.with(|c| c.set(i));
}

/// Opens `n` listening sockets on `addr`, one per worker; the first picks the port when `addr` has port 0.
pub(super) fn listeners(addr: SocketAddr, n: usize) -> io::Result<Vec<std::net::TcpListener>> {
    let mut out: Vec<std::net::TcpListener> = Vec::with_capacity(n);
    let mut addr = addr;
    for _ in 0..n.max(1) {
        let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        sock.set_reuse_address(true)?;
        if n > 1 {
            sock.set_reuse_port(true)?;
        }
        sock.set_nonblocking(true)?;
        sock.bind(&addr.into())?;
        sock.listen(1024)?;
        let listener: std::net::TcpListener = sock.into();
        addr = listener.local_addr()?;
        out.push(listener);
    }
    Ok(out)
}

/// The runtime each worker thread runs.
pub fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_share_one_port() {
        let ls = listeners(SocketAddr::from(([127, 0, 0, 1], 0)), 3).unwrap_or_default();
        assert_eq!(ls.len(), 3);
        let ports: Vec<u16> = ls.iter().filter_map(|l| l.local_addr().ok()).map(|a| a.port()).collect();
        assert!(ports[0] != 0 && ports.iter().all(|p| *p == ports[0]), "{ports:?}");
        // Someone else (without the option) cannot take the port while the workers hold it.
        assert!(std::net::TcpListener::bind(("127.0.0.1", ports[0])).is_err());
    }

    #[test]
    fn one_worker_does_not_share_its_port() {
        let ls = listeners(SocketAddr::from(([127, 0, 0, 1], 0)), 1).unwrap_or_default();
        let port = ls[0].local_addr().map(|a| a.port()).unwrap_or(0);
        assert!(listeners(SocketAddr::from(([127, 0, 0, 1], port)), 1).is_err());
    }
}
