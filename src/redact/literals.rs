//! The literal anchors: ~170 prefixes (`ghp_`, `AKIA`, `eyJ`, `hooks.slack.com/`, `password is ` …) that
//! start a value at a word start, the bitmaps the scanner's prefilter consults at every word start, and
//! the dispatch from a matched prefix to its validator.
use super::engine::{Limits, Sink};
use super::structured as st;
use super::text::{More, Text};
use super::tokens::{self, TOKENS};
use std::sync::OnceLock;

/// What a literal anchor starts.
#[derive(Debug, Clone, Copy)]
enum Anchor {
    Token(usize),
    Jwt,
    SlackHook,
    DiscordHook(usize),
    Azure(usize),
    Bearer,
    SendGrid,
    DiscordToken,
    AwsContext,
    Prose {
        len: usize,
        secret: bool,
    },
    /// `--password VALUE`, and `password VALUE` after `login` (`.netrc`).
    PasswordArg(usize),
    /// `define('DB_PASSWORD', 'VALUE')` (PHP, `wp-config.php`).
    Define(usize),
    /// `set -x API_TOKEN VALUE` (fish).
    FishSet(usize),
    /// `curl … -u user:PASSWORD …`.
    Curl,
    /// `mysql … -pPASSWORD` (glued) and `docker login … -p PASSWORD`.
    DashP {
        glued: bool,
    },
    /// A base64 Docker registry config (`{"auths":` …, a `.dockerconfigjson`): registry credentials.
    DockerAuths,
    /// The private lines of a PuTTY key file; `escaped` when the header follows an escaped line break
    /// (`…\nPrivate-Lines: 14\n…`, where the `n` glues it to no word start of its own).
    Putty {
        escaped: bool,
    },
}

/// Literal anchors bucketed by their first two bytes: `bits` rejects most word starts in one lookup.
pub(super) struct Literals {
    pats: Vec<(&'static [u8], Anchor)>,
    bits: Vec<u64>,
    /// Hashed first three bytes of every pattern (any third byte for two-byte patterns).
    bits3: [u64; 1024],
    /// Pattern indices by first two bytes: `bucket_of[key2]` is 1 + the index into `buckets`, 0 for none.
    bucket_of: Box<[u16]>,
    buckets: Vec<Vec<usize>>,
}

impl Literals {
    /// Whether a literal anchor may start with these three bytes (the hashed bitmap: false positives only).
    #[inline]
    pub(super) fn may_start(&self, c: u8, c1: u8, c2: u8) -> bool {
        let h = hash3(c, c1, c2);
        (self.bits3[h / 64] >> (h % 64)) & 1 != 0
    }
}

#[inline]
fn hash3(a: u8, b: u8, c: u8) -> usize {
    ((usize::from(a) << 10) ^ (usize::from(b) << 5) ^ usize::from(c)) & 0xFFFF
}

fn key2(a: u8, b: u8) -> usize {
    (usize::from(a) << 8) | usize::from(b)
}

pub(super) fn literals() -> &'static Literals {
    static LITS: OnceLock<Literals> = OnceLock::new();
    LITS.get_or_init(|| {
        let mut pats: Vec<(&'static [u8], Anchor)> = Vec::new();
        for (i, tok) in TOKENS.iter().enumerate() {
            pats.push((tok.prefix.as_bytes(), Anchor::Token(i)));
        }
        let extra: &[(&'static str, Anchor)] = &[
            ("eyJ", Anchor::Jwt),
            ("hooks.slack.com/", Anchor::SlackHook),
            ("discord.com/api/webhooks/", Anchor::DiscordHook(25)),
            ("discordapp.com/api/webhooks/", Anchor::DiscordHook(28)),
            ("AccountKey=", Anchor::Azure(11)),
            ("SharedAccessKey=", Anchor::Azure(16)),
            ("Bearer ", Anchor::Bearer),
            ("bearer ", Anchor::Bearer),
            ("SG.", Anchor::SendGrid),
            ("aws", Anchor::AwsContext),
            ("AWS", Anchor::AwsContext),
            ("Aws", Anchor::AwsContext),
            ("password is ", Anchor::Prose { len: 12, secret: false }),
            ("Password is ", Anchor::Prose { len: 12, secret: false }),
            ("passcode is ", Anchor::Prose { len: 12, secret: false }),
            ("password was ", Anchor::Prose { len: 13, secret: false }),
            ("secret is ", Anchor::Prose { len: 10, secret: true }),
            ("token is ", Anchor::Prose { len: 9, secret: true }),
            ("key is ", Anchor::Prose { len: 7, secret: true }),
            ("sshpass -p ", Anchor::Prose { len: 11, secret: false }),
            ("password ", Anchor::PasswordArg(9)),
            ("define(", Anchor::Define(7)),
            ("Setenv(", Anchor::Define(7)),
            ("PASSWORD ", Anchor::PasswordArg(9)),
            ("ENV ", Anchor::FishSet(4)),
            ("set -x ", Anchor::FishSet(7)),
            ("set -gx ", Anchor::FishSet(8)),
            ("set -Ux ", Anchor::FishSet(8)),
            ("curl ", Anchor::Curl),
            ("mysql", Anchor::DashP { glued: true }),
            ("docker login ", Anchor::DashP { glued: false }),
            ("eyJhdXRocyI6", Anchor::DockerAuths),
            ("Private-Lines:", Anchor::Putty { escaped: false }),
            ("nPrivate-Lines:", Anchor::Putty { escaped: true }),
        ];
        for (p, a) in extra {
            pats.push((p.as_bytes(), *a));
        }
        for p in ["MD", "MT", "Mj", "Mz", "ND", "NT", "Nj", "Nz", "OD", "OT", "Oj", "Oz"] {
            pats.push((p.as_bytes(), Anchor::DiscordToken));
        }
        let mut bits = vec![0u64; 1024];
        let mut by_key: std::collections::BTreeMap<u16, Vec<usize>> = std::collections::BTreeMap::new();
        for (i, (p, _)) in pats.iter().enumerate() {
            if let [a, b, ..] = **p {
                let k = key2(a, b);
                if let Some(w) = bits.get_mut(k / 64) {
                    *w |= 1 << (k % 64);
                }
                by_key.entry(k as u16).or_default().push(i);
            }
        }
        let mut bucket_of = vec![0u16; 1 << 16].into_boxed_slice();
        let mut buckets = Vec::with_capacity(by_key.len());
        for (k, list) in by_key {
            buckets.push(list);
            if let Some(slot) = bucket_of.get_mut(usize::from(k)) {
                *slot = u16::try_from(buckets.len()).unwrap_or(0);
            }
        }
        let mut bits3 = [0u64; 1024];
        for (p, _) in &pats {
            let thirds: Vec<u8> = match **p {
                [_, _, c, ..] => vec![c],
                _ => (0..=255).collect(),
            };
            for c in thirds {
                if let [a, b, ..] = **p {
                    let h = hash3(a, b, c);
                    if let Some(w) = bits3.get_mut(h / 64) {
                        *w |= 1 << (h % 64);
                    }
                }
            }
        }
        Literals { pats, bits, bits3, bucket_of, buckets }
    })
}

/// A literal anchor may start here: two-byte bitmap, then the bucket's patterns.
#[inline]
pub(super) fn word_start(t: &Text, i: usize, c: u8, lits: &Literals, lim: Limits, sink: &mut Sink) -> Result<(), More> {
    let Some(c2) = t.get(i + 1)? else {
        return Ok(());
    };
    let k = key2(c, c2);
    if !matches!(lits.bits.get(k / 64), Some(w) if w & (1 << (k % 64)) != 0) {
        return Ok(());
    }
    let Some(bucket) =
        lits.bucket_of.get(k).and_then(|&b| usize::from(b).checked_sub(1)).and_then(|b| lits.buckets.get(b))
    else {
        return Ok(());
    };
    if matches!(t.prev(i), Some(b':' | b'_')) && t.in_label(i) {
        return Ok(());
    }
    let mut more = false;
    for &pi in bucket {
        let Some((pat, anchor)) = lits.pats.get(pi) else {
            continue;
        };
        match t.starts_with(i, pat) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(More) => {
                more = true;
                continue;
            }
        }
        if run_anchor(t, i, *anchor, lim, sink) == Err(More) {
            more = true;
        }
    }
    if more {
        Err(More)
    } else {
        Ok(())
    }
}

fn run_anchor(t: &Text, a: usize, anchor: Anchor, lim: Limits, sink: &mut Sink) -> Result<(), More> {
    match anchor {
        Anchor::Token(i) => match TOKENS.get(i) {
            Some(spec) => tokens::detect(t, a, spec, sink),
            None => Ok(()),
        },
        Anchor::Jwt => st::jwt(t, a, lim.max_token, sink),
        Anchor::SlackHook => st::slack_hook(t, a, sink),
        Anchor::DiscordHook(n) => st::discord_hook(t, a, a + n, sink),
        Anchor::Azure(n) => st::azure_key(t, a + n, sink),
        Anchor::Bearer => st::bearer(t, a, sink),
        Anchor::SendGrid => st::sendgrid(t, a, sink),
        Anchor::DiscordToken => st::discord_token(t, a, sink),
        Anchor::AwsContext => st::aws_secret(t, a, sink),
        Anchor::Prose { len, secret } => super::assign::prose(t, a + len, secret, sink),
        Anchor::PasswordArg(len) => super::forms::password_arg(t, a, len, sink),
        Anchor::Define(len) => super::forms::define(t, a + len, sink),
        Anchor::FishSet(len) => super::forms::fish_set(t, a + len, sink),
        Anchor::Curl => super::forms::curl_user(t, a, sink),
        Anchor::DashP { glued } => super::forms::dash_p(t, a, glued, sink),
        Anchor::DockerAuths => st::docker_auths(t, a, lim.max_token, sink),
        Anchor::Putty { escaped } => {
            if escaped && t.prev(a) != Some(b'\\') {
                return Ok(());
            }
            st::putty_private(t, a + usize::from(escaped), lim.pem_max, sink)
        }
    }
}

/// Whether the literal table was built (checked by a test).
#[cfg(test)]
pub(crate) fn literals_ready() -> bool {
    !literals().pats.is_empty()
}
