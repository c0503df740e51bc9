//! A WebSocket echo server on tokio: ws-handshake does the handshake from an async
//! read loop, tokio-tungstenite does the framing.
//!
//! ```text
//! cargo run --example tokio_server -- [--listen ADDR] [--protocol NAME]... [--origin ORIGIN]...
//! ```

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use ws_handshake::{ServerConfig, ServerFeed, ServerHandshake};

mod common;
use common::BoxError;

#[tokio::main]
async fn main() {
    let (listener, config) = common::listen("127.0.0.1:9002").await;
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
                Ok(ServerFeed::NeedMore) => continue,
                Ok(ServerFeed::Upgrade(upgrade)) => {
                    upgrade.accept().write_to(&mut out);
                    return Ok(Some(upgrade.leftover().to_vec()));
                }
                Ok(ServerFeed::Plain(request)) => request.refuse().write_to(&mut out),
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
