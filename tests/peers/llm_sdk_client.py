"""Drives one model turn through airlock with the official `anthropic` or `openai` Python SDK and prints
what the SDK's own parser made of the reply, as JSON: {"text", "tool_calls": [{"name", "args"}], "stop"}.

Usage: llm_sdk_client.py {anthropic|openai-chat|openai-responses} BASE_URL {stream|json} [READ_TIMEOUT_SECS]
The SDK holds only a placeholder key; airlock injects the real one.
"""
import json
import sys


api, base, mode = sys.argv[1], sys.argv[2], sys.argv[3]
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
stream = mode == "stream"
PLACEHOLDER = "placeholder-not-a-key"
PROMPT = "Please run the command. My key is AKIAIOSFODNN7EXAMPLE."
TOOL = {"name": "exec", "description": "Run a shell command",
        "parameters": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}}
out = {"text": "", "tool_calls": [], "stop": None}

if api == "anthropic":
    import anthropic

    client = anthropic.Anthropic(base_url=base, api_key=PLACEHOLDER, timeout=timeout, max_retries=0)
    kwargs = dict(model="m", max_tokens=256, messages=[{"role": "user", "content": PROMPT}],
                  tools=[{"name": TOOL["name"], "description": TOOL["description"], "input_schema": TOOL["parameters"]}])
    if stream:
        with client.messages.stream(**kwargs) as s:
            msg = s.get_final_message()
    else:
        msg = client.messages.create(**kwargs)
    for block in msg.content:
        if block.type == "text":
            out["text"] += block.text
        elif block.type == "tool_use":
            out["tool_calls"].append({"name": block.name, "args": block.input})
    out["stop"] = msg.stop_reason
elif api == "openai-chat":
    import openai

    client = openai.OpenAI(base_url=base, api_key=PLACEHOLDER, timeout=timeout, max_retries=0)
    kwargs = dict(model="m", messages=[{"role": "user", "content": PROMPT}], tools=[{"type": "function", "function": TOOL}])
    if stream:
        with client.chat.completions.stream(**kwargs) as s:
            done = s.get_final_completion()
    else:
        done = client.chat.completions.create(**kwargs)
    choice = done.choices[0]
    out["text"] = choice.message.content or ""
    for c in choice.message.tool_calls or []:
        out["tool_calls"].append({"name": c.function.name, "args": json.loads(c.function.arguments)})
    out["stop"] = choice.finish_reason
else:
    import openai

    client = openai.OpenAI(base_url=base, api_key=PLACEHOLDER, timeout=timeout, max_retries=0)
    kwargs = dict(model="m", input=PROMPT, tools=[{"type": "function", **TOOL}])
    if stream:
        with client.responses.stream(**kwargs) as s:
            resp = s.get_final_response()
    else:
        resp = client.responses.create(**kwargs)
    for item in resp.output:
        if item.type == "message":
            out["text"] += "".join(c.text for c in item.content if c.type == "output_text")
        elif item.type == "function_call":
            out["tool_calls"].append({"name": item.name, "args": json.loads(item.arguments)})
    out["stop"] = resp.status

print(json.dumps(out))
