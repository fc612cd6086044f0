//! Replays the shared provider fixtures through each rewriter and checks the exact bytes that come out
//! for allowed, rewritten and replaced calls.
use super::*;
use serde_json::json;

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/../shared/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Runs a stream through a rewriter; `decide` maps (tool, args) to an action. Returns output and calls seen.
fn run(
    mut rw: Box<dyn Rewriter>,
    input: &[u8],
    chunk: usize,
    decide: impl Fn(&str, &Value) -> Action,
) -> (Vec<u8>, Vec<(String, Value)>) {
    let mut decoder = sse::Decoder::new(1 << 20);
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let mut steps = Vec::new();
    for piece in input.chunks(chunk) {
        for ev in decoder.push(piece).unwrap() {
            rw.event(&ev, &mut steps);
            for step in steps.drain(..) {
                match step {
                    Step::Emit(b) => out.extend_from_slice(&b),
                    Step::Judge(slot, asked) => {
                        let args = asked.args.clone().unwrap_or(Value::Null);
                        let action = decide(&asked.name, &args);
                        seen.push((asked.name, args));
                        let mut bytes = Vec::new();
                        rw.verdict(slot, &action, &mut bytes);
                        bytes.iter().for_each(|b| out.extend_from_slice(b));
                    }
                }
            }
        }
    }
    let mut tail = Vec::new();
    rw.end(&mut tail);
    tail.iter().for_each(|b| out.extend_from_slice(b));
    (out, seen)
}

fn events(bytes: &[u8]) -> Vec<Value> {
    let mut d = sse::Decoder::new(1 << 20);
    d.push(bytes).unwrap().into_iter().filter_map(|e| e.data).filter_map(|d| serde_json::from_str(&d).ok()).collect()
}

fn allow(_: &str, _: &Value) -> Action {
    Action::Forward
}

#[test]
fn anthropic_allowed_calls_pass_byte_for_byte_at_any_chunking() {
    for path in ["anthropic/stream_text_then_tool_use.sse", "anthropic/stream_thinking_then_tool_use.sse"] {
        let input = fixture(path);
        for chunk in [1, 7, 64, 100_000] {
            let (out, seen) = run(Box::new(anthropic::Stream::default()), &input, chunk, allow);
            assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&input), "{path} chunk {chunk}");
            assert!(!seen.is_empty());
        }
    }
}

#[test]
fn anthropic_denied_call_becomes_text_and_stop_reason_is_fixed() {
    let input = fixture("anthropic/stream_thinking_then_tool_use.sse");
    let (out, seen) = run(Box::new(anthropic::Stream::default()), &input, 13, |_, _| {
        Action::Refuse("airlock denied exec: no".into())
    });
    assert_eq!(seen, vec![("tool_call".to_string(), json!({"id": "exec", "args": {"command": "du -sh ~"}}))]);
    let text = String::from_utf8(out).unwrap();
    // The thinking block and its signature are untouched bytes.
    let thinking_end = String::from_utf8(input.clone())
        .unwrap()
        .find("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1")
        .unwrap();
    assert_eq!(&text.as_bytes()[..thinking_end], &input[..thinking_end]);
    let evs = events(text.as_bytes());
    let block = evs.iter().find(|e| e["type"] == "content_block_start" && e["index"] == 1).unwrap();
    assert_eq!(block["content_block"]["type"], "text");
    assert!(evs.iter().any(|e| e["delta"]["text"] == "airlock denied exec: no"));
    assert!(evs.iter().all(|e| e["content_block"]["type"] != "tool_use"));
    let delta = evs.iter().find(|e| e["type"] == "message_delta").unwrap();
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert!(text.ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
}

#[test]
fn anthropic_one_of_two_calls_denied_keeps_tool_use_stop_reason() {
    let input = fixture("anthropic/stream_text_then_tool_use.sse");
    let (out, seen) = run(Box::new(anthropic::Stream::default()), &input, 5, |name, _| {
        if name == "exec" {
            Action::Refuse("no".into())
        } else {
            Action::Forward
        }
    });
    assert_eq!(seen.len(), 2);
    let evs = events(&out);
    assert!(evs.iter().any(|e| e["content_block"]["name"] == "message"));
    assert_eq!(evs.iter().find(|e| e["type"] == "message_delta").unwrap()["delta"]["stop_reason"], "tool_use");
    // The text deltas before the calls are the original bytes.
    let original = String::from_utf8(input).unwrap();
    let first_tool = original.find("\"type\":\"tool_use\"").unwrap();
    let prefix_end = original[..first_tool].rfind("event:").unwrap();
    assert_eq!(&out[..prefix_end], &original.as_bytes()[..prefix_end]);
}

#[test]
fn anthropic_rewrite_emits_the_new_input_once() {
    let input = fixture("anthropic/stream_thinking_then_tool_use.sse");
    let (out, _) = run(Box::new(anthropic::Stream::default()), &input, 50, |_, _| {
        Action::Rewrite(json!({"id": "exec", "args": {"command": "du -sh ."}}))
    });
    let evs = events(&out);
    let deltas: Vec<&Value> = evs.iter().filter(|e| e["delta"]["type"] == "input_json_delta").collect();
    assert_eq!(deltas.len(), 1);
    let input: Value = serde_json::from_str(deltas[0]["delta"]["partial_json"].as_str().unwrap()).unwrap();
    assert_eq!(input, json!({"id": "exec", "args": {"command": "du -sh ."}}));
    assert_eq!(evs.iter().find(|e| e["type"] == "message_delta").unwrap()["delta"]["stop_reason"], "tool_use");
}

#[test]
fn anthropic_stream_cut_inside_a_call_never_releases_it() {
    let input = fixture("anthropic/stream_thinking_then_tool_use.sse");
    let text = String::from_utf8(input).unwrap();
    let cut = text.find("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1").unwrap();
    let mut rw: Box<dyn Rewriter> = Box::new(anthropic::Stream::default());
    let (out, seen) = {
        let (o, s) = run(Box::new(anthropic::Stream::default()), &text.as_bytes()[..cut], 9, allow);
        let mut tail = Vec::new();
        assert!(rw.end(&mut tail).is_none(), "a fresh stream has nothing cut");
        (o, s)
    };
    assert!(seen.is_empty(), "an incomplete call is never judged or released");
    let evs = events(&out);
    assert!(evs.iter().all(|e| e["content_block"]["type"] != "tool_use"));
    assert!(evs
        .iter()
        .any(|e| e["delta"]["text"].as_str().is_some_and(|t| t.contains("stream ended inside tool call"))));
    assert_eq!(evs.last().unwrap()["type"], "message_stop", "the agent gets a well-formed end of stream");
}

#[test]
fn openai_chat_allowed_calls_pass_byte_for_byte() {
    let input = fixture("openai_chat/stream_two_tool_calls.sse");
    for chunk in [3, 50, 100_000] {
        let (out, seen) = run(Box::new(openai_chat::Stream::default()), &input, chunk, allow);
        assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&input), "chunk {chunk}");
        assert_eq!(seen[0], ("web_fetch".to_string(), json!({"url": "http://169.254.169.254/latest/meta-data/"})));
        assert_eq!(seen[1], ("read".to_string(), json!({"path": "README.md"})));
    }
}

#[test]
fn openai_chat_first_call_denied_renumbers_the_second_and_keeps_tool_calls_finish() {
    let input = fixture("openai_chat/stream_two_tool_calls.sse");
    let (out, _) = run(Box::new(openai_chat::Stream::default()), &input, 11, |name, _| {
        if name == "web_fetch" {
            Action::Refuse("airlock denied web_fetch: metadata".into())
        } else {
            Action::Forward
        }
    });
    let evs = events(&out);
    let contents: Vec<&str> = evs.iter().filter_map(|e| e["choices"][0]["delta"]["content"].as_str()).collect();
    assert!(contents.contains(&"airlock denied web_fetch: metadata"));
    let calls: Vec<&Value> =
        evs.iter().filter_map(|e| e["choices"][0]["delta"]["tool_calls"].as_array()).flatten().collect();
    assert!(calls.iter().all(|c| c["index"] == 0), "the remaining call is re-indexed to 0: {calls:?}");
    assert!(calls.iter().any(|c| c["function"]["name"] == "read"));
    assert!(calls.iter().all(|c| c["function"]["name"] != "web_fetch"));
    let finish: Vec<&str> = evs.iter().filter_map(|e| e["choices"][0]["finish_reason"].as_str()).collect();
    assert_eq!(finish, vec!["tool_calls"]);
    assert!(out.ends_with(b"data: [DONE]\n\n"));
}

#[test]
fn openai_chat_all_denied_finishes_with_stop() {
    let input = fixture("openai_chat/stream_two_tool_calls.sse");
    let (out, _) = run(Box::new(openai_chat::Stream::default()), &input, 100_000, |_, _| Action::Refuse("no".into()));
    let evs = events(&out);
    let finish: Vec<&str> = evs.iter().filter_map(|e| e["choices"][0]["finish_reason"].as_str()).collect();
    assert_eq!(finish, vec!["stop"]);
    assert!(evs.iter().all(|e| e["choices"][0]["delta"]["tool_calls"].is_null()));
    assert_eq!(evs.iter().filter(|e| e["choices"][0]["delta"]["role"] == "assistant").count(), 1, "role is sent once");
}

#[test]
fn responses_allowed_passes_and_denied_becomes_a_message_item() {
    let input = fixture("openai_responses/stream_function_call.sse");
    let (out, seen) = run(Box::new(openai_responses::Stream::default()), &input, 17, allow);
    assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&input));
    assert_eq!(seen, vec![("exec".to_string(), json!({"command": "cat ~/.aws/credentials"}))]);
    let (out, _) = run(Box::new(openai_responses::Stream::default()), &input, 17, |_, _| {
        Action::Refuse("airlock denied exec: creds".into())
    });
    let evs = events(&out);
    assert!(evs.iter().all(|e| e["item"]["type"] != "function_call"));
    let done = evs.iter().find(|e| e["type"] == "response.output_item.done").unwrap();
    assert_eq!(done["item"]["content"][0]["text"], "airlock denied exec: creds");
    let completed = evs.iter().find(|e| e["type"] == "response.completed").unwrap();
    assert_eq!(completed["response"]["output"][0]["type"], "message");
    let seqs: Vec<u64> = evs.iter().filter_map(|e| e["sequence_number"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "sequence numbers stay increasing: {seqs:?}");
}

#[test]
fn responses_rewrite_changes_arguments_everywhere() {
    let input = fixture("openai_responses/stream_function_call.sse");
    let (out, _) = run(Box::new(openai_responses::Stream::default()), &input, 1000, |_, _| {
        Action::Rewrite(json!({"command": "ls"}))
    });
    let evs = events(&out);
    let done = evs.iter().find(|e| e["type"] == "response.output_item.done").unwrap();
    assert_eq!(done["item"]["arguments"], "{\"command\":\"ls\"}");
    let completed = evs.iter().find(|e| e["type"] == "response.completed").unwrap();
    assert_eq!(completed["response"]["output"][0]["arguments"], "{\"command\":\"ls\"}");
}

#[test]
fn non_streaming_bodies_get_the_same_treatment() {
    let mut a: Value = serde_json::from_slice(&fixture("anthropic/nonstream_tool_use.json")).unwrap();
    let calls = anthropic::calls_in(&a);
    assert_eq!(calls[0].name, "read");
    anthropic::apply(&mut a, &[Action::Refuse("airlock denied read: key".into())]);
    assert_eq!(a["content"][1], json!({"type": "text", "text": "airlock denied read: key"}));
    assert_eq!(a["stop_reason"], "end_turn");
    assert_eq!(a["content"][0]["text"], "Reading the file.");

    let mut o: Value = serde_json::from_slice(&fixture("openai_chat/nonstream_tool_calls.json")).unwrap();
    assert_eq!(openai_chat::calls_in(&o)[0].args, Ok(json!({"command": "rm -fr /"})));
    openai_chat::apply(&mut o, &[Action::Refuse("airlock denied exec: destructive".into())]);
    assert_eq!(o["choices"][0]["finish_reason"], "stop");
    assert!(o["choices"][0]["message"].get("tool_calls").is_none());
    assert_eq!(o["choices"][0]["message"]["content"], "airlock denied exec: destructive");
}

#[test]
fn arguments_that_are_not_json_objects_are_refused() {
    assert!(parse_args("{\"a\":").is_err());
    assert!(parse_args("[1,2]").is_err());
    assert_eq!(parse_args(""), Ok(json!({})));
}
