//! A read-only view of the text being scanned that knows whether more text may follow.
//!
//! Every detector reads *forward* through [`Text::get`], which answers [`More`] when it would need a byte the
//! stream has not delivered yet. That single rule is what makes streaming exact: a detector either decides
//! with the bytes it has, or says "ask me again later", and the stream holds back from that point. Reads
//! *backward* (context words, the local part of an email) use [`Text::prev`] and are bounded by
//! [`LOOKBACK`], which the stream keeps as already-emitted context.

/// The detector needs bytes beyond the end of the buffer to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct More;

/// How far any detector may look back from the start of a candidate (bytes). The stream keeps at least
/// this much emitted text as context.
pub(crate) const LOOKBACK: usize = 384;

/// How far before its anchor a candidate may start, and how long a literal anchor may be: the stream
/// always holds back this many bytes so an anchor that has not fully arrived cannot be missed.
pub(crate) const LEAD: usize = 96;

/// The buffer plus whether it is the whole rest of the input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text<'a> {
    pub b: &'a [u8],
    pub eof: bool,
}

impl<'a> Text<'a> {
    /// The byte at `i`: `Ok(None)` past the end of a finished input, `Err(More)` past the end of a stream.
    #[inline]
    pub fn get(&self, i: usize) -> Result<Option<u8>, More> {
        match self.b.get(i) {
            Some(&c) => Ok(Some(c)),
            None if self.eof => Ok(None),
            None => Err(More),
        }
    }

    /// The byte just before `i` (`None` at the start).
    #[inline]
    pub fn prev(&self, i: usize) -> Option<u8> {
        i.checked_sub(1).and_then(|j| self.b.get(j).copied())
    }

    /// Length of the run of bytes matching `f` from `i`, reading at most `max + 1` of them, so a result of
    /// `max + 1` means "longer than max".
    #[inline]
    pub fn run(&self, i: usize, max: usize, f: impl Fn(u8) -> bool) -> Result<usize, More> {
        let mut n = 0;
        while n <= max {
            match self.get(i + n)? {
                Some(c) if f(c) => n += 1,
                _ => break,
            }
        }
        Ok(n)
    }

    /// Length of the run of bytes matching `f` ending just before `i`, at most `max + 1`.
    #[inline]
    pub fn back_run(&self, i: usize, max: usize, f: impl Fn(u8) -> bool) -> usize {
        let mut n = 0;
        while n <= max && n < i {
            match self.b.get(i - n - 1) {
                Some(&c) if f(c) => n += 1,
                _ => break,
            }
        }
        n
    }

    /// Whether `lit` occurs at `i` (asks for more only while the bytes seen so far agree).
    #[inline]
    pub fn starts_with(&self, i: usize, lit: &[u8]) -> Result<bool, More> {
        // All bytes here: one compare (the same answer as the loop below, which only matters near the end).
        if let Some(here) = self.b.get(i..i.saturating_add(lit.len())) {
            return Ok(here == lit);
        }
        for (k, &want) in lit.iter().enumerate() {
            match self.get(i + k)? {
                Some(c) if c == want => {}
                _ => return Ok(false),
            }
        }
        Ok(true)
    }

    /// The bytes `[from, to)` clamped to the buffer.
    #[inline]
    pub fn slice(&self, from: usize, to: usize) -> &'a [u8] {
        let to = to.min(self.b.len());
        self.b.get(from.min(to)..to).unwrap_or_default()
    }

    /// Whether `i` is inside the label of one of our own placeholders (`[REDACTED:AWS_SECRET_KEY]`,
    /// `[HASH:US_SSN:…]`). A label must never act as an anchor or as context: otherwise each redaction
    /// could make the next value recognizable, and no number of passes would reach a fixed point.
    pub fn in_label(&self, i: usize) -> bool {
        let n = self.back_run(i, 40, |c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
        if n > 40 {
            return false;
        }
        let before = self.slice((i - n).saturating_sub(10), i - n);
        before.ends_with(b"[REDACTED:") || before.ends_with(b"[HASH:")
    }

    /// Whether the byte at `i` is the `]` that ends one of our placeholders (`[REDACTED:PHONE_NUMBER]`,
    /// `[HASH:EMAIL:0123456789ab]`).
    pub fn ends_placeholder(&self, i: usize) -> bool {
        if self.b.get(i) != Some(&b']') {
            return false;
        }
        let hex = self.back_run(i, 12, |c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
        let label_end = if hex == 12 && i >= 13 && self.b.get(i - 13) == Some(&b':') { i - 13 } else { i };
        self.in_label(label_end)
    }

    /// Whether one of `words` (lowercase ASCII) occurs as a word in the `window` bytes before `i`. A space
    /// in a word also matches `_` or `-`, and a word may end where a camelCase word begins, so field names
    /// count (`social_security_number`, `phoneNumber`). Words inside our placeholders' labels do not count
    /// (see [`Text::in_label`]).
    pub fn context_before(&self, i: usize, window: usize, words: &[&str]) -> bool {
        let hay = self.slice(i.saturating_sub(window), i);
        let start = i.saturating_sub(window);
        let same = |h: u8, w: u8| h.eq_ignore_ascii_case(&w) || (w == b' ' && (h == b'_' || h == b'-'));
        words.iter().any(|w| {
            let w = w.as_bytes();
            hay.windows(w.len()).enumerate().any(|(k, win)| {
                let camel_end = win.last().is_some_and(u8::is_ascii_lowercase);
                win.iter().zip(w).all(|(&h, &c)| same(h, c))
                    && !matches!(self.prev(start + k), Some(c) if c.is_ascii_alphanumeric() || c == b':')
                    && !matches!(hay.get(k + w.len()), Some(c) if c.is_ascii_lowercase() || (c.is_ascii_uppercase() && !camel_end))
                    && !self.in_label(start + k)
            })
        })
    }
}

/// Whether `s` holds one of our placeholders or masks. A rule that looks for a flag or a keyword within a
/// fixed distance must not look across one: replacing a long value with a shorter placeholder could
/// bring the keyword within reach, and redacting twice would differ from redacting once.
pub(crate) fn has_replacement(s: &[u8]) -> bool {
    s.windows(3).any(|w| w == b"***") || s.windows(6).any(|w| w == b"[HASH:" || w == b"[REDAC")
}

/// `[A-Za-z0-9_]`.
#[inline]
pub(crate) fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// A byte that glues what follows to what precedes: a word byte, or the `]` that ends a placeholder (so a
/// value glued to a redacted neighbour is judged the same before and after the neighbour is redacted).
#[inline]
pub(crate) fn glues(c: u8) -> bool {
    is_word(c) || c == b']'
}

/// `[A-Za-z0-9_-]`: the base64url alphabet most tokens use.
#[inline]
pub(crate) fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// `[A-Za-z0-9+/]`: the standard base64 alphabet without padding.
#[inline]
pub(crate) fn is_b64(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}
