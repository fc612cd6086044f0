//! Provider credentials recognisable by a fixed prefix: `ghp_`, `AKIA`, `sk-ant-`, `xoxb-`, `glpat-` …
//!
//! Each entry is (prefix, kind, body alphabet, body length range). A token is accepted when the byte before
//! the prefix is not a word character, the body is a maximal run of its alphabet within the length range,
//! and the body looks random (enough distinct characters and entropy), which rejects documentation
//! placeholders such as `ghp_xxxxxxxx…`. Formats come from each provider's public documentation of its
//! token prefixes (see `tests/redact_corpus/README.md`).
use super::checks;
use super::engine::Sink;
use super::kinds::Kind;
use super::text::{is_b64url, is_word, More, Text};

/// The alphabet of a token body.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cs {
    Alnum,
    Word,
    B64Url,
    B64UrlDot,
    B64UrlEq,
    HexLower,
    Hex,
    UpperAlnum,
}

impl Cs {
    #[inline]
    fn accepts(self, c: u8) -> bool {
        match self {
            Cs::Alnum => c.is_ascii_alphanumeric(),
            Cs::Word => is_word(c),
            Cs::B64Url => is_b64url(c),
            Cs::B64UrlDot => is_b64url(c) || c == b'.',
            Cs::B64UrlEq => is_b64url(c) || c == b'=',
            Cs::HexLower => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
            Cs::Hex => c.is_ascii_hexdigit(),
            Cs::UpperAlnum => c.is_ascii_uppercase() || c.is_ascii_digit(),
        }
    }
}

/// One prefix-anchored token format.
#[derive(Debug)]
pub(crate) struct Token {
    pub prefix: &'static str,
    pub kind: Kind,
    pub cs: Cs,
    pub min: usize,
    pub max: usize,
    /// Require lower, upper and digit in the body (for short, generic prefixes like `sk-`).
    pub mixed: bool,
}

const fn t(prefix: &'static str, kind: Kind, cs: Cs, min: usize, max: usize) -> Token {
    Token { prefix, kind, cs, min, max, mixed: false }
}

const fn m(prefix: &'static str, kind: Kind, cs: Cs, min: usize, max: usize) -> Token {
    Token { prefix, kind, cs, min, max, mixed: true }
}

use Cs::*;
use Kind::*;

/// The table. Longer prefixes of the same family are listed too so the finer kind wins on a tie.
pub(crate) const TOKENS: &[Token] = &[
    t("AKIA", AwsAccessKey, UpperAlnum, 16, 16),
    t("ASIA", AwsAccessKey, UpperAlnum, 16, 16),
    t("AGPA", AwsAccessKey, UpperAlnum, 16, 16),
    t("AIDA", AwsAccessKey, UpperAlnum, 16, 16),
    t("AROA", AwsAccessKey, UpperAlnum, 16, 16),
    t("AIPA", AwsAccessKey, UpperAlnum, 16, 16),
    t("ANPA", AwsAccessKey, UpperAlnum, 16, 16),
    t("ANVA", AwsAccessKey, UpperAlnum, 16, 16),
    t("ABIA", AwsAccessKey, UpperAlnum, 16, 16),
    t("ACCA", AwsAccessKey, UpperAlnum, 16, 16),
    t("ghp_", GithubToken, Alnum, 30, 80),
    t("gho_", GithubToken, Alnum, 30, 80),
    t("ghu_", GithubToken, Alnum, 30, 80),
    t("ghs_", GithubToken, Alnum, 30, 80),
    t("ghr_", GithubToken, Alnum, 30, 80),
    t("github_pat_", GithubToken, Word, 40, 255),
    t("glpat-", GitlabToken, B64Url, 20, 80),
    t("gldt-", GitlabToken, B64Url, 20, 80),
    t("glrt-", GitlabToken, B64Url, 20, 80),
    t("glptt-", GitlabToken, B64Url, 20, 80),
    t("glsoat-", GitlabToken, B64Url, 20, 80),
    t("glcbt-", GitlabToken, B64Url, 20, 80),
    t("glimt-", GitlabToken, B64Url, 20, 80),
    t("glagent-", GitlabToken, B64Url, 20, 80),
    t("gloas-", GitlabToken, B64Url, 20, 80),
    t("glft-", GitlabToken, B64Url, 20, 80),
    t("GR1348941", GitlabToken, B64Url, 20, 80),
    t("sk-ant-", AnthropicKey, B64Url, 32, 255),
    t("sk-proj-", OpenaiKey, B64Url, 20, 300),
    t("sk-svcacct-", OpenaiKey, B64Url, 20, 300),
    t("sk-admin-", OpenaiKey, B64Url, 20, 300),
    t("sk-None-", OpenaiKey, B64Url, 20, 300),
    m("sk-", OpenaiKey, B64Url, 20, 255),
    t("xoxb-", SlackToken, B64Url, 10, 255),
    t("xoxp-", SlackToken, B64Url, 10, 255),
    t("xoxa-", SlackToken, B64Url, 10, 255),
    t("xoxr-", SlackToken, B64Url, 10, 255),
    t("xoxs-", SlackToken, B64Url, 10, 255),
    t("xoxe-", SlackToken, B64Url, 10, 255),
    t("xoxe.xoxp-", SlackToken, B64Url, 10, 255),
    t("xapp-", SlackToken, B64Url, 10, 255),
    t("sk_live_", StripeKey, Alnum, 16, 255),
    t("sk_test_", StripeKey, Alnum, 16, 255),
    t("rk_live_", StripeKey, Alnum, 16, 255),
    t("rk_test_", StripeKey, Alnum, 16, 255),
    t("whsec_", StripeKey, Alnum, 24, 64),
    t("AIza", GoogleApiKey, B64Url, 35, 35),
    t("GOCSPX-", GoogleOauth, B64Url, 24, 40),
    t("ya29.", GoogleOauth, B64Url, 20, 900),
    t("1//0", GoogleOauth, B64Url, 30, 512),
    t("npm_", NpmToken, Alnum, 36, 36),
    t("pypi-AgE", PypiToken, B64Url, 50, 400),
    t("SK", TwilioKey, HexLower, 32, 32),
    t("AC", TwilioKey, HexLower, 32, 32),
    t("key-", MailgunKey, HexLower, 32, 32),
    t("HRKU-", HerokuKey, B64Url, 40, 80),
    t("dop_v1_", DigitaloceanToken, HexLower, 64, 64),
    t("doo_v1_", DigitaloceanToken, HexLower, 64, 64),
    t("dor_v1_", DigitaloceanToken, HexLower, 64, 64),
    t("shpat_", ShopifyToken, Hex, 32, 32),
    t("shpca_", ShopifyToken, Hex, 32, 32),
    t("shppa_", ShopifyToken, Hex, 32, 32),
    t("shpss_", ShopifyToken, Hex, 32, 32),
    t("hvs.", VaultToken, B64Url, 24, 512),
    t("hvb.", VaultToken, B64Url, 24, 512),
    t("hvr.", VaultToken, B64Url, 24, 512),
    t("hf_", HuggingfaceToken, Alnum, 30, 40),
    t("api_org_", HuggingfaceToken, Alnum, 30, 40),
    t("lin_api_", LinearKey, Alnum, 40, 40),
    t("lin_oauth_", LinearKey, Alnum, 40, 64),
    t("secret_", NotionToken, Alnum, 43, 43),
    t("ntn_", NotionToken, Alnum, 40, 50),
    t("dp.pt.", DopplerToken, Alnum, 40, 44),
    t("dp.st.", DopplerToken, Word, 40, 80),
    t("dp.sa.", DopplerToken, Alnum, 40, 44),
    t("dp.ct.", DopplerToken, Alnum, 40, 44),
    t("dp.scim.", DopplerToken, Alnum, 40, 44),
    t("dp.audit.", DopplerToken, Alnum, 40, 44),
    t("AGE-SECRET-KEY-1", AgeSecretKey, UpperAlnum, 58, 58),
    t("PMAK-", PostmanKey, B64Url, 50, 70),
    t("glc_", GrafanaToken, B64UrlEq, 32, 400),
    t("glsa_", GrafanaToken, Word, 32, 60),
    t("sntrys_", SentryToken, B64UrlEq, 50, 400),
    t("sntryu_", SentryToken, HexLower, 64, 64),
    t("ATATT3", AtlassianToken, B64UrlEq, 100, 400),
    t("dapi", DatabricksToken, HexLower, 32, 34),
    t("pul-", PulumiToken, HexLower, 40, 40),
    t("sq0atp-", SquareToken, B64Url, 22, 60),
    t("sq0csp-", SquareToken, B64Url, 40, 60),
    t("EAAA", SquareToken, B64Url, 60, 80),
    t("NRAK-", NewrelicKey, UpperAlnum, 27, 27),
    t("NRJS-", NewrelicKey, HexLower, 19, 19),
    t("sbp_", SupabaseToken, HexLower, 40, 40),
    t("pscale_tkn_", PlanetscaleToken, B64UrlDot, 32, 64),
    t("pscale_pw_", PlanetscaleToken, B64UrlDot, 32, 64),
    t("pscale_oauth_", PlanetscaleToken, B64UrlDot, 32, 64),
    t("sgp_", SourcegraphToken, Word, 40, 80),
    t("r8_", ReplicateToken, Alnum, 37, 40),
    t("gsk_", GroqKey, Alnum, 48, 56),
    t("pplx-", PerplexityKey, Alnum, 40, 56),
    t("xai-", XaiKey, Alnum, 70, 90),
    t("tskey-", TailscaleKey, B64Url, 20, 80),
    t("bkua_", BuildkiteToken, HexLower, 40, 40),
    t("CFPAT-", ContentfulToken, B64Url, 43, 43),
    t("rubygems_", RubygemsToken, HexLower, 48, 48),
    t("dt0c01.", DynatraceToken, B64UrlDot, 80, 100),
    t("figd_", FigmaToken, B64Url, 40, 60),
    t("pnu_", PrefectKey, Alnum, 36, 36),
    t("shippo_live_", ShippoToken, HexLower, 40, 40),
    t("shippo_test_", ShippoToken, HexLower, 40, 40),
    t("EZAK", EasypostKey, Alnum, 54, 54),
    t("EZTK", EasypostKey, Alnum, 54, 54),
    t("duffel_live_", DuffelToken, B64Url, 43, 43),
    t("duffel_test_", DuffelToken, B64Url, 43, 43),
    t("FLWSECK-", FlutterwaveKey, B64Url, 33, 40),
    t("FLWSECK_TEST-", FlutterwaveKey, B64Url, 33, 40),
    t("rdme_", ReadmeKey, Alnum, 70, 70),
    t("EAACEdEose0cBA", FacebookToken, Alnum, 20, 300),
    t("sk.eyJ", MapboxToken, B64UrlDot, 50, 300),
];

/// Priority of prefix tokens: above generic assignments, JWTs and PII.
pub(crate) const PRIO: u8 = 200;

/// Words that documentation puts in a token's place (`xoxb-your-bot-token`, `sk-not-a-real-key`): varied
/// enough to pass the randomness check, but never part of a real token's random body.
/// Whole words only (segments between `-`/`_`): a random body contains `here` or `fake` somewhere about
/// once in 3,000 keys, but a segment that is exactly such a word is a placeholder.
const PLACEHOLDER_WORDS: &[&str] = &["your", "here", "placeholder", "dummy", "fake", "redacted", "example", "sample"];

fn placeholder(body: &[u8]) -> bool {
    // Every such placeholder joins its words with `-` or `_`; bodies without them skip the search.
    if !body.iter().any(|&c| c == b'-' || c == b'_') {
        return false;
    }
    let mut segs = body.split(|&c| c == b'-' || c == b'_');
    let word = |s: &[u8]| PLACEHOLDER_WORDS.iter().any(|w| s.eq_ignore_ascii_case(w.as_bytes()));
    let not_a_real =
        body.windows(10).any(|w| w.eq_ignore_ascii_case(b"not-a-real") || w.eq_ignore_ascii_case(b"not_a_real"));
    not_a_real || segs.any(word)
}

/// Checks the token format `spec` at anchor `a` (where its prefix was found).
pub(crate) fn detect(t: &Text, a: usize, spec: &Token, sink: &mut Sink) -> Result<(), More> {
    if matches!(t.prev(a), Some(c) if super::text::glues(c)) {
        return Ok(());
    }
    let body_start = a + spec.prefix.len();
    let cs = spec.cs;
    let n = t.run(body_start, spec.max, |c| cs.accepts(c))?;
    if n < spec.min || n > spec.max {
        return Ok(());
    }
    // Glued to one of our placeholders after it, like one glued before it (above): the placeholder
    // replaced a value the body ran on into. Otherwise a chain of tokens joined by `-` (`sk-…-sk-…-sk-…`,
    // each body running on to the end, too long) would lose one token per pass, from the end, and a
    // second redaction would differ from the first.
    let end = body_start + n;
    if t.get(end)? == Some(b'[') && (t.starts_with(end, b"[REDACTED:")? || t.starts_with(end, b"[HASH:")?) {
        return Ok(());
    }
    let body = t.slice(body_start, body_start + n);
    if !checks::looks_random(body) || placeholder(body) {
        return Ok(());
    }
    if spec.mixed {
        let (lo, up, dg, _) = checks::classes(body);
        if !(lo && up && dg) {
            return Ok(());
        }
    }
    sink.add(a, body_start + n, spec.kind, PRIO + u8::from(spec.prefix.len() > 4));
    Ok(())
}
