//! A hyper 1.x server that serves plain HTTP and WebSocket echo on the same port:
//! the `http` feature validates the request and builds the `101`,
//! `hyper::upgrade::on` hands the connection to tokio-tungstenite.
//!
//! ```text
//! cargo run --features http --example hyper_server -- [--listen ADDR] [--protocol NAME]... [--origin ORIGIN]...
//! ```

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use ws_handshake::http::{inspect, Inspect};
use ws_handshake::ServerConfig;

mod common;
use common::BoxError;

#[tokio::main]
async fn main() {
    let (listener, config) = common::listen("127.0.0.1:9003").await;
    let config = Arc::new(config);
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let config = Arc::clone(&config);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(request, Arc::clone(&config)));
            let connection = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            if let Err(e) = connection.await {
                eprintln!("{peer}: {e}");
            }
        });
    }
}

async fn handle(
    mut request: Request<Incoming>,
    config: Arc<ServerConfig>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = match inspect(&request, &config) {
        Ok(Inspect::Upgrade(upgrade)) => upgrade.accept().to_http_response(),
        Ok(Inspect::Plain) => {
            let text = format!("plain HTTP: {} {}\n", request.method(), request.uri());
            return Ok(Response::new(Full::from(text)));
        }
        Err(error) => {
            eprintln!("refused ({}): {error}", error.status());
            return Ok(error.rejection().to_http_response().map(Full::from));
        }
    };
    // hyper switches protocols once this 101 is written.
    let on_upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        let result: Result<(), BoxError> = async {
            let io = TokioIo::new(on_upgrade.await?);
            let ws = WebSocketStream::from_raw_socket(io, Role::Server, None).await;
            common::echo(ws).await?;
            Ok(())
        }
        .await;
        if let Err(e) = result {
            eprintln!("websocket: {e}");
        }
    });
    Ok(response.map(|()| Full::default()))
}
