//! A WebSocket echo server on std threads: ws-handshake does the handshake,
//! tungstenite does the framing.
//!
//! ```text
//! cargo run --release --example echo_server -- [--listen ADDR] [--protocol NAME]... [--origin ORIGIN]...
//! ```
//!
//! Open `http://127.0.0.1:9001/` in a browser: the page connects back and echoes a message.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;
use std::{env, process, thread};

use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};
use ws_handshake::{OriginPolicy, ServerConfig, ServerFeed, ServerHandshake};

/// The page served for a plain `GET /`: it connects back, sends a message and shows the echo.
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

struct Args {
    listen: String,
    protocols: Vec<String>,
    origins: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:9001".into(),
        protocols: Vec::new(),
        origins: Vec::new(),
    };
    let mut it = env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => args.listen = value()?,
            "--protocol" => args.protocols.push(value()?),
            "--origin" => args.origins.push(value()?),
            "-h" | "--help" => {
                return Err(
                    "usage: echo_server [--listen ADDR] [--protocol NAME]... [--origin ORIGIN]..."
                        .into(),
                )
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("{e}");
        process::exit(2)
    });
    let config = build_config(&args).unwrap_or_else(|e| {
        eprintln!("invalid configuration: {e}");
        process::exit(2)
    });
    let page = PAGE.replace("PROTOCOLS", &js_array(&args.protocols));
    let listener = TcpListener::bind(&args.listen).unwrap_or_else(|e| {
        eprintln!("cannot listen on {}: {e}", args.listen);
        process::exit(1)
    });
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or(args.listen);
    println!("listening on {addr}");
    let shared = Arc::new((config, page));
    for stream in listener.incoming().flatten() {
        let shared = Arc::clone(&shared);
        thread::spawn(move || {
            let peer = stream
                .peer_addr()
                .map(|a| a.to_string())
                .unwrap_or_default();
            if let Err(e) = serve(stream, &shared.0, &shared.1) {
                eprintln!("{peer}: {e}");
            }
        });
    }
}

fn build_config(args: &Args) -> Result<ServerConfig, ws_handshake::BuildError> {
    // Without --origin any origin is accepted (this is a demo server with no cookies);
    // with --origin only those are.
    let policy = if args.origins.is_empty() {
        OriginPolicy::Any
    } else {
        OriginPolicy::allow_list(&args.origins)?
    };
    // tungstenite cannot compress, so permessage-deflate stays off (the default).
    Ok(ServerConfig::new()
        .protocols(&args.protocols)?
        .origin_policy(policy))
}

fn js_array(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|p| format!("{p:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// Runs one connection: handshake, then echo until the client closes.
fn serve(
    mut stream: TcpStream,
    config: &ServerConfig,
    page: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    // The crate reads no clock: the handshake deadline is ours.
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut handshake = ServerHandshake::new(config);
    let mut buf = [0u8; 4096];
    let mut out = Vec::new();
    let leftover = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(()); // closed before completing a head
        }
        match handshake.feed(&buf[..n]) {
            Ok(ServerFeed::NeedMore) => continue,
            Ok(ServerFeed::Upgrade(upgrade)) => {
                upgrade.accept().write_to(&mut out);
                break upgrade.leftover().to_vec();
            }
            Ok(ServerFeed::Plain(request))
                if request.method() == "GET" && request.path() == "/" =>
            {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    page.len()
                );
                stream.write_all(head.as_bytes())?;
                stream.write_all(page.as_bytes())?;
                return Ok(());
            }
            Ok(ServerFeed::Plain(request)) => {
                request.refuse().write_to(&mut out);
                stream.write_all(&out)?;
                return Ok(());
            }
            Err(error) => {
                error.rejection().write_to(&mut out);
                stream.write_all(&out)?;
                return Err(format!("refused ({}): {error}", error.status()).into());
            }
        }
    };
    stream.write_all(&out)?;
    stream.set_read_timeout(None)?;
    let mut ws = WebSocket::from_partially_read(stream, leftover, Role::Server, None);
    loop {
        match ws.read() {
            Ok(msg @ (Message::Text(_) | Message::Binary(_))) => ws.send(msg)?,
            Ok(_) => {} // pings are answered by tungstenite; close is handled below
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                return Ok(())
            }
            Err(e) => return Err(e.into()),
        }
    }
}
