//! One WebSocket on one HTTP/3 request stream (RFC 9220 §3): the stream's DATA carry
//! the WebSocket bytes both ways, the stream's FIN is the orderly end of each direction
//! and a reset (H3_REQUEST_CANCELLED) is an abort.
//!
//! Every way a tunnel ends ends both directions of its stream: both FINs (orderly), a
//! reset or STOP_SENDING from the peer, a WebSocket error (the stream is reset with
//! H3_REQUEST_CANCELLED), or a peer that does not end its side within
//! [`CLOSE_GRACE`] of ours. An idle tunnel is closed by a close frame (1001).

use std::io;
use std::time::{Duration, Instant};

use quiche::h3;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tungstenite::{Message, WebSocket};

use crate::pipe::Pipe;
use crate::quic::code;

/// The most bytes buffered from the stream before the WebSocket layer reads them:
/// beyond it the stream is not read, and QUIC flow control holds the peer back.
const INBOUND_HIGH: usize = 64 * 1024;
/// The most bytes the WebSocket layer may have written and QUIC not yet taken before
/// it is given no more input (an echo to a peer that does not read stops there).
pub const OUTBOUND_HIGH: usize = 64 * 1024;
/// The largest WebSocket message or frame accepted: a bound on one tunnel's memory.
const MAX_MESSAGE: usize = 1 << 20;
/// How long the peer has to end its side after ours ended, or to answer our close frame.
pub const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Why a tunnel ended other than in order.
#[derive(Debug)]
pub enum Abort {
    /// The peer reset the stream or sent STOP_SENDING (or the stream is gone).
    Peer,
    /// The peer did not end its side, or answer our close, within [`CLOSE_GRACE`].
    Linger,
    /// The WebSocket layer or the HTTP/3 layer failed (e.g. an unmasked frame).
    Failed(String),
}

/// A WebSocket on a request stream, after the `200`.
pub struct Tunnel {
    /// The request stream.
    pub id: u64,
    ws: WebSocket<Pipe>,
    /// A Data event came and `recv_body` has not said Done since.
    data_pending: bool,
    /// The WebSocket layer has ended (close handshake done, or the peer's FIN).
    ws_ended: bool,
    fin_sent: Option<Instant>,
    idle_close_sent: Option<Instant>,
    last_activity: Instant,
}

impl Tunnel {
    /// The tunnel on stream `id`, its WebSocket in `role`.
    pub fn new(id: u64, role: Role, now: Instant) -> Self {
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        Self {
            id,
            ws: WebSocket::from_raw_socket(Pipe::default(), role, Some(config)),
            data_pending: false,
            ws_ended: false,
            fin_sent: None,
            idle_close_sent: None,
            last_activity: now,
        }
    }

    /// quiche said the stream has DATA to read (Event::Data).
    pub fn data_arrived(&mut self) {
        self.data_pending = true;
    }

    /// The peer ended its side of the stream (Event::Finished).
    pub fn peer_finished(&mut self) {
        self.ws.get_mut().inbound_ended = true;
    }

    /// Both directions ended in order: the tunnel can be dropped.
    pub fn ended(&self) -> bool {
        self.fin_sent.is_some() && self.ws.get_ref().inbound_ended
    }

    /// The WebSocket layer may be given more input (its output is not backed up).
    pub fn has_room(&self) -> bool {
        self.ws.get_ref().outbound.len() < OUTBOUND_HIGH
    }

    /// DATA wait in quiche that the next round can take: run it without waiting for a
    /// packet (no packet may come: the peer may have sent everything already).
    ///
    /// quiche may report Event::Data before its HTTP/3 layer can hand the bytes over
    /// (`recv_body` says Done while the QUIC stream is readable) and does not report
    /// it again for those bytes, so a readable stream counts as pending too.
    pub fn has_pending_input(&self, conn: &quiche::Connection) -> bool {
        self.has_room() && (self.data_pending || conn.stream_readable(self.id))
    }

    /// Moves the stream's DATA into the pipe, up to [`INBOUND_HIGH`], and notices a
    /// STOP_SENDING or reset from the peer.
    pub fn pull(
        &mut self,
        h3: &mut h3::Connection,
        conn: &mut quiche::Connection,
        scratch: &mut [u8],
        now: Instant,
    ) -> Result<(), Abort> {
        // recv_body is tried on every round, not only after Event::Data (see
        // `has_pending_input`); it is cheap when there is nothing.
        while self.ws.get_ref().inbound.len() < INBOUND_HIGH {
            let room = INBOUND_HIGH - self.ws.get_ref().inbound.len();
            let want = room.min(scratch.len());
            match h3.recv_body(conn, self.id, &mut scratch[..want]) {
                Ok(n) => {
                    self.ws.get_mut().inbound.extend(&scratch[..n]);
                    self.last_activity = now;
                }
                Err(h3::Error::Done) => {
                    self.data_pending = false;
                    break;
                }
                Err(h3::Error::TransportError(quiche::Error::StreamReset(_))) => {
                    return Err(Abort::Peer)
                }
                Err(e) => return Err(Abort::Failed(format!("recv_body: {e}"))),
            }
        }
        // Everything up to the peer's FIN is read (quiche reports the FIN itself as
        // Event::Finished only on a later poll).
        if !self.data_pending && conn.stream_finished(self.id) {
            self.peer_finished();
        }
        match conn.stream_writable(self.id, 0) {
            Ok(_) => Ok(()),
            // quiche frees a stream once both directions are complete: after our FIN,
            // that is the orderly end; before it, the peer reset our side.
            Err(quiche::Error::InvalidStreamState(_)) if self.fin_sent.is_some() => Ok(()),
            Err(_) => Err(Abort::Peer), // StreamStopped, or reset and freed
        }
    }

    /// The next whole message the peer sent, if one is buffered; `None` when more
    /// bytes are needed or the WebSocket has ended. Pings and the close handshake are
    /// answered by tungstenite.
    pub fn next_message(&mut self) -> Result<Option<Message>, Abort> {
        if self.ws_ended {
            return Ok(None);
        }
        match self.ws.read() {
            Ok(message) => Ok(Some(message)),
            Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                self.ws_ended = true;
                Ok(None)
            }
            // The peer's FIN without a close frame (RFC 6455 §7.1.5: code 1006): an
            // end, not an abort; our side ends with a FIN too.
            Err(_) if self.ws.get_ref().inbound_ended && self.ws.get_ref().inbound.is_empty() => {
                self.ws_ended = true;
                Ok(None)
            }
            Err(e) => Err(Abort::Failed(format!("websocket: {e}"))),
        }
    }

    /// Sends one message (written into the pipe; [`push`](Self::push) sends it on).
    pub fn send(&mut self, message: Message) -> Result<(), Abort> {
        self.ws
            .send(message)
            .map_err(|e| Abort::Failed(format!("websocket: {e}")))
    }

    /// Starts the close handshake (RFC 6455 §7.1.2).
    pub fn close(&mut self, code: CloseCode, reason: &'static str) -> Result<(), Abort> {
        match self.ws.close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })) {
            Ok(())
            | Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Ok(())
            }
            Err(e) => Err(Abort::Failed(format!("websocket: {e}"))),
        }
    }

    /// Hands the pipe's output to the stream, and the FIN once the WebSocket ended and
    /// everything before it is taken.
    pub fn push(
        &mut self,
        h3: &mut h3::Connection,
        conn: &mut quiche::Connection,
        now: Instant,
    ) -> Result<(), Abort> {
        let pipe = self.ws.get_mut();
        while !pipe.outbound.is_empty() {
            match h3.send_body(conn, self.id, &pipe.outbound, false) {
                Ok(n) => drop(pipe.outbound.drain(..n)),
                Err(h3::Error::Done | h3::Error::StreamBlocked) => return Ok(()),
                Err(h3::Error::TransportError(
                    quiche::Error::StreamStopped(_) | quiche::Error::StreamReset(_),
                )) => return Err(Abort::Peer),
                Err(e) => return Err(Abort::Failed(format!("send_body: {e}"))),
            }
        }
        if self.ws_ended && self.fin_sent.is_none() {
            match h3.send_body(conn, self.id, &[], true) {
                Ok(_) => self.fin_sent = Some(now),
                Err(h3::Error::Done | h3::Error::StreamBlocked) => {}
                Err(_) => return Err(Abort::Peer),
            }
        }
        Ok(())
    }

    /// The timers: an idle WebSocket is sent a close frame (1001, going away) after
    /// `idle` without a byte from the peer; a peer that does not answer it, or does not
    /// end its side after our FIN, within [`CLOSE_GRACE`] is reset.
    pub fn check_timers(&mut self, now: Instant, idle: Duration) -> Result<(), Abort> {
        let overdue = |since: Option<Instant>| since.is_some_and(|t| now >= t + CLOSE_GRACE);
        if overdue(self.fin_sent) || (!self.ws_ended && overdue(self.idle_close_sent)) {
            return Err(Abort::Linger);
        }
        if self.idle_close_sent.is_none() && !self.ws_ended && now >= self.last_activity + idle {
            self.idle_close_sent = Some(now);
            self.close(CloseCode::Away, "idle")?;
        }
        Ok(())
    }

    /// When [`check_timers`](Self::check_timers) next has something to do.
    pub fn next_timer(&self, idle: Duration) -> Instant {
        [self.fin_sent, self.idle_close_sent]
            .into_iter()
            .flatten()
            .map(|t| t + CLOSE_GRACE)
            .chain(std::iter::once(self.last_activity + idle))
            .min()
            .unwrap_or(self.last_activity + idle)
    }

    /// Ends both directions of the stream at once: RESET_STREAM and STOP_SENDING with
    /// H3_REQUEST_CANCELLED (RFC 9220 §3). Harmless if the peer reset it already.
    pub fn reset(&self, conn: &mut quiche::Connection) {
        let _ = conn.stream_shutdown(self.id, quiche::Shutdown::Write, code::REQUEST_CANCELLED);
        let _ = conn.stream_shutdown(self.id, quiche::Shutdown::Read, code::REQUEST_CANCELLED);
    }
}
