//! The audit trail: append-only JSON lines, each carrying the previous record's SHA-256 and its own.
//!
//! A record's `hash` is the SHA-256 of the exact bytes of its line before `,"hash":"…"}`; that prefix
//! includes `seq` and `prev`, so editing, deleting or reordering any record breaks the chain at that point.
//! Each record is written with one `write` call before the decision it records is acted on, so a crash
//! loses nothing that was acknowledged (set `fsync = true` to survive power loss too).
//! Arguments in records are redacted (`Direction::Audit`): a secret never reaches the log.
mod verify;

pub use verify::{verify, VerifyError, VerifyReport};

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const HASH_SUFFIX_LEN: usize = ",\"hash\":\"".len() + 64 + "\"}".len();

/// Why the audit log could not be written. The caller fails closed.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit log {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("audit log {path}: {message}")]
    Corrupt { path: PathBuf, message: String },
    #[error("audit record could not be encoded: {0}")]
    Encode(#[from] serde_json::Error),
}

struct ChainState {
    file: File,
    seq: u64,
    prev: String,
}

/// An open audit log.
pub struct AuditLog {
    path: PathBuf,
    fsync: bool,
    state: Mutex<ChainState>,
}

impl AuditLog {
    /// Opens (or creates) the log and resumes its chain from the last record.
    pub fn open(path: &Path, fsync: bool) -> Result<AuditLog, AuditError> {
        let io = |source| AuditError::Io { path: path.to_path_buf(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = OpenOptions::new().create(true).read(true).append(true).open(path).map_err(io)?;
        let (seq, prev) = last_link(&mut file).map_err(|message| match message {
            LastLink::Io(e) => io(e),
            LastLink::Corrupt(message) => AuditError::Corrupt { path: path.to_path_buf(), message },
        })?;
        Ok(AuditLog { path: path.to_path_buf(), fsync, state: Mutex::new(ChainState { file, seq, prev }) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record; returns its sequence number and hash.
    ///
    /// The line is built in one buffer: the chain fields, the body's fields (serialized once, straight
    /// into the buffer), then the hash of everything before it.
    pub fn append<T: Serialize>(&self, kind: &str, body: &T) -> Result<(u64, String), AuditError> {
        let body = serde_json::to_vec(body)?;
        let fields = body.strip_prefix(b"{").and_then(|b| b.strip_suffix(b"}")).unwrap_or_default();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let seq = state.seq + 1;
        let time = humantime::format_rfc3339_micros(std::time::SystemTime::now());
        let mut line = Vec::with_capacity(fields.len() + 192 + HASH_SUFFIX_LEN);
        let io = |source| AuditError::Io { path: self.path.clone(), source };
        write!(line, "{{\"seq\":{seq},\"time\":\"{time}\",\"kind\":").map_err(io)?;
        serde_json::to_writer(&mut line, kind)?;
        line.extend_from_slice(b",\"prev\":\"");
        line.extend_from_slice(state.prev.as_bytes());
        line.push(b'"');
        if !fields.is_empty() {
            line.push(b',');
            line.extend_from_slice(fields);
        }
        let mut hash = [0u8; 64];
        // Cannot fail: 32 bytes always fit 64 hex digits.
        let _ = hex::encode_to_slice(Sha256::digest(&line), &mut hash);
        line.extend_from_slice(b",\"hash\":\"");
        line.extend_from_slice(&hash);
        line.extend_from_slice(b"\"}\n");
        state.file.write_all(&line).map_err(io)?;
        if self.fsync {
            state.file.sync_data().map_err(io)?;
        }
        let hash = String::from_utf8_lossy(&hash).into_owned();
        state.seq = seq;
        state.prev.clone_from(&hash);
        Ok((seq, hash))
    }

    /// The sequence number and hash of the last record written.
    pub fn head(&self) -> (u64, String) {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (state.seq, state.prev.clone())
    }
}

enum LastLink {
    Io(std::io::Error),
    Corrupt(String),
}

/// Reads the last line of an existing log to continue its chain.
fn last_link(file: &mut File) -> Result<(u64, String), LastLink> {
    let len = file.seek(SeekFrom::End(0)).map_err(LastLink::Io)?;
    if len == 0 {
        return Ok((0, GENESIS.to_string()));
    }
    let window = len.min(1 << 20);
    file.seek(SeekFrom::Start(len - window)).map_err(LastLink::Io)?;
    let mut tail = Vec::with_capacity(window as usize);
    file.read_to_end(&mut tail).map_err(LastLink::Io)?;
    if tail.last() != Some(&b'\n') {
        return Err(LastLink::Corrupt(
            "the last record is incomplete; run `airlock audit verify` and move the file aside".into(),
        ));
    }
    let body = &tail[..tail.len() - 1];
    let start = body.iter().rposition(|b| *b == b'\n').map(|i| i + 1).unwrap_or(0);
    let line = std::str::from_utf8(&body[start..]).map_err(|_| LastLink::Corrupt("last record is not UTF-8".into()))?;
    let (seq, hash) = verify::split_record(line).map_err(LastLink::Corrupt)?;
    Ok((seq, hash.to_string()))
}

fn hash_suffix_len() -> usize {
    HASH_SUFFIX_LEN
}

#[cfg(test)]
mod tests;
