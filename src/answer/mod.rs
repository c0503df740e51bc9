//! The answers: one field list per message ([`field_list`]), written as HTTP/1.1 bytes
//! ([`write`]), an `http::Response` (the `http` feature) or an HTTP/2 / HTTP/3
//! [`Head`](crate::Head).

pub(crate) mod accept;
pub(crate) mod field_list;
pub(crate) mod rejection;
pub(crate) mod write;
