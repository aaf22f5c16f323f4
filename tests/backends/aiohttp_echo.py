"""aiohttp WebSocket echo server on 127.0.0.1: python tests/backends/aiohttp_echo.py PORT"""

from __future__ import annotations

import sys

from aiohttp import WSMsgType, web


async def echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for message in ws:
        if message.type == WSMsgType.TEXT:
            await ws.send_str(message.data)
        elif message.type == WSMsgType.BINARY:
            await ws.send_bytes(message.data)
    return ws


def main() -> None:
    app = web.Application()
    app.router.add_get("/{tail:.*}", echo)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, handle_signals=True)


if __name__ == "__main__":
    main()
