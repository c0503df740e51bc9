//! Arbitrary HTTP/2 / HTTP/3 response heads (a `:status` and a field list) checked by
//! `ConnectClient::response` for an extended CONNECT to `ws://example.com/chat`,
//! against a plain reading of RFC 8441 §5, RFC 6455 §4.1 and RFC 7692 §7.1, and against
//! the HTTP/1.1 client (`ClientHandshake::feed`) on the equivalent `101`.
//!
//! Input layout: `[config] [status] field*`: `config` picks the client's offers
//! (`front::client_setup`); a status byte below `0xc0` means `200`, otherwise two more
//! bytes give the status (big-endian); fields as in `front::field`.
//!
//! Invariants (see fuzz/README.md):
//! 1. no panic; a status other than `200` is a `Refused` with that status;
//! 2. `Connected` only when the reference predicate holds (`rules`): valid field names
//!    and values, no connection-specific field or pseudo-header, a subprotocol only if
//!    offered (and one under `MissingProtocol::Fail` when offered), only an offered
//!    extension, permessage-deflate parameters valid for the offer; the typed values
//!    are what the response states;
//! 3. a plainly valid `200` (no subprotocol or extension fields, or exactly the
//!    expected ones, ordinary bytes) connects;
//! 4. the HTTP/1.1 client makes the same decision, with the same subprotocol and
//!    permessage-deflate parameters, on the `101` with the same fields.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use ws_handshake::{ClientFeed, ClientHandshake, ClientKey, ConnectClient, ConnectResponse, WsUrl};

mod front;
use front::{
    client_setup, connection_specific, deflate_answer, elements, h2_name_ok, h2_value_ok,
    plain_value, ClientSetup,
};

type Fields = Vec<(Vec<u8>, Vec<u8>)>;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(selector), Ok(status)) = (u.arbitrary::<u8>(), u.arbitrary::<u8>()) else {
        return;
    };
    let status = if status < 0xc0 {
        200
    } else {
        match u.arbitrary::<[u8; 2]>() {
            Ok(b) => u16::from_be_bytes(b),
            Err(_) => return,
        }
    };
    let setup = client_setup(selector);
    let fields = front::fields(&mut u);
    let Some(named): Option<Vec<(&str, &[u8])>> = fields
        .iter()
        .map(|(n, v)| Some((std::str::from_utf8(n).ok()?, v.as_slice())))
        .collect()
    else {
        return;
    };
    let url = WsUrl::parse("ws://example.com/chat").expect("static URL");
    let client = ConnectClient::new(&setup.config, url);
    let request = client.request();
    assert_eq!(request.get(":protocol"), Some("websocket"));
    let result = client.response(status, named.iter().map(|(n, v)| (*n, *v)));

    match &result {
        Ok(ConnectResponse::Refused(r)) => {
            // Invariant 1.
            assert_ne!(status, 200, "a 200 refused");
            assert_eq!(r.status(), status);
        }
        Ok(ConnectResponse::Connected(c)) => {
            // Invariant 2.
            assert_eq!(status, 200, "connected on {status}");
            if let Err(rule) = rules(&fields, &setup) {
                panic!("connected over a response that breaks {rule}: {fields:?}");
            }
            let stated = elements(all(&fields, "sec-websocket-protocol"))
                .first()
                .copied();
            assert_eq!(c.protocol().map(str::as_bytes), stated, "typed subprotocol");
            let element = elements(all(&fields, "sec-websocket-extensions"))
                .first()
                .copied();
            // RFC 7692 §5: the first offer the answer is valid for.
            let expected =
                element.and_then(|e| setup.deflate.iter().find_map(|o| deflate_answer(o, e)));
            assert_eq!(c.deflate(), expected, "typed permessage-deflate");
        }
        Err(e) => {
            // Invariant 3.
            assert!(
                !(status == 200 && plainly_valid(&fields, &setup)),
                "a plainly valid 200 failed with {e:?}: {fields:?}"
            );
        }
    }

    // Invariant 4.
    if status == 200 {
        if let Some(bytes) = as_http1(&fields, &setup) {
            let key = ClientKey::from_nonce(*b"the sample nonce");
            let mut handshake = ClientHandshake::new(&setup.config, url, key);
            match (&result, handshake.feed(&bytes)) {
                (Ok(ConnectResponse::Connected(h2)), Ok(ClientFeed::Connected(h1))) => {
                    assert_eq!(h2.protocol(), h1.protocol(), "subprotocol");
                    assert_eq!(h2.deflate(), h1.deflate(), "deflate");
                }
                (Err(_), Err(_)) => {}
                (h2, h1) => panic!(
                    "HTTP/2 {:?} but HTTP/1.1 {:?} for {fields:?}",
                    h2.as_ref()
                        .map(|r| matches!(r, ConnectResponse::Connected(_))),
                    h1.map(|f| matches!(f, ClientFeed::Connected(_)))
                ),
            }
        }
    }
});

fn all<'a>(fields: &'a Fields, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
    fields
        .iter()
        .filter(move |(n, _)| n == name.as_bytes())
        .map(|(_, v)| v.as_slice())
}

/// RFC 8441 §5 with RFC 6455 §4.1 and RFC 7692 §7.1 for a `200`, read plainly:
/// `Err(rule)` names the first broken rule.
fn rules(fields: &Fields, setup: &ClientSetup) -> Result<(), &'static str> {
    if fields.len() > setup.header_limit() {
        return Err("the header-count limit");
    }
    for (n, v) in fields {
        if n.starts_with(b":") {
            return Err("no pseudo-header but :status (RFC 9113 §8.3.2)");
        }
        if !h2_name_ok(n) {
            return Err("lowercase field names (RFC 9113 §8.2.1)");
        }
        if !h2_value_ok(v) {
            return Err("values without NUL, CR, LF or outer whitespace (RFC 9113 §8.2.1)");
        }
        if connection_specific(n, v) {
            return Err("no connection-specific field (RFC 9113 §8.2.2)");
        }
    }
    // The chosen subprotocol is one token; the crate reads the field as every list
    // field (RFC 9110 §5.6.1.2): empty elements around it are ignored, 16 at most.
    if all(fields, "sec-websocket-protocol").any(front::list_malformed) {
        return Err("sec-websocket-protocol holds one token (RFC 6455 §4.1)");
    }
    let protocols = elements(all(fields, "sec-websocket-protocol"));
    match protocols.as_slice() {
        [] if !setup.protocols.is_empty() && !setup.missing_accept => {
            return Err("a subprotocol when one was offered (policy Fail)")
        }
        [] => {}
        [p] if !setup.protocols.iter().any(|o| o.as_bytes() == *p) => {
            return Err("only an offered subprotocol (RFC 6455 §4.1)")
        }
        [_] => {}
        _ => return Err("sec-websocket-protocol at most once (RFC 6455 §4.1)"),
    }
    // RFC 6455 §9.1 `1#extension` read as RFC 9110 §5.6.1.2 asks: empty elements are
    // ignored (at most 16 a line), but a line must hold one that is not empty.
    if all(fields, "sec-websocket-extensions").any(front::list_malformed) {
        return Err("sec-websocket-extensions = 1#extension (RFC 6455 §9.1, RFC 9110 §5.6.1.2)");
    }
    let extensions = elements(all(fields, "sec-websocket-extensions"));
    match extensions.as_slice() {
        [] => {}
        [e] => {
            if setup.deflate.is_empty() {
                return Err("no extension when none was offered (RFC 6455 §4.1)");
            }
            if !setup.deflate.iter().any(|o| deflate_answer(o, e).is_some()) {
                return Err("a valid permessage-deflate answer (RFC 7692 §7.1)");
            }
        }
        _ => return Err("one extension at most (only permessage-deflate is offered)"),
    }
    Ok(())
}

/// Every rule holds and every byte is ordinary: every client connects.
fn plainly_valid(fields: &Fields, setup: &ClientSetup) -> bool {
    rules(fields, setup).is_ok()
        && fields.iter().all(|(_, v)| plain_value(v))
        && all(fields, "sec-websocket-protocol").all(|p| p.iter().all(|&b| front::is_tchar(b)))
}

/// The `101` with the same meaning: the RFC 6455 fields RFC 8441 §5 drops (`Upgrade`,
/// `Connection`, the accept for the sample key), then the same fields, when HTTP/1.1
/// carries them unchanged and the head fits the HTTP/1.1 limits.
fn as_http1(fields: &Fields, setup: &ClientSetup) -> Option<Vec<u8>> {
    for (n, v) in fields {
        if n.starts_with(b":")
            || !h2_name_ok(n)
            || connection_specific(n, v)
            || !plain_value(v)
            || n == b"sec-websocket-accept"
        {
            return None;
        }
    }
    if fields.len() + 3 > setup.header_limit() {
        return None;
    }
    let mut out = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
        .to_vec();
    for (n, v) in fields {
        out.extend_from_slice(n);
        out.extend_from_slice(b": ");
        out.extend_from_slice(v);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    (out.len() <= setup.head_limit()).then_some(out)
}
