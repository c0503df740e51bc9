//! A WebSocket echo server on tokio with a second framing library: ws-handshake's
//! tokio adapter does the handshake, fastwebsockets the framing.
//!
//! ```text
//! cargo run --features tokio --example tokio_server -- [--listen ADDR] [--protocol NAME]... [--origin ORIGIN]...
//!     [--deadline SECS] [--max-pending N] [--idle SECS] [--max-message BYTES]
//! ```
//!
//! It has the same defences as `echo_server` (deadline and 408, a cap on pending
//! handshakes, accept back-off, rate-limited logs, a message-size limit and an idle
//! timeout); plain HTTP requests get the `426`. fastwebsockets takes no leftover
//! bytes, so the stream is wrapped in [`Prefixed`], which serves them first.

use std::io;
use std::pin::Pin;
use std::process;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use fastwebsockets::{Frame, OpCode, Role, WebSocket};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use ws_handshake::io::{tokio::accept, Server, ServerOutcome};

mod serving;
use serving::{BoxError, Log, Options};

fn main() {
    let options = Options::from_args("tokio_server", "127.0.0.1:9002");
    let config = options.config().unwrap_or_else(|e| {
        eprintln!("invalid configuration: {e}");
        process::exit(2)
    });
    let server = Arc::new(Server::new(config).with_deadline(options.deadline));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("cannot start the runtime: {e}");
            process::exit(1)
        });
    runtime.block_on(async move {
        let listener = options.bind().await;
        let log = Log::new();
        let (max_pending, idle, max_message) =
            (options.max_pending, options.idle, options.max_message);
        let loop_log = Arc::clone(&log);
        serving::accept_loop(
            listener,
            max_pending,
            loop_log,
            move |stream, peer, permit| {
                let (server, log) = (Arc::clone(&server), Arc::clone(&log));
                async move {
                    let outcome = accept(&server, stream).await;
                    drop(permit);
                    let upgraded = match outcome {
                        Ok(ServerOutcome::Upgraded(upgraded)) => upgraded,
                        Ok(ServerOutcome::Rejected(rejected)) => {
                            return log.line(format_args!("{peer}: {rejected}"))
                        }
                        Ok(ServerOutcome::TimedOut) => {
                            return log
                                .line(format_args!("{peer}: handshake deadline expired (408)"))
                        }
                        Ok(_) => return,
                        Err(e) => return log.line(format_args!("{peer}: {e}")),
                    };
                    // fastwebsockets starts on a stream that has done its handshake; the
                    // leftover bytes are the first frames, so they are read first.
                    let stream = Prefixed::new(upgraded.leftover, upgraded.stream);
                    let mut ws = WebSocket::after_handshake(stream, Role::Server);
                    ws.set_max_message_size(max_message);
                    if let Err(e) = echo(ws, idle).await {
                        log.line(format_args!("{peer}: websocket: {e}"));
                    }
                }
            },
        )
        .await;
    });
}

/// Echoes text and binary frames until the client closes or is idle for `idle`
/// (fastwebsockets answers pings and completes the close itself).
async fn echo<S>(ws: WebSocket<S>, idle: Duration) -> Result<(), BoxError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut ws = fastwebsockets::FragmentCollector::new(ws);
    loop {
        let frame = tokio::time::timeout(idle, ws.read_frame())
            .await
            .map_err(|_| "idle timeout")??;
        match frame.opcode {
            OpCode::Close => return Ok(()),
            OpCode::Text | OpCode::Binary => {
                ws.write_frame(Frame::new(true, frame.opcode, None, frame.payload))
                    .await?;
            }
            _ => {}
        }
    }
}

/// A stream that yields `prefix` before reading from `inner`: the bytes the handshake
/// read after the head, for a framing library that cannot be handed them.
struct Prefixed<S> {
    prefix: Vec<u8>,
    read: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    fn new(prefix: Vec<u8>, inner: S) -> Self {
        Self {
            prefix,
            read: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let rest = this.prefix.get(this.read..).unwrap_or_default();
        if rest.is_empty() {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        let n = rest.len().min(buf.remaining());
        buf.put_slice(rest.get(..n).unwrap_or_default());
        this.read += n;
        if this.read == this.prefix.len() {
            this.prefix = Vec::new(); // free it
            this.read = 0;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
