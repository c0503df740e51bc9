//! The async peers (soketto, ratchet, fastwebsockets) and what drives them in memory:
//! [`drive`], a no-op-waker executor, and three streams: [`Mem`] (borrowed, for the
//! peers that lend their stream), [`SharedMem`] (`'static`, for the peers that keep
//! it) and [`Answering`] (a server for clients whose key is random).
//!
//! Nothing here waits: a stream with nothing (more) to read is pending, as a socket
//! would be, and [`drive`] polls again at once. What is timed is the peer's own
//! parsing, checking, negotiating and writing, plus its async plumbing.

use std::cell::RefCell;
use std::future::Future;
use std::io::{self, Read as _, Write as _};
use std::pin::{pin, Pin};
use std::sync::{LazyLock, Mutex};
use std::task::{Context, Poll, Waker};

use crate::common::{ClientOutcome, Mem, RESPONSE, URL};

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

/// `AsyncWrite` for futures-io and/or tokio (the same operations under two traits, which
/// differ in the closing method's name): `write` is `poll_write`'s body, with the stream
/// bound to the given pattern; flushing and closing do nothing.
macro_rules! async_write {
    ($($io:ident),+ for $ty:ty: |$this:pat_param, $buf:ident| $write:expr) => {
        $(async_write!(@$io $ty, $this, $buf, $write);)+
    };
    (@futures_io $($rest:tt)*) => {
        async_write!(@impl futures_io::AsyncWrite, poll_close, $($rest)*);
    };
    (@tokio $($rest:tt)*) => {
        async_write!(@impl tokio::io::AsyncWrite, poll_shutdown, $($rest)*);
    };
    (@impl $trait:path, $close:ident, $ty:ty, $this:pat, $buf:ident, $write:expr) => {
        impl $trait for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                _: &mut Context<'_>,
                $buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                let $this = self.get_mut();
                $write
            }
            fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }
            fn $close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }
        }
    };
}

impl futures_io::AsyncRead for Mem<'_> {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(self.get_mut().read(buf))
    }
}

/// Copies as much of `input` as fits into `buf` and advances `input`; once `input` is
/// used up, pending, as a socket whose peer waits for the answer would be (hyper reads
/// on after a head, and takes end of file there for a truncated message). [`drive`]
/// polls again anyway, so nothing waits: a peer that needs more is caught by its limit.
fn read_into(input: &mut &[u8], buf: &mut tokio::io::ReadBuf<'_>) -> Poll<io::Result<()>> {
    if input.is_empty() {
        return Poll::Pending;
    }
    let (head, rest) = input.split_at(buf.remaining().min(input.len()));
    buf.put_slice(head);
    *input = rest;
    Poll::Ready(Ok(()))
}

impl tokio::io::AsyncRead for Mem<'_> {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        read_into(&mut self.get_mut().input, buf)
    }
}

async_write!(futures_io, tokio for Mem<'_>: |this, buf| Poll::Ready(this.write(buf)));

/// Where the `'static` streams write, and where [`Answering`] finds the key to
/// answer. ratchet and fastwebsockets' client want a `Send + 'static` stream and
/// keep it (inside the WebSocket they return), so the stream cannot borrow `out`;
/// [`with_sink`] lends `out`'s buffer to this static instead, so the harness
/// allocates nothing of its own.
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

/// A `Send + 'static` in-memory stream: reads `input`, writes to [`SINK`]. A client's
/// stream (`answer: true`) has nothing to read until the client has written, as a
/// server answers only a request (hyper's client takes bytes before its request for
/// an unexpected message).
pub struct SharedMem {
    input: &'static [u8],
    answer: bool,
}

impl tokio::io::AsyncRead for SharedMem {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.answer {
            return Poll::Pending;
        }
        read_into(&mut self.get_mut().input, buf)
    }
}

async_write!(tokio for SharedMem: |this, buf| {
    this.answer = false;
    sink_write(buf)
});

/// Where [`RESPONSE`]'s `Sec-WebSocket-Accept` value starts.
static ACCEPT_AT: LazyLock<usize> = LazyLock::new(|| {
    let name = b"\r\nSec-WebSocket-Accept: ";
    let at = RESPONSE.windows(name.len()).position(|w| w == name);
    at.expect("RESPONSE has an accept") + name.len()
});

/// An in-memory server for the clients whose key is random and cannot be set (soketto
/// and ratchet draw it from `rand`): writes go to [`SINK`]; the first read finds the
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

impl tokio::io::AsyncRead for Answering {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = self.get_mut().read(buf.initialize_unfilled());
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

async_write!(futures_io, tokio for Answering: |_, buf| sink_write(buf));

/// Whether a request's `Sec-WebSocket-Protocol` headers offer `chat` (comma lists split).
pub fn offers_chat(headers: &http::HeaderMap) -> bool {
    headers
        .get_all(http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == "chat")
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

// ---- ratchet ---------------------------------------------------------------

/// What ratchet is configured with, built once: the subprotocol registry (`chat`; an
/// `Arc`, cloned per handshake since `accept_with` takes it by value) and its
/// permessage-deflate provider with default settings.
pub struct RatchetConfig {
    pub protocols: ratchet_rs::SubprotocolRegistry,
    pub deflate: ratchet_rs::deflate::DeflateExtProvider,
}

pub fn ratchet_config() -> RatchetConfig {
    RatchetConfig {
        protocols: ratchet_rs::SubprotocolRegistry::new(["chat"]).expect("valid protocol"),
        deflate: ratchet_rs::deflate::DeflateExtProvider::default(),
    }
}

/// ratchet_rs 1.2's server handshake over [`SharedMem`]: `accept_with` (read, parse into
/// an `http::Request`, check, select the subprotocol, negotiate the extension) then
/// `upgrade` (write the 101, build the `WebSocket`). With `deflate`, ratchet's
/// permessage-deflate provider; without, no extension (`NoExtProvider`).
///
/// What ratchet does and does not do: it checks method, version, `Connection`,
/// `Upgrade`, `Sec-WebSocket-Version: 13` and one `Host`, but not the key's syntax
/// (any value is hashed), and leaves `Origin` to the caller (`upgrader.request()`).
/// It selects `chat` from the comma list. Negotiating deflate *builds the codec*:
/// ratchet's extension provider returns a ready zlib compressor and decompressor, so
/// the `ratchet` figure includes zlib stream setup that ws-handshake leaves to
/// whichever codec runs the connection; `ratchet_no_deflate` is ratchet without it.
/// On an HTTP error `accept_with` writes a 400 itself.
pub fn ratchet(config: &RatchetConfig, deflate: bool, request: &'static [u8], out: &mut Vec<u8>) {
    async fn run<E: ratchet_rs::ExtensionProvider>(
        extension: E,
        protocols: ratchet_rs::SubprotocolRegistry,
        request: &'static [u8],
    ) {
        let stream = SharedMem {
            input: request,
            answer: false,
        };
        let config = ratchet_rs::WebSocketConfig::default();
        if let Ok(upgrader) = ratchet_rs::accept_with(stream, config, extension, protocols).await {
            let _ = upgrader.upgrade().await;
        }
    }
    let protocols = config.protocols.clone();
    with_sink(out, || {
        if deflate {
            drive(run(&config.deflate, protocols, request))
        } else {
            drive(run(ratchet_rs::NoExtProvider, protocols, request))
        }
    })
}

/// ratchet_rs 1.2's client handshake (`subscribe_with` to [`URL`]) over [`Answering`],
/// offering `chat` and, with `deflate`, ratchet's permessage-deflate (default settings).
/// It checks status, `Upgrade`, `Connection`, the accept value and that the subprotocol
/// was offered; with deflate it builds the zlib codec on success, as on the server.
pub fn client_ratchet(config: &RatchetConfig, deflate: bool, out: &mut Vec<u8>) -> ClientOutcome {
    async fn run<E: ratchet_rs::ExtensionProvider>(
        extension: E,
        protocols: ratchet_rs::SubprotocolRegistry,
    ) -> ClientOutcome {
        let config = ratchet_rs::WebSocketConfig::default();
        let upgraded =
            ratchet_rs::subscribe_with(config, Answering::new(), URL, extension, protocols)
                .await
                .ok()?;
        Some((upgraded.subprotocol.as_deref() == Some("chat"), 0))
    }
    let protocols = config.protocols.clone();
    with_sink(out, || {
        if deflate {
            drive(run(&config.deflate, protocols))
        } else {
            drive(run(ratchet_rs::NoExtProvider, protocols))
        }
    })
}

// ---- fastwebsockets --------------------------------------------------------

/// fastwebsockets 0.10's server upgrade, which has no HTTP parser of its own: it
/// takes a request that hyper parsed. So this is hyper 1's HTTP/1 server connection
/// (`http1::Builder::serve_connection`) over [`Mem`], whose service calls
/// `upgrade::is_upgrade_request` and `upgrade::upgrade` and, as tungstenite's callback
/// does, adds `Sec-WebSocket-Protocol: chat` when offered (fastwebsockets has no
/// subprotocol support), then hyper writes the 101 (with its `date` header). The
/// figure is therefore hyper + fastwebsockets: what a fastwebsockets server pays per
/// handshake. The upgraded IO is not taken over (hyper's plain connection future
/// ends after the 101; a real server adds `with_upgrades`, boxing the IO).
///
/// What fastwebsockets does and does not do: it checks that a `Sec-WebSocket-Key`
/// exists (not its syntax) and `Sec-WebSocket-Version: 13`; `is_upgrade_request`
/// checks `Connection` and `Upgrade`; hyper checks the HTTP syntax. No `Host` or
/// `Origin` check, no subprotocol or extension negotiation.
pub fn fastwebsockets(request: &[u8], out: &mut Vec<u8>) {
    use bytes::Bytes;
    use http_body_util::Empty;
    use hyper::body::Incoming;
    use hyper::{Request, Response, StatusCode};
    out.clear();
    let handle = |mut request: Request<Incoming>| async move {
        let upgraded = fastwebsockets::upgrade::is_upgrade_request(&request)
            .then(|| fastwebsockets::upgrade::upgrade(&mut request).ok())
            .flatten();
        let response = match upgraded {
            Some((mut response, _upgrade)) => {
                if offers_chat(request.headers()) {
                    response.headers_mut().insert(
                        http::header::SEC_WEBSOCKET_PROTOCOL,
                        http::HeaderValue::from_static("chat"),
                    );
                }
                response
            }
            None => {
                let mut response = Response::new(Empty::<Bytes>::new());
                *response.status_mut() = StatusCode::BAD_REQUEST;
                response
            }
        };
        Ok::<_, std::convert::Infallible>(response)
    };
    let io = hyper_util::rt::TokioIo::new(Mem {
        input: request,
        out,
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, hyper::service::service_fn(handle));
    let _ = drive(connection);
}

type Spawned = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The executor fastwebsockets' client wants for hyper's connection task: it keeps
/// the task for [`client_fastwebsockets`] to poll beside the handshake.
#[derive(Default)]
struct Slot(RefCell<Option<Spawned>>);

impl hyper::rt::Executor<Spawned> for Slot {
    fn execute(&self, task: Spawned) {
        *self.0.borrow_mut() = Some(task);
    }
}

/// fastwebsockets 0.10's client (`handshake::client`, hyper 1's HTTP/1 client
/// connection underneath) over [`SharedMem`] reading [`RESPONSE`]. fastwebsockets
/// builds no request: the caller writes every header (here `Host`, `Upgrade`,
/// `Connection`, the fixed key, version 13 and `Sec-WebSocket-Protocol: chat`). It
/// checks status 101, `Upgrade` and `Connection` only: *not* `Sec-WebSocket-Accept`,
/// nor the subprotocol or extensions (the caller reads them, as here for `chat`).
pub fn client_fastwebsockets(response: &'static [u8], out: &mut Vec<u8>) -> ClientOutcome {
    use bytes::Bytes;
    use http::header::{CONNECTION, HOST, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL};
    use http::header::{SEC_WEBSOCKET_VERSION, UPGRADE};
    use http_body_util::Empty;
    with_sink(out, || {
        let request = hyper::Request::get("/chat?room=1")
            .header(HOST, "127.0.0.1:18200")
            .header(UPGRADE, "websocket")
            .header(CONNECTION, "Upgrade")
            .header(SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
            .header(SEC_WEBSOCKET_VERSION, "13")
            .header(SEC_WEBSOCKET_PROTOCOL, "chat")
            .body(Empty::<Bytes>::new())
            .ok()?;
        let slot = Slot::default();
        let stream = SharedMem {
            input: response,
            answer: true,
        };
        let mut handshake = pin!(fastwebsockets::handshake::client(&slot, request, stream));
        let (_websocket, response) = drive(std::future::poll_fn(|cx| {
            if let Poll::Ready(done) = handshake.as_mut().poll(cx) {
                return Poll::Ready(done);
            }
            let mut task = slot.0.borrow_mut();
            if task
                .as_mut()
                .is_some_and(|t| t.as_mut().poll(cx).is_ready())
            {
                *task = None;
            }
            Poll::Pending
        }))
        .ok()?;
        let chat = response
            .headers()
            .get(SEC_WEBSOCKET_PROTOCOL)
            .is_some_and(|p| p == "chat");
        Some((chat, 0))
    })
}
