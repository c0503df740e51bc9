//! The workloads measured by `benches/handshake.rs` and counted by
//! `benches/alloc_count.rs` (and `tests/alloc.rs`): one definition, so what is timed is what is counted.
//!
//! Every workload writes its response into a caller-owned `out` (cleared first) so a
//! checker can verify it did the whole job; see [`check_101`].
#![allow(dead_code)] // each including crate uses a different subset

use std::io::{self, Read, Write};
use std::mem::MaybeUninit;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest as _, Sha1};
use ws_handshake::deflate::DeflateConfig;
use ws_handshake::{OriginPolicy, ServerConfig, ServerFeed, ServerHandshake};

#[path = "../floors.rs"]
mod floors;
#[allow(unused_imports)] // tests/alloc.rs uses none of the floors
pub use floors::{floor, validating_floor, GUID};

/// A 567-byte Chromium request: `request-chromium-protocols.http` from the shared
/// captures without `Pragma`, `Cache-Control` and `Accept-Language`, and with the
/// `Cookie` line grown to 94 bytes. Offers `chat, superchat` and
/// `permessage-deflate; client_max_window_bits`; `Origin: http://127.0.0.1:18100`.
pub const REQUEST: &[u8] = include_bytes!("../data/chrome-567.http");
/// The same request with an invalid `Sec-WebSocket-Key` (`...JA=!`): answered with 400.
pub const REQUEST_BAD_KEY: &[u8] = include_bytes!("../data/chrome-567-badkey.http");
/// The same request with an 8 KiB `Cookie` line (8675 bytes in all).
pub const REQUEST_8K: &[u8] = include_bytes!("../data/chrome-8k-cookie.http");
/// The same request offering nothing to negotiate (no `Sec-WebSocket-Protocol` and
/// no `Sec-WebSocket-Extensions` lines): 456 bytes. With [`minimal_config`] it shows
/// what the checks every handshake needs cost, apart from negotiation.
pub const REQUEST_MINIMAL: &[u8] = include_bytes!("../data/chrome-minimal.http");
/// The key of all four requests.
pub const KEY: &[u8] = b"yjaxjmI7PyGkTw6eyrdqJA==";

/// The server configuration of every ws-handshake workload: the subprotocol `chat`,
/// permessage-deflate with default settings, and the page's origin allowed (the
/// page was served from another port than the WebSocket, so same-origin would refuse).
pub fn config() -> ServerConfig {
    minimal_config()
        .protocols(["chat"])
        .expect("valid protocol")
        .deflate(Some(DeflateConfig::new()))
}

/// The validating floor's job (`floors::validating_floor`) for the crate: every
/// RFC 6455 §4.2.1 check, `chat` picked from the offers, no deflate, any Origin.
pub fn validating_config() -> ServerConfig {
    ServerConfig::new()
        .protocols(["chat"])
        .expect("valid protocol")
        .origin_policy(OriginPolicy::Any)
}

/// [`config`] without subprotocols or extensions: every RFC 6455 §4.2.1 check and
/// the Origin allow-list still apply.
pub fn minimal_config() -> ServerConfig {
    ServerConfig::new()
        .origin_policy(OriginPolicy::allow_list(["http://127.0.0.1:18100"]).expect("valid origin"))
}

/// ws-handshake, the whole request in one `feed`: validate, select `chat`, negotiate
/// deflate, write the 101. No buffer is needed: a head that arrives whole is never copied.
pub fn ws_whole(config: &ServerConfig, request: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut handshake = ServerHandshake::new(config);
    match handshake.feed(request) {
        Ok(ServerFeed::Upgrade(upgrade)) => upgrade.accept().write_to(out),
        Ok(ServerFeed::Plain(plain)) => plain.reject().write_to(out),
        Ok(ServerFeed::NeedMore) => {}
        Err(e) => e.rejection().write_to(out),
    }
}

/// ws-handshake fed `chunk` bytes at a time, reusing `buffer` across handshakes
/// (`with_buffer` / `into_buffer`), as a server with a buffer pool would.
pub fn ws_chunked(
    config: &ServerConfig,
    request: &[u8],
    chunk: usize,
    buffer: &mut Vec<u8>,
    out: &mut Vec<u8>,
) {
    out.clear();
    let mut handshake = ServerHandshake::with_buffer(config, std::mem::take(buffer));
    for piece in request.chunks(chunk) {
        match handshake.feed(piece) {
            Ok(ServerFeed::NeedMore) => continue,
            Ok(ServerFeed::Upgrade(upgrade)) => upgrade.accept().write_to(out),
            Ok(ServerFeed::Plain(plain)) => plain.reject().write_to(out),
            Err(e) => e.rejection().write_to(out),
        }
        break;
    }
    *buffer = handshake.into_buffer();
}

/// An in-memory `Read + Write` stream: reads `input`, appends writes to `out`.
pub struct Mem<'a> {
    pub input: &'a [u8],
    pub out: &'a mut Vec<u8>,
}

impl Read for Mem<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Mem<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// tungstenite 0.28's server handshake (`accept_hdr`) over [`Mem`], with a callback
/// that selects `chat` when offered. tungstenite negotiates no extensions and checks
/// no Origin, so it does less than [`ws_whole`].
#[allow(clippy::result_large_err)] // tungstenite's callback signature
pub fn tungstenite(request: &[u8], out: &mut Vec<u8>) {
    use tungstenite::handshake::server::{Request, Response};
    use tungstenite::http::header::SEC_WEBSOCKET_PROTOCOL;
    use tungstenite::http::HeaderValue;
    out.clear();
    let select_chat = |req: &Request, mut response: Response| {
        let offered = req
            .headers()
            .get_all(SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|p| p.trim() == "chat");
        if offered {
            response
                .headers_mut()
                .insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static("chat"));
        }
        Ok(response)
    };
    let stream = Mem {
        input: request,
        out,
    };
    let _ = tungstenite::accept_hdr(stream, select_chat);
}

/// The accept value for [`KEY`], computed by tungstenite (an independent implementation).
pub fn expected_accept() -> String {
    tungstenite::handshake::derive_accept_key(KEY)
}

/// Panics unless `out` is a complete 101 with the right accept value for [`KEY`]
/// and, when `protocol` is given, that subprotocol.
pub fn check_101(name: &str, out: &[u8], protocol: Option<&str>) {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut res = httparse::Response::new(&mut headers);
    let status = res.parse(out);
    assert!(
        matches!(status, Ok(httparse::Status::Complete(n)) if n == out.len()),
        "{name}: not one complete response: {:?}",
        String::from_utf8_lossy(out)
    );
    assert_eq!(res.code, Some(101), "{name}: status");
    let get = |n: &str| {
        res.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(n))
            .map(|h| h.value)
    };
    assert_eq!(
        get("sec-websocket-accept"),
        Some(expected_accept().as_bytes()),
        "{name}: accept"
    );
    if let Some(p) = protocol {
        assert_eq!(
            get("sec-websocket-protocol"),
            Some(p.as_bytes()),
            "{name}: protocol"
        );
    }
}

/// Whether the response head in `out` has a header `name` (any case).
pub fn has_header(out: &[u8], name: &str) -> bool {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut res = httparse::Response::new(&mut headers);
    let _ = res.parse(out);
    res.headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case(name))
}

/// Panics unless `out` is a complete 400 response with a body.
pub fn check_400(name: &str, out: &[u8]) {
    assert!(
        out.starts_with(b"HTTP/1.1 400 Bad Request\r\n"),
        "{name}: {:?}",
        String::from_utf8_lossy(out)
    );
    assert!(out.ends_with(b"\n"), "{name}: body");
}

// ---- client ----------------------------------------------------------------

/// A real 101: Python websockets 17.4's answer to `permessage-deflate;
/// client_max_window_bits` and `chat` for the key of [`CLIENT_NONCE`] (333 bytes,
/// with `Date` and `Server`; `server_max_window_bits=12; client_max_window_bits=12`).
pub const RESPONSE: &[u8] = include_bytes!("../data/response-python-websockets-chat.http");
/// The nonce whose key (`dGhlIHNhbXBsZSBub25jZQ==`) [`RESPONSE`] answers.
pub const CLIENT_NONCE: [u8; 16] = *b"the sample nonce";
/// The URL every client workload connects to.
pub const URL: &str = "ws://127.0.0.1:18200/chat?room=1";

/// The client configuration: offers `chat` and `permessage-deflate; client_max_window_bits`.
pub fn client_config() -> ws_handshake::ClientConfig {
    ws_handshake::ClientConfig::new()
        .protocols(["chat"])
        .expect("valid protocol")
        .deflate(Some(ws_handshake::deflate::DeflateOffer {
            client_max_window_bits: Some(None),
            ..Default::default()
        }))
        .expect("valid offer")
}

/// What a client workload concluded: connected with `chat`, and the client window
/// the server set (0 when deflate was not negotiated or not reported).
pub type ClientOutcome = Option<(bool, u8)>;

/// ws-handshake's client: parse the URL, write the request into `out`, feed the
/// whole response, check every RFC 6455 §4.1 / RFC 7692 rule.
pub fn ws_client(
    config: &ws_handshake::ClientConfig,
    response: &[u8],
    out: &mut Vec<u8>,
) -> ClientOutcome {
    use ws_handshake::{ClientFeed, ClientHandshake, ClientKey, WsUrl};
    out.clear();
    let url = WsUrl::parse(URL).ok()?;
    let mut handshake = ClientHandshake::new(config, url, ClientKey::from_nonce(CLIENT_NONCE));
    handshake.request().write_to(out);
    match handshake.feed(response) {
        Ok(ClientFeed::Connected(c)) => Some((
            c.protocol() == Some("chat"),
            c.deflate().map_or(0, |d| d.client_window_bits()),
        )),
        _ => None,
    }
}

/// The bare client floor, deliberately minimal: write a fixed-shape request with the
/// base64 key, httparse the response into an uninitialised stack array of 32 headers,
/// check status 101 and `Sec-WebSocket-Accept` (SHA-1 + base64). Nothing else: no
/// Upgrade/Connection, subprotocol or extension checks.
pub fn client_floor(response: &[u8], out: &mut Vec<u8>) -> ClientOutcome {
    out.clear();
    let mut key = [0u8; 24];
    STANDARD.encode_slice(CLIENT_NONCE, &mut key).ok()?;
    out.extend_from_slice(b"GET /chat?room=1 HTTP/1.1\r\nHost: 127.0.0.1:18200\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    out.extend_from_slice(&key);
    out.extend_from_slice(b"\r\nSec-WebSocket-Version: 13\r\n\r\n");
    let mut storage = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; 32];
    let mut res = httparse::Response::new(&mut []);
    let Ok(httparse::Status::Complete(_)) = httparse::ParserConfig::default()
        .parse_response_with_uninit_headers(&mut res, response, &mut storage)
    else {
        return None;
    };
    if res.code != Some(101) {
        return None;
    }
    let accept = res
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("sec-websocket-accept"))?;
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(GUID);
    let mut expected = [0u8; 28];
    STANDARD.encode_slice(sha.finalize(), &mut expected).ok()?;
    (accept.value == expected).then_some((false, 0))
}

/// tungstenite 0.28's client handshake (`tungstenite::client`) over [`Mem`]: the
/// request from the URL with our key and `Sec-WebSocket-Protocol: chat`, then the
/// response. tungstenite does not offer or check extensions.
pub fn client_tungstenite(response: &[u8], out: &mut Vec<u8>) -> ClientOutcome {
    use tungstenite::client::IntoClientRequest;
    use tungstenite::http::HeaderValue;
    out.clear();
    let mut request = URL.into_client_request().ok()?;
    let headers = request.headers_mut();
    headers.insert(
        "Sec-WebSocket-Key",
        HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
    );
    headers.insert("Sec-WebSocket-Protocol", HeaderValue::from_static("chat"));
    let stream = Mem {
        input: response,
        out,
    };
    let (_socket, response) = tungstenite::client(request, stream).ok()?;
    let chat = response
        .headers()
        .get("sec-websocket-protocol")
        .is_some_and(|p| p == "chat");
    Some((chat, 0))
}

/// Panics unless `request` is a WebSocket request for [`URL`] with the key of [`CLIENT_NONCE`].
pub fn check_client_request(name: &str, request: &[u8]) {
    let key = client_request_key(name, request);
    assert_eq!(key, &b"dGhlIHNhbXBsZSBub25jZQ=="[..], "{name}");
}

/// Panics unless `request` is a WebSocket request for [`URL`] with some 24-byte key
/// (for the clients whose key is random).
pub fn check_client_request_random_key(name: &str, request: &[u8]) {
    let key = client_request_key(name, request);
    assert_eq!(
        key.len(),
        24,
        "{name}: key {:?}",
        String::from_utf8_lossy(key)
    );
}

fn client_request_key<'r>(name: &str, request: &'r [u8]) -> &'r [u8] {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut req = httparse::Request::new(&mut headers);
    assert!(
        matches!(req.parse(request), Ok(httparse::Status::Complete(n)) if n == request.len()),
        "{name}: {:?}",
        String::from_utf8_lossy(request)
    );
    assert_eq!(req.path, Some("/chat?room=1"), "{name}");
    let key = req
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("sec-websocket-key"))
        .map(|h| h.value);
    key.unwrap_or_else(|| panic!("{name}: no key"))
}
