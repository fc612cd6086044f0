//! Wrappers that run another command: `sudo`, `env`, `nohup`, `timeout`, `xargs`, `busybox` … are peeled in
//! place so the command they run is what gets classified, and what the wrapper itself means (another user,
//! a cleared environment, a detached process) is tagged on the way.
use super::classify::{check_assignment, opts};
use super::{basename, Cmd, Ctx, State};
use crate::analyze::{Facts, Tag};

const SHELLS: &[&str] =
    &["sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "csh", "tcsh", "yash", "rbash", "posh"];

/// Whether a basename is a POSIX-ish shell.
pub fn is_shell(name: &str) -> bool {
    SHELLS.contains(&name)
}

/// Peels wrappers (`sudo`, `env`, `nohup`, `timeout`, `xargs` …) in place; tags what the wrappers mean.
pub fn peel(ctx: Ctx<'_>, cmd: &mut Cmd, st: &mut State, facts: &mut Facts) {
    for _ in 0..16 {
        let Some(first) = cmd.args.first() else { return };
        if first.encoded {
            facts.tag(Tag::Obfuscated, format!("the command name is written with escapes: {}", first.text));
        }
        let written = first.text.clone();
        if written.contains('$') || written.contains('`') {
            let tainted = st.tainted.iter().find(|(k, _)| written.contains(k.as_str()));
            if let Some((k, role)) = tainted {
                let t = if role.downloads { Tag::RemoteCode } else { Tag::Obfuscated };
                facts.tag(t, format!("runs ${k}, built from decoded or downloaded text"));
            }
            if cmd.subs.iter().any(|(_, r)| r.decodes) {
                facts.tag(Tag::Obfuscated, "the command name comes from decoded text");
            }
        }
        if written.contains(['?', '*', '[']) && written.contains('/') {
            facts.tag(Tag::Obfuscated, format!("the command path is a glob: {written}"));
        }
        let name = basename(&written);
        cmd.name.clone_from(&name);
        let skip = |cmd: &mut Cmd, n: usize| {
            let n = n.min(cmd.args.len());
            cmd.args.drain(..n);
        };
        match name.as_str() {
            "sudo" | "doas" | "pkexec" | "run0" | "gosu" | "su-exec" => {
                facts.tag(Tag::PrivilegeEscalation, format!("runs as another user with {name}"));
                let o = opts(
                    &cmd.args[1..],
                    "ugCDhprtUT",
                    &["user", "group", "chdir", "host", "prompt", "role", "type", "other-user"],
                );
                let consumed = o.lead;
                skip(cmd, 1 + consumed);
                if name == "gosu" || name == "su-exec" {
                    skip(cmd, 1);
                }
            }
            "su" => {
                facts.tag(Tag::PrivilegeEscalation, "switches user with su");
                let o = opts(&cmd.args[1..], "cs", &["command", "shell"]);
                if let Some(c) = o.value('c', "command") {
                    super::analyze(ctx.deeper(), c, facts);
                }
                cmd.args.clear();
                return;
            }
            "env" => {
                let mut k = 1;
                while k < cmd.args.len() {
                    let a = cmd.args[k].text.clone();
                    if a == "-S" || a == "--split-string" {
                        if let Some(s) = cmd.args.get(k + 1) {
                            let s = s.text.clone();
                            let rest: Vec<String> = cmd.args[k + 2..].iter().map(|w| w.text.clone()).collect();
                            super::analyze(ctx.deeper(), &format!("{s} {}", rest.join(" ")), facts);
                        }
                        cmd.args.clear();
                        return;
                    } else if a == "-u" || a == "-C" || a == "--unset" || a == "--chdir" {
                        k += 2;
                    } else if a.starts_with('-') {
                        k += 1;
                    } else if let Some((n, v)) = a.split_once('=').filter(|(n, _)| !n.is_empty() && !n.contains('/')) {
                        check_assignment(n, v, facts);
                        k += 1;
                    } else {
                        break;
                    }
                }
                if k >= cmd.args.len() {
                    cmd.args.truncate(1);
                    return;
                }
                skip(cmd, k);
            }
            "nohup" | "setsid" | "time" | "builtin" | "caffeinate" | "unbuffer" | "torsocks" | "proxychains"
            | "proxychains4" | "tsocks" | "catchsegv" | "ltrace" | "strace" | "firejail" | "sg" => {
                let o = opts(&cmd.args[1..], "oeEpsuS", &[]);
                let consumed = o.lead;
                skip(cmd, 1 + consumed);
            }
            "nice" | "ionice" | "chrt" | "taskset" | "stdbuf" => {
                let o = opts(&cmd.args[1..], "ncptioe", &["adjustment", "class", "classdata"]);
                let mut consumed = o.lead;
                if matches!(name.as_str(), "chrt" | "taskset") {
                    consumed += 1;
                }
                skip(cmd, 1 + consumed);
            }
            "timeout" => {
                let o = opts(&cmd.args[1..], "sk", &["signal", "kill-after"]);
                let consumed = o.lead;
                skip(cmd, 2 + consumed);
            }
            "flock" => {
                let o = opts(&cmd.args[1..], "wE", &["timeout", "conflict-exit-code"]);
                let consumed = o.lead;
                skip(cmd, 2 + consumed);
            }
            "xargs" => {
                let o =
                    opts(&cmd.args[1..], "IinPdELsa", &["replace", "max-args", "max-procs", "delimiter", "arg-file"]);
                let consumed = o.lead;
                skip(cmd, 1 + consumed);
                cmd.via_xargs = true;
            }
            "command" | "exec" => {
                let o = opts(&cmd.args[1..], "a", &[]);
                if name == "command" && (o.has('v', "") || o.has('V', "")) {
                    cmd.args.truncate(1);
                    cmd.name = "command-lookup".into();
                    return;
                }
                let consumed = o.lead;
                skip(cmd, 1 + consumed);
                if cmd.args.is_empty() {
                    cmd.name = "exec".into();
                    return;
                }
            }
            "busybox" | "toybox" => skip(cmd, 1),
            "watch" => {
                let o = opts(&cmd.args[1..], "nd", &["interval"]);
                super::analyze(ctx.deeper(), &o.pos.join(" "), facts);
                cmd.args.clear();
                return;
            }
            "chroot" => {
                facts.tag(Tag::SandboxEscape, "changes the root directory with chroot");
                skip(cmd, 2);
            }
            "nsenter" => {
                facts.tag(Tag::SandboxEscape, "enters another process's namespaces with nsenter");
                let o = opts(&cmd.args[1..], "tSG", &["target", "setuid", "setgid"]);
                let consumed = o.lead;
                skip(cmd, 1 + consumed);
            }
            "unshare" => {
                let o = opts(&cmd.args[1..], "", &[]);
                let consumed = o.lead;
                skip(cmd, 1 + consumed);
            }
            "script" => {
                let o = opts(&cmd.args[1..], "cIOTE", &["command", "log-in", "log-out"]);
                if let Some(c) = o.value('c', "command") {
                    super::analyze(ctx.deeper(), c, facts);
                }
                cmd.args.clear();
                return;
            }
            _ => return,
        }
        if cmd.args.is_empty() {
            return;
        }
    }
    facts.tag(Tag::Unparsed, "too many nested wrappers");
}
