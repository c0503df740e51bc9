//! Errors, all of them: what a request broke ([`Error`]), what a response broke
//! ([`ClientError`]), what the caller got wrong ([`BuildError`], [`UrlError`],
//! [`Misuse`]), and the pieces they name ([`Malformed`], [`PseudoHeader`]). The bottom
//! layer: it imports nothing of the crate.

use core::fmt;

/// A rule of RFC 6455 §4.2.1 (or of HTTP/1.1 framing) that a request broke.
///
/// Every variant knows the HTTP status it maps to ([`Error::status`]) and can write
/// a complete rejection response ([`Error::rejection`]). The `Display` text is the
/// short plain-text reason sent in that response's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request head did not end within the configured byte limit (431).
    #[error("request head is larger than {limit} bytes")]
    HeadTooLarge {
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// The request line did not end within the configured head limit (414, RFC 9110
    /// §15.5.15: the target is longer than the server will read). The limit is the one of
    /// [`HeadTooLarge`](Self::HeadTooLarge); only the part that overflowed differs.
    #[error("request line is longer than the {limit}-byte head limit")]
    RequestLineTooLong {
        /// The configured head limit, in bytes.
        limit: usize,
    },
    /// The request has more header fields than the configured limit (431).
    #[error("request has more than {limit} header fields")]
    TooManyHeaders {
        /// The configured limit, in header fields.
        limit: usize,
    },
    /// More than 8 `Sec-WebSocket-Protocol` or `Sec-WebSocket-Extensions` field lines (431).
    #[error("too many Sec-WebSocket-Protocol or Sec-WebSocket-Extensions lines")]
    TooManyListLines,
    /// The request is not well-formed HTTP/1.1, RFC 7230 §3 (400).
    #[error("malformed HTTP request: {0}")]
    Malformed(Malformed),
    /// The method is not `GET`, RFC 6455 §4.1 item 2 (405, with `Allow: GET`).
    #[error("method must be GET")]
    MethodNotGet,
    /// The HTTP version is older than 1.1, RFC 6455 §4.1 item 2 (400).
    #[error("HTTP version must be 1.1 or later")]
    HttpVersionTooOld,
    /// The request line names another major version of HTTP than 1 (`HTTP/2.0`,
    /// `HTTP/3.0`, `HTTP/0.9`), RFC 9110 §15.6.6 (505). A higher HTTP/1.x minor
    /// version (`HTTP/1.2`) is read as HTTP/1.1 (RFC 9110 §6.2).
    #[error("HTTP major version is not supported; use HTTP/1.1")]
    HttpVersionNotSupported,
    /// The request-target is neither origin-form nor absolute-form, RFC 6455 §4.1 item 3 (400).
    #[error("request-target must be an absolute path or an absolute URI")]
    RequestTargetInvalid,
    /// The absolute-form request-target's scheme is not `ws`, `wss`, `http` or `https`
    /// (RFC 9112 §3.2.2, RFC 6455 §3), or, when the caller named the transport
    /// ([`ServerHandshake::with_tls`](crate::ServerHandshake::with_tls)), names the other one:
    /// `ws`/`http` over TLS, `wss`/`https` without (400).
    #[error("request-target scheme must be ws, wss, http or https, matching the transport")]
    RequestTargetScheme,
    /// The absolute-form request-target names another authority than `Host`, and the
    /// configuration asked for them to agree
    /// ([`ServerConfig::host_must_match_target`](crate::ServerConfig::host_must_match_target),
    /// a hardening off by default). RFC 9112 §3.2.2 has the server ignore `Host` and use
    /// the target's authority, which the crate does by default; refusing the
    /// disagreement instead keeps code that reads `Host` from being steered (400).
    #[error("Host differs from the request-target's authority")]
    HostNotTargetAuthority,
    /// The request has no `Host` header field, RFC 6455 §4.1 item 4 (400).
    #[error("Host header is missing")]
    HostMissing,
    /// The request has more than one `Host` header field, RFC 7230 §5.4 (400).
    #[error("Host header appears more than once")]
    HostRepeated,
    /// The `Host` value is not a valid `uri-host [ ":" port ]`, RFC 7230 §5.4 (400).
    #[error("Host header is not a valid host")]
    HostInvalid,
    /// `Host` is not on the configured allow-list (DNS-rebinding defence, 421).
    #[error("Host is not served here")]
    HostNotAllowed,
    /// No `Upgrade` header field lists `websocket`, RFC 6455 §4.2.1 item 3 (426, with `Upgrade: websocket`).
    #[error("Upgrade header must contain websocket")]
    UpgradeLacksWebSocket,
    /// No `Connection` header field lists `upgrade`, RFC 6455 §4.2.1 item 4 (400).
    #[error("Connection header must contain upgrade")]
    ConnectionLacksUpgrade,
    /// A draft-76 (hixie) handshake with `Sec-WebSocket-Key1`/`Key2` (426, with `Sec-WebSocket-Version: 13`).
    #[error("draft-76 handshakes are not supported; use Sec-WebSocket-Version 13")]
    LegacyDraftHandshake,
    /// `Sec-WebSocket-Version` is absent, RFC 6455 §4.2.1 item 6 (426).
    #[error("Sec-WebSocket-Version header is missing")]
    VersionMissing,
    /// `Sec-WebSocket-Version` is not `13`, RFC 6455 §4.2.2 item 4 (426, with `Sec-WebSocket-Version: 13`).
    #[error("Sec-WebSocket-Version must be 13")]
    VersionUnsupported,
    /// `Sec-WebSocket-Version` appears more than once, RFC 6455 §11.3.5 (400).
    #[error("Sec-WebSocket-Version header appears more than once")]
    VersionRepeated,
    /// `Sec-WebSocket-Key` is absent, RFC 6455 §4.2.1 item 5 (400).
    #[error("Sec-WebSocket-Key header is missing")]
    KeyMissing,
    /// `Sec-WebSocket-Key` appears more than once, RFC 6455 §11.3.1 (400).
    #[error("Sec-WebSocket-Key header appears more than once")]
    KeyRepeated,
    /// `Sec-WebSocket-Key` is not the base64 encoding of exactly 16 bytes, RFC 6455 §4.2.1 item 5 (400).
    #[error("Sec-WebSocket-Key must be base64 of 16 bytes")]
    KeyInvalid,
    /// The request's message framing is invalid, RFC 9112 §6.3: a `Content-Length`
    /// that is not one `1*DIGIT` value, a `Transfer-Encoding` whose final coding is not
    /// `chunked` (an empty one, `identity`), both fields together, or a
    /// `Transfer-Encoding` in an HTTP/1.0 request (RFC 9112 §6.1). Checked before any
    /// other rule, the method included, and for plain requests too: where the message
    /// ends cannot be told, so the connection must close (400).
    #[error("invalid message framing (Content-Length / Transfer-Encoding)")]
    FramingInvalid,
    /// The request announces a body (`Content-Length` > 0 or `Transfer-Encoding`);
    /// bytes after an upgrade request's head are WebSocket frames, RFC 6455 §4.1 (400).
    #[error("a WebSocket upgrade request must not have a body")]
    BodyNotAllowed,
    /// `Sec-WebSocket-Protocol` is not a comma-separated list of tokens, RFC 6455 §4.1 item 10 (400).
    /// Empty elements are ignored (RFC 9110 §5.6.1.2), up to 16 in one field line; more,
    /// or a line without any token, is this error. A credential passed as a subprotocol
    /// (see the README, "A bearer token in Sec-WebSocket-Protocol") must be a token too:
    /// padded or standard base64 (`=`, `/`) is not, base64url without padding is; the
    /// message says so, since the response body is all the client's developer sees.
    #[error(
        "Sec-WebSocket-Protocol must be a comma-separated list of tokens (RFC 6455 §4.1): \
         no space, '/', '=' or other separator inside a name; send a credential as base64url without padding"
    )]
    ProtocolListMalformed,
    /// `Sec-WebSocket-Extensions` does not follow the grammar of RFC 6455 §9.1 (400).
    /// Empty elements are ignored (RFC 9110 §5.6.1.2), up to 16 in one field line; more,
    /// or a line without any extension, is this error.
    #[error("Sec-WebSocket-Extensions is malformed")]
    ExtensionListMalformed,
    /// `Expect` names an expectation other than `100-continue`, which the server cannot
    /// meet, RFC 9110 §10.1.1 (417). `Expect: 100-continue` itself is fine: an upgrade
    /// request has no content, so no `100 (Continue)` is needed and the `101` answers it
    /// (RFC 9110 §10.1.1 lets a server omit the 100 when the framing says there is no content).
    #[error("only the 100-continue expectation is supported")]
    ExpectationFailed,
    /// The configuration requires a subprotocol and the client offered none we support (400).
    #[error("no supported subprotocol was offered")]
    ProtocolRequired,
    /// `Origin` appears more than once or is not an ASCII origin serialization, RFC 6454 §7 (400).
    #[error("Origin header is invalid")]
    OriginInvalid,
    /// The origin policy refused the request's `Origin`, RFC 6455 §4.2.2 / §10.2 (403).
    #[error("Origin is not allowed")]
    OriginRejected,
    /// The origin policy requires an `Origin` header and the request has none (403).
    #[error("Origin header is required")]
    OriginMissing,
    /// [`OriginPolicy::SameOrigin`](crate::OriginPolicy::SameOrigin): the `Origin` is
    /// not the server's own origin, and this part of it differs (compared in the order
    /// scheme, host, port), RFC 6454 §5, RFC 6455 §10.2 (403). The response names the
    /// part, never the values sent.
    #[error("Origin's {0} differs from the server's")]
    OriginMismatch(OriginPart),
    /// A field that forms the server's origin behind a trusted proxy
    /// ([`ServerHandshake::with_trusted_proxy`](crate::ServerHandshake::with_trusted_proxy)) is
    /// malformed: a `Forwarded` line breaking RFC 7239 §4, a `host` that is not
    /// `host[:port]` (§5.3), a `proto` other than `http`, `https`, `ws`, `wss` (§5.4), or
    /// an `X-Forwarded-Host`/`-Proto`/`-Port` of the same kinds (400).
    #[error("Forwarded or X-Forwarded-* field is malformed")]
    ForwardedInvalid,
    /// Behind a trusted proxy, `Forwarded` and `X-Forwarded-*` state this part of the
    /// origin differently, RFC 7239 §7.1 (400), or `X-Forwarded-Host`'s port and
    /// `X-Forwarded-Port` do. One of them was not written by the proxy.
    #[error("Forwarded and X-Forwarded-* disagree on the {0}")]
    ForwardedConflict(OriginPart),
    /// HTTP/2 or HTTP/3: `:method` is not `CONNECT`; WebSockets use the extended
    /// CONNECT there, RFC 8441 §4–5, RFC 9220 §3 (405, with `allow: CONNECT`).
    #[error("method must be CONNECT (extended CONNECT with :protocol websocket)")]
    ConnectMethodRequired,
    /// HTTP/2 or HTTP/3: `:protocol` is not `websocket`, RFC 8441 §5; an unknown or
    /// unsupported `:protocol` is answered 501, RFC 9220 §3 (501).
    #[error(":protocol must be websocket")]
    ProtocolNotWebSocket,
    /// HTTP/2 or HTTP/3: a pseudo-header the extended CONNECT needs is absent:
    /// `:protocol` (RFC 8441 §5), `:scheme`, `:path` (RFC 8441 §4), `:authority`
    /// (RFC 8441 §5, RFC 9113 §8.3.1) (400).
    #[error("{0} pseudo-header is missing")]
    PseudoHeaderMissing(PseudoHeader),
    /// HTTP/2 or HTTP/3: a pseudo-header appears more than once, RFC 9113 §8.3 (400).
    #[error("{0} pseudo-header appears more than once")]
    PseudoHeaderRepeated(PseudoHeader),
    /// HTTP/2 or HTTP/3: `:scheme` is not `http`/`https` (RFC 8441 §4), `:path` is not
    /// an absolute path (RFC 9113 §8.3.1), or `:authority` is not `host[:port]`
    /// without userinfo (RFC 9113 §8.3.1) (400).
    #[error("{0} pseudo-header is invalid")]
    PseudoHeaderInvalid(PseudoHeader),
    /// HTTP/2 or HTTP/3: a connection-specific field (`connection`, `upgrade`,
    /// `keep-alive`, `proxy-connection`, `transfer-encoding`, or `te` other than
    /// `trailers`) makes the request malformed, RFC 9113 §8.2.2, RFC 9114 §4.2;
    /// RFC 8441 §5 names `connection` and `upgrade` (400).
    #[error("connection-specific header fields are not allowed in HTTP/2 or HTTP/3")]
    ConnectionSpecificHeader,
    /// HTTP/2 or HTTP/3: a plain `CONNECT` (no `:protocol`, no `:scheme`, no `:path`,
    /// RFC 9113 §8.5) asks for a TCP tunnel, which a WebSocket endpoint does not
    /// provide; the server does not support the functionality, RFC 9110 §15.6.2, as
    /// RFC 9220 §3 answers an unsupported `:protocol` (501).
    #[error("CONNECT without :protocol (a tunnel) is not supported; use :protocol websocket")]
    ConnectWithoutProtocol,
    /// Not the peer's fault: the caller's bug (see [`Misuse`]). After
    /// [`ServerFeed::Upgrade`](crate::ServerFeed::Upgrade) the bytes that follow are
    /// WebSocket frames: hand them to the framing layer, and do not write this error's
    /// rejection on the upgraded connection (500).
    #[error("{0}")]
    Misuse(Misuse),
}

/// The caller's bug, not the peer's: a handshake used after it returned its outcome.
///
/// Every machine (server, client, HTTP proxy tunnel, SOCKS5 tunnel) reports it in its
/// own error type (`Error::Misuse`, `ClientError::Misuse`, …) so that `feed` keeps one
/// return type, but in a variant of its own, apart from the variants that name a rule
/// the peer broke: a log or a metric can tell "the peer is broken" from "our loop is".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Misuse {
    /// The handshake was fed after it returned its outcome (an upgrade, a connection, a
    /// refusal, an open tunnel; after an error, that error comes back instead). The bytes
    /// belong to the next layer (the framing, or the tunnel), never to the handshake.
    #[error("the handshake was fed after it returned its outcome")]
    FedAfterOutcome,
}

/// What exactly was malformed in the HTTP message, RFC 7230 §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Malformed {
    /// A line ended with a bare LF instead of CRLF, RFC 7230 §3.5.
    #[error("line ends with a bare LF")]
    BareLf,
    /// An invalid byte in the method or elsewhere a token is required.
    #[error("invalid token")]
    Token,
    /// An invalid byte in the request-target or status line.
    #[error("invalid request line")]
    RequestLine,
    /// An invalid or unsupported HTTP version.
    #[error("invalid HTTP version")]
    Version,
    /// An invalid byte in a header field name (including obs-fold continuation lines).
    #[error("invalid header name")]
    HeaderName,
    /// An invalid byte (CR, NUL, other controls) in a header field value.
    #[error("invalid header value")]
    HeaderValue,
    /// A stray CR or other invalid byte where a line break was expected.
    #[error("invalid line break")]
    NewLine,
    /// The head ended (`CRLF CRLF`) before the start line was complete.
    #[error("incomplete start line")]
    Incomplete,
    /// A response status code was not three digits.
    #[error("invalid status code")]
    Status,
    /// HTTP/2 or HTTP/3: a pseudo-header not defined for requests, RFC 9113 §8.3.
    #[error("unknown pseudo-header")]
    PseudoHeaderUnknown,
    /// HTTP/2 or HTTP/3: a pseudo-header after a regular field, RFC 9113 §8.3.
    #[error("pseudo-header after a regular header field")]
    PseudoHeaderAfterField,
    /// HTTP/2 or HTTP/3: a `host` field that differs from `:authority`, RFC 9113 §8.3.1.
    #[error("host differs from :authority")]
    HostNotAuthority,
}

/// A part of a serialized origin (RFC 6454 §6.2), named by
/// [`Error::OriginMismatch`] and [`Error::ForwardedConflict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OriginPart {
    /// The scheme, compared by security: `https`/`wss` versus `http`/`ws`.
    Scheme,
    /// The host, compared case-insensitively.
    Host,
    /// The port, a missing one being the scheme's default.
    Port,
}

impl fmt::Display for OriginPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Scheme => "scheme",
            Self::Host => "host",
            Self::Port => "port",
        })
    }
}

impl Malformed {
    pub(crate) fn from_httparse(e: httparse::Error) -> Self {
        match e {
            httparse::Error::HeaderName => Self::HeaderName,
            httparse::Error::HeaderValue => Self::HeaderValue,
            httparse::Error::NewLine => Self::NewLine,
            httparse::Error::Status => Self::Status,
            httparse::Error::Version => Self::Version,
            // TooManyHeaders is mapped by the caller, which knows the limit.
            httparse::Error::Token | httparse::Error::TooManyHeaders => Self::Token,
        }
    }
}

impl Error {
    /// The HTTP status code this error is answered with.
    ///
    /// ```
    /// use ws_handshake::Error;
    /// assert_eq!(Error::MethodNotGet.status(), 405);
    /// assert_eq!(Error::VersionUnsupported.status(), 426);
    /// assert_eq!(Error::OriginRejected.status(), 403);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            Self::HeadTooLarge { .. } | Self::TooManyHeaders { .. } | Self::TooManyListLines => 431,
            Self::MethodNotGet | Self::ConnectMethodRequired => 405,
            Self::ProtocolNotWebSocket | Self::ConnectWithoutProtocol => 501,
            Self::UpgradeLacksWebSocket
            | Self::LegacyDraftHandshake
            | Self::VersionMissing
            | Self::VersionUnsupported => 426,
            Self::OriginRejected | Self::OriginMissing | Self::OriginMismatch(_) => 403,
            Self::HostNotAllowed => 421,
            Self::Misuse(_) => 500,
            Self::HttpVersionNotSupported => 505,
            Self::RequestLineTooLong { .. } => 414,
            Self::ExpectationFailed => 417,
            Self::Malformed(_)
            | Self::HttpVersionTooOld
            | Self::RequestTargetInvalid
            | Self::RequestTargetScheme
            | Self::HostNotTargetAuthority
            | Self::HostMissing
            | Self::HostRepeated
            | Self::HostInvalid
            | Self::ConnectionLacksUpgrade
            | Self::VersionRepeated
            | Self::KeyMissing
            | Self::KeyRepeated
            | Self::KeyInvalid
            | Self::BodyNotAllowed
            | Self::FramingInvalid
            | Self::ProtocolListMalformed
            | Self::ExtensionListMalformed
            | Self::ProtocolRequired
            | Self::OriginInvalid
            | Self::ForwardedInvalid
            | Self::ForwardedConflict(_)
            | Self::PseudoHeaderMissing(_)
            | Self::PseudoHeaderRepeated(_)
            | Self::PseudoHeaderInvalid(_)
            | Self::ConnectionSpecificHeader => 400,
        }
    }
}

/// A rule of RFC 6455 §4.1 (or RFC 7692, or HTTP/1.1) that a server's response broke.
///
/// The client must fail the WebSocket connection: close the TCP connection without
/// sending anything more. A response with a status other than 101 is not an error:
/// it is a [`Refusal`](crate::Refusal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The response head did not end within the configured byte limit ([`Limits`](crate::Limits));
    /// interim `1xx` heads skipped before it count against the same limit.
    #[error("response head is larger than {limit} bytes")]
    HeadTooLarge {
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// The response has more header fields than the configured limit ([`Limits`](crate::Limits)).
    #[error("response has more than {limit} header fields")]
    TooManyHeaders {
        /// The configured limit, in header fields.
        limit: usize,
    },
    /// The response is not well-formed HTTP/1.1, RFC 7230 §3.
    #[error("malformed HTTP response: {0}")]
    Malformed(Malformed),
    /// A `101` that is not HTTP/1.1: HTTP/1.0 has no protocol upgrade, RFC 7230 §6.7.
    #[error("101 Switching Protocols must be an HTTP/1.1 response")]
    HttpVersionInvalid,
    /// No `Upgrade` header field lists `websocket`, RFC 6455 §4.1 (response check 2).
    #[error("Upgrade header must contain websocket")]
    UpgradeLacksWebSocket,
    /// An `Upgrade` header field of the `101` names a protocol other than `websocket`
    /// (e.g. `Upgrade: websocket, h2c`), RFC 6455 §4.1 (response check 2): the client
    /// must fail unless every value is an ASCII case-insensitive match for `websocket`.
    #[error("Upgrade header must name websocket alone")]
    UpgradeNotOnlyWebSocket,
    /// No `Connection` header field lists `upgrade`, RFC 6455 §4.1 (response check 3).
    #[error("Connection header must contain upgrade")]
    ConnectionLacksUpgrade,
    /// `Sec-WebSocket-Accept` is absent, RFC 6455 §4.1 (response check 4).
    #[error("Sec-WebSocket-Accept header is missing")]
    AcceptMissing,
    /// `Sec-WebSocket-Accept` appears more than once, RFC 6455 §11.3.3.
    #[error("Sec-WebSocket-Accept header appears more than once")]
    AcceptRepeated,
    /// `Sec-WebSocket-Accept` is not base64(SHA-1(key + GUID)) of the key sent, RFC 6455 §4.1 (response check 4).
    #[error("Sec-WebSocket-Accept does not match the key sent")]
    AcceptMismatch,
    /// `Sec-WebSocket-Extensions` does not follow the grammar of RFC 6455 §9.1.
    #[error("Sec-WebSocket-Extensions is malformed")]
    ExtensionListMalformed,
    /// The response names an extension the client did not offer, RFC 6455 §4.1 (response check 5).
    #[error("the server chose an extension that was not offered")]
    ExtensionNotOffered,
    /// permessage-deflate appears more than once in the response, RFC 7692 §5.
    #[error("the server answered permessage-deflate more than once")]
    DeflateRepeated,
    /// A permessage-deflate parameter is unknown, repeated or has an invalid value, RFC 7692 §7.
    #[error("permessage-deflate response is invalid: {0}")]
    DeflateParam(DeflateParamError),
    /// `server_no_context_takeover` was offered but the response dropped it, RFC 7692 §7.1.1.1.
    #[error("the server dropped the offered server_no_context_takeover")]
    DeflateServerContextTakeover,
    /// `server_max_window_bits` was offered but the response does not carry it, RFC 7692 §7.1.2.1.
    #[error("the server did not answer the offered server_max_window_bits")]
    DeflateServerWindowMissing,
    /// The response's `server_max_window_bits` is larger than the one offered, RFC 7692 §7.1.2.1.
    #[error("server_max_window_bits in the response is larger than offered")]
    DeflateServerWindowTooLarge,
    /// Several permessage-deflate offers were sent and the response's parameters are a
    /// valid answer to none of them, RFC 7692 §5 and §7.1.1–7.1.2 (with one offer, the
    /// rule it broke is named instead).
    #[error("the permessage-deflate response answers none of the offers")]
    DeflateNoOfferMatches,
    /// The response carries `client_max_window_bits` but the offer did not, RFC 7692 §7.1.2.2.
    #[error("client_max_window_bits in the response was not offered")]
    DeflateClientWindowNotOffered,
    /// The response's `client_max_window_bits` is larger than the window the client announced, RFC 7692 §7.1.2.2.
    #[error("client_max_window_bits in the response is larger than offered")]
    DeflateClientWindowTooLarge,
    /// `Sec-WebSocket-Protocol` in the response is not exactly one token, RFC 6455 §4.2.2 item 5
    /// (empty list elements around it are ignored, RFC 9110 §5.6.1.2).
    #[error("Sec-WebSocket-Protocol in the response must be a single token")]
    ProtocolMalformed,
    /// The response names a subprotocol the client did not offer, RFC 6455 §4.1 (response check 6).
    #[error("the server chose a subprotocol that was not offered")]
    ProtocolNotOffered,
    /// The response names a subprotocol although the client offered none, RFC 6455 §4.1 (response check 6).
    #[error("the server chose a subprotocol although none was offered")]
    ProtocolWhenNoneOffered,
    /// Subprotocols were offered and the server chose none, refused by [`MissingProtocol::Fail`](crate::MissingProtocol::Fail).
    #[error("the server chose none of the offered subprotocols")]
    ProtocolMissing,
    /// Not the server's fault: the caller's bug (see [`Misuse`]); later bytes belong to
    /// the framing layer.
    #[error("{0}")]
    Misuse(Misuse),
    /// HTTP/2 or HTTP/3: the `200` carries a connection-specific field (`connection`,
    /// `upgrade`, `keep-alive`, `proxy-connection`, `transfer-encoding`, `te`), which
    /// makes it malformed, RFC 9113 §8.2.2, RFC 9114 §4.2.
    #[error("connection-specific header fields are not allowed in HTTP/2 or HTTP/3")]
    ConnectionSpecificHeader,
}

/// Why a permessage-deflate parameter list is invalid (RFC 7692 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeflateParamError {
    /// A parameter RFC 7692 does not define.
    #[error("unknown permessage-deflate parameter")]
    Unknown,
    /// A parameter given twice.
    #[error("repeated permessage-deflate parameter")]
    Repeated,
    /// A value missing, present where none is allowed, or outside 8..=15.
    #[error("invalid permessage-deflate parameter value")]
    ValueInvalid,
}

/// A rule of HTTP/1.1 that a proxy's answer to `CONNECT` broke: close the connection.
///
/// A final status other than 2xx is not an error but a [`Refusal`](crate::Refusal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The answer's heads (interim ones included) did not end within the configured
    /// byte limit ([`Limits`](crate::Limits)).
    #[error("proxy response head is larger than {limit} bytes")]
    HeadTooLarge {
        /// The configured limit, in bytes.
        limit: usize,
    },
    /// A head has more header fields than the configured limit ([`Limits`](crate::Limits)).
    #[error("proxy response has more than {limit} header fields")]
    TooManyHeaders {
        /// The configured limit, in header fields.
        limit: usize,
    },
    /// The answer is not well-formed HTTP/1.1, RFC 9112 §2–5.
    #[error("malformed proxy response: {0}")]
    Malformed(Malformed),
    /// A 2xx that announces content (`Content-Length` other than 0, or any
    /// `Transfer-Encoding`). RFC 9110 §9.3.6 forbids both in a 2xx to `CONNECT`: the
    /// connection is a tunnel right after the head, so a proxy announcing a body did
    /// not open one the way the client asked (a captive portal answering with a page,
    /// say), and reading its body as the target's bytes would be wrong either way.
    /// RFC 9112 §6.3 tells a client to ignore the fields instead; this crate fails
    /// the tunnel, the stricter choice (a `Content-Length: 0` is accepted).
    #[error("a 2xx answer to CONNECT must not announce content")]
    SuccessWithContent,
    /// A `101 Switching Protocols`: a `CONNECT` asks for no protocol switch, and a
    /// server must not switch to a protocol the request did not name, RFC 9110 §7.8.
    #[error("the proxy answered CONNECT with 101 Switching Protocols")]
    SwitchingProtocols,
    /// Not the proxy's fault: the caller's bug (see [`Misuse`]); later bytes belong to
    /// the tunnel.
    #[error("{0}")]
    Misuse(Misuse),
}

/// What the head reader found wrong with a head before any rule of a role applies:
/// each role's error takes it in (`From`), so both roles report it alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadError {
    /// The head did not end within `limit` bytes.
    TooLarge { limit: usize },
    /// The head did not end within `limit` bytes, nor did its start line.
    StartLineTooLong { limit: usize },
    /// The head has more than `limit` header fields.
    TooManyHeaders { limit: usize },
    /// The head is not well-formed HTTP/1.1.
    Malformed(Malformed),
    /// A request line with another major version of HTTP than 1 (RFC 9110 §15.6.6).
    VersionNotSupported,
}

impl From<HeadError> for Error {
    fn from(e: HeadError) -> Self {
        match e {
            HeadError::TooLarge { limit } => Self::HeadTooLarge { limit },
            HeadError::TooManyHeaders { limit } => Self::TooManyHeaders { limit },
            HeadError::Malformed(m) => Self::Malformed(m),
            HeadError::VersionNotSupported => Self::HttpVersionNotSupported,
            HeadError::StartLineTooLong { limit } => Self::RequestLineTooLong { limit },
        }
    }
}

impl From<HeadError> for ProxyError {
    fn from(e: HeadError) -> Self {
        match e {
            HeadError::TooLarge { limit } => Self::HeadTooLarge { limit },
            HeadError::TooManyHeaders { limit } => Self::TooManyHeaders { limit },
            HeadError::Malformed(m) => Self::Malformed(m),
            HeadError::VersionNotSupported => Self::Malformed(Malformed::Version),
            HeadError::StartLineTooLong { limit } => Self::HeadTooLarge { limit },
        }
    }
}

impl From<HeadError> for ClientError {
    fn from(e: HeadError) -> Self {
        match e {
            HeadError::TooLarge { limit } => Self::HeadTooLarge { limit },
            HeadError::TooManyHeaders { limit } => Self::TooManyHeaders { limit },
            HeadError::Malformed(m) => Self::Malformed(m),
            HeadError::VersionNotSupported => Self::Malformed(Malformed::Version),
            HeadError::StartLineTooLong { limit } => Self::HeadTooLarge { limit },
        }
    }
}

/// A mistake by the caller while building an outgoing message (not the peer's fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A header name is not an RFC 7230 token.
    #[error("header name is not a valid token")]
    HeaderNameInvalid,
    /// A header value contains CR, LF, NUL or another control byte (only HTAB is allowed).
    #[error("header value contains a control character")]
    HeaderValueInvalid,
    /// The header is written by the handshake itself and cannot be supplied or overridden.
    #[error("header is managed by the handshake and cannot be set")]
    HeaderReserved,
    /// The status code cannot be used for a rejection (only 300–599 can): a refusal
    /// must not look like an interim response (1xx, RFC 9110 §15.2) or a success (2xx).
    #[error("status code must be within 300..=599 for a rejection")]
    StatusInvalid,
    /// The status cannot carry content, and a rejection always has its plain-text
    /// reason: `304 Not Modified` ends with its header section, RFC 9110 §15.4.5 and
    /// §6.4.1 (1xx and 204, the other statuses without content, are
    /// [`StatusInvalid`](Self::StatusInvalid)).
    #[error("status code cannot carry content (RFC 9110 §15.4.5), so it cannot be a rejection")]
    StatusWithoutContent,
    /// A subprotocol name is not an RFC 7230 token (RFC 6455 §4.1 item 10).
    #[error("subprotocol name is not a valid token")]
    ProtocolInvalid,
    /// A client offers the same subprotocol twice; the names offered must be unique
    /// (RFC 6455 §4.1 item 10).
    #[error("subprotocol names offered must be unique")]
    ProtocolRepeated,
    /// An origin in the configuration is not a valid `scheme://host[:port]` (or host pattern).
    #[error("origin is not a valid scheme://host[:port]")]
    OriginInvalid,
    /// A custom extension's name or parameter is not a token (RFC 6455 §9.1).
    #[error("extension name or parameter is not a valid token")]
    ExtensionParamInvalid,
    /// The URL is not a valid `ws://` or `wss://` URL (RFC 6455 §3).
    #[error("URL is invalid: {0}")]
    UrlInvalid(UrlError),
    /// A permessage-deflate window size is outside 8..=15 (RFC 7692 §7.1.2).
    #[error("permessage-deflate window bits must be within 8..=15")]
    WindowBitsInvalid,
    /// SOCKS5 credentials are not 1 to 255 bytes each (RFC 1929 §2), or hold NUL,
    /// CR or LF.
    #[error(
        "SOCKS5 username and password must be 1 to 255 bytes without NUL, CR or LF (RFC 1929 §2)"
    )]
    CredentialsInvalid,
    /// A proxy URL cannot be used (see [`ProxyUrlError`]).
    #[error("proxy URL is invalid: {0}")]
    ProxyUrlInvalid(ProxyUrlError),
}

/// Why a proxy URL (`http://`, `socks5://`, `socks5h://`) cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyUrlError {
    /// The scheme is not `http`, `socks5` or `socks5h` (TLS to the proxy, `https://`,
    /// and SOCKS4 are not supported).
    #[error("the proxy scheme must be http://, socks5:// or socks5h://")]
    SchemeUnsupported,
    /// The host is empty or not a reg-name, IPv4 address or bracketed IPv6 address
    /// (RFC 3986 §3.2.2).
    #[error("the proxy host is empty or invalid")]
    HostInvalid,
    /// The port is not a number within 1..=65535.
    #[error("the proxy port must be a number within 1..=65535")]
    PortInvalid,
    /// A path, query or fragment other than a lone `/`: a proxy URL names a host.
    #[error("a proxy URL has no path, query or fragment")]
    PathNotAllowed,
    /// The userinfo has a `%` not followed by two hex digits, decodes to invalid
    /// UTF-8, or holds NUL, CR or LF once decoded (RFC 3986 §2.1).
    #[error("the proxy URL's user or password is badly percent-encoded or holds NUL, CR or LF")]
    UserinfoInvalid,
}

/// The output buffer is too small; nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("buffer too small: {required} bytes required")]
pub struct BufferTooSmall {
    /// How many bytes the message needs.
    pub required: usize,
}

/// A request pseudo-header field of HTTP/2 and HTTP/3 (RFC 9113 §8.3.1, RFC 8441 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PseudoHeader {
    /// `:method`.
    Method,
    /// `:protocol` (RFC 8441 §4).
    Protocol,
    /// `:scheme`.
    Scheme,
    /// `:path`.
    Path,
    /// `:authority`.
    Authority,
}

impl PseudoHeader {
    /// The field name, with its colon: `":protocol"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Method => ":method",
            Self::Protocol => ":protocol",
            Self::Scheme => ":scheme",
            Self::Path => ":path",
            Self::Authority => ":authority",
        }
    }

    pub(crate) fn from_name(name: &[u8]) -> Option<Self> {
        Some(match name {
            b":method" => Self::Method,
            b":protocol" => Self::Protocol,
            b":scheme" => Self::Scheme,
            b":path" => Self::Path,
            b":authority" => Self::Authority,
            _ => return None,
        })
    }
}

impl fmt::Display for PseudoHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a WebSocket URL that a client can connect to (RFC 6455 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// The scheme is not `ws` or `wss` (case-insensitive), or there is no `scheme://`.
    #[error("the scheme must be ws:// or wss://")]
    SchemeUnsupported,
    /// The URL has a fragment (`#...`); RFC 6455 §3 forbids it.
    #[error("a WebSocket URL must not have a fragment")]
    FragmentNotAllowed,
    /// The URL has userinfo (`user:pass@`); credentials belong in a header instead.
    #[error("a WebSocket URL must not carry userinfo")]
    UserinfoNotAllowed,
    /// The host is empty or not a valid reg-name, IPv4 address or IP-literal
    /// (`[` IPv6address or IPvFuture `]`, RFC 3986 §3.2.2).
    #[error("the host is empty or invalid")]
    HostInvalid,
    /// The port is not decimal, zero or above 65535 (an empty port is the scheme's
    /// default, RFC 3986 §3.2.3).
    #[error("the port must be a number within 1..=65535")]
    PortInvalid,
    /// The path or query holds a byte that must be percent-encoded (RFC 3986 §3.3, §3.4):
    /// anything but `pchar`, `/` and `?` (so space, controls, non-ASCII, `"`, `<`, `>`,
    /// `\`, `^`, `` ` ``, `{`, `|`, `}`, `[`, `]`), or a `%` not followed by two hex digits.
    #[error("the path or query holds a character that must be percent-encoded")]
    CharacterInvalid,
}

impl From<UrlError> for BuildError {
    fn from(e: UrlError) -> Self {
        BuildError::UrlInvalid(e)
    }
}
