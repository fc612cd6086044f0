//! Per-command meaning: flags normalized, paths judged by intent (read, write, delete). Wrappers (`sudo`,
//! `env` …) are peeled before this, in [`super::wrappers`].
//!
//! Flags are parsed getopt-style per command ([`opts`]), so `-rf`, `-fr`, `-r -f` and `--recursive --force`
//! are the same thing. Every argument that could be a path is normalized and classified with the intent
//! the command gives it; evidence names the command, its flags and the target as written.
use super::lex::Word;
use super::{interp, net, Cmd, Ctx, Role, State};
use crate::analyze::{Facts, Tag};

/// Parsed options: `(name, value)` with short names as one-letter strings, and positionals.
#[derive(Debug, Default)]
pub struct Opts {
    pub flags: Vec<(String, Option<String>)>,
    pub pos: Vec<String>,
    /// How many leading words are options (with their values) before the first operand or `--`.
    pub lead: usize,
}

impl Opts {
    /// Whether `-short` or `--long` was given.
    pub fn has(&self, short: char, long: &str) -> bool {
        self.flags.iter().any(|(n, _)| is(n, short, long))
    }
    /// The first value of `-short` / `--long`.
    pub fn value(&self, short: char, long: &str) -> Option<&str> {
        self.values(short, long).into_iter().next()
    }
    /// Every value of `-short` / `--long`.
    pub fn values(&self, short: char, long: &str) -> Vec<&str> {
        self.flags.iter().filter(|(n, _)| is(n, short, long)).filter_map(|(_, v)| v.as_deref()).collect()
    }
    /// Flags as written for evidence: `-r -f`.
    pub fn shown(&self) -> String {
        self.flags
            .iter()
            .map(|(n, _)| if n.len() == 1 { format!("-{n}") } else { format!("--{n}") })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn is(n: &str, short: char, long: &str) -> bool {
    (n.len() == 1 && n.starts_with(short) && short != '\0') || (!long.is_empty() && n == long)
}

/// getopt-lite: `value_shorts` are short options taking a value, `value_longs` long ones.
pub fn opts(args: &[Word], value_shorts: &str, value_longs: &[&str]) -> Opts {
    let mut o = Opts::default();
    let mut i = 0;
    let mut rest = false;
    let mut lead = None;
    while i < args.len() {
        let a = args[i].text.as_str();
        i += 1;
        if rest || a == "-" || !a.starts_with('-') {
            lead.get_or_insert(i - 1);
            o.pos.push(a.to_string());
            continue;
        }
        if a == "--" {
            rest = true;
            lead.get_or_insert(i);
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None if value_longs.contains(&long) => (long, args.get(i).map(|w| w.text.clone())),
                None => (long, None),
            };
            if val.is_some() && !long.contains('=') {
                i += 1;
            }
            o.flags.push((name.to_ascii_lowercase(), val));
            continue;
        }
        let chars: Vec<char> = a[1..].chars().collect();
        for (k, c) in chars.iter().enumerate() {
            if value_shorts.contains(*c) {
                let attached: String = chars[k + 1..].iter().collect();
                let val = if attached.is_empty() {
                    i += 1;
                    args.get(i - 1).map(|w| w.text.clone())
                } else {
                    Some(attached)
                };
                o.flags.push((c.to_string(), val));
                break;
            }
            o.flags.push((c.to_string(), None));
        }
    }
    o.lead = lead.unwrap_or(args.len());
    o
}

/// What a command does to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Read,
    Write,
    Delete,
}

/// Normalizes and classifies a path argument and tags by intent. Returns whether it was sensitive to read.
pub fn check_path(
    ctx: Ctx<'_>,
    st: &State,
    raw: &str,
    intent: Intent,
    who: &str,
    recursive: bool,
    facts: &mut Facts,
) -> bool {
    if raw.is_empty() || raw.contains("://") || raw.starts_with('-') {
        return false;
    }
    let paths = &ctx.an.paths;
    let norm = paths.normalize(raw, st.cwd.as_deref());
    let c = paths.classify(&norm);
    let shown = if norm == raw { raw.to_string() } else { format!("{raw} ({norm})") };
    if norm.starts_with("/proc/1/root") || norm.contains("/release_agent") {
        facts.tag(Tag::SandboxEscape, format!("{who} touches {shown}, a container escape path"));
    }
    match intent {
        Intent::Read => {
            if recursive && super::super::path::is_credential_dir(&norm) {
                facts.tag(Tag::CredentialAccess, format!("{who} reads the credential directory {shown}"));
                return true;
            }
            if c.credential {
                facts.tag(Tag::CredentialAccess, format!("{who} reads {shown} (credentials)"));
                return true;
            }
            facts.tags.insert(Tag::FileRead);
        }
        Intent::Write | Intent::Delete => {
            let verb = if intent == Intent::Write { "writes" } else { "deletes" };
            facts.tags.insert(Tag::FileWrite);
            let mut hit = false;
            if c.persistence {
                facts.tag(Tag::Persistence, format!("{who} {verb} {shown}, which runs or is loaded again later"));
                hit = true;
            }
            if c.agent_config {
                facts.tag(Tag::ConfigTamper, format!("{who} {verb} {shown}, the agent's own configuration"));
                hit = true;
            }
            if c.traces {
                facts.tag(Tag::DefenseEvasion, format!("{who} {verb} {shown} (logs or shell history)"));
                hit = true;
            }
            if norm.starts_with("/etc/sudoers")
                || norm == "/etc/passwd"
                || norm == "/etc/group"
                || norm == "/etc/ld.so.preload"
            {
                facts.tag(Tag::PrivilegeEscalation, format!("{who} {verb} {shown}"));
            }
            if c.system && !c.traces {
                facts.tag(Tag::Destructive, format!("{who} {verb} {shown} (system location)"));
                hit = true;
            }
            if c.credential && !hit {
                let t = if intent == Intent::Delete { Tag::Destructive } else { Tag::CredentialAccess };
                facts.tag(t, format!("{who} {verb} {shown} (credentials)"));
            }
            if intent == Intent::Delete && recursive && c.precious_dir {
                let label = match norm.as_str() {
                    "/" | "/*" => "root".to_string(),
                    "~" | "~/*" => "the home directory".to_string(),
                    "." | "*" | "./*" | ".." => "the working directory".to_string(),
                    _ => "a top-level directory".to_string(),
                };
                facts.tag(Tag::Destructive, format!("{who} targets {raw} ({label})"));
            }
        }
    }
    false
}

/// Environment assignments that matter on their own (`HISTFILE=/dev/null`, `LD_PRELOAD=…`).
pub fn check_assignment(name: &str, value: &str, facts: &mut Facts) {
    match name {
        "HISTFILE" | "HISTSIZE" | "HISTFILESIZE" | "HISTCONTROL"
            if value.is_empty() || value == "0" || value == "/dev/null" || value.contains("ignore") =>
        {
            facts.tag(Tag::DefenseEvasion, format!("sets {name}={value} to stop shell history"))
        }
        "LD_PRELOAD" | "LD_LIBRARY_PATH" | "DYLD_INSERT_LIBRARIES" | "LD_AUDIT" => {
            facts.tag(Tag::PrivilegeEscalation, format!("{name}={value} injects a library into the program"))
        }
        "PROMPT_COMMAND" | "BASH_ENV" | "ENV" => {
            facts.tag(Tag::Persistence, format!("{name} runs code in every later shell"))
        }
        _ => {}
    }
}

/// Commands that take paths without reading their contents.
pub const NO_CONTENT: &[&str] = &[
    "ls",
    "stat",
    "chmod",
    "chown",
    "chgrp",
    "test",
    "[",
    "ssh",
    "ssh-add",
    "ssh-keygen",
    "ssh-copy-id",
    "file",
    "du",
    "realpath",
    "readlink",
    "basename",
    "dirname",
    "which",
    "cd",
    "pushd",
    "echo",
    "printf",
    "mkdir",
    "touch",
    "export",
    "code",
    "vim",
    "vi",
    "nano",
    "emacs",
    "open",
    "git",
    "exa",
    "eza",
    "tree",
    "scp",
    "rsync",
    "sftp",
    "cp",
    "mv",
    "install",
    "ln",
    "rm",
    "rmdir",
    "shred",
    "unlink",
    "tee",
    "truncate",
    "dd",
    "wipe",
    "srm",
    "find",
    "command-lookup",
    "type",
    "source",
    ".",
    "npm",
    "cargo",
    "make",
    "pytest",
    "docker",
    "kubectl",
    "chattr",
    "lsattr",
];

/// Read-only commands (no side effects on their own).
const READ_ONLY: &[&str] = &[
    "ls",
    "cat",
    "head",
    "tail",
    "less",
    "more",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ack",
    "fd",
    "pwd",
    "echo",
    "printf",
    "wc",
    "sort",
    "uniq",
    "cut",
    "tr",
    "diff",
    "cmp",
    "file",
    "stat",
    "du",
    "df",
    "which",
    "whereis",
    "type",
    "whoami",
    "id",
    "date",
    "uname",
    "hostname",
    "tree",
    "realpath",
    "readlink",
    "basename",
    "dirname",
    "jq",
    "yq",
    "true",
    "false",
    "test",
    "[",
    "sleep",
    "ps",
    "free",
    "uptime",
    "man",
    "column",
    "nl",
    "od",
    "hexdump",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "cksum",
    "tac",
    "fold",
    "fmt",
    "comm",
    "join",
    "paste",
    "seq",
    "exa",
    "eza",
    "bat",
    "locate",
    "cd",
    "command-lookup",
    "env",
    "printenv",
    "lsof",
    "ss",
    "netstat",
    "nproc",
    "lscpu",
    "tldr",
    "rev",
    "strings",
    "xxd",
    "base64",
    "awk",
    "sed",
    "find",
    "git",
    "help",
    "history",
    "fc",
    "pgrep",
    "cal",
    "expr",
];

const GIT_READ: &[&str] = &[
    "status",
    "log",
    "diff",
    "show",
    "blame",
    "rev-parse",
    "ls-files",
    "describe",
    "shortlog",
    "grep",
    "branch",
    "remote",
    "tag",
    "reflog",
    "ls-tree",
    "cat-file",
    "config",
    "stash",
    "whatchanged",
    "help",
    "version",
    "show-ref",
];

/// Classifies one resolved command.
pub fn classify(ctx: Ctx<'_>, cmd: &Cmd, st: &mut State, facts: &mut Facts) -> Role {
    let mut role = Role::default();
    let name = cmd.name.as_str();
    let args = if cmd.args.is_empty() { &cmd.args[..] } else { &cmd.args[1..] };
    let argv: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    facts.tags.insert(Tag::ShellExec);
    role.read_only = READ_ONLY.contains(&name)
        && cmd.redirs.iter().all(|r| !r.writes() || r.target.text == "/dev/null" || r.target.text.starts_with('&'))
        && cmd.subs.iter().all(|(_, r)| r.read_only);
    if name == "git" {
        let sub = argv.iter().find(|a| !a.starts_with('-')).copied().unwrap_or("");
        role.read_only &= GIT_READ.contains(&sub)
            && !argv
                .iter()
                .any(|a| matches!(*a, "-d" | "-D" | "--delete" | "add" | "set-url" | "drop" | "pop" | "--unset"));
    }
    if name == "sed" {
        role.read_only &= !argv.iter().any(|a| a.starts_with("-i") || *a == "--in-place");
    }
    if name == "find" {
        role.read_only &= !argv
            .iter()
            .any(|a| matches!(*a, "-delete" | "-exec" | "-execdir" | "-ok" | "-okdir" | "-fprint" | "-fls"));
    }
    // Redirections.
    for r in &cmd.redirs {
        let t = r.target.text.as_str();
        if t.contains("/dev/tcp/") || t.contains("/dev/udp/") {
            facts.tag(Tag::ReverseShell, format!("redirects to {t}, a raw network socket"));
            role.net_tool = true;
            continue;
        }
        if r.writes() && !matches!(t, "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/tty") {
            check_path(ctx, st, t, Intent::Write, &format!("redirect {}", r.op), false, facts);
            if r.op == ">" || r.op == ">|" {
                let n = ctx.an.paths.normalize(t, st.cwd.as_deref());
                if ctx.an.paths.classify(&n).traces {
                    facts.tag(Tag::DefenseEvasion, format!("empties {t}"));
                }
            }
        } else if r.op == "<" && check_path(ctx, st, t, Intent::Read, &format!("{name} <"), false, facts) {
            role.sensitive = true;
        }
    }
    if cmd.args.iter().any(|w| w.text.contains("/dev/tcp/") || w.text.contains("/dev/udp/")) {
        facts.tag(Tag::ReverseShell, format!("{name} opens /dev/tcp or /dev/udp, a raw network socket"));
    }
    if name.is_empty() || name == "exec" {
        return role;
    }
    if let Some(first) = cmd.args.first().map(|w| w.text.trim_start_matches("./")) {
        let ran_download = st.downloaded.iter().any(|d| {
            let d = d.trim_start_matches("./");
            !d.is_empty() && (first == d || first.ends_with(&format!("/{d}")) || d.ends_with(&format!("/{first}")))
        });
        if ran_download && first.contains('/') {
            facts.tag(Tag::RemoteCode, format!("runs {first}, a file downloaded earlier in the same command"));
        }
    }
    if let Some(r) = interp::classify_interpreter(ctx, cmd, args, st, facts) {
        return r;
    }
    if let Some(r) = net::classify_network(ctx, cmd, args, st, facts) {
        return r;
    }
    super::system::files(ctx, cmd, name, args, &argv, st, facts, role)
}

/// `echo … > file` where the file runs later (cron entries, rc files, scripts): the text is judged as shell
/// now, because it will run as shell then. A cron line's schedule fields are skipped.
pub fn echo_into(ctx: Ctx<'_>, cmd: &Cmd, text: &str, st: &mut State, facts: &mut Facts) {
    let runs_later = cmd.redirs.iter().filter(|r| r.writes()).any(|r| {
        let n = ctx.an.paths.normalize(&r.target.text, st.cwd.as_deref());
        ctx.an.paths.classify(&n).persistence || n.ends_with(".sh") || n.contains("cron")
    });
    if runs_later && !text.trim().is_empty() {
        super::analyze(ctx.deeper(), strip_cron_schedule(text), facts);
    }
}

/// `*/5 * * * * cmd` → `cmd`; `@reboot cmd` → `cmd`; anything else unchanged.
fn strip_cron_schedule(line: &str) -> &str {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix('@') {
        return rest.split_once(char::is_whitespace).map_or("", |(_, r)| r);
    }
    let mut rest = t;
    for _ in 0..5 {
        let Some((field, r)) = rest.split_once(char::is_whitespace) else { return line };
        if !field.chars().all(|c| c.is_ascii_digit() || matches!(c, '*' | '/' | ',' | '-')) {
            return line;
        }
        rest = r.trim_start();
    }
    rest
}
