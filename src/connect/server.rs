//! The server side of extended CONNECT: [`ConnectRequest`] (its documentation holds
//! what RFC 8441 and RFC 9220 ask of the caller and how this crate reads them).

use crate::error::{Error, Malformed, PseudoHeader};
use crate::grammar::authority::split_host_port_bytes;
use crate::grammar::token::{is_connection_specific, is_h2_field_value, is_lowercase_token};
use crate::rules::framing::is_zero_length;
use crate::rules::negotiate;
use crate::rules::request;
use crate::rules::server_config::ServerConfig;
use crate::rules::summary::Lines;
use crate::rules::summary::Summary;
use crate::upgrade::{List, Transport, Upgrade};

/// The `:protocol` value that opens a WebSocket, RFC 8441 §5.
pub const WEBSOCKET_PROTOCOL: &str = "websocket";

/// The HTTP/2 and HTTP/3 setting a server must advertise with value `1` before
/// clients may send an extended CONNECT: `SETTINGS_ENABLE_CONNECT_PROTOCOL`
/// (RFC 8441 §3 for HTTP/2, RFC 9220 §3 for HTTP/3: the same identifier).
pub const SETTINGS_ENABLE_CONNECT_PROTOCOL: u64 = 0x8;

/// The pseudo-headers of one request, each seen at most once.
#[derive(Default)]
struct Pseudo<'a> {
    method: Option<&'a [u8]>,
    protocol: Option<&'a [u8]>,
    scheme: Option<&'a [u8]>,
    path: Option<&'a [u8]>,
    authority: Option<&'a [u8]>,
}

impl<'a> Pseudo<'a> {
    fn set(&mut self, which: PseudoHeader, value: &'a [u8]) -> Result<(), Error> {
        let slot = match which {
            PseudoHeader::Method => &mut self.method,
            PseudoHeader::Protocol => &mut self.protocol,
            PseudoHeader::Scheme => &mut self.scheme,
            PseudoHeader::Path => &mut self.path,
            PseudoHeader::Authority => &mut self.authority,
        };
        if slot.replace(value).is_some() {
            return Err(Error::PseudoHeaderRepeated(which));
        }
        Ok(())
    }
}

/// An HTTP/2 or HTTP/3 extended CONNECT that passed every rule of RFC 8441 §4–5 and
/// the WebSocket negotiation: the one [`Upgrade`] view over its [`ConnectTarget`]
/// (`:scheme`, `:path`), which it dereferences to. Accept it
/// ([`accept`](Upgrade::accept), sent as the [`Accept::head`](crate::Accept::head))
/// or refuse it yourself ([`Rejection::new`](crate::Rejection::new)).
///
/// It borrows the field values it was given; nothing is copied.
///
/// ```
/// use ws_handshake::{ConnectRequest, OriginPolicy, ServerConfig};
///
/// let config = ServerConfig::new()
///     .protocols(["chat"])?
///     .origin_policy(OriginPolicy::allow_list(["http://www.example.com"])?);
/// // The request of RFC 8441 §5.1, as the HTTP/2 library hands it over.
/// let fields = [
///     (":method", "CONNECT"),
///     (":protocol", "websocket"),
///     (":scheme", "https"),
///     (":path", "/chat"),
///     (":authority", "server.example.com"),
///     ("sec-websocket-protocol", "chat, superchat"),
///     ("sec-websocket-extensions", "permessage-deflate"),
///     ("sec-websocket-version", "13"),
///     ("origin", "http://www.example.com"),
/// ];
/// let request = ConnectRequest::validate(fields, &config).map_err(|e| e.to_string())?;
/// assert_eq!(request.path(), "/chat");
/// let head = request.accept().head();
/// assert_eq!(head.status(), Some(200));
/// assert_eq!(head.fields().collect::<Vec<_>>(), [("sec-websocket-protocol", "chat")]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
///  WebSockets over HTTP/2 (RFC 8441) and HTTP/3 (RFC 9220): the extended CONNECT.
///
///  Over HTTP/2 and HTTP/3 a WebSocket is one request stream. The client opens it with
///  an *extended CONNECT* instead of the HTTP/1.1 `GET` + `Upgrade`:
///
///  ```text
///  client                                   server
///                                      ◄──  SETTINGS  SETTINGS_ENABLE_CONNECT_PROTOCOL = 1
///  HEADERS  :method = CONNECT          ──►  ConnectRequest::validate(fields, &config)
///           :protocol = websocket             ├─ Ok(request) ─► request.accept().head()
///           :scheme = https                   │                 ◄── HEADERS :status = 200
///           :path = /chat                     │                     sec-websocket-protocol = chat
///           :authority = server.example.com   └─ Err(error) ──► Rejection::from(error).head()
///           sec-websocket-version = 13                          ◄── HEADERS :status = 4xx/501
///           sec-websocket-protocol = chat, superchat
///  DATA (WebSocket frames)             ◄─►  DATA (WebSocket frames)
///  ```
///
///  The rules are those of RFC 8441 §4–5 (RFC 9220 §3 applies them unchanged to
///  HTTP/3), then the *same* subprotocol, extension and Origin negotiation as the
///  HTTP/1.1 handshake, through the same code: `:authority` plays the role of `Host`.
///  There is no `Sec-WebSocket-Key` and no `Sec-WebSocket-Accept`.
///
///  # What the caller does at the HTTP/2 or HTTP/3 layer
///  This module sees only header fields; the HTTP library does the rest:
///  - **Advertise `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`** (setting `0x8`, RFC 8441 §3;
///    the same identifier in the HTTP/3 SETTINGS frame, RFC 9220 §3). Clients must not
///    send `:protocol` before they have seen it, and most HTTP libraries refuse a
///    `:protocol` they did not enable. With the `h2` crate:
///    `h2::server::Builder::new().enable_connect_protocol()`; h2 then exposes the
///    value as the `h2::ext::Protocol` request extension.
///  - **Answer with the `200` head and keep the stream open** (no `END_STREAM`): the
///    request and response DATA frames (HTTP/3: DATA frames on the request stream)
///    then carry WebSocket frames, exactly as the TCP byte stream does in RFC 6455.
///    Masking is unchanged: client-to-server frames are masked, server-to-client
///    frames are not. A WebSocket frame may span DATA frames and vice versa.
///  - **Closing**: an orderly close is `END_STREAM` (HTTP/3: the stream FIN); an abort
///    is `RST_STREAM` with `CANCEL` (HTTP/3: `H3_REQUEST_CANCELLED`), RFC 8441 §5,
///    RFC 9220 §3.
///  - **No `content-length`** in the `200` (RFC 9110 §8.6) and no connection-specific
///    fields anywhere: [`Accept::head`](crate::Accept::head) never writes one and refuses them in
///    caller headers.
///  - Deadlines, flow control and stream limits are the HTTP layer's.
///
///  # Over HTTP/3 (RFC 9220): what the QUIC stack does, what this crate does
///  RFC 9220 §3 carries RFC 8441 over to HTTP/3 unchanged; the work splits so:
///  - **The HTTP/3 stack** sends `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1` in its SETTINGS
///    frame (quiche 0.30: `h3::Config::enable_extended_connect(true)`; a client waits
///    for it, quiche: `extended_connect_enabled_by_peer()`), decodes QPACK, and hands the
///    request's fields over as received. quiche hands them over as raw name/value pairs
///    with no check of its own: pass them here *in order*, unfiltered.
///  - **This crate** judges them, as over HTTP/2: pseudo-headers first and each once
///    (RFC 9114 §4.3), no connection-specific field (`connection`, `upgrade`,
///    `keep-alive`, `proxy-connection`, `transfer-encoding`, a `te` other than
///    `trailers`: RFC 9114 §4.2 makes the request malformed, `400`), lowercase names,
///    `:protocol` `websocket` (another value `501`), `:authority`, `:scheme`, `:path`,
///    then the subprotocol, extension and Origin negotiation. A refusal is a
///    [`Rejection`](crate::Rejection) whose [`head`](crate::Rejection::head) (with
///    `content-length`) and [`body`](crate::Rejection::body) make the whole response.
///  - **The caller** sends the `200` [`head`](crate::Accept::head) *without* FIN; then
///    the request stream's DATA frames carry the WebSocket bytes both ways. The stream's
///    FIN is the orderly end of one direction (a browser sends its close frame together
///    with it); `RESET_STREAM` or `STOP_SENDING` with `H3_REQUEST_CANCELLED` (`0x10c`)
///    is an abort, after which the caller frees the stream's state at once. What only
///    the connection knows stays with the caller: QUIC is always TLS, so a `:scheme`
///    of `http` (accepted here, as `ws:` over cleartext HTTP/2 needs it) is for the
///    caller to answer `421` (RFC 9110 §15.5.20); stream limits (QUIC's MAX_STREAMS),
///    idle timeouts and flow control are the QUIC stack's.
///
///  The repository's `h3/` crate is a complete server and client on quiche, tested
///  against aioquic and headless Chromium.
///
///  # Reading of the RFC
///  - `:protocol` must be `websocket` (RFC 8441 §5). It is an upgrade token, and the
///    same token in HTTP/1.1's `Upgrade` is compared case-insensitively (RFC 6455
///    §4.2.1 item 3), so this server accepts any ASCII case; it never *sends* anything
///    but `websocket`. Any other value is answered `501` (RFC 9220 §3).
///  - A plain `CONNECT` (no `:protocol`, and, as RFC 9113 §8.5 requires of it, no
///    `:scheme` and no `:path`) asks for a TCP tunnel, which a WebSocket endpoint does
///    not provide: [`Error::ConnectWithoutProtocol`], answered `501` like an
///    unsupported `:protocol` (RFC 9220 §3; RFC 9110 §15.6.2: the server does not
///    support the functionality). `405` would claim that `CONNECT` is the wrong method,
///    and it is the right one, only without the protocol this server speaks. A
///    `CONNECT` with `:scheme` or `:path` but no `:protocol` is an extended CONNECT
///    that lost its `:protocol`, malformed (RFC 9113 §8.5): `400`.
///  - A method other than `CONNECT` is answered `405` with `allow: CONNECT`.
///  - `sec-websocket-version: 13` is required as in RFC 6455 (RFC 8441 §5 keeps the
///    field). `sec-websocket-key` and `sec-websocket-accept` "are not used" (RFC 8441
///    §5: `:protocol` supersedes them), so they are ignored like any other field
///    without meaning here, as are draft-76's `sec-websocket-key1`/`-key2`.
///  - No content: a CONNECT has none (RFC 9110 §9.3.6) and the stream's DATA are
///    WebSocket frames. `content-length: 0` (any number of zero digits) says just that
///    and is accepted; any other `content-length`, or more than one, is refused
///    ([`Error::BodyNotAllowed`]); `transfer-encoding` is connection-specific and
///    refused as such (RFC 9113 §8.2.2).
///  - A `host` field must agree with `:authority` (RFC 9113 §8.3.1): both are read as
///    `host[:port]` and compared as (host name in any ASCII case, effective port), the
///    port defaulting to the `:scheme`'s (`https` 443, `http` 80), so
///    `:authority example.com:443` and `host: example.com` agree under `https`.
///  - Field names must be lowercase and values free of NUL, CR, LF and of leading or
///    trailing whitespace (RFC 9113 §8.2.1): a request breaking that is malformed and
///    answered `400` (RFC 9113 §8.1.1 recommends it).
pub type ConnectRequest<'a> = Upgrade<'a, ConnectTarget<'a>>;

/// What an extended CONNECT says beyond the [`Upgrade`] view: its `:scheme` and
/// `:path`. A [`ConnectRequest`] dereferences to it.
#[derive(Debug, Clone, Copy)]
pub struct ConnectTarget<'a> {
    scheme: &'a str,
    target: &'a str,
    /// The offered lists, kept: the fields cannot be read again.
    protocols: Lines<'a>,
    extensions: Lines<'a>,
}

impl<'a> Transport<'a> for ConnectTarget<'a> {
    fn offered(self, list: List) -> impl Iterator<Item = &'a [u8]> + 'a {
        match list {
            List::Protocols => self.protocols.into_lines(),
            List::Extensions => self.extensions.into_lines(),
        }
    }
}

impl<'a> ConnectTarget<'a> {
    /// The `:scheme`: `https` for a `wss:` URI, `http` for `ws:` (RFC 8441 §5).
    pub fn scheme(&self) -> &'a str {
        self.scheme
    }

    /// The `:path` as sent: path and query, `/chat?room=1`.
    pub fn target(&self) -> &'a str {
        self.target
    }

    /// The path of `:path`, without the query: `/chat`.
    pub fn path(&self) -> &'a str {
        self.target
            .split_once('?')
            .map_or(self.target, |(path, _)| path)
    }

    /// The query of `:path`, without the `?`, if there is one.
    pub fn query(&self) -> Option<&'a str> {
        self.target.split_once('?').map(|(_, query)| query)
    }
}

impl<'a> Upgrade<'a, ConnectTarget<'a>> {
    /// Validates the pseudo-header and header fields of an HTTP/2 or HTTP/3 request,
    /// in the order received (pseudo-headers first), as `(name, value)` pairs.
    ///
    /// Values may be `&str`, `&[u8]` or anything else that is `AsRef<[u8]>`
    /// (`&http::HeaderValue` for instance); names are the lowercase field names.
    ///
    /// # Errors
    /// The rule the request broke, with its status ([`Error::status`]): answer it with
    /// [`Rejection::from`](crate::Rejection), sent as its [`head`](crate::Rejection::head), then end the stream.
    ///
    /// ```
    /// use ws_handshake::{ConnectRequest, Error, Rejection, ServerConfig};
    /// let config = ServerConfig::new();
    /// let fields = [
    ///     (":method", "CONNECT"),
    ///     (":protocol", "webtransport"),
    ///     (":scheme", "https"),
    ///     (":path", "/"),
    ///     (":authority", "example.com"),
    ///     ("sec-websocket-version", "13"),
    /// ];
    /// let error = ConnectRequest::validate(fields, &config).unwrap_err();
    /// assert_eq!(error, Error::ProtocolNotWebSocket);
    /// assert_eq!(Rejection::from(error).head().status(), Some(501));
    /// ```
    pub fn validate<'n, I, V>(fields: I, config: &ServerConfig) -> Result<Self, Error>
    where
        I: IntoIterator<Item = (&'n str, &'a V)>,
        V: AsRef<[u8]> + ?Sized + 'a,
    {
        Self::from_fields(
            fields
                .into_iter()
                .map(|(name, value)| (name.as_bytes(), value.as_ref())),
            config,
        )
    }

    /// The one pass over the fields, then the rules, then the shared negotiation.
    pub(crate) fn from_fields<'n, I>(fields: I, config: &ServerConfig) -> Result<Self, Error>
    where
        I: Iterator<Item = (&'n [u8], &'a [u8])>,
    {
        let limit = config.limits().max_headers();
        let mut pseudo = Pseudo::default();
        let mut summary = Summary::default();
        let mut host: Option<&'a [u8]> = None;
        let mut regular = 0usize;
        for (name, value) in fields {
            if !is_h2_field_value(value) {
                return Err(Error::Malformed(Malformed::HeaderValue));
            }
            if name.first() == Some(&b':') {
                if regular > 0 {
                    return Err(Error::Malformed(Malformed::PseudoHeaderAfterField));
                }
                let which = PseudoHeader::from_name(name)
                    .ok_or(Error::Malformed(Malformed::PseudoHeaderUnknown))?;
                pseudo.set(which, value)?;
                continue;
            }
            regular = regular.saturating_add(1);
            if regular > limit {
                return Err(Error::TooManyHeaders { limit });
            }
            if !is_lowercase_token(name) {
                return Err(Error::Malformed(Malformed::HeaderName));
            }
            if is_connection_specific(name, value) {
                return Err(Error::ConnectionSpecificHeader);
            }
            if name == b"host" {
                if host.replace(value).is_some() {
                    return Err(Error::HostRepeated);
                }
                continue; // `:authority` is what the rules see as `Host`
            }
            summary.add(name, value);
        }
        Self::check(&pseudo, host, summary, config)
    }

    fn check(
        pseudo: &Pseudo<'a>,
        host: Option<&'a [u8]>,
        mut summary: Summary<'a>,
        config: &ServerConfig,
    ) -> Result<Self, Error> {
        let method = pseudo
            .method
            .ok_or(Error::PseudoHeaderMissing(PseudoHeader::Method))?;
        if method != b"CONNECT" {
            return Err(Error::ConnectMethodRequired);
        }
        let Some(protocol) = pseudo.protocol else {
            return Err(without_protocol(pseudo));
        };
        if !protocol.eq_ignore_ascii_case(WEBSOCKET_PROTOCOL.as_bytes()) {
            return Err(Error::ProtocolNotWebSocket);
        }
        // `:authority` before `:scheme`: an `http::Uri` has a scheme only with an
        // authority (h2 drops `:scheme` when `:authority` is absent), so when both are
        // missing, the missing `:authority` is the one fact that is certain.
        let authority_raw = pseudo
            .authority
            .ok_or(Error::PseudoHeaderMissing(PseudoHeader::Authority))?;
        let scheme = required(pseudo.scheme, PseudoHeader::Scheme)?;
        let default_port = if scheme.eq_ignore_ascii_case("https") {
            443
        } else if scheme.eq_ignore_ascii_case("http") {
            80
        } else {
            return Err(Error::PseudoHeaderInvalid(PseudoHeader::Scheme));
        };
        let target = required(pseudo.path, PseudoHeader::Path)?;
        if !is_path(target) {
            return Err(Error::PseudoHeaderInvalid(PseudoHeader::Path));
        }
        if let Some(host) = host {
            host_matches_authority(host, authority_raw, default_port)?;
        }
        // RFC 8441 §5: `sec-websocket-key` and `sec-websocket-accept` "are not used";
        // like any field without meaning here they are ignored (so are draft-76's).
        // RFC 9110 §9.3.6: a CONNECT has no content, so `content-length: 0` is only
        // the truth; any other length announces a body the stream cannot carry (its
        // DATA are WebSocket frames). `transfer-encoding` never gets here: it is
        // connection-specific (RFC 9113 §8.2.2).
        let length_zero = summary.content_length.value.is_none_or(is_zero_length);
        if !length_zero || summary.content_length.count > 1 {
            return Err(Error::BodyNotAllowed);
        }
        request::check_version(&summary)?;
        // RFC 9110 §10.1.1, as over HTTP/1.1: the 200 meets `100-continue`, nothing else.
        if summary.expect_other {
            return Err(Error::ExpectationFailed);
        }
        // RFC 8441 §5: "The Host information is conveyed as part of the :authority".
        summary.add(b"host", authority_raw);
        let authority = request::check_host(&summary, config).map_err(|e| match e {
            Error::HostInvalid => Error::PseudoHeaderInvalid(PseudoHeader::Authority),
            other => other,
        })?;
        let secure = crate::grammar::authority::scheme_security(scheme);
        let negotiated = negotiate::negotiate(&summary, authority, secure, None, config)?;
        let target = ConnectTarget {
            scheme,
            target,
            protocols: summary.protocols,
            extensions: summary.extensions,
        };
        Ok(Self::connect(authority, negotiated, target))
    }
}

/// The `http` crate front end (feature `http`): what h2, hyper's HTTP/2 and
/// h3 hand a handler.
///
/// `:method`, `:scheme`, `:path` and `:authority` are in the request's method and URI.
/// `:protocol` is not part of [`http::Request`]: each HTTP library
/// keeps it in a request extension of its own type (`h2::ext::Protocol`,
/// `hyper::ext::Protocol`, `h3::ext::Protocol`). This crate depends on none of them,
/// so the caller passes the value, e.g.
/// `request.extensions().get::<h2::ext::Protocol>().map(|p| p.as_str())`.
#[cfg(feature = "http")]
impl<'a> ConnectRequest<'a> {
    /// Validates an HTTP/2 or HTTP/3 request as [`validate`](Self::validate) does,
    /// given the `:protocol` value (`None` if the request had none).
    ///
    /// ```
    /// use ws_handshake::{ConnectRequest, Error, ServerConfig};
    /// let config = ServerConfig::new().protocols(["chat"])?;
    /// let request = http::Request::builder()
    ///     .method(http::Method::CONNECT)
    ///     .version(http::Version::HTTP_2)
    ///     .uri("https://server.example.com/chat")
    ///     .header("sec-websocket-version", "13")
    ///     .header("sec-websocket-protocol", "chat, superchat")
    ///     .body(())?;
    /// // With h2: request.extensions().get::<h2::ext::Protocol>().map(|p| p.as_str())
    /// let protocol = Some("websocket");
    /// let accepted = ConnectRequest::from_http(&request, protocol, &config).map_err(|e| e.to_string())?;
    /// let response = accepted.accept().to_http_response(); // send it, keep the stream open
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.headers()["sec-websocket-protocol"], "chat");
    ///
    /// let refused = ConnectRequest::from_http(&request, None, &config).unwrap_err();
    /// assert_eq!(refused, Error::PseudoHeaderMissing(ws_handshake::PseudoHeader::Protocol));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As for [`validate`](Self::validate); a request that is not HTTP/2 or HTTP/3 is
    /// [`Malformed::Version`] (HTTP/1.1 WebSockets go through
    /// [`http::inspect`](crate::http::inspect)).
    ///
    /// An [`http::Uri`] has a scheme only together with an authority, so an HTTP
    /// library drops `:scheme` when `:authority` is absent (h2 does): a URI with
    /// neither is reported as
    /// [`PseudoHeaderMissing(Authority)`](Error::PseudoHeaderMissing), the field that
    /// is certainly missing. A plain CONNECT (authority-form URI, no `protocol`) is
    /// [`Error::ConnectWithoutProtocol`] (501).
    ///
    /// ```
    /// use ws_handshake::{ConnectRequest, Error, PseudoHeader, ServerConfig};
    /// let config = ServerConfig::new();
    /// let no_authority = http::Request::connect("/chat")
    ///     .version(http::Version::HTTP_2)
    ///     .header("sec-websocket-version", "13")
    ///     .body(())?;
    /// assert_eq!(
    ///     ConnectRequest::from_http(&no_authority, Some("websocket"), &config).unwrap_err(),
    ///     Error::PseudoHeaderMissing(PseudoHeader::Authority)
    /// );
    /// let tunnel = http::Request::connect("example.com:443")
    ///     .version(http::Version::HTTP_2)
    ///     .body(())?;
    /// let error = ConnectRequest::from_http(&tunnel, None, &config).unwrap_err();
    /// assert_eq!(error, Error::ConnectWithoutProtocol);
    /// assert_eq!(error.status(), 501);
    /// # Ok::<(), http::Error>(())
    /// ```
    pub fn from_http<B>(
        request: &'a ::http::Request<B>,
        protocol: Option<&'a str>,
        config: &ServerConfig,
    ) -> Result<Self, Error> {
        Self::from_http_head(
            request.method(),
            request.version(),
            request.uri(),
            request.headers(),
            protocol,
            config,
        )
    }

    /// [`from_http`](Self::from_http) for a request already split into its parts.
    ///
    /// # Errors
    /// As for [`from_http`](Self::from_http).
    pub fn from_http_parts(
        parts: &'a ::http::request::Parts,
        protocol: Option<&'a str>,
        config: &ServerConfig,
    ) -> Result<Self, Error> {
        Self::from_http_head(
            &parts.method,
            parts.version,
            &parts.uri,
            &parts.headers,
            protocol,
            config,
        )
    }

    fn from_http_head(
        method: &'a ::http::Method,
        version: ::http::Version,
        uri: &'a ::http::Uri,
        headers: &'a ::http::HeaderMap,
        protocol: Option<&'a str>,
        config: &ServerConfig,
    ) -> Result<Self, Error> {
        if version != ::http::Version::HTTP_2 && version != ::http::Version::HTTP_3 {
            return Err(Error::Malformed(Malformed::Version));
        }
        let pseudo: [(&[u8], Option<&'a str>); 5] = [
            (b":method", Some(method.as_str())),
            (b":protocol", protocol),
            (b":scheme", uri.scheme_str()),
            (b":path", uri.path_and_query().map(|p| p.as_str())),
            (b":authority", uri.authority().map(|a| a.as_str())),
        ];
        let fields = pseudo
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?.as_bytes())))
            .chain(
                headers
                    .iter()
                    .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes())),
            );
        Self::from_fields(fields, config)
    }
}

/// The error for a CONNECT without `:protocol`. A plain CONNECT (RFC 9113 §8.5: no
/// `:scheme`, no `:path`, an `:authority`) is well-formed but asks for a tunnel: 501.
/// With `:scheme` or `:path` it is an extended CONNECT that lost its `:protocol`,
/// and without `:authority` a plain CONNECT is malformed: both 400.
fn without_protocol(pseudo: &Pseudo<'_>) -> Error {
    if pseudo.scheme.is_some() || pseudo.path.is_some() {
        Error::PseudoHeaderMissing(PseudoHeader::Protocol)
    } else if pseudo.authority.is_none() {
        Error::PseudoHeaderMissing(PseudoHeader::Authority)
    } else {
        Error::ConnectWithoutProtocol
    }
}

/// RFC 9113 §8.3.1: a `host` field must agree with `:authority`. They are compared
/// as (host name without regard to ASCII case, effective port), the port defaulting
/// to the `:scheme`'s (`https` 443, `http` 80; RFC 9110 §4.2), so
/// `:authority example.com:443` and `host: example.com` agree under `https`.
fn host_matches_authority(host: &[u8], authority: &[u8], default_port: u16) -> Result<(), Error> {
    let (authority_name, authority_port) = split_host_port_bytes(authority)
        .ok_or(Error::PseudoHeaderInvalid(PseudoHeader::Authority))?;
    let (host_name, host_port) = split_host_port_bytes(host).ok_or(Error::HostInvalid)?;
    if !host_name.eq_ignore_ascii_case(authority_name)
        || host_port.unwrap_or(default_port) != authority_port.unwrap_or(default_port)
    {
        return Err(Error::Malformed(Malformed::HostNotAuthority));
    }
    Ok(())
}

fn required(value: Option<&[u8]>, which: PseudoHeader) -> Result<&str, Error> {
    let value = value.ok_or(Error::PseudoHeaderMissing(which))?;
    core::str::from_utf8(value).map_err(|_| Error::PseudoHeaderInvalid(which))
}

/// An absolute path with an optional query (RFC 9113 §8.3.1 origin-form):
/// starts with `/`, visible ASCII only, no fragment.
fn is_path(target: &str) -> bool {
    target.starts_with('/') && target.bytes().all(|b| b.is_ascii_graphic() && b != b'#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_rule() {
        assert!(is_path("/chat?room=1"));
        assert!(!is_path("chat"));
        assert!(!is_path(""));
        assert!(!is_path("/a#b"));
        assert!(!is_path("/a b"));
        assert!(!is_path("*"));
    }
}
