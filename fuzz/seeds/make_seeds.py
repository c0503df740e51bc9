#!/usr/bin/env python3
"""Writes the seed corpus (fuzz/corpus/*) from shared captures and hand-written cases.

Run from anywhere: python3 fuzz/seeds/make_seeds.py [captures dir, default tests/captures]
Each seed is named after what it holds, so a failing replay says which case broke.
server_feed input:      [config byte] [n] [n chunk sizes] request bytes
client_response input:  [config byte] [n] [n chunk sizes] response bytes
extension_header input: [flags] [bits] header value
round_trip input:       structured (arbitrary); seeded with fixed pseudo-random bytes
"""
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
captures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "tests", "captures")
captures = os.path.abspath(captures)


def write(target, name, data):
    d = os.path.join(root, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# config bits: 0-1 deflate (0 off, 1/3 default, 2 server 12/client 10/no-takeover),
# 2-3 protocols (0 none, 1 chat, 2 superchat+chat, 3 chat+superchat client order),
# (deflate 3 also configures the custom extension x-echo, before deflate), 4 require protocol, 5 small limits (256 bytes, 8 headers), 6 any origin, 7 host allow-list
DEFLATE, CHAT, TWO, CLIENT_ORDER, REQUIRE, SMALL, ANY_ORIGIN, HOSTS = 1, 4, 8, 12, 16, 32, 64, 128


STRICT_HOST = 16  # in the n byte: ServerConfig::host_must_match_target
TRUSTED = 8  # in the n byte: ServerHandshake::trusted_proxy


def feed(name, request, config=0, sizes=(), trusted=False, strict=False):
    n = len(sizes) | (TRUSTED if trusted else 0) | (STRICT_HOST if strict else 0)
    write("server_feed", name, bytes([config, n] + list(sizes)) + request)


if os.path.isdir(captures):
    for f in sorted(os.listdir(captures)):
        if f.startswith("request-") and f.endswith(".http"):
            req = open(os.path.join(captures, f), "rb").read()
            stem = f[len("request-"):-len(".http")]
            feed(stem, req, DEFLATE | CHAT | ANY_ORIGIN)
            feed(stem + "-chunked", req, DEFLATE | TWO, (1, 17, 0, 40))
            feed(stem + "-frames", req + b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 2 | CLIENT_ORDER | ANY_ORIGIN)
else:
    print("no captures at", captures, "- only hand-written seeds", file=sys.stderr)

KEY = b"dGhlIHNhbXBsZSBub25jZQ=="
GOOD = [
    b"Host: server.example.com",
    b"Upgrade: websocket",
    b"Connection: Upgrade",
    b"Sec-WebSocket-Key: " + KEY,
    b"Sec-WebSocket-Version: 13",
]


def req(lines, start=b"GET /chat HTTP/1.1", tail=b""):
    return start + b"\r\n" + b"".join(l + b"\r\n" for l in lines) + b"\r\n" + tail


# RFC 6455 §1.2 example.
feed("rfc6455-example", req([
    b"Host: server.example.com", b"Upgrade: websocket", b"Connection: Upgrade",
    b"Sec-WebSocket-Key: " + KEY, b"Origin: http://example.com",
    b"Sec-WebSocket-Protocol: chat, superchat", b"Sec-WebSocket-Version: 13"]), CHAT | ANY_ORIGIN)
# Safari 17 (macOS), as it is commonly seen.
feed("safari", req([
    b"Host: example.com", b"Sec-WebSocket-Version: 13", b"Upgrade: websocket",
    b"Accept-Encoding: gzip, deflate", b"Origin: https://example.com",
    b"Sec-WebSocket-Extensions: permessage-deflate", b"Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==",
    b"User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
    b"Connection: Upgrade", b"Pragma: no-cache", b"Cache-Control: no-cache"]), DEFLATE | ANY_ORIGIN)
# draft-76 (hixie), with its 8-byte key3 after the head.
feed("draft76", req([
    b"Host: example.com", b"Connection: Upgrade", b"Sec-WebSocket-Key2: 12998 5 Y3 1  .P00",
    b"Sec-WebSocket-Protocol: sample", b"Upgrade: WebSocket", b"Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
    b"Origin: http://example.com"], b"GET /demo HTTP/1.1", b"^n:ds[4U"))
feed("plain-get", req([b"Host: example.com", b"Accept: text/html"], b"GET / HTTP/1.1"))
feed("minimal-list-positions", req([
    b"hOsT:example.com:8080", b"upgrade: h2c ,  WebSocket", b"connection: keep-alive", b"CONNECTION: x, upgrade",
    b"sec-websocket-key:\t" + KEY + b"\t", b"Sec-Websocket-Version: 13", b"Cookie: a=b; c=d"],
    b"GET ws://example.com:8080/chat?room=1 HTTP/1.1"), DEFLATE | TWO, (5, 5, 5, 5, 5, 5, 5))
feed("deflate-offers", req(GOOD + [
    b"Sec-WebSocket-Extensions: x-webkit-deflate-frame, permessage-deflate; foo=1",
    b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=\"10\"; client_max_window_bits; client_no_context_takeover"]), 2)


# Issue 14 point 12: server_max_window_bits=8 is declined and the next offer taken;
# with the client window limited (config 2), a client's promise of 8 is declined.
feed("deflate-window-8-server", req(GOOD + [
    b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=9"]), DEFLATE)
feed("deflate-window-8-client", req(GOOD + [
    b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=8",
    b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=9"]), 2)


feed("custom-extension", req(GOOD + [
    b"Sec-WebSocket-Extensions: x-echo; decline, permessage-deflate; client_max_window_bits",
    b"Sec-WebSocket-Extensions: X-Echo; a=\"b\"; c, x-echo; z"]), 3, (30, 30))

# RFC 9112 §3.2.2: an absolute-form target's authority is the effective one (issue 14, point 5).
WS = GOOD[1:]
feed("absolute-authority-allowed", req([b"Host: example.com"] + WS, b"GET wss://example.com:443/chat HTTP/1.1"), HOSTS)
feed("absolute-default-port", req([b"Host: example.com"] + WS, b"GET ws://Example.COM:80/chat?x HTTP/1.1"), 0, (9, 30))
feed("absolute-scheme-case", req([b"Host: example.com:8443"] + WS, b"GET HTTPS://example.com:8443 HTTP/1.1"), ANY_ORIGIN)
feed("absolute-origin-https", req([b"Host: example.com", b"Origin: https://example.com"] + WS, b"GET wss://example.com/chat HTTP/1.1"))
feed("absolute-authority-not-host", req([b"Host: example.com"] + WS, b"GET ws://evil.example/chat HTTP/1.1"), HOSTS)
feed("reject-absolute-authority-not-allowed", req([b"Host: evil.example"] + WS, b"GET ws://evil.example/chat HTTP/1.1"), HOSTS)
feed("absolute-port-differs", req([b"Host: example.com:8080"] + WS, b"GET ws://example.com/chat HTTP/1.1"))
feed("reject-absolute-port-differs-strict", req([b"Host: example.com:8080"] + WS, b"GET ws://example.com/chat HTTP/1.1"), strict=True)
feed("absolute-port-agrees-strict", req([b"Host: example.com:80"] + WS, b"GET ws://EXAMPLE.com/chat HTTP/1.1"), strict=True)
feed("reject-absolute-scheme", req([b"Host: example.com"] + WS, b"GET ftp://example.com/chat HTTP/1.1"))
feed("reject-absolute-userinfo", req([b"Host: example.com"] + WS, b"GET ws://user@example.com/chat HTTP/1.1"))
feed("reject-absolute-empty-authority", req([b"Host: example.com"] + WS, b"GET ws:///chat HTTP/1.1"))
feed("reject-absolute-no-host", req(WS, b"GET ws://example.com/chat HTTP/1.1"))
feed("reject-absolute-origin-scheme", req([b"Host: example.com", b"Origin: http://example.com"] + WS, b"GET wss://example.com/chat HTTP/1.1"))
# Behind a trusted proxy (RFC 7239 Forwarded, X-Forwarded-*): accepted, malformed, conflicting, spoofed.
FWD = [b"Upgrade: websocket", b"Connection: Upgrade", b"Sec-WebSocket-Key: " + KEY, b"Sec-WebSocket-Version: 13"]
for name, fields, trusted in [
    ("forwarded-tls-terminated", [b"Forwarded: for=192.0.2.60;proto=https;by=203.0.113.43"], True),
    ("forwarded-host-port-quoted", [b'Forwarded: for=a, proto=https;host="example.com:8443"'], True),
    ("forwarded-ipv6-host", [b'Forwarded: For="[2001:db8:cafe::17]:4711";Host="[::1]:443";PROTO=https'], True),
    ("forwarded-x-port-stripped", [b"X-Forwarded-Host: example.com", b"X-Forwarded-Port: 8443", b"X-Forwarded-Proto: https"], True),
    ("forwarded-malformed-unquoted-v6", [b"Forwarded: host=[::1]:443"], True),
    ("forwarded-malformed-repeated", [b"Forwarded: host=a;HOST=b"], True),
    ("forwarded-malformed-open-quote", [b'Forwarded: for="a, host=example.com'], True),
    ("forwarded-malformed-escape-in-host", [b'Forwarded: host="ex\\ample.com"'], True),
    ("forwarded-conflict", [b"Forwarded: proto=https", b"X-Forwarded-Proto: http"], True),
    ("forwarded-spoofed-untrusted", [b"Forwarded: proto=https;host=evil.example"], False),
]:
    origin = b"Origin: https://example.com:8443" if b"8443" in b"".join(fields) else b"Origin: https://example.com"
    feed(name, req([b"Host: example.com", origin] + fields + FWD), 0, (), trusted)


def broken(name, lines, start=b"GET /chat HTTP/1.1", config=0, tail=b""):
    feed("reject-" + name, req(lines, start, tail), config)


def without(prefix):
    return [l for l in GOOD if not l.lower().startswith(prefix.lower())]


broken("post", GOOD, b"POST /chat HTTP/1.1")
broken("http10", GOOD, b"GET /chat HTTP/1.0")
broken("target", GOOD, b"GET chat HTTP/1.1")
broken("target-fragment", GOOD, b"GET /chat#x HTTP/1.1")
broken("no-host", without(b"Host"))
broken("two-hosts", GOOD + [b"Host: other.example.com"])
broken("bad-host", without(b"Host") + [b"Host: a b"])
broken("host-not-allowed", GOOD, config=HOSTS)
broken("no-upgrade", without(b"Upgrade"))
broken("upgrade-h2c", without(b"Upgrade") + [b"Upgrade: h2c"])
broken("no-connection", without(b"Connection"))
broken("connection-substring", without(b"Connection") + [b"Connection: upgrade-insecure"])
broken("no-key", without(b"Sec-WebSocket-Key"))
broken("two-keys", GOOD + [b"Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="])
broken("key-17-bytes", without(b"Sec-WebSocket-Key") + [b"Sec-WebSocket-Key: YWJjZGVmZ2hpamtsbW5vcHE="])
broken("key-noncanonical", without(b"Sec-WebSocket-Key") + [b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR=="])
broken("no-version", without(b"Sec-WebSocket-Version"))
broken("version-8", without(b"Sec-WebSocket-Version") + [b"Sec-WebSocket-Version: 8"])
broken("two-versions", GOOD + [b"Sec-WebSocket-Version: 13"])
broken("content-length", GOOD + [b"Content-Length: 5"], tail=b"hello")
broken("transfer-encoding", GOOD + [b"Transfer-Encoding: chunked"])
broken("protocol-list", GOOD + [b"Sec-WebSocket-Protocol: chat superchat"], config=CHAT)
broken("protocol-required", GOOD + [b"Sec-WebSocket-Protocol: other"], config=CHAT | REQUIRE)
broken("protocol-lines", GOOD + [b"Sec-WebSocket-Protocol: p%d" % i for i in range(9)], config=CHAT)
broken("extension-list", GOOD + [b"Sec-WebSocket-Extensions: permessage-deflate;"], config=DEFLATE)
broken("origin-cross-site", GOOD + [b"Origin: https://evil.example"])
broken("origin-twice", GOOD + [b"Origin: http://server.example.com", b"Origin: http://server.example.com"])
broken("too-many-headers", GOOD + [b"X-%d: y" % i for i in range(8)], config=SMALL)
broken("head-too-large", GOOD + [b"X-Pad: " + b"p" * 300], config=SMALL)
feed("reject-bare-lf", b"GET /chat HTTP/1.1\nHost: a\n\n")
feed("reject-obs-fold", req(GOOD + [b"X-Folded: a", b" continued"]))
feed("reject-nul", req(GOOD + [b"X-Nul: a\x00b"]))
feed("reject-cr", req(GOOD + [b"X-Cr: a\rb"]))
# RFC 7230 §3.5: an empty line before the request-line is ignored (found by fuzzing).
feed("leading-empty-line", b"\r\n" + req(GOOD), DEFLATE)
feed("incomplete", b"GET /chat HTTP/1.1\r\nHost: a\r\n", 0, (3, 3))

# extension_header: [flags] [bits] value
ext = [
    (0, 0x77, b"permessage-deflate; client_max_window_bits"),
    (0, 0x77, b"permessage-deflate"),
    (0, 0x00, b"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=10"),
    (1, 0x24, b"permessage-deflate; client_max_window_bits=\"1\\0\", permessage-deflate"),
    (2, 0x77, b"permessage-deflate; foo=1, permessage-deflate; client_max_window_bits"),
    (0, 0x77, b"x-webkit-deflate-frame, permessage-deflate ;server_max_window_bits = 9"),
    (3, 0x55, b"permessage-deflate; server_max_window_bits=08"),
    (0, 0x77, b"a;b=\"x y\""),
    (0, 0x77, b"a,,b"),
    (0, 0x77, b"a, b;c=\"\\d\""),
]
for i, (flags, bits, value) in enumerate(ext):
    write("extension_header", "seed-%02d" % i, bytes([flags, bits]) + value)
# Issue 14 point 12: zlib cannot compress with an 8-bit window. By default an offer
# of server_max_window_bits=8 is declined (the next one is tried) and a client's
# promise of 8 is not repeated; flags bit 2 allows 8 explicitly.
write("extension_header", "window-8-server-next-offer",
      bytes([0, 0x77]) + b"permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=9")
write("extension_header", "window-8-client-promise",
      bytes([0, 0xF7]) + b"permessage-deflate; client_max_window_bits=8, permessage-deflate; client_max_window_bits")
write("extension_header", "window-8-config",
      bytes([0, 0x00]) + b"permessage-deflate; client_max_window_bits; server_max_window_bits=8, permessage-deflate; client_max_window_bits")
write("extension_header", "window-8-allowed",
      bytes([4, 0x00]) + b"permessage-deflate; server_max_window_bits=8; client_max_window_bits=8")

# client_response: [config] [n] [sizes] response. The fixed request uses the key of
# the RFC example, like the rawclient captures, so their 101s carry the right accept.
# config bits: 0-1 protocols (none, chat, chat+superchat, superchat), 2-3 deflate
# (none, browsers' offer, everything, bare), 4 accept a missing subprotocol, 5 small limits
P_CHAT, P_BOTH, D_BROWSER, D_ALL, D_BARE, MISSING_OK, C_SMALL = 1, 2, 4, 8, 12, 16, 32


def client(name, response, config=0, sizes=()):
    write("client_response", name, bytes([config, len(sizes)] + list(sizes)) + response)


client_configs = {
    "python-websockets-chat": P_CHAT | D_BROWSER,
    "node-ws-deflate": P_BOTH | D_BARE,
    "node-ws-minimal": 0,
    "python-websockets-nosubproto-fixed": D_BROWSER,
    "python-websockets-nosubproto-minimal": P_CHAT | MISSING_OK,
}
if os.path.isdir(captures):
    for f in sorted(os.listdir(captures)):
        if f.startswith("response-") and f.endswith(".http"):
            stem = f[len("response-"):-len(".http")]
            resp = open(os.path.join(captures, f), "rb").read()
            after = os.path.join(captures, f[:-len(".http")] + ".after.bin")
            if os.path.exists(after):
                resp += open(after, "rb").read()
            config = client_configs.get(stem, P_CHAT | D_BROWSER)
            client(stem, resp, config)
            client(stem + "-chunked", resp + b"\x81\x02hi", config, (3, 0, 50, 7))

ACCEPT = b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
OK = [b"Upgrade: websocket", b"Connection: Upgrade", ACCEPT]


def resp(lines, status=b"HTTP/1.1 101 Switching Protocols", tail=b""):
    return status + b"\r\n" + b"".join(l + b"\r\n" for l in lines) + b"\r\n" + tail


client("ok-minimal", resp(OK))
client("ok-all", resp(OK + [b"Sec-WebSocket-Protocol: superchat",
    b"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=\"12\"",
    b"Set-Cookie: id=1"], tail=b"\x81\x00"), P_BOTH | D_ALL, (10, 10, 10))
client("redirect", resp([b"Location: ws://example.org/", b"Content-Length: 0"], b"HTTP/1.1 302 Found"))
client("unauthorized", resp([b"WWW-Authenticate: Bearer", b"Content-Length: 5"], b"HTTP/1.1 401 Unauthorized", b"login"))
client("upgrade-required", resp([b"Sec-WebSocket-Version: 13, 8", b"Upgrade: websocket", b"Connection: Upgrade, close"], b"HTTP/1.1 426 Upgrade Required"))
client("bad-accept", resp(OK[:2] + [b"Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA="]))
client("two-accepts", resp(OK + [ACCEPT]))
client("no-upgrade", resp(OK[1:]))
client("no-connection", resp([OK[0], OK[2]]))
client("http10", resp(OK, b"HTTP/1.0 101 Switching Protocols"))
client("protocol-not-offered", resp(OK + [b"Sec-WebSocket-Protocol: mqtt"]), P_CHAT)
client("protocol-none-offered", resp(OK + [b"Sec-WebSocket-Protocol: chat"]))
client("protocol-missing", resp(OK), P_CHAT)
client("protocol-list", resp(OK + [b"Sec-WebSocket-Protocol: chat, superchat"]), P_BOTH)
client("extension-not-offered", resp(OK + [b"Sec-WebSocket-Extensions: x-webkit-deflate-frame"]), D_BROWSER)
client("deflate-twice", resp(OK + [b"Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate"]), D_BROWSER)
client("deflate-window-too-large", resp(OK + [b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=11"]), D_ALL)
client("deflate-client-window-not-offered", resp(OK + [b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10"]), D_BARE)
client("bare-lf", b"HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n")
client("too-large", resp(OK + [b"X-Pad: " + b"p" * 300]), C_SMALL)
client("leading-empty-line", b"\r\n" + resp(OK))
client("status-001", resp(OK, b"HTTP/1.1 001 odd"))  # found by fuzzing: three digits, no class
# Issue 14: interim 1xx heads before the final one (RFC 9110 §15.2), Upgrade naming
# websocket alone (RFC 6455 §4.1 check 2).
EARLY = resp([b"Link: </style.css>; rel=preload"], b"HTTP/1.1 103 Early Hints")
CONT = resp([], b"HTTP/1.1 100 Continue")
client("interim-103-then-101", EARLY + resp(OK, tail=b"\x81\x02hi"))
client("interim-103-then-101-chunked", EARLY + resp(OK, tail=b"\x81\x02hi"), 0, (3, 0, 50, 7, 1, 1))
client("interim-100-103-100-then-101", CONT + EARLY + CONT + resp(OK))
client("interim-103-then-404", EARLY + resp([b"Content-Length: 2"], b"HTTP/1.1 404 Not Found", b"no"))
client("interim-only", CONT + EARLY)
client("interim-over-limit", CONT * 12 + resp(OK), C_SMALL)
client("upgrade-websocket-h2c", resp([b"Upgrade: websocket, h2c"] + OK[1:]))
client("upgrade-h2c-websocket", resp([b"Upgrade: h2c, websocket"] + OK[1:]))
client("upgrade-two-lines", resp([b"Upgrade: websocket", b"Upgrade: h2c"] + OK[1:]))

# connect_request / connect_client / http_inspect: field lists read with
# arbitrary::Unstructured (fuzz/fuzz_targets/front/mod.rs). A name or value is one byte,
# an index into NAMES / VALUES (the same lists as front/mod.rs, in the same order), or
# 0xff, a length byte and raw bytes.
NAMES = [':method', ':protocol', ':scheme', ':path', ':authority', ':status', 'host', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'origin', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'sec-websocket-key', 'sec-websocket-accept', 'cookie', 'user-agent', 'keep-alive', 'Sec-WebSocket-Version', 'sec-websocket-key1', 'x-trace']
VALUES = ['CONNECT', 'GET', 'websocket', 'WebSocket', 'https', 'http', '/chat', '/chat?room=1', 'server.example.com', 'server.example.com:443', '13', '8', 'chat', 'superchat, chat', 'chat, superchat', 'permessage-deflate', 'permessage-deflate; client_max_window_bits', 'permessage-deflate; server_max_window_bits=10', 'permessage-deflate; server_no_context_takeover; client_max_window_bits=12', 'permessage-deflate; client_max_window_bits=10, permessage-deflate', 'permessage-deflate; server_max_window_bits=16', 'x-echo; id=7', 'https://server.example.com', 'http://evil.example', '0', '5', 'trailers', 'Upgrade', 'dGhlIHNhbXBsZSBub25jZQ==', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', '', ' 13', 'keep-alive, Upgrade', 'webtransport', '127.0.0.1', 'superchat', '00']


def enc(s, table):
    s = s.decode() if isinstance(s, bytes) else s
    if s in table:
        return bytes([table.index(s)])
    raw = s.encode()
    return bytes([0xFF, len(raw)]) + raw


def flist(fields):
    return b"".join(enc(n, NAMES) + enc(v, VALUES) for n, v in fields)


# server configuration bits as for server_feed: DEFLATE, CHAT, TWO, CLIENT_ORDER,
# REQUIRE, SMALL, ANY_ORIGIN, HOSTS
H2 = [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "https"),
      (":path", "/chat"), (":authority", "server.example.com"), ("sec-websocket-version", "13")]


def h2req(name, fields, config=0):
    write("connect_request", name, bytes([config]) + flist(fields))


h2req("rfc8441-minimal", H2)
h2req("rfc8441-5.1", H2 + [("sec-websocket-protocol", "chat, superchat"),
      ("sec-websocket-extensions", "permessage-deflate"), ("origin", "https://server.example.com")],
      DEFLATE | TWO)
h2req("client-order-deflate", H2 + [("sec-websocket-protocol", "superchat, chat"),
      ("sec-websocket-extensions", "permessage-deflate; client_max_window_bits")], 2 | CLIENT_ORDER | ANY_ORIGIN)
h2req("host-agrees", H2 + [("host", "server.example.com:443")], HOSTS)
h2req("content-length-zero", H2 + [("content-length", "00")])
h2req("plain-connect", [(":method", "CONNECT"), (":authority", "server.example.com")])
h2req("protocol-missing", [f for f in H2 if f[0] != ":protocol"])
h2req("webtransport", [(":protocol", "webtransport") if f[0] == ":protocol" else f for f in H2])
h2req("pseudo-after-field", H2[:3] + H2[5:] + H2[3:5])
h2req("version-8", H2[:5] + [("sec-websocket-version", "8")])
h2req("connection-field", H2 + [("connection", "Upgrade")])
h2req("uppercase-name", H2 + [("Sec-WebSocket-Version", "13")])
h2req("cross-origin", H2 + [("origin", "http://evil.example")])
h2req("required-protocol-missing", H2, CHAT | REQUIRE)
h2req("raw-authority", H2[:4] + [(":authority", "[::1]:8443"), ("sec-websocket-version", "13")], SMALL)


def h2resp(name, fields, config=0, status=None):
    head = bytes([config]) + (bytes([0]) if status is None else bytes([0xC0]) + status.to_bytes(2, "big"))
    write("connect_client", name, head + flist(fields))


# client configuration bits as for client_response (P_CHAT, P_BOTH, D_BROWSER, ... above);
# status: 0 is 200, 0xc0 and two bytes another
h2resp("ok-minimal", [])
h2resp("ok-chat-deflate", [("sec-websocket-protocol", "chat"),
       ("sec-websocket-extensions", "permessage-deflate")], 1 | 4)
h2resp("ok-all", [("sec-websocket-protocol", "superchat"),
       ("sec-websocket-extensions", "permessage-deflate; server_no_context_takeover; "
        "client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=12")], 3 | 8)
h2resp("refused-403", [("content-length", "5")], 0, 403)
h2resp("protocol-not-offered", [("sec-websocket-protocol", "chat")])
h2resp("protocol-missing", [], 1)
h2resp("extension-not-offered", [("sec-websocket-extensions", "x-echo; id=7")], 4)
h2resp("deflate-window-16", [("sec-websocket-extensions", "permessage-deflate; server_max_window_bits=16")], 12)
h2resp("connection-specific", [("connection", "Upgrade")])
h2resp("pseudo-status", [(":status", "200")])
# found by fuzzing (a false alarm of the target's reference): an empty list element
h2resp("regression-trailing-comma-extension", [("sec-websocket-extensions", "permessage-deflate,")], D_BARE)


def hreq(name, method, target, fields, config=0, version=0):
    write("http_inspect", name, bytes([config]) + enc(method, VALUES) + bytes([version]) + enc(target, VALUES) + flist(fields))


H1 = [("host", "server.example.com"), ("upgrade", "websocket"), ("connection", "Upgrade"),
      ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="), ("sec-websocket-version", "13")]
hreq("rfc6455-1.2", "GET", "/chat", H1 + [("origin", "https://server.example.com"),
     ("sec-websocket-protocol", "chat, superchat")], CHAT)
hreq("deflate", "GET", "/chat?room=1", H1 + [("sec-websocket-extensions", "permessage-deflate; client_max_window_bits")], DEFLATE | TWO)
hreq("absolute-form", "GET", "https://server.example.com", H1, HOSTS)
hreq("plain-get", "GET", "/chat", [("host", "server.example.com"), ("user-agent", "curl")])
hreq("post", "CONNECT", "/chat", H1)
hreq("http10", "GET", "/chat", H1, 0, 1)
hreq("http2", "GET", "/chat", H1, 0, 2)
hreq("version-8", "GET", "/chat", H1[:4] + [("sec-websocket-version", "8")])
hreq("no-key", "GET", "/chat", H1[:3] + H1[4:])
hreq("body", "GET", "/chat", H1 + [("content-length", "5")])
hreq("cross-origin", "GET", "/chat", H1 + [("origin", "http://evil.example")])
hreq("small-limits", "GET", "/chat", H1 + [("cookie", "a=1")] * 4, SMALL)

# round_trip: structured input; a few fixed pseudo-random byte strings to start from.
import random
rng = random.Random(6455)
for i in range(8):
    write("round_trip", "seed-%02d" % i, bytes(rng.randrange(256) for _ in range(32 + 32 * i)))

# socks5_reply input: [config] [n] [n chunk sizes] proxy bytes; config bit 0 credentials,
# bits 1-2 the target (0 name, 1 IPv4, 2 IPv6, 3 IPv6 literal URL).
def socks(name, stream, config=0, sizes=()):
    write("socks5_reply", name, bytes([config, len(sizes)] + list(sizes)) + stream)


OK4 = bytes([5, 0, 0, 1, 127, 0, 0, 1, 0x1F, 0x90])
socks("no-auth-ipv4", bytes([5, 0]) + OK4, 0, [2])
socks("no-auth-leftover", bytes([5, 0]) + OK4 + b"HTTP/1.1 101", 2, [2, 3])
socks("user-pass", bytes([5, 2, 1, 0]) + OK4, 1, [2, 2])
socks("auth-refused", bytes([5, 2, 1, 1]), 1, [2])
socks("no-acceptable", bytes([5, 0xFF]))
socks("method-not-offered", bytes([5, 2]))
socks("http-proxy", b"HTTP/1.1 400 Bad Request\r\n\r\n")
socks("pipelined", bytes([5, 0]) + OK4)
socks("reply-v6", bytes([5, 0, 5, 0, 0, 4]) + bytes(range(16)) + bytes([0, 80]), 4, [2])
socks("reply-name", bytes([5, 0, 5, 0, 0, 3, 4]) + b"host" + bytes([1, 2]) + b"x", 6, [2, 1, 1])
for code in range(1, 10):
    socks("reply-%d" % code, bytes([5, 0, 5, code, 0, 1, 0, 0, 0, 0, 0, 0]), 0, [2])
socks("reserved", bytes([5, 0, 5, 0, 1, 1]), 0, [2])
socks("address-type-2", bytes([5, 0, 5, 0, 0, 2]), 0, [2])

# Issue 21: the conformance residue.
# Point 1: RFC 9112 §3.2.2, Host ignored for an absolute-form target (refused only when strict).
feed("absolute-host-ignored", req([b"Host: other.example"] + WS, b"GET ws://example.com/chat HTTP/1.1"))
feed("reject-absolute-host-strict", req([b"Host: other.example"] + WS, b"GET ws://example.com/chat HTTP/1.1"), strict=True)
# Point 2: RFC 9110 §6.2 minor versions, §15.6.6 major versions.
feed("http12-upgrade", req(GOOD, b"GET /chat HTTP/1.2"), ANY_ORIGIN, (5, 20))
feed("http19-plain", req([b"Host: a", b"X: y"], b"GET / HTTP/1.9", b"rest"))
feed("reject-http20", req(GOOD, b"GET /chat HTTP/2.0"))
feed("reject-http09", req(GOOD, b"GET /chat HTTP/0.9"))
feed("reject-http-1-10", req(GOOD, b"GET /chat HTTP/1.10"))
client("http12-101", resp(OK, b"HTTP/1.2 101 Switching Protocols"), 0, (4, 9))
client("http12-interim-then-101", resp([b"Link: </a>"], b"HTTP/1.2 103 Early Hints") + resp(OK))
write("proxy_response", "http12-200", bytes([0, 0]) + b"HTTP/1.2 200 OK\r\n\r\n")
# Point 3: RFC 3986 §3.2.3, a port is its value.
feed("port-leading-zeros", req([b"Host: example.com:000080", b"Origin: http://example.com:0080"] + WS, b"GET ws://example.com:00080/chat HTTP/1.1"), HOSTS)
feed("reject-port-zeros-over-65535", req([b"Host: example.com:0065536"] + WS))
h2req("authority-port-zeros", H2[:4] + [(":authority", "server.example.com:000443"), ("sec-websocket-version", "13")])
# Point 4: RFC 9112 §6.3, framing before the method.
broken("framing-post-length-minus-1", GOOD + [b"Content-Length: -1"], b"POST /chat HTTP/1.1")
broken("framing-te-empty", GOOD + [b"Transfer-Encoding: "], b"POST /chat HTTP/1.1")
broken("framing-te-identity", GOOD + [b"Transfer-Encoding: identity"])
broken("framing-te-and-length", GOOD + [b"Transfer-Encoding: chunked", b"Content-Length: 0"])
broken("framing-plain", [b"Host: a", b"Content-Length: 1, 1"], b"POST /form HTTP/1.1")
broken("framing-http10-te", [b"Host: a", b"Transfer-Encoding: chunked"], b"POST /form HTTP/1.0")
feed("plain-chunked-post", req([b"Host: a", b"Transfer-Encoding: gzip, chunked"], b"POST /form HTTP/1.1", b"5\r\nhello\r\n0\r\n\r\n"))
# Point 7: RFC 9110 §15.5.15, 414 when the request line does not end within the limit.
broken("request-line-414", GOOD, b"GET /" + b"a" * 300 + b" HTTP/1.1", SMALL)
broken("request-line-414-after-crlf", GOOD, b"\r\nGET /" + b"a" * 300 + b" HTTP/1.1", SMALL)
broken("headers-431", GOOD + [b"X: " + b"b" * 300], b"GET / HTTP/1.1", SMALL)
# Point 8: RFC 9110 §10.1.1.
feed("expect-100-continue", req(GOOD + [b"Expect: 100-Continue"]), ANY_ORIGIN)
broken("expect-other", GOOD + [b"Expect: 100-continue, fancy"])
h2req("expect-100-continue", H2 + [("expect", "100-continue")])
h2req("expect-other", H2 + [("expect", "fancy")])
hreq("expect-other", "GET", "/chat", H1 + [("expect", "fancy")])
# Point 9: a pipelined request after a refusal is never parsed.
broken("pipelined-after-refusal", [l if not l.startswith(b"Connection") else b"Connection: keep-alive, Upgrade" for l in GOOD] + [b"Origin: http://evil.example"], tail=b"GET /admin HTTP/1.1\r\nHost: a\r\n\r\n")
# Point 11: Content-Length 00 on HTTP/1.1, as over extended CONNECT.
feed("content-length-00", req(GOOD + [b"Content-Length: 00"]), ANY_ORIGIN)
hreq("content-length-00", "GET", "/chat", H1 + [("content-length", "00")])
# Point 12: the http_inspect finding (RequestTargetScheme vs RequestTargetInvalid), kept as found.
FOUND = "et+hzFFF~yyyyy127.0.0.1yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyRz://FFFFFFEEEEEFFFFFFFFFFFFFh/uzzFFFFFFFFFFFFFFFF"
hreq("regression-scheme-grammar-found", "GET", FOUND, [("sec-websocket-key1", "webtransport"), ("transfer-encoding", "CONNECT")])
hreq("regression-scheme-grammar", "GET", FOUND, H1)
feed("reject-scheme-grammar", req(GOOD, b"GET " + FOUND.encode() + b" HTTP/1.1"))
