"""A WebSocket server for the real-proxy tests, run as a subprocess by tests/realproxy.py:backend().

    python tests/ws_backend.py --port PORT [--mode echo|silent] [--server-ping SECONDS]

Listens on 127.0.0.1 only. "echo" sends every message back; "silent" reads everything and never sends a message.
--server-ping makes the SERVER send a ping every SECONDS (websockets' keepalive, no pong deadline); without it the
server never pings. It has no idle timeout of its own, so any drop an idle client sees comes from the proxy in front.
Each connection's end is printed to stdout ("closed code=... after=...s") for debugging. SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


def _closed(ws: ServerConnection, started: float) -> None:
    code = ws.close_code if ws.close_code is not None else 1006
    print(f"closed code={code} after={time.monotonic() - started:.2f}s", flush=True)


async def echo(ws: ServerConnection) -> None:
    started = time.monotonic()
    try:
        async for message in ws:
            await ws.send(message)
    except ConnectionClosed:
        pass
    _closed(ws, started)


async def silent(ws: ServerConnection) -> None:
    started = time.monotonic()
    try:
        async for _ in ws:
            pass
    except ConnectionClosed:
        pass
    _closed(ws, started)


async def run(port: int, mode: str, server_ping: float | None) -> None:
    handler = echo if mode == "echo" else silent
    loop = asyncio.get_running_loop()
    stop: asyncio.Future[None] = loop.create_future()

    def stopping() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping)
    async with serve(
        handler, "127.0.0.1", port, ping_interval=server_ping, ping_timeout=None, close_timeout=1, max_size=None
    ):
        print(f"listening 127.0.0.1:{port} mode={mode} server_ping={server_ping}", flush=True)
        await stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=["echo", "silent"], default="echo")
    parser.add_argument("--server-ping", type=float, default=None, help="seconds between the server's pings")
    args = parser.parse_args(argv)
    # port probes and failed handshakes (HTTP/1.0 from nginx, missing headers) are expected: keep stderr short
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="ws_backend %(levelname)s %(message)s")
    logging.getLogger("websockets").setLevel(logging.CRITICAL)
    asyncio.run(run(args.port, args.mode, args.server_ping))
    return 0


if __name__ == "__main__":
    sys.exit(main())
