// Echo server on 127.0.0.1:PORT with the `ws` package (npm): node node_ws.js PORT
"use strict";
const { WebSocketServer } = require("ws");

const port = Number(process.argv[2]);
const wss = new WebSocketServer({ host: "127.0.0.1", port });
wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
wss.on("listening", () => console.log(`ws ${require("ws/package.json").version} listening 127.0.0.1:${port}`));
process.on("SIGTERM", () => process.exit(0));
