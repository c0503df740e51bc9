//! The rules, each role's beside the other's: the one pass over the header fields,
//! the server's request rules (RFC 6455 §4.2.1), the negotiation every server front
//! end shares, the client's response checks (§4.1) both clients share, and the
//! configurations and policies they read.

pub(crate) mod client_config;
pub(crate) mod custom_extension;
pub mod deflate;
pub(crate) mod extra_headers;
pub(crate) mod forwarded;
pub(crate) mod framing;
pub(crate) mod key;
pub(crate) mod negotiate;
pub(crate) mod origin;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod server_config;
pub(crate) mod summary;
