//! Where the edge may send web push messages: an `https://` URL on a push service host of the
//! allowlist (`TIDINGS_PUSH_HOSTS`), parsed strictly enough that no URL parser (the runtime's
//! `fetch` uses WHATWG's) can see another host in it.
//!
//! Refused, always: any scheme but `https` (except loopback `http` in dev mode); userinfo
//! (`user@host`); IP literals in every form (`1.2.3.4`, `[::1]`, and hosts WHATWG would read as
//! IPv4: `2130706433`, `0x7f.1`, `0177.0.0.1`, any host whose last label is a number); any host
//! character but `a-z`, `0-9`, `-`, `.` (no `%`, `\`, `_`, non-ASCII: nothing the runtime would
//! decode or map into another name); empty labels and a trailing dot; a port other than 443
//! unless its pattern names it; names that only resolve privately (`localhost`, `*.local`,
//! `*.internal`, `*.localdomain`, `*.home.arpa`, single labels, ...) unless a pattern names them.
//! Allowed: a host matching a pattern, exactly (`fcm.googleapis.com`) or as a subdomain of a
//! suffix pattern, one label deep as a TLS wildcard (RFC 6125) is (`*.push.apple.com` matches
//! `web.push.apple.com`, not `push.apple.com` nor `a.web.push.apple.com`).
//! In dev mode, `http://` or `https://` to `127.0.0.1`, `localhost` or `[::1]` on any port.

use crate::FieldError;

/// The push services of the browsers people use: Chrome, Samsung Internet, Opera and other
/// Chromium browsers (Firebase Cloud Messaging; `android.googleapis.com` is GCM's old name, seen
/// in old subscriptions), Firefox (Mozilla autopush), Safari (Apple) and Edge (Windows
/// Notification Service).
pub const DEFAULT_PUSH_HOSTS: &str =
    "fcm.googleapis.com,android.googleapis.com,*.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com";

/// Longest endpoint accepted, in bytes.
pub const MAX_ENDPOINT_BYTES: usize = 2048;

/// Suffixes of names that resolve only inside a network (RFC 6761, RFC 8375, ICANN's `.internal`
/// and common private conventions).
const PRIVATE_SUFFIXES: &[&str] = &[
    "localhost",
    "local",
    "internal",
    "localdomain",
    "home.arpa",
    "lan",
    "intranet",
    "corp",
    "home",
    "test",
    "invalid",
];

/// One allowlist entry: `host`, `*.suffix` or `*` (any public name), optionally `:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    /// The host, or the suffix after `*.`; empty for `*`.
    host: String,
    /// `*.` (a subdomain of `host`) or `*` (any public name).
    wildcard: bool,
    /// The one port allowed besides 443.
    port: Option<u16>,
}

/// The push endpoint policy: the allowlist, and whether dev mode's loopback is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushHosts {
    patterns: Vec<Pattern>,
    dev_loopback: bool,
}

/// Why an endpoint was refused (the wording goes into the field error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Longer than [`MAX_ENDPOINT_BYTES`].
    TooLong,
    /// Not `https://` (or loopback `http://` in dev mode).
    Scheme,
    /// Spaces or control characters.
    Whitespace,
    /// `user@` in the authority.
    Userinfo,
    /// An IP address in any notation.
    IpLiteral,
    /// No host, or one with characters or labels no push service has.
    BadHost,
    /// A port that is neither 443 nor named by a pattern.
    Port,
    /// A name that resolves only inside a network.
    PrivateName,
    /// A host the allowlist does not name.
    NotAllowed,
}

impl Refusal {
    /// The field error's `reason`.
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::TooLong => "too_long",
            Refusal::NotAllowed | Refusal::PrivateName | Refusal::Port => "not_allowed",
            _ => "invalid",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Refusal::TooLong => "must be at most 2048 characters",
            Refusal::Scheme => "must be an https:// URL (http:// is accepted only for loopback hosts in dev mode)",
            Refusal::Whitespace => "must not contain spaces or control characters",
            Refusal::Userinfo => "must not contain a user name or password",
            Refusal::IpLiteral => "must name a push service by host name, not an IP address",
            Refusal::BadHost => "must name a host (letters, digits, '-' and '.')",
            Refusal::Port => "must use the default https port unless the operator allows another",
            Refusal::PrivateName => "must not name a private or local host",
            Refusal::NotAllowed => "is not on a known push service host (TIDINGS_PUSH_HOSTS)",
        }
    }
}

impl Default for PushHosts {
    fn default() -> Self {
        PushHosts::parse(DEFAULT_PUSH_HOSTS, false)
    }
}

impl PushHosts {
    /// The policy of a comma-separated list (empty: [`DEFAULT_PUSH_HOSTS`]); entries that are no
    /// valid pattern are ignored (see [`PushHosts::invalid_entries`]).
    pub fn parse(list: &str, dev_mode: bool) -> PushHosts {
        let list = if list.trim().is_empty() { DEFAULT_PUSH_HOSTS } else { list };
        PushHosts { patterns: list.split(',').filter_map(pattern).collect(), dev_loopback: dev_mode }
    }

    /// The entries of `list` that [`PushHosts::parse`] ignores, for the operator's log.
    pub fn invalid_entries(list: &str) -> Vec<String> {
        list.split(',').filter(|e| !e.trim().is_empty() && pattern(e).is_none()).map(|e| e.trim().to_owned()).collect()
    }

    /// Whether loopback `http://` is accepted (dev mode), for other provider URLs users give.
    pub fn dev_loopback(&self) -> bool {
        self.dev_loopback
    }

    /// Whether `endpoint` may be sent to.
    pub fn allows(&self, endpoint: &str) -> bool {
        self.check(endpoint).is_ok()
    }

    /// Refuses `value` as the field `field`.
    pub fn validate(&self, field: &str, value: &str) -> Result<(), FieldError> {
        self.check(value).map_err(|r| FieldError::new(field, r.reason(), format!("{field} {}", r.message())))
    }

    /// The policy's verdict on `endpoint`.
    pub fn check(&self, endpoint: &str) -> Result<(), Refusal> {
        if endpoint.len() > MAX_ENDPOINT_BYTES {
            return Err(Refusal::TooLong);
        }
        if endpoint.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Refusal::Whitespace);
        }
        let (secure, rest) = match (endpoint.strip_prefix("https://"), endpoint.strip_prefix("http://")) {
            (Some(rest), _) => (true, rest),
            (None, Some(rest)) => (false, rest),
            _ => return Err(Refusal::Scheme),
        };
        // WHATWG ends the authority of an http(s) URL at `/`, `\`, `?` or `#`.
        let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(Refusal::Userinfo);
        }
        if self.dev_loopback && is_loopback(authority) {
            return Ok(());
        }
        if !secure {
            return Err(Refusal::Scheme);
        }
        if authority.starts_with('[') {
            return Err(Refusal::IpLiteral);
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(parse_port(p).ok_or(Refusal::Port)?)),
            None => (authority, None),
        };
        let host = host.to_ascii_lowercase();
        host_syntax(&host)?;
        let port = port.filter(|p| *p != 443);
        let private = is_private_name(&host);
        let mut host_matched = false;
        for p in &self.patterns {
            let matches = if p.wildcard && p.host.is_empty() {
                !private
            } else if p.wildcard {
                host.strip_suffix(p.host.as_str())
                    .and_then(|head| head.strip_suffix('.'))
                    .is_some_and(|label| !label.is_empty() && !label.contains('.'))
            } else {
                host == p.host
            };
            if matches && p.port == port {
                return Ok(());
            }
            host_matched |= matches;
        }
        Err(if host_matched && port.is_some() {
            Refusal::Port
        } else if private {
            Refusal::PrivateName
        } else {
            Refusal::NotAllowed
        })
    }
}

/// A port: 1 to 5 digits, no leading zero, 1..=65535.
fn parse_port(p: &str) -> Option<u16> {
    let ok = !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && !p.starts_with('0');
    ok.then(|| p.parse::<u16>().ok()).flatten()
}

/// Lowercase DNS name syntax, and no name WHATWG would read as an IPv4 address.
fn host_syntax(host: &str) -> Result<(), Refusal> {
    if host.is_empty() || host.len() > 253 {
        return Err(Refusal::BadHost);
    }
    if !host.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.') {
        return Err(Refusal::BadHost);
    }
    let last = host.rsplit('.').next().unwrap_or("");
    // WHATWG's "ends in a number": the last label all digits, or `0x` + hex, makes it IPv4.
    if !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last.strip_prefix("0x").is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())))
    {
        return Err(Refusal::IpLiteral);
    }
    let label_ok = |l: &str| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-');
    if !host.split('.').all(label_ok) {
        return Err(Refusal::BadHost);
    }
    Ok(())
}

/// Single labels and the private suffixes.
fn is_private_name(host: &str) -> bool {
    !host.contains('.')
        || PRIVATE_SUFFIXES.iter().any(|s| host == *s || host.strip_suffix(s).is_some_and(|head| head.ends_with('.')))
}

/// `127.0.0.1`, `localhost` or `[::1]`, with an optional port.
fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix("[::1]") {
        Some(rest) => return rest.is_empty() || rest.strip_prefix(':').is_some_and(|p| parse_port(p).is_some()),
        None => authority.rsplit_once(':').map_or(Some(authority), |(h, p)| parse_port(p).map(|_| h)),
    };
    matches!(host, Some("127.0.0.1" | "localhost"))
}

/// One `TIDINGS_PUSH_HOSTS` entry.
fn pattern(entry: &str) -> Option<Pattern> {
    let entry = entry.trim().to_ascii_lowercase();
    let (host, port) = match entry.rsplit_once(':') {
        Some((h, p)) => (h.to_owned(), Some(parse_port(p)?)),
        None => (entry, None),
    };
    let port = port.filter(|p| *p != 443);
    if host == "*" {
        return Some(Pattern { host: String::new(), wildcard: true, port });
    }
    let (host, wildcard) = match host.strip_prefix("*.") {
        Some(suffix) => (suffix.to_owned(), true),
        None => (host, false),
    };
    host_syntax(&host).ok()?;
    Some(Pattern { host, wildcard, port })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(hosts: &PushHosts, e: &str) -> Result<(), Refusal> {
        hosts.check(e)
    }

    #[test]
    fn the_browsers_push_services_are_allowed_by_default() {
        let h = PushHosts::default();
        for e in [
            "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
            "https://fcm.googleapis.com/wp/abc",
            "https://android.googleapis.com/gcm/send/abc",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
            "https://web.push.apple.com/QGuQ",
            "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
            "https://FCM.googleapis.com/fcm/send/x",
            "https://fcm.googleapis.com:443/fcm/send/x",
            "https://fcm.googleapis.com",
            "https://fcm.googleapis.com?x#y",
        ] {
            assert_eq!(verdict(&h, e), Ok(()), "{e}");
        }
    }

    #[test]
    fn refused_forms() {
        let h = PushHosts::default();
        let cases: &[(&str, Refusal)] = &[
            ("http://fcm.googleapis.com/x", Refusal::Scheme),
            ("ftp://fcm.googleapis.com/x", Refusal::Scheme),
            ("HTTPS://fcm.googleapis.com/x", Refusal::Scheme),
            ("//fcm.googleapis.com/x", Refusal::Scheme),
            ("https://fcm.googleapis.com /x", Refusal::Whitespace),
            ("https://fcm.googleapis.com\t.evil.com/x", Refusal::Whitespace),
            ("https://user@fcm.googleapis.com/x", Refusal::Userinfo),
            ("https://fcm.googleapis.com:pw@evil.com/x", Refusal::Userinfo),
            ("https://1.2.3.4/x", Refusal::IpLiteral),
            ("https://169.254.169.254/latest/meta-data", Refusal::IpLiteral),
            ("https://[::1]/x", Refusal::IpLiteral),
            ("https://[fd00::1]:443/x", Refusal::IpLiteral),
            ("https://[::ffff:127.0.0.1]/x", Refusal::IpLiteral),
            ("https://2130706433/x", Refusal::IpLiteral),
            ("https://0x7f000001/x", Refusal::IpLiteral),
            ("https://0x7f.1/x", Refusal::IpLiteral),
            ("https://0177.0.0.1/x", Refusal::IpLiteral),
            ("https://127.1/x", Refusal::IpLiteral),
            ("https://fcm.googleapis.com.1/x", Refusal::IpLiteral),
            ("https:///x", Refusal::BadHost),
            ("https://fcm.googleapis.com./x", Refusal::BadHost),
            ("https://fcm..googleapis.com/x", Refusal::BadHost),
            ("https://fcm%2egoogleapis.com/x", Refusal::BadHost),
            ("https://fcm_googleapis.com/x", Refusal::BadHost),
            ("https://fcm.googleapis.cοm/x", Refusal::BadHost),
            ("https://-fcm.googleapis.com/x", Refusal::BadHost),
            ("https://fcm.googleapis.com:8443/x", Refusal::Port),
            ("https://fcm.googleapis.com:0443/x", Refusal::Port),
            ("https://fcm.googleapis.com:/x", Refusal::Port),
            ("https://fcm.googleapis.com:99999/x", Refusal::Port),
            ("https://localhost/x", Refusal::PrivateName),
            ("https://localhost.localdomain/x", Refusal::PrivateName),
            ("https://metadata.internal/computeMetadata/v1", Refusal::PrivateName),
            ("https://metadata/x", Refusal::PrivateName),
            ("https://printer.local/x", Refusal::PrivateName),
            ("https://router.home.arpa/x", Refusal::PrivateName),
            ("https://push.example.net/x", Refusal::NotAllowed),
            ("https://push.apple.com/x", Refusal::NotAllowed),
            ("https://evilpush.apple.com/x", Refusal::NotAllowed),
            ("https://fcm.googleapis.com.evil.com/x", Refusal::NotAllowed),
            ("https://web.push.apple.com.evil.com/x", Refusal::NotAllowed),
            ("https://evil.com/fcm.googleapis.com", Refusal::NotAllowed),
            ("http://127.0.0.1:9000/push/1", Refusal::Scheme),
            ("https://127.0.0.1:9000/push/1", Refusal::IpLiteral),
        ];
        for (e, want) in cases {
            assert_eq!(verdict(&h, e), Err(*want), "{e}");
        }
        // WHATWG ends the authority at `\`: the host is fcm.googleapis.com, `@evil.com` is path;
        // the other way round the host is evil.com.
        assert_eq!(verdict(&h, "https://fcm.googleapis.com\\@evil.com/x"), Ok(()));
        assert_eq!(verdict(&h, "https://evil.com\\@fcm.googleapis.com/x"), Err(Refusal::NotAllowed));
        assert_eq!(verdict(&h, &format!("https://fcm.googleapis.com/{}", "x".repeat(2048))), Err(Refusal::TooLong));
    }

    #[test]
    fn dev_mode_adds_loopback_only() {
        let h = PushHosts::parse("", true);
        for e in ["http://127.0.0.1:9000/push/1", "http://localhost:1/p", "http://[::1]:9000/p", "https://127.0.0.1/p"]
        {
            assert_eq!(verdict(&h, e), Ok(()), "{e}");
        }
        for e in ["http://127.0.0.2/p", "http://10.0.0.1/p", "http://example.com/p", "http://127.0.0.1:0/p"] {
            assert!(verdict(&h, e).is_err(), "{e}");
        }
        assert_eq!(verdict(&h, "http://user@127.0.0.1:9000/p"), Err(Refusal::Userinfo));
    }

    #[test]
    fn configured_patterns() {
        let h = PushHosts::parse(" push.example.net , *.corp.example:8443, bad host, *.push.apple.com,", false);
        assert_eq!(verdict(&h, "https://push.example.net/x"), Ok(()));
        assert_eq!(verdict(&h, "https://a.corp.example:8443/x"), Ok(()));
        assert_eq!(verdict(&h, "https://a.corp.example/x"), Err(Refusal::NotAllowed));
        assert_eq!(verdict(&h, "https://push.example.net:8443/x"), Err(Refusal::Port));
        assert_eq!(verdict(&h, "https://fcm.googleapis.com/x"), Err(Refusal::NotAllowed));
        assert_eq!(PushHosts::invalid_entries("a.com, bad host,*,:1,x:0"), vec!["bad host", ":1", "x:0"]);
        let any = PushHosts::parse("*", false);
        assert_eq!(verdict(&any, "https://push.example.net/x"), Ok(()));
        assert_eq!(verdict(&any, "https://metadata.internal/x"), Err(Refusal::PrivateName));
        assert_eq!(verdict(&any, "https://10.0.0.1/x"), Err(Refusal::IpLiteral));
        let private = PushHosts::parse("push.internal", false);
        assert_eq!(verdict(&private, "https://push.internal/x"), Ok(()), "named by the operator");
    }

    #[test]
    fn field_errors_name_the_field() {
        let e = PushHosts::default().validate("sub.endpoint", "https://10.0.0.1/x").unwrap_err();
        assert_eq!((e.field.as_str(), e.reason), ("sub.endpoint", "invalid"));
        let e =
            PushHosts::default().validate("webPushTokens[0].sub.endpoint", "https://push.example.net/x").unwrap_err();
        assert_eq!(e.reason, "not_allowed");
        assert!(e.message.starts_with("webPushTokens[0].sub.endpoint "));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// The host WHATWG would fetch from an accepted `https://` endpoint.
        fn fetched_host(e: &str) -> String {
            let rest = e.strip_prefix("https://").unwrap();
            let authority = rest.split(['/', '\\', '?', '#']).next().unwrap();
            authority.split(':').next().unwrap().to_ascii_lowercase()
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

            #[test]
            fn arbitrary_input_never_panics(e in "\\PC{0,80}", list in "\\PC{0,40}") {
                let _ = PushHosts::default().check(&e);
                let _ = PushHosts::parse(&list, true).check(&e);
                let _ = PushHosts::invalid_entries(&list);
            }

            #[test]
            fn accepted_endpoints_go_only_to_allowed_hosts(
                scheme in prop::sample::select(vec!["https://", "http://", "HTTPS://", ""]),
                user in prop::sample::select(vec!["", "u@", "u:p@", "fcm.googleapis.com@"]),
                host in prop_oneof![
                    prop::sample::select(vec![
                        "fcm.googleapis.com", "web.push.apple.com", "push.apple.com", "a.b.notify.windows.com",
                        "127.0.0.1", "[::1]", "2130706433", "0x7f.1", "localhost", "metadata.internal",
                        "fcm.googleapis.com.evil.com", "evil.com", "FCM.GOOGLEAPIS.COM",
                    ]).prop_map(str::to_owned),
                    "[a-z0-9.%_\\-]{1,30}",
                ],
                port in prop::sample::select(vec!["", ":443", ":8443", ":", ":0"]),
                tail in "[/?#\\\\@:a-z.]{0,20}",
            ) {
                let e = format!("{scheme}{user}{host}{port}{tail}");
                if PushHosts::default().allows(&e) {
                    prop_assert!(e.starts_with("https://"));
                    let h = fetched_host(&e);
                    let allowed = h == "fcm.googleapis.com" || h == "android.googleapis.com"
                        || [".push.services.mozilla.com", ".push.apple.com", ".notify.windows.com"]
                            .iter().any(|s| h.ends_with(s) && h.len() > s.len());
                    prop_assert!(allowed, "{} went to {}", e, h);
                    prop_assert!(!rest_authority(&e).contains('@'));
                }
            }

            #[test]
            fn ip_literals_are_never_accepted(a in 0u32..=u32::MAX, form in 0usize..4, path in "[/a-z]{0,8}") {
                let [b0, b1, b2, b3] = a.to_be_bytes();
                let host = match form {
                    0 => format!("{b0}.{b1}.{b2}.{b3}"),
                    1 => a.to_string(),
                    2 => format!("0x{a:x}"),
                    _ => format!("0{b0:o}.{b1}.{}", u16::from_be_bytes([b2, b3])),
                };
                for policy in [PushHosts::parse("*", false), PushHosts::parse("*", true)] {
                    prop_assert_eq!(policy.check(&format!("https://{host}/{path}")), Err(Refusal::IpLiteral));
                }
            }
        }

        fn rest_authority(e: &str) -> &str {
            e.strip_prefix("https://").unwrap().split(['/', '\\', '?', '#']).next().unwrap()
        }
    }
}
