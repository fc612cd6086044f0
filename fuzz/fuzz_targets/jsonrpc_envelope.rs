//! JSON-RPC envelope parsing: any bytes; classification never panics and an accepted body's messages are
//! substrings of the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(body) = airlock::jsonrpc::parse(data) {
        for m in &body.messages {
            let _ = m.message();
            assert!(std::str::from_utf8(data).is_ok_and(|t| t.contains(m.raw.get())));
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = airlock::jsonrpc::parse_one(text);
    }
});
