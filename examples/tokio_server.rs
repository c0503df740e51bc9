//! A WebSocket echo server on tokio: ws-handshake does the handshake from an async
//! read loop, tokio-tungstenite does the framing.
//!
//! ```text
//! cargo run --example tokio_server -- [--listen ADDR] [--protocol NAME]... [--origin ORIGIN]...
//! ```

use std::sync::Arc;
use std::time::Duration;
use std::{env, process};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use ws_handshake::{Feed, OriginPolicy, ServerConfig, ServerHandshake};

mod common;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() {
    let (listen, config) = parse_args().unwrap_or_else(|e| {
        eprintln!("{e}");
        process::exit(2)
    });
    let listener = TcpListener::bind(&listen).await.unwrap_or_else(|e| {
        eprintln!("cannot listen on {listen}: {e}");
        process::exit(1)
    });
    let addr = listener.local_addr().map_or(listen, |a| a.to_string());
    println!("listening on {addr}");
    let config = Arc::new(config);
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let config = Arc::clone(&config);
        tokio::spawn(async move {
            if let Err(e) = serve(stream, &config).await {
                eprintln!("{peer}: {e}");
            }
        });
    }
}

/// `--listen ADDR` (default 127.0.0.1:9002), `--protocol NAME`..., `--origin ORIGIN`...
fn parse_args() -> Result<(String, ServerConfig), BoxError> {
    let (mut listen, mut protocols, mut origins) = ("127.0.0.1:9002".to_string(), vec![], vec![]);
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

/// One connection: the handshake, then echo until the client closes.
async fn serve(mut stream: TcpStream, config: &ServerConfig) -> Result<(), BoxError> {
    let mut handshake = ServerHandshake::new(config);
    let mut buf = [0u8; 4096];
    let mut out = Vec::new();
    // The crate reads no clock: the handshake deadline is ours.
    let leftover = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                return Ok::<_, BoxError>(None); // closed before completing a head
            }
            match handshake.feed(&buf[..n]) {
                Ok(Feed::NeedMore) => continue,
                Ok(Feed::Upgrade(upgrade)) => {
                    upgrade.accept().write_to(&mut out);
                    return Ok(Some(upgrade.leftover().to_vec()));
                }
                Ok(Feed::Plain(request)) => request.refuse().write_to(&mut out),
                Err(error) => error.rejection().write_to(&mut out),
            }
            return Ok(None);
        }
    })
    .await??;
    stream.write_all(&out).await?;
    let Some(leftover) = leftover else {
        return Ok(()); // refused: the response says so, and we close
    };
    let ws = WebSocketStream::from_partially_read(stream, leftover, Role::Server, None).await;
    common::echo(ws).await?;
    Ok(())
}
