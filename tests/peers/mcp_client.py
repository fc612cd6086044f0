"""Drives an MCP session with the official Python SDK client and prints what it saw as JSON.

Usage: mcp_client.py {streamable-http|sse|stdio} TARGET SCRIPT_JSON [ELICIT]
  TARGET: a URL, or for stdio a JSON array with the command to spawn.
  SCRIPT_JSON: [{"call": "tool", "args": {...}}, {"list": true}, ...]
  ELICIT: accept|decline — declare the elicitation capability and answer every elicitation so
  (the message asked is recorded in "elicitations").
Prints one JSON object: {"tools": [...], "results": [...], "elicitations": [...]} where each result has
isError, text (joined text blocks), structured and progress (notifications seen).
"""
import asyncio
import json
import sys
from datetime import timedelta

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.sse import sse_client
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client


ELICITED = []


def elicitation_callback(answer):
    async def callback(context, params):
        ELICITED.append(params.message)
        if answer == "accept":
            return types.ElicitResult(action="accept", content={"approve": True})
        return types.ElicitResult(action="decline")

    return callback


async def drive(session, script):
    await session.initialize()
    out = {"tools": None, "results": [], "elicitations": ELICITED}
    for step in script:
        if step.get("list"):
            tools = await session.list_tools()
            out["tools"] = sorted(t.name for t in tools.tools)
            continue
        progress = []

        async def on_progress(p, total, message):
            progress.append([p, total])

        try:
            res = await session.call_tool(
                step["call"],
                step.get("args", {}),
                read_timeout_seconds=timedelta(seconds=step.get("timeout", 60)),
                progress_callback=on_progress,
            )
            out["results"].append(
                {
                    "isError": res.isError,
                    "text": "\n".join(c.text for c in res.content if getattr(c, "type", "") == "text"),
                    "structured": res.structuredContent,
                    "progress": progress,
                }
            )
        except Exception as e:  # noqa: BLE001 - the test asserts on what happened
            out["results"].append({"exception": f"{type(e).__name__}: {e}"})
    return out


async def main():
    kind, target, script = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    answer = sys.argv[4] if len(sys.argv) > 4 else None
    extra = {"elicitation_callback": elicitation_callback(answer)} if answer else {}
    if kind == "streamable-http":
        async with streamablehttp_client(target) as (r, w, _):
            async with ClientSession(r, w, **extra) as s:
                out = await drive(s, script)
    elif kind == "sse":
        async with sse_client(target) as (r, w):
            async with ClientSession(r, w, **extra) as s:
                out = await drive(s, script)
    else:
        cmd = json.loads(target)
        params = StdioServerParameters(command=cmd[0], args=cmd[1:])
        async with stdio_client(params) as (r, w):
            async with ClientSession(r, w, **extra) as s:
                out = await drive(s, script)
    print(json.dumps(out, sort_keys=True))


asyncio.run(main())
