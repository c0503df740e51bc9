//! The tokio and hyper examples, run as real processes on 127.0.0.1 and driven by
//! tungstenite's client and by raw requests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

mod common;
use common::Server;

/// Sends `request` and reads the response until the server closes the connection.
fn exchange(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    String::from_utf8(response).unwrap()
}

fn upgrade(addr: &str, extra: &str) -> String {
    format!(
        "GET /echo HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{extra}\r\n"
    )
}

fn tokio_server(args: &[&str]) -> Server {
    common::start("tokio_server", args)
}

#[test]
fn tokio_server_handshakes_and_echoes() {
    let server = tokio_server(&["--protocol", "chat", "--protocol", "superchat"]);
    common::handshake_and_echo(&server);
}

#[test]
fn tokio_server_keeps_a_pipelined_first_frame() {
    let server = tokio_server(&[]);
    let head = upgrade(&server.addr, "Sec-WebSocket-Version: 13\r\n");
    common::pipelined_first_frame_is_echoed(&server, &head);
}

#[test]
fn tokio_server_refuses_bad_and_plain_requests() {
    let server = tokio_server(&["--origin", "http://allowed.example"]);
    let r = exchange(
        &server.addr,
        &upgrade(&server.addr, "Sec-WebSocket-Version: 8\r\n"),
    );
    assert!(r.starts_with("HTTP/1.1 426 Upgrade Required\r\n"), "{r}");
    assert!(r.contains("\r\nSec-WebSocket-Version: 13\r\n"), "{r}");
    let r = exchange(
        &server.addr,
        &upgrade(
            &server.addr,
            "Sec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n",
        ),
    );
    assert!(r.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{r}");
    let r = exchange(
        &server.addr,
        &format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr),
    );
    assert!(r.starts_with("HTTP/1.1 426 Upgrade Required\r\n"), "{r}");
}

#[cfg(feature = "http")]
mod hyper {
    use super::*;

    fn hyper_server(args: &[&str]) -> Server {
        common::start("hyper_server", args)
    }

    #[test]
    fn hyper_server_handshakes_and_echoes() {
        let server = hyper_server(&["--protocol", "chat", "--protocol", "superchat"]);
        common::handshake_and_echo(&server);
    }

    #[test]
    fn hyper_server_serves_plain_http_and_refuses_bad_upgrades() {
        let server = hyper_server(&["--origin", "http://allowed.example"]);
        let addr = &server.addr;
        let r = exchange(
            addr,
            &format!("GET /hello HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        );
        assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
        assert!(r.ends_with("\r\n\r\nplain HTTP: GET /hello\n"), "{r}");

        let r = exchange(addr, &upgrade(addr, "Sec-WebSocket-Version: 8\r\n"));
        assert!(r.starts_with("HTTP/1.1 426 Upgrade Required\r\n"), "{r}");
        let lower = r.to_ascii_lowercase();
        assert!(lower.contains("\r\nsec-websocket-version: 13\r\n"), "{r}");
        assert!(lower.contains("\r\nupgrade: websocket\r\n"), "{r}");
        assert!(lower.contains("\r\nconnection: upgrade, close\r\n"), "{r}");
        assert!(
            r.ends_with("\r\n\r\nSec-WebSocket-Version must be 13\n"),
            "{r}"
        );

        let post = upgrade(addr, "Sec-WebSocket-Version: 13\r\n").replacen("GET", "POST", 1);
        let r = exchange(addr, &post);
        assert!(r.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"), "{r}");
        assert!(r.to_ascii_lowercase().contains("\r\nallow: get\r\n"), "{r}");

        let r = exchange(
            addr,
            &upgrade(
                addr,
                "Sec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n",
            ),
        );
        assert!(r.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{r}");
        assert!(r.ends_with("\r\n\r\nOrigin is not allowed\n"), "{r}");
    }
}
