//! What an assignment's key says about its value: split into words (`_ - .` and camelCase, adjacent words
//! also joined, so `api_key` reads as `apikey`), it must hold a password or secret word and no word saying
//! the value is something else (`max_tokens`, `token_type`, `key_id` …). Used by [`super::assign`].
use super::checks;
use super::kinds::Kind;

const PASSWORD_WORDS: &[&str] = &["password", "passwd", "pwd", "pw", "pass", "passphrase", "passcode", "pswd"];
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
    "arn",
];
/// Pagination, idempotency, cache and object keys (`NextToken`, `next_page_token`, `idempotency_key`,
/// `cache_key`): they veto only a key whose secret word is a bare `key` or `token`, never `password`,
/// `secret` or `access` (`REDIS_CACHE_PASSWORD`, `BUCKET_SECRET`, `PAGE_ACCESS_TOKEN` are secrets).
const LOOKUP_WORDS: &[&str] = &[
    "next",
    "page",
    "cursor",
    "continuation",
    "pagination",
    "idempotency",
    "cache",
    "object",
    "partition",
    "sort",
    "bucket",
    "marker",
];
const STRONG_WORDS: &[&str] =
    &["secret", "secrets", "access", "auth", "credential", "credentials", "private", "apikey"];
/// What the key says the value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyClass {
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

pub(crate) fn classify(key: &[u8]) -> Option<KeyClass> {
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
    if !password && !words.has(STRONG_WORDS) && words.has(LOOKUP_WORDS) {
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
