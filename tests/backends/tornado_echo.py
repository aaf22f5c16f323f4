"""tornado WebSocket echo server on 127.0.0.1: python tests/backends/tornado_echo.py PORT"""

from __future__ import annotations

import asyncio
import signal
import sys

from tornado.web import Application
from tornado.websocket import WebSocketHandler


class Echo(WebSocketHandler):
    def on_message(self, message: str | bytes) -> None:
        self.write_message(message, binary=isinstance(message, bytes))


async def main() -> None:
    app = Application([(r"/.*", Echo)])
    app.listen(int(sys.argv[1]), address="127.0.0.1")
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
