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
//! - `--proxy URL` tunnels through a proxy: `http://` with `CONNECT` ([`ProxyTunnel`]),
//!   `socks5://` (the example resolves the target) or `socks5h://` (the proxy does)
//!   with SOCKS5 ([`Socks5Tunnel`]). Without it the proxy comes from the environment
//!   as curl reads it, `NO_PROXY` included ([`ProxySettings::from_env`]).
//!   `--proxy-user USER:PASS` overrides the proxy URL's credentials.
//! - `wss://` runs TLS (rustls) over the connection, inside the tunnel when there is
//!   one; `--ca FILE` names the PEM certificates to trust (this example has no
//!   built-in roots, so wss needs it).
//! - `--user` sends `Authorization: Basic` to the server, `--header` any field.
//! - `--follow` follows up to 5 redirects (301, 302, 303, 307, 308) with a
//!   [`Redirects`] chain: `Location` resolved (no downgrade from wss to ws), a loop
//!   refused, and `--user` and `--header` sent only while every hop keeps the first
//!   URL's origin, as curl does. Each hop is a new connection and a new key.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tungstenite::protocol::Role;
use tungstenite::{Message, WebSocket};
use ws_handshake::auth::{challenges, Basic};
use ws_handshake::proxy::{
    ProxyConfig, ProxyFeed, ProxyScheme, ProxySettings, ProxyTunnel, ProxyUrl,
};
use ws_handshake::redirect::{is_redirect, RedirectPolicy, Redirects, DEFAULT_MAX_REDIRECTS};
use ws_handshake::socks5::{Socks5Config, Socks5Feed, Socks5Tunnel};
use ws_handshake::{ClientConfig, ClientFeed, ClientHandshake, ClientKey, WsUrl};

const USAGE: &str = "usage: client URL [--protocol NAME]... [--origin ORIGIN] [--header 'NAME: VALUE']...
              [--user USER:PASS] [--send TEXT] [--proxy URL] [--proxy-user USER:PASS] [--ca FILE] [--follow]
  e.g. client ws://127.0.0.1:9001/chat --protocol chat --send hello
       client wss://example.com/ws --ca roots.pem --proxy socks5h://127.0.0.1:1080";

struct Args {
    url: String,
    protocols: Vec<String>,
    origin: Option<String>,
    headers: Vec<(String, String)>,
    user: Option<String>,
    send: Option<String>,
    proxy: Option<String>,
    proxy_user: Option<String>,
    ca: Option<String>,
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
    let mut ca = None;
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
            "--ca" => ca = Some(value("--ca")?),
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
        ca,
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

type BoxError = Box<dyn std::error::Error>;

/// The connection to the server: plain TCP, or TLS over it (in a tunnel or not).
enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// What one handshake attempt ended with.
enum Attempt {
    Connected {
        conn: Conn,
        protocol: Option<String>,
        leftover: Vec<u8>,
    },
    /// A redirect: the next URL, already resolved and checked by the chain.
    Redirect(u16, String),
}

fn run(args: &Args) -> Result<(), BoxError> {
    // `--proxy` replaces the environment's proxies; its NO_PROXY still applies.
    let mut proxies = ProxySettings::from_env();
    if let Some(proxy) = &args.proxy {
        proxies = proxies.proxy(proxy)?;
    }
    let tls = tls_config(args)?;
    let first = WsUrl::parse(&args.url)?;
    let limit = if args.follow {
        DEFAULT_MAX_REDIRECTS
    } else {
        0
    };
    let mut redirects = RedirectPolicy::new().max_redirects(limit).chain(&first);
    let mut current = args.url.clone();
    let (conn, protocol, leftover) = loop {
        match attempt(args, &proxies, &tls, &current, &mut redirects)? {
            Attempt::Connected {
                conn,
                protocol,
                leftover,
            } => break (conn, protocol, leftover),
            Attempt::Redirect(status, next) => {
                eprintln!("redirect: {status} -> {next}");
                current = next;
            }
        }
    };
    println!("protocol: {}", protocol.as_deref().unwrap_or("-"));

    let mut socket = WebSocket::from_partially_read(conn, leftover, Role::Client, None);
    if let Some(text) = &args.send {
        socket.send(Message::text(text.as_str()))?;
        receive_one(&mut socket)?;
    }
    // A clean close: send ours, then read until the server's close completes it.
    socket.close(None)?;
    while socket.read().is_ok() {}
    Ok(())
}

/// The rustls configuration for wss: the certificates of `--ca` as roots.
fn tls_config(args: &Args) -> Result<Option<Arc<rustls::ClientConfig>>, BoxError> {
    let Some(path) = &args.ca else {
        return Ok(None);
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path)? {
        roots.add(cert?)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Some(Arc::new(config)))
}

/// One connection: through the proxy if one applies, TLS for wss, then the handshake.
fn attempt(
    args: &Args,
    proxies: &ProxySettings,
    tls: &Option<Arc<rustls::ClientConfig>>,
    current: &str,
    redirects: &mut Redirects,
) -> Result<Attempt, BoxError> {
    let url = WsUrl::parse(current)?;
    let mut config = ClientConfig::new().protocols(&args.protocols)?;
    if let Some(origin) = &args.origin {
        config = config.origin(origin)?;
    }
    let basic;
    if redirects.credentials_allowed() {
        if let Some(user) = &args.user {
            basic = Basic::from_user_pass(user)?.to_string();
            config = config.header("Authorization", &basic)?;
        }
        for (name, value) in &args.headers {
            config = config.header(name, value)?;
        }
    }

    let (stream, early) = match proxies.select(&url)? {
        Some(proxy) => tunnel(args, &proxy, url)?,
        None => (dial((url.host(), url.port()))?, Vec::new()),
    };
    let mut conn = match (url.tls(), tls) {
        (false, _) => Conn::Plain(stream),
        (true, None) => return Err("wss:// needs --ca FILE: the certificates to trust".into()),
        (true, Some(tls)) => {
            let name = ServerName::try_from(url.host().to_string())?;
            let mut session = rustls::ClientConnection::new(tls.clone(), name)?;
            // The server's bytes that came with the proxy's answer are TLS records.
            let mut early = early.as_slice();
            while !early.is_empty() {
                session.read_tls(&mut early)?;
                session.process_new_packets()?;
            }
            Conn::Tls(Box::new(rustls::StreamOwned::new(session, stream)))
        }
    };
    // For plain ws, the early bytes are the server's first bytes of the handshake.
    let early = if url.tls() { Vec::new() } else { early };

    let mut handshake = ClientHandshake::new(&config, url, ClientKey::random()?);
    let mut out = Vec::new();
    handshake.request().write_to(&mut out);
    conn.write_all(&out)?;
    conn.flush()?;

    let mut buf = [0u8; 4096];
    let mut pending = early;
    loop {
        let chunk = if pending.is_empty() {
            let n = conn.read(&mut buf)?;
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
                    conn,
                    protocol,
                    leftover,
                });
            }
            ClientFeed::Refused(refusal) => {
                if args.follow && is_redirect(refusal.status()) {
                    // The hop limit, loops, downgrades and origins: all the chain's.
                    let mut next = String::new();
                    redirects.follow(&url, &refusal, &mut next)?;
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

fn dial(addr: impl ToSocketAddrs) -> Result<TcpStream, BoxError> {
    let stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    Ok(stream)
}

/// Opens a tunnel to `url` through `proxy`; returns it and the target's first bytes.
fn tunnel(args: &Args, proxy: &ProxyUrl, url: WsUrl<'_>) -> Result<(TcpStream, Vec<u8>), BoxError> {
    let mut stream = dial((proxy.host(), proxy.port()))?;
    let early = match proxy.scheme() {
        ProxyScheme::Http => {
            let mut config = proxy.http_config()?;
            if let Some(user_pass) = &args.proxy_user {
                config = ProxyConfig::new().basic_auth(Basic::from_user_pass(user_pass)?);
            }
            http_tunnel(&mut stream, &config, url)?
        }
        _ => {
            let mut config = proxy.socks5_config()?;
            if let Some(user_pass) = &args.proxy_user {
                let (user, pass) = user_pass.split_once(':').unwrap_or((user_pass, ""));
                config = Socks5Config::new().credentials(user, pass)?;
            }
            let tunnel = if proxy.scheme() == ProxyScheme::Socks5 {
                // socks5://: the name is resolved here; the proxy sees an address.
                let target = (url.host(), url.port()).to_socket_addrs()?.next();
                Socks5Tunnel::resolved(&config, target.ok_or("the target has no address")?)
            } else {
                Socks5Tunnel::remote(&config, url)?
            };
            socks5_tunnel(&mut stream, tunnel)?
        }
    };
    eprintln!(
        "tunnel: {:?} proxy {}:{} -> {}:{}",
        proxy.scheme(),
        proxy.host(),
        proxy.port(),
        url.host(),
        url.port()
    );
    Ok((stream, early))
}

/// Opens an HTTP CONNECT tunnel; returns the target's first bytes.
fn http_tunnel(
    stream: &mut TcpStream,
    config: &ProxyConfig,
    url: WsUrl<'_>,
) -> Result<Vec<u8>, BoxError> {
    let mut tunnel = ProxyTunnel::new(config, url);
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

/// Runs a SOCKS5 exchange; returns the target's first bytes.
fn socks5_tunnel(
    stream: &mut TcpStream,
    mut tunnel: Socks5Tunnel<'_>,
) -> Result<Vec<u8>, BoxError> {
    let mut out = Vec::new();
    tunnel.request().write_to(&mut out);
    stream.write_all(&out)?;
    let mut buf = [0u8; 512];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err("the SOCKS5 proxy closed the connection".into());
        }
        match tunnel.feed(buf.get(..n).unwrap_or_default()) {
            Ok(Socks5Feed::NeedMore) => {}
            Ok(Socks5Feed::Send(message)) => {
                out.clear();
                message.write_to(&mut out);
                stream.write_all(&out)?;
            }
            Ok(Socks5Feed::Open(open)) => return Ok(open.leftover().to_vec()),
            Err(e) => return Err(format!("the SOCKS5 proxy refused the tunnel: {e}").into()),
        }
    }
}

/// Reads until the first data message and prints it.
fn receive_one(socket: &mut WebSocket<Conn>) -> Result<(), BoxError> {
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
