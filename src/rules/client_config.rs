//! The client's configuration: what it offers (subprotocols, permessage-deflate,
//! `Origin`, extra headers) and how strictly it checks the answer; the mirror of
//! [`server_config`](super::server_config).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::BuildError;
use crate::grammar::token::is_field_value;
use crate::limits::Limits;
use crate::rules::deflate::DeflateOffer;
use crate::rules::extra_headers::check_extra_headers;

/// What a client does when it offered subprotocols and the `101` names none.
///
/// RFC 6455 §4.1 only forbids a subprotocol that was not offered; answering none is
/// allowed. But browsers (the WebSocket API), Node `ws` and tungstenite all fail the
/// connection then: an application that asked for `chat` cannot talk to a server that
/// speaks something unnamed, and failing early turns a confusing protocol mismatch
/// into a clear error. So [`Fail`](Self::Fail) is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingProtocol {
    /// Fail with [`ClientError::ProtocolMissing`](crate::ClientError::ProtocolMissing)
    /// (the default, as browsers do).
    #[default]
    Fail,
    /// Accept the connection with no subprotocol, as RFC 6455 allows.
    Accept,
}

/// What a client offers and how strictly it checks the answer. Build it once and use
/// it (`&ClientConfig`) for many connections.
///
/// ```
/// use ws_handshake::{ClientConfig, MissingProtocol};
/// use ws_handshake::deflate::DeflateOffer;
/// let config = ClientConfig::new()
///     .protocols(["chat.v2", "chat"])?
///     .deflate(Some(DeflateOffer::new().client_max_window_bits(Some(None))))?
///     .origin("https://example.com")?
///     .header("Authorization", "Bearer abc")?
///     .missing_protocol(MissingProtocol::Fail);
/// // The handshake's own headers cannot be overridden.
/// assert!(ClientConfig::new().header("Sec-WebSocket-Key", "x").is_err());
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientConfig {
    pub(crate) limits: Limits,
    pub(crate) protocols: Vec<String>,
    /// permessage-deflate offers, in order of preference (empty: none).
    pub(crate) deflate: Vec<DeflateOffer>,
    pub(crate) origin: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) missing_protocol: MissingProtocol,
}

impl ClientConfig {
    /// No subprotocols, no extensions, no `Origin`, [`Limits::DEFAULT`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the limits on the response head.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits on the response head.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Adds subprotocols to offer, in order of preference (RFC 6455 §4.1 item 10).
    ///
    /// The offer goes into the `Sec-WebSocket-Protocol` of the HTTP/1.1 request and of
    /// the extended CONNECT ([`ConnectClient`](crate::ConnectClient)) alike.
    ///
    /// ```
    /// use ws_handshake::{BuildError, ClientConfig};
    /// assert!(ClientConfig::new().protocols(["chat", "superchat"]).is_ok());
    /// // RFC 6455 §4.1 item 10: the names offered are unique (compared exactly).
    /// let twice = ClientConfig::new().protocols(["chat", "chat"]);
    /// assert_eq!(twice.unwrap_err(), BuildError::ProtocolRepeated);
    /// let again = ClientConfig::new().protocols(["chat"])?.protocols(["chat"]);
    /// assert_eq!(again.unwrap_err(), BuildError::ProtocolRepeated);
    /// # Ok::<(), BuildError>(())
    /// ```
    ///
    /// # Errors
    /// [`BuildError::ProtocolInvalid`] if a name is not an RFC 7230 token;
    /// [`BuildError::ProtocolRepeated`] if a name is offered twice (counting the
    /// names added by earlier calls).
    pub fn protocols<I, S>(mut self, names: I) -> Result<Self, BuildError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        crate::rules::server_config::push_protocols(&mut self.protocols, names)?;
        // Sorted references: O(n log n) however many names are offered.
        let mut sorted: Vec<&str> = self.protocols.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
            return Err(BuildError::ProtocolRepeated);
        }
        Ok(self)
    }

    /// Offers permessage-deflate (RFC 7692) with these parameters, or nothing: one
    /// offer, replacing any set before; [`deflate_offers`](Self::deflate_offers) for
    /// several.
    ///
    /// # Errors
    /// [`BuildError::WindowBitsInvalid`] if a window size is outside 8..=15.
    pub fn deflate(self, offer: Option<DeflateOffer>) -> Result<Self, BuildError> {
        self.deflate_offers(offer)
    }

    /// Offers permessage-deflate several times, in order of preference (RFC 7692 §5),
    /// replacing any offers set before: each is a separate element of
    /// `Sec-WebSocket-Extensions`, and a server accepts at most one. A strict offer
    /// first, then a fallback, lets a server that cannot honour a parameter (say
    /// `server_max_window_bits`) still agree to compression. The response is checked
    /// against the offers in order and agreed to the first it is a valid answer to
    /// (RFC 7692 §7.1.1–7.1.2 for each parameter); one that answers none fails.
    ///
    /// ```
    /// use ws_handshake::{ClientConfig, ClientHandshake, ClientKey, WsUrl};
    /// use ws_handshake::deflate::DeflateOffer;
    ///
    /// let config = ClientConfig::new().deflate_offers([
    ///     DeflateOffer::new().server_max_window_bits(Some(10)).client_max_window_bits(Some(None)),
    ///     DeflateOffer::new().client_max_window_bits(Some(None)),
    /// ])?;
    /// let url = WsUrl::parse("ws://example.com/")?;
    /// let handshake = ClientHandshake::new(&config, url, ClientKey::from_nonce([7; 16]));
    /// let mut out = Vec::new();
    /// handshake.request().write_to(&mut out);
    /// let request = String::from_utf8(out).unwrap();
    /// assert!(request.contains(
    ///     "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; \
    ///      client_max_window_bits, permessage-deflate; client_max_window_bits\r\n"
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`BuildError::WindowBitsInvalid`] if a window size is outside 8..=15.
    pub fn deflate_offers<I>(mut self, offers: I) -> Result<Self, BuildError>
    where
        I: IntoIterator<Item = DeflateOffer>,
    {
        let offers: Vec<DeflateOffer> = offers.into_iter().collect();
        for offer in &offers {
            offer.check()?;
        }
        self.deflate = offers;
        Ok(self)
    }

    /// Sends `Origin` (RFC 6455 §4.1 item 8), as a browser would, e.g. `https://example.com`.
    ///
    /// # Errors
    /// [`BuildError::OriginInvalid`] if it is empty, not ASCII, or holds control bytes.
    pub fn origin(mut self, origin: &str) -> Result<Self, BuildError> {
        if origin.is_empty() || !origin.is_ascii() || !is_field_value(origin.as_bytes()) {
            return Err(BuildError::OriginInvalid);
        }
        self.origin = Some(origin.to_string());
        Ok(self)
    }

    /// Adds a header to the request (e.g. `Authorization`, `Cookie`, `User-Agent`).
    ///
    /// # Errors
    /// [`BuildError::HeaderNameInvalid`] or [`BuildError::HeaderValueInvalid`] for
    /// bytes that could inject a header; [`BuildError::HeaderReserved`] for a header the
    /// handshake writes itself (`Host`, `Origin`, `Upgrade`, `Connection`,
    /// `Sec-WebSocket-*`, `Content-*`, `Transfer-Encoding`).
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, BuildError> {
        check_extra_headers(&[(name, value)])?;
        if name.eq_ignore_ascii_case("host") || name.eq_ignore_ascii_case("origin") {
            return Err(BuildError::HeaderReserved);
        }
        self.headers.push((name.to_string(), value.to_string()));
        Ok(self)
    }

    /// Sets what happens when subprotocols were offered and the server chose none.
    pub fn missing_protocol(mut self, policy: MissingProtocol) -> Self {
        self.missing_protocol = policy;
        self
    }
}
