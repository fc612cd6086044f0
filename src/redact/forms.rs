//! Secrets in command lines and file formats that are not `key <sep> value`: XML elements, `--password
//! VALUE` and `.netrc`, PHP `define()`, fish `set -x`, `curl -u`, `mysql -p` / `docker login -p`, `.pgpass`.
//! Each finds the value and hands it to [`assign`]'s judgment, like an assignment's.
use super::assign::{judged, key_at, prose, telling, value, value_loose, MAX_VALUE};
use super::engine::Sink;
use super::keys::{classify, KeyClass};
use super::text::{has_replacement, More, Text};

/// An XML element named like a secret key (`<password>…</password>`, `<ApiToken>…</ApiToken>`); `a` is at the
/// `<`.
pub(crate) fn xml_element(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    if !matches!(t.get(a + 1)?, Some(c) if c.is_ascii_alphabetic()) {
        return Ok(());
    }
    let n = t.run(a + 1, 64, |c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))?;
    // (Generic parameters in code, `Vec<u8>`, `Result<Body>`, are short: a secret's name has 2+ letters
    // and a telling word, and what follows the tag is not another tag or a space.)
    if !(2..=64).contains(&n)
        || t.get(a + 1 + n)? != Some(b'>')
        || matches!(t.get(a + 2 + n)?, Some(b'<' | b' ' | b'\n'))
    {
        return Ok(());
    }
    let name = t.slice(a + 1, a + 1 + n);
    // `<key>` names a dictionary key (property lists) or an object (`<Key>backups/…</Key>` in S3
    // listings), not a secret.
    if name.eq_ignore_ascii_case(b"key") || name.eq_ignore_ascii_case(b"keys") {
        return Ok(());
    }
    let Some(class) = telling(name).then(|| classify(name)).flatten() else {
        return Ok(());
    };
    let v = a + n + 2;
    let len = t.run(v, MAX_VALUE, |c| c > b' ' && c < 0x7f && c != b'<')?;
    if len == 0 || len > MAX_VALUE || !t.starts_with(v + len, b"</")? || !t.starts_with(v + len + 2, name)? {
        return Ok(());
    }
    if t.get(v + len + 2 + n)? != Some(b'>') {
        return Ok(());
    }
    judged(t, v, v + len, false, class, sink);
    Ok(())
}

/// A password given as the next argument: `--password VALUE` (`mysql`, `docker login`), or `password
/// VALUE` after `login` on the same entry (`.netrc`). `a` is at `password`.
pub(crate) fn password_arg(t: &Text, a: usize, len: usize, sink: &mut Sink) -> Result<(), More> {
    let flag = a >= 2 && t.slice(a - 2, a) == b"--" && !matches!(t.prev(a - 2), Some(c) if c.is_ascii_alphanumeric());
    // SQL: `CREATE USER app WITH PASSWORD '…'`, `ALTER ROLE … PASSWORD '…'`.
    // (The quote first: it is one byte, the context a scan of 40.)
    let sql = t.get(a + len)? == Some(b'\'')
        && a >= 5
        && (t.slice(a - 5, a).eq_ignore_ascii_case(b"with ") || t.context_before(a, 40, &["user", "role"]));
    if !flag && !sql && !netrc_login(t, a) {
        return Ok(());
    }
    prose(t, a + len, false, sink)
}

/// Whether `password` at `a` follows `login NAME` (`.netrc`: `machine h login bob password …`, also across
/// lines), not just any `login` (`vault login -method=oidc`, `WITH LOGIN PASSWORD`).
fn netrc_login(t: &Text, a: usize) -> bool {
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let g1 = t.back_run(a, 16, ws);
    if g1 == 0 || g1 > 16 {
        return false;
    }
    // (Not one of our placeholders or masks: redacting inside a long name could otherwise bring
    // `login` within reach and change the answer.)
    let name = t.back_run(a - g1, 64, |c| !ws(c) && c != b'[' && c != b'*');
    if name == 0 || name > 64 || matches!(t.prev(a - g1 - name), Some(b'[' | b'*')) {
        return false;
    }
    let p = a - g1 - name;
    let g2 = t.back_run(p, 16, ws);
    if g2 == 0 || g2 > 16 || p - g2 < 5 {
        return false;
    }
    let q = p - g2;
    t.slice(q - 5, q) == b"login" && !matches!(t.prev(q - 5), Some(c) if c.is_ascii_alphanumeric() || c == b'-')
}

/// `define('DB_PASSWORD', 'VALUE')`; `v` is just after `define(`.
pub(crate) fn define(t: &Text, v: usize, sink: &mut Sink) -> Result<(), More> {
    let mut p = v + t.run(v, 3, |c| c == b' ')?;
    let Some(q @ (b'\'' | b'"')) = t.get(p)? else {
        return Ok(());
    };
    let Some((kl, class)) = key_at(t, p + 1)? else {
        return Ok(());
    };
    p += 1 + kl;
    if t.get(p)? != Some(q) {
        return Ok(());
    }
    p += 1;
    p += t.run(p, 3, |c| c == b' ')?;
    if t.get(p)? != Some(b',') {
        return Ok(());
    }
    p += 1;
    p += t.run(p, 3, |c| c == b' ')?;
    if let Some((vs, ve, true)) = value(t, p, false)? {
        judged(t, vs, ve, true, class, sink);
    }
    Ok(())
}

/// `set -x API_TOKEN VALUE` (fish shell); `k` is at the variable name.
pub(crate) fn fish_set(t: &Text, k: usize, sink: &mut Sink) -> Result<(), More> {
    let Some((kl, class)) = key_at(t, k)? else {
        return Ok(());
    };
    if t.get(k + kl)? != Some(b' ') {
        return Ok(());
    }
    if let Some((vs, ve, quoted)) = value_loose(t, k + kl + 1)? {
        judged(t, vs, ve, quoted, class, sink);
    }
    Ok(())
}

/// `curl … -u user:PASSWORD …` (also `--user`): the password, on the same line within 200 bytes.
pub(crate) fn curl_user(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    if matches!(t.prev(a), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.') {
        return Ok(());
    }
    let line = t.run(a, 200, |c| c != b'\n' && c != b'\r')?;
    let args = t.slice(a, a + line.min(200));
    let Some(at) = [&b" -u "[..], b" --user "]
        .iter()
        .find_map(|f| args.windows(f.len()).position(|w| w == *f).map(|p| p + f.len()))
    else {
        return Ok(());
    };
    if has_replacement(&args[..at]) {
        return Ok(());
    }
    let v = a + at;
    let Some((vs, ve, quoted)) = value_loose(t, v)? else {
        return Ok(());
    };
    let cred = t.slice(vs, ve);
    // (The password must start within `LOOKBACK` of the anchor, or a stream that already released the
    // anchor would never see it again: the flag is within 200 bytes, the user name within 128.)
    let Some(colon) = cred.iter().take(129).position(|&c| c == b':') else {
        return Ok(());
    };
    let (user, pass) = (&cred[..colon], &cred[colon + 1..]);
    if user.is_empty() || pass.eq_ignore_ascii_case(user) {
        return Ok(());
    }
    judged(t, vs + colon + 1, ve, quoted, KeyClass::Password, sink);
    Ok(())
}

/// A `.pgpass` line, `host:port:database:user:password` (`*` for any field but the password); `a` is the
/// colon after the port.
pub(crate) fn pgpass(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    // (Bounded so that the look-back plus the fields stay within `LOOKBACK`: 200 + 2 × 61 + 1.)
    let n = t.back_run(a, 200, |c| c != b'\n' && c != b'\r');
    if n > 200 {
        return Ok(());
    }
    let (host, port) = match t.slice(a - n, a).iter().position(|&c| c == b':') {
        Some(k) => (t.slice(a - n, a - n + k), t.slice(a - n + k + 1, a)),
        None => return Ok(()),
    };
    let host_ok =
        !host.is_empty() && host.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b'*'));
    let port_ok = port == b"*" || (1..=5).contains(&port.len()) && port.iter().all(u8::is_ascii_digit);
    if !host_ok || !port_ok {
        return Ok(());
    }
    // (No `[` or `]`: a placeholder inside a field has a colon of its own, which would shift the fields.)
    let field = |c: u8| c > b' ' && c < 0x7f && !matches!(c, b':' | b'[' | b']');
    let mut p = a + 1;
    for _ in 0..2 {
        let f = t.run(p, 60, field)?;
        // (A database or user name is a name: all digits is an IPv6 address or a time.)
        let name = t.slice(p, p + f);
        if f == 0 || f > 60 || t.get(p + f)? != Some(b':') || (name != b"*" && name.iter().all(u8::is_ascii_digit)) {
            return Ok(());
        }
        p += f + 1;
    }
    let pw = t.run(p, 128, |c| c > b' ' && c < 0x7f && c != b':')?;
    if pw == 0 || pw > 128 || !matches!(t.get(p + pw)?, None | Some(b'\n' | b'\r')) {
        return Ok(());
    }
    judged(t, p, p + pw, false, KeyClass::Password, sink);
    Ok(())
}

/// `mysql … -pPASSWORD` (the password glued to `-p`; `-p` alone prompts) and `docker login … -p PASSWORD`,
/// on the same line within 200 bytes.
pub(crate) fn dash_p(t: &Text, a: usize, glued: bool, sink: &mut Sink) -> Result<(), More> {
    if matches!(t.prev(a), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.') {
        return Ok(());
    }
    // Only as the command (`$ mysql …`, `sudo mysql …`, `… && docker login …`), not as an argument
    // (`docker run --name mysql -p3306:3306`).
    let before = t.slice(a.saturating_sub(64), a);
    let before = before.rsplit(|&c| c == b'\n' || c == b'\r').next().unwrap_or_default();
    let trimmed = before.trim_ascii_end();
    // (Shell history numbers its lines: `  611  mysql …`.)
    let command = trimmed.iter().all(|&c| c.is_ascii_digit() || c == b' ' || c == b'\t')
        || [&b"$"[..], b"#", b">", b";", b"&&", b"|", b"(", b"`", b"sudo"].iter().any(|e| trimmed.ends_with(e));
    if !command {
        return Ok(());
    }
    let line = t.run(a, 200, |c| !matches!(c, b'\n' | b'\r' | b';' | b'|' | b'&'))?;
    let args = t.slice(a, a + line.min(200));
    let flag: &[u8] = if glued { b" -p" } else { b" -p " };
    let Some(at) = args.windows(flag.len()).position(|w| w == flag) else {
        return Ok(());
    };
    if has_replacement(&args[..at]) {
        return Ok(());
    }
    let Some((vs, ve, quoted)) = value_loose(t, a + at + flag.len())? else {
        return Ok(());
    };
    // (`-p3306:3306` is a port mapping.)
    let v = t.slice(vs, ve);
    if v.first().is_some_and(u8::is_ascii_digit) && v.iter().all(|&c| c.is_ascii_digit() || c == b':') {
        return Ok(());
    }
    judged(t, vs, ve, quoted, KeyClass::Password, sink);
    Ok(())
}
