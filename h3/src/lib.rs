//! What the HTTP/3 server and client examples share: the in-memory byte stream the
//! WebSocket library runs over ([`pipe`]), one WebSocket on one request stream
//! ([`tunnel`]), the QUIC settings and datagram I/O ([`quic`]) and the certificate
//! ([`tls`]).

pub mod pipe;
pub mod quic;
pub mod tls;
pub mod tunnel;
