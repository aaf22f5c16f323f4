// socket.io server on 127.0.0.1:PORT, WebSocket transport only, echoing the "echo" event:
// node node_socketio.js PORT
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const port = Number(process.argv[2]);
const server = http.createServer();
const io = new Server(server, { transports: ["websocket"] });
io.on("connection", (socket) => socket.on("echo", (text) => socket.emit("echo", text)));
server.listen(port, "127.0.0.1", () =>
  console.log(`socket.io ${require("socket.io/package.json").version} listening 127.0.0.1:${port}`),
);
process.on("SIGTERM", () => process.exit(0));
