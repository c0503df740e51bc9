//! The `h2_server` example, run as a real process on 127.0.0.1 and driven by an `h2`
//! client doing RFC 8441 extended CONNECTs over plaintext prior-knowledge HTTP/2.

use std::future::poll_fn;

use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use h2::client::SendRequest;
use h2::RecvStream;
use http::{Method, Request, Response};
use tokio::net::TcpStream;
use ws_handshake::{ClientConfig, ConnectClient, ConnectResponse, WsUrl};

mod common;
use common::Server;

fn start(args: &[&str]) -> Server {
    common::start("h2_server", &[&["--protocol", "chat"], args].concat())
}

/// An HTTP/2 client connection that has seen the server's SETTINGS.
async fn connect(addr: &str) -> SendRequest<Bytes> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut client = client.ready().await.unwrap();
    // RFC 8441 §3: a client may use :protocol only after the server's
    // SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 has arrived.
    tokio::time::timeout(Duration::from_secs(10), async {
        while !client.is_extended_connect_protocol_enabled() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("server advertised SETTINGS_ENABLE_CONNECT_PROTOCOL");
    client = client.ready().await.unwrap();
    client
}

fn extended_connect(addr: &str, protocol: &str, version: &str) -> Request<()> {
    Request::builder()
        .method(Method::CONNECT)
        .uri(format!("http://{addr}/echo"))
        .header("sec-websocket-version", version)
        .header("sec-websocket-protocol", "superchat, chat")
        .extension(h2::ext::Protocol::from(protocol))
        .body(())
        .unwrap()
}

/// A client-to-server frame: FIN, `opcode`, masked with `mask` (RFC 6455 §5.3).
fn masked_frame(opcode: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut frame = vec![0x80 | opcode, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// Reads DATA until `n` bytes have arrived, releasing flow-control capacity.
async fn read_exactly(body: &mut RecvStream, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < n {
        let chunk = tokio::time::timeout(Duration::from_secs(10), body.data())
            .await
            .expect("data in time")
            .expect("stream still open")
            .unwrap();
        body.flow_control().release_capacity(chunk.len()).unwrap();
        out.extend_from_slice(&chunk);
    }
    out
}

async fn body_text(response: Response<RecvStream>) -> String {
    let mut body = response.into_body();
    let mut out = Vec::new();
    while let Some(chunk) = body.data().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn extended_connect_handshakes_and_echoes_a_masked_frame() {
    let mut server = start(&[]);
    let mut client = connect(&server.addr).await;
    // ws-handshake's client side writes the extended CONNECT and checks the 200.
    let config = ClientConfig::new()
        .protocols(["superchat", "chat"])
        .unwrap();
    let url = format!("ws://{}/echo", server.addr);
    let connect_client = ConnectClient::new(&config, WsUrl::parse(&url).unwrap());
    let mut request = connect_client.request().to_http_request();
    request
        .extensions_mut()
        .insert(h2::ext::Protocol::from_static("websocket"));
    let (response, mut send) = client.send_request(request, false).unwrap();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 200);
    match connect_client.http_response(&response) {
        Ok(ConnectResponse::Connected(connected)) => {
            assert_eq!(connected.protocol(), Some("chat"))
        }
        other => panic!("{other:?}"),
    }
    let headers = response.headers();
    assert_eq!(headers["sec-websocket-protocol"], "chat");
    for forbidden in [
        "sec-websocket-accept",
        "connection",
        "upgrade",
        "content-length",
    ] {
        assert!(!headers.contains_key(forbidden), "{forbidden} in the 200");
    }
    let mut body = response.into_body();

    // One masked text frame; the echo comes back unmasked.
    send.send_data(
        Bytes::from(masked_frame(0x1, b"hello", [0x37, 0xfa, 0x21, 0x3d])),
        false,
    )
    .unwrap();
    assert_eq!(read_exactly(&mut body, 7).await, b"\x81\x05hello");

    // A ping is answered with a pong carrying the same payload.
    send.send_data(Bytes::from(masked_frame(0x9, b"p1", [1, 2, 3, 4])), false)
        .unwrap();
    assert_eq!(read_exactly(&mut body, 4).await, b"\x8a\x02p1");

    // The close handshake: status 1000 echoed, then END_STREAM.
    send.send_data(
        Bytes::from(masked_frame(0x8, &1000u16.to_be_bytes(), [9, 8, 7, 6])),
        false,
    )
    .unwrap();
    assert_eq!(read_exactly(&mut body, 4).await, b"\x88\x02\x03\xe8");
    send.send_data(Bytes::new(), true).unwrap();
    // Then END_STREAM (h2 may hand it over as an empty DATA frame), nothing more.
    let rest = tokio::time::timeout(Duration::from_secs(10), async {
        let mut rest = Vec::new();
        while let Some(chunk) = body.data().await {
            rest.extend_from_slice(&chunk.unwrap());
        }
        rest
    })
    .await
    .expect("server ends the stream after the close");
    assert!(rest.is_empty(), "nothing after the close frame: {rest:?}");
    assert!(body.is_end_stream());
    assert_eq!(
        server.lines.as_mut().unwrap().next().unwrap().unwrap(),
        "accepted extended CONNECT /echo (subprotocol chat)"
    );
    // The connection stays usable for other streams.
    poll_fn(|cx| client.poll_ready(cx)).await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn refusals_carry_their_status_over_http2() {
    let server = start(&[]);
    let mut client = connect(&server.addr).await;

    // Wrong WebSocket version: 426 with sec-websocket-version: 13, no upgrade field.
    let (response, _send) = client
        .send_request(extended_connect(&server.addr, "websocket", "8"), true)
        .unwrap();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 426);
    assert_eq!(response.headers()["sec-websocket-version"], "13");
    assert!(!response.headers().contains_key("upgrade"));
    assert_eq!(
        body_text(response).await,
        "Sec-WebSocket-Version must be 13\n"
    );

    // Another :protocol: 501 (RFC 9220 §3).
    let mut client = client.ready().await.unwrap();
    let (response, _send) = client
        .send_request(extended_connect(&server.addr, "webtransport", "13"), true)
        .unwrap();
    assert_eq!(response.await.unwrap().status(), 501);

    // A plain GET to the WebSocket endpoint: 405 with allow: CONNECT.
    let mut client = client.ready().await.unwrap();
    let get = Request::get(format!("http://{}/echo", server.addr))
        .body(())
        .unwrap();
    let (response, _send) = client.send_request(get, true).unwrap();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "CONNECT");
}

/// A browser binary, if this machine has one.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Headless Chromium loads the page over HTTP/2 + TLS (ALPN `h2` only, so no HTTP/1.1
/// fallback exists) and opens `wss://…/echo` on the same connection: RFC 8441 for real.
#[test]
fn chromium_opens_a_websocket_over_http2() {
    let Some(browser) = chromium() else {
        // CI installs it (tests/interop/install.sh); elsewhere a missing browser is a skip.
        assert!(std::env::var_os("CI").is_none(), "CI must have chromium");
        eprintln!("SKIPPED: no chromium on this machine");
        return;
    };
    let mut server = start(&["--tls"]);
    let profile = std::env::temp_dir().join(format!("ws-handshake-h2-{}", std::process::id()));
    let mut chromium = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--ignore-certificate-errors",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("https://{}/", server.addr))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let lines = server.lines.take().unwrap();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let outcome = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.starts_with("browser: ") => break line,
            Ok(line) => seen.push(line),
            Err(e) => break format!("no report from the browser: {e}"),
        }
    };
    let _ = chromium.kill();
    let _ = chromium.wait();
    let _ = std::fs::remove_dir_all(&profile);
    assert_eq!(seen, ["accepted extended CONNECT /echo (subprotocol chat)"]);
    assert_eq!(outcome, "browser: echoed/chat");
}
