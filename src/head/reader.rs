//! Finding the end of an HTTP head in bytes fed in arbitrary chunks.
//!
//! Each byte is scanned exactly once, whatever the chunking, so feeding N bytes costs
//! O(N). Bytes are copied only while a head is incomplete; a head that arrives whole
//! in one chunk is never copied, and bytes after the head are never copied at all.

use alloc::vec::Vec;

use crate::error::{HeadError, Malformed};
use crate::grammar::bytes::find_lf;
use crate::head::parse::{fields, parse, parse_head, peek_status, Fields, Kind, Parsed};
use crate::limits::Limits;

/// How a fed chunk left the head.
#[derive(Debug)]
pub(crate) enum Read<'a> {
    /// The head is not complete yet.
    Partial,
    /// The head is complete: the head bytes (ending in `CRLF CRLF`) and what followed it.
    Complete { head: &'a [u8], leftover: &'a [u8] },
}

/// Accumulates one HTTP head, enforcing a byte limit and CRLF line endings.
#[derive(Debug, Default)]
pub(crate) struct HeadReader {
    buf: Vec<u8>,
    /// Offset just past the last LF seen; 0 when none was seen.
    line_start: usize,
    /// The previous head was returned; start afresh on the next feed.
    complete: bool,
    /// Up to which length a chunk without LF may simply be appended (the capacity or
    /// the limit, whichever is smaller); 0 when the next chunk needs a look. Kept as an
    /// end rather than a count, so an append updates only the buffer's length.
    append_end: usize,
    /// Bytes at the end of `buf` lent out by [`spare`](Self::spare) and not committed:
    /// room to read into, not part of the head.
    lent: usize,
}

/// Growth steps for the buffer: slack stays under `max(128, held / 128)` bytes. Up to
/// 16 KiB held (the default limit) that is 128 bytes, so a pending handshake holds at
/// most k + 200 bytes in all (`tests/memory.rs`); beyond, growth is geometric, so
/// with a larger limit each byte is still copied a bounded number of times.
const GROWTH_STEP: usize = 128;

/// The room [`HeadReader::spare`] lends when the buffer has less than [`MIN_ROOM`]
/// spare: what a bare server would read into (grown geometrically past 128 KiB held).
pub(crate) const READ_ROOM: usize = 1024;

/// The least spare capacity [`HeadReader::spare`] lends without growing the buffer.
const MIN_ROOM: usize = 64;

/// The length of the shortest complete head either role reads: `HTTP/1.1 200` (or a
/// request line as short, `M / HTTP/1.1`) and two CRLFs. A shorter chunk goes
/// straight to the scan; any threshold would be correct, this one skips only
/// parses that cannot succeed.
const SHORTEST_HEAD: usize = b"HTTP/1.1 200\r\n\r\n".len();

impl HeadReader {
    /// A reader that reuses `buf`'s allocation.
    pub(crate) fn with_buffer(mut buf: Vec<u8>) -> Self {
        buf.clear();
        Self {
            buf,
            line_start: 0,
            complete: false,
            append_end: 0,
            lent: 0,
        }
    }

    /// Whether no bytes of a head are held: the next chunk starts a new head.
    pub(crate) fn is_idle(&self) -> bool {
        self.complete || self.buf.is_empty()
    }

    /// Records that a whole head was taken straight from a chunk, unbuffered.
    pub(crate) fn took_whole_head(&mut self) {
        self.buf.clear();
        self.line_start = 0;
        self.complete = true;
        self.append_end = 0;
    }

    /// The head the last [`feed`](Self::feed) completed, given the chunk fed then and
    /// how many of its bytes the head took: the buffer when the head began in an
    /// earlier chunk, else those bytes of the chunk. For a caller that must let go of
    /// [`Read::Complete`]'s borrow before deciding to keep the head.
    pub(crate) fn completed_head<'a>(&'a self, chunk: &'a [u8], taken: usize) -> &'a [u8] {
        debug_assert!(self.complete);
        if self.buf.is_empty() {
            chunk.get(..taken).unwrap_or_default()
        } else {
            &self.buf
        }
    }

    /// Gives the buffer back for reuse.
    pub(crate) fn into_buffer(mut self) -> Vec<u8> {
        self.take_back_room();
        self.buf
    }

    /// Bytes of an incomplete head held so far.
    pub(crate) fn held(&self) -> usize {
        if self.complete {
            0
        } else {
            self.buf.len().saturating_sub(self.lent)
        }
    }

    /// Heap bytes reserved by the reader.
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Appends `chunk` if it continues a started head without ending it and fits the
    /// buffer and the limit: no LF, or (read a byte at a time) one LF that ends a line
    /// properly after a CR. Otherwise leaves everything as it was and says no.
    /// Always inlined: a call would cost more than the append.
    #[inline(always)]
    pub(crate) fn append_within_head(&mut self, chunk: &[u8]) -> bool {
        let len = self.buf.len();
        if self.append_end == 0 || len.saturating_add(chunk.len()) > self.append_end {
            return false;
        }
        match chunk {
            [b'\n'] => {
                // The scan's rules for this LF: a CR before it, and not the empty
                // line that ends the head (that one goes the general way).
                let ends_head = self.line_start != 0 && self.line_start.saturating_add(1) == len;
                if self.buf.last() != Some(&b'\r') || ends_head {
                    return false;
                }
                self.buf.push(b'\n');
                self.line_start = len.saturating_add(1);
            }
            [byte] => self.buf.push(*byte), // no memcpy call for one byte
            _ if find_lf(chunk).is_some() => return false,
            _ => self.buf.extend_from_slice(chunk),
        }
        true
    }

    /// Feeds one chunk; `limit` is the largest head accepted, in bytes.
    pub(crate) fn feed<'a>(
        &'a mut self,
        chunk: &'a [u8],
        limit: usize,
    ) -> Result<Read<'a>, HeadError> {
        if self.append_within_head(chunk) {
            return Ok(Read::Partial);
        }
        self.feed_scan(chunk, limit)
    }

    /// [`feed`](Self::feed) in general: scans for line ends, grows the buffer.
    /// Out of line, so the fast path stays a few instructions.
    #[inline(never)]
    fn feed_scan<'a>(&'a mut self, chunk: &'a [u8], limit: usize) -> Result<Read<'a>, HeadError> {
        // Only a chunk that leaves a head pending allows plain appends again.
        self.append_end = 0;
        self.take_back_room();
        if self.complete {
            self.buf.clear();
            self.line_start = 0;
            self.complete = false;
        }
        let base = self.buf.len();
        let mut from = 0;
        while let Some(i) = chunk
            .get(from..)
            .and_then(find_lf)
            .map(|i| i.saturating_add(from))
        {
            // A byte past the limit ends the head first, whatever it is: checking this
            // before the line ending keeps the outcome independent of the chunking.
            if base.saturating_add(i) >= limit {
                return Err(HeadError::TooLarge { limit });
            }
            let prev = match i.checked_sub(1) {
                Some(p) => chunk.get(p),
                None => self.buf.last(),
            };
            if prev != Some(&b'\r') {
                return Err(HeadError::Malformed(Malformed::BareLf));
            }
            let end = base.saturating_add(i).saturating_add(1);
            // `CR LF CR LF`: this LF closes an empty line that began right after the last LF.
            if self.line_start != 0 && self.line_start.saturating_add(2) == end {
                let (tail, leftover) = chunk.split_at(i.saturating_add(1));
                self.complete = true;
                let head = if self.buf.is_empty() {
                    tail
                } else {
                    self.buf.reserve_exact(tail.len());
                    self.buf.extend_from_slice(tail);
                    &self.buf
                };
                return Ok(Read::Complete { head, leftover });
            }
            self.line_start = end;
            from = i.saturating_add(1);
        }
        let held = base.saturating_add(chunk.len());
        if held > limit {
            return Err(HeadError::TooLarge { limit });
        }
        if held > self.buf.capacity() {
            let step = GROWTH_STEP.max(held / 128);
            let target = held.saturating_add(step).min(limit);
            self.buf.reserve_exact(target.saturating_sub(base));
        }
        self.buf.extend_from_slice(chunk);
        self.append_end = self.buf.capacity().min(limit);
        Ok(Read::Partial)
    }

    /// The error for a head that did not end within `limit` bytes: which part
    /// overflowed is told by whether a line other than a leading empty one had ended
    /// (only an LF before the limit moves `line_start`, so any chunking says the same).
    #[cold]
    fn too_large(&self, limit: usize) -> HeadError {
        if self.line_start <= 2 {
            HeadError::StartLineTooLong { limit }
        } else {
            HeadError::TooLarge { limit }
        }
    }

    /// Drops the room lent by [`spare`](Self::spare) and not committed.
    fn take_back_room(&mut self) {
        if self.lent != 0 {
            self.buf.truncate(self.buf.len().saturating_sub(self.lent));
            self.lent = 0;
        }
    }

    /// Room at the end of the buffer to read the next bytes of a head into: the
    /// buffer's spare capacity, grown by [`READ_ROOM`] (or 1/128 of the bytes held, if
    /// more) when less than [`MIN_ROOM`] is spare, and never more than `limit + 1`
    /// bytes held in all (one byte past the limit tells that a head is too large). At
    /// least one byte, so that a read of zero bytes always means the end of the stream.
    ///
    /// The room stays initialized between calls (zeros at first, then whatever was
    /// read and not committed), so each byte of it is zeroed once, not once per read.
    /// It is the tail of `buf` past the head's bytes: `lent` bytes long.
    pub(crate) fn spare(&mut self, limit: usize) -> &mut [u8] {
        // Bytes lent out may be anything: no plain appends until they are taken back.
        self.append_end = 0;
        if self.complete {
            self.buf.clear();
            self.line_start = 0;
            self.complete = false;
            self.lent = 0;
        }
        let len = self.buf.len().saturating_sub(self.lent);
        let allowed = limit.saturating_add(1).saturating_sub(len).max(1);
        let mut room = self.buf.capacity().saturating_sub(len).min(allowed);
        if room < MIN_ROOM.min(allowed) {
            room = READ_ROOM.max(len / 128).min(allowed);
            self.buf.reserve_exact(room.saturating_sub(self.lent));
        }
        // Zero-fills only the part never lent before.
        self.buf.resize(len.saturating_add(room), 0);
        self.lent = room;
        self.buf.get_mut(len..).unwrap_or_default()
    }

    /// Takes the first `n` bytes (at most the room lent) of the room lent by
    /// [`spare`](Self::spare) into the head, and returns the offset of the first of
    /// them: the bytes to [`scan_held`](Self::scan_held) from.
    pub(crate) fn commit(&mut self, n: usize) -> usize {
        if self.complete {
            // No room lent since the last head: start afresh, as `feed(&[])` would.
            self.buf.clear();
            self.line_start = 0;
            self.complete = false;
            self.lent = 0;
        }
        let base = self.buf.len().saturating_sub(self.lent);
        self.lent = self.lent.saturating_sub(n);
        base
    }

    /// Frees the buffer's spare capacity beyond [`GROWTH_STEP`] bytes, and the whole
    /// buffer when it holds no part of a head: for a caller about to wait for the peer
    /// (room lent by [`spare`](Self::spare) is taken back).
    pub(crate) fn shrink(&mut self) {
        self.take_back_room();
        if self.is_idle() {
            *self = Self::default();
        } else if self.buf.capacity().saturating_sub(self.buf.len()) > GROWTH_STEP {
            self.buf
                .shrink_to(self.buf.len().saturating_add(GROWTH_STEP));
            self.append_end = self.append_end.min(self.buf.capacity());
        }
    }

    /// [`feed_scan`](Self::feed_scan) over bytes already in the buffer: scans the
    /// head's bytes from `from` on (those before were scanned) for line ends and
    /// returns where the head ends, if it does. The bytes after it stay in the buffer;
    /// the room lent and not committed is then dropped.
    fn scan_held(&mut self, from: usize, limit: usize) -> Result<Option<usize>, HeadError> {
        let len = self.buf.len().saturating_sub(self.lent);
        let mut from = from;
        while let Some(i) = self
            .buf
            .get(from..len)
            .and_then(find_lf)
            .map(|i| i.saturating_add(from))
        {
            // As in `feed_scan`: the limit first, then the line ending.
            if i >= limit {
                return Err(HeadError::TooLarge { limit });
            }
            if i.checked_sub(1).and_then(|p| self.buf.get(p)) != Some(&b'\r') {
                return Err(HeadError::Malformed(Malformed::BareLf));
            }
            let end = i.saturating_add(1);
            if self.line_start != 0 && self.line_start.saturating_add(2) == end {
                self.take_back_room();
                self.complete = true;
                return Ok(Some(end));
            }
            self.line_start = end;
            from = end;
        }
        if len > limit {
            return Err(HeadError::TooLarge { limit });
        }
        Ok(None)
    }

    /// Drops a completed (interim) head of `end` bytes from the front of the buffer:
    /// the bytes after it (no room lent) start the next head, not scanned yet.
    fn drop_head(&mut self, end: usize) {
        self.buf.drain(..end.min(self.buf.len()));
        self.line_start = 0;
        self.complete = false;
    }
}

/// Where the bytes a handshake takes in come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Input<'a> {
    /// A chunk the caller read into its own buffer (`feed`).
    Chunk(&'a [u8]),
    /// The first `n` bytes of the room lent by [`HeadReader::spare`] (`commit`).
    Committed(usize),
}

/// A role's outcome, which has a value for "more bytes needed". `read` returns it
/// directly: wrapped in an `Option` and unwrapped by the caller, the outcome (up to
/// 192 bytes) was moved twice more per handshake.
pub(crate) trait Pending {
    /// The outcome while the head is incomplete.
    fn need_more() -> Self;
}

/// Reads the next head that counts from `input`, for every role: see
/// [`read_chunk`] and [`read_committed`], which give every input the same outcome.
#[inline]
pub(crate) fn read<'a, T: Pending, E: From<HeadError>>(
    reader: &'a mut HeadReader,
    input: Input<'a>,
    kind: Kind,
    limits: Limits,
    interim_bytes: &mut usize,
    finish: impl FnOnce(&'a [u8], &'a [u8], &Parsed<'_, 'a>) -> Result<T, E>,
) -> Result<T, E> {
    match input {
        Input::Chunk(chunk) => read_chunk(reader, chunk, kind, limits, interim_bytes, finish),
        Input::Committed(n) => read_committed(reader, n, kind, limits, interim_bytes, finish),
    }
}

/// Reads the next head that counts from `chunk`, for either role: the one
/// "whole head in one chunk, else scan" logic of the crate.
///
/// A head that arrives whole at the start of a chunk is parsed straight from it (no
/// scan, no copy); any other is scanned for (each byte once) and parsed once when
/// complete. Both ways give every chunking the same outcome. For responses, interim
/// heads (1xx but 101, RFC 9110 §15.2) are skipped, their bytes counted in
/// `interim_bytes` against the head limit. The head that counts goes to `finish` with the
/// bytes that followed it; [`Pending::need_more`] means more bytes are needed.
#[inline]
fn read_chunk<'a, T: Pending, E: From<HeadError>>(
    reader: &'a mut HeadReader,
    chunk: &'a [u8],
    kind: Kind,
    limits: Limits,
    interim_bytes: &mut usize,
    finish: impl FnOnce(&'a [u8], &'a [u8], &Parsed<'_, 'a>) -> Result<T, E>,
) -> Result<T, E> {
    let limit = limits.max_head_bytes();
    let max_fields = limits.max_headers();
    let mut rest = chunk;
    // One array for every parse below: a frame of one 4 KiB array, not three.
    let mut storage = fields();
    // Skip interim heads; stop at the one that counts, `taken` of its bytes in `rest`.
    let taken = loop {
        let budget = limit.saturating_sub(*interim_bytes);
        // A chunk shorter than the shortest complete head (`HTTP/1.1 200\r\n\r\n`)
        // is not worth a parse: the scan decides every chunk the same way.
        if reader.is_idle() && rest.len() >= SHORTEST_HEAD {
            if let Ok(Some((n, parsed))) = parse(kind, rest, &mut storage, max_fields) {
                let names = parsed.fields.iter().map(|h| h.name);
                if let (true, Some((head, leftover))) = (
                    is_whole_head(rest, n, budget, names),
                    rest.split_at_checked(n),
                ) {
                    reader.took_whole_head();
                    if !parsed.status().is_some_and(is_interim) {
                        return finish(head, leftover, &parsed);
                    }
                    *interim_bytes = interim_bytes.saturating_add(n);
                    rest = leftover;
                    continue;
                }
            }
            // Anything else takes the scan, which decides it the same way.
        }
        let (taken, head_len, interim) = match reader.feed(rest, budget) {
            Ok(Read::Partial) => return Ok(T::need_more()),
            Err(HeadError::TooLarge { .. }) => return Err(reader.too_large(limit).into()),
            Err(e) => return Err(e.into()),
            Ok(Read::Complete { head, leftover }) => {
                let interim = is_skipped(kind, head, max_fields)?;
                let taken = rest.len().saturating_sub(leftover.len());
                (taken, head.len(), interim)
            }
        };
        if !interim {
            break taken;
        }
        *interim_bytes = interim_bytes.saturating_add(head_len);
        rest = rest.get(taken..).unwrap_or_default();
        if rest.is_empty() {
            return Ok(T::need_more());
        }
    };
    let head = reader.completed_head(rest, taken);
    let leftover = rest.get(taken..).unwrap_or_default();
    finish_head(kind, head, leftover, max_fields, &mut storage, finish)
}

/// [`read`] for bytes read straight into the reader's buffer: takes in the first `n`
/// bytes of the room [`HeadReader::spare`] lent, with the same outcome, leftover and
/// errors as `read` given those bytes as a chunk. The new bytes are scanned in place
/// (each once); the head and its leftover are borrowed from the buffer. Interim heads
/// are dropped from the front of the buffer, the bytes after them scanned as new.
fn read_committed<'a, T: Pending, E: From<HeadError>>(
    reader: &'a mut HeadReader,
    n: usize,
    kind: Kind,
    limits: Limits,
    interim_bytes: &mut usize,
    finish: impl FnOnce(&'a [u8], &'a [u8], &Parsed<'_, 'a>) -> Result<T, E>,
) -> Result<T, E> {
    let limit = limits.max_head_bytes();
    let max_fields = limits.max_headers();
    let mut from = reader.commit(n);
    let end = loop {
        let budget = limit.saturating_sub(*interim_bytes);
        let end = match reader.scan_held(from, budget) {
            Ok(None) => return Ok(T::need_more()),
            Err(HeadError::TooLarge { .. }) => return Err(reader.too_large(limit).into()),
            Err(e) => return Err(e.into()),
            Ok(Some(end)) => end,
        };
        let head = reader.buf.get(..end).unwrap_or_default();
        if !is_skipped(kind, head, max_fields)? {
            break end;
        }
        *interim_bytes = interim_bytes.saturating_add(end);
        reader.drop_head(end);
        from = 0;
    };
    let (head, leftover) = reader.buf.split_at_checked(end).unwrap_or_default();
    finish_head(kind, head, leftover, max_fields, &mut fields(), finish)
}

/// Parses the complete head that counts (found by the scan, so complete) and hands it
/// with the bytes after it to the role's `finish`.
fn finish_head<'a, T, E: From<HeadError>>(
    kind: Kind,
    head: &'a [u8],
    leftover: &'a [u8],
    max_fields: usize,
    storage: &mut Fields<'a>,
    finish: impl FnOnce(&'a [u8], &'a [u8], &Parsed<'_, 'a>) -> Result<T, E>,
) -> Result<T, E> {
    parse_head(kind, head, storage, max_fields, |parsed| {
        finish(head, leftover, parsed)
    })
}

/// Whether a complete head is an interim response, which a client skips. A final
/// response head whose status line starts plainly is parsed once, later; only an
/// interim one (or an unusual one) is parsed here.
fn is_skipped(kind: Kind, head: &[u8], max_fields: usize) -> Result<bool, HeadError> {
    if kind != Kind::Response || peek_status(head).is_some_and(|status| !is_interim(status)) {
        return Ok(false);
    }
    is_interim_head(head, max_fields)
}

/// An interim response status, skipped by a client: 1xx but 101 (RFC 9110 §15.2).
fn is_interim(status: u16) -> bool {
    (100..=199).contains(&status) && status != 101
}

/// Whether a complete response head is an interim one, by a parse (one that is must
/// be well-formed too). Out of line: rare, and its array stays off the common frame.
#[cold]
#[inline(never)]
fn is_interim_head(head: &[u8], max_fields: usize) -> Result<bool, HeadError> {
    let mut storage = fields();
    parse_head(Kind::Response, head, &mut storage, max_fields, |p| {
        Ok(p.status().is_some_and(is_interim))
    })
}

/// Whether the first `n` bytes of `chunk`, which httparse parsed as a complete head
/// with these header names, are exactly the head the incremental scan would find:
/// the chunk starts a head (httparse, unlike the scan, skips leading empty lines), the
/// head fits `limit` and ends in `CRLF CRLF`, and every line before a header name ends
/// in `CRLF` (httparse also takes a bare LF there). Checking where each name starts
/// costs a compare per header instead of a pass over the bytes.
pub(crate) fn is_whole_head<'h>(
    chunk: &[u8],
    n: usize,
    limit: usize,
    mut names: impl Iterator<Item = &'h str>,
) -> bool {
    if matches!(chunk.first(), None | Some(b'\r' | b'\n')) || n > limit {
        return false;
    }
    let Some(head) = chunk.get(..n) else {
        return false;
    };
    let base = head.as_ptr() as usize;
    head.ends_with(b"\r\n\r\n")
        && names.all(|name| {
            let at = (name.as_ptr() as usize).wrapping_sub(base);
            at.checked_sub(2).and_then(|from| head.get(from..at)) == Some(&b"\r\n"[..])
        })
}

/// The header lines of a parsed head: from the first header name (where httparse
/// found it, so no scan) to before the final empty line; empty without headers.
pub(crate) fn header_block<'h>(head: &'h [u8], headers: &[httparse::Header<'_>]) -> &'h [u8] {
    let Some(first) = headers.first() else {
        return &[];
    };
    let start = (first.name.as_ptr() as usize).wrapping_sub(head.as_ptr() as usize);
    head.get(start..head.len().saturating_sub(2))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(chunks: &[&[u8]], limit: usize) -> Result<(Vec<u8>, Vec<u8>), HeadError> {
        let mut r = HeadReader::default();
        for (i, c) in chunks.iter().enumerate() {
            if let Read::Complete { head, leftover } = r.feed(c, limit)? {
                // What the caller would see: this leftover, then its later reads.
                let rest = chunks[i + 1..].concat();
                return Ok((head.to_vec(), [leftover, &rest].concat()));
            }
        }
        Ok((Vec::new(), Vec::new()))
    }

    #[test]
    fn finds_end_across_chunks() {
        let whole = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nXYZ";
        for split in 0..whole.len() {
            let (a, b) = whole.split_at(split);
            let (head, left) = feed_all(&[a, b], 100).unwrap();
            assert_eq!(head, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assert_eq!(left, b"XYZ");
        }
    }

    #[test]
    fn rejects_bare_lf_anywhere() {
        for bad in [
            &b"GET / HTTP/1.1\nHost: a\r\n\r\n"[..],
            b"GET / HTTP/1.1\r\nHost: a\n\r\n",
            b"\n",
        ] {
            assert_eq!(
                feed_all(&[bad], 100),
                Err(HeadError::Malformed(Malformed::BareLf))
            );
        }
    }

    #[test]
    fn limit_counts_the_whole_head() {
        let whole = b"GET / HTTP/1.1\r\n\r\n";
        assert!(feed_all(&[whole], whole.len()).is_ok());
        assert_eq!(
            feed_all(&[whole], whole.len() - 1),
            Err(HeadError::TooLarge {
                limit: whole.len() - 1
            })
        );
        assert_eq!(
            feed_all(&[b"GET / HTTP/1.1\r\n", b"Ho"], 17),
            Err(HeadError::TooLarge { limit: 17 })
        );
    }
}
