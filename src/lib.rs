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
//!   or reject with your own status    ──►  Rejection::new(401, ..)?.write_to(&mut out)
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
//!             request.reject().write_to(&mut out); // or serve it: it is plain HTTP
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
//!   proxy, [`ServerHandshake::with_trusted_proxy`] compares with the origin it forwards.
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
//! One name per concept, across roles and transports. Server columns first, then
//! client columns; `http::…` needs the `http` feature, `io::…` the `blocking-io` or
//! `tokio` feature (`io::blocking::…` and `io::tokio::…` have the same items).
//!
//! | concept | HTTP/1.1 server | `http` server | `io` server | extended CONNECT server (HTTP/2, HTTP/3) | HTTP/1.1 client | extended CONNECT client | `io` client |
//! | --- | --- | --- | --- | --- | --- | --- | --- |
//! | configuration | [`ServerConfig`] | [`ServerConfig`] | `io::Server` (a [`ServerConfig`], a deadline, hooks) | [`ServerConfig`] | [`ClientConfig`] | [`ClientConfig`] | [`ClientConfig`] |
//! | what drives it | [`ServerHandshake`] → [`ServerFeed`] | `http::inspect` (`http::inspect_with`) → `http::Inspect` | `io::…::accept` → `io::ServerOutcome` | [`ConnectRequest::validate`] | [`ClientHandshake`] → [`ClientFeed`] | [`ConnectClient`] → [`ConnectResponse`] | `io::…::connect` |
//! | what is sent first | — | — | — | — | [`ClientRequest`] | [`Head`] | (written for you) |
//! | a request that passed every rule | [`Upgrade`]: [`UpgradeRequest`] (else [`Request`]) | [`Upgrade`] over the `HeaderMap` | `io::UpgradedRequest` (owned: an `io::UpgradeSummary` of the same [`Upgrade`]), seen by `io::DecideHook` | [`Upgrade`]: [`ConnectRequest`] (over a [`ConnectTarget`]: `:scheme`, `:path`) | — | — | — |
//! | yes | [`Accept`] (`101`, [`write_to`](Accept::write_to)) | [`Accept`] (`to_http_response`) | `io::Upgraded` (`io::Decision::accept`) | [`Accept`] (`200`, its [`head`](Accept::head)) | [`Connected`] | [`Connected`] | `io::ClientConnected` |
//! | no | [`Rejection`] | [`Rejection`] (`to_http_response`) | `io::Rejected` (`io::Decision::reject`) | [`Rejection`] (its [`head`](Rejection::head)) | [`Refusal`] | [`ConnectRefusal`] | `io::ClientRefusal` |
//! | the peer broke a rule | [`Error`] | [`Error`] | [`Error`] (in `io::Rejected`) | [`Error`] | [`ClientError`] | [`ClientError`] | `io::ClientIoError` |
//! | the caller's bug | [`BuildError`] (building), [`Misuse`] (feeding after the outcome) | [`BuildError`] | [`BuildError`] | [`BuildError`] | [`BuildError`], [`Misuse`] | [`BuildError`] | [`BuildError`] |
//!
//! Each verb means one thing:
//!
//! | verb | meaning | names |
//! | --- | --- | --- |
//! | accept | the server says yes | [`Accept`], [`UpgradeRequest::accept`], `io::Decision::accept`, `io::…::accept` (the whole server handshake on a stream you accepted); [`AcceptKey`] is the `Sec-WebSocket-Accept` value ([`ClientKey::expected_accept`]) |
//! | reject | the server says no | [`Rejection`], [`Request::reject`], [`Error::rejection`], `io::Decision::reject`, `io::Rejected` |
//! | refused | what a client sees of a no | [`Refusal`], [`ClientFeed::Refused`], [`ConnectRefusal`], `io::ClientRefusal`, `proxy::ProxyFeed::Refused` |
//! | connect | the client's handshake ends in yes | [`Connected`], [`ClientFeed::Connected`], `io::ClientConnected`, `io::…::connect` (the whole client handshake on a stream you dialled). In capitals, `CONNECT` is the HTTP method: extended CONNECT (the `Connect…` types) and a proxy tunnel |
//! | dial | open the TCP (or QUIC) connection | always the caller's: the crate never dials ([`WsUrl::host`], [`WsUrl::port`] say where to) |
//! | open | a proxy tunnel is ready | `proxy::TunnelOpen`, `socks5::Socks5Open` |
//!
//! And the rest of the vocabulary:
//! - Error variants name the thing, then the fault: `HostInvalid`, `KeyRepeated`,
//!   `OriginMissing`, `SchemeUnsupported`, `FragmentNotAllowed` (counts read
//!   `TooMany…`; SOCKS5 replies keep RFC 1928 §6's names).
//! - A peer's error is what the peer broke; [`Misuse`] (a variant of each machine's
//!   error) is the caller's own bug of feeding a handshake after its outcome, and
//!   [`BuildError`] a value the caller built wrong.
//! - Settings of the surroundings (resources, transport) are `with_…`: `with_limits`,
//!   `with_max_headers`, `with_tls`, `with_trusted_proxy`, `io::Server::with_deadline`
//!   (read back with `deadline()`); a rule of the protocol keeps its own name
//!   (`protocols`, `require_origin`, `allowed_hosts`, `deflate`), and `header(name,
//!   value)` adds a field, as the `http` crate's builders do.
//!
//! The parts, by concept:
//!
//! | concept | names |
//! | --- | --- |
//! | the client's key and the server's answer to it (RFC 6455 §4.2.2) | [`ClientKey`] (and, with `getrandom`, its `RandomUnavailable`), [`AcceptKey`] |
//! | a subprotocol | [`OfferedProtocol`] (only an offered one can be answered), [`ProtocolOrder`] (whose preference wins), [`MissingProtocol`] (a client's answer to none) |
//! | the Origin check | [`OriginPolicy`], [`AllowedOrigin`], [`OriginPredicate`]; a mismatch names its [`OriginPart`] |
//! | extensions | [`deflate`] (permessage-deflate, RFC 7692), [`extension`] (the header's grammar), [`ExtensionHook`] with [`ExtensionParams`] (an extension of your own) |
//! | limits | [`Limits`] (at most [`MAX_HEADERS_CAP`] fields) |
//! | a URL to connect to | [`WsUrl`] ([`UrlError`]), its [`HostHeader`] and [`Resource`] |
//! | a head's fields | [`Headers`] ([`Header`], [`HeaderIter`]) over HTTP/1.1 bytes; [`Head`] for HTTP/2 and HTTP/3 |
//! | what exactly was malformed | [`Malformed`], [`PseudoHeader`] |
//! | writing into a fixed buffer | [`BufferTooSmall`] |
//! | extended CONNECT's constants | [`SETTINGS_ENABLE_CONNECT_PROTOCOL`], [`WEBSOCKET_PROTOCOL`] |
//! | a client's way out | [`proxy`] (HTTP `CONNECT` tunnels, which proxy a URL takes), [`socks5`] (SOCKS5 tunnels), [`redirect`] (following a 3xx), [`auth`] (credentials for a proxy) |
//!
//! # Architecture
//! One engine in layers; each file imports only from the layers below it, and the
//! front ends sit side by side: none imports another, save the I/O adapters, built on
//! the HTTP/1.1 server and client (CI checks both, and that no import loop exists
//! between the files of `src/`):
//!
//! ```text
//! front ends  server/ (HTTP/1.1 bytes; request_view.rs, the parsed request) ·
//!             client/ (+ proxy, socks5, proxy_select, redirect, auth) · connect/
//!             (extended CONNECT, both roles) · http.rs (the http crate) · io/
//!             (adapters over server/ and client/)
//! view        upgrade.rs: the one view of an accepted request (Upgrade), which every
//!             server front end hands out and which builds the Accept
//! answers     answer/: one field list per message, the answers' and the client's
//!             request's (field_list.rs) → HTTP/1.1 bytes (write.rs), http::Response,
//!             or an HTTP/2-3 Head; accept.rs, rejection.rs
//! rules       rules/, the server's: server_config.rs · request.rs (RFC 6455 §4.2.1) ·
//!             framing.rs · negotiate.rs (the one negotiation) · origin.rs ·
//!             forwarded.rs (behind a trusted proxy) · custom_extension.rs; the
//!             client's: client_config.rs · response.rs (RFC 6455 §4.1, for both
//!             clients); shared: summary.rs (one pass over the fields) · deflate.rs
//!             (RFC 7692) · key.rs (RFC 6455 §1.3) · extra_headers.rs (what a caller
//!             may add)
//! head        head/: reader.rs (one reader for every role: whole head in one chunk,
//!             else an incremental scan) · parse.rs (httparse) · headers.rs (the
//!             fields' view) · h2_h3.rs (Head, an HTTP/2 or HTTP/3 head)
//! grammar     grammar/: token.rs (tokens, #rule lists) · extension.rs (§9.1) ·
//!             forwarded.rs (RFC 7239 §4) · authority.rs · url.rs (ws URLs, §3) ·
//!             bytes.rs (every bit trick)
//! bottom      error.rs (every error), limits.rs, sink.rs (where written bytes go)
//! ```
//!
//! The HTTP/1.1 server path reads, top down: `server/mod.rs`, `head/reader.rs`,
//! `head/parse.rs`, `rules/summary.rs`, `rules/request.rs`, `rules/negotiate.rs`,
//! `upgrade.rs`, `answer/accept.rs` (and `answer/rejection.rs` for a rejection). The HTTP/1.1 client:
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
pub use answer::rejection::Rejection;
pub use client::auth;
#[cfg(feature = "getrandom")]
pub use client::RandomUnavailable;
pub use client::{redirect, socks5};
pub use client::{ClientFeed, ClientHandshake, ClientRequest, Refusal};
pub use connect::client::{ConnectClient, ConnectRefusal, ConnectResponse};
pub use connect::server::{
    ConnectRequest, ConnectTarget, SETTINGS_ENABLE_CONNECT_PROTOCOL, WEBSOCKET_PROTOCOL,
};
pub use error::{
    BufferTooSmall, BuildError, ClientError, Error, Malformed, Misuse, OriginPart, PseudoHeader,
    UrlError,
};
pub use grammar::url::{HostHeader, Resource, WsUrl};
pub use head::h2_h3::Head;
pub use head::headers::{Header, HeaderIter, Headers};
pub use limits::{Limits, MAX_HEADERS_CAP};
pub use rules::client_config::{ClientConfig, MissingProtocol};
pub use rules::custom_extension::{ExtensionHook, ExtensionParams};
pub use rules::key::{AcceptKey, ClientKey};
pub use rules::negotiate::OfferedProtocol;
pub use rules::origin::{AllowedOrigin, OriginPolicy, OriginPredicate};
pub use rules::response::Connected;
pub use rules::server_config::{ProtocolOrder, ServerConfig};
pub use server::request_view::Request;
pub use server::{ServerFeed, ServerHandshake, UpgradeRequest};
pub use upgrade::Upgrade;

pub mod proxy {
    //! Proxies on a client's way to the server: which proxy a URL goes through, and the
    //! HTTP `CONNECT` tunnel through it (RFC 9110 §9.3.6). SOCKS5 proxies have their own
    //! module, [`socks5`](crate::socks5).
    //!
    //! | item | what it is |
    //! | --- | --- |
    //! | [`ProxySettings`] | which proxy a URL goes through: the environment as curl reads it (`ProxySettings::from_env`, with `std`), or explicit settings; [`select`](ProxySettings::select) gives a [`ProxyUrl`] or `None` (direct) |
    //! | [`ProxyUrl`], [`ProxyScheme`] | a parsed proxy URL (`http://`, `socks5://`, `socks5h://`) and its scheme |
    //! | [`no_proxy_matches`] | whether a host is in a `NO_PROXY` list |
    //! | [`ProxyConfig`] | how to talk to an HTTP proxy (credentials, extra fields, limits) |
    //! | [`ProxyTunnel`] → [`ProxyFeed`] | one `CONNECT` handshake: its [`ProxyRequest`] to send, then [`TunnelOpen`] (2xx), the same [`Refusal`](crate::Refusal) as a WebSocket handshake, or a [`ProxyError`] |
    //! | [`ProxyError`] | a rule the proxy's answer broke |
    //! | [`ProxyUrlError`] | why a proxy URL cannot be used (inside [`BuildError::ProxyUrlInvalid`](crate::BuildError::ProxyUrlInvalid)) |

    pub use crate::client::proxy::{ProxyConfig, ProxyFeed, ProxyRequest, ProxyTunnel, TunnelOpen};
    pub use crate::client::proxy_select::{no_proxy_matches, ProxyScheme, ProxySettings, ProxyUrl};
    pub use crate::error::{ProxyError, ProxyUrlError};
}

/// The README's examples, compiled and run as doctests (one of them uses `io::blocking`,
/// so they run when that feature is on, as `cargo test --all-features` has it).
#[cfg(all(doctest, feature = "blocking-io"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
