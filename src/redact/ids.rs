//! National identifiers that start with letters and are anchored on their first digit by looking back:
//! IBAN (country length table + ISO 7064 mod-97), UK National Insurance numbers (prefix rules) and
//! Indian PAN (holder-type letter). All require a non-alphanumeric byte before and after.
use super::checks;
use super::engine::Sink;
use super::kinds::Kind;
use super::text::{More, Text};

const PRIO: u8 = 150;

fn boundary_before(t: &Text, s: usize) -> bool {
    !matches!(t.prev(s), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b']')
}

fn upper_at(t: &Text, i: usize) -> bool {
    matches!(t.b.get(i), Some(c) if c.is_ascii_uppercase())
}

/// How many letters precede the first digit: IBAN and NINO (`GB82…`, `AB123456C`), and PAN (`ABCPA1234F`).
/// The scanner's prefilter keeps a digit run inside a word only at these offsets from the word's start.
pub(crate) const TWO_LETTERS: usize = 2;
pub(crate) const PAN_LETTERS: usize = 5;

/// Tries the look-back identifiers for a digit run starting at `i` right after letters.
pub(crate) fn detect(t: &Text, i: usize, sink: &mut Sink) -> Result<(), More> {
    const N: usize = TWO_LETTERS;
    if i >= N && (1..=N).all(|k| upper_at(t, i - k)) && boundary_before(t, i - N) {
        iban(t, i - N, false, sink)?;
        nino(t, i - N, sink)?;
    }
    if i >= N
        && (1..=N).all(|k| matches!(t.b.get(i - k), Some(c) if c.is_ascii_lowercase()))
        && boundary_before(t, i - N)
    {
        iban(t, i - N, true, sink)?;
    }
    const P: usize = PAN_LETTERS;
    if i >= P && (1..=P).all(|k| upper_at(t, i - k)) && boundary_before(t, i - P) {
        pan(t, i - P, sink)?;
    }
    Ok(())
}

/// A digit run after `XY ` (two capitals and a space): the spaced form of a National Insurance number,
/// `AB 12 34 56 C`. Called for every digit run that follows a space.
pub(crate) fn after_space(t: &Text, i: usize, sink: &mut Sink) -> Result<(), More> {
    if i >= 3 && t.prev(i) == Some(b' ') && upper_at(t, i - 2) && upper_at(t, i - 3) && boundary_before(t, i - 3) {
        nino(t, i - 3, sink)?;
    }
    Ok(())
}

/// IBAN, compact or in groups of four separated by single spaces. Typed in lowercase (`de89 3704 …`) it
/// must be grouped: a compact lowercase string of the right length is as likely a hex digest.
fn iban(t: &Text, s: usize, lower: bool, sink: &mut Sink) -> Result<(), More> {
    let cc = match t.slice(s, s + 2) {
        &[a, b] => [a.to_ascii_uppercase(), b.to_ascii_uppercase()],
        _ => return Ok(()),
    };
    let Some(len) = checks::iban_len(&cc) else {
        return Ok(());
    };
    let letter = |c: u8| if lower { c.is_ascii_lowercase() } else { c.is_ascii_uppercase() };
    let mut buf = [0u8; 34];
    let mut n = 0;
    let mut p = s;
    while n < len {
        match t.get(p)? {
            Some(c) if letter(c) || c.is_ascii_digit() => {
                if n < 4 && (n < 2) != letter(c) {
                    return Ok(());
                }
                if lower && n == 4 && p == s + 4 {
                    return Ok(());
                }
                if let Some(slot) = buf.get_mut(n) {
                    *slot = c.to_ascii_uppercase();
                }
                n += 1;
                p += 1;
            }
            Some(b' ') if n % 4 == 0 && n > 0 && p > s && t.prev(p) != Some(b' ') => p += 1,
            _ => return Ok(()),
        }
    }
    if matches!(t.get(p)?, Some(c) if c.is_ascii_alphanumeric() || c == b'[') {
        return Ok(());
    }
    if checks::iban_mod97(buf.get(..len).unwrap_or_default()) {
        sink.add(s, p, Kind::Iban, PRIO);
    }
    Ok(())
}

/// UK National Insurance number: `AB123456C` or `AB 12 34 56 C`.
fn nino(t: &Text, s: usize, sink: &mut Sink) -> Result<(), More> {
    let (a, b) = (t.b.get(s).copied().unwrap_or(0), t.b.get(s + 1).copied().unwrap_or(0));
    if b"DFIQUV".contains(&a) || b"DFIOQUV".contains(&b) {
        return Ok(());
    }
    if [*b"BG", *b"GB", *b"KN", *b"NK", *b"NT", *b"TN", *b"ZZ"].contains(&[a, b]) {
        return Ok(());
    }
    let mut p = s + 2;
    let spaced = t.get(p)? == Some(b' ');
    if spaced {
        p += 1;
    }
    for k in 0..3 {
        let two = (t.get(p)?, t.get(p + 1)?);
        if !matches!(two, (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit()) {
            return Ok(());
        }
        p += 2;
        if spaced && k < 2 {
            if t.get(p)? != Some(b' ') {
                return Ok(());
            }
            p += 1;
        }
    }
    if spaced && t.get(p)? == Some(b' ') {
        p += 1;
    }
    match t.get(p)? {
        Some(b'A'..=b'D') => {}
        _ => return Ok(()),
    }
    if matches!(t.get(p + 1)?, Some(c) if c.is_ascii_alphanumeric() || c == b'[') {
        return Ok(());
    }
    sink.add(s, p + 1, Kind::UkNino, PRIO);
    Ok(())
}

/// Indian PAN: five letters (fourth is the holder type), four digits, one letter.
fn pan(t: &Text, s: usize, sink: &mut Sink) -> Result<(), More> {
    if !matches!(t.b.get(s + 3), Some(c) if b"ABCFGHLJPT".contains(c)) {
        return Ok(());
    }
    if t.run(s + 5, 4, |c| c.is_ascii_digit())? != 4 {
        return Ok(());
    }
    if !matches!(t.get(s + 9)?, Some(c) if c.is_ascii_uppercase()) {
        return Ok(());
    }
    if matches!(t.get(s + 10)?, Some(c) if c.is_ascii_alphanumeric() || c == b'[') {
        return Ok(());
    }
    sink.add(s, s + 10, Kind::InPan, PRIO);
    Ok(())
}
