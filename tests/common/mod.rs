//! What the integration tests share: the request/response builders (`builders`), the
//! in-memory drivers and client⇄server `Pair` (`pair`), a counting allocator
//! (`counting`), and (here) running the crate's examples as real processes on
//! 127.0.0.1 with the checks more than one of them makes.
#![allow(dead_code)] // each test crate uses part of this

pub mod builders;
pub mod counting;
pub mod pair;

use std::io::{BufRead, BufReader, Lines, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use tungstenite::client::IntoClientRequest;
use tungstenite::Message;

/// The example binary, built with all features (up to date whatever the test filter:
/// `cargo test --test x` alone does not build examples).
pub fn example(name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|b| b == name) {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--all-features", "--example", name]);
        // The variables cargo sets for this test would make build scripts (ring's)
        // see a changed environment and rebuild every time.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("CARGO_PKG_")
                || key.starts_with("CARGO_MANIFEST_")
                || [
                    "CARGO_CRATE_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                    "OUT_DIR",
                ]
                .contains(&key.as_ref())
            {
                cargo.env_remove(key.as_ref());
            }
        }
        assert!(
            cargo.status().unwrap().success(),
            "cargo build --example {name}"
        );
        built.push(name.to_string());
    }
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name)
}

/// An example server listening on an ephemeral port; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    /// The rest of the server's stdout, line by line.
    pub lines: Option<Lines<BufReader<ChildStdout>>>,
}

impl Server {
    /// The process id (for /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts example `name` with `--listen 127.0.0.1:0` and `args`, and waits for its
/// `listening on ADDR` line.
pub fn start(name: &str, args: &[&str]) -> Server {
    let mut child = Command::new(example(name))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().expect("a listening line").unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_string();
    Server {
        child,
        addr,
        lines: Some(lines),
    }
}

/// Opens a WebSocket with tungstenite's client, offering two subprotocols, and
/// checks the chosen one, the echo of a text and a 64 KiB binary message, and that the
/// server completes the closing handshake. Start the server with
/// `--protocol chat --protocol superchat`.
pub fn handshake_and_echo(server: &Server) {
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
    // The server completes the closing handshake.
    loop {
        match ws.read() {
            Ok(_) => continue,
            Err(tungstenite::Error::ConnectionClosed) => break,
            Err(e) => panic!("unexpected {e}"),
        }
    }
}

/// Sends the upgrade request `head` (for the RFC 6455 sample key) and a masked text
/// frame "Hello" in one write, and checks the 101 and the echo: the frame is in the
/// handshake's leftover and must reach the WebSocket layer.
pub fn pipelined_first_frame_is_echoed(server: &Server, head: &str) {
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut bytes = head.as_bytes().to_vec();
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
