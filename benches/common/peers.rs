//! The async peers (soketto) and what drives them in memory: [`drive`], a
//! no-op-waker executor, and two streams: [`Mem`] (borrowed, for the peers that lend
//! their stream) and [`Answering`] (a server for clients whose key is random).
//!
//! Nothing here waits: a stream with nothing (more) to read is pending, as a socket
//! would be, and [`drive`] polls again at once. What is timed is the peer's own
//! parsing, checking, negotiating and writing, plus its async plumbing.

use std::future::Future;
use std::io::{self, Read as _, Write as _};
use std::pin::{pin, Pin};
use std::sync::{LazyLock, Mutex};
use std::task::{Context, Poll, Waker};

use super::{ClientOutcome, Mem, RESPONSE};

/// Polls `future` with a no-op waker until it is ready. Every stream here answers at
/// once, so a handshake needs a handful of polls; one still pending after 64 is a
/// harness bug, not a slow peer.
pub fn drive<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..64 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("an in-memory handshake still pending after 64 polls");
}

// ---- streams ---------------------------------------------------------------

impl futures_io::AsyncRead for Mem<'_> {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(self.get_mut().read(buf))
    }
}

impl futures_io::AsyncWrite for Mem<'_> {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(self.get_mut().write(buf))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Where [`Answering`] writes, and where it finds the key to answer: [`with_sink`]
/// lends `out`'s buffer to this static, so the harness allocates nothing of its own
/// per handshake.
static SINK: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Runs `f` with [`SINK`] holding `out`'s buffer (cleared), then gives it back.
fn with_sink<R>(out: &mut Vec<u8>, f: impl FnOnce() -> R) -> R {
    out.clear();
    std::mem::swap(out, &mut SINK.lock().unwrap());
    let result = f();
    std::mem::swap(out, &mut SINK.lock().unwrap());
    result
}

fn sink_write(buf: &[u8]) -> Poll<io::Result<usize>> {
    SINK.lock().unwrap().extend_from_slice(buf);
    Poll::Ready(Ok(buf.len()))
}

/// Where [`RESPONSE`]'s `Sec-WebSocket-Accept` value starts.
static ACCEPT_AT: LazyLock<usize> = LazyLock::new(|| {
    let name = b"\r\nSec-WebSocket-Accept: ";
    let at = RESPONSE.windows(name.len()).position(|w| w == name);
    at.expect("RESPONSE has an accept") + name.len()
});

/// An in-memory server for the clients whose key is random and cannot be set (soketto
/// draws it from `rand`): writes go to [`SINK`]; the first read finds the
/// `Sec-WebSocket-Key` the client wrote and answers [`RESPONSE`] with the accept value
/// of that key, so the client's own accept check passes.
///
/// That answer is harness work inside those clients' times: a scan of the request for
/// the key, one SHA-1 and base64 (what `accept_key/ws_handshake` times) and a copy of
/// 333 bytes. The other clients read a fixed [`RESPONSE`].
pub struct Answering {
    response: [u8; RESPONSE.len()],
    unread: usize,
    answered: bool,
}

impl Answering {
    pub fn new() -> Self {
        Answering {
            response: [0; RESPONSE.len()],
            unread: 0,
            answered: false,
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> usize {
        if !self.answered {
            self.answer();
        }
        let start = self.response.len() - self.unread;
        let n = buf.len().min(self.unread);
        buf[..n].copy_from_slice(&self.response[start..start + n]);
        self.unread -= n;
        n
    }

    fn answer(&mut self) {
        let written = SINK.lock().unwrap();
        let name = b"\r\nsec-websocket-key:";
        let at = written
            .windows(name.len())
            .position(|w| w.eq_ignore_ascii_case(name))
            .expect("the client wrote a key")
            + name.len();
        let key = written[at..].trim_ascii_start();
        let key = &key[..key.iter().position(|&b| b == b'\r').unwrap_or(key.len())];
        let accept = ws_handshake::AcceptKey::from_key(key);
        let at = *ACCEPT_AT;
        self.response.copy_from_slice(RESPONSE);
        self.response[at..at + 28].copy_from_slice(accept.as_str().as_bytes());
        self.unread = RESPONSE.len();
        self.answered = true;
    }
}

impl Default for Answering {
    fn default() -> Self {
        Self::new()
    }
}

impl futures_io::AsyncRead for Answering {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(self.get_mut().read(buf)))
    }
}

impl futures_io::AsyncWrite for Answering {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        sink_write(buf)
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

// ---- soketto ---------------------------------------------------------------

/// soketto 0.8's server handshake (`handshake::Server`) over [`Mem`], driven by
/// [`drive`]: `chat` registered with `add_protocol`, soketto's permessage-deflate
/// extension added, `receive_request`, then `send_response` (Accept, or Reject 400
/// when `receive_request` fails, as a server would answer).
///
/// What soketto does and does not do: it checks method, version, `Host` present,
/// `Upgrade`, `Connection`, `Sec-WebSocket-Version: 13` and a 24-byte key (not its
/// base64), negotiates deflate, and hands `Origin` to the caller unchecked. It matches
/// each `Sec-WebSocket-Protocol` header's *whole value* against its protocols without
/// splitting the list, so Chromium's `chat, superchat` selects nothing and its 101
/// carries no subprotocol (`check_all` asserts this; a lone `chat` is selected). It
/// refuses a head that is not complete within 8 KiB, so the 8 KiB-cookie request gets
/// the 400 and soketto is not timed in `server_8k_cookie`. A fresh 8 KiB zeroed read
/// buffer per handshake is soketto's default (`set_buffer` could reuse one).
pub fn soketto(request: &[u8], out: &mut Vec<u8>) {
    use soketto::extension::deflate::Deflate;
    use soketto::handshake::server::{Response, Server};
    out.clear();
    let stream = Mem {
        input: request,
        out,
    };
    drive(async {
        let mut server = Server::new(stream);
        server.add_protocol("chat");
        server.add_extension(Box::new(Deflate::new(soketto::Mode::Server)));
        let response = match server.receive_request().await {
            Ok(request) => {
                let chat = request.protocols().any(|p| p == "chat");
                Response::Accept {
                    key: request.key(),
                    protocol: chat.then_some("chat"),
                }
            }
            Err(_) => Response::Reject { status_code: 400 },
        };
        let _ = server.send_response(&response).await;
    });
}

/// soketto 0.8's client handshake (`handshake::Client`) over [`Answering`]: host and
/// resource of [`URL`], offers `chat` and soketto's permessage-deflate
/// (`server_no_context_takeover; client_no_context_takeover; client_max_window_bits`).
/// It checks status, `Upgrade`, `Connection`, the accept value and that the
/// subprotocol was offered. The fixed 101 answers a different offer (ws-handshake's,
/// without `server_no_context_takeover`): soketto completes the handshake with deflate
/// left off rather than failing, hence the 0 window.
pub fn client_soketto(out: &mut Vec<u8>) -> ClientOutcome {
    use soketto::extension::deflate::Deflate;
    use soketto::handshake::{Client, ServerResponse};
    with_sink(out, || {
        drive(async {
            let mut client = Client::new(Answering::new(), "127.0.0.1:18200", "/chat?room=1");
            client.add_protocol("chat");
            client.add_extension(Box::new(Deflate::new(soketto::Mode::Client)));
            match client.handshake().await {
                Ok(ServerResponse::Accepted { protocol }) => {
                    Some((protocol.as_deref() == Some("chat"), 0))
                }
                _ => None,
            }
        })
    })
}
