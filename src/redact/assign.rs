//! Secrets assigned to a telling name: `password=…`, `"api_key": "…"`, `DB_PASS: …`, `--token=…`,
//! `secret := "…"`, `Authorization: Basic …`. Anchored on `=` and `:`.
//!
//! The key is judged in [`super::keys`]: split into words (`_ - .` and camelCase), it must contain a
//! password or secret word and no word that says the value is not the secret itself (`max_tokens`,
//! `token_type`, `key_id`, `password_policy` …). The value must then look like a credential rather than
//! prose or code: references (`${X}`, `os.environ[…]`, `DB_PASSWORD`), placeholders (`<your-token>`, `xxxx`,
//! `changeme`), plain words and low-entropy strings are left alone. Only the value is redacted; the key stays readable.
use super::checks;
use super::engine::Sink;
use super::keys::{classify, KeyClass};
use super::kinds::Kind;
use super::text::{has_replacement, More, Text};

const PRIO: u8 = 100;
const DENY_EXACT: &[&str] = &[
    "null",
    "none",
    "nil",
    "true",
    "false",
    "undefined",
    "empty",
    "required",
    "optional",
    "string",
    "str",
    "int",
    "bool",
    "password",
    "secret",
    "token",
    "hidden",
    "test",
    "todo",
    "tbd",
    "n/a",
    "env",
    "default",
    "value",
    "masked",
    "unset",
    "redacted",
    "omitted",
    "unknown",
    "bearer",
    "basic",
];
/// The longest value judged (AWS session tokens are ~400 bytes).
pub(super) const MAX_VALUE: usize = 1024;

const DENY_SUB: &[&str] = &[
    "replace_me",
    "replaceme",
    "replace-me",
    "change_me",
    "change-me",
    "fixme",
    "example",
    "placeholder",
    "your_",
    "your-",
    "yourpass",
    "changeme",
    "redacted",
    "xxxx",
    "****",
    "...",
    "${",
    "{{",
    "%(",
];

/// Checks for `key <sep> value` around the separator at `a` (`=` or `:`).
pub(crate) fn detect(t: &Text, a: usize, sink: &mut Sink) -> Result<(), More> {
    let mut v = a + 1;
    let sep = t.b.get(a).copied().unwrap_or(0);
    if sep == b':' {
        if t.prev(a) == Some(b':') {
            return Ok(());
        }
        match t.get(a + 1)? {
            Some(b':') => return Ok(()),
            Some(b'/') if t.get(a + 2)? == Some(b'/') => return Ok(()),
            Some(b'=') => v += 1,
            _ => {}
        }
    } else {
        if matches!(t.prev(a), Some(b'=' | b'!' | b'<' | b'>' | b':' | b'+' | b'-' | b'*' | b'/' | b'|' | b'&')) {
            return Ok(());
        }
        match t.get(a + 1)? {
            Some(b'=') => return Ok(()),
            Some(b'>') => v += 1,
            _ => {}
        }
    }
    // (Up to 40: HCL, Go and YAML files align their `=` and `:` in columns.)
    let sp = t.back_run(a, 40, |c| c == b' ' || c == b'\t');
    if sp > 40 {
        return Ok(());
    }
    let mut k_end = a - sp;
    if matches!(t.prev(k_end), Some(b'"' | b'\'')) {
        k_end -= 1;
    }
    let kl = t.back_run(k_end, 64, |c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'));
    if kl == 0 || kl > 64 {
        return Ok(());
    }
    let key = t.slice(k_end - kl, k_end);
    // Inside a colon chain (`arn:aws:secretsmanager:…:secret:prod/db`, `user:1042:profile`) a word is a
    // field of a name, not a key.
    if sep == b':' && t.prev(k_end - kl) == Some(b':') {
        return Ok(());
    }
    // A value that is one of our placeholders (`password=[REDACTED:PASSWORD]`, every later pass): nothing
    // to find whatever the key says (a value starting with `[` is never plausible), so skip the key's
    // word split. Only a byte already here is looked at, so a stream holds back exactly as before.
    let vb = v + t.b[v.min(t.b.len())..].iter().take(4).take_while(|&&c| c == b' ' || c == b'\t').count();
    if t.b.get(vb) == Some(&b'[') {
        return Ok(());
    }
    // `value` next to the name it belongs to: `- name: DB_PASSWORD` / `value: …` (Kubernetes env),
    // `{"name": "DB_PASSWORD", "value": "…"}` (ECS), `<add key="ApiKey" value="…"/>` (.NET),
    // `<property name="password" value="…"/>` (Spring): the name says what the value is.
    let named = if key.eq_ignore_ascii_case(b"value") {
        name_before(t, k_end - kl)
    } else if key == b"default" {
        terraform_variable(t, k_end - kl)
    } else {
        Some(key)
    };
    // Cheap gate before the word split: a telling substring must occur.
    let Some(class) = named.filter(|k| telling(k)).and_then(classify) else {
        return Ok(());
    };
    let sp = t.run(v, 3, |c| c == b' ' || c == b'\t')?;
    if sp > 3 {
        return Ok(());
    }
    v += sp;
    // In a query string (`?password=x&user=y`) `&` ends the value; elsewhere (`.env`, config) it is part
    // of it.
    let query = matches!(t.prev(k_end - kl), Some(b'?' | b'&'));
    let (mut vs, mut ve, quoted) = match value(t, v, query)? {
        Some(x) => x,
        None => return Ok(()),
    };
    // `Authorization: Basic <b64>` / `"Bearer <tok>"`: the credential is after the scheme word.
    let val = t.slice(vs, ve);
    let schemes: [&[u8]; 3] = [b"basic", b"bearer", b"token"];
    if let Some(sch) = schemes.iter().find(|s| val.len() >= s.len() && val[..s.len()].eq_ignore_ascii_case(s)) {
        if quoted && val.get(sch.len()) == Some(&b' ') {
            vs += sch.len() + 1;
        } else if !quoted && val.len() == sch.len() && t.get(ve)? == Some(b' ') {
            let n = t.run(ve + 1, 900, |c| c > b' ' && c < 0x7f && !matches!(c, b'"' | b'\'' | b',' | b';'))?;
            if n == 0 || n > 900 {
                return Ok(());
            }
            vs = ve + 1;
            ve = vs + n;
        }
    }
    let val = t.slice(vs, ve);
    if !quoted && matches!(t.get(ve)?, Some(b'(' | b'[')) {
        return Ok(());
    }
    // A key that is just `key` names a lookup key as often as a secret (S3 `"Key": "logs/…/app.log.gz"`,
    // `{"key": "user:1042:profile"}`): a path or a composite name is not a secret.
    let lookup_key = key.eq_ignore_ascii_case(b"key") || key.eq_ignore_ascii_case(b"keys");
    if lookup_key && lookup_shape(val) {
        return Ok(());
    }
    judged(t, vs, ve, quoted, class, sink);
    Ok(())
}

/// Whether a key holds a substring that every password or secret key word has: the cheap gate before the
/// word split.
pub(super) fn telling(key: &[u8]) -> bool {
    const TELLING: [&[u8]; 12] = [
        b"pass", b"pw", b"pswd", b"secret", b"token", b"key", b"auth", b"cred", b"cookie", b"session", b"bearer",
        b"jwt",
    ];
    TELLING.iter().any(|w| key.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
}

/// The name a `value` key at `ks` belongs to: a `name` or `key` field just before it (only spaces,
/// newlines, quotes, commas and a YAML list dash between), whose value is a bare or quoted word.
fn name_before<'a>(t: &Text<'a>, ks: usize) -> Option<&'a [u8]> {
    let gap = t.back_run(ks, 40, |c| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b','));
    if gap == 0 || gap > 40 {
        return None;
    }
    let ne = ks - gap;
    let nl = t.back_run(ne, 64, |c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'));
    if nl == 0 || nl > 64 {
        return None;
    }
    let name = t.slice(ne - nl, ne);
    // `name: `, `"name": "`, `key="`.
    let mut p = ne - nl;
    p -= usize::from(matches!(t.prev(p), Some(b'"' | b'\'')));
    p -= t.back_run(p, 3, |c| c == b' ').min(3);
    if !matches!(t.prev(p), Some(b':' | b'=')) {
        return None;
    }
    p -= 1;
    p -= usize::from(matches!(t.prev(p), Some(b'"' | b'\'')));
    let fl = t.back_run(p, 8, |c| c.is_ascii_alphabetic());
    let field = t.slice(p - fl.min(p), p);
    (field.eq_ignore_ascii_case(b"name") || field.eq_ignore_ascii_case(b"key")).then_some(name)
}

/// The Terraform variable a `default` key at `ks` is inside (`variable "db_password" {` … `default = …`).
fn terraform_variable<'a>(t: &Text<'a>, ks: usize) -> Option<&'a [u8]> {
    let block = t.slice(ks.saturating_sub(200), ks);
    let at = block.windows(10).rposition(|w| w == b"variable \"")? + 10;
    let rest = block.get(at..)?;
    // (Nothing redacted between: a shorter replacement could bring a farther `variable` into reach.)
    // Still inside the variable's block: its `{` opened and has not closed (`${…}` inside is balanced).
    let mut depth = 0usize;
    let mut opened = false;
    for &c in rest {
        match c {
            b'{' => {
                depth += 1;
                opened = true;
            }
            b'}' if depth <= 1 => return None,
            b'}' => depth -= 1,
            _ => {}
        }
    }
    if !opened || has_replacement(rest) {
        return None;
    }
    let n = rest.iter().position(|&c| c == b'"')?;
    rest.get(..n)
}

/// Prose: `my password is Hunter2024!`, `the API key is …`; `v` is just after the phrase.
pub(crate) fn prose(t: &Text, v: usize, secret: bool, sink: &mut Sink) -> Result<(), More> {
    let Some((vs, mut ve, quoted)) = value_loose(t, v)? else {
        return Ok(());
    };
    if !quoted {
        // Sentence punctuation after the value is not part of it.
        while ve > vs && matches!(t.b.get(ve - 1), Some(b'.' | b',' | b';' | b':' | b')')) {
            ve -= 1;
        }
    }
    let class = if secret { KeyClass::Secret(Kind::Secret) } else { KeyClass::Password };
    judged(t, vs, ve, quoted, class, sink);
    Ok(())
}

/// An object path (`logs/2024/05/01/app-01.log.gz`) or a composite name (`user:1042:profile`), as lookup
/// keys hold; never base64 (`+`, `=`), whose `/` is just a character.
fn lookup_shape(v: &[u8]) -> bool {
    if v.contains(&b'+') || v.contains(&b'=') {
        return false;
    }
    let file = v.rsplit(|&c| c == b'/').next().is_some_and(|last| {
        last.iter()
            .rposition(|&c| c == b'.')
            .is_some_and(|d| d > 0 && d + 1 < last.len() && last[d + 1..].iter().all(u8::is_ascii_alphanumeric))
    });
    (v.contains(&b'/') && file) || v.iter().filter(|&&c| c == b':').count() >= 2
}

/// Adds the value at `vs..ve` if a `class` key may hold it.
pub(super) fn judged(t: &Text, vs: usize, ve: usize, quoted: bool, class: KeyClass, sink: &mut Sink) {
    if plausible(t.slice(vs, ve), quoted, class) {
        let kind = match class {
            KeyClass::Password => Kind::Password,
            KeyClass::Secret(k) => k,
        };
        sink.add(vs, ve, kind, PRIO);
    }
}

/// A key name at `k` (`[A-Za-z0-9_.-]`, at most 64 bytes): its length and class, if it names a secret.
pub(super) fn key_at(t: &Text, k: usize) -> Result<Option<(usize, KeyClass)>, More> {
    let kl = t.run(k, 64, |c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))?;
    if kl == 0 || kl > 64 {
        return Ok(None);
    }
    Ok(classify(t.slice(k, k + kl)).map(|class| (kl, class)))
}

pub(super) fn value_loose(t: &Text, v: usize) -> Result<Option<(usize, usize, bool)>, More> {
    if matches!(t.get(v)?, Some(b'"' | b'\'' | b'`')) {
        return value(t, v, false);
    }
    let n = t.run(v, 128, |c| c > b' ' && c < 0x7f && !matches!(c, b'"' | b'`'))?;
    Ok((n > 0 && n <= 128).then_some((v, v + n, false)))
}

/// The value span at `v`: quoted (`"…"`, `'…'`, `` `…` ``, no newline) or a bare run; plus whether quoted.
pub(super) fn value(t: &Text, v: usize, query: bool) -> Result<Option<(usize, usize, bool)>, More> {
    match t.get(v)? {
        Some(q @ (b'"' | b'\'' | b'`')) => {
            let n = t.run(v + 1, MAX_VALUE, |c| c != q && c != b'\n' && c != b'\r' && c != b'\\')?;
            if n == 0 || n > MAX_VALUE || t.get(v + 1 + n)? != Some(q) {
                return Ok(None);
            }
            Ok(Some((v + 1, v + 1 + n, true)))
        }
        _ => {
            let n = t.run(v, MAX_VALUE, |c| {
                c > b' '
                    && c < 0x7f
                    && !matches!(
                        c,
                        b',' | b';'
                            | b'"'
                            | b'\''
                            | b'`'
                            | b'<'
                            | b'>'
                            | b'('
                            | b')'
                            | b'{'
                            | b'}'
                            | b'['
                            | b']'
                            | b'\\'
                    )
                    && !(query && c == b'&')
            })?;
            if n == 0 || n > MAX_VALUE {
                return Ok(None);
            }
            Ok(Some((v, v + n, false)))
        }
    }
}

fn plain_word(v: &[u8]) -> bool {
    if !v.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let tail_lower = v.iter().skip(1).all(u8::is_ascii_lowercase);
    let all_upper = v.iter().all(u8::is_ascii_uppercase);
    tail_lower || all_upper
}

/// Whether a value assigned to a telling key looks like the credential itself.
fn plausible(v: &[u8], quoted: bool, class: KeyClass) -> bool {
    if v.is_empty() || v.len() > MAX_VALUE || v.contains(&b' ') || v.contains(&b'\t') {
        return false;
    }
    // References and placeholders (`$DB_PASS`, `{{ .pw }}`, `<your-password>`, `[…]`, `(none)`, a path).
    // Quoted, a leading `#`, `%`, `~` or `*` is just a generated password's first character (`"#oT9_zG…"`);
    // bare, `#` starts a comment, `*` a mask and `~/` a path, and `%` is a reference only as `%(name)s`,
    // `%{x}` or `%APPDATA%` (`DB_PASSWORD=%WqpE9j0N…` is a generated password).
    let refs: &[u8] = if quoted { b"${<[(/" } else { b"${<[(*/#" };
    if v.first().is_some_and(|c| refs.contains(c)) {
        return false;
    }
    if !quoted
        && ((v[0] == b'%'
            && (matches!(v.get(1), Some(b'(' | b'{'))
                || (v.len() > 2
                    && v.ends_with(b"%")
                    && v[1..v.len() - 1].iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_'))))
            || v.starts_with(b"~/")
            || v == b"~")
    {
        return false;
    }
    // YAML/CloudFormation tags: `!vault |`, `!Ref DbPassword`.
    if !quoted && v.len() > 1 && v[0] == b'!' && v[1..].iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    // Masked in a UI (`••••••••`): not one ASCII letter or digit.
    if !v.iter().any(u8::is_ascii_alphanumeric) {
        return false;
    }
    // Lowercased on the stack; the rare longer value (a session token) on the heap.
    let mut small = [0u8; 256];
    let mut big;
    let lower: &mut [u8] = match small.get_mut(..v.len()) {
        Some(s) => {
            s.copy_from_slice(v);
            s
        }
        None => {
            big = v.to_vec();
            &mut big
        }
    };
    lower.make_ascii_lowercase();
    let lower = &*lower;
    if checks::one_of(lower, DENY_EXACT) || DENY_SUB.iter().any(|d| checks::contains(lower, d.as_bytes())) {
        return false;
    }
    let (lo, up, dg, other) = checks::classes(v);
    if !quoted {
        // Code references: `os.environ`, `config.db.password`, `DB_PASSWORD`, `process.env.TOKEN`.
        let ident_dots = v.iter().all(|&c| c.is_ascii_alphabetic() || c == b'_' || c == b'.') && v.contains(&b'.');
        let env_ref = !lo && !dg && v.contains(&b'_');
        if ident_dots || env_ref {
            return false;
        }
    }
    if plain_word(v) {
        return false;
    }
    // Slugs: lowercase words joined by separators, no digits (`on-failure`, `user_session`).
    if !up && !dg && v.iter().all(|&c| c.is_ascii_lowercase() || matches!(c, b'-' | b'_' | b'.')) {
        return false;
    }
    match class {
        KeyClass::Password => v.len() >= 6 && (dg || other || (lo && up)),
        KeyClass::Secret(Kind::AwsSecretKey) => v.len() == 40 && checks::looks_random(v),
        KeyClass::Secret(_) => {
            if !(dg || lo && up) || v.iter().all(u8::is_ascii_digit) {
                return false;
            }
            if v.len() >= 16 {
                checks::looks_random(v)
            } else {
                v.len() >= 10 && checks::entropy(v) >= 2.8 && dg && (lo || up)
            }
        }
    }
}
