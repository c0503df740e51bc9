//! Extended CONNECT (RFC 8441, RFC 9220): WebSockets over HTTP/2 and HTTP/3.

pub(crate) mod client;
pub(crate) mod server;
