//! `airlock audit verify`: walks the chain and names the first record that does not hold.
use super::{hash_suffix_len, GENESIS};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::io::BufRead;
use std::path::Path;

/// A verified log.
#[derive(Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub records: u64,
    /// The hash of the last record (publish it to detect truncation of the tail).
    pub head: String,
}

/// The first place the chain breaks.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {reason}")]
pub struct VerifyError {
    pub line: u64,
    pub reason: String,
}

#[derive(Deserialize)]
struct Link {
    seq: u64,
    prev: String,
}

/// Splits a record into its sequence number and stated hash, checking the hash covers the prefix.
pub(super) fn split_record(line: &str) -> Result<(u64, &str), String> {
    let n = hash_suffix_len();
    if line.len() < n || !line.is_char_boundary(line.len() - n) {
        return Err("not an airlock audit record".into());
    }
    let (prefix, suffix) = line.split_at(line.len() - n);
    let hash = suffix
        .strip_prefix(",\"hash\":\"")
        .and_then(|s| s.strip_suffix("\"}"))
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or("the record does not end with its hash")?;
    if hex::encode(Sha256::digest(prefix.as_bytes())) != hash {
        return Err("the record's content does not match its hash (edited)".into());
    }
    let link: Link = serde_json::from_str(&format!("{prefix}}}")).map_err(|e| format!("not valid JSON: {e}"))?;
    Ok((link.seq, hash))
}

fn prev_of(line: &str) -> Option<String> {
    let n = hash_suffix_len();
    let prefix = line.get(..line.len().checked_sub(n)?)?;
    serde_json::from_str::<Link>(&format!("{prefix}}}")).ok().map(|l| l.prev)
}

/// Verifies a whole log file.
pub fn verify(path: &Path) -> Result<VerifyReport, VerifyError> {
    let file = std::fs::File::open(path).map_err(|e| VerifyError { line: 0, reason: format!("cannot open: {e}") })?;
    let mut reader = std::io::BufReader::new(file);
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1u64;
    let mut line_no = 0u64;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| VerifyError { line: line_no + 1, reason: format!("read error: {e}") })?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let fail = |reason: String| VerifyError { line: line_no, reason };
        if buf.last() != Some(&b'\n') {
            return Err(fail("the last record is incomplete (no newline)".into()));
        }
        let line = std::str::from_utf8(&buf[..buf.len() - 1]).map_err(|_| fail("not UTF-8".into()))?;
        let (seq, hash) = split_record(line).map_err(fail)?;
        let stated_prev = prev_of(line).unwrap_or_default();
        if stated_prev != prev {
            return Err(fail(format!(
                "prev hash does not match the record before it (a record was removed, reordered or altered); seq {seq}"
            )));
        }
        if seq != expected_seq {
            return Err(fail(format!("sequence {seq} where {expected_seq} was expected")));
        }
        prev = hash.to_string();
        expected_seq += 1;
    }
    Ok(VerifyReport { records: expected_seq - 1, head: prev })
}
