//! The one view of a request that passed every rule ([`Upgrade`]), whatever carried
//! it: the HTTP/1.1 feed, `http::inspect` and extended CONNECT all hand it out.
//!
//! Its own layer, between the answers and the front ends: it holds what the rules
//! yielded (`rules/`) and builds the [`Accept`] (`answer/`), and every front end hands
//! it out, so it can live in none of them (a front end never imports another).

#[cfg(any(feature = "blocking-io", feature = "tokio"))]
use alloc::{borrow::ToOwned, string::String};
use core::ops::Deref;

use crate::answer::accept::Accept;
use crate::grammar::extension::Extension;
use crate::rules::deflate::PerMessageDeflate;
use crate::rules::negotiate::{offered_extensions, offered_protocols, Negotiated, OfferedProtocol};
use crate::rules::request::Checked;

/// A WebSocket request that passed every rule (RFC 6455 §4.2.1, or RFC 8441 §4–5 for
/// an extended CONNECT) and the negotiation: accept it ([`accept`](Self::accept)), or
/// refuse it yourself with a [`Rejection`](crate::Rejection).
///
/// One type for every transport; `T` is the transport's own part, which it
/// dereferences to:
/// - [`UpgradeRequest`](crate::UpgradeRequest) (`Upgrade<Request>`), from
///   [`ServerHandshake::feed`](crate::ServerHandshake::feed): the HTTP/1.1
///   [`Request`](crate::Request), for the path, headers, cookies and leftover bytes;
/// - [`ConnectRequest`](crate::ConnectRequest) (`Upgrade<ConnectTarget>`), an HTTP/2
///   or HTTP/3 extended CONNECT: its [`ConnectTarget`](crate::ConnectTarget)
///   (`:scheme`, `:path`);
/// - `Upgrade<&HeaderMap>`, from `http::inspect` (feature `http`): the request's
///   header fields; its path is in the `http::Request` you inspected.
///
/// Nothing is copied: every accessor borrows the request's bytes.
#[derive(Debug, Clone)]
pub struct Upgrade<'a, T> {
    /// What the rules yielded, kept whole so that handing the view out moves what the
    /// rules returned, no more. Over extended CONNECT, `key` is empty: it has no
    /// `Sec-WebSocket-Key` (a checked HTTP/1.1 key is never empty).
    checked: Checked<'a>,
    transport: T,
}

impl<T> Deref for Upgrade<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.transport
    }
}

impl<'a, T: Transport<'a>> Upgrade<'a, T> {
    /// The view of an HTTP/1.1 request that passed the rules.
    pub(crate) fn new(checked: Checked<'a>, transport: T) -> Self {
        Self { checked, transport }
    }

    /// The view of an extended CONNECT that passed the rules: `:authority` is its
    /// `Host` (RFC 8441 §5), and it has no key.
    pub(crate) fn connect(authority: &'a [u8], negotiated: Negotiated<'a>, transport: T) -> Self {
        let checked = Checked {
            key: &[],
            host: authority,
            authority,
            negotiated,
        };
        Self { checked, transport }
    }

    /// The `Host` value (validated, present exactly once; over extended CONNECT the
    /// `:authority`, which carries it, RFC 8441 §5). With an HTTP/1.1 absolute-form
    /// request-target, [`authority`](Self::authority) is the one that counts and
    /// `Host` may name another host (RFC 9112 §3.2.2 has the server ignore it; see
    /// [`ServerConfig::host_must_match_target`](crate::ServerConfig::host_must_match_target)
    /// to refuse that instead).
    pub fn host(&self) -> &'a str {
        ascii(self.checked.host)
    }

    /// The effective authority, `host[:port]` (RFC 9112 §3.2.2): the
    /// request-target's authority when the target is in absolute-form
    /// (`GET wss://example.com/chat HTTP/1.1`), else the `Host` value (over extended
    /// CONNECT, the `:authority`). This is what
    /// [`ServerConfig::allowed_hosts`](crate::ServerConfig::allowed_hosts) and
    /// [`OriginPolicy::SameOrigin`](crate::OriginPolicy::SameOrigin) compare; the
    /// received `Host` is then ignored, as RFC 9112 §3.2.2 requires (unless
    /// [`ServerConfig::host_must_match_target`](crate::ServerConfig::host_must_match_target)
    /// is set, which refuses a `Host` naming another authority).
    ///
    /// ```
    /// use ws_handshake::{ServerFeed, ServerConfig, ServerHandshake};
    ///
    /// let config = ServerConfig::new();
    /// let mut handshake = ServerHandshake::new(&config);
    /// let request = b"GET wss://Example.com:443/chat HTTP/1.1\r\nHost: example.com\r\n\
    ///     Upgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// let Ok(ServerFeed::Upgrade(upgrade)) = handshake.feed(request) else { panic!() };
    /// assert_eq!(upgrade.authority(), "Example.com:443");
    /// assert_eq!(upgrade.host(), "example.com");
    /// assert_eq!(upgrade.path(), "/chat");
    /// ```
    pub fn authority(&self) -> &'a str {
        ascii(self.checked.authority)
    }

    /// The `Origin` value, already checked against the origin policy.
    pub fn origin(&self) -> Option<&'a str> {
        self.checked.negotiated.origin_str()
    }

    /// The subprotocol the configuration selected among the offered ones, if any
    /// (`Sec-WebSocket-Protocol`; over extended CONNECT not to be confused with
    /// `:protocol`).
    pub fn protocol(&self) -> Option<&'a str> {
        self.checked.negotiated.protocol_str()
    }

    /// The offered subprotocols, in the client's order.
    ///
    /// Only these values can be passed to [`Accept::with_protocol`]: answering with a
    /// subprotocol the client did not offer is impossible by construction.
    pub fn offered_protocols(&self) -> impl Iterator<Item = OfferedProtocol<'a>> + 'a {
        offered_protocols(self.transport.offered(List::Protocols))
    }

    /// The offered extensions (`Sec-WebSocket-Extensions`), in the client's order.
    pub fn offered_extensions(&self) -> impl Iterator<Item = Extension<'a>> + 'a {
        offered_extensions(self.transport.offered(List::Extensions))
    }

    /// The negotiated permessage-deflate parameters, if the configuration enables it
    /// and the client offered something acceptable.
    pub fn deflate(&self) -> Option<PerMessageDeflate> {
        self.checked.negotiated.deflate
    }

    /// The answer with the negotiated subprotocol and extensions: the `101` over
    /// HTTP/1.1 ([`Accept::write_to`]), the `200` over extended CONNECT
    /// ([`Accept::head`]).
    pub fn accept(&self) -> Accept<'_> {
        let key = Some(self.checked.key).filter(|key| !key.is_empty());
        Accept::new(key, &self.checked.negotiated)
    }

    /// The view's values, owned (what outlives the request's buffer), with
    /// `protocol` the subprotocol the answer carried.
    #[cfg(any(feature = "blocking-io", feature = "tokio"))]
    pub(crate) fn to_summary(&self, protocol: Option<&str>) -> UpgradeSummary {
        UpgradeSummary {
            host: self.host().to_owned(),
            authority: self.authority().to_owned(),
            origin: self.origin().map(ToOwned::to_owned),
            protocol: protocol.map(ToOwned::to_owned),
            deflate: self.deflate(),
        }
    }
}

impl<'a, T: Transport<'a> + Http1> Upgrade<'a, T> {
    /// The `Sec-WebSocket-Key` value (validated: base64 of 16 bytes). HTTP/1.1 only:
    /// an extended CONNECT has none (RFC 8441 §5).
    pub fn key(&self) -> &'a str {
        ascii(self.checked.key)
    }
}

/// Validated ASCII, converted to text only when asked for.
fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}

/// The values of an accepted [`Upgrade`], owned: what the I/O adapters hand back
/// once the handshake's buffer is gone (`io::UpgradedRequest` dereferences to it).
/// Each field is the accessor of the same name.
#[cfg(any(feature = "blocking-io", feature = "tokio"))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpgradeSummary {
    /// [`Upgrade::host`].
    pub host: String,
    /// [`Upgrade::authority`].
    pub authority: String,
    /// [`Upgrade::origin`].
    pub origin: Option<String>,
    /// The subprotocol the answer carried, if any: configure the framing layer with it.
    pub protocol: Option<String>,
    /// The permessage-deflate parameters the answer carried, if any.
    pub deflate: Option<PerMessageDeflate>,
}

pub(crate) use sealed::{Http1, List, Transport};

mod sealed {
    /// Which offered list.
    #[allow(unreachable_pub)] // in the sealed trait's signature
    #[derive(Debug, Clone, Copy)]
    pub enum List {
        Protocols,
        Extensions,
    }

    /// A transport's own part of an [`Upgrade`](super::Upgrade): where the offered
    /// lists are read from. Sealed: implemented in this crate only.
    #[allow(unreachable_pub)] // public in bounds, unnameable outside the crate
    pub trait Transport<'a>: Copy {
        /// The field lines of one offered list, in order (taken by value: the
        /// iterator outlives the borrow of the view).
        fn offered(self, list: List) -> impl Iterator<Item = &'a [u8]> + 'a;
    }

    /// An HTTP/1.1 transport: the request has a `Sec-WebSocket-Key`.
    #[allow(unreachable_pub)]
    pub trait Http1 {}
}
