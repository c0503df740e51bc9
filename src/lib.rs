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
//!                                     ◄──  Feed::NeedMore          (read again)
//!                                     ◄──  Feed::Upgrade(upgrade)  (every rule held)
//!   inspect path, cookies, Origin     ──►  upgrade.accept().write_to(&mut out)
//!   or refuse with your own status    ──►  Rejection::new(401, ..)?.write_to(&mut out)
//!                                     ◄──  Feed::Plain(request)    (not a WebSocket request)
//!                                     ◄──  Err(error)  ──►  error.rejection().write_to(&mut out)
//! write(socket, out)
//! upgrade.leftover()  — bytes after the head: already WebSocket frames, never lost
//! ```
//!
//! # Server
//! ```
//! use ws_handshake::{Feed, ServerConfig, ServerHandshake};
//!
//! let config = ServerConfig::new().protocols(["chat"])?;
//! let mut handshake = ServerHandshake::new(&config);
//! let mut out = Vec::new();
//! # let reads: [&[u8]; 2] = [b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n",
//! #     b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n\r\n\x81\x80abcd"];
//! for chunk in reads {
//!     match handshake.feed(chunk) {
//!         Ok(Feed::NeedMore) => continue,
//!         Ok(Feed::Upgrade(upgrade)) => {
//!             upgrade.accept().write_to(&mut out);
//!             assert_eq!(upgrade.leftover(), b"\x81\x80abcd"); // an early frame, kept
//!             break;
//!         }
//!         Ok(Feed::Plain(request)) => {
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
//! # Security defaults
//! - Limits: 16 KiB of head and 64 header fields ([`Limits`]); anything larger is
//!   a `431`. An incomplete head is held in a buffer that grows with the data.
//! - Origin: a request with an `Origin` must be same-origin ([`OriginPolicy`]),
//!   which stops cross-site WebSocket hijacking. Opt out explicitly.
//! - A subprotocol can only be answered if the client offered it
//!   ([`OfferedProtocol`]); header values you add are checked for CR, LF and NUL.
//! - Timeouts are the caller's: the crate reads no clock.

#![cfg_attr(not(feature = "std"), no_std)]
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

mod accept;
mod config;
mod custom_extension;
pub mod deflate;
mod error;
pub mod extension;
mod head;
mod headers;
mod limits;
mod origin;
mod request;
mod response;
mod server;
mod validate;
mod write;

pub use accept::{AcceptKey, ClientKey};
pub use config::{ProtocolOrder, ServerConfig};
pub use custom_extension::{ExtensionHook, ExtensionParams};
pub use error::{BufferTooSmall, BuildError, Error, Malformed};
pub use headers::{Header, HeaderIter, Headers};
pub use limits::{Limits, MAX_HEADERS_CAP};
pub use origin::{AllowedOrigin, OriginPolicy, OriginPredicate};
pub use request::Request;
pub use response::{Accept, Rejection};
pub use server::{Feed, OfferedProtocol, ServerHandshake, UpgradeRequest};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
