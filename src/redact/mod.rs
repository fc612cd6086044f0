//! Redaction of secrets and personal data, in whole texts, in JSON values and inside live streams.
//!
//! Public API (the surfaces depend on exactly this; the detectors behind it may grow):
//! - [`Redactor::redact_text`]: a whole text → redacted text + findings;
//! - [`Redactor::redact_json`]: walks a JSON value (strings only, keys untouched) in place;
//! - [`Redactor::stream`]: a [`StreamRedactor`] that takes text in arbitrary chunks.
//!
//! Inside: [`engine`] finds anchors in one prefilter pass (literal prefixes in [`literals`]) and runs the
//! validators in [`tokens`], [`structured`], [`numbers`], [`ids`], [`email`], [`assign`] and [`forms`]
//! only around them; [`action`] renders what was kept; [`stream`] commits the prefix of a stream that no
//! later byte can change. See `README.md` here for the detectors, the defaults per direction and the
//! hold-back rules.
mod action;
mod assign;
mod checks;
mod email;
mod engine;
mod forms;
mod ids;
mod keys;
mod kinds;
mod literals;
mod numbers;
mod settings;
mod stream;
mod structured;
mod text;
mod tokens;

#[cfg(test)]
mod corpus_test;
#[cfg(test)]
mod stream_test;
#[cfg(test)]
mod tests;

use engine::{Cand, Limits, Sink};
use kinds::Kind;
use serde::Serialize;
use serde_json::Value;
pub use settings::{Action, DirectionSettings, RedactSettings};
use std::borrow::Cow;
use std::sync::Arc;
pub use stream::StreamRedactor;
use text::Text;

/// Which way the data is flowing: actions differ per direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// A tool result going back to the agent/model.
    ToolResult,
    /// A prompt leaving the host for an LLM provider.
    Prompt,
    /// Text the model produced, on its way to the agent.
    ModelText,
    /// Tool-call arguments (outbound messages included).
    ToolArgs,
    /// Anything written to the audit log or shown to an operator: secrets always removed.
    Audit,
}

impl Direction {
    fn index(self) -> usize {
        self as usize
    }
}

/// One thing a detector found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The detector's name, e.g. `email`, `card`, `aws-access-key`.
    pub kind: &'static str,
    /// Byte range in the input text (for a stream: in the whole stream so far; for JSON: in that string).
    pub start: usize,
    /// End of the byte range (exclusive).
    pub end: usize,
    /// What was done: `redact`, `mask`, `hash`, `block`.
    pub action: &'static str,
}

/// The result of redacting a text.
#[derive(Debug, Clone)]
pub struct Redacted<'a> {
    /// The redacted text; borrowed (identical) when nothing was found.
    pub text: Cow<'a, str>,
    /// What was found, in text order.
    pub findings: Vec<Finding>,
    /// A detector whose action is `block` fired: the caller must refuse the whole call or message.
    pub blocked: bool,
}

/// Compiled settings shared by clones of a [`Redactor`].
#[derive(Debug)]
struct Engine {
    actions: [[Action; Kind::COUNT]; 5],
    key: Vec<u8>,
    limits: Limits,
}

/// How many passes redaction makes at most (see [`Redactor::redact_text`]).
pub const PASSES: usize = 4;

/// The compiled redaction engine; cheap to clone.
#[derive(Debug, Clone)]
pub struct Redactor {
    inner: Arc<Engine>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new(&RedactSettings::default())
    }
}

impl Redactor {
    /// Compiles settings (call [`RedactSettings::validate`] first; invalid entries are ignored here).
    pub fn new(settings: &RedactSettings) -> Self {
        let mut actions = [[Action::Redact; Kind::COUNT]; 5];
        for dir in Direction::ALL {
            for &kind in Kind::ALL {
                actions[dir.index()][kind.index()] = settings.resolve(dir, kind);
            }
        }
        let max_holdback = settings.max_holdback.clamp(1024, 65536);
        Redactor {
            inner: Arc::new(Engine {
                actions,
                key: action::hash_key(&settings.hash_key_env),
                limits: Limits { max_token: max_holdback - 64, pem_max: settings.pem_max.clamp(1024, 1 << 20) },
            }),
        }
    }

    fn action(&self, dir: Direction, kind: Kind) -> Action {
        self.inner.actions[dir.index()].get(kind.index()).copied().unwrap_or(Action::Redact)
    }

    /// Candidates in `text` starting at or after `from`, with `Off` kinds dropped, overlaps resolved.
    /// Also returns the lowest position that may still change once more input arrives.
    fn find(&self, text: &str, eof: bool, from: usize, dir: Direction) -> (Vec<Cand>, usize) {
        let t = Text { b: text.as_bytes(), eof };
        let mut sink = Sink::new();
        engine::scan(&t, self.inner.limits, &mut sink);
        let mut cands = sink.cands;
        cands.retain(|c| c.start >= from && (c.kind == Kind::Placeholder || self.action(dir, c.kind) != Action::Off));
        (engine::resolve(text, cands), sink.pending)
    }

    /// Redacts a whole text.
    ///
    /// Passes repeat (at most [`PASSES`]) until nothing changes, so `redact(redact(x)) == redact(x)` even
    /// where a value is glued to another and only becomes recognizable once its neighbour is replaced.
    /// Clean text costs one pass.
    pub fn redact_text<'a>(&self, text: &'a str, dir: Direction) -> Redacted<'a> {
        let mut result = self.pass(text, dir);
        for _ in 1..PASSES {
            let Cow::Owned(current) = &result.text else { break };
            let next = self.pass(current, dir);
            let (text, findings, blocked) = match next.text {
                Cow::Borrowed(_) => break,
                Cow::Owned(t) => (t, next.findings, next.blocked),
            };
            result.findings.extend(findings);
            result.blocked |= blocked;
            result.text = Cow::Owned(text);
        }
        result
    }

    /// One redaction pass over a whole text.
    fn pass<'a>(&self, text: &'a str, dir: Direction) -> Redacted<'a> {
        let (cands, _) = self.find(text, true, 0, dir);
        if cands.iter().all(|c| c.kind == Kind::Placeholder) {
            return Redacted { text: Cow::Borrowed(text), findings: Vec::new(), blocked: false };
        }
        let mut out = String::with_capacity(text.len() + 32);
        let mut findings = Vec::new();
        let blocked = action::render(
            text,
            0,
            text.len(),
            &cands,
            |k| self.action(dir, k),
            &self.inner.key,
            0,
            &mut out,
            &mut findings,
        );
        Redacted { text: Cow::Owned(out), findings, blocked }
    }

    /// Redacts every string inside a JSON value in place (object keys untouched); returns what was found.
    /// Strings with nothing found are left exactly as they were.
    pub fn redact_json(&self, value: &mut Value, dir: Direction) -> Vec<Finding> {
        let mut all = Vec::new();
        self.walk(value, dir, &mut all);
        all
    }

    fn walk(&self, value: &mut Value, dir: Direction, all: &mut Vec<Finding>) {
        match value {
            Value::String(s) => {
                let r = self.redact_text(s, dir);
                if let Cow::Owned(new) = r.text {
                    all.extend(r.findings);
                    *s = new;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.walk(v, dir, all)),
            Value::Object(map) => map.values_mut().for_each(|v| self.walk(v, dir, all)),
            _ => {}
        }
    }

    /// Like [`Redactor::redact_json`], and also reports whether a blocking detector fired.
    pub fn redact_json_blocked(&self, value: &mut Value, dir: Direction) -> (Vec<Finding>, bool) {
        let findings = self.redact_json(value, dir);
        let blocked = findings.iter().any(|f| f.action == Action::Block.as_str());
        (findings, blocked)
    }

    /// A streaming redactor for one stream.
    pub fn stream(&self, dir: Direction) -> StreamRedactor {
        StreamRedactor::new(self.clone(), dir)
    }
}
