//! Static decoders for payloads piped into a shell or interpreter (`base64 -d`, `xxd -r`, `printf '\x..'`,
//! `rev`, rot13), and fork bombs.
use base64::Engine;

/// Decoders a pipeline stage can apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoder {
    Base64,
    Hex,
    Escapes,
    Reverse,
    Rot13,
    Opaque,
}

/// Decodes a payload statically; `None` when it does not decode to text.
pub fn decode(d: Decoder, text: &str) -> Option<String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = match d {
        Decoder::Base64 => {
            let e = &base64::engine::general_purpose::STANDARD;
            let t2 = t.trim_end_matches('=');
            e.decode(&t)
                .ok()
                .or_else(|| base64::engine::general_purpose::STANDARD_NO_PAD.decode(t2).ok())
                .or_else(|| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t2).ok())?
        }
        Decoder::Hex => hex::decode(t.trim_start_matches("0x")).ok()?,
        Decoder::Escapes => unescape(text).into_bytes(),
        Decoder::Reverse => return Some(text.trim_end_matches('\n').chars().rev().collect()),
        Decoder::Rot13 => {
            return Some(
                text.chars()
                    .map(|c| match c {
                        'a'..='z' => (((c as u8 - b'a') + 13) % 26 + b'a') as char,
                        'A'..='Z' => (((c as u8 - b'A') + 13) % 26 + b'A') as char,
                        _ => c,
                    })
                    .collect(),
            )
        }
        Decoder::Opaque => return None,
    };
    let s = String::from_utf8(bytes).ok()?;
    s.chars().all(|c| !c.is_control() || c.is_whitespace()).then_some(s)
}

/// `\xNN`, `\NNN` and C escapes as printf / echo -e apply them.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let e = b[i + 1];
            let (radix, start, max) = match e {
                b'x' => (16, i + 2, 2),
                b'0'..=b'7' => (8, i + 1 + usize::from(e == b'0'), 3),
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                b't' => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                _ => {
                    out.push(e);
                    i += 2;
                    continue;
                }
            };
            let mut v: u32 = 0;
            let mut j = start;
            while j < b.len() && j < start + max && (b[j] as char).is_digit(radix) {
                v = v * radix + (b[j] as char).to_digit(radix).unwrap_or(0);
                j += 1;
            }
            out.push((v & 0xff) as u8);
            i = j.max(i + 2);
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn has_escapes(s: &str) -> bool {
    s.matches("\\x").count() >= 2
        || s.matches('\\').filter(|_| true).count() >= 3 && s.bytes().filter(|b| b.is_ascii_digit()).count() >= 6
}

/// A fork bomb in shell (`:(){ :|:& };:`), batch (`%0|%0`) or a fork loop in another language.
pub fn fork_bomb(src: &str) -> Option<String> {
    if src.len() > 4096 {
        return None;
    }
    let compact: String = src.chars().filter(|c| !c.is_whitespace()).collect();
    let mut from = 0;
    while let Some(p) = compact[from..].find("(){") {
        let at = from + p;
        let name: String = compact[..at]
            .chars()
            .rev()
            .take_while(|c| !matches!(c, ';' | '&' | '|' | '\n' | '{' | '}'))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let name = name.trim_start_matches("function");
        if !name.is_empty() && compact[at..].contains(&format!("{name}|{name}")) {
            return Some(format!("fork bomb: {name} calls itself twice in a pipe until the machine stalls"));
        }
        from = at + 3;
    }
    let l = compact.to_ascii_lowercase();
    if l.contains("%0|%0")
        || l.contains("forkwhilefork")
        || l.contains("while(1)fork")
        || l.contains("whiletrue:os.fork")
        || l.contains("while1:os.fork")
        || l.contains("for(;;)fork")
    {
        return Some("fork bomb: forks in an endless loop".into());
    }
    None
}
