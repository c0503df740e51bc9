//! The one shape of every head-reading handshake: feed bytes, stick on an error, be
//! over after the outcome that ends it. Each role only says how a head becomes its
//! outcome (its `finish`) and which outcomes end it.

use alloc::vec::Vec;

use crate::error::{ClientError, Error, HeadError, Misuse, ProxyError};
use crate::head::parse::{Kind, Parsed};
use crate::head::reader::{read, HeadReader, Input, Pending};
use crate::limits::Limits;

/// A role's outcome: [`Pending`], and whether it ends the handshake.
pub(crate) trait Outcome: Pending {
    /// Whether nothing may be fed after this outcome.
    fn is_final(&self) -> bool;
}

/// A role's error: the one every call returns once the handshake is over because an
/// outcome ended it (feeding then is the caller's mistake).
pub(crate) trait Over: Copy + From<HeadError> {
    /// The error for a call after the outcome that ended the handshake.
    const FINISHED: Self;
}

impl Over for Error {
    const FINISHED: Self = Error::Misuse(Misuse::FedAfterOutcome);
}

impl Over for ClientError {
    const FINISHED: Self = ClientError::Misuse(Misuse::FedAfterOutcome);
}

impl Over for ProxyError {
    const FINISHED: Self = ProxyError::Misuse(Misuse::FedAfterOutcome);
}

/// The head reader and what the next call must know: the interim bytes skipped so far
/// and, once over, the error every later call returns.
#[derive(Debug)]
pub(crate) struct Machine<E> {
    pub(crate) reader: HeadReader,
    /// Bytes of interim (1xx) response heads skipped so far: they count against the
    /// head limit (always 0 for requests).
    pub(crate) interim_bytes: usize,
    /// `Some` once over: the error, or [`Over::FINISHED`] after a final outcome.
    over: Option<E>,
}

impl<E: Over> Machine<E> {
    pub(crate) fn with_buffer(buffer: Vec<u8>) -> Self {
        Self {
            reader: HeadReader::with_buffer(buffer),
            interim_bytes: 0,
            over: None,
        }
    }

    /// The room to read into: at most what the head limit still allows.
    pub(crate) fn spare(&mut self, limits: Limits) -> &mut [u8] {
        let limit = limits.max_head_bytes();
        self.reader.spare(limit.saturating_sub(self.interim_bytes))
    }

    /// Takes in bytes (fed or committed), reads the next head of `kind` and hands it
    /// to `finish`; keeps what the outcome means for the next call: an error is
    /// sticky, a final outcome ends the handshake.
    #[inline]
    pub(crate) fn take<'a, T: Outcome>(
        &'a mut self,
        input: Input<'a>,
        kind: Kind,
        limits: Limits,
        finish: impl FnOnce(&'a [u8], &'a [u8], &Parsed<'_, 'a>) -> Result<T, E>,
    ) -> Result<T, E> {
        if let Some(e) = self.over {
            if let Input::Committed(_) = input {
                self.reader.commit(0); // the lent room is dropped
            }
            return Err(e);
        }
        let result = read(
            &mut self.reader,
            input,
            kind,
            limits,
            &mut self.interim_bytes,
            finish,
        );
        match &result {
            Ok(outcome) if outcome.is_final() => self.over = Some(E::FINISHED),
            Ok(_) => {}
            Err(e) => self.over = Some(*e),
        }
        result
    }
}
