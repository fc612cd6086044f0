//! Provider stream rewriters on arbitrary SSE input with fuzzer-chosen verdicts: never panic.
#![no_main]
use airlock::govern::Action;
use airlock::llm::{anthropic, openai_chat, openai_responses, Rewriter, Step};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else { return };
    let mut rw: Box<dyn Rewriter> = match sel % 3 {
        0 => Box::new(anthropic::Stream::default()),
        1 => Box::new(openai_chat::Stream::default()),
        _ => Box::new(openai_responses::Stream::default()),
    };
    let mut d = airlock::sse::Decoder::new(1 << 16);
    let Ok(events) = d.push(body) else { return };
    let mut steps = Vec::new();
    let mut out = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        rw.event(ev, &mut steps);
        for step in steps.drain(..) {
            if let Step::Judge(slot, _) = step {
                let action = match (usize::from(sel) + i) % 3 {
                    0 => Action::Forward,
                    1 => Action::Rewrite(serde_json::json!({"command": "ls"})),
                    _ => Action::Refuse("denied".into()),
                };
                rw.verdict(slot, &action, &mut out);
            }
        }
    }
    rw.end(&mut out);
});
