// Node `ws` echo server for the client example.
//
// usage: node node_server.js [--protocol NAME]...
//
// Listens on an ephemeral port of 127.0.0.1, prints `listening on ADDR`, echoes every message.
// Picks the first of its own protocols the client offered (none if the client offered none).
'use strict';
const { WebSocketServer } = require('ws');

const protocols = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--protocol') protocols.push(process.argv[++i]);
}
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: true,
  handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false,
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on('listening', () => {
  const { address, port } = wss.address();
  console.log(`listening on ${address}:${port}`);
});
