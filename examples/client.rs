//! A WebSocket client over plain TCP: the handshake by ws-handshake, the frames by tungstenite.
//!
//! ```text
//! cargo run --release --example client -- URL [--protocol NAME]... [--origin ORIGIN] [--send TEXT]
//! ```
//!
//! Prints `protocol: NAME` (or `protocol: -`) once the server accepted the handshake,
//! then, with `--send`, sends TEXT as a text message and prints `received: TEXT` for
//! the reply (an echo server sends it back). Exits non-zero with the typed error on
//! any handshake failure or refusal.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};
use ws_handshake::{ClientConfig, ClientFeed, ClientHandshake, ClientKey, WsUrl};

const USAGE: &str =
    "usage: client URL [--protocol NAME]... [--origin ORIGIN] [--send TEXT]\n  e.g. client ws://127.0.0.1:9001/chat --protocol chat --send hello";

struct Args {
    url: String,
    protocols: Vec<String>,
    origin: Option<String>,
    send: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let mut protocols = Vec::new();
    let mut origin = None;
    let mut send = None;
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "--protocol" => protocols.push(value("--protocol")?),
            "--origin" => origin = Some(value("--origin")?),
            "--send" => send = Some(value("--send")?),
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ if url.is_none() => url = Some(arg),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    Ok(Args {
        url: url.ok_or("missing URL")?,
        protocols,
        origin,
        send,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let url = WsUrl::parse(&args.url)?;
    if url.tls() {
        return Err("wss:// needs TLS, and TLS is not in this example: use a ws:// URL".into());
    }
    let mut config = ClientConfig::new().protocols(&args.protocols)?;
    if let Some(origin) = &args.origin {
        config = config.origin(origin)?;
    }

    let mut stream = TcpStream::connect((url.host(), url.port()))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut handshake = ClientHandshake::new(&config, url, ClientKey::random()?);
    let mut out = Vec::new();
    handshake.request().write_to(&mut out);
    stream.write_all(&out)?;

    let mut buf = [0u8; 4096];
    let (protocol, leftover) = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err("the server closed the connection during the handshake".into());
        }
        let chunk = buf.get(..n).unwrap_or_default();
        match handshake.feed(chunk)? {
            ClientFeed::NeedMore => continue,
            ClientFeed::Connected(connected) => {
                let protocol = connected.protocol().map(str::to_owned);
                break (protocol, connected.leftover().to_vec());
            }
            ClientFeed::Refused(refusal) => {
                let mut message = format!(
                    "the server refused the handshake: {} {}",
                    refusal.status(),
                    refusal.reason()
                );
                for (name, hint) in [
                    ("location", "location"),
                    ("www-authenticate", "www-authenticate"),
                    ("sec-websocket-version", "versions"),
                ] {
                    if let Some(value) = refusal.header(name) {
                        message.push_str(&format!(" ({hint}: {value})"));
                    }
                }
                return Err(message.into());
            }
        }
    };
    println!("protocol: {}", protocol.as_deref().unwrap_or("-"));

    let mut socket = WebSocket::from_partially_read(stream, leftover, Role::Client, None);
    if let Some(text) = &args.send {
        socket.send(Message::text(text.as_str()))?;
        receive_one(&mut socket)?;
    }
    // A clean close: send ours, then read until the server's close completes it.
    socket.close(None)?;
    while socket.read().is_ok() {}
    Ok(())
}

/// Reads until the first data message and prints it.
fn receive_one(socket: &mut WebSocket<TcpStream>) -> Result<(), Box<dyn std::error::Error>> {
    loop {
        match socket.read()? {
            Message::Text(reply) => {
                println!("received: {}", reply.as_str());
                return Ok(());
            }
            Message::Binary(reply) => {
                println!("received: {}", String::from_utf8_lossy(&reply));
                return Ok(());
            }
            Message::Close(frame) => return Err(format!("closed by the server: {frame:?}").into()),
            _ => continue,
        }
    }
}
