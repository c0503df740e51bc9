//! The tokio adapter (feature `tokio`): the handshake over `AsyncRead + AsyncWrite +
//! Unpin`, one task per connection.
//!
//! One [`tokio::time::timeout_at`] covers the whole
//! handshake — reading the head, the hooks, writing the `101` — so a client sending a
//! byte every few seconds is answered `408` at the deadline. A pending handshake
//! holds its task and the bytes of its head received so far: reads go straight into
//! the handshake's buffer ([`ServerHandshake::read_buffer`]), whose unused room is
//! freed before each wait ([`ServerHandshake::shrink_buffer`]).
//!
//! ```no_run
//! use std::sync::Arc;
//! use tokio::net::TcpListener;
//! use ws_handshake::io::{tokio::accept, Server, ServerOutcome};
//! use ws_handshake::ServerConfig;
//!
//! # async fn run() -> std::io::Result<()> {
//! let server = Arc::new(Server::new(ServerConfig::new()));
//! let listener = TcpListener::bind("127.0.0.1:9002").await?;
//! loop {
//!     let (stream, _) = listener.accept().await?;
//!     let server = Arc::clone(&server);
//!     tokio::spawn(async move {
//!         if let Ok(ServerOutcome::Upgraded(upgraded)) = accept(&server, stream).await {
//!             // tokio_tungstenite::WebSocketStream::from_partially_read(
//!             //     upgraded.stream, upgraded.leftover, Role::Server, None).await
//!             # drop(upgraded);
//!         }
//!     });
//! }
//! # }
//! ```

use std::io;
use std::time::Duration;

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Poll};

use ::tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use ::tokio::time::{timeout_at, Instant};

use super::{
    timeout_response, ClientConnected, ClientIoError, ClientRefusal, Ending, Server, ServerOutcome,
    Step, Upgraded, UpgradedRequest,
};
use crate::client::{ClientFeed, ClientHandshake};
use crate::grammar::url::WsUrl;
use crate::rules::client_config::ClientConfig;
use crate::rules::key::ClientKey;
use crate::server::ServerHandshake;

/// Runs the server side of the handshake on `stream` (already accepted).
///
/// Returns [`ServerOutcome::Upgraded`] with the stream, the leftover bytes and the
/// request, or how it ended otherwise: the rejections, the plain-request answer and the
/// `408` are written with a lingering close, which takes at most [`Server::with_linger`]'s
/// time.
///
/// # Errors
/// An I/O error while reading the head or writing the `101` (e.g. a reset).
pub async fn accept<S>(server: &Server, mut stream: S) -> io::Result<ServerOutcome<S>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = deadline_after(server.deadline);
    // Set once the first byte of the 101 may have been written: a 408 can no longer follow.
    let mut answered = false;
    let result = timeout_at(deadline, handshake(server, &mut stream, &mut answered)).await;
    match result {
        Ok(Ok(Handshake::Upgraded { leftover, request })) => {
            Ok(ServerOutcome::Upgraded(Upgraded {
                stream,
                leftover,
                request: *request,
            }))
        }
        Ok(Ok(Handshake::Close { response, outcome })) => {
            linger(server, &mut stream, &response).await;
            Ok(outcome.into_outcome())
        }
        Ok(Ok(Handshake::Closed)) => Ok(ServerOutcome::Closed),
        Ok(Err(e)) => Err(e),
        Err(_elapsed) => {
            if !answered {
                linger(server, &mut stream, &timeout_response()).await;
            }
            Ok(ServerOutcome::TimedOut)
        }
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

/// The read loop: read, feed, answer. The only place that reads the head.
async fn handshake<S>(server: &Server, stream: &mut S, answered: &mut bool) -> io::Result<Handshake>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut handshake = ServerHandshake::new(&server.config);
    if let Some(tls) = server.tls {
        handshake = handshake.with_tls(tls);
    }
    // Reads go straight into the handshake's buffer; before waiting, its unused room
    // is freed, so a pending handshake holds only what it has received.
    let step = poll_fn(|cx| loop {
        let mut read = ReadBuf::new(handshake.read_buffer());
        match Pin::new(&mut *stream).poll_read(cx, &mut read) {
            Poll::Pending => {
                handshake.shrink_buffer();
                return Poll::Pending;
            }
            Poll::Ready(result) => result?,
        }
        let n = read.filled().len();
        if n == 0 {
            return Poll::Ready(Ok::<_, io::Error>(None));
        }
        match server.step(handshake.commit(n)) {
            Step::NeedMore => continue,
            step => return Poll::Ready(Ok(Some(step))),
        }
    })
    .await?;
    match step {
        None => Ok(Handshake::Closed),
        Some(Step::Upgrade {
            response,
            leftover,
            request,
        }) => {
            *answered = true;
            stream.write_all(&response).await?;
            stream.flush().await?;
            Ok(Handshake::Upgraded { leftover, request })
        }
        Some(Step::Close { response, outcome }) => Ok(Handshake::Close { response, outcome }),
        // Never returned by the poll above.
        Some(Step::NeedMore) => Ok(Handshake::Closed),
    }
}

/// `now + after`, or far in the future if that cannot be represented.
fn deadline_after(after: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(after)
        .or_else(|| now.checked_add(Duration::from_secs(86_400 * 365 * 30)))
        .unwrap_or(now)
}

/// The lingering close: write `response`, shut down the write half, then read and
/// discard input until end-of-stream, the byte budget or the time budget, so the
/// socket is not closed with unread input (which makes the kernel send a reset that
/// can destroy the response). Every error ends it: the peer may be gone.
async fn linger<S>(server: &Server, stream: &mut S, response: &[u8])
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let until = deadline_after(server.linger_time);
    let budget = server.linger_bytes;
    let _ = timeout_at(until, async {
        stream.write_all(response).await?;
        stream.shutdown().await?; // flushes, then half-closes
        let mut discarded = 0usize;
        poll_fn(|cx| {
            let mut sink = [0u8; 512]; // on the stack of the poll, not in the future
            while discarded < budget {
                let mut read = ReadBuf::new(&mut sink);
                ready!(Pin::new(&mut *stream).poll_read(cx, &mut read))?;
                match read.filled().len() {
                    0 => break,
                    n => discarded = discarded.saturating_add(n),
                }
            }
            Poll::Ready(Ok::<(), io::Error>(()))
        })
        .await
    })
    .await;
}

/// Runs the client side of the handshake on `stream` (which the caller dialled,
/// with TLS when `url.tls()`): writes the request, reads and checks the response,
/// all within `deadline`.
///
/// # Errors
/// [`ClientIoError::Refused`] for a status other than `101` (headers kept),
/// [`ClientIoError::Handshake`] for a `101` that broke a rule, [`ClientIoError::TimedOut`],
/// [`ClientIoError::Closed`] or [`ClientIoError::Io`].
pub async fn connect<S>(
    mut stream: S,
    config: &ClientConfig,
    url: WsUrl<'_>,
    key: ClientKey,
    deadline: Duration,
) -> Result<ClientConnected<S>, ClientIoError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let deadline = deadline_after(deadline);
    let mut handshake = ClientHandshake::new(config, url, key);
    let result = timeout_at(deadline, async {
        let mut request = Vec::new();
        handshake.request().write_to(&mut request);
        stream.write_all(&request).await?;
        stream.flush().await?;
        loop {
            let n = stream.read(handshake.read_buffer()).await?;
            if n == 0 {
                return Err(ClientIoError::Closed);
            }
            match handshake.commit(n)? {
                ClientFeed::NeedMore => continue,
                ClientFeed::Connected(connected) => {
                    return Ok(ClientConnected::new((), &connected));
                }
                ClientFeed::Refused(refusal) => {
                    return Err(ClientIoError::Refused(ClientRefusal::new(&refusal)))
                }
            }
        }
    })
    .await;
    match result {
        Ok(Ok(connected)) => Ok(ClientConnected {
            stream,
            leftover: connected.leftover,
            protocol: connected.protocol,
            deflate: connected.deflate,
            headers: connected.headers,
        }),
        Ok(Err(e)) => Err(e),
        Err(_elapsed) => Err(ClientIoError::TimedOut),
    }
}
