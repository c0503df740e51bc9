//! WebSockets over HTTP/2 (RFC 8441): an `h2` server whose extended CONNECT requests
//! are validated by ws-handshake, then echoed by tungstenite over the HTTP/2 stream.
//!
//! ```text
//! cargo run --features http --example h2_server -- [--listen ADDR] [--protocol NAME]... [--tls]
//!     [--idle-timeout SECS] [--stats]
//! ```
//!
//! Plaintext HTTP/2 with prior knowledge (no TLS, no HTTP/1.1 upgrade), default
//! `127.0.0.1:9004`. The server advertises `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`;
//! a `200` keeps the stream open, and its DATA frames carry WebSocket frames both ways.
//!
//! With `--tls` it speaks HTTP/2 over TLS (ALPN `h2` only, a fresh self-signed
//! certificate), as browsers require: open `https://127.0.0.1:9004/` (accepting the
//! certificate) and the page connects back to `wss://…/echo` over the same HTTP/2
//! connection. A browser cannot fall back to HTTP/1.1 here, so an echo proves RFC 8441.
//!
//! Every way a WebSocket stream ends ends both of its directions and its task: an
//! orderly close (END_STREAM both ways), a reset by the client (RST_STREAM, e.g. a
//! closed tab), a lost connection, a WebSocket error (the stream is reset with CANCEL,
//! RFC 8441 §5), or a client that does not end its side within 2 s of ours (reset with
//! NO_ERROR, RFC 9113 §8.1). A WebSocket without a message from the client for
//! `--idle-timeout` (default 30 s) is sent a close frame (1001, going away) and reset if
//! the client does not answer it within 2 s; a connection without a stream for as long
//! is sent GOAWAY. With `--stats`, `GET /stats` answers the live counts (`streams: N`,
//! `tasks: N`, `connections: N`); tests/h2_abort.rs uses them.

use std::error::Error as StdError;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use std::{env, process};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use h2::server::SendResponse;
use h2::{Reason, RecvStream, SendStream};
use http::{Request, Response};
use tokio::io::{
    AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf,
};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tokio_tungstenite::WebSocketStream;
use ws_handshake::{ConnectRequest, Rejection, ServerConfig};

type BoxError = Box<dyn StdError + Send + Sync>;

/// The page served for `GET /`: it opens a WebSocket back to this server and shows the echo.
const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<title>connecting</title>
<p id="status">connecting…</p>
<script>
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/echo`, ["chat"]);
  const show = (text) => { document.title = text; document.getElementById("status").textContent = text; };
  // The outcome is also reported back (GET /result/...), so a test can wait for it.
  const report = (outcome) => fetch(`/result/${outcome}/${ws.protocol || "-"}`);
  ws.onopen = () => ws.send("hello over HTTP/2");
  ws.onmessage = (e) => {
    show(`echoed: ${e.data} (protocol: ${ws.protocol || "-"})`);
    report(e.data === "hello over HTTP/2" ? "echoed" : "garbled");
  };
  ws.onerror = () => { show("error"); report("error"); };
</script>
"#;

struct Args {
    listen: String,
    protocols: Vec<String>,
    tls: bool,
    idle: Duration,
    stats: bool,
}

const USAGE: &str =
    "usage: h2_server [--listen ADDR] [--protocol NAME]... [--tls] [--idle-timeout SECS] [--stats]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:9004".into(),
        protocols: Vec::new(),
        tls: false,
        idle: Duration::from_secs(30),
        stats: false,
    };
    let mut it = env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => args.listen = value()?,
            "--protocol" => args.protocols.push(value()?),
            "--tls" => args.tls = true,
            "--idle-timeout" => {
                args.idle = value()?
                    .parse()
                    .ok()
                    .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
                    .filter(|d| !d.is_zero())
                    .ok_or("--idle-timeout needs positive seconds")?;
            }
            "--stats" => args.stats = true,
            _ => return Err(USAGE.into()),
        }
    }
    Ok(args)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = parse_args().unwrap_or_else(|usage| {
        eprintln!("{usage}");
        process::exit(2)
    });
    if let Err(e) = run(args).await {
        eprintln!("h2_server: {e}");
        process::exit(1);
    }
}

/// What every connection is served with.
struct Serving {
    config: ServerConfig,
    idle: Duration,
    stats: bool,
}

async fn run(args: Args) -> Result<(), BoxError> {
    let serving = Arc::new(Serving {
        config: ServerConfig::new().protocols(&args.protocols)?,
        idle: args.idle,
        stats: args.stats,
    });
    let tls = if args.tls {
        Some(tls_acceptor()?)
    } else {
        None
    };
    let listener = TcpListener::bind(&args.listen).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        let serving = Arc::clone(&serving);
        let tls = tls.clone();
        tokio::spawn(async move {
            let _live = Live::new(&CONNECTIONS);
            let served = match tls {
                Some(tls) => match tls.accept(tcp).await {
                    Ok(stream) => serve(stream, serving).await,
                    Err(e) => return eprintln!("tls: {e}"),
                },
                None => serve(tcp, serving).await,
            };
            if let Err(e) = served {
                eprintln!("connection: {e}");
            }
        });
    }
}

/// TLS with ALPN `h2` only and a self-signed certificate for localhost and 127.0.0.1.
fn tls_acceptor() -> Result<TlsAcceptor, BoxError> {
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let certified = rcgen::generate_simple_self_signed(names)?;
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key.into())?;
    tls.alpn_protocols = vec![b"h2".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(tls)))
}

/// Live counts, answered on `GET /stats` (see [`answer_stats`]): connection tasks,
/// request-stream tasks and accepted WebSocket streams. Each is held by a [`Live`] guard,
/// so it goes down when its future ends *or is dropped* (an aborted task included).
static CONNECTIONS: AtomicUsize = AtomicUsize::new(0);
static TASKS: AtomicUsize = AtomicUsize::new(0);
static STREAMS: AtomicUsize = AtomicUsize::new(0);

/// One unit of a live count, for as long as it is alive.
struct Live(&'static AtomicUsize);

impl Live {
    fn new(count: &'static AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Live(count)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The in-memory pipe between the HTTP/2 stream and the WebSocket layer, each way.
const PIPE_CAPACITY: usize = 64 * 1024;

/// After our side of a WebSocket stream has ended (END_STREAM sent), how long the client
/// has to end its side before the stream is reset with NO_ERROR (RFC 9113 §8.1).
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// One HTTP/2 connection: every request stream is handled on its own task.
///
/// The stream tasks live in a [`JoinSet`] owned by this function, so however the
/// connection ends (GOAWAY, an error, the client dropping the TCP connection), the
/// stream tasks still running on it are aborted when it returns: none outlives its
/// connection. A connection without a stream for `idle` is sent GOAWAY.
async fn serve<T>(io: T, serving: Arc<Serving>) -> Result<(), h2::Error>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut connection = h2::server::Builder::new()
        .enable_connect_protocol() // SETTINGS_ENABLE_CONNECT_PROTOCOL = 1
        .handshake::<_, Bytes>(io)
        .await?;
    let mut streams = JoinSet::new();
    let idle = tokio::time::sleep(serving.idle);
    let mut idle = pin!(idle);
    let accepting = loop {
        tokio::select! {
            request = connection.accept() => match request {
                Some(Ok((request, respond))) => {
                    idle.as_mut().reset(Instant::now() + serving.idle);
                    if serving.stats
                        && request.method() == http::Method::GET
                        && request.uri().path() == "/stats"
                    {
                        answer_stats(respond)?;
                        continue;
                    }
                    let serving = Arc::clone(&serving);
                    streams.spawn(async move {
                        let _live = Live::new(&TASKS);
                        if let Err(e) = handle(request, respond, &serving).await {
                            eprintln!("stream: {e}");
                        }
                    });
                }
                Some(Err(e)) => break Err(e),
                None => break Ok(()),
            },
            // Reap the tasks that ended, so the set holds only live ones.
            Some(_) = streams.join_next(), if !streams.is_empty() => {
                idle.as_mut().reset(Instant::now() + serving.idle);
            }
            // RFC 9113 §6.8: GOAWAY, then the connection ends once its streams have.
            () = &mut idle, if streams.is_empty() => connection.graceful_shutdown(),
        }
    };
    // No more streams will come (GOAWAY): drive the connection until the open ones end.
    // On an error the connection is gone; `streams` is dropped below either way.
    let closed = match accepting {
        Ok(()) => poll_fn(|cx| connection.poll_closed(cx)).await,
        Err(e) => Err(e),
    };
    streams.abort_all();
    closed
}

/// `GET /stats`: the live counts as `name: N` lines, answered on the connection's task.
fn answer_stats(mut respond: SendResponse<Bytes>) -> Result<(), h2::Error> {
    let body = format!(
        "streams: {}\ntasks: {}\nconnections: {}\n",
        STREAMS.load(Ordering::Relaxed),
        TASKS.load(Ordering::Relaxed),
        CONNECTIONS.load(Ordering::Relaxed),
    );
    let mut head = Response::new(());
    head.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    let mut send = respond.send_response(head, false)?;
    send.send_data(Bytes::from(body), true)
}

async fn handle(
    request: Request<RecvStream>,
    mut respond: SendResponse<Bytes>,
    serving: &Serving,
) -> Result<(), BoxError> {
    let config = &serving.config;
    // Plain GETs: the page, and the page's report. Anything else is for ws-handshake.
    let path = request.uri().path();
    if request.method() == http::Method::GET && (path == "/" || path.starts_with("/result/")) {
        if let Some(outcome) = path.strip_prefix("/result/") {
            println!("browser: {outcome}");
        }
        let page = Response::builder()
            .header("content-type", "text/html; charset=utf-8")
            .body(())?;
        let mut send = respond.send_response(page, false)?;
        send.send_data(Bytes::from_static(PAGE.as_bytes()), true)?;
        return Ok(());
    }
    // h2 hands `:protocol` over as a request extension; the other pseudo-headers
    // are in the method and URI, which ws-handshake's `http` adapter reads.
    let protocol = request.extensions().get::<h2::ext::Protocol>();
    let accepted = match ConnectRequest::from_http(&request, protocol.map(|p| p.as_str()), config) {
        Ok(accepted) => accepted,
        Err(error) => {
            let rejection = Rejection::from(error);
            let (head, body) = rejection.to_connect_response().into_parts();
            let mut send = respond.send_response(Response::from_parts(head, ()), false)?;
            send.send_data(Bytes::from(body), true)?;
            return Ok(());
        }
    };
    println!(
        "accepted extended CONNECT {} (subprotocol {})",
        accepted.target(),
        accepted.protocol().unwrap_or("-")
    );
    let response = accepted.accept().to_http_response();
    let send = respond.send_response(response, false)?; // keep the stream open
    websocket(request.into_body(), send, serving.idle).await
}

/// Why a WebSocket stream ended other than by both sides closing in order.
enum Abort {
    /// The client reset the stream (RST_STREAM; RFC 8441 §5 maps CANCEL to a TCP reset)
    /// or the connection is gone. Nothing to log: a closed browser tab does this.
    Peer,
    /// Our side ended (END_STREAM sent) and the client did not end its side within
    /// [`CLOSE_GRACE`].
    Linger,
    /// The WebSocket layer failed (e.g. a protocol error by the client).
    Failed(BoxError),
}

/// Runs one accepted WebSocket stream to its end, on the current task: the HTTP/2 side
/// and the echo are futures polled together here, never separate tasks, so when this
/// returns (or is dropped) nothing of the stream is left running.
///
/// Every path ends both directions: an orderly end has seen END_STREAM both ways; any
/// other end resets the stream (CANCEL on a failure, NO_ERROR after [`CLOSE_GRACE`]),
/// which also drops the pipe, so the echo side is gone too.
async fn websocket(
    recv: RecvStream,
    mut send: SendStream<Bytes>,
    idle: Duration,
) -> Result<(), BoxError> {
    let _live = Live::new(&STREAMS);
    let (ours, theirs) = tokio::io::duplex(PIPE_CAPACITY);
    let (from_ws, to_ws) = tokio::io::split(ours);
    let ws = WebSocketStream::from_raw_socket(theirs, Role::Server, None).await;
    let outcome = drive(recv, &mut send, from_ws, to_ws, echo(ws, idle)).await;
    match outcome {
        Ok(()) => Ok(()),
        Err(Abort::Peer) => {
            send.send_reset(Reason::CANCEL); // no-op if the client already reset it
            Ok(())
        }
        Err(Abort::Linger) => {
            send.send_reset(Reason::NO_ERROR);
            Ok(())
        }
        Err(Abort::Failed(e)) => {
            send.send_reset(Reason::CANCEL);
            Err(e)
        }
    }
}

/// Polls the three parts of a stream until all have ended or one fails.
async fn drive(
    recv: RecvStream,
    send: &mut SendStream<Bytes>,
    from_ws: ReadHalf<DuplexStream>,
    to_ws: WriteHalf<DuplexStream>,
    echo: impl Future<Output = Result<(), BoxError>>,
) -> Result<(), Abort> {
    let mut inbound = pin!(inbound(recv, to_ws));
    let mut outbound = pin!(outbound(from_ws, send));
    let mut echo = pin!(echo);
    let grace = tokio::time::sleep(CLOSE_GRACE);
    let mut grace = pin!(grace);
    let (mut inbound_done, mut outbound_done, mut echo_done) = (false, false, false);
    while !(inbound_done && outbound_done && echo_done) {
        tokio::select! {
            ended = &mut inbound, if !inbound_done => {
                ended?;
                inbound_done = true;
            }
            ended = &mut echo, if !echo_done => {
                ended.map_err(Abort::Failed)?;
                echo_done = true;
            }
            ended = &mut outbound, if !outbound_done => {
                ended?;
                outbound_done = true;
                grace.as_mut().reset(Instant::now() + CLOSE_GRACE);
            }
            () = &mut grace, if outbound_done && !inbound_done => return Err(Abort::Linger),
        }
    }
    Ok(())
}

/// Echoes text and binary messages; tungstenite answers pings and the close handshake.
/// After `idle` without a message from the client it sends a close frame (1001, going
/// away; RFC 6455 §7.4.1); a client that does not answer it within [`CLOSE_GRACE`]
/// fails the stream (reset with CANCEL).
async fn echo(mut ws: WebSocketStream<DuplexStream>, idle: Duration) -> Result<(), BoxError> {
    let mut closing = false;
    loop {
        let wait = if closing { CLOSE_GRACE } else { idle };
        let message = match tokio::time::timeout(wait, ws.next()).await {
            Ok(Some(message)) => message?,
            Ok(None) => return Ok(()),
            Err(_) if !closing => {
                let away = CloseFrame {
                    code: CloseCode::Away,
                    reason: "idle".into(),
                };
                ws.close(Some(away)).await?;
                closing = true;
                continue;
            }
            Err(_) => return Err("no answer to the idle close frame".into()),
        };
        if message.is_text() || message.is_binary() {
            ws.send(message).await?;
        }
    }
}

/// The request stream's DATA into the pipe, with HTTP/2 flow control. On END_STREAM and
/// on every error the pipe's write half is shut down, so the WebSocket side reads EOF.
async fn inbound(mut recv: RecvStream, mut to_ws: WriteHalf<DuplexStream>) -> Result<(), Abort> {
    let mut ws_open = true;
    let copied = async {
        while let Some(chunk) = recv.data().await {
            let chunk = chunk.map_err(|_| Abort::Peer)?;
            // Capacity is released even for bytes nobody reads any more, or the
            // client's window would close.
            recv.flow_control()
                .release_capacity(chunk.len())
                .map_err(|_| Abort::Peer)?;
            // Once the WebSocket side has gone (after its close handshake), the rest is
            // discarded until END_STREAM, which `CLOSE_GRACE` bounds.
            if ws_open && to_ws.write_all(&chunk).await.is_err() {
                ws_open = false;
            }
        }
        Ok(())
    }
    .await;
    let _ = to_ws.shutdown().await;
    copied
}

/// The pipe into response DATA, with HTTP/2 flow control; END_STREAM at the pipe's EOF.
/// While waiting on the WebSocket side it watches for a reset or a lost connection
/// (`poll_reset`), so an idle echo does not keep a dead stream.
async fn outbound(
    mut from_ws: ReadHalf<DuplexStream>,
    send: &mut SendStream<Bytes>,
) -> Result<(), Abort> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = tokio::select! {
            read = from_ws.read(&mut buf) => read.map_err(|e| Abort::Failed(e.into()))?,
            _reset = poll_fn(|cx| send.poll_reset(cx)) => return Err(Abort::Peer),
        };
        if n == 0 {
            // END_STREAM: orderly close
            return send.send_data(Bytes::new(), true).map_err(|_| Abort::Peer);
        }
        let mut data = Bytes::copy_from_slice(&buf[..n]);
        while !data.is_empty() {
            send.reserve_capacity(data.len());
            let granted = match poll_fn(|cx| send.poll_capacity(cx)).await {
                Some(granted) => granted.map_err(|_| Abort::Peer)?,
                None => return Err(Abort::Peer),
            };
            send.send_data(data.split_to(granted.min(data.len())), false)
                .map_err(|_| Abort::Peer)?;
        }
    }
}
