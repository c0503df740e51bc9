// The crate's workloads for `benches/compare.rs` (old vs new in one binary) and
// `benches/instr_count.rs` (the CI instruction gate). This file is `include!`d into a
// module that names the crate copy `ws` and brings the server outcome in as
// `ServerFeed` (named `Feed` before the layered redesign) and defines `reject`, the
// plain request's own refusal (`Request::refuse` before the names were settled); that
// module is the whole per-revision adapter. Every workload writes its answer into `out` (cleared first).

/// The names of [`run`]'s workloads, in the order the tools print them.
#[allow(dead_code)] // read through one of the copies only
pub const WORKLOADS: [&str; 6] = [
    "server",
    "server_full",
    "server_1byte",
    "client",
    "connect",
    "inspect",
];

/// What every workload needs, built once outside the measured loop.
pub struct Setup {
    validating: ws::ServerConfig,
    full: ws::ServerConfig,
    client: ws::ClientConfig,
    http_request: ::http::Request<()>,
    buffer: Vec<u8>,
}

impl Setup {
    pub fn prepare() -> Self {
        // The validating floor's job: every §4.2.1 check, `chat` picked from the
        // offer list, no deflate, any Origin.
        let validating = ws::ServerConfig::new()
            .protocols(["chat"])
            .expect("valid protocol")
            .origin_policy(ws::OriginPolicy::Any);
        // The full job: as the criterion bench's `server/ws_handshake`.
        let full = ws::ServerConfig::new()
            .origin_policy(
                ws::OriginPolicy::allow_list(["http://127.0.0.1:18100"]).expect("valid origin"),
            )
            .protocols(["chat"])
            .expect("valid protocol")
            .deflate(Some(ws::deflate::DeflateConfig::new()));
        let client = ws::ClientConfig::new()
            .protocols(["chat"])
            .expect("valid protocol")
            .deflate(Some(ws::deflate::DeflateOffer {
                client_max_window_bits: Some(None),
                ..Default::default()
            }))
            .expect("valid offer");
        Self {
            validating,
            full,
            client,
            http_request: crate::inputs::http_request(),
            buffer: Vec::new(),
        }
    }

    /// Runs workload `name` once; false for an unknown name.
    pub fn run(&mut self, name: &str, out: &mut Vec<u8>) -> bool {
        use std::hint::black_box;
        out.clear();
        match name {
            "server" => whole(&self.validating, black_box(crate::inputs::REQUEST), out),
            "server_full" => whole(&self.full, black_box(crate::inputs::REQUEST), out),
            "server_1byte" => one_byte(
                &self.full,
                black_box(crate::inputs::REQUEST),
                &mut self.buffer,
                out,
            ),
            "client" => client(&self.client, black_box(crate::inputs::RESPONSE), out),
            "connect" => connect(&self.full, black_box(&crate::inputs::CONNECT_FIELDS), out),
            "inspect" => inspect(&self.full, black_box(&self.http_request), out),
            _ => return false,
        }
        true
    }
}

fn whole(config: &ws::ServerConfig, request: &[u8], out: &mut Vec<u8>) {
    let mut handshake = ws::ServerHandshake::new(config);
    match handshake.feed(request) {
        Ok(ServerFeed::Upgrade(upgrade)) => upgrade.accept().write_to(out),
        Ok(ServerFeed::Plain(plain)) => reject(&plain).write_to(out),
        Ok(ServerFeed::NeedMore) => {}
        Err(e) => e.rejection().write_to(out),
    }
}

/// Fed one byte at a time into a buffer reused across handshakes (a buffer pool).
fn one_byte(config: &ws::ServerConfig, request: &[u8], buffer: &mut Vec<u8>, out: &mut Vec<u8>) {
    let mut handshake = ws::ServerHandshake::with_buffer(config, std::mem::take(buffer));
    for piece in request.chunks(1) {
        match handshake.feed(piece) {
            Ok(ServerFeed::NeedMore) => continue,
            Ok(ServerFeed::Upgrade(upgrade)) => upgrade.accept().write_to(out),
            Ok(ServerFeed::Plain(plain)) => reject(&plain).write_to(out),
            Err(e) => e.rejection().write_to(out),
        }
        break;
    }
    *buffer = handshake.into_buffer();
}

/// Writes the request for the URL, then checks the canned 101.
fn client(config: &ws::ClientConfig, response: &[u8], out: &mut Vec<u8>) {
    let Ok(url) = ws::WsUrl::parse(crate::inputs::URL) else {
        return;
    };
    let key = ws::ClientKey::from_nonce(crate::inputs::CLIENT_NONCE);
    let mut handshake = ws::ClientHandshake::new(config, url, key);
    handshake.request().write_to(out);
    if let Ok(ws::ClientFeed::Connected(c)) = handshake.feed(response) {
        out.push(u8::from(c.protocol() == Some("chat")));
        out.push(c.deflate().map_or(0, |d| d.client_window_bits()));
    }
}

/// RFC 8441 extended CONNECT: validate the HTTP/2 fields, build the 200's head.
fn connect(config: &ws::ServerConfig, fields: &[(&str, &str)], out: &mut Vec<u8>) {
    match ws::ConnectRequest::validate(fields.iter().copied(), config) {
        Ok(request) => {
            std::hint::black_box(request.accept().head());
            out.push(1);
        }
        Err(e) => std::hint::black_box(e).rejection().write_to(out),
    }
}

/// The `http` crate front end on an already-parsed request (as hyper hands it).
fn inspect(config: &ws::ServerConfig, request: &::http::Request<()>, out: &mut Vec<u8>) {
    match ws::http::inspect(request, config) {
        Ok(ws::http::Inspect::Upgrade(upgrade)) => upgrade.accept().write_to(out),
        Ok(ws::http::Inspect::Plain) => {}
        Err(e) => e.rejection().write_to(out),
    }
}
