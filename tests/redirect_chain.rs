//! `Redirects`, the chain a client follows (RFC 6455 §4.1 lets it follow a 3xx):
//! the hop limit, loop detection, and credentials only while the origin is kept
//! (RFC 6454 §5).

use ws_handshake::redirect::{RedirectError, RedirectPolicy, Redirects, DEFAULT_MAX_REDIRECTS};
use ws_handshake::{ClientConfig, ClientFeed, ClientHandshake, ClientKey, WsUrl};

/// Feeds `response` to a handshake for `current` and follows it through `chain`;
/// the next URL on success.
fn hop(chain: &mut Redirects, current: &str, response: &str) -> Result<String, RedirectError> {
    let config = ClientConfig::new();
    let url = WsUrl::parse(current).unwrap();
    let mut handshake = ClientHandshake::new(&config, url, ClientKey::from_nonce([1; 16]));
    let Ok(ClientFeed::Refused(refusal)) = handshake.feed(response.as_bytes()) else {
        panic!("not refused")
    };
    let mut next = String::new();
    chain.follow(&url, &refusal, &mut next)?;
    Ok(next)
}

fn redirect(status: u16, location: &str) -> String {
    format!("HTTP/1.1 {status} Moved\r\nLocation: {location}\r\n\r\n")
}

#[test]
fn the_limit_counts_hops() {
    for limit in [0, 1, 3, DEFAULT_MAX_REDIRECTS] {
        let first = WsUrl::parse("ws://example.com/0").unwrap();
        let policy = RedirectPolicy::new().max_redirects(limit);
        let mut chain = policy.chain(&first);
        let mut current = "ws://example.com/0".to_string();
        for n in 1..=limit {
            current = hop(&mut chain, &current, &redirect(302, &format!("/{n}"))).unwrap();
            assert_eq!(chain.hops(), n);
        }
        assert_eq!(
            hop(&mut chain, &current, &redirect(302, "/next")),
            Err(RedirectError::TooManyRedirects { limit })
        );
        assert_eq!(chain.hops(), limit, "an error leaves the chain as it was");
    }
    assert_eq!(RedirectPolicy::default(), RedirectPolicy::new());
}

/// RFC 9110 §15.4: only a 3xx with a single target is a redirect. A refusal that is
/// none (a 403, a 300) is reported as such, also once the hop limit is reached: the
/// limit counts redirects, so it cannot be what a non-redirect broke.
#[test]
fn a_refusal_that_is_no_redirect_says_so_at_the_limit() {
    let first = WsUrl::parse("ws://example.com/").unwrap();
    for limit in [0, 1] {
        let mut chain = RedirectPolicy::new().max_redirects(limit).chain(&first);
        let mut current = "ws://example.com/".to_string();
        if limit == 1 {
            current = hop(&mut chain, &current, &redirect(302, "/next")).unwrap();
        }
        for (status, response) in [
            (403, "HTTP/1.1 403 Forbidden\r\n\r\n"),
            (300, "HTTP/1.1 300 Multiple Choices\r\nLocation: /x\r\n\r\n"),
        ] {
            assert_eq!(
                hop(&mut chain, &current, response),
                Err(RedirectError::NotRedirect { status })
            );
        }
        assert_eq!(chain.hops(), limit);
    }
}

#[test]
fn a_target_already_visited_is_a_loop() {
    let first = WsUrl::parse("ws://Example.com/a?x=1").unwrap();
    // The same URL in another spelling: host case, the default port written out.
    for back in [
        "ws://example.COM:80/a?x=1",
        "/a?x=1",
        "http://example.com/a?x=1",
    ] {
        let mut chain = RedirectPolicy::new().chain(&first);
        let b = hop(&mut chain, "ws://Example.com/a?x=1", &redirect(307, "/b")).unwrap();
        assert_eq!(
            hop(&mut chain, &b, &redirect(307, back)),
            Err(RedirectError::Loop)
        );
    }
    // A redirect to itself is a loop at once; another query is another URL.
    let mut chain = RedirectPolicy::new().chain(&first);
    let self_loop = hop(
        &mut chain,
        "ws://example.com/a?x=1",
        &redirect(301, "/a?x=1"),
    );
    assert_eq!(self_loop, Err(RedirectError::Loop));
    assert!(hop(
        &mut chain,
        "ws://example.com/a?x=1",
        &redirect(301, "/a?x=2")
    )
    .is_ok());
}

#[test]
fn credentials_stop_at_the_first_other_origin() {
    let first = WsUrl::parse("wss://example.com/a").unwrap();
    let mut chain = RedirectPolicy::new().chain(&first);
    assert!(chain.credentials_allowed());
    let b = hop(&mut chain, "wss://example.com/a", &redirect(308, "/b")).unwrap();
    assert!(chain.credentials_allowed(), "same origin");
    // Same host, another port: another origin (RFC 6454 §5).
    let c = hop(&mut chain, &b, &redirect(302, "wss://example.com:8443/c")).unwrap();
    assert!(!chain.credentials_allowed());
    // Back to the first origin: still dropped, as curl does.
    hop(&mut chain, &c, &redirect(302, "wss://example.com/d")).unwrap();
    assert!(!chain.credentials_allowed());
}

#[test]
fn the_policy_still_applies_on_each_hop() {
    let first = WsUrl::parse("wss://example.com/").unwrap();
    let mut chain = RedirectPolicy::new().chain(&first);
    assert_eq!(
        hop(
            &mut chain,
            "wss://example.com/",
            &redirect(302, "ws://example.com/")
        ),
        Err(RedirectError::Downgrade)
    );
    assert_eq!(
        hop(
            &mut chain,
            "wss://example.com/",
            "HTTP/1.1 302 Found\r\n\r\n"
        ),
        Err(RedirectError::LocationMissing)
    );
    assert_eq!(chain.hops(), 0);
    let mut chain = RedirectPolicy::new()
        .dangerous_allow_downgrade(true)
        .chain(&first);
    assert!(hop(
        &mut chain,
        "wss://example.com/",
        &redirect(302, "ws://example.com/")
    )
    .is_ok());
    assert!(
        !chain.credentials_allowed(),
        "ws is another origin than wss"
    );
}
