//! The scanner: one prefilter pass finds anchors, validators run only around them, overlaps are resolved
//! left to right, and the result is rendered.
//!
//! Anchors come from one table-driven pass over the bytes: at every word start the first bytes are looked
//! up in the bitmaps of literal prefixes kept in [`super::literals`] (`ghp_`, `AKIA`, `eyJ`,
//! `hooks.slack.com/` …; all patterns of the bucket are tried, so overlapping prefixes like `sk-`/`sk-ant-`
//! both fire), and digits, `@`, `=`, `:`, `[`, `-` and `<` dispatch to their validators. (An Aho–Corasick
//! automaton over the ~170 literals was the first design; with that many start bytes it has no prefilter
//! and ran at ~330 MiB/s.) Each validator either adds candidates or reports [`More`]; the lowest position
//! that still needs more input is recorded so a stream knows what to hold back.
//!
//! Overlaps are resolved greedily by start, then priority, then length: a decision about a candidate only
//! depends on candidates that start before it, which is what lets a stream commit a prefix early.
use super::kinds::Kind;
use super::literals::{literals, word_start, Literals};
use super::structured as st;
use super::text::{More, Text, LEAD};

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
    /// Digit runs that start before this position were already decided by the number validator, as inner
    /// groups of a run it parsed (`1111` in `4111 1111 1111 1111`); the scanner does not visit them again.
    pub numbers_done: usize,
}

impl Sink {
    pub fn new() -> Self {
        Sink { cands: Vec::new(), pending: usize::MAX, numbers_done: 0 }
    }

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

const WORD: u8 = 0x80;
const DIGIT: u8 = 1;
const AT: u8 = 2;
const ASSIGN: u8 = 3;
const BRACKET: u8 = 4;
const DASH: u8 = 5;
const TAG: u8 = 6;

/// Per byte: `WORD` for `[A-Za-z0-9]` plus the anchor class, if any.
static FLAGS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0usize;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() {
            t[c] = WORD;
        }
        if b.is_ascii_digit() {
            t[c] |= DIGIT;
        }
        c += 1;
    }
    t[b'@' as usize] = AT;
    t[b'=' as usize] = ASSIGN;
    t[b':' as usize] = ASSIGN;
    t[b'[' as usize] = BRACKET;
    t[b'-' as usize] = DASH;
    t[b'<' as usize] = TAG;
    t
};

/// Limits that shape candidates (from settings).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_token: usize,
    pub pem_max: usize,
}

/// Finds every candidate in `t`; anchors are visited in any order, results are sorted by the resolver.
///
/// Nothing inside one of our own placeholders (`[REDACTED:GITHUB_TOKEN]`, `[HASH:EMAIL:9f2c…]`) is visited:
/// whatever an anchor there found would start inside the placeholder, which outranks it. Already redacted
/// text (every second pass, and prompts that quote earlier redacted tool results) is mostly placeholders.
/// `scan_every_anchor` (tests) visits every byte instead, and a property test checks both resolve the same:
/// that proves the prefilter keeps every position that matters and the skip loses nothing.
pub(crate) fn scan(t: &Text, lim: Limits, sink: &mut Sink) {
    let lits = literals();
    // Anchors before this position are inside a placeholder just found.
    let mut skip = 0usize;
    let visit = |i: usize, skip: &mut usize, sink: &mut Sink| {
        if i < *skip {
            return;
        }
        let before = sink.cands.len();
        let numbers = i >= sink.numbers_done;
        visit_at(t, i, lits, lim, numbers, sink);
        if sink.cands.len() > before {
            if let Some(c) = sink.cands.last().filter(|c| c.kind == Kind::Placeholder && c.start == i) {
                *skip = c.end;
            }
        }
    };
    let b = t.b;
    // Fast path, 64 bytes at a time: classify every byte with comparisons the compiler vectorizes, pack the
    // classes into bit masks, and look up the literal bitmap only at word starts. What is left in the mask
    // is a superset of the positions `visit_at` acts on.
    let mut base = 0;
    let mut prev_word = false;
    let mut prev_digit = false;
    let mut prev_starts = 0u64;
    while let Some(blk) = b.get(base..base + BLOCK + 2) {
        let (word, digit, punct) = classify_block(blk);
        let after_word = (word << 1) | u64::from(prev_word);
        let starts = word & !after_word;
        // Only the first digit of a run: `visit_at` ignores a digit after a digit. A run inside a word
        // (`A1b2`, `NN7`) only matters to the look-back identifiers, which need it 2 (`GB82`, `AB12…`) or 5
        // (`ABCPA1234A`) bytes after the word's start (word starts of the previous block carry over).
        let run_starts = digit & !((digit << 1) | u64::from(prev_digit));
        let (two, pan) = (super::ids::TWO_LETTERS, super::ids::PAN_LETTERS);
        let id_offsets =
            (starts << two) | (prev_starts >> (BLOCK - two)) | (starts << pan) | (prev_starts >> (BLOCK - pan));
        let mut mask = punct | (run_starts & (!after_word | id_offsets));
        let mut s = starts;
        while s != 0 {
            let k = s.trailing_zeros() as usize;
            s &= s - 1;
            if let Some(&[c, c1, c2]) = blk.get(k..k + 3) {
                mask |= u64::from(lits.may_start(c, c1, c2)) << k;
            }
        }
        while mask != 0 {
            let i = base + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            visit(i, &mut skip, sink);
            // Inside a placeholder just found: drop its anchors from the mask at once.
            if skip > i + 1 {
                let k = skip - base;
                mask &= if k >= BLOCK { 0 } else { !((1u64 << k) - 1) };
            }
        }
        prev_word = word >> 63 != 0;
        prev_digit = digit >> 63 != 0;
        prev_starts = starts;
        base += BLOCK;
    }
    // The last partial block (all of a short text): the same test one byte at a time.
    for i in base..b.len() {
        let worth = match b.get(i..i + 3) {
            Some(&[c, c1, c2]) => {
                let f = FLAGS[usize::from(c)];
                let start = f & WORD != 0 && !(i > 0 && b.get(i - 1).is_some_and(u8::is_ascii_alphanumeric));
                f & !WORD != 0 || (start && lits.may_start(c, c1, c2))
            }
            _ => true,
        };
        if worth {
            visit(i, &mut skip, sink);
        }
    }
}

/// The reference [`scan`] is checked against: every byte is visited, with no prefilter and no placeholder
/// skip.
#[cfg(test)]
pub(crate) fn scan_every_anchor(t: &Text, lim: Limits, sink: &mut Sink) {
    let lits = literals();
    for i in 0..t.b.len() {
        visit_at(t, i, lits, lim, true, sink);
    }
}

const BLOCK: usize = 64;

/// Bit masks over the first 64 bytes of `blk`: `[A-Za-z0-9]`, `[0-9]`, and the punctuation anchors (`@`,
/// `=`, `:`, `[`, `-`, `<`).
#[inline]
fn classify_block(blk: &[u8]) -> (u64, u64, u64) {
    let mut word = [0u8; BLOCK];
    let mut digits = [0u8; BLOCK];
    let mut punct = [0u8; BLOCK];
    for (((w, d), p), &c) in word.iter_mut().zip(digits.iter_mut()).zip(punct.iter_mut()).zip(blk) {
        let digit = c.wrapping_sub(b'0') < 10;
        let alpha = (c | 0x20).wrapping_sub(b'a') < 26;
        *w = u8::from(digit | alpha);
        *d = u8::from(digit);
        *p = u8::from((c == b'@') | (c == b'=') | (c == b':') | (c == b'[') | (c == b'-') | (c == b'<'));
    }
    (pack(&word), pack(&digits), pack(&punct))
}

/// Packs 64 bytes that are each 0 or 1 into a bit mask (byte `k` → bit `k`).
#[inline]
fn pack(flags: &[u8; BLOCK]) -> u64 {
    let mut m = 0u64;
    for (j, chunk) in flags.chunks_exact(8).enumerate() {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        let x = u64::from_le_bytes(eight);
        m |= (x.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * j);
    }
    m
}

/// Everything that may start at byte `i`; digit runs only if `numbers` (else the number validator already
/// decided this one as an inner group of a run).
#[inline]
fn visit_at(t: &Text, i: usize, lits: &Literals, lim: Limits, numbers: bool, sink: &mut Sink) {
    let Some(&c) = t.b.get(i) else { return };
    let f = FLAGS[usize::from(c)];
    if f & WORD != 0
        && !matches!(t.prev(i), Some(p) if p.is_ascii_alphanumeric())
        && word_start(t, i, c, lits, lim, sink) == Err(More)
    {
        sink.wait(i);
    }
    let class = f & !WORD;
    if class != 0 && (numbers || class != DIGIT) && visit(t, i, class, lim, sink) == Err(More) {
        sink.wait(i);
    }
}

/// Punctuation and digit anchors.
fn visit(t: &Text, i: usize, class: u8, lim: Limits, sink: &mut Sink) -> Result<(), More> {
    match class {
        DIGIT if !matches!(t.prev(i), Some(c) if c.is_ascii_digit()) => {
            if t.prev(i) == Some(b'%') && t.starts_with(i, b"40")? {
                super::email::detect_encoded(t, i - 1, sink)?;
            }
            super::numbers::detect(t, i, sink)
        }
        AT => super::email::detect(t, i, sink),
        ASSIGN => {
            if t.b.get(i) == Some(&b':') {
                if t.starts_with(i, b"://")? {
                    return st::url_password(t, i, sink);
                }
                if t.prev(i).is_some_and(|c| c.is_ascii_digit()) {
                    super::numbers::bot_url_token(t, i, sink)?;
                }
                if matches!(t.prev(i), Some(c) if c.is_ascii_digit() || c == b'*') {
                    super::forms::pgpass(t, i, sink)?;
                }
            }
            super::assign::detect(t, i, sink)
        }
        BRACKET => {
            if t.starts_with(i, b"[REDACTED:")? {
                st::placeholder(t, i, false, sink)?;
            } else if t.starts_with(i, b"[HASH:")? {
                st::placeholder(t, i, true, sink)?;
            }
            Ok(())
        }
        DASH if t.starts_with(i, b"-----BEGIN ")? => st::pem(t, i, lim.pem_max, sink),
        TAG => super::forms::xml_element(t, i, sink),
        _ => Ok(()),
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
