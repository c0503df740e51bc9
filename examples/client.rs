//! A WebSocket client over plain TCP: the handshake by ws-handshake, the frames by tungstenite.
//!
//! ```text
//! cargo run --release --example client -- URL [--protocol NAME]... [--origin ORIGIN]
//!     [--header 'NAME: VALUE']... [--user USER:PASS] [--send TEXT]
//!     [--proxy http://HOST:PORT] [--proxy-user USER:PASS] [--follow]
//! ```
//!
//! Prints `protocol: NAME` (or `protocol: -`) once the server accepted the handshake,
//! then, with `--send`, sends TEXT as a text message and prints `received: TEXT` for
//! the reply (an echo server sends it back). Exits non-zero with the typed error on
//! any handshake failure or refusal.
//!
//! - `--proxy` tunnels through an HTTP proxy with `CONNECT` ([`ProxyTunnel`]);
//!   without it the proxy comes from `ws_proxy`/`http_proxy` (ws) or
//!   `wss_proxy`/`https_proxy`/`HTTPS_PROXY` (wss), then `all_proxy`/`ALL_PROXY`,
//!   and `no_proxy`/`NO_PROXY` exempts hosts, as curl does: the exact rules are in
//!   `examples/common/proxy_env.rs`. `--proxy-user` sends Basic credentials to it.
//! - `--user` sends `Authorization: Basic` to the server, `--header` any field.
//! - `--follow` follows up to 5 redirects (301, 302, 303, 307, 308), resolving
//!   `Location` with [`RedirectPolicy`] (no downgrade from wss to ws). `--user` and
//!   `--header` go along only while the target keeps the first URL's origin
//!   ([`same_origin`]); once it changes they are dropped for good, as curl does.
//!   Each hop is a new connection and a new key.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::Duration;

use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};
use ws_handshake::auth::{challenges, Basic};
use ws_handshake::{
    is_redirect, same_origin, ClientConfig, ClientFeed, ClientHandshake, ClientKey, ProxyConfig,
    ProxyFeed, ProxyTunnel, RedirectPolicy, WsUrl,
};

#[path = "common/proxy_env.rs"]
mod proxy_env;
use proxy_env::Proxy;

const USAGE: &str = "usage: client URL [--protocol NAME]... [--origin ORIGIN] [--header 'NAME: VALUE']...
              [--user USER:PASS] [--send TEXT] [--proxy http://HOST:PORT] [--proxy-user USER:PASS] [--follow]
  e.g. client ws://127.0.0.1:9001/chat --protocol chat --send hello";

/// Redirects `--follow` takes before giving up.
const MAX_REDIRECTS: usize = 5;

struct Args {
    url: String,
    protocols: Vec<String>,
    origin: Option<String>,
    headers: Vec<(String, String)>,
    user: Option<String>,
    send: Option<String>,
    proxy: Option<String>,
    proxy_user: Option<String>,
    follow: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let mut protocols = Vec::new();
    let mut origin = None;
    let mut headers = Vec::new();
    let mut user = None;
    let mut send = None;
    let mut proxy = None;
    let mut proxy_user = None;
    let mut follow = false;
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "--protocol" => protocols.push(value("--protocol")?),
            "--origin" => origin = Some(value("--origin")?),
            "--header" => {
                let header = value("--header")?;
                let (name, value) = header.split_once(':').ok_or("--header needs NAME: VALUE")?;
                headers.push((name.trim().to_string(), value.trim().to_string()));
            }
            "--user" => user = Some(value("--user")?),
            "--send" => send = Some(value("--send")?),
            "--proxy" => proxy = Some(value("--proxy")?),
            "--proxy-user" => proxy_user = Some(value("--proxy-user")?),
            "--follow" => follow = true,
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
        headers,
        user,
        send,
        proxy,
        proxy_user,
        follow,
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

/// What one handshake attempt ended with.
enum Attempt {
    Connected {
        stream: TcpStream,
        protocol: Option<String>,
        leftover: Vec<u8>,
    },
    /// A redirect to follow: its status and the resolved target.
    Redirect(u16, String),
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let first = WsUrl::parse(&args.url)?;
    let mut current = args.url.clone();
    // `--user` and `--header` were given for the first URL's origin only.
    let mut keep_credentials = true;
    let mut hops = 0;
    let (stream, protocol, leftover) = loop {
        let url = WsUrl::parse(&current)?;
        keep_credentials = keep_credentials && same_origin(&first, &url);
        match attempt(args, url, keep_credentials)? {
            Attempt::Connected {
                stream,
                protocol,
                leftover,
            } => break (stream, protocol, leftover),
            Attempt::Redirect(status, next) => {
                hops += 1;
                if hops > MAX_REDIRECTS {
                    return Err(format!("more than {MAX_REDIRECTS} redirects").into());
                }
                eprintln!("redirect: {status} -> {next}");
                current = next;
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

/// One connection: through the proxy if one applies, then the handshake.
fn attempt(
    args: &Args,
    url: WsUrl<'_>,
    with_credentials: bool,
) -> Result<Attempt, Box<dyn std::error::Error>> {
    if url.tls() {
        return Err("wss:// needs TLS, and TLS is not in this example: use a ws:// URL".into());
    }
    let mut config = ClientConfig::new().protocols(&args.protocols)?;
    if let Some(origin) = &args.origin {
        config = config.origin(origin)?;
    }
    let basic;
    if with_credentials {
        if let Some(user) = &args.user {
            basic = Basic::from_user_pass(user)?.to_string();
            config = config.header("Authorization", &basic)?;
        }
        for (name, value) in &args.headers {
            config = config.header(name, value)?;
        }
    }

    let env = |name: &str| std::env::var(name).ok();
    let proxy = proxy_env::choose(args.proxy.as_deref(), url.tls(), url.host(), &env)?;
    let (mut stream, early) = match proxy {
        Some(mut proxy) => {
            if let Some(user_pass) = &args.proxy_user {
                proxy.user_pass = Some(user_pass.clone());
            }
            let mut stream = TcpStream::connect((proxy.host.as_str(), proxy.port))?;
            stream.set_read_timeout(Some(Duration::from_secs(10)))?;
            let early = tunnel(&mut stream, &proxy, url)?;
            (stream, early)
        }
        None => {
            let stream = TcpStream::connect((url.host(), url.port()))?;
            stream.set_read_timeout(Some(Duration::from_secs(10)))?;
            (stream, Vec::new())
        }
    };

    let mut handshake = ClientHandshake::new(&config, url, ClientKey::random()?);
    let mut out = Vec::new();
    handshake.request().write_to(&mut out);
    stream.write_all(&out)?;

    let mut buf = [0u8; 4096];
    // Bytes the server sent through the tunnel with the proxy's answer come first.
    let mut pending = early;
    loop {
        let chunk = if pending.is_empty() {
            let n = stream.read(&mut buf)?;
            if n == 0 {
                return Err("the server closed the connection during the handshake".into());
            }
            buf.get(..n).unwrap_or_default()
        } else {
            pending.as_slice()
        };
        match handshake.feed(chunk)? {
            ClientFeed::NeedMore => {}
            ClientFeed::Connected(connected) => {
                let protocol = connected.protocol().map(str::to_owned);
                let leftover = connected.leftover().to_vec();
                drop(handshake);
                return Ok(Attempt::Connected {
                    stream,
                    protocol,
                    leftover,
                });
            }
            ClientFeed::Refused(refusal) => {
                if args.follow && is_redirect(refusal.status()) {
                    let mut next = String::new();
                    RedirectPolicy::new().follow(&url, &refusal, &mut next)?;
                    return Ok(Attempt::Redirect(refusal.status(), next));
                }
                let mut message = format!(
                    "the server refused the handshake: {} {}",
                    refusal.status(),
                    refusal.reason()
                );
                for (name, hint) in [
                    ("location", "location"),
                    ("sec-websocket-version", "versions"),
                ] {
                    if let Some(value) = refusal.header(name) {
                        message.push_str(&format!(" ({hint}: {value})"));
                    }
                }
                for challenge in challenges(&refusal.headers(), "www-authenticate").flatten() {
                    message.push_str(&format!(" (www-authenticate: {})", challenge.scheme()));
                }
                return Err(message.into());
            }
        }
        pending.clear();
    }
}

/// Opens a CONNECT tunnel to `url` through `proxy`; returns the target's first bytes.
fn tunnel(
    stream: &mut TcpStream,
    proxy: &Proxy,
    url: WsUrl<'_>,
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut config = ProxyConfig::new();
    if let Some(user_pass) = &proxy.user_pass {
        config = config.basic_auth(Basic::from_user_pass(user_pass)?);
    }
    let mut tunnel = ProxyTunnel::new(&config, url);
    let mut out = Vec::new();
    tunnel.request().write_to(&mut out);
    stream.write_all(&out)?;
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err("the proxy closed the connection before answering CONNECT".into());
        }
        match tunnel.feed(buf.get(..n).unwrap_or_default())? {
            ProxyFeed::NeedMore => continue,
            ProxyFeed::Open(open) => return Ok(open.leftover().to_vec()),
            ProxyFeed::Refused(refusal) => {
                let mut message = format!(
                    "the proxy refused the tunnel: {} {}",
                    refusal.status(),
                    refusal.reason()
                );
                for challenge in refusal.challenges().flatten() {
                    let realm = challenge.realm().unwrap_or_default();
                    message.push_str(&format!(
                        " (proxy-authenticate: {} realm={realm:?})",
                        challenge.scheme()
                    ));
                }
                return Err(message.into());
            }
        }
    }
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
