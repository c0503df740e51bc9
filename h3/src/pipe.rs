//! The byte stream a WebSocket library reads and writes, in memory: the request
//! stream's DATA go in, the frames it writes come out, and the QUIC loop moves both.

use std::collections::VecDeque;
use std::io::{self, Read, Write};

/// The two directions of one WebSocket's bytes, between the HTTP/3 stream and
/// tungstenite. Reading with nothing buffered is `WouldBlock` until the peer's FIN,
/// then end of stream, as a non-blocking socket would be.
#[derive(Debug, Default)]
pub struct Pipe {
    /// Bytes received on the request stream, not yet read by the WebSocket layer.
    pub inbound: VecDeque<u8>,
    /// The peer ended its side of the stream (FIN): reads end once `inbound` is empty.
    pub inbound_ended: bool,
    /// Bytes the WebSocket layer wrote, not yet accepted by the QUIC stream.
    pub outbound: Vec<u8>,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.inbound.is_empty() {
            return match self.inbound_ended {
                true => Ok(0),
                false => Err(io::ErrorKind::WouldBlock.into()),
            };
        }
        self.inbound.read(buf)
    }
}

/// Writes never block: the caller bounds `outbound` by not handing the WebSocket layer
/// more input while it is full (see `tunnel::OUTBOUND_HIGH`).
impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.outbound.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_block_until_the_fin_then_end() {
        let mut pipe = Pipe::default();
        let mut buf = [0u8; 4];
        assert_eq!(
            pipe.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        pipe.inbound.extend(b"abcdef");
        assert_eq!(pipe.read(&mut buf).unwrap(), 4);
        assert_eq!(pipe.read(&mut buf).unwrap(), 2);
        assert_eq!(
            pipe.read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        pipe.inbound_ended = true;
        assert_eq!(pipe.read(&mut buf).unwrap(), 0);
    }
}
