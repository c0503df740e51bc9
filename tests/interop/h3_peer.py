"""aioquic, an independent QUIC and HTTP/3 stack, against the HTTP/3 examples (RFC 9220).

usage: h3_peer.py client HOST:PORT     the aioquic client checks against h3_server
       h3_peer.py aborts HOST:PORT PID  hundreds of aborted streams and connections
       h3_peer.py idle HOST:PORT        idle timeouts (h3_server --idle-timeout 1 --stats)
       h3_peer.py server                an aioquic WebSocket server for h3_client

`client` expects h3_server started with `--protocol chat --origin https://allowed.example`;
`aborts` expects `--stats --max-streams 16` and reads the server's memory from /proc/PID.
WebSocket frames are spoken by Python websockets' sans-I/O `Protocol`. Each check prints
"ok   NAME" or "FAIL NAME: why"; the exit status is the number of failures (capped at 100).
"""

import asyncio
import os
import ssl
import sys
import tempfile
from collections import defaultdict

from aioquic.asyncio import serve
from aioquic.asyncio.client import connect
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import DataReceived, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import ConnectionTerminated, StreamReset
from websockets.frames import Opcode
from websockets.protocol import Protocol, Side

ENABLE_CONNECT_PROTOCOL = 0x8  # RFC 9220 §3 (the identifier of RFC 8441 §3)
H3_REQUEST_CANCELLED = 0x10C
TIMEOUT = 5.0  # seconds for any one answer


class H3Client(QuicConnectionProtocol):
    """An HTTP/3 client whose events are queued per stream."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.h3 = H3Connection(self._quic)
        self.events = defaultdict(asyncio.Queue)
        self.terminated = None

    def quic_event_received(self, event):
        if isinstance(event, ConnectionTerminated):
            self.terminated = event
        if isinstance(event, StreamReset):
            self.events[event.stream_id].put_nowait(("reset", event.error_code))
        for h3_event in self.h3.handle_event(event):
            if isinstance(h3_event, HeadersReceived):
                self.events[h3_event.stream_id].put_nowait(
                    ("headers", h3_event.headers, h3_event.stream_ended))
            elif isinstance(h3_event, DataReceived):
                self.events[h3_event.stream_id].put_nowait(
                    ("data", h3_event.data, h3_event.stream_ended))

    async def settings(self):
        """The server's SETTINGS, once its control stream delivered them."""
        for _ in range(int(TIMEOUT / 0.01)):
            if self.h3.received_settings is not None:
                return self.h3.received_settings
            await asyncio.sleep(0.01)
        raise TimeoutError("no SETTINGS from the server")

    def request(self, headers, end_stream=False):
        """Sends a HEADERS frame on a new request stream, exactly as given."""
        stream_id = self._quic.get_next_available_stream_id()
        self.h3.send_headers(stream_id, headers, end_stream=end_stream)
        self.transmit()
        return stream_id

    def send(self, stream_id, data, end_stream=False):
        self.h3.send_data(stream_id, data, end_stream=end_stream)
        self.transmit()

    def reset(self, stream_id):
        """RESET_STREAM and STOP_SENDING with H3_REQUEST_CANCELLED: a WebSocket abort."""
        self._quic.reset_stream(stream_id, H3_REQUEST_CANCELLED)
        self._quic.stop_stream(stream_id, H3_REQUEST_CANCELLED)
        self.transmit()

    async def next(self, stream_id):
        return await asyncio.wait_for(self.events[stream_id].get(), TIMEOUT)

    async def response(self, stream_id):
        """(status, headers as a dict, ended) of the response head."""
        kind, *rest = await self.next(stream_id)
        if kind != "headers":
            raise AssertionError(f"expected a response head, got {kind} {rest}")
        headers, ended = rest
        fields = {k.decode(): v.decode() for k, v in headers}
        return int(fields.pop(":status")), fields, ended


def connect_request(path="/echo", protocol="websocket", extra=(), authority="127.0.0.1"):
    """The extended CONNECT of RFC 9220 §3 as (name, value) byte pairs, in order."""
    head = [(b":method", b"CONNECT"), (b":protocol", protocol.encode()),
            (b":scheme", b"https"), (b":path", path.encode())]
    if authority is not None:
        head.append((b":authority", authority.encode()))
    head.append((b"sec-websocket-version", b"13"))
    return head + [(k.encode(), v.encode()) for k, v in extra]


class WebSocket:
    """A WebSocket on one request stream: websockets' sans-I/O protocol over aioquic."""

    def __init__(self, client, stream_id, side=Side.CLIENT):
        self.client, self.stream_id = client, stream_id
        self.ws = Protocol(side, max_size=None)
        self.ended = False

    def flush(self, end_stream=False):
        data = b"".join(self.ws.data_to_send())
        if data or end_stream:
            self.client.send(self.stream_id, data, end_stream=end_stream)

    async def frame(self):
        """The next data or close frame from the server."""
        while True:
            for event in self.ws.events_received():
                if event.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CLOSE):
                    return event
            if self.ended:
                raise AssertionError("stream ended without a frame")
            kind, data, ended = await self.client.next(self.stream_id)
            if kind != "data":
                raise AssertionError(f"expected DATA, got {kind} {data}")
            self.ws.receive_data(data)
            self.ended = ended
            self.flush()  # pongs

    async def echo(self, payload):
        if isinstance(payload, str):
            self.ws.send_text(payload.encode())
        else:
            self.ws.send_binary(payload)
        self.flush()
        frame = await self.frame()
        got = frame.data.decode() if frame.opcode == Opcode.TEXT else frame.data
        if got != payload:
            raise AssertionError(f"echo differs: {len(got)} bytes back for {len(payload)}")

    async def close(self):
        """Close frame with our FIN (as browsers do), then the server's close and FIN."""
        self.ws.send_close(1000)
        self.flush(end_stream=True)
        frame = await self.frame()
        if frame.opcode != Opcode.CLOSE:
            raise AssertionError(f"expected the close reply, got {frame.opcode}")
        while not self.ended:
            kind, data, ended = await self.client.next(self.stream_id)
            if kind != "data":
                raise AssertionError(f"expected the FIN, got {kind}")
            self.ended = ended


def client_config():
    return QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN,
                             verify_mode=ssl.CERT_NONE, server_name="127.0.0.1")


failures = 0


async def check(name, scenario, timeout=4 * TIMEOUT):
    """Runs one scenario within `timeout` seconds (any one answer within TIMEOUT)."""
    global failures
    try:
        await asyncio.wait_for(scenario, timeout)
        print(f"ok   {name}", flush=True)
    except Exception as e:  # a failed check is reported, the others still run
        failures += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)


def expect(condition, why):
    if not condition:
        raise AssertionError(why)


async def client_checks(host, port):
    """aioquic's client against h3_server: the upgrade, the refusals, malformed requests."""
    async with connect(host, port, configuration=client_config(),
                       create_protocol=H3Client) as client:

        async def settings():
            got = await client.settings()
            expect(got.get(ENABLE_CONNECT_PROTOCOL) == 1,
                   f"SETTINGS_ENABLE_CONNECT_PROTOCOL missing: {got}")

        async def upgrade_and_echo():
            sid = client.request(connect_request(extra=[
                ("sec-websocket-protocol", "superchat, chat"),
                ("origin", "https://allowed.example")]))
            status, fields, ended = await client.response(sid)
            expect(status == 200 and not ended, f"{status} {fields} ended={ended}")
            expect(fields.get("sec-websocket-protocol") == "chat", f"subprotocol: {fields}")
            expect("content-length" not in fields, "a 200 to CONNECT has no content-length")
            ws = WebSocket(client, sid)
            await ws.echo("hello over HTTP/3")
            await ws.echo(os.urandom(200 * 1024))  # spans many DATA and QUIC frames
            await ws.close()

        async def answered(headers, want_status, end_stream=False):
            sid = client.request(headers, end_stream=end_stream)
            status, fields, ended = await client.response(sid)
            expect(status == want_status, f"status {status}, want {want_status}: {fields}")
            if status != 200:
                body = b""
                while not ended:
                    kind, data, ended = await client.next(sid)
                    expect(kind == "data", f"expected the body, got {kind}")
                    body += data
                expect(int(fields.get("content-length", -1)) == len(body), "content-length")
            else:
                client.reset(sid)
            return fields

        await check("h3 SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 9220 §3)", settings())
        await check("h3 aioquic client: upgrade, subprotocol chat, echo, close", upgrade_and_echo())
        await check("h3 Origin not allowed -> 403 (RFC 6455 §4.2.2)",
                    answered(connect_request(extra=[("origin", "https://evil.example")]), 403))
        await check("h3 :protocol webtransport -> 501 (RFC 9220 §3; sockudo-ws's dialect)",
                    answered(connect_request(protocol="webtransport"), 501))
        await check("h3 :protocol foo -> 501", answered(connect_request(protocol="foo"), 501))

        # Raw requests, as quiche hands them to the application: unchecked field pairs.
        base = connect_request()
        pseudo_late = base[:1] + base[2:] + [(b":protocol", b"websocket")]
        await check("h3 pseudo-header after a regular field -> 400 (RFC 9114 §4.3)",
                    answered(base[:4] + [base[5], base[4]], 400))
        await check("h3 :protocol after sec-websocket-version -> 400 (RFC 9114 §4.3)",
                    answered(pseudo_late, 400))
        await check("h3 duplicate :protocol -> 400 (RFC 9114 §4.3.1)",
                    answered(base[:2] + [(b":protocol", b"websocket")] + base[2:], 400))
        await check("h3 :protocol WEBSOCKET: an upgrade token, any case -> 200",
                    answered(connect_request(protocol="WEBSOCKET"), 200))
        for name, value in [("connection", "upgrade"), ("upgrade", "websocket"),
                            ("keep-alive", "timeout=5"), ("transfer-encoding", "chunked"),
                            ("proxy-connection", "keep-alive"), ("te", "gzip")]:
            await check(f"h3 {name}: {value} -> 400 (RFC 9114 §4.2)",
                        answered(connect_request(extra=[(name, value)]), 400))
        await check("h3 te: trailers is allowed (RFC 9114 §4.2) -> 200",
                    answered(connect_request(extra=[("te", "trailers")]), 200))
        await check("h3 missing :authority -> 400 (RFC 9220 §3, RFC 8441 §4)",
                    answered(connect_request(authority=None), 400))
        await check("h3 :scheme http over QUIC -> 421 (RFC 9110 §15.5.20)",
                    answered([(k, b"http" if k == b":scheme" else v)
                              for k, v in connect_request()], 421))
        await check("h3 uppercase field name -> 400 (RFC 9114 §4.2)",
                    answered(connect_request(extra=[("Sec-WebSocket-Protocol", "chat")]), 400))
        await check("h3 missing sec-websocket-version -> 426 (RFC 6455 §4.2.2)",
                    answered(connect_request()[:-1], 426))
        await check("h3 GET /echo -> 405 (allow: CONNECT)",
                    answered([(b":method", b"GET"), (b":scheme", b"https"), (b":path", b"/echo"),
                              (b":authority", b"127.0.0.1")], 405, end_stream=True))
        await check("h3 plain CONNECT (a TCP tunnel) -> 501",
                    answered([(b":method", b"CONNECT"), (b":authority", b"127.0.0.1:1")], 501))
        await check("h3 the server still serves after all that", upgrade_and_echo())


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def stats(client):
    sid = client.request([(b":method", b"GET"), (b":scheme", b"https"), (b":path", b"/stats"),
                          (b":authority", b"127.0.0.1")], end_stream=True)
    status, _, ended = await client.response(sid)
    expect(status == 200, f"/stats answered {status} (is --stats on?)")
    body = b""
    while not ended:
        _, data, ended = await client.next(sid)
        body += data
    return {k: int(v) for k, v in (line.split(": ") for line in body.decode().splitlines())}


async def open_websocket(client, mid_message=False):
    """A WebSocket with one message echoed; with mid_message, then the first half of a
    second frame, so the server is inside a message when the stream is aborted."""
    sid = client.request(connect_request(extra=[("origin", "https://allowed.example")]))
    status, _, _ = await client.response(sid)
    expect(status == 200, f"CONNECT answered {status}")
    ws = WebSocket(client, sid)
    await ws.echo("x" * 1000)
    if mid_message:
        ws.ws.send_binary(os.urandom(4000))
        frame = b"".join(ws.ws.data_to_send())
        client.send(sid, frame[: len(frame) // 2])
    return sid


async def abort_checks(host, port, pid):
    """Hundreds of aborts: resets (RESET_STREAM + STOP_SENDING), STOP_SENDING alone and
    dropped connections, each mid-WebSocket. The server must free every stream (with
    --max-streams 16, a stream it kept would soon block new ones) and stay bounded."""
    rounds = 300

    async def resets():
        async with connect(host, port, configuration=client_config(),
                           create_protocol=H3Client) as client:
            await client.settings()
            for _ in range(rounds):
                sid = await open_websocket(client, mid_message=True)
                client.reset(sid)
            await asyncio.sleep(0.3)
            got = await stats(client)
            expect(got["websockets"] == 0, f"streams still live after resets: {got}")

    async def stop_sending():
        async with connect(host, port, configuration=client_config(),
                           create_protocol=H3Client) as client:
            await client.settings()
            for _ in range(100):
                sid = await open_websocket(client, mid_message=True)
                client._quic.stop_stream(sid, H3_REQUEST_CANCELLED)  # STOP_SENDING only
                client.transmit()
                kind, *_ = await client.next(sid)
                while kind != "reset":  # the server resets its side in turn
                    kind, *_ = await client.next(sid)
            await asyncio.sleep(0.3)
            got = await stats(client)
            expect(got["websockets"] == 0, f"streams still live after STOP_SENDING: {got}")

    async def dropped_connections():
        before = rss_kib(pid)
        for _ in range(rounds // 3):
            async with connect(host, port, configuration=client_config(),
                               create_protocol=H3Client) as client:
                await client.settings()
                for _ in range(3):
                    await open_websocket(client, mid_message=True)
                # Leave with three live WebSockets: CONNECTION_CLOSE, no stream ends.
        await asyncio.sleep(0.5)
        async with connect(host, port, configuration=client_config(),
                           create_protocol=H3Client) as client:
            got = await stats(client)
        expect(got["connections"] == 1 and got["websockets"] == 0,
               f"state left after dropped connections: {got}")
        after = rss_kib(pid)
        print(f"     server RSS {before} KiB -> {after} KiB after {rounds} dropped WebSockets")
        expect(after - before < 64 * 1024, f"RSS grew by {after - before} KiB")

    # Hundreds of round trips each: bounds for a loaded machine, not speed checks.
    await check(f"h3 {rounds} WebSockets reset mid-stream, all freed (--max-streams 16)",
                resets(), timeout=120)
    await check("h3 100 WebSockets stopped (STOP_SENDING), each reset back and freed",
                stop_sending(), timeout=120)
    await check(f"h3 {rounds} WebSockets on {rounds // 3} dropped connections, all freed, "
                "RSS bounded", dropped_connections(), timeout=120)


async def idle_checks(host, port):
    """With --idle-timeout 1: an idle WebSocket is sent a close frame 1001 (going away) and
    the stream ends in order; a connection without WebSockets or requests is closed with
    H3_NO_ERROR."""

    async def idle_websocket():
        async with connect(host, port, configuration=client_config(),
                           create_protocol=H3Client) as client:
            await client.settings()
            sid = await open_websocket(client)
            ws = WebSocket(client, sid)
            frame = await ws.frame()  # nothing sent: the server's timer speaks first
            expect(frame.opcode == Opcode.CLOSE, f"expected a close frame, got {frame.opcode}")
            code = int.from_bytes(frame.data[:2], "big")
            expect(code == 1001, f"close code {code}, want 1001")
            ws.flush(end_stream=True)  # our close reply (queued by websockets) and our FIN
            while not ws.ended:
                kind, _, ended = await client.next(sid)
                expect(kind == "data", f"expected the FIN, got {kind}")
                ws.ended = ended
            got = await stats(client)
            expect(got["websockets"] == 0, f"the idle WebSocket is still live: {got}")

    async def idle_connection():
        async with connect(host, port, configuration=client_config(),
                           create_protocol=H3Client) as client:
            await client.settings()
            for _ in range(50):
                if client.terminated is not None:
                    break
                await asyncio.sleep(0.1)
            expect(client.terminated is not None, "the idle connection is still open after 5 s")
            expect(client.terminated.error_code == 0x100,
                   f"closed with {client.terminated.error_code:#x}, want H3_NO_ERROR")

    await check("h3 idle WebSocket: close frame 1001 after --idle-timeout, stream ends",
                idle_websocket())
    await check("h3 idle connection: closed with H3_NO_ERROR after --idle-timeout",
                idle_connection())


class EchoServer(QuicConnectionProtocol):
    """An aioquic HTTP/3 server that accepts RFC 9220 WebSockets (subprotocols "chat" and
    "superchat", in that order of preference) and echoes them. aioquic's SETTINGS always
    carry ENABLE_CONNECT_PROTOCOL = 1."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.h3 = H3Connection(self._quic)
        self.sockets = {}

    def quic_event_received(self, event):
        for h3_event in self.h3.handle_event(event):
            if isinstance(h3_event, HeadersReceived):
                self.request(h3_event.stream_id, dict(h3_event.headers))
            elif isinstance(h3_event, DataReceived) and h3_event.stream_id in self.sockets:
                self.data(h3_event.stream_id, h3_event.data, h3_event.stream_ended)

    def request(self, stream_id, fields):
        ok = (fields.get(b":method") == b"CONNECT" and fields.get(b":protocol") == b"websocket"
              and fields.get(b"sec-websocket-version") == b"13")
        if not ok:
            self.h3.send_headers(stream_id, [(b":status", b"400")], end_stream=True)
            self.transmit()
            return
        offered = [p.strip() for p in fields.get(b"sec-websocket-protocol", b"").split(b",")]
        head = [(b":status", b"200")]
        for ours in (b"chat", b"superchat"):
            if ours in offered:
                head.append((b"sec-websocket-protocol", ours))
                break
        self.h3.send_headers(stream_id, head)
        self.sockets[stream_id] = Protocol(Side.SERVER, max_size=None)
        print(f"aioquic server: accepted {fields.get(b':path').decode()}", flush=True)
        self.transmit()

    def data(self, stream_id, data, ended):
        ws = self.sockets[stream_id]
        ws.receive_data(data)
        for frame in ws.events_received():
            if frame.opcode == Opcode.TEXT:
                ws.send_text(frame.data)
            elif frame.opcode == Opcode.BINARY:
                ws.send_binary(frame.data)
        closing = ws.close_rcvd is not None or ended
        self.h3.send_data(stream_id, b"".join(ws.data_to_send()), end_stream=closing)
        if closing:
            del self.sockets[stream_id]
        self.transmit()
        st = self._quic._streams[stream_id]


async def echo_server():
    config = QuicConfiguration(is_client=False, alpn_protocols=H3_ALPN)
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = self_signed(tmp)
        config.load_cert_chain(cert, key)
    server = await serve("127.0.0.1", 0, configuration=config, create_protocol=EchoServer)
    port = server._transport.get_extra_info("sockname")[1]
    print(f"listening on 127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


def self_signed(directory):
    """A throwaway certificate for 127.0.0.1, made with `cryptography` (aioquic's own
    dependency)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("client", "aborts", "idle", "server"):
        sys.exit(__doc__)
    if sys.argv[1] == "server":
        asyncio.run(echo_server())
        return
    host, port = sys.argv[2].rsplit(":", 1)
    if sys.argv[1] == "client":
        asyncio.run(client_checks(host, int(port)))
    elif sys.argv[1] == "idle":
        asyncio.run(idle_checks(host, int(port)))
    else:
        asyncio.run(abort_checks(host, int(port), int(sys.argv[3])))
    sys.exit(min(failures, 100))


if __name__ == "__main__":
    main()
