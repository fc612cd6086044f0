//! Checksums and statistics that separate real identifiers from look-alikes: Luhn (cards), ISO 7064
//! mod-97 (IBAN), Verhoeff (Aadhaar), Shannon entropy and character-class tests (assigned secrets).
//! Pure functions over ASCII digits/bytes; they never panic on odd input, they just say "no".

/// Luhn checksum over ASCII digits (non-digits are ignored by the caller having filtered them).
pub(crate) fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d.wrapping_sub(b'0'));
        if v > 9 {
            return false;
        }
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// Verhoeff checksum (Aadhaar numbers).
pub(crate) fn verhoeff(digits: &[u8]) -> bool {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 8, 7, 6, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    let mut c = 0u8;
    for (i, &d) in digits.iter().rev().enumerate() {
        let v = d.wrapping_sub(b'0');
        if v > 9 {
            return false;
        }
        let p = P[i % 8][usize::from(v)];
        c = D[usize::from(c)][usize::from(p)];
    }
    !digits.is_empty() && c == 0
}

/// ISO 13616 IBAN check: rearranged, letters to numbers, mod 97 == 1. `iban` is uppercase alphanumeric.
pub(crate) fn iban_mod97(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let (head, tail) = iban.split_at(4);
    // Accumulate in 64 bits and reduce only when the next step could overflow: one `%` per ~16 digits
    // instead of one per character.
    let mut rem = 0u64;
    for &c in tail.iter().chain(head) {
        if rem >= 1 << 56 {
            rem %= 97;
        }
        match c {
            b'0'..=b'9' => rem = rem * 10 + u64::from(c - b'0'),
            b'A'..=b'Z' => rem = rem * 100 + u64::from(c - b'A' + 10),
            _ => return false,
        }
    }
    rem % 97 == 1
}

/// Whether `needle` occurs in `hay` (short needles; the first byte filters before a full compare).
#[inline]
pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else { return true };
    hay.windows(needle.len()).any(|w| w.first() == Some(&first) && w == needle)
}

/// Whether `word` is one of `list` (the length and first byte filter before a full compare).
#[inline]
pub(crate) fn one_of(word: &[u8], list: &[&str]) -> bool {
    list.iter().any(|l| l.len() == word.len() && l.as_bytes().first() == word.first() && l.as_bytes() == word)
}

/// Like [`one_of`], ignoring ASCII case.
pub(crate) fn one_of_ci(word: &[u8], list: &[&str]) -> bool {
    list.iter().any(|l| l.as_bytes().eq_ignore_ascii_case(word))
}

/// IBAN length by country code (ISO 13616 registry).
pub(crate) fn iban_len(cc: &[u8]) -> Option<usize> {
    const T: &[(&[u8; 2], usize)] = &[
        (b"AD", 24),
        (b"AE", 23),
        (b"AL", 28),
        (b"AT", 20),
        (b"AZ", 28),
        (b"BA", 20),
        (b"BE", 16),
        (b"BG", 22),
        (b"BH", 22),
        (b"BR", 29),
        (b"BY", 28),
        (b"CH", 21),
        (b"CR", 22),
        (b"CY", 28),
        (b"CZ", 24),
        (b"DE", 22),
        (b"DK", 18),
        (b"DO", 28),
        (b"EE", 20),
        (b"EG", 29),
        (b"ES", 24),
        (b"FI", 18),
        (b"FO", 18),
        (b"FR", 27),
        (b"GB", 22),
        (b"GE", 22),
        (b"GI", 23),
        (b"GL", 18),
        (b"GR", 27),
        (b"GT", 28),
        (b"HR", 21),
        (b"HU", 28),
        (b"IE", 22),
        (b"IL", 23),
        (b"IQ", 23),
        (b"IS", 26),
        (b"IT", 27),
        (b"JO", 30),
        (b"KW", 30),
        (b"KZ", 20),
        (b"LB", 28),
        (b"LC", 32),
        (b"LI", 21),
        (b"LT", 20),
        (b"LU", 20),
        (b"LV", 21),
        (b"MC", 27),
        (b"MD", 24),
        (b"ME", 22),
        (b"MK", 19),
        (b"MR", 27),
        (b"MT", 31),
        (b"MU", 30),
        (b"NL", 18),
        (b"NO", 15),
        (b"PK", 24),
        (b"PL", 28),
        (b"PS", 29),
        (b"PT", 25),
        (b"QA", 29),
        (b"RO", 24),
        (b"RS", 22),
        (b"RU", 33),
        (b"SA", 24),
        (b"SC", 31),
        (b"SE", 24),
        (b"SI", 19),
        (b"SK", 24),
        (b"SM", 27),
        (b"ST", 25),
        (b"SV", 28),
        (b"TL", 23),
        (b"TN", 24),
        (b"TR", 26),
        (b"UA", 29),
        (b"VA", 22),
        (b"VG", 24),
        (b"XK", 20),
    ];
    T.iter().find(|(c, _)| c.as_slice() == cc).map(|(_, n)| *n)
}

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(s: &[u8]) -> f64 {
    Histogram::of(s).entropy()
}

/// Byte counts of a short string, with the distinct bytes listed so nothing walks all 256 counters.
struct Histogram {
    counts: [u16; 256],
    seen: [u8; 256],
    distinct: usize,
    n: usize,
}

impl Histogram {
    fn of(s: &[u8]) -> Histogram {
        let mut h = Histogram { counts: [0; 256], seen: [0; 256], distinct: 0, n: s.len() };
        for &c in s {
            // Branch-free: in a random token "first time seen?" is a coin flip the predictor keeps losing.
            let slot = &mut h.counts[usize::from(c)];
            let new = *slot == 0;
            *slot = slot.saturating_add(1);
            if let Some(free) = h.seen.get_mut(h.distinct) {
                *free = c;
            }
            h.distinct += usize::from(new);
        }
        h
    }

    /// `H = log2(n) − Σ c·log2(c) / n`, with `c·log2(c)` from a table for the counts tokens have.
    fn entropy(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let table = clog2_table();
        let sum: f64 = self.seen[..self.distinct]
            .iter()
            .map(|&c| {
                let k = self.counts[usize::from(c)];
                table.get(usize::from(k)).copied().unwrap_or_else(|| f64::from(k) * f64::from(k).log2())
            })
            .sum();
        let n = self.n as f64;
        n.log2() - sum / n
    }
}

/// `c·log2(c)` for `c` in `0..1024` (0 for 0).
fn clog2_table() -> &'static [f64; 1024] {
    static T: std::sync::OnceLock<Box<[f64; 1024]>> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut t = Box::new([0.0; 1024]);
        for (c, v) in t.iter_mut().enumerate().skip(1) {
            let c = c as f64;
            *v = c * c.log2();
        }
        t
    })
}

/// Which character classes occur: (lower, upper, digit, other).
pub(crate) fn classes(s: &[u8]) -> (bool, bool, bool, bool) {
    let mut r = (false, false, false, false);
    for &c in s {
        match c {
            b'a'..=b'z' => r.0 = true,
            b'A'..=b'Z' => r.1 = true,
            b'0'..=b'9' => r.2 = true,
            _ => r.3 = true,
        }
    }
    r
}

/// A random-looking token body: enough distinct characters and entropy for its length (placeholders like
/// `xxxxxxxx` have very few distinct bytes).
pub(crate) fn looks_random(s: &[u8]) -> bool {
    let need = if s.len() >= 24 { 10 } else { (s.len() / 3).max(4) };
    let h = Histogram::of(s);
    if h.distinct < need {
        return false;
    }
    // Shannon entropy is at least the min-entropy log2(n / max). With max · 8 < n, n / max ≥ 8 + 1/max, so
    // that is at least 3 + log2(1 + 1/(8 · max)) bits: over 3.0014 for the values judged here (≤ 1 KiB, so
    // max < 128), far beyond rounding, and the sum below would say yes too. Random bodies skip it.
    let max = h.seen[..h.distinct].iter().map(|&c| h.counts[usize::from(c)]).max().unwrap_or(0);
    if usize::from(max) * 8 < h.n {
        return true;
    }
    h.entropy() >= 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums() {
        assert!(luhn(b"4111111111111111"));
        assert!(!luhn(b"4111111111111112"));
        assert!(verhoeff(b"234123412346"));
        assert!(!verhoeff(b"234123412345"));
        assert!(iban_mod97(b"GB82WEST12345698765432"));
        assert!(!iban_mod97(b"GB82WEST12345698765433"));
        // The longest IBANs (Russia, 33; Saint Lucia, 32) exercise the deferred reduction.
        assert!(iban_mod97(b"RU0204452560040702810412345678901"));
        assert!(iban_mod97(b"LC55HEMM000100010012001200023015"));
        assert!(!iban_mod97(b"LC55HEMM000100010012001200023016"));
        assert!(contains(b"my_password", b"pass") && !contains(b"pas", b"pass") && contains(b"x", b""));
        assert!(one_of(b"id", &["ids", "id"]) && !one_of(b"i", &["ids", "id"]));
        assert_eq!(iban_len(b"DE"), Some(22));
        assert!(entropy(b"aaaa") < 0.1);
        assert_eq!(entropy(b""), 0.0);
        assert!((entropy(b"abcdefgh") - 3.0).abs() < 1e-12);
        assert!((entropy(b"aabb") - 1.0).abs() < 1e-12);
        assert!(looks_random(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assert!(!looks_random(b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
    }

    /// The min-entropy shortcut never changes the answer of the full entropy test.
    #[test]
    fn looks_random_shortcut_agrees_with_entropy() {
        let full = |s: &[u8]| {
            let need = if s.len() >= 24 { 10 } else { (s.len() / 3).max(4) };
            Histogram::of(s).distinct >= need && entropy(s) >= 3.0
        };
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for len in 1..300usize {
            for alphabet in [2u64, 4, 7, 8, 9, 12, 16, 26, 36, 62, 200] {
                let s: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        (x % alphabet) as u8 + b'!'
                    })
                    .collect();
                assert_eq!(looks_random(&s), full(&s), "{len} {alphabet}");
            }
            // Exactly uniform over 8 symbols: entropy exactly 3, the shortcut must not decide it.
            let u: Vec<u8> = (0..len * 8).map(|i| b'a' + (i % 8) as u8).collect();
            assert_eq!(looks_random(&u), full(&u));
        }
    }

    /// The table form agrees with the textbook sum `−Σ p·log2(p)` to rounding.
    #[test]
    fn entropy_matches_the_definition() {
        let textbook = |s: &[u8]| {
            let mut counts = [0u32; 256];
            s.iter().for_each(|&c| counts[usize::from(c)] += 1);
            let n = s.len() as f64;
            counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum::<f64>()
        };
        let long: Vec<u8> = (0..4000u32).map(|i| if i % 2 == 0 { b'a' } else { (i * 7 % 61) as u8 + b'A' }).collect();
        let samples: [&[u8]; 5] =
            [b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", b"ghp_A1b2C3d4E5f6", b"zz", b"\xff\x00\x00", &long];
        for s in samples {
            assert!((entropy(s) - textbook(s)).abs() < 1e-9, "{:?}", String::from_utf8_lossy(s));
        }
    }
}
