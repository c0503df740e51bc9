//! The server's answers: `101 Switching Protocols` ([`Accept`]) and refusals ([`Rejection`]).

use crate::answer::write::{
    check_extra_headers, check_rejection_status, has_field, writer_methods, Emit,
};
use crate::error::{BuildError, Error};
use crate::grammar::key::AcceptKey;
use crate::grammar::sink::Sink;
use crate::rules::custom_extension::AcceptedExtension;
use crate::rules::deflate::PerMessageDeflate;
use crate::rules::negotiate::Negotiated;

/// The `101 Switching Protocols` response (RFC 6455 §4.2.2 item 5).
///
/// Built by [`UpgradeRequest::accept`](crate::UpgradeRequest::accept) with the
/// negotiated subprotocol and extensions. Extra headers (e.g. `Set-Cookie`) are
/// checked so nothing can be injected.
///
/// ```
/// # use ws_handshake::{Feed, ServerConfig, ServerHandshake};
/// # let config = ServerConfig::new();
/// # let mut hs = ServerHandshake::new(&config);
/// # let req = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
/// #   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
/// # let Ok(Feed::Upgrade(upgrade)) = hs.feed(req) else { panic!() };
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
    accept: AcceptKey,
    answer: Answer<'a>,
}

/// What an accepting response says beyond its status: shared by the HTTP/1.1 `101`
/// ([`Accept`]) and the HTTP/2 / HTTP/3 `200` ([`ConnectAccept`](crate::ConnectAccept)).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer<'a> {
    /// A token (ASCII).
    pub(crate) protocol: Option<&'a [u8]>,
    pub(crate) deflate: Option<PerMessageDeflate>,
    deflate_position: usize,
    custom: &'a [AcceptedExtension<'a>],
    /// Extra headers, checked by the response type's own rules.
    pub(crate) headers: &'a [(&'a str, &'a str)],
}

impl<'a> Answer<'a> {
    pub(crate) fn new(negotiated: &'a Negotiated<'a>) -> Self {
        Self {
            protocol: negotiated.protocol,
            deflate: negotiated.deflate,
            deflate_position: negotiated.deflate_position,
            custom: &negotiated.custom,
            headers: &[],
        }
    }

    /// Whether a `Sec-WebSocket-Extensions` field is sent.
    pub(crate) fn has_extensions(&self) -> bool {
        self.deflate.is_some() || !self.custom.is_empty()
    }

    /// The `Sec-WebSocket-Extensions` value: the accepted extensions in the
    /// configured order (the order the server applies them).
    pub(crate) fn emit_extensions<S: Sink>(&self, out: &mut S) {
        let custom = self.custom;
        let (before, after) =
            custom.split_at(custom.partition_point(|c| c.position < self.deflate_position));
        let mut first = true;
        let mut separator = |out: &mut S| {
            if !first {
                out.put(b", ");
            }
            first = false;
        };
        for c in before {
            separator(out);
            custom_element(out, c);
        }
        if let Some(d) = &self.deflate {
            separator(out);
            d.emit(out);
        }
        for c in after {
            separator(out);
            custom_element(out, c);
        }
    }
}

/// The builder methods every accepting response shares, over an `answer` field.
macro_rules! answer_methods {
    () => {
        /// Overrides the selected subprotocol with one the client offered, or none.
        pub fn protocol(
            mut self,
            protocol: Option<$crate::rules::negotiate::OfferedProtocol<'a>>,
        ) -> Self {
            self.answer.protocol = protocol.map(|p| p.as_str().as_bytes());
            self
        }

        /// Declines permessage-deflate even though it was negotiated.
        pub fn without_deflate(mut self) -> Self {
            self.answer.deflate = None;
            self
        }

        /// The subprotocol the response carries.
        pub fn selected_protocol(&self) -> Option<&'a str> {
            core::str::from_utf8(self.answer.protocol?).ok()
        }

        /// The permessage-deflate parameters the response carries.
        pub fn deflate(&self) -> Option<$crate::rules::deflate::PerMessageDeflate> {
            self.answer.deflate
        }
    };
}
pub(crate) use answer_methods;

impl<'a> Accept<'a> {
    pub(crate) fn new(key: &[u8], negotiated: &'a Negotiated<'a>) -> Self {
        Self {
            accept: AcceptKey::from_key(key),
            answer: Answer::new(negotiated),
        }
    }

    answer_methods!();

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
        self.accept
    }
}

impl<'a> Accept<'a> {
    /// The response's header fields, in order: the `http` adapter's source. The byte
    /// writer writes the same fields with [`ACCEPT_HEAD`] in one piece (a test checks
    /// that it spells [`ACCEPT_FIXED`]), then [`negotiated_fields`](Self::negotiated_fields).
    #[cfg(feature = "http")]
    pub(crate) fn fields(&self, mut field: impl FnMut(&str, Value<'_>)) {
        for (name, value) in ACCEPT_FIXED {
            field(name, Value::Text(value.as_bytes()));
        }
        self.negotiated_fields(field);
    }

    /// The fields after the fixed ones: accept value, subprotocol, extensions, extras.
    fn negotiated_fields(&self, mut field: impl FnMut(&str, Value<'_>)) {
        field("Sec-WebSocket-Accept", Value::Text(self.accept.as_bytes()));
        if let Some(p) = self.answer.protocol {
            field("Sec-WebSocket-Protocol", Value::Text(p));
        }
        if self.answer.has_extensions() {
            field("Sec-WebSocket-Extensions", Value::Extensions(&self.answer));
        }
        extra_fields(self.answer.headers, field);
    }
}

/// The fields every `101` starts with.
#[cfg(any(feature = "http", test))]
const ACCEPT_FIXED: [(&str, &str); 2] = [("Upgrade", "websocket"), ("Connection", "Upgrade")];

/// The status line and [`ACCEPT_FIXED`], as written: one copy instead of seven.
const ACCEPT_HEAD: &[u8] =
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";

impl Emit for Accept<'_> {
    fn emit<S: Sink>(&self, out: &mut S) {
        out.put(ACCEPT_HEAD);
        self.negotiated_fields(|name, value| emit_field(out, name, &value));
        out.put(b"\r\n");
    }
}

fn custom_element<S: Sink>(out: &mut S, c: &AcceptedExtension<'_>) {
    out.put(c.name.as_bytes());
    out.put_display(&c.params);
}

writer_methods!(Accept);

/// A refusal: status line, `Connection: close`, `Sec-WebSocket-Version: 13`, a
/// plain-text body with a correct `Content-Length`, and any extra headers.
///
/// Errors produce one with [`Error::rejection`]; a server that refuses a valid
/// request for its own reasons builds one with [`Rejection::new`].
///
/// # The fields the crate writes, and yours
/// A refusal writes `Connection` (`close`, or `Upgrade, close` on 426), `Upgrade:
/// websocket` on 426, `Allow: GET` on 405, `Sec-WebSocket-Version: 13`,
/// `Content-Type` and `Content-Length`. Extra headers never add a second copy of any
/// of them:
/// - `Connection`, `Upgrade`, `Transfer-Encoding`, `Sec-WebSocket-*` and every
///   `Content-*` field are refused ([`BuildError::ReservedHeader`]): the crate
///   writes the body, so only it can describe it (RFC 9110 §8). The body's type is
///   set with [`content_type`](Self::content_type).
/// - `Allow` replaces the crate's own on a 405 (a caller's `Allow` is the method list
///   it means, RFC 9110 §10.2.1); on other statuses it is just an extra field.
///
/// A refusal always has content, so it never uses a status that cannot carry any
/// (RFC 9110 §6.4.1): see [`new`](Self::new).
///
/// ```
/// use ws_handshake::Rejection;
/// let extra = [("WWW-Authenticate", "Bearer")];
/// let reply = Rejection::new(401, "log in first")?.headers(&extra)?;
/// let mut out = Vec::new();
/// reply.write_to(&mut out);
/// let text = std::str::from_utf8(&out).unwrap();
/// assert!(text.starts_with("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n"));
/// assert!(text.contains("\r\nWWW-Authenticate: Bearer\r\n"));
/// assert!(text.ends_with("\r\n\r\nlog in first"));
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Rejection<'a> {
    status: u16,
    body: Body<'a>,
    content_type: &'a str,
    headers: &'a [(&'a str, &'a str)],
}

#[derive(Debug, Clone, Copy)]
enum Body<'a> {
    Text(&'a str),
    Error(Error),
}

const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

impl<'a> Rejection<'a> {
    /// A refusal with `status` (300–599, except 304) and a plain-text `body`.
    ///
    /// ```
    /// use ws_handshake::{BuildError, Rejection};
    /// assert!(Rejection::new(503, "busy").is_ok());
    /// // Interim and success statuses (1xx, 204 included) are never a refusal,
    /// assert_eq!(Rejection::new(101, "").unwrap_err(), BuildError::InvalidStatus);
    /// assert_eq!(Rejection::new(204, "").unwrap_err(), BuildError::InvalidStatus);
    /// // and 304 cannot carry the body (RFC 9110 §15.4.5).
    /// assert_eq!(Rejection::new(304, "stale").unwrap_err(), BuildError::StatusWithoutContent);
    /// ```
    ///
    /// # Errors
    /// [`BuildError::InvalidStatus`] for a status outside 300–599: a refusal must
    /// never look like an interim response or a success;
    /// [`BuildError::StatusWithoutContent`] for 304, which cannot have content
    /// (RFC 9110 §15.4.5, §6.4.1).
    pub fn new(status: u16, body: &'a str) -> Result<Self, BuildError> {
        check_rejection_status(status)?;
        Ok(Self {
            status,
            body: Body::Text(body),
            content_type: TEXT_PLAIN,
            headers: &[],
        })
    }

    pub(crate) fn for_error(error: Error) -> Rejection<'static> {
        Rejection {
            status: error.status(),
            body: Body::Error(error),
            content_type: TEXT_PLAIN,
            headers: &[],
        }
    }

    /// Adds headers (e.g. `WWW-Authenticate`, `Retry-After`, `Location`), written
    /// after the crate's own; an `Allow` replaces the crate's `Allow: GET` on a 405.
    ///
    /// ```
    /// use ws_handshake::{BuildError, Rejection};
    /// let allow = [("Allow", "GET, HEAD")];
    /// let reply = Rejection::new(405, "GET only")?.headers(&allow)?;
    /// let mut out = Vec::new();
    /// reply.write_to(&mut out);
    /// let text = String::from_utf8(out).unwrap();
    /// assert_eq!(text.matches("Allow:").count(), 1);
    /// assert!(text.contains("\r\nAllow: GET, HEAD\r\n"));
    /// // The body is plain text: it cannot be labelled otherwise.
    /// let gzip = [("Content-Encoding", "gzip")];
    /// assert_eq!(reply.headers(&gzip).unwrap_err(), BuildError::ReservedHeader);
    /// # Ok::<(), BuildError>(())
    /// ```
    ///
    /// # Errors
    /// As for [`Accept::headers`]: in particular every `Content-*` field is
    /// [`BuildError::ReservedHeader`] (the body's type has its own setter,
    /// [`content_type`](Self::content_type)).
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Result<Self, BuildError> {
        check_extra_headers(headers)?;
        self.headers = headers;
        Ok(self)
    }

    /// Sets the body's `Content-Type` (default `text/plain; charset=utf-8`).
    ///
    /// # Errors
    /// [`BuildError::InvalidHeaderValue`] for a value with control bytes.
    pub fn content_type(mut self, content_type: &'a str) -> Result<Self, BuildError> {
        check_extra_headers(&[("X", content_type)])?;
        self.content_type = content_type;
        Ok(self)
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }
}

impl Rejection<'_> {
    /// The response's header fields, in order (see [`Accept::fields`]).
    pub(crate) fn fields(&self, mut field: impl FnMut(&str, Value<'_>)) {
        // RFC 9110 §15.5.22: a 426 names the protocol to upgrade to; RFC 7230 §6.7:
        // a sent Upgrade needs the "upgrade" connection option.
        if self.status == 426 {
            field("Connection", Value::Text(b"Upgrade, close"));
            field("Upgrade", Value::Text(b"websocket"));
        } else {
            field("Connection", Value::Text(b"close"));
        }
        // RFC 9110 §15.5.6: a 405 lists the allowed methods; a caller's `Allow`
        // is that list (written with the extras), never a second copy.
        if self.status == 405 && !has_field(self.headers, "Allow") {
            field("Allow", Value::Text(b"GET"));
        }
        field("Sec-WebSocket-Version", Value::Text(b"13"));
        field("Content-Type", Value::Text(self.content_type.as_bytes()));
        field("Content-Length", Value::Number(self.body_len()));
        extra_fields(self.headers, field);
    }
}

impl Emit for Rejection<'_> {
    fn emit<S: Sink>(&self, out: &mut S) {
        out.put(b"HTTP/1.1 ");
        out.put_usize(usize::from(self.status));
        out.put(b" ");
        out.put(reason_phrase(self.status).as_bytes());
        out.put(b"\r\n");
        self.fields(|name, value| emit_field(out, name, &value));
        out.put(b"\r\n");
        self.emit_body(out);
    }
}

impl Rejection<'_> {
    pub(crate) fn emit_body<S: Sink>(&self, out: &mut S) {
        match self.body {
            Body::Text(t) => out.put(t.as_bytes()),
            Body::Error(e) => {
                out.put_display(&e);
                out.put(b"\n");
            }
        }
    }

    fn body_len(&self) -> usize {
        let mut c = crate::grammar::sink::Counter::default();
        self.emit_body(&mut c);
        c.0
    }
}

writer_methods!(Rejection);

impl Error {
    /// The complete rejection response for this error, ready to be written.
    ///
    /// It closes the connection, carries `Sec-WebSocket-Version: 13`, `Allow: GET`
    /// on 405, `Upgrade: websocket` on 426, and the `Display` text as its body.
    /// This is the HTTP/1.1 form; over HTTP/2 or HTTP/3 answer with
    /// [`ConnectRejection::from`](crate::ConnectRejection).
    ///
    /// ```
    /// use ws_handshake::Error;
    /// let mut out = Vec::new();
    /// Error::MethodNotGet.rejection().write_to(&mut out);
    /// let text = String::from_utf8(out).unwrap();
    /// assert!(text.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
    /// assert!(text.contains("\r\nAllow: GET\r\n"));
    /// ```
    pub fn rejection(self) -> Rejection<'static> {
        Rejection::for_error(self)
    }
}

/// A header field value as the writers see it (produced without allocating).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'v> {
    /// Bytes already known to be a valid field value.
    Text(&'v [u8]),
    /// A decimal number (`Content-Length`).
    Number(usize),
    /// The accepted extensions, written by [`Answer::emit_extensions`].
    Extensions(&'v Answer<'v>),
}

/// Writes one header field line.
#[inline]
fn emit_field<S: Sink>(out: &mut S, name: &str, value: &Value<'_>) {
    out.put(name.as_bytes());
    out.put(b": ");
    match value {
        Value::Text(t) => out.put(t),
        Value::Number(n) => out.put_usize(*n),
        Value::Extensions(a) => a.emit_extensions(out),
    }
    out.put(b"\r\n");
}

/// Caller-supplied extra fields (already checked), after the handshake's own.
fn extra_fields(headers: &[(&str, &str)], mut field: impl FnMut(&str, Value<'_>)) {
    for (name, value) in headers {
        field(name, Value::Text(value.as_bytes()));
    }
}

/// The RFC 9110 reason phrase, or an empty one (allowed by RFC 7230 §3.1.2).
fn reason_phrase(status: u16) -> &'static str {
    match status {
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_head_spells_the_status_line_and_the_fixed_fields() {
        let mut spelled = b"HTTP/1.1 101 Switching Protocols\r\n".to_vec();
        for (name, value) in ACCEPT_FIXED {
            spelled.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        assert_eq!(ACCEPT_HEAD, &spelled[..]);
    }
}
