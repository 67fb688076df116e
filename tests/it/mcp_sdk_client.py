"""Drives `handoff mcp` with the official MCP Python SDK's stdio client, as an agent would.

Usage: python mcp_sdk_client.py HANDOFF_BINARY DIRECTORY

Prints one JSON document of what the client saw; the Rust test (tests/it/mcp.rs) asserts on it.
The SDK itself validates every successful tool result against the tool's output schema (and
raises when it does not conform), so a schema that disagrees with an answer fails here.
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client


def dump(model):
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


async def call(session, name, arguments):
    result = dump(await session.call_tool(name, arguments))
    return {
        "isError": result.get("isError", False),
        "structuredContent": result.get("structuredContent"),
        "text": "".join(c.get("text", "") for c in result.get("content", [])),
    }


async def all_resources(session):
    uris, pages, cursor = [], 0, None
    while True:
        params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
        listed = dump(await session.list_resources(params=params))
        pages += 1
        uris.extend(r["uri"] for r in listed["resources"])
        cursor = listed.get("nextCursor")
        if not cursor:
            return {"uris": uris, "pages": pages}


async def main(binary, directory):
    # The SDK passes the server only a few variables unless told: hand on the test's own
    # (the pinned clock, the isolated git configuration).
    server = StdioServerParameters(command=binary, args=["mcp", directory], env=dict(os.environ))
    seen = {}
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            init = dump(await session.initialize())
            seen["server"] = init["serverInfo"]["name"]
            tools = dump(await session.list_tools())["tools"]
            seen["tools"] = {
                t["name"]: {"title": t.get("title"), "outputSchema": "outputSchema" in t}
                for t in tools
            }
            first = await call(session, "list_findings", {"severity": "warning", "limit": 2})
            seen["findings_first"] = first
            cursor = first["structuredContent"].get("next_cursor")
            if cursor:
                seen["findings_next"] = await call(
                    session, "list_findings", {"severity": "warning", "limit": 2, "cursor": cursor}
                )
            seen["matrix"] = await call(session, "get_matrix", {"limit": 3})
            seen["context"] = await call(session, "get_context", {"artifact": "prd"})
            seen["for_path"] = await call(
                session, "context_for_path", {"path": "src/reply/draft.rs"}
            )
            seen["impact"] = await call(session, "impact", {"range": "HEAD~4..HEAD~3"})
            seen["wrong_type"] = await call(session, "get_context", {"artifact": 5})
            seen["unknown_argument"] = await call(session, "get_matrix", {"rows": 3})
            seen["resources"] = await all_resources(session)
            check = dump(await session.read_resource("handoff://check"))
            seen["check"] = json.loads(check["contents"][0]["text"])
    print(json.dumps(seen))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
