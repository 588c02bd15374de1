//! One request, start to end: request id, routing, access, dispatch, the error envelope.

use crate::auth::{authorize, Principal};
use crate::config::Config;
use crate::cors;
use crate::http::{error_response, Answer, Fail};
use crate::limits;
use crate::platform::{new_id, now_ms};
use crate::routes;
use tidings::limits::Decision;
use tidings::route::{resolve, Route};
use tidings::ApiError;
use worker::{Context, Env, Request, Response};

/// Everything a route handler gets.
pub struct Ctx {
    pub req: Request,
    pub env: Env,
    pub config: Config,
    pub params: Vec<String>,
    pub request_id: String,
    pub principal: Principal,
}

impl Ctx {
    /// The first path parameter (the user id on `/users/{userId}/…`).
    pub fn param(&self) -> &str {
        self.param_at(0)
    }

    /// The `{userId}` of a `/users/{userId}/…` route, validated.
    pub fn user_id(&self) -> Result<&str, ApiError> {
        let id = self.param();
        tidings::validate::id("userId", id)?;
        Ok(id)
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
pub async fn handle(req: Request, env: Env, background: Context) -> Response {
    let request_id = new_id("req");
    let config = Config::from_env(&env);
    let asked_origin = req.headers().get("origin").ok().flatten();
    let origin = asked_origin.clone().filter(|o| cors::allowed(&config, o));
    let mut limit = None;
    let result = if req.inner().method() == "OPTIONS" {
        match (&origin, asked_origin) {
            (Some(o), _) => cors::preflight(o).map_err(Fail::from),
            (None, None) => options(&req.path()),
            (None, Some(_)) => Err(ApiError::Forbidden.into()),
        }
    } else {
        dispatch(req, env, config, &request_id, &background, &mut limit).await
    };
    let mut response = result.unwrap_or_else(|Fail(e)| error_response(&e, &request_id));
    if response.headers_mut().set("X-Request-Id", &request_id).is_err() {
        // Answers fetched from elsewhere (static files, the feed object) have immutable headers.
        let headers = response.headers().clone();
        response = response.with_headers(headers);
        let _ = response.headers_mut().set("X-Request-Id", &request_id);
    }
    if let Some(d) = &limit {
        limits::decorate(response.headers_mut(), d);
    }
    if let Some(o) = &origin {
        cors::decorate(response.headers_mut(), o);
    }
    response
}

async fn dispatch(
    req: Request,
    env: Env,
    config: Config,
    request_id: &str,
    background: &Context,
    limit: &mut Option<Decision>,
) -> Answer {
    // The method as sent: workers-rs maps methods it does not know (QUERY, ...) to GET.
    let method = req.inner().method();
    let matched = match resolve(&method, &req.path()) {
        Err(ApiError::RouteNotFound { path }) if method == "GET" || method == "HEAD" => {
            return static_asset(req, &env, path).await;
        }
        other => other?,
    };
    let route = matched.spec.route;
    let principal = authorize(matched.spec.access, route, &req, &config, matched.params.first().map(String::as_str))?;
    *limit = limits::take(&env, &config, &principal).await;
    if let Some(d) = limit.as_ref().filter(|d| !d.allowed) {
        return Err(limits::refusal(d, limits::counted(&principal)).into());
    }
    if let Principal::User(user) = &principal {
        let (db, user) = (env.d1("DB")?, user.clone());
        background.wait_until(async move { crate::store::users::touch_last_seen(&db, &user, now_ms()).await });
    }
    let ctx = Ctx { req, env, config, params: matched.params, request_id: request_id.to_owned(), principal };
    match route {
        Route::Health => routes::meta::health(&ctx),
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
        Route::CancelNotification => routes::notifications::cancel(ctx).await,
        Route::GetPreferences => routes::preferences::get(ctx).await,
        Route::PutPreferences => routes::preferences::put(ctx).await,
        Route::ListDeliveries => routes::deliveries::list(ctx).await,
        Route::GetDelivery => routes::deliveries::get(ctx).await,
        Route::PatchDelivery => routes::deliveries::patch(ctx).await,
        Route::DeliveryActions => routes::deliveries::actions(ctx).await,
        Route::FeedSocket => routes::deliveries::socket(ctx).await,
        Route::DevEncrypt => routes::dev::encrypt(ctx).await,
        Route::DevPushBench => routes::dev::push_bench(ctx).await,
        Route::DevMobileBench => routes::dev::mobile_bench(ctx).await,
        Route::DevEmailBench => routes::dev::email_bench(ctx).await,
        Route::DevUserToken => routes::dev::user_token(ctx).await,
        Route::DevNotify => routes::dev::notify(ctx).await,
        Route::DevConfig => routes::dev::config(&ctx),
        Route::DevSockets => routes::dev::sockets(&ctx).await,
        Route::CreateBulk => routes::bulk::create(ctx).await,
        Route::AddBulkUsers => routes::bulk::add_users(ctx).await,
        Route::RunBulk => routes::bulk::run(ctx).await,
        Route::GetBulk => routes::bulk::get(ctx).await,
        Route::ListBulkUsers => routes::bulk::users(ctx).await,
        Route::SesEvents => crate::email::events::receive(ctx).await,
        Route::UnsubscribePage => crate::email::unsubscribe::page(ctx).await,
        Route::Unsubscribe => crate::email::unsubscribe::one_click(ctx).await,
        Route::TelnyxEvents => crate::sms::events::receive(ctx).await,
    }
}

/// `OPTIONS` without `Origin` (not a CORS preflight): 204 with the path's methods in `Allow`.
fn options(path: &str) -> Answer {
    match resolve("OPTIONS", path) {
        Err(ApiError::MethodNotAllowed { mut allowed, .. }) => {
            allowed.push("OPTIONS");
            let mut r = Response::empty()?.with_status(204);
            r.headers_mut().set("allow", &allowed.join(", "))?;
            Ok(r)
        }
        Err(e) => Err(e.into()),
        Ok(_) => Err(ApiError::Internal.into()),
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
