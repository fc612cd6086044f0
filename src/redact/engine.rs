//! The scanner: one prefilter pass finds anchors, validators run only around them, overlaps are resolved
//! left to right, and the result is rendered.
//!
//! Anchors come from two passes over the bytes: an Aho–Corasick automaton over literal prefixes
//! (`ghp_`, `AKIA`, `-----BEGIN `, `://`, `eyJ` … all reported, overlapping ones too, so the set of
//! anchors at a position never depends on where the buffer starts), and a table-driven byte scan for
//! digits, `@`, `=` and `:`. Each validator either adds candidates or reports [`More`]; the lowest
//! position that still needs more input is recorded so a stream knows what to hold back.
//!
//! Overlaps are resolved greedily by start, then priority, then length: a decision about a candidate only
//! depends on candidates that start before it, which is what lets a stream commit a prefix early.
use super::kinds::Kind;
use super::structured as st;
use super::text::{More, Text, LEAD};
use super::tokens::{self, TOKENS};
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

/// One possible match, before overlaps are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cand {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub prio: u8,
}

/// Where validators put what they find.
#[derive(Debug)]
pub(crate) struct Sink {
    pub cands: Vec<Cand>,
    /// Lowest position at which a candidate may still start once more input arrives.
    pub pending: usize,
}

impl Sink {
    /// Records a candidate.
    pub fn add(&mut self, start: usize, end: usize, kind: Kind, prio: u8) {
        if start < end {
            self.cands.push(Cand { start, end, kind, prio });
        }
    }

    fn wait(&mut self, anchor: usize) {
        self.pending = self.pending.min(anchor.saturating_sub(LEAD));
    }
}

/// What a literal anchor starts.
#[derive(Debug, Clone, Copy)]
enum Anchor {
    Token(usize),
    Placeholder { hash: bool },
    Jwt,
    Pem,
    UrlPassword,
    SlackHook,
    DiscordHook(usize),
    Azure(usize),
    Bearer,
    SendGrid,
    DiscordToken,
    AwsContext,
}

struct Literals {
    ac: AhoCorasick,
    anchors: Vec<Anchor>,
}

fn literals() -> Option<&'static Literals> {
    static LITS: OnceLock<Option<Literals>> = OnceLock::new();
    LITS.get_or_init(|| {
        let mut pats: Vec<&'static str> = Vec::new();
        let mut anchors = Vec::new();
        for (i, tok) in TOKENS.iter().enumerate() {
            pats.push(tok.prefix);
            anchors.push(Anchor::Token(i));
        }
        let extra: &[(&'static str, Anchor)] = &[
            ("[REDACTED:", Anchor::Placeholder { hash: false }),
            ("[HASH:", Anchor::Placeholder { hash: true }),
            ("eyJ", Anchor::Jwt),
            ("-----BEGIN ", Anchor::Pem),
            ("://", Anchor::UrlPassword),
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
        ];
        for (p, a) in extra {
            pats.push(p);
            anchors.push(*a);
        }
        for p in ["MD", "MT", "Mj", "Mz", "ND", "NT", "Nj", "Nz", "OD", "OT", "Oj", "Oz"] {
            pats.push(p);
            anchors.push(Anchor::DiscordToken);
        }
        let ac = AhoCorasick::builder().match_kind(MatchKind::Standard).build(&pats).ok()?;
        Some(Literals { ac, anchors })
    })
    .as_ref()
}

/// Whether the literal automaton could be built (it always can; checked by a test).
#[cfg(test)]
pub(crate) fn literals_ready() -> bool {
    literals().is_some()
}

const DIGIT: u8 = 1;
const AT: u8 = 2;
const ASSIGN: u8 = 3;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] = DIGIT;
        c += 1;
    }
    t[b'@' as usize] = AT;
    t[b'=' as usize] = ASSIGN;
    t[b':' as usize] = ASSIGN;
    t
};

/// Limits that shape candidates (from settings).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_token: usize,
    pub pem_max: usize,
}

/// Finds every candidate in `t`; anchors are visited in any order, results are sorted by the resolver.
pub(crate) fn scan(t: &Text, lim: Limits, sink: &mut Sink) {
    if let Some(lits) = literals() {
        for m in lits.ac.find_overlapping_iter(t.b) {
            let a = m.start();
            let Some(anchor) = lits.anchors.get(m.pattern().as_usize()) else {
                continue;
            };
            let r = match *anchor {
                Anchor::Token(i) => match TOKENS.get(i) {
                    Some(spec) => tokens::detect(t, a, spec, sink),
                    None => Ok(()),
                },
                Anchor::Placeholder { hash } => st::placeholder(t, a, hash, sink),
                Anchor::Jwt => st::jwt(t, a, lim.max_token, sink),
                Anchor::Pem => st::pem(t, a, lim.pem_max, sink),
                Anchor::UrlPassword => st::url_password(t, a, sink),
                Anchor::SlackHook => st::slack_hook(t, a, sink),
                Anchor::DiscordHook(n) => st::discord_hook(t, a, a + n, sink),
                Anchor::Azure(n) => st::azure_key(t, a + n, sink),
                Anchor::Bearer => st::bearer(t, a, sink),
                Anchor::SendGrid => st::sendgrid(t, a, sink),
                Anchor::DiscordToken => st::discord_token(t, a, sink),
                Anchor::AwsContext => st::aws_secret(t, a, sink),
            };
            if r == Err(More) {
                sink.wait(a);
            }
        }
    }
    scan_bytes(t, sink);
}

fn scan_bytes(t: &Text, sink: &mut Sink) {
    let b = t.b;
    let visit = |i: usize, class: u8, sink: &mut Sink| {
        let r = match class {
            DIGIT if !matches!(t.prev(i), Some(c) if c.is_ascii_digit()) => super::numbers::detect(t, i, sink),
            AT => super::email::detect(t, i, sink),
            ASSIGN => super::assign::detect(t, i, sink),
            _ => Ok(()),
        };
        if r == Err(More) {
            sink.wait(i);
        }
    };
    let mut chunks = b.chunks_exact(16);
    let mut base = 0;
    for chunk in chunks.by_ref() {
        let mut any = 0u8;
        for &c in chunk {
            any |= CLASS[usize::from(c)];
        }
        if any != 0 {
            for (k, &c) in chunk.iter().enumerate() {
                let class = CLASS[usize::from(c)];
                if class != 0 {
                    visit(base + k, class, sink);
                }
            }
        }
        base += 16;
    }
    for (k, &c) in chunks.remainder().iter().enumerate() {
        let class = CLASS[usize::from(c)];
        if class != 0 {
            visit(base + k, class, sink);
        }
    }
}

/// Resolves overlaps: sorted by start, then priority, then length; a candidate is kept when it starts at
/// or after the end of the last kept one. Candidates not on char boundaries are dropped (never happens for
/// the ASCII-delimited formats, but slicing must not panic).
pub(crate) fn resolve(text: &str, mut cands: Vec<Cand>) -> Vec<Cand> {
    cands.retain(|c| text.is_char_boundary(c.start) && text.is_char_boundary(c.end) && c.end <= text.len());
    cands.sort_unstable_by(|x, y| {
        x.start.cmp(&y.start).then(y.prio.cmp(&x.prio)).then(y.end.cmp(&x.end)).then(x.kind.cmp(&y.kind))
    });
    let mut out: Vec<Cand> = Vec::with_capacity(cands.len());
    let mut last_end = 0;
    for c in cands {
        if c.start >= last_end {
            last_end = c.end;
            out.push(c);
        }
    }
    out
}
