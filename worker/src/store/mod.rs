//! D1 storage: every SQL statement of the worker lives under this module.

pub mod bulk;
pub mod idempotency;
pub mod leases;
pub mod notifications;
pub mod operations;
pub mod preferences;
pub mod push_tokens;
pub mod slack;
pub mod sms;
pub mod users;

use crate::http::Fail;
use tidings::ApiError;
use wasm_bindgen::JsValue;
use worker::{D1PreparedStatement, D1Result};

/// A D1 number (JS numbers are f64; D1 refuses BigInt).
pub fn num(v: i64) -> JsValue {
    JsValue::from_f64(v as f64)
}

/// A D1 text value.
pub fn text(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// Prepares `sql` with `args`.
pub fn stmt(db: &worker::D1Database, sql: &str, args: &[JsValue]) -> Result<D1PreparedStatement, Fail> {
    Ok(db.prepare(sql).bind(args)?)
}

/// Rows changed by a statement.
pub fn changes(result: &D1Result) -> usize {
    result.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0)
}

/// Maps a failed batch: a UNIQUE violation on `column` becomes a 409 on `field`.
pub fn unique_violation(e: worker::Error, column: &str, field: &'static str, message: String) -> Fail {
    let text = e.to_string();
    if text.contains("UNIQUE constraint failed") && text.contains(column) {
        Fail(ApiError::Conflict { field, message })
    } else {
        e.into()
    }
}
