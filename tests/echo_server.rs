//! The echo server example, run as a real process on 127.0.0.1 and driven by tungstenite.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

mod common;
use common::Server;

fn start(args: &[&str]) -> Server {
    common::start("echo_server", args)
}

#[test]
fn tungstenite_client_handshakes_and_echoes() {
    let server = start(&["--protocol", "chat", "--protocol", "superchat"]);
    common::handshake_and_echo(&server);
}

#[test]
fn pipelined_first_frame_is_not_lost() {
    let server = start(&[]);
    let head = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        server.addr
    );
    common::pipelined_first_frame_is_echoed(&server, &head);
}

#[test]
fn bad_requests_get_the_rejection_and_plain_get_the_page() {
    let server = start(&["--origin", "http://allowed.example"]);
    let exchange = |request: String| {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        // Refusals close the connection; a 101 keeps it open, so stop after its head.
        let mut response = Vec::new();
        let mut byte = [0u8; 1];
        while stream.read(&mut byte).unwrap() == 1 {
            response.push(byte[0]);
            if response.starts_with(b"HTTP/1.1 101") && response.ends_with(b"\r\n\r\n") {
                break;
            }
        }
        String::from_utf8(response).unwrap()
    };
    let upgrade = |extra: &str| {
        format!(
            "GET /echo HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{extra}\r\n",
            server.addr
        )
    };
    let r = exchange(upgrade("Sec-WebSocket-Version: 8\r\n"));
    assert!(r.starts_with("HTTP/1.1 426 Upgrade Required\r\n"), "{r}");
    assert!(r.contains("\r\nSec-WebSocket-Version: 13\r\n"));
    let r = exchange(upgrade(
        "Sec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n",
    ));
    assert!(r.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{r}");
    let r = exchange(upgrade(
        "Sec-WebSocket-Version: 13\r\nOrigin: http://allowed.example\r\n",
    ));
    assert!(r.starts_with("HTTP/1.1 101 Switching Protocols\r\n"), "{r}");
    let r = exchange(format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr));
    assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
    assert!(r.contains("new WebSocket("));
    let r = exchange(format!(
        "GET /other HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    ));
    assert!(r.starts_with("HTTP/1.1 426 Upgrade Required\r\n"), "{r}");
}
