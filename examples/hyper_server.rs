//! A hyper 1.x server that serves plain HTTP and WebSocket echo on the same port:
//! the `http` feature validates the request and builds the `101`,
//! `hyper::upgrade::on` hands the connection to tokio-tungstenite.
//!
//! ```text
//! cargo run --features http --example hyper_server -- [--listen ADDR] [--protocol NAME]... [--origin ORIGIN]...
//!     [--deadline SECS] [--max-pending N] [--idle SECS] [--max-message BYTES]
//! ```
//!
//! Here hyper reads the request head, so the defences are hyper's settings: a timer
//! (without one, `header_read_timeout` is silently off) with `header_read_timeout`
//! set to the handshake deadline, and `max_buf_size` equal to the crate's head limit
//! (hyper's own default, about 400 KiB, would decide instead of the 16 KiB limit).
//! The cap on pending connections, the accept back-off, the rate-limited log, the
//! message-size limit and the idle timeout are `echo_server`'s.

use std::convert::Infallible;
use std::process;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use ws_handshake::http::{inspect, Inspect};
use ws_handshake::ServerConfig;

mod serving;
use serving::{BoxError, Log, Options};

/// hyper refuses a read buffer under 8 KiB.
const HYPER_MIN_BUF: usize = 8192;

fn main() {
    let options = Options::from_args("hyper_server", "127.0.0.1:9003");
    let config = options.config().unwrap_or_else(|e| {
        eprintln!("invalid configuration: {e}");
        process::exit(2)
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("cannot start the runtime: {e}");
            process::exit(1)
        });
    runtime.block_on(run(Arc::new(options), Arc::new(config)));
}

async fn run(options: Arc<Options>, config: Arc<ServerConfig>) {
    let listener = options.bind().await;
    let log = Log::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.deadline)
        .max_buf_size(config.limits().max_head_bytes().max(HYPER_MIN_BUF));
    let builder = Arc::new(builder);
    let loop_log = Arc::clone(&log);
    serving::accept_loop(
        listener,
        options.max_pending,
        loop_log,
        move |stream, peer, permit| {
            let (config, options, log, builder) = (
                Arc::clone(&config),
                Arc::clone(&options),
                Arc::clone(&log),
                Arc::clone(&builder),
            );
            async move {
                let service_log = Arc::clone(&log);
                let service = service_fn(move |request| {
                    handle(
                        request,
                        Arc::clone(&config),
                        Arc::clone(&options),
                        Arc::clone(&service_log),
                    )
                });
                let connection = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades();
                // The permit covers the HTTP phase; the WebSocket runs in its own task.
                if let Err(e) = connection.await {
                    log.line(format_args!("{peer}: {e}"));
                }
                drop(permit);
            }
        },
    )
    .await;
}

async fn handle(
    mut request: Request<Incoming>,
    config: Arc<ServerConfig>,
    options: Arc<Options>,
    log: Arc<Log>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = match inspect(&request, &config) {
        Ok(Inspect::Upgrade(upgrade)) => upgrade.accept().to_http_response(),
        Ok(Inspect::Plain) => {
            let text = format!("plain HTTP: {} {}\n", request.method(), request.uri());
            return Ok(Response::new(Full::from(text)));
        }
        Err(error) => {
            log.line(format_args!("rejected ({}): {error}", error.status()));
            return Ok(error.rejection().to_http_response().map(Full::from));
        }
    };
    // hyper switches protocols once this 101 is written.
    let on_upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        let result: Result<(), BoxError> = async {
            let io = TokioIo::new(on_upgrade.await?);
            let ws = WebSocketStream::from_raw_socket(
                io,
                Role::Server,
                Some(options.websocket_config()),
            )
            .await;
            serving::echo(ws, options.idle).await
        }
        .await;
        if let Err(e) = result {
            log.line(format_args!("websocket: {e}"));
        }
    });
    Ok(response.map(|()| Full::default()))
}
