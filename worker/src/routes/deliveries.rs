//! `/users/{userId}/deliveries…` and the feed socket: checked here, carried out by the user's
//! feed object, whose answer is returned as it is.

use crate::app::Ctx;
use crate::auth::Principal;
use crate::feed::client;
use crate::feed::protocol::Command;
use crate::http::{self, Answer, Query};
use crate::platform::now_ms;
use tidings::feed::query;
use tidings::json::parse_body;
use tidings::model::DeliveryPatch;
use tidings::time::rfc3339;
use tidings::{validate, ApiError};

fn delivery_id(ctx: &Ctx) -> Result<&str, ApiError> {
    let id = ctx.param_at(1);
    validate::id("deliveryId", id)?;
    Ok(id)
}

async fn forward(ctx: &Ctx, command: Command) -> Answer {
    client::call(&ctx.env, ctx.user_id()?, &ctx.request_id, &command).await
}

pub async fn list(ctx: Ctx) -> Answer {
    let pairs = tidings::route::query_pairs(ctx.req.url()?.query().unwrap_or(""));
    let q = query::parse_list(&pairs)?;
    forward(&ctx, Command::List { filter: q.filter, limit: q.limit, after: q.after, before: q.before }).await
}

pub async fn get(ctx: Ctx) -> Answer {
    let id = delivery_id(&ctx)?.to_owned();
    forward(&ctx, Command::Get { id }).await
}

pub async fn patch(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let id = delivery_id(&ctx)?.to_owned();
    let patch: DeliveryPatch = parse_body(&body)?;
    if let Principal::Action { delivery, .. } = &ctx.principal {
        // An action token marks its own delivery seen, read or clicked; nothing else.
        let engagement_only =
            patch.archived.is_none() && [patch.seen, patch.read, patch.clicked].iter().all(|v| *v != Some(false));
        if *delivery != id || !engagement_only {
            return Err(ApiError::Forbidden.into());
        }
    }
    forward(&ctx, Command::Patch { id, patch, now: rfc3339(now_ms()) }).await
}

pub async fn actions(mut ctx: Ctx) -> Answer {
    let body = http::body(&mut ctx.req).await?;
    let a = query::parse_action(&body)?;
    forward(&ctx, Command::Bulk { action: a.action, ids: a.ids, filter: a.filter, now: rfc3339(now_ms()) }).await
}

pub async fn socket(ctx: Ctx) -> Answer {
    let id = ctx.user_id()?;
    let upgrade = ctx.req.headers().get("upgrade")?.unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(ApiError::field(
            "Upgrade",
            "required",
            "this route needs a WebSocket upgrade (Upgrade: websocket)",
        )
        .into());
    }
    let query = Query::of(&ctx.req)?;
    let since = match query.get("since") {
        Some(raw) => Some(
            raw.parse::<u64>().map_err(|_| ApiError::field("since", "wrong_type", "since must be an event number"))?,
        ),
        None => None,
    };
    client::connect(&ctx.env, id, since).await
}
