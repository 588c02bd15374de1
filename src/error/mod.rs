//! The error model: one enum for everything an API call can answer with, mapped to the
//! HTTP error envelope of DESIGN.md in one place (`envelope`).

mod envelope;

pub use envelope::{ErrorBody, ErrorEnvelope};

/// Why one field of a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `pageSize`, `pushTokens[0].device.device_id`.
    pub field: String,
    /// Machine-readable reason: `required`, `invalid`, `out_of_range`, `too_long`, `read_only`,
    /// `unknown_field`, `wrong_type`, `unknown_value`.
    pub reason: &'static str,
    /// Human-readable sentence.
    pub message: String,
}

impl FieldError {
    /// A field error with the given reason and message.
    pub fn new(field: impl Into<String>, reason: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), reason, message: message.into() }
    }
}

/// Everything an API call can fail with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON at all (syntax error, not an object, wrong content).
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// One or more fields are missing, of the wrong type or out of range.
    #[error("{}", .0.first().map(|f| f.message.as_str()).unwrap_or("the request is invalid"))]
    Validation(Vec<FieldError>),
    /// No credentials, or credentials that are not valid.
    #[error("missing or invalid credentials")]
    Unauthenticated,
    /// Valid credentials that do not grant this route.
    #[error("these credentials do not grant access to this resource")]
    Forbidden,
    /// No route has this path.
    #[error("no route matches {path}")]
    RouteNotFound {
        /// The path that was asked for.
        path: String,
    },
    /// The path exists but not with this method.
    #[error("method {method} is not allowed here")]
    MethodNotAllowed {
        /// The method that was used.
        method: String,
        /// The methods the path answers to.
        allowed: Vec<&'static str>,
    },
    /// A resource that does not exist.
    #[error("{resource} {id} was not found")]
    NotFound {
        /// Kind of resource: `user`, `operation`, ...
        resource: &'static str,
        /// Its id as asked for.
        id: String,
    },
    /// The request clashes with the stored state (e.g. a unique field already taken).
    #[error("{message}")]
    Conflict {
        /// The field or key that clashes.
        field: &'static str,
        /// Human-readable sentence.
        message: String,
    },
    /// The delivery cannot make this change from where it stands.
    #[error("{message}")]
    InvalidTransition {
        /// The delivery's status.
        current_status: &'static str,
        /// The changes it does allow now.
        allowed: Vec<&'static str>,
        /// Human-readable sentence.
        message: String,
    },
    /// The body is larger than the route accepts.
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A web push notification whose encrypted message would exceed one record.
    #[error("the web push payload would be {size} bytes; at most 3993 fit in one encrypted message")]
    PushPayloadTooLarge {
        /// The payload's size in bytes.
        size: usize,
    },
    /// Too many requests for this key (or notifications for this recipient) in the window.
    #[error("rate limit exceeded: at most {limit} {what} per {window} seconds")]
    RateLimited {
        /// What is counted: `requests with this key`, `requests for this user`,
        /// `notifications to this user`.
        what: &'static str,
        /// How many the window allows.
        limit: u32,
        /// The window, seconds.
        window: u32,
        /// Seconds until the window ends (the `Retry-After` header).
        retry_after: u32,
    },
    /// A dependency or configuration the route needs is missing.
    #[error("{what} is not available on this deployment")]
    Unavailable {
        /// What is missing.
        what: &'static str,
    },
    /// Something failed on our side; details go to logs, never to the client.
    #[error("an internal error occurred")]
    Internal,
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Validation(vec![e])
    }
}

/// An SNS message that is not genuine, fresh or from an accepted topic is refused as
/// unauthenticated (401, as every signed provider webhook); email that is not configured is
/// unavailable (503).
impl From<crate::email::EmailError> for ApiError {
    fn from(e: crate::email::EmailError) -> Self {
        use crate::email::EmailError;
        match e {
            EmailError::Sns(_) | EmailError::Crypto(_) => ApiError::Unauthenticated,
            EmailError::Config(_) => ApiError::Unavailable { what: "email (the TIDINGS_SES_* variables)" },
        }
    }
}

impl ApiError {
    /// One invalid field.
    pub fn field(field: impl Into<String>, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, reason, message)])
    }
}
