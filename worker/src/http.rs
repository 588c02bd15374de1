//! HTTP plumbing shared by the routes: the handler error type, JSON answers, bodies, queries.

use serde::Serialize;
use tidings::json::MAX_BODY_BYTES;
use tidings::ApiError;
use worker::{console_error, Request, Response};

/// What a handler fails with: an API error, or a platform error that becomes `internal`.
pub struct Fail(pub ApiError);

pub type Answer = Result<Response, Fail>;

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        Fail(e)
    }
}

impl From<worker::Error> for Fail {
    fn from(e: worker::Error) -> Self {
        console_error!("platform error: {e}");
        Fail(ApiError::Internal)
    }
}

impl From<serde_json::Error> for Fail {
    fn from(e: serde_json::Error) -> Self {
        console_error!("stored JSON did not parse: {e}");
        Fail(ApiError::Internal)
    }
}

/// A JSON answer with `status`.
pub fn json<T: Serialize>(status: u16, value: &T) -> Answer {
    Ok(Response::from_json(value)?.with_status(status))
}

/// `204 No Content`.
pub fn no_content() -> Answer {
    Ok(Response::empty()?.with_status(204))
}

/// The error envelope for `e`; a 405 also carries `Allow` with the path's methods (RFC 9110).
pub fn error_response(e: &ApiError, request_id: &str) -> Response {
    match Response::from_json(&e.envelope(request_id)) {
        Ok(mut r) => {
            for (name, value) in e.headers() {
                let _ = r.headers_mut().set(name, &value);
            }
            r.with_status(e.status())
        }
        Err(_) => Response::error("internal", 500).unwrap_or_else(|_| Response::empty().expect("empty response")),
    }
}

/// The request body, refused with 413 past 64 KiB (by `Content-Length` before reading).
pub async fn body(req: &mut Request) -> Result<Vec<u8>, Fail> {
    body_up_to(req, MAX_BODY_BYTES).await
}

/// The request body, refused with 413 past `limit` bytes (by `Content-Length` before reading).
pub async fn body_up_to(req: &mut Request, limit: usize) -> Result<Vec<u8>, Fail> {
    let declared = req.headers().get("content-length")?.and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit }.into());
    }
    let bytes = req.bytes().await?;
    if bytes.len() > limit {
        return Err(ApiError::PayloadTooLarge { limit }.into());
    }
    Ok(bytes)
}

/// Decoded query parameters.
pub struct Query(Vec<(String, String)>);

impl Query {
    /// The query of `req`'s URL.
    pub fn of(req: &Request) -> Result<Self, Fail> {
        Ok(Query(tidings::route::query_pairs(req.url()?.query().unwrap_or(""))))
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or a `required` error naming it.
    pub fn require(&self, name: &str) -> Result<&str, Fail> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::field(name, "required", format!("query parameter {name} is required")).into())
    }
}
