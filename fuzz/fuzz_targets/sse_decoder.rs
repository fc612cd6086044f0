//! SSE decoder: arbitrary bytes split at fuzzer-chosen points. Never panics, never buffers past its limit,
//! and the events it emits are exactly the bytes it consumed, in order.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, body)) = data.split_first() else { return };
    let mut d = airlock::sse::Decoder::new(4096);
    let mut out = Vec::new();
    let step = usize::from(split).max(1);
    for chunk in body.chunks(step) {
        match d.push(chunk) {
            Ok(events) => events.iter().for_each(|e| out.extend_from_slice(&e.raw)),
            Err(_) => return,
        }
    }
    out.extend_from_slice(d.pending());
    assert_eq!(out, body, "decoded events plus pending bytes must equal the input");
});
