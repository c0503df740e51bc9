//! What the production-shaped servers (`echo_server`, `tokio_server`, `hyper_server`)
//! share: the command line, an accept loop with a cap on pending handshakes and a
//! back-off on accept errors, rate-limited logging, and the framing phase with a
//! message-size limit and an idle timeout. Not an example itself (it lives in a
//! subdirectory); each server says `mod serving;`.
#![allow(dead_code)] // each server uses part of this

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use std::{env, process};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::WebSocketStream;
use ws_handshake::{OriginPolicy, ServerConfig};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

const USAGE: &str = "[--listen ADDR] [--protocol NAME]... [--origin ORIGIN]... \
    [--deadline SECS] [--max-pending N] [--idle SECS] [--max-message BYTES]";

/// The command line every server takes.
#[derive(Debug, Clone)]
pub struct Options {
    pub listen: String,
    pub protocols: Vec<String>,
    pub origins: Vec<String>,
    /// The whole-handshake deadline (default 10 s).
    pub deadline: Duration,
    /// Handshakes pending at once; beyond it connections wait in the kernel backlog.
    pub max_pending: usize,
    /// A WebSocket that receives nothing for this long is closed (default 60 s).
    pub idle: Duration,
    /// The largest message (and frame) the framing library accepts (default 1 MiB).
    pub max_message: usize,
}

impl Options {
    /// Reads the command line; exits with 2 and the usage on a bad argument.
    pub fn from_args(name: &str, default_addr: &str) -> Self {
        Self::parse(default_addr).unwrap_or_else(|e| {
            eprintln!("{e}\nusage: {name} {USAGE}");
            process::exit(2)
        })
    }

    fn parse(default_addr: &str) -> Result<Self, String> {
        let mut options = Options {
            listen: default_addr.to_string(),
            protocols: Vec::new(),
            origins: Vec::new(),
            deadline: Duration::from_secs(10),
            max_pending: 16_384,
            idle: Duration::from_secs(60),
            max_message: 1 << 20,
        };
        let mut args = env::args().skip(1);
        while let Some(flag) = args.next() {
            if flag == "-h" || flag == "--help" {
                return Err("help".into());
            }
            let value = args.next().ok_or(format!("{flag} needs a value"))?;
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|e| format!("{flag} {value}: {e}"))
            };
            match flag.as_str() {
                "--listen" => options.listen = value.clone(),
                "--protocol" => options.protocols.push(value.clone()),
                "--origin" => options.origins.push(value.clone()),
                "--deadline" => options.deadline = Duration::from_secs(number()?),
                "--idle" => options.idle = Duration::from_secs(number()?),
                "--max-pending" => {
                    options.max_pending = usize::try_from(number()?)
                        .map_err(|e| e.to_string())?
                        .clamp(1, Semaphore::MAX_PERMITS)
                }
                "--max-message" => {
                    options.max_message = usize::try_from(number()?).map_err(|e| e.to_string())?
                }
                _ => return Err(format!("unknown argument {flag}")),
            }
        }
        Ok(options)
    }

    /// The handshake configuration: without `--origin` any origin is accepted (a demo
    /// with no cookies); with it, only those. tungstenite cannot compress, so
    /// permessage-deflate stays off (the default).
    pub fn config(&self) -> Result<ServerConfig, ws_handshake::BuildError> {
        let policy = match self.origins.is_empty() {
            true => OriginPolicy::Any,
            false => OriginPolicy::allow_list(&self.origins)?,
        };
        Ok(ServerConfig::new()
            .protocols(&self.protocols)?
            .origin_policy(policy))
    }

    /// tokio-tungstenite's limits for the framing phase.
    pub fn websocket_config(&self) -> WebSocketConfig {
        WebSocketConfig::default()
            .max_message_size(Some(self.max_message))
            .max_frame_size(Some(self.max_message))
    }

    /// Binds the listener and prints `listening on ADDR` (the tests wait for that
    /// line); exits with 1 if the address cannot be bound.
    pub async fn bind(&self) -> TcpListener {
        let listener = TcpListener::bind(&self.listen).await.unwrap_or_else(|e| {
            eprintln!("cannot listen on {}: {e}", self.listen);
            process::exit(1)
        });
        let addr = listener
            .local_addr()
            .map_or(self.listen.clone(), |a| a.to_string());
        println!("listening on {addr}");
        listener
    }
}

/// Accepts connections forever, at most `max_pending` handshakes at once: a permit is
/// taken before `accept`, so beyond the cap new connections wait in the kernel's
/// backlog (and beyond the backlog the kernel refuses them) instead of costing
/// memory here. The permit goes to `handle`, which drops it when the handshake
/// ends. An accept error (`EMFILE`: out of descriptors) is logged, rate-limited, and
/// followed by a 100 ms pause, so the loop never spins.
pub async fn accept_loop<F, Fut>(
    listener: TcpListener,
    max_pending: usize,
    log: Arc<Log>,
    handle: F,
) where
    F: Fn(TcpStream, SocketAddr, OwnedSemaphorePermit) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let pending = Arc::new(Semaphore::new(max_pending));
    loop {
        let Ok(permit) = Arc::clone(&pending).acquire_owned().await else {
            return; // closed: never happens, the semaphore is ours
        };
        match listener.accept().await {
            Ok((stream, peer)) => {
                tokio::spawn(handle(stream, peer, permit));
            }
            Err(e) => {
                log.line(format_args!("accept: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// A log that writes at most [`LINES_PER_SECOND`] lines a second to stderr and counts the others,
/// so that a flood of bad requests cannot flood the log.
#[derive(Debug, Default)]
pub struct Log {
    state: Mutex<LogState>,
}

#[derive(Debug, Default)]
struct LogState {
    /// When the current one-second window began.
    window: Option<Instant>,
    /// Lines written in the current window.
    written: u32,
    suppressed: u64,
}

/// Lines written per one-second window: a burst (a page and its favicon, a client's
/// retries) is logged whole, a flood costs at most this many lines a second.
const LINES_PER_SECOND: u32 = 10;

impl Log {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn line(&self, line: fmt::Arguments<'_>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let in_window = state
            .window
            .is_some_and(|start| now.duration_since(start) < Duration::from_secs(1));
        if !in_window {
            state.window = Some(now);
            state.written = 0;
        }
        if state.written >= LINES_PER_SECOND {
            state.suppressed = state.suppressed.saturating_add(1);
            return;
        }
        state.written += 1;
        match std::mem::take(&mut state.suppressed) {
            0 => eprintln!("{line}"),
            n => eprintln!("{line} ({n} similar lines suppressed)"),
        }
    }
}

/// Echoes text and binary messages with tokio-tungstenite until the client closes,
/// closing a connection that sends nothing for `idle`.
pub async fn echo<S>(mut ws: WebSocketStream<S>, idle: Duration) -> Result<(), BoxError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        let message = match tokio::time::timeout(idle, ws.next()).await {
            Ok(Some(message)) => message?,
            Ok(None) => return Ok(()),
            Err(_) => {
                let _ = ws.close(None).await;
                return Err("idle timeout".into());
            }
        };
        if message.is_text() || message.is_binary() {
            ws.send(message).await?;
        }
        // Pings are answered and closes completed by tungstenite.
    }
}

/// The page served for a plain `GET /`: it connects back, sends a message and shows
/// the echo.
pub fn page(protocols: &[String]) -> String {
    let quoted: Vec<String> = protocols.iter().map(|p| format!("{p:?}")).collect();
    PAGE.replace("PROTOCOLS", &format!("[{}]", quoted.join(", ")))
}

const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<title>ws-handshake echo</title>
<h1>ws-handshake echo</h1>
<p id="status">connecting…</p>
<script>
  const ws = new WebSocket(`ws://${location.host}/echo`, PROTOCOLS);
  const status = document.getElementById("status");
  ws.onopen = () => { status.textContent = `open (protocol: ${ws.protocol || "-"})`; ws.send("hello from the browser"); };
  ws.onmessage = (e) => { status.textContent = `echoed: ${e.data} (protocol: ${ws.protocol || "-"})`; document.title = "echoed"; };
  ws.onerror = () => { status.textContent = "error"; document.title = "error"; };
  ws.onclose = (e) => { if (document.title !== "echoed") status.textContent = `closed: ${e.code}`; };
</script>
"#;
