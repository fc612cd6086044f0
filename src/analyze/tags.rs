//! The tag vocabulary rules match on. Closed: a rule naming a tag not listed here is rejected at load.
//!
//! Each tag names what a call *means*, found by the analyzers, never a raw substring of the call.
use serde::{Serialize, Serializer};
use std::fmt;

macro_rules! tags {
    ($( $variant:ident = $name:literal : $doc:literal ),+ $(,)?) => {
        /// A fact about a tool call, found by analysis.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Tag { $( #[doc = $doc] $variant ),+ }

        impl Tag {
            /// Every tag, in declaration order.
            pub const ALL: &'static [Tag] = &[ $( Tag::$variant ),+ ];

            /// The tag's name as written in rule files.
            pub fn as_str(self) -> &'static str {
                match self { $( Tag::$variant => $name ),+ }
            }

            /// One line saying what the tag means (for `airlock check` and docs).
            pub fn describe(self) -> &'static str {
                match self { $( Tag::$variant => $doc ),+ }
            }

            /// Parses a tag name as written in rule files.
            pub fn parse(name: &str) -> Option<Tag> {
                match name { $( $name => Some(Tag::$variant), )+ _ => None }
            }
        }
    };
}

tags! {
    Destructive = "destructive": "deletes or overwrites data irrecoverably (rm -rf /, mkfs, dd to a disk, DROP TABLE)",
    ReverseShell = "reverse-shell": "opens an interactive shell to a remote host (/dev/tcp, nc -e, socat exec)",
    RemoteCode = "remote-code": "downloads and runs code (curl | sh, bash <(curl …), eval of fetched text)",
    Obfuscated = "obfuscated": "hides what runs (base64 -d | sh, hex/xxd decoding, eval of encoded strings)",
    CredentialAccess = "credential-access": "reads credentials (ssh keys, cloud configs, .env, keychains, /proc/*/environ)",
    Exfiltration = "exfiltration": "sends local data to a remote destination (curl -d @file, scp out, paste sites)",
    Persistence = "persistence": "survives a restart (rc files, authorized_keys, cron, systemd, the agent's memory)",
    PrivilegeEscalation = "privilege-escalation": "gains privileges (sudo, su, setuid, doas, chmod u+s)",
    DefenseEvasion = "defense-evasion": "hides tracks or disables protection (history -c, log wiping, disabling audit)",
    PackageInstall = "package-install": "installs software (pip/npm/apt/cargo install …)",
    InfraChange = "infra-change": "changes cloud or cluster infrastructure (terraform apply, kubectl apply/delete, aws …)",
    Deploy = "deploy": "deploys or publishes (git push to a release branch, npm publish, docker push, helm upgrade)",
    ForcePush = "force-push": "rewrites shared history (git push --force, push --delete)",
    Ssrf = "ssrf": "requests a URL that points inside the host's network or at a non-HTTP scheme",
    MetadataEndpoint = "metadata-endpoint": "requests a cloud instance metadata service",
    PrivateNetwork = "private-network": "targets a loopback, private, link-local or CGNAT address",
    SecretInArgs = "secret-in-args": "the arguments carry a secret (API key, token, private key, password)",
    PiiInArgs = "pii-in-args": "the arguments carry personal data (email, phone, card, SSN, IBAN)",
    OutboundMessage = "outbound-message": "sends a message to a person (Telegram, Slack, WhatsApp, email …)",
    ScheduledJob = "scheduled-job": "schedules future work (cron tool, at, crontab)",
    SubAgent = "sub-agent": "starts or steers another agent session",
    ConfigTamper = "config-tamper": "changes the agent's own configuration, gateway or policy",
    SandboxEscape = "sandbox-escape": "leaves the sandbox (docker --privileged, nsenter, chroot, mounting the host)",
    ShellExec = "shell-exec": "runs a shell command",
    FileRead = "file-read": "reads a file",
    FileWrite = "file-write": "writes, edits or deletes a file",
    Network = "network": "makes a network request",
    ReadOnly = "read-only": "changes nothing (the server marks it read-only, or analysis finds no side effect)",
    Unparsed = "unparsed": "analysis could not fully understand the call (hostile or malformed input)",
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Tag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A set of tags as a bitset: matching a rule is a couple of AND instructions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TagSet(u64);

impl TagSet {
    /// The empty set.
    pub const EMPTY: TagSet = TagSet(0);

    pub fn insert(&mut self, tag: Tag) {
        self.0 |= 1u64 << (tag as u8);
    }

    pub fn remove(&mut self, tag: Tag) {
        self.0 &= !(1u64 << (tag as u8));
    }

    pub fn contains(self, tag: Tag) -> bool {
        self.0 & (1u64 << (tag as u8)) != 0
    }

    pub fn intersects(self, other: TagSet) -> bool {
        self.0 & other.0 != 0
    }

    pub fn contains_all(self, other: TagSet) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: TagSet) -> TagSet {
        TagSet(self.0 | other.0)
    }

    /// The tags in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Tag> {
        Tag::ALL.iter().copied().filter(move |t| self.contains(*t))
    }
}

impl FromIterator<Tag> for TagSet {
    fn from_iter<I: IntoIterator<Item = Tag>>(iter: I) -> Self {
        let mut s = TagSet::EMPTY;
        for t in iter {
            s.insert(t);
        }
        s
    }
}

impl Serialize for TagSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_fit_the_bitset() {
        assert!(Tag::ALL.len() <= 64);
        for t in Tag::ALL {
            assert_eq!(Tag::parse(t.as_str()), Some(*t));
        }
        assert_eq!(Tag::parse("destructve"), None);
    }

    #[test]
    fn set_operations() {
        let a: TagSet = [Tag::Destructive, Tag::ShellExec].into_iter().collect();
        let b: TagSet = [Tag::ShellExec].into_iter().collect();
        assert!(a.contains_all(b));
        assert!(!b.contains_all(a));
        assert!(a.intersects(b));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![Tag::Destructive, Tag::ShellExec]);
    }
}
