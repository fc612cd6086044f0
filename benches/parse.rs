//! Parser micro-benchmarks: SSE decoding of a realistic provider stream and JSON-RPC envelope parsing of a
//! typical `tools/call`. `cargo bench --bench parse`.
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

fn fixture() -> Vec<u8> {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/anthropic/stream_text_then_tool_use.sse");
    let one = std::fs::read(p).unwrap_or_else(|_| b"event: ping\ndata: {\"type\":\"ping\"}\n\n".to_vec());
    one.repeat((1 << 20) / one.len().max(1))
}

fn sse(c: &mut Criterion) {
    let stream = fixture();
    let mut g = c.benchmark_group("sse");
    g.throughput(Throughput::Bytes(stream.len() as u64));
    g.bench_function("decode 1 MiB in 16 KiB chunks", |b| {
        b.iter_batched(
            || airlock::sse::Decoder::new(1 << 20),
            |mut d| {
                let mut n = 0;
                for chunk in stream.chunks(16 << 10) {
                    n += d.push(chunk).map(|e| e.len()).unwrap_or(0);
                }
                n
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn jsonrpc(c: &mut Criterion) {
    let body = br#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"read_file","arguments":{"path":"/srv/data/customers.csv","limit":100},"_meta":{"progressToken":"p2"}}}"#;
    let mut g = c.benchmark_group("jsonrpc");
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse tools/call envelope", |b| {
        b.iter(|| airlock::jsonrpc::parse(body).map(|p| p.messages.len()))
    });
    g.finish();
}

criterion_group!(benches, sse, jsonrpc);
criterion_main!(benches);
