//! WebSockets over HTTP/3 (RFC 9220) on quiche: every request's field pairs go through
//! ws-handshake's `ConnectRequest` (the rules and negotiation of HTTP/1.1 and HTTP/2),
//! its `200` or its refusal is the response head, and tungstenite echoes the stream.
//!
//! ```text
//! cargo run --release --manifest-path h3/Cargo.toml --bin h3_server -- [--listen ADDR]
//!     [--protocol NAME]... [--origin ORIGIN]... [--cert PEM --key PEM]
//!     [--idle-timeout SECS] [--max-streams N] [--stats]
//! ```
//!
//! UDP on `--listen` (default `127.0.0.1:9443`), TLS 1.3 with a fresh self-signed
//! certificate (or `--cert`/`--key`). Prints `listening on ADDR`, then
//! `spki-sha256: BASE64` (the certificate's SPKI hash, for Chromium's
//! `--ignore-certificate-errors-spki-list`). SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 is
//! advertised; without `--origin` any Origin is accepted.
//!
//! `GET /` is a test page that opens `wss://<host>/echo` on the same HTTP/3 connection
//! (there is no TCP listener, so a browser cannot fall back to HTTP/1.1 or HTTP/2) and
//! reports back with `GET /result/...`, printed as `browser: ...`. Every accepted
//! WebSocket is printed with the HTTP version it runs over.
//!
//! Limits: at most `--max-streams` (default 100) concurrent request streams per
//! connection (QUIC's MAX_STREAMS), 1000 connections, 1 MiB per WebSocket message; an
//! idle WebSocket is closed (1001) after `--idle-timeout` (default 30 s) without a byte
//! from the client, and a connection `--idle-timeout` after its last request or
//! WebSocket (CONNECTION_CLOSE with H3_NO_ERROR). A stream reset, STOP_SENDING or a lost
//! connection frees the stream's state at once. With `--stats`, `GET /stats` answers
//! the live counts (`connections: N`, `streams: N`, `websockets: N`).

use std::collections::HashMap;
use std::error::Error;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use quiche::h3::{self, NameValue};
use tungstenite::protocol::Role;
use ws_handshake::{ConnectRequest, OriginPolicy, Rejection, ServerConfig};
use ws_handshake_h3::quic::{self, code, MAX_DATAGRAM};
use ws_handshake_h3::tls::CertFiles;
use ws_handshake_h3::tunnel::{Abort, Tunnel, CLOSE_GRACE};

const USAGE: &str = "usage: h3_server [--listen ADDR] [--protocol NAME]... [--origin ORIGIN]...
                 [--cert PEM --key PEM] [--idle-timeout SECS] [--max-streams N] [--stats]";

/// Connections served at once; Initial packets beyond it are dropped.
const MAX_CONNECTIONS: usize = 1000;

/// The page served for `GET /`: a WebSocket back to this origin, an echo of a text and
/// of a 64 KiB binary message, then a close initiated by the page. Each outcome is
/// reported with `GET /result/...`, so a test can wait for it in the server's output.
const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<title>connecting</title>
<p id="status">connecting…</p>
<script>
  const show = (text) => { document.title = text; document.getElementById("status").textContent = text; };
  const report = (outcome) => fetch(`/result/${outcome}`).catch(() => {});
  const ws = new WebSocket(`wss://${location.host}/echo`, ["chat"]);
  ws.binaryType = "arraybuffer";
  const next = () => new Promise((resolve) => { ws.onmessage = (e) => resolve(e.data); });
  ws.onerror = () => { show("error"); report("error"); };
  ws.onopen = async () => {
    ws.send("hello over HTTP/3");
    const text = await next();
    report(text === "hello over HTTP/3" ? `echoed-text/${ws.protocol || "-"}` : "garbled-text");
    const sent = crypto.getRandomValues(new Uint8Array(64 * 1024));
    ws.send(sent);
    const got = new Uint8Array(await next());
    const same = got.length === sent.length && got.every((b, i) => b === sent[i]);
    report(same ? "echoed-binary" : "garbled-binary");
    const closed = new Promise((resolve) => ws.addEventListener("close", resolve));
    ws.close(1000, "done");
    const e = await closed;
    show("closed");
    report(`closed/${e.code}/${e.wasClean ? "clean" : "unclean"}`);
  };
</script>
"#;

struct Args {
    listen: String,
    protocols: Vec<String>,
    origins: Vec<String>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    idle: Duration,
    max_streams: u64,
    stats: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:9443".into(),
        protocols: Vec::new(),
        origins: Vec::new(),
        cert: None,
        key: None,
        idle: Duration::from_secs(30),
        max_streams: 100,
        stats: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => args.listen = value()?,
            "--protocol" => args.protocols.push(value()?),
            "--origin" => args.origins.push(value()?),
            "--cert" => args.cert = Some(value()?.into()),
            "--key" => args.key = Some(value()?.into()),
            "--idle-timeout" => {
                let secs: f64 = value()?
                    .parse()
                    .map_err(|_| "--idle-timeout needs seconds")?;
                args.idle = Duration::try_from_secs_f64(secs)
                    .ok()
                    .filter(|d| !d.is_zero())
                    .ok_or("--idle-timeout needs positive seconds")?;
            }
            "--max-streams" => {
                args.max_streams = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--max-streams needs a positive number")?;
            }
            "--stats" => args.stats = true,
            _ => return Err(USAGE.into()),
        }
    }
    if args.cert.is_some() != args.key.is_some() {
        return Err("--cert and --key go together".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("h3_server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One QUIC connection and its HTTP/3 state.
struct Client {
    conn: quiche::Connection,
    /// Created once the handshake is far enough along (quiche needs the transport).
    h3: Option<h3::Connection>,
    /// The connection IDs that lead here (ours, and the client's first one).
    ids: Vec<Vec<u8>>,
    /// The request streams that became WebSockets.
    tunnels: HashMap<u64, Tunnel>,
    /// The last request, or the last moment a WebSocket was open: the connection is
    /// closed `--idle-timeout` after it.
    last_active: Instant,
}

/// Counts since the start, for `GET /stats`.
#[derive(Default)]
struct Totals {
    accepted: u64,
    refused: u64,
    aborted: u64,
}

struct Server {
    socket: UdpSocket,
    local: SocketAddr,
    transport: quiche::Config,
    http3: h3::Config,
    handshake: ServerConfig,
    idle: Duration,
    stats: bool,
    clients: HashMap<u64, Client>,
    /// Connection ID → key in `clients`.
    ids: HashMap<Vec<u8>, u64>,
    next_key: u64,
    totals: Totals,
}

fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let certs = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => CertFiles::given(cert.clone(), key.clone()),
        _ => CertFiles::self_signed()?,
    };
    // QUIC's own idle timeout is only the backstop for a peer that vanished: the server
    // closes a connection itself `--idle-timeout` after its last request or WebSocket.
    let mut transport = quic::transport(args.max_streams, 2 * args.idle + CLOSE_GRACE)?;
    transport.load_cert_chain_from_pem_file(certs.cert.to_str().ok_or("certificate path")?)?;
    transport.load_priv_key_from_pem_file(certs.key.to_str().ok_or("key path")?)?;
    let policy = match args.origins.is_empty() {
        true => OriginPolicy::Any,
        false => OriginPolicy::allow_list(&args.origins)?,
    };
    let handshake = ServerConfig::new()
        .protocols(&args.protocols)?
        .origin_policy(policy);
    let socket = UdpSocket::bind(&args.listen)?;
    let local = socket.local_addr()?;
    println!("listening on {local}");
    println!("spki-sha256: {}", certs.spki_sha256()?);
    let mut server = Server {
        socket,
        local,
        transport,
        http3: quic::http3()?,
        handshake,
        idle: args.idle,
        stats: args.stats,
        clients: HashMap::new(),
        ids: HashMap::new(),
        next_key: 0,
        totals: Totals::default(),
    };
    server.serve()
}

impl Server {
    fn serve(&mut self) -> Result<(), Box<dyn Error>> {
        let mut datagram = vec![0u8; 65535];
        let mut out = vec![0u8; MAX_DATAGRAM];
        let mut scratch = vec![0u8; 16 * 1024];
        loop {
            let wait = self.next_timer().saturating_duration_since(Instant::now());
            self.socket
                .set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
            match self.socket.recv_from(&mut datagram) {
                Ok((len, from)) => self.receive(&mut datagram[..len], from, &mut out)?,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                // ICMP errors for one peer surface here on Linux; they are no reason to stop.
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {}
                Err(e) => return Err(e.into()),
            }
            let now = Instant::now();
            let keys: Vec<u64> = self.clients.keys().copied().collect();
            for key in keys {
                let Some(mut client) = self.clients.remove(&key) else {
                    continue;
                };
                if client.conn.timeout_instant().is_some_and(|t| t <= now) {
                    client.conn.on_timeout();
                }
                self.application(&mut client, &mut scratch, now);
                if client.tunnels.is_empty() && now >= client.last_active + self.idle {
                    // Idle: no WebSocket and no request for `idle` (RFC 9114 §5.2: either
                    // endpoint may close an idle connection; H3_NO_ERROR says it is fine).
                    let _ = client.conn.close(true, code::NO_ERROR, b"idle");
                }
                quic::flush(&mut client.conn, &self.socket, &mut out);
                if client.conn.is_closed() {
                    // Dropping the client drops its tunnels: nothing of it outlives it.
                    self.totals.aborted += client.tunnels.len() as u64;
                    for id in &client.ids {
                        self.ids.remove(id);
                    }
                } else {
                    self.clients.insert(key, client);
                }
            }
        }
    }

    /// The earliest moment a connection or a tunnel has something to do.
    fn next_timer(&self) -> Instant {
        let now = Instant::now();
        let pending = self
            .clients
            .values()
            .any(|c| c.tunnels.values().any(|t| t.has_pending_input(&c.conn)));
        if pending {
            return now;
        }
        let later = now + Duration::from_secs(1);
        self.clients
            .values()
            .flat_map(|c| {
                c.conn
                    .timeout_instant()
                    .into_iter()
                    .chain(c.tunnels.values().map(|t| t.next_timer(self.idle)))
                    .chain(c.tunnels.is_empty().then_some(c.last_active + self.idle))
            })
            .min()
            .map_or(later, |t| t.min(later))
    }

    /// One datagram: to its connection, or a new connection for an Initial packet.
    fn receive(&mut self, packet: &mut [u8], from: SocketAddr, out: &mut [u8]) -> io::Result<()> {
        let Ok(header) = quiche::Header::from_slice(packet, quiche::MAX_CONN_ID_LEN) else {
            return Ok(());
        };
        let key = match self.ids.get(header.dcid.as_ref()) {
            Some(key) => *key,
            None => {
                if header.ty != quiche::Type::Initial || self.clients.len() >= MAX_CONNECTIONS {
                    return Ok(());
                }
                if !quiche::version_is_supported(header.version) {
                    if let Ok(len) = quiche::negotiate_version(&header.scid, &header.dcid, out) {
                        let _ = self.socket.send_to(&out[..len], from); // best effort
                    }
                    return Ok(());
                }
                let mut scid = [0u8; quiche::MAX_CONN_ID_LEN];
                getrandom::fill(&mut scid).map_err(io::Error::other)?;
                let id = quiche::ConnectionId::from_ref(&scid);
                let conn = match quiche::accept(&id, None, self.local, from, &mut self.transport) {
                    Ok(conn) => conn,
                    Err(e) => {
                        eprintln!("accept: {e}");
                        return Ok(());
                    }
                };
                let key = self.next_key;
                self.next_key += 1;
                let ids = vec![scid.to_vec(), header.dcid.to_vec()];
                for id in &ids {
                    self.ids.insert(id.clone(), key);
                }
                let client = Client {
                    conn,
                    h3: None,
                    ids,
                    tunnels: HashMap::new(),
                    last_active: Instant::now(),
                };
                self.clients.insert(key, client);
                key
            }
        };
        if let Some(client) = self.clients.get_mut(&key) {
            let info = quiche::RecvInfo {
                from,
                to: self.local,
            };
            if let Err(e) = client.conn.recv(packet, info) {
                if e != quiche::Error::Done {
                    eprintln!("quic recv: {e}");
                }
            }
        }
        Ok(())
    }

    /// The HTTP/3 events of one connection, then every tunnel's I/O and timers.
    fn application(&mut self, client: &mut Client, scratch: &mut [u8], now: Instant) {
        if client.h3.is_none() && (client.conn.is_established() || client.conn.is_in_early_data()) {
            match h3::Connection::with_transport(&mut client.conn, &self.http3) {
                Ok(h3) => client.h3 = Some(h3),
                Err(e) => {
                    eprintln!("h3: {e}");
                    let _ = client.conn.close(true, 0x101, b"h3 setup"); // H3_GENERAL_PROTOCOL_ERROR
                    return;
                }
            }
        }
        let Some(h3) = client.h3.as_mut() else {
            return;
        };
        let conn = &mut client.conn;
        loop {
            let (id, event) = match h3.poll(conn) {
                Ok(polled) => polled,
                Err(h3::Error::Done) => break,
                Err(e) => {
                    // quiche has closed the connection with the matching error code.
                    eprintln!("h3 connection: {e}");
                    break;
                }
            };
            match event {
                h3::Event::Headers { list, .. } => {
                    client.last_active = now;
                    let own = client.tunnels.len();
                    if let Some(tunnel) = self.request(h3, conn, id, &list, own, now) {
                        client.tunnels.insert(id, tunnel);
                    }
                }
                h3::Event::Data => match client.tunnels.get_mut(&id) {
                    Some(tunnel) => tunnel.data_arrived(),
                    // A body on a request that is no WebSocket: read and dropped.
                    None => while h3.recv_body(conn, id, scratch).is_ok() {},
                },
                h3::Event::Finished => {
                    if let Some(tunnel) = client.tunnels.get_mut(&id) {
                        tunnel.peer_finished();
                    }
                }
                h3::Event::Reset(_) => {
                    if let Some(tunnel) = client.tunnels.remove(&id) {
                        tunnel.reset(conn);
                        self.totals.aborted += 1;
                    }
                }
                h3::Event::PriorityUpdate | h3::Event::GoAway => {}
            }
        }
        let idle = self.idle;
        if !client.tunnels.is_empty() {
            client.last_active = now;
        }
        client.tunnels.retain(|_, tunnel| {
            let outcome = echo(tunnel, h3, conn, scratch, now, idle);
            match outcome {
                Ok(()) if tunnel.ended() => {
                    println!("websocket on stream {} closed (both FINs)", tunnel.id);
                    false
                }
                Ok(()) => true,
                Err(abort) => {
                    match &abort {
                        Abort::Failed(e) => eprintln!("stream {}: {e}", tunnel.id),
                        Abort::Linger => eprintln!("stream {}: the peer did not end it", tunnel.id),
                        Abort::Peer => {}
                    }
                    tunnel.reset(conn);
                    self.totals.aborted += 1;
                    false
                }
            }
        });
    }

    /// One request: the test page, its reports and the stats as plain GETs; anything
    /// else is an extended CONNECT for ws-handshake to judge. Returns the tunnel when
    /// the request became a WebSocket.
    fn request(
        &mut self,
        h3: &mut h3::Connection,
        conn: &mut quiche::Connection,
        id: u64,
        list: &[h3::Header],
        own_tunnels: usize,
        now: Instant,
    ) -> Option<Tunnel> {
        let field = |name: &[u8]| list.iter().find(|h| h.name() == name).map(|h| h.value());
        if field(b":method") == Some(b"GET") {
            if let Some(body) = self.page(field(b":path").unwrap_or_default(), own_tunnels) {
                let head = [
                    h3::Header::new(b":status", b"200"),
                    h3::Header::new(b"content-type", content_type(&body).as_bytes()),
                    h3::Header::new(b"content-length", body.len().to_string().as_bytes()),
                ];
                respond(h3, conn, id, &head, body.as_bytes());
                return None;
            }
        }
        // quiche hands over the fields as received, in order, unchecked: the crate is
        // the only judge. A name that is not UTF-8 is no token; the empty name stands
        // in for it and is refused as malformed (400) like any other bad name.
        let fields = list
            .iter()
            .map(|h| (std::str::from_utf8(h.name()).unwrap_or(""), h.value()));
        let judged = ConnectRequest::validate(fields, &self.handshake)
            .map_err(Rejection::from)
            .and_then(
                |request| match request.scheme().eq_ignore_ascii_case("https") {
                    true => Ok(request),
                    // The crate accepts `:scheme http` (RFC 8441 §5: `ws:` over cleartext
                    // HTTP/2). QUIC is always TLS, and this server answers for https origins
                    // only (RFC 9110 §4.3.3): an http target does not match the connection
                    // it came on, which is what 421 says (RFC 9110 §15.5.20).
                    false => Err(
                        Rejection::new(421, "this server serves https origins only\n")
                            .expect("a valid status and body"),
                    ),
                },
            );
        match judged {
            Ok(request) => {
                let accept = request.accept();
                let mut headers = vec![h3::Header::new(b":status", b"200")];
                headers.extend(
                    accept
                        .head()
                        .fields()
                        .map(|(n, v)| h3::Header::new(n.as_bytes(), v.as_bytes())),
                );
                if let Err(e) = h3.send_response(conn, id, &headers, false) {
                    eprintln!("stream {id}: response: {e}");
                    let _ =
                        conn.stream_shutdown(id, quiche::Shutdown::Write, code::REQUEST_CANCELLED);
                    let _ =
                        conn.stream_shutdown(id, quiche::Shutdown::Read, code::REQUEST_CANCELLED);
                    return None;
                }
                self.totals.accepted += 1;
                println!(
                    "websocket over HTTP/3 on stream {id}: {} (subprotocol {})",
                    request.target(),
                    accept.selected_protocol().unwrap_or("-")
                );
                Some(Tunnel::new(id, Role::Server, now))
            }
            Err(rejection) => {
                let status = rejection.status().to_string();
                let mut headers = vec![h3::Header::new(b":status", status.as_bytes())];
                headers.extend(
                    rejection
                        .head()
                        .fields()
                        .map(|(n, v)| h3::Header::new(n.as_bytes(), v.as_bytes())),
                );
                let body = rejection.body();
                respond(h3, conn, id, &headers, body.as_bytes());
                self.totals.refused += 1;
                println!("refused stream {id}: {status} {}", body.trim_end());
                None
            }
        }
    }

    /// The body of a plain `GET`, or `None` if the path is not one of ours.
    fn page(&self, path: &[u8], own_tunnels: usize) -> Option<String> {
        if path == b"/" {
            return Some(PAGE.to_string());
        }
        if path == b"/stats" && self.stats {
            // This request's connection is out of `clients` while it is served.
            let websockets: usize = self.clients.values().map(|c| c.tunnels.len()).sum();
            return Some(format!(
                "connections: {}\nwebsockets: {}\naccepted: {}\nrefused: {}\naborted: {}\n",
                self.clients.len() + 1,
                websockets + own_tunnels,
                self.totals.accepted,
                self.totals.refused,
                self.totals.aborted,
            ));
        }
        let outcome = path.strip_prefix(b"/result/")?;
        println!("browser: {}", String::from_utf8_lossy(outcome));
        Some(String::new())
    }
}

/// One round of a WebSocket tunnel: the stream's DATA in, every whole text or binary
/// message echoed (while the output is not backed up), the output out, the timers.
fn echo(
    tunnel: &mut Tunnel,
    h3: &mut h3::Connection,
    conn: &mut quiche::Connection,
    scratch: &mut [u8],
    now: Instant,
    idle: Duration,
) -> Result<(), Abort> {
    tunnel.pull(h3, conn, scratch, now)?;
    while tunnel.has_room() {
        match tunnel.next_message()? {
            Some(message) if message.is_text() || message.is_binary() => tunnel.send(message)?,
            Some(_) => {} // ping, pong, close: tungstenite answers them
            None => break,
        }
    }
    tunnel.check_timers(now, idle)?;
    tunnel.push(h3, conn, now)
}

/// A complete response: the head, the body and the FIN. The request side is then
/// stopped with H3_NO_ERROR (RFC 9114 §4.1.1): nothing more of it will be read.
fn respond(
    h3: &mut h3::Connection,
    conn: &mut quiche::Connection,
    id: u64,
    head: &[h3::Header],
    body: &[u8],
) {
    let sent = h3
        .send_response(conn, id, head, body.is_empty())
        .and_then(|()| match body.is_empty() {
            true => Ok(0),
            false => h3.send_body(conn, id, body, true),
        });
    match sent {
        // Bodies here are a few KiB, within any stream's initial window.
        Ok(n) if n == body.len() => {
            let _ = conn.stream_shutdown(id, quiche::Shutdown::Read, code::NO_ERROR);
        }
        Ok(_) | Err(_) => {
            let _ = conn.stream_shutdown(id, quiche::Shutdown::Write, code::REQUEST_CANCELLED);
            let _ = conn.stream_shutdown(id, quiche::Shutdown::Read, code::REQUEST_CANCELLED);
        }
    }
}

fn content_type(body: &str) -> &'static str {
    match body.starts_with("<!doctype html>") {
        true => "text/html; charset=utf-8",
        false => "text/plain; charset=utf-8",
    }
}
