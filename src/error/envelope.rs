//! The single mapping from [`ApiError`] to an HTTP status and the error envelope.

use super::{ApiError, FieldError};
use serde::Serialize;
use serde_json::{json, Value};

/// `{ "trackingId": …, "error": { … } }`, the body of every non-2xx answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEnvelope {
    /// Same value as `error.request_id` and the `X-Request-Id` header.
    pub tracking_id: String,
    /// The error itself.
    pub error: ErrorBody,
}

/// The `error` member of the envelope.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// Machine-readable code, stable across versions.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// What to do about it.
    pub fix: String,
    /// HTTP status, repeated for clients that only see the body.
    pub status: u16,
    /// `/errors/<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The request id.
    pub request_id: String,
    /// Structured details (`fields`, `allowed_methods`, ...); `{}` when there are none.
    pub details: Value,
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::MalformedJson(_) | ApiError::Validation(_) => 400,
            ApiError::Unauthenticated => 401,
            ApiError::Forbidden => 403,
            ApiError::RouteNotFound { .. } | ApiError::NotFound { .. } => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::Conflict { .. } | ApiError::InvalidTransition { .. } => 409,
            ApiError::PayloadTooLarge { .. } | ApiError::PushPayloadTooLarge { .. } => 413,
            ApiError::RateLimited { .. } => 429,
            ApiError::Unavailable { .. } => 503,
            ApiError::Internal => 500,
        }
    }

    /// The machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) | ApiError::MethodNotAllowed { .. } => "bad_request",
            ApiError::Validation(_) => "validation_failed",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden => "forbidden",
            ApiError::RouteNotFound { .. } | ApiError::NotFound { .. } => "not_found",
            ApiError::Conflict { .. } => "conflict",
            ApiError::InvalidTransition { .. } => "invalid_transition",
            ApiError::PayloadTooLarge { .. } | ApiError::PushPayloadTooLarge { .. } => "payload_too_large",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable { .. } => "unavailable",
            ApiError::Internal => "internal",
        }
    }

    fn fix(&self) -> String {
        match self {
            ApiError::MalformedJson(_) => {
                "Send a JSON object with Content-Type: application/json.".into()
            }
            ApiError::Validation(fields) => match fields.first() {
                Some(f) => format!("Correct `{}` and send the request again.", f.field),
                None => "Correct the request and send it again.".into(),
            },
            ApiError::Unauthenticated => {
                "Send your secret key as `Authorization: Bearer sk_…`, or your public key and a user token as `x-api-key` and `x-user-token`.".into()
            }
            ApiError::Forbidden => {
                "Use the secret key for admin routes; a user token only grants that user's own data.".into()
            }
            ApiError::RouteNotFound { .. } => "Check the path against /openapi.json.".into(),
            ApiError::MethodNotAllowed { allowed, .. } => {
                format!("Use one of: {}.", allowed.join(", "))
            }
            ApiError::NotFound { resource, .. } => format!("Check the {resource} id."),
            ApiError::Conflict { field, .. } => {
                format!("Choose another `{field}`, or update the resource that holds it.")
            }
            ApiError::InvalidTransition { allowed, .. } if allowed.is_empty() => {
                "This delivery accepts no changes in its current status.".into()
            }
            ApiError::InvalidTransition { allowed, .. } => {
                format!("Allowed now: {}.", allowed.join(", "))
            }
            ApiError::PayloadTooLarge { limit } => {
                format!("Send at most {limit} bytes in one request.")
            }
            ApiError::PushPayloadTooLarge { .. } => {
                "Shorten data (subject, body, url, icon and extra members) or send web push without the extra members.".into()
            }
            ApiError::RateLimited { retry_after, .. } => {
                format!("Wait {retry_after} seconds (the Retry-After header) before sending again.")
            }
            ApiError::Unavailable { .. } => "Ask the operator to configure it (see the README's deploy section).".into(),
            ApiError::Internal => "Try again; if it persists, report the request id.".into(),
        }
    }

    fn details(&self) -> Value {
        match self {
            ApiError::Validation(fields) => json!({ "fields": fields }),
            ApiError::MalformedJson(_) => json!({ "reason": "malformed_json" }),
            ApiError::MethodNotAllowed { allowed, .. } => json!({ "allowed_methods": allowed }),
            ApiError::NotFound { resource, id } => json!({ "resource": resource, "id": id }),
            ApiError::Conflict { field, .. } => {
                json!({ "fields": [FieldError::new(*field, "conflict", self.to_string())] })
            }
            ApiError::PayloadTooLarge { limit } => json!({ "limit": limit }),
            ApiError::PushPayloadTooLarge { size } => json!({
                "limit": 3993,
                "size": size,
                "fields": [FieldError::new("data", "too_long", self.to_string())],
            }),
            ApiError::InvalidTransition { current_status, allowed, .. } => {
                json!({ "current_status": current_status, "allowed_transitions": allowed })
            }
            ApiError::RateLimited { limit, window, retry_after, .. } => {
                json!({ "limit": limit, "window": window, "retry_after": retry_after })
            }
            _ => json!({}),
        }
    }

    /// Headers the answer carries besides the envelope: `Retry-After` on 429.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        match self {
            ApiError::RateLimited { retry_after, .. } => vec![("Retry-After", retry_after.to_string())],
            // RFC 9110: a 405 names the methods the path has.
            ApiError::MethodNotAllowed { allowed, .. } => vec![("Allow", allowed.join(", "))],
            _ => Vec::new(),
        }
    }

    /// The envelope for this error, tagged with the request id.
    pub fn envelope(&self, request_id: &str) -> ErrorEnvelope {
        ErrorEnvelope {
            tracking_id: request_id.to_owned(),
            error: ErrorBody {
                code: self.code(),
                message: self.to_string(),
                fix: self.fix(),
                status: self.status(),
                kind: format!("/errors/{}", self.code()),
                request_id: request_id.to_owned(),
                details: self.details(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_envelope_names_the_field() {
        let e = ApiError::field("pageSize", "out_of_range", "pageSize must be between 1 and 1000");
        let v = serde_json::to_value(e.envelope("req_1")).unwrap();
        assert_eq!(v["trackingId"], "req_1");
        assert_eq!(v["error"]["code"], "validation_failed");
        assert_eq!(v["error"]["status"], 400);
        assert_eq!(v["error"]["type"], "/errors/validation_failed");
        assert_eq!(v["error"]["message"], "pageSize must be between 1 and 1000");
        assert_eq!(v["error"]["details"]["fields"][0]["field"], "pageSize");
        assert_eq!(v["error"]["details"]["fields"][0]["reason"], "out_of_range");
    }

    #[test]
    fn rate_limited_says_when_to_come_back() {
        let e = ApiError::RateLimited { what: "requests with this key", limit: 5, window: 60, retry_after: 42 };
        let v = serde_json::to_value(e.envelope("r")).unwrap();
        assert_eq!((v["error"]["code"].as_str(), v["error"]["status"].as_u64()), (Some("rate_limited"), Some(429)));
        assert_eq!(v["error"]["details"], json!({"limit": 5, "window": 60, "retry_after": 42}));
        assert_eq!(v["error"]["message"], "rate limit exceeded: at most 5 requests with this key per 60 seconds");
        assert_eq!(e.headers(), vec![("Retry-After", "42".to_owned())]);
    }

    #[test]
    fn internal_leaks_nothing() {
        let v = serde_json::to_value(ApiError::Internal.envelope("r")).unwrap();
        assert_eq!(v["error"]["message"], "an internal error occurred");
        assert_eq!(v["error"]["details"], json!({}));
    }
}
