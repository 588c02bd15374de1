//! Configuration from wrangler vars and secrets.

use tidings::notify::push::parse_schedule;
use worker::Env;

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
    /// `TIDINGS_PUSH_RETRY_SCHEDULE`: seconds before each retry of a push send
    /// (default `30,120,600,1800`; `1,2,4,8` in dev mode).
    pub retry_schedule: Vec<u32>,
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
            retry_schedule: parse_schedule(&text(env, "TIDINGS_PUSH_RETRY_SCHEDULE")).unwrap_or_else(|| {
                if dev_mode {
                    vec![1, 2, 4, 8]
                } else {
                    vec![30, 120, 600, 1800]
                }
            }),
            lease_seconds: tidings::jobs::lease_seconds(&text(env, "TIDINGS_LEASE_SECONDS")),
        }
    }
}

fn text(env: &Env, name: &str) -> String {
    env.var(name).map(|v| v.to_string()).or_else(|_| env.secret(name).map(|v| v.to_string())).unwrap_or_default()
}
