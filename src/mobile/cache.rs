//! The credential caches of mobile push, pure (time passed in):
//!
//! - [`AccessTokenCache`]: the FCM OAuth2 access token, used until [`ACCESS_MARGIN_SECONDS`]
//!   before it expires; a 401 drops it (one refresh, then one retry: see `Outcome::Refresh`).
//! - [`ProviderTokenCache`]: the APNs provider token, reused for at least
//!   [`PROVIDER_MIN_SECONDS`] and at most [`PROVIDER_MAX_SECONDS`] (Apple refuses tokens
//!   older than an hour and answers `TooManyProviderTokenUpdates` to tokens renewed more
//!   often than every 20 minutes). It is replaced early only when APNs refused it
//!   (`ExpiredProviderToken`/`InvalidProviderToken`), once per refused token.

/// An access token is renewed when less than this is left of it.
pub const ACCESS_MARGIN_SECONDS: i64 = 300;
/// A provider token is never replaced on schedule before this age.
pub const PROVIDER_MIN_SECONDS: i64 = 20 * 60;
/// A provider token is replaced at this age.
pub const PROVIDER_MAX_SECONDS: i64 = 50 * 60;

/// The FCM access token and when it expires.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessTokenCache {
    token: Option<(String, i64)>,
}

impl AccessTokenCache {
    /// The cached token, while more than [`ACCESS_MARGIN_SECONDS`] are left of it.
    pub fn get(&self, now_s: i64) -> Option<&str> {
        self.token.as_ref().filter(|(_, exp)| exp - now_s > ACCESS_MARGIN_SECONDS).map(|(t, _)| t.as_str())
    }

    /// Remembers a token the token endpoint gave at `now_s`, valid for `expires_in` seconds.
    pub fn store(&mut self, token: String, expires_in: i64, now_s: i64) {
        self.token = Some((token, now_s.saturating_add(expires_in)));
    }

    /// Forgets `token` (FCM answered 401 to it); a token stored since is kept.
    pub fn refused(&mut self, token: &str) {
        if self.token.as_ref().is_some_and(|(t, _)| t == token) {
            self.token = None;
        }
    }
}

/// The APNs provider token and when it was issued.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderTokenCache {
    token: Option<(String, i64)>,
}

impl ProviderTokenCache {
    /// The cached token while younger than [`PROVIDER_MAX_SECONDS`]. A token issued "in the
    /// future" (a clock step back) is not trusted either.
    pub fn get(&self, now_s: i64) -> Option<&str> {
        self.token
            .as_ref()
            .filter(|(_, iat)| (0..PROVIDER_MAX_SECONDS).contains(&(now_s - iat)))
            .map(|(t, _)| t.as_str())
    }

    /// Remembers a token signed with `iat` = `iat_s`.
    pub fn store(&mut self, token: String, iat_s: i64) {
        self.token = Some((token, iat_s));
    }

    /// APNs refused `token`: forget it so the next [`get`](Self::get) asks for a new one. A
    /// token already replaced (another request saw the refusal first) is kept, so a burst of
    /// refusals renews once.
    pub fn refused(&mut self, token: &str) {
        if self.token.as_ref().is_some_and(|(t, _)| t == token) {
            self.token = None;
        }
    }

    /// Whether a scheduled renewal at `now_s` would respect the 20-minute minimum.
    pub fn may_renew(&self, now_s: i64) -> bool {
        self.token.as_ref().is_none_or(|(_, iat)| now_s - iat >= PROVIDER_MIN_SECONDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_token_lasts_until_shortly_before_expiry() {
        let mut c = AccessTokenCache::default();
        assert_eq!(c.get(0), None);
        c.store("ya29.a".into(), 3599, 1000);
        assert_eq!(c.get(1000), Some("ya29.a"));
        assert_eq!(c.get(1000 + 3599 - ACCESS_MARGIN_SECONDS - 1), Some("ya29.a"));
        assert_eq!(c.get(1000 + 3599 - ACCESS_MARGIN_SECONDS), None);
        assert_eq!(c.get(1000 + 3599), None);
    }

    #[test]
    fn a_401_drops_only_the_refused_access_token() {
        let mut c = AccessTokenCache::default();
        c.store("old".into(), 3600, 0);
        c.refused("other");
        assert_eq!(c.get(1), Some("old"));
        c.refused("old");
        assert_eq!(c.get(1), None);
        c.store("new".into(), 3600, 2);
        c.refused("old");
        assert_eq!(c.get(3), Some("new"));
    }

    #[test]
    fn provider_token_is_reused_for_at_least_20_and_at_most_50_minutes() {
        let mut c = ProviderTokenCache::default();
        assert_eq!(c.get(0), None);
        assert!(c.may_renew(0));
        c.store("jwt1".into(), 10_000);
        for age in [0, 60, PROVIDER_MIN_SECONDS, PROVIDER_MAX_SECONDS - 1] {
            assert_eq!(c.get(10_000 + age), Some("jwt1"), "age {age}");
        }
        assert!(!c.may_renew(10_000 + PROVIDER_MIN_SECONDS - 1));
        assert!(c.may_renew(10_000 + PROVIDER_MIN_SECONDS));
        assert_eq!(c.get(10_000 + PROVIDER_MAX_SECONDS), None);
        assert_eq!(c.get(10_000 + 3600), None);
        assert_eq!(c.get(9_999), None, "issued in the future");
    }

    #[test]
    fn a_refused_provider_token_is_renewed_once() {
        let mut c = ProviderTokenCache::default();
        c.store("jwt1".into(), 0);
        c.refused("jwt1");
        assert_eq!(c.get(1), None);
        c.store("jwt2".into(), 1);
        c.refused("jwt1");
        assert_eq!(c.get(2), Some("jwt2"), "a late refusal of the old token keeps the new one");
    }
}
