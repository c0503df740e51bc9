//! The client side of the extended CONNECT (RFC 8441 §5, RFC 9220 §3): the request
//! head for a `ws://`/`wss://` URL, and the `200` checked with the subprotocol and
//! extension rules the HTTP/1.1 client uses too (`rules/response.rs`).

use alloc::string::ToString;

use crate::answer::field_list::Value;
use crate::connect::server::WEBSOCKET_PROTOCOL;
use crate::error::{ClientError, Malformed};
use crate::grammar::token::{is_connection_specific, is_h2_field_value, is_lowercase_token};
use crate::grammar::url::WsUrl;
use crate::head::h2_h3::Head;
use crate::rules::client_config::ClientConfig;
use crate::rules::response::{check_extensions, check_protocol, Connected};
use crate::rules::summary::Summary;

/// The client side of a WebSocket over an HTTP/2 or HTTP/3 connection the caller
/// already has: the extended CONNECT to send ([`request`](Self::request)) and the
/// check of the answer ([`response`](Self::response)).
///
/// The caller must have received `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1` from the
/// server before sending it (RFC 8441 §3; h2: `is_extended_connect_protocol_enabled()`),
/// must not end the request stream, and, after a `200`, exchanges masked WebSocket
/// frames in DATA frames. There is no key: RFC 8441 §5 replaces it with `:protocol`.
///
/// ```
/// use ws_handshake::{ClientConfig, ConnectClient, ConnectResponse, WsUrl};
///
/// let config = ClientConfig::new().protocols(["chat", "superchat"])?;
/// let client = ConnectClient::new(&config, WsUrl::parse("wss://server.example.com/chat")?);
/// let request = client.request();
/// assert_eq!(
///     request.pseudo_fields().collect::<Vec<_>>(),
///     [
///         (":method", "CONNECT"),
///         (":protocol", "websocket"),
///         (":scheme", "https"),
///         (":path", "/chat"),
///         (":authority", "server.example.com"),
///     ]
/// );
/// assert_eq!(
///     request.fields().collect::<Vec<_>>(),
///     [
///         ("sec-websocket-protocol", "chat, superchat"),
///         ("sec-websocket-version", "13"),
///     ]
/// );
/// // The server's HEADERS: :status and fields.
/// match client.response(200, [("sec-websocket-protocol", "chat")]) {
///     Ok(ConnectResponse::Connected(connected)) => assert_eq!(connected.protocol(), Some("chat")),
///     Ok(ConnectResponse::Refused(refusal)) => panic!("refused with {}", refusal.status()),
///     Err(error) => panic!("reset the stream: {error}"),
/// }
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ConnectClient<'c> {
    config: &'c ClientConfig,
    url: WsUrl<'c>,
}

impl<'c> ConnectClient<'c> {
    /// The extended CONNECT for `url`, offering what `config` offers.
    pub fn new(config: &'c ClientConfig, url: WsUrl<'c>) -> Self {
        Self { config, url }
    }

    /// The URL this client connects to.
    pub fn url(&self) -> WsUrl<'c> {
        self.url
    }

    /// The request head: the pseudo-headers (`:method` CONNECT, `:protocol`
    /// websocket, `:scheme` `https` for `wss:` and `http` for `ws:`, `:path`,
    /// `:authority`; RFC 8441 §5), then the offered `sec-websocket-protocol` and
    /// `sec-websocket-extensions`, `sec-websocket-version: 13`, `origin`, and the
    /// configured headers with lowercase names (the order of RFC 8441 §5.1).
    /// [`ClientConfig::header`] already refused what HTTP/2 forbids, so this cannot fail.
    pub fn request(&self) -> Head {
        let mut head = Head::request();
        head.push_pseudo(":method", "CONNECT");
        head.push_pseudo(":protocol", WEBSOCKET_PROTOCOL);
        head.push_pseudo(":scheme", if self.url.tls() { "https" } else { "http" });
        head.push_pseudo(":path", self.url.resource().to_string());
        head.push_pseudo(":authority", self.url.host_header().to_string());
        // The order of RFC 8441 §5.1's example.
        let mut field = |name: &str, value: Value<'_>| head.push(name, value);
        self.config.offer_fields(&mut field);
        field("sec-websocket-version", Value::Text(b"13"));
        self.config.identity_fields(&mut field);
        head
    }

    /// Checks the server's response head: `:status` and the regular fields, in order.
    ///
    /// A `200` is checked as RFC 6455 §4.1 checks a `101`, minus what RFC 8441 §5
    /// drops (`Upgrade`, `Connection`, `Sec-WebSocket-Accept`): only an offered
    /// subprotocol (and none is an error unless
    /// [`MissingProtocol::Accept`](crate::MissingProtocol::Accept)), only offered
    /// extensions with valid permessage-deflate parameters. Any other status is a
    /// [`ConnectRefusal`]: end the stream (or follow it up as the status says).
    ///
    /// `fields` must be iterable twice (arrays, slices, `HeaderMap::iter()`): the
    /// rare response with more `sec-websocket-extensions` lines than the one pass
    /// keeps is read again.
    ///
    /// # Errors
    /// The rule the `200` broke: reset the stream (h2: `RST_STREAM` with `CANCEL`).
    pub fn response<'a, 'n, I, V>(
        &self,
        status: u16,
        fields: I,
    ) -> Result<ConnectResponse<'a>, ClientError>
    where
        I: IntoIterator<Item = (&'n str, &'a V)>,
        I::IntoIter: Clone,
        V: AsRef<[u8]> + ?Sized + 'a,
    {
        let fields = fields
            .into_iter()
            .map(|(name, value)| (name.as_bytes(), value.as_ref()));
        self.check_response(status, || fields.clone())
    }

    /// The checks, over fields that `fields()` yields afresh on each call.
    fn check_response<'a, 'n, F, It>(
        &self,
        status: u16,
        fields: F,
    ) -> Result<ConnectResponse<'a>, ClientError>
    where
        F: Fn() -> It,
        It: Iterator<Item = (&'n [u8], &'a [u8])>,
    {
        if status != 200 {
            return Ok(ConnectResponse::Refused(ConnectRefusal { status }));
        }
        let limit = self.config.limits.max_headers();
        let mut summary = Summary::default();
        let mut count = 0usize;
        for (name, value) in fields() {
            count = count.saturating_add(1);
            if count > limit {
                return Err(ClientError::TooManyHeaders { limit });
            }
            if name.first() == Some(&b':') {
                return Err(ClientError::Malformed(Malformed::PseudoHeaderUnknown));
            }
            if !is_lowercase_token(name) {
                return Err(ClientError::Malformed(Malformed::HeaderName));
            }
            if !is_h2_field_value(value) {
                return Err(ClientError::Malformed(Malformed::HeaderValue));
            }
            if is_connection_specific(name, value) {
                return Err(ClientError::ConnectionSpecificHeader);
            }
            summary.add(name, value);
        }
        let deflate = if summary.extensions.overflowed() {
            let lines = fields()
                .filter(|(name, _)| *name == b"sec-websocket-extensions")
                .map(|(_, value)| value);
            check_extensions(lines, self.config)?
        } else {
            check_extensions(summary.extensions.iter(), self.config)?
        };
        let protocol = check_protocol(&summary, self.config)?;
        Ok(ConnectResponse::Connected(Connected::over_stream(
            protocol, deflate,
        )))
    }
}

#[cfg(feature = "http")]
impl ConnectClient<'_> {
    /// [`response`](Self::response) for an [`http::Response`] (feature `http`).
    ///
    /// # Errors
    /// As for [`response`](Self::response).
    pub fn http_response<'a, B>(
        &self,
        response: &'a ::http::Response<B>,
    ) -> Result<ConnectResponse<'a>, ClientError> {
        self.check_response(response.status().as_u16(), || {
            response
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()))
        })
    }
}

/// What the server answered to an extended CONNECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a ConnectResponse must be handled: use the stream, or handle the refusal"]
pub enum ConnectResponse<'a> {
    /// A `200` that passed every check: the stream carries WebSocket frames now.
    Connected(Connected<'a>),
    /// Any other status: the server did not open a WebSocket.
    Refused(ConnectRefusal),
}

/// A response other than `200`: e.g. 403 (Origin), 426 (version), 501 (the server
/// does not speak `:protocol` websocket, RFC 9220 §3). The fields are the caller's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectRefusal {
    status: u16,
}

impl ConnectRefusal {
    /// The `:status`.
    pub fn status(&self) -> u16 {
        self.status
    }
}
