//! Refusals ([`Rejection`]): one field list, written for HTTP/1.1 or as an HTTP/2 /
//! HTTP/3 head.

use alloc::borrow::Cow;

use crate::answer::field_list::{emit_field, extra_fields, Value};
use crate::answer::write::{
    check_rejection_status, has_field, reason_phrase, writer_methods, Emit,
};
use crate::error::{BuildError, Error};
use crate::head::h2_h3::Head;
use crate::rules::extra_headers::check_extra_headers;
use crate::sink::{Counter, Sink};

/// A refusal: status line, `Connection: close`, `Sec-WebSocket-Version: 13`, a
/// plain-text body with a correct `Content-Length`, and any extra headers.
///
/// Errors produce one with [`Error::rejection`] (or `Rejection::from(error)`); a
/// server that refuses a valid request for its own reasons builds one with
/// [`Rejection::new`].
///
/// One refusal serves both transports: [`write_to`](Self::write_to) (and
/// `to_http_response` with the `http` feature) give the HTTP/1.1 form, [`head`](Self::head)
/// and [`body`](Self::body) the extended CONNECT form for HTTP/2 and HTTP/3, where
/// `Connection` and `Upgrade` do not exist and a 405 allows `CONNECT`.
///
/// # The fields the crate writes, and yours
/// A refusal writes `Connection` (`close`, or `Upgrade, close` on 426), `Upgrade:
/// websocket` on 426, `Allow: GET` on 405, `Sec-WebSocket-Version: 13`,
/// `Content-Type` and `Content-Length`. Extra headers never add a second copy of any
/// of them:
/// - `Connection`, `Upgrade`, `Transfer-Encoding`, `Sec-WebSocket-*` and every
///   `Content-*` field are refused ([`BuildError::HeaderReserved`]): the crate
///   writes the body, so only it can describe it (RFC 9110 §8). The body's type is
///   set with [`with_content_type`](Self::with_content_type).
/// - `Allow` replaces the crate's own on a 405 (a caller's `Allow` is the method list
///   it means, RFC 9110 §10.2.1); on other statuses it is just an extra field.
///
/// A refusal always has content, so it never uses a status that cannot carry any
/// (RFC 9110 §6.4.1): see [`new`](Self::new).
///
/// ```
/// use ws_handshake::Rejection;
/// let extra = [("WWW-Authenticate", "Bearer")];
/// let reply = Rejection::new(401, "log in first")?.with_headers(&extra)?;
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

/// Which transport a refusal is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// HTTP/1.1: the connection closes after the refusal.
    Http1,
    /// Extended CONNECT over HTTP/2 or HTTP/3: only the stream ends.
    Connect,
}

const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

impl<'a> Rejection<'a> {
    /// A refusal with `status` (300–599, except 304) and a plain-text `body`.
    ///
    /// ```
    /// use ws_handshake::{BuildError, Rejection};
    /// assert!(Rejection::new(503, "busy").is_ok());
    /// // Interim and success statuses (1xx, 204 included) are never a refusal,
    /// assert_eq!(Rejection::new(101, "").unwrap_err(), BuildError::StatusInvalid);
    /// assert_eq!(Rejection::new(204, "").unwrap_err(), BuildError::StatusInvalid);
    /// // and 304 cannot carry the body (RFC 9110 §15.4.5).
    /// assert_eq!(Rejection::new(304, "stale").unwrap_err(), BuildError::StatusWithoutContent);
    /// ```
    ///
    /// # Errors
    /// [`BuildError::StatusInvalid`] for a status outside 300–599: a refusal must
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

    /// Adds headers (e.g. `WWW-Authenticate`, `Retry-After`, `Location`), written
    /// after the crate's own; an `Allow` replaces the crate's `Allow: GET` on a 405.
    ///
    /// ```
    /// use ws_handshake::{BuildError, Rejection};
    /// let allow = [("Allow", "GET, HEAD")];
    /// let reply = Rejection::new(405, "GET only")?.with_headers(&allow)?;
    /// let mut out = Vec::new();
    /// reply.write_to(&mut out);
    /// let text = String::from_utf8(out).unwrap();
    /// assert_eq!(text.matches("Allow:").count(), 1);
    /// assert!(text.contains("\r\nAllow: GET, HEAD\r\n"));
    /// // The body is plain text: it cannot be labelled otherwise.
    /// let gzip = [("Content-Encoding", "gzip")];
    /// assert_eq!(reply.with_headers(&gzip).unwrap_err(), BuildError::HeaderReserved);
    /// # Ok::<(), BuildError>(())
    /// ```
    ///
    /// # Errors
    /// As for [`Accept::with_headers`](crate::Accept::with_headers): in particular every `Content-*` field is
    /// [`BuildError::HeaderReserved`] (the body's type has its own setter,
    /// [`with_content_type`](Self::with_content_type)).
    pub fn with_headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Result<Self, BuildError> {
        check_extra_headers(headers)?;
        self.headers = headers;
        Ok(self)
    }

    /// Sets the body's `Content-Type` (default `text/plain; charset=utf-8`).
    ///
    /// # Errors
    /// [`BuildError::HeaderValueInvalid`] for a value with control bytes.
    pub fn with_content_type(mut self, content_type: &'a str) -> Result<Self, BuildError> {
        check_extra_headers(&[("X", content_type)])?;
        self.content_type = content_type;
        Ok(self)
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The plain-text body.
    pub fn body(&self) -> Cow<'a, str> {
        match self.body {
            Body::Text(t) => Cow::Borrowed(t),
            Body::Error(e) => Cow::Owned(alloc::format!("{e}\n")),
        }
    }

    /// The refusal as an HTTP/2 or HTTP/3 head: `:status`, `sec-websocket-version:
    /// 13`, `allow: CONNECT` on 405 (unless an extra header is an `allow`),
    /// `content-type` and `content-length` of the body, then the extra headers. Send
    /// it, then the [`body`](Self::body) as DATA, and end the stream.
    ///
    /// ```
    /// use ws_handshake::{Error, Rejection};
    /// let reply = Rejection::from(Error::VersionUnsupported);
    /// let head = reply.head();
    /// assert_eq!(head.status(), Some(426));
    /// assert_eq!(head.get("sec-websocket-version"), Some("13"));
    /// assert_eq!(head.get("upgrade"), None); // HTTP/2 forbids it
    /// assert_eq!(reply.body(), "Sec-WebSocket-Version must be 13\n");
    ///
    /// let extra = [("www-authenticate", "Bearer")];
    /// let reply = Rejection::new(401, "log in first")?.with_headers(&extra)?;
    /// assert_eq!(reply.head().get("www-authenticate"), Some("Bearer"));
    /// # Ok::<(), ws_handshake::BuildError>(())
    /// ```
    pub fn head(&self) -> Head {
        let mut head = Head::response(self.status);
        self.fields(Form::Connect, &mut |name, value| head.push(name, value));
        head
    }
}

impl Rejection<'_> {
    /// The refusal's header fields, in order, for `form`.
    pub(crate) fn fields(&self, form: Form, field: &mut impl FnMut(&str, Value<'_>)) {
        if form == Form::Http1 {
            // RFC 9110 §15.5.22: a 426 names the protocol to upgrade to; RFC 9110
            // §7.8: a sent Upgrade needs the "upgrade" connection option.
            if self.status == 426 {
                field("Connection", Value::Text(b"Upgrade, close"));
                field("Upgrade", Value::Text(b"websocket"));
            } else {
                field("Connection", Value::Text(b"close"));
            }
        }
        // RFC 9110 §15.5.6: a 405 lists the allowed methods; a caller's `Allow`
        // is that list (written with the extras), never a second copy.
        if self.status == 405 && !has_field(self.headers, "Allow") {
            let allowed: &[u8] = match form {
                Form::Http1 => b"GET",
                Form::Connect => b"CONNECT",
            };
            field("Allow", Value::Text(allowed));
        }
        field("Sec-WebSocket-Version", Value::Text(b"13"));
        field("Content-Type", Value::Text(self.content_type.as_bytes()));
        field("Content-Length", Value::Number(self.body_len()));
        extra_fields(self.headers, field);
    }

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
        let mut c = Counter::default();
        self.emit_body(&mut c);
        c.0
    }
}

impl Emit for Rejection<'_> {
    fn emit<S: Sink>(&self, out: &mut S) {
        out.put(b"HTTP/1.1 ");
        out.put_usize(usize::from(self.status));
        out.put(b" ");
        out.put(reason_phrase(self.status).as_bytes());
        out.put(b"\r\n");
        self.fields(Form::Http1, &mut |name, value| {
            emit_field(out, name, &value)
        });
        out.put(b"\r\n");
        self.emit_body(out);
    }
}

writer_methods!(Rejection);

impl From<Error> for Rejection<'static> {
    fn from(error: Error) -> Self {
        Rejection {
            status: error.status(),
            body: Body::Error(error),
            content_type: TEXT_PLAIN,
            headers: &[],
        }
    }
}

impl Error {
    /// The complete refusal for this error, ready to be written.
    ///
    /// Over HTTP/1.1 it closes the connection, carries `Sec-WebSocket-Version: 13`,
    /// `Allow: GET` on 405, `Upgrade: websocket` on 426, and the `Display` text as its
    /// body; over HTTP/2 or HTTP/3 send its [`head`](Rejection::head) and
    /// [`body`](Rejection::body).
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
        Rejection::from(self)
    }
}
