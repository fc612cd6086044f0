//! The redactor on arbitrary text: never panics, is idempotent, and streaming (split at a fuzzer-chosen
//! point) equals whole-buffer redaction.
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
});
