//! WebSockets over HTTP/2 (RFC 8441): an `h2` server whose extended CONNECT requests
//! are validated by ws-handshake, then echoed by tungstenite over the HTTP/2 stream.
//!
//! ```text
//! cargo run --example h2_server -- [--listen ADDR] [--protocol NAME]...
//! ```
//!
//! Plaintext HTTP/2 with prior knowledge (no TLS, no HTTP/1.1 upgrade), default
//! `127.0.0.1:9004`. The server advertises `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`;
//! a `200` keeps the stream open, and its DATA frames carry WebSocket frames both ways.

use std::error::Error as StdError;
use std::future::poll_fn;
use std::sync::Arc;
use std::{env, process};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use h2::server::SendResponse;
use h2::{RecvStream, SendStream};
use http::{Request, Response};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use ws_handshake::{ConnectRejection, ConnectRequest, ResponseHead, ServerConfig};

type BoxError = Box<dyn StdError + Send + Sync>;

struct Args {
    listen: String,
    protocols: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:9004".into(),
        protocols: Vec::new(),
    };
    let mut it = env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => args.listen = value()?,
            "--protocol" => args.protocols.push(value()?),
            _ => return Err("usage: h2_server [--listen ADDR] [--protocol NAME]...".into()),
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
    let listener = TcpListener::bind(&args.listen).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (tcp, _) = listener.accept().await?;
        let config = Arc::clone(&config);
        tokio::spawn(async move {
            if let Err(e) = serve(tcp, config).await {
                eprintln!("connection: {e}");
            }
        });
    }
}

/// One HTTP/2 connection: every request stream is handled on its own task.
async fn serve(tcp: TcpStream, config: Arc<ServerConfig>) -> Result<(), h2::Error> {
    let mut connection = h2::server::Builder::new()
        .enable_connect_protocol() // SETTINGS_ENABLE_CONNECT_PROTOCOL = 1
        .handshake::<_, Bytes>(tcp)
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
    // h2 hands `:protocol` over as a request extension; the other pseudo-headers
    // are in the method and URI.
    let protocol = request.extensions().get::<h2::ext::Protocol>();
    let uri = request.uri();
    let pseudo = [
        (":method", Some(request.method().as_str())),
        (":protocol", protocol.map(|p| p.as_str())),
        (":scheme", uri.scheme_str()),
        (":path", uri.path_and_query().map(|p| p.as_str())),
        (":authority", uri.authority().map(|a| a.as_str())),
    ];
    let fields = pseudo
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?.as_bytes())))
        .chain(
            request
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes())),
        );
    let accepted = match ConnectRequest::validate(fields, config) {
        Ok(accepted) => accepted,
        Err(error) => {
            let rejection = ConnectRejection::from(error);
            let mut send = respond.send_response(response(&rejection.head())?, false)?;
            send.send_data(Bytes::from(rejection.body().into_owned()), true)?;
            return Ok(());
        }
    };
    let head = accepted.accept().head();
    let send = respond.send_response(response(&head)?, false)?; // keep the stream open
    let (ours, theirs) = tokio::io::duplex(64 * 1024);
    let pump = tokio::spawn(pump(request.into_body(), send, ours));
    echo(WebSocketStream::from_raw_socket(theirs, Role::Server, None).await).await?;
    pump.await??;
    Ok(())
}

/// An `http::Response` from a ws-handshake response head.
fn response(head: &ResponseHead) -> Result<Response<()>, http::Error> {
    let mut builder = Response::builder().status(head.status());
    for (name, value) in head.fields() {
        builder = builder.header(name, value);
    }
    builder.body(())
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
