//! URL and host analysis: where a request really goes, whatever spelling hides it.
//!
//! URLs are parsed with the WHATWG `url` crate, which already turns `2852039166`, `0xa9fea9fe`,
//! `0251.0376.0251.0376`, `127.1` and percent-encoded hosts into one canonical IPv4. Bare hosts (from `nc`,
//! `ssh`, `ping` …) go through the same inet_aton rules here. IPv6 addresses that embed an IPv4 (mapped,
//! compatible, NAT64, 6to4) are judged by the IPv4 inside. Hostnames that are known to resolve to an address
//! written inside them (`127.0.0.1.nip.io`, `app-10-0-0-1.sslip.io`) or to loopback (`*.localhost`,
//! `localtest.me`, `lvh.me` …) are judged by that address without DNS.
//!
//! Optional DNS resolution (`resolve = true`) looks names up at analysis time. It cannot protect against DNS
//! rebinding: the agent's own lookup, a moment later, may get a different answer. It only catches names that
//! *already* point inside. It blocks the calling thread for the lookup.
use super::{Facts, Tag};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

/// Who is making the request: the context changes what a private address means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlContext {
    /// A fetch tool (web_fetch, browser, an MCP `url` argument): any internal target is SSRF.
    Fetch,
    /// A shell command (`curl`, `wget` …): `localhost:3000` is everyday development; metadata, link-local,
    /// disguised spellings and exotic schemes are still SSRF.
    Shell,
}

/// What an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// A cloud instance metadata service (named).
    Metadata(&'static str),
    Loopback,
    Private,
    LinkLocal,
    Cgnat,
    Unspecified,
    /// A private DNS name (`.internal`, `.local`, single label).
    PrivateName,
    Public,
}

impl Reach {
    fn is_internal(self) -> bool {
        !matches!(self, Reach::Public)
    }

    fn describe(self) -> &'static str {
        match self {
            Reach::Metadata(n) => n,
            Reach::Loopback => "loopback",
            Reach::Private => "a private network",
            Reach::LinkLocal => "link-local",
            Reach::Cgnat => "carrier-grade NAT (shared) space",
            Reach::Unspecified => "the unspecified address (this host)",
            Reach::PrivateName => "a private DNS name",
            Reach::Public => "public",
        }
    }
}

/// Judges an IPv4 address.
pub fn classify_v4(ip: Ipv4Addr) -> Reach {
    let o = ip.octets();
    match o {
        [169, 254, 169, 254] => Reach::Metadata("cloud metadata (AWS/Azure/GCP/OpenStack 169.254.169.254)"),
        [169, 254, 170, 2] => Reach::Metadata("AWS ECS task metadata (169.254.170.2)"),
        [168, 63, 129, 16] => Reach::Metadata("Azure wire server (168.63.129.16)"),
        [100, 100, 100, 200] => Reach::Metadata("Alibaba Cloud metadata (100.100.100.200)"),
        [192, 0, 0, 192] => Reach::Metadata("Oracle Cloud metadata (192.0.0.192)"),
        [127, ..] => Reach::Loopback,
        [0, ..] => Reach::Unspecified,
        [10, ..] | [192, 168, ..] | [192, 0, 0, _] | [198, 18..=19, ..] => Reach::Private,
        [172, b, ..] if (16..=31).contains(&b) => Reach::Private,
        [169, 254, ..] => Reach::LinkLocal,
        [100, b, ..] if (64..=127).contains(&b) => Reach::Cgnat,
        [255, 255, 255, 255] => Reach::Private,
        _ => Reach::Public,
    }
}

/// Judges an IPv6 address, looking through every form that embeds an IPv4.
pub fn classify_v6(ip: Ipv6Addr) -> Reach {
    let s = ip.segments();
    if s == [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254] {
        return Reach::Metadata("AWS metadata over IPv6 (fd00:ec2::254)");
    }
    if ip.is_loopback() {
        return Reach::Loopback;
    }
    if ip.is_unspecified() {
        return Reach::Unspecified;
    }
    let v4 = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return classify_v4(v4(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return classify_v4(v4(s[1], s[2]));
    }
    match s[0] {
        x if x & 0xfe00 == 0xfc00 => Reach::Private,
        x if x & 0xffc0 == 0xfe80 => Reach::LinkLocal,
        x if x & 0xff00 == 0xff00 => Reach::Private,
        _ => Reach::Public,
    }
}

/// Parses an IPv4 the way `inet_aton` and browsers do: 1–4 parts, each decimal, `0x` hex or `0` octal,
/// the last part filling the remaining bytes. Returns the address and whether the spelling was unusual.
pub fn parse_ipv4_loose(s: &str) -> Option<(Ipv4Addr, bool)> {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut nums = Vec::with_capacity(4);
    let mut unusual = parts.len() != 4;
    for p in &parts {
        let (digits, radix) = if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            (h, 16)
        } else if p.len() > 1 && p.starts_with('0') {
            (&p[1..], 8)
        } else {
            (*p, 10)
        };
        if radix != 10 {
            unusual = true;
        }
        let n = if digits.is_empty() { 0 } else { u64::from_str_radix(digits, radix).ok()? };
        nums.push(n);
    }
    let last = nums.pop()?;
    let mut value: u64 = 0;
    for (i, n) in nums.iter().enumerate() {
        if *n > 255 {
            return None;
        }
        value |= n << (24 - 8 * i);
    }
    let room = 32 - 8 * nums.len() as u32;
    if room < 64 && last >= (1u64 << room) {
        return None;
    }
    value |= last;
    Some((Ipv4Addr::from(value as u32), unusual))
}

const LOOPBACK_NAMES: &[&str] = &[
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
    "localtest.me",
    "lvh.me",
    "vcap.me",
    "lacolhost.com",
    "127-0-0-1.org.uk",
    "fuf.me",
    "localh.st",
];
const EMBEDDING_DNS: &[&str] =
    &["nip.io", "sslip.io", "xip.io", "traefik.me", "backname.io", "nip.direct", "xip.lhjmmc.cn"];
const METADATA_NAMES: &[&str] = &[
    "metadata.google.internal",
    "metadata",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.tencentyun.com",
    "metadata.platformequinix.com",
];
const PRIVATE_SUFFIXES: &[&str] = &[".internal", ".local", ".lan", ".intranet", ".corp", ".home.arpa", ".localdomain"];
const DROP_SITES: &[&str] = &[
    "pastebin.com",
    "paste.ee",
    "hastebin.com",
    "ix.io",
    "sprunge.us",
    "termbin.com",
    "0x0.st",
    "transfer.sh",
    "file.io",
    "webhook.site",
    "requestbin.net",
    "requestbin.com",
    "requestcatcher.com",
    "pipedream.net",
    "ngrok.io",
    "ngrok-free.app",
    "ngrok.app",
    "interact.sh",
    "oast.fun",
    "oast.me",
    "oast.site",
    "oast.live",
    "oast.online",
    "oast.pro",
    "burpcollaborator.net",
    "oastify.com",
    "paste.rs",
    "dpaste.com",
    "temp.sh",
    "bashupload.com",
    "catbox.moe",
    "gofile.io",
    "rentry.co",
    "tmpfiles.org",
    "filebin.net",
    "trycloudflare.com",
    "serveo.net",
    "loca.lt",
    "canarytokens.com",
    "dnslog.cn",
    "ceye.io",
    "beeceptor.com",
    "hookbin.com",
    "postb.in",
    "pastes.io",
    "paste.c-net.org",
    "anonfiles.com",
    "discord.com/api/webhooks",
    "discordapp.com/api/webhooks",
    "api.telegram.org/bot",
];

fn suffix_match(host: &str, base: &str) -> bool {
    host == base || host.strip_suffix(base).is_some_and(|h| h.ends_with('.'))
}

/// Whether a host (optionally with path) is a paste site, request catcher, tunnel or webhook drop.
pub fn is_drop_site(host_and_path: &str) -> bool {
    let h = host_and_path.to_ascii_lowercase();
    let host = h.split('/').next().unwrap_or("");
    DROP_SITES.iter().any(|d| if d.contains('/') { h.contains(d) } else { suffix_match(host, d) })
}

/// Judges a host name or IP literal; returns the reach and a note when the spelling disguised it.
pub fn classify_host(raw: &str) -> (Reach, Option<String>) {
    let host = raw.trim().trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return (Reach::Public, None);
    }
    if let Ok(v6) = host.parse::<Ipv6Addr>() {
        let reach = classify_v6(v6);
        let note = (reach.is_internal() && v6.segments()[0] != 0xfd00 && !v6.is_loopback())
            .then(|| format!("IPv6 {host} wraps an internal IPv4"));
        return (reach, note);
    }
    if let Some((v4, unusual)) = parse_ipv4_loose(&host) {
        let note = unusual.then(|| format!("{host} is {v4} spelled differently"));
        return (classify_v4(v4), note);
    }
    if METADATA_NAMES.contains(&host.as_str()) {
        return (Reach::Metadata("cloud metadata by name"), None);
    }
    if LOOPBACK_NAMES.iter().any(|n| suffix_match(&host, n)) || host.ends_with(".localhost") {
        let note = (host != "localhost").then(|| format!("{host} resolves to loopback"));
        return (Reach::Loopback, note);
    }
    for base in EMBEDDING_DNS {
        if let Some(prefix) = host.strip_suffix(base).and_then(|p| p.strip_suffix('.')) {
            if let Some(v4) = embedded_ipv4(prefix) {
                return (classify_v4(v4), Some(format!("{host} resolves to the address inside its name ({v4})")));
            }
        }
    }
    if PRIVATE_SUFFIXES.iter().any(|s| host.ends_with(s)) || !host.contains('.') {
        return (Reach::PrivateName, None);
    }
    (Reach::Public, None)
}

/// The IPv4 written inside a nip.io-style name prefix: `a.b.c.d`, `x-a-b-c-d`, or 8 hex digits.
fn embedded_ipv4(prefix: &str) -> Option<Ipv4Addr> {
    let labels: Vec<&str> = prefix.split('.').collect();
    if labels.len() >= 4 {
        let tail = labels[labels.len() - 4..].join(".");
        if let Some((ip, _)) = parse_ipv4_loose(&tail) {
            return Some(ip);
        }
    }
    for label in labels.iter().rev() {
        let dashed: Vec<&str> = label.split('-').collect();
        if dashed.len() >= 4 {
            let tail = dashed[dashed.len() - 4..].join(".");
            if let Ok(ip) = tail.parse::<Ipv4Addr>() {
                return Some(ip);
            }
        }
        let hex = label.rsplit('-').next().unwrap_or(label);
        if hex.len() == 8 {
            if let Ok(n) = u32::from_str_radix(hex, 16) {
                return Some(Ipv4Addr::from(n));
            }
        }
    }
    None
}

fn tag_reach(facts: &mut Facts, reach: Reach, note: Option<String>, ctx: UrlContext, shown: &str) {
    let disguised = note.is_some();
    let why = match &note {
        Some(n) => format!("{shown}: {n}, {}", reach.describe()),
        None => format!("{shown} targets {}", reach.describe()),
    };
    match reach {
        Reach::Public => {}
        Reach::Metadata(_) => {
            facts.tag(Tag::MetadataEndpoint, why.clone());
            facts.tag(Tag::PrivateNetwork, why.clone());
            facts.tag(Tag::Ssrf, why);
        }
        Reach::PrivateName => {
            if ctx == UrlContext::Fetch {
                facts.tag(Tag::PrivateNetwork, why.clone());
                facts.tag(Tag::Ssrf, why);
            }
        }
        _ => {
            facts.tag(Tag::PrivateNetwork, why.clone());
            if ctx == UrlContext::Fetch || disguised || matches!(reach, Reach::LinkLocal | Reach::Cgnat) {
                facts.tag(Tag::Ssrf, why);
            }
        }
    }
}

/// Schemes that reach protocols an HTTP fetch should never speak.
const SSRF_SCHEMES: &[&str] = &[
    "gopher",
    "dict",
    "ldap",
    "ldaps",
    "tftp",
    "jar",
    "netdoc",
    "php",
    "phar",
    "expect",
    "smb",
    "telnet",
    "sftp",
    "redis",
    "memcached",
    "mysql",
    "postgres",
    "mongodb",
];

/// Inspects one URL; tags `network` always and `ssrf` / `metadata-endpoint` / `private-network` as found.
/// Returns the local path for `file:` URLs so the caller can judge it as a read.
pub fn inspect_url(raw: &str, ctx: UrlContext, resolve: bool, facts: &mut Facts) -> Option<String> {
    let raw = raw.trim();
    let with_scheme;
    let text = if raw.contains("://") || raw.starts_with("file:") || has_scheme(raw) {
        raw
    } else {
        with_scheme = format!("http://{raw}");
        &with_scheme
    };
    let Ok(url) = url::Url::parse(text) else {
        facts.tag(Tag::Network, format!("requests {}", short(raw)));
        return None;
    };
    let scheme = url.scheme().to_ascii_lowercase();
    if scheme == "file" {
        return Some(percent_encoding::percent_decode_str(url.path()).decode_utf8_lossy().into_owned());
    }
    facts.tag(Tag::Network, format!("requests {}", short(raw)));
    let odd_scheme = !matches!(scheme.as_str(), "http" | "https" | "ws" | "wss");
    if odd_scheme && (ctx == UrlContext::Fetch && scheme != "about" || SSRF_SCHEMES.contains(&scheme.as_str())) {
        facts.tag(Tag::Ssrf, format!("{}: the {scheme}: scheme reaches non-HTTP services", short(raw)));
    }
    if url.username().contains('.') || url.password().is_some_and(|p| p.contains('.')) {
        facts.tag(Tag::Ssrf, format!("{}: the part before @ ({}) disguises the real host", short(raw), url.username()));
    }
    let host = url.host()?;
    let (reach, mut note) = match host {
        url::Host::Ipv4(v4) => (classify_v4(v4), None),
        url::Host::Ipv6(v6) => classify_host(&v6.to_string()),
        url::Host::Domain(d) => classify_host(d),
    };
    if let url::Host::Ipv4(v4) = host {
        let written = raw_host(raw);
        if !written.is_empty() && written != v4.to_string() {
            note = Some(format!("{written} is {v4} spelled differently"));
        }
    }
    tag_reach(facts, reach, note, ctx, &short(raw));
    if resolve && reach == Reach::Public {
        if let url::Host::Domain(d) = host {
            resolve_and_tag(d, url.port_or_known_default().unwrap_or(80), ctx, facts);
        }
    }
    if is_drop_site(&format!("{}{}", url.host_str().unwrap_or(""), url.path())) {
        facts.evidence.push((Tag::Network, format!("{} is a paste site, request catcher or webhook", short(raw))));
    }
    None
}

/// Inspects a bare host (with optional `:port`) used by `nc`, `ssh`, `ping` …; tags like [`inspect_url`].
pub fn inspect_host(raw: &str, ctx: UrlContext, facts: &mut Facts) {
    let host = raw.rsplit('@').next().unwrap_or(raw);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or(host)
    } else if host.matches(':').count() == 1 {
        host.split(':').next().unwrap_or(host)
    } else {
        host
    };
    let (reach, note) = classify_host(host);
    let reach = if reach == Reach::PrivateName { Reach::Public } else { reach };
    tag_reach(facts, reach, note, ctx, raw);
}

fn resolve_and_tag(host: &str, port: u16, ctx: UrlContext, facts: &mut Facts) {
    if let Ok(addrs) = (host, port).to_socket_addrs() {
        for a in addrs.take(8) {
            let reach = match a.ip() {
                IpAddr::V4(v4) => classify_v4(v4),
                IpAddr::V6(v6) => classify_v6(v6),
            };
            if reach.is_internal() {
                tag_reach(facts, reach, Some(format!("{host} resolves to {}", a.ip())), ctx, host);
                return;
            }
        }
    }
}

fn has_scheme(raw: &str) -> bool {
    let Some((scheme, _)) = raw.split_once(':') else { return false };
    !scheme.is_empty()
        && scheme.len() < 12
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+')
        && scheme.chars().any(|c| c.is_ascii_alphabetic())
        && SSRF_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
}

/// The host as written in a URL (between `//` or `@` and the next `/`, `:`, `?`, `#`).
fn raw_host(raw: &str) -> String {
    let after = raw.split_once("://").map_or(raw, |(_, r)| r);
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    let hostport = authority.rsplit('@').next().unwrap_or("");
    hostport.split(':').next().unwrap_or("").trim_end_matches('.').to_ascii_lowercase()
}

/// A URL shortened for evidence.
pub fn short(s: &str) -> String {
    if s.len() <= 80 {
        s.to_string()
    } else {
        let mut end = 77;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    }
}

/// Whether a word looks like a URL (has a scheme we know or starts with `www.`).
pub fn looks_like_url(w: &str) -> bool {
    let l = w.get(..10).unwrap_or(w).to_ascii_lowercase();
    l.starts_with("http://")
        || l.starts_with("https://")
        || l.starts_with("ftp://")
        || l.starts_with("file:")
        || l.starts_with("ws://")
        || l.starts_with("wss://")
        || l.starts_with("www.")
        || has_scheme(w) && w.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(u: &str, ctx: UrlContext) -> Facts {
        let mut f = Facts::default();
        inspect_url(u, ctx, false, &mut f);
        f
    }

    #[test]
    fn metadata_in_every_spelling() {
        for u in [
            "http://169.254.169.254/latest/meta-data/",
            "http://2852039166/",
            "http://0xa9fea9fe/",
            "http://0251.0376.0251.0376/",
            "http://0xa9.0xfe.0xa9.0xfe/",
            "http://169.254.43518/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://[fd00:ec2::254]/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://169.254.169.254.nip.io/",
            "http://github.com@169.254.169.254/",
            "http://100.100.100.200/latest/meta-data/",
            "http://192.0.0.192/",
            "http://168.63.129.16/",
            "169.254.170.2/v2/credentials",
            "http://%31%36%39.254.169.254/",
        ] {
            let f = tags(u, UrlContext::Shell);
            assert!(f.tags.contains(Tag::MetadataEndpoint), "{u}: {:?}", f.evidence);
            assert!(f.tags.contains(Tag::Ssrf), "{u}");
        }
    }

    #[test]
    fn loopback_spellings() {
        for u in [
            "http://127.1/",
            "http://0/",
            "http://0x7f000001/",
            "http://2130706433/",
            "http://[::1]/",
            "http://a.localhost/",
            "http://localtest.me/",
            "http://app-127-0-0-1.sslip.io/",
        ] {
            assert!(tags(u, UrlContext::Fetch).tags.contains(Tag::Ssrf), "{u}");
            assert!(tags(u, UrlContext::Fetch).tags.contains(Tag::PrivateNetwork), "{u}");
        }
        // everyday development from a shell
        let f = tags("http://localhost:3000/health", UrlContext::Shell);
        assert!(f.tags.contains(Tag::PrivateNetwork) && !f.tags.contains(Tag::Ssrf));
        // but a disguised loopback from a shell is still SSRF
        assert!(tags("http://0x7f.1:8080/", UrlContext::Shell).tags.contains(Tag::Ssrf));
    }

    #[test]
    fn schemes_and_public() {
        assert!(tags("gopher://127.0.0.1:6379/_FLUSHALL", UrlContext::Shell).tags.contains(Tag::Ssrf));
        assert!(tags("dict://example.com:11211/stat", UrlContext::Fetch).tags.contains(Tag::Ssrf));
        let f = tags("https://docs.rs/url", UrlContext::Fetch);
        assert!(f.tags.contains(Tag::Network) && !f.tags.contains(Tag::Ssrf));
        assert!(is_drop_site("webhook.site/abc"));
        assert!(is_drop_site("discord.com/api/webhooks/1/x"));
        assert!(!is_drop_site("docs.rs"));
    }

    #[test]
    fn loose_ipv4() {
        assert_eq!(parse_ipv4_loose("127.1"), Some((Ipv4Addr::new(127, 0, 0, 1), true)));
        assert_eq!(parse_ipv4_loose("10.0.0.1"), Some((Ipv4Addr::new(10, 0, 0, 1), false)));
        assert_eq!(parse_ipv4_loose("example"), None);
        assert_eq!(parse_ipv4_loose("1.2.3.4.5"), None);
        assert_eq!(parse_ipv4_loose("0"), Some((Ipv4Addr::new(0, 0, 0, 0), true)));
    }
}
