//! Thin I/O adapters over the sans-IO core (features `blocking-io` and `tokio`).
//!
//! Each adapter runs the whole opening handshake on a connection the caller accepted
//! (or dialled): the read/feed/answer loop under **one deadline** for reading and
//! writing, a `408 Request Timeout` when it expires, rejections answered with a
//! **lingering close** (write the response, shut down the write half, then read and
//! discard the client's input for a bounded time) so that the client reads the
//! status instead of a connection reset, and an owned result for the framing
//! library: the stream, the bytes read after the head, and the accepted request.
//!
//! - [`blocking`] (feature `blocking-io`): over `std::io::Read + Write`, with the
//!   deadline applied through the stream's read and write timeouts.
//! - [`tokio`](mod@tokio) (feature `tokio`): over tokio's `AsyncRead + AsyncWrite + Unpin`.
//!
//! The server side is configured once by a [`Server`]: the [`ServerConfig`], the
//! deadline, the lingering budget, and two hooks — [`Server::decide`] sees every valid
//! upgrade and may reject it (authentication, quotas), [`Server::plain`] answers
//! requests that are not WebSocket upgrades (serve a page) and defaults to the `426`.
//! The hooks are a [`DecideHook`] returning a [`Decision`] (accept, or reject with a
//! status of your own) and a [`PlainHook`] returning a [`PlainResponse`]. A server
//! handshake ends in a [`ServerOutcome`]: [`Upgraded`] (with the owned
//! [`UpgradedRequest`]) or [`Rejected`], among others; a client handshake in
//! [`ClientConnected`] or a [`ClientIoError`] (a [`ClientRefusal`] among them).
//! Defaults: [`DEFAULT_DEADLINE`], [`DEFAULT_LINGER_TIME`], [`DEFAULT_LINGER_BYTES`].
//!
//! What the adapters do not do: accept connections, cap how many handshakes are
//! pending, or log. Those belong to the server loop (see `examples/echo_server.rs`
//! and the README's "Running it in production").

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Deref;
use core::time::Duration;

use crate::answer::rejection::Rejection;
use crate::client::Refusal;
use crate::error::{BuildError, ClientError, Error};
use crate::rules::deflate::PerMessageDeflate;
use crate::rules::extra_headers::check_extra_headers;
use crate::rules::response::Connected;
use crate::rules::server_config::ServerConfig;
use crate::server::request_view::Request;
use crate::server::{ServerFeed, UpgradeRequest};

pub use crate::upgrade::UpgradeSummary;

#[cfg(feature = "blocking-io")]
pub mod blocking;
#[cfg(feature = "tokio")]
pub mod tokio;

/// The default handshake deadline: 10 seconds for the whole head and the answer.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);
/// The default lingering time after a rejection: 1 second.
pub const DEFAULT_LINGER_TIME: Duration = Duration::from_secs(1);
/// The default number of bytes read and discarded after a rejection: 64 KiB.
pub const DEFAULT_LINGER_BYTES: usize = 64 * 1024;
/// The decision hook's type: see [`Server::decide`].
pub type DecideHook = Box<dyn Fn(&UpgradeRequest<'_>) -> Decision + Send + Sync>;
/// The plain-request hook's type: see [`Server::plain`].
pub type PlainHook = Box<dyn Fn(&Request<'_>) -> Option<PlainResponse> + Send + Sync>;

/// How a server adapter runs every handshake: the configuration, the deadline, the
/// lingering budget and the caller's hooks. Build it once and share it (`Arc`)
/// between connections.
///
/// ```
/// use std::time::Duration;
/// use ws_handshake::io::{Decision, PlainResponse, Server};
/// use ws_handshake::ServerConfig;
///
/// let server = Server::new(ServerConfig::new().protocols(["chat"])?)
///     .with_deadline(Duration::from_secs(5))
///     // Every valid upgrade passes here: check a session cookie, say.
///     .decide(|upgrade| match upgrade.cookie("session") {
///         Some(_) => Decision::accept(),
///         None => Decision::reject(401, "log in first").unwrap_or_else(|_| Decision::accept()),
///     })
///     // Plain HTTP requests: serve a page on `/`, the default 426 elsewhere.
///     .plain(|request| {
///         (request.path() == "/").then(|| PlainResponse::html("<h1>hello</h1>"))
///     });
/// assert_eq!(server.deadline(), Duration::from_secs(5));
/// # Ok::<(), ws_handshake::BuildError>(())
/// ```
pub struct Server {
    pub(crate) config: ServerConfig,
    pub(crate) deadline: Duration,
    pub(crate) linger_time: Duration,
    pub(crate) linger_bytes: usize,
    pub(crate) tls: Option<bool>,
    pub(crate) decide: Option<DecideHook>,
    pub(crate) plain: Option<PlainHook>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("deadline", &self.deadline)
            .field("linger_time", &self.linger_time)
            .field("linger_bytes", &self.linger_bytes)
            .field("tls", &self.tls)
            .field("decide", &self.decide.is_some())
            .field("plain", &self.plain.is_some())
            .finish()
    }
}

impl Server {
    /// Handshakes with `config`, a 10 s deadline, a 1 s / 64 KiB lingering close,
    /// every valid upgrade accepted and every plain request answered `426`.
    pub fn new(config: ServerConfig) -> Self {
        Self {
            config,
            deadline: DEFAULT_DEADLINE,
            linger_time: DEFAULT_LINGER_TIME,
            linger_bytes: DEFAULT_LINGER_BYTES,
            tls: None,
            decide: None,
            plain: None,
        }
    }

    /// The time from the start of a handshake to the end of writing its `101`: reading
    /// the head, the hooks and writing the answer all count. A client still sending
    /// its head then gets a `408` and the connection is closed (slow-client attacks
    /// hold a connection for at most this long, plus the lingering close).
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The lingering close after a rejection (`4xx`, `408`, a plain response): at most
    /// `time` to write the response and then read and discard the client's input,
    /// and at most `bytes` discarded. Closing a socket with unread input makes the
    /// kernel send a reset, which can destroy the response before the client reads
    /// it. `Duration::ZERO` closes at once (the response may then be lost).
    #[must_use]
    pub fn with_linger(mut self, time: Duration, bytes: usize) -> Self {
        self.linger_time = time;
        self.linger_bytes = bytes;
        self
    }

    /// Whether connections use TLS (see [`ServerHandshake::with_tls`](crate::ServerHandshake::with_tls)).
    #[must_use]
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Sets the hook that sees every upgrade that passed the RFC 6455 rules and the
    /// configuration (Origin, subprotocol, extensions), and accepts or rejects it.
    /// Without it, every such upgrade is accepted.
    #[must_use]
    pub fn decide<F>(mut self, hook: F) -> Self
    where
        F: Fn(&UpgradeRequest<'_>) -> Decision + Send + Sync + 'static,
    {
        self.decide = Some(Box::new(hook));
        self
    }

    /// Sets the hook that answers a well-formed request that is not a WebSocket
    /// upgrade ([`ServerFeed::Plain`]): `Some(response)` is written, `None` gets the
    /// `426 Upgrade Required`. The connection is closed after the answer (no
    /// keep-alive). Without a hook, every plain request gets the `426`.
    #[must_use]
    pub fn plain<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Request<'_>) -> Option<PlainResponse> + Send + Sync + 'static,
    {
        self.plain = Some(Box::new(hook));
        self
    }

    /// The handshake configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The handshake deadline.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }
}

/// What [`Server::decide`] says about a valid upgrade: accept it (with extra headers
/// such as `Set-Cookie`), or reject it with a status of your own (`401`, `403`,
/// `429`...). Headers are checked when they are added, so a decision that exists
/// can always be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    reject: Option<(u16, String)>,
    headers: Vec<(String, String)>,
}

impl Decision {
    /// Accept: write the `101` with the negotiated subprotocol and extensions.
    pub fn accept() -> Self {
        Self {
            reject: None,
            headers: Vec::new(),
        }
    }

    /// Reject with `status` (300–599, except 304) and a plain-text `body`.
    ///
    /// # Errors
    /// As [`Rejection::new`].
    pub fn reject(status: u16, body: &str) -> Result<Self, BuildError> {
        Rejection::new(status, body)?;
        Ok(Self {
            reject: Some((status, body.to_owned())),
            headers: Vec::new(),
        })
    }

    /// Adds a header to the `101` or to the rejection (`Set-Cookie`, `WWW-Authenticate`,
    /// `Retry-After`...).
    ///
    /// # Errors
    /// As [`Accept::with_headers`](crate::Accept::with_headers): a name that is not a token, a
    /// field the handshake writes itself, a value with control bytes.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, BuildError> {
        check_extra_headers(&[(name, value)])?;
        self.headers.push((name.to_owned(), value.to_owned()));
        Ok(self)
    }

    /// Whether this decision rejects the upgrade.
    pub fn is_rejection(&self) -> bool {
        self.reject.is_some()
    }
}

/// A complete answer to a plain HTTP request, written by the adapter before it
/// closes the connection: status line, `Content-Type`, `Content-Length`,
/// `Connection: close`, then the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainResponse {
    bytes: Vec<u8>,
    status: u16,
}

impl PlainResponse {
    /// A `200 OK` HTML page.
    pub fn html(body: &str) -> Self {
        Self::build(200, "OK", "text/html; charset=utf-8", body.as_bytes())
    }

    /// A response with `status` (200–599), a `content_type` and a `body`.
    ///
    /// # Errors
    /// [`BuildError::StatusInvalid`] for a status outside 200–599 (an interim
    /// response or a `101` is never an answer to a plain request);
    /// [`BuildError::StatusWithoutContent`] for 204 and 304;
    /// [`BuildError::HeaderValueInvalid`] for a content type with control bytes.
    pub fn new(status: u16, content_type: &str, body: &[u8]) -> Result<Self, BuildError> {
        if !(200..=599).contains(&status) {
            return Err(BuildError::StatusInvalid);
        }
        // RFC 9110 §6.4.1: these never have content.
        if status == 204 || status == 304 {
            return Err(BuildError::StatusWithoutContent);
        }
        check_extra_headers(&[("X-Content-Type", content_type)])?;
        Ok(Self::build(status, "", content_type, body))
    }

    fn build(status: u16, reason: &str, content_type: &str, body: &[u8]) -> Self {
        let mut bytes = alloc::format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(body);
        Self { bytes, status }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The bytes written to the connection.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// The accepted request, owned: what the framing layer and the application need
/// after the handshake's buffer is gone. It dereferences to the [`UpgradeSummary`],
/// the [`Upgrade`](crate::Upgrade) view's values (`authority`, `origin`, `protocol`,
/// `deflate`...), and adds the HTTP/1.1 request's target and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradedRequest {
    summary: UpgradeSummary,
    target: String,
    headers: Vec<(String, Vec<u8>)>,
}

impl Deref for UpgradedRequest {
    type Target = UpgradeSummary;
    fn deref(&self) -> &UpgradeSummary {
        &self.summary
    }
}

impl UpgradedRequest {
    fn from_upgrade(upgrade: &UpgradeRequest<'_>, protocol: Option<&str>) -> Self {
        Self {
            summary: upgrade.to_summary(protocol),
            target: upgrade.target().to_owned(),
            headers: upgrade
                .headers()
                .iter()
                .map(|h| (h.name.to_owned(), h.value.to_vec()))
                .collect(),
        }
    }

    /// The request-target as sent (`/chat?room=1`).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The path of the request-target, without the query.
    pub fn path(&self) -> &str {
        let target = self.target.as_str();
        let path = match target.find("://") {
            // Absolute form: the path starts after the authority.
            Some(i) => target
                .get(i.saturating_add(3)..)
                .and_then(|rest| rest.find('/').and_then(|j| rest.get(j..)))
                .unwrap_or("/"),
            None => target,
        };
        path.split_once('?').map_or(path, |(p, _)| p)
    }

    /// The query of the request-target, without the `?`.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// Every header field, in order, as `(name, value)`.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_slice()))
    }

    /// The value of the first header named `name` (case-insensitive), if it is UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| core::str::from_utf8(v).ok())
    }

    /// The value of the first cookie named `name` (RFC 6265 §5.4; case-sensitive).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers()
            .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
            .filter_map(|(_, v)| core::str::from_utf8(v).ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| n.trim() == name)
            .map(|(_, v)| {
                v.strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v)
            })
    }
}

/// A connection whose handshake succeeded: hand `stream` and `leftover` to the
/// framing library (e.g. tungstenite's `from_partially_read`).
#[derive(Debug)]
pub struct Upgraded<S> {
    /// The connection, with no deadline left on it.
    pub stream: S,
    /// The bytes read after the head, byte-exact: the client's first frames.
    pub leftover: Vec<u8>,
    /// The accepted request.
    pub request: UpgradedRequest,
}

/// How a server-side handshake ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerOutcome<S> {
    /// The `101` was written: the connection is a WebSocket now.
    Upgraded(Upgraded<S>),
    /// A plain request was answered by [`Server::plain`]; the connection is closed.
    Served {
        /// The status of the response written.
        status: u16,
    },
    /// The request was rejected; the response was written with a lingering close and
    /// the connection is closed.
    Rejected(Rejected),
    /// The deadline expired: a `408` was written (best effort, unless part of a `101`
    /// had been written) and the connection is closed.
    TimedOut,
    /// The client closed the connection before its head was complete.
    Closed,
}

/// Why a handshake was rejected, for the server's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    /// The status written.
    pub status: u16,
    /// The rule the request broke; `None` when the request was valid and the
    /// rejection was the caller's ([`Server::decide`], or a plain request's `426`).
    pub error: Option<Error>,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            Some(e) => write!(f, "rejected ({}): {e}", self.status),
            None => write!(f, "rejected ({})", self.status),
        }
    }
}

/// What one fed chunk means for an adapter. Shared by both adapters so they answer
/// the same way; the read loops only move bytes.
pub(crate) enum Step {
    /// Read more.
    NeedMore,
    /// Write `response` (the `101`) under the deadline, then hand the stream over.
    Upgrade {
        response: Vec<u8>,
        leftover: Vec<u8>,
        // Boxed: a pending handshake's future has room for the largest step.
        request: Box<UpgradedRequest>,
    },
    /// Write `response` with a lingering close, then end with `outcome`.
    Close { response: Vec<u8>, outcome: Ending },
}

/// How a closing handshake ends (the stream is gone by then).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ending {
    Served(u16),
    Rejected(Rejected),
}

impl Ending {
    pub(crate) fn into_outcome<S>(self) -> ServerOutcome<S> {
        match self {
            Ending::Served(status) => ServerOutcome::Served { status },
            Ending::Rejected(r) => ServerOutcome::Rejected(r),
        }
    }
}

impl Server {
    /// The answer to one fed chunk: the server's whole policy in one place.
    pub(crate) fn step(&self, fed: Result<ServerFeed<'_>, Error>) -> Step {
        let mut response = Vec::new();
        match fed {
            Ok(ServerFeed::NeedMore) => Step::NeedMore,
            Ok(ServerFeed::Upgrade(upgrade)) => {
                let decision = match &self.decide {
                    Some(hook) => hook(&upgrade),
                    None => Decision::accept(),
                };
                let refs: Vec<(&str, &str)> = decision
                    .headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                if let Some((status, body)) = &decision.reject {
                    let rejected = Rejected {
                        status: *status,
                        error: None,
                    };
                    // Both were checked when the decision was built.
                    match Rejection::new(*status, body).and_then(|r| r.with_headers(&refs)) {
                        Ok(rejection) => rejection.write_to(&mut response),
                        Err(_) => internal_error(&mut response),
                    }
                    return Step::Close {
                        response,
                        outcome: Ending::Rejected(rejected),
                    };
                }
                let accept = upgrade.accept();
                let protocol = accept.selected_protocol();
                match accept.with_headers(&refs) {
                    Ok(accept) => accept.write_to(&mut response),
                    Err(_) => {
                        internal_error(&mut response);
                        return Step::Close {
                            response,
                            outcome: Ending::Rejected(Rejected {
                                status: 500,
                                error: None,
                            }),
                        };
                    }
                }
                Step::Upgrade {
                    response,
                    leftover: upgrade.leftover().to_vec(),
                    request: Box::new(UpgradedRequest::from_upgrade(&upgrade, protocol)),
                }
            }
            Ok(ServerFeed::Plain(request)) => {
                let answer = self.plain.as_ref().and_then(|hook| hook(&request));
                let outcome = match answer {
                    Some(page) => {
                        response.extend_from_slice(page.as_bytes());
                        Ending::Served(page.status())
                    }
                    None => {
                        let rejection = request.reject();
                        rejection.write_to(&mut response);
                        Ending::Rejected(Rejected {
                            status: rejection.status(),
                            error: None,
                        })
                    }
                };
                Step::Close { response, outcome }
            }
            Err(error) => {
                let rejection = error.rejection();
                rejection.write_to(&mut response);
                Step::Close {
                    response,
                    outcome: Ending::Rejected(Rejected {
                        status: rejection.status(),
                        error: Some(error),
                    }),
                }
            }
        }
    }
}

fn internal_error(out: &mut Vec<u8>) {
    if let Ok(r) = Rejection::new(500, "internal error") {
        r.write_to(out);
    }
}

/// The `408 Request Timeout` written when the deadline expires.
pub(crate) fn timeout_response() -> Vec<u8> {
    let mut out = Vec::new();
    if let Ok(r) = Rejection::new(408, "request head not received in time\n") {
        r.write_to(&mut out);
    }
    out
}

/// A client handshake that succeeded: hand `stream` and `leftover` to the framing
/// library, configured with `protocol` and `deflate`.
#[derive(Debug)]
pub struct ClientConnected<S> {
    /// The connection, with no deadline left on it.
    pub stream: S,
    /// The bytes read after the response head: the server's first frames.
    pub leftover: Vec<u8>,
    /// The subprotocol the server chose (one the client offered), if any.
    pub protocol: Option<String>,
    /// The agreed permessage-deflate parameters, if any.
    pub deflate: Option<PerMessageDeflate>,
    /// Every response header field, in order (e.g. `Set-Cookie`).
    pub headers: Vec<(String, Vec<u8>)>,
}

impl<S> ClientConnected<S> {
    pub(crate) fn new(stream: S, connected: &Connected<'_>) -> Self {
        Self {
            stream,
            leftover: connected.leftover().to_vec(),
            protocol: connected.protocol().map(ToOwned::to_owned),
            deflate: connected.deflate(),
            headers: owned_headers(connected.headers()),
        }
    }
}

/// A response other than `101`, owned: follow a `3xx` `Location`, authenticate on a
/// `401`, read the versions of a `426`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRefusal {
    status: u16,
    reason: String,
    headers: Vec<(String, Vec<u8>)>,
}

impl ClientRefusal {
    pub(crate) fn new(refusal: &Refusal<'_>) -> Self {
        Self {
            status: refusal.status(),
            reason: refusal.reason().to_owned(),
            headers: owned_headers(refusal.headers()),
        }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase as sent.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The value of the first header named `name` (case-insensitive), if it is UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| core::str::from_utf8(v).ok())
    }

    /// Every header field, in order.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_slice()))
    }
}

fn owned_headers(headers: crate::head::headers::Headers<'_>) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect()
}

/// Why a client-side handshake did not connect.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientIoError {
    /// Reading or writing the connection failed.
    #[error("I/O error during the handshake: {0}")]
    Io(#[from] std::io::Error),
    /// The deadline expired before the response head was complete.
    #[error("the handshake did not finish before the deadline")]
    TimedOut,
    /// The server closed the connection before its response head was complete.
    #[error("the server closed the connection before its response head was complete")]
    Closed,
    /// The server answered with a status other than `101`.
    #[error("the server refused the upgrade: {} {}", .0.status(), .0.reason())]
    Refused(ClientRefusal),
    /// The `101` broke a rule of RFC 6455 §4.1 (or RFC 7692): fail the connection.
    #[error("the server's response broke a rule: {0}")]
    Handshake(#[from] ClientError),
}
