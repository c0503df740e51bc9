//! Arbitrary HTTP/2 / HTTP/3 field lists (pseudo-headers and fields, in any order)
//! validated by `ConnectRequest::validate`, checked against a plain reading of
//! RFC 8441 §4–5 and RFC 9113 §8.2–8.3, and against the HTTP/1.1 byte path.
//!
//! Input layout: `[config] field*`, each field read by `front::field` (a dictionary
//! index or a raw name/value); `config` picks a server configuration
//! (`front::server_setup`).
//!
//! Invariants (see fuzz/README.md):
//! 1. no panic; an accepted request answers `200` with no forbidden field;
//! 2. a `200` only when the reference predicate holds (`rules`);
//! 3. a plainly valid extended CONNECT (every rule, no offers, no policy in play) is
//!    accepted;
//! 4. on an equivalent request the HTTP/1.1 path (`ServerHandshake::feed` on the same
//!    fields as a GET upgrade, `Host` = `:authority`, over TLS when `:scheme` is
//!    `https`) makes the same decision, with the same subprotocol, permessage-deflate
//!    parameters, answered extensions and Origin.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use ws_handshake::{ConnectRequest, ServerFeed, ServerHandshake};

mod front;
use front::{
    connection_specific, elements, h2_name_ok, h2_value_ok, host_name, offered_extension_names,
    plain_value, protocol_allowed, server_setup, ServerSetup, ALLOWED_HOSTS,
};

type Fields = Vec<(Vec<u8>, Vec<u8>)>;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(selector) = u.arbitrary::<u8>() else {
        return;
    };
    let setup = server_setup(selector);
    let fields = front::fields(&mut u);
    // `validate` takes `&str` names: a name that is not UTF-8 cannot be passed.
    let Some(named): Option<Vec<(&str, &[u8])>> = fields
        .iter()
        .map(|(n, v)| Some((std::str::from_utf8(n).ok()?, v.as_slice())))
        .collect()
    else {
        return;
    };
    let result = ConnectRequest::validate(named.iter().map(|(n, v)| (*n, *v)), &setup.config);

    match &result {
        Ok(request) => {
            // Invariant 1.
            let head = request.accept().head();
            assert_eq!(head.status(), Some(200));
            for (name, _) in head.fields() {
                assert!(
                    !connection_specific(name.as_bytes(), b"") && !name.starts_with(':'),
                    "{name} in a 200"
                );
                assert_ne!(name, "sec-websocket-accept");
            }
            // Invariant 2.
            if let Err(rule) = rules(&fields, &setup) {
                panic!("200 over a request that breaks {rule}: {fields:?}");
            }
            let offered = elements(all(&fields, "sec-websocket-protocol"));
            assert!(
                protocol_allowed(&setup, &offered, request.protocol()),
                "subprotocol {:?} from offers {offered:?}",
                request.protocol()
            );
            if request.deflate().is_some() {
                assert!(setup.deflate, "deflate not configured");
                assert!(
                    offered_extension_names(all(&fields, "sec-websocket-extensions"))
                        .iter()
                        .any(|n| n.eq_ignore_ascii_case(b"permessage-deflate")),
                    "deflate not offered"
                );
            }
        }
        Err(e) => {
            // Invariant 3.
            assert!(
                !plainly_valid(&fields, &setup),
                "a plainly valid extended CONNECT refused with {e:?}: {fields:?}"
            );
            assert!(e.status() >= 400, "an error with status {}", e.status());
        }
    }

    // Invariant 4.
    if let Some(bytes) = as_http1(&fields, &setup) {
        let tls = single(&fields, ":scheme").is_some_and(|s| s.eq_ignore_ascii_case(b"https"));
        let mut handshake = ServerHandshake::new(&setup.config).with_tls(tls);
        match (&result, handshake.feed(&bytes)) {
            (Ok(h2), Ok(ServerFeed::Upgrade(h1))) => {
                assert_eq!(h2.protocol(), h1.protocol(), "subprotocol");
                assert_eq!(h2.deflate(), h1.deflate(), "deflate");
                assert_eq!(h2.origin(), h1.origin(), "origin");
                let mut out = Vec::new();
                h1.accept().write_to(&mut out);
                let out = String::from_utf8(out).expect("an ASCII response");
                let answered = |name: &str| {
                    out.split("\r\n").find_map(|l| {
                        let (n, v) = l.split_once(": ")?;
                        n.eq_ignore_ascii_case(name).then(|| v.to_string())
                    })
                };
                let head = h2.accept().head();
                assert_eq!(
                    head.get("sec-websocket-extensions").map(str::to_string),
                    answered("sec-websocket-extensions")
                );
                assert_eq!(
                    head.get("sec-websocket-protocol").map(str::to_string),
                    answered("sec-websocket-protocol")
                );
            }
            (Err(_), Err(_)) => {}
            (h2, h1) => panic!(
                "HTTP/2 {:?} but HTTP/1.1 {:?} for {fields:?}",
                h2.as_ref().map(|_| "200"),
                h1.map(|f| match f {
                    ServerFeed::Upgrade(_) => "101",
                    ServerFeed::Plain(_) => "plain",
                    _ => "need more",
                })
            ),
        }
    }
});

fn all<'a>(fields: &'a Fields, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
    fields
        .iter()
        .filter(move |(n, _)| n == name.as_bytes())
        .map(|(_, v)| v.as_slice())
}

fn single<'a>(fields: &'a Fields, name: &'a str) -> Option<&'a [u8]> {
    let mut it = all(fields, name);
    let first = it.next();
    it.next().is_none().then_some(first).flatten()
}

const PSEUDO: [&str; 5] = [":method", ":protocol", ":scheme", ":path", ":authority"];

/// RFC 8441 §4–5, RFC 9113 §8.2–8.3 and RFC 6455 §4.2.1 as they apply to an extended
/// CONNECT, read plainly: `Err(rule)` names the first broken rule.
fn rules(fields: &Fields, setup: &ServerSetup) -> Result<(), &'static str> {
    if !fields.iter().all(|(_, v)| h2_value_ok(v)) {
        return Err("values without NUL, CR, LF or outer whitespace (RFC 9113 §8.2.1)");
    }
    let first_regular = fields
        .iter()
        .position(|(n, _)| !n.starts_with(b":"))
        .unwrap_or(fields.len());
    if fields[first_regular..]
        .iter()
        .any(|(n, _)| n.starts_with(b":"))
    {
        return Err("pseudo-headers before regular fields (RFC 9113 §8.3)");
    }
    for (n, _) in &fields[..first_regular] {
        if !PSEUDO.iter().any(|p| p.as_bytes() == n.as_slice()) {
            return Err("only request pseudo-headers (RFC 9113 §8.3, RFC 8441 §4)");
        }
    }
    for p in PSEUDO {
        if all(fields, p).count() > 1 {
            return Err("each pseudo-header once (RFC 9113 §8.3)");
        }
    }
    let regular = &fields[first_regular..];
    if regular.len() > setup.header_limit() {
        return Err("the header-count limit");
    }
    for (n, v) in regular {
        if !h2_name_ok(n) {
            return Err("lowercase field names (RFC 9113 §8.2.1)");
        }
        if connection_specific(n, v) {
            return Err("no connection-specific field (RFC 9113 §8.2.2)");
        }
    }
    if single(fields, ":method") != Some(b"CONNECT") {
        return Err(":method CONNECT (RFC 8441 §4)");
    }
    if !single(fields, ":protocol").is_some_and(|p| p.eq_ignore_ascii_case(b"websocket")) {
        return Err(":protocol websocket (RFC 8441 §5)");
    }
    let Some(scheme) = single(fields, ":scheme") else {
        return Err(":scheme present (RFC 8441 §4)");
    };
    if !scheme.eq_ignore_ascii_case(b"https") && !scheme.eq_ignore_ascii_case(b"http") {
        return Err(":scheme http or https (RFC 8441 §5)");
    }
    let Some(path) = single(fields, ":path") else {
        return Err(":path present (RFC 8441 §4)");
    };
    if !path.starts_with(b"/") || path.contains(&b'#') {
        return Err(":path an origin-form target (RFC 9113 §8.3.1)");
    }
    let Some(authority) = single(fields, ":authority") else {
        return Err(":authority present (RFC 8441 §4)");
    };
    if authority.is_empty() || authority.contains(&b'@') {
        return Err(":authority a host[:port] (RFC 9113 §8.3.1)");
    }
    match all(fields, "host").count() {
        0 => {}
        1 => {
            let host = single(fields, "host").unwrap_or_default();
            if host_name(host) != host_name(authority) {
                return Err("host agrees with :authority (RFC 9113 §8.3.1)");
            }
        }
        _ => return Err("host at most once"),
    }
    let lengths: Vec<&[u8]> = all(fields, "content-length").collect();
    if lengths.len() > 1
        || lengths
            .first()
            .is_some_and(|l| l.is_empty() || l.iter().any(|&b| b != b'0'))
    {
        return Err("no content (RFC 9110 §9.3.6)");
    }
    if single(fields, "sec-websocket-version") != Some(b"13") {
        return Err("sec-websocket-version 13 once (RFC 8441 §5, RFC 6455 §4.2.1)");
    }
    // RFC 9110 §10.1.1: 100-continue is the one expectation met (by the 200).
    if !all(fields, "expect").all(|v| front::list_only(v, "100-continue")) {
        return Err("expect: 100-continue only (RFC 9110 §10.1.1)");
    }
    if setup.restricted
        && !ALLOWED_HOSTS
            .iter()
            .any(|h| host_name(authority) == h.as_bytes())
    {
        return Err("the Host allow-list");
    }
    if let Some(origin) = all(fields, "origin").next() {
        if !setup.any_origin {
            // Same-origin policy: the Origin's host is the authority's.
            let origin_host = origin
                .windows(3)
                .position(|w| w == b"://")
                .map(|i| host_name(&origin[i + 3..]));
            if origin_host.as_deref() != Some(host_name(authority).as_slice()) {
                return Err("a same-origin Origin");
            }
        }
    }
    Ok(())
}

/// Every rule holds, every byte is ordinary, nothing is offered and no policy is in
/// play: every server accepts this.
fn plainly_valid(fields: &Fields, setup: &ServerSetup) -> bool {
    let simple_authority = |a: &[u8]| {
        !a.is_empty()
            && a.iter()
                .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.')
    };
    rules(fields, setup).is_ok()
        && fields.iter().all(|(_, v)| plain_value(v))
        && single(fields, ":path").is_some_and(|p| p.iter().all(|&b| b.is_ascii_graphic()))
        && single(fields, ":authority").is_some_and(simple_authority)
        && all(fields, "host").all(simple_authority)
        && all(fields, "sec-websocket-protocol").count() == 0
        && all(fields, "sec-websocket-extensions").count() == 0
        && all(fields, "origin").count() == 0
        && !setup.require_protocol
        && !setup.restricted
}

/// The HTTP/1.1 request with the same meaning, when there is one: a well-formed
/// extended CONNECT (RFC 8441 §5's mapping is then exact: `:authority` is `Host`, the
/// `Upgrade`/`Connection`/`Sec-WebSocket-Key` of RFC 6455 replace `:protocol`), whose
/// fields HTTP/1.1 carries unchanged and whose head fits the HTTP/1.1 limits.
fn as_http1(fields: &Fields, setup: &ServerSetup) -> Option<Vec<u8>> {
    let pseudo = fields
        .iter()
        .take_while(|(n, _)| n.starts_with(b":"))
        .count();
    if pseudo != 5 || PSEUDO.iter().any(|p| single(fields, p).is_none()) {
        return None;
    }
    if single(fields, ":method") != Some(b"CONNECT")
        || !single(fields, ":protocol")?.eq_ignore_ascii_case(b"websocket")
    {
        return None;
    }
    let scheme = single(fields, ":scheme")?;
    if !scheme.eq_ignore_ascii_case(b"https") && !scheme.eq_ignore_ascii_case(b"http") {
        return None;
    }
    let path = single(fields, ":path")?;
    let authority = single(fields, ":authority")?;
    if !path.starts_with(b"/") || !path.iter().all(|&b| b.is_ascii_graphic() && b != b'#') {
        return None;
    }
    if authority.is_empty() || !authority.iter().all(|&b| b.is_ascii_graphic()) {
        return None;
    }
    let regular = &fields[pseudo..];
    for (n, v) in regular {
        if n.starts_with(b":")
            || !h2_name_ok(n)
            || connection_specific(n, v)
            || !plain_value(v)
            // Fields whose HTTP/1.1 meaning differs: Host is `:authority`, the key
            // exchange is RFC 6455's own, a content length is read differently.
            || matches!(
                n.as_slice(),
                b"host"
                    | b"sec-websocket-key"
                    | b"sec-websocket-key1"
                    | b"sec-websocket-key2"
                    | b"sec-websocket-accept"
                    | b"content-length"
            )
        {
            return None;
        }
    }
    // Host, Upgrade, Connection and the key are four more lines in HTTP/1.1.
    if regular.len() + 4 > setup.header_limit() {
        return None;
    }
    let mut out = b"GET ".to_vec();
    out.extend_from_slice(path);
    out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    out.extend_from_slice(authority);
    out.extend_from_slice(
        b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
    );
    for (n, v) in regular {
        out.extend_from_slice(n);
        out.extend_from_slice(b": ");
        out.extend_from_slice(v);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    (out.len() <= setup.head_limit()).then_some(out)
}
