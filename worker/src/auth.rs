//! Who is calling: the secret key (everything), browser credentials (public key + user token:
//! that user's own routes), an action token (one delivery's seen/read/clicked, for the service
//! worker) or a subscription token (replacing one push subscription). 401 when credentials are
//! missing or invalid, 403 when they are valid but do not grant the route. During a key
//! rotation the previous secret key and user-token secret are accepted too (`…_PREVIOUS`).

use crate::config::Config;
use crate::http::{Fail, Query};
use crate::platform::now_ms;
use tidings::auth::{constant_time_eq, is_secret_key, presented_secret, verify_user_token};
use tidings::notify::push::{verify_action_token, verify_subscription_token};
use tidings::route::{Access, Route};
use tidings::ApiError;
use worker::Request;

/// The credentials a request was accepted with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No credentials (public routes).
    Anonymous,
    /// The secret key.
    Admin,
    /// The public key alone (dev token minting).
    PublicKey,
    /// Browser credentials of this user.
    User(String),
    /// An action token: this user's one delivery.
    Action { user: String, delivery: String },
    /// A subscription token: this user's one subscription endpoint.
    Subscription { user: String, endpoint: String },
}

impl Principal {
    /// Whether the caller may see secrets such as `slackToken`.
    pub fn is_admin(&self) -> bool {
        *self == Principal::Admin
    }
}

fn same(a: &str, b: &str) -> bool {
    constant_time_eq(a.as_bytes(), b.as_bytes())
}

/// Checks the credentials `route` needs; `user` is the route's first path parameter.
pub fn authorize(
    access: Access,
    route: Route,
    req: &Request,
    config: &Config,
    user: Option<&str>,
) -> Result<Principal, Fail> {
    if matches!(access, Access::Public | Access::Signed) {
        return Ok(Principal::Anonymous);
    }
    let headers = req.headers();
    let auth = headers.get("authorization")?;
    let secret = headers.get("x-secret-key")?;
    if is_secret_key(presented_secret(auth.as_deref(), secret.as_deref()), config.secret_keys()) {
        return Ok(Principal::Admin);
    }
    let query = Query::of(req)?;
    let api_key = headers.get("x-api-key")?.or_else(|| query.get("api_key").map(str::to_owned));
    let public_ok = api_key.is_some_and(|k| !config.public_key.is_empty() && same(&k, &config.public_key));
    if !public_ok {
        return Err(ApiError::Unauthenticated.into());
    }
    if access == Access::PublicKey {
        return Ok(Principal::PublicKey);
    }
    let principal = if let Some(token) =
        headers.get("x-user-token")?.or_else(|| query.get("user_token").map(str::to_owned))
    {
        let claims = config
            .user_token_secrets()
            .verify(|s| verify_user_token(&token, s, now_ms() / 1000))
            .ok_or(ApiError::Unauthenticated)?;
        Principal::User(claims.sub)
    } else if let (Route::PatchDelivery, Some(token)) = (route, headers.get("x-action-token")?) {
        let (user, delivery) = config
            .secret_keys()
            .verify(|k| verify_action_token(k, &token, now_ms() / 1000))
            .ok_or(ApiError::Unauthenticated)?;
        Principal::Action { user, delivery }
    } else if let (Route::AddWebPush, Some(token)) = (route, headers.get("x-subscription-token")?) {
        let (user, endpoint) =
            config.secret_keys().verify(|k| verify_subscription_token(k, &token)).ok_or(ApiError::Unauthenticated)?;
        Principal::Subscription { user, endpoint }
    } else {
        return Err(ApiError::Unauthenticated.into());
    };
    let owner = match &principal {
        Principal::User(u) | Principal::Action { user: u, .. } | Principal::Subscription { user: u, .. } => u,
        _ => return Err(ApiError::Forbidden.into()),
    };
    match (access, user) {
        (Access::Own, Some(user)) if same(owner, user) => Ok(principal),
        _ => Err(ApiError::Forbidden.into()),
    }
}
