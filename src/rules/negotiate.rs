//! The one negotiation every front end and every fuzz target calls: list syntax,
//! the Origin policy, the subprotocol, permessage-deflate (RFC 7692) and custom
//! extensions, from the [`Summary`] of the request's fields.

use crate::error::Error;
use crate::grammar::extension::{self, Extension, ExtensionSyntaxError};
use crate::grammar::token::{for_each_token, split_list};
use crate::rules::custom_extension::{self, AcceptedExtension};
use crate::rules::deflate::PerMessageDeflate;
use crate::rules::forwarded::Forwarded;
use crate::rules::origin::ServerOrigin;
use crate::rules::server_config::{ProtocolOrder, ServerConfig};
use crate::rules::summary::{Lines, Summary};

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

impl<'a> Negotiated<'a> {
    /// The checked `Origin` (ASCII), as text.
    pub(crate) fn origin_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.origin?).ok()
    }

    /// The selected subprotocol (a token, so ASCII), as text.
    pub(crate) fn protocol_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.protocol?).ok()
    }
}

/// The rules shared by every transport: list syntax, Origin policy, subprotocol and
/// extension negotiation. `host` is the effective authority, `secure` whether the
/// server is reached with `https`/`wss` (`None`: unknown), for the Origin policy;
/// `forwarded`, the fields of a trusted proxy, if the caller trusts the peer.
pub(crate) fn negotiate<'a>(
    s: &Summary<'a>,
    host: &[u8],
    secure: Option<bool>,
    forwarded: Option<&Forwarded<'_>>,
    config: &ServerConfig,
) -> Result<Negotiated<'a>, Error> {
    if s.protocols.overflowed() || s.extensions.overflowed() {
        return Err(Error::TooManyListLines);
    }
    let protocol = select_protocol(&s.protocols, config)?;
    let deflate = match config.deflate_config() {
        Some(deflate) => deflate.negotiate(s.extensions.iter()),
        None => match s.extensions.iter().all(extension::is_valid) {
            true => Ok(None),
            false => Err(ExtensionSyntaxError),
        },
    }
    .map_err(|_| Error::ExtensionListMalformed)?;
    let origin = check_origin(s, host, secure, forwarded, config)?;
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

/// `Origin` at most once, ASCII, and allowed by the policy; the server's own origin is
/// formed (from `forwarded` when trusted) only if the policy compares with it.
fn check_origin<'a>(
    s: &Summary<'a>,
    host: &[u8],
    secure: Option<bool>,
    forwarded: Option<&Forwarded<'_>>,
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
    match forwarded {
        None => policy.check(origin, || {
            ServerOrigin::of_authority(host, secure).ok_or(Error::HostInvalid)
        }),
        Some(forwarded) => policy.check(origin, || forwarded.server_origin(host, secure)),
    }?;
    Ok(Some(raw))
}

/// The subprotocols of `Sec-WebSocket-Protocol` lines (validated tokens), in order.
/// Shared by every front end.
pub(crate) fn offered_protocols<'a>(
    lines: impl Iterator<Item = &'a [u8]> + 'a,
) -> impl Iterator<Item = OfferedProtocol<'a>> + 'a {
    lines
        .flat_map(split_list)
        .filter(|p| !p.is_empty()) // empty list elements are ignored (RFC 9110 §5.6.1.2)
        .filter_map(|p| core::str::from_utf8(p).ok())
        .map(OfferedProtocol)
}

/// The extensions of `Sec-WebSocket-Extensions` lines (validated), in order.
/// Shared by every front end.
pub(crate) fn offered_extensions<'a>(
    lines: impl Iterator<Item = &'a [u8]> + 'a,
) -> impl Iterator<Item = Extension<'a>> + 'a {
    lines.flat_map(extension::parse).filter_map(Result::ok)
}

/// A subprotocol the client offered; obtained only from [`UpgradeRequest::offered_protocols`](crate::UpgradeRequest::offered_protocols)
/// (or the `http` feature's `Upgrade::offered_protocols`, or
/// [`ConnectRequest::offered_protocols`](crate::ConnectRequest::offered_protocols)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OfferedProtocol<'a>(&'a str);

impl<'a> OfferedProtocol<'a> {
    /// The protocol name.
    pub fn as_str(&self) -> &'a str {
        self.0
    }
}
