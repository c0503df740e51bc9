//! The answers: one field list per message, written as HTTP/1.1 bytes, an
//! `http::Response` or an HTTP/2 / HTTP/3 head.

pub(crate) mod response;
pub(crate) mod write;
