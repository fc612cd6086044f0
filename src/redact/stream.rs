//! Streaming redaction: text arrives in chunks, redacted text leaves as soon as no later byte can change it.
//!
//! Each push rescans the unreleased tail (plus [`LOOKBACK`] bytes of already released context, so context
//! words and boundaries read the same bytes as in a whole-buffer scan). Validators report [`super::text::More`]
//! when they would need bytes that have not arrived; the stream releases text up to the lowest such
//! position, and never closer than [`LEAD`] bytes to the end (an anchor may not have fully arrived). A
//! candidate that starts before that point is already decided, so its whole span is released with it.
//! The result: concatenated output equals [`Redactor::redact_text`] of the concatenated input, for every
//! way of splitting it (proved by the property tests in `stream_test.rs`).
//!
//! Hold-back is bounded: at most [`LEAD`] bytes normally, the longest validator read (≤ `max_holdback`)
//! while a token is still growing, and up to `pem_max` inside an open private-key block.
use super::engine::Cand;
use super::text::{LEAD, LOOKBACK};
use super::{action, Direction, Finding, Redactor};

/// Redacts text arriving in chunks; output equals whole-buffer redaction however the input is split.
#[derive(Debug)]
pub struct StreamRedactor {
    redactor: Redactor,
    dir: Direction,
    /// Unreleased text plus released context, starting at stream offset `base`.
    buf: String,
    base: usize,
    /// Stream offset up to which output has been released.
    released: usize,
    findings: Vec<Finding>,
    blocked: bool,
}

impl StreamRedactor {
    pub(crate) fn new(redactor: Redactor, dir: Direction) -> Self {
        StreamRedactor { redactor, dir, buf: String::new(), base: 0, released: 0, findings: Vec::new(), blocked: false }
    }

    /// Feeds a chunk; returns the text that can be released now (possibly empty).
    pub fn push(&mut self, chunk: &str) -> String {
        self.buf.push_str(chunk);
        self.flush(false)
    }

    /// Ends the stream; returns whatever was held back. The redactor can then be reused for a new stream.
    pub fn finish(&mut self) -> String {
        let out = self.flush(true);
        self.buf.clear();
        self.base = 0;
        self.released = 0;
        out
    }

    /// Whether a finding with action `block` has been released so far.
    pub fn blocked(&self) -> bool {
        self.blocked
    }

    /// Findings released so far (positions are stream offsets), emptied by this call.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    /// Bytes currently held back (not yet released).
    pub fn held_back(&self) -> usize {
        self.buf.len() - (self.released - self.base)
    }

    fn flush(&mut self, eof: bool) -> String {
        let from = self.released - self.base;
        let len = self.buf.len();
        if from == len {
            return String::new();
        }
        let (cands, pending) = self.redactor.find(&self.buf, eof, from, self.dir);
        let mut cut = if eof { len } else { len.saturating_sub(LEAD).min(pending).max(from) };
        while cut > from && !self.buf.is_char_boundary(cut) {
            cut -= 1;
        }
        let decided: Vec<Cand> = cands.into_iter().filter(|c| c.start < cut).collect();
        let commit = decided.last().map_or(cut, |c| c.end.max(cut));
        let mut out = String::with_capacity(commit - from);
        let dir = self.dir;
        let r = &self.redactor;
        self.blocked |= action::render(
            &self.buf,
            from,
            commit,
            &decided,
            |k| r.action(dir, k),
            &r.inner.key,
            self.base,
            &mut out,
            &mut self.findings,
        );
        self.released = self.base + commit;
        let mut keep = commit.saturating_sub(LOOKBACK);
        while keep > 0 && !self.buf.is_char_boundary(keep) {
            keep -= 1;
        }
        if keep > 0 {
            self.buf.drain(..keep);
            self.base += keep;
        }
        out
    }
}
