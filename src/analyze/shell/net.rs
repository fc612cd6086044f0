//! Network and delivery commands: downloads, uploads, raw sockets, copies to remote hosts, git, package
//! managers, publishing, cloud and cluster CLIs, containers.
//!
//! Returns `None` for commands it does not know so the local-effect rules run instead.
use super::classify::{check_path, opts, Intent};
use super::lex::Word;
use super::{Cmd, Ctx, Role, State};
use crate::analyze::url::{inspect_host, inspect_url, is_drop_site, looks_like_url, UrlContext};
use crate::analyze::{Facts, Tag};

const CURL_VALUES: &str = "dFHXouATexKmwrECUYyzQbcDP";
const CURL_LONG: &[&str] = &[
    "data",
    "data-raw",
    "data-binary",
    "data-urlencode",
    "data-ascii",
    "json",
    "form",
    "form-string",
    "header",
    "request",
    "output",
    "user",
    "user-agent",
    "referer",
    "cookie",
    "cookie-jar",
    "upload-file",
    "proxy",
    "config",
    "connect-timeout",
    "max-time",
    "write-out",
    "range",
    "cert",
    "key",
    "cacert",
    "resolve",
    "connect-to",
    "unix-socket",
    "interface",
    "retry",
    "url",
    "proxy-user",
    "limit-rate",
    "dump-header",
    "oauth2-bearer",
    "mail-from",
    "mail-rcpt",
    "output-dir",
    "abstract-unix-socket",
    "doh-url",
    "dns-servers",
    "variable",
    "expand-url",
];

fn url_of(ctx: Ctx<'_>, st: &State, raw: &str, facts: &mut Facts) {
    if let Some(path) = inspect_url(raw, UrlContext::Shell, ctx.an.resolve, facts) {
        check_path(ctx, st, &path, Intent::Read, "file: URL", false, facts);
    }
}

fn upload_source(ctx: Ctx<'_>, st: &State, spec: &str, who: &str, facts: &mut Facts, role: &mut Role) {
    let file = spec.rsplit_once(['@', '<']).map_or(spec, |(_, f)| f).trim_matches(['"', '\'']);
    let file = file.split(';').next().unwrap_or(file);
    if file == "-" || file.is_empty() {
        role.net_send = true;
        return;
    }
    role.net_send = true;
    if check_path(ctx, st, file, Intent::Read, who, false, facts) {
        facts.tag(Tag::Exfiltration, format!("{who} uploads {file} (credentials)"));
    }
}

/// Network/delivery rules, or `None` when the command is not one of them.
pub fn classify_network(ctx: Ctx<'_>, cmd: &Cmd, args: &[Word], st: &mut State, facts: &mut Facts) -> Option<Role> {
    let mut role = Role::default();
    let name = cmd.name.as_str();
    let argv: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    let sends_sub = cmd.subs.iter().any(|(_, r)| r.sensitive || r.recon);
    match name {
        "curl" | "wget" | "http" | "https" | "xh" | "aria2c" | "axel" | "lynx" | "links" | "w3m" | "fetch"
        | "httpie" | "curlie" => {
            facts.tags.insert(Tag::Network);
            let (vs, vl): (&str, &[&str]) = if name == "wget" {
                (
                    "OoPUeitTQ",
                    &[
                        "output-document",
                        "output-file",
                        "directory-prefix",
                        "user-agent",
                        "header",
                        "post-data",
                        "post-file",
                        "body-data",
                        "body-file",
                        "method",
                        "execute",
                        "input-file",
                        "tries",
                        "timeout",
                        "user",
                        "password",
                        "limit-rate",
                    ],
                )
            } else {
                (CURL_VALUES, CURL_LONG)
            };
            let o = opts(args, vs, vl);
            let mut urls: Vec<String> = o
                .pos
                .iter()
                .filter(|p| looks_like_url(p) || p.contains('.') && !p.starts_with('/') && !p.contains('='))
                .cloned()
                .collect();
            urls.extend(o.values('\0', "url").into_iter().map(str::to_string));
            for u in &urls {
                url_of(ctx, st, u, facts);
                if is_drop_site(u.split_once("://").map_or(u.as_str(), |(_, r)| r)) {
                    role.drop_site = true;
                }
            }
            let stdout = if name == "wget" {
                matches!(o.value('O', "output-document"), Some("-" | "/dev/stdout"))
            } else {
                // `-o -` (curl, BSD fetch) also writes to stdout.
                matches!(o.value('o', "output"), None | Some("-" | "/dev/stdout")) && !o.has('O', "remote-name")
            };
            role.downloads = stdout && !urls.is_empty();
            if let Some(f) =
                o.value('o', "output").or_else(|| if name == "wget" { o.value('O', "output-document") } else { None })
            {
                if f != "-" {
                    st.downloaded.push(f.to_string());
                    check_path(ctx, st, f, Intent::Write, name, false, facts);
                }
            } else if !stdout {
                st.downloaded.extend(urls.iter().filter_map(|u| u.rsplit('/').next().map(str::to_string)));
            }
            for (n, v) in &o.flags {
                let v = v.as_deref().unwrap_or("");
                match n.as_str() {
                    "d" | "data" | "data-binary" | "data-raw" | "data-ascii" | "data-urlencode" | "json"
                    | "post-data" | "body-data" => {
                        if v.contains('@') && n != "data-raw" {
                            upload_source(ctx, st, v, name, facts, &mut role);
                        }
                        role.net_send = true;
                    }
                    "F" | "form" => upload_source(ctx, st, v, name, facts, &mut role),
                    "T" | "upload-file" | "post-file" | "body-file" => {
                        upload_source(ctx, st, &format!("@{v}"), name, facts, &mut role)
                    }
                    "resolve" | "connect-to" => {
                        if let Some(ip) =
                            v.rsplit(':').find(|p| !p.is_empty() && !p.chars().all(|c| c.is_ascii_digit()))
                        {
                            inspect_host(ip, UrlContext::Fetch, facts);
                        }
                    }
                    "unix-socket" | "abstract-unix-socket" if v.contains("docker.sock") || v.contains("containerd") => {
                        facts.tag(Tag::SandboxEscape, format!("{name} talks to the container runtime socket {v}"));
                    }
                    "H" | "header" => {
                        let l = v.to_ascii_lowercase();
                        if l.starts_with("metadata-flavor")
                            || l.starts_with("metadata:")
                            || l.starts_with("x-aws-ec2-metadata-token")
                        {
                            facts.tag(Tag::MetadataEndpoint, format!("sends the cloud metadata header {v}"));
                            facts.tag(
                                Tag::Ssrf,
                                "a cloud metadata header only makes sense against the metadata service",
                            );
                        }
                    }
                    _ => {}
                }
            }
            if sends_sub && !urls.is_empty() {
                facts.tag(
                    Tag::Exfiltration,
                    format!("{name} sends the output of a command that reads secrets or host identity"),
                );
            }
            if role.net_send && role.drop_site {
                facts.tag(Tag::Exfiltration, format!("{name} uploads to a paste site or request catcher"));
            }
            // Only a command fed by a pipe sends that input on.
            if !cmd.piped_in {
                role.net_send = false;
            }
            role.net_send |=
                o.flags.iter().any(|(n, v)| v.as_deref() == Some("@-") || n == "T" && v.as_deref() == Some("-"));
        }
        "nc" | "ncat" | "netcat" | "nc.traditional" | "nc.openbsd" | "pwncat" => {
            facts.tags.insert(Tag::Network);
            let o = opts(args, "ecpswqiIOTVXx", &["exec", "sh-exec", "lua-exec", "source", "wait", "proxy"]);
            if let Some(e) = o.value('e', "exec").or(o.value('c', "sh-exec")).or(o.value('\0', "lua-exec")) {
                facts.tag(Tag::ReverseShell, format!("{name} -e {e} hands a program to a network peer"));
            }
            if let Some(h) = o.pos.first() {
                inspect_host(h, UrlContext::Shell, facts);
                if is_drop_site(h) {
                    role.drop_site = true;
                    role.net_send = true;
                }
            }
            role.net_tool = true;
            role.net_send = true;
            if cmd.redirs.iter().any(|r| r.feeds_stdin()) && !o.has('l', "listen") {
                let from =
                    cmd.redirs.iter().find(|r| r.feeds_stdin()).map(|r| r.target.text.clone()).unwrap_or_default();
                facts.tag(Tag::Exfiltration, format!("{name} sends {from} to a remote host"));
            }
        }
        "socat" => {
            facts.tags.insert(Tag::Network);
            role.net_tool = true;
            for a in &argv {
                let l = a.to_ascii_lowercase();
                if l.starts_with("exec:") || l.starts_with("system:") || l.contains(",exec:") {
                    facts.tag(Tag::ReverseShell, format!("socat {a} connects a program to a socket"));
                }
                if l.contains("docker.sock") {
                    facts.tag(Tag::SandboxEscape, "socat talks to the container runtime socket");
                }
                if let Some(h) = l
                    .split_once(':')
                    .filter(|(k, _)| k.starts_with("tcp") || k.starts_with("udp") || k.starts_with("openssl"))
                    .map(|(_, r)| r)
                {
                    inspect_host(h.split(',').next().unwrap_or(h), UrlContext::Shell, facts);
                }
            }
        }
        "telnet" => {
            facts.tags.insert(Tag::Network);
            role.net_tool = true;
        }
        "openssl" => {
            if argv.first() == Some(&"s_client") {
                facts.tags.insert(Tag::Network);
                role.net_tool = true;
            } else if argv.contains(&"-d") && argv.iter().any(|a| matches!(*a, "base64" | "enc" | "-base64" | "-a")) {
                role.decodes = true;
                role.decoder = Some(super::decode::Decoder::Base64);
            } else {
                return None;
            }
        }
        "ssh" => {
            facts.tags.insert(Tag::Network);
            let o = opts(args, "iloFLRDJWbcEemOpQSwBI", &[]);
            if let Some(h) = o.pos.first() {
                inspect_host(h, UrlContext::Shell, facts);
            }
            if o.pos.len() > 1 {
                super::analyze(ctx.deeper(), &o.pos[1..].join(" "), facts);
            }
            role.net_send = true;
        }
        "scp" | "rsync" | "sftp" | "rclone" => {
            facts.tags.insert(Tag::Network);
            let o = opts(args, "iPoFlcSJe", &["rsh", "exclude", "include", "filter", "rsync-path", "config"]);
            let remote = |p: &str| {
                let (before, _) = p.split_once(':').unwrap_or(("", ""));
                !before.is_empty() && !before.contains('/') && before.len() > 1 && !p.starts_with('/')
            };
            let mut pos = o.pos.iter().map(String::as_str).collect::<Vec<_>>();
            if name == "rclone" && !pos.is_empty() {
                pos.remove(0);
            }
            if let Some((dest, srcs)) = pos.split_last() {
                if remote(dest) && srcs.iter().any(|s| !remote(s)) {
                    let dest_host = dest.split(':').next().unwrap_or(dest);
                    inspect_host(dest_host, UrlContext::Shell, facts);
                    let mut sensitive = false;
                    let recursive =
                        o.has('r', "recursive") || o.has('a', "archive") || o.has('R', "") || name == "rclone";
                    for s in srcs {
                        sensitive |= check_path(ctx, st, s, Intent::Read, name, recursive, facts);
                        let n = ctx.an.paths.normalize(s, st.cwd.as_deref());
                        sensitive |= ctx.an.paths.classify(&n).precious_dir && n != "." && !n.starts_with("~/")
                            || n == "~"
                            || n == "~/";
                    }
                    if name == "scp" || sensitive {
                        facts.tag(Tag::Exfiltration, format!("{name} copies {} to {dest}", srcs.join(" ")));
                    } else {
                        facts.tag(Tag::Deploy, format!("{name} copies {} to {dest}", srcs.join(" ")));
                    }
                } else {
                    for s in srcs {
                        if remote(s) {
                            inspect_host(s.split(':').next().unwrap_or(s), UrlContext::Shell, facts);
                        }
                    }
                    if let Some(d) = pos.last() {
                        check_path(ctx, st, d, Intent::Write, name, false, facts);
                    }
                }
            }
        }
        "mail" | "mailx" | "sendmail" | "mutt" | "swaks" | "msmtp" => {
            facts.tag(Tag::OutboundMessage, format!("{name} sends email"));
            role.net_send = true;
            for r in cmd.redirs.iter().filter(|r| r.feeds_stdin()) {
                if check_path(ctx, st, &r.target.text, Intent::Read, name, false, facts) {
                    facts.tag(Tag::Exfiltration, format!("{name} mails {}", r.target.text));
                }
            }
            let o = opts(args, "asAcbrS", &["attach"]);
            for a in o.values('a', "attach").into_iter().chain(o.values('A', "")) {
                if check_path(ctx, st, a, Intent::Read, name, false, facts) {
                    facts.tag(Tag::Exfiltration, format!("{name} attaches {a}"));
                }
            }
        }
        "dig" | "nslookup" | "host" | "drill" | "ping" | "ping6" | "traceroute" | "whois" | "nmap" | "masscan"
        | "tracepath" | "mtr" => {
            facts.tags.insert(Tag::Network);
            role.read_only = true;
            if sends_sub || !cmd.subs.is_empty() {
                facts.tag(Tag::Exfiltration, format!("{name} leaks command output through DNS or ICMP"));
            }
            for p in argv.iter().filter(|a| !a.starts_with('-') && !a.starts_with('@')) {
                inspect_host(p.split('/').next().unwrap_or(p), UrlContext::Shell, facts);
            }
            if matches!(name, "nmap" | "masscan") {
                facts.evidence.push((Tag::Network, format!("{name} scans the network")));
            }
        }
        "git" => return super::delivery::git(ctx, cmd, &argv, st, facts),
        _ => return super::delivery::delivery(ctx, cmd, &argv, facts),
    }
    Some(role)
}
