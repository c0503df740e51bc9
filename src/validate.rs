//! The RFC 6455 §4.2.1 rules, applied in one pass over the header fields.
//!
//! [`Summary`] takes each header once (dispatching on the name's length, then a
//! case-insensitive compare) and keeps only what the rules need, borrowed. The rule
//! functions then read the summary; they never look at the headers again. Any header
//! source can feed a summary, so other front ends share these rules unchanged.

use crate::config::{ProtocolOrder, ServerConfig};
use crate::custom_extension::{self, AcceptedExtension};
use crate::deflate::{next_element, DeflateConfig, ListElement, PerMessageDeflate};
use crate::error::Error;
use crate::extension;
use crate::headers::{eq_lowercase, for_each_token, list_contains, split_list, trim_ows};
use crate::origin::split_host_port_bytes;

/// How many field lines of one list-valued WebSocket header are kept (more is refused).
pub(crate) const LIST_LINES: usize = 8;

/// A header that must appear at most once: its first value and how often it appeared.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Field<'a> {
    pub(crate) value: Option<&'a [u8]>,
    pub(crate) count: u8,
}

impl<'a> Field<'a> {
    fn add(&mut self, v: &'a [u8]) {
        self.value.get_or_insert(v);
        self.count = self.count.saturating_add(1);
    }
}

/// The field lines of one list-valued header, in order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lines<'a> {
    values: [&'a [u8]; LIST_LINES],
    len: u8,
    overflow: bool,
}

impl Default for Lines<'_> {
    fn default() -> Self {
        Self {
            values: [&[]; LIST_LINES],
            len: 0,
            overflow: false,
        }
    }
}

impl<'a> Lines<'a> {
    fn push(&mut self, v: &'a [u8]) {
        match self.values.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = v;
                self.len = self.len.saturating_add(1);
            }
            None => self.overflow = true,
        }
    }

    /// Whether more lines arrived than are kept.
    pub(crate) fn overflowed(&self) -> bool {
        self.overflow
    }

    /// The lines, borrowed: the array is not copied.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + Clone + '_ {
        let kept = self.values.get(..usize::from(self.len)).unwrap_or_default();
        kept.iter().copied()
    }

    /// The lines, for an iterator that outlives the summary (it holds a copy).
    pub(crate) fn into_lines(self) -> impl Iterator<Item = &'a [u8]> + Clone + 'a {
        self.values.into_iter().take(usize::from(self.len))
    }
}

/// What the rules need from the header fields, gathered in one pass.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Summary<'a> {
    pub(crate) host: Field<'a>,
    pub(crate) origin: Field<'a>,
    pub(crate) key: Field<'a>,
    pub(crate) version: Field<'a>,
    pub(crate) content_length: Field<'a>,
    pub(crate) transfer_encoding: bool,
    pub(crate) upgrade_websocket: bool,
    /// An `Upgrade` element other than `websocket` (empty ones aside): a `101` must
    /// switch to websocket alone (read by the client, RFC 6455 §4.1 response check 2).
    pub(crate) upgrade_other: bool,
    pub(crate) connection_upgrade: bool,
    pub(crate) legacy_key: bool,
    pub(crate) protocols: Lines<'a>,
    pub(crate) extensions: Lines<'a>,
    /// `Sec-WebSocket-Accept`, read by the client side.
    pub(crate) accept: Field<'a>,
}

impl<'a> Summary<'a> {
    /// Takes one header field into account.
    pub(crate) fn add(&mut self, name: &[u8], value: &'a [u8]) {
        self.add_trimmed(name, trim_ows(value));
    }

    /// [`add`](Self::add) for a value without leading or trailing whitespace, as
    /// httparse gives them (it skips OWS after the colon and trims it at the end).
    #[inline(always)] // called per header in a loop: no call frame each time
    pub(crate) fn add_trimmed(&mut self, name: &[u8], value: &'a [u8]) {
        debug_assert_eq!(trim_ows(value), value);
        // Dispatch on the length first: most names are then rejected by one compare.
        match name.len() {
            4 if eq_lowercase(name, b"host") => self.host.add(value),
            6 if eq_lowercase(name, b"origin") => self.origin.add(value),
            7 if eq_lowercase(name, b"upgrade") => {
                self.upgrade_websocket |= list_contains(value, b"websocket");
                self.upgrade_other |= lists_other_than(value, b"websocket");
            }
            10 if eq_lowercase(name, b"connection") => {
                self.connection_upgrade |= list_contains(value, b"upgrade");
            }
            14 if eq_lowercase(name, b"content-length") => {
                self.content_length.add(value);
            }
            17 if eq_lowercase(name, b"sec-websocket-key") => self.key.add(value),
            17 if eq_lowercase(name, b"transfer-encoding") => self.transfer_encoding = true,
            18 if eq_lowercase(name, b"sec-websocket-key1")
                || eq_lowercase(name, b"sec-websocket-key2") =>
            {
                self.legacy_key = true;
            }
            20 if eq_lowercase(name, b"sec-websocket-accept") => {
                self.accept.add(value);
            }
            21 if eq_lowercase(name, b"sec-websocket-version") => {
                self.version.add(value);
            }
            22 if eq_lowercase(name, b"sec-websocket-protocol") => {
                self.protocols.push(value);
            }
            24 if eq_lowercase(name, b"sec-websocket-extensions") => {
                self.extensions.push(value);
            }
            _ => {}
        }
    }

    /// Whether the client tried to open a WebSocket at all (as opposed to a plain
    /// HTTP request, or an upgrade to some other protocol).
    pub(crate) fn wants_websocket(&self) -> bool {
        self.upgrade_websocket || self.key.count > 0 || self.version.count > 0 || self.legacy_key
    }
}

/// Whether the list names an element other than `token` (ASCII-lowercase), compared
/// case-insensitively; empty elements name nothing (RFC 9110 §5.6.1).
#[inline(always)]
fn lists_other_than<const N: usize>(value: &[u8], token: &[u8; N]) -> bool {
    // Most values are the token alone: one compare, no split.
    !eq_lowercase(value, token)
        && split_list(value).any(|e| !e.is_empty() && !eq_lowercase(e, token))
}

/// What passing the rules yields: the values the handshake answers with.
#[derive(Debug, Clone)]
pub(crate) struct Checked<'a> {
    pub(crate) key: &'a [u8],
    /// Validated: ASCII.
    pub(crate) host: &'a [u8],
    pub(crate) negotiated: Negotiated<'a>,
}

/// The outcome of the transport-independent rules and negotiation.
#[derive(Debug, Clone)]
pub(crate) struct Negotiated<'a> {
    /// Validated: ASCII.
    pub(crate) origin: Option<&'a [u8]>,
    /// Validated: a token (ASCII), converted to text only when asked for.
    pub(crate) protocol: Option<&'a [u8]>,
    pub(crate) deflate: Option<PerMessageDeflate>,
    /// Where deflate stands among the configured extensions.
    pub(crate) deflate_position: usize,
    /// Accepted custom extensions, in configuration order (empty: no allocation).
    pub(crate) custom: alloc::vec::Vec<AcceptedExtension<'a>>,
}

/// RFC 6455 §4.2.1 items 1–2 for HTTP/1.1: method, version, request-target.
pub(crate) fn check_request_line(
    method: &str,
    minor_version: u8,
    target: &str,
) -> Result<(), Error> {
    if method != "GET" {
        return Err(Error::MethodNotGet);
    }
    if minor_version < 1 {
        return Err(Error::HttpVersionTooOld);
    }
    if !is_valid_target(target) {
        return Err(Error::RequestTargetInvalid);
    }
    Ok(())
}

/// origin-form (`/path?query`) or absolute-form (`scheme://authority/path?query`), no fragment.
fn is_valid_target(target: &str) -> bool {
    if target.contains('#') {
        return false;
    }
    if target.starts_with('/') {
        return true;
    }
    match target.split_once("://") {
        Some((scheme, rest)) => {
            let mut chars = scheme.bytes();
            chars.next().is_some_and(|b| b.is_ascii_alphabetic())
                && chars.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                && !rest.is_empty()
        }
        None => false,
    }
}

/// The header rules of RFC 6455 §4.2.1 for an HTTP/1.1 upgrade, then negotiation.
pub(crate) fn check_h1<'a>(s: &Summary<'a>, config: &ServerConfig) -> Result<Checked<'a>, Error> {
    let content_length_zero = s.content_length.value.is_none_or(|v| v == b"0");
    if s.transfer_encoding || !content_length_zero || s.content_length.count > 1 {
        return Err(Error::BodyNotAllowed);
    }
    let host = check_host(s, config)?;
    if !s.upgrade_websocket {
        return Err(Error::UpgradeLacksWebSocket);
    }
    if !s.connection_upgrade {
        return Err(Error::ConnectionLacksUpgrade);
    }
    if s.legacy_key && s.key.count == 0 {
        return Err(Error::LegacyDraftHandshake);
    }
    check_version(s)?;
    let key = match (s.key.value, s.key.count) {
        (None, _) => return Err(Error::KeyMissing),
        (Some(_), 2..) => return Err(Error::KeyRepeated),
        (Some(k), _) if !crate::accept::is_valid_key(k) => return Err(Error::KeyInvalid),
        (Some(k), _) => k,
    };
    let negotiated = negotiate(s, host, config)?;
    Ok(Checked {
        key,
        host,
        negotiated,
    })
}

/// `Host` exactly once, well-formed (so ASCII), and (if configured) on the allow-list.
pub(crate) fn check_host<'a>(s: &Summary<'a>, config: &ServerConfig) -> Result<&'a [u8], Error> {
    let host = match (s.host.value, s.host.count) {
        (None, _) => return Err(Error::HostMissing),
        (Some(_), 2..) => return Err(Error::HostRepeated),
        (Some(h), _) => h,
    };
    let (name, port) = split_host_port_bytes(host).ok_or(Error::HostInvalid)?;
    if !config.host_allowed(name, port) {
        return Err(Error::HostNotAllowed);
    }
    Ok(host)
}

/// `Sec-WebSocket-Version` exactly once and exactly `13`.
pub(crate) fn check_version(s: &Summary<'_>) -> Result<(), Error> {
    match (s.version.value, s.version.count) {
        (None, _) => Err(Error::VersionMissing),
        (Some(_), 2..) => Err(Error::VersionRepeated),
        (Some(b"13"), _) => Ok(()),
        (Some(_), _) => Err(Error::VersionUnsupported),
    }
}

/// The rules shared by every transport: list syntax, Origin policy, subprotocol and
/// extension negotiation.
pub(crate) fn negotiate<'a>(
    s: &Summary<'a>,
    host: &[u8],
    config: &ServerConfig,
) -> Result<Negotiated<'a>, Error> {
    if s.protocols.overflow || s.extensions.overflow {
        return Err(Error::TooManyListLines);
    }
    let protocol = select_protocol(&s.protocols, config)?;
    let deflate = deflate_in_one_pass(&s.extensions, config.deflate_config().copied())?;
    let origin = check_origin(s, host, config)?;
    if protocol.is_none() && config.requires_protocol() {
        return Err(Error::ProtocolRequired);
    }
    let offers = s
        .extensions
        .iter()
        .flat_map(extension::parse)
        .filter_map(Result::ok);
    let custom = match config.custom_extensions() {
        [] => alloc::vec::Vec::new(),
        customs => custom_extension::negotiate(customs, offers),
    };
    Ok(Negotiated {
        origin,
        protocol,
        deflate,
        deflate_position: config.deflate_position(),
        custom,
    })
}

/// One pass over the extension offers: the list syntax, and the first acceptable
/// permessage-deflate offer (as [`DeflateConfig::negotiate`] would pick it), its
/// parameters read while the syntax is checked.
fn deflate_in_one_pass(
    lines: &Lines<'_>,
    config: Option<DeflateConfig>,
) -> Result<Option<PerMessageDeflate>, Error> {
    let mut answer = None;
    for line in lines.iter() {
        let mut offers = extension::parse(line);
        while let Some(element) = next_element(&mut offers, config.is_some() && answer.is_none()) {
            let element = element.map_err(|_| Error::ExtensionListMalformed)?;
            if let (Some(config), ListElement::Deflate(offer)) = (config, element) {
                answer = offer.ok().and_then(|o| config.accept(&o));
            }
        }
    }
    Ok(answer)
}

/// Validates the offered subprotocols (a list of tokens) and picks one the server supports.
fn select_protocol<'a>(
    offered: &Lines<'a>,
    config: &ServerConfig,
) -> Result<Option<&'a [u8]>, Error> {
    let supported = config.supported_protocols();
    let order = config.protocol_order_setting();
    let mut best: Option<(usize, &'a [u8])> = None;
    let mut consider = |element: &'a [u8]| {
        let Some(rank) = supported.iter().position(|p| p.as_bytes() == element) else {
            return;
        };
        let better = match (order, best) {
            (_, None) => true,
            (ProtocolOrder::ServerPreference, Some((r, _))) => rank < r,
            (ProtocolOrder::ClientPreference, Some(_)) => false,
        };
        if better {
            best = Some((rank, element));
        }
    };
    for line in offered.iter() {
        if !for_each_token(line, &mut consider) {
            return Err(Error::ProtocolListMalformed);
        }
    }
    Ok(best.map(|(_, p)| p))
}

/// `Origin` at most once, ASCII, and allowed by the policy.
fn check_origin<'a>(
    s: &Summary<'a>,
    host: &[u8],
    config: &ServerConfig,
) -> Result<Option<&'a [u8]>, Error> {
    let raw = match (s.origin.value, s.origin.count) {
        (None, _) if config.requires_origin() => return Err(Error::OriginMissing),
        (None, _) => return Ok(None),
        (Some(_), 2..) => return Err(Error::OriginInvalid),
        (Some(o), _) => o,
    };
    let policy = config.origin_policy_setting();
    if policy.allows_at_once(raw) {
        return Ok(Some(raw));
    }
    let origin = core::str::from_utf8(raw)
        .ok()
        .filter(|o| o.is_ascii())
        .ok_or(Error::OriginInvalid)?;
    // A checked host is ASCII.
    let host = core::str::from_utf8(host).unwrap_or_default();
    if !policy.allows(origin, host) {
        return Err(Error::OriginRejected);
    }
    Ok(Some(raw))
}
