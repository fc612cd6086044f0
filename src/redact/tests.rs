//! Unit tests of the public behaviour: each detector on positives and look-alikes, actions, directions,
//! settings validation, idempotence and the JSON walker.
use super::*;

fn red(s: &str) -> String {
    Redactor::default().redact_text(s, Direction::ToolResult).text.into_owned()
}

/// Each input redacts to the expected text.
fn expect_found(cases: &[(&str, &str)]) {
    for (input, want) in cases {
        assert_eq!(red(input), *want, "input {input:?}");
    }
}

/// Each input comes back byte for byte.
fn expect_untouched(inputs: &[&str]) {
    for input in inputs {
        assert_eq!(red(input), *input);
    }
}

#[test]
fn literals_build() {
    assert!(literals::literals_ready());
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
    expect_found(&cases);
}

#[test]
fn look_alikes_untouched() {
    let negatives = [
        "id 123e4567-e89b-12d3-a456-426614174000",
        "commit a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
        "on 2024-01-15T10:30:00Z v1.2.3 at 192.168.1.10",
        "Order #4111111111111112 shipped",
        "ISBN 978-3-16-148410-0",
        "password = os.environ[\"DB_PASSWORD\"]",
        "max_tokens: 4096, token_type: bearer",
        "icon@2x.png and @types/node",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    ];
    expect_untouched(&negatives);
}

#[test]
fn directions_and_defaults() {
    let r = Redactor::default();
    let text = "jane@example.com ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    let model = r.redact_text(text, Direction::ModelText).text.into_owned();
    assert_eq!(model, "jane@example.com [REDACTED:GITHUB_TOKEN]");
    let audit = r.redact_text(text, Direction::Audit).text.into_owned();
    assert_eq!(audit, "j***@example.com [REDACTED:GITHUB_TOKEN]");
    for dir in [Direction::ToolResult, Direction::Prompt, Direction::ToolArgs] {
        assert_eq!(r.redact_text(text, dir).text, "[REDACTED:EMAIL] [REDACTED:GITHUB_TOKEN]");
    }
}

fn settings(toml_text: &str) -> RedactSettings {
    match toml::from_str(toml_text) {
        Ok(s) => s,
        Err(e) => unreachable!("bad settings: {e}"),
    }
}

#[test]
fn actions_mask_hash_block() {
    let s = settings("pii = \"mask\"\n[detectors]\nemail = \"hash\"\nssn = \"block\"\n");
    assert!(s.validate().is_empty());
    let r = Redactor::new(&s);
    let out = r.redact_text("card 4111 1111 1111 1111 mail a@example.com", Direction::ToolResult);
    assert!(out.text.starts_with("card ****1111 mail [HASH:EMAIL:"), "{}", out.text);
    assert!(!out.blocked);
    let again = r.redact_text(&out.text, Direction::ToolResult);
    assert_eq!(again.text, out.text);
    let h1 = r.redact_text("a@example.com", Direction::Prompt).text.into_owned();
    let h2 = r.redact_text("a@example.com", Direction::Prompt).text.into_owned();
    assert_eq!(h1, h2);
    let b = r.redact_text("ssn 123-45-6789", Direction::ToolArgs);
    assert!(b.blocked);
    assert_eq!(b.findings[0].action, "block");
}

#[test]
fn validate_reports_names() {
    let s = settings("secrets = \"off\"\n[detectors]\nemial = \"mask\"\n[direction.sideways]\npii = \"off\"\n");
    let errs = s.validate();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert!(errs.iter().any(|e| e.starts_with("redact.detectors.emial")));
    assert!(errs.iter().any(|e| e.starts_with("redact.direction.sideways")));
    assert!(errs.iter().any(|e| e.starts_with("redact.secrets")));
    assert!(toml::from_str::<RedactSettings>("pii = \"explode\"").is_err());
}

#[test]
fn json_walker() {
    let r = Redactor::default();
    let mut v = serde_json::json!({
        "jane@example.com": "key stays",
        "rows": [{"email": "jane.roe@example.com", "n": 4}, "plain"],
        "escaped": "line\n\"quoted\" a\u{0040}example.com"
    });
    let untouched = v["rows"][1].clone();
    let findings = r.redact_json(&mut v, Direction::ToolResult);
    assert_eq!(findings.len(), 2);
    assert_eq!(v["rows"][0]["email"], "[REDACTED:EMAIL]");
    assert_eq!(v["escaped"], "line\n\"quoted\" [REDACTED:EMAIL]");
    assert_eq!(v["rows"][1], untouched);
    assert!(v.get("jane@example.com").is_some());
}

#[test]
fn more_formats() {
    let cases = [
        "+44 20 7946 0958",
        "415.555.0134",
        "020 7946 0321",
        "3530 1113 3330 0000",
        "5555 5555 5555 4444",
        "DE89 3704 0044 0532 0130 00",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
        "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ];
    for c in cases {
        let out = red(&format!("value {c} end"));
        assert!(!out.contains(c), "{c:?} -> {out:?}");
        assert!(out.starts_with("value [REDACTED:") && out.ends_with("] end"), "{c:?} -> {out:?}");
    }
}

/// Found by probing with samples outside the corpus: the spaced NINO form was unreachable (a digit run
/// after a space never reached the look-back identifiers), and `&` cut a password short outside URLs.
#[test]
fn spaced_nino_and_ampersand_passwords() {
    assert_eq!(red("NI AB 12 34 56 C."), "NI [REDACTED:UK_NINO].");
    assert_eq!(red("GB 12 34 56 A"), "GB 12 34 56 A");
    assert_eq!(red("DB_PASSWORD=Tr0ub4dor&3"), "DB_PASSWORD=[REDACTED:PASSWORD]");
    assert_eq!(
        red("https://x.io/cb?password=Zq9xW2vK&user=bob"),
        "https://x.io/cb?password=[REDACTED:PASSWORD]&user=bob"
    );
    assert_eq!(red("a=1&secret=Zq9xW2vKp7Lm&b=2"), "a=1&secret=[REDACTED:SECRET]&b=2");
}

/// Shapes a held-out probe (written outside the corpus) found missed or wrongly redacted in session 6.
#[test]
fn held_out_probe_shapes() {
    let found = [
        ("WhatsApp +91-9876543210 ok", "WhatsApp [REDACTED:PHONE_NUMBER] ok"),
        ("x +44 7700900123 y", "x [REDACTED:PHONE_NUMBER] y"),
        ("Handy 0151 23456789", "Handy [REDACTED:PHONE_NUMBER]"),
        ("Tel: 01512 3456789", "Tel: [REDACTED:PHONE_NUMBER]"),
        ("Ph: 098765 43210", "Ph: [REDACTED:PHONE_NUMBER]"),
        ("portable : 06.12.34.56.78", "portable : [REDACTED:PHONE_NUMBER]"),
        ("tel: 0612345678", "tel: [REDACTED:PHONE_NUMBER]"),
        ("Mobile: 98765 43210", "Mobile: [REDACTED:PHONE_NUMBER]"),
        ("<password>jBz0RsZUdC^8Ig2i</password>", "<password>[REDACTED:PASSWORD]</password>"),
        ("mysql -u root --password 4AErEmR3VO*W3r7R app", "mysql -u root --password [REDACTED:PASSWORD] app"),
        ("sshpass -p '9wiiLqS2ea%Hwm2D' ssh a@b", "sshpass -p '[REDACTED:PASSWORD]' ssh a@b"),
        (
            "machine h.example.com login bob password s3cr3tP@ss",
            "machine h.example.com login bob password [REDACTED:PASSWORD]",
        ),
        ("define('DB_PASSWORD', 'Xk9!mPq2Lr7');", "define('DB_PASSWORD', '[REDACTED:PASSWORD]');"),
        ("set -x SERVICE_TOKEN EmtsFeO4lLKNSiqajCGjaKDR2ZmzfZFO", "set -x SERVICE_TOKEN [REDACTED:SECRET]"),
        ("curl -s -u admin:S3cr3t!x https://h", "curl -s -u admin:[REDACTED:PASSWORD] https://h"),
        ("Card: 4600 8275 2620 7198 11/28 CVV 771", "Card: [REDACTED:CARD] 11/28 CVV 771"),
        ("20931,97201,503-555-0147", "20931,97201,[REDACTED:PHONE_NUMBER]"),
        ("10001,(212) 555-0123", "10001,[REDACTED:PHONE_NUMBER]"),
        ("17,390-21-5535,1200.00", "17,[REDACTED:US_SSN],1200.00"),
        ("password: \"#oT9_zGHVbYQNH\"", "password: \"[REDACTED:PASSWORD]\""),
        ("REDIS_PASSWORD='%QKUIA6qVM7W@I'", "REDIS_PASSWORD='[REDACTED:PASSWORD]'"),
        ("mongodb://admin:%23WHbSrrxJH5NH@mongo-0/x", "mongodb://admin:[REDACTED:URL_PASSWORD]@mongo-0/x"),
        ("\"phoneNumber\": \"4155550162\"", "\"phoneNumber\": \"[REDACTED:PHONE_NUMBER]\""),
        ("\"social_security_number\": \"899946442\"", "\"social_security_number\": \"[REDACTED:US_SSN]\""),
        ("socialSecurityNumber: 640 98 8051", "socialSecurityNumber: [REDACTED:US_SSN]"),
        (
            "https://api.telegram.org/bot8205602481:AAmTuvgK3xQ9zLp2WcR7hYe4NbV6sJd1Fo8/sendMessage",
            "https://api.telegram.org/bot[REDACTED:TELEGRAM_TOKEN]/sendMessage",
        ),
        ("ftp user=ops pw=IUvpE6R3M2-xRv", "ftp user=ops pw=[REDACTED:PASSWORD]"),
        ("IBAN RU0204452560040702810412345678901", "IBAN [REDACTED:IBAN]"),
        ("Tel 020-123 4567", "Tel [REDACTED:PHONE_NUMBER]"),
        ("ENV API_SECRET lQ36G1OvWIYwI4ev4uXDOCL3InLtW6xo", "ENV API_SECRET [REDACTED:SECRET]"),
        (
            "psql -c \"ALTER USER app WITH PASSWORD 'HQ=%#u1r?YOyLG';\"",
            "psql -c \"ALTER USER app WITH PASSWORD '[REDACTED:PASSWORD]';\"",
        ),
        ("os.Setenv(\"DB_PASSWORD\", \"Q-v2ZfI$LF~Blt\")", "os.Setenv(\"DB_PASSWORD\", \"[REDACTED:PASSWORD]\")"),
        ("415-555-0134 4111 1111 1111 1111", "[REDACTED:PHONE_NUMBER] [REDACTED:CARD]"),
        ("card 4111 1111 1111 1111 123", "card [REDACTED:CARD] 123"),
        ("1 4111 1111 1111 1111", "1 [REDACTED:CARD]"),
        ("PAGE_ACCESS_TOKEN=EAAGm0PX4ZCpsBAKz7Qw9Lm2Vb8Rt3Yx", "PAGE_ACCESS_TOKEN=[REDACTED:SECRET]"),
        ("REDIS_CACHE_PASSWORD=Tq9#mWz4Lp", "REDIS_CACHE_PASSWORD=[REDACTED:PASSWORD]"),
        ("{\"key\": \"3q2+7w/Zk9Lm4Qx8Vb2Rt6Yp1Nc5Hs0Dj7Gf3Ka9We=\"}", "{\"key\": \"[REDACTED:SECRET]\"}"),
        ("card 4111 1111 1111 1111", "card [REDACTED:CARD]"),
        ("cards 4111 1111 1111 1111, 5500 0000 0000 0004", "cards [REDACTED:CARD], [REDACTED:CARD]"),
    ];
    expect_found(&found);
    let untouched = [
        // A part of a longer number grouped the same way is not a value (the first 12 digits pass Verhoeff).
        "invoice 4202 3756 7554 5000",
        "order no. 1326 7938 1444 9454",
        "USPS tracking 9400 3806 7569 1933 5056 46",
        "USPS tracking 9400 3297 9232 0732 0215 27",
        "SLACK_BOT_TOKEN=xoxb-your-bot-token",
        "token xoxb-not-a-real-token here",
        "DATABASE_URL=postgres://user:password@localhost:5432/db",
        "amqp://guest:guest@localhost:5672/",
        "reset the password 2 times",
        "<password>${DB_PASSWORD}</password>",
        "define('DB_PASSWORD', 'password_here');",
        "define('DB_NAME', 'wordpress');",
        "{\"Key\": \"logs/2024/05/01/app-01.log.gz\", \"Size\": 1024}",
        "{\"NextToken\": \"eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==\"}",
        "\"idempotency_key\": \"5f0e8a52-41c5-4d6a-9a5e-2c1b7f3d9e10\"",
        "{\"key\": \"user:1042:profile\"}",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC12d",
        "if line.startswith(\"-----BEGIN RSA PRIVATE KEY-----\"):",
        "SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "password: \"REPLACE_ME\"",
        "ADMIN_PASSWORD=\"CHANGE_ME\"",
        "\"shared\": \"git+ssh://git@github.com/acme/shared.git#v2.3.1\"",
        "db_password: !vault |",
        "\"password\": \"••••••••\"",
        "aws s3 sync ./dist s3://web/AWSLogs/123456789012/CloudTrail/us-east-1/",
        "git clone ssh://first.last@git.example.com/team/app.git",
        "Tracking: 1Z 999 AA1 01 2345 6784",
        "\"cache_key\": \"v2:Qm9Yx7Lp3Zt8Wn4\"",
        "Available batch sizes: 256 512 1024 MB",
        "set -gx EDITOR vim",
        "curl -u admin:admin http://localhost",
        "curl -u $USER:$PASS https://x",
    ];
    expect_untouched(&untouched);
}

/// AWS session tokens are ~400 bytes: a value longer than 256 bytes is judged, not dropped.
#[test]
fn long_secret_values_are_judged() {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let token: String = (0..400)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(alphabet[(x % 64) as usize])
        })
        .collect();
    assert_eq!(red(&format!("aws_session_token = {token}\n")), "aws_session_token = [REDACTED:SECRET]\n");
    assert_eq!(red(&format!("\"SessionToken\": \"{token}\"")), "\"SessionToken\": \"[REDACTED:SECRET]\"");
}

/// Real keys whose random body happens to hold a placeholder word are still keys: only a whole segment
/// between `-`/`_` counts.
#[test]
fn placeholder_words_are_whole_segments() {
    let key = "sk-ant-api03-Hx7fakeQ2mLz9WvR4tYp8Nc3Jk6Bs1Dg5Fh0KqhereWe2Rt7Yu4Io9Pa3Sd6Fg1Hj8Kl5Zx-Cv2Bn7Mq4AA";
    assert_eq!(red(&format!("key {key} end")), "key [REDACTED:ANTHROPIC_KEY] end");
    assert_eq!(red("xoxb-your-bot-token"), "xoxb-your-bot-token");
}

/// A `curl -u` password far from its anchor (a 400-byte user name): whole text and every stream split agree.
#[test]
fn curl_user_stays_within_the_lookback() {
    let long = format!("curl -u \"{}:S3cr3tPass1\" https://h {}", "u".repeat(400), " ".repeat(300));
    let r = Redactor::default();
    let whole = r.redact_text(&long, Direction::ToolResult).text.into_owned();
    for cut in (1..long.len()).step_by(7) {
        let mut s = r.stream(Direction::ToolResult);
        let mut out = s.push(&long[..cut]);
        for piece in long.as_bytes()[cut..].chunks(64) {
            out.push_str(&s.push(std::str::from_utf8(piece).unwrap_or_default()));
        }
        out.push_str(&s.finish());
        assert_eq!(out, whole, "cut at {cut}");
    }
}

/// Address shapes found missed or wrongly redacted by the second held-out probe (session 7).
#[test]
fn address_shapes() {
    let found = [
        ("contact olga@firma.rs today", "contact [REDACTED:EMAIL] today"),
        ("ventas@empresa.com.py", "[REDACTED:EMAIL]"),
        ("mail hello@studio.so", "mail [REDACTED:EMAIL]"),
        ("alice.w@example.com:Passw0rd!2024", "[REDACTED:EMAIL]:[REDACTED:PASSWORD]"),
        ("bob@example.org:hunter", "[REDACTED:EMAIL]:hunter"),
        ("GET /signup?email=jane.doe%40example.com&x=1", "GET /signup?email=[REDACTED:EMAIL]&x=1"),
        ("ssh me at bob@example.com", "ssh me at [REDACTED:EMAIL]"),
        // Only right after the command is it a login (see `email::detect_at`).
        ("ssh -p 2222 admin@bastion.example.com", "ssh -p 2222 [REDACTED:EMAIL]"),
    ];
    expect_found(&found);
    let untouched = [
        "git clone git@github.com:acme/app.git",
        "scp deploy@web1.example.com:/srv/app/.env .",
        "rsync -a u@h.example.io:notes.txt .",
        "  701  ssh ubuntu@ec2-54-12-34-56.compute-1.amazonaws.com",
        "see main@v2.py and icon@2x.png",
        "100%40 done",
    ];
    expect_untouched(&untouched);
    // Found by the fuzzer: the rest after the colon held an address, so the first one is a remote, and it
    // must stay one once that address is replaced.
    let chain = "E@l2.ex:uty--h5o6Sl@l.ex:[RE@l2.ex:[REGHp@l.ex:[KE@ltr.emysqcx:[R";
    assert_eq!(red(chain), "E@l2.ex:uty--h5o6Sl@l.ex:[RE@l2.ex:[REGHp@l.ex:[[REDACTED:EMAIL]:[R");
    assert_eq!(red(&red(chain)), red(chain));
}

/// Secrets named by an XML element or by a name/value pair (session 7, from the second held-out probe).
#[test]
fn named_values() {
    let found = [
        ("<ApiToken>l51nyJQY4QXLFFwHj0oAB5wn70VNy4TE</ApiToken>", "<ApiToken>[REDACTED:SECRET]</ApiToken>"),
        ("<password>jBz0RsZUdC^8Ig2i</password>", "<password>[REDACTED:PASSWORD]</password>"),
        ("<client_secret>Q2x9Vb7Nm4Lk8Jh6Gf3Ds1</client_secret>", "<client_secret>[REDACTED:SECRET]</client_secret>"),
        (
            "env:\n  - name: DB_PASSWORD\n    value: \"K#*rBjP0HO*NABTr\"\n",
            "env:\n  - name: DB_PASSWORD\n    value: \"[REDACTED:PASSWORD]\"\n",
        ),
        (
            "{\"name\": \"STRIPE_SECRET\", \"value\": \"Zk8Qw2Lm9Xv4Tp7Rb3Nc\"}",
            "{\"name\": \"STRIPE_SECRET\", \"value\": \"[REDACTED:SECRET]\"}",
        ),
        (
            "<add key=\"PaymentApiKey\" value=\"9aoiH7psThZS3Q8cjvnxvHTn6nRpz4eZaRatNhwI\" />",
            "<add key=\"PaymentApiKey\" value=\"[REDACTED:SECRET]\" />",
        ),
        (
            "<property name=\"password\" value=\"mhM%5kSC&wnvON\"/>",
            "<property name=\"password\" value=\"[REDACTED:PASSWORD]\"/>",
        ),
    ];
    expect_found(&found);
    let untouched = [
        "<password>${DB_PASSWORD}</password>",
        "<token>abc</token>",
        "<tokenCount>12345678</tokenCount>",
        "Result<Token, Error> and Vec<Secret>",
        "<ApiToken>l51nyJQY4QXLFFwHj0oAB5wn70VNy4TE</Other>",
        "{\"name\": \"token_count\", \"value\": \"12345678\"}",
        "- name: LOG_LEVEL\n  value: \"Debug2024!\"",
        "{\"name\": \"DB_PASSWORD\", \"value\": \"changeme\"}",
    ];
    expect_untouched(&untouched);
}

/// Card networks and national phone formats added in session 7 (from the second held-out probe).
#[test]
fn more_cards_and_phones() {
    let found = [
        ("Maestro card 6759 3655 5322 2354", "Maestro card [REDACTED:CARD]"),
        ("Mir card 2200 2610 7542 0168", "Mir card [REDACTED:CARD]"),
        ("Celular: (11) 91234-5678", "Celular: [REDACTED:PHONE_NUMBER]"),
        ("手机: 138 0013 8000", "手机: [REDACTED:PHONE_NUMBER]"),
        ("call 138-0013-8000", "call [REDACTED:PHONE_NUMBER]"),
        ("Móvil: 612 345 678", "Móvil: [REDACTED:PHONE_NUMBER]"),
    ];
    expect_found(&found);
    let untouched = ["Maestro 6759 3655 5322 2355", "revenue 612 345 678 EUR", "(12) 3456-789", "sizes 128 2048 4096"];
    expect_untouched(&untouched);
}

/// Command-line and infrastructure-file shapes added in session 7 (from the second held-out probe).
#[test]
fn commands_and_infrastructure() {
    let found = [
        ("mysql -h db -u root -pKMbLau3_O=eB shop", "mysql -h db -u root -p[REDACTED:PASSWORD] shop"),
        ("DB_PASSWORD=%WqpE9j0NprFHEr67PV3gA", "DB_PASSWORD=[REDACTED:PASSWORD]"),
        ("password=~Lm8vQ2#xZ7", "password=[REDACTED:PASSWORD]"),
        ("mysqldump -uroot -p'Xk9!mPq2Lr7' app > a.sql", "mysqldump -uroot -p'[REDACTED:PASSWORD]' app > a.sql"),
        (
            "docker login -u ci -p vVi1J^ZSjK%WoO registry.example.com",
            "docker login -u ci -p [REDACTED:PASSWORD] registry.example.com",
        ),
        (
            "variable \"db_password\" {\n  type    = string\n  default = \"IXh^80XSRiRh_k*O\"\n}",
            "variable \"db_password\" {\n  type    = string\n  default = \"[REDACTED:PASSWORD]\"\n}",
        ),
        (
            "  .dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJhdXRoIjoiWTJrNk4zcHZiRGhPIn19fQ==\n",
            "  .dockerconfigjson: [REDACTED:SECRET]\n",
        ),
    ];
    expect_found(&found);
    let untouched = [
        "mysql -u root -p shop",
        "password=%DB_PASSWORD%",
        "password_format=%(password)s",
        "password=~/.secrets/db",
        "mkdir -p /tmp/x && mysql -e 'select 1'",
        "variable \"region\" {\n  default = \"eu-west-1\"\n}",
        "variable \"db_password\" {\n  sensitive = true\n}\nresource \"x\" \"y\" {\n  default = \"Ab3dEf9hIj\"\n}",
    ];
    expect_untouched(&untouched);
}

/// Shapes an independent held-out probe (probe 4, session 7) found missed or wrongly redacted.
#[test]
fn probe_four_shapes() {
    let found = [
        (
            "  username            = \"reporting\"\n  password            = \"BR4irI1S_o576@DhlG-wtn\"\n",
            "  username            = \"reporting\"\n  password            = \"[REDACTED:PASSWORD]\"\n",
        ),
        ("\tapiSecret    = \"T29tY7mJj8AxRwVLgdkbq75m67bxT6p3\"\n", "\tapiSecret    = \"[REDACTED:SECRET]\"\n"),
        (
            "# ~/.pgpass\npg-prod.example.internal:5432:ledger:ledger_app:4g0HdsMmVs385chCNiXJ22Py\n*:*:*:postgres:1yMJPw7HYwgNm0bOp",
            "# ~/.pgpass\npg-prod.example.internal:5432:ledger:ledger_app:[REDACTED:PASSWORD]\n*:*:*:postgres:[REDACTED:PASSWORD]",
        ),
        ("machine h.example.com\n  login bob\n  password 6isO7lVMf~m7D0vz_4q\n", "machine h.example.com\n  login bob\n  password [REDACTED:PASSWORD]\n"),
        ("leak: AC0bf72fbf666f69e87a1d5ad0b57048ef", "leak: [REDACTED:TWILIO_KEY]"),
        // An account SID is half of a credential pair: removed even when named as one.
        ("\"account_sid\": \"AC079e75255b2c10f49ceca8efde00dcfb\"", "\"account_sid\": \"[REDACTED:TWILIO_KEY]\""),
        ("https://hooks.slack.com/services/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", "[REDACTED:SLACK_WEBHOOK]"),
    ];
    expect_found(&found);
    let untouched = [
        "Stripe('pk_live_51HqLyjWDarjtT1zdp7dcXhqRk2vBzDkL4yLzS3wM')",
        "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/XXXXXXXXX/XXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX",
        "$ export VAULT_TOKEN=$(vault login -token-only -method=oidc)\n$ DB_PASS=$(vault kv get -field=password secret/payments/db)",
        "CREATE ROLE reporting_ro WITH LOGIN PASSWORD :'reporting_password';",
        "2024-03-01 12:30:45:123 started",
        "localhost:8080:api:v1:status",
    ];
    expect_untouched(&untouched);
}

/// What a review of the session-7 rules found (idempotence, stream invariance, look-alikes).
#[test]
fn session_seven_review() {
    let r = Redactor::default();
    // A token glued before a login's user: once it is replaced the answer must not change.
    for input in ["ssh ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8.bob@host.example.com", "ssh bob@host.example.com"] {
        let once = red(input);
        assert_eq!(red(&once), once, "{input}");
        assert!(once.ends_with("bob@host.example.com"), "{once}");
    }
    // A `.pgpass` look-alike whose line is too long: whole text and every stream split agree.
    let long =
        format!("{}:5432:{}:{}:Passw0rd1!\n{}", "h".repeat(300), "d".repeat(64), "u".repeat(64), "z".repeat(300));
    let whole = r.redact_text(&long, Direction::ToolResult).text.into_owned();
    for cut in 1..long.len() {
        let mut s = r.stream(Direction::ToolResult);
        let mut out = s.push(&long[..cut]);
        out.push_str(&s.push(&long[cut..]));
        out.push_str(&s.finish());
        assert_eq!(out, whole, "cut at {cut}");
    }
    let found = [
        ("curl -H \"X-Ids: [1,2]\" -u bob:S3cretPw9 https://h", "curl -H \"X-Ids: [1,2]\" -u bob:[REDACTED:PASSWORD] https://h"),
        (
            "variable \"db_password\" {\n  description = \"for ${var.env}\"\n  default     = \"Kp4!xR8zQw2m\"\n}",
            "variable \"db_password\" {\n  description = \"for ${var.env}\"\n  default     = \"[REDACTED:PASSWORD]\"\n}",
        ),
        ("DB_PASSWORD=%21abc%40def9", "DB_PASSWORD=[REDACTED:PASSWORD]"),
        ("jane@example.com:uid=1042", "[REDACTED:EMAIL]:uid=1042"),
        ("?redirect=%2Fusers%2Fjane%40example.com", "?redirect=%2Fusers%2F[REDACTED:EMAIL]"),
        ("https://hooks.slack.com/services/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/", "[REDACTED:SLACK_WEBHOOK]"),
        ("$ mysql -u root -pKMbLau3_O=eB shop", "$ mysql -u root -p[REDACTED:PASSWORD] shop"),
        ("  612  docker login r.example.com -u ci -p vVi1J^ZSjK%WoO", "  612  docker login r.example.com -u ci -p [REDACTED:PASSWORD]"),
    ];
    expect_found(&found);
    let untouched = [
        "<key>NSCameraUsageDescription</key>",
        "<Key>backups/2024-05-01/db-dump.sql.gz</Key>",
        "docker run -d --name mysql -p3306:3306 mysql:8",
        "docker login ghcr.io && docker run -p 8080:80 nginx",
        "2001:4860:4860:0000:0000:0000:0000:8888",
        "fe80:1234:5678:9999:abcdef123",
        "ports 143 3306 5432",
        "order 135-2024-0001",
        "see (17) 2001-2005 for details",
        "https%3A%2F%2Fgit%40github.com%2Forg%2Frepo",
        "password=%APPDATA%",
    ];
    expect_untouched(&untouched);
}

/// PuTTY private keys (`.ppk`): the private lines go, with their header; the public lines and the MAC stay.
#[test]
fn putty_private_keys() {
    let body = "AAAAIQCa9sR3kTz0bQm7VfLx2cYp8wHn4JdE6uKg1oNiB5tMlA";
    let two = "AAAAgQDf3kL9pXz2Wq7bNc4Yv8Hs1Jm6Tr0Ge5Ka3UoPiE2dRlB7nZ\nCq9xYw4Vt1Mb";
    let two_crlf = two.replace('\n', "\r\n");
    // Escaped line breaks (a key quoted in a log line or a JSON text): a backslash and an `n`.
    let two_escaped = two.replace('\n', r"\n");
    expect_found(&[
        (
            &format!("Public-Lines: 1\nAAAAC3NzaC1lZDI1NTE5\nPrivate-Lines: 1\n{body}\nPrivate-MAC: 9a8b"),
            "Public-Lines: 1\nAAAAC3NzaC1lZDI1NTE5\n[REDACTED:PRIVATE_KEY]\nPrivate-MAC: 9a8b",
        ),
        (&format!("Private-Lines: 2\r\n{two_crlf}\r\n"), "[REDACTED:PRIVATE_KEY]\r\n"),
        (
            &format!(r#""ppk": "Private-Lines: 2\n{two_escaped}\nPrivate-MAC: 1f""#),
            r#""ppk": "[REDACTED:PRIVATE_KEY]\nPrivate-MAC: 1f""#,
        ),
        (
            &format!(r#""ssh-rsa\nPrivate-Lines: 2\n{two_escaped}\nPrivate-MAC: 1f""#),
            r#""ssh-rsa\n[REDACTED:PRIVATE_KEY]\nPrivate-MAC: 1f""#,
        ),
        // A file cut short is redacted as far as it goes.
        (&format!("Private-Lines: 14\n{body}"), "[REDACTED:PRIVATE_KEY]"),
    ]);
    expect_untouched(&[
        "Private-Lines: 14 (the count of base64 lines that follow)",
        "Private-Lines: 1\nshort",
        "xPrivate-Lines: 1\nAAAAIQCa9sR3kTz0bQm7VfLx2cYp8wHn4JdE6uKg1oNiB5tMlA",
        "nPrivate-Lines: 1\nAAAAIQCa9sR3kTz0bQm7VfLx2cYp8wHn4JdE6uKg1oNiB5tMlA",
        "Public-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIKjB5cZ8m3QhXwYvN0pL2uT7sR4eD1fG6hJ9kM0nO\nP1q",
    ]);
}

/// A lowercase IBAN typed in groups, and a German number with a slash after the network code.
#[test]
fn lowercase_iban_and_slash_phones() {
    expect_found(&[
        ("IBAN de89 3704 0044 0532 0130 00 bitte", "IBAN [REDACTED:IBAN] bitte"),
        ("gb82 west 1234 5698 7654 32", "[REDACTED:IBAN]"),
        ("Handy: 0151/23456789", "Handy: [REDACTED:PHONE_NUMBER]"),
        ("Tel. 030/1234567.", "Tel. [REDACTED:PHONE_NUMBER]."),
        ("Telefon 089/12345678, Fax 089/12345679", "Telefon [REDACTED:PHONE_NUMBER], Fax [REDACTED:PHONE_NUMBER]"),
    ]);
    expect_untouched(&[
        // Compact lowercase: as likely a hex digest. A failed checksum, mixed case.
        "de89370400440532013000",
        "de89 3704 0044 0532 0130 01",
        "De89 3704 0044 0532 0130 00",
        // No phone word; a path, a longer number, a range.
        "ticket 0151/23456789",
        "Handy 0171/2345678/9",
        "Handy 0171/23456789012",
        "Handy 0171/2345678-12",
        "Handy 00171/2345678",
    ]);
}
