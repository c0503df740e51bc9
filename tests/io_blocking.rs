//! The blocking adapter (`io::blocking`) on real loopback sockets: the server and
//! client sides, the one deadline, the 408, the lingering close.
#![cfg(feature = "blocking-io")]

mod common;

use common::builders::upgrade_request;

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use ws_handshake::deflate::{DeflateConfig, DeflateOffer};
use ws_handshake::io::{blocking, ClientIoError, Decision, PlainResponse, Server, ServerOutcome};
use ws_handshake::{ClientConfig, ClientKey, OriginPolicy, ServerConfig, WsUrl};

/// A valid upgrade to `/chat?room=1` for the sample key, with `extra` header lines.
fn upgrade_head(extra: &[&str]) -> String {
    String::from_utf8(upgrade_request("/chat?room=1", "127.0.0.1", extra)).unwrap()
}

/// Runs `server` on one accepted connection in a thread; `client` drives the other end.
fn with_server<T: Send + 'static>(
    server: Server,
    client: impl FnOnce(TcpStream) -> T,
) -> (ServerOutcome<TcpStream>, T) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        blocking::accept(&server, stream).unwrap()
    });
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let result = client(stream);
    (handle.join().unwrap(), result)
}

/// Reads until end-of-stream (what a client does after a refusal).
fn read_to_end(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    Ok(String::from_utf8_lossy(&response).into_owned())
}

/// Reads one response head (up to the empty line).
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "closed inside the head");
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

/// RFC 6455 §4.2.1/§4.2.2: a valid upgrade gets the 101 with the accept value of the
/// key, and a frame sent right after the head (§1.2: frames may follow immediately)
/// is handed back byte-exact.
#[test]
fn upgrade_keeps_the_frames_sent_with_the_head() {
    let config = ServerConfig::new().protocols(["chat"]).unwrap();
    let frame = b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"; // RFC 6455 §5.7 "Hello", masked
    let (outcome, head) = with_server(Server::new(config), |mut s| {
        let mut bytes = upgrade_head(&[
            "Sec-WebSocket-Protocol: chat",
            "Cookie: a=1; session=\"xyz\"",
        ])
        .into_bytes();
        bytes.extend_from_slice(frame);
        s.write_all(&bytes).unwrap();
        read_head(&mut s)
    });
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    assert!(head.contains("\r\nSec-WebSocket-Protocol: chat\r\n"));
    let ServerOutcome::Upgraded(up) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(up.leftover, frame);
    assert_eq!(up.request.path(), "/chat");
    assert_eq!(up.request.query(), Some("room=1"));
    assert_eq!(up.request.protocol.as_deref(), Some("chat"));
    assert_eq!(up.request.cookie("session"), Some("xyz"));
    assert_eq!(up.request.header("sec-websocket-version"), Some("13"));
    // The deadline's timeouts are gone from the stream handed over.
    assert_eq!(up.stream.read_timeout().unwrap(), None);
    assert_eq!(up.stream.write_timeout().unwrap(), None);
}

/// The deadline covers the whole head, not each read: a client that sends a byte
/// every 100 ms (each read well inside any per-read timeout) gets a 408 (RFC 9110
/// §15.5.9) at the 300 ms deadline, then end-of-stream.
#[test]
fn slow_client_gets_408_at_the_deadline() {
    let server = Server::new(ServerConfig::new()).with_deadline(Duration::from_millis(300));
    let start = Instant::now();
    let (outcome, response) = with_server(server, |mut s| {
        s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .unwrap();
        s.set_nonblocking(true).unwrap();
        let mut received = Vec::new();
        let mut buf = [0u8; 256];
        // One byte every 100 ms until the server answers and closes.
        while start.elapsed() < Duration::from_secs(5) {
            let _ = s.write(b"X");
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => panic!("{e}"),
            }
            thread::sleep(Duration::from_millis(100));
        }
        String::from_utf8(received).unwrap()
    });
    let elapsed = start.elapsed();
    assert!(matches!(outcome, ServerOutcome::TimedOut), "{outcome:?}");
    assert!(
        response.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{response}"
    );
    assert!(response.contains("\r\nConnection: close\r\n"), "{response}");
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
}

/// A refusal closed with unread input makes the kernel reset the connection; with the
/// lingering close the client reads the whole 431 (RFC 6585 §5) although it sent
/// 48 KiB, far more than the 16 KiB head limit the server read before refusing.
#[test]
fn client_reads_the_whole_431_after_sending_more_than_was_read() {
    let (outcome, result) = with_server(Server::new(ServerConfig::new()), |mut s| {
        let mut flood = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ".to_vec();
        flood.resize(48 * 1024, b'a');
        // Every write error is ignored: what counts is what the client reads after.
        let _ = s.write_all(&flood);
        read_to_end(&mut s)
    });
    let Ok(response) = result else {
        panic!("the client could not read the refusal: {result:?}")
    };
    assert!(
        response.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
        "{response}"
    );
    assert!(
        response.ends_with("request head is larger than 16384 bytes\n"),
        "{response}"
    );
    let ServerOutcome::Rejected(refused) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(refused.status, 431);
    assert!(refused.error.is_some());
}

/// A request that is not an upgrade goes to the plain hook (a page on `/`); without an
/// answer from the hook it gets the 426 with `Upgrade: websocket` (RFC 9110 §15.5.22).
#[test]
fn plain_requests_go_to_the_hook_or_get_426() {
    let server = || {
        Server::new(ServerConfig::new())
            .plain(|request| (request.path() == "/").then(|| PlainResponse::html("<p>page</p>")))
    };
    let (outcome, response) = with_server(server(), |mut s| {
        s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        read_to_end(&mut s).unwrap()
    });
    assert!(
        matches!(outcome, ServerOutcome::Served { status: 200 }),
        "{outcome:?}"
    );
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.contains("\r\nContent-Length: 11\r\n"),
        "{response}"
    );
    assert!(response.ends_with("\r\n\r\n<p>page</p>"), "{response}");

    let (outcome, response) = with_server(server(), |mut s| {
        s.write_all(b"GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        read_to_end(&mut s).unwrap()
    });
    assert!(
        matches!(outcome, ServerOutcome::Rejected(r) if r.status == 426),
        "{outcome:?}"
    );
    assert!(
        response.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
        "{response}"
    );
    assert!(
        response.contains("\r\nUpgrade: websocket\r\n"),
        "{response}"
    );
}

/// The decision hook refuses a valid upgrade with the caller's status and headers
/// (RFC 6455 §4.2.2 item 4: the server may answer e.g. 401 with `WWW-Authenticate`).
#[test]
fn decide_hook_refuses_with_its_own_status() {
    let server =
        Server::new(ServerConfig::new()).decide(|upgrade| match upgrade.cookie("session") {
            Some("good") => Decision::accept().header("Set-Cookie", "seen=1").unwrap(),
            _ => Decision::reject(401, "log in first")
                .and_then(|d| d.header("WWW-Authenticate", "Bearer"))
                .unwrap(),
        });
    let (outcome, response) = with_server(server, |mut s| {
        s.write_all(upgrade_head(&["Cookie: session=bad"]).as_bytes())
            .unwrap();
        read_to_end(&mut s).unwrap()
    });
    assert!(
        response.starts_with("HTTP/1.1 401 Unauthorized\r\n"),
        "{response}"
    );
    assert!(
        response.contains("\r\nWWW-Authenticate: Bearer\r\n"),
        "{response}"
    );
    assert!(response.ends_with("log in first"), "{response}");
    assert!(
        matches!(outcome, ServerOutcome::Rejected(r) if r.status == 401 && r.error.is_none()),
        "{outcome:?}"
    );
    // A header the handshake writes itself cannot be added (no injection, no duplicates).
    assert!(Decision::accept()
        .header("Sec-WebSocket-Accept", "x")
        .is_err());
    assert!(Decision::accept().header("X", "a\r\nB: c").is_err());
    assert!(Decision::reject(200, "ok").is_err());
}

/// The client adapter against the server adapter: subprotocol and permessage-deflate
/// negotiated (RFC 6455 §4.1, RFC 7692 §7), both sides agree.
#[test]
fn client_adapter_against_server_adapter() {
    let config = ServerConfig::new()
        .protocols(["chat"])
        .unwrap()
        .deflate(Some(DeflateConfig::new()));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::new(config).with_deadline(Duration::from_secs(5));
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        match blocking::accept(&server, stream).unwrap() {
            ServerOutcome::Upgraded(mut up) => {
                up.stream.write_all(b"\x81\x02hi").unwrap();
                up.request
            }
            other => panic!("{other:?}"),
        }
    });
    let client = ClientConfig::new()
        .protocols(["chat"])
        .unwrap()
        .deflate(Some(DeflateOffer::new()))
        .unwrap();
    let url_text = format!("ws://{addr}/chat");
    let url = WsUrl::parse(&url_text).unwrap();
    let stream = TcpStream::connect(addr).unwrap();
    let key = ClientKey::from_nonce(*b"0123456789abcdef");
    let mut connected =
        blocking::connect(stream, &client, url, key, Duration::from_secs(5)).unwrap();
    let request = handle.join().unwrap();
    assert_eq!(connected.protocol.as_deref(), Some("chat"));
    assert_eq!(request.protocol.as_deref(), Some("chat"));
    assert!(connected.deflate.is_some());
    assert_eq!(connected.deflate, request.deflate);
    // The server's first frame arrives with the 101 or right after it.
    let mut frame = connected.leftover.clone();
    while frame.len() < 4 {
        let mut buf = [0u8; 16];
        let n = connected.stream.read(&mut buf).unwrap();
        assert!(n > 0);
        frame.extend_from_slice(&buf[..n]);
    }
    assert_eq!(frame, b"\x81\x02hi");
}

/// A server that sends the 101 and a frame in one write: the client hands the frame
/// back as leftover; and a refusal comes back with its status and headers.
#[test]
fn client_adapter_keeps_leftover_and_reports_refusals() {
    let key = ClientKey::from_nonce(*b"0123456789abcdef");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accept = key.expected_accept().to_string();
    let handle = thread::spawn(move || {
        let mut upgrade = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
        )
        .into_bytes();
        upgrade.extend_from_slice(b"\x81\x02hi");
        let redirect =
            b"HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n";
        for response in [upgrade, redirect.to_vec()] {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).unwrap();
            s.write_all(&response).unwrap();
            thread::sleep(Duration::from_millis(100));
        }
    });
    let config = ClientConfig::new();
    let url_text = format!("ws://{addr}/");
    let connect = || {
        let stream = TcpStream::connect(addr).unwrap();
        let url = WsUrl::parse(&url_text).unwrap();
        blocking::connect(stream, &config, url, key, Duration::from_secs(5))
    };
    let connected = connect().unwrap();
    assert_eq!(connected.leftover, b"\x81\x02hi");
    match connect() {
        Err(ClientIoError::Refused(refusal)) => {
            assert_eq!(refusal.status(), 302);
            assert_eq!(refusal.header("location"), Some("ws://127.0.0.1:1/"));
        }
        other => panic!("{other:?}"),
    }
    handle.join().unwrap();
}

/// The client's deadline covers waiting for the response too.
#[test]
fn client_adapter_times_out_on_a_silent_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let stream = TcpStream::connect(addr).unwrap();
    let (_held, _) = listener.accept().unwrap(); // accepted, never answers
    let config = ClientConfig::new();
    let url_text = format!("ws://{addr}/");
    let url = WsUrl::parse(&url_text).unwrap();
    let start = Instant::now();
    let key = ClientKey::from_nonce([1; 16]);
    let result = blocking::connect(stream, &config, url, key, Duration::from_millis(300));
    assert!(matches!(result, Err(ClientIoError::TimedOut)), "{result:?}");
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(3));
}

/// The Origin policy's 403 (RFC 6455 §4.2.2 item 4) reaches the client adapter as a
/// refusal with the status and `Sec-WebSocket-Version` kept.
#[test]
fn server_refusal_reaches_the_client_adapter() {
    let config = ServerConfig::new()
        .origin_policy(OriginPolicy::allow_list(["https://good.example"]).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::new(config);
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        blocking::accept(&server, stream).unwrap()
    });
    let client = ClientConfig::new().origin("https://evil.example").unwrap();
    let url_text = format!("ws://{addr}/");
    let url = WsUrl::parse(&url_text).unwrap();
    let stream = TcpStream::connect(addr).unwrap();
    let key = ClientKey::from_nonce([2; 16]);
    match blocking::connect(stream, &client, url, key, Duration::from_secs(5)) {
        Err(ClientIoError::Refused(refusal)) => {
            assert_eq!(refusal.status(), 403);
            assert_eq!(refusal.header("sec-websocket-version"), Some("13"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(handle.join().unwrap(), ServerOutcome::Rejected(r) if r.status == 403));
}

/// Issue 21 point 9 (kemal PR 767: a 403 without a close let a pipelined request
/// through): a refused upgrade on `Connection: keep-alive, Upgrade` followed by
/// `GET /admin` gets exactly one response, with `Connection: close`, and the
/// connection ends; the plain hook, which would serve `/admin`, is never asked.
#[test]
fn p21_09_pipelined_request_after_a_refusal_is_never_served() {
    let server = Server::new(ServerConfig::new())
        .plain(|request| (request.path() == "/admin").then(|| PlainResponse::html("secret")));
    let refused = upgrade_head(&["Origin: http://evil.example"])
        .replace("Connection: Upgrade", "Connection: keep-alive, Upgrade");
    let (outcome, response) = with_server(server, |mut s| {
        s.write_all(refused.as_bytes()).unwrap();
        s.write_all(b"GET /admin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        read_to_end(&mut s).unwrap()
    });
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
