//! Email addresses, anchored on `@`: a local part of `[A-Za-z0-9._%+-]` (1–64, no leading, trailing or
//! doubled dot) and a domain of at least two labels whose last is 2–24 letters and not a file extension
//! (`icon@2x.png` is an asset, not an address). `git@github.com:org/repo` (scp-style) and `ssh user@host`
//! are not addresses; `alice@example.com:Passw0rd!` is one, followed by its password. `jane%40example.com`
//! (URL-encoded) is one too.
use super::engine::Sink;
use super::kinds::Kind;
use super::text::{has_replacement, More, Text};

const PRIO: u8 = 120;
const FILE_EXTS: &[&[u8]] = &[
    b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"ico", b"js", b"mjs", b"ts", b"tsx", b"jsx", b"go", b"rb",
    b"java", b"kt", b"cpp", b"hpp", b"cs", b"php", b"json", b"yaml", b"yml", b"toml", b"xml", b"html", b"htm", b"css",
    b"scss", b"txt", b"csv", b"log", b"lock", b"bat", b"gz", b"tar", b"pdf", b"wasm", b"dll", b"exe", b"bin", b"map",
    b"tgz", b"whl",
];
/// File extensions that are also country domains people have mail at (Serbia, Paraguay, Saint Helena,
/// Moldova, Somalia): `olga@firma.rs` is an address, `main@v2.py` a file. A domain with a digit is a file.
const COUNTRY_EXTS: &[&[u8]] = &[b"rs", b"py", b"sh", b"md", b"so"];
/// Commands whose `user@host` argument is a login, not an address.
const LOGIN_COMMANDS: &[&[u8]] = &[b"ssh", b"sftp", b"mosh", b"ssh-copy-id"];

/// The byte two hex digits stand for.
fn hex_byte(h: &[u8]) -> Option<u8> {
    let d = |c: u8| (c as char).to_digit(16);
    match h {
        [x, y] => Some((d(*x)? * 16 + d(*y)?) as u8),
        _ => None,
    }
}

fn local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// Checks for an address around the `@` at `a`.
pub(crate) fn detect(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    detect_at(t, a, 1, sink)
}

/// Checks for a URL-encoded address around the `%40` at `a` (`?email=jane.doe%40example.com`).
pub(crate) fn detect_encoded(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    detect_at(t, a, 3, sink)
}

/// An address whose `@` (or `%40`, `at_len` bytes) is at `a`.
fn detect_at(t: &Text, a: usize, at_len: usize, sink: &mut Sink) -> Result<(), More> {
    let n = t.back_run(a, 64, local_char);
    if n == 0 {
        return Ok(());
    }
    // A run longer than 64 is not one local part, but its last 64 bytes may hold the start of one.
    let mut whole = n <= 64;
    let mut n = n.min(64);
    // URL-encoded, a delimiter (`%2F`, `%3A`, `%3D` …: anything that is not a local-part character)
    // ends what precedes: `?next=%2Fusers%2Fjane%40example.com`; after `%2F%2F` it is a URL's user.
    let mut encoded_user = false;
    if at_len == 3 {
        let run = t.slice(a - n, a);
        let delim = |k: usize| {
            run.get(k) == Some(&b'%')
                && run.get(k + 1..k + 3).and_then(hex_byte).is_some_and(|c| !local_char(c) || c == b'%')
        };
        if let Some(k) = (0..run.len()).rev().find(|&k| delim(k)) {
            encoded_user = k >= 3 && delim(k - 3) && run[k - 2..k + 3].eq_ignore_ascii_case(b"2F%2F");
            n = run.len() - (k + 3);
            whole = true;
            if n == 0 {
                return Ok(());
            }
        }
    }
    // Leading punctuation belongs to whatever precedes (`-----jane@x.com`, `+jane@x.com`).
    let lead = t.slice(a - n, a).iter().take_while(|c| !c.is_ascii_alphanumeric()).count();
    let s = a - n + lead;
    let local = t.slice(s, a);
    if local.is_empty() || local.last() == Some(&b'.') {
        return Ok(());
    }
    // Every start of the local part after punctuation is a candidate too (the longest wins unless it
    // overlaps an earlier finding). In `x@a.b.-y@c.d` the second address read back into the first one's
    // domain; once the first is replaced the second reads `y@c.d`, so that is what one pass must find too,
    // or each pass would uncover one more address of a glued chain.
    let is_start = |j: usize| {
        (j == s && whole)
            || matches!((t.prev(j), t.b.get(j)), (Some(p), Some(c)) if !p.is_ascii_alphanumeric() && c.is_ascii_alphanumeric())
    };
    // A start is valid when no `..` follows it.
    let from = local.windows(2).rposition(|w| w == b"..").map_or(s, |k| s + k + 1);
    if !(from..a).any(is_start) {
        return Ok(());
    }
    let dom = a + at_len;
    let mut p = dom;
    let mut labels = 0;
    let mut last;
    loop {
        let run = t.run(p, 63, |c| c.is_ascii_alphanumeric() || c == b'-')?;
        let label = t.slice(p, p + run);
        // A label ends before `--` (except the IDNA `xn--`) and never ends with `-`.
        let mut l = label.windows(2).skip(2).position(|w| w == b"--").map_or(run, |k| k + 2);
        if !label.starts_with(b"xn--") && label.get(2..4) == Some(b"--") {
            l = l.min(2);
        }
        l -= label.get(..l).unwrap_or_default().iter().rev().take_while(|&&c| c == b'-').count();
        if l == 0 || run > 63 || p + l - dom > 253 {
            return Ok(());
        }
        labels += 1;
        last = (p, p + l);
        p += l;
        if t.get(p)? == Some(b'.') && matches!(t.get(p + 1)?, Some(c) if c.is_ascii_alphanumeric()) {
            p += 1;
        } else {
            break;
        }
    }
    let tld_ok = |(s, e): (usize, usize)| {
        let tld = t.slice(s, e);
        (2..=24).contains(&tld.len())
            && tld.iter().all(u8::is_ascii_alphabetic)
            && !FILE_EXTS.iter().any(|x| x.eq_ignore_ascii_case(tld))
            && !(COUNTRY_EXTS.iter().any(|x| x.eq_ignore_ascii_case(tld))
                && t.slice(dom, s).iter().any(u8::is_ascii_digit))
    };
    if labels < 2 {
        return Ok(());
    }
    if !tld_ok(last) {
        // The domain ran on into the local part of the next address of a glued chain
        // (`x@a.bc.y2.z@d.ef`): once that address is replaced this one reads `x@a.bc`, so one pass must
        // find that too, or each pass would uncover one more address of the chain. The longest prefix of
        // labels with a valid TLD counts when what follows its dot runs into an `@` as a local part would.
        // Labels are separated by single dots, so the shorter domains end at the dots after the first label.
        let dots: Vec<usize> =
            t.slice(dom, last.0).iter().enumerate().filter(|&(_, &c)| c == b'.').map(|(k, _)| dom + k).collect();
        let mut found = None;
        for w in dots.windows(2).rev() {
            let (s, e) = (w[0] + 1, w[1]);
            if !tld_ok((s, e)) {
                continue;
            }
            let n = t.run(e + 1, 64, local_char)?;
            if n <= 64 && t.get(e + 1 + n)? == Some(b'@') {
                found = Some(e);
                break;
            }
        }
        let Some(e) = found else { return Ok(()) };
        p = e;
    }
    let mut combo = false;
    match t.get(p)? {
        Some(c) if c == b'_' || c == b'@' => return Ok(()),
        Some(b':') if matches!(t.get(p + 1)?, Some(c) if c > b' ' && c < 0x7f) => {
            // `git@host:org/repo`, `deploy@web1.example.com:/srv/app`, `u@h.io:notes.txt` are SSH remotes;
            // `alice@example.com:Passw0rd!` is an address and its password (a leaked credential list).
            // Whatever is replaced inside the rest (`[REDACTED:…]`, `[HASH:…]`, `****1234`) keeps it a
            // remote: the text it replaced may have been one, and a remote must stay one once its parts are
            // redacted, or redacting twice would differ from redacting once.
            let n = t.run(p + 1, 64, |c| c > b' ' && c < 0x7f && !matches!(c, b'"' | b'\'' | b','))?;
            let rest = t.slice(p + 1, p + 1 + n.min(64));
            let remote =
                n > 64 || rest.iter().any(|&c| matches!(c, b'/' | b'.' | b'~' | b'@')) || has_replacement(rest);
            if remote {
                return Ok(());
            }
            // (A field, not a password: `jane@x.com:uid=1042`, `jane@x.com:2024-01-02T10:00:00Z`.)
            combo = !rest.iter().any(|&c| c == b'=' || c == b':');
        }
        _ => {}
    }
    // `ssh ubuntu@ec2-54-12-34-56.compute-1.amazonaws.com`: a login. (Only right after the command: with
    // options between, redacting an option's value could move the command out of reach and change the
    // answer.)
    // The argument is taken whole: once a value glued before the address is replaced
    // (`ssh [REDACTED:GITHUB_TOKEN].bob@host`), the local part stops at the placeholder, and the answer
    // must not change.
    let raw = a - n;
    let arg = match t.prev(raw) {
        Some(b' ') => Some(raw),
        Some(b']' | b'*') => {
            let w = t.back_run(raw, 64, |c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
            (w <= 64 && t.prev(raw - w) == Some(b' ')).then(|| raw - w)
        }
        _ => None,
    };
    let login = arg.is_some_and(|g| {
        LOGIN_COMMANDS.iter().any(|cmd| {
            g > cmd.len()
                && t.slice(g - cmd.len() - 1, g - 1) == *cmd
                // The command as a command: at the start, after white space or a shell operator. Not the end
                // of a domain (`x@10.sftp m94@host`): once that address is replaced the word is gone, and the
                // answer would change.
                && matches!(
                    t.prev(g - cmd.len() - 1),
                    None | Some(b' ' | b'\t' | b'\n' | b'\r' | b';' | b'|' | b'&' | b'(' | b'`' | b'"' | b'\'' | b'$')
                )
        })
    });
    if login || encoded_user {
        return Ok(());
    }
    // `git+ssh://git@github.com/org/repo`: the user of a URL's authority, not an address.
    let authority = |j: usize| j >= 3 && matches!(t.slice(j - 3, j), [b':', b'/', b'/']);
    if whole && authority(s) {
        return Ok(());
    }
    for j in (from..a).filter(|&j| is_start(j) && !authority(j)) {
        sink.add(j, p, Kind::Email, PRIO);
    }
    if combo {
        super::assign::prose(t, p + 1, false, sink)?;
    }
    Ok(())
}
