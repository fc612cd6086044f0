//! Redactor inputs the fuzzer found: each must be idempotent and chunk-invariant.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use airlock::redact::{Direction, Redactor};

fn check(s: &str) {
    let r = Redactor::default();
    let once = r.redact_text(s, Direction::Prompt).text.into_owned();
    let twice = r.redact_text(&once, Direction::Prompt).text.into_owned();
    assert_eq!(once, twice, "not idempotent for {s:?}");
    for cut in (0..=s.len()).filter(|i| s.is_char_boundary(*i)) {
        let mut st = r.stream(Direction::Prompt);
        let mut streamed = st.push(&s[..cut]);
        streamed.push_str(&st.push(&s[cut..]));
        streamed.push_str(&st.finish());
        assert_eq!(streamed, once, "streaming differs for {s:?} cut at {cut}");
    }
}

#[test]
fn fuzzer_findings() {
    check("DATABWWanWW3@cluster0.exampLp:ATABWWanWW3@cluster0.ex#O4!9QAWWanW+W3@cluse.net/prod");
}
