//! Which programs run code and where that code comes from: interpreters (`python -c`, `node -e`, script files,
//! stdin), shells and `eval`/`source`, and the decoders and printers a pipeline feeds into them.
use super::decode::{has_escapes, Decoder};
use super::inline::{analyze_code, analyze_payload, Lang};
use super::lex::{SubKind, Word};
use super::{analyze, Cmd, Ctx, Role, State};
use crate::analyze::{Facts, Tag};
use base64::Engine;

/// Code attached to its flag in one word: `ruby -e'exec "sh"'`, `python -c'…'`, `php -r'…'`.
fn attached_code(lang: Lang, a: &str) -> Option<&str> {
    let flag = match lang {
        Lang::Python => "-c",
        Lang::Ruby | Lang::Perl | Lang::Node => "-e",
        Lang::Php => "-r",
        _ => return None,
    };
    a.strip_prefix(flag).filter(|rest| rest.len() > 2 && !rest.starts_with('-'))
}

fn code_flag(lang: Lang, name: &str, a: &str) -> bool {
    match lang {
        Lang::Python => a == "-c",
        Lang::Perl => {
            matches!(a, "-e" | "-E") || a.starts_with('-') && a.ends_with('e') && !a.starts_with("--") && a.len() <= 4
        }
        Lang::Ruby | Lang::Other => matches!(a, "-e" | "--eval"),
        Lang::Node => matches!(a, "-e" | "--eval" | "-p" | "--print") || name == "deno" && a == "eval",
        Lang::Php => a == "-r",
        Lang::PowerShell => {
            let l = a.to_ascii_lowercase();
            matches!(l.as_str(), "-c" | "-command" | "/c" | "-com")
        }
        Lang::Shell => false,
    }
}

/// Shells, eval/source, interpreters and decoders; `None` when the command is none of them.
pub fn classify_interpreter(ctx: Ctx<'_>, cmd: &Cmd, args: &[Word], st: &mut State, facts: &mut Facts) -> Option<Role> {
    let name = cmd.name.as_str();
    let argv: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    let mut role = Role::default();
    let fed = |cmd: &Cmd, facts: &mut Facts, what: &str| {
        for (kind, r) in &cmd.subs {
            if r.downloads {
                facts.tag(Tag::RemoteCode, format!("{what} runs downloaded content"));
            }
            if r.decodes {
                facts.tag(Tag::Obfuscated, format!("{what} runs decoded content"));
            }
            if let (Some(text), true) = (&r.decoded, *kind == SubKind::Command || *kind == SubKind::ProcIn) {
                analyze_payload(ctx.deeper(), Lang::of(&cmd.name), text, facts);
            }
        }
    };
    let heredoc = cmd.redirs.iter().find(|r| r.op == "<<" || r.op == "<<<").map(|r| r.target.text.clone());
    let lang = Lang::of(name);
    if lang == Lang::Shell || name == "eval" || name == "source" || name == "." {
        let mut script: Option<String> = None;
        let mut file: Option<&str> = None;
        let mut interactive = false;
        let mut k = 0;
        while k < argv.len() {
            let a = argv[k];
            if name == "eval" {
                script = Some(argv.join(" "));
                break;
            }
            if (a.starts_with('-') || a.starts_with('+'))
                && a.len() > 1
                && file.is_none()
                && name != "source"
                && name != "."
            {
                if a.contains('c') && !a.starts_with("--") {
                    script = argv.get(k + 1).map(|s| s.to_string());
                    break;
                }
                interactive |= a.contains('i') && !a.starts_with("--");
            } else if file.is_none() {
                file = Some(a);
            }
            k += 1;
        }
        let what = if name == "eval" {
            "eval".to_string()
        } else if script.is_some() {
            format!("{name} -c")
        } else {
            name.to_string()
        };
        fed(cmd, facts, &what);
        if let Some(s) = script {
            let r = analyze(ctx.deeper(), &s, facts);
            role.merge(&r);
        } else if let Some(f) = file {
            if st
                .downloaded
                .iter()
                .any(|d| !d.is_empty() && (f.ends_with(d.as_str()) || d.ends_with(f.trim_start_matches("./"))))
            {
                facts.tag(Tag::RemoteCode, format!("{name} {f} runs a file downloaded earlier"));
            }
        } else {
            role.runs_stdin = true;
            role.shell = true;
            if let Some(body) = &heredoc {
                analyze(ctx.deeper(), body, facts);
                role.runs_stdin = false;
            }
        }
        role.shell |= interactive;
        role.runs_stdin |= interactive && file.is_none();
        return Some(role);
    }
    if !matches!(lang, Lang::Other)
        || matches!(
            name,
            "lua" | "luajit" | "rscript" | "osascript" | "awk" | "gawk" | "mawk" | "nawk" | "tclsh" | "julia"
        )
    {
        if lang == Lang::Python {
            if let Some(k) = argv.iter().position(|a| *a == "-m") {
                let module = argv.get(k + 1).copied().unwrap_or("");
                let rest: Vec<Word> = args[(k + 1).min(args.len())..].to_vec();
                let inner = Cmd {
                    name: module.split('.').next().unwrap_or(module).to_string(),
                    args: rest,
                    redirs: Vec::new(),
                    piped_in: cmd.piped_in,
                    piped_out: cmd.piped_out,
                    via_xargs: false,
                    subs: Vec::new(),
                };
                if module == "http.server" || module == "SimpleHTTPServer" {
                    facts.tags.insert(Tag::Network);
                    return Some(role);
                }
                return super::delivery::delivery(ctx, &inner, &argv[(k + 2).min(argv.len())..], facts).or(Some(role));
            }
        }
        fed(cmd, facts, name);
        let mut code: Option<String> = None;
        let mut script: Option<&str> = None;
        if lang == Lang::PowerShell {
            for (k, a) in argv.iter().enumerate() {
                let l = a.to_ascii_lowercase();
                if l.len() >= 2 && l.starts_with('-') && "-encodedcommand".starts_with(l.as_str()) && l != "-" {
                    if let Some(enc) = argv.get(k + 1) {
                        facts.tag(Tag::Obfuscated, format!("{name} {a} runs a base64-encoded command"));
                        let bytes = base64::engine::general_purpose::STANDARD.decode(enc.trim()).unwrap_or_default();
                        let utf16: Vec<u16> =
                            bytes.chunks(2).map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
                        code = Some(String::from_utf16_lossy(&utf16));
                    }
                    break;
                }
                if l.starts_with("-ex") && argv.get(k + 1).is_some_and(|v| v.eq_ignore_ascii_case("bypass")) {
                    facts.tag(Tag::DefenseEvasion, format!("{name} bypasses the execution policy"));
                }
            }
        }
        if code.is_none() {
            code = argv.iter().find_map(|a| attached_code(lang, a)).map(str::to_string);
        }
        if code.is_none() {
            if let Some(k) = argv.iter().position(|a| code_flag(lang, name, a)) {
                code = Some(if lang == Lang::PowerShell {
                    argv[k + 1..].join(" ")
                } else {
                    argv.get(k + 1).map(|s| s.to_string()).unwrap_or_default()
                });
            } else if matches!(name, "awk" | "gawk" | "mawk" | "nawk") {
                code = argv.iter().find(|a| !a.starts_with('-')).map(|s| s.to_string());
            } else if lang == Lang::PowerShell && argv.iter().any(|a| !a.starts_with('-')) {
                code = Some(
                    argv.iter().filter(|a| !a.starts_with('-') || a.len() > 12).copied().collect::<Vec<_>>().join(" "),
                );
            } else {
                script = argv.iter().find(|a| !a.starts_with('-')).copied();
            }
        }
        let code = code.or(heredoc);
        match (code, script) {
            (Some(c), _) => {
                let r = analyze_code(ctx, lang, &c, facts);
                role.merge(&r);
            }
            (None, Some(f)) => {
                if st.downloaded.iter().any(|d| !d.is_empty() && f.ends_with(d.as_str())) {
                    facts.tag(Tag::RemoteCode, format!("{name} {f} runs a file downloaded earlier"));
                }
            }
            (None, None) => role.runs_stdin = true,
        }
        return Some(role);
    }
    // Decoders and literal printers.
    let decoder = match name {
        "base64" | "base32" | "basenc" | "gbase64"
            if argv.iter().any(|a| matches!(*a, "-d" | "--decode" | "-D" | "-di" | "-id")) =>
        {
            Some(Decoder::Base64)
        }
        "xxd" if argv.iter().any(|a| a.starts_with('-') && a.contains('r')) => Some(Decoder::Hex),
        "rev" => Some(Decoder::Reverse),
        "tr" if argv.iter().any(|a| a.contains("N-Z") || a.contains("n-z")) => Some(Decoder::Rot13),
        "uudecode" | "certutil" | "gunzip" | "zcat" | "bunzip2" | "unxz" | "xzcat" | "zstdcat" => Some(Decoder::Opaque),
        "gzip" | "bzip2" | "xz" | "zstd" if argv.iter().any(|a| *a == "-d" || *a == "--decompress") => {
            Some(Decoder::Opaque)
        }
        _ => None,
    };
    if let Some(d) = decoder {
        role.decodes = true;
        role.decoder = Some(d);
        role.literal = heredoc.or_else(|| {
            argv.iter().rev().find(|a| !a.starts_with('-') && d == Decoder::Hex && a.len() > 8).map(|s| s.to_string())
        });
        role.read_only = true;
        return Some(role);
    }
    if name == "echo" || name == "printf" {
        let text: Vec<&str> = argv.iter().filter(|a| !(a.starts_with('-') && a.len() <= 3)).copied().collect();
        let joined = text.join(" ");
        let escaping = name == "printf" || argv.iter().any(|a| *a == "-e" || *a == "-ne" || *a == "-en");
        if escaping && has_escapes(&joined) {
            role.decodes = true;
            role.decoder = Some(Decoder::Escapes);
        }
        role.literal = Some(joined);
        role.read_only = cmd.redirs.iter().all(|r| !r.writes());
        if cmd.redirs.iter().any(|r| r.writes()) {
            super::classify::echo_into(ctx, cmd, role.literal.as_deref().unwrap_or(""), st, facts);
        }
        return None.or(Some(role));
    }
    None
}
