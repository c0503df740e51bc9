//! The bytes every test writes: upgrade requests, 101 responses, the RFC 6455 §1.3
//! sample key and its accept value, and small views of what the crate returns.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest as _, Sha1};

/// The sample `Sec-WebSocket-Key` of RFC 6455 §1.3 (base64 of "the sample nonce").
pub const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
/// The nonce behind [`KEY`], for `ClientKey::from_nonce`.
pub const NONCE: [u8; 16] = *b"the sample nonce";
/// The `Sec-WebSocket-Accept` of [`KEY`], as RFC 6455 §1.3 prints it.
pub const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// The WebSocket header lines every upgrade request needs, `Host` aside, in the
/// order of RFC 6455 §1.2.
pub const WS_LINES: [&str; 4] = [
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
];

/// RFC 6455 §4.2.2 item 5.4: base64 of the SHA-1 of the key and the GUID, computed
/// with the `sha1` and `base64` crates, independently of the crate's own code.
pub fn expected_accept(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    STANDARD.encode(sha.finalize())
}

/// A head: the start line, the header lines (each gets its CRLF), the empty line.
pub fn head(start: &str, lines: &[impl AsRef<str>]) -> Vec<u8> {
    let mut r = format!("{start}\r\n");
    for line in lines {
        r.push_str(line.as_ref());
        r.push_str("\r\n");
    }
    r.push_str("\r\n");
    r.into_bytes()
}

/// A valid upgrade request for [`KEY`]: `GET target`, `Host: host`, [`WS_LINES`],
/// then the `extra` header lines.
pub fn upgrade_request(target: &str, host: &str, extra: &[impl AsRef<str>]) -> Vec<u8> {
    let host = format!("Host: {host}");
    let lines: Vec<&str> = [host.as_str()]
        .into_iter()
        .chain(WS_LINES)
        .chain(extra.iter().map(AsRef::as_ref))
        .collect();
    head(&format!("GET {target} HTTP/1.1"), &lines)
}

/// A 101 for [`KEY`] with this `Upgrade` section (header lines, each ending in CRLF).
pub fn response_101_with_upgrade(upgrade_lines: &str) -> Vec<u8> {
    response_101_with(upgrade_lines, "")
}

/// A valid 101 for [`KEY`], with `extra` header lines (each ending in CRLF).
pub fn response_101(extra: &str) -> Vec<u8> {
    response_101_with("Upgrade: websocket\r\n", extra)
}

fn response_101_with(upgrade_lines: &str, extra: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\n{upgrade_lines}Connection: Upgrade\r\n\
         Sec-WebSocket-Accept: {ACCEPT}\r\n{extra}\r\n"
    )
    .into_bytes()
}

/// The header fields of a written HTTP/1.1 head, as (name, value with the
/// surrounding whitespace trimmed), in order.
pub fn fields(response: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8(response.to_vec()).unwrap();
    let head = text.split("\r\n\r\n").next().unwrap();
    head.split("\r\n")
        .skip(1)
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_owned(), value.trim().to_owned())
        })
        .collect()
}

/// The values of the fields named `name` (any case), in order.
pub fn values<'f>(fields: &'f [(String, String)], name: &str) -> Vec<&'f str> {
    fields
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// An owned copy of a head's header fields.
pub fn owned_headers(h: ws_handshake::Headers<'_>) -> Vec<(String, Vec<u8>)> {
    h.iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect()
}

/// Splits `bytes` at the `cuts` (each taken modulo `bytes.len() + 1`, then sorted).
pub fn split_at(bytes: &[u8], cuts: impl IntoIterator<Item = usize>) -> Vec<&[u8]> {
    let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    let mut from = 0;
    for cut in cuts {
        chunks.push(&bytes[from..cut]);
        from = cut;
    }
    chunks.push(&bytes[from..]);
    chunks
}

/// How many pieces [`every_chunking`] cuts the bytes into, besides one byte at a time.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Pieces {
    /// Every split into two.
    Two,
    /// Every split into two and into three.
    Three,
}

/// The outcome of `run` on `bytes` fed whole, after asserting that one byte at a
/// time and every split into `pieces` give the same.
pub fn every_chunking<T: PartialEq + std::fmt::Debug>(
    bytes: &[u8],
    pieces: Pieces,
    run: impl Fn(&[&[u8]]) -> T,
) -> T {
    let expected = run(&[bytes]);
    let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(run(&bytewise), expected, "byte by byte");
    for i in 0..=bytes.len() {
        let (a, b) = bytes.split_at(i);
        assert_eq!(run(&[a, b]), expected, "split at {i}");
        if pieces == Pieces::Three {
            for j in i..=bytes.len() {
                let (b, c) = bytes[i..].split_at(j - i);
                assert_eq!(run(&[a, b, c]), expected, "split at {i}, {j}");
            }
        }
    }
    expected
}

/// The captured opening requests (`tests/captures/request-<name>.http`) that pass
/// every rule of RFC 6455 §4.2.1: browsers and libraries.
pub const VALID_REQUEST_CAPTURES: [&str; 12] = [
    "chromium-protocols",
    "chromium-noprotocols",
    "firefox-esr-protocols",
    "firefox-esr-noprotocols",
    "node-ws-default",
    "node-ws-deflate",
    "node-ws-nodeflate",
    "node-ws-protocols",
    "python-websockets-chat",
    "python-websockets-default",
    "rawclient-fixed",
    "rawclient-minimal",
];

/// The captured requests that break a rule (a missing key, a plain GET, a POST, the
/// wrong versions).
pub const INVALID_REQUEST_CAPTURES: [&str; 5] = [
    "rawclient-nokey",
    "rawclient-plain",
    "rawclient-post",
    "rawclient-version12",
    "rawclient-version8",
];

/// A captured request or response from `tests/captures/`.
pub fn capture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/captures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
