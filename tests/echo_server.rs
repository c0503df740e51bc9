//! The echo server example, run as a real process on 127.0.0.1 and driven by tungstenite.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tungstenite::client::IntoClientRequest;
use tungstenite::Message;

/// The example binary that `cargo test` builds next to the test binaries.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir.join("examples").join(name);
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--example", name])
            .status()
            .unwrap();
        assert!(status.success());
    }
    path
}

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Server {
    let mut child = Command::new(example("echo_server"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_string();
    Server { child, addr }
}

#[test]
fn tungstenite_client_handshakes_and_echoes() {
    let server = start(&["--protocol", "chat", "--protocol", "superchat"]);
    let mut request = format!("ws://{}/echo", server.addr)
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", "superchat, chat".parse().unwrap());
    let (mut ws, response) = tungstenite::connect(request).unwrap();
    assert_eq!(response.status(), 101);
    // Server preference: "chat" is first in the server's list.
    assert_eq!(response.headers()["sec-websocket-protocol"], "chat");
    ws.send(Message::text("hello")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("hello"));
    let big = vec![7u8; 64 * 1024];
    ws.send(Message::binary(big.clone())).unwrap();
    assert_eq!(ws.read().unwrap(), Message::binary(big));
    ws.close(None).unwrap();
}

#[test]
fn pipelined_first_frame_is_not_lost() {
    let server = start(&[]);
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The head and a masked text frame "Hello" in one write.
    let mut bytes = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        server.addr
    )
    .into_bytes();
    bytes.extend_from_slice(&[
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
    ]);
    stream.write_all(&bytes).unwrap();
    let expected_head =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    let mut got = vec![0u8; expected_head.len() + 7];
    stream.read_exact(&mut got).unwrap();
    assert_eq!(&got[..expected_head.len()], expected_head.as_bytes());
    // The echo: an unmasked text frame "Hello".
    assert_eq!(&got[expected_head.len()..], b"\x81\x05Hello");
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
