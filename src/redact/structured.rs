//! Credentials with structure beyond a prefix: JWTs (the header must decode to JSON naming `alg`), PEM and
//! OpenSSH private-key blocks (multi-line, held until `-----END`), PuTTY private keys, passwords in connection URLs (only the
//! password), Slack and Discord webhooks, Azure storage keys, bearer tokens, SendGrid and Discord bot
//! tokens, AWS secret keys next to an AWS context word, and the guard that keeps our own placeholders
//! from being redacted again.
use super::checks;
use super::engine::Sink;
use super::kinds::Kind;
use super::text::{is_b64, is_b64url, More, Text};
use base64::Engine as _;

/// Priorities (higher wins when candidates start at the same byte).
pub(crate) const PRIO_PLACEHOLDER: u8 = 255;
const PRIO_PEM: u8 = 250;
const PRIO_HOOK: u8 = 210;
const PRIO_JWT: u8 = 190;
const PRIO_URL: u8 = 180;
const PRIO_CTX: u8 = 170;

/// `[REDACTED:LABEL]` / `[HASH:LABEL:hex12]` that we wrote ourselves: guarded, never rewritten.
pub(crate) fn placeholder(t: &Text, a: usize, hash: bool, sink: &mut Sink) -> Result<(), More> {
    let mut i = a + if hash { 6 } else { 10 };
    let n = t.run(i, 40, |c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')?;
    if n == 0 || n > 40 {
        return Ok(());
    }
    i += n;
    if hash {
        if t.get(i)? != Some(b':') {
            return Ok(());
        }
        let h = t.run(i + 1, 12, |c| c.is_ascii_hexdigit())?;
        if h != 12 {
            return Ok(());
        }
        i += 13;
    }
    if t.get(i)? == Some(b']') {
        sink.add(a, i + 1, Kind::Placeholder, PRIO_PLACEHOLDER);
    }
    Ok(())
}

/// A PuTTY private key (`.ppk`, versions 2 and 3): `Private-Lines: N` and the base64 lines after it. The
/// public lines and the MAC stay; the private lines go with their header. Lines may end in `\n`, `\r\n` or
/// an escaped `\\n` (a key quoted in a log line or a JSON text). A file cut short is redacted as far as it
/// goes, and a block longer than `pem_max` up to that limit: the rest of a key must not leak because the
/// header promised more lines than arrived.
pub(crate) fn putty_private(t: &Text, a: usize, pem_max: usize, sink: &mut Sink) -> Result<(), More> {
    let mut i = a + b"Private-Lines:".len();
    let sp = t.run(i, 4, |c| c == b' ')?;
    let d = t.run(i + sp, 3, |c| c.is_ascii_digit())?;
    if sp > 4 || d == 0 || d > 3 {
        return Ok(());
    }
    i += sp;
    let lines = t.slice(i, i + d).iter().fold(0usize, |n, &c| n * 10 + usize::from(c - b'0'));
    i += d;
    let (mut end, mut total) = (i, 0usize);
    for _ in 0..lines {
        let brk = match (t.get(end)?, t.get(end + 1)?) {
            (Some(b'\n'), _) => 1,
            (Some(b'\r'), Some(b'\n')) | (Some(b'\\'), Some(b'n')) => 2,
            _ => break,
        };
        let n = t.run(end + brk, 128, |c| is_b64(c) || c == b'=')?;
        if n == 0 || n > 128 {
            break;
        }
        end += brk + n;
        total += n;
        if end >= a + pem_max {
            break;
        }
    }
    if total >= 32 {
        sink.add(a, end, Kind::PrivateKey, PRIO_PEM);
    }
    Ok(())
}

/// JSON Web Token: `eyJ…` header `.` payload `.` signature, header decoding to an object with `alg`.
pub(crate) fn jwt(t: &Text, a: usize, cap: usize, sink: &mut Sink) -> Result<(), More> {
    if matches!(t.prev(a), Some(c) if is_b64url(c)) {
        return Ok(());
    }
    let h = t.run(a, cap, is_b64url)?;
    if !(10..=cap).contains(&h) || t.get(a + h)? != Some(b'.') {
        return Ok(());
    }
    let p_start = a + h + 1;
    let p = t.run(p_start, cap - h, is_b64url)?;
    if p < 2 || h + p > cap || t.get(p_start + p)? != Some(b'.') {
        return Ok(());
    }
    let s_start = p_start + p + 1;
    let s = t.run(s_start, cap - h - p, is_b64url)?;
    if h + p + s > cap || matches!(t.get(s_start + s)?, Some(b'.')) {
        return Ok(());
    }
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t.slice(a, a + h));
    let ok = match header {
        Ok(json) => json.first() == Some(&b'{') && json.windows(5).any(|w| w == b"\"alg\""),
        Err(_) => false,
    };
    if ok {
        sink.add(a, s_start + s, Kind::Jwt, PRIO_JWT);
    }
    Ok(())
}

/// `-----BEGIN … PRIVATE KEY-----` through the matching `-----END … -----` line. Without an END within
/// `pem_max` bytes, everything up to that limit (and the rest of its base64 line) is redacted; at the end of
/// the input, everything from BEGIN is.
pub(crate) fn pem(t: &Text, a: usize, pem_max: usize, sink: &mut Sink) -> Result<(), More> {
    let label_start = a + 11;
    let n = t.run(label_start, 48, |c| c.is_ascii_uppercase() || c == b' ')?;
    if n > 48 || !t.starts_with(label_start + n, b"-----")? {
        return Ok(());
    }
    let label = t.slice(label_start, label_start + n);
    if !(label.ends_with(b"PRIVATE KEY") || label.ends_with(b"PRIVATE KEY BLOCK")) {
        return Ok(());
    }
    // A key block goes on with a line break (real or escaped) or base64; a header inside a string or a
    // call (`startswith("-----BEGIN RSA PRIVATE KEY-----")`, `HEADER = "-----BEGIN …-----"`) is code.
    let after = label_start + n + 5;
    let gap = t.run(after, 8, |c| c == b' ' || c == b'\t')?;
    if gap > 8
        || !matches!(t.get(after + gap)?, None | Some(b'\n' | b'\r' | b'\\') | Some(b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/'))
    {
        return Ok(());
    }
    let limit = a + pem_max;
    let mut i = after;
    while i < limit {
        match t.get(i)? {
            None => {
                sink.add(a, i, Kind::PrivateKey, PRIO_PEM);
                return Ok(());
            }
            Some(b'-') if t.starts_with(i, b"-----END ")? => {
                let m = t.run(i + 9, 48, |c| c.is_ascii_uppercase() || c == b' ')?;
                let end = if m <= 48 && t.starts_with(i + 9 + m, b"-----")? { i + 14 + m } else { i + 9 };
                sink.add(a, end, Kind::PrivateKey, PRIO_PEM);
                return Ok(());
            }
            Some(_) => i += 1,
        }
    }
    // No END within the limit: redact to the limit and the rest of that base64 line, on a char boundary.
    let mut end = limit;
    while matches!(t.b.get(end), Some(&c) if (0x80..0xC0).contains(&c)) {
        end += 1;
    }
    let tail = t.run(end, 128, |c| is_b64(c) || c == b'=')?;
    sink.add(a, end + tail.min(128), Kind::PrivateKey, PRIO_PEM);
    Ok(())
}

/// `scheme://user:password@host`: only the password. `a` is the position of `://`.
pub(crate) fn url_password(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    let scheme = t.back_run(a, 32, |c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'));
    if scheme == 0 || scheme > 32 {
        return Ok(());
    }
    let u = a + 3;
    let user = t.run(u, 128, |c| !matches!(c, b':' | b'@' | b'/' | b'?' | b'#') && c > b' ' && c < 0x7f)?;
    if user > 128 || t.get(u + user)? != Some(b':') {
        return Ok(());
    }
    let p = u + user + 1;
    // A reference or one of our placeholders (`[REDACTED:URL_PASSWORD]`, every later pass): checked before
    // reading the rest (the run below would stop at or after this byte, so nothing else changes).
    // (`%` starts a reference unless it is URL encoding: `%23WHbS…` is `#WHbS…`.)
    let encoded = t.get(p)? == Some(b'%')
        && t.get(p + 1)?.is_some_and(|c| c.is_ascii_hexdigit())
        && t.get(p + 2)?.is_some_and(|c| c.is_ascii_hexdigit());
    if !encoded && matches!(t.get(p)?, Some(b'$' | b'{' | b'[' | b'*' | b'%')) {
        return Ok(());
    }
    let pass = t.run(p, 256, |c| {
        !matches!(c, b'@' | b'/' | b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`') && c > b' ' && c < 0x7f
    })?;
    if pass == 0 || pass > 256 || t.get(p + pass)? != Some(b'@') {
        return Ok(());
    }
    // Documentation and local defaults, not secrets: `user:password@`, `guest:guest@`, `postgres:postgres@`.
    let (user_s, pass_s) = (t.slice(u, u + user), t.slice(p, p + pass));
    let masked = pass_s.iter().all(|&c| matches!(c, b'x' | b'X'));
    if masked || pass_s.eq_ignore_ascii_case(user_s) || checks::one_of_ci(pass_s, URL_PLACEHOLDERS) {
        return Ok(());
    }
    sink.add(p, p + pass, Kind::UrlPassword, PRIO_URL);
    Ok(())
}

/// Passwords in connection URLs that only stand for one.
const URL_PLACEHOLDERS: &[&str] = &["password", "passwd", "pass", "pwd", "secret", "changeme", "pa55word"];

/// Start of the URL containing an anchor at `a` (`https://` right before it), or `a` itself.
fn url_start(t: &Text, a: usize) -> usize {
    let host = t.back_run(a, 24, |c| c.is_ascii_lowercase() || c == b'.');
    let h = a - host.min(24).min(a);
    let slashes = h >= 3 && t.slice(h - 3, h) == b"://";
    if !slashes {
        return a;
    }
    let s = t.back_run(h - 3, 8, |c| c.is_ascii_alphabetic());
    if (4..=5).contains(&s) {
        h - 3 - s
    } else {
        a
    }
}

/// Slack incoming webhooks: `hooks.slack.com/services/T…/B…/…` (also workflows and triggers).
pub(crate) fn slack_hook(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    let p = a + 16;
    let n = t.run(p, 200, |c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'_' | b'-'))?;
    if !(24..=200).contains(&n) {
        return Ok(());
    }
    // The documentation's `T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX` is no webhook: the secret (the
    // last segment) must look random.
    let path = t.slice(p, p + n);
    let secret = path.rsplit(|&c| c == b'/').find(|s| !s.is_empty()).unwrap_or_default();
    if !checks::looks_random(secret) {
        return Ok(());
    }
    sink.add(url_start(t, a), p + n, Kind::SlackWebhook, PRIO_HOOK);
    Ok(())
}

/// Discord webhooks: `discord[app].com/api/webhooks/<id>/<token>`; `a` is after `webhooks/`.
pub(crate) fn discord_hook(t: &Text, anchor: usize, a: usize, sink: &mut Sink) -> Result<(), More> {
    let id = t.run(a, 20, |c| c.is_ascii_digit())?;
    if !(16..=20).contains(&id) || t.get(a + id)? != Some(b'/') {
        return Ok(());
    }
    let tok = t.run(a + id + 1, 100, is_b64url)?;
    if !(50..=100).contains(&tok) {
        return Ok(());
    }
    sink.add(url_start(t, anchor), a + id + 1 + tok, Kind::DiscordWebhook, PRIO_HOOK);
    Ok(())
}

/// `AccountKey=` / `SharedAccessKey=` in Azure connection strings: the base64 value.
pub(crate) fn azure_key(t: &Text, v: usize, sink: &mut Sink) -> Result<(), More> {
    let n = t.run(v, 120, |c| is_b64(c) || c == b'=')?;
    if (40..=120).contains(&n) && checks::looks_random(t.slice(v, v + n)) {
        sink.add(v, v + n, Kind::AzureStorageKey, PRIO_HOOK);
    }
    Ok(())
}

/// `Bearer <token>`: an opaque token of at least 16 random-looking characters.
pub(crate) fn bearer(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    if matches!(t.prev(a), Some(c) if super::text::glues(c)) {
        return Ok(());
    }
    let v = a + 7;
    let n = t.run(v, 900, |c| is_b64url(c) || matches!(c, b'.' | b'~' | b'+' | b'/' | b'='))?;
    if (16..=900).contains(&n) {
        let tok = t.slice(v, v + n);
        let (lo, up, dg, _) = checks::classes(tok);
        if checks::looks_random(tok) && dg && (lo || up) {
            sink.add(v, v + n, Kind::BearerToken, PRIO_URL);
        }
    }
    Ok(())
}

/// SendGrid: `SG.` + 22 + `.` + 43 base64url characters.
pub(crate) fn sendgrid(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    if matches!(t.prev(a), Some(c) if super::text::glues(c)) {
        return Ok(());
    }
    let x = t.run(a + 3, 22, is_b64url)?;
    if x != 22 || t.get(a + 25)? != Some(b'.') {
        return Ok(());
    }
    let y = t.run(a + 26, 43, is_b64url)?;
    // `SG.xxxxxxxxxxxxxxxxxxxxxx.xxxx…` in docs has the shape but not the randomness.
    if y == 43 && checks::looks_random(t.slice(a + 3, a + 25)) && checks::looks_random(t.slice(a + 26, a + 69)) {
        sink.add(a, a + 69, Kind::SendgridKey, super::tokens::PRIO);
    }
    Ok(())
}

/// Discord bot token: base64 of a snowflake id (starts `[MNO][DTjz]`) `.` 6–7 `.` 27–38.
pub(crate) fn discord_token(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    if matches!(t.prev(a), Some(c) if is_b64url(c) || c == b'.') {
        return Ok(());
    }
    let x = t.run(a, 28, is_b64url)?;
    if !(23..=28).contains(&x) || t.get(a + x)? != Some(b'.') {
        return Ok(());
    }
    let y = t.run(a + x + 1, 7, is_b64url)?;
    if !(6..=7).contains(&y) || t.get(a + x + 1 + y)? != Some(b'.') {
        return Ok(());
    }
    let zs = a + x + y + 2;
    let z = t.run(zs, 38, is_b64url)?;
    if (27..=38).contains(&z) && checks::looks_random(t.slice(zs, zs + z)) {
        sink.add(a, zs + z, Kind::DiscordToken, super::tokens::PRIO);
    }
    Ok(())
}

/// An AWS context word (`aws`, `AWS_SECRET_ACCESS_KEY` …) followed within 100 bytes by a 40-character
/// base64 run with upper, lower and digit/slash: the secret access key.
pub(crate) fn aws_secret(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    if matches!(t.prev(a), Some(c) if c.is_ascii_alphanumeric()) {
        return Ok(());
    }
    let end = a + 100;
    let mut i = a + 3;
    while i < end {
        let Some(c) = t.get(i)? else { return Ok(()) };
        if !is_b64(c) {
            i += 1;
            continue;
        }
        let n = t.run(i, 40, is_b64)?;
        if n == 40 && !matches!(t.get(i + 40)?, Some(b'=')) {
            let v = t.slice(i, i + 40);
            // A path (`s3://web/AWSLogs/123456789012/CloudTrail/us-…`), not a key.
            let path = t.prev(i) == Some(b':') && v.starts_with(b"//");
            let (lo, up, dg, other) = checks::classes(v);
            if !path && lo && up && (dg || other) && checks::looks_random(v) {
                sink.add(i, i + 40, Kind::AwsSecretKey, PRIO_CTX);
            }
        }
        i += n.max(1);
    }
    Ok(())
}

/// A base64 Docker registry config at `a` (it decodes to `{"auths":` …, as in a `.dockerconfigjson`): the
/// whole value, which holds every registry's `auth` credential. Reads at most `cap` bytes.
pub(crate) fn docker_auths(t: &Text, a: usize, cap: usize, sink: &mut Sink) -> Result<(), More> {
    if matches!(t.prev(a), Some(c) if c.is_ascii_alphanumeric() || c == b'+' || c == b'/') {
        return Ok(());
    }
    let n = t.run(a, cap, |c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))?;
    if (24..=cap).contains(&n) {
        sink.add(a, a + n, Kind::Secret, PRIO_JWT);
    }
    Ok(())
}
