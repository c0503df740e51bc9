//! Arbitrary `http::Request`s (method, version, URI, header list) inspected by the
//! `http` feature's `ws_handshake::http::inspect`, checked against a plain reading of
//! RFC 6455 §4.2.1 and against the byte path (`ServerHandshake::feed`) on the same
//! request as HTTP/1.1 bytes.
//!
//! Input layout: `[config] [method] [version] [uri] field*`: `config` picks a server
//! configuration (`front::server_setup`); method and URI are `front::value`s (a
//! dictionary index or raw bytes); `version % 4` picks HTTP/1.1, HTTP/1.0, HTTP/2 or
//! HTTP/0.9, and `version & 4` a peer that is a trusted proxy (`inspect_with` a trusted proxy
//! and `ServerHandshake::with_trusted_proxy`); fields as in `front::field`. Inputs the `http` crate refuses to build are
//! skipped (hyper would not hand them over either).
//!
//! Invariants (see fuzz/README.md):
//! 1. no panic; a refusal answers its status, a `101` only for an upgrade;
//! 2. an `Upgrade` only when the reference predicate holds (`rules`); `Plain` only
//!    without `Upgrade: websocket`, `Sec-WebSocket-Key` and `Sec-WebSocket-Version`;
//! 3. the byte path makes the same decision on the same request (HTTP/1.x, values
//!    without outer whitespace, which hyper never hands over, head within the limit):
//!    `Plain`/`Upgrade`/the same error, and for an upgrade the same key, host, Origin,
//!    subprotocol and permessage-deflate parameters.
#![no_main]

use arbitrary::Unstructured;
use base64::Engine as _;
use http::{HeaderName, HeaderValue, Method, Request, Uri, Version};
use libfuzzer_sys::fuzz_target;
use ws_handshake::http::{inspect, inspect_with, Inspect, InspectOptions};
use ws_handshake::{Error, ServerFeed, ServerHandshake};

mod front;
use front::{
    elements, host_name, list_has, list_only, offered_extension_names, plain_value,
    protocol_allowed, server_setup, ServerSetup, ALLOWED_HOSTS,
};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let (Ok(selector), Ok(method), Ok(version), Ok(target)) = (
        u.arbitrary::<u8>(),
        front::value(&mut u),
        u.arbitrary::<u8>(),
        front::value(&mut u),
    ) else {
        return;
    };
    let setup = server_setup(selector);
    let trusted = version & 4 != 0;
    let version = [
        Version::HTTP_11,
        Version::HTTP_10,
        Version::HTTP_2,
        Version::HTTP_09,
    ][usize::from(version % 4)];
    let Ok(method) = Method::from_bytes(&method) else {
        return;
    };
    let Ok(uri) = Uri::try_from(target.as_slice()) else {
        return;
    };
    let mut request = Request::new(());
    *request.method_mut() = method;
    *request.version_mut() = version;
    *request.uri_mut() = uri;
    let mut fields = Vec::new();
    for (n, v) in front::fields(&mut u) {
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(&n), HeaderValue::from_bytes(&v))
        else {
            return;
        };
        request.headers_mut().append(name.clone(), value);
        fields.push((name, v));
    }
    let result = if trusted {
        let options = InspectOptions::new().with_trusted_proxy(true);
        inspect_with(&request, &setup.config, options)
    } else {
        inspect(&request, &setup.config)
    };

    match &result {
        Ok(Inspect::Upgrade(upgrade)) => {
            // Invariant 2.
            if let Err(rule) = rules(&request, &setup, trusted) {
                panic!("101 over a request that breaks {rule}: {request:?}");
            }
            let offered = elements(all(&request, "sec-websocket-protocol"));
            assert!(
                protocol_allowed(&setup, &offered, upgrade.protocol()),
                "subprotocol {:?} from {offered:?}",
                upgrade.protocol()
            );
            if upgrade.deflate().is_some() {
                assert!(setup.deflate, "deflate not configured");
                assert!(
                    offered_extension_names(all(&request, "sec-websocket-extensions"))
                        .iter()
                        .any(|n| n.eq_ignore_ascii_case(b"permessage-deflate"))
                );
            }
            // Invariant 1.
            let response = upgrade.accept().to_http_response();
            assert_eq!(response.status(), 101);
        }
        Ok(Inspect::Plain) => {
            assert!(
                !all(&request, "upgrade").any(|v| list_has(v, "websocket"))
                    && all(&request, "sec-websocket-key").count() == 0
                    && all(&request, "sec-websocket-version").count() == 0,
                "a WebSocket request taken for a plain one: {request:?}"
            );
        }
        Err(e) => {
            let response = e.rejection().to_http_response();
            assert_eq!(response.status().as_u16(), e.status());
            assert!(e.status() >= 400);
        }
    }

    // Invariant 3.
    let minor = match version {
        Version::HTTP_11 => 1,
        Version::HTTP_10 => 0,
        _ => return,
    };
    // What an HTTP/1.1 server hands over: a request-target of visible ASCII (the
    // `http` crate also takes other bytes, e.g. after a `#`, that no request line has)
    // and values without outer whitespace.
    // `http::Uri` drops a fragment (`#...`), which the byte path refuses (RFC 6455 §3):
    // such a target never reaches an `http::Request` as sent.
    let plain_target = target.iter().all(|b| b.is_ascii_graphic() && *b != b'#');
    if !plain_target || !fields.iter().all(|(_, v)| plain_value(v)) {
        return;
    }
    let mut bytes = request.method().as_str().as_bytes().to_vec();
    bytes.push(b' ');
    bytes.extend_from_slice(&target);
    bytes.extend_from_slice(format!(" HTTP/1.{minor}\r\n").as_bytes());
    for (name, value) in &fields {
        bytes.extend_from_slice(name.as_str().as_bytes());
        bytes.extend_from_slice(b": ");
        bytes.extend_from_slice(value);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"\r\n");
    if bytes.len() > setup.head_limit() {
        return;
    }
    let mut handshake = ServerHandshake::new(&setup.config).with_trusted_proxy(trusted);
    match (&result, handshake.feed(&bytes)) {
        (Ok(Inspect::Plain), Ok(ServerFeed::Plain(_))) => {}
        // Not a WebSocket request: the byte path still parses it and refuses what its
        // HTTP/1.1 parser refuses; an `http::Request` was parsed (and limited) by the
        // HTTP server already, and `inspect` leaves it to that server.
        (Ok(Inspect::Plain), Err(Error::TooManyHeaders { .. } | Error::Malformed(_))) => {}
        (Ok(Inspect::Upgrade(a)), Ok(ServerFeed::Upgrade(b))) => {
            assert_eq!(a.key(), b.key(), "key");
            assert_eq!(a.host(), b.host(), "host");
            assert_eq!(a.origin(), b.origin(), "origin");
            assert_eq!(a.protocol(), b.protocol(), "subprotocol");
            assert_eq!(a.deflate(), b.deflate(), "deflate");
        }
        (Err(a), Err(b)) => assert_eq!(*a, b, "the same error for {bytes:?}"),
        (a, b) => panic!(
            "http::inspect {:?} but the byte path {:?} for {:?}",
            a.as_ref().map(|i| matches!(i, Inspect::Upgrade(_))),
            b.map(|f| match f {
                ServerFeed::Upgrade(_) => "upgrade",
                ServerFeed::Plain(_) => "plain",
                _ => "need more",
            }),
            String::from_utf8_lossy(&bytes)
        ),
    }
});

fn all<'a, B>(request: &'a Request<B>, name: &str) -> impl Iterator<Item = &'a [u8]> + 'a {
    request
        .headers()
        .get_all(name)
        .into_iter()
        .map(HeaderValue::as_bytes)
}

fn single<'a, B>(request: &'a Request<B>, name: &str) -> Option<&'a [u8]> {
    let mut it = all(request, name);
    let first = it.next();
    it.next().is_none().then_some(first).flatten()
}

/// RFC 6455 §4.2.1 and the configuration's policies, read plainly on the request's
/// parts: `Err(rule)` names the first broken rule.
fn rules<B>(request: &Request<B>, setup: &ServerSetup, trusted: bool) -> Result<(), &'static str> {
    let trim = front::trim;
    if request.method() != Method::GET {
        return Err("method GET (§4.2.1 item 1)");
    }
    if request.version() != Version::HTTP_11 {
        return Err("HTTP/1.1 (§4.2.1 item 1)");
    }
    let uri = request.uri();
    if uri.scheme().is_none() && !uri.path().starts_with('/') {
        return Err("an origin-form or absolute-form target (§4.2.1 item 1)");
    }
    if request.headers().len() > setup.header_limit() {
        return Err("the header-count limit");
    }
    let Some(host) = single(request, "host").map(trim) else {
        return Err("Host once (§4.2.1 item 2)");
    };
    if host.is_empty() {
        return Err("a Host (§4.2.1 item 2)");
    }
    if !all(request, "upgrade").any(|v| list_has(v, "websocket")) {
        return Err("Upgrade: websocket (§4.2.1 item 3)");
    }
    if !all(request, "connection").any(|v| list_has(v, "upgrade")) {
        return Err("Connection: upgrade (§4.2.1 item 4)");
    }
    let key = single(request, "sec-websocket-key").map(trim);
    let decoded = key.and_then(|k| base64::engine::general_purpose::STANDARD.decode(k).ok());
    if key.is_none_or(|k| k.len() != 24) || decoded.is_none_or(|d| d.len() != 16) {
        return Err("Sec-WebSocket-Key once, 16 bytes in base64 (§4.2.1 item 5)");
    }
    if single(request, "sec-websocket-version").map(trim) != Some(b"13") {
        return Err("Sec-WebSocket-Version: 13 once (§4.2.1 item 6)");
    }
    if request.headers().contains_key("transfer-encoding") {
        return Err("no body (bytes after the head are frames)");
    }
    // `1*DIGIT` (RFC 9110 §8.6): any run of zeros is a length of 0.
    let lengths: Vec<&[u8]> = all(request, "content-length").collect();
    let zero = |v: &[u8]| !v.is_empty() && v.iter().all(|&b| b == b'0');
    if !(lengths.is_empty() || (lengths.len() == 1 && zero(lengths[0]))) {
        return Err("no body (Content-Length 0 at most)");
    }
    // RFC 9110 §10.1.1: 100-continue is the one expectation met (by the 101).
    if !all(request, "expect").all(|v| list_only(v, "100-continue")) {
        return Err("Expect: 100-continue only (RFC 9110 §10.1.1)");
    }
    // The effective authority: the absolute-form target's, else Host (RFC 9112 §3.2.2).
    let authority = uri
        .authority()
        .map_or(host.to_vec(), |a| a.as_str().as_bytes().to_vec());
    if setup.restricted
        && !ALLOWED_HOSTS
            .iter()
            .any(|h| host_name(&authority) == h.as_bytes())
    {
        return Err("the Host allow-list");
    }
    if let Some(origin) = all(request, "origin").next() {
        if !setup.any_origin {
            let origin_host = origin
                .windows(3)
                .position(|w| w == b"://")
                .map(|i| host_name(&origin[i + 3..]));
            // Behind a trusted proxy the host the client reached may come from the
            // proxy's fields instead (RFC 7239 §5.3, X-Forwarded-Host).
            let reached = |h: &[u8]| origin_host.as_deref() == Some(host_name(h).as_slice());
            if !reached(&authority)
                && !(trusted && forwarded_hosts(request).iter().any(|h| reached(h)))
            {
                return Err("a same-origin Origin");
            }
        }
    }
    Ok(())
}

/// Every host a trusted proxy may have stated, read plainly: each `host=` of every
/// `Forwarded` element (quotes stripped) and each `X-Forwarded-Host` value. A superset
/// of the one the crate picks (the right-most), so a 101 whose Origin matches none of
/// them breaks the rule whatever the pick.
fn forwarded_hosts<B>(request: &Request<B>) -> Vec<Vec<u8>> {
    let trim = front::trim;
    let mut hosts = Vec::new();
    for line in all(request, "forwarded") {
        for pair in line.split(|&b| b == b',' || b == b';') {
            let pair = trim(pair);
            if pair.len() > 5 && pair[..5].eq_ignore_ascii_case(b"host=") {
                let value = &pair[5..];
                let value = value.strip_prefix(b"\"").unwrap_or(value);
                let value = value.strip_suffix(b"\"").unwrap_or(value);
                hosts.push(value.to_vec());
            }
        }
    }
    for line in all(request, "x-forwarded-host") {
        hosts.extend(line.split(|&b| b == b',').map(|h| trim(h).to_vec()));
    }
    hosts
}
