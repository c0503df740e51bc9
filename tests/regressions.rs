//! Inputs found by fuzzing (fuzz/) and property tests that once broke an invariant.
//! Each test names the target, the invariant and the fix.

use ws_handshake::{Error, Feed, Limits, Malformed, ServerConfig, ServerHandshake};

/// What a handshake returns for `chunks` fed in order, as an owned value.
fn outcome(config: &ServerConfig, chunks: &[&[u8]]) -> Result<bool, Error> {
    let mut hs = ServerHandshake::new(config);
    for chunk in chunks {
        match hs.feed(chunk)? {
            Feed::NeedMore => continue,
            Feed::Upgrade(_) => return Ok(true),
            Feed::Plain(_) => return Ok(false),
        }
    }
    Ok(false)
}

/// server_feed, invariant "the outcome does not depend on the chunking": a bare LF
/// past the head limit was a 400 (bare LF) when it arrived in the same read as the
/// bytes before the limit, and a 431 when the read ended at the limit. The limit
/// now wins in both cases: a byte past it ends the head, whatever byte it is.
#[test]
fn bare_lf_past_the_limit_is_431_in_any_chunking() {
    let config = ServerConfig::new().limits(Limits::default().max_head_bytes(16));
    let request = b"GET / HTTP/1.1\r\nHost: a\n\r\n";
    let too_large = Err(Error::HeadTooLarge { limit: 16 });
    assert_eq!(outcome(&config, &[request]), too_large);
    for split in 0..request.len() {
        let (a, b) = request.split_at(split);
        assert_eq!(outcome(&config, &[a, b]), too_large, "split at {split}");
    }
    // Within the limit, the bare LF is still what is reported.
    let config = ServerConfig::new().limits(Limits::default().max_head_bytes(64));
    assert_eq!(
        outcome(&config, &[request]),
        Err(Error::Malformed(Malformed::BareLf))
    );
}

/// The head's final LF at exactly the limit is fine; one byte further is not.
#[test]
fn head_ending_at_the_limit() {
    let head = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let fits = ServerConfig::new().limits(Limits::default().max_head_bytes(head.len()));
    assert_eq!(outcome(&fits, &[head]), Ok(false));
    let short = ServerConfig::new().limits(Limits::default().max_head_bytes(head.len() - 1));
    let too_large = Err(Error::HeadTooLarge {
        limit: head.len() - 1,
    });
    for split in 0..head.len() {
        let (a, b) = head.split_at(split);
        assert_eq!(outcome(&short, &[a, b]), too_large, "split at {split}");
    }
}

