//! What the tokio and hyper examples share. Not an example itself: a file directly in
//! `examples/` is one, so this lives in a subdirectory and each example says `mod common;`.

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::WebSocketStream;

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
