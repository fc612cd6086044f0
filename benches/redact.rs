//! Redaction throughput: the prefilter engine against a naive loop of one `regex::Regex` per pattern,
//! on ~1 MiB of clean text (prose + code), ~1 MiB of PII/secret-dense text and that text once redacted, in the
//! same run.
use airlock::redact::{Direction, Redactor};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use regex::Regex;

const PROSE: &str = "The proxy sits between the agent and the tools it calls. Every request is parsed, \
analysed and decided before it is forwarded; results come back through the same path and are checked \
for anything that should not leave the host. Operators read the audit log to see what happened and why. ";
const CODE: &str = "fn forward(req: Request<Body>, cfg: &Config) -> Result<Response<Body>, Error> {\n    \
let route = cfg.routes.get(req.uri().path()).ok_or(Error::NoRoute)?;\n    let timeout = route.timeout.unwrap_or(30);\n    \
for (i, h) in req.headers().iter().enumerate() { if i > 100 { break; } trace!(\"{}: {:?}\", h.0, h.1); }\n    \
Ok(client.request(req).await?)\n}\n";
const DENSE: &str = "Customer jane.roe@example.com paid with 4111 1111 1111 1111, phone (415) 555-0134, \
SSN 123-45-6789, IBAN GB82 WEST 1234 5698 7654 32. Deploy key ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 and \
AKIAIOSFODNN7EXAMPLE; password=hunter2! db postgres://app:s3cr3t@db/x ok.\n";

fn build(unit: &str) -> String {
    let mut s = String::with_capacity(1 << 20);
    while s.len() < 1 << 20 {
        s.push_str(unit);
    }
    s
}

fn naive() -> Vec<Regex> {
    let pats = [
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
        r"\b(?:\d[ -]?){13,19}\b",
        r"\(?\b\d{3}\)?[-. ]?\d{3}[-. ]\d{4}\b",
        r"\+\d{1,3}[ -]?\d{1,4}(?:[ -]?\d{2,4}){2,4}",
        r"\b\d{3}-\d{2}-\d{4}\b",
        r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b",
        r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b",
        r"\bgh[pousr]_[A-Za-z0-9]{36}\b",
        r"\bgithub_pat_\w{82}\b",
        r"\bglpat-[\w-]{20}\b",
        r"\bsk-ant-[\w-]{32,}",
        r"\bsk-(?:proj-)?[\w-]{20,}",
        r"\bxox[bpars]-[\w-]{10,}",
        r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}",
        r"\bAIza[\w-]{35}",
        r"\bGOCSPX-[\w-]{28}",
        r"\bnpm_[A-Za-z0-9]{36}\b",
        r"\bpypi-AgE[\w-]{50,}",
        r"\b(?:SK|AC)[0-9a-f]{32}\b",
        r"\bSG\.[\w-]{22}\.[\w-]{43}",
        r"\b[MNO][\w-]{23,27}\.[\w-]{6}\.[\w-]{27,38}",
        r"\b\d{8,10}:[\w-]{35}\b",
        r"\bkey-[0-9a-f]{32}\b",
        r"\bdop_v1_[0-9a-f]{64}\b",
        r"\bshp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}\b",
        r"\bhvs\.[\w-]{24,}",
        r"\bhf_[A-Za-z0-9]{34}\b",
        r"\blin_api_[A-Za-z0-9]{40}\b",
        r"\bntn_[A-Za-z0-9]{46}\b",
        r"\bdp\.pt\.[A-Za-z0-9]{43}\b",
        r"AGE-SECRET-KEY-1[A-Z0-9]{58}",
        r"\beyJ[\w-]+\.eyJ[\w-]+\.[\w-]*",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----",
        r"[a-z][a-z0-9+.-]*://[^:@/\s]*:([^@/\s]+)@",
        r"(?i)(?:password|passwd|pwd|secret|token|api_?key)\s*[:=]\s*\S+",
        r"AccountKey=[A-Za-z0-9+/=]{40,}",
        r"hooks\.slack\.com/services/[A-Za-z0-9/_-]+",
        r"discord(?:app)?\.com/api/webhooks/\d+/[\w-]+",
        r"\bHRKU-[\w-]{58}",
        r"\b[A-Z]{3}[ABCFGHLJPT][A-Z]\d{4}[A-Z]\b",
    ];
    pats.iter().filter_map(|p| Regex::new(p).ok()).collect()
}

fn naive_count(res: &[Regex], text: &str) -> usize {
    res.iter().map(|r| r.find_iter(text).count()).sum()
}

fn bench(c: &mut Criterion) {
    let clean = build(&format!("{PROSE}{CODE}"));
    let dense = build(DENSE);
    let r = Redactor::default();
    let res = naive();
    // Text that was redacted before (a second pass; prompts quoting earlier tool results): mostly placeholders.
    let redacted = r.redact_text(&dense, Direction::ToolResult).text.into_owned();
    for (name, text) in [("clean", &clean), ("dense", &dense), ("dense-redacted", &redacted)] {
        let mut g = c.benchmark_group(format!("redact/{name}"));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("airlock", |b| b.iter(|| r.redact_text(text, Direction::ToolResult).findings.len()));
        g.bench_function("naive-regex-loop", |b| b.iter(|| naive_count(&res, text)));
        g.finish();
    }
    // Short strings (JSON values, stream deltas): the partial-block path, and per-call overhead.
    let shorts: Vec<String> = (0..20_000).map(|i| format!("step {i}: read src/main.rs and ran cargo test")).collect();
    let bytes: usize = shorts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("redact/short-strings");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("airlock", |b| {
        b.iter(|| shorts.iter().map(|s| r.redact_text(s, Direction::ToolResult).findings.len()).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
