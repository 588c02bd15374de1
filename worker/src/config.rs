//! Configuration from wrangler vars and secrets.

use tidings::auth::Rotating;
use tidings::limits::RateLimit;
use tidings::notify::push::parse_schedule;
use tidings::validate::PushHosts;
use worker::Env;

/// Default of `TIDINGS_RATE_LIMIT_SECRET_KEY`: requests with the secret key.
pub const DEFAULT_LIMIT_SECRET_KEY: RateLimit = RateLimit { max: 6000, window: 60 };
/// Default of `TIDINGS_RATE_LIMIT_BROWSER`: requests per user with browser credentials.
pub const DEFAULT_LIMIT_BROWSER: RateLimit = RateLimit { max: 120, window: 60 };
/// Default of `TIDINGS_RATE_LIMIT_RECIPIENT`: notifications to one user.
pub const DEFAULT_LIMIT_RECIPIENT: RateLimit = RateLimit { max: 100, window: 60 };

/// What a request needs to know about the deployment.
pub struct Config {
    /// `TIDINGS_SECRET_KEY`; empty means no admin access at all.
    pub secret_key: String,
    /// `TIDINGS_DEV_MODE=1`: loopback push endpoints, `/dev/*` routes.
    pub dev_mode: bool,
    /// `TIDINGS_VAPID_PUBLIC_KEY`.
    pub vapid_public_key: String,
    /// `TIDINGS_PUBLIC_KEY`: the browser's API key.
    pub public_key: String,
    /// `TIDINGS_USER_TOKEN_SECRET`: verifies browser user tokens.
    pub user_token_secret: String,
    /// `TIDINGS_VAPID_PRIVATE_KEY`: the VAPID key's `d`, base64url.
    pub vapid_private_key: String,
    /// `TIDINGS_VAPID_SUBJECT`: `mailto:` or `https:` contact for push services.
    pub vapid_subject: String,
    /// `TIDINGS_ALLOWED_ORIGINS`: comma-separated origins browsers may call from (`*` = any).
    pub allowed_origins: Vec<String>,
    /// `TIDINGS_SECRET_KEY_PREVIOUS`: still accepted during a rotation; empty when none.
    pub secret_key_previous: String,
    /// `TIDINGS_USER_TOKEN_SECRET_PREVIOUS`: still verifies user tokens during a rotation.
    pub user_token_secret_previous: String,
    /// `TIDINGS_VAPID_PUBLIC_KEY_PREVIOUS` and `TIDINGS_VAPID_PRIVATE_KEY_PREVIOUS`: the VAPID key
    /// pair that subscriptions made before a rotation are still signed with.
    pub vapid_public_key_previous: String,
    /// See `vapid_public_key_previous`.
    pub vapid_private_key_previous: String,
    /// `TIDINGS_PUSH_RETRY_SCHEDULE`: seconds before each retry of a push send
    /// (default `30,120,600,1800`; `1,2,4,8` in dev mode).
    pub retry_schedule: Vec<u32>,
    /// `TIDINGS_PUSH_HOSTS`: push service hosts endpoints may name (plus loopback in dev mode).
    pub push_hosts: PushHosts,
    /// `TIDINGS_RATE_LIMIT_SECRET_KEY` (`<max>/<seconds>` or `off`).
    pub limit_secret_key: Option<RateLimit>,
    /// `TIDINGS_RATE_LIMIT_BROWSER`: per user, browser credentials and service worker tokens.
    pub limit_browser: Option<RateLimit>,
    /// `TIDINGS_RATE_LIMIT_RECIPIENT`: notifications to one user (sends and bulk).
    pub limit_recipient: Option<RateLimit>,
    /// Mobile push (FCM, APNs) variables.
    pub mobile: crate::mobile::config::MobileVars,
    /// SMS (Telnyx) variables.
    pub telnyx: crate::sms::config::TelnyxVars,
    /// Webhook channel variables.
    pub webhook: crate::webhook::config::WebhookVars,
    /// Slack: `TIDINGS_SLACK_BOT_TOKEN`, `TIDINGS_SLACK_ENDPOINT`.
    pub slack: crate::slack::SlackConfig,
    /// `TIDINGS_LEASE_SECONDS`: how long queued work may take before the sweeper re-enqueues
    /// it (default 300; the sweeper looks every quarter lease, at most every 60 s).
    pub lease_seconds: u32,
}

impl Config {
    /// Reads the configuration; missing values are empty (and fail closed).
    pub fn from_env(env: &Env) -> Self {
        let dev_mode = text(env, "TIDINGS_DEV_MODE") == "1";
        Config {
            secret_key: text(env, "TIDINGS_SECRET_KEY"),
            dev_mode,
            vapid_public_key: text(env, "TIDINGS_VAPID_PUBLIC_KEY"),
            public_key: text(env, "TIDINGS_PUBLIC_KEY"),
            user_token_secret: text(env, "TIDINGS_USER_TOKEN_SECRET"),
            vapid_private_key: text(env, "TIDINGS_VAPID_PRIVATE_KEY"),
            vapid_subject: text(env, "TIDINGS_VAPID_SUBJECT"),
            allowed_origins: text(env, "TIDINGS_ALLOWED_ORIGINS")
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
            mobile: crate::mobile::config::MobileVars::from_env(env),
            telnyx: crate::sms::config::TelnyxVars::from_env(env),
            webhook: crate::webhook::config::WebhookVars::from_env(env),
            slack: crate::slack::SlackConfig::from_env(env, dev_mode),
            secret_key_previous: text(env, "TIDINGS_SECRET_KEY_PREVIOUS"),
            user_token_secret_previous: text(env, "TIDINGS_USER_TOKEN_SECRET_PREVIOUS"),
            vapid_public_key_previous: text(env, "TIDINGS_VAPID_PUBLIC_KEY_PREVIOUS"),
            vapid_private_key_previous: text(env, "TIDINGS_VAPID_PRIVATE_KEY_PREVIOUS"),
            retry_schedule: parse_schedule(&text(env, "TIDINGS_PUSH_RETRY_SCHEDULE")).unwrap_or_else(|| {
                if dev_mode {
                    vec![1, 2, 4, 8]
                } else {
                    vec![30, 120, 600, 1800]
                }
            }),
            push_hosts: push_hosts(env, dev_mode),
            limit_secret_key: limit(env, "TIDINGS_RATE_LIMIT_SECRET_KEY", DEFAULT_LIMIT_SECRET_KEY),
            limit_browser: limit(env, "TIDINGS_RATE_LIMIT_BROWSER", DEFAULT_LIMIT_BROWSER),
            limit_recipient: limit(env, "TIDINGS_RATE_LIMIT_RECIPIENT", DEFAULT_LIMIT_RECIPIENT),
            lease_seconds: tidings::jobs::lease_seconds(&text(env, "TIDINGS_LEASE_SECONDS")),
        }
    }

    /// The secret keys: the current one signs action and subscription tokens, both verify.
    pub fn secret_keys(&self) -> Rotating<'_> {
        Rotating { current: &self.secret_key, previous: &self.secret_key_previous }
    }

    /// The user-token secrets: both verify (`/dev/user-token` signs with the current one).
    pub fn user_token_secrets(&self) -> Rotating<'_> {
        Rotating { current: &self.user_token_secret, previous: &self.user_token_secret_previous }
    }

    /// The VAPID public keys a subscription may be bound to: the current one (served by
    /// `/vapid`), and the previous one while its private key is configured too.
    pub fn vapid_public_keys(&self) -> Rotating<'_> {
        let previous = if self.vapid_private_key_previous.is_empty() { "" } else { &self.vapid_public_key_previous };
        Rotating { current: &self.vapid_public_key, previous }
    }
}

/// A configured limit; an unreadable value keeps the default (and is logged).
fn limit(env: &Env, name: &str, default: RateLimit) -> Option<RateLimit> {
    let value = text(env, name);
    if !value.trim().is_empty() && RateLimit::parse(&value).is_err() {
        warn_once(name, &format!("{name} is not <max>/<seconds> or off; using {}/{}", default.max, default.window));
    }
    RateLimit::configured(&value, Some(default))
}

/// The push host allowlist; entries that are no host pattern are logged and ignored.
fn push_hosts(env: &Env, dev_mode: bool) -> PushHosts {
    let value = text(env, "TIDINGS_PUSH_HOSTS");
    let invalid = PushHosts::invalid_entries(&value);
    if !invalid.is_empty() {
        warn_once(
            "TIDINGS_PUSH_HOSTS",
            &format!("TIDINGS_PUSH_HOSTS: ignoring {invalid:?} (not host[:port] or *.suffix[:port])"),
        );
    }
    PushHosts::parse(&value, dev_mode)
}

/// Logs a configuration problem once per isolate (the configuration is read on every request).
fn warn_once(name: &str, message: &str) {
    thread_local! {
        static WARNED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    WARNED.with(|w| {
        if !w.borrow().iter().any(|n| n == name) {
            w.borrow_mut().push(name.to_owned());
            worker::console_error!("{message}");
        }
    });
}

/// A variable or secret; empty when unset.
pub(crate) fn text(env: &Env, name: &str) -> String {
    env.var(name).map(|v| v.to_string()).or_else(|_| env.secret(name).map(|v| v.to_string())).unwrap_or_default()
}
