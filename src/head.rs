//! Finding the end of an HTTP head in bytes fed in arbitrary chunks.
//!
//! Each byte is scanned exactly once, whatever the chunking, so feeding N bytes costs
//! O(N). Bytes are copied only while a head is incomplete; a head that arrives whole
//! in one chunk is never copied, and bytes after the head are never copied at all.

use alloc::vec::Vec;

use crate::error::{Error, Malformed};

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
}

/// Growth steps for the buffer: slack stays under `max(128, held / 128)` bytes. Up to
/// 16 KiB held (the default limit) that is 128 bytes, so a pending handshake holds at
/// most k + 200 bytes in all (`tests/memory.rs`); beyond, growth is geometric, so
/// with a larger limit each byte is still copied a bounded number of times.
const GROWTH_STEP: usize = 128;

impl HeadReader {
    /// A reader that reuses `buf`'s allocation.
    pub(crate) fn with_buffer(mut buf: Vec<u8>) -> Self {
        buf.clear();
        Self {
            buf,
            line_start: 0,
            complete: false,
            append_end: 0,
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

    /// Gives the buffer back for reuse.
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// The head just returned as [`Read::Complete`] if it was assembled in the buffer
    /// (it spanned several chunks); empty if it was taken straight from the last chunk.
    pub(crate) fn completed_head(&self) -> &[u8] {
        if self.complete {
            &self.buf
        } else {
            &[]
        }
    }

    /// Bytes of an incomplete head held so far.
    pub(crate) fn held(&self) -> usize {
        if self.complete {
            0
        } else {
            self.buf.len()
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
    pub(crate) fn feed<'a>(&'a mut self, chunk: &'a [u8], limit: usize) -> Result<Read<'a>, Error> {
        if self.append_within_head(chunk) {
            return Ok(Read::Partial);
        }
        self.feed_scan(chunk, limit)
    }

    /// [`feed`](Self::feed) in general: scans for line ends, grows the buffer.
    /// Out of line, so the fast path stays a few instructions.
    #[inline(never)]
    fn feed_scan<'a>(&'a mut self, chunk: &'a [u8], limit: usize) -> Result<Read<'a>, Error> {
        // Only a chunk that leaves a head pending allows plain appends again.
        self.append_end = 0;
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
                return Err(Error::HeadTooLarge { limit });
            }
            let prev = match i.checked_sub(1) {
                Some(p) => chunk.get(p),
                None => self.buf.last(),
            };
            if prev != Some(&b'\r') {
                return Err(Error::Malformed(Malformed::BareLf));
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
            return Err(Error::HeadTooLarge { limit });
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

/// Position of the first LF, eight bytes at a time (SWAR: one load, four ALU ops).
fn find_lf(hay: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const LF: u64 = u64::from_ne_bytes([b'\n'; 8]);
    let mut words = hay.chunks_exact(8);
    let mut offset = 0usize;
    for word in &mut words {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ LF;
        // A byte of `x` is zero where the input is LF; the lowest flagged byte is
        // exact (borrows only propagate upwards, past the first zero byte).
        let zero = x.wrapping_sub(ONES) & !x & HIGH;
        if zero != 0 {
            return Some(offset.saturating_add((zero.trailing_zeros() / 8) as usize));
        }
        offset = offset.saturating_add(8);
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| offset.saturating_add(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(chunks: &[&[u8]], limit: usize) -> Result<(Vec<u8>, Vec<u8>), Error> {
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
                Err(Error::Malformed(Malformed::BareLf))
            );
        }
    }

    #[test]
    fn limit_counts_the_whole_head() {
        let whole = b"GET / HTTP/1.1\r\n\r\n";
        assert!(feed_all(&[whole], whole.len()).is_ok());
        assert_eq!(
            feed_all(&[whole], whole.len() - 1),
            Err(Error::HeadTooLarge {
                limit: whole.len() - 1
            })
        );
        assert_eq!(
            feed_all(&[b"GET / HTTP/1.1\r\n", b"Ho"], 17),
            Err(Error::HeadTooLarge { limit: 17 })
        );
    }

    #[test]
    fn find_lf_matches_naive_search() {
        // Every filler byte (SWAR borrows must not fake a match), every position,
        // with and without a second LF or a byte just above LF after the first.
        for filler in (0..=255u8).filter(|&b| b != b'\n') {
            let mut hay = [filler; 40];
            assert_eq!(find_lf(&hay), None);
            for i in 0..hay.len() {
                for after in [filler, b'\n', b'\n' + 1, 0x8a, 0] {
                    hay[i] = b'\n';
                    if let Some(next) = hay.get_mut(i + 1) {
                        *next = after;
                    }
                    assert_eq!(find_lf(&hay), Some(i), "filler {filler}, at {i}");
                    for h in &mut hay[..] {
                        *h = filler;
                    }
                    for len in 0..=i {
                        assert_eq!(find_lf(&hay[..len]), None);
                    }
                }
            }
        }
    }
}
