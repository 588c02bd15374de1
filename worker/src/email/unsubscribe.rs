//! `GET|POST /email/unsubscribe?token=…`: the `List-Unsubscribe` link of every email (RFC 8058).
//! `POST` (the mail client's one-click `List-Unsubscribe=One-Click`, or the page's form) opts the
//! user out of the token's topic or category; `GET` only shows a page with that button, so a
//! link scanner fetching the URL changes nothing. No token → 400 `validation_failed` naming
//! `token`; a token that is not genuine → 403 `forbidden` (the error envelope, as everywhere).

use crate::app::Ctx;
use crate::http::Answer;
use crate::platform::now_ms;
use crate::store;
use tidings::email::unsubscribe::{self, Page};
use worker::Response;

fn html(status: u16, page: Page<'_>) -> Answer {
    let mut r = Response::from_html(unsubscribe::page(page))?.with_status(status);
    r.headers_mut().set("cache-control", "no-store")?;
    r.headers_mut().set("referrer-policy", "no-referrer")?;
    Ok(r)
}

fn invalid() -> crate::http::Fail {
    tidings::ApiError::Forbidden.into()
}

fn token(ctx: &Ctx) -> Result<String, crate::http::Fail> {
    let pairs = tidings::route::query_pairs(ctx.req.url()?.query().unwrap_or(""));
    match pairs.into_iter().find(|(k, v)| k == "token" && !v.is_empty()) {
        Some((_, v)) => Ok(v),
        None => {
            Err(tidings::ApiError::field("token", "required", "token is required (the link's signed token)").into())
        }
    }
}

fn verified(ctx: &Ctx, token: &str) -> Option<(String, unsubscribe::Scope)> {
    let keys = ctx.config.secret_keys();
    [keys.current, keys.previous].into_iter().filter(|k| !k.is_empty()).find_map(|k| unsubscribe::verify(k, token))
}

pub async fn page(ctx: Ctx) -> Answer {
    let token = token(&ctx)?;
    match verified(&ctx, &token) {
        Some((_, scope)) => html(200, Page::Confirm { name: scope.name(), token: &token }),
        None => Err(invalid()),
    }
}

pub async fn one_click(ctx: Ctx) -> Answer {
    let token = token(&ctx)?;
    let Some((user, scope)) = verified(&ctx, &token) else { return Err(invalid()) };
    let db = ctx.db()?;
    let mut prefs = store::preferences::get(&db, &user).await?.unwrap_or_default();
    if !unsubscribe::apply(&mut prefs, &scope) {
        return html(200, Page::Required { name: scope.name() });
    }
    store::preferences::put(&db, &user, &prefs, now_ms()).await?;
    html(200, Page::Done { name: scope.name() })
}
