//! The accepting answer ([`Accept`]): one field list ([`Answer`]), written as the
//! HTTP/1.1 `101 Switching Protocols` or as the extended CONNECT `200` head.

use crate::answer::field_list::{emit_field, Answer, Value};
use crate::answer::write::{writer_methods, Emit};
use crate::error::BuildError;
use crate::head::h2_h3::Head;
use crate::rules::deflate::PerMessageDeflate;
use crate::rules::extra_headers::check_extra_headers;
use crate::rules::key::AcceptKey;
use crate::rules::negotiate::{Negotiated, OfferedProtocol};
use crate::sink::Sink;

/// The answer that accepts: the HTTP/1.1 `101 Switching Protocols` (RFC 6455 §4.2.2
/// item 5), or the extended CONNECT `200` (RFC 8441 §5).
///
/// Built by [`Upgrade::accept`](crate::Upgrade::accept) with the negotiated
/// subprotocol and extensions. Extra headers (e.g. `Set-Cookie`) are checked so
/// nothing can be injected.
///
/// ```
/// # use ws_handshake::{ServerFeed, ServerConfig, ServerHandshake};
/// # let config = ServerConfig::new();
/// # let mut hs = ServerHandshake::new(&config);
/// # let req = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
/// #   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
/// # let Ok(ServerFeed::Upgrade(upgrade)) = hs.feed(req) else { panic!() };
/// let extra = [("Set-Cookie", "id=42; HttpOnly")];
/// let response = upgrade.accept().with_headers(&extra)?;
/// let mut out = Vec::new();
/// response.write_to(&mut out);
/// assert_eq!(
///     out,
///     b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///       Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSet-Cookie: id=42; HttpOnly\r\n\r\n"
/// );
/// // Injection attempts are refused.
/// assert!(upgrade.accept().with_headers(&[("X", "a\r\nEvil: 1")]).is_err());
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
///
/// One answer serves both transports, as a [`Rejection`](crate::Rejection) does: an
/// accepted HTTP/1.1 upgrade is written with [`write_to`](Self::write_to) (and
/// `to_http_response` with the `http` feature), an accepted extended CONNECT
/// (HTTP/2, HTTP/3) is sent as its [`head`](Self::head): `:status 200` and the
/// negotiated fields, no `Sec-WebSocket-Accept` (RFC 8441 §5). (An extended
/// CONNECT's answer has no `101` form: its `write_to` writes the same `200` head in
/// HTTP/1.1 syntax.)
///
/// ```
/// # use ws_handshake::{ConnectRequest, ServerConfig};
/// # let config = ServerConfig::new();
/// # let fields = [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "https"),
/// #     (":path", "/"), (":authority", "a.example"), ("sec-websocket-version", "13")];
/// # let request = ConnectRequest::validate(fields, &config).unwrap();
/// let extra = [("Set-Cookie", "id=42; HttpOnly")];
/// let head = request.accept().with_headers(&extra)?.head();
/// assert_eq!(head.status(), Some(200));
/// assert_eq!(head.fields().collect::<Vec<_>>(), [("set-cookie", "id=42; HttpOnly")]);
/// // Connection-specific fields and injection attempts are refused.
/// assert!(request.accept().with_headers(&[("keep-alive", "5")]).is_err());
/// assert!(request.accept().with_headers(&[("x", "a\r\nevil: 1")]).is_err());
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Accept<'a> {
    /// The `Sec-WebSocket-Accept` value; `None` for an extended CONNECT, which has no
    /// key to answer.
    key: Option<AcceptKey>,
    answer: Answer<'a>,
}

impl<'a> Accept<'a> {
    /// The answer to a request with `key` (HTTP/1.1), or without one (extended CONNECT).
    pub(crate) fn new(key: Option<&[u8]>, negotiated: &'a Negotiated<'a>) -> Self {
        Self {
            key: key.map(AcceptKey::from_key),
            answer: Answer::new(negotiated),
        }
    }

    /// Overrides the selected subprotocol with one the client offered, or none.
    pub fn with_protocol(mut self, protocol: Option<OfferedProtocol<'a>>) -> Self {
        self.answer.protocol = protocol.map(|p| p.as_str().as_bytes());
        self
    }

    /// Declines permessage-deflate even though it was negotiated.
    pub fn without_deflate(mut self) -> Self {
        self.answer.deflate = None;
        self
    }

    /// The subprotocol the answer carries.
    pub fn selected_protocol(&self) -> Option<&'a str> {
        core::str::from_utf8(self.answer.protocol?).ok()
    }

    /// The permessage-deflate parameters the answer carries.
    pub fn deflate(&self) -> Option<PerMessageDeflate> {
        self.answer.deflate
    }

    /// Adds headers to the response, written after the handshake's own.
    ///
    /// # Errors
    /// [`BuildError::HeaderNameInvalid`] for a name that is not a token;
    /// [`BuildError::HeaderReserved`] for a field the handshake writes itself
    /// (`Connection`, `Upgrade`, `Sec-WebSocket-*`) or that describes content
    /// (every `Content-*`, and `Transfer-Encoding`: a `101` has none, RFC 9110
    /// §15.2); [`BuildError::HeaderValueInvalid`] for a value with CR, LF, NUL or
    /// another control byte.
    pub fn with_headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Result<Self, BuildError> {
        check_extra_headers(headers)?;
        self.answer.headers = headers;
        Ok(self)
    }

    /// The `Sec-WebSocket-Accept` value; `None` for an extended CONNECT (RFC 8441 §5).
    pub fn accept_key(&self) -> Option<AcceptKey> {
        self.key
    }

    /// The answer as an HTTP/2 or HTTP/3 head: `:status 200` and the negotiated fields
    /// (no `Upgrade`, `Connection` or `Sec-WebSocket-Accept`: RFC 8441 §5). Send it and
    /// keep the stream open.
    pub fn head(&self) -> Head {
        let mut head = Head::response(200);
        self.answer
            .fields(&mut |name, value| head.push(name, value));
        head
    }

    /// Whether this answers an HTTP/1.1 upgrade (it has a key), not an extended CONNECT.
    #[cfg(feature = "http")]
    pub(crate) fn is_http1(&self) -> bool {
        self.key.is_some()
    }

    /// The answer's header fields, in order: the one list every form is written from
    /// (the HTTP/1.1 writer puts the fixed ones as [`HEAD`], spelled from the same list).
    #[cfg(feature = "http")]
    pub(crate) fn fields(&self, field: &mut impl FnMut(&str, Value<'_>)) {
        for (name, value) in FIXED_FIELDS {
            field(name, Value::Text(value.as_bytes()));
        }
        self.negotiated_fields(field);
    }

    /// The fields after [`FIXED_FIELDS`].
    fn negotiated_fields(&self, field: &mut impl FnMut(&str, Value<'_>)) {
        if let Some(key) = &self.key {
            field("Sec-WebSocket-Accept", Value::Text(key.as_bytes()));
        }
        self.answer.fields(field);
    }
}

/// The fields every `101` starts with (RFC 6455 §4.2.2 item 5).
const FIXED_FIELDS: [(&str, &str); 2] = [("Upgrade", "websocket"), ("Connection", "Upgrade")];

const STATUS_LINE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n";

/// The length of [`HEAD`].
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)] // compile time only
const HEAD_LEN: usize = {
    let mut len = STATUS_LINE.len();
    let mut i = 0;
    while i < FIXED_FIELDS.len() {
        let (name, value) = FIXED_FIELDS[i];
        len += name.len() + 2 + value.len() + 2; // "name: value\r\n"
        i += 1;
    }
    len
};

/// The status line and [`FIXED_FIELDS`] as HTTP/1.1 bytes, spelled at compile time from
/// that list: the writer puts them in one piece, and there is no second copy to drift.
const HEAD: [u8; HEAD_LEN] = spell_head();

/// Evaluated at compile time only: an index out of bounds would fail the build.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn spell_head() -> [u8; HEAD_LEN] {
    const fn copy(out: &mut [u8; HEAD_LEN], at: usize, bytes: &[u8]) -> usize {
        let mut i = 0;
        while i < bytes.len() {
            out[at + i] = bytes[i];
            i += 1;
        }
        at + bytes.len()
    }
    let mut out = [0u8; HEAD_LEN];
    let mut at = copy(&mut out, 0, STATUS_LINE);
    let mut i = 0;
    while i < FIXED_FIELDS.len() {
        let (name, value) = FIXED_FIELDS[i];
        at = copy(&mut out, at, name.as_bytes());
        at = copy(&mut out, at, b": ");
        at = copy(&mut out, at, value.as_bytes());
        at = copy(&mut out, at, b"\r\n");
        i += 1;
    }
    out
}

/// The extended CONNECT's `200` in HTTP/1.1 syntax: it has no `101` form, since
/// there is no key to answer.
const CONNECT_STATUS_LINE: &[u8] = b"HTTP/1.1 200 OK\r\n";

impl Emit for Accept<'_> {
    fn emit<S: Sink>(&self, out: &mut S) {
        out.put(match self.key {
            Some(_) => &HEAD,
            None => CONNECT_STATUS_LINE,
        });
        self.negotiated_fields(&mut |name, value| emit_field(out, name, &value));
        out.put(b"\r\n");
    }
}

writer_methods!(Accept);
