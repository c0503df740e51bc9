//! The WebSocket opening handshake (RFC 6455 §4, RFC 7692 negotiation), sans-IO.
//!
//! This crate never touches a socket, a clock or a random-number generator. Feed it
//! the bytes you read; write out the bytes it gives back; then hand the connection
//! and the leftover bytes to any framing library.
//!
//! ```text
//! your server loop                         ws-handshake
//! ----------------                         ------------
//! read(socket) -> chunk  ───────────────►  handshake.feed(chunk)
//!                                     ◄──  ServerFeed::NeedMore          (read again)
//!                                     ◄──  ServerFeed::Upgrade(upgrade)  (every rule held)
//!   inspect path, cookies, Origin     ──►  upgrade.accept().write_to(&mut out)
//!   or refuse with your own status    ──►  Rejection::new(401, ..)?.write_to(&mut out)
//!                                     ◄──  ServerFeed::Plain(request)    (not a WebSocket request)
//!                                     ◄──  Err(error)  ──►  error.rejection().write_to(&mut out)
//! write(socket, out)
//! upgrade.leftover()  — bytes after the head: already WebSocket frames, never lost
//! ```
//!
//! # Server
//! ```
//! use ws_handshake::{ServerFeed, ServerConfig, ServerHandshake};
//!
//! let config = ServerConfig::new().protocols(["chat"])?;
//! let mut handshake = ServerHandshake::new(&config);
//! let mut out = Vec::new();
//! # let reads: [&[u8]; 2] = [b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n",
//! #     b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n\r\n\x81\x80abcd"];
//! for chunk in reads {
//!     match handshake.feed(chunk) {
//!         Ok(ServerFeed::NeedMore) => continue,
//!         Ok(ServerFeed::Upgrade(upgrade)) => {
//!             upgrade.accept().write_to(&mut out);
//!             assert_eq!(upgrade.leftover(), b"\x81\x80abcd"); // an early frame, kept
//!             break;
//!         }
//!         Ok(ServerFeed::Plain(request)) => {
//!             request.refuse().write_to(&mut out); // or serve it: it is plain HTTP
//!             break;
//!         }
//!         Err(error) => {
//!             error.rejection().write_to(&mut out); // then close the connection
//!             break;
//!         }
//!     }
//! }
//! assert!(out.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
//! # Ok::<(), ws_handshake::BuildError>(())
//! ```
//!
//! # Client
//! The mirror image: write the request for a URL, feed the response, get the
//! negotiated subprotocol and extensions plus the leftover bytes, a typed
//! [`Refusal`] (any status but 101, headers kept), or the [`ClientError`] naming the
//! broken rule of RFC 6455 §4.1. The crate never dials: connect to
//! `(url.host(), url.port())`, with TLS when `url.tls()`.
//! ```
//! use ws_handshake::{ClientConfig, ClientFeed, ClientHandshake, ClientKey, WsUrl};
//!
//! let config = ClientConfig::new().protocols(["chat"])?;
//! let url = WsUrl::parse("ws://example.com:8080/chat?room=1")?;
//! # let key = ClientKey::from_nonce(*b"the sample nonce");
//! # #[cfg(feature = "getrandom")]
//! let key = ClientKey::random().expect("OS randomness"); // fresh for every handshake
//! let mut handshake = ClientHandshake::new(&config, url, key);
//! let mut out = Vec::new();
//! handshake.request().write_to(&mut out); // write `out` to the socket
//! assert!(out.starts_with(b"GET /chat?room=1 HTTP/1.1\r\nHost: example.com:8080\r\n"));
//!
//! // Read the response and feed it; here it comes from this crate's own server.
//! # let server_config = ws_handshake::ServerConfig::new().protocols(["chat"])?;
//! # let mut server = ws_handshake::ServerHandshake::new(&server_config);
//! # let Ok(ws_handshake::ServerFeed::Upgrade(upgrade)) = server.feed(&out) else { panic!() };
//! # let mut response = Vec::new();
//! # upgrade.accept().write_to(&mut response);
//! match handshake.feed(&response) {
//!     Ok(ClientFeed::NeedMore) => { /* read more and feed again */ }
//!     Ok(ClientFeed::Connected(connected)) => {
//!         assert_eq!(connected.protocol(), Some("chat"));
//!         let frames = connected.leftover(); // hand these to the framing layer
//!         # assert!(frames.is_empty());
//!     }
//!     Ok(ClientFeed::Refused(refusal)) => {
//!         // e.g. follow refusal.header("Location") on a 3xx
//!         # panic!("{}", refusal.status());
//!     }
//!     Err(error) => panic!("handshake failed: {error}"), // close the connection
//! }
//! # Ok::<(), ws_handshake::BuildError>(())
//! ```
//!
//! # HTTP/2 and HTTP/3
//! WebSockets over HTTP/2 (RFC 8441) and HTTP/3 (RFC 9220) open with an extended
//! CONNECT instead of bytes on a socket: [`ConnectRequest::validate`] takes its
//! pseudo-headers and fields, applies the same negotiation, and answers with a
//! [`Accept`] (`200`) or a [`Rejection`], each as a [`Head`] for the
//! HTTP library to send; [`ConnectClient`] is the client side. What the caller must do
//! at the HTTP/2 or HTTP/3 layer
//! (advertise [`SETTINGS_ENABLE_CONNECT_PROTOCOL`], keep the stream open, …) is in
//! the documentation of [`ConnectRequest`].
//!
//! # Security defaults
//! - Limits: 16 KiB of head and 64 header fields ([`Limits`]); anything larger is
//!   a `431`. An incomplete head is held in a buffer that grows with the data.
//! - Origin: a request with an `Origin` must be same-origin ([`OriginPolicy`]),
//!   which stops cross-site WebSocket hijacking. Opt out explicitly. Behind a reverse
//!   proxy, [`ServerHandshake::trusted_proxy`] compares with the origin it forwards.
//! - A subprotocol can only be answered if the client offered it
//!   ([`OfferedProtocol`]); header values you add are checked for CR, LF and NUL.
//! - Timeouts are the caller's: the crate reads no clock.
//!
//! # Feature flags
//! - `std` (default): implements `std::error::Error` for the error types. Without it
//!   the crate is `no_std` and needs only `alloc`.
//! - `getrandom` (default): `ClientKey::random()` draws client keys from the OS.
//! - `http`: the `ws_handshake::http` module validates an already-parsed
//!   `http::Request` (what hyper and axum hand you) with the same rules, negotiation
//!   and errors as the byte path, and answers with an `http::Response`. Implies `std`.
//! - `blocking-io`, `tokio`: `ws_handshake::io` runs the whole handshake on a stream
//!   you accepted or dialled (`std::io::Read + Write`, or tokio's `AsyncRead +
//!   AsyncWrite`) under one deadline, and hands back the stream, the leftover bytes
//!   and an owned summary for the framing library. Imply `std`.
//!
//! # Names
//! One name per concept, across roles and transports:
//!
//! | concept | HTTP/1.1 server | extended CONNECT server (HTTP/2, HTTP/3) | HTTP/1.1 client | extended CONNECT client |
//! | --- | --- | --- | --- | --- |
//! | configuration | [`ServerConfig`] | [`ServerConfig`] | [`ClientConfig`] | [`ClientConfig`] |
//! | what drives it | [`ServerHandshake`] → [`ServerFeed`] | [`ConnectRequest::validate`] | [`ClientHandshake`] → [`ClientFeed`] | [`ConnectClient`] → [`ConnectResponse`] |
//! | what is sent first | — | — | [`ClientRequest`] | [`Head`] |
//! | a request that passed every rule | [`Upgrade`]: [`UpgradeRequest`] (else [`Request`]) | [`Upgrade`]: [`ConnectRequest`] | — | — |
//! | yes | [`Accept`] (`101`, [`write_to`](Accept::write_to)) | [`Accept`] (`200`, its [`head`](Accept::head)) | [`Connected`] | [`Connected`] |
//! | no | [`Rejection`] | [`Rejection`] (its [`head`](Rejection::head)) | [`Refusal`] | [`ConnectRefusal`] |
//! | the peer broke a rule | [`Error`] | [`Error`] | [`ClientError`] | [`ClientError`] |
//!
//! The caller's own mistakes are [`BuildError`]s everywhere. With the `http` feature,
//! `http::inspect` gives the same [`Upgrade`] view, answered with the same [`Accept`]
//! and [`Rejection`] (`to_http_response`). A client behind a proxy first runs a
//! [`ProxyTunnel`] ([`ProxyFeed`]: [`TunnelOpen`] or the same [`Refusal`], else a
//! [`ProxyError`]) or, for SOCKS5, a [`Socks5Tunnel`] ([`Socks5Feed`]: a
//! [`Socks5Request`] to send or [`Socks5Open`], else a [`Socks5Error`]);
//! [`ProxySettings`] says which [`ProxyUrl`] a URL goes through (the environment as
//! curl reads it, or explicit settings). A refused handshake's redirect resolves with
//! [`RedirectPolicy`]; a [`Redirects`] chain adds the hop limit and loop detection.
//!
//! # Architecture
//! One engine in layers; each file imports only from the layers below it, and the
//! front ends sit side by side: none imports another, save the I/O adapters, built on
//! the HTTP/1.1 server and client (CI checks both, and that no import loop exists
//! between the files of `src/`):
//!
//! ```text
//! front ends  server/ (HTTP/1.1 bytes) · client/ (+ proxy, socks5, proxy_select,
//!             redirect, auth) · connect/ (extended CONNECT, both roles) · http.rs
//!             (the http crate) · io/ (adapters over server/ and client/)
//! view        upgrade.rs: the one view of an accepted request (Upgrade), which every
//!             server front end hands out and which builds the Accept
//! answers     answer/: one field list per message, the answers' and the client's
//!             request's (fields.rs) → HTTP/1.1 bytes (write.rs), http::Response, or
//!             an HTTP/2-3 Head; accept.rs, rejection.rs
//! rules       rules/, the server's: server_config.rs · request.rs (RFC 6455 §4.2.1) ·
//!             framing.rs · negotiate.rs (the one negotiation) · origin.rs ·
//!             forwarded.rs (behind a trusted proxy) · custom_extension.rs; the
//!             client's: client_config.rs · response.rs (RFC 6455 §4.1, for both
//!             clients); shared: summary.rs (one pass over the fields) · deflate.rs
//!             (RFC 7692) · key.rs (RFC 6455 §1.3) · extra_headers.rs (what a caller
//!             may add)
//! head        head/: reader.rs (one reader for every role: whole head in one chunk,
//!             else an incremental scan) · parse.rs (httparse) · fields.rs (the view)
//! grammar     grammar/: token.rs (tokens, #rule lists) · extension.rs (§9.1) ·
//!             forwarded.rs (RFC 7239 §4) · authority.rs · url.rs (ws URLs, §3) ·
//!             bytes.rs (every bit trick)
//! bottom      error.rs (every error), limits.rs, sink.rs (where written bytes go)
//! ```
//!
//! The HTTP/1.1 server path reads, top down: `server/mod.rs`, `head/reader.rs`,
//! `head/parse.rs`, `rules/summary.rs`, `rules/request.rs`, `rules/negotiate.rs`,
//! `upgrade.rs`, `answer/accept.rs` (and `answer/rejection.rs` for a refusal). The HTTP/1.1 client:
//! `client/mod.rs`, the same head reader, `rules/summary.rs`, `rules/response.rs`
//! (whose checks the extended CONNECT client, `connect/client.rs`, shares).
//!
//! # Runtimes
//! The examples drive the same handshake from several stacks: `examples/echo_server.rs`
//! (the `io::tokio` adapter and tokio-tungstenite: a server to start from, with a
//! deadline, a cap on pending handshakes and limits), `examples/tokio_server.rs` (the
//! same defences, fastwebsockets for the framing), `examples/hyper_server.rs` (the
//! `http` feature inside a hyper service, then `hyper::upgrade::on`) and
//! `examples/h2_server.rs` (extended CONNECT over h2). The repository's `h3/` crate
//! (its own, so that quiche's BoringSSL build stays out of this crate's dependencies)
//! holds `h3_server` and `h3_client`: WebSockets over HTTP/3 (RFC 9220) on quiche.

#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub, elided_lifetimes_in_paths, rust_2018_idioms)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

extern crate alloc;

// The layers, bottom up; each file imports only from the layers below it
// (`.ci/module-cycles.py` checks that in CI).
mod answer;
mod client;
mod connect;
mod error;
mod grammar;
mod head;
#[cfg(feature = "http")]
pub mod http;
#[cfg(any(feature = "blocking-io", feature = "tokio"))]
pub mod io;
mod limits;
mod rules;
mod server;
mod sink;
mod upgrade;

pub use grammar::extension;
pub use rules::deflate;

pub use answer::accept::Accept;
pub use answer::fields::Head;
pub use answer::rejection::Rejection;
pub use client::auth;
pub use client::proxy::{ProxyConfig, ProxyFeed, ProxyRequest, ProxyTunnel, TunnelOpen};
pub use client::proxy_select::{no_proxy_matches, ProxyScheme, ProxySettings, ProxyUrl};
pub use client::redirect::{
    is_redirect, same_origin, RedirectError, RedirectPolicy, Redirects, DEFAULT_MAX_REDIRECTS,
};
pub use client::socks5::{
    Socks5Bound, Socks5Config, Socks5Error, Socks5Feed, Socks5Host, Socks5Open, Socks5Request,
    Socks5Tunnel,
};
#[cfg(feature = "getrandom")]
pub use client::RandomUnavailable;
pub use client::{ClientFeed, ClientHandshake, ClientRequest, Refusal};
pub use connect::client::{ConnectClient, ConnectRefusal, ConnectResponse};
pub use connect::server::{
    ConnectRequest, ConnectTarget, SETTINGS_ENABLE_CONNECT_PROTOCOL, WEBSOCKET_PROTOCOL,
};
pub use error::{
    BufferTooSmall, BuildError, ClientError, Error, Malformed, OriginPart, ProxyError,
    ProxyUrlError, PseudoHeader, UrlError,
};
pub use grammar::url::{HostHeader, Resource, WsUrl};
pub use head::fields::{Header, HeaderIter, Headers};
pub use limits::{Limits, MAX_HEADERS_CAP};
pub use rules::client_config::{ClientConfig, MissingProtocol};
pub use rules::custom_extension::{ExtensionHook, ExtensionParams};
pub use rules::key::{AcceptKey, ClientKey};
pub use rules::negotiate::OfferedProtocol;
pub use rules::origin::{AllowedOrigin, OriginPolicy, OriginPredicate};
pub use rules::response::Connected;
pub use rules::server_config::{ProtocolOrder, ServerConfig};
pub use server::request::Request;
pub use server::{ServerFeed, ServerHandshake, UpgradeRequest};
pub use upgrade::Upgrade;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
