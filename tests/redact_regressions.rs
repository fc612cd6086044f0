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

/// A committed fuzz seed (`fuzz/seeds/redactor/NAME`), which must be UTF-8, through [`check`].
fn check_seed(name: &str) {
    let bytes = seed(name);
    check(std::str::from_utf8(&bytes).expect("utf-8 seed"));
}

/// Like [`check_seed`], for a seed with bytes that are not UTF-8 (they become U+FFFD).
fn check_seed_lossy(name: &str) {
    check(&String::from_utf8_lossy(&seed(name)));
}

fn seed(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fuzz/seeds/redactor/{name}", env!("CARGO_MANIFEST_DIR"))).expect("seed file")
}

#[test]
fn fuzzer_findings() {
    check("DATABWWanWW3@cluster0.exampLp:ATABWWanWW3@cluster0.ex#O4!9QAWWanW+W3@cluse.net/prod");
}

/// Our own labels (`AWS_SECRET_KEY`, `US_SSN`) once acted as context for the next value: each pass
/// redacted one more, past the pass limit.
#[test]
fn labels_are_not_context() {
    check_seed("regression-aws-label-context");
    let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    check(&format!("AWS secret {key} then {key} then {key} then {key} then {key} then {key}"));
    check("123-45-6789 234567890 345678901 456789012 567890123 678901234 789012345 890123456");
    // A label is inert, but the same word in prose still counts.
    let r = Redactor::default();
    let out = r.redact_text("[REDACTED:US_SSN] 234567890", Direction::Prompt).text.into_owned();
    assert_eq!(out, "[REDACTED:US_SSN] 234567890");
    let out = r.redact_text("SSN 234567890", Direction::Prompt).text.into_owned();
    assert_eq!(out, "SSN [REDACTED:US_SSN]");
}

/// Glued addresses (`a@b.cd.-e@f.gh.-…`): each one's local part read back into the previous one's domain,
/// so each pass uncovered one more, past the pass limit.
#[test]
fn glued_email_chain() {
    check_seed_lossy("regression-glued-email-chain");
    check_seed_lossy("regression-glued-email-long-run");
    // Long local parts: the run read back from each `@` is longer than 64 bytes.
    let long = "abcdefghij".repeat(4);
    let chain: String = (0..8).map(|i| format!("{long}{i}@host{i}.example.-")).collect();
    check(&chain);
    let r = Redactor::default();
    assert!(!r.redact_text(&chain, Direction::Prompt).text.contains('@'));
    let chain: String = (0..8).map(|i| format!("u{i}@host{i}.example.-")).collect();
    check(&chain);
    let r = Redactor::default();
    let out = r.redact_text(&chain, Direction::Prompt).text.into_owned();
    assert!(!out.contains('@'), "{out}");
}

/// Numbers glued with `:` (`+49 30 1234567:+49 30 7654321:…`): a number right after a digit and a colon is
/// part of something larger (`10:30`), but once its neighbour was replaced it stood alone, so each pass
/// uncovered one more.
#[test]
fn glued_phone_chain() {
    check_seed_lossy("regression-glued-phone-chain");
    let chain: String = (0..8).map(|i| format!("+49 30 123456{i}:")).collect();
    check(&chain);
    check(&format!("x {chain}"));
}

/// An address whose domain ran on into the next address's local part (`x@a.bc.y2.z@d.ef`) was rejected
/// (TLD `y2`) until its neighbour was replaced, so each pass uncovered one more address of a long glued
/// chain, past the pass limit. Found by the fuzzer in session 4.
#[test]
fn domain_running_into_the_next_local_part() {
    check_seed("regression-email-domain-into-next-local");
    let link = "1@qi.exampqni.examqni.example2.-EEupymple43examqni.ni.example.-ampq";
    check(&link.repeat(8));
    let r = Redactor::default();
    let out = r.redact_text("x@a.bc.y2.z@d.ef", Direction::Prompt).text.into_owned();
    assert_eq!(out, "[REDACTED:EMAIL].[REDACTED:EMAIL]");
    // Without a following address the run-on domain is still not an address.
    let out = r.redact_text("x@a.bc.y2 and more", Direction::Prompt).text.into_owned();
    assert_eq!(out, "x@a.bc.y2 and more");
}

/// An address after `x@host:` made the first one an SSH remote until that address was replaced; then the
/// rest read as a password (session 7). Also the review's chain: a token glued before an `ssh` login's user.
#[test]
fn colon_rest_and_glued_login() {
    check("E@l2.ex:uty--h5o6Sl@l.ex:[RE@l2.ex:[REGHp@l.ex:[KE@ltr.emysqcx:[R");
    check("ssh ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8.bob@host.example.com");
    let d = format!("{}.{}.com", "a".repeat(60), "b".repeat(60));
    check(&format!(
        "aws,x@{d},ssh nQvWys81vp7hB1dx8PpD5KHXe3PYiGkPAuNaRL63.b@{d},ssh xYKwzEInncIIA3ANxN9K3KSU9Mi4roNL89sM995Y.b@{d}"
    ));
}

/// Tokens joined by `-` into one run longer than a token may be (`sk-…-sk-…-sk-…`, 1.4 KB): each body ran
/// on to the end and was too long, except the last; once that was replaced the one before it fitted, so
/// each pass redacted one more, past the pass limit (session 8, ~7.9 M runs). A body glued to one of our
/// placeholders is now refused, as one glued after a placeholder already was.
#[test]
fn token_chain_is_not_peeled_pass_by_pass() {
    check_seed("regression-token-chain-peeled-per-pass");
    let key = "sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";
    check(&[key; 40].join("-"));
    // The same key alone, or before a space, is still found; glued to a placeholder it is left (the rule
    // for a token glued after one, `[REDACTED:EMAIL]sk-…`, has the same trade).
    let r = Redactor::default();
    assert_eq!(r.redact_text(&format!("{key} x"), Direction::Prompt).text, "[REDACTED:OPENAI_KEY] x");
    assert_eq!(
        r.redact_text(&format!("{key}[REDACTED:EMAIL]"), Direction::Prompt).text,
        format!("{key}[REDACTED:EMAIL]")
    );
}

/// `sftp` as the last label of an address (`x@10.sftp m94@10.sftp`) made the next address an `sftp` login
/// until the first was replaced; a chain lost one per pass (session 8, on `161d4c0`). The login command
/// must now stand as a command: at the start, after white space or a shell operator.
#[test]
fn login_command_inside_a_domain() {
    check_seed("regression-login-command-in-a-domain");
    check(&["a1@10.sftp"; 8].join(" "));
    let r = Redactor::default();
    for login in ["ssh ubuntu@ec2.example.com", "$ sftp deploy@files.example.com", "x;ssh bob@host.example.com"] {
        assert_eq!(r.redact_text(login, Direction::Prompt).text, login);
    }
}
