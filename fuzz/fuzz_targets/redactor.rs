//! The redactor on arbitrary text, with the prompt direction's actions (redact) and the audit direction's
//! (mask personal data): never panics, is idempotent, and streaming (split at a fuzzer-chosen point) equals
//! whole-buffer redaction.
#![no_main]
use airlock::redact::{Direction, Redactor};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|s: &str| {
    static R: OnceLock<Redactor> = OnceLock::new();
    let r = R.get_or_init(Redactor::default);
    let once = r.redact_text(s, Direction::Prompt).text.into_owned();
    let twice = r.redact_text(&once, Direction::Prompt).text.into_owned();
    assert_eq!(once, twice, "redaction must be idempotent");
    let cut = s.char_indices().nth(s.chars().count() / 2).map_or(0, |(i, _)| i);
    let mut st = r.stream(Direction::Prompt);
    let mut streamed = st.push(&s[..cut]);
    streamed.push_str(&st.push(&s[cut..]));
    streamed.push_str(&st.finish());
    assert_eq!(streamed, once, "streamed output must equal whole-buffer output");
    // The audit direction masks personal data (`****1111`, `j***@example.com`) instead of replacing it.
    let once = r.redact_text(s, Direction::Audit).text.into_owned();
    let twice = r.redact_text(&once, Direction::Audit).text.into_owned();
    assert_eq!(once, twice, "masking must be idempotent");
    let mut st = r.stream(Direction::Audit);
    let mut streamed = st.push(&s[..cut]);
    streamed.push_str(&st.push(&s[cut..]));
    streamed.push_str(&st.finish());
    assert_eq!(streamed, once, "streamed masking must equal whole-buffer masking");
});
