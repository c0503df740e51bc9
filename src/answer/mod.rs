//! The answers: one field list per message ([`fields`]), written as HTTP/1.1 bytes
//! ([`write`]), an `http::Response` (the `http` feature) or an HTTP/2 / HTTP/3
//! [`Head`](fields::Head).

pub(crate) mod accept;
pub(crate) mod fields;
pub(crate) mod rejection;
pub(crate) mod write;
