//! The floors the crate is measured against: hand-written server handshakes with no
//! ws-handshake code, on the crate's own dependencies (httparse 1.10, sha1 0.10,
//! base64 0.22), so the difference is the crate's code and nothing else.
#![allow(dead_code)] // each including binary uses a different subset

use std::mem::MaybeUninit;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha1::{Digest as _, Sha1};

/// RFC 6455 §1.3.
pub const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The bare floor, deliberately minimal: httparse into an uninitialised stack array
/// of 32 headers, find `Sec-WebSocket-Key`, SHA-1, base64, and write a minimal 101
/// (no subprotocol, no extension). It checks nothing else (no Upgrade, Connection,
/// Version, Host, Origin, key syntax, list syntax): a lower bound, not a server.
pub fn floor(request: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut storage = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; 32];
    let mut req = httparse::Request::new(&mut []);
    let Ok(httparse::Status::Complete(_)) = req.parse_with_uninit_headers(request, &mut storage)
    else {
        return;
    };
    let Some(key) = req
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("sec-websocket-key"))
    else {
        return;
    };
    write_101(key.value, None, out);
}

/// The validating floor: the job of the crate's validating workload done by hand in
/// one loop over the headers, with no crate code. Every RFC 6455 §4.2.1 check:
/// `GET`, HTTP/1.1, an origin-form target, exactly one `Host`, `Upgrade` naming
/// `websocket` and `Connection` naming `Upgrade` (comma lists, any case), exactly
/// one `Sec-WebSocket-Key` that is base64 of 16 bytes, `Sec-WebSocket-Version: 13`,
/// no body (`Content-Length` absent or 0, no `Transfer-Encoding`), nothing after
/// the head; then `chat` picked from the `Sec-WebSocket-Protocol` offers and the
/// 101 written with it. Any broken rule writes a bare 400. What it does not do and
/// the crate does (so part of the crate's cost above it): name the broken rule,
/// check the grammar of every field value, Host's authority syntax, list element
/// syntax and limits, and duplicate `Sec-WebSocket-Version`/`Upgrade` rules.
pub fn validating_floor(request: &[u8], out: &mut Vec<u8>) {
    out.clear();
    if validate_and_answer(request, out).is_none() {
        out.clear();
        out.extend_from_slice(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    }
}

fn validate_and_answer(request: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let mut storage = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; 32];
    let mut req = httparse::Request::new(&mut []);
    let httparse::Status::Complete(len) =
        req.parse_with_uninit_headers(request, &mut storage).ok()?
    else {
        return None;
    };
    let target_ok = req.path.is_some_and(|p| p.starts_with('/'));
    if len != request.len() || req.method != Some("GET") || req.version != Some(1) || !target_ok {
        return None;
    }
    let (mut host, mut upgrade, mut connection, mut version) = (0, false, false, false);
    let mut key: Option<&[u8]> = None;
    let mut chat = false;
    for h in req.headers.iter() {
        let name = h.name.as_bytes();
        let value = h.value;
        match name.len() {
            4 if name.eq_ignore_ascii_case(b"host") => host += 1,
            7 if name.eq_ignore_ascii_case(b"upgrade") => {
                upgrade |= list_has(value, b"websocket");
            }
            10 if name.eq_ignore_ascii_case(b"connection") => {
                connection |= list_has(value, b"upgrade");
            }
            14 if name.eq_ignore_ascii_case(b"content-length") && value != b"0" => return None,
            17 if name.eq_ignore_ascii_case(b"sec-websocket-key") => {
                let mut decoded = [0u8; 18];
                if key.is_some() || STANDARD.decode_slice(value, &mut decoded) != Ok(16) {
                    return None;
                }
                key = Some(value);
            }
            17 if name.eq_ignore_ascii_case(b"transfer-encoding") => return None,
            21 if name.eq_ignore_ascii_case(b"sec-websocket-version") => {
                if value != b"13" {
                    return None;
                }
                version = true;
            }
            22 if name.eq_ignore_ascii_case(b"sec-websocket-protocol") => {
                chat |= list_has_exact(value, b"chat");
            }
            _ => {}
        }
    }
    if host != 1 || !upgrade || !connection || !version {
        return None;
    }
    write_101(key?, chat.then_some(&b"chat"[..]), out);
    Some(())
}

/// Whether the comma list `value` has an element equal to `token` (any case).
fn list_has(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|e| e.trim_ascii().eq_ignore_ascii_case(token))
}

/// Whether the comma list `value` has an element equal to `token` (case-sensitive,
/// as subprotocol names are).
fn list_has_exact(value: &[u8], token: &[u8]) -> bool {
    value.split(|&b| b == b',').any(|e| e.trim_ascii() == token)
}

/// SHA-1 of key + GUID, base64, and the 101 (with the subprotocol if one is given).
fn write_101(key: &[u8], protocol: Option<&[u8]>, out: &mut Vec<u8>) {
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(GUID);
    let mut accept = [0u8; 28];
    let _ = STANDARD.encode_slice(sha.finalize(), &mut accept);
    out.extend_from_slice(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ",
    );
    out.extend_from_slice(&accept);
    if let Some(p) = protocol {
        out.extend_from_slice(b"\r\nSec-WebSocket-Protocol: ");
        out.extend_from_slice(p);
    }
    out.extend_from_slice(b"\r\n\r\n");
}
