//! What the `connect_request`, `connect_client` and `http_inspect` targets share: the
//! input format (field lists read with `arbitrary::Unstructured`), the server and
//! client configurations, and the plain readings of the field rules that their
//! reference checks use.
//!
//! A field is `[name] [value]`; a name byte below `0xff` picks `NAMES[b % len]`, `0xff`
//! is followed by `[len] [len bytes]`, a raw name; values alike with `VALUES`. The
//! dictionaries hold what the rules are about, so most inputs reach the negotiation.
#![allow(dead_code)] // each target uses part of this

// The list and token readings the other targets' references use: one copy.
#[path = "../common/mod.rs"]
mod common;
#[allow(unused_imports)] // each target uses part of these
pub use common::{is_tchar, list_elements, list_has, list_only, trim};

use arbitrary::{Result, Unstructured};
use ws_handshake::deflate::{DeflateConfig, DeflateOffer, PerMessageDeflate};
use ws_handshake::{
    ClientConfig, Limits, MissingProtocol, OriginPolicy, ProtocolOrder, ServerConfig,
};

pub const RAW: u8 = 0xff;

pub const NAMES: &[&str] = &[
    ":method",
    ":protocol",
    ":scheme",
    ":path",
    ":authority",
    ":status",
    "host",
    "sec-websocket-version",
    "sec-websocket-protocol",
    "sec-websocket-extensions",
    "origin",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
    "te",
    "sec-websocket-key",
    "sec-websocket-accept",
    "cookie",
    "user-agent",
    "keep-alive",
    "Sec-WebSocket-Version",
    "sec-websocket-key1",
    "x-trace",
    "forwarded",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-forwarded-port",
];

pub const VALUES: &[&str] = &[
    "CONNECT",
    "GET",
    "websocket",
    "WebSocket",
    "https",
    "http",
    "/chat",
    "/chat?room=1",
    "server.example.com",
    "server.example.com:443",
    "13",
    "8",
    "chat",
    "superchat, chat",
    "chat, superchat",
    "permessage-deflate",
    "permessage-deflate; client_max_window_bits",
    "permessage-deflate; server_max_window_bits=10",
    "permessage-deflate; server_no_context_takeover; client_max_window_bits=12",
    "permessage-deflate; client_max_window_bits=10, permessage-deflate",
    "permessage-deflate; server_max_window_bits=16",
    "x-echo; id=7",
    "https://server.example.com",
    "http://evil.example",
    "0",
    "5",
    "trailers",
    "Upgrade",
    "dGhlIHNhbXBsZSBub25jZQ==",
    "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    "",
    " 13",
    "keep-alive, Upgrade",
    "webtransport",
    "127.0.0.1",
    "superchat",
    "00",
    "for=192.0.2.60;proto=https",
    "proto=http;host=\"server.example.com:443\", host=server.example.com",
    "8443",
];

fn pick(u: &mut Unstructured<'_>, dictionary: &[&str]) -> Result<Vec<u8>> {
    let b: u8 = u.arbitrary()?;
    if b == RAW {
        let len: u8 = u.arbitrary()?;
        return Ok(u.bytes(usize::from(len).min(u.len()))?.to_vec());
    }
    Ok(dictionary[usize::from(b) % dictionary.len()]
        .as_bytes()
        .to_vec())
}

/// One `(name, value)` field.
pub fn field(u: &mut Unstructured<'_>) -> Result<(Vec<u8>, Vec<u8>)> {
    Ok((pick(u, NAMES)?, pick(u, VALUES)?))
}

/// A value from the dictionary or raw (for methods, targets, statuses).
pub fn value(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    pick(u, VALUES)
}

/// The fields until the input ends (at most 40).
pub fn fields(u: &mut Unstructured<'_>) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    while !u.is_empty() && out.len() < 40 {
        match field(u) {
            Ok(f) => out.push(f),
            Err(_) => break,
        }
    }
    out
}

/// A server configuration and the facts the references need.
pub struct ServerSetup {
    pub config: ServerConfig,
    pub protocols: &'static [&'static str],
    pub deflate: bool,
    pub require_protocol: bool,
    pub small: bool,
    pub any_origin: bool,
    pub restricted: bool,
}

pub const ALLOWED_HOSTS: [&str; 2] = ["127.0.0.1", "server.example.com"];

/// bits 0-1: deflate (off, default, restricted, default); 2-3: protocols (none, chat,
/// superchat+chat by server order, chat+superchat by client order); 4: protocol
/// required; 5: small limits (256 bytes, 8 headers); 6: any Origin; 7: Host allow-list.
pub fn server_setup(selector: u8) -> ServerSetup {
    let bit = |i: u8| selector & (1 << i) != 0;
    let deflate = match selector & 3 {
        0 => None,
        2 => Some(
            DeflateConfig::new()
                .server_max_window_bits(12)
                .client_max_window_bits(10)
                .server_no_context_takeover(true),
        ),
        _ => Some(DeflateConfig::new()),
    };
    let (protocols, order): (&'static [&'static str], _) = match (selector >> 2) & 3 {
        0 => (&[], ProtocolOrder::ServerPreference),
        1 => (&["chat"], ProtocolOrder::ServerPreference),
        2 => (&["superchat", "chat"], ProtocolOrder::ServerPreference),
        _ => (&["chat", "superchat"], ProtocolOrder::ClientPreference),
    };
    let mut config = ServerConfig::new()
        .deflate(deflate)
        .protocols(protocols)
        .expect("static tokens")
        .protocol_order(order)
        .require_protocol(bit(4));
    if bit(5) {
        config = config.with_limits(small_limits());
    }
    if bit(6) {
        config = config.origin_policy(OriginPolicy::Any);
    }
    if bit(7) {
        config = config.allowed_hosts(ALLOWED_HOSTS).expect("static hosts");
    }
    ServerSetup {
        config,
        protocols,
        deflate: deflate.is_some(),
        require_protocol: bit(4),
        small: bit(5),
        any_origin: bit(6),
        restricted: bit(7),
    }
}

impl ServerSetup {
    pub fn head_limit(&self) -> usize {
        self.config.limits().max_head_bytes()
    }

    pub fn header_limit(&self) -> usize {
        self.config.limits().max_headers()
    }
}

/// A client configuration and its offers.
pub struct ClientSetup {
    pub config: ClientConfig,
    pub protocols: &'static [&'static str],
    pub deflate: Vec<DeflateOffer>,
    pub missing_accept: bool,
    pub small: bool,
}

/// As `client_response`'s: bits 0-1 protocols (none, chat, chat+superchat, superchat);
/// 2-3 deflate (none, the browsers' offer, every parameter then the browsers' offer,
/// a bare offer); 4 accept a
/// missing subprotocol; 5 small limits.
pub fn client_setup(selector: u8) -> ClientSetup {
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
        config = config.with_limits(small_limits());
    }
    ClientSetup {
        config,
        protocols,
        deflate,
        missing_accept,
        small,
    }
}

impl ClientSetup {
    pub fn head_limit(&self) -> usize {
        let limits = if self.small {
            small_limits()
        } else {
            Limits::default()
        };
        limits.max_head_bytes()
    }

    pub fn header_limit(&self) -> usize {
        let limits = if self.small {
            small_limits()
        } else {
            Limits::default()
        };
        limits.max_headers()
    }
}

/// The small limits of configuration bit 5, both sides.
fn small_limits() -> Limits {
    Limits::default()
        .with_max_head_bytes(256)
        .with_max_headers(8)
}

/// The elements of comma-separated lines, trimmed, empty ones dropped.
pub fn elements<'a>(lines: impl Iterator<Item = &'a [u8]>) -> Vec<&'a [u8]> {
    lines
        .flat_map(|v| v.split(|&b| b == b','))
        .map(trim)
        .filter(|e| !e.is_empty())
        .collect()
}

/// Whether one list field line holds too many empty elements, or none that is not.
pub fn list_malformed(value: &[u8]) -> bool {
    list_elements(value).is_none_or(|elements| elements.is_empty())
}

/// RFC 9113 §8.2.1: a field value without NUL, CR, LF and without leading or trailing
/// SP or HTAB.
pub fn h2_value_ok(v: &[u8]) -> bool {
    !v.iter().any(|&b| matches!(b, 0 | b'\r' | b'\n'))
        && !matches!(v.first(), Some(b' ' | b'\t'))
        && !matches!(v.last(), Some(b' ' | b'\t'))
}

/// RFC 9113 §8.2.1: a field name is a lowercase token.
pub fn h2_name_ok(n: &[u8]) -> bool {
    !n.is_empty() && n.iter().all(|&b| is_tchar(b) && !b.is_ascii_uppercase())
}

/// RFC 9113 §8.2.2: connection-specific fields; `te` only with `trailers`.
pub fn connection_specific(n: &[u8], v: &[u8]) -> bool {
    matches!(
        n,
        b"connection" | b"upgrade" | b"keep-alive" | b"proxy-connection" | b"transfer-encoding"
    ) || (n == b"te" && !v.eq_ignore_ascii_case(b"trailers"))
}

/// A value that both HTTP/1.1 (httparse) and HTTP/2 carry unchanged: visible ASCII and
/// inner spaces or tabs only, nothing to trim.
pub fn plain_value(v: &[u8]) -> bool {
    v.iter().all(|&b| b == b'\t' || (0x20..0x7f).contains(&b)) && h2_value_ok(v)
}

/// The host name of `host[:port]` (brackets kept for IPv6), lowercased.
pub fn host_name(authority: &[u8]) -> Vec<u8> {
    let name = if authority.first() == Some(&b'[') {
        match authority.iter().position(|&b| b == b']') {
            Some(i) => &authority[..=i],
            None => authority,
        }
    } else {
        authority.split(|&b| b == b':').next().unwrap_or_default()
    };
    name.to_ascii_lowercase()
}

/// The subprotocol a server configured as `setup` may choose from these offers: it
/// must be offered and supported (RFC 6455 §4.2.2 item 5.4).
pub fn protocol_allowed(setup: &ServerSetup, offered: &[&[u8]], chosen: Option<&str>) -> bool {
    match chosen {
        Some(p) => offered.iter().any(|o| *o == p.as_bytes()) && setup.protocols.contains(&p),
        None => {
            !setup.require_protocol
                && !offered
                    .iter()
                    .any(|o| setup.protocols.iter().any(|p| p.as_bytes() == *o))
        }
    }
}

/// A token, or a quoted-string that unescapes to one.
pub fn unquote(v: &[u8]) -> Option<Vec<u8>> {
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

/// RFC 7692 §7.1, the client's reading of a response element against its offer: the
/// parameters it states, or `None` if it breaks a rule.
pub fn deflate_answer(offer: &DeflateOffer, element: &[u8]) -> Option<PerMessageDeflate> {
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
            b"server_no_context_takeover" if value.is_none() => d.server_no_context_takeover = true,
            b"client_no_context_takeover" if value.is_none() => d.client_no_context_takeover = true,
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

/// `Some(name)` of each offered extension element (the part before `;`), trimmed.
pub fn offered_extension_names<'a>(lines: impl Iterator<Item = &'a [u8]>) -> Vec<&'a [u8]> {
    elements(lines)
        .into_iter()
        .map(|e| trim(e.split(|&b| b == b';').next().unwrap_or_default()))
        .collect()
}
