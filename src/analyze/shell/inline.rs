//! Code inside code: shells (`sh -c`, here-documents), `eval`, `source` and inline interpreters
//! (`python -c`, `perl -e`, `node -e`, `ruby -e`, `php -r`, PowerShell `-c`/`-EncodedCommand`). Decoders
//! and fork bombs are in [`super::decode`].
//!
//! Shell code is analyzed by the shell analyzer one level deeper. Other languages are judged by what their
//! source mentions (sockets with process spawning, downloads with eval, decoding with exec) and their string
//! literals are analyzed as shell commands when the code shells out, as paths and as URLs.
use super::classify::{check_path, Intent};
use super::decode::fork_bomb;
use super::wrappers::is_shell;
use super::{analyze, Ctx, Role, State};
use crate::analyze::url::{inspect_url, looks_like_url, UrlContext};
use crate::analyze::{Facts, Tag};

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
