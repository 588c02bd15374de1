//! One request, start to end: request id, routing, access, dispatch, the error envelope.

use crate::config::Config;
use crate::http::{error_response, Answer, Fail};
use crate::platform::new_id;
use crate::routes;
use tidings::auth::{is_secret_key, presented_secret};
use tidings::route::{resolve, Access, Route};
use tidings::ApiError;
use worker::{Env, Request, Response};

/// Everything a route handler gets.
pub struct Ctx {
    pub req: Request,
    pub env: Env,
    pub config: Config,
    pub params: Vec<String>,
}

impl Ctx {
    /// The first path parameter (every parameterised route has exactly one).
    pub fn param(&self) -> &str {
        self.params.first().map(String::as_str).unwrap_or_default()
    }

    /// The D1 database.
    pub fn db(&self) -> Result<worker::D1Database, Fail> {
        Ok(self.env.d1("DB")?)
    }
}

/// Answers `req`; never fails, never panics on input.
pub async fn handle(req: Request, env: Env) -> Response {
    let request_id = new_id("req");
    let mut response = match dispatch(req, env).await {
        Ok(r) => r,
        Err(Fail(e)) => error_response(&e, &request_id),
    };
    let _ = response.headers_mut().set("X-Request-Id", &request_id);
    response
}

async fn dispatch(req: Request, env: Env) -> Answer {
    let method = req.method().to_string();
    let matched = match resolve(&method, &req.path()) {
        Err(ApiError::RouteNotFound { path }) if method == "GET" || method == "HEAD" => {
            return static_asset(req, &env, path).await;
        }
        other => other?,
    };
    let config = Config::from_env(&env);
    if matched.spec.access == Access::Admin {
        let headers = req.headers();
        let auth = headers.get("authorization")?;
        let secret = headers.get("x-secret-key")?;
        if !is_secret_key(
            presented_secret(auth.as_deref(), secret.as_deref()),
            &config.secret_key,
        ) {
            return Err(ApiError::Unauthenticated.into());
        }
    }
    let ctx = Ctx {
        req,
        env,
        config,
        params: matched.params,
    };
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
    }
}

/// Files of `www/` (the demo page); anything else is the API's 404.
async fn static_asset(req: Request, env: &Env, path: String) -> Answer {
    let response = env.assets("ASSETS")?.fetch_request(req).await?;
    if response.status_code() == 404 {
        return Err(ApiError::RouteNotFound { path }.into());
    }
    // Fetched headers are immutable; a copy lets `handle` add X-Request-Id.
    let headers = response.headers().clone();
    Ok(response.with_headers(headers))
}
