//! A WebSocket client over HTTP/3 (RFC 9220) on quiche: the extended CONNECT comes
//! from ws-handshake's `ConnectClient`, which also checks the `200` exactly as over
//! HTTP/2; tungstenite speaks the frames.
//!
//! ```text
//! cargo run --release --manifest-path h3/Cargo.toml --bin h3_client -- wss://HOST:PORT/PATH
//!     [--protocol NAME]... [--origin ORIGIN] [--send TEXT]... [--insecure | --ca PEM]
//! ```
//!
//! Waits for the server's SETTINGS and refuses to send the CONNECT unless they carry
//! SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 9220 §3). Prints `protocol: NAME` (or
//! `protocol: -`) once the server accepted, `received: TEXT` for each reply to a
//! `--send`, then closes (close frame, then FIN) and prints `closed`. A refusal prints
//! `refused: STATUS` and exits 1. `--insecure` skips certificate verification (a test
//! server's self-signed certificate); `--ca` trusts the certificates of a PEM file.

use std::error::Error;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use quiche::h3::{self, NameValue};
use tungstenite::protocol::Role;
use tungstenite::Message;
use ws_handshake::{ClientConfig, ConnectClient, ConnectResponse, WsUrl};
use ws_handshake_h3::quic::{self, code, MAX_DATAGRAM};
use ws_handshake_h3::tunnel::Tunnel;

const USAGE: &str = "usage: h3_client wss://HOST:PORT/PATH [--protocol NAME]... [--origin ORIGIN]
                 [--send TEXT]... [--insecure | --ca PEM]
  e.g. h3_client wss://127.0.0.1:9443/echo --insecure --protocol chat --send hello";

/// The whole exchange, from the first packet to the close, must fit in this.
const DEADLINE: Duration = Duration::from_secs(10);

struct Args {
    url: String,
    protocols: Vec<String>,
    origin: Option<String>,
    send: Vec<String>,
    insecure: bool,
    ca: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut args = Args {
        url: String::new(),
        protocols: Vec::new(),
        origin: None,
        send: Vec::new(),
        insecure: false,
        ca: None,
    };
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| it.next().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "--protocol" => args.protocols.push(value("--protocol")?),
            "--origin" => args.origin = Some(value("--origin")?),
            "--send" => args.send.push(value("--send")?),
            "--insecure" => args.insecure = true,
            "--ca" => args.ca = Some(value("--ca")?),
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ if args.url.is_empty() => args.url = arg,
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    if args.url.is_empty() {
        return Err("missing URL".into());
    }
    Ok(args)
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

/// Where the exchange stands.
enum Phase {
    /// Waiting for the QUIC handshake and the server's SETTINGS.
    Settings,
    /// The CONNECT is sent on this stream; waiting for the response head.
    Response(u64),
    /// The WebSocket is open: sending, reading replies, then closing.
    Open {
        tunnel: Box<Tunnel>,
        replies: usize,
        closing: bool,
    },
    /// Both directions of the stream have ended.
    Done,
}

fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let url = WsUrl::parse(&args.url)?;
    if !url.tls() {
        return Err("HTTP/3 runs over QUIC, which is always TLS: use a wss:// URL".into());
    }
    let mut config = ClientConfig::new().protocols(&args.protocols)?;
    if let Some(origin) = &args.origin {
        config = config.origin(origin)?;
    }
    let client = ConnectClient::new(&config, url);

    let peer: SocketAddr = (url.host(), url.port())
        .to_socket_addrs()?
        .next()
        .ok_or("the host has no address")?;
    let socket = UdpSocket::bind(match peer {
        SocketAddr::V4(_) => "0.0.0.0:0",
        SocketAddr::V6(_) => "[::]:0",
    })?;
    let local = socket.local_addr()?;
    let mut transport = quic::transport(4, DEADLINE)?;
    transport.verify_peer(!args.insecure);
    if let Some(ca) = &args.ca {
        transport.load_verify_locations_from_file(ca)?;
    }
    let mut scid = [0u8; quiche::MAX_CONN_ID_LEN];
    getrandom::fill(&mut scid)?;
    let scid = quiche::ConnectionId::from_ref(&scid);
    let mut conn = quiche::connect(Some(url.host()), &scid, local, peer, &mut transport)?;
    let http3 = quic::http3()?;
    let mut h3: Option<h3::Connection> = None;
    let mut phase = Phase::Settings;
    let mut datagram = vec![0u8; 65535];
    let mut out = vec![0u8; MAX_DATAGRAM];
    let mut scratch = vec![0u8; 16 * 1024];
    let deadline = Instant::now() + DEADLINE;

    let outcome: Result<(), Box<dyn Error>> = loop {
        quic::flush(&mut conn, &socket, &mut out);
        if conn.is_closed() {
            break match phase {
                Phase::Done => Ok(()),
                _ => Err(format!(
                    "connection closed: peer {:?}, local {:?}",
                    conn.peer_error(),
                    conn.local_error()
                )
                .into()),
            };
        }
        if matches!(phase, Phase::Done) {
            break Ok(()); // CONNECTION_CLOSE below
        }
        let now = Instant::now();
        if now >= deadline {
            break Err("timed out".into());
        }
        let pending =
            matches!(&phase, Phase::Open { tunnel, .. } if tunnel.has_pending_input(&conn));
        let wait = match pending {
            true => Duration::ZERO, // DATA are waiting in quiche: no packet may come
            false => conn.timeout().unwrap_or(deadline - now).min(deadline - now),
        };
        socket.set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
        match socket.recv_from(&mut datagram) {
            Ok((len, from)) => {
                let info = quiche::RecvInfo { from, to: local };
                if let Err(e) = conn.recv(&mut datagram[..len], info) {
                    eprintln!("quic recv: {e}");
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                conn.on_timeout();
            }
            Err(e) => break Err(e.into()),
        }
        if h3.is_none() && conn.is_established() {
            h3 = Some(h3::Connection::with_transport(&mut conn, &http3)?);
        }
        let Some(h3) = h3.as_mut() else { continue };
        if let Err(e) = step(&mut phase, h3, &mut conn, &client, args, &mut scratch) {
            break Err(e);
        }
    };
    // Say goodbye either way, so the server frees the connection now rather than at
    // its idle timeout.
    if !conn.is_closed() {
        let _ = conn.close(true, code::NO_ERROR, b"");
        quic::flush(&mut conn, &socket, &mut out);
    }
    outcome
}

/// Everything HTTP/3 has for us, then the next move of the exchange.
fn step(
    phase: &mut Phase,
    h3: &mut h3::Connection,
    conn: &mut quiche::Connection,
    client: &ConnectClient<'_>,
    args: &Args,
    scratch: &mut [u8],
) -> Result<(), Box<dyn Error>> {
    let now = Instant::now();
    loop {
        let (id, event) = match h3.poll(conn) {
            Ok(polled) => polled,
            Err(h3::Error::Done) => break,
            Err(e) => return Err(format!("http/3: {e}").into()),
        };
        let waiting = match phase {
            Phase::Response(stream) => Some(*stream),
            _ => None,
        };
        let open = match phase {
            Phase::Open { tunnel, .. } => Some(tunnel),
            _ => None,
        };
        match event {
            h3::Event::Headers { list, .. } if waiting == Some(id) => {
                *phase = response(id, &list, client, &args.send, conn, now)?;
            }
            h3::Event::Data => match open {
                Some(tunnel) if tunnel.id == id => tunnel.data_arrived(),
                // Nothing else is expected: read and dropped.
                _ => while h3.recv_body(conn, id, scratch).is_ok() {},
            },
            h3::Event::Finished => {
                if let Some(tunnel) = open.filter(|t| t.id == id) {
                    tunnel.peer_finished();
                }
            }
            h3::Event::Reset(e) => {
                return Err(format!("stream {id} reset by the server: {e:#x}").into())
            }
            h3::Event::GoAway => return Err("the server sent GOAWAY".into()),
            _ => {}
        }
    }
    // The server's SETTINGS arrive on its control stream soon after the handshake.
    if matches!(phase, Phase::Settings) && h3.peer_settings_raw().is_some() {
        if !h3.extended_connect_enabled_by_peer() {
            return Err(
                "the server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 9220 §3)".into(),
            );
        }
        let head = client.request();
        let headers: Vec<h3::Header> = head
            .pseudo_fields()
            .chain(head.fields())
            .map(|(n, v)| h3::Header::new(n.as_bytes(), v.as_bytes()))
            .collect();
        let stream = h3.send_request(conn, &headers, false)?; // the stream stays open
        *phase = Phase::Response(stream);
    }
    if let Phase::Open {
        tunnel,
        replies,
        closing,
    } = phase
    {
        tunnel
            .pull(h3, conn, scratch, now)
            .map_err(|e| format!("{e:?}"))?;
        while let Some(message) = tunnel.next_message().map_err(|e| format!("{e:?}"))? {
            if let Message::Text(text) = message {
                println!("received: {}", text.as_str());
                *replies += 1;
            }
        }
        if *replies == args.send.len() && !*closing {
            *closing = true;
            tunnel
                .close(tungstenite::protocol::frame::coding::CloseCode::Normal, "")
                .map_err(|e| format!("{e:?}"))?;
        }
        tunnel
            .check_timers(now, DEADLINE)
            .map_err(|e| format!("{e:?}"))?;
        tunnel.push(h3, conn, now).map_err(|e| format!("{e:?}"))?;
        if tunnel.ended() {
            println!("closed");
            *phase = Phase::Done;
        }
    }
    Ok(())
}

/// The server's answer to the CONNECT, checked by `ConnectClient` as over HTTP/2.
fn response(
    id: u64,
    list: &[h3::Header],
    client: &ConnectClient<'_>,
    send: &[String],
    conn: &mut quiche::Connection,
    now: Instant,
) -> Result<Phase, Box<dyn Error>> {
    let status = list
        .iter()
        .find(|h| h.name() == b":status")
        .and_then(|h| std::str::from_utf8(h.value()).ok()?.parse::<u16>().ok())
        .ok_or("response without a valid :status")?;
    // Pseudo-headers of a response are `:status` only; the rest are checked fields.
    let fields: Vec<(&str, &[u8])> = list
        .iter()
        .filter(|h| h.name() != b":status")
        .map(|h| (std::str::from_utf8(h.name()).unwrap_or(""), h.value()))
        .collect();
    match client.response(status, fields.iter().map(|(n, v)| (*n, *v))) {
        Ok(ConnectResponse::Connected(connected)) => {
            println!("protocol: {}", connected.protocol().unwrap_or("-"));
            let mut tunnel = Tunnel::new(id, Role::Client, now);
            for text in send {
                tunnel
                    .send(Message::text(text.as_str()))
                    .map_err(|e| format!("{e:?}"))?;
            }
            Ok(Phase::Open {
                tunnel: Box::new(tunnel),
                replies: 0,
                closing: false,
            })
        }
        Ok(ConnectResponse::Refused(refusal)) => {
            println!("refused: {}", refusal.status());
            Err(format!("the server refused with {}", refusal.status()).into())
        }
        Err(error) => {
            let _ = conn.stream_shutdown(id, quiche::Shutdown::Write, code::REQUEST_CANCELLED);
            let _ = conn.stream_shutdown(id, quiche::Shutdown::Read, code::REQUEST_CANCELLED);
            Err(format!("the 200 broke a rule: {error}").into())
        }
    }
}
