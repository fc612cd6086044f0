//! Property tests: streamed output equals whole-buffer output for every split, and redaction is
//! idempotent. Generators mix real-looking sensitive values, near-misses and random text.
use super::*;
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "jane.roe@example.com",
    "4111 1111 1111 1111",
    "4111-1111-1111-1112",
    "(415) 555-0134",
    "+44 20 7946 0958",
    "123-45-6789",
    "GB82 WEST 1234 5698 7654 32",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    "sk-ant-api03-Xy7Kq2Lm9Np4Rs8Tv1Wz6Ab3Cd5Ef0Gh7Ij2Kl9Mn4Op8QrAA",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7b9x\nq2w3e4r5t6y7\n-----END RSA PRIVATE KEY-----",
    "postgres://app:s3cr3tPw@db.internal:5432/x",
    "password=hunter2!",
    "\"api_key\": \"Zx9Qw8Er7Ty6Ui5Op4As3Df2\"",
    "2024-01-15T10:30:00Z",
    "v1.2.3",
    "192.168.1.10",
    "123e4567-e89b-12d3-a456-426614174000",
    "order 4111111111111112",
    "4111111111111111,5500000000000004,1,234",
    "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
    "password: required",
    "SSN 234567890",
    "+1 (415) 555-0134",
    "1 (415) 555-0134",
    "1-800-555-0199",
    "020 7946 0958",
    "12 4111 1111 1111 1111",
    "2345 6789 0124",
    "1 2 3 4 5 6 7 8 9 4111 1111 1111 1111",
    "12345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    "ABCPA1234F",
    "AB123456C",
    "AB 12 34 56 C",
    "xA1b2",
    "GB82",
    "QQ12",
    "AWS secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "<ApiToken>l51nyJQY4QXLFFwHj0oAB5wn70VNy4TE</ApiToken>",
    "<password>",
    "jane.doe%40example.com",
    "alice@example.com:Passw0rd!2024",
    "git@github.com:acme/app.git",
    "ssh -p 22 bob@example.com",
    "- name: DB_PASSWORD\n  value: \"K#*rBjP0HO*NABTr\"",
    "mysql -u root -pKMbLau3_O=eB",
    "(11) 91234-5678",
    "2200 2610 7542 0168",
    "eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6e30=",
    "db.internal:5432:app:app_user:4g0HdsMmVs385chCNiXJ22Py\n",
    "password            = \"BR4irI1S_o576@DhlG-wtn\"",
    "Private-Lines: 2\nAAAAgQDf3kL9pXz2Wq7bNc4Yv8Hs1Jm6Tr0Ge5Ka3UoPiE2dRlB7nZ\nCq9xYw4Vt1Mb",
    "\\nPrivate-Lines: 1\\nAAAAIQCa9sR3kTz0bQm7VfLx2cYp8wHn4JdE6uKg1oNiB5tMlA",
    "de89 3704 0044 0532 0130 00",
    "Handy: 0171/2345678",
    "[REDACTED:EMAIL]",
    "[REDACTED:GITHUB_TOKEN]",
    "[HASH:US_SSN:9f2c1a0b3d4e]",
    "[HASH:EMAIL:123456789012]",
    "****1111",
    "j***@example.com",
    "[REDACTED:",
    "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "@",
    "=",
    ":",
    " ",
    "\n",
    "é",
    "日本",
];

fn stream_all(r: &Redactor, chunks: &[&str]) -> String {
    let mut s = r.stream(Direction::ToolResult);
    let mut out = String::new();
    for c in chunks {
        out.push_str(&s.push(c));
    }
    out.push_str(&s.finish());
    out
}

fn split_at_chars(text: &str, cuts: &[usize]) -> Vec<String> {
    let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
    let mut idx: Vec<usize> = cuts.iter().map(|c| bounds[c % bounds.len()]).collect();
    idx.sort_unstable();
    let mut out = Vec::new();
    let mut prev = 0;
    for i in idx {
        out.push(text[prev..i].to_string());
        prev = i;
    }
    out.push(text[prev..].to_string());
    out
}

/// The real scan and the every-byte reference over `text`: resolved candidates and hold-back point of each.
type Scanned = (Vec<engine::Cand>, usize);
fn both_scans(text: &str, eof: bool) -> (Scanned, Scanned) {
    let t = text::Text { b: text.as_bytes(), eof };
    let lim = engine::Limits { max_token: 4032, pem_max: 16384 };
    let mut fast = engine::Sink::new();
    let mut every = engine::Sink::new();
    engine::scan(&t, lim, &mut fast);
    engine::scan_every_anchor(&t, lim, &mut every);
    ((engine::resolve(text, fast.cands), fast.pending), (engine::resolve(text, every.cands), every.pending))
}

fn piece_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(PIECES).prop_map(str::to_string),
        2 => "[a-zA-Z0-9 .:=@_+/()-]{0,12}",
        1 => "\\PC{0,6}",
    ]
}

/// Pieces glued together with no separator: the hardest case for boundaries.
fn text_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece_strategy(), 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn stream_equals_whole(text in text_strategy(), cuts in proptest::collection::vec(0usize..10_000, 0..8)) {
        let r = Redactor::default();
        let whole = r.redact_text(&text, Direction::ToolResult).text.into_owned();
        let chunks = split_at_chars(&text, &cuts);
        let refs: Vec<&str> = chunks.iter().map(String::as_str).collect();
        prop_assert_eq!(stream_all(&r, &refs), whole);
    }

    #[test]
    fn idempotent(words in proptest::collection::vec(piece_strategy(), 0..12)) {
        let text = words.join(" ");
        let r = Redactor::default();
        let once = r.redact_text(&text, Direction::ToolResult).text.into_owned();
        let twice = r.redact_text(&once, Direction::ToolResult).text.into_owned();
        prop_assert_eq!(twice, once);
    }

    /// The prefilter (64-byte blocks, then a byte loop) and the placeholder skip against visiting every
    /// byte; the padding moves each piece across block boundaries.
    #[test]
    fn prefilter_and_skips_change_nothing(pad in 0usize..130, body in text_strategy(), eof in any::<bool>()) {
        // The tail keeps the body inside the 64-byte fast path rather than the byte-wise last block.
        let text = format!("{}{body}{}", "x ".repeat(pad / 2) + &".".repeat(pad % 2), " tail".repeat(14));
        let (fast, every) = both_scans(&text, eof);
        prop_assert_eq!(fast, every);
    }

    #[test]
    fn never_panics(text in "\\PC{0,200}") {
        let r = Redactor::default();
        let _ = r.redact_text(&text, Direction::Audit);
        let _ = stream_all(&r, &[&text]);
    }
}

/// Every piece at every offset around the first two block boundaries: anchors whose look-back crosses a
/// boundary (`GB82` with its digits in the next block) are kept by the prefilter.
#[test]
fn prefilter_keeps_anchors_at_every_offset() {
    for piece in PIECES {
        for pad in 0..140 {
            // The tail keeps the piece inside the 64-byte fast path rather than the byte-wise last block.
            let text = format!("{}{piece}{}", " ".repeat(pad), " tail".repeat(30));
            for eof in [true, false] {
                let (fast, every) = both_scans(&text, eof);
                assert_eq!(fast, every, "{piece:?} after {pad} spaces");
            }
        }
    }
}

#[test]
fn exhaustive_two_and_byte_splits() {
    let r = Redactor::default();
    let fixed = [
        "Contact jane.roe@example.com or (415) 555-0134; card 4111 1111 1111 1111, ssn 123-45-6789.",
        "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and AKIAIOSFODNN7EXAMPLE",
        "x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY----- y",
        "db postgres://u:p4ss@h/d token=ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 end",
    ];
    for text in fixed {
        let whole = r.redact_text(text, Direction::ToolResult).text.into_owned();
        let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        for &i in &bounds {
            for &j in bounds.iter().filter(|&&j| j >= i) {
                let got = stream_all(&r, &[&text[..i], &text[i..j], &text[j..]]);
                assert_eq!(got, whole, "split at {i},{j} of {text:?}");
            }
        }
        let singles: Vec<&str> = bounds.windows(2).map(|w| &text[w[0]..w[1]]).collect();
        assert_eq!(stream_all(&r, &singles), whole, "char-by-char {text:?}");
    }
}

#[test]
fn holdback_is_small_for_plain_text() {
    let r = Redactor::default();
    let mut s = r.stream(Direction::ModelText);
    let mut out = String::new();
    for _ in 0..100 {
        out.push_str(&s.push("The quick brown fox jumps over the lazy dog. "));
    }
    // Each of the chained passes holds back about LEAD bytes (a char boundary may add a few).
    assert!(s.held_back() <= super::PASSES * (text::LEAD + 8), "held {}", s.held_back());
    out.push_str(&s.finish());
    assert_eq!(out.len(), 4500);
}

#[test]
fn pem_holds_until_end() {
    let r = Redactor::default();
    let mut s = r.stream(Direction::ToolResult);
    let mut out = s.push("key: -----BEGIN PRIVATE KEY-----\n");
    for _ in 0..20 {
        out.push_str(&s.push("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"));
    }
    assert!(!out.contains("MIIE"));
    out.push_str(&s.push("-----END PRIVATE KEY----- done"));
    out.push_str(&s.finish());
    assert_eq!(out, "key: [REDACTED:PRIVATE_KEY] done");
}
