//! The blocking adapter (feature `blocking-io`): the handshake over
//! `std::io::Read + Write`, one thread per connection.
//!
//! The deadline is one [`Instant`]: before every read and every write the stream's
//! read and write timeouts are set to the time that remains, so a client sending a
//! byte every few seconds cannot stretch the handshake (a fixed per-read timeout
//! would let it). The stream tells the adapter how through [`Socket`], implemented
//! for `TcpStream` and (on Unix) `UnixStream`; wrap other streams (TLS) in a type of
//! your own that implements it.
//!
//! ```no_run
//! use std::net::TcpListener;
//! use ws_handshake::io::{blocking, Server, ServerOutcome};
//! use ws_handshake::ServerConfig;
//!
//! let server = Server::new(ServerConfig::new());
//! let listener = TcpListener::bind("127.0.0.1:9001")?;
//! let (stream, _) = listener.accept()?;
//! // (one thread per connection in a real server)
//! match blocking::accept(&server, stream)? {
//!     ServerOutcome::Upgraded(upgraded) => {
//!         // tungstenite::WebSocket::from_partially_read(upgraded.stream, upgraded.leftover, ..)
//!         # drop(upgraded);
//!     }
//!     other => eprintln!("no WebSocket: {other:?}"),
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use super::{
    timeout_response, ClientConnected, ClientIoError, ClientRefusal, Ending, Server, ServerOutcome,
    Step, Upgraded, UpgradedRequest,
};
use crate::client::{ClientFeed, ClientHandshake};
use crate::grammar::url::WsUrl;
use crate::rules::client_config::ClientConfig;
use crate::rules::key::ClientKey;
use crate::server::ServerHandshake;

/// A blocking stream the adapter can put a deadline on and half-close.
pub trait Socket: Read + Write {
    /// Sets the read and the write timeout (`None`: block without limit). The
    /// adapter never passes `Some(Duration::ZERO)`.
    ///
    /// # Errors
    /// The stream's error; the handshake then fails with it.
    fn set_timeouts(&mut self, timeout: Option<Duration>) -> io::Result<()>;

    /// Shuts down the write half (the peer reads end-of-stream after the response).
    ///
    /// # Errors
    /// The stream's error; the adapter ignores it (the peer may be gone).
    fn shutdown_write(&mut self) -> io::Result<()>;
}

impl Socket for TcpStream {
    fn set_timeouts(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(timeout)?;
        self.set_write_timeout(timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

#[cfg(unix)]
impl Socket for std::os::unix::net::UnixStream {
    fn set_timeouts(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(timeout)?;
        self.set_write_timeout(timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

impl<S: Socket + ?Sized> Socket for &mut S {
    fn set_timeouts(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        (**self).set_timeouts(timeout)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        (**self).shutdown_write()
    }
}

/// Runs the server side of the handshake on `stream` (already accepted).
///
/// Returns [`ServerOutcome::Upgraded`] with the stream (its timeouts cleared), the
/// leftover bytes and the request, or how it ended otherwise: the rejections, the
/// plain-request answer and the `408` are written with a lingering close, which
/// blocks this thread for at most [`Server::with_linger`]'s time.
///
/// # Errors
/// An I/O error other than the deadline's own timeouts (e.g. a reset), or one
/// while writing the `101`.
pub fn accept<S: Socket>(server: &Server, mut stream: S) -> io::Result<ServerOutcome<S>> {
    let deadline = Instant::now().checked_add(server.deadline);
    match handshake(server, &mut stream, deadline) {
        Ok(Handshake::Upgraded { leftover, request }) => {
            stream.set_timeouts(None)?;
            Ok(ServerOutcome::Upgraded(Upgraded {
                stream,
                leftover,
                request: *request,
            }))
        }
        Ok(Handshake::Close { response, outcome }) => {
            linger(server, &mut stream, &response);
            Ok(outcome.into_outcome())
        }
        Ok(Handshake::Closed) => Ok(ServerOutcome::Closed),
        Err(Failure::Expired { answered }) => {
            if !answered {
                linger(server, &mut stream, &timeout_response());
            }
            Ok(ServerOutcome::TimedOut)
        }
        Err(Failure::Io(e)) => Err(e),
    }
}

enum Handshake {
    Upgraded {
        leftover: Vec<u8>,
        request: Box<UpgradedRequest>,
    },
    Close {
        response: Vec<u8>,
        outcome: Ending,
    },
    Closed,
}

enum Failure {
    /// The deadline expired; `answered` if part of the `101` was already written.
    Expired {
        answered: bool,
    },
    Io(io::Error),
}

/// The read loop: read, feed, answer. The only place that reads the head.
fn handshake<S: Socket>(
    server: &Server,
    stream: &mut S,
    deadline: Option<Instant>,
) -> Result<Handshake, Failure> {
    let mut handshake = ServerHandshake::new(&server.config);
    if let Some(tls) = server.tls {
        handshake = handshake.with_tls(tls);
    }
    loop {
        // Read straight into the handshake's buffer: no separate read buffer.
        let n =
            read_by(stream, handshake.read_buffer(), deadline).map_err(|e| expired_or(e, false))?;
        if n == 0 {
            return Ok(Handshake::Closed);
        }
        match server.step(handshake.commit(n)) {
            Step::NeedMore => continue,
            Step::Upgrade {
                response,
                leftover,
                request,
            } => {
                write_all_by(stream, &response, deadline).map_err(|e| expired_or(e, true))?;
                return Ok(Handshake::Upgraded { leftover, request });
            }
            Step::Close { response, outcome } => return Ok(Handshake::Close { response, outcome }),
        }
    }
}

/// Marks the error that [`read_by`] and [`write_all_by`] use for an expired deadline.
fn expired_or(e: io::Error, answered: bool) -> Failure {
    match e.kind() {
        ErrorKind::TimedOut => Failure::Expired { answered },
        _ => Failure::Io(e),
    }
}

/// The time left before `deadline`, or a `TimedOut` error once none is left.
fn remaining(deadline: Option<Instant>) -> io::Result<Option<Duration>> {
    let Some(deadline) = deadline else {
        return Ok(None); // a deadline too far to represent
    };
    match deadline.checked_duration_since(Instant::now()) {
        Some(left) if !left.is_zero() => Ok(Some(left)),
        _ => Err(ErrorKind::TimedOut.into()),
    }
}

/// Whether an error is the stream's timeout (`WouldBlock` on Unix, `TimedOut` on
/// Windows) or an interruption: in both cases, check the deadline and try again.
/// (A non-blocking stream is not supported: it would retry until the deadline.)
fn retry(e: &io::Error) -> bool {
    match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::Interrupted => true,
        // On Unix `TimedOut` is a real error (ETIMEDOUT), not the read timeout.
        ErrorKind::TimedOut => cfg!(windows),
        _ => false,
    }
}

/// One read that ends by `deadline` (`TimedOut` after it).
fn read_by<S: Socket>(
    stream: &mut S,
    buf: &mut [u8],
    deadline: Option<Instant>,
) -> io::Result<usize> {
    loop {
        stream.set_timeouts(remaining(deadline)?)?;
        match stream.read(buf) {
            Err(e) if retry(&e) => continue,
            other => return other,
        }
    }
}

/// Writes all of `bytes` by `deadline` (`TimedOut` after it).
fn write_all_by<S: Socket>(
    stream: &mut S,
    mut bytes: &[u8],
    deadline: Option<Instant>,
) -> io::Result<()> {
    while !bytes.is_empty() {
        stream.set_timeouts(remaining(deadline)?)?;
        match stream.write(bytes) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
            Err(e) if retry(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    loop {
        stream.set_timeouts(remaining(deadline)?)?;
        match stream.flush() {
            Err(e) if retry(&e) => continue,
            other => return other,
        }
    }
}

/// The lingering close: write `response`, shut down the write half, then read and
/// discard input until end-of-stream, the byte budget or the time budget, so the
/// socket is not closed with unread input (which makes the kernel send a reset that
/// can destroy the response). Every error ends it: the peer may be gone.
fn linger<S: Socket>(server: &Server, stream: &mut S, response: &[u8]) {
    let until = Instant::now().checked_add(server.linger_time);
    if server.linger_time.is_zero() {
        // No budget: one attempt that does not wait.
        let _ = stream.write(response);
        return;
    }
    if write_all_by(stream, response, until).is_err() {
        return;
    }
    let _ = stream.shutdown_write();
    let mut sink = [0u8; 512];
    let mut discarded = 0usize;
    while discarded < server.linger_bytes {
        match read_by(stream, &mut sink, until) {
            Ok(0) | Err(_) => break,
            Ok(n) => discarded = discarded.saturating_add(n),
        }
    }
}

/// Runs the client side of the handshake on `stream` (which the caller dialled,
/// with TLS when `url.tls()`): writes the request, reads and checks the response,
/// all within `deadline`.
///
/// # Errors
/// [`ClientIoError::Refused`] for a status other than `101` (headers kept),
/// [`ClientIoError::Handshake`] for a `101` that broke a rule, [`ClientIoError::TimedOut`],
/// [`ClientIoError::Closed`] or [`ClientIoError::Io`].
pub fn connect<S: Socket>(
    mut stream: S,
    config: &ClientConfig,
    url: WsUrl<'_>,
    key: ClientKey,
    deadline: Duration,
) -> Result<ClientConnected<S>, ClientIoError> {
    let deadline = Instant::now().checked_add(deadline);
    let mut handshake = ClientHandshake::new(config, url, key);
    let mut request = Vec::new();
    handshake.request().write_to(&mut request);
    write_all_by(&mut stream, &request, deadline).map_err(client_error)?;
    loop {
        let n = read_by(&mut stream, handshake.read_buffer(), deadline).map_err(client_error)?;
        if n == 0 {
            return Err(ClientIoError::Closed);
        }
        match handshake.commit(n)? {
            ClientFeed::NeedMore => continue,
            ClientFeed::Connected(connected) => {
                stream.set_timeouts(None)?;
                return Ok(ClientConnected::new(stream, &connected));
            }
            ClientFeed::Refused(refusal) => {
                return Err(ClientIoError::Refused(ClientRefusal::new(&refusal)))
            }
        }
    }
}

fn client_error(e: io::Error) -> ClientIoError {
    match e.kind() {
        ErrorKind::TimedOut => ClientIoError::TimedOut,
        _ => ClientIoError::Io(e),
    }
}
