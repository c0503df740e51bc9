//! Running the crate's examples as real processes on 127.0.0.1 for integration tests.
#![allow(dead_code)] // each test crate uses part of this

use std::io::{BufRead, BufReader, Lines};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Mutex;

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
