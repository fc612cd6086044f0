//! Local effects: deleting, copying, writing, permissions, disks, processes, services, schedules, history.
//!
//! Called last by the classifier, after interpreters and network commands had their turn. Any command not
//! known here still has its path-like arguments judged as reads (`cat`, `grep`, `tar` … of a credential).
use super::classify::{check_path, opts, Intent, NO_CONTENT};
use super::lex::Word;
use super::{Cmd, Ctx, Role, State};
use crate::analyze::{Facts, Tag};

const SECURITY_SERVICES: &[&str] = &[
    "auditd",
    "apparmor",
    "selinux",
    "firewalld",
    "ufw",
    "falco",
    "osquery",
    "osqueryd",
    "wazuh",
    "ossec",
    "clamav",
    "clamd",
    "crowdstrike",
    "falcon-sensor",
    "sysdig",
    "syslog",
    "rsyslog",
    "journald",
    "systemd-journald",
    "airlock",
    "sentinelone",
    "auditbeat",
];

fn mentions_security(argv: &[&str]) -> Option<String> {
    argv.iter().find(|a| SECURITY_SERVICES.iter().any(|s| a.to_ascii_lowercase().contains(s))).map(|s| s.to_string())
}

/// Local-effect rules; `role` arrives with `read_only` computed.
#[allow(clippy::too_many_arguments)]
pub fn files(
    ctx: Ctx<'_>,
    cmd: &Cmd,
    name: &str,
    args: &[Word],
    argv: &[&str],
    st: &mut State,
    facts: &mut Facts,
    mut role: Role,
) -> Role {
    let who = name.to_string();
    match name {
        "rm" | "rmdir" | "unlink" | "shred" | "wipe" | "srm" => {
            let o = opts(args, "", &[]);
            let recursive = o.has('r', "recursive") || o.has('R', "") || name != "rm" && name != "unlink";
            let shown = format!("{name} {}", o.shown()).trim().to_string();
            if o.has('\0', "no-preserve-root") {
                facts.tag(Tag::Destructive, format!("{shown}: --no-preserve-root removes the safety net on /"));
            }
            if matches!(name, "shred" | "wipe" | "srm") {
                facts.tag(Tag::Destructive, format!("{name} irrecoverably overwrites {}", o.pos.join(" ")));
            }
            for p in &o.pos {
                check_path(ctx, st, p, Intent::Delete, &shown, recursive || p.ends_with("/*"), facts);
            }
            if cmd.via_xargs && recursive {
                facts.evidence.push((Tag::FileWrite, format!("{shown} deletes whatever xargs reads from stdin")));
            }
        }
        "cd" | "pushd" => {
            if let Some(dir) = argv.iter().find(|a| !a.starts_with('-')) {
                let n = ctx.an.paths.normalize(dir, st.cwd.as_deref());
                st.cwd = Some(n);
            }
        }
        "find" => {
            let deletes = argv.contains(&"-delete")
                || argv.windows(2).any(|w| {
                    matches!(w[0], "-exec" | "-execdir" | "-ok") && matches!(w[1], "rm" | "shred" | "/bin/rm")
                });
            let starts: Vec<&str> =
                argv.iter().take_while(|a| !a.starts_with('-') && !matches!(**a, "(" | "!")).copied().collect();
            for p in if starts.is_empty() { vec!["."] } else { starts } {
                let intent = if deletes { Intent::Delete } else { Intent::Read };
                role.sensitive |= check_path(ctx, st, p, intent, "find", true, facts);
            }
        }
        "tar" | "zip" | "7z" | "7za" | "rar" | "bsdtar" => {
            let creating = argv.first().is_some_and(|a| a.trim_start_matches('-').contains('c'))
                || name != "tar" && name != "bsdtar";
            if creating {
                let to_stdout = argv.windows(2).any(|w| w[0].trim_start_matches('-').ends_with('f') && w[1] == "-");
                let mut sources = argv.iter().skip(1).filter(|a| !a.starts_with('-') && **a != "-");
                if name == "tar" || name == "bsdtar" {
                    if !to_stdout {
                        sources.next(); // the archive being written
                    }
                } else {
                    sources.next();
                }
                for p in sources {
                    role.sensitive |= check_path(ctx, st, p, Intent::Read, &who, true, facts);
                }
                // An archive streamed to stdout is bulk data: piped to the network it is exfiltration.
                role.sensitive |= to_stdout;
            }
        }
        "grep" | "egrep" | "fgrep" | "rg" | "ag" | "ack" => {
            let o =
                opts(args, "efmABCd", &["regexp", "file", "max-count", "after-context", "before-context", "context"]);
            let recursive =
                o.has('r', "recursive") || o.has('R', "dereference-recursive") || name == "rg" || name == "ag";
            let skip = usize::from(o.value('e', "regexp").is_none());
            for p in o.pos.iter().skip(skip) {
                role.sensitive |= check_path(ctx, st, p, Intent::Read, &who, recursive, facts);
            }
        }
        "gpg" | "gpg2" => {
            if argv.iter().any(|a| a.starts_with("--export-secret")) {
                facts.tag(Tag::CredentialAccess, "gpg exports secret keys");
                role.sensitive = true;
            }
        }
        "iex" | "invoke-expression" => {
            let all = argv.join(" ").to_ascii_lowercase();
            if [
                "downloadstring",
                "iwr",
                "invoke-webrequest",
                "net.webclient",
                "curl",
                "wget",
                "invoke-restmethod",
                "irm",
            ]
            .iter()
            .any(|k| all.contains(k))
            {
                facts.tag(Tag::RemoteCode, "Invoke-Expression runs text downloaded from the network");
            } else {
                facts.tag(Tag::Obfuscated, "Invoke-Expression runs a string as code");
            }
        }
        "cp" | "mv" | "install" | "ln" | "rsync" => {
            let o = opts(args, "tSmogb", &["target-directory", "suffix", "mode", "owner", "group"]);
            let mut pos = o.pos.clone();
            let dest = o.value('t', "target-directory").map(str::to_string).or_else(|| pos.pop());
            for p in &pos {
                let intent = if name == "mv" { Intent::Delete } else { Intent::Read };
                let recursive = o.has('r', "recursive") || o.has('R', "") || o.has('a', "archive");
                if check_path(ctx, st, p, Intent::Read, &who, recursive, facts) {
                    role.sensitive = true;
                }
                if intent == Intent::Delete {
                    check_path(ctx, st, p, Intent::Delete, &format!("mv {p} away:"), true, facts);
                }
            }
            if let Some(d) = dest {
                if d == "/dev/null" && name == "mv" {
                    facts.tag(Tag::Destructive, format!("mv {} /dev/null destroys it", pos.join(" ")));
                }
                check_path(ctx, st, &d, Intent::Write, &who, false, facts);
            }
        }
        "tee" | "truncate" | "touch" | "sponge" => {
            let o = opts(args, "sdtr", &["size", "date", "reference"]);
            for p in &o.pos {
                check_path(ctx, st, p, Intent::Write, &who, false, facts);
            }
            if name == "touch" && (o.has('r', "reference") || o.has('t', "") || o.has('d', "date")) {
                facts.tag(Tag::DefenseEvasion, "touch sets file times (timestomping)");
            }
            if name == "truncate" {
                for p in &o.pos {
                    let n = ctx.an.paths.normalize(p, st.cwd.as_deref());
                    if ctx.an.paths.classify(&n).traces {
                        facts.tag(Tag::DefenseEvasion, format!("truncates {p}"));
                    }
                }
            }
        }
        "sed" | "perl-i" => {
            let o = opts(args, "ef", &["expression", "file"]);
            if o.flags.iter().any(|(n, _)| n == "i" || n.starts_with("in-place")) {
                for p in o.pos.iter().skip(usize::from(o.value('e', "expression").is_none())) {
                    check_path(ctx, st, p, Intent::Write, "sed -i", false, facts);
                }
            } else {
                for p in o.pos.iter().skip(1) {
                    role.sensitive |= check_path(ctx, st, p, Intent::Read, &who, false, facts);
                }
            }
        }
        "dd" => {
            for a in argv {
                if let Some(t) = a.strip_prefix("of=") {
                    check_path(ctx, st, t, Intent::Write, "dd", false, facts);
                } else if let Some(t) = a.strip_prefix("if=") {
                    role.sensitive |= check_path(ctx, st, t, Intent::Read, "dd", false, facts);
                }
            }
        }
        n if n.starts_with("mkfs")
            || matches!(
                n,
                "mke2fs"
                    | "mkswap"
                    | "wipefs"
                    | "blkdiscard"
                    | "sfdisk"
                    | "sgdisk"
                    | "parted"
                    | "gdisk"
                    | "fdisk"
                    | "cfdisk"
            ) =>
        {
            let listing = argv.iter().any(|a| matches!(*a, "-l" | "--list" | "-p" | "print")) && !n.starts_with("mkfs");
            if !listing {
                facts.tag(Tag::Destructive, format!("{n} rewrites a disk or partition ({})", argv.join(" ")));
            }
        }
        "chmod" | "chown" | "chgrp" | "chattr" | "setfacl" => {
            let o = opts(args, "", &["reference"]);
            let recursive = o.has('R', "recursive");
            let mode = o.pos.first().cloned().unwrap_or_default();
            if name == "chmod" && is_setuid(&mode) {
                facts.tag(Tag::PrivilegeEscalation, format!("chmod {mode} sets the setuid/setgid bit"));
            }
            for p in o.pos.iter().skip(1) {
                let norm = ctx.an.paths.normalize(p, st.cwd.as_deref());
                let c = ctx.an.paths.classify(&norm);
                if recursive && c.precious_dir || c.system {
                    facts.tag(
                        Tag::Destructive,
                        format!("{name} {} {mode} {p} changes permissions on a system location", o.shown()),
                    );
                }
                if c.persistence || c.agent_config {
                    check_path(ctx, st, p, Intent::Write, &who, false, facts);
                }
            }
        }
        "setcap" => facts.tag(Tag::PrivilegeEscalation, format!("setcap grants capabilities: {}", argv.join(" "))),
        "visudo" | "passwd" | "chpasswd" | "useradd" | "adduser" | "usermod" | "gpasswd" | "groupadd" | "newgrp" => {
            let joined = argv.join(" ");
            let admin = ["sudo", "wheel", "admin", "root", "docker", "-u 0", "-o"].iter().any(|g| joined.contains(g));
            if matches!(name, "visudo" | "passwd" | "chpasswd") || admin {
                facts.tag(Tag::PrivilegeEscalation, format!("{name} {joined} changes accounts or privileges"));
            } else {
                facts.tag(Tag::InfraChange, format!("{name} changes user accounts"));
            }
        }
        "kill" | "pkill" | "killall" | "killall5" => {
            if name == "killall5" || argv.iter().any(|a| *a == "-1" || *a == "1") && name == "kill" {
                facts.tag(Tag::Destructive, format!("{name} {} kills every process or init", argv.join(" ")));
            } else if let Some(s) = mentions_security(argv) {
                facts.tag(Tag::DefenseEvasion, format!("{name} stops {s}, a security or logging service"));
            }
        }
        "shutdown" | "reboot" | "halt" | "poweroff" => facts.tag(Tag::Destructive, format!("{name} stops the machine")),
        "init" | "telinit" if argv.first().is_some_and(|a| matches!(*a, "0" | "6")) => {
            facts.tag(Tag::Destructive, "init 0/6 stops the machine")
        }
        "systemctl" | "service" | "launchctl" | "rc-service" | "update-rc.d" | "chkconfig" => {
            systemctl(name, argv, facts)
        }
        "history" if argv.iter().any(|a| matches!(*a, "-c" | "-w" | "-d" | "-p")) => {
            facts.tag(Tag::DefenseEvasion, format!("history {} clears or rewrites shell history", argv.join(" ")))
        }
        "unset" if argv.iter().any(|a| a.starts_with("HIST")) => {
            facts.tag(Tag::DefenseEvasion, "unsets shell history variables")
        }
        "export" | "declare" | "typeset" | "readonly" | "local" => {
            for a in argv {
                if let Some((n, v)) = a.split_once('=') {
                    super::classify::check_assignment(n, v, facts);
                }
            }
        }
        "set" if argv.contains(&"+o") && argv.contains(&"history") => {
            facts.tag(Tag::DefenseEvasion, "set +o history stops shell history")
        }
        "setenforce" if argv.first() == Some(&"0") => facts.tag(Tag::DefenseEvasion, "setenforce 0 disables SELinux"),
        "auditctl" if argv.iter().any(|a| *a == "-D" || *a == "-e") => {
            facts.tag(Tag::DefenseEvasion, "auditctl removes audit rules")
        }
        "ufw" if argv.first() == Some(&"disable") => {
            facts.tag(Tag::DefenseEvasion, "ufw disable turns off the firewall")
        }
        "iptables" | "ip6tables" | "nft" if argv.iter().any(|a| matches!(*a, "-F" | "--flush" | "flush" | "-X")) => {
            facts.tag(Tag::DefenseEvasion, format!("{name} flushes firewall rules"))
        }
        "journalctl" if argv.iter().any(|a| a.starts_with("--vacuum") || *a == "--rotate") => {
            facts.tag(Tag::DefenseEvasion, "journalctl deletes logs")
        }
        "crontab" => {
            let o = opts(args, "u", &[]);
            facts.tag(Tag::ScheduledJob, format!("crontab {}", argv.join(" ")));
            if o.has('r', "") {
                facts.tag(Tag::Destructive, "crontab -r deletes every scheduled job");
            } else if !o.has('l', "") {
                facts.tag(Tag::Persistence, "crontab installs jobs that run again later");
            }
        }
        "at" | "batch" | "schtasks" => {
            facts.tag(Tag::ScheduledJob, format!("{name} schedules a job"));
            if name == "schtasks" {
                facts.tag(Tag::Persistence, "schtasks creates a scheduled task");
            }
            for r in &cmd.redirs {
                if r.op == "<<" || r.op == "<<<" {
                    super::analyze(ctx.deeper(), &r.target.text, facts);
                }
            }
        }
        "systemd-run" => {
            facts.tag(Tag::ScheduledJob, "systemd-run starts a transient unit");
        }
        "mount" | "umount" | "losetup" | "debugfs" | "insmod" | "modprobe" | "rmmod" | "kexec" | "capsh" => {
            if !(name == "mount" && argv.is_empty()) {
                facts.tag(Tag::SandboxEscape, format!("{name} {} reaches the host kernel or disks", argv.join(" ")));
            }
        }
        "mkfifo" | "mknod" => role.net_tool |= false,
        "security"
            if argv.first().is_some_and(|a| {
                a.starts_with("find-") || a.starts_with("dump-keychain") || a.starts_with("export")
            }) =>
        {
            facts.tag(Tag::CredentialAccess, format!("security {} reads the macOS keychain", argv.join(" ")));
            role.sensitive = true;
        }
        "printenv" | "env" | "set" if argv.is_empty() || name == "printenv" => role.sensitive = true,
        "whoami" | "id" | "hostname" | "uname" | "ifconfig" => role.recon = true,
        "mimikatz" | "lazagne" | "secretsdump.py" | "secretsdump" | "pypykatz" | "gitleaks" | "trufflehog"
        | "unshadow" => {
            facts.tag(Tag::CredentialAccess, format!("{name} harvests credentials"));
            role.sensitive = true;
        }
        _ => {
            if NO_CONTENT.contains(&name) {
                return role;
            }
            let o = opts(args, "", &[]);
            for p in &o.pos {
                if check_path(ctx, st, p, Intent::Read, &who, false, facts) {
                    role.sensitive = true;
                }
                if matches!(name, "tar" | "zip" | "7z" | "rar" | "cpio") {
                    let n = ctx.an.paths.normalize(p, st.cwd.as_deref());
                    if matches!(n.as_str(), "~" | "/" | "/etc" | "~/.ssh" | "~/.aws" | "~/.gnupg") {
                        role.sensitive = true;
                    }
                }
            }
            if matches!(name, "grep" | "rg" | "egrep" | "ag" | "findstr") {
                grep_secrets(ctx, st, argv, facts, &mut role);
            }
        }
    }
    if name == "find" {
        find(ctx, cmd, args, argv, st, facts);
    }
    role
}

fn is_setuid(mode: &str) -> bool {
    mode.contains("+s")
        || (mode.len() == 4
            && mode.chars().all(|c| c.is_ascii_digit())
            && matches!(mode.as_bytes()[0], b'2' | b'4' | b'6'))
}

fn systemctl(name: &str, argv: &[&str], facts: &mut Facts) {
    let verb = argv.iter().find(|a| !a.starts_with('-')).copied().unwrap_or("");
    let verb = if name == "service" { argv.get(1).copied().unwrap_or("") } else { verb };
    if matches!(verb, "poweroff" | "reboot" | "halt" | "kexec") {
        facts.tag(Tag::Destructive, format!("{name} {verb} stops the machine"));
        return;
    }
    let changing = [
        "start",
        "stop",
        "restart",
        "enable",
        "disable",
        "mask",
        "daemon-reload",
        "load",
        "bootstrap",
        "submit",
        "kill",
        "reload",
        "defaults",
        "add",
        "on",
        "off",
    ];
    if !changing.contains(&verb) {
        return;
    }
    if matches!(verb, "stop" | "disable" | "mask" | "kill" | "off") {
        if let Some(s) = mentions_security(argv) {
            facts.tag(Tag::DefenseEvasion, format!("{name} {verb} {s} turns off a security or logging service"));
            return;
        }
    }
    if matches!(verb, "enable" | "load" | "bootstrap" | "submit" | "defaults" | "add" | "on") {
        facts.tag(Tag::Persistence, format!("{name} {verb} {} starts it at every boot or login", argv.join(" ")));
    }
    facts.tag(Tag::InfraChange, format!("{name} {} changes system services", argv.join(" ")));
}

fn grep_secrets(ctx: Ctx<'_>, st: &State, argv: &[&str], facts: &mut Facts, role: &mut Role) {
    let pattern = argv.iter().find(|a| !a.starts_with('-')).map(|s| s.to_ascii_lowercase()).unwrap_or_default();
    let secretish = ["password", "passwd", "secret", "api_key", "apikey", "token", "akia", "private key", "aws_secret"]
        .iter()
        .any(|k| pattern.contains(k));
    let recursive =
        argv.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && (a.contains('r') || a.contains('R')));
    let wide = argv.iter().skip(1).any(|p| {
        let n = ctx.an.paths.normalize(p, st.cwd.as_deref());
        matches!(n.as_str(), "~" | "/" | "/etc" | "/home" | "/var" | "/root")
    });
    if secretish && (recursive || wide) && (wide || ctx.an.paths.normalize(".", st.cwd.as_deref()) == "~") {
        facts.tag(Tag::CredentialAccess, format!("searches widely for secrets: {}", argv.join(" ")));
        role.sensitive = true;
    }
}

fn find(ctx: Ctx<'_>, cmd: &Cmd, args: &[Word], argv: &[&str], st: &mut State, facts: &mut Facts) {
    let roots: Vec<&str> =
        argv.iter().take_while(|a| !a.starts_with('-') && **a != "(" && **a != "!").copied().collect();
    let roots = if roots.is_empty() { vec!["."] } else { roots };
    if argv.contains(&"-delete") {
        for r in &roots {
            check_path(ctx, st, r, Intent::Delete, "find -delete", true, facts);
        }
    }
    if let Some(k) = argv.iter().position(|a| matches!(*a, "-exec" | "-execdir" | "-ok" | "-okdir")) {
        let end = argv[k + 1..].iter().position(|a| *a == ";" || *a == "+").map_or(argv.len(), |e| k + 1 + e);
        let inner: Vec<String> = args[k + 1..end]
            .iter()
            .map(|w| {
                if w.text == "{}" {
                    roots.first().map_or("{}".to_string(), |r| format!("{r}/x"))
                } else {
                    w.text.clone()
                }
            })
            .collect();
        let words: Vec<Word> = inner.iter().map(|t| Word { text: t.clone(), ..Word::default() }).collect();
        let mut nested = Cmd {
            name: String::new(),
            args: words,
            redirs: Vec::new(),
            piped_in: false,
            piped_out: cmd.piped_out,
            via_xargs: false,
            subs: Vec::new(),
        };
        super::wrappers::peel(ctx, &mut nested, st, facts);
        let recursive_rm = nested.name == "rm";
        super::classify::classify(ctx, &nested, st, facts);
        if recursive_rm {
            for r in &roots {
                check_path(ctx, st, r, Intent::Delete, "find -exec rm", true, facts);
            }
        }
    }
    let joined = argv.join(" ").to_ascii_lowercase();
    let hunting =
        ["id_rsa", "id_ed25519", "*.pem", "*.key", ".env", "credentials", "*.kdbx", "wallet.dat", ".aws", "shadow"]
            .iter()
            .any(|k| joined.contains(k));
    let wide = roots
        .iter()
        .any(|r| matches!(ctx.an.paths.normalize(r, st.cwd.as_deref()).as_str(), "~" | "/" | "/home" | "/root"));
    if hunting && wide {
        facts.tag(Tag::CredentialAccess, format!("find searches for key or credential files: find {}", argv.join(" ")));
    }
}
