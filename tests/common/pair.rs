//! Driving the handshakes in memory: each role fed in chunks to an owned outcome, and
//! a client⇄server [`Pair`] (after quinn-proto's `tests/util.rs`) that sends the
//! client's request to the server and the server's answer back, and returns both
//! outcomes.

use ws_handshake::deflate::PerMessageDeflate;
use ws_handshake::{
    ClientConfig, ClientError, ClientFeed, ClientHandshake, ClientKey, ConnectClient,
    ConnectRequest, ConnectResponse, Error, Misuse, Rejection, ServerConfig, ServerFeed,
    ServerHandshake, WsUrl,
};

use super::builders::{owned_headers, split_at, NONCE};

/// What a server handshake made of the bytes: owned, so outcomes compare across
/// chunkings. A leftover includes the chunks not fed yet, as a caller would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerOutcome {
    NeedMore,
    Upgrade {
        key: String,
        host: String,
        target: String,
        protocol: Option<String>,
        deflate: Option<PerMessageDeflate>,
        /// The 101 the handshake writes.
        response: String,
        leftover: Vec<u8>,
    },
    Plain {
        leftover: Vec<u8>,
    },
    Rejected {
        error: Error,
        /// The rejection the handshake writes.
        response: String,
    },
}

/// Feeds `chunks` in order to `hs` until an outcome.
pub fn serve_with(mut hs: ServerHandshake<'_>, chunks: &[&[u8]]) -> ServerOutcome {
    let mut out = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let later = chunks[i + 1..].concat();
        return match hs.feed(chunk) {
            Ok(ServerFeed::NeedMore) => continue,
            Ok(ServerFeed::Upgrade(up)) => {
                up.accept().write_to(&mut out);
                ServerOutcome::Upgrade {
                    key: up.key().to_owned(),
                    host: up.host().to_owned(),
                    target: up.target().to_owned(),
                    protocol: up.protocol().map(str::to_owned),
                    deflate: up.deflate(),
                    response: String::from_utf8(out).unwrap(),
                    leftover: [up.leftover(), &later].concat(),
                }
            }
            Ok(ServerFeed::Plain(req)) => ServerOutcome::Plain {
                leftover: [req.leftover(), &later].concat(),
            },
            Err(error) => {
                error.rejection().write_to(&mut out);
                ServerOutcome::Rejected {
                    error,
                    response: String::from_utf8(out).unwrap(),
                }
            }
        };
    }
    ServerOutcome::NeedMore
}

/// Feeds `chunks` in order to a new server handshake until an outcome.
pub fn serve(config: &ServerConfig, chunks: &[&[u8]]) -> ServerOutcome {
    serve_with(ServerHandshake::new(config), chunks)
}

/// What a client handshake made of a response: owned, so outcomes compare across
/// chunkings. A leftover includes the chunks not fed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientOutcome {
    NeedMore,
    Connected {
        protocol: Option<String>,
        deflate: Option<PerMessageDeflate>,
        headers: Vec<(String, Vec<u8>)>,
        leftover: Vec<u8>,
    },
    Refused {
        status: u16,
        reason: String,
        headers: Vec<(String, Vec<u8>)>,
        leftover: Vec<u8>,
    },
    Failed(ClientError),
}

impl ClientOutcome {
    /// `Failed(e)` as `Err(e)`, anything else as `Ok`.
    pub fn into_result(self) -> Result<ClientOutcome, ClientError> {
        match self {
            ClientOutcome::Failed(e) => Err(e),
            other => Ok(other),
        }
    }
}

/// Feeds `chunks` in order to `hs` until an outcome, then checks that the outcome
/// is final: more bytes are refused, an error repeats.
pub fn dial_with(mut hs: ClientHandshake<'_>, chunks: &[&[u8]]) -> ClientOutcome {
    for (i, chunk) in chunks.iter().enumerate() {
        let later = || chunks[i + 1..].concat();
        let out = match hs.feed(chunk) {
            Ok(ClientFeed::NeedMore) => continue,
            Ok(ClientFeed::Connected(c)) => ClientOutcome::Connected {
                protocol: c.protocol().map(str::to_owned),
                deflate: c.deflate(),
                headers: owned_headers(c.headers()),
                leftover: [c.leftover(), &later()].concat(),
            },
            Ok(ClientFeed::Refused(r)) => ClientOutcome::Refused {
                status: r.status(),
                reason: r.reason().to_owned(),
                headers: owned_headers(r.headers()),
                leftover: [r.leftover(), &later()].concat(),
            },
            Err(e) => ClientOutcome::Failed(e),
        };
        // The handshake is over either way.
        let again = hs.feed(b"x").unwrap_err();
        match &out {
            ClientOutcome::Failed(e) => assert_eq!(again, *e),
            _ => assert_eq!(again, ClientError::Misuse(Misuse::FedAfterOutcome)),
        }
        return out;
    }
    ClientOutcome::NeedMore
}

/// Feeds `chunks` in order to a new client handshake for `url` and the sample nonce.
pub fn dial(config: &ClientConfig, url: &str, chunks: &[&[u8]]) -> ClientOutcome {
    let url = WsUrl::parse(url).unwrap();
    dial_with(
        ClientHandshake::new(config, url, ClientKey::from_nonce(NONCE)),
        chunks,
    )
}

/// A client and a server configuration, and how to run one handshake between them.
pub struct Pair {
    pub client: ClientConfig,
    pub server: ServerConfig,
    pub url: String,
    pub nonce: [u8; 16],
    /// Bytes the client sends right after its request (frames).
    pub client_frames: Vec<u8>,
    /// Bytes the server sends right after its answer.
    pub server_frames: Vec<u8>,
    /// Where the request is cut before the server is fed (see `split_at`).
    pub request_cuts: Vec<usize>,
    /// Where the answer is cut before the client is fed.
    pub response_cuts: Vec<usize>,
}

/// One handshake between a [`Pair`].
#[derive(Debug)]
pub struct Exchange {
    /// The key the client sent.
    pub key: String,
    /// The request the client wrote (frames excluded).
    pub request: Vec<u8>,
    pub server: ServerOutcome,
    /// The client's verdict on the server's answer (`NeedMore` when there was none).
    pub client: ClientOutcome,
}

impl Pair {
    /// `ws://example.com:8080/chat?room=1`, the sample nonce, no frames, no cuts.
    pub fn new(client: ClientConfig, server: ServerConfig) -> Self {
        Pair {
            client,
            server,
            url: "ws://example.com:8080/chat?room=1".to_owned(),
            nonce: NONCE,
            client_frames: Vec::new(),
            server_frames: Vec::new(),
            request_cuts: Vec::new(),
            response_cuts: Vec::new(),
        }
    }

    pub fn url(mut self, url: &str) -> Self {
        self.url = url.to_owned();
        self
    }

    pub fn nonce(mut self, nonce: [u8; 16]) -> Self {
        self.nonce = nonce;
        self
    }

    pub fn frames(mut self, client: &[u8], server: &[u8]) -> Self {
        self.client_frames = client.to_vec();
        self.server_frames = server.to_vec();
        self
    }

    pub fn cuts(mut self, request: &[usize], response: &[usize]) -> Self {
        self.request_cuts = request.to_vec();
        self.response_cuts = response.to_vec();
        self
    }

    /// The HTTP/1.1 handshake: the client's request (and frames) to a
    /// `ServerHandshake`, its 101 or rejection (and frames) back to the client.
    pub fn run(&self) -> Exchange {
        let url = WsUrl::parse(&self.url).unwrap();
        let key = ClientKey::from_nonce(self.nonce);
        let client = ClientHandshake::new(&self.client, url, key);
        let mut request = Vec::new();
        client.request().write_to(&mut request);
        let sent = [&request[..], &self.client_frames].concat();
        let server = serve(&self.server, &split_at(&sent, self.request_cuts.clone()));
        let client = match &server {
            ServerOutcome::Upgrade { response, .. } | ServerOutcome::Rejected { response, .. } => {
                let answer = [response.as_bytes(), &self.server_frames].concat();
                dial_with(client, &split_at(&answer, self.response_cuts.clone()))
            }
            ServerOutcome::Plain { .. } | ServerOutcome::NeedMore => ClientOutcome::NeedMore,
        };
        Exchange {
            key: key.as_str().to_owned(),
            request,
            server,
            client,
        }
    }

    /// The same over HTTP/2 extended CONNECT (RFC 8441): the client's head to
    /// `ConnectRequest::validate`, its 200 or refusal head back to the client.
    /// `Ok((protocol, deflate))` when connected, else what went wrong.
    pub fn extended_connect(&self) -> Result<(Option<String>, Option<PerMessageDeflate>), String> {
        let url = WsUrl::parse(&self.url).unwrap();
        let client = ConnectClient::new(&self.client, url);
        let request = client.request();
        let fields = request.pseudo_fields().chain(request.fields());
        let head = match ConnectRequest::validate(fields, &self.server) {
            Ok(accepted) => accepted.accept().head(),
            Err(error) => Rejection::from(error).head(),
        };
        match client.response(head.status().unwrap(), head.fields()) {
            Ok(ConnectResponse::Connected(c)) => {
                Ok((c.protocol().map(str::to_string), c.deflate()))
            }
            Ok(ConnectResponse::Refused(r)) => Err(format!("refused {}", r.status())),
            Err(e) => Err(format!("client error: {e}")),
        }
    }
}
