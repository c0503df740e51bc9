//! A WebSocket echo server you could start from: tokio, ws-handshake's tokio adapter
//! for the handshake, tokio-tungstenite for the framing.
//!
//! ```text
//! cargo run --release --features tokio --example echo_server -- [--listen ADDR] [--protocol NAME]... [--origin ORIGIN]...
//!     [--deadline SECS] [--max-pending N] [--idle SECS] [--max-message BYTES]
//! ```
//!
//! Open `http://127.0.0.1:9001/` in a browser: the page connects back and echoes a message.
//!
//! What makes it survive slow clients and floods:
//! - one deadline for the whole handshake (`--deadline`, 10 s): a client still sending
//!   its head then gets a `408`, however slowly it trickles bytes;
//! - at most `--max-pending` handshakes at once (16,384): beyond that, connections
//!   wait in the kernel's backlog; a pending handshake costs a task (about
//!   2.2 KiB with its socket and timer, measured by `tests/load/slow_clients.py`)
//!   and the bytes received so far;
//! - rejections written with a lingering close, so clients read the status;
//! - a 100 ms pause after an accept error (out of descriptors) instead of a spin;
//! - at most ten log lines a second, with a count of the lines suppressed;
//! - after the upgrade, a message-size limit (`--max-message`, 1 MiB) and an idle
//!   timeout (`--idle`, 60 s);
//! - no `unwrap` or `panic!` on any path a peer can reach.

use std::process;
use std::sync::Arc;

use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use ws_handshake::io::{tokio::accept, PlainResponse, Server, ServerOutcome};

mod serving;
use serving::{Log, Options};

fn main() {
    let options = Options::from_args("echo_server", "127.0.0.1:9001");
    let config = options.config().unwrap_or_else(|e| {
        eprintln!("invalid configuration: {e}");
        process::exit(2)
    });
    let page = PlainResponse::html(&serving::page(&options.protocols));
    let server = Server::new(config)
        .with_deadline(options.deadline)
        .plain(move |request| {
            (request.method() == "GET" && request.path() == "/").then(|| page.clone())
        });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("cannot start the runtime: {e}");
            process::exit(1)
        });
    runtime.block_on(run(options, Arc::new(server)));
}

async fn run(options: Options, server: Arc<Server>) {
    let listener = options.bind().await;
    let log = Log::new();
    let options = Arc::new(options);
    let log_for_loop = Arc::clone(&log);
    serving::accept_loop(
        listener,
        options.max_pending,
        log_for_loop,
        move |stream, peer, permit| {
            let (server, options, log) =
                (Arc::clone(&server), Arc::clone(&options), Arc::clone(&log));
            async move {
                // The deadline, the 408, the rejections and the lingering close are the adapter's.
                let outcome = accept(&server, stream).await;
                drop(permit); // the handshake is over: let the next connection in
                let upgraded = match outcome {
                    Ok(ServerOutcome::Upgraded(upgraded)) => upgraded,
                    Ok(ServerOutcome::Rejected(rejected)) => {
                        return log.line(format_args!("{peer}: {rejected}"));
                    }
                    Ok(ServerOutcome::TimedOut) => {
                        return log.line(format_args!("{peer}: handshake deadline expired (408)"));
                    }
                    Ok(_) => return, // served the page, or closed by the client
                    Err(e) => return log.line(format_args!("{peer}: {e}")),
                };
                // Hand the stream and the bytes read after the head to tokio-tungstenite.
                let ws = WebSocketStream::from_partially_read(
                    upgraded.stream,
                    upgraded.leftover,
                    Role::Server,
                    Some(options.websocket_config()),
                )
                .await;
                if let Err(e) = serving::echo(ws, options.idle).await {
                    log.line(format_args!("{peer}: websocket: {e}"));
                }
            }
        },
    )
    .await;
}
