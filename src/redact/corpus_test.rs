//! Corpus test: reads `tests/redact_corpus/samples.jsonl` and measures recall (labelled sensitive
//! substrings absent from the output) and precision on hard negatives (texts that must come out
//! byte-for-byte unchanged). Prints the numbers and every miss, fails below 98 %.
use super::*;

#[test]
fn corpus_recall_and_negatives() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/redact_corpus/samples.jsonl");
    let Ok(data) = std::fs::read_to_string(path) else {
        unreachable!("corpus file missing: {path}");
    };
    let r = Redactor::default();
    let (mut sens, mut hidden, mut negs, mut clean) = (0usize, 0usize, 0usize, 0usize);
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<Value>(line) else { unreachable!("bad corpus line {line}") };
        let text = v["text"].as_str().unwrap_or_default();
        let want: Vec<&str> =
            v["sensitive"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        let out = r.redact_text(text, Direction::ToolResult).text;
        if want.is_empty() {
            negs += 1;
            if out == text {
                clean += 1;
            } else {
                println!("FALSE POSITIVE: {text:?}\n            -> {out:?}");
            }
        }
        for s in want {
            sens += 1;
            if out.contains(s) {
                println!("MISSED [{}]: {s:?} in {text:?}\n            -> {out:?}", v["kind"]);
            } else {
                hidden += 1;
            }
        }
    }
    let recall = hidden as f64 / sens.max(1) as f64;
    let precision = clean as f64 / negs.max(1) as f64;
    println!(
        "corpus: recall {hidden}/{sens} = {:.2}%, negatives unchanged {clean}/{negs} = {:.2}%",
        recall * 100.0,
        precision * 100.0
    );
    assert!(recall >= 0.98, "recall {recall}");
    assert!(precision >= 0.98, "negatives unchanged {precision}");
}
