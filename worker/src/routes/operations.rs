//! `/operations/{operationId}`.

use crate::app::Ctx;
use crate::http::{json, Answer};
use crate::store;
use tidings::ApiError;

pub async fn get(ctx: Ctx) -> Answer {
    let id = ctx.param();
    match store::operations::get(&ctx.db()?, id).await? {
        Some(op) => json(200, &op),
        None => Err(ApiError::NotFound { resource: "operation", id: id.to_owned() }.into()),
    }
}
