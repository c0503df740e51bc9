//! The accepting answers: the HTTP/1.1 `101 Switching Protocols` ([`Accept`]) and the
//! extended CONNECT `200` ([`ConnectAccept`]), both over one [`Answer`] field list.

use crate::answer::fields::{emit_field, Answer, Head, Value};
use crate::answer::write::{check_extra_headers, writer_methods, Emit};
use crate::error::BuildError;
use crate::grammar::key::AcceptKey;
use crate::grammar::sink::Sink;
use crate::rules::deflate::PerMessageDeflate;
use crate::rules::negotiate::{Negotiated, OfferedProtocol};

/// The `101 Switching Protocols` response (RFC 6455 §4.2.2 item 5).
///
/// Built by [`UpgradeRequest::accept`](crate::UpgradeRequest::accept) with the
/// negotiated subprotocol and extensions. Extra headers (e.g. `Set-Cookie`) are
/// checked so nothing can be injected.
///
/// ```
/// # use ws_handshake::{ServerFeed, ServerConfig, ServerHandshake};
/// # let config = ServerConfig::new();
/// # let mut hs = ServerHandshake::new(&config);
/// # let req = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
/// #   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
/// # let Ok(ServerFeed::Upgrade(upgrade)) = hs.feed(req) else { panic!() };
/// let extra = [("Set-Cookie", "id=42; HttpOnly")];
/// let response = upgrade.accept().headers(&extra)?;
/// let mut out = Vec::new();
/// response.write_to(&mut out);
/// assert_eq!(
///     out,
///     b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///       Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSet-Cookie: id=42; HttpOnly\r\n\r\n"
/// );
/// // Injection attempts are refused.
/// assert!(upgrade.accept().headers(&[("X", "a\r\nEvil: 1")]).is_err());
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Accept<'a> {
    key: AcceptKey,
    answer: Answer<'a>,
}

impl<'a> Accept<'a> {
    pub(crate) fn new(key: &[u8], negotiated: &'a Negotiated<'a>) -> Self {
        Self {
            key: AcceptKey::from_key(key),
            answer: Answer::new(negotiated),
        }
    }

    /// Overrides the selected subprotocol with one the client offered, or none.
    pub fn protocol(mut self, protocol: Option<OfferedProtocol<'a>>) -> Self {
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
    /// [`BuildError::InvalidHeaderName`] for a name that is not a token;
    /// [`BuildError::ReservedHeader`] for a field the handshake writes itself
    /// (`Connection`, `Upgrade`, `Sec-WebSocket-*`) or that describes content
    /// (every `Content-*`, and `Transfer-Encoding`: a `101` has none, RFC 9110
    /// §15.2); [`BuildError::InvalidHeaderValue`] for a value with CR, LF, NUL or
    /// another control byte.
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Result<Self, BuildError> {
        check_extra_headers(headers)?;
        self.answer.headers = headers;
        Ok(self)
    }

    /// The `Sec-WebSocket-Accept` value.
    pub fn accept_key(&self) -> AcceptKey {
        self.key
    }

    /// The answer's header fields, in order: the one list every form is written from.
    pub(crate) fn fields(&self, field: &mut dyn FnMut(&str, Value<'_>)) {
        field("Upgrade", Value::Text(b"websocket"));
        field("Connection", Value::Text(b"Upgrade"));
        field("Sec-WebSocket-Accept", Value::Text(self.key.as_bytes()));
        self.answer.fields(field);
    }
}

impl Emit for Accept<'_> {
    fn emit<S: Sink>(&self, out: &mut S) {
        out.put(b"HTTP/1.1 101 Switching Protocols\r\n");
        self.fields(&mut |name, value| emit_field(out, name, &value));
        out.put(b"\r\n");
    }
}

writer_methods!(Accept);

/// The `200` answer to an extended CONNECT (RFC 8441 §5): the negotiated
/// `sec-websocket-protocol` and `sec-websocket-extensions`, and your extra headers.
///
/// ```
/// # use ws_handshake::{ConnectRequest, ServerConfig};
/// # let config = ServerConfig::new();
/// # let fields = [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "https"),
/// #     (":path", "/"), (":authority", "a.example"), ("sec-websocket-version", "13")];
/// # let request = ConnectRequest::validate(fields, &config).unwrap();
/// let extra = [("Set-Cookie", "id=42; HttpOnly")];
/// let head = request.accept().headers(&extra)?.head();
/// assert_eq!(head.status(), Some(200));
/// assert_eq!(head.fields().collect::<Vec<_>>(), [("set-cookie", "id=42; HttpOnly")]);
/// // Connection-specific fields and injection attempts are refused.
/// assert!(request.accept().headers(&[("keep-alive", "5")]).is_err());
/// assert!(request.accept().headers(&[("x", "a\r\nevil: 1")]).is_err());
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ConnectAccept<'a> {
    answer: Answer<'a>,
}

impl<'a> ConnectAccept<'a> {
    pub(crate) fn new(negotiated: &'a Negotiated<'a>) -> Self {
        Self {
            answer: Answer::new(negotiated),
        }
    }

    /// Overrides the selected subprotocol with one the client offered, or none.
    pub fn protocol(mut self, protocol: Option<OfferedProtocol<'a>>) -> Self {
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

    /// Adds headers to the answer, after the negotiated ones.
    ///
    /// # Errors
    /// As for [`Accept::headers`].
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Result<Self, BuildError> {
        check_extra_headers(headers)?;
        self.answer.headers = headers;
        Ok(self)
    }

    /// The answer as an HTTP/2 or HTTP/3 head: `:status 200` and its fields.
    pub fn head(&self) -> Head {
        let mut head = Head::response(200);
        self.answer
            .fields(&mut |name, value| head.push(name, value));
        head
    }
}
