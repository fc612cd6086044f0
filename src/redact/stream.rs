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
//! Hold-back is bounded: per pass at most [`LEAD`] bytes normally (and [`StreamRedactor`] chains up to `PASSES` passes), the longest validator read (≤ `max_holdback`)
//! while a token is still growing, and up to `pem_max` inside an open private-key block.
use super::engine::Cand;
use super::text::{LEAD, LOOKBACK};
use super::{action, Direction, Finding, Redactor};

/// One streaming pass: output equals one whole-buffer pass however the input is split.
#[derive(Debug)]
pub(crate) struct StreamPass {
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

impl StreamPass {
    pub(crate) fn new(redactor: Redactor, dir: Direction) -> Self {
        StreamPass { redactor, dir, buf: String::new(), base: 0, released: 0, findings: Vec::new(), blocked: false }
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

/// Redacts text arriving in chunks; output equals [`Redactor::redact_text`] of the whole input however it
/// is split. Like `redact_text` it applies up to [`super::PASSES`] passes (a value glued to another can only
/// be recognized once its neighbour is replaced), here as a chain of single-pass stages, each of which is
/// chunk-invariant on its own input.
#[derive(Debug)]
pub struct StreamRedactor {
    stages: Vec<StreamPass>,
}

impl StreamRedactor {
    pub(crate) fn new(redactor: Redactor, dir: Direction) -> Self {
        StreamRedactor { stages: (0..super::PASSES).map(|_| StreamPass::new(redactor.clone(), dir)).collect() }
    }

    /// Feeds a chunk; returns the text that can be released now (possibly empty).
    pub fn push(&mut self, chunk: &str) -> String {
        let mut text = chunk.to_string();
        for stage in &mut self.stages {
            if text.is_empty() {
                break;
            }
            text = stage.push(&text);
        }
        text
    }

    /// Ends the stream; returns whatever was held back. The redactor can then be reused for a new stream.
    pub fn finish(&mut self) -> String {
        let mut carry = String::new();
        for stage in &mut self.stages {
            let mut out = stage.push(&carry);
            out.push_str(&stage.finish());
            carry = out;
        }
        carry
    }

    /// Whether a finding with action `block` has been released so far.
    pub fn blocked(&self) -> bool {
        self.stages.iter().any(StreamPass::blocked)
    }

    /// Findings released so far, emptied by this call (positions are offsets in each pass's input).
    pub fn take_findings(&mut self) -> Vec<Finding> {
        self.stages.iter_mut().flat_map(StreamPass::take_findings).collect()
    }

    /// Bytes currently held back (not yet released) across the passes.
    pub fn held_back(&self) -> usize {
        self.stages.iter().map(StreamPass::held_back).sum()
    }
}
