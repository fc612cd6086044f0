//! What happens to a finding: a typed placeholder, a mask that keeps the last four characters, a keyed
//! digest, or a block. Every output shape is inert: it cannot be detected again (`[REDACTED:…]` and
//! `[HASH:…]` are guarded by the scanner; masks start with `*` and keep at most four characters), so
//! redacting twice gives the same text as redacting once.
use super::engine::Cand;
use super::kinds::Kind;
use super::settings::Action;
use super::Finding;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::OnceLock;

/// The HMAC key: the named environment variable's bytes, or a random key for this process.
pub(crate) fn hash_key(env_name: &str) -> Vec<u8> {
    match std::env::var(env_name) {
        Ok(v) if !env_name.is_empty() && !v.is_empty() => v.into_bytes(),
        _ => {
            static RANDOM: OnceLock<[u8; 32]> = OnceLock::new();
            RANDOM.get_or_init(rand::random).to_vec()
        }
    }
}

fn push_hash(out: &mut String, key: &[u8], kind: Kind, value: &str) {
    out.push_str("[HASH:");
    out.push_str(kind.label());
    out.push(':');
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(kind.name().as_bytes());
            mac.update(&[0]);
            mac.update(value.as_bytes());
            let digest = mac.finalize().into_bytes();
            out.push_str(&hex::encode(digest.get(..6).unwrap_or_default()));
        }
        Err(_) => out.push_str("000000000000"),
    }
    out.push(']');
}

fn push_mask(out: &mut String, kind: Kind, value: &str) {
    if kind == Kind::Email {
        if let (Some(first), Some(at)) = (value.chars().next(), value.rfind('@')) {
            out.push(first);
            out.push_str("***");
            out.push_str(value.get(at..).unwrap_or_default());
            return;
        }
    }
    if kind == Kind::PrivateKey {
        out.push_str("[REDACTED:PRIVATE_KEY]");
        return;
    }
    out.push_str("****");
    if kind.class() == super::kinds::Class::Secret && value.len() < 16 {
        return;
    }
    let tail: Vec<char> = value.chars().rev().filter(char::is_ascii_alphanumeric).take(4).collect();
    out.extend(tail.iter().rev());
}

/// Appends the replacement for `value` to `out`.
pub(crate) fn push_replacement(out: &mut String, key: &[u8], kind: Kind, action: Action, value: &str) {
    match action {
        Action::Off => out.push_str(value),
        Action::Mask => push_mask(out, kind, value),
        Action::Hash => push_hash(out, key, kind, value),
        Action::Redact | Action::Block => {
            out.push_str("[REDACTED:");
            out.push_str(kind.label());
            out.push(']');
        }
    }
}

/// Renders `text[from..to]` with the accepted candidates (all inside that range) replaced; `offset` is
/// added to finding positions. Returns whether a blocking finding was seen.
#[allow(clippy::too_many_arguments)]
pub(crate) fn render(
    text: &str,
    from: usize,
    to: usize,
    cands: &[Cand],
    action_of: impl Fn(Kind) -> Action,
    key: &[u8],
    offset: usize,
    out: &mut String,
    findings: &mut Vec<Finding>,
) -> bool {
    let mut blocked = false;
    let mut pos = from;
    for c in cands {
        if c.kind == Kind::Placeholder {
            continue;
        }
        let action = action_of(c.kind);
        out.push_str(text.get(pos..c.start).unwrap_or_default());
        push_replacement(out, key, c.kind, action, text.get(c.start..c.end).unwrap_or_default());
        findings.push(Finding {
            kind: c.kind.name(),
            start: c.start + offset,
            end: c.end + offset,
            action: action.as_str(),
        });
        blocked |= action == Action::Block;
        pos = c.end;
    }
    out.push_str(text.get(pos..to).unwrap_or_default());
    blocked
}
