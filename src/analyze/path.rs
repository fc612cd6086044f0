//! Path analysis: lexical normalization and the sets of paths that matter (credentials, persistence, system).
//!
//! Normalization is purely lexical — the file system is never touched, so symlinks are not followed:
//! `~`, `~user`, `$HOME`, `${HOME}`, `%USERPROFILE%` expand, backslashes become slashes, `//`, `.` and `..`
//! collapse, and relative paths join the working directory when one is known. Every home directory
//! (`/root`, `/home/*`, `/Users/*`, the configured home) is then written as `~` so that one pattern set covers
//! every user. The sets are compiled once ([`PathSets::new`]); matching a path is one `GlobSet` pass per set.
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// Files whose contents are credentials (reading them is `credential-access`).
const CREDENTIALS: &[&str] = &[
    "~/.ssh/id_*",
    "~/.ssh/*_key",
    "**/id_rsa",
    "**/id_dsa",
    "**/id_ecdsa",
    "**/id_ed25519",
    "**/*.key",
    "**/*.p12",
    "**/*.pfx",
    "**/*.jks",
    "**/*.keystore",
    "**/*private*.pem",
    "~/.ssh/*.pem",
    "/etc/ssh/ssh_host_*_key",
    "~/.aws/**",
    "~/.config/gcloud/**",
    "~/.azure/**",
    "~/.kube/config",
    "~/.kube/**/config",
    "~/.docker/config.json",
    "~/.gnupg/**",
    "~/.git-credentials",
    "~/.config/git/credentials",
    "~/.netrc",
    "~/_netrc",
    "**/.npmrc",
    "~/.pypirc",
    "~/.gem/credentials",
    "~/.cargo/credentials*",
    "~/.config/gh/hosts.yml",
    "~/.terraform.d/credentials*",
    "~/.vault-token",
    "~/.pgpass",
    "~/.my.cnf",
    "~/.boto",
    "~/.s3cfg",
    "~/.config/rclone/rclone.conf",
    "~/.databrickscfg",
    "~/.password-store/**",
    "~/.config/op/**",
    "~/.local/share/keyrings/**",
    "~/Library/Keychains/**",
    "/Library/Keychains/**",
    "**/*.keychain-db",
    "**/*.kdbx",
    "**/.env",
    "**/.env.*",
    "**/.htpasswd",
    "**/credentials.json",
    "**/service-account*.json",
    "**/terraform.tfstate",
    "/etc/shadow",
    "/etc/shadow-",
    "/etc/gshadow",
    "/etc/master.passwd",
    "/etc/security/opasswd",
    "/etc/sudoers",
    "/etc/sudoers.d/**",
    "/proc/*/environ",
    "/proc/*/mem",
    "/var/run/secrets/**",
    "/run/secrets/**",
    "~/.bash_history",
    "~/.zsh_history",
    "~/.history",
    "~/.sh_history",
    "~/.python_history",
    "~/.psql_history",
    "~/.mysql_history",
    "~/.node_repl_history",
    "~/.local/share/fish/fish_history",
    "**/Login Data",
    "**/Login Data For Account",
    "**/Cookies",
    "**/Web Data",
    "**/Local State",
    "**/logins.json",
    "**/key3.db",
    "**/key4.db",
    "**/cookies.sqlite",
    "~/.claude/.credentials.json",
    "~/.codex/auth.json",
    "~/.config/airlock/**",
    "~/.openclaw/openclaw.json",
    "~/.openclaw/.env",
    "~/.openclaw/credentials/**",
    "**/auth-profiles.json",
    "~/.openclaw/agents/*/agent/auth*.json",
];

/// Files that run again later: writing them is `persistence`.
const PERSISTENCE: &[&str] = &[
    "~/.bashrc",
    "~/.bash_profile",
    "~/.bash_login",
    "~/.bash_logout",
    "~/.profile",
    "~/.zshrc",
    "~/.zshenv",
    "~/.zprofile",
    "~/.zlogin",
    "~/.zlogout",
    "~/.cshrc",
    "~/.tcshrc",
    "~/.kshrc",
    "~/.xinitrc",
    "~/.xprofile",
    "~/.pam_environment",
    "~/.config/fish/**",
    "~/.config/autostart/**",
    "~/.config/systemd/**",
    "~/.ssh/authorized_keys*",
    "~/.ssh/rc",
    "/etc/profile",
    "/etc/profile.d/**",
    "/etc/bash.bashrc",
    "/etc/bashrc",
    "/etc/zshrc",
    "/etc/zsh/**",
    "/etc/environment",
    "/etc/crontab",
    "/etc/anacrontab",
    "/etc/cron.*/**",
    "/etc/cron.d/**",
    "/var/spool/cron/**",
    "/var/spool/at/**",
    "/etc/systemd/**",
    "/lib/systemd/**",
    "/usr/lib/systemd/**",
    "/etc/init.d/**",
    "/etc/init/**",
    "/etc/rc.local",
    "/etc/rc*.d/**",
    "/etc/xdg/autostart/**",
    "/etc/update-motd.d/**",
    "/etc/apt/apt.conf.d/**",
    "/etc/ld.so.preload",
    "~/Library/LaunchAgents/**",
    "/Library/LaunchAgents/**",
    "/Library/LaunchDaemons/**",
    "/System/Library/LaunchDaemons/**",
    "**/.git/hooks/**",
    "**/site-packages/*.pth",
    "**/sitecustomize.py",
    "**/usercustomize.py",
    "**/SOUL.md",
    "**/HEARTBEAT.md",
    "**/IDENTITY.md",
    "**/BOOTSTRAP.md",
    "**/MEMORY.md",
    "~/.openclaw/workspace*/*.md",
    "~/.openclaw/hooks/**",
    "~/.openclaw/skills/**",
    "~/.openclaw/workspace*/skills/**",
];

/// The agent's own configuration and the proxy's: changing them is `config-tamper`.
const AGENT_CONFIG: &[&str] = &[
    "~/.openclaw/*.json",
    "~/.openclaw/*.json5",
    "~/.openclaw/.env",
    "~/.openclaw/agents/**",
    "~/.openclaw/credentials/**",
    "~/.openclaw/config/**",
    "**/auth-profiles.json",
    "**/airlock*.toml",
    "~/.config/airlock/**",
    "~/.claude/settings*.json",
];

/// System locations: writing or deleting there is `destructive`.
const SYSTEM: &[&str] = &[
    "/etc/**",
    "/usr/**",
    "/boot/**",
    "/bin/**",
    "/sbin/**",
    "/lib/**",
    "/lib32/**",
    "/lib64/**",
    "/sys/**",
    "/proc/sys/**",
    "/proc/sysrq-trigger",
    "/var/lib/**",
    "/System/**",
    "/dev/sd*",
    "/dev/hd*",
    "/dev/vd*",
    "/dev/xvd*",
    "/dev/nvme*",
    "/dev/mmcblk*",
    "/dev/disk*",
    "/dev/mapper/**",
    "/dev/mem",
    "/dev/kmem",
    "/dev/port",
    "c:/windows/**",
];

/// Logs and histories: deleting or truncating them is `defense-evasion`.
const TRACES: &[&str] = &[
    "/var/log/**",
    "~/.bash_history",
    "~/.zsh_history",
    "~/.history",
    "~/.sh_history",
    "~/.local/share/fish/fish_history",
    "/var/run/utmp",
    "/var/log/wtmp",
    "/var/log/btmp",
];

/// Top-level directories whose recursive removal wrecks the system.
const ROOT_DIRS: &[&str] = &[
    "/",
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib64",
    "/opt",
    "/proc",
    "/root",
    "/sbin",
    "/srv",
    "/sys",
    "/usr",
    "/var",
    "/Users",
    "/System",
    "/Applications",
    "/Library",
    "c:",
    "c:/windows",
    "c:/users",
];

/// What a path is, as far as the pattern sets can tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PathClass {
    /// Its contents are credentials.
    pub credential: bool,
    /// Writing it makes something run later (rc files, cron, services, the agent's persona/memory).
    pub persistence: bool,
    /// The agent's own configuration (or the proxy's).
    pub agent_config: bool,
    /// A system location (write/delete there is destructive).
    pub system: bool,
    /// Logs or histories.
    pub traces: bool,
    /// `/`, a top-level system directory, a home directory or a direct child of one.
    pub precious_dir: bool,
    /// Inside one of the agent's directories (`agent_dirs`).
    pub agent_dir: bool,
}

/// The compiled path sets.
#[derive(Debug, Clone)]
pub struct PathSets {
    credentials: GlobSet,
    persistence: GlobSet,
    agent_config: GlobSet,
    system: GlobSet,
    traces: GlobSet,
    protected: GlobSet,
    agent_dirs: GlobSet,
    home: String,
}

fn build(patterns: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let glob = GlobBuilder::new(p).literal_separator(true).case_insensitive(true).build();
        if let Ok(g) = glob.or_else(|_| Glob::new(&globset::escape(p))) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// The built-in sets do not depend on the configuration: compiled once per process, so a reload, an
/// `airlock check` or a fuzzed config load does not recompile five glob sets (their clones share the
/// compiled matchers).
fn builtin_sets() -> &'static [GlobSet; 5] {
    static SETS: std::sync::OnceLock<[GlobSet; 5]> = std::sync::OnceLock::new();
    SETS.get_or_init(|| [CREDENTIALS, PERSISTENCE, AGENT_CONFIG, SYSTEM, TRACES].map(|list| build(&owned(list))))
}

fn owned(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl PathSets {
    /// Compiles the sets. `protected` are extra globs treated as credentials when read and as the agent's
    /// configuration when written; `agent_dirs` are the agent's own directories (default `~/.openclaw`).
    pub fn new(home: &str, protected: &[String], agent_dirs: &[String]) -> Self {
        let home = home.trim_end_matches('/').to_string();
        let norm = |p: &String| normalize(p, &home, None);
        let protected: Vec<String> = protected.iter().map(norm).collect();
        let agent_dirs: Vec<String> =
            agent_dirs.iter().map(norm).flat_map(|d| [d.clone(), format!("{d}/**")]).collect();
        let [credentials, persistence, agent_config, system, traces] = builtin_sets().clone();
        PathSets {
            credentials,
            persistence,
            agent_config,
            system,
            traces,
            protected: build(&protected),
            agent_dirs: build(&agent_dirs),
            home,
        }
    }

    /// Normalizes `raw` against this home and the working directory `cwd`.
    pub fn normalize(&self, raw: &str, cwd: Option<&str>) -> String {
        normalize(raw, &self.home, cwd)
    }

    /// Classifies an already normalized path.
    pub fn classify(&self, norm: &str) -> PathClass {
        let example = norm.ends_with(".example")
            || norm.ends_with(".sample")
            || norm.ends_with(".template")
            || norm.ends_with(".dist")
            || norm.ends_with(".pub");
        let protected = self.protected.is_match(norm);
        let agent_dir = self.agent_dirs.is_match(norm);
        PathClass {
            credential: (self.credentials.is_match(norm) && !example) || protected,
            persistence: self.persistence.is_match(norm)
                || (agent_dir && norm.ends_with(".md") && !norm.contains("/memory/")),
            agent_config: self.agent_config.is_match(norm) || protected,
            system: self.system.is_match(norm),
            traces: self.traces.is_match(norm),
            precious_dir: is_precious_dir(norm),
            agent_dir,
        }
    }
}

/// Directories whose whole content is credentials (read recursively: archived, copied, searched).
const CREDENTIAL_DIRS: &[&str] = &[
    "~/.ssh",
    "~/.aws",
    "~/.gnupg",
    "~/.kube",
    "~/.docker",
    "~/.config/gcloud",
    "~/.azure",
    "~/.password-store",
    "~/.openclaw/credentials",
    "~/.config/gh",
    "/etc/ssl/private",
    "/root/.ssh",
];

/// Whether a normalized path is (inside) a directory of credentials.
pub fn is_credential_dir(norm: &str) -> bool {
    let p = norm.trim_end_matches("/*").trim_end_matches('/');
    CREDENTIAL_DIRS.iter().any(|d| p == *d || p.strip_prefix(d).is_some_and(|r| r.starts_with('/')))
        || p.starts_with("/home/")
            && p.split('/').nth(3).is_some_and(|d| matches!(d, ".ssh" | ".aws" | ".gnupg" | ".kube"))
}

/// `/`, a top-level system dir, a home, a direct child of a home that is not a cache, or two or more
/// levels above the working directory (`../..`).
fn is_precious_dir(norm: &str) -> bool {
    let p = norm.trim_end_matches("/*").trim_end_matches('/');
    if p.split('/').filter(|s| !s.is_empty()).all(|s| s == "..") && p.matches("..").count() >= 2 {
        return true;
    }
    if p.is_empty() || p == "~" || p == "/*" || ROOT_DIRS.iter().any(|d| d.eq_ignore_ascii_case(p)) {
        return true;
    }
    if norm == "/*" || norm == "~/*" {
        return true;
    }
    if let Some(rest) = p.strip_prefix("~/") {
        return !rest.contains('/')
            && !matches!(rest, ".cache" | "tmp" | ".tmp" | "node_modules" | "Downloads" | ".npm" | "target");
    }
    false
}

/// Lexically normalizes a path (see the module doc). Never fails; returns the input shape when unsure.
pub fn normalize(raw: &str, home: &str, cwd: Option<&str>) -> String {
    let mut s = raw.trim().replace('\\', "/");
    for var in ["${HOME}", "$HOME", "%USERPROFILE%", "%HOMEPATH%", "$env:USERPROFILE", "$env:HOME"] {
        if s.starts_with(var) {
            s = format!("{home}{}", &s[var.len()..]);
        }
    }
    if s == "~" || s.starts_with("~/") {
        s = format!("{home}{}", &s[1..]);
    } else if let Some(rest) = s.strip_prefix('~') {
        let (user, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        s = if user == "root" { format!("/root{tail}") } else { format!("/home/{user}{tail}") };
    }
    if let Some(rest) = s.strip_prefix("file://") {
        s = rest.to_string();
    }
    let drive = s.len() >= 2 && s.as_bytes()[1] == b':' && s.as_bytes()[0].is_ascii_alphabetic();
    let absolute = s.starts_with('/') || drive;
    if !absolute {
        if let Some(cwd) = cwd {
            let base = normalize(cwd, home, None);
            s = format!("{base}/{s}");
        }
    }
    let absolute = s.starts_with('/') || drive;
    let mut parts: Vec<&str> = Vec::new();
    for seg in s.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let mut out = if drive {
        let mut o = parts.join("/").to_ascii_lowercase();
        if o.len() == 2 {
            o.push('/');
        }
        o
    } else if absolute {
        format!("/{}", parts.join("/"))
    } else if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    };
    out = home_to_tilde(&out, home);
    out
}

/// Writes any home directory as `~`.
fn home_to_tilde(p: &str, home: &str) -> String {
    let home = home.trim_end_matches('/');
    if !home.is_empty() && home != "/" {
        if p == home {
            return "~".into();
        }
        if let Some(rest) = p.strip_prefix(home).filter(|r| r.starts_with('/')) {
            return format!("~{rest}");
        }
    }
    if p == "/root" {
        return "~".into();
    }
    if let Some(rest) = p.strip_prefix("/root/") {
        return format!("~/{rest}");
    }
    for prefix in ["/home/", "/Users/", "c:/users/"] {
        if let Some(rest) = p.strip_prefix(prefix) {
            if rest.is_empty() || prefix == "/home/" && rest == "*" {
                return p.to_string();
            }
            let (_user, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            return format!("~{tail}");
        }
    }
    p.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets() -> PathSets {
        PathSets::new("/home/alice", &[], &["~/.openclaw".to_string()])
    }

    #[test]
    fn normalizes_home_spellings() {
        let h = "/home/alice";
        for raw in ["~/.ssh/id_rsa", "$HOME/.ssh/id_rsa", "${HOME}/.ssh//./id_rsa", "/home/alice/x/../.ssh/id_rsa"] {
            assert_eq!(normalize(raw, h, None), "~/.ssh/id_rsa", "{raw}");
        }
        assert_eq!(normalize("/root/.aws/credentials", h, None), "~/.aws/credentials");
        assert_eq!(normalize("C:\\Users\\bob\\.ssh\\id_rsa", h, None), "~/.ssh/id_rsa");
        assert_eq!(normalize("../../etc/passwd", h, Some("/srv/app")), "/etc/passwd");
        assert_eq!(normalize("/../../../etc/shadow", h, None), "/etc/shadow");
        assert_eq!(normalize("src/main.rs", h, None), "src/main.rs");
        assert_eq!(normalize(".", h, Some("~")), "~");
    }

    #[test]
    fn classifies() {
        let s = sets();
        let c = |p: &str| s.classify(&s.normalize(p, None));
        assert!(c("~/.ssh/id_ed25519").credential);
        assert!(!c("~/.ssh/id_ed25519.pub").credential);
        assert!(c("/etc/shadow").credential);
        assert!(c("/proc/1/environ").credential);
        assert!(c("project/.env").credential);
        assert!(!c("project/.env.example").credential);
        assert!(c("~/.openclaw/agents/main/agent/auth-profiles.json").credential);
        assert!(c("~/.bashrc").persistence);
        assert!(c("~/.openclaw/workspace/SOUL.md").persistence);
        assert!(c("~/.openclaw/workspace/AGENTS.md").persistence);
        assert!(!c("repo/AGENTS.md").persistence);
        assert!(!c("~/.openclaw/workspace/memory/2026-01-01.md").persistence);
        assert!(c("/etc/passwd").system);
        assert!(c("/dev/sda").system);
        assert!(!c("/dev/null").system);
        assert!(c("~/.openclaw/openclaw.json").agent_config);
        assert!(c("/").precious_dir && c("~").precious_dir && c("/etc").precious_dir);
        assert!(c("~/Documents").precious_dir);
        assert!(!c("target").precious_dir && !c("~/src/app/target").precious_dir);
    }
}
