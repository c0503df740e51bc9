//! The server handshake: bytes in, a validated upgrade request (or a typed error) out.

use alloc::vec::Vec;

use crate::answer::rejection::Rejection;
use crate::error::{Error, Malformed};
use crate::head::headers::Headers;
use crate::head::machine::{Machine, Outcome};
use crate::head::parse::{Kind, Parsed, StartLine};
use crate::head::reader::{header_block, Input, Pending};
use crate::rules::forwarded::Forwarded;
use crate::rules::framing::check_framing;
use crate::rules::request as rules;
use crate::rules::server_config::ServerConfig;
use crate::rules::summary::Summary;
use crate::server::request_view::Request;
use crate::upgrade::Upgrade;

pub(crate) mod request_view;

/// A server-side opening handshake for one connection, fed the bytes read from it.
///
/// It holds only the bytes of an incomplete head (never more than the head limit,
/// growing with the data rather than preallocating it). A head that arrives whole is
/// parsed straight from the chunk; otherwise each byte is scanned once and the head
/// parsed once when its end arrives, so feeding N bytes costs O(N) in any chunking.
/// It reads no clock: a deadline for slow clients is the caller's job.
///
/// ```
/// use ws_handshake::{ServerFeed, ServerConfig, ServerHandshake};
///
/// let config = ServerConfig::new().protocols(["chat"])?;
/// let mut handshake = ServerHandshake::new(&config);
/// let request = b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
///     Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, superchat\r\n\r\n";
///
/// let mut out = Vec::new();
/// // Feed chunks as they are read; here, in two pieces.
/// assert!(matches!(handshake.feed(&request[..40]), Ok(ServerFeed::NeedMore)));
/// match handshake.feed(&request[40..]) {
///     Ok(ServerFeed::Upgrade(upgrade)) => {
///         assert_eq!(upgrade.path(), "/chat");
///         assert_eq!(upgrade.protocol(), Some("chat"));
///         upgrade.accept().write_to(&mut out);
///         let frames = upgrade.leftover(); // hand these to the framing layer
///         assert!(frames.is_empty());
///     }
///     Ok(ServerFeed::Plain(request)) => request.reject().write_to(&mut out),
///     Ok(ServerFeed::NeedMore) => unreachable!("read more and feed again"),
///     Err(error) => error.rejection().write_to(&mut out),
/// }
/// assert!(out.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
#[derive(Debug)]
pub struct ServerHandshake<'c> {
    config: &'c ServerConfig,
    /// The head reader, sticky once an error or an upgrade ends the handshake.
    machine: Machine<Error>,
    /// Whether the connection uses TLS, if the caller said.
    tls: Option<bool>,
    /// Whether the peer is a reverse proxy the caller trusts with the forwarded fields.
    trusted_proxy: bool,
}

/// What a fed chunk produced.
// Boxing the large variant would allocate on the hot path; the value is short-lived.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[must_use = "a ServerFeed must be handled: read more, answer the upgrade, or serve/refuse the plain request"]
pub enum ServerFeed<'a> {
    /// The head is incomplete: read more bytes and feed them.
    NeedMore,
    /// A WebSocket upgrade that passed every rule: accept it (or reject it yourself).
    /// The handshake is then finished: feeding it again returns [`Error::Misuse`].
    Upgrade(UpgradeRequest<'a>),
    /// A well-formed HTTP request, with a valid message framing (RFC 9112 §6.3, else
    /// [`Error::FramingInvalid`]), that is not a WebSocket upgrade at all (no
    /// `Upgrade: websocket`, no `Sec-WebSocket-*`). Serve it yourself, e.g. with an
    /// HTML page, or answer [`Request::reject`] (426). The handshake can then be fed
    /// the next request on the same connection.
    Plain(Request<'a>),
}

impl Pending for ServerFeed<'_> {
    fn need_more() -> Self {
        Self::NeedMore
    }
}

impl<'c> ServerHandshake<'c> {
    /// A handshake that allocates its buffer as bytes arrive.
    pub fn new(config: &'c ServerConfig) -> Self {
        Self::with_buffer(config, Vec::new())
    }

    /// A handshake that reuses `buffer` (its contents are discarded). With a buffer
    /// of the head limit's capacity, feeding never allocates.
    pub fn with_buffer(config: &'c ServerConfig, buffer: Vec<u8>) -> Self {
        Self {
            config,
            machine: Machine::with_buffer(buffer),
            tls: None,
            trusted_proxy: false,
        }
    }

    /// Says whether this connection uses TLS (`wss`/`https`) or not (`ws`/`http`): the
    /// transport the client reached the server with, so `true` behind a proxy that
    /// terminates TLS. It is a setting per connection, not per [`ServerConfig`],
    /// because one server may listen with and without TLS.
    ///
    /// Once known, the scheme counts: [`OriginPolicy::SameOrigin`](crate::OriginPolicy::SameOrigin)
    /// wants an `https` (or `wss`) origin over TLS and an `http` (or `ws`) one
    /// otherwise, a `Host` without a port means port 443 or 80 for it and for
    /// [`ServerConfig::allowed_hosts`], and an absolute-form request-target must name
    /// the matching scheme ([`Error::RequestTargetScheme`]). Not called: the
    /// transport is unknown and the scheme is not compared (a missing `Host` port then
    /// means the origin scheme's default), as before this setting existed.
    ///
    /// ```
    /// use ws_handshake::{Error, OriginPart, ServerFeed, ServerConfig, ServerHandshake};
    ///
    /// let config = ServerConfig::new();
    /// let request = |origin: &str| format!(
    ///     "GET /chat HTTP/1.1\r\nHost: example.com\r\nOrigin: {origin}\r\n\
    ///      Upgrade: websocket\r\nConnection: Upgrade\r\n\
    ///      Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    /// );
    /// // A wss:// server: a page served over plain http is another origin.
    /// let plain_page = request("http://example.com");
    /// let mut handshake = ServerHandshake::new(&config).with_tls(true);
    /// let refused = handshake.feed(plain_page.as_bytes());
    /// assert_eq!(refused.unwrap_err(), Error::OriginMismatch(OriginPart::Scheme));
    ///
    /// let tls_page = request("https://example.com");
    /// let mut handshake = ServerHandshake::new(&config).with_tls(true);
    /// let accepted = handshake.feed(tls_page.as_bytes());
    /// assert!(matches!(accepted, Ok(ServerFeed::Upgrade(_))));
    /// ```
    #[must_use]
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Says whether the peer of this connection is a reverse proxy you trust (its
    /// address is one of yours): then the Origin policy compares the `Origin` with the
    /// origin the *client* reached, as the proxy reports it in RFC 7239 `Forwarded`
    /// (`proto` and `host` of the right-most element, the one the proxy added) and in
    /// `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-Port` (their
    /// right-most values). Parts no field states come from the connection: `Host` and
    /// [`with_tls`](Self::with_tls). Default `false`: from any other peer these fields are the
    /// client's word, never read, and change no decision.
    ///
    /// Both families present: each part both state must agree, else the request is
    /// refused with [`Error::ForwardedConflict`] naming the part (a proxy that writes
    /// one family usually passes the other on from the client, so neither can simply
    /// win). A malformed value is [`Error::ForwardedInvalid`]. The fields are read only
    /// when the policy compares with the server's origin
    /// ([`OriginPolicy::SameOrigin`](crate::OriginPolicy::SameOrigin), or
    /// [`Custom`](crate::OriginPolicy::Custom), which is given the forwarded host) and
    /// the request has an `Origin`; an allow-list compares the `Origin` with its
    /// entries alone. `Host`, and [`ServerConfig::allowed_hosts`] with it, are
    /// checked as sent.
    ///
    /// ```
    /// use ws_handshake::{Error, OriginPart, ServerFeed, ServerConfig, ServerHandshake};
    ///
    /// let config = ServerConfig::new();
    /// // The proxy terminates TLS for https://example.com and forwards to backend:8080.
    /// let request = b"GET /chat HTTP/1.1\r\nHost: backend:8080\r\n\
    ///     Origin: https://example.com\r\n\
    ///     Forwarded: for=192.0.2.60;proto=https;host=example.com\r\n\
    ///     Upgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// let mut behind_proxy = ServerHandshake::new(&config).with_trusted_proxy(true);
    /// assert!(matches!(behind_proxy.feed(request), Ok(ServerFeed::Upgrade(_))));
    ///
    /// // The same bytes from a peer not trusted: `Forwarded` is ignored.
    /// let mut direct = ServerHandshake::new(&config);
    /// assert_eq!(direct.feed(request).unwrap_err(), Error::OriginMismatch(OriginPart::Host));
    /// ```
    #[must_use]
    pub fn with_trusted_proxy(mut self, trusted: bool) -> Self {
        self.trusted_proxy = trusted;
        self
    }

    /// Gives back the buffer for the next connection.
    pub fn into_buffer(self) -> Vec<u8> {
        self.machine.reader.into_buffer()
    }

    /// Bytes of an incomplete head held so far.
    pub fn buffered(&self) -> usize {
        self.machine.reader.held()
    }

    /// Heap bytes this handshake has reserved (its buffer's capacity).
    pub fn heap_bytes(&self) -> usize {
        self.machine.reader.capacity()
    }

    /// Feeds bytes read from the connection, in chunks of any size.
    ///
    /// # Errors
    /// The rule the request broke; answer it with [`Error::rejection`] and close the
    /// connection. Feeding after an error returns the same error.
    ///
    /// Feeding after [`ServerFeed::Upgrade`] returns [`Error::Misuse`]: the bytes that
    /// follow are WebSocket frames, never a new request. (While the
    /// [`UpgradeRequest`] lives, which borrows the handshake, feeding does not even
    /// compile.) After [`ServerFeed::Plain`], the handshake reads the next request on the
    /// same connection.
    ///
    /// ```
    /// use ws_handshake::{Error, Misuse, ServerFeed, ServerConfig, ServerHandshake};
    ///
    /// let config = ServerConfig::new();
    /// let mut handshake = ServerHandshake::new(&config);
    /// let request = b"GET / HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///     Sec-WebSocket-Version: 13\r\n\r\n";
    /// assert!(matches!(handshake.feed(request), Ok(ServerFeed::Upgrade(_))));
    /// // A WebSocket frame is not a request head.
    /// let again = handshake.feed(b"\x81\x80abcd");
    /// assert_eq!(again.unwrap_err(), Error::Misuse(Misuse::FedAfterOutcome));
    /// ```
    #[inline]
    pub fn feed<'a>(&'a mut self, chunk: &'a [u8]) -> Result<ServerFeed<'a>, Error> {
        // Small reads inside a head (down to a byte at a time) only append:
        // inlined into the caller, that costs a few instructions per call.
        // No failure check needed: every path that fails stops plain appends.
        if self.machine.reader.append_within_head(chunk) {
            return Ok(ServerFeed::NeedMore);
        }
        self.feed_general(chunk)
    }

    /// Room to read the next bytes from the connection into, inside the handshake's
    /// own buffer: pass it to `read` (or tokio's `ReadBuf`), then
    /// [`commit`](Self::commit) the number of bytes read. No separate read buffer, so a
    /// pending handshake holds only what it has received plus this room.
    ///
    /// The room is zero-filled, at least 1 byte and at most 1 KiB (more only past
    /// 128 KiB held), and never takes the buffer more than one byte past the head
    /// limit (enough to detect a head that is too large). The buffer grows only when
    /// less than 64 bytes of its capacity are spare. Room not committed is dropped by
    /// the next `read_buffer`, [`commit`](Self::commit), [`feed`](Self::feed) or
    /// [`shrink_buffer`](Self::shrink_buffer).
    ///
    /// After a head was returned ([`ServerFeed::Plain`]), the next `read_buffer` starts
    /// a new head: the previous one and the bytes committed after it (its leftover) are
    /// dropped, just as [`feed`](Self::feed) does not keep them.
    ///
    /// ```
    /// use std::io::Read;
    /// use ws_handshake::{ServerFeed, ServerConfig, ServerHandshake};
    ///
    /// let config = ServerConfig::new();
    /// let mut handshake = ServerHandshake::new(&config);
    /// // Any `Read`: here the client's bytes, with a first frame pipelined after the head.
    /// let mut socket: &[u8] = b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///     Sec-WebSocket-Version: 13\r\n\r\n\x81\x80abcd";
    /// let mut out = Vec::new();
    /// loop {
    ///     let n = socket.read(handshake.read_buffer())?;
    ///     if n == 0 {
    ///         break; // the client left
    ///     }
    ///     match handshake.commit(n) {
    ///         Ok(ServerFeed::NeedMore) => continue,
    ///         Ok(ServerFeed::Upgrade(upgrade)) => {
    ///             upgrade.accept().write_to(&mut out);
    ///             assert_eq!(upgrade.leftover(), b"\x81\x80abcd"); // for the framing layer
    ///             break;
    ///         }
    ///         Ok(ServerFeed::Plain(request)) => {
    ///             request.reject().write_to(&mut out);
    ///             break;
    ///         }
    ///         Err(error) => {
    ///             error.rejection().write_to(&mut out);
    ///             break;
    ///         }
    ///     }
    /// }
    /// assert!(out.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn read_buffer(&mut self) -> &mut [u8] {
        self.machine.spare(self.config.limits())
    }

    /// Takes in the first `n` bytes of the room [`read_buffer`](Self::read_buffer)
    /// gave (a larger `n` counts as the whole room: a `read` never returns more), with
    /// exactly the outcome, leftover and errors [`feed`](Self::feed) would give for
    /// those bytes as a chunk. Each new byte is scanned once, in place; the head and
    /// the leftover are borrowed from the handshake's buffer.
    ///
    /// # Errors
    /// As [`feed`](Self::feed): the rule the request broke, the same error on every
    /// later call, and [`Error::Misuse`] after an upgrade.
    pub fn commit(&mut self, n: usize) -> Result<ServerFeed<'_>, Error> {
        self.take(Input::Committed(n))
    }

    /// Frees the buffer's unused room beyond a small slack (128 bytes), and the whole
    /// buffer if it holds no part of a head; room lent by
    /// [`read_buffer`](Self::read_buffer) and not committed is dropped. Call it before
    /// waiting a long time for the peer, so that a pending handshake holds about what
    /// it has received rather than a read's worth of room.
    pub fn shrink_buffer(&mut self) {
        self.machine.reader.shrink();
    }

    /// [`feed`](Self::feed) when the chunk may start, end or break a head.
    #[inline(never)]
    fn feed_general<'a>(&'a mut self, chunk: &'a [u8]) -> Result<ServerFeed<'a>, Error> {
        self.take(Input::Chunk(chunk))
    }

    /// Takes in bytes (fed or committed): an error is sticky, an upgrade ends the
    /// handshake (a plain request does not: the next one may follow).
    #[inline]
    fn take<'a>(&'a mut self, input: Input<'a>) -> Result<ServerFeed<'a>, Error> {
        let config = self.config;
        let tls = self.tls;
        let trusted_proxy = self.trusted_proxy;
        self.machine.take(
            input,
            Kind::Request,
            config.limits(),
            |head, leftover, parsed| finish(head, leftover, parsed, config, tls, trusted_proxy),
        )
    }
}

impl Outcome for ServerFeed<'_> {
    fn is_final(&self) -> bool {
        matches!(self, ServerFeed::Upgrade(_))
    }
}

/// Applies the rules to a parsed head; `tls` is the transport, if the caller said,
/// `trusted_proxy` whether the peer's forwarded fields are read.
fn finish<'a>(
    head: &'a [u8],
    leftover: &'a [u8],
    parsed: &Parsed<'_, 'a>,
    config: &ServerConfig,
    tls: Option<bool>,
    trusted_proxy: bool,
) -> Result<ServerFeed<'a>, Error> {
    let StartLine::Request {
        method,
        target,
        minor_version,
    } = parsed.start
    else {
        return Err(Error::Malformed(Malformed::Incomplete));
    };
    let mut summary = Summary::default();
    for h in parsed.fields {
        summary.add_trimmed(h.name.as_bytes(), h.value);
    }
    let request = Request {
        method,
        target,
        minor_version,
        headers: Headers::new(header_block(head, parsed.fields)),
        leftover,
    };
    // Framing first (RFC 9112 §6.3): whatever else the request is, broken framing is
    // a 400 and the end of the connection, never an answer that reads it as understood.
    check_framing(&summary, minor_version)?;
    if !summary.wants_websocket() {
        return Ok(ServerFeed::Plain(request));
    }
    rules::check_request_line(method, minor_version, target)?;
    let addressed = rules::addressed(rules::absolute_form(target), tls)?;
    // A second pass over the fields, only for a trusted proxy's connections, out of
    // line: the default path gains one test of a flag.
    let forwarded = if trusted_proxy {
        Some(forwarded_fields(parsed))
    } else {
        None
    };
    let checked = rules::check_h1(&summary, addressed, forwarded.as_ref(), config)?;
    Ok(ServerFeed::Upgrade(Upgrade::new(checked, request)))
}

/// The forwarded fields of a head from a trusted proxy.
#[cold]
#[inline(never)]
fn forwarded_fields<'a>(parsed: &Parsed<'_, 'a>) -> Forwarded<'a> {
    Forwarded::read(parsed.fields.iter().map(|h| (h.name.as_bytes(), h.value)))
}

/// A WebSocket upgrade request that passed every rule of RFC 6455 §4.2.1: the one
/// [`Upgrade`] view over the HTTP/1.1 [`Request`], which it dereferences to for the
/// path, headers, cookies and leftover bytes. Accept it with
/// [`accept`](Upgrade::accept), or reject it with your own status via [`Rejection`].
pub type UpgradeRequest<'a> = Upgrade<'a, Request<'a>>;

impl Request<'_> {
    /// The `426 Upgrade Required` answer for a request that is not a WebSocket upgrade.
    pub fn reject(&self) -> Rejection<'static> {
        Error::UpgradeLacksWebSocket.rejection()
    }
}
