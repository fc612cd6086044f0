//! Redaction of secrets and personal data, in whole texts, in JSON values and inside live streams.
//!
//! Public API (the surfaces depend on exactly this; the detectors behind it may grow):
//! - [`Redactor::redact_text`]: a whole text → redacted text + findings;
//! - [`Redactor::redact_json`]: walks a JSON value (strings only, keys untouched) in place;
//! - [`Redactor::stream`]: a [`StreamRedactor`] that takes text in arbitrary chunks.
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;

/// `[redact]` settings.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RedactSettings {}

impl RedactSettings {
    /// Problems with the settings, each naming its field.
    pub fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

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

/// One thing a detector found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The detector's name, e.g. `email`, `card`, `aws-access-key`.
    pub kind: &'static str,
    /// Byte range in the input text.
    pub start: usize,
    pub end: usize,
    /// What was done: `redact`, `mask`, `hash`, `block`.
    pub action: &'static str,
}

/// The result of redacting a text.
#[derive(Debug, Clone)]
pub struct Redacted<'a> {
    pub text: Cow<'a, str>,
    pub findings: Vec<Finding>,
    /// A detector whose action is `block` fired: the caller must refuse the whole call or message.
    pub blocked: bool,
}

/// The compiled redaction engine.
#[derive(Debug, Clone, Default)]
pub struct Redactor {}

impl Redactor {
    pub fn new(_settings: &RedactSettings) -> Self {
        Redactor {}
    }

    /// Redacts a whole text.
    pub fn redact_text<'a>(&self, text: &'a str, _dir: Direction) -> Redacted<'a> {
        Redacted { text: Cow::Borrowed(text), findings: Vec::new(), blocked: false }
    }

    /// Redacts every string inside a JSON value in place; returns what was found.
    pub fn redact_json(&self, value: &mut Value, dir: Direction) -> Vec<Finding> {
        let mut all = Vec::new();
        match value {
            Value::String(s) => {
                let r = self.redact_text(s, dir);
                if let Cow::Owned(new) = r.text {
                    all.extend(r.findings);
                    *s = new;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| all.extend(self.redact_json(v, dir))),
            Value::Object(map) => map.values_mut().for_each(|v| all.extend(self.redact_json(v, dir))),
            _ => {}
        }
        all
    }

    /// A streaming redactor for one stream.
    pub fn stream(&self, dir: Direction) -> StreamRedactor {
        StreamRedactor { redactor: self.clone(), dir, pending: String::new() }
    }
}

/// Redacts text arriving in chunks; output equals whole-buffer redaction however the input is split.
#[derive(Debug)]
pub struct StreamRedactor {
    redactor: Redactor,
    dir: Direction,
    pending: String,
}

impl StreamRedactor {
    /// Feeds a chunk; returns the text that can be released now.
    pub fn push(&mut self, chunk: &str) -> String {
        self.pending.push_str(chunk);
        let out = self.redactor.redact_text(&self.pending, self.dir).text.into_owned();
        self.pending.clear();
        out
    }

    /// Ends the stream; returns whatever was held back.
    pub fn finish(&mut self) -> String {
        let out = self.redactor.redact_text(&self.pending, self.dir).text.into_owned();
        self.pending.clear();
        out
    }
}
