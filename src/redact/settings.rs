//! The `[redact]` table of airlock.toml and how it resolves to one action per (direction, kind).
//!
//! Resolution order, most specific first: `[redact.direction.<dir>.detectors]`, `[redact.direction.<dir>]`
//! `pii`/`secrets`, then — only where the built-in default for that direction is not `off` —
//! `[redact.detectors]` and the global `pii`/`secrets`, then the built-in default. Two clamps follow:
//! secrets are never `off` (they are redacted instead), and the audit direction never blocks or shows
//! secrets. Unknown keys are rejected by the config loader; [`RedactSettings::validate`] reports unknown
//! detector or direction names and out-of-range numbers.
use super::kinds::{Class, Kind};
use super::Direction;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What to do with one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Replace with a typed placeholder, `[REDACTED:EMAIL]`.
    Redact,
    /// Keep the last four characters (`****1111`; emails keep the first letter and the domain).
    Mask,
    /// Replace with a keyed HMAC-SHA256 digest, `[HASH:EMAIL:9f2c1a0b3d4e]`: equal values stay linkable.
    Hash,
    /// Redact and flag the whole text as blocked: the caller refuses the call or message.
    Block,
    /// Leave it alone (not allowed for secrets).
    Off,
}

impl Action {
    /// The lowercase name used in findings.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Redact => "redact",
            Action::Mask => "mask",
            Action::Hash => "hash",
            Action::Block => "block",
            Action::Off => "off",
        }
    }
}

/// Overrides for one direction: `[redact.direction.tool-result]`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DirectionSettings {
    /// Action for every personal-data detector in this direction.
    pub pii: Option<Action>,
    /// Action for every secret detector in this direction.
    pub secrets: Option<Action>,
    /// Per-detector actions in this direction.
    #[serde(default)]
    pub detectors: BTreeMap<String, Action>,
}

/// `[redact]` settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct RedactSettings {
    /// Action for personal data where the direction's default is active (tool results, prompts, tool args).
    pub pii: Option<Action>,
    /// Action for secrets (never `off`).
    pub secrets: Option<Action>,
    /// Per-detector actions by name (`email`, `card`, `aws-access-key`, …).
    pub detectors: BTreeMap<String, Action>,
    /// Per-direction overrides keyed by `tool-result`, `prompt`, `model-text`, `tool-args`, `audit`.
    pub direction: BTreeMap<String, DirectionSettings>,
    /// Environment variable holding the HMAC key for `hash`; unset or empty means a random per-process key.
    pub hash_key_env: String,
    /// Longest tail a stream holds back waiting for a match to complete (bytes, 1024..=65536).
    pub max_holdback: usize,
    /// Longest private-key block a stream holds back waiting for its END line (bytes, 1024..=1048576).
    pub pem_max: usize,
}

impl Default for RedactSettings {
    fn default() -> Self {
        RedactSettings {
            pii: None,
            secrets: None,
            detectors: BTreeMap::new(),
            direction: BTreeMap::new(),
            hash_key_env: "AIRLOCK_REDACT_KEY".to_string(),
            max_holdback: 4096,
            pem_max: 16 * 1024,
        }
    }
}

impl Direction {
    /// Every direction, in table order.
    pub const ALL: [Direction; 5] =
        [Direction::ToolResult, Direction::Prompt, Direction::ModelText, Direction::ToolArgs, Direction::Audit];

    /// The kebab-case name used in config.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::ToolResult => "tool-result",
            Direction::Prompt => "prompt",
            Direction::ModelText => "model-text",
            Direction::ToolArgs => "tool-args",
            Direction::Audit => "audit",
        }
    }

    fn by_name(name: &str) -> Option<Direction> {
        let norm = name.trim().to_ascii_lowercase().replace('_', "-");
        Direction::ALL.into_iter().find(|d| d.as_str() == norm)
    }

    /// The built-in action for a class of data in this direction.
    pub(crate) fn default_action(self, class: Class) -> Action {
        match (self, class) {
            (_, Class::Secret) => Action::Redact,
            (Direction::ModelText, Class::Pii) => Action::Off,
            (Direction::Audit, Class::Pii) => Action::Mask,
            (_, Class::Pii) => Action::Redact,
        }
    }
}

impl RedactSettings {
    /// Human-readable problems, field name first; empty when the settings are usable.
    pub fn validate(&self) -> Vec<String> {
        let mut errs = Vec::new();
        let check_map = |prefix: &str, map: &BTreeMap<String, Action>, errs: &mut Vec<String>| {
            for (name, action) in map {
                match Kind::by_name(name) {
                    None => errs.push(format!(
                        "{prefix}.{name}: unknown detector (known: {})",
                        Kind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
                    )),
                    Some(k) if k.class() == Class::Secret && *action == Action::Off => {
                        errs.push(format!("{prefix}.{name}: secrets cannot be turned off"))
                    }
                    Some(_) => {}
                }
            }
        };
        if self.secrets == Some(Action::Off) {
            errs.push("redact.secrets: secrets cannot be turned off".to_string());
        }
        check_map("redact.detectors", &self.detectors, &mut errs);
        for (dir, ds) in &self.direction {
            if Direction::by_name(dir).is_none() {
                errs.push(format!(
                    "redact.direction.{dir}: unknown direction (known: tool-result, prompt, model-text, tool-args, audit)"
                ));
            }
            if ds.secrets == Some(Action::Off) {
                errs.push(format!("redact.direction.{dir}.secrets: secrets cannot be turned off"));
            }
            check_map(&format!("redact.direction.{dir}.detectors"), &ds.detectors, &mut errs);
        }
        if !(1024..=65536).contains(&self.max_holdback) {
            errs.push(format!("redact.max_holdback: {} is outside 1024..=65536", self.max_holdback));
        }
        if !(1024..=1 << 20).contains(&self.pem_max) {
            errs.push(format!("redact.pem_max: {} is outside 1024..=1048576", self.pem_max));
        }
        errs
    }

    /// The action for `kind` in `dir` after overrides and clamps.
    pub(crate) fn resolve(&self, dir: Direction, kind: Kind) -> Action {
        let class = kind.class();
        let lookup =
            |map: &BTreeMap<String, Action>| map.iter().find(|(n, _)| Kind::by_name(n) == Some(kind)).map(|(_, a)| *a);
        let by_class = |pii: Option<Action>, secrets: Option<Action>| match class {
            Class::Pii => pii,
            Class::Secret => secrets,
        };
        let per_dir = self
            .direction
            .iter()
            .filter(|(n, _)| Direction::by_name(n) == Some(dir))
            .find_map(|(_, ds)| lookup(&ds.detectors).or(by_class(ds.pii, ds.secrets)));
        let builtin = dir.default_action(class);
        let chosen = per_dir.unwrap_or_else(|| {
            if builtin == Action::Off || dir == Direction::Audit {
                builtin
            } else {
                lookup(&self.detectors).or(by_class(self.pii, self.secrets)).unwrap_or(builtin)
            }
        });
        match (class, dir, chosen) {
            (Class::Secret, Direction::Audit, Action::Hash) => Action::Hash,
            (Class::Secret, Direction::Audit, _) => Action::Redact,
            (Class::Secret, _, Action::Off) => Action::Redact,
            (Class::Pii, Direction::Audit, Action::Block | Action::Off) => Action::Mask,
            (_, _, a) => a,
        }
    }
}
