//! The tokio adapter (`io::tokio`) on real loopback sockets: the server and client
//! sides, the one deadline over reading and writing, the 408, the lingering close.
#![cfg(feature = "tokio")]

mod common;

use common::builders::upgrade_request;

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use ws_handshake::deflate::{DeflateConfig, DeflateOffer};
use ws_handshake::io::{
    tokio as wsio, ClientIoError, Decision, PlainResponse, Server, ServerOutcome,
};
use ws_handshake::{ClientConfig, ClientKey, ServerConfig, WsUrl};

/// A valid upgrade to `/chat?room=1` for the sample key, with `extra` header lines.
fn upgrade_head(extra: &[&str]) -> String {
    String::from_utf8(upgrade_request("/chat?room=1", "127.0.0.1", extra)).unwrap()
}

/// Starts `server` on one connection; returns the client's end and the server task.
async fn serve_one(server: Server) -> (TcpStream, JoinHandle<ServerOutcome<TcpStream>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        wsio::accept(&server, stream).await.unwrap()
    });
    (TcpStream::connect(addr).await.unwrap(), task)
}

async fn read_to_end(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("the server closes")?;
    Ok(String::from_utf8_lossy(&response).into_owned())
}

async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(stream.read_u8().await.unwrap());
    }
    String::from_utf8(head).unwrap()
}

/// RFC 6455 §4.2.2: the 101 with the accept value of the key; a frame sent with the
/// head is handed back byte-exact, with the owned request.
#[tokio::test]
async fn upgrade_keeps_the_frames_sent_with_the_head() {
    let config = ServerConfig::new().protocols(["chat"]).unwrap();
    let (mut client, task) = serve_one(Server::new(config)).await;
    let frame = b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"; // RFC 6455 §5.7 "Hello"
    let mut bytes =
        upgrade_head(&["Sec-WebSocket-Protocol: chat", "Cookie: session=xyz"]).into_bytes();
    bytes.extend_from_slice(frame);
    client.write_all(&bytes).await.unwrap();
    let head = read_head(&mut client).await;
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    let ServerOutcome::Upgraded(up) = task.await.unwrap() else {
        panic!("not upgraded")
    };
    assert_eq!(up.leftover, frame);
    assert_eq!(up.request.path(), "/chat");
    assert_eq!(up.request.protocol.as_deref(), Some("chat"));
    assert_eq!(up.request.cookie("session"), Some("xyz"));
}

/// One deadline for the whole head: a byte every 100 ms never lets a read wait long,
/// yet the client gets the 408 (RFC 9110 §15.5.9) at the 300 ms deadline.
#[tokio::test]
async fn slow_client_gets_408_at_the_deadline() {
    let server = Server::new(ServerConfig::new()).with_deadline(Duration::from_millis(300));
    let (client, task) = serve_one(server).await;
    let start = Instant::now();
    let (mut reader, mut writer) = client.into_split();
    writer
        .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let dribble = tokio::spawn(async move {
        while writer.write_all(b"X").await.is_ok() && start.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), reader.read_to_end(&mut response))
        .await
        .unwrap()
        .unwrap();
    let elapsed = start.elapsed();
    dribble.abort();
    let response = String::from_utf8(response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{response}"
    );
    assert!(matches!(task.await.unwrap(), ServerOutcome::TimedOut));
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
}

/// With the lingering close the client reads the whole 431 (RFC 6585 §5) although it
/// sent 48 KiB, far more than the 16 KiB the server read before refusing; closing at
/// once would reset the connection under it.
#[tokio::test]
async fn client_reads_the_whole_431_after_sending_more_than_was_read() {
    let (mut client, task) = serve_one(Server::new(ServerConfig::new())).await;
    let mut flood = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ".to_vec();
    flood.resize(48 * 1024, b'a');
    let _ = client.write_all(&flood).await; // errors ignored: the read after counts
    let response = read_to_end(&mut client)
        .await
        .expect("the refusal is readable");
    assert!(
        response.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{response}"
    );
    assert!(response.ends_with("request head is larger than 16384 bytes\n"));
    assert!(matches!(task.await.unwrap(), ServerOutcome::Rejected(r) if r.status == 431));
}

/// Plain requests go to the hook; without its answer, the 426 (RFC 9110 §15.5.22).
#[tokio::test]
async fn plain_requests_go_to_the_hook_or_get_426() {
    let server = || {
        Server::new(ServerConfig::new())
            .plain(|request| (request.path() == "/").then(|| PlainResponse::html("<p>page</p>")))
    };
    let (mut client, task) = serve_one(server()).await;
    client
        .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let response = read_to_end(&mut client).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\n<p>page</p>"), "{response}");
    assert!(matches!(
        task.await.unwrap(),
        ServerOutcome::Served { status: 200 }
    ));

    let (mut client, task) = serve_one(server()).await;
    client
        .write_all(b"GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let response = read_to_end(&mut client).await.unwrap();
    assert!(
        response.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
        "{response}"
    );
    assert!(matches!(task.await.unwrap(), ServerOutcome::Rejected(r) if r.status == 426));
}

/// The decision hook: accepted with an extra header, or refused with its own status.
#[tokio::test]
async fn decide_hook_accepts_with_headers_or_refuses() {
    let server = || {
        Server::new(ServerConfig::new()).decide(|upgrade| match upgrade.cookie("session") {
            Some("good") => Decision::accept().header("Set-Cookie", "seen=1").unwrap(),
            _ => Decision::reject(403, "no session").unwrap(),
        })
    };
    let (mut client, task) = serve_one(server()).await;
    client
        .write_all(upgrade_head(&["Cookie: session=good"]).as_bytes())
        .await
        .unwrap();
    let head = read_head(&mut client).await;
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert!(head.contains("\r\nSet-Cookie: seen=1\r\n"), "{head}");
    assert!(matches!(task.await.unwrap(), ServerOutcome::Upgraded(_)));

    let (mut client, task) = serve_one(server()).await;
    client
        .write_all(upgrade_head(&[]).as_bytes())
        .await
        .unwrap();
    let response = read_to_end(&mut client).await.unwrap();
    assert!(
        response.starts_with("HTTP/1.1 403 Forbidden\r\n"),
        "{response}"
    );
    assert!(matches!(task.await.unwrap(), ServerOutcome::Rejected(r) if r.status == 403));
}

/// The client adapter against the server adapter, then tokio-tungstenite on both
/// ends with the leftover bytes: subprotocol and permessage-deflate agreed (RFC 6455
/// §4.1, RFC 7692 §7) and a message echoed.
#[tokio::test]
async fn client_adapter_against_server_adapter() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{protocol::Role, Message};
    use tokio_tungstenite::WebSocketStream;

    let config = ServerConfig::new()
        .protocols(["chat"])
        .unwrap()
        .deflate(Some(DeflateConfig::new()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::new(config);
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let ServerOutcome::Upgraded(up) = wsio::accept(&server, stream).await.unwrap() else {
            panic!("not upgraded")
        };
        let mut ws =
            WebSocketStream::from_partially_read(up.stream, up.leftover, Role::Server, None).await;
        let message = ws.next().await.unwrap().unwrap();
        ws.send(message).await.unwrap();
        up.request
    });
    let client = ClientConfig::new()
        .protocols(["chat"])
        .unwrap()
        .deflate(Some(DeflateOffer::new()))
        .unwrap();
    let url_text = format!("ws://{addr}/chat");
    let url = WsUrl::parse(&url_text).unwrap();
    let stream = TcpStream::connect(addr).await.unwrap();
    let key = ClientKey::from_nonce(*b"0123456789abcdef");
    let connected = wsio::connect(stream, &client, url, key, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(connected.protocol.as_deref(), Some("chat"));
    assert!(connected.deflate.is_some());
    let mut ws = WebSocketStream::from_partially_read(
        connected.stream,
        connected.leftover,
        Role::Client,
        None,
    )
    .await;
    // tungstenite cannot compress: a message without RSV1 is valid under deflate too.
    ws.send(Message::text("hi")).await.unwrap();
    assert_eq!(ws.next().await.unwrap().unwrap(), Message::text("hi"));
    let request = task.await.unwrap();
    assert_eq!(request.deflate, connected.deflate);
}

/// The client's deadline covers waiting for the response; a refusal keeps its status.
#[tokio::test]
async fn client_adapter_times_out_and_reports_refusals() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url_text = format!("ws://{addr}/");
    let config = ClientConfig::new();
    let key = ClientKey::from_nonce([3; 16]);

    let stream = TcpStream::connect(addr).await.unwrap();
    let (_silent, _) = listener.accept().await.unwrap();
    let start = Instant::now();
    let url = WsUrl::parse(&url_text).unwrap();
    let result = wsio::connect(stream, &config, url, key, Duration::from_millis(300)).await;
    assert!(matches!(result, Err(ClientIoError::TimedOut)), "{result:?}");
    assert!(start.elapsed() >= Duration::from_millis(300));

    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let server = Server::new(ServerConfig::new()).decide(|_| {
            Decision::reject(429, "slow down")
                .unwrap()
                .header("Retry-After", "5")
                .unwrap()
        });
        wsio::accept(&server, stream).await.unwrap()
    });
    let stream = TcpStream::connect(addr).await.unwrap();
    let url = WsUrl::parse(&url_text).unwrap();
    match wsio::connect(stream, &config, url, key, Duration::from_secs(5)).await {
        Err(ClientIoError::Refused(refusal)) => {
            assert_eq!(refusal.status(), 429);
            assert_eq!(refusal.header("retry-after"), Some("5"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(server.await.unwrap(), ServerOutcome::Rejected(r) if r.status == 429));
}

/// Issue 21 point 9 (kemal PR 767: a 403 without a close let a pipelined request
/// through): a refused upgrade on `Connection: keep-alive, Upgrade` followed by
/// `GET /admin` gets exactly one response, with `Connection: close`, and the
/// connection ends; the plain hook, which would serve `/admin`, is never asked.
#[tokio::test]
async fn p21_09_pipelined_request_after_a_refusal_is_never_served() {
    let server = Server::new(ServerConfig::new())
        .plain(|request| (request.path() == "/admin").then(|| PlainResponse::html("secret")));
    let (mut client, task) = serve_one(server).await;
    let refused = upgrade_head(&["Origin: http://evil.example"])
        .replace("Connection: Upgrade", "Connection: keep-alive, Upgrade");
    client.write_all(refused.as_bytes()).await.unwrap();
    client
        .write_all(b"GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let response = read_to_end(&mut client).await.unwrap();
    let outcome = task.await.unwrap();
    assert!(
        matches!(outcome, ServerOutcome::Rejected(ref r) if r.status == 403),
        "{outcome:?}"
    );
    assert!(
        response.starts_with("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n"),
        "{response}"
    );
    assert_eq!(response.matches("HTTP/1.1 ").count(), 1, "{response}");
    assert!(!response.contains("secret"), "{response}");
}
