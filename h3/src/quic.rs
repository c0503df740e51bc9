//! QUIC and HTTP/3 settings both examples use, and the datagram I/O of one connection.

use std::io;
use std::net::UdpSocket;
use std::time::Duration;

/// The largest UDP payload sent or received (fits any path MTU of 1400 or more).
pub const MAX_DATAGRAM: usize = 1350;

/// HTTP/3 error codes (RFC 9114 §8.1) the examples send.
pub mod code {
    /// H3_NO_ERROR: a graceful end, also used with STOP_SENDING once a response is
    /// complete (RFC 9114 §4.1.1).
    pub const NO_ERROR: u64 = 0x100;
    /// H3_REQUEST_CANCELLED: the WebSocket was aborted (RFC 9220 §3 maps a TCP reset
    /// of RFC 6455 to it).
    pub const REQUEST_CANCELLED: u64 = 0x10c;
}

/// The QUIC transport configuration: HTTP/3's ALPN, flow-control windows, at most
/// `max_streams` concurrent request streams from the peer (QUIC's MAX_STREAMS is the
/// cap: a stream is counted until both of its directions have ended), and `idle` as
/// the connection's idle timeout (RFC 9000 §10.1).
pub fn transport(max_streams: u64, idle: Duration) -> Result<quiche::Config, quiche::Error> {
    let mut config = quiche::Config::new(quiche::PROTOCOL_VERSION)?;
    config.set_application_protos(quiche::h3::APPLICATION_PROTOCOL)?;
    config.set_max_idle_timeout(u64::try_from(idle.as_millis()).unwrap_or(u64::MAX));
    config.set_max_recv_udp_payload_size(MAX_DATAGRAM);
    config.set_max_send_udp_payload_size(MAX_DATAGRAM);
    config.set_initial_max_data(4 << 20);
    config.set_initial_max_stream_data_bidi_local(256 << 10);
    config.set_initial_max_stream_data_bidi_remote(256 << 10);
    config.set_initial_max_stream_data_uni(256 << 10);
    config.set_initial_max_streams_bidi(max_streams);
    // The control stream and QPACK's two streams, with room for a peer's grease.
    config.set_initial_max_streams_uni(8);
    config.set_disable_active_migration(true);
    Ok(config)
}

/// The HTTP/3 configuration: SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 9220 §3), so
/// that clients may send an extended CONNECT.
pub fn http3() -> Result<quiche::h3::Config, quiche::h3::Error> {
    let mut config = quiche::h3::Config::new()?;
    config.enable_extended_connect(true);
    Ok(config)
}

/// Sends every datagram the connection has ready. A failed send concerns one peer
/// only: it is logged, and QUIC's loss recovery (or the idle timeout) takes it from
/// there.
pub fn flush(conn: &mut quiche::Connection, socket: &UdpSocket, out: &mut [u8]) {
    loop {
        let (len, info) = match conn.send(out) {
            Ok(sent) => sent,
            Err(quiche::Error::Done) => return,
            Err(e) => {
                // The connection is broken; quiche closes it and says so by is_closed().
                let _ = conn.close(false, 0x1, b"send failed");
                eprintln!("quic send: {e}");
                return;
            }
        };
        match socket.send_to(&out[..len], info.to) {
            Ok(_) => {}
            // A full socket buffer drops the datagram; QUIC's loss recovery resends it.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) => {
                eprintln!("udp send to {}: {e}", info.to);
                return;
            }
        }
    }
}
