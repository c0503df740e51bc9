//! A tunnel through a SOCKS5 proxy (RFC 1928), with username/password
//! authentication (RFC 1929), the same shape as the HTTP [`ProxyTunnel`](crate::proxy::ProxyTunnel).
//!
//! ```text
//! connect to the proxy (plain TCP)
//! tunnel.request().write_to(&mut out)   ──► greeting: version 5, the methods offered (§3)
//! tunnel.feed(chunk)                    ◄── the proxy's bytes, in any chunking
//!   Socks5Feed::NeedMore                    read again
//!   Socks5Feed::Send(message)               write it (credentials, RFC 1929 §2; or the
//!                                           CONNECT request, RFC 1928 §4), then read again
//!   Socks5Feed::Open(open)                  reply 0 (§6): the connection is a tunnel to the
//!                                           target; open.leftover() are its first bytes
//!   Err(error)                              a refusal (each reply code is a variant) or a
//!                                           broken rule: close the connection
//! for wss: TLS inside the tunnel (server name: url.host()), then ClientHandshake
//! ```
//!
//! Two ways to name the target, as curl's `socks5://` and `socks5h://`:
//! [`Socks5Tunnel::resolved`] takes an address the caller resolved itself (the
//! proxy never sees the name), [`Socks5Tunnel::remote`] sends the URL's host name
//! for the proxy to resolve (an IP literal goes as an address).
//!
//! The proxy answers each message only after the client sent it, so bytes that
//! arrive before the client's next message are refused
//! ([`Socks5Error::DataUnexpected`]); bytes after the final reply are the
//! target's and come back, byte-exact, as the leftover. A reply is at most 262
//! bytes; the tunnel holds it in a fixed array and never allocates.
//!
//! The items: a [`Socks5Config`] (credentials), a [`Socks5Tunnel`] whose `feed`
//! gives a [`Socks5Feed`]: a [`Socks5Request`] to send, or [`Socks5Open`] with the
//! address the proxy bound ([`Socks5Bound`], its host a [`Socks5Host`]), else a
//! [`Socks5Error`].
//!
//! ```
//! use ws_handshake::WsUrl;
//! use ws_handshake::socks5::{Socks5Config, Socks5Feed, Socks5Tunnel};
//!
//! let url = WsUrl::parse("ws://example.com/chat")?;
//! let config = Socks5Config::new().credentials("alice", "s3cret")?;
//! let mut tunnel = Socks5Tunnel::remote(&config, url)?; // socks5h: the proxy resolves
//! let mut out = Vec::new();
//! tunnel.request().write_to(&mut out);
//! assert_eq!(out, [5, 2, 0, 2]); // version 5; no authentication, username/password
//!
//! // The proxy picks username/password; the tunnel answers with the credentials.
//! let Socks5Feed::Send(auth) = tunnel.feed(&[5, 2])? else { panic!() };
//! out.clear();
//! auth.write_to(&mut out);
//! assert_eq!(out, b"\x01\x05alice\x06s3cret");
//! // Accepted; the CONNECT request names the host for the proxy to resolve.
//! let Socks5Feed::Send(connect) = tunnel.feed(&[1, 0])? else { panic!() };
//! out.clear();
//! connect.write_to(&mut out);
//! assert_eq!(out, b"\x05\x01\x00\x03\x0bexample.com\x00\x50");
//! // Succeeded, bound to 10.0.0.1:4242; a first byte of the target came along.
//! match tunnel.feed(&[5, 0, 0, 1, 10, 0, 0, 1, 0x10, 0x92, b'!'])? {
//!     Socks5Feed::Open(open) => assert_eq!(open.leftover(), b"!"),
//!     _ => panic!("not open"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::{String, ToString};
use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::answer::write::{writer_methods, Emit};
use crate::error::{BuildError, Misuse, UrlError};
use crate::grammar::url::WsUrl;
use crate::sink::Sink;

/// The protocol version, RFC 1928 §3.
const VERSION: u8 = 5;
/// The version of the username/password subnegotiation, RFC 1929 §2.
const AUTH_VERSION: u8 = 1;
/// Method X'00', NO AUTHENTICATION REQUIRED (RFC 1928 §3).
const NO_AUTH: u8 = 0;
/// Method X'02', USERNAME/PASSWORD (RFC 1928 §3, RFC 1929).
const USER_PASS: u8 = 2;
/// Method X'FF', NO ACCEPTABLE METHODS (RFC 1928 §3).
const NO_ACCEPTABLE: u8 = 0xff;
/// The longest reply: VER REP RSV ATYP, a length byte and a 255-byte name, a port.
const MAX_REPLY: usize = 4 + 1 + 255 + 2;

/// Why a SOCKS5 tunnel did not open: the proxy's refusal (one variant per reply
/// code of RFC 1928 §6) or a rule its bytes broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Socks5Error {
    /// A message's version byte is not 5 (RFC 1928 §3, §6): not a SOCKS5 proxy.
    #[error("the proxy answered with SOCKS version {got}, not 5 (RFC 1928 §3)")]
    VersionUnsupported {
        /// The version byte received.
        got: u8,
    },
    /// X'FF': the proxy accepts none of the methods offered (RFC 1928 §3). Without
    /// credentials configured, it probably wants a username and password.
    #[error("the proxy accepts none of the offered authentication methods (RFC 1928 §3)")]
    NoAcceptableMethod,
    /// The proxy chose a method the client did not offer (RFC 1928 §3: it selects
    /// "from among the methods given").
    #[error("the proxy chose authentication method {method}, which was not offered (RFC 1928 §3)")]
    MethodNotOffered {
        /// The method byte received.
        method: u8,
    },
    /// The username/password reply's version is not 1 (RFC 1929 §2).
    #[error("the proxy answered the credentials with version {got}, not 1 (RFC 1929 §2)")]
    AuthVersionUnsupported {
        /// The version byte received.
        got: u8,
    },
    /// The proxy refused the username and password (a non-zero status, RFC 1929 §2).
    #[error("the proxy refused the username and password (status {status}, RFC 1929 §2)")]
    AuthFailed {
        /// The status byte received.
        status: u8,
    },
    /// Reply X'01': general SOCKS server failure (RFC 1928 §6).
    #[error("the proxy reports a general failure (reply 1, RFC 1928 §6)")]
    GeneralFailure,
    /// Reply X'02': connection not allowed by the proxy's ruleset (RFC 1928 §6).
    #[error("the proxy's rules do not allow the connection (reply 2, RFC 1928 §6)")]
    NotAllowed,
    /// Reply X'03': network unreachable (RFC 1928 §6).
    #[error("the proxy reports the network unreachable (reply 3, RFC 1928 §6)")]
    NetworkUnreachable,
    /// Reply X'04': host unreachable (RFC 1928 §6); also what proxies say when the
    /// name does not resolve.
    #[error("the proxy reports the host unreachable (reply 4, RFC 1928 §6)")]
    HostUnreachable,
    /// Reply X'05': the target refused the connection (RFC 1928 §6).
    #[error("the target refused the proxy's connection (reply 5, RFC 1928 §6)")]
    ConnectionRefused,
    /// Reply X'06': TTL expired (RFC 1928 §6).
    #[error("the proxy reports the TTL expired (reply 6, RFC 1928 §6)")]
    TtlExpired,
    /// Reply X'07': command not supported (RFC 1928 §6).
    #[error("the proxy does not support CONNECT (reply 7, RFC 1928 §6)")]
    CommandNotSupported,
    /// Reply X'08': address type not supported (RFC 1928 §6); a proxy that does not
    /// resolve names answers a `socks5h` request with it.
    #[error("the proxy does not support the address type (reply 8, RFC 1928 §6)")]
    AddressTypeNotSupported,
    /// A reply code RFC 1928 §6 leaves unassigned (X'09'–X'FF').
    #[error("the proxy answered with unassigned reply code {code} (RFC 1928 §6)")]
    UnassignedReply {
        /// The reply code received.
        code: u8,
    },
    /// The reply's reserved byte is not X'00' (RFC 1928 §6, "RESERVED").
    #[error("the reply's reserved byte is {got}, not 0 (RFC 1928 §6)")]
    ReservedNotZero {
        /// The byte received.
        got: u8,
    },
    /// The reply's address type is not 1, 3 or 4 (RFC 1928 §5).
    #[error("the reply's address type {got} is not 1, 3 or 4 (RFC 1928 §5)")]
    AddressTypeUnknown {
        /// The address type byte received.
        got: u8,
    },
    /// The proxy sent bytes before the client's next message, which they would
    /// have to answer (RFC 1928 §3–4, RFC 1929 §2: each reply follows a request).
    #[error("the proxy sent bytes before the client's next request (RFC 1928 §4)")]
    DataUnexpected,
    /// Not the proxy's fault: the caller's bug (see [`Misuse`]); later bytes belong to
    /// the tunnel.
    #[error("{0}")]
    Misuse(Misuse),
}

/// How to talk to a SOCKS5 proxy: with or without a username and password.
/// Build it once and use it (`&Socks5Config`) for many tunnels.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Socks5Config {
    credentials: Option<(String, String)>,
}

impl fmt::Debug for Socks5Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The password stays out of logs.
        f.debug_struct("Socks5Config")
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish_non_exhaustive()
    }
}

impl Socks5Config {
    /// No credentials: offers only NO AUTHENTICATION REQUIRED.
    pub fn new() -> Self {
        Self::default()
    }

    /// Offers USERNAME/PASSWORD (RFC 1929) besides no authentication, and answers
    /// with these when the proxy picks it.
    ///
    /// ```
    /// use ws_handshake::BuildError;
    /// use ws_handshake::socks5::Socks5Config;
    /// assert!(Socks5Config::new().credentials("alice", "s3cret").is_ok());
    /// let long = "x".repeat(256);
    /// for (user, password) in [("", "p"), ("u", ""), (long.as_str(), "p"), ("u\0", "p"), ("u", "p\r\n")] {
    ///     assert_eq!(Socks5Config::new().credentials(user, password), Err(BuildError::CredentialsInvalid));
    /// }
    /// ```
    ///
    /// # Errors
    /// [`BuildError::CredentialsInvalid`] unless both are 1 to 255 bytes (RFC 1929 §2:
    /// one length byte each, "1 to 255"), or if either holds NUL, CR or LF (which
    /// proxies reading C strings or log lines would cut or split).
    pub fn credentials(mut self, user: &str, password: &str) -> Result<Self, BuildError> {
        let valid = |s: &str| {
            (1..=255).contains(&s.len()) && !s.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n'))
        };
        if !valid(user) || !valid(password) {
            return Err(BuildError::CredentialsInvalid);
        }
        self.credentials = Some((user.to_string(), password.to_string()));
        Ok(self)
    }

    /// Whether credentials are configured.
    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }
}

/// The target of a `CONNECT` request (RFC 1928 §5): an address, or a name the
/// proxy resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target<'a> {
    Ip(IpAddr),
    /// At most 255 bytes, checked by [`Socks5Tunnel::remote`].
    Name(&'a str),
}

/// Where the proxy is up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Awaiting the method selection (RFC 1928 §3).
    Method,
    /// Awaiting the username/password status (RFC 1929 §2).
    Auth,
    /// Awaiting the CONNECT reply (RFC 1928 §6).
    Reply,
    /// An outcome was returned.
    Done,
}

/// One SOCKS5 `CONNECT` exchange (RFC 1928, RFC 1929): writes the greeting, then
/// reads the proxy's bytes fed in chunks of any size, handing back each message
/// to send as it becomes due.
///
/// The same shape as [`ProxyTunnel`](crate::proxy::ProxyTunnel): no clock (the deadline is
/// the caller's), no allocation, each byte read once, at most 262 bytes held.
#[derive(Debug)]
pub struct Socks5Tunnel<'c> {
    config: &'c Socks5Config,
    target: Target<'c>,
    port: u16,
    step: Step,
    /// The message being read.
    message: [u8; MAX_REPLY],
    len: usize,
    failed: Option<Socks5Error>,
}

/// What a fed chunk of the proxy's bytes produced.
#[derive(Debug)]
#[must_use = "a Socks5Feed must be handled: read more, send the message, or use the tunnel"]
pub enum Socks5Feed<'a> {
    /// The proxy's message is incomplete: read more.
    NeedMore,
    /// Write this message to the proxy, then read its answer.
    Send(Socks5Request<'a>),
    /// Reply X'00', succeeded: the connection is a tunnel to the target.
    Open(Socks5Open<'a>),
}

impl<'c> Socks5Tunnel<'c> {
    /// A tunnel to an address the caller resolved (`socks5://`): the proxy is
    /// given the address, never the name. For `wss`, the TLS server name is still
    /// the URL's host.
    pub fn resolved(config: &'c Socks5Config, target: SocketAddr) -> Self {
        Self::new(config, Target::Ip(target.ip()), target.port())
    }

    /// A tunnel to the URL's host and port, resolved by the proxy (`socks5h://`,
    /// address type X'03', RFC 1928 §5); an IP literal host goes as an address.
    ///
    /// # Errors
    /// [`BuildError::UrlInvalid`] with [`UrlError::HostInvalid`] for a host name
    /// longer than the 255 bytes its length byte can count (RFC 1928 §5; DNS names
    /// are at most 253, RFC 1035 §2.3.4).
    pub fn remote(config: &'c Socks5Config, url: WsUrl<'c>) -> Result<Self, BuildError> {
        let host = url.host();
        let target = match host.parse::<IpAddr>() {
            Ok(ip) => Target::Ip(ip),
            Err(_) if host.len() <= 255 => Target::Name(host),
            Err(_) => return Err(BuildError::UrlInvalid(UrlError::HostInvalid)),
        };
        Ok(Self::new(config, target, url.port()))
    }

    fn new(config: &'c Socks5Config, target: Target<'c>, port: u16) -> Self {
        Self {
            config,
            target,
            port,
            step: Step::Method,
            message: [0; MAX_REPLY],
            len: 0,
            failed: None,
        }
    }

    /// The greeting to write to the proxy before feeding its bytes (RFC 1928 §3).
    pub fn request(&self) -> Socks5Request<'_> {
        self.message_for(Message::Greeting)
    }

    fn message_for(&self, message: Message) -> Socks5Request<'_> {
        Socks5Request {
            config: self.config,
            target: self.target,
            port: self.port,
            message,
        }
    }

    /// Feeds bytes read from the proxy, in chunks of any size.
    ///
    /// # Errors
    /// The proxy's refusal or the rule its bytes broke: close the connection.
    /// Feeding after an error returns the same error; feeding after
    /// [`Socks5Feed::Open`] returns [`Socks5Error::Misuse`].
    pub fn feed<'a>(&'a mut self, chunk: &'a [u8]) -> Result<Socks5Feed<'a>, Socks5Error> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        match self.advance(chunk) {
            Err(e) => {
                self.failed = Some(e);
                Err(e)
            }
            Ok(Progress::NeedMore) => Ok(Socks5Feed::NeedMore),
            Ok(Progress::Send(next)) => Ok(Socks5Feed::Send(self.message_for(next))),
            Ok(Progress::Open { reply, consumed }) => Ok(Socks5Feed::Open(Socks5Open {
                bound: bound_address(self.message.get(..reply).unwrap_or_default()),
                leftover: chunk.get(consumed..).unwrap_or_default(),
            })),
        }
    }

    fn advance(&mut self, chunk: &[u8]) -> Result<Progress, Socks5Error> {
        if self.step == Step::Done {
            return Err(Socks5Error::Misuse(Misuse::FedAfterOutcome));
        }
        let mut rest = chunk;
        // Take bytes until the message is whole; its length grows as its address
        // type and name length arrive. Each prefix is checked as soon as it is
        // read, in byte order, so every chunking finds the same first error.
        let need = loop {
            let need = match self.step {
                Step::Method | Step::Auth => 2,
                _ => reply_len(self.message.get(..self.len).unwrap_or_default())?,
            };
            if self.len >= need || rest.is_empty() {
                break need;
            }
            let take = need.saturating_sub(self.len).min(rest.len());
            let (head, tail) = rest.split_at_checked(take).unwrap_or((rest, &[]));
            if let Some(dst) = self
                .message
                .get_mut(self.len..self.len.saturating_add(take))
            {
                dst.copy_from_slice(head);
            }
            self.len = self.len.saturating_add(take);
            rest = tail;
            self.check_prefix()?;
        };
        if self.len < need {
            return Ok(Progress::NeedMore);
        }
        self.len = 0;
        let next = match self.step {
            Step::Method if self.method() == USER_PASS => {
                self.step = Step::Auth;
                Message::Credentials
            }
            Step::Method | Step::Auth => {
                self.step = Step::Reply;
                Message::Connect
            }
            _ => {
                self.step = Step::Done;
                return Ok(Progress::Open {
                    reply: need,
                    consumed: chunk.len().saturating_sub(rest.len()),
                });
            }
        };
        if !rest.is_empty() {
            return Err(Socks5Error::DataUnexpected);
        }
        Ok(Progress::Send(next))
    }

    fn method(&self) -> u8 {
        self.message.get(1).copied().unwrap_or(NO_ACCEPTABLE)
    }

    /// Checks the bytes of the message read so far, first byte first.
    fn check_prefix(&self) -> Result<(), Socks5Error> {
        let bytes = self.message.get(..self.len).unwrap_or_default();
        match self.step {
            Step::Method => {
                if let Some(&got) = bytes.first().filter(|&&v| v != VERSION) {
                    return Err(Socks5Error::VersionUnsupported { got });
                }
                match bytes.get(1).copied() {
                    None | Some(NO_AUTH) => Ok(()),
                    Some(USER_PASS) if self.config.has_credentials() => Ok(()),
                    Some(NO_ACCEPTABLE) => Err(Socks5Error::NoAcceptableMethod),
                    Some(method) => Err(Socks5Error::MethodNotOffered { method }),
                }
            }
            Step::Auth => {
                if let Some(&got) = bytes.first().filter(|&&v| v != AUTH_VERSION) {
                    return Err(Socks5Error::AuthVersionUnsupported { got });
                }
                match bytes.get(1).copied() {
                    None | Some(0) => Ok(()),
                    Some(status) => Err(Socks5Error::AuthFailed { status }),
                }
            }
            _ => {
                if let Some(&got) = bytes.first().filter(|&&v| v != VERSION) {
                    return Err(Socks5Error::VersionUnsupported { got });
                }
                if let Some(&code) = bytes.get(1) {
                    reply_code(code)?;
                }
                if let Some(&got) = bytes.get(2).filter(|&&v| v != 0) {
                    return Err(Socks5Error::ReservedNotZero { got });
                }
                reply_len(bytes).map(|_| ())
            }
        }
    }
}

/// RFC 1928 §6: X'00' succeeded, every other code is a refusal.
fn reply_code(code: u8) -> Result<(), Socks5Error> {
    Err(match code {
        0 => return Ok(()),
        1 => Socks5Error::GeneralFailure,
        2 => Socks5Error::NotAllowed,
        3 => Socks5Error::NetworkUnreachable,
        4 => Socks5Error::HostUnreachable,
        5 => Socks5Error::ConnectionRefused,
        6 => Socks5Error::TtlExpired,
        7 => Socks5Error::CommandNotSupported,
        8 => Socks5Error::AddressTypeNotSupported,
        code => Socks5Error::UnassignedReply { code },
    })
}

/// The length of a reply whose first bytes are `bytes` (RFC 1928 §6), as far as
/// they tell: 4 until the address type is known, 5 until a name's length is.
fn reply_len(bytes: &[u8]) -> Result<usize, Socks5Error> {
    Ok(match (bytes.get(3), bytes.get(4)) {
        (None, _) => 4,
        (Some(1), _) => 4 + 4 + 2,
        (Some(4), _) => 4 + 16 + 2,
        (Some(3), None) => 5,
        (Some(3), Some(&n)) => usize::from(n).saturating_add(5 + 2),
        (Some(&got), _) => return Err(Socks5Error::AddressTypeUnknown { got }),
    })
}

/// BND.ADDR and BND.PORT of a whole, checked reply.
fn bound_address(reply: &[u8]) -> Socks5Bound<'_> {
    let body = reply.get(4..).unwrap_or_default();
    let (addr, port) = body.split_at(body.len().saturating_sub(2));
    let port = match port {
        [hi, lo] => u16::from_be_bytes([*hi, *lo]),
        _ => 0,
    };
    let host = match (reply.get(3), addr) {
        (Some(1), &[a, b, c, d]) => Socks5Host::Ip(IpAddr::V4(Ipv4Addr::new(a, b, c, d))),
        (Some(4), addr) => {
            let mut octets = [0u8; 16];
            if let Some(src) = addr.get(..16) {
                octets.copy_from_slice(src);
            }
            Socks5Host::Ip(IpAddr::V6(Ipv6Addr::from(octets)))
        }
        // Address type 3: the length byte, then the name.
        (_, addr) => Socks5Host::Name(addr.get(1..).unwrap_or_default()),
    };
    Socks5Bound { host, port }
}

/// The proxy's address for the tunnel, BND.ADDR and BND.PORT (RFC 1928 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Socks5Bound<'a> {
    /// The address or name (address type 1, 4 or 3).
    pub host: Socks5Host<'a>,
    /// The port.
    pub port: u16,
}

/// An address in a SOCKS5 reply (RFC 1928 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Socks5Host<'a> {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A name, as sent (0 to 255 bytes, not necessarily UTF-8).
    Name(&'a [u8]),
}

/// Reply X'00': the connection is now a tunnel to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Socks5Open<'a> {
    bound: Socks5Bound<'a>,
    leftover: &'a [u8],
}

impl<'a> Socks5Open<'a> {
    /// The address the proxy connected from (BND.ADDR, BND.PORT).
    pub fn bound(&self) -> Socks5Bound<'a> {
        self.bound
    }

    /// The bytes after the reply, byte-exact: the target's first bytes through the
    /// tunnel. Hand them to the next layer (TLS, or the handshake) first.
    pub fn leftover(&self) -> &'a [u8] {
        self.leftover
    }
}

/// What a fed chunk did, before it is given out with its borrows.
enum Progress {
    NeedMore,
    Send(Message),
    /// The reply is the first `reply` bytes of the message array; the leftover
    /// starts `consumed` bytes into the chunk.
    Open {
        reply: usize,
        consumed: usize,
    },
}

/// Which client message to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Message {
    Greeting,
    Credentials,
    Connect,
}

/// A message from the client to the proxy: the greeting (RFC 1928 §3), the
/// username/password request (RFC 1929 §2) or the `CONNECT` request (RFC 1928 §4).
#[derive(Clone, Copy)]
pub struct Socks5Request<'a> {
    config: &'a Socks5Config,
    target: Target<'a>,
    port: u16,
    message: Message,
}

impl fmt::Debug for Socks5Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the bytes: the credentials message holds the password.
        f.debug_struct("Socks5Request")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl Emit for Socks5Request<'_> {
    fn emit<S: Sink>(&self, out: &mut S) {
        match self.message {
            Message::Greeting if self.config.has_credentials() => {
                out.put(&[VERSION, 2, NO_AUTH, USER_PASS]);
            }
            Message::Greeting => out.put(&[VERSION, 1, NO_AUTH]),
            Message::Credentials => {
                let (user, password) = self
                    .config
                    .credentials
                    .as_ref()
                    .map_or(("", ""), |(u, p)| (u.as_str(), p.as_str()));
                // Lengths were checked to be 1..=255 by `credentials`.
                out.put(&[AUTH_VERSION, u8::try_from(user.len()).unwrap_or(0)]);
                out.put(user.as_bytes());
                out.put(&[u8::try_from(password.len()).unwrap_or(0)]);
                out.put(password.as_bytes());
            }
            Message::Connect => {
                // VER, CMD = CONNECT, RSV, then the address (RFC 1928 §4–5).
                out.put(&[VERSION, 1, 0]);
                match self.target {
                    Target::Ip(IpAddr::V4(ip)) => {
                        out.put(&[1]);
                        out.put(&ip.octets());
                    }
                    Target::Ip(IpAddr::V6(ip)) => {
                        out.put(&[4]);
                        out.put(&ip.octets());
                    }
                    Target::Name(name) => {
                        // At most 255 bytes, checked by `remote`.
                        out.put(&[3, u8::try_from(name.len()).unwrap_or(0)]);
                        out.put(name.as_bytes());
                    }
                }
                out.put(&self.port.to_be_bytes());
            }
        }
    }
}

writer_methods!(Socks5Request);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn written(r: Socks5Request<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        r.write_to(&mut out);
        out
    }

    /// RFC 1928 §5: IPv4 is type 1 with 4 octets, IPv6 type 4 with 16, port in
    /// network order.
    #[test]
    fn connect_request_for_addresses() {
        let config = Socks5Config::new();
        let mut t = Socks5Tunnel::resolved(&config, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(written(t.request()), [5, 1, 0]);
        let Ok(Socks5Feed::Send(r)) = t.feed(&[5, 0]) else {
            panic!()
        };
        assert_eq!(written(r), [5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90]);
        let mut t = Socks5Tunnel::resolved(&config, "[::1]:443".parse().unwrap());
        let Ok(Socks5Feed::Send(r)) = t.feed(&[5, 0]) else {
            panic!()
        };
        let mut want = alloc::vec![5, 1, 0, 4];
        want.extend_from_slice(&[0; 15]);
        want.extend_from_slice(&[1, 1, 0xbb]);
        assert_eq!(written(r), want);
        // socks5h with an IP literal sends the address, not a name.
        let url = WsUrl::parse("wss://[::1]/").unwrap();
        let mut t = Socks5Tunnel::remote(&config, url).unwrap();
        let Ok(Socks5Feed::Send(r)) = t.feed(&[5, 0]) else {
            panic!()
        };
        assert_eq!(written(r), want);
    }

    /// RFC 1928 §6 replies split at every point give the same outcome.
    #[test]
    fn reply_split_anywhere() {
        let config = Socks5Config::new();
        let mut reply = alloc::vec![5, 0, 0, 3, 4];
        reply.extend_from_slice(b"host\x01\x02early");
        for cut in 0..=reply.len() {
            let mut t = Socks5Tunnel::resolved(&config, "10.0.0.1:80".parse().unwrap());
            assert!(matches!(t.feed(&[5, 0]), Ok(Socks5Feed::Send(_))));
            let (a, b) = reply.split_at(cut);
            let first = t.feed(a).map(|f| match f {
                Socks5Feed::Open(o) => Some((o.bound(), o.leftover().to_vec())),
                _ => None,
            });
            let (bound, leftover) = match first {
                // Opened within the first part: the second was never fed.
                Ok(Some((bound, leftover))) => (bound, [&leftover[..], b].concat()),
                Ok(None) => match t.feed(b) {
                    Ok(Socks5Feed::Open(o)) => (o.bound(), o.leftover().to_vec()),
                    other => panic!("{cut}: {other:?}"),
                },
                Err(e) => panic!("{cut}: {e}"),
            };
            assert_eq!(bound.port, 0x0102);
            assert_eq!(bound.host, Socks5Host::Name(b"host"));
            assert_eq!(leftover, b"early", "{cut}");
        }
    }
}
