//! Secrets assigned to a telling name: `password=…`, `"api_key": "…"`, `DB_PASS: …`, `--token=…`,
//! `secret := "…"`, `Authorization: Basic …`. Anchored on `=` and `:`.
//!
//! The key is split into words (`_ - .` and camelCase); it must contain a password word or a secret word
//! and no word that says the value is not the secret itself (`max_tokens`, `token_type`, `key_id`,
//! `password_policy` …). The value must then look like a credential rather than prose or code: references
//! (`${X}`, `os.environ[…]`, `DB_PASSWORD`), placeholders (`<your-token>`, `xxxx`, `changeme`), plain words
//! and low-entropy strings are left alone. Only the value is redacted; the key stays readable.
use super::checks;
use super::engine::Sink;
use super::kinds::Kind;
use super::text::{More, Text};

const PRIO: u8 = 100;
const PASSWORD_WORDS: &[&str] = &["password", "passwd", "pwd", "pass", "passphrase", "passcode", "pswd"];
const SECRET_WORDS: &[&str] = &[
    "secret",
    "secrets",
    "token",
    "apikey",
    "auth",
    "authorization",
    "credential",
    "credentials",
    "cred",
    "creds",
    "cookie",
    "session",
    "bearer",
    "jwt",
    "privatekey",
    "accesskey",
    "secretkey",
    "clientsecret",
];
const NOT_THE_VALUE: &[&str] = &[
    "id",
    "ids",
    "type",
    "name",
    "names",
    "count",
    "max",
    "min",
    "limit",
    "length",
    "len",
    "size",
    "url",
    "uri",
    "path",
    "file",
    "endpoint",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "usage",
    "hint",
    "field",
    "label",
    "policy",
    "required",
    "format",
    "prefix",
    "header",
    "param",
    "input",
    "placeholder",
    "public",
    "pub",
    "publishable",
    "hash",
    "hashed",
    "digest",
    "salt",
    "strength",
    "reset",
    "confirm",
    "mode",
    "timeout",
    "enabled",
    "enable",
    "provider",
    "algorithm",
    "alg",
    "kind",
    "version",
    "fingerprint",
    "index",
    "ref",
    "env",
    "var",
    "dir",
    "column",
    "rotation",
    "updated",
    "created",
    "at",
    "date",
    "time",
    "budget",
    "tokenizer",
    "prompt",
    "completion",
    "total",
    "output",
    "manager",
    "store",
    "file",
    "filter",
    "regex",
    "pattern",
    "rule",
    "rules",
    "scope",
    "scopes",
    "method",
    "level",
    "desc",
    "description",
    "title",
    "text",
    "message",
    "msg",
    "error",
    "errors",
    "valid",
    "invalid",
    "check",
    "status",
    "state",
];
const DENY_EXACT: &[&str] = &[
    "null",
    "none",
    "nil",
    "true",
    "false",
    "undefined",
    "empty",
    "required",
    "optional",
    "string",
    "str",
    "int",
    "bool",
    "password",
    "secret",
    "token",
    "hidden",
    "test",
    "todo",
    "tbd",
    "n/a",
    "env",
    "default",
    "value",
    "masked",
    "unset",
    "redacted",
    "omitted",
    "unknown",
    "bearer",
    "basic",
];
const DENY_SUB: &[&str] = &[
    "example",
    "placeholder",
    "your_",
    "your-",
    "yourpass",
    "changeme",
    "redacted",
    "xxxx",
    "****",
    "...",
    "${",
    "{{",
    "%(",
];

/// What the key says the value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyClass {
    Password,
    Secret(Kind),
}

/// A key split into lowercase words, kept in one stack buffer without separators so that two adjacent
/// words are also one contiguous slice (`api` + `key` → `apikey`).
struct Words {
    buf: [u8; 64],
    /// Word `k` is `buf[ends[k - 1]..ends[k]]` (`ends[-1]` = 0).
    ends: [u8; 64],
    n: usize,
}

impl Words {
    fn split(key: &[u8]) -> Words {
        let mut w = Words { buf: [0; 64], ends: [0; 64], n: 0 };
        let mut len = 0usize;
        let mut cur = 0usize;
        let mut prev_lower = false;
        for &c in key.iter().take(64) {
            let boundary = matches!(c, b'_' | b'-' | b'.') || (c.is_ascii_uppercase() && prev_lower);
            if boundary && cur > 0 {
                w.ends[w.n] = len as u8;
                w.n += 1;
                cur = 0;
            }
            if c.is_ascii_alphanumeric() {
                w.buf[len] = c.to_ascii_lowercase();
                len += 1;
                cur += 1;
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
        if cur > 0 {
            w.ends[w.n] = len as u8;
            w.n += 1;
        }
        w
    }

    fn start(&self, k: usize) -> usize {
        k.checked_sub(1).map_or(0, |j| usize::from(self.ends[j]))
    }

    fn word(&self, k: usize) -> &[u8] {
        &self.buf[self.start(k)..usize::from(self.ends[k])]
    }

    fn words(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.n).map(|k| self.word(k))
    }

    /// Every word, then every pair of adjacent words joined.
    fn words_and_pairs(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let pairs = (1..self.n).map(|k| &self.buf[self.start(k - 1)..usize::from(self.ends[k])]);
        self.words().chain(pairs)
    }

    fn has(&self, list: &[&str]) -> bool {
        self.words_and_pairs().any(|w| checks::one_of(w, list))
    }

    fn any(&self, word: &str) -> bool {
        self.words().any(|w| w == word.as_bytes())
    }
}

fn classify(key: &[u8]) -> Option<KeyClass> {
    let words = Words::split(key);
    if words.has(NOT_THE_VALUE) {
        return None;
    }
    let last_is_key = words.n > 0 && matches!(words.word(words.n - 1), b"key" | b"keys");
    // Compound words: `pgpassword`, `apitoken`, `clientsecret`.
    let ends =
        |sufs: &[&str]| words.words().any(|w| sufs.iter().any(|s| w.len() > s.len() && w.ends_with(s.as_bytes())));
    let password = words.has(PASSWORD_WORDS) || ends(&["password", "passwd"]);
    let secret = words.has(SECRET_WORDS) || last_is_key || ends(&["secret", "token", "apikey"]);
    if !(password || secret) {
        return None;
    }
    if password && !secret {
        return Some(KeyClass::Password);
    }
    let kind = if words.any("aws") && (words.any("secret") || words.has(&["secretaccesskey"])) {
        Kind::AwsSecretKey
    } else if words.any("dd") || words.any("datadog") {
        Kind::DatadogKey
    } else if password {
        Kind::Password
    } else {
        Kind::Secret
    };
    Some(KeyClass::Secret(kind))
}

/// Checks for `key <sep> value` around the separator at `a` (`=` or `:`).
pub(crate) fn detect(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    let mut v = a + 1;
    let sep = t.b.get(a).copied().unwrap_or(0);
    if sep == b':' {
        if t.prev(a) == Some(b':') {
            return Ok(());
        }
        match t.get(a + 1)? {
            Some(b':') => return Ok(()),
            Some(b'/') if t.get(a + 2)? == Some(b'/') => return Ok(()),
            Some(b'=') => v += 1,
            _ => {}
        }
    } else {
        if matches!(t.prev(a), Some(b'=' | b'!' | b'<' | b'>' | b':' | b'+' | b'-' | b'*' | b'/' | b'|' | b'&')) {
            return Ok(());
        }
        match t.get(a + 1)? {
            Some(b'=') => return Ok(()),
            Some(b'>') => v += 1,
            _ => {}
        }
    }
    let sp = t.back_run(a, 3, |c| c == b' ' || c == b'\t');
    if sp > 3 {
        return Ok(());
    }
    let mut k_end = a - sp;
    if matches!(t.prev(k_end), Some(b'"' | b'\'')) {
        k_end -= 1;
    }
    let kl = t.back_run(k_end, 64, |c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'));
    if kl == 0 || kl > 64 {
        return Ok(());
    }
    let key = t.slice(k_end - kl, k_end);
    // Cheap gate before the word split: a telling substring must occur.
    let telling = [
        &b"pass"[..],
        b"pwd",
        b"pswd",
        b"secret",
        b"token",
        b"key",
        b"auth",
        b"cred",
        b"cookie",
        b"session",
        b"bearer",
        b"jwt",
    ];
    if !telling.iter().any(|w| key.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w))) {
        return Ok(());
    }
    let Some(class) = classify(key) else {
        return Ok(());
    };
    let sp = t.run(v, 3, |c| c == b' ' || c == b'\t')?;
    if sp > 3 {
        return Ok(());
    }
    v += sp;
    // In a query string (`?password=x&user=y`) `&` ends the value; elsewhere (`.env`, config) it is part
    // of it.
    let query = matches!(t.prev(k_end - kl), Some(b'?' | b'&'));
    let (mut vs, mut ve, quoted) = match value(t, v, query)? {
        Some(x) => x,
        None => return Ok(()),
    };
    // `Authorization: Basic <b64>` / `"Bearer <tok>"`: the credential is after the scheme word.
    let val = t.slice(vs, ve);
    let schemes: [&[u8]; 3] = [b"basic", b"bearer", b"token"];
    if let Some(sch) = schemes.iter().find(|s| val.len() >= s.len() && val[..s.len()].eq_ignore_ascii_case(s)) {
        if quoted && val.get(sch.len()) == Some(&b' ') {
            vs += sch.len() + 1;
        } else if !quoted && val.len() == sch.len() && t.get(ve)? == Some(b' ') {
            let n = t.run(ve + 1, 900, |c| c > b' ' && c < 0x7f && !matches!(c, b'"' | b'\'' | b',' | b';'))?;
            if n == 0 || n > 900 {
                return Ok(());
            }
            vs = ve + 1;
            ve = vs + n;
        }
    }
    let val = t.slice(vs, ve);
    if !quoted && matches!(t.get(ve)?, Some(b'(' | b'[')) {
        return Ok(());
    }
    if plausible(val, quoted, class) {
        let kind = match class {
            KeyClass::Password => Kind::Password,
            KeyClass::Secret(k) => k,
        };
        sink.add(vs, ve, kind, PRIO);
    }
    Ok(())
}

/// Prose: `my password is Hunter2024!`, `the API key is …`; `v` is just after the phrase.
pub(crate) fn prose(t: &Text, v: usize, secret: bool, sink: &mut Sink) -> Result<(), More> {
    let Some((vs, mut ve, quoted)) = value_loose(t, v)? else {
        return Ok(());
    };
    if !quoted {
        // Sentence punctuation after the value is not part of it.
        while ve > vs && matches!(t.b.get(ve - 1), Some(b'.' | b',' | b';' | b':' | b')')) {
            ve -= 1;
        }
    }
    let class = if secret { KeyClass::Secret(Kind::Secret) } else { KeyClass::Password };
    if plausible(t.slice(vs, ve), quoted, class) {
        sink.add(vs, ve, if secret { Kind::Secret } else { Kind::Password }, PRIO);
    }
    Ok(())
}

fn value_loose(t: &Text, v: usize) -> Result<Option<(usize, usize, bool)>, More> {
    if matches!(t.get(v)?, Some(b'"' | b'\'' | b'`')) {
        return value(t, v, false);
    }
    let n = t.run(v, 128, |c| c > b' ' && c < 0x7f && !matches!(c, b'"' | b'`'))?;
    Ok((n > 0 && n <= 128).then_some((v, v + n, false)))
}

/// The value span at `v`: quoted (`"…"`, `'…'`, `` `…` ``, no newline) or a bare run; plus whether quoted.
fn value(t: &Text, v: usize, query: bool) -> Result<Option<(usize, usize, bool)>, More> {
    match t.get(v)? {
        Some(q @ (b'"' | b'\'' | b'`')) => {
            let n = t.run(v + 1, 256, |c| c != q && c != b'\n' && c != b'\r' && c != b'\\')?;
            if n == 0 || n > 256 || t.get(v + 1 + n)? != Some(q) {
                return Ok(None);
            }
            Ok(Some((v + 1, v + 1 + n, true)))
        }
        _ => {
            let n = t.run(v, 256, |c| {
                c > b' '
                    && c < 0x7f
                    && !matches!(
                        c,
                        b',' | b';'
                            | b'"'
                            | b'\''
                            | b'`'
                            | b'<'
                            | b'>'
                            | b'('
                            | b')'
                            | b'{'
                            | b'}'
                            | b'['
                            | b']'
                            | b'\\'
                    )
                    && !(query && c == b'&')
            })?;
            if n == 0 || n > 256 {
                return Ok(None);
            }
            Ok(Some((v, v + n, false)))
        }
    }
}

fn plain_word(v: &[u8]) -> bool {
    if !v.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let tail_lower = v.iter().skip(1).all(u8::is_ascii_lowercase);
    let all_upper = v.iter().all(u8::is_ascii_uppercase);
    tail_lower || all_upper
}

/// Whether a value assigned to a telling key looks like the credential itself.
fn plausible(v: &[u8], quoted: bool, class: KeyClass) -> bool {
    if v.is_empty() || v.len() > 256 || v.contains(&b' ') || v.contains(&b'\t') {
        return false;
    }
    if matches!(v.first(), Some(b'$' | b'%' | b'{' | b'<' | b'[' | b'(' | b'*' | b'/' | b'~' | b'#')) {
        return false;
    }
    let mut buf = [0u8; 256];
    let lower = buf.get_mut(..v.len()).unwrap_or_default();
    lower.copy_from_slice(v);
    lower.make_ascii_lowercase();
    let lower = &*lower;
    if checks::one_of(lower, DENY_EXACT) || DENY_SUB.iter().any(|d| checks::contains(lower, d.as_bytes())) {
        return false;
    }
    let (lo, up, dg, other) = checks::classes(v);
    if !quoted {
        // Code references: `os.environ`, `config.db.password`, `DB_PASSWORD`, `process.env.TOKEN`.
        let ident_dots = v.iter().all(|&c| c.is_ascii_alphabetic() || c == b'_' || c == b'.') && v.contains(&b'.');
        let env_ref = !lo && !dg && v.contains(&b'_');
        if ident_dots || env_ref {
            return false;
        }
    }
    if plain_word(v) {
        return false;
    }
    // Slugs: lowercase words joined by separators, no digits (`on-failure`, `user_session`).
    if !up && !dg && v.iter().all(|&c| c.is_ascii_lowercase() || matches!(c, b'-' | b'_' | b'.')) {
        return false;
    }
    match class {
        KeyClass::Password => v.len() >= 6 && (dg || other || (lo && up)),
        KeyClass::Secret(Kind::AwsSecretKey) => v.len() == 40 && checks::looks_random(v),
        KeyClass::Secret(_) => {
            if !(dg || lo && up) || v.iter().all(u8::is_ascii_digit) {
                return false;
            }
            if v.len() >= 16 {
                checks::looks_random(v)
            } else {
                v.len() >= 10 && checks::entropy(v) >= 2.8 && dg && (lo || up)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(key: &str) -> (Vec<String>, Vec<String>) {
        let w = Words::split(key.as_bytes());
        let words: Vec<String> = w.words().map(|x| String::from_utf8_lossy(x).into_owned()).collect();
        let all: Vec<String> = w.words_and_pairs().map(|x| String::from_utf8_lossy(x).into_owned()).collect();
        (words, all)
    }

    #[test]
    fn keys_split_into_words_and_pairs() {
        let (words, all) = split("clientSecret_KEY.v2");
        assert_eq!(words, ["client", "secret", "key", "v2"]);
        assert_eq!(all[4..], ["clientsecret", "secretkey", "keyv2"]);
        assert_eq!(split("--api-key").0, ["api", "key"]);
        assert_eq!(split("PGPASSWORD").0, ["pgpassword"]);
        assert!(split("__").0.is_empty());
        // The most words 64 bytes can hold; bytes past 64 are ignored (`detect` never passes longer keys).
        let many = "a_".repeat(32) + &"B".repeat(32);
        assert_eq!(Words::split(many.as_bytes()).n, 32);
        let alternating: String = (0..64).map(|i| if i % 2 == 0 { 'a' } else { 'B' }).collect();
        assert_eq!(Words::split(alternating.as_bytes()).n, 33); // a | ba × 31 | b
    }

    #[test]
    fn key_classes() {
        assert_eq!(classify(b"password"), Some(KeyClass::Password));
        assert_eq!(classify(b"AWS_SECRET_ACCESS_KEY"), Some(KeyClass::Secret(Kind::AwsSecretKey)));
        assert_eq!(classify(b"dd_api_key"), Some(KeyClass::Secret(Kind::DatadogKey)));
        assert_eq!(classify(b"clientSecret"), Some(KeyClass::Secret(Kind::Secret)));
        assert_eq!(classify(b"max_tokens"), None);
        assert_eq!(classify(b"api_key_id"), None);
        assert_eq!(classify(b"username"), None);
    }
}
