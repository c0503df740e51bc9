//! The [`http`] crate front end (feature `http`): validate a request that a
//! server such as hyper or axum has already parsed, and answer with an
//! [`http::Response`].
//!
//! The rules, the negotiation and the errors are the byte path's, not a copy of them:
//! [`inspect`] feeds each header field of the [`HeaderMap`] to the same one-pass
//! summary the byte path uses, then runs the same rule functions. The answers are
//! the same too: [`Accept::to_http_response`] and [`Rejection::to_http_response`]
//! are driven by the header lists that [`Accept::write_to`] and
//! [`Rejection::write_to`] write, so a `101` or a refusal carries exactly the same
//! fields either way.
//!
//! [`inspect`] takes a [`ParsedRequest`] (an `http::Request<B>` or its
//! `http::request::Parts`) and gives an [`Inspect`]; [`inspect_with`] adds
//! [`InspectOptions`] (whether the connection uses TLS, whether the peer is a trusted
//! reverse proxy).
//!
//! ```
//! use ws_handshake::http::{inspect, Inspect};
//! use ws_handshake::ServerConfig;
//!
//! let config = ServerConfig::new().protocols(["chat"])?;
//! // What hyper or axum hands a handler (the body type does not matter).
//! let request = http::Request::get("/chat")
//!     .header("Host", "example.com")
//!     .header("Upgrade", "websocket")
//!     .header("Connection", "Upgrade")
//!     .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
//!     .header("Sec-WebSocket-Version", "13")
//!     .header("Sec-WebSocket-Protocol", "chat, superchat")
//!     .body(())?;
//!
//! let response = match inspect(&request, &config) {
//!     Ok(Inspect::Upgrade(upgrade)) => {
//!         assert_eq!(upgrade.protocol(), Some("chat"));
//!         upgrade.accept().to_http_response().map(|()| String::new())
//!     }
//!     Ok(Inspect::Plain) => http::Response::new("a page, an API…".to_string()),
//!     Err(error) => error.rejection().to_http_response(), // then close the connection
//! };
//! assert_eq!(response.status(), 101);
//! assert_eq!(response.headers()["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
//! assert_eq!(response.headers()["sec-websocket-protocol"], "chat");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With hyper, send the `101` from the handler and take the connection with
//! `hyper::upgrade::on(&mut request)`; `examples/hyper_server.rs` does exactly that.
//!
//! # What differs from the byte path
//! The server that parsed the request has already applied its own HTTP/1.1 rules
//! and limits, so a few things are out of this module's hands:
//! - **Header order.** A [`HeaderMap`] keeps the order of the values of one name
//!   (so list-valued headers such as `Sec-WebSocket-Protocol` split over several
//!   lines combine in the order sent), but not the order between different names.
//!   No rule depends on the latter.
//! - **Limits.** The head size limit ([`Limits::max_head_bytes`](crate::Limits::max_head_bytes))
//!   is the server's (hyper: `max_buf_size`). The header count limit is checked,
//!   but only for WebSocket requests: plain requests belong to the application.
//! - **Request-target.** [`Uri`] drops a `#fragment` before this module
//!   sees it, so a fragment is not refused here as it is on the byte path.
//! - **Versions.** HTTP/1.0 is refused as on the byte path; a WebSocket request over
//!   HTTP/0.9, HTTP/2 or HTTP/3 is refused as
//!   [`HttpVersionNotSupported`](Error::HttpVersionNotSupported) (505, the byte path's
//!   answer to another major version on the request line). WebSockets over HTTP/2 and HTTP/3 use the
//!   extended CONNECT (RFC 8441, RFC 9220): validate those with
//!   [`ConnectRequest::from_http`](crate::ConnectRequest::from_http).

use alloc::string::String;
use alloc::vec::Vec;

use ::http::header::{HeaderMap, HeaderName, HeaderValue};
use ::http::request::Parts;
use ::http::{Method, Request, Response, StatusCode, Uri, Version};

use crate::answer::accept::Accept;
use crate::answer::field_list::Value;
use crate::answer::rejection::{Form, Rejection};
use crate::error::Error;
use crate::head::h2_h3::Head;
use crate::rules::forwarded::Forwarded;
use crate::rules::framing::check_framing;
use crate::rules::request;
use crate::rules::server_config::ServerConfig;
use crate::rules::summary::Summary;
use crate::upgrade::{Http1, List, Transport, Upgrade};

/// What [`inspect`] made of a request.
// Boxing the large variant would allocate on the hot path; the value is short-lived.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
#[must_use = "answer the upgrade, or serve the plain request"]
pub enum Inspect<'a> {
    /// A WebSocket upgrade that passed every rule: accept it (or refuse it yourself
    /// with a [`Rejection`]). It dereferences to the request's [`HeaderMap`]; the
    /// path and query are in the request you inspected.
    Upgrade(Upgrade<'a, &'a HeaderMap>),
    /// Not a WebSocket request at all (no `Upgrade: websocket`, no
    /// `Sec-WebSocket-*`): serve it as the ordinary HTTP request it is.
    Plain,
}

/// Validates a parsed request (an `http::Request` or its parts) against RFC 6455
/// §4.2.1 and negotiates subprotocol and extensions, exactly as
/// [`ServerHandshake::feed`](crate::ServerHandshake::feed) does. A server that knows
/// its transport, or sits behind a proxy it trusts, says so with [`inspect_with`].
///
/// # Errors
/// The rule the request broke, the same [`Error`] the byte path gives for the same
/// request; answer it with [`Error::rejection`] and
/// [`to_http_response`](Rejection::to_http_response).
///
/// # Example
/// ```
/// use ws_handshake::http::inspect;
/// use ws_handshake::{Error, ServerConfig};
///
/// let config = ServerConfig::new();
/// let request = http::Request::post("/chat")
///     .header("Host", "example.com")
///     .header("Upgrade", "websocket")
///     .body(())?;
/// let error = inspect(&request, &config).unwrap_err();
/// assert_eq!(error, Error::MethodNotGet);
/// let response = error.rejection().to_http_response();
/// assert_eq!(response.status(), 405);
/// assert_eq!(response.headers()["allow"], "GET");
/// assert_eq!(response.body(), "method must be GET\n");
/// # Ok::<(), http::Error>(())
/// ```
pub fn inspect<'a>(
    request: impl ParsedRequest<'a>,
    config: &ServerConfig,
) -> Result<Inspect<'a>, Error> {
    inspect_with(request, config, InspectOptions::new())
}

/// [`inspect`] with [`InspectOptions`]: the transport, if known, and whether the peer
/// is a reverse proxy you trust (its address is yours). Behind such a proxy the
/// Origin policy compares with the origin the client reached, as the proxy reports it
/// in `Forwarded` and `X-Forwarded-*`, by the rules of
/// [`ServerHandshake::with_trusted_proxy`](crate::ServerHandshake::with_trusted_proxy). Trust
/// the proxy's connections only: from any other peer those fields are the client's
/// word.
///
/// ```
/// use ws_handshake::http::{inspect, inspect_with, Inspect, InspectOptions};
/// use ws_handshake::{Error, OriginPart, ServerConfig};
///
/// let config = ServerConfig::new();
/// let behind_proxy = InspectOptions::new().with_trusted_proxy(true);
/// // The proxy terminates TLS for https://example.com and speaks http to us.
/// let request = http::Request::get("/chat")
///     .header("Host", "example.com")
///     .header("Origin", "https://example.com")
///     .header("Forwarded", "for=192.0.2.60;proto=https")
///     .header("Upgrade", "websocket")
///     .header("Connection", "Upgrade")
///     .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
///     .header("Sec-WebSocket-Version", "13")
///     .body(())?;
/// assert!(matches!(inspect_with(&request, &config, behind_proxy), Ok(Inspect::Upgrade(_))));
/// // The transport is unknown to `inspect`, so it does not compare schemes; a
/// // forwarded `proto` it never reads.
/// let spoofed = http::Request::get("/chat")
///     .header("Host", "example.com")
///     .header("Origin", "https://example.com")
///     .header("X-Forwarded-Proto", "http")
///     .header("Upgrade", "websocket")
///     .header("Connection", "Upgrade")
///     .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
///     .header("Sec-WebSocket-Version", "13")
///     .body(())?;
/// assert!(matches!(inspect(&spoofed, &config), Ok(Inspect::Upgrade(_))));
/// assert_eq!(
///     inspect_with(&spoofed, &config, behind_proxy).unwrap_err(),
///     Error::OriginMismatch(OriginPart::Scheme)
/// );
/// // A server that knows it is reached over plain http says so, as the byte path can.
/// let plain = InspectOptions::new().with_tls(false);
/// assert_eq!(
///     inspect_with(&spoofed, &config, plain).unwrap_err(),
///     Error::OriginMismatch(OriginPart::Scheme)
/// );
/// # Ok::<(), http::Error>(())
/// ```
///
/// # Errors
/// As for [`inspect`], and [`Error::ForwardedInvalid`] or
/// [`Error::ForwardedConflict`] for the forwarded fields.
pub fn inspect_with<'a>(
    request: impl ParsedRequest<'a>,
    config: &ServerConfig,
    options: InspectOptions,
) -> Result<Inspect<'a>, Error> {
    let (method, version, uri, headers) = request.parts();
    inspect_head(method, version, uri, headers, config, options)
}

/// How [`inspect_with`] reads a request: what only the connection knows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InspectOptions {
    tls: Option<bool>,
    trusted_proxy: bool,
}

impl InspectOptions {
    /// The transport unknown, the peer not trusted: what [`inspect`] uses.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the connection uses TLS: see
    /// [`ServerHandshake::with_tls`](crate::ServerHandshake::with_tls), whose rules apply.
    #[must_use]
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Whether the peer is a reverse proxy you trust: see
    /// [`ServerHandshake::with_trusted_proxy`](crate::ServerHandshake::with_trusted_proxy),
    /// whose rules apply.
    #[must_use]
    pub fn with_trusted_proxy(mut self, trusted: bool) -> Self {
        self.trusted_proxy = trusted;
        self
    }
}

/// A request the `http` crate parsed: `&http::Request<B>`, or its `&Parts` (from
/// `Request::into_parts`, or an axum extractor). Implemented for those two only.
pub trait ParsedRequest<'a>: sealed::Sealed {
    /// The method, version, URI and header fields.
    fn parts(self) -> (&'a Method, Version, &'a Uri, &'a HeaderMap);
}

impl<'a, B> ParsedRequest<'a> for &'a Request<B> {
    fn parts(self) -> (&'a Method, Version, &'a Uri, &'a HeaderMap) {
        (self.method(), self.version(), self.uri(), self.headers())
    }
}

impl<'a> ParsedRequest<'a> for &'a Parts {
    fn parts(self) -> (&'a Method, Version, &'a Uri, &'a HeaderMap) {
        (&self.method, self.version, &self.uri, &self.headers)
    }
}

mod sealed {
    #[allow(unreachable_pub)] // the sealing supertrait, unnameable outside the crate
    pub trait Sealed {}
    impl<B> Sealed for &::http::Request<B> {}
    impl Sealed for &::http::request::Parts {}
}

fn inspect_head<'a>(
    method: &'a Method,
    version: Version,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    config: &ServerConfig,
    options: InspectOptions,
) -> Result<Inspect<'a>, Error> {
    let mut summary = Summary::default();
    for (name, value) in headers {
        summary.add(name.as_str().as_bytes(), value.as_bytes());
    }
    let websocket = summary.wants_websocket();
    // The byte path's order: what its parser refuses first, then the framing, then
    // the rules. A plain request is left to the HTTP server that parsed it, unless
    // its framing is broken (which that server should have refused already).
    let limit = config.limits().max_headers();
    if headers.len() > limit {
        return match websocket {
            true => Err(Error::TooManyHeaders { limit }),
            false => Ok(Inspect::Plain),
        };
    }
    let minor_version = match version {
        Version::HTTP_10 => 0,
        Version::HTTP_11 => 1,
        // As the byte path answers `HTTP/2.0` on a request line (RFC 9110 §15.6.6).
        _ if websocket => return Err(Error::HttpVersionNotSupported),
        _ => return Ok(Inspect::Plain),
    };
    check_framing(&summary, minor_version)?;
    if !websocket {
        return Ok(Inspect::Plain);
    }
    request::check_request_line(method.as_str(), minor_version, target(uri))?;
    let authority = uri.authority().map_or("", |a| a.as_str());
    let addressed = request::addressed(uri.scheme_str().map(|s| (s, authority)), options.tls)?;
    let forwarded = options.trusted_proxy.then(|| {
        Forwarded::read(
            headers
                .iter()
                .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes())),
        )
    });
    let checked = request::check_h1(&summary, addressed, forwarded.as_ref(), config)?;
    Ok(Inspect::Upgrade(Upgrade::new(checked, headers)))
}

/// The offered lists are read again from the header map when asked for, as the byte
/// path reads them from its head: nothing is kept, so the outcome stays small.
impl<'a> Transport<'a> for &'a HeaderMap {
    fn offered(self, list: List) -> impl Iterator<Item = &'a [u8]> + 'a {
        let name = match list {
            List::Protocols => ::http::header::SEC_WEBSOCKET_PROTOCOL,
            List::Extensions => ::http::header::SEC_WEBSOCKET_EXTENSIONS,
        };
        self.get_all(name).into_iter().map(HeaderValue::as_bytes)
    }
}

impl Http1 for &HeaderMap {}

/// The request-target to check: origin-form as sent; `""` (refused) for the
/// authority-form; for the absolute-form, which [`Uri`] has already checked to have a
/// scheme and an authority, a stand-in origin-form target.
fn target(uri: &Uri) -> &str {
    match (uri.scheme(), uri.path_and_query()) {
        (Some(_), _) => "/",
        (None, Some(path_and_query)) => path_and_query.as_str(),
        (None, None) => "",
    }
}

impl Accept<'_> {
    /// The answer as an [`http::Response`]. For an HTTP/1.1 upgrade, the `101
    /// Switching Protocols` with the same header fields that [`write_to`](Self::write_to)
    /// writes: `Upgrade`, `Connection`, `Sec-WebSocket-Accept`, the negotiated
    /// `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions`, then the extra headers.
    /// For an extended CONNECT, its [`head`](Self::head) (`200`), for h2 and the other
    /// HTTP/2 or HTTP/3 libraries built on the `http` crate.
    ///
    /// ```
    /// # use ws_handshake::http::{inspect, Inspect};
    /// # use ws_handshake::ServerConfig;
    /// # let config = ServerConfig::new();
    /// # let request = http::Request::get("/").header("Host", "a").header("Upgrade", "websocket")
    /// #     .header("Connection", "Upgrade").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
    /// #     .header("Sec-WebSocket-Version", "13").body(())?;
    /// # let Ok(Inspect::Upgrade(upgrade)) = inspect(&request, &config) else { panic!() };
    /// let extra = [("Set-Cookie", "id=42; HttpOnly")];
    /// let response = upgrade.accept().with_headers(&extra)?.to_http_response();
    /// assert_eq!(response.status(), http::StatusCode::SWITCHING_PROTOCOLS);
    /// let fields: Vec<_> = response.headers().iter().map(|(n, v)| (n.as_str(), v.to_str().unwrap())).collect();
    /// assert_eq!(fields, [
    ///     ("upgrade", "websocket"),
    ///     ("connection", "Upgrade"),
    ///     ("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
    ///     ("set-cookie", "id=42; HttpOnly"),
    /// ]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_http_response(&self) -> Response<()> {
        if !self.is_http1() {
            return self.head().to_http_response();
        }
        let mut response = Response::new(());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        self.fields(&mut |name, value| append(headers, name, value));
        response
    }
}

impl Rejection<'_> {
    /// The refusal as an [`http::Response`] with its plain-text body,
    /// and the same header fields that [`write_to`](Self::write_to) writes:
    /// `Connection: close`, `Upgrade: websocket` on 426, `Allow: GET` on 405,
    /// `Sec-WebSocket-Version: 13`, `Content-Type`, `Content-Length`, then the extra
    /// headers. Map the body into your server's body type, e.g.
    /// `response.map(http_body_util::Full::from)` with hyper.
    ///
    /// ```
    /// use ws_handshake::Error;
    /// let response = Error::VersionUnsupported.rejection().to_http_response();
    /// assert_eq!(response.status(), 426);
    /// assert_eq!(response.headers()["upgrade"], "websocket");
    /// assert_eq!(response.headers()["connection"], "Upgrade, close");
    /// assert_eq!(response.headers()["sec-websocket-version"], "13");
    /// assert_eq!(response.headers()["content-length"], "33");
    /// assert_eq!(response.body(), "Sec-WebSocket-Version must be 13\n");
    /// ```
    pub fn to_http_response(&self) -> Response<String> {
        let mut body = Vec::new();
        self.emit_body(&mut body);
        let mut response = Response::new(String::from_utf8_lossy(&body).into_owned());
        // A rejection's status is always within 300..=599, a valid status code.
        *response.status_mut() =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let headers = response.headers_mut();
        self.fields(Form::Http1, &mut |name, value| append(headers, name, value));
        response
    }
}

/// Appends one field. Names are tokens and values were checked for CR, LF, NUL and
/// other controls (the same bytes `HeaderValue` refuses) before they got here, so
/// neither conversion fails; a field that somehow did is left out rather than
/// written broken.
fn append(headers: &mut HeaderMap, name: &str, value: Value<'_>) {
    let value = match value {
        Value::Text(text) => HeaderValue::from_bytes(text),
        Value::Number(n) => Ok(HeaderValue::from(n)),
        other => HeaderValue::from_str(&other.to_text()),
    };
    if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), value) {
        headers.append(name, value);
    }
}

impl Rejection<'_> {
    /// The refusal of an extended CONNECT (HTTP/2 or HTTP/3) as an
    /// [`http::Response`]: its [`head`](Rejection::head) and its
    /// [`body`](Rejection::body), for h2 and the other libraries built on the `http`
    /// crate. ([`to_http_response`](Rejection::to_http_response) is the HTTP/1.1 form.)
    ///
    /// ```
    /// use ws_handshake::Error;
    /// let response = Error::ConnectMethodRequired.rejection().to_connect_response();
    /// assert_eq!(response.status(), 405);
    /// assert_eq!(response.headers()["allow"], "CONNECT");
    /// assert!(!response.headers().contains_key("connection")); // HTTP/2 forbids it
    /// ```
    pub fn to_connect_response(&self) -> Response<String> {
        self.head()
            .to_http_response()
            .map(|()| self.body().into_owned())
    }
}

impl Head {
    /// A response head as an [`http::Response`]: its `:status` and fields.
    /// (A request head has no status; it comes out as `200`.)
    pub fn to_http_response(&self) -> Response<()> {
        let mut response = Response::new(());
        // Statuses are 200 or a checked 300..=599, so the conversion cannot fail.
        *response.status_mut() = self
            .status()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        let headers = response.headers_mut();
        for (name, value) in self.fields() {
            append(headers, name, Value::Text(value.as_bytes()));
        }
        response
    }

    /// The head as an [`http::Request`] (feature `http`): method `CONNECT`, URI
    /// `scheme://authority/path`, HTTP/2, and the regular fields.
    ///
    /// `:protocol` cannot be carried by `http` itself: attach it as your HTTP
    /// library's extension, e.g. `h2::ext::Protocol::from_static("websocket")`.
    ///
    /// ```
    /// use ws_handshake::{ClientConfig, ConnectClient, WsUrl};
    /// let config = ClientConfig::new().protocols(["chat"])?;
    /// let client = ConnectClient::new(&config, WsUrl::parse("ws://127.0.0.1:9004/echo")?);
    /// let request = client.request().to_http_request();
    /// assert_eq!(request.method(), http::Method::CONNECT);
    /// assert_eq!(request.uri(), "http://127.0.0.1:9004/echo");
    /// assert_eq!(request.headers()["sec-websocket-protocol"], "chat");
    /// // request.extensions_mut().insert(h2::ext::Protocol::from_static("websocket"));
    /// # Ok::<(), ws_handshake::BuildError>(())
    /// ```
    pub fn to_http_request(&self) -> http::Request<()> {
        let get = |name| self.get(name).unwrap_or_default();
        let uri = alloc::format!("{}://{}{}", get(":scheme"), get(":authority"), get(":path"));
        let mut request = http::Request::new(());
        *request.method_mut() = http::Method::CONNECT;
        *request.version_mut() = http::Version::HTTP_2;
        // The URL was parsed and every field checked, so no conversion fails; a field
        // that somehow did is left out rather than sent broken.
        if let Ok(uri) = http::Uri::try_from(uri) {
            *request.uri_mut() = uri;
        }
        let headers = request.headers_mut();
        for (name, value) in self.fields() {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(value),
            ) {
                headers.append(name, value);
            }
        }
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::deflate::{DeflateConfig, PerMessageDeflate};
    use crate::upgrade::{Http1, Transport};
    use crate::{ExtensionParams, Limits, OriginPolicy, ServerFeed, ServerHandshake};
    use alloc::string::ToString;
    use alloc::vec;
    use std::format;

    /// What either front end made of a request, in a comparable form.
    #[derive(Debug, PartialEq, Eq)]
    enum Outcome {
        Upgrade {
            key: String,
            host: String,
            origin: Option<String>,
            protocol: Option<String>,
            offered_protocols: Vec<String>,
            offered_extensions: usize,
            deflate: Option<PerMessageDeflate>,
            response: Answer,
        },
        Plain,
        Refused(Error, Answer),
    }

    /// A response: status, header fields (names lowercased, sorted by name with
    /// the order of one name kept), body.
    #[derive(Debug, PartialEq, Eq)]
    struct Answer {
        status: u16,
        fields: Vec<(String, Vec<u8>)>,
        body: Vec<u8>,
    }

    fn answer_from_bytes(bytes: &[u8]) -> Answer {
        let mut storage = [httparse::EMPTY_HEADER; 32];
        let mut r = httparse::Response::new(&mut storage);
        let httparse::Status::Complete(len) = r.parse(bytes).unwrap() else {
            panic!("incomplete response")
        };
        let mut fields: Vec<_> = r
            .headers
            .iter()
            .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
            .collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        Answer {
            status: r.code.unwrap(),
            fields,
            body: bytes[len..].to_vec(),
        }
    }

    fn answer_from_http<B: AsRef<[u8]>>(response: &Response<B>) -> Answer {
        let mut fields: Vec<_> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
            .collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        Answer {
            status: response.status().as_u16(),
            fields,
            body: response.body().as_ref().to_vec(),
        }
    }

    const EXTRA: [(&str, &str); 1] = [("Set-Cookie", "id=42; HttpOnly")];

    /// The one view's values, whichever front end handed it out.
    fn upgrade_outcome<'a, T: Transport<'a> + Http1>(
        up: &Upgrade<'a, T>,
        response: Answer,
    ) -> Outcome {
        Outcome::Upgrade {
            key: up.key().to_string(),
            host: up.host().to_string(),
            origin: up.origin().map(ToString::to_string),
            protocol: up.protocol().map(ToString::to_string),
            offered_protocols: up
                .offered_protocols()
                .map(|p| p.as_str().to_string())
                .collect(),
            offered_extensions: up.offered_extensions().count(),
            deflate: up.deflate(),
            response,
        }
    }

    fn through_bytes(config: &ServerConfig, bytes: &[u8]) -> Outcome {
        let mut hs = ServerHandshake::new(config);
        let mut out = Vec::new();
        match hs.feed(bytes) {
            Ok(ServerFeed::Upgrade(up)) => {
                up.accept().with_headers(&EXTRA).unwrap().write_to(&mut out);
                upgrade_outcome(&up, answer_from_bytes(&out))
            }
            Ok(ServerFeed::Plain(_)) => Outcome::Plain,
            Ok(ServerFeed::NeedMore) => panic!("incomplete request"),
            Err(e) => {
                e.rejection().write_to(&mut out);
                Outcome::Refused(e, answer_from_bytes(&out))
            }
        }
    }

    /// The same request, parsed into an `http::Request` the way a server would.
    fn to_http(bytes: &[u8]) -> Request<()> {
        let mut storage = [httparse::EMPTY_HEADER; 64];
        let mut r = httparse::Request::new(&mut storage);
        r.parse(bytes).unwrap();
        let mut builder = Request::builder()
            .method(r.method.unwrap())
            .uri(r.path.unwrap())
            .version(match r.version.unwrap() {
                0 => Version::HTTP_10,
                _ => Version::HTTP_11,
            });
        for h in r.headers.iter() {
            builder = builder.header(h.name, h.value);
        }
        builder.body(()).unwrap()
    }

    fn through_http(config: &ServerConfig, request: &Request<()>) -> Outcome {
        match inspect(request, config) {
            Ok(Inspect::Upgrade(up)) => {
                let response = up.accept().with_headers(&EXTRA).unwrap().to_http_response();
                upgrade_outcome(&up, answer_from_http(&response.map(|()| String::new())))
            }
            Ok(Inspect::Plain) => Outcome::Plain,
            Err(e) => Outcome::Refused(e, answer_from_http(&e.rejection().to_http_response())),
        }
    }

    const BASE: [&str; 5] = [
        "Host: example.com",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ];

    /// `start`, then BASE without the lines starting with `drop`, then `add`.
    fn req(start: &str, drop: &[&str], add: &[&str]) -> Vec<u8> {
        let mut r = format!("{start}\r\n");
        for line in BASE
            .iter()
            .filter(|l| !drop.iter().any(|d| l.starts_with(d)))
        {
            r.push_str(line);
            r.push_str("\r\n");
        }
        for line in add {
            r.push_str(line);
            r.push_str("\r\n");
        }
        r.push_str("\r\n");
        r.into_bytes()
    }

    fn get(drop: &[&str], add: &[&str]) -> Vec<u8> {
        req("GET /chat?room=1 HTTP/1.1", drop, add)
    }

    #[test]
    fn every_rule_gives_the_same_outcome_on_both_paths() {
        let default = ServerConfig::new();
        let rich = ServerConfig::new()
            .protocols(["chat", "superchat"])
            .unwrap()
            .deflate(Some(DeflateConfig::new()))
            .extension("x-trace", |_| Some(ExtensionParams::new()))
            .unwrap();
        let strict = ServerConfig::new()
            .protocols(["chat"])
            .unwrap()
            .require_protocol(true)
            .require_origin(true)
            .allowed_hosts(["example.com"])
            .unwrap()
            .origin_policy(OriginPolicy::allow_list(["https://example.com"]).unwrap());
        let few_headers = ServerConfig::new().with_limits(Limits::default().with_max_headers(5));
        let nine_protocol_lines = ["Sec-WebSocket-Protocol: chat"; 9];
        let cases: Vec<(&ServerConfig, Vec<u8>, &str)> = vec![
            (&default, get(&[], &[]), "upgrade"),
            (&default, get(&[], &["Origin: http://example.com"]), "upgrade"),
            (&default, req("GET ws://example.com/chat HTTP/1.1", &[], &[]), "upgrade"),
            (&default, get(&["Connection"], &["Connection: keep-alive, Upgrade"]), "upgrade"),
            (&rich, get(&[], &["Sec-WebSocket-Protocol: superchat, chat"]), "upgrade"),
            (&rich, get(&[], &["Sec-WebSocket-Protocol: x", "Sec-WebSocket-Protocol: superchat"]), "upgrade"),
            (&rich, get(&[], &["Sec-WebSocket-Extensions: x-trace, permessage-deflate; client_max_window_bits", "Sec-WebSocket-Extensions: x-other"]), "upgrade"),
            (&strict, get(&[], &["Origin: https://example.com", "Sec-WebSocket-Protocol: chat"]), "upgrade"),
            (&default, get(&["Upgrade", "Connection", "Sec-"], &[]), "plain"),
            (&default, get(&["Upgrade", "Sec-"], &["Upgrade: h2c"]), "plain"),
            (&default, req("POST /chat HTTP/1.1", &[], &[]), "405"),
            (&default, req("GET /chat HTTP/1.0", &[], &[]), "version"),
            (&default, req("GET * HTTP/1.1", &[], &[]), "target"),
            (&default, req("GET example.com:80 HTTP/1.1", &[], &[]), "target"),
            (&default, get(&["Host"], &[]), "host missing"),
            (&default, get(&[], &["Host: example.org"]), "host repeated"),
            (&default, get(&["Host"], &["Host: exa mple"]), "host invalid"),
            (&strict, get(&["Host"], &["Host: evil.example", "Origin: https://example.com", "Sec-WebSocket-Protocol: chat"]), "host not allowed"),
            (&default, get(&["Upgrade"], &[]), "upgrade missing"),
            (&default, get(&["Upgrade"], &["Upgrade: h2c"]), "upgrade other"),
            (&default, get(&["Connection"], &[]), "connection missing"),
            (&default, get(&["Connection"], &["Connection: keep-alive"]), "connection other"),
            (&default, get(&["Sec-WebSocket-Key"], &["Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5", "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00"]), "draft-76"),
            (&default, get(&["Sec-WebSocket-Version"], &[]), "version missing"),
            (&default, get(&["Sec-WebSocket-Version"], &["Sec-WebSocket-Version: 8"]), "version 8"),
            (&default, get(&[], &["Sec-WebSocket-Version: 13"]), "version repeated"),
            (&default, get(&["Sec-WebSocket-Key"], &[]), "key missing"),
            (&default, get(&[], &["Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="]), "key repeated"),
            (&default, get(&["Sec-WebSocket-Key"], &["Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ"]), "key invalid"),
            (&default, get(&[], &["Content-Length: 5"]), "body"),
            (&default, get(&[], &["Transfer-Encoding: chunked"]), "chunked"),
            (&default, get(&[], &["Content-Length: 0"]), "upgrade"),
            (&default, get(&[], &["Sec-WebSocket-Protocol: ,"]), "protocol list"),
            (&default, get(&[], &["Sec-WebSocket-Protocol: a b"]), "protocol list"),
            (&default, get(&[], &["Sec-WebSocket-Extensions: permessage-deflate;"]), "extension list"),
            (&default, get(&[], &nine_protocol_lines), "431"),
            (&default, get(&[], &["Origin: https://evil.example"]), "403"),
            (&default, get(&[], &["Origin: http://example.com", "Origin: http://example.com"]), "origin repeated"),
            (&strict, get(&[], &["Sec-WebSocket-Protocol: chat"]), "origin missing"),
            (&strict, get(&[], &["Origin: https://example.com", "Sec-WebSocket-Protocol: other"]), "protocol required"),
            (&few_headers, get(&[], &["X-One: 1"]), "too many headers"),
            (&few_headers, get(&[], &[]), "upgrade"),
        ];
        let mut refused = 0;
        for (config, bytes, what) in &cases {
            let text = String::from_utf8_lossy(bytes);
            let by_bytes = through_bytes(config, bytes);
            let by_http = through_http(config, &to_http(bytes));
            assert_eq!(by_http, by_bytes, "{what}: {text}");
            match (*what, &by_bytes) {
                ("upgrade", Outcome::Upgrade { .. }) | ("plain", Outcome::Plain) => {}
                (_, Outcome::Refused(..)) if !matches!(*what, "upgrade" | "plain") => {
                    refused += 1;
                }
                _ => panic!("{what}: unexpected {by_bytes:?} for {text}"),
            }
        }
        assert_eq!(refused, 30);
        // Every error variant except the byte path's own (HeadTooLarge, and Malformed,
        // which only the version test below can reach) is covered.
        let mut seen: Vec<Error> = Vec::new();
        for (config, bytes, _) in &cases {
            if let Outcome::Refused(e, _) = through_bytes(config, bytes) {
                if !seen.contains(&e) {
                    seen.push(e);
                }
            }
        }
        assert_eq!(seen.len(), 25, "{seen:?}");
    }

    #[test]
    fn parts_give_the_same_answer() {
        let config = ServerConfig::new();
        let (parts, ()) = to_http(&get(&[], &[])).into_parts();
        let Ok(Inspect::Upgrade(up)) = inspect(&parts, &config) else {
            panic!("expected an upgrade")
        };
        assert_eq!(up.key(), "dGhlIHNhbXBsZSBub25jZQ==");
        let (parts, ()) = to_http(&get(&["Sec-WebSocket-Version"], &[])).into_parts();
        assert_eq!(inspect(&parts, &config).unwrap_err(), Error::VersionMissing);
    }

    #[test]
    fn websocket_over_other_versions_is_refused_like_the_byte_path() {
        let config = ServerConfig::new();
        for version in [Version::HTTP_09, Version::HTTP_2, Version::HTTP_3] {
            let mut request = to_http(&get(&[], &[]));
            *request.version_mut() = version;
            assert_eq!(
                inspect(&request, &config).unwrap_err(),
                Error::HttpVersionNotSupported
            );
            let mut plain = to_http(&get(&["Upgrade", "Connection", "Sec-"], &[]));
            *plain.version_mut() = version;
            assert!(matches!(inspect(&plain, &config), Ok(Inspect::Plain)));
        }
        // The byte path gives the same answer to another major version (505).
        assert!(matches!(
            through_bytes(&config, &req("GET / HTTP/2.0", &[], &[])),
            Outcome::Refused(Error::HttpVersionNotSupported, _)
        ));
    }

    #[test]
    fn switching_protocols_headers_are_exact() {
        let config = ServerConfig::new()
            .protocols(["chat"])
            .unwrap()
            .deflate(Some(DeflateConfig::new()));
        let request = to_http(&get(
            &[],
            &[
                "Sec-WebSocket-Protocol: chat",
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
            ],
        ));
        let Ok(Inspect::Upgrade(up)) = inspect(&request, &config) else {
            panic!("expected an upgrade")
        };
        // obs-text and mixed case survive the conversion.
        let extra = [("X-Name", "caf\u{e9}"), ("Set-Cookie", "a=1")];
        let response = up.accept().with_headers(&extra).unwrap().to_http_response();
        assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
        assert_eq!(response.version(), Version::HTTP_11);
        let fields: Vec<(&str, &[u8])> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        assert_eq!(
            fields,
            [
                ("upgrade", &b"websocket"[..]),
                ("connection", b"Upgrade"),
                ("sec-websocket-accept", b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
                ("sec-websocket-protocol", b"chat"),
                ("sec-websocket-extensions", b"permessage-deflate"),
                ("x-name", "caf\u{e9}".as_bytes()),
                ("set-cookie", b"a=1"),
            ]
        );
    }

    #[test]
    fn caller_rejections_convert_with_their_headers() {
        let extra = [("WWW-Authenticate", "Bearer")];
        let rejection = Rejection::new(401, "log in first")
            .unwrap()
            .with_headers(&extra)
            .unwrap();
        let mut bytes = Vec::new();
        rejection.write_to(&mut bytes);
        let response = rejection.to_http_response();
        assert_eq!(answer_from_http(&response), answer_from_bytes(&bytes));
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(response.body(), "log in first");
        // A status without a reason phrase still converts.
        let odd = Rejection::new(499, "").unwrap().to_http_response();
        assert_eq!(odd.status().as_u16(), 499);
    }

    #[test]
    fn list_lines_keep_their_order_within_one_name() {
        let config = ServerConfig::new()
            .protocols(["b", "a"])
            .unwrap()
            .protocol_order(crate::ProtocolOrder::ClientPreference);
        let request = Request::get("/")
            .header("Sec-WebSocket-Protocol", "x, a")
            .header("Host", "h")
            .header("Upgrade", "websocket")
            .header("Sec-WebSocket-Protocol", "b")
            .header("Connection", "Upgrade")
            .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("Sec-WebSocket-Version", "13")
            .body(())
            .unwrap();
        let Ok(Inspect::Upgrade(up)) = inspect(&request, &config) else {
            panic!("expected an upgrade")
        };
        let offered: Vec<_> = up.offered_protocols().map(|p| p.as_str()).collect();
        assert_eq!(offered, ["x", "a", "b"]);
        assert_eq!(up.protocol(), Some("a"));
    }
}
