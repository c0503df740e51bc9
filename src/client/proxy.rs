//! A tunnel through an HTTP proxy: `CONNECT host:port` (RFC 9110 §9.3.6), as
//! RFC 6455 §4.1 asks of a client configured to use a proxy.
//!
//! The flow, all sans-IO like the rest of the crate:
//!
//! ```text
//! connect to the proxy (its host and port, plain TCP)
//! tunnel.request().write_to(&mut out)   ──► CONNECT example.com:443 HTTP/1.1
//! tunnel.feed(chunk)                    ◄── the proxy's answer, in any chunking
//!   ProxyFeed::NeedMore                     read again
//!   ProxyFeed::Open(open)                   2xx: the connection is a TCP tunnel to the target;
//!                                           open.leftover() are the target's first bytes
//!   ProxyFeed::Refused(refusal)             407: refusal.challenges(), retry with credentials;
//!                                           any other status: the proxy would not connect
//!   Err(error)                              the answer broke HTTP: close the connection
//! for wss: run the TLS handshake inside the tunnel (server name: url.host()),
//!          starting with the leftover bytes
//! then ClientHandshake as usual, over the tunnel (or over TLS inside it)
//! ```
//!
//! Interim `1xx` answers before the final one are skipped (RFC 9110 §15.2); a
//! `101` is an error, since a `CONNECT` asks for no protocol switch (RFC 9110 §7.8).
//!
//! # Example
//! ```
//! use ws_handshake::auth::Basic;
//! use ws_handshake::WsUrl;
//! use ws_handshake::proxy::{ProxyConfig, ProxyFeed, ProxyTunnel};
//!
//! let target = WsUrl::parse("wss://example.com/chat")?;
//! let config = ProxyConfig::new().basic_auth(Basic::new("alice", "s3cret")?);
//! let mut tunnel = ProxyTunnel::new(&config, target);
//! let mut out = Vec::new();
//! tunnel.request().write_to(&mut out); // write to the proxy's connection
//! assert_eq!(
//!     out,
//!     b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\
//!       Proxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n\r\n"
//! );
//! match tunnel.feed(b"HTTP/1.1 200 Connection established\r\n\r\n")? {
//!     ProxyFeed::NeedMore => { /* read more and feed again */ }
//!     ProxyFeed::Open(open) => {
//!         assert!(open.leftover().is_empty());
//!         // wss: TLS inside the tunnel, then ClientHandshake::new(&client_config, target, key)
//!     }
//!     ProxyFeed::Refused(refusal) => panic!("proxy said {}", refusal.status()),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::answer::write::{writer_methods, Emit};
use crate::client::auth::Basic;
use crate::client::Refusal;
use crate::error::{BuildError, Malformed, ProxyError};
use crate::grammar::token::is_field_value;
use crate::grammar::url::WsUrl;
use crate::head::headers::Headers;
use crate::head::machine::{Machine, Outcome};
use crate::head::parse::{Kind, Parsed, StartLine};
use crate::head::reader::{header_block, Input, Pending};
use crate::limits::Limits;
use crate::rules::extra_headers::check_extra_headers;
use crate::sink::Sink;

/// How to talk to a proxy: limits on its answer, the credential, extra fields.
/// Build it once and use it (`&ProxyConfig`) for many tunnels.
///
/// ```
/// use ws_handshake::auth::Basic;
/// use ws_handshake::Limits;
/// use ws_handshake::proxy::ProxyConfig;
/// let config = ProxyConfig::new()
///     .with_limits(Limits::default().with_max_head_bytes(4096))
///     .basic_auth(Basic::from_user_pass("alice:s3cret")?)
///     .header("User-Agent", "my-client/1.0")?;
/// // Header injection is refused.
/// assert!(ProxyConfig::new().header("X", "a\r\nHost: evil").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct ProxyConfig {
    limits: Limits,
    /// The whole `Proxy-Authorization` value, e.g. `Basic …`.
    authorization: Option<String>,
    headers: Vec<(String, String)>,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credential stays out of logs.
        f.debug_struct("ProxyConfig")
            .field("limits", &self.limits)
            .field("authorization", &self.authorization.as_ref().map(|_| ".."))
            .field("headers", &self.headers)
            .finish()
    }
}

impl ProxyConfig {
    /// [`Limits::DEFAULT`], no credential, no extra fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the limits on the proxy's answer.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sends `Proxy-Authorization: Basic …` (RFC 7617, RFC 9110 §11.7.2).
    pub fn basic_auth(mut self, credentials: Basic<'_>) -> Self {
        self.authorization = Some(credentials.to_string());
        self
    }

    /// Sends `Proxy-Authorization` with this value, for schemes other than Basic.
    ///
    /// # Errors
    /// [`BuildError::HeaderValueInvalid`] if the value is empty or holds CR, LF, NUL
    /// or another control byte.
    pub fn authorization(mut self, value: &str) -> Result<Self, BuildError> {
        if value.is_empty() || !is_field_value(value.as_bytes()) {
            return Err(BuildError::HeaderValueInvalid);
        }
        self.authorization = Some(value.to_string());
        Ok(self)
    }

    /// Adds a field to the `CONNECT` request (e.g. `User-Agent`).
    ///
    /// # Errors
    /// [`BuildError::HeaderNameInvalid`] or [`BuildError::HeaderValueInvalid`] for
    /// bytes that could inject a field; [`BuildError::HeaderReserved`] for `Host`,
    /// `Proxy-Authorization` (use [`basic_auth`](Self::basic_auth) or
    /// [`authorization`](Self::authorization)) and the fields the crate reserves
    /// everywhere (`Connection`, `Upgrade`, `Transfer-Encoding`, `Content-*`,
    /// `Sec-WebSocket-*`).
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, BuildError> {
        check_extra_headers(&[(name, value)])?;
        if name.eq_ignore_ascii_case("host") || name.eq_ignore_ascii_case("proxy-authorization") {
            return Err(BuildError::HeaderReserved);
        }
        self.headers.push((name.to_string(), value.to_string()));
        Ok(self)
    }

    /// The limits on the proxy's answer.
    pub fn limits(&self) -> Limits {
        self.limits
    }
}

/// One `CONNECT` exchange with an HTTP proxy: writes the request for a target
/// [`WsUrl`], then reads the proxy's answer fed in chunks of any size.
///
/// The same shape as [`ClientHandshake`](crate::ClientHandshake): it holds only the
/// bytes of an incomplete head (bounded by [`Limits`]), scans each byte once, reads
/// no clock (a deadline is the caller's), and with a buffer from
/// [`with_buffer`](Self::with_buffer) of the head limit's capacity it never allocates.
///
/// Once [`ProxyFeed::Open`] is returned the connection is a tunnel to the target:
/// for `ws` run the [`ClientHandshake`](crate::ClientHandshake) over it; for `wss`
/// first run the TLS handshake inside the tunnel (to `url.host()`), then the
/// `ClientHandshake` over TLS. The leftover bytes are the target's first bytes (a
/// TLS server hello, or a server that speaks first) and go to that next layer.
#[derive(Debug)]
pub struct ProxyTunnel<'c> {
    config: &'c ProxyConfig,
    target: WsUrl<'c>,
    /// The head reader, sticky once an error or the final answer ends the tunnel's
    /// set-up.
    machine: Machine<ProxyError>,
}

/// What a fed chunk of the proxy's answer produced.
#[derive(Debug)]
#[must_use = "a ProxyFeed must be handled: read more, use the tunnel, or handle the refusal"]
pub enum ProxyFeed<'a> {
    /// The answer's head is incomplete (or only interim answers so far): read more.
    NeedMore,
    /// A 2xx: the tunnel is open.
    Open(TunnelOpen<'a>),
    /// A final status other than 2xx: no tunnel. A `407` asks for proxy credentials:
    /// read [`Refusal::challenges`], then retry on a new connection with
    /// [`ProxyConfig::basic_auth`]; any other status (`403` for a refused target,
    /// `502` for an unreachable one...) is the proxy's answer. The same [`Refusal`] as
    /// a refused WebSocket handshake's.
    Refused(Refusal<'a>),
}

impl Pending for ProxyFeed<'_> {
    fn need_more() -> Self {
        Self::NeedMore
    }
}

impl Outcome for ProxyFeed<'_> {
    fn is_final(&self) -> bool {
        !matches!(self, ProxyFeed::NeedMore)
    }
}

impl<'c> ProxyTunnel<'c> {
    /// A tunnel to `target`; its buffer grows as bytes arrive.
    pub fn new(config: &'c ProxyConfig, target: WsUrl<'c>) -> Self {
        Self::with_buffer(config, target, Vec::new())
    }

    /// A tunnel that reuses `buffer` (its contents are discarded).
    pub fn with_buffer(config: &'c ProxyConfig, target: WsUrl<'c>, buffer: Vec<u8>) -> Self {
        Self {
            config,
            target,
            machine: Machine::with_buffer(buffer),
        }
    }

    /// Gives back the buffer for the next handshake.
    pub fn into_buffer(self) -> Vec<u8> {
        self.machine.reader.into_buffer()
    }

    /// The target the tunnel leads to.
    pub fn target(&self) -> WsUrl<'c> {
        self.target
    }

    /// The `CONNECT` request to write to the proxy before feeding its answer.
    pub fn request(&self) -> ProxyRequest<'_> {
        ProxyRequest {
            config: self.config,
            target: self.target,
        }
    }

    /// Feeds bytes read from the proxy, in chunks of any size.
    ///
    /// # Errors
    /// The rule the answer broke: close the connection. Feeding after an error
    /// returns the same error; feeding after an outcome returns [`ProxyError::Misuse`].
    pub fn feed<'a>(&'a mut self, chunk: &'a [u8]) -> Result<ProxyFeed<'a>, ProxyError> {
        let limits = self.config.limits;
        self.machine
            .take(Input::Chunk(chunk), Kind::Response, limits, finish)
    }
}

/// The proxy's final answer (interim ones were skipped by the head reader).
fn finish<'a>(
    head: &'a [u8],
    leftover: &'a [u8],
    parsed: &Parsed<'_, 'a>,
) -> Result<ProxyFeed<'a>, ProxyError> {
    let StartLine::Response {
        minor_version,
        status,
        reason,
    } = parsed.start
    else {
        return Err(ProxyError::Malformed(Malformed::Incomplete));
    };
    if status == 101 {
        return Err(ProxyError::SwitchingProtocols);
    }
    let headers = Headers::new(header_block(head, parsed.fields));
    if (200..300).contains(&status) {
        // RFC 9110 §9.3.6: no Content-Length or Transfer-Encoding in a 2xx to CONNECT.
        let is_zero = |v: &[u8]| !v.is_empty() && v.iter().all(|&b| b == b'0');
        let announces_content = parsed.fields.iter().any(|h| {
            h.name.eq_ignore_ascii_case("transfer-encoding")
                || (h.name.eq_ignore_ascii_case("content-length") && !is_zero(h.value))
        });
        if announces_content {
            return Err(ProxyError::SuccessWithContent);
        }
        return Ok(ProxyFeed::Open(TunnelOpen {
            status,
            reason,
            headers,
            leftover,
        }));
    }
    Ok(ProxyFeed::Refused(Refusal {
        status,
        reason,
        minor_version,
        headers,
        leftover,
    }))
}

/// The `CONNECT` request (RFC 9110 §9.3.6), written into the caller's buffer:
/// `CONNECT host:port HTTP/1.1`, `Host: host:port` (the port always written, IPv6
/// literals bracketed, RFC 9112 §3.2.3), then `Proxy-Authorization` and the extra
/// fields when configured.
#[derive(Debug, Clone, Copy)]
pub struct ProxyRequest<'a> {
    config: &'a ProxyConfig,
    target: WsUrl<'a>,
}

impl ProxyRequest<'_> {
    fn authority<S: Sink>(&self, out: &mut S) {
        out.put(self.target.host_header().host.as_bytes());
        out.put(b":");
        out.put_usize(usize::from(self.target.port()));
    }
}

impl Emit for ProxyRequest<'_> {
    fn emit<S: Sink>(&self, out: &mut S) {
        out.put(b"CONNECT ");
        self.authority(out);
        out.put(b" HTTP/1.1\r\nHost: ");
        self.authority(out);
        out.put(b"\r\n");
        if let Some(value) = &self.config.authorization {
            out.header("Proxy-Authorization", value.as_bytes());
        }
        for (name, value) in &self.config.headers {
            out.header(name, value.as_bytes());
        }
        out.put(b"\r\n");
    }
}

writer_methods!(ProxyRequest);

/// A 2xx answer to `CONNECT`: the connection is now a tunnel to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TunnelOpen<'a> {
    status: u16,
    reason: &'a str,
    headers: Headers<'a>,
    leftover: &'a [u8],
}

impl<'a> TunnelOpen<'a> {
    /// The status code, usually 200.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase as sent (e.g. `Connection established`).
    pub fn reason(&self) -> &'a str {
        self.reason
    }

    /// The answer's header fields, in order.
    pub fn headers(&self) -> Headers<'a> {
        self.headers
    }

    /// The bytes after the head, byte-exact: the target's first bytes through the
    /// tunnel (a TLS record for `wss`, or a server that speaks first). Hand them to
    /// the next layer before reading the connection again.
    pub fn leftover(&self) -> &'a [u8] {
        self.leftover
    }
}
