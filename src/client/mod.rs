//! The client handshake: the request for a URL, then the response checked against
//! RFC 6455 §4.1 (and RFC 7692 for permessage-deflate).

pub mod auth;
pub(crate) mod proxy;
pub(crate) mod proxy_select;
pub mod redirect;
pub mod socks5;

use alloc::vec::Vec;

use crate::answer::field_list::{emit_field, Value};
use crate::answer::write::{writer_methods, Emit};
use crate::error::{ClientError, Malformed};
use crate::grammar::url::WsUrl;
use crate::head::headers::Headers;
use crate::head::machine::{Machine, Outcome};
use crate::head::parse::{Kind, Parsed, StartLine};
use crate::head::reader::{header_block, Input, Pending};
use crate::rules::client_config::ClientConfig;
use crate::rules::key::ClientKey;
use crate::rules::response::{check_extensions, check_protocol, Connected};
use crate::rules::summary::Summary;
use crate::sink::Sink;
use auth::{challenges, Challenges};

/// The client side of one opening handshake: writes the request, then checks the
/// response fed to it in chunks of any size.
///
/// It holds only the bytes of an incomplete response head (bounded by
/// [`Limits`](crate::Limits)), scans each byte once, and reads no clock: a deadline is
/// the caller's job. Use a fresh [`ClientKey`] for every handshake (RFC 6455 §4.1 item 7).
///
/// ```
/// use ws_handshake::{ClientConfig, ClientFeed, ClientHandshake, ClientKey, WsUrl};
///
/// let config = ClientConfig::new().protocols(["chat"])?;
/// let url = WsUrl::parse("ws://example.com/chat")?;
/// // Your dialer: (url.host(), url.port()), with TLS when url.tls().
/// let mut handshake = ClientHandshake::new(&config, url, ClientKey::from_nonce(*b"the sample nonce"));
/// let mut out = Vec::new();
/// handshake.request().write_to(&mut out); // write `out` to the socket
/// assert!(out.starts_with(b"GET /chat HTTP/1.1\r\nHost: example.com\r\n"));
///
/// // Then feed what the server sends, as it arrives.
/// let response: &[&[u8]] = &[
///     b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
///     b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n\x81\x02hi",
/// ];
/// for chunk in response {
///     match handshake.feed(chunk) {
///         Ok(ClientFeed::NeedMore) => continue,
///         Ok(ClientFeed::Connected(connected)) => {
///             assert_eq!(connected.protocol(), Some("chat"));
///             assert_eq!(connected.leftover(), b"\x81\x02hi"); // a first frame, kept
///             break;
///         }
///         Ok(ClientFeed::Refused(refusal)) => panic!("refused with {}", refusal.status()),
///         Err(error) => panic!("handshake failed: {error}"),
///     }
/// }
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug)]
pub struct ClientHandshake<'c> {
    config: &'c ClientConfig,
    url: WsUrl<'c>,
    key: ClientKey,
    /// The head reader, sticky once an error or the final response ends the handshake.
    machine: Machine<ClientError>,
}

/// What a fed chunk of the response produced.
#[derive(Debug)]
#[must_use = "a ClientFeed must be handled: read more, use the connection, or handle the refusal"]
pub enum ClientFeed<'a> {
    /// The response head is incomplete: read more bytes and feed them.
    NeedMore,
    /// A `101` that passed every check: the connection is a WebSocket now.
    Connected(Connected<'a>),
    /// Any other final status (2xx to 5xx; interim 1xx responses are skipped): the
    /// server refused (follow a redirect, authenticate, retry...).
    Refused(Refusal<'a>),
}

impl Pending for ClientFeed<'_> {
    fn need_more() -> Self {
        Self::NeedMore
    }
}

impl Outcome for ClientFeed<'_> {
    fn is_final(&self) -> bool {
        !matches!(self, ClientFeed::NeedMore)
    }
}

impl<'c> ClientHandshake<'c> {
    /// A handshake for `url` with `key`; its buffer grows as bytes arrive.
    pub fn new(config: &'c ClientConfig, url: WsUrl<'c>, key: ClientKey) -> Self {
        Self::with_buffer(config, url, key, Vec::new())
    }

    /// A handshake that reuses `buffer` (its contents are discarded). With a buffer
    /// of the head limit's capacity, feeding never allocates.
    pub fn with_buffer(
        config: &'c ClientConfig,
        url: WsUrl<'c>,
        key: ClientKey,
        buffer: Vec<u8>,
    ) -> Self {
        Self {
            config,
            url,
            key,
            machine: Machine::with_buffer(buffer),
        }
    }

    /// Gives back the buffer for the next handshake.
    pub fn into_buffer(self) -> Vec<u8> {
        self.machine.reader.into_buffer()
    }

    /// The URL this handshake connects to.
    pub fn url(&self) -> WsUrl<'c> {
        self.url
    }

    /// The `Sec-WebSocket-Key` this handshake sends.
    pub fn key(&self) -> ClientKey {
        self.key
    }

    /// The request to write to the connection before feeding the response.
    pub fn request(&self) -> ClientRequest<'_> {
        ClientRequest {
            config: self.config,
            url: self.url,
            key: self.key,
        }
    }

    /// Feeds bytes read from the connection, in chunks of any size.
    ///
    /// Interim responses (`1xx` other than `101`, e.g. `100 Continue` or `103 Early
    /// Hints`) before the final one are parsed and skipped, as RFC 9110 §15.2 lets a
    /// client do, however many there are and however the bytes are split; the
    /// outcome is then that of the final response, and its leftover is exact. The head
    /// limit ([`Limits::max_head_bytes`](crate::Limits::max_head_bytes)) bounds the
    /// skipped interim heads and the final head together; the header-count limit
    /// applies to each head on its own.
    ///
    /// ```
    /// use ws_handshake::{ClientConfig, ClientFeed, ClientHandshake, ClientKey, WsUrl};
    /// let config = ClientConfig::new();
    /// let url = WsUrl::parse("ws://example.com/")?;
    /// let mut handshake = ClientHandshake::new(&config, url, ClientKey::from_nonce(*b"the sample nonce"));
    /// let response = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n\
    ///     HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x00";
    /// let Ok(ClientFeed::Connected(connected)) = handshake.feed(response) else { panic!() };
    /// assert_eq!(connected.leftover(), b"\x81\x00");
    /// # Ok::<(), ws_handshake::BuildError>(())
    /// ```
    ///
    /// # Errors
    /// The rule the response broke: close the connection. Feeding after an error
    /// returns the same error; feeding after an outcome returns [`ClientError::Misuse`].
    pub fn feed<'a>(&'a mut self, chunk: &'a [u8]) -> Result<ClientFeed<'a>, ClientError> {
        self.take(Input::Chunk(chunk))
    }

    /// Room to read the next bytes of the response into, inside the handshake's own
    /// buffer: pass it to `read`, then [`commit`](Self::commit) the number of bytes
    /// read. As [`ServerHandshake::read_buffer`](crate::ServerHandshake::read_buffer):
    /// zero-filled, 1 byte to 1 KiB, never more than one byte past what the head limit
    /// still allows (interim heads count against it).
    ///
    /// ```
    /// use std::io::Read;
    /// use ws_handshake::{ClientConfig, ClientFeed, ClientHandshake, ClientKey, WsUrl};
    /// let config = ClientConfig::new();
    /// let url = WsUrl::parse("ws://example.com/")?;
    /// let mut handshake = ClientHandshake::new(&config, url, ClientKey::from_nonce(*b"the sample nonce"));
    /// let mut socket: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x00";
    /// loop {
    ///     let n = socket.read(handshake.read_buffer())?;
    ///     assert!(n > 0, "the server left");
    ///     match handshake.commit(n) {
    ///         Ok(ClientFeed::NeedMore) => continue,
    ///         Ok(ClientFeed::Connected(connected)) => {
    ///             assert_eq!(connected.leftover(), b"\x81\x00");
    ///             break;
    ///         }
    ///         Ok(ClientFeed::Refused(refusal)) => panic!("refused with {}", refusal.status()),
    ///         Err(error) => panic!("handshake failed: {error}"),
    ///     }
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_buffer(&mut self) -> &mut [u8] {
        self.machine.spare(self.config.limits)
    }

    /// Takes in the first `n` bytes of the room [`read_buffer`](Self::read_buffer)
    /// gave (a larger `n` counts as the whole room), with exactly the outcome,
    /// leftover and errors [`feed`](Self::feed) would give for those bytes as a chunk.
    ///
    /// # Errors
    /// As [`feed`](Self::feed).
    pub fn commit(&mut self, n: usize) -> Result<ClientFeed<'_>, ClientError> {
        self.take(Input::Committed(n))
    }

    /// Takes in bytes (fed or committed): an error is sticky, an outcome ends the
    /// handshake.
    fn take<'a>(&'a mut self, input: Input<'a>) -> Result<ClientFeed<'a>, ClientError> {
        let config = self.config;
        let key = self.key;
        self.machine.take(
            input,
            Kind::Response,
            config.limits,
            |head, leftover, parsed| finish(head, leftover, parsed, config, key),
        )
    }

    /// Frees the buffer's unused room beyond a small slack, as
    /// [`ServerHandshake::shrink_buffer`](crate::ServerHandshake::shrink_buffer).
    pub fn shrink_buffer(&mut self) {
        self.machine.reader.shrink();
    }
}

/// Applies RFC 6455 §4.1's checks to a parsed response head.
fn finish<'a>(
    head: &'a [u8],
    leftover: &'a [u8],
    parsed: &Parsed<'_, 'a>,
    config: &ClientConfig,
    key: ClientKey,
) -> Result<ClientFeed<'a>, ClientError> {
    let StartLine::Response {
        minor_version,
        status,
        reason,
    } = parsed.start
    else {
        return Err(ClientError::Malformed(Malformed::Incomplete));
    };
    let headers = Headers::new(header_block(head, parsed.fields));
    if status != 101 {
        return Ok(ClientFeed::Refused(Refusal {
            status,
            reason,
            minor_version,
            headers,
            leftover,
        }));
    }
    if minor_version != 1 {
        return Err(ClientError::HttpVersionInvalid);
    }
    let mut summary = Summary::default();
    for h in parsed.fields {
        summary.add_response_field(h.name.as_bytes(), h.value);
    }
    if !summary.upgrade_websocket {
        return Err(ClientError::UpgradeLacksWebSocket);
    }
    if summary.upgrade_other {
        return Err(ClientError::UpgradeNotOnlyWebSocket);
    }
    if !summary.connection_upgrade {
        return Err(ClientError::ConnectionLacksUpgrade);
    }
    match (summary.accept.value, summary.accept.count) {
        (None, _) => return Err(ClientError::AcceptMissing),
        (Some(_), 2..) => return Err(ClientError::AcceptRepeated),
        (Some(a), _) if a != key.expected_accept().as_bytes() => {
            return Err(ClientError::AcceptMismatch)
        }
        (Some(_), _) => {}
    }
    let deflate = if summary.extensions.overflowed() {
        // More lines than the one pass keeps (rare): read them from the head.
        check_extensions(headers.get_all("sec-websocket-extensions"), config)?
    } else {
        check_extensions(summary.extensions.iter(), config)?
    };
    let protocol = check_protocol(&summary, config)?;
    Ok(ClientFeed::Connected(Connected {
        protocol,
        deflate,
        headers,
        leftover,
    }))
}

/// The opening-handshake request (RFC 6455 §4.1), written into the caller's buffer.
///
/// Obtained from [`ClientHandshake::request`], so the key and offers it sends are
/// exactly those the response is checked against.
#[derive(Debug, Clone, Copy)]
pub struct ClientRequest<'a> {
    config: &'a ClientConfig,
    url: WsUrl<'a>,
    key: ClientKey,
}

impl Emit for ClientRequest<'_> {
    fn emit<S: Sink>(&self, out: &mut S) {
        let resource = self.url.resource();
        out.put(b"GET ");
        out.put(resource.path.as_bytes());
        if let Some(q) = resource.query {
            out.put(b"?");
            out.put(q.as_bytes());
        }
        out.put(b" HTTP/1.1\r\nHost: ");
        let host = self.url.host_header();
        out.put(host.host.as_bytes());
        if let Some(port) = host.port {
            out.put(b":");
            out.put_usize(usize::from(port));
        }
        out.put(b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
        out.header("Sec-WebSocket-Key", self.key.as_bytes());
        out.put(b"Sec-WebSocket-Version: 13\r\n");
        let mut field = |name: &str, value: Value<'_>| emit_field(out, name, &value);
        self.config.offer_fields(&mut field);
        self.config.identity_fields(&mut field);
        out.put(b"\r\n");
    }
}

writer_methods!(ClientRequest);

/// A response with a status other than 101: the server did not open a WebSocket.
///
/// The crate follows no redirect and retries nothing; the status and headers are
/// here so the caller can: a 3xx `Location`, a 401 `WWW-Authenticate`, a 426
/// `Sec-WebSocket-Version` listing the versions the server speaks.
///
/// ```
/// use ws_handshake::{ClientConfig, ClientFeed, ClientHandshake, ClientKey, WsUrl};
/// let config = ClientConfig::new();
/// let url = WsUrl::parse("ws://example.com/")?;
/// let mut handshake = ClientHandshake::new(&config, url, ClientKey::from_nonce([7; 16]));
/// let response = b"HTTP/1.1 302 Found\r\nLocation: ws://example.org/\r\nContent-Length: 0\r\n\r\n";
/// let Ok(ClientFeed::Refused(refusal)) = handshake.feed(response) else { panic!() };
/// assert_eq!((refusal.status(), refusal.reason()), (302, "Found"));
/// assert_eq!(refusal.header("location"), Some("ws://example.org/"));
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal<'a> {
    status: u16,
    reason: &'a str,
    minor_version: u8,
    headers: Headers<'a>,
    leftover: &'a [u8],
}

impl<'a> Refusal<'a> {
    /// The status code, e.g. 302, 401, 426.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase as sent (may be empty).
    pub fn reason(&self) -> &'a str {
        self.reason
    }

    /// The HTTP minor version: `1` for HTTP/1.1 (and for a higher HTTP/1.x, which is
    /// read as HTTP/1.1, RFC 9110 §6.2), `0` for HTTP/1.0.
    pub fn minor_version(&self) -> u8 {
        self.minor_version
    }

    /// Every response header field, in order.
    pub fn headers(&self) -> Headers<'a> {
        self.headers
    }

    /// The value of the first header named `name` (case-insensitive), if it is UTF-8.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .get(name)
            .and_then(|v| core::str::from_utf8(v).ok())
    }

    /// The authentication challenges the refusal carries, split per RFC 9110 §11.6.1:
    /// `Proxy-Authenticate` on a `407` (a proxy's, RFC 9110 §11.7.1), else
    /// `WWW-Authenticate` (a `401`'s, §11.6.1).
    ///
    /// ```
    /// use ws_handshake::WsUrl;
    /// use ws_handshake::proxy::{ProxyConfig, ProxyFeed, ProxyTunnel};
    /// let config = ProxyConfig::new();
    /// let mut tunnel = ProxyTunnel::new(&config, WsUrl::parse("ws://example.com/")?);
    /// let answer = b"HTTP/1.1 407 Proxy Authentication Required\r\n\
    ///     Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n";
    /// let Ok(ProxyFeed::Refused(refusal)) = tunnel.feed(answer) else { panic!() };
    /// assert_eq!(refusal.status(), 407);
    /// let challenge = refusal.challenges().next().unwrap()?;
    /// assert_eq!((challenge.scheme(), challenge.realm().as_deref()), ("Basic", Some("corp")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn challenges(&self) -> Challenges<'a, impl Iterator<Item = &'a [u8]>> {
        let field = match self.status {
            407 => "proxy-authenticate",
            _ => "www-authenticate",
        };
        challenges(&self.headers, field)
    }

    /// The bytes after the head that were fed: the start of the response body.
    pub fn leftover(&self) -> &'a [u8] {
        self.leftover
    }
}

/// The OS random-number generator failed (only with the `getrandom` feature).
#[cfg(feature = "getrandom")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the operating system's random number generator failed")]
pub struct RandomUnavailable;

#[cfg(feature = "getrandom")]
impl ClientKey {
    /// A key from 16 fresh random bytes drawn from the OS (feature `getrandom`, on by
    /// default), as RFC 6455 §4.1 item 7 requires for every connection.
    ///
    /// ```
    /// use ws_handshake::ClientKey;
    /// let (a, b) = (ClientKey::random()?, ClientKey::random()?);
    /// assert_ne!(a, b);
    /// # Ok::<(), ws_handshake::RandomUnavailable>(())
    /// ```
    ///
    /// # Errors
    /// [`RandomUnavailable`] if the OS could not provide random bytes.
    pub fn random() -> Result<Self, RandomUnavailable> {
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).map_err(|_| RandomUnavailable)?;
        Ok(Self::from_nonce(nonce))
    }
}
