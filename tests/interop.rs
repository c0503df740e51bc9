//! Interop: `examples/client.rs` against a real Python `websockets` echo server
//! (`tests/interop/py_echo_server.py`) on 127.0.0.1, with and without subprotocols.
//!
//! Needs `python3` with the `websockets` package (`pip install websockets`). When they
//! are missing the tests FAIL, unless `WS_HANDSHAKE_SKIP_INTEROP=1` is set.
//! The example is built with `cargo build --release --example client` and run with
//! `cargo run --release --example client -- ...`, its documented command line.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::OnceLock;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// Whether to skip; panics with a clear message if python3 or websockets is missing.
fn skip() -> bool {
    if std::env::var("WS_HANDSHAKE_SKIP_INTEROP").is_ok_and(|v| v == "1") {
        eprintln!("WS_HANDSHAKE_SKIP_INTEROP=1: skipping the Python websockets interop test");
        return true;
    }
    let check = Command::new("python3")
        .args(["-c", "import websockets; print(websockets.__version__)"])
        .output();
    match check {
        Ok(out) if out.status.success() => false,
        Ok(out) => panic!(
            "the interop test needs the Python package `websockets` (pip install websockets), \
             or set WS_HANDSHAKE_SKIP_INTEROP=1 to skip it: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "the interop test needs python3 with `websockets` installed, \
             or set WS_HANDSHAKE_SKIP_INTEROP=1 to skip it: python3: {e}"
        ),
    }
}

/// Builds the example once for all tests of this file.
fn build_example() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--example", "client"])
            .current_dir(MANIFEST_DIR)
            .status()
            .expect("run cargo build");
        assert!(
            status.success(),
            "cargo build --release --example client failed"
        );
    });
}

/// Runs `cargo run --release --example client -- ARGS`.
fn client(args: &[&str]) -> Output {
    build_example();
    Command::new(env!("CARGO"))
        .args(["run", "--release", "--quiet", "--example", "client", "--"])
        .args(args)
        .current_dir(MANIFEST_DIR)
        .stdin(Stdio::null())
        .output()
        .expect("run the client example")
}

/// A Python websockets echo server on 127.0.0.1, stopped when dropped.
struct PyServer {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
}

impl PyServer {
    fn start(subprotocols: &[&str]) -> Self {
        let script = Path::new(MANIFEST_DIR).join("tests/interop/py_echo_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args(subprotocols)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start python3 tests/interop/py_echo_server.py");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("server stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the server's port");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the Python server printed {line:?}, not its port"));
        Self { child, stdin, port }
    }

    fn url(&self, path: &str) -> String {
        format!("ws://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        drop(self.stdin.take()); // EOF on stdin stops the server
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn python_websockets_with_a_subprotocol() {
    if skip() {
        return;
    }
    let server = PyServer::start(&["chat"]);
    let out = client(&[
        &server.url("/chat?room=1"),
        "--protocol",
        "chat",
        "--send",
        "hello",
    ]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "protocol: chat\nreceived: hello\n");

    // Several offered; the server picks the one it supports.
    let out = client(&[
        &server.url("/"),
        "--protocol",
        "mqtt",
        "--protocol",
        "chat",
        "--origin",
        "http://127.0.0.1",
        "--send",
        "hello again",
    ]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "protocol: chat\nreceived: hello again\n");

    // Offering none: websockets refuses with 400, which the client reports.
    let out = client(&[&server.url("/"), "--send", "hello"]);
    assert!(!out.status.success());
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("400"),
        "stderr: {}",
        text(&out.stderr)
    );
}

#[test]
fn python_websockets_without_subprotocols() {
    if skip() {
        return;
    }
    let server = PyServer::start(&[]);
    let out = client(&[&server.url("/"), "--send", "hello"]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "protocol: -\nreceived: hello\n");

    let out = client(&[&server.url("/")]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "protocol: -\n");

    // We offer chat, the server answers no subprotocol: the default policy fails.
    let out = client(&[&server.url("/"), "--protocol", "chat", "--send", "hello"]);
    assert!(!out.status.success());
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("none of the offered subprotocols"),
        "stderr: {}",
        text(&out.stderr)
    );
}

#[test]
fn example_refuses_tls_and_bad_arguments() {
    let out = client(&["wss://127.0.0.1:1/"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("TLS is not in this example"));

    let out = client(&["http://127.0.0.1/"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("ws:// or wss://"),
        "{}",
        text(&out.stderr)
    );

    let out = client(&[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("usage: client URL"));
}
