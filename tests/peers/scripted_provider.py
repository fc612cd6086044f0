"""A scripted fake LLM provider for end-to-end tests (stdlib only).

Speaks Anthropic Messages (`POST …/messages`), OpenAI Chat Completions (`POST …/chat/completions`) and
OpenAI Responses (`POST …/responses`), streaming or not as the request asks. The first turn asks for one
`exec` tool call running $FAKE_COMMAND (after some text); once the request carries a tool result, it
answers with text. $FAKE_HOLD_SECS delays nothing here: holds happen in airlock. Every request (path,
headers, body) is appended to $FAKE_LOG. Prints the port it listens on.
"""
import http.server
import json
import os
import sys

LOG = os.environ["FAKE_LOG"]
COMMAND = os.environ["FAKE_COMMAND"]


def sse(event, data):
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data)}\n\n"


def has_tool_result(req):
    for item in req.get("input", []) if isinstance(req.get("input"), list) else []:
        if isinstance(item, dict) and item.get("type") == "function_call_output":
            return True
    for m in req.get("messages", []):
        if m.get("role") == "tool":
            return True
        content = m.get("content")
        if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content):
            return True
    return False


def anthropic(first):
    start = {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "m",
             "content": [], "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}}}
    out = sse("message_start", start) + sse("ping", {"type": "ping"})
    if first:
        out += sse("content_block_start", {"type": "content_block_start", "index": 0,
                                           "content_block": {"type": "tool_use", "id": "toolu_1", "name": "exec", "input": {}}})
        args = json.dumps({"command": COMMAND})
        for part in (args[: len(args) // 2], args[len(args) // 2:]):
            out += sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "input_json_delta", "partial_json": part}})
        out += sse("content_block_stop", {"type": "content_block_stop", "index": 0})
        stop = "tool_use"
    else:
        out += sse("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
        out += sse("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "All done."}})
        out += sse("content_block_stop", {"type": "content_block_stop", "index": 0})
        stop = "end_turn"
    out += sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}, "usage": {"output_tokens": 7}})
    return out + sse("message_stop", {"type": "message_stop"})


def openai(first):
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1763900000, "model": "m"}
    def chunk(delta, finish=None):
        return sse(None, {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    out = chunk({"role": "assistant", "content": ""})
    if first:
        args = json.dumps({"command": COMMAND})
        out += chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "exec", "arguments": ""}}]})
        for part in (args[: len(args) // 2], args[len(args) // 2:]):
            out += chunk({"tool_calls": [{"index": 0, "function": {"arguments": part}}]})
        out += chunk({}, "tool_calls")
    else:
        out += chunk({"content": "All done."})
        out += chunk({}, "stop")
    out += sse(None, {**base, "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 7, "total_tokens": 17}})
    return out + "data: [DONE]\n\n"


def anthropic_json(first):
    content = [{"type": "text", "text": "Running it."}]
    if first:
        content.append({"type": "tool_use", "id": "toolu_1", "name": "exec", "input": {"command": COMMAND}})
    return {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": content,
            "stop_reason": "tool_use" if first else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 7}}


def openai_json(first):
    message = {"role": "assistant", "content": None if first else "All done."}
    if first:
        message["tool_calls"] = [{"id": "call_1", "type": "function",
                                  "function": {"name": "exec", "arguments": json.dumps({"command": COMMAND})}}]
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1763900000, "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if first else "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 7, "total_tokens": 17}}


def responses_items(first):
    if first:
        return [{"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "exec",
                 "arguments": json.dumps({"command": COMMAND}), "status": "completed"}]
    return [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
             "content": [{"type": "output_text", "text": "All done.", "annotations": []}]}]


def responses_json(first):
    return {"id": "resp_1", "object": "response", "created_at": 1763900000, "status": "completed", "model": "m",
            "output": responses_items(first), "parallel_tool_calls": True, "tool_choice": "auto", "tools": [],
            "usage": {"input_tokens": 10, "output_tokens": 7, "total_tokens": 17,
                      "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}}}


def responses_stream(first):
    final = responses_json(first)
    start = dict(final, status="in_progress", output=[])
    out, n = "", 0
    def ev(kind, **fields):
        nonlocal out, n
        out += sse(kind, {"type": kind, "sequence_number": n, **fields})
        n += 1
    ev("response.created", response=start)
    for i, item in enumerate(final["output"]):
        if item["type"] == "function_call":
            ev("response.output_item.added", output_index=i, item=dict(item, arguments="", status="in_progress"))
            args = item["arguments"]
            for part in (args[: len(args) // 2], args[len(args) // 2:]):
                ev("response.function_call_arguments.delta", item_id=item["id"], output_index=i, delta=part)
            ev("response.function_call_arguments.done", item_id=item["id"], output_index=i, arguments=args)
        else:
            ev("response.output_item.added", output_index=i, item=dict(item, content=[], status="in_progress"))
        ev("response.output_item.done", output_index=i, item=item)
    ev("response.completed", response=final)
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        with open(LOG, "a") as f:
            f.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                "body": body.decode("utf-8", "replace")}) + "\n")
        req = json.loads(body or b"{}")
        first = not has_tool_result(req)
        stream = bool(req.get("stream"))
        if self.path.endswith("/messages"):
            text = anthropic(first) if stream else json.dumps(anthropic_json(first))
        elif self.path.endswith("/responses"):
            text = responses_stream(first) if stream else json.dumps(responses_json(first))
        else:
            text = openai(first) if stream else json.dumps(openai_json(first))
        data = text.encode()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream" if stream else "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
