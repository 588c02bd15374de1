//! One request, start to end: request id, routing, access, dispatch, the error envelope.

use crate::config::Config;
use crate::http::Query;
use crate::http::{error_response, Answer, Fail};
use crate::platform::new_id;
use crate::routes;
use tidings::auth::{constant_time_eq, is_secret_key, presented_secret, verify_user_token};
use tidings::route::{resolve, Access, Route};
use tidings::ApiError;
use worker::{Env, Request, Response};

/// Everything a route handler gets.
pub struct Ctx {
    pub req: Request,
    pub env: Env,
    pub config: Config,
    pub params: Vec<String>,
    pub request_id: String,
}

impl Ctx {
    /// The first path parameter (the user id on `/users/{userId}/…`).
    pub fn param(&self) -> &str {
        self.param_at(0)
    }

    /// The path parameter at `i`, in template order.
    pub fn param_at(&self, i: usize) -> &str {
        self.params.get(i).map(String::as_str).unwrap_or_default()
    }

    /// The D1 database.
    pub fn db(&self) -> Result<worker::D1Database, Fail> {
        Ok(self.env.d1("DB")?)
    }
}

/// Answers `req`; never fails, never panics on input.
pub async fn handle(req: Request, env: Env) -> Response {
    let request_id = new_id("req");
    let mut response = match dispatch(req, env, &request_id).await {
        Ok(r) => r,
        Err(Fail(e)) => error_response(&e, &request_id),
    };
    if response.headers_mut().set("X-Request-Id", &request_id).is_err() {
        // Answers fetched from elsewhere (static files, the feed object) have immutable headers.
        let headers = response.headers().clone();
        response = response.with_headers(headers);
        let _ = response.headers_mut().set("X-Request-Id", &request_id);
    }
    response
}

async fn dispatch(req: Request, env: Env, request_id: &str) -> Answer {
    let method = req.method().to_string();
    let matched = match resolve(&method, &req.path()) {
        Err(ApiError::RouteNotFound { path }) if method == "GET" || method == "HEAD" => {
            return static_asset(req, &env, path).await;
        }
        other => other?,
    };
    let config = Config::from_env(&env);
    authorize(matched.spec.access, &req, &config, matched.params.first())?;
    let ctx = Ctx { req, env, config, params: matched.params, request_id: request_id.to_owned() };
    match matched.spec.route {
        Route::Health => routes::meta::health(),
        Route::OpenApi => routes::meta::openapi(),
        Route::Vapid => routes::meta::vapid(&ctx),
        Route::ListUsers => routes::users::list(ctx).await,
        Route::CreateUser => routes::users::create(ctx).await,
        Route::GetUser => routes::users::get(ctx).await,
        Route::PutUser => routes::users::put(ctx).await,
        Route::DeleteUser => routes::users::delete(ctx).await,
        Route::AddWebPush => routes::subscriptions::add_web_push(ctx).await,
        Route::RemoveWebPush => routes::subscriptions::remove_web_push(ctx).await,
        Route::AddPushToken => routes::subscriptions::add_push_token(ctx).await,
        Route::RemovePushToken => routes::subscriptions::remove_push_token(ctx).await,
        Route::GetOperation => routes::operations::get(ctx).await,
        Route::Notify => routes::notifications::send(ctx).await,
        Route::GetPreferences => routes::preferences::get(ctx).await,
        Route::PutPreferences => routes::preferences::put(ctx).await,
        Route::ListDeliveries => routes::deliveries::list(ctx).await,
        Route::GetDelivery => routes::deliveries::get(ctx).await,
        Route::PatchDelivery => routes::deliveries::patch(ctx).await,
        Route::DeliveryActions => routes::deliveries::actions(ctx).await,
        Route::FeedSocket => routes::deliveries::socket(ctx).await,
        Route::DevEncrypt => routes::dev::encrypt(ctx).await,
        Route::DevPushBench => routes::dev::push_bench(ctx).await,
    }
}

/// Checks the credentials a route needs: 401 when missing or invalid, 403 when valid but for
/// another user (or a browser credential on an admin route).
fn authorize(access: Access, req: &Request, config: &Config, user: Option<&String>) -> Result<(), Fail> {
    if access == Access::Public {
        return Ok(());
    }
    let headers = req.headers();
    let auth = headers.get("authorization")?;
    let secret = headers.get("x-secret-key")?;
    if is_secret_key(presented_secret(auth.as_deref(), secret.as_deref()), &config.secret_key) {
        return Ok(());
    }
    let query = Query::of(req)?;
    let api_key = headers.get("x-api-key")?.or_else(|| query.get("api_key").map(str::to_owned));
    let token = headers.get("x-user-token")?.or_else(|| query.get("user_token").map(str::to_owned));
    let (Some(api_key), Some(token)) = (api_key, token) else {
        return Err(ApiError::Unauthenticated.into());
    };
    if config.public_key.is_empty() || !constant_time_eq(api_key.as_bytes(), config.public_key.as_bytes()) {
        return Err(ApiError::Unauthenticated.into());
    }
    let now_s = crate::platform::now_ms() / 1000;
    let claims = verify_user_token(&token, &config.user_token_secret, now_s).ok_or(ApiError::Unauthenticated)?;
    match (access, user) {
        (Access::Own, Some(user)) if constant_time_eq(claims.sub.as_bytes(), user.as_bytes()) => Ok(()),
        _ => Err(ApiError::Forbidden.into()),
    }
}

/// Files of `www/` (the demo page); anything else is the API's 404.
async fn static_asset(req: Request, env: &Env, path: String) -> Answer {
    let response = env.assets("ASSETS")?.fetch_request(req).await?;
    if response.status_code() == 404 {
        return Err(ApiError::RouteNotFound { path }.into());
    }
    Ok(response)
}
