// Node `ws` client against a WebSocket echo server.
//
// usage: node node_client.js URL [--protocol NAME]... [--expect-protocol NAME] [--no-deflate]
//
// Opens URL offering the given subprotocols (and permessage-deflate unless --no-deflate),
// checks the chosen subprotocol and that no extension was negotiated, echoes a text message
// and a 64 KiB random binary message, then closes with 1000 and checks the server's close.
// Exits 0 when every check holds.
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { once } = require('node:events');
const WebSocket = require('ws');

function parseArgs(argv) {
  const args = { url: undefined, protocols: [], expectProtocol: '', deflate: true };
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case '--protocol': args.protocols.push(argv[++i]); break;
      case '--expect-protocol': args.expectProtocol = argv[++i]; break;
      case '--no-deflate': args.deflate = false; break;
      default: args.url = argv[i];
    }
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ws = new WebSocket(args.url, args.protocols, {
    perMessageDeflate: args.deflate,
    handshakeTimeout: 10000,
  });
  let request, response;
  // ws drops its (private) request right after 'upgrade', so grab it inside the listener.
  ws.on('upgrade', (res) => { response = res; request = ws._req; });
  ws.on('unexpected-response', (req, res) => ws.emit('error', new Error(`HTTP ${res.statusCode}`)));
  await once(ws, 'open'); // rejects on 'error'
  // Make sure the deflate variant really offered it, so "declined" below means something.
  const offered = request.getHeader('sec-websocket-extensions');
  if (args.deflate) assert.match(offered, /permessage-deflate/);
  else assert.equal(offered, undefined);
  assert.equal(response.headers['sec-websocket-extensions'], undefined, 'server accepted an extension');
  assert.equal(ws.extensions, '');
  assert.equal(ws.protocol, args.expectProtocol, 'chosen subprotocol');

  const next = () => once(ws, 'message').then(([data, isBinary]) => ({ data, isBinary }));
  ws.send('hello');
  let got = await next();
  assert.equal(got.isBinary, false);
  assert.equal(got.data.toString(), 'hello');
  const payload = crypto.randomBytes(64 * 1024);
  ws.send(payload);
  got = await next();
  assert.equal(got.isBinary, true);
  assert.ok(payload.equals(got.data), 'binary echo differs');

  ws.close(1000);
  const [code] = await once(ws, 'close');
  // 1000 only if the server sent its close frame; a dropped connection reads as 1006.
  assert.equal(code, 1000, 'close code');
}

const timer = setTimeout(() => { console.error('node ws client: timed out'); process.exit(1); }, 20000);
main().then(
  () => { clearTimeout(timer); process.exit(0); },
  (e) => { console.error(`node ws client: ${e.message}`); process.exit(1); },
);
