//! Configuration from wrangler vars and secrets.

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
}

impl Config {
    /// Reads the configuration; missing values are empty (and fail closed).
    pub fn from_env(env: &Env) -> Self {
        Config {
            secret_key: text(env, "TIDINGS_SECRET_KEY"),
            dev_mode: text(env, "TIDINGS_DEV_MODE") == "1",
            vapid_public_key: text(env, "TIDINGS_VAPID_PUBLIC_KEY"),
            public_key: text(env, "TIDINGS_PUBLIC_KEY"),
            user_token_secret: text(env, "TIDINGS_USER_TOKEN_SECRET"),
        }
    }
}

fn text(env: &Env, name: &str) -> String {
    env.var(name).map(|v| v.to_string()).or_else(|_| env.secret(name).map(|v| v.to_string())).unwrap_or_default()
}
