//! What the tokio and hyper examples share: the command line, the listener and the
//! echo loop. Not an example itself: every file directly in `examples/` is one, so this
//! lives in a subdirectory and each example says `mod common;`.

use std::{env, process};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::WebSocketStream;
use ws_handshake::{OriginPolicy, ServerConfig};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Reads the command line and binds the listener, then prints `listening on ADDR`
/// (the integration tests wait for that line). Exits with 2 on a bad argument and
/// with 1 if the address cannot be bound.
pub async fn listen(default_addr: &str) -> (TcpListener, ServerConfig) {
    let (listen, config) = parse_args(default_addr).unwrap_or_else(|e| {
        eprintln!("{e}");
        process::exit(2)
    });
    let listener = TcpListener::bind(&listen).await.unwrap_or_else(|e| {
        eprintln!("cannot listen on {listen}: {e}");
        process::exit(1)
    });
    let addr = listener.local_addr().map_or(listen, |a| a.to_string());
    println!("listening on {addr}");
    (listener, config)
}

/// `--listen ADDR` (default `default_addr`), `--protocol NAME`..., `--origin ORIGIN`...
fn parse_args(default_addr: &str) -> Result<(String, ServerConfig), BoxError> {
    let (mut listen, mut protocols, mut origins) = (default_addr.to_string(), vec![], vec![]);
    let mut args = env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--listen" => listen = value,
            "--protocol" => protocols.push(value),
            "--origin" => origins.push(value),
            _ => return Err(format!("unknown argument {flag}").into()),
        }
    }
    // Without --origin any origin is accepted (a demo with no cookies); with it, only those.
    let policy = match origins.is_empty() {
        true => OriginPolicy::Any,
        false => OriginPolicy::allow_list(&origins)?,
    };
    let config = ServerConfig::new()
        .protocols(&protocols)?
        .origin_policy(policy);
    Ok((listen, config))
}

/// Echoes text and binary messages until the client closes.
pub async fn echo<S>(mut ws: WebSocketStream<S>) -> Result<(), tungstenite::Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    while let Some(message) = ws.next().await {
        let message = message?;
        if message.is_text() || message.is_binary() {
            ws.send(message).await?;
        }
        // Pings are answered and closes completed by tungstenite.
    }
    Ok(())
}
