//! Client permessage-deflate offers as a list (RFC 7692 §5): written in order of
//! preference, the answer checked against the offer it fits (§7.1.1–7.1.2), over
//! HTTP/1.1 and extended CONNECT alike; and against a real Python `websockets` server,
//! which refuses `server_max_window_bits=8` (zlib cannot do it) and so takes the fallback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ws_handshake::deflate::{DeflateOffer, PerMessageDeflate};
use ws_handshake::{
    ClientConfig, ClientError, ClientFeed, ClientHandshake, ClientKey, ConnectClient,
    ConnectResponse, WsUrl,
};

/// A strict offer (the server's window at most 2^10, the client's announced too),
/// then the browsers' offer as the fallback.
fn strict_then_fallback() -> ClientConfig {
    ClientConfig::new()
        .deflate_offers([
            DeflateOffer::new()
                .server_no_context_takeover(true)
                .server_max_window_bits(Some(10))
                .client_max_window_bits(Some(Some(12))),
            DeflateOffer::new().client_max_window_bits(Some(None)),
        ])
        .unwrap()
}

const KEY: [u8; 16] = *b"the sample nonce";

/// The client's verdict on a `101` carrying `extensions` (if any).
fn answer(
    config: &ClientConfig,
    extensions: Option<&str>,
) -> Result<Option<PerMessageDeflate>, ClientError> {
    let key = ClientKey::from_nonce(KEY);
    let url = WsUrl::parse("ws://example.com/").unwrap();
    let mut hs = ClientHandshake::new(config, url, key);
    let mut response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n",
        key.expected_accept().as_str()
    );
    if let Some(e) = extensions {
        response.push_str(&format!("Sec-WebSocket-Extensions: {e}\r\n"));
    }
    response.push_str("\r\n");
    match hs.feed(response.as_bytes())? {
        ClientFeed::Connected(c) => Ok(c.deflate()),
        other => panic!("not connected: {other:?}"),
    }
}

/// The same over extended CONNECT (RFC 8441 §5): the offers are the client's.
fn connect_answer(
    config: &ClientConfig,
    extensions: &str,
) -> Result<Option<PerMessageDeflate>, ClientError> {
    let url = WsUrl::parse("wss://example.com/").unwrap();
    let client = ConnectClient::new(config, url);
    let request = client.request();
    assert_eq!(
        request.get("sec-websocket-extensions"),
        Some(
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; \
             client_max_window_bits=12, permessage-deflate; client_max_window_bits"
        )
    );
    client
        .response(200, [("sec-websocket-extensions", extensions)])
        .map(|r| match r {
            ConnectResponse::Connected(c) => c.deflate(),
            ConnectResponse::Refused(r) => panic!("refused: {r:?}"),
        })
}

#[test]
fn offers_are_separate_elements_in_order_of_preference() {
    let config = strict_then_fallback();
    let hs = ClientHandshake::new(
        &config,
        WsUrl::parse("ws://a.test/").unwrap(),
        ClientKey::from_nonce(KEY),
    );
    let mut out = Vec::new();
    hs.request().write_to(&mut out);
    let request = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = request
        .lines()
        .filter(|l| l.starts_with("Sec-WebSocket-Extensions:"))
        .collect();
    assert_eq!(
        lines,
        [
            "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; \
          server_max_window_bits=10; client_max_window_bits=12, \
          permessage-deflate; client_max_window_bits"
        ]
    );
    // The single-offer setter replaces the list; None offers nothing.
    let single = strict_then_fallback().deflate(None).unwrap();
    let hs = ClientHandshake::new(
        &single,
        WsUrl::parse("ws://a.test/").unwrap(),
        ClientKey::from_nonce(KEY),
    );
    let mut out = Vec::new();
    hs.request().write_to(&mut out);
    assert!(!String::from_utf8(out)
        .unwrap()
        .contains("Sec-WebSocket-Extensions"));
    // Every offer is checked when the configuration is built.
    let bad = ClientConfig::new().deflate_offers([
        DeflateOffer::new(),
        DeflateOffer::new().server_max_window_bits(Some(16)),
    ]);
    assert!(bad.is_err());
}

#[test]
fn the_answer_is_checked_against_the_offer_it_fits() {
    let config = strict_then_fallback();
    // The strict offer accepted, as offered (§7.1.1.1, §7.1.2.1, §7.1.2.2).
    let strict = "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12";
    let agreed = answer(&config, Some(strict)).unwrap().unwrap();
    assert_eq!(
        (agreed.server_window_bits(), agreed.client_window_bits()),
        (10, 12)
    );
    assert!(agreed.server_no_context_takeover);
    // The fallback accepted: no server window limit, the server's takeover kept.
    let agreed = answer(&config, Some("permessage-deflate"))
        .unwrap()
        .unwrap();
    assert_eq!(
        (agreed.server_window_bits(), agreed.client_window_bits()),
        (15, 15)
    );
    assert!(!agreed.server_no_context_takeover);
    // §7.1.2.2: the fallback's bare client_max_window_bits lets the server pick 9.
    let agreed = answer(
        &config,
        Some("permessage-deflate; client_max_window_bits=9"),
    )
    .unwrap()
    .unwrap();
    assert_eq!(agreed.client_window_bits(), 9);
    // No extension in the response: no compression, as ever.
    assert_eq!(answer(&config, None), Ok(None));
}

#[test]
fn an_answer_that_fits_no_offer_fails() {
    let strict = DeflateOffer::new()
        .server_no_context_takeover(true)
        .server_max_window_bits(Some(10))
        .client_max_window_bits(Some(Some(12)));
    // The strict offer, then a bare one (no client_max_window_bits: §7.1.2.2 forbids
    // the server to answer one).
    let config = ClientConfig::new()
        .deflate_offers([strict, DeflateOffer::new()])
        .unwrap();
    for bad in [
        // Strict: server_no_context_takeover dropped (§7.1.1.1); bare: a client window
        // that was not offered (§7.1.2.2).
        "permessage-deflate; server_max_window_bits=10; client_max_window_bits=12",
        // Strict: the server window larger than offered (§7.1.2.1); bare: as above.
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=11; client_max_window_bits=9",
        // Strict: the client window larger than announced; bare: as above.
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=13",
    ] {
        assert_eq!(
            answer(&config, Some(bad)),
            Err(ClientError::DeflateNoOfferMatches),
            "{bad}"
        );
    }
    // The same answers fit the strict offer's terms once corrected, and the bare
    // offer takes an answer without a client window.
    let fits = "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=12";
    assert_eq!(
        answer(&config, Some(fits))
            .unwrap()
            .unwrap()
            .server_window_bits(),
        9
    );
    assert!(answer(
        &config,
        Some("permessage-deflate; server_max_window_bits=11")
    )
    .is_ok());
    // Broken parameters are refused whatever was offered (§7.1).
    assert!(matches!(
        answer(&config, Some("permessage-deflate; x=1")),
        Err(ClientError::DeflateParam(_))
    ));
    assert_eq!(
        answer(&config, Some("permessage-deflate, permessage-deflate")),
        Err(ClientError::DeflateRepeated)
    );
    // One offer: the error names the rule it broke, as before.
    let one = ClientConfig::new().deflate(Some(strict)).unwrap();
    assert_eq!(
        answer(&one, Some("permessage-deflate; server_max_window_bits=10")),
        Err(ClientError::DeflateServerContextTakeover)
    );
}

#[test]
fn extended_connect_shares_the_offers() {
    let config = strict_then_fallback();
    let agreed = connect_answer(&config, "permessage-deflate")
        .unwrap()
        .unwrap();
    assert_eq!(agreed.server_window_bits(), 15);
    let agreed = connect_answer(
        &config,
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10",
    )
    .unwrap()
    .unwrap();
    assert_eq!(agreed.server_window_bits(), 10);
    assert_eq!(
        connect_answer(&config, "permessage-deflate; client_max_window_bits"),
        Err(ClientError::DeflateNoOfferMatches)
    );
}

/// Python `websockets` (tests/interop/py_server.py), started on 127.0.0.1.
struct PyServer {
    child: Child,
    addr: String,
}

impl PyServer {
    fn start() -> Option<Self> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/py_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdout(Stdio::piped())
            // It logs each connection this test drops after the handshake.
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take()?)
            .read_line(&mut line)
            .ok()?;
        let addr = line.trim().strip_prefix("listening on ")?.to_owned();
        Some(Self { child, addr })
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Opens a handshake with `config` to the server; the agreed deflate parameters.
fn handshake(server: &PyServer, config: &ClientConfig) -> Option<PerMessageDeflate> {
    let url = format!("ws://{}/", server.addr);
    let url = WsUrl::parse(&url).unwrap();
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut hs = ClientHandshake::new(config, url, ClientKey::from_nonce(KEY));
    let mut out = Vec::new();
    hs.request().write_to(&mut out);
    stream.write_all(&out).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the server closed before answering");
        match hs.feed(&buf[..n]).unwrap() {
            ClientFeed::NeedMore => continue,
            ClientFeed::Connected(c) => return c.deflate(),
            ClientFeed::Refused(r) => panic!("refused: {}", r.status()),
        }
    }
}

#[test]
fn python_websockets_refuses_the_strict_offer_and_agrees_to_the_fallback() {
    let Some(server) = PyServer::start() else {
        // CI installs it (tests/interop/install.sh); elsewhere a missing peer is a skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have python3 websockets"
        );
        eprintln!("SKIPPED: no python3 with websockets on this machine");
        return;
    };
    // websockets declines an offer with server_max_window_bits=8 (zlib cannot
    // compress with a 256-byte window) and tries the client's next offer.
    let eight = DeflateOffer::new()
        .server_max_window_bits(Some(8))
        .client_max_window_bits(Some(None));
    let fallback = DeflateOffer::new().client_max_window_bits(Some(None));
    let alone = ClientConfig::new().deflate(Some(eight)).unwrap();
    assert_eq!(
        handshake(&server, &alone),
        None,
        "the strict offer alone: no compression"
    );
    let listed = ClientConfig::new()
        .deflate_offers([eight, fallback])
        .unwrap();
    let agreed = handshake(&server, &listed).expect("the fallback agreed");
    // websockets limits its own window (12 by default), which the fallback allows and
    // the strict offer (at most 8) would not: the answer is to the fallback.
    assert!(agreed.server_window_bits() > 8, "{agreed:?}");
    // An offer it can honour comes first and wins.
    let ten = DeflateOffer::new()
        .server_max_window_bits(Some(10))
        .client_max_window_bits(Some(None));
    let listed = ClientConfig::new().deflate_offers([ten, fallback]).unwrap();
    let agreed = handshake(&server, &listed).expect("the first offer agreed");
    assert!(agreed.server_window_bits() <= 10, "{agreed:?}");
}
