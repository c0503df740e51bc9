//! Arbitrary response bytes, fed in an arbitrary chunking to a client handshake that
//! sent a fixed request, checked against a plain reading of RFC 6455 §4.1 and RFC 7692.
//!
//! Input layout: `[config] [n] [size_1 .. size_n] response...`
//! - `config` picks the client's offers (see [`setup`]);
//! - `n & 7` chunk sizes follow (0 allowed); the rest is fed as the last chunk.
//!
//! Invariants (see fuzz/README.md):
//! 1. the outcome (variant, error, status, protocol, deflate, leftover) equals feeding
//!    the bytes whole;
//! 2. `Connected` only when the reference predicate holds for the final head (after
//!    any interim `1xx` heads other than `101`, which RFC 9110 §15.2 lets a client
//!    skip): status line `HTTP/1.1 101`, `Upgrade` naming websocket alone (RFC 6455
//!    §4.1 check 2), `Connection: upgrade`, exactly one `Sec-WebSocket-Accept`
//!    equal to base64(sha1(key ++ GUID)) computed here, a subprotocol only if offered
//!    (and one if required), only offered extensions, permessage-deflate parameters
//!    valid for the offer (RFC 7692 §7.1); the typed values are what the response says;
//! 3. a plainly valid 101 (after plainly valid interim heads, all within the head
//!    limit) is never failed; `Refused` exactly for another final status (never a
//!    1xx), with that status and the exact leftover;
//! 4. after an outcome, feeding returns `Misuse::FedAfterOutcome`; after an error, the same error;
//! 5. the request writer's `encoded_len`/`encode`/`write_to` agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ws_handshake::deflate::{DeflateOffer, PerMessageDeflate};
use ws_handshake::{
    ClientConfig, ClientError, ClientFeed, ClientHandshake, ClientKey, Limits, MissingProtocol,
    Misuse, WsUrl,
};

mod common;
use common::{
    chunking, complete_head, expected_accept, find, is_tchar, list_elements, list_has, read_head,
    skip_empty_lines, trim, Headers,
};

fuzz_target!(|data: &[u8]| {
    let [selector, n, rest @ ..] = data else {
        return;
    };
    let n = usize::from(n & 7).min(rest.len());
    let (sizes, response) = rest.split_at(n);
    let setup = setup(*selector);
    let url = WsUrl::parse("ws://example.com/chat?room=1").expect("static URL");
    let key = ClientKey::from_nonce(*b"the sample nonce");

    // Invariant 5, on the request this handshake sends.
    let hs = ClientHandshake::new(&setup.config, url, key);
    let request = hs.request();
    let mut written = Vec::new();
    request.write_to(&mut written);
    assert_eq!(written.len(), request.encoded_len());
    let mut buf = vec![0u8; written.len()];
    assert_eq!(request.encode(&mut buf), Ok(written.len()));
    assert_eq!(buf, written);

    let chunks = chunking(sizes, response);
    let chunked = run(&setup.config, url, key, &chunks);
    let whole = run(&setup.config, url, key, &[response]);
    assert_eq!(chunked, whole, "outcome depends on the chunking {sizes:?}");
    check(&setup, key, response, &whole);
});

struct Setup {
    config: ClientConfig,
    protocols: &'static [&'static str],
    deflate: Vec<DeflateOffer>,
    missing_accept: bool,
    small: bool,
}

/// bits 0-1: protocols (none, chat, chat+superchat, superchat); bits 2-3: deflate
/// (none, the browsers' offer, everything then the browsers' offer, a bare offer); bit 4: accept a missing
/// subprotocol; bit 5: small limits (256 bytes, 8 headers).
fn setup(selector: u8) -> Setup {
    let protocols: &'static [&'static str] = match selector & 3 {
        0 => &[],
        1 => &["chat"],
        2 => &["chat", "superchat"],
        _ => &["superchat"],
    };
    let browsers = DeflateOffer::new().client_max_window_bits(Some(None));
    let deflate = match (selector >> 2) & 3 {
        0 => vec![],
        1 => vec![browsers],
        // Every parameter, then the browsers' offer as a fallback (RFC 7692 §5).
        2 => vec![
            DeflateOffer::new()
                .server_no_context_takeover(true)
                .client_no_context_takeover(true)
                .server_max_window_bits(Some(10))
                .client_max_window_bits(Some(Some(12))),
            browsers,
        ],
        _ => vec![DeflateOffer::new()],
    };
    let missing_accept = selector & 16 != 0;
    let mut config = ClientConfig::new()
        .protocols(protocols)
        .expect("static tokens")
        .deflate_offers(deflate.clone())
        .expect("valid offers")
        .missing_protocol(if missing_accept {
            MissingProtocol::Accept
        } else {
            MissingProtocol::Fail
        });
    let small = selector & 32 != 0;
    if small {
        config = config.with_limits(
            Limits::default()
                .with_max_head_bytes(256)
                .with_max_headers(8),
        );
    }
    Setup {
        config,
        protocols,
        deflate,
        missing_accept,
        small,
    }
}

#[derive(Debug, PartialEq)]
enum Outcome {
    NeedMore,
    Connected {
        protocol: Option<String>,
        deflate: Option<PerMessageDeflate>,
        leftover: Vec<u8>,
    },
    Refused {
        status: u16,
        reason: String,
        leftover: Vec<u8>,
    },
    Failed(ClientError),
}

fn run(config: &ClientConfig, url: WsUrl<'_>, key: ClientKey, chunks: &[&[u8]]) -> Outcome {
    let mut hs = ClientHandshake::new(config, url, key);
    for (i, chunk) in chunks.iter().enumerate() {
        let later: Vec<u8> = chunks.get(i + 1..).unwrap_or_default().concat();
        let outcome = match hs.feed(chunk) {
            Ok(ClientFeed::NeedMore) => continue,
            Ok(ClientFeed::Connected(c)) => Outcome::Connected {
                protocol: c.protocol().map(str::to_owned),
                deflate: c.deflate(),
                leftover: [c.leftover(), &later].concat(),
            },
            Ok(ClientFeed::Refused(r)) => Outcome::Refused {
                status: r.status(),
                reason: r.reason().to_owned(),
                leftover: [r.leftover(), &later].concat(),
            },
            Err(e) => Outcome::Failed(e),
        };
        // Invariant 4.
        let again = hs.feed(b"HTTP/1.1 101 OK\r\n\r\n").err();
        match &outcome {
            Outcome::Failed(e) => assert_eq!(again, Some(*e)),
            _ => assert_eq!(again, Some(ClientError::Misuse(Misuse::FedAfterOutcome))),
        }
        return outcome;
    }
    Outcome::NeedMore
}

fn check(setup: &Setup, key: ClientKey, response: &[u8], outcome: &Outcome) {
    let limits_head = if setup.small { 256 } else { 16 * 1024 };
    let interim = interim_len(response);
    if let Outcome::Connected { leftover, .. } | Outcome::Refused { leftover, .. } = outcome {
        assert!(
            response.len() - leftover.len() > interim,
            "an interim (1xx) head came back as the outcome"
        );
    }
    match outcome {
        Outcome::NeedMore => {
            assert!(
                find(&response[interim..], b"\r\n\r\n").is_none(),
                "NeedMore on a complete final head"
            );
            assert!(
                response.len() <= limits_head,
                "NeedMore past the default limit"
            );
        }
        Outcome::Failed(_) => {}
        Outcome::Refused {
            status, leftover, ..
        } => {
            let head = &response[interim..response.len() - leftover.len()];
            assert!(head.ends_with(b"\r\n\r\n"));
            let status_line = skip_empty_lines(head)
                .split(|&b| b == b'\r')
                .next()
                .unwrap_or_default();
            assert!(*status >= 200, "a 1xx refused: {status}");
            // Three digits after `HTTP/1.x ` (httparse takes any three, even `001`).
            let code = status_line.get(9..12).expect("a status code");
            let code: u16 = std::str::from_utf8(code).unwrap().parse().unwrap();
            assert_eq!(code, *status);
        }
        Outcome::Connected {
            protocol,
            deflate,
            leftover,
        } => {
            let head = &response[interim..response.len() - leftover.len()];
            let reference = Reference::read(head).expect("a connected head is well-formed");
            if let Err(rule) = reference.rfc6455_4_1(setup, key) {
                panic!("connected over a response that breaks {rule}");
            }
            let answered = reference.protocol().expect("a well-formed protocol answer");
            assert_eq!(protocol.as_deref().map(str::as_bytes), answered);
            assert_eq!(*deflate, reference.deflate(setup));
        }
    }
    // Invariant 3, the other way round.
    let final_head = complete_head(&response[interim..]);
    if let Some(reference) = final_head.and_then(Reference::read) {
        let total = interim + reference.head_len;
        if plainly_valid_interim(setup, &response[..interim])
            && total <= limits_head
            && reference.plainly_valid(setup, key)
        {
            assert!(
                matches!(outcome, Outcome::Connected { .. }),
                "a plainly valid 101 was not accepted: {outcome:?}"
            );
        }
    }
}

/// RFC 9110 §15.2: whether a head is an interim response a client skips, `1xx` other
/// than `101`. Read from the status line the way HTTP/1.1 spells it (`HTTP/1.` and a
/// minor digit, RFC 9110 §6.2 reading a higher one as 1.1; one SP, three digits, then
/// SP or the line end), after empty lines.
fn is_interim_head(head: &[u8]) -> bool {
    let line = skip_empty_lines(head)
        .split(|&b| b == b'\r')
        .next()
        .unwrap_or_default();
    let (Some(version), Some(code), after) = (line.get(..9), line.get(9..12), line.get(12)) else {
        return false;
    };
    if !(version.starts_with(b"HTTP/1.") && version[7].is_ascii_digit() && version[8] == b' ')
        || !code.iter().all(u8::is_ascii_digit)
        || !matches!(after, None | Some(b' '))
    {
        return false;
    }
    code[0] == b'1' && code != b"101"
}

/// How many leading bytes of `response` are complete interim heads.
fn interim_len(response: &[u8]) -> usize {
    let mut at = 0;
    while let Some(head) = complete_head(&response[at..]) {
        if !is_interim_head(head) {
            break;
        }
        at += head.len();
    }
    at
}

/// Interim heads every client must skip: well-formed, ordinary bytes, within the
/// header-count limit (each head on its own).
fn plainly_valid_interim(setup: &Setup, mut interim: &[u8]) -> bool {
    let simple = |v: &[u8]| v.iter().all(|&b| (0x20..0x7f).contains(&b));
    let header_limit = if setup.small { 8 } else { 64 };
    while let Some(head) = complete_head(interim) {
        let Some((status_line, headers)) = read_head(head) else {
            return false;
        };
        if !simple(status_line)
            || headers.len() > header_limit
            || !headers.iter().all(|(_, v)| simple(v))
        {
            return false;
        }
        interim = &interim[head.len()..];
    }
    true
}

/// A response head read plainly (no httparse).
struct Reference {
    status_line: Vec<u8>,
    headers: Headers,
    head_len: usize,
}

impl Reference {
    fn read(head: &[u8]) -> Option<Self> {
        let (status_line, headers) = read_head(head)?;
        Some(Self {
            status_line: status_line.to_vec(),
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

    fn single<'s>(&'s self, name: &'s str) -> Option<&'s [u8]> {
        let mut all = self.all(name);
        let first = all.next();
        all.next().is_none().then_some(first).flatten()
    }

    /// Every element of every `Sec-WebSocket-Extensions` line, trimmed; empty elements
    /// ignored (RFC 9110 §5.6.1.2, a bounded number); `None` unless every line holds
    /// one element at least (`1#extension`).
    fn extensions(&self) -> Option<Vec<&[u8]>> {
        let mut all = Vec::new();
        for line in self.all("sec-websocket-extensions") {
            let elements = list_elements(line).filter(|e| !e.is_empty())?;
            all.extend(elements);
        }
        Some(all)
    }

    /// The one subprotocol the response names, read as a list (RFC 9110 §5.6.1.2:
    /// empty elements around it ignored); `None` when malformed: a line without an
    /// element, or more than one element in all.
    fn protocol(&self) -> Option<Option<&[u8]>> {
        let mut all = Vec::new();
        for line in self.all("sec-websocket-protocol") {
            let elements = list_elements(line).filter(|e| !e.is_empty())?;
            all.extend(elements);
        }
        match all[..] {
            [] => Some(None),
            [p] => Some(Some(p)),
            _ => None,
        }
    }

    /// RFC 6455 §4.1, the client's checks of a 101, plainly.
    fn rfc6455_4_1(&self, setup: &Setup, key: ClientKey) -> Result<(), &'static str> {
        // RFC 9110 §6.2: a higher HTTP/1.x minor version reads as HTTP/1.1.
        let version_ok = matches!(
            self.status_line.get(..8),
            Some([b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'1'..=b'9'])
        );
        if !version_ok || self.status_line.get(8..12) != Some(b" 101") {
            return Err("status line HTTP/1.1 101 (or a higher 1.x)");
        }
        // Every element of every Upgrade line, empty ones aside (at most
        // MAX_EMPTY_LIST_ELEMENTS a line, as every list the crate reads), is websocket.
        let mut upgrade: Vec<&[u8]> = Vec::new();
        for line in self.all("upgrade") {
            match list_elements(line) {
                Some(elements) => upgrade.extend(elements),
                None => return Err("Upgrade: websocket alone (too many empty elements)"),
            }
        }
        if upgrade.is_empty() || !upgrade.iter().all(|e| e.eq_ignore_ascii_case(b"websocket")) {
            return Err("Upgrade: websocket alone");
        }
        if !self.all("connection").any(|v| list_has(v, "upgrade")) {
            return Err("Connection: upgrade");
        }
        if self.all("sec-websocket-accept").count() != 1
            || self.single("sec-websocket-accept") != Some(expected_accept(key.as_str()).as_bytes())
        {
            return Err("Sec-WebSocket-Accept once, matching the key");
        }
        let protocol = self
            .protocol()
            .ok_or("Sec-WebSocket-Protocol: one token, once")?;
        match protocol {
            None if !setup.protocols.is_empty() && !setup.missing_accept => {
                return Err("a subprotocol when one was offered (policy Fail)")
            }
            None => {}
            Some(p) if !setup.protocols.iter().any(|o| o.as_bytes() == p) => {
                return Err("only an offered subprotocol")
            }
            Some(_) => {}
        }
        let elements = self
            .extensions()
            .ok_or("Sec-WebSocket-Extensions: 1#extension")?;
        if elements.len() > 1 {
            return Err("only one extension (only permessage-deflate is offered)");
        }
        if let Some(e) = elements.first() {
            if setup.deflate.is_empty() {
                return Err("no extension when none was offered");
            }
            if self.deflate(setup).is_none() {
                return Err("a valid permessage-deflate answer (RFC 7692 §7.1)");
            }
            let name = trim(e.split(|&b| b == b';').next().unwrap_or_default());
            if !name.eq_ignore_ascii_case(b"permessage-deflate") {
                return Err("only offered extensions");
            }
        }
        Ok(())
    }

    /// The permessage-deflate answer, checked against the offers (RFC 7692 §5, §7.1),
    /// as the parameters it states; `None` if absent or a valid answer to no offer.
    fn deflate(&self, setup: &Setup) -> Option<PerMessageDeflate> {
        setup
            .deflate
            .iter()
            .find_map(|offer| self.deflate_for(offer))
    }

    /// [`deflate`](Self::deflate) for one offer.
    fn deflate_for(&self, offer: &DeflateOffer) -> Option<PerMessageDeflate> {
        let element = *self.extensions()?.first()?;
        let mut parts = element.split(|&b| b == b';');
        if !trim(parts.next()?).eq_ignore_ascii_case(b"permessage-deflate") {
            return None;
        }
        let mut d = PerMessageDeflate::default();
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for p in parts {
            let (name, value) = match p.iter().position(|&b| b == b'=') {
                Some(i) => (trim(&p[..i]), Some(unquote(trim(&p[i + 1..]))?)),
                None => (trim(p), None),
            };
            if seen.iter().any(|s| s == name) {
                return None;
            }
            seen.push(name.to_vec());
            let bits = |v: &Option<Vec<u8>>| -> Option<u8> {
                let v = v.as_ref()?;
                let ok = !v.is_empty() && v[0] != b'0' && v.iter().all(u8::is_ascii_digit);
                let n: u8 = std::str::from_utf8(v).ok()?.parse().ok().filter(|_| ok)?;
                (8..=15).contains(&n).then_some(n)
            };
            match name {
                b"server_no_context_takeover" if value.is_none() => {
                    d.server_no_context_takeover = true
                }
                b"client_no_context_takeover" if value.is_none() => {
                    d.client_no_context_takeover = true
                }
                b"server_max_window_bits" => d.server_max_window_bits = Some(bits(&value)?),
                b"client_max_window_bits" => d.client_max_window_bits = Some(bits(&value)?),
                _ => return None,
            }
        }
        if offer.server_no_context_takeover && !d.server_no_context_takeover {
            return None;
        }
        if let Some(n) = offer.server_max_window_bits {
            if d.server_max_window_bits.is_none_or(|m| m > n) {
                return None;
            }
        }
        match (offer.client_max_window_bits, d.client_max_window_bits) {
            (None, Some(_)) => return None,
            (Some(Some(v)), Some(c)) if c > v => return None,
            _ => {}
        }
        Some(d)
    }

    /// A 101 every client must accept: all checks hold and every byte is ordinary.
    fn plainly_valid(&self, setup: &Setup, key: ClientKey) -> bool {
        let simple = |v: &[u8]| v.iter().all(|&b| (0x20..0x7f).contains(&b));
        let (head_limit, header_limit) = if setup.small {
            (256, 8)
        } else {
            (16 * 1024, 64)
        };
        self.rfc6455_4_1(setup, key).is_ok()
            && simple(&self.status_line)
            && (self.status_line == b"HTTP/1.1 101"
                || self.status_line.starts_with(b"HTTP/1.1 101 "))
            && self.headers.iter().all(|(_, v)| simple(v))
            && self.head_len <= head_limit
            && self.headers.len() <= header_limit
            && self
                .single("sec-websocket-protocol")
                .is_none_or(|p| p.iter().all(|&b| is_tchar(b)))
    }
}

/// A token, or a quoted-string that unescapes to one.
fn unquote(v: &[u8]) -> Option<Vec<u8>> {
    let out = match v {
        [b'"', inner @ .., b'"'] => {
            let mut out = Vec::new();
            let mut bytes = inner.iter();
            while let Some(&b) = bytes.next() {
                out.push(if b == b'\\' { *bytes.next()? } else { b });
            }
            out
        }
        _ => v.to_vec(),
    };
    (!out.is_empty() && out.iter().all(|&b| is_tchar(b))).then_some(out)
}
