"""A FastMCP server used by airlock's end-to-end tests (official MCP Python SDK, 1.x).

Every tool call that reaches this server is appended to the file named by $CALL_LOG, so a test can
prove that a denied call never arrived. Usage: fastmcp_server.py {stdio|sse|streamable-http} [port]
"""
import asyncio
import json
import os
import sys

from mcp.server.fastmcp import Context, FastMCP
from mcp.types import ToolAnnotations
from pydantic import BaseModel


class Customer(BaseModel):
    name: str
    email: str
    ssn: str
    card: str
    note: str

transport = sys.argv[1] if len(sys.argv) > 1 else "stdio"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
# FASTMCP_JSON=1 makes Streamable HTTP answer POSTs with plain JSON instead of an SSE stream.
json_response = os.environ.get("FASTMCP_JSON") == "1"
mcp = FastMCP("airlock-e2e", host="127.0.0.1", port=port or 8000, log_level="WARNING", json_response=json_response)


def record(tool, args):
    path = os.environ.get("CALL_LOG")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"tool": tool, "args": args}) + "\n")


@mcp.tool(annotations=ToolAnnotations(readOnlyHint=True))
def echo(text: str) -> str:
    """Echo the text back."""
    record("echo", {"text": text})
    return text


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    record("add", {"a": a, "b": b})
    return a + b


@mcp.tool()
def run_command(command: str, timeout: int = 30, elevated: bool = False) -> str:
    """Pretend to run a shell command; reports the arguments it was given."""
    record("run_command", {"command": command, "timeout": timeout, "elevated": elevated})
    return json.dumps({"command": command, "timeout": timeout, "elevated": elevated}, sort_keys=True)


@mcp.tool(annotations=ToolAnnotations(destructiveHint=True))
def drop_database(name: str) -> str:
    """Drop a database (a deny rule in the tests names this tool)."""
    record("drop_database", {"name": name})
    return f"dropped {name}"


@mcp.tool()
def customer_record(customer_id: str) -> Customer:
    """Return a customer record with personal data."""
    record("customer_record", {"customer_id": customer_id})
    return Customer(
        name="Jane Roe",
        email="jane.roe@example.com",
        ssn="123-45-6789",
        card="4111 1111 1111 1111",
        note=f"customer {customer_id}: contact jane.roe@example.com, card 4111 1111 1111 1111, SSN 123-45-6789",
    )


@mcp.tool()
async def slow_progress(steps: int, ctx: Context) -> str:
    """Report progress notifications, then finish."""
    record("slow_progress", {"steps": steps})
    for i in range(steps):
        await ctx.report_progress(i + 1, steps)
        await asyncio.sleep(0.05)
    return f"done after {steps} steps"


if __name__ == "__main__":
    mcp.run(transport=transport)
