//! Numbers that identify people or accounts: payment cards (issuer ranges + Luhn), US SSNs (range rules),
//! Aadhaar (Verhoeff), phone numbers (E.164, NANP, trunk-0 national formats) and Telegram bot tokens
//! (`<bot id>:<35 chars>`), all found from one parse of the digit groups at the start of a digit run.
//!
//! A digit run is parsed once into up to eight groups joined by short separators (` `, `-`, `.`, parens).
//! Each detector then tries the longest prefix of groups that it accepts; a prefix may end only before a
//! plain space (so `415-555-0134-22` is not a phone number) or at a non-alphanumeric byte. Dates, times,
//! versions, IP addresses, ISBNs and UUIDs fail these shapes.
use super::checks;
use super::engine::Sink;
use super::kinds::Kind;
use super::text::{is_b64url, More, Text};

const MAX_GROUPS: usize = 8;
const PHONE_WORDS: &[&str] = &[
    "phone",
    "tel",
    "telephone",
    "mobile",
    "cell",
    "call",
    "fax",
    "whatsapp",
    "sms",
    "contact",
    "mob",
    "móvil",
    "movil",
    "teléfono",
    "telefono",
    "tlf",
    "celular",
    "handy",
    "telefon",
    "mobil",
    "手机",
    "电话",
];
const SSN_WORDS: &[&str] =
    &["ssn", "ssns", "social security", "socialsecurity", "soc sec", "ss#", "ss no", "ssn#", "tin"];
const AADHAAR_WORDS: &[&str] = &["aadhaar", "aadhar", "uidai", "uid"];

/// The digit groups of one run.
struct Groups {
    /// Digit spans.
    g: [(usize, usize); MAX_GROUPS],
    /// Separator spans; `sep[k]` precedes group `k` (`sep[0]` unused).
    sep: [(usize, usize); MAX_GROUPS],
    n: usize,
}

fn sep_ok(s: &[u8]) -> bool {
    matches!(s, b" " | b"-" | b"." | b"(" | b")" | b" (" | b") " | b")-" | b"-(" | b" - ")
}

/// Parses the groups of the run at `i` into `gr` (filled in place: the struct is too big to move around
/// per digit run); false when a group is longer than 24 digits.
fn parse(t: &Text, i: usize, gr: &mut Groups) -> Result<bool, More> {
    let mut p = i;
    loop {
        let d = t.run(p, 24, |c| c.is_ascii_digit())?;
        if d > 24 {
            return Ok(false);
        }
        if let Some(slot) = gr.g.get_mut(gr.n) {
            *slot = (p, p + d);
        }
        gr.n += 1;
        p += d;
        if gr.n == MAX_GROUPS {
            break;
        }
        let s = t.run(p, 3, |c| matches!(c, b' ' | b'-' | b'.' | b'(' | b')'))?;
        if s == 0 || s > 3 || !sep_ok(t.slice(p, p + s)) {
            break;
        }
        if !matches!(t.get(p + s)?, Some(c) if c.is_ascii_digit()) {
            break;
        }
        if let Some(slot) = gr.sep.get_mut(gr.n) {
            *slot = (p, p + s);
        }
        p += s;
    }
    Ok(true)
}

/// Entry point for a digit run starting at `i` (the byte before is not a digit).
///
/// Every group after the first is a digit run of its own, which the scanner would visit next and parse
/// again (three times for the inner groups of `4111 1111 1111 1111`). They are decided here from the same
/// parse, exactly as `detect` at their start would decide them, and `sink.numbers_done` tells the scanner
/// to skip them. A property test checks this against a scan that visits every byte.
pub(crate) fn detect(t: &Text, i: usize, sink: &mut Sink) -> Result<(), More> {
    let Some(lead) = prelude(t, i, sink)? else {
        return Ok(());
    };
    // Filled in place: the tables are too big to move around per digit run.
    let mut run = Run {
        gr: Groups { g: [(0, 0); MAX_GROUPS], sep: [(0, 0); MAX_GROUPS], n: 0 },
        digits: [0u8; MAX_GROUPS * 24],
        cum: [0usize; MAX_GROUPS + 1],
        seps: [&[]; MAX_GROUPS],
        lens: [0usize; MAX_GROUPS],
        end: 0,
        end_ok: false,
    };
    if !parse(t, i, &mut run.gr)? {
        return Ok(());
    }
    run.index(t)?;
    run.candidates(t, 0, lead, sink)?;
    // A run cut at `MAX_GROUPS`: an inner group's own parse would read further.
    let n = run.gr.n;
    if n == MAX_GROUPS {
        return Ok(());
    }
    for j in 1..n {
        let s = run.gr.g[j].0;
        let before = sink.cands.len();
        let decided = match prelude(t, s, sink) {
            Ok(Some(lead)) => run.candidates(t, j, lead, sink),
            Ok(None) => Ok(()),
            Err(More) => Err(More),
        };
        if decided.is_err() {
            // Left to the scanner, which visits `s` itself and records that it needs more input.
            sink.cands.truncate(before);
            sink.numbers_done = s;
            return Ok(());
        }
    }
    sink.numbers_done = run.end;
    Ok(())
}

/// What `detect` checks before parsing. `None` when no number starts at `i` (the look-back identifiers
/// are tried here), else the position of a leading `+` or `(`, if any.
fn prelude(t: &Text, i: usize, sink: &mut Sink) -> Result<Option<Option<usize>>, More> {
    let prev = t.prev(i);
    if matches!(prev, Some(c) if c.is_ascii_alphabetic() || c == b'_') {
        super::ids::detect(t, i, sink)?;
        return Ok(None);
    }
    if prev == Some(b' ') {
        super::ids::after_space(t, i, sink)?;
    }
    let lead = match prev {
        Some(b'+') | Some(b'(') => Some(i - 1),
        _ => None,
    };
    let outer = lead.unwrap_or(i);
    match t.prev(outer) {
        Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'+' || c == b']' => return Ok(None),
        // Glued to a number before it (`10:30`, `1.2.3`, `1,234`). A number we replaced counts as one:
        // otherwise each pass over a glued chain would uncover one more. After a comma only a bare group
        // of three not followed by `-` is a thousands group: `4111111111111111,5500000000000004` is a
        // list, and so are CSV fields (`20931,97201,503-555-0147`, `10001,(212) 555-0123`).
        Some(sep @ (b'.' | b'-' | b'/' | b',' | b':'))
            if (matches!(t.prev(outer - 1), Some(d) if d.is_ascii_digit())
                || (outer >= 2 && t.ends_placeholder(outer - 2)))
                && (sep != b','
                    || (lead.is_none()
                        && t.run(i, 3, |c| c.is_ascii_digit())? == 3
                        && t.get(i + 3)? != Some(b'-'))) =>
        {
            return Ok(None)
        }
        _ => {}
    }
    Ok(Some(lead))
}

/// One parsed run, laid out for the detectors: the groups from `j` on are the run an anchor at group `j`
/// would parse, so every suffix is decided from these tables.
struct Run<'a> {
    gr: Groups,
    /// All digits of the run; the groups from `j` to `k` are `digits[cum[j]..cum[k]]`.
    digits: [u8; MAX_GROUPS * 24],
    cum: [usize; MAX_GROUPS + 1],
    /// `seps[m - 1]` is the separator before group `m`.
    seps: [&'a [u8]; MAX_GROUPS],
    lens: [usize; MAX_GROUPS],
    /// Where the run ends, and whether a number may end there.
    end: usize,
    end_ok: bool,
}

impl<'a> Run<'a> {
    /// Fills the tables from the parsed groups.
    fn index(&mut self, t: &Text<'a>) -> Result<(), More> {
        let gr = &self.gr;
        self.end = gr.g.get(gr.n - 1).map_or(0, |g| g.1);
        self.end_ok =
            !matches!(t.get(self.end)?, Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'@' || c == b'[');
        let mut nd = 0;
        for (j, &(s, e)) in gr.g.iter().take(gr.n).enumerate() {
            for &c in t.slice(s, e) {
                if let Some(slot) = self.digits.get_mut(nd) {
                    *slot = c;
                }
                nd += 1;
            }
            self.cum[j + 1] = nd;
            self.lens[j] = e - s;
            if j > 0 {
                self.seps[j - 1] = t.slice(gr.sep[j].0, gr.sep[j].1);
            }
        }
        Ok(())
    }

    /// What a digit run starting at group `j` is (with the `+`/`(` at `lead`, if any): for each detector,
    /// the longest prefix of its groups that it accepts.
    fn candidates(&self, t: &Text, j: usize, lead: Option<usize>, sink: &mut Sink) -> Result<(), More> {
        let (n, cum, g) = (self.gr.n, &self.cum, &self.gr.g);
        let i = g[j].0;
        let outer = lead.unwrap_or(i);
        let total = cum[n] - cum[j];
        if n - j == 1 && lead.is_none() && t.get(self.end)? == Some(b'/') {
            slash_phone(t, i, self.end, sink)?;
        }
        if total < 8 || (n - j == 1 && total > 19) {
            return Ok(());
        }
        let lead_byte = lead.map(|l| t.b.get(l).copied().unwrap_or(0));
        // A group of the same width just before, joined by a single space and not itself the end of a
        // number written otherwise (`415-555-0134 4111 …`). Read from the text, so an anchor at this group
        // decides the same whether or not it parsed the groups before it.
        let spaced_before = lead.is_none() && t.prev(i) == Some(b' ') && {
            let w = t.back_run(i - 1, 24, |c| c.is_ascii_digit());
            let before = t.prev(i - 1 - w);
            // (Or the end of a code: `1Z 999 AA1 01 2345 6784`.)
            (w == self.lens[j] && !matches!(before, Some(b'-' | b'.' | b')' | b'(' | b'/' | b':' | b',')))
                || (w > 0 && before.is_some_and(|c| c.is_ascii_alphabetic()))
        };
        let (mut found_card, mut found_ssn, mut found_aadhaar, mut found_phone) = (false, false, false, false);
        for k in (j + 1..=n).rev() {
            let cut_ok = if k == n { self.end_ok } else { matches!(self.seps[k - 1], b" " | b" (") };
            let nd = cum[k] - cum[j];
            if !cut_ok || nd < 8 {
                continue;
            }
            let seps = &self.seps[j..k - 1];
            // Part of a longer number grouped the same way (`4202 3756 7554 5000`, a tracking number
            // `9400 3806 7569 1933 5056 46`): a neighbouring group of the same width belongs to it, so no
            // part is a value. One of another width is something else: an expiry (`… 1111 11/28`), a CVV
            // (`… 1111 123`), a row number (`1 4111 …`).
            let spaced = !seps.is_empty() && seps.iter().all(|s| *s == b" ");
            let spaced_after = k < n && self.seps[k - 1] == b" " && self.lens[k] == self.lens[k - 1];
            if spaced && (spaced_before || spaced_after) {
                continue;
            }
            let ds = self.digits.get(cum[j]..cum[k]).unwrap_or_default();
            let end = g[k - 1].1;
            let lens = &self.lens[j..k];
            if lead.is_none() {
                if !found_card && card(ds, seps) {
                    found_card = true;
                    sink.add(i, end, Kind::Card, 150);
                }
                if !found_ssn && ssn(t, i, ds, lens, seps) {
                    found_ssn = true;
                    sink.add(i, end, Kind::Ssn, 150);
                }
                if !found_aadhaar && aadhaar(t, i, ds, lens, seps) {
                    found_aadhaar = true;
                    sink.add(i, end, Kind::Aadhaar, 145);
                }
            }
            if !found_phone && phone(t, outer, lead_byte, ds, lens, seps) {
                found_phone = true;
                sink.add(outer, end, Kind::Phone, 110);
            }
        }
        if n - j == 1 && lead.is_none() && (8..=10).contains(&self.lens[j]) && t.get(self.end)? == Some(b':') {
            telegram(t, i, self.end + 1, sink)?;
        }
        Ok(())
    }
}

fn all_same(seps: &[&[u8]], allowed: &[&[u8]]) -> bool {
    match seps.first() {
        None => true,
        Some(f) => allowed.contains(f) && seps.iter().all(|s| s == f),
    }
}

/// Maestro issuer prefixes (the ones not inside another network's range).
const MAESTRO: [u32; 9] = [5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763];

fn card(ds: &[u8], seps: &[&[u8]]) -> bool {
    if !(13..=19).contains(&ds.len()) || !all_same(seps, &[b" ", b"-"]) {
        return false;
    }
    let n = ds.len();
    let p2 = ds.iter().take(2).fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
    let p3 = ds.iter().take(3).fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
    let p4 = ds.iter().take(4).fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
    let issuer = match p2 {
        40..=49 => matches!(n, 13 | 16 | 19), // Visa
        51..=55 => n == 16,                   // Mastercard
        22..=27 => ((2221..=2720).contains(&p4) && n == 16) || ((2200..=2204).contains(&p4) && n >= 16), // Mastercard 2-series, Mir
        34 | 37 => n == 15,                                                                              // Amex
        60 | 64 | 65 => (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65) && n >= 16,                // Discover
        35 => (3528..=3589).contains(&p4) && n >= 16,                                                    // JCB
        30 | 36 | 38 | 39 => ((300..=305).contains(&p3) || p2 != 30) && n >= 14,                         // Diners
        62 => n >= 16,                                                                                   // UnionPay
        50 | 58 | 63 | 67 => MAESTRO.contains(&p4) && n >= 13,                                           // Maestro
        _ => false,
    };
    issuer && checks::luhn(ds)
}

fn ssn(t: &Text, i: usize, ds: &[u8], lens: &[usize], seps: &[&[u8]]) -> bool {
    let shape = match (lens, seps) {
        ([3, 2, 4], [b"-", b"-"]) => true,
        ([3, 2, 4], [b" ", b" "]) | ([9], []) => t.context_before(i, 40, SSN_WORDS),
        _ => false,
    };
    if !shape || ds.len() != 9 {
        return false;
    }
    let area = &ds[..3];
    area != b"000" && area != b"666" && area[0] != b'9' && &ds[3..5] != b"00" && &ds[5..] != b"0000"
}

fn aadhaar(t: &Text, i: usize, ds: &[u8], lens: &[usize], seps: &[&[u8]]) -> bool {
    let shape = match (lens, seps) {
        ([4, 4, 4], [b" ", b" "]) => true,
        ([4, 4, 4], [b"-", b"-"]) | ([12], []) => t.context_before(i, 40, AADHAAR_WORDS),
        _ => false,
    };
    shape && matches!(ds.first(), Some(b'2'..=b'9')) && checks::verhoeff(ds)
}

fn parens_ok(lead: Option<u8>, seps: &[&[u8]]) -> bool {
    let mut open = lead == Some(b'(');
    for s in seps {
        if s.starts_with(b")") {
            if !open {
                return false;
            }
            open = false;
        } else if s.contains(&b')') {
            return false;
        }
        if s.ends_with(b"(") {
            if open {
                return false;
            }
            open = true;
        }
    }
    !open
}

fn phone(t: &Text, outer: usize, lead: Option<u8>, ds: &[u8], lens: &[usize], seps: &[&[u8]]) -> bool {
    if !parens_ok(lead, seps) {
        return false;
    }
    let k = lens.len();
    let intl_digits = if lead == Some(b'+') {
        Some(ds.len())
    } else if lead.is_none() && ds.starts_with(b"00") && lens.first().is_some_and(|&l| l <= 4) {
        Some(ds.len() - 2)
    } else {
        None
    };
    if let Some(n) = intl_digits {
        let plain = seps.iter().all(|s| !s.contains(&b'.')) || all_same(seps, &[b"."]);
        // Groups of up to 8 digits, or a country code and the national number in one block
        // (`+91-9876543210`, `+44 7700900123`).
        let blocks = k == 1 || lens.iter().all(|&l| l <= 8) || (k == 2 && lens[0] <= 4);
        return (8..=15).contains(&n) && plain && blocks;
    }
    // NANP: [1] (415) 555-0134 / 415-555-0134 / 415.555.0134 / 415 555 0134.
    let (nl, ns, nd) = if lens.first() == Some(&1) && ds.first() == Some(&b'1') && k == 4 {
        (&lens[1..], &seps[1..], &ds[1..])
    } else {
        (lens, seps, ds)
    };
    if nl == [3, 3, 4] && matches!(nd.first(), Some(b'2'..=b'9')) {
        let paren_area = ns.first().is_some_and(|s| s.starts_with(b")"));
        let ok = if paren_area {
            matches!(ns[0], b")" | b") " | b")-") && matches!(ns[1], b"-" | b" " | b".")
        } else {
            // Three numbers separated by spaces only (`256 512 1024 MB`) need a phone word or a `1`.
            all_same(ns, &[b"-", b".", b" "])
                && (k == 3 || seps.first() == ns.first() || seps[0] == b" ")
                && (ns[0] != b" " || k == 4 || t.context_before(outer, 40, PHONE_WORDS))
        };
        if ok {
            return true;
        }
    }
    // Trunk-0 national numbers: 020 7946 0958, 07700 900123, (0161) 496 0000, 01 23 45 67 89 (also
    // 01.23.45.67.89), German mobiles 0151 23456789 (12 digits), Indian 098765 43210.
    if ds.first() == Some(&b'0') && ds.get(1) != Some(&b'0') && (2..=5).contains(&k) {
        let l0 = lens[0];
        let skip = usize::from(lead == Some(b'('));
        let rest = seps.get(skip..).unwrap_or_default();
        let seps_ok = if lead == Some(b'(') {
            matches!(seps[0], b")" | b") ") && all_same(rest, &[b" ", b"-"])
        } else {
            all_same(seps, &[b" ", b"-"])
                || (all_same(seps, &[b"."]) && lens.iter().all(|&l| l == 2))
                || (seps.len() >= 2 && seps[0] == b"-" && all_same(&seps[1..], &[b" "]))
        };
        let shape = match ds.len() {
            10 => (2..=5).contains(&l0),
            11 => (2..=6).contains(&l0),
            12 => (3..=5).contains(&l0) && k <= 3,
            _ => false,
        };
        if shape && seps_ok {
            return true;
        }
    }
    // Brazil: mobiles (11) 91234-5678; landlines (21) 3456-7890 only next to a phone word (a footnote and
    // a year range read the same: `(17) 2001-2005`).
    if lead == Some(b'(')
        && matches!(seps, [s0, s1] if *s0 == b") " && *s1 == b"-")
        && ds.first().is_some_and(|&d| d != b'0')
        && ((lens == [2, 5, 4] && ds[2] == b'9') || (lens == [2, 4, 4] && t.context_before(outer, 40, PHONE_WORDS)))
    {
        return true;
    }
    // Chinese mobiles, next to a phone word: 138 0013 8000, 138-0013-8000.
    if lead.is_none()
        && lens == [3, 4, 4]
        && all_same(seps, &[b" ", b"-"])
        && ds[0] == b'1'
        && (b'3'..=b'9').contains(&ds[1])
        && t.context_before(outer, 40, PHONE_WORDS)
    {
        return true;
    }
    // Spanish numbers, 612 345 678 (also how large amounts are written: only next to a phone word).
    if lead.is_none()
        && (lens == [3, 3, 3] && all_same(seps, &[b" "]) || lens == [9])
        && matches!(ds.first(), Some(b'6'..=b'9'))
        && t.context_before(outer, 40, PHONE_WORDS)
    {
        return true;
    }
    // Next to a phone word: a bare number, or an Indian mobile written 98765 43210.
    lead.is_none()
        && ((k == 1
            && ((ds.len() == 10 && (matches!(ds.first(), Some(b'2'..=b'9')) || ds[1] != b'0'))
                || (ds.len() == 11 && matches!(ds.first(), Some(b'1' | b'0')))))
            || (lens == [5, 5] && seps == [b" "] && matches!(ds.first(), Some(b'6'..=b'9'))))
        && t.context_before(outer, 40, PHONE_WORDS)
}

/// A German number written with a slash after the area or network code (`Handy: 0171/2345678`,
/// `Tel. 030/12345678`), next to a phone word: a trunk 0, 3–5 digits, then 5–8, 10–12 in all. Without
/// the word the same shape is a file or ticket number.
fn slash_phone(t: &Text, i: usize, slash: usize, sink: &mut Sink) -> Result<(), More> {
    let area = slash - i;
    let rest = t.run(slash + 1, 8, |c| c.is_ascii_digit())?;
    if t.b.get(i) != Some(&b'0')
        || t.b.get(i + 1) == Some(&b'0')
        || !(3..=5).contains(&area)
        || !(5..=8).contains(&rest)
    {
        return Ok(());
    }
    let end = slash + 1 + rest;
    let after_ok = match t.get(end)? {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'@' | b'[' | b'/') => false,
        Some(b'.' | b'-' | b',') => !matches!(t.get(end + 1)?, Some(d) if d.is_ascii_digit()),
        Some(_) => true,
    };
    if after_ok && (10..=12).contains(&(area + rest)) && t.context_before(i, 40, PHONE_WORDS) {
        sink.add(i, end, Kind::Phone, 110);
    }
    Ok(())
}

/// A Telegram token inside the Bot API URL, where it is glued to `bot` (`api.telegram.org/bot123456789:AA…`),
/// so no digit-run anchor sees it: checked from its `:`.
pub(crate) fn bot_url_token(t: &Text, colon: usize, sink: &mut Sink) -> Result<(), More> {
    let id = t.back_run(colon, 10, |c| c.is_ascii_digit());
    if (8..=10).contains(&id)
        && colon >= id + 4
        && matches!(t.slice(colon - id - 4, colon - id), [b'/', b'b', b'o', b't'])
    {
        telegram(t, colon - id, colon + 1, sink)?;
    }
    Ok(())
}

fn telegram(t: &Text, s: usize, v: usize, sink: &mut Sink) -> Result<(), More> {
    let n = t.run(v, 35, is_b64url)?;
    if n == 35 && checks::looks_random(t.slice(v, v + 35)) {
        sink.add(s, v + 35, Kind::TelegramToken, super::tokens::PRIO);
    }
    Ok(())
}
