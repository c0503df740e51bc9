//! WebSockets over HTTP/2 (RFC 8441): an `h2` server whose extended CONNECT requests
//! are validated by ws-handshake, then echoed by tungstenite over the HTTP/2 stream.
//!
//! ```text
//! cargo run --features http --example h2_server -- [--listen ADDR] [--protocol NAME]... [--tls]
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

use std::error::Error as StdError;
use std::future::poll_fn;
use std::sync::Arc;
use std::{env, process};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use h2::server::SendResponse;
use h2::{RecvStream, SendStream};
use http::{Request, Response};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::protocol::Role;
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
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:9004".into(),
        protocols: Vec::new(),
        tls: false,
    };
    let mut it = env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => args.listen = value()?,
            "--protocol" => args.protocols.push(value()?),
            "--tls" => args.tls = true,
            _ => {
                return Err("usage: h2_server [--listen ADDR] [--protocol NAME]... [--tls]".into())
            }
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

async fn run(args: Args) -> Result<(), BoxError> {
    let config = Arc::new(ServerConfig::new().protocols(&args.protocols)?);
    let tls = if args.tls {
        Some(tls_acceptor()?)
    } else {
        None
    };
    let listener = TcpListener::bind(&args.listen).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        let config = Arc::clone(&config);
        let tls = tls.clone();
        tokio::spawn(async move {
            let served = match tls {
                Some(tls) => match tls.accept(tcp).await {
                    Ok(stream) => serve(stream, config).await,
                    Err(e) => return eprintln!("tls: {e}"),
                },
                None => serve(tcp, config).await,
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

/// One HTTP/2 connection: every request stream is handled on its own task.
async fn serve<T>(io: T, config: Arc<ServerConfig>) -> Result<(), h2::Error>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut connection = h2::server::Builder::new()
        .enable_connect_protocol() // SETTINGS_ENABLE_CONNECT_PROTOCOL = 1
        .handshake::<_, Bytes>(io)
        .await?;
    while let Some(request) = connection.accept().await {
        let (request, respond) = request?;
        let config = Arc::clone(&config);
        tokio::spawn(async move {
            if let Err(e) = handle(request, respond, &config).await {
                eprintln!("stream: {e}");
            }
        });
    }
    Ok(())
}

async fn handle(
    request: Request<RecvStream>,
    mut respond: SendResponse<Bytes>,
    config: &ServerConfig,
) -> Result<(), BoxError> {
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
    let (ours, theirs) = tokio::io::duplex(64 * 1024);
    let pump = tokio::spawn(pump(request.into_body(), send, ours));
    echo(WebSocketStream::from_raw_socket(theirs, Role::Server, None).await).await?;
    pump.await??;
    Ok(())
}

/// Echoes text and binary messages; tungstenite answers pings and the close handshake.
async fn echo(mut ws: WebSocketStream<DuplexStream>) -> Result<(), BoxError> {
    while let Some(message) = ws.next().await {
        let message = message?;
        if message.is_text() || message.is_binary() {
            ws.send(message).await?;
        }
    }
    Ok(())
}

/// Copies the request stream's DATA into `io` and `io` into response DATA, with
/// HTTP/2 flow control; the end of either direction ends the other side's writes.
async fn pump(
    mut recv: RecvStream,
    mut send: SendStream<Bytes>,
    io: DuplexStream,
) -> Result<(), BoxError> {
    let (mut from_ws, mut to_ws) = tokio::io::split(io);
    let inbound = async move {
        while let Some(chunk) = recv.data().await {
            let chunk = chunk?;
            recv.flow_control().release_capacity(chunk.len())?;
            to_ws.write_all(&chunk).await?;
        }
        to_ws.shutdown().await?;
        Ok::<_, BoxError>(())
    };
    let outbound = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = from_ws.read(&mut buf).await?;
            if n == 0 {
                send.send_data(Bytes::new(), true)?; // END_STREAM: orderly close
                return Ok::<_, BoxError>(());
            }
            let mut data = Bytes::copy_from_slice(&buf[..n]);
            while !data.is_empty() {
                send.reserve_capacity(data.len());
                let granted = poll_fn(|cx| send.poll_capacity(cx))
                    .await
                    .ok_or("stream closed")??;
                send.send_data(data.split_to(granted.min(data.len())), false)?;
            }
        }
    };
    let (inbound, outbound) = tokio::join!(inbound, outbound);
    inbound.and(outbound)
}
