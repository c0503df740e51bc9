//! Arbitrary bytes, fed to a server handshake in an arbitrary chunking, answered, and
//! checked against an independent reading of RFC 6455 §4.2.1.
//!
//! Input layout: `[config] [n] [size_1 .. size_n] request...`
//! - `config` picks one of 256 server configurations (see [`config`]);
//! - `n & 7` chunk sizes follow (one byte each, 0 allowed: an empty read), the rest of
//!   the request is fed as a last chunk; `n & 8` turns on the hardening
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
//!    feeding after an upgrade is `Error::Finished` (the bytes after it are frames).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ws_handshake::deflate::{DeflateConfig, PerMessageDeflate};
use ws_handshake::extension::Extension;
use ws_handshake::{
    Error, ExtensionParams, Limits, OriginPolicy, ProtocolOrder, ServerConfig, ServerFeed,
    ServerHandshake,
};

mod common;
use common::{chunking, complete_head, expected_accept, find, list_has, read_head, trim, Headers};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some((&n_byte, rest)) = rest.split_first() else {
        return;
    };
    let n = usize::from(n_byte & 7).min(rest.len());
    let (sizes, request) = rest.split_at(n);
    let setup = config(selector, n_byte & 8 != 0);
    let limit = setup.config.limits().max_head_bytes();

    // Invariant 1: the chunked outcome equals the whole one.
    let chunks = chunking(sizes, request);
    let chunked = run(&setup.config, &chunks, limit);
    let whole = run(&setup.config, &[request], limit);
    assert_eq!(chunked, whole, "outcome depends on the chunking {sizes:?}");

    check(&setup, request, &whole);
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

fn run(config: &ServerConfig, chunks: &[&[u8]], limit: usize) -> Outcome {
    let mut hs = ServerHandshake::new(config);
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
                let refusal = request.refuse();
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
                assert_eq!(hs.feed(&later).err(), Some(Error::Finished));
                assert_eq!(
                    hs.feed(b"GET / HTTP/1.1\r\n\r\n").err(),
                    Some(Error::Finished)
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

fn check(setup: &Setup, request: &[u8], outcome: &Outcome) {
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
        if self
            .list("expect")
            .any(|e| !e.eq_ignore_ascii_case(b"100-continue"))
        {
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
