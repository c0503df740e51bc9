//! The bit tricks, all of them: word-at-a-time (SWAR) searches and compares and
//! compile-time byte tables, each behind one function whose test checks it against
//! the plain definition on every byte at every position. Everything else in the crate
//! reads as plain byte code and calls these (the way httparse keeps its SIMD behind
//! two calls in `src/simd/`).

/// A 256-entry table of `pred(b)` for ASCII `b` (`false` above 0x7F), built at compile
/// time from a `const fn`: one load per byte where a chain of compares would branch.
macro_rules! ascii_table {
    ($pred:path) => {{
        let mut table = [false; 256];
        let mut b = 0u8;
        while b < 128 {
            // Evaluated at compile time: an index out of bounds would fail the build.
            #[allow(clippy::indexing_slicing)]
            {
                table[b as usize] = $pred(b);
            }
            b = b.wrapping_add(1);
        }
        table
    }};
}
pub(crate) use ascii_table;

/// Whether `name` equals `lower`, an ASCII-lowercase constant of the same length,
/// ignoring ASCII case: eight bytes at a time. Only where `lower` has a letter may
/// `name` differ, and only in the case bit, so no other byte can match by accident.
#[inline(always)]
pub(crate) fn eq_lowercase<const N: usize>(name: &[u8], lower: &[u8; N]) -> bool {
    if name.len() != N {
        return false;
    }
    if N < 8 {
        // One word, zero-padded.
        let padded = |s: &[u8]| {
            let mut word = [0u8; 8];
            if let (Some(dst), Some(src)) = (word.get_mut(..N), s.get(..N)) {
                dst.copy_from_slice(src);
            }
            u64::from_le_bytes(word)
        };
        return matches_lower(padded(name), padded(lower));
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..at.saturating_add(8))
            .and_then(|w| w.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    // Words at 0, 8, ... and one ending exactly at N (it may overlap the previous one).
    let last = N.saturating_sub(8);
    let mut at = 0;
    while at < last {
        if !matches_lower(word(name, at), word(lower, at)) {
            return false;
        }
        at = at.saturating_add(8);
    }
    matches_lower(word(name, last), word(lower, last))
}

/// Whether the eight bytes of `x` equal those of `lower` (lowercase), ignoring case.
/// `lower` is a constant where this is inlined, so its letter mask folds away: the
/// test costs an OR and a compare.
#[inline(always)]
fn matches_lower(x: u64, lower: u64) -> bool {
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);
    let seven = lower & LOW7;
    // The high bit of each byte is set where `lower` holds `a`-`z`.
    let at_least_a = seven.wrapping_add(u64::from_ne_bytes([0x80 - b'a'; 8]));
    let above_z = seven.wrapping_add(u64::from_ne_bytes([0x80 - b'z' - 1; 8]));
    let letters = at_least_a & !above_z & !lower & HIGH;
    // A letter matches itself or itself minus 0x20 (upper case); anything else only itself.
    (x | (letters >> 2)) == lower
}

/// Position of the first LF (see [`find_byte`]).
pub(crate) fn find_lf(hay: &[u8]) -> Option<usize> {
    find_byte(hay, b'\n')
}

/// Position of the first `byte`, eight bytes at a time (SWAR: one load, four ALU ops).
/// Inlined where `byte` is a constant, so its word folds away.
#[inline(always)]
pub(crate) fn find_byte(hay: &[u8], byte: u8) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let pattern = u64::from_ne_bytes([byte; 8]);
    let mut words = hay.chunks_exact(8);
    let mut offset = 0usize;
    for word in &mut words {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ pattern;
        // A byte of `x` is zero where the input is `byte`; the lowest flagged byte is
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
        .position(|&b| b == byte)
        .map(|i| offset.saturating_add(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq_lowercase_is_eq_ignore_ascii_case_for_every_byte_at_every_position() {
        const NAME: &[u8; 24] = b"sec-websocket-extensions";
        for at in 0..NAME.len() {
            for b in 0..=255u8 {
                let mut name = *NAME;
                name[at] = b;
                let expected = name.eq_ignore_ascii_case(NAME);
                assert_eq!(eq_lowercase(&name, NAME), expected, "{b:#x} at {at}");
                // Lengths under a word and between words take other paths.
                assert_eq!(
                    eq_lowercase(&name[..4], b"sec-"),
                    name[..4].eq_ignore_ascii_case(b"sec-")
                );
                assert_eq!(
                    eq_lowercase(&name[..17], b"sec-websocket-ext"),
                    name[..17].eq_ignore_ascii_case(b"sec-websocket-ext")
                );
            }
        }
        assert!(eq_lowercase(b"Sec-WebSocket-Extensions", NAME));
        assert!(!eq_lowercase(b"sec-websocket-extension", NAME));
        assert!(!eq_lowercase(b"sec-websocket-extensionsx", NAME));
    }

    #[test]
    fn find_byte_matches_naive_search() {
        // As `find_lf`'s test, for another byte: every filler, every position.
        for needle in [b'#', 0, 0xff] {
            for filler in (0..=255u8).filter(|&b| b != needle) {
                let mut hay = [filler; 20];
                assert_eq!(find_byte(&hay, needle), None);
                for i in 0..hay.len() {
                    hay[i] = needle;
                    assert_eq!(find_byte(&hay, needle), Some(i), "{filler} at {i}");
                    assert_eq!(find_byte(&hay[..i], needle), None);
                    hay[i] = filler;
                }
            }
        }
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
