"""Writes the benchmark streams into the directory given: stream.sse (1 MiB Anthropic-style reply with text
deltas and one allowed tool call) and big.sse (1 GiB of SSE events)."""
import json
import os
import sys

d = sys.argv[1]


def ev(name, data):
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


out = [ev("message_start", {"type": "message_start", "message": {"id": "m", "type": "message", "role": "assistant", "model": "m",
                                                                 "content": [], "stop_reason": None, "usage": {"input_tokens": 1, "output_tokens": 1}}}),
       ev("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})]
size = sum(map(len, out))
while size < (1 << 20):
    e = ev("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "The quick brown fox jumps over the lazy dog. " * 2}})
    out.append(e)
    size += len(e)
out += [ev("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ev("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "t", "name": "read", "input": {}}}),
        ev("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"path\":\"README.md\"}"}}),
        ev("content_block_stop", {"type": "content_block_stop", "index": 1}),
        ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}}),
        ev("message_stop", {"type": "message_stop"})]
open(os.path.join(d, "stream.sse"), "w").write("".join(out))
line = ("data: " + json.dumps({"jsonrpc": "2.0", "method": "notifications/message", "params": {"data": "y" * 900}}) + "\n\n").encode()
with open(os.path.join(d, "big.sse"), "wb") as f:
    block = line * ((1 << 20) // len(line))
    written = 0
    while written < (1 << 30):
        f.write(block)
        written += len(block)
