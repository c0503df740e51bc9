//! Arbitrary bytes, fed to a server handshake in an arbitrary chunking, answered, and
//! checked against an independent reading of RFC 6455 §4.2.1.
//!
//! Input layout: `[config] [n] [size_1 .. size_n] request...`
//! - `config` picks one of 256 server configurations (see [`config`]);
//! - `n & 7` chunk sizes follow (one byte each, 0 allowed: an empty read), the rest of
//!   the request is fed as a last chunk; `n & 8` says the peer is a trusted proxy
//!   (`ServerHandshake::with_trusted_proxy`); `n & 16` turns on the hardening
//!   `host_must_match_target` (an absolute-form target's authority must be `Host`'s).
//!
//! Invariants (see fuzz/README.md):
//! 1. the outcome (variant, error, leftover, written response) equals feeding the bytes whole;
//! 2. every written response is exactly one valid HTTP/1.1 response (httparse), CRLF only,
//!    101 without a body, or the error's status with a matching Content-Length;
//! 3. a 101 only when the reference predicate below holds; a plainly valid request is
//!    never refused; a Plain request carries no WebSocket header;
//! 4. the chosen subprotocol was offered, is supported and follows the configured order;
//!    an extension is answered only if configured and offered;
//! 5. `Sec-WebSocket-Accept` = base64(sha1(key ++ GUID)), computed here;
//! 6. `buffered()` ≤ head limit, `heap_bytes()` ≤ head limit + the chunk just fed;
//! 7. `encoded_len`/`encode` agree with `write_to`; feeding after an error repeats it;
//!    feeding after an upgrade is `Error::Misuse(Misuse::FedAfterOutcome)` (the bytes after it are frames);
//! 8. trust in the peer changes nothing unless the request has an `Origin` and a
//!    forwarded field; behind a trusted proxy, a same-origin 101 has well-formed
//!    `Forwarded` lines (RFC 7239 §4, read plainly below) whose right-most `proto`/`host`
//!    (and `X-Forwarded-*`) agree with the `Origin`; `ForwardedInvalid` only when a line
//!    or a right-most value is not plainly valid; `ForwardedConflict` only when both
//!    families are present.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ws_handshake::deflate::{DeflateConfig, PerMessageDeflate};
use ws_handshake::extension::Extension;
use ws_handshake::{
    Error, ExtensionParams, Limits, Misuse, OriginPolicy, ProtocolOrder, ServerConfig, ServerFeed,
    ServerHandshake,
};

mod common;
use common::{
    chunking, complete_head, expected_accept, find, is_tchar, list_has, list_only, read_head, trim,
    Headers, MAX_EMPTY_LIST_ELEMENTS,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some((&n_byte, rest)) = rest.split_first() else {
        return;
    };
    let trusted = n_byte & 8 != 0;
    let n = usize::from(n_byte & 7).min(rest.len());
    let (sizes, request) = rest.split_at(n);
    let setup = config(selector, n_byte & 16 != 0);
    let limit = setup.config.limits().max_head_bytes();

    // Invariant 1: the chunked outcome equals the whole one.
    let chunks = chunking(sizes, request);
    let chunked = run(&setup.config, &chunks, limit, trusted);
    let whole = run(&setup.config, &[request], limit, trusted);
    assert_eq!(chunked, whole, "outcome depends on the chunking {sizes:?}");

    // Invariant 8: trust matters only for an Origin beside a forwarded field.
    let has = |needle: &[u8]| {
        request
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    if trusted && !(has(b"origin") && has(b"forwarded")) {
        let untrusted = run(&setup.config, &[request], limit, false);
        assert_eq!(
            whole, untrusted,
            "trust changed a request without forwarded fields"
        );
    }

    check(&setup, request, &whole, trusted);
});

/// A server configuration and the facts the checks need about it.
struct Setup {
    config: ServerConfig,
    protocols: &'static [&'static str],
    order: ProtocolOrder,
    deflate: bool,
    custom: bool,
    require_protocol: bool,
    restricted: bool,
    any_origin: bool,
    /// `host_must_match_target`: RFC 9112 §3.2.2 says to ignore `Host`; this refuses.
    strict_host: bool,
}

fn config(selector: u8, strict_host: bool) -> Setup {
    let bit = |i: u8| selector & (1 << i) != 0;
    let deflate = match selector & 3 {
        0 => None,
        1 | 3 => Some(DeflateConfig::new()),
        _ => Some(
            DeflateConfig::new()
                .server_max_window_bits(12)
                .client_max_window_bits(10)
                .server_no_context_takeover(true),
        ),
    };
    let (protocols, order): (&'static [&'static str], _) = match (selector >> 2) & 3 {
        0 => (&[], ProtocolOrder::ServerPreference),
        1 => (&["chat"], ProtocolOrder::ServerPreference),
        2 => (&["superchat", "chat"], ProtocolOrder::ServerPreference),
        _ => (&["chat", "superchat"], ProtocolOrder::ClientPreference),
    };
    let require_protocol = bit(4);
    // Selector 3: a custom extension configured before permessage-deflate.
    let custom = selector & 3 == 3;
    let mut config = ServerConfig::new();
    if custom {
        config = config.extension(CUSTOM, echo_hook).expect("static name");
    }
    let mut config = config
        .deflate(deflate)
        .protocols(protocols)
        .expect("static tokens")
        .protocol_order(order)
        .require_protocol(require_protocol)
        .host_must_match_target(strict_host);
    if bit(5) {
        config = config.with_limits(
            Limits::default()
                .with_max_head_bytes(256)
                .with_max_headers(8),
        );
    }
    if bit(6) {
        config = config.origin_policy(OriginPolicy::Any);
    }
    if bit(7) {
        config = config
            .allowed_hosts(["127.0.0.1", "example.com"])
            .expect("static hosts");
    }
    Setup {
        config,
        protocols,
        order,
        deflate: deflate.is_some(),
        custom,
        require_protocol,
        restricted: bit(7),
        any_origin: bit(6),
        strict_host,
    }
}

/// The custom extension of selector 3.
const CUSTOM: &str = "x-echo";

/// Accepts an offer by echoing its parameters, unless it has one named `decline`.
fn echo_hook(offer: &Extension<'_>) -> Option<ExtensionParams> {
    let mut params = ExtensionParams::new();
    for p in offer.params() {
        let p = p.expect("offers reach hooks parsed");
        params = match p.value() {
            _ if p.name() == "decline" => return None,
            Some(v) => params.value(p.name(), &v.to_string()).ok()?,
            None => params.flag(p.name()).ok()?,
        };
    }
    Some(params)
}

/// What feeding produced, owned, so two runs can be compared.
#[derive(Debug, PartialEq)]
enum Outcome {
    NeedMore,
    Upgrade {
        response: Vec<u8>,
        leftover: Vec<u8>,
        key: String,
        host: String,
        authority: String,
        protocol: Option<String>,
        deflate: Option<PerMessageDeflate>,
    },
    Plain {
        response: Vec<u8>,
        leftover: Vec<u8>,
        method: String,
        target: String,
    },
    Rejected {
        error: Error,
        response: Vec<u8>,
    },
}

fn run(config: &ServerConfig, chunks: &[&[u8]], limit: usize, trusted: bool) -> Outcome {
    let mut hs = ServerHandshake::new(config).with_trusted_proxy(trusted);
    for (i, chunk) in chunks.iter().enumerate() {
        // What the caller would read after this chunk: its leftover continues there.
        let later: Vec<u8> = chunks.get(i + 1..).unwrap_or_default().concat();
        let outcome = match hs.feed(chunk) {
            Ok(ServerFeed::NeedMore) => Outcome::NeedMore,
            Ok(ServerFeed::Upgrade(upgrade)) => {
                let accept = upgrade.accept();
                let response = written(
                    accept.encoded_len(),
                    |b| accept.encode(b),
                    |v| accept.write_to(v),
                );
                Outcome::Upgrade {
                    response,
                    leftover: [upgrade.leftover(), &later].concat(),
                    key: upgrade.key().to_owned(),
                    host: upgrade.host().to_owned(),
                    authority: upgrade.authority().to_owned(),
                    protocol: upgrade.protocol().map(str::to_owned),
                    deflate: upgrade.deflate(),
                }
            }
            Ok(ServerFeed::Plain(request)) => {
                let refusal = request.reject();
                let response = written(
                    refusal.encoded_len(),
                    |b| refusal.encode(b),
                    |v| refusal.write_to(v),
                );
                Outcome::Plain {
                    response,
                    leftover: [request.leftover(), &later].concat(),
                    method: request.method().to_owned(),
                    target: request.target().to_owned(),
                }
            }
            Err(error) => {
                let rejection = error.rejection();
                let response = written(
                    rejection.encoded_len(),
                    |b| rejection.encode(b),
                    |v| rejection.write_to(v),
                );
                Outcome::Rejected { error, response }
            }
        };
        // Invariant 6: memory held is bounded by the limit (plus the chunk in hand).
        assert!(
            hs.buffered() <= limit,
            "buffered {} > {limit}",
            hs.buffered()
        );
        assert!(
            hs.heap_bytes() <= limit + chunk.len(),
            "heap {} > {limit} + {}",
            hs.heap_bytes(),
            chunk.len()
        );
        match outcome {
            Outcome::NeedMore => continue,
            Outcome::Rejected { error, .. } => {
                // Invariant 7: a failed handshake stays failed.
                assert_eq!(hs.feed(b"GET / HTTP/1.1\r\n\r\n").err(), Some(error));
                return outcome;
            }
            Outcome::Upgrade { .. } => {
                // Invariant 7: an upgraded handshake is finished, whatever follows.
                assert_eq!(
                    hs.feed(&later).err(),
                    Some(Error::Misuse(Misuse::FedAfterOutcome))
                );
                assert_eq!(
                    hs.feed(b"GET / HTTP/1.1\r\n\r\n").err(),
                    Some(Error::Misuse(Misuse::FedAfterOutcome))
                );
                return outcome;
            }
            _ => return outcome,
        }
    }
    Outcome::NeedMore
}

/// Writes a message three ways and checks they agree (invariant 7).
fn written(
    len: usize,
    encode: impl Fn(&mut [u8]) -> Result<usize, ws_handshake::BufferTooSmall>,
    write_to: impl Fn(&mut Vec<u8>),
) -> Vec<u8> {
    let mut out = Vec::new();
    write_to(&mut out);
    assert_eq!(out.len(), len, "encoded_len disagrees with write_to");
    let mut buf = vec![0u8; len];
    assert_eq!(encode(&mut buf), Ok(len));
    assert_eq!(buf, out, "encode disagrees with write_to");
    if let Some(short) = len.checked_sub(1) {
        let mut small = vec![0xAAu8; short];
        assert_eq!(
            encode(&mut small),
            Err(ws_handshake::BufferTooSmall { required: len })
        );
        assert!(
            small.iter().all(|&b| b == 0xAA),
            "encode wrote into a short buffer"
        );
    }
    out
}

fn check(setup: &Setup, request: &[u8], outcome: &Outcome, trusted: bool) {
    let limit = setup.config.limits().max_head_bytes();
    match outcome {
        Outcome::NeedMore => {
            assert!(request.len() <= limit, "NeedMore past the head limit");
            assert!(
                find(request, b"\r\n\r\n").is_none(),
                "NeedMore on a complete head"
            );
            assert!(crlf_only(request), "NeedMore over a bare LF");
        }
        Outcome::Rejected { error, response } => {
            let r = parse_response(response);
            assert_eq!(r.status, error.status(), "{error:?}");
            check_rejection(&r, response);
            if let Error::ForwardedInvalid | Error::ForwardedConflict(_) = error {
                // Invariant 8: only from a trusted proxy, only for a complete head.
                assert!(trusted, "{error:?} from an untrusted peer");
                let head = complete_head(request).and_then(Reference::read);
                let reference = head.expect("forwarded fields are read from a complete head");
                let fields = ForwardedFields::read(&reference);
                if *error == Error::ForwardedInvalid {
                    assert!(
                        !fields.plainly_valid(),
                        "ForwardedInvalid for plainly valid fields"
                    );
                } else {
                    assert!(
                        fields.two_statements(),
                        "ForwardedConflict without two statements of a part"
                    );
                }
            }
            // 414 or 431 (RFC 9110 §15.5.15): whether a line other than one leading
            // empty line ended within the limit.
            let within = &request[..request.len().min(limit)];
            let line_ended = within.iter().enumerate().any(|(i, &b)| b == b'\n' && i > 1);
            match error {
                Error::RequestLineTooLong { .. } => assert!(!line_ended, "414 after a line"),
                Error::HeadTooLarge { .. } => assert!(line_ended, "431 before any line"),
                _ => {}
            }
        }
        Outcome::Plain {
            response,
            leftover,
            method,
            target,
        } => {
            let head = &request[..request.len() - leftover.len()];
            let reference = Reference::read(head).expect("a Plain head is well-formed");
            assert_eq!(&reference.method, method);
            assert_eq!(&reference.target, target);
            assert!(
                !reference.wants_websocket(),
                "a WebSocket request came out Plain"
            );
            if let Err(rule) = reference.rfc9112_6_3() {
                panic!("Plain for a request that breaks {rule}");
            }
            let r = parse_response(response);
            assert_eq!(r.status, 426);
            check_rejection(&r, response);
        }
        Outcome::Upgrade {
            response,
            leftover,
            key,
            host,
            authority,
            protocol,
            deflate,
        } => {
            let head = &request[..request.len() - leftover.len()];
            assert!(head.len() <= limit, "upgrade past the head limit");
            // Invariant 3: the reference predicate agrees.
            let reference = Reference::read(head).expect("an accepted head is well-formed");
            if let Err(rule) = reference.rfc6455_4_2_1(setup.strict_host) {
                panic!("101 for a request that breaks {rule}");
            }
            assert_eq!(reference.single("sec-websocket-key"), Some(key.as_bytes()));
            assert_eq!(reference.single("host"), Some(host.as_bytes()));
            // RFC 9112 §3.2.2: the target's authority, when absolute-form, else Host.
            let effective = reference.target_authority().unwrap_or(host.as_bytes());
            assert_eq!(authority.as_bytes(), effective, "effective authority");
            if trusted && !setup.any_origin {
                if let Some(origin) = reference.single("origin") {
                    ForwardedFields::read(&reference).check_same_origin(origin);
                }
            }
            check_upgrade(
                setup,
                &reference,
                response,
                key,
                protocol.as_deref(),
                *deflate,
            );
        }
    }
    // Invariant 3, the other way: a plainly valid request is accepted.
    if let Some(reference) = complete_head(request).and_then(Reference::read) {
        if reference.plainly_valid(setup) {
            assert!(
                matches!(outcome, Outcome::Upgrade { .. }),
                "a plainly valid request was not accepted: {outcome:?}"
            );
        }
    }
}

fn check_upgrade(
    setup: &Setup,
    reference: &Reference,
    response: &[u8],
    key: &str,
    protocol: Option<&str>,
    deflate: Option<PerMessageDeflate>,
) {
    let r = parse_response(response);
    assert_eq!(r.status, 101);
    assert_eq!(r.head_len, response.len(), "a 101 has no body");
    assert_eq!(r.all("content-length").count(), 0);
    assert!(r
        .single("upgrade")
        .is_some_and(|v| v.eq_ignore_ascii_case(b"websocket")));
    assert!(r
        .single("connection")
        .is_some_and(|v| v.eq_ignore_ascii_case(b"upgrade")));
    // Invariant 5.
    assert_eq!(
        r.single("sec-websocket-accept"),
        Some(expected_accept(key).as_bytes())
    );

    // Invariant 4: subprotocol.
    let offered: Vec<&[u8]> = reference.list("sec-websocket-protocol").collect();
    let answered = r.all("sec-websocket-protocol").collect::<Vec<_>>();
    assert!(answered.len() <= 1, "several Sec-WebSocket-Protocol lines");
    assert_eq!(answered.first().copied(), protocol.map(str::as_bytes));
    let supported = |p: &[u8]| setup.protocols.iter().any(|s| s.as_bytes() == p);
    let expected = match setup.order {
        ProtocolOrder::ServerPreference => setup
            .protocols
            .iter()
            .map(|s| s.as_bytes())
            .find(|s| offered.contains(s)),
        _ => offered.iter().copied().find(|p| supported(p)),
    };
    assert_eq!(protocol.map(str::as_bytes), expected, "offered {offered:?}");
    if let Some(p) = protocol {
        assert!(offered.contains(&p.as_bytes()) && supported(p.as_bytes()));
    } else {
        assert!(
            !setup.require_protocol,
            "required protocol missing from a 101"
        );
    }

    // Invariant 4: extensions only if configured and offered, once each, in the
    // configured order, deflate as the typed value says.
    let answered = r.all("sec-websocket-extensions").collect::<Vec<_>>();
    assert!(
        answered.len() <= 1,
        "several Sec-WebSocket-Extensions lines"
    );
    let elements: Vec<&[u8]> = answered
        .first()
        .map(|v| v.split(|&b| b == b',').map(trim).collect())
        .unwrap_or_default();
    let offered_names: Vec<&[u8]> = reference
        .list("sec-websocket-extensions")
        .map(extension_name)
        .collect();
    let mut names: Vec<&[u8]> = Vec::new();
    for element in &elements {
        let name = extension_name(element);
        assert!(
            offered_names.iter().any(|o| o.eq_ignore_ascii_case(name)),
            "extension {:?} answered but never offered",
            String::from_utf8_lossy(name)
        );
        assert!(
            !names.iter().any(|n| n.eq_ignore_ascii_case(name)),
            "answered twice"
        );
        names.push(name);
        if name.eq_ignore_ascii_case(b"permessage-deflate") {
            assert!(setup.deflate, "deflate negotiated while disabled");
            let typed = deflate.map(|d| d.to_string());
            assert_eq!(Some(*element), typed.as_deref().map(str::as_bytes));
        } else {
            assert!(setup.custom && name.eq_ignore_ascii_case(CUSTOM.as_bytes()));
        }
    }
    let has_deflate = names
        .iter()
        .any(|n| n.eq_ignore_ascii_case(b"permessage-deflate"));
    assert_eq!(
        has_deflate,
        deflate.is_some(),
        "typed value and response disagree"
    );
    if let [first, _] = names[..] {
        // The custom extension was configured first: it is applied, and listed, first.
        assert!(first.eq_ignore_ascii_case(CUSTOM.as_bytes()));
    }
}

/// Rules every refusal follows: one response, `Connection: close`, the version we
/// speak, a Content-Length that is the body's exact length.
fn check_rejection(r: &Parsed, response: &[u8]) {
    assert!((300..=599).contains(&r.status));
    let lengths: Vec<&[u8]> = r.all("content-length").collect();
    assert_eq!(lengths.len(), 1, "one Content-Length");
    let length: usize = std::str::from_utf8(lengths[0])
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("decimal Content-Length");
    assert_eq!(
        response.len() - r.head_len,
        length,
        "Content-Length is the body's length"
    );
    assert!(
        r.all("connection").any(|v| list_has(v, "close")),
        "a refusal closes"
    );
    assert_eq!(r.single("sec-websocket-version"), Some(&b"13"[..]));
    if r.status == 426 {
        assert!(r.all("upgrade").any(|v| list_has(v, "websocket")));
    }
    if r.status == 405 {
        assert_eq!(r.single("allow"), Some(&b"GET"[..]));
    }
}

struct Parsed {
    status: u16,
    head_len: usize,
    headers: Vec<(String, Vec<u8>)>,
}

impl Parsed {
    fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    fn single<'s>(&'s self, name: &'s str) -> Option<&'s [u8]> {
        let mut all = self.all(name);
        let first = all.next();
        assert!(all.next().is_none(), "{name} written twice");
        first
    }
}

/// Invariant 2: exactly one HTTP/1.1 response, CRLF line endings.
fn parse_response(out: &[u8]) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut resp = httparse::Response::new(&mut headers);
    let head_len = match resp.parse(out) {
        Ok(httparse::Status::Complete(n)) => n,
        other => panic!(
            "not a response: {other:?}: {:?}",
            String::from_utf8_lossy(out)
        ),
    };
    assert_eq!(resp.version, Some(1), "HTTP/1.1");
    assert!(crlf_only(&out[..head_len]), "bare LF in the response head");
    assert!(out[..head_len].ends_with(b"\r\n\r\n"));
    let status = resp.code.expect("status");
    let headers = resp
        .headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect();
    Parsed {
        status,
        head_len,
        headers,
    }
}

/// The request, read plainly (no httparse), for the reference checks.
struct Reference {
    method: String,
    target: String,
    version: Vec<u8>,
    headers: Headers,
    head_len: usize,
}

impl Reference {
    /// The request line split at its spaces, and the header lines (see [`read_head`]).
    fn read(head: &[u8]) -> Option<Self> {
        let (request_line, headers) = read_head(head)?;
        let mut parts = request_line.split(|&b| b == b' ');
        let method = String::from_utf8(parts.next()?.to_vec()).ok()?;
        let target = String::from_utf8(parts.next()?.to_vec()).ok()?;
        let version = parts.next()?.to_vec();
        if parts.next().is_some() {
            return None;
        }
        Some(Self {
            method,
            target,
            version,
            headers,
            head_len: head.len(),
        })
    }

    fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| v.as_slice())
    }

    fn count(&self, name: &str) -> usize {
        self.all(name).count()
    }

    /// The value of a header that appears exactly once.
    fn single<'s>(&'s self, name: &'s str) -> Option<&'s [u8]> {
        (self.count(name) == 1)
            .then(|| self.all(name).next())
            .flatten()
    }

    /// Every comma-separated element of every `name` line, trimmed, empty ones dropped.
    fn list<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.all(name)
            .flat_map(|v| v.split(|&b| b == b','))
            .map(trim)
            .filter(|e| !e.is_empty())
    }

    fn wants_websocket(&self) -> bool {
        self.all("upgrade").any(|v| list_has(v, "websocket"))
            || [
                "sec-websocket-key",
                "sec-websocket-version",
                "sec-websocket-key1",
                "sec-websocket-key2",
            ]
            .iter()
            .any(|n| self.count(n) > 0)
    }

    /// RFC 6455 §4.2.1, plainly: `Err(rule)` names the first rule broken.
    fn rfc6455_4_2_1(&self, strict_host: bool) -> Result<(), &'static str> {
        self.rfc9112_6_3()?;
        if self.method != "GET" {
            return Err("method GET");
        }
        // RFC 9110 §6.2: a higher HTTP/1.x minor version is processed as HTTP/1.1.
        if !matches!(
            self.version[..],
            [b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'1'..=b'9']
        ) {
            return Err("HTTP/1.1 or a higher 1.x");
        }
        if self.count("host") != 1 {
            return Err("Host exactly once");
        }
        self.rfc9112_3_2_2(strict_host)?;
        if !self.all("upgrade").any(|v| list_has(v, "websocket")) {
            return Err("Upgrade: websocket");
        }
        if !self.all("connection").any(|v| list_has(v, "upgrade")) {
            return Err("Connection: upgrade");
        }
        match self.single("sec-websocket-key") {
            Some(k) if is_base64_of_16_bytes(k) => {}
            _ => return Err("Sec-WebSocket-Key: base64 of 16 bytes, once"),
        }
        if self.single("sec-websocket-version") != Some(b"13") {
            return Err("Sec-WebSocket-Version: 13, once");
        }
        // `Content-Length = 1*DIGIT` (RFC 9110 §8.6): any run of zeros says "no body".
        let zero = |v: &[u8]| !v.is_empty() && v.iter().all(|&b| b == b'0');
        if self.count("transfer-encoding") > 0
            || self.all("content-length").any(|v| !zero(v))
            || self.count("content-length") > 1
        {
            return Err("no body");
        }
        // RFC 9110 §10.1.1: 100-continue is the one expectation met (by the 101).
        if !self.all("expect").all(|v| list_only(v, "100-continue")) {
            return Err("Expect: 100-continue only");
        }
        Ok(())
    }

    /// RFC 9112 §6.3 (and §6.1 for HTTP/1.0), plainly: the framing can be read. One
    /// `Content-Length` of digits; `Transfer-Encoding` ending in `chunked`, without
    /// `Content-Length`, not in HTTP/1.0.
    fn rfc9112_6_3(&self) -> Result<(), &'static str> {
        let lengths: Vec<&[u8]> = self.all("content-length").collect();
        if lengths.len() > 1
            || lengths
                .iter()
                .any(|v| v.is_empty() || !v.iter().all(u8::is_ascii_digit))
        {
            return Err("one Content-Length of digits");
        }
        if let Some(last) = self.all("transfer-encoding").last() {
            let final_coding = last
                .split(|&b| b == b',')
                .map(trim)
                .filter(|e| !e.is_empty())
                .last();
            if !lengths.is_empty()
                || !final_coding.is_some_and(|c| c.eq_ignore_ascii_case(b"chunked"))
                || self.version == b"HTTP/1.0"
            {
                return Err("Transfer-Encoding ending in chunked, alone, in HTTP/1.1");
            }
        }
        Ok(())
    }

    /// The authority of an absolute-form target (`scheme://authority[/path][?query]`).
    fn target_authority(&self) -> Option<&[u8]> {
        if self.target.starts_with('/') {
            return None;
        }
        let (_, rest) = self.target.split_once("://")?;
        rest.split(['/', '?']).next().map(str::as_bytes)
    }

    /// RFC 9112 §3.2.2 as the crate applies it: an absolute-form target is a `ws`,
    /// `wss`, `http` or `https` URI whose authority (no userinfo) is valid; the `Host`
    /// value is ignored, unless `strict_host` (the hardening) wants it to name the same
    /// host and port, a missing (or empty) port being the scheme's default.
    fn rfc9112_3_2_2(&self, strict_host: bool) -> Result<(), &'static str> {
        if self.target.starts_with('/') {
            return Ok(());
        }
        let scheme = self.target.split_once("://").ok_or("target form")?.0;
        let default = match scheme.to_ascii_lowercase().as_str() {
            "ws" | "http" => 80,
            "wss" | "https" => 443,
            _ => return Err("absolute-form scheme ws, wss, http or https"),
        };
        // host, port (default filled in); the port is what follows the last `:`
        // unless the authority ends in an IPv6 literal's `]`.
        let split = |a: &[u8]| -> Option<(Vec<u8>, u32)> {
            let (host, port) = match a.iter().rposition(|&b| b == b':') {
                Some(i) if !a.ends_with(b"]") => (&a[..i], &a[i + 1..]),
                _ => (a, &b""[..]),
            };
            // RFC 3986 §3.2.3: `*DIGIT`, its value at most 65535 (leading zeros fine).
            let port = match port {
                [] => default,
                digits if digits.iter().all(u8::is_ascii_digit) => {
                    let significant: Vec<u8> =
                        digits.iter().copied().skip_while(|&d| d == b'0').collect();
                    if significant.len() > 5 {
                        return None;
                    }
                    std::str::from_utf8(&significant)
                        .ok()?
                        .parse::<u32>()
                        .unwrap_or(0)
                }
                _ => return None,
            };
            if port > 65535 {
                return None;
            }
            (!host.is_empty() && !host.contains(&b'@')).then(|| (host.to_ascii_lowercase(), port))
        };
        let target = self.target_authority().and_then(split);
        let host = self.single("host").and_then(split);
        match (target, host) {
            (Some(_), _) if !strict_host => Ok(()),
            (Some(t), Some(h)) if t == h => Ok(()),
            (None, _) => Err("absolute-form authority host[:port]"),
            _ => Err("absolute-form authority = Host (hardening)"),
        }
    }

    /// A request so plainly valid that any refusal is a bug: every rule holds, every
    /// byte is ordinary, and nothing is left to a policy (no Origin, no offers, a
    /// simple Host and target, within the limits).
    fn plainly_valid(&self, setup: &Setup) -> bool {
        let limits = setup.config.limits();
        let simple_value = |v: &[u8]| v.iter().all(|&b| (0x20..0x7f).contains(&b) || b == b'\t');
        let simple_host = |h: &[u8]| {
            let (name, port) = match h.iter().position(|&b| b == b':') {
                Some(i) => (&h[..i], Some(&h[i + 1..])),
                None => (h, None),
            };
            !name.is_empty()
                && name
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.".contains(b))
                // An empty port is the default one (RFC 3986 §3.2.3).
                && port.is_none_or(|p| p.len() <= 4 && p.iter().all(u8::is_ascii_digit))
        };
        let simple_target = self.target.starts_with('/')
            && self
                .target
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/._~?=&-".contains(&b));
        self.rfc6455_4_2_1(setup.strict_host).is_ok()
            && self
                .single("sec-websocket-key")
                .is_some_and(is_canonical_key)
            && simple_target
            && self.single("host").is_some_and(simple_host)
            && !setup.restricted
            && !setup.require_protocol
            && self.headers.len() <= limits.max_headers()
            && self.head_len <= limits.max_head_bytes()
            && self.headers.iter().all(|(_, v)| simple_value(v))
            && [
                "origin",
                "sec-websocket-protocol",
                "sec-websocket-extensions",
                "sec-websocket-key1",
                "sec-websocket-key2",
            ]
            .iter()
            .all(|n| self.count(n) == 0)
    }
}

/// Every LF is preceded by CR.
fn crlf_only(s: &[u8]) -> bool {
    s.iter()
        .enumerate()
        .all(|(i, &b)| b != b'\n' || i > 0 && s[i - 1] == b'\r')
}

fn extension_name(element: &[u8]) -> &[u8] {
    trim(element.split(|&b| b == b';').next().unwrap_or_default())
}

const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// 16 bytes in base64: 22 alphabet characters then `==`.
fn is_base64_of_16_bytes(k: &[u8]) -> bool {
    k.len() == 24 && k.ends_with(b"==") && k[..22].iter().all(|b| BASE64.contains(b))
}

/// Also canonical: the unused low 4 bits of the last character are zero.
fn is_canonical_key(k: &[u8]) -> bool {
    is_base64_of_16_bytes(k)
        && BASE64
            .iter()
            .position(|&c| c == k[21])
            .is_some_and(|i| i & 0xF == 0)
}

/// The forwarded fields of a request, read plainly for invariant 8.
struct ForwardedFields {
    /// Every `Forwarded` line well-formed (RFC 7239 §4).
    lines_valid: bool,
    /// The right-most element's `proto` and `host` (quoted ones unquoted as sent).
    proto: Option<Vec<u8>>,
    host: Option<Vec<u8>>,
    /// The right-most `X-Forwarded-Proto`, `-Host`, `-Port` values.
    x_proto: Option<Vec<u8>>,
    x_host: Option<Vec<u8>>,
    x_port: Option<Vec<u8>>,
}

impl ForwardedFields {
    fn read(reference: &Reference) -> Self {
        let mut lines_valid = true;
        let mut last: Option<Vec<(Vec<u8>, Vec<u8>)>> = None;
        for line in reference.all("forwarded") {
            match forwarded_line(line) {
                Some(elements) => {
                    if let Some(e) = elements.into_iter().last() {
                        last = Some(e);
                    }
                }
                None => lines_valid = false,
            }
        }
        let param = |name: &str| {
            last.as_ref()?
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
                .map(|(_, v)| v.clone())
        };
        let right_most = |name: &str| {
            reference
                .all(name)
                .filter_map(|line| {
                    line.split(|&b| b == b',')
                        .map(trim)
                        .filter(|e| !e.is_empty())
                        .last()
                })
                .last()
                .map(<[u8]>::to_vec)
        };
        Self {
            lines_valid,
            proto: param("proto"),
            host: param("host"),
            x_proto: right_most("x-forwarded-proto"),
            x_host: right_most("x-forwarded-host"),
            x_port: right_most("x-forwarded-port"),
        }
    }

    /// Some part stated twice, so that the statements can disagree: by both families,
    /// or by `X-Forwarded-Host`'s port beside `X-Forwarded-Port`.
    fn two_statements(&self) -> bool {
        let both_families = (self.proto.is_some() || self.host.is_some())
            && (self.x_proto.is_some() || self.x_host.is_some() || self.x_port.is_some());
        // A port after the host (after the `]` of an IPv6 literal, if any).
        let x_host_port = self.x_host.as_deref().is_some_and(|h| {
            h.rsplit(|&b| b == b']')
                .next()
                .is_some_and(|tail| tail.contains(&b':'))
        });
        both_families || (x_host_port && self.x_port.is_some())
    }

    /// Well-formed lines and right-most values no reading could doubt.
    fn plainly_valid(&self) -> bool {
        let proto = |p: &Option<Vec<u8>>| p.as_deref().is_none_or(|p| security(p).is_some());
        let host = |h: &Option<Vec<u8>>| {
            h.as_deref().is_none_or(|h| {
                let (name, port) = match h.iter().position(|&b| b == b':') {
                    Some(i) => (&h[..i], Some(&h[i + 1..])),
                    None => (h, None),
                };
                !name.is_empty()
                    && name
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || b"-.".contains(b))
                    && port.is_none_or(|p| {
                        (1..=4).contains(&p.len()) && p.iter().all(u8::is_ascii_digit)
                    })
            })
        };
        let port = self
            .x_port
            .as_deref()
            .is_none_or(|p| (1..=4).contains(&p.len()) && p.iter().all(u8::is_ascii_digit));
        self.lines_valid
            && proto(&self.proto)
            && proto(&self.x_proto)
            && host(&self.host)
            && host(&self.x_host)
            && port
    }

    /// A same-origin 101 behind a trusted proxy: the lines parsed, and every scheme and
    /// host the proxy stated is the `Origin`'s.
    fn check_same_origin(&self, origin: &[u8]) {
        assert!(self.lines_valid, "101 with a malformed Forwarded line");
        let (scheme, rest) = match find(origin, b"://") {
            Some(i) => (&origin[..i], &origin[i + 3..]),
            None => panic!("a same-origin 101 for a non-origin {origin:?}"),
        };
        let origin_name = host_name(rest);
        for proto in [&self.proto, &self.x_proto].into_iter().flatten() {
            assert_eq!(
                security(proto),
                security(scheme),
                "forwarded proto vs Origin scheme"
            );
            assert!(security(proto).is_some());
        }
        for host in [&self.host, &self.x_host].into_iter().flatten() {
            assert!(
                host_name(host).eq_ignore_ascii_case(origin_name),
                "forwarded host vs Origin host"
            );
        }
    }
}

/// `Some(true)` for https/wss, `Some(false)` for http/ws.
fn security(scheme: &[u8]) -> Option<bool> {
    match scheme.to_ascii_lowercase().as_slice() {
        b"https" | b"wss" => Some(true),
        b"http" | b"ws" => Some(false),
        _ => None,
    }
}

/// The host of `host[:port]`: up to a `]` for an IPv6 literal, else up to the last `:`.
fn host_name(authority: &[u8]) -> &[u8] {
    if authority.starts_with(b"[") {
        let end = authority
            .iter()
            .position(|&b| b == b']')
            .map_or(authority.len(), |i| i + 1);
        return &authority[..end];
    }
    match authority.iter().rposition(|&b| b == b':') {
        Some(i) => &authority[..i],
        None => authority,
    }
}

/// One `Forwarded` line, plainly (RFC 7239 §4): cut at the commas and semicolons
/// outside quoted-strings; OWS only around commas; each pair `token=token` or
/// `token="..."`; `for`, `by`, `host`, `proto` at most once per element; `host` and
/// `proto` without quoted-pairs (the crate does not unescape). At most 16 empty
/// elements (RFC 9110 §5.6.1.2, as the crate). The elements' (name, value) pairs.
fn forwarded_line(line: &[u8]) -> Option<Vec<Vec<(Vec<u8>, Vec<u8>)>>> {
    // Split at top-level commas, keeping quoted-strings whole.
    let elements = split_outside_quotes(line, b',')?;
    let empties = elements.iter().filter(|e| trim(e).is_empty()).count();
    if empties > MAX_EMPTY_LIST_ELEMENTS {
        return None;
    }
    let mut out = Vec::new();
    for element in elements.iter().map(|e| trim(e)).filter(|e| !e.is_empty()) {
        // Split at semicolons outside quotes.
        let pairs = split_outside_quotes(element, b';')?;
        let mut read: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for pair in pairs.iter().filter(|p| !p.is_empty()) {
            let eq = pair.iter().position(|&b| b == b'=')?;
            let (name, value) = (&pair[..eq], &pair[eq + 1..]);
            if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
                return None;
            }
            let value = if let Some(inner) = value.strip_prefix(b"\"") {
                let inner = inner.strip_suffix(b"\"")?;
                // Content: qdtext or quoted-pairs, nothing after the closing quote.
                let mut i = 0;
                let mut has_pair = false;
                while i < inner.len() {
                    match inner[i] {
                        b'\\' => {
                            let next = *inner.get(i + 1)?;
                            if !(next == b'\t' || (0x20..=0x7e).contains(&next) || next >= 0x80) {
                                return None;
                            }
                            has_pair = true;
                            i += 2;
                        }
                        b'"' => return None,
                        b if b == b'\t' || (0x20..=0x7e).contains(&b) || b >= 0x80 => i += 1,
                        _ => return None,
                    }
                }
                let lower = name.to_ascii_lowercase();
                if has_pair && (lower == b"host" || lower == b"proto") {
                    return None;
                }
                inner.to_vec()
            } else {
                if value.is_empty() || !value.iter().all(|&b| is_tchar(b)) {
                    return None;
                }
                value.to_vec()
            };
            let known = [&b"for"[..], b"by", b"host", b"proto"];
            if known.iter().any(|k| name.eq_ignore_ascii_case(k))
                && read.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                return None;
            }
            read.push((name.to_vec(), value));
        }
        out.push(read);
    }
    Some(out)
}

/// `line` split at each `sep` outside a quoted-string (RFC 9110 §5.6.4: a quoted-pair
/// escapes the next byte), the pieces as they stand; `None` if a quote is left open.
fn split_outside_quotes(line: &[u8], sep: u8) -> Option<Vec<Vec<u8>>> {
    let mut pieces: Vec<Vec<u8>> = vec![Vec::new()];
    let (mut quoted, mut escaped) = (false, false);
    for &b in line {
        if quoted {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                quoted = false;
            }
        } else if b == b'"' {
            quoted = true;
        } else if b == sep {
            pieces.push(Vec::new());
            continue;
        }
        pieces.last_mut()?.push(b);
    }
    (!quoted).then_some(pieces)
}
