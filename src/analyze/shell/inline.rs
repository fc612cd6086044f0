//! Code inside code: shells (`sh -c`, here-documents), `eval`, `source`, inline interpreters
//! (`python -c`, `perl -e`, `node -e`, `ruby -e`, `php -r`, PowerShell `-c`/`-EncodedCommand`), decoders
//! (`base64 -d`, `xxd -r`, `printf '\x..'`, `rev`, rot13) and fork bombs.
//!
//! Shell code is analyzed by the shell analyzer one level deeper. Other languages are judged by what their
//! source mentions (sockets with process spawning, downloads with eval, decoding with exec) and their string
//! literals are analyzed as shell commands when the code shells out, as paths and as URLs.
use super::classify::{check_path, is_shell, Intent};
use super::lex::{SubKind, Word};
use super::{analyze, Cmd, Ctx, Role, State};
use crate::analyze::url::{inspect_url, looks_like_url, UrlContext};
use crate::analyze::{Facts, Tag};
use base64::Engine;

/// Languages code can arrive in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Shell,
    Python,
    Perl,
    Ruby,
    Node,
    Php,
    PowerShell,
    Other,
}

impl Lang {
    /// The language a program (by basename) runs.
    pub fn of(name: &str) -> Lang {
        let n = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        match n {
            _ if is_shell(n) => Lang::Shell,
            "python" | "pypy" | "ipython" => Lang::Python,
            "perl" => Lang::Perl,
            "ruby" | "irb" => Lang::Ruby,
            "node" | "nodejs" | "deno" | "bun" => Lang::Node,
            "php" => Lang::Php,
            "powershell" | "pwsh" => Lang::PowerShell,
            "lua" | "luajit" | "rscript" | "osascript" | "awk" | "gawk" | "mawk" | "nawk" | "tclsh" | "jshell"
            | "julia" => Lang::Other,
            _ => Lang::Other,
        }
    }
}

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

fn has_escapes(s: &str) -> bool {
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

/// Analyzes a decoded payload in the language of the program it is fed to.
pub fn analyze_payload(ctx: Ctx<'_>, lang: Lang, text: &str, facts: &mut Facts) {
    if lang == Lang::Shell {
        analyze(ctx, text, facts);
    } else {
        analyze_code(ctx, lang, text, facts);
    }
}

fn any(l: &str, keys: &[&str]) -> bool {
    keys.iter().any(|k| l.contains(k))
}

const SPAWN: &[&str] = &[
    "subprocess",
    "os.system",
    "os.popen",
    "popen",
    "pty.spawn",
    "dup2",
    "system(",
    "exec(",
    "execsync",
    "spawn(",
    "child_process",
    "shell_exec",
    "passthru",
    "proc_open",
    "/bin/sh",
    "/bin/bash",
    "cmd.exe",
    "invoke-expression",
    "iex",
    "runtime.getruntime",
    "kernel.exec",
    "io.popen",
    "`",
];

/// Judges code in a language other than shell.
pub fn analyze_code(ctx: Ctx<'_>, lang: Lang, code: &str, facts: &mut Facts) -> Role {
    let mut role = Role::default();
    let code = code.get(..16 * 1024).unwrap_or(code);
    let l = code.to_ascii_lowercase();
    let lname = format!("{lang:?}").to_ascii_lowercase();
    if let Some(why) = fork_bomb(code) {
        facts.tag(Tag::Destructive, why);
    }
    let socket = any(
        &l,
        &[
            "socket",
            "tcpsocket",
            "fsockopen",
            "net.connect",
            "new net.socket",
            "tcpclient",
            "/dev/tcp",
            "create_connection",
            "io::socket",
        ],
    );
    let spawns = any(&l, SPAWN);
    if socket && spawns {
        facts.tag(Tag::ReverseShell, format!("{lname} code opens a socket and spawns a shell or process"));
    }
    let fetches = any(
        &l,
        &[
            "urlopen",
            "urllib",
            "requests.get",
            "http.get",
            "https.get",
            "fetch(",
            "downloadstring",
            "net.webclient",
            "invoke-webrequest",
            "iwr ",
            "irm ",
            "invoke-restmethod",
            "open-uri",
            "uri.open",
            "lwp::",
            "file_get_contents('http",
            "file_get_contents(\"http",
            "httpclient",
            "curl",
        ],
    );
    let evals = any(
        &l,
        &[
            "exec(",
            "eval(",
            "iex",
            "invoke-expression",
            "compile(",
            "instance_eval",
            "function(",
            "new function",
            "vm.run",
            "system(",
            "| sh",
            "|sh",
            "| bash",
        ],
    );
    if fetches && evals {
        facts.tag(Tag::RemoteCode, format!("{lname} code downloads and executes code"));
        role.downloads = true;
    }
    let decodes = any(
        &l,
        &[
            "b64decode",
            "base64",
            "decodebytes",
            "atob(",
            "frombase64string",
            "unpack(\"m",
            "unpack('m",
            "codecs.decode",
            "rot13",
            "rot_13",
            "zlib.decompress",
            "marshal.loads",
            "fromcharcode",
            "bytes.fromhex",
            "unhexlify",
            "[char]",
            "-join",
            "\\x",
        ],
    );
    if decodes && evals {
        facts.tag(Tag::Obfuscated, format!("{lname} code decodes a payload and executes it"));
        role.decodes = true;
    }
    if lang == Lang::PowerShell {
        if any(
            &l,
            &[
                "set-mppreference",
                "disablerealtimemonitoring",
                "amsiutils",
                "amsiinitfailed",
                "clear-eventlog",
                "wevtutil cl",
                "remove-eventlog",
            ],
        ) {
            facts.tag(Tag::DefenseEvasion, "PowerShell disables Defender/AMSI or clears event logs");
        }
        if any(&l, &["mimikatz", "sekurlsa", "get-credential", "convertfrom-securestring", "lsass"]) {
            facts.tag(Tag::CredentialAccess, "PowerShell dumps credentials");
        }
        if any(&l, &["remove-item", "rm ", "del ", "rd "])
            && any(&l, &["-recurse", "-r "])
            && any(&l, &["c:\\", "c:/", "$env:userprofile", "~", "/"])
        {
            let target = ["c:\\windows", "c:\\ ", "c:\\'", "c:\\\"", "$env:userprofile", "c:\\users"]
                .iter()
                .find(|t| l.contains(*t));
            if let Some(t) = target {
                facts.tag(Tag::Destructive, format!("PowerShell deletes {t} recursively"));
            }
        }
        analyze(ctx.deeper(), code, facts);
    }
    let destructive_fn = any(
        &l,
        &[
            "rmtree",
            "rm_rf",
            "rimraf",
            "fs.rm",
            "rmsync",
            "remove_dir_all",
            "unlink",
            "os.remove",
            "rmdir",
            "file.delete",
            "remove-item",
        ],
    );
    let writes = any(
        &l,
        &[
            "'w'",
            "\"w\"",
            "'a'",
            "\"a\"",
            "write(",
            "writefile",
            "appendfile",
            "file_put_contents",
            "out-file",
            "set-content",
            "add-content",
            "open(f,'>",
            ">>",
            "write_text",
            "write_bytes",
        ],
    );
    let sends = any(
        &l,
        &[
            "requests.post",
            "method: 'post'",
            "method:\"post\"",
            "method: \"post\"",
            "urlopen(",
            "sendall",
            ".send(",
            "upload",
            "post(",
            "-method post",
            "lwp",
            "http.request",
            "net::http.post",
        ],
    );
    let lits = literals(code);
    let mut sensitive = false;
    for group in list_groups(&lits) {
        if spawns && group.len() > 1 {
            analyze(ctx.deeper(), &group.join(" "), facts);
        }
    }
    for lit in lits.iter().take(32) {
        if looks_like_url(lit) {
            inspect_url(lit, UrlContext::Shell, ctx.an.resolve, facts);
            continue;
        }
        if spawns && lit.contains(' ') {
            let r = analyze(ctx.deeper(), lit, facts);
            sensitive |= r.sensitive;
        }
        if lit.starts_with('/')
            || lit.starts_with('~')
            || lit.starts_with("$HOME")
            || lit.starts_with("C:")
            || lit.starts_with("c:")
            || lit.starts_with(".env")
        {
            let st = State::default();
            let intent = if destructive_fn {
                Intent::Delete
            } else if writes {
                Intent::Write
            } else {
                Intent::Read
            };
            sensitive |= check_path(ctx, &st, lit, Intent::Read, &lname, false, facts) && intent == Intent::Read;
            if intent != Intent::Read {
                check_path(ctx, &st, lit, intent, &format!("{lname} code"), destructive_fn, facts);
            }
        }
    }
    if sensitive && sends {
        facts.tag(Tag::Exfiltration, format!("{lname} code reads credentials and sends data out"));
    }
    if socket || fetches {
        facts.tags.insert(Tag::Network);
    }
    role.sensitive = sensitive;
    role
}

/// String literals ('…', "…") in source code, at most 64.
fn literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() && out.len() < 64 {
        let q = b[i];
        if q == b'\'' || q == b'"' {
            if let Some(end) = b[i + 1..].iter().position(|&c| c == q) {
                out.push((i, String::from_utf8_lossy(&b[i + 1..i + 1 + end]).into_owned(), i + 2 + end));
                i += end + 2;
                continue;
            }
        }
        i += 1;
    }
    let mut res: Vec<String> = Vec::with_capacity(out.len());
    let mut last_end = 0;
    for (start, s, end) in out {
        let between = code.get(last_end..start).unwrap_or("x");
        if !res.is_empty() && between.trim().trim_matches(',').trim().is_empty() && last_end != 0 {
            res.push(format!("\u{1}{s}"));
        } else {
            res.push(s);
        }
        last_end = end;
    }
    res
}

/// Groups consecutive literals of a list (`["rm", "-rf", "/"]`).
fn list_groups(lits: &[String]) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    for l in lits {
        match l.strip_prefix('\u{1}') {
            Some(cont) => {
                if let Some(g) = groups.last_mut() {
                    g.push(cont.to_string());
                }
            }
            None => groups.push(vec![l.clone()]),
        }
    }
    groups
}

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
            role.merge_from(&r);
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
                role.merge_from(&r);
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

impl Role {
    fn merge_from(&mut self, o: &Role) {
        self.downloads |= o.downloads;
        self.decodes |= o.decodes;
        self.sensitive |= o.sensitive;
        self.recon |= o.recon;
        if self.decoded.is_none() {
            self.decoded.clone_from(&o.decoded);
        }
    }
}
