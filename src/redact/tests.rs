//! Unit tests of the public behaviour: each detector on positives and look-alikes, actions, directions,
//! settings validation, idempotence and the JSON walker.
use super::*;

fn red(s: &str) -> String {
    Redactor::default().redact_text(s, Direction::ToolResult).text.into_owned()
}

#[test]
fn literals_build() {
    assert!(engine::literals_ready());
}

#[test]
fn basic_detectors() {
    let cases = [
        ("mail jane.roe@example.com now", "mail [REDACTED:EMAIL] now"),
        ("card 4111 1111 1111 1111.", "card [REDACTED:CARD]."),
        ("key AKIAIOSFODNN7EXAMPLE here", "key [REDACTED:AWS_ACCESS_KEY] here"),
        ("call (415) 555-0134 today", "call [REDACTED:PHONE_NUMBER] today"),
        ("ssn 123-45-6789", "ssn [REDACTED:US_SSN]"),
        ("IBAN GB82 WEST 1234 5698 7654 32 ok", "IBAN [REDACTED:IBAN] ok"),
        ("postgres://app:s3cr3tPw@db.internal/x", "postgres://app:[REDACTED:URL_PASSWORD]@db.internal/x"),
        ("password=hunter2", "password=[REDACTED:PASSWORD]"),
    ];
    for (input, want) in cases {
        assert_eq!(red(input), want, "input {input:?}");
    }
}
