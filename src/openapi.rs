//! The OpenAPI 3.1 document served at `/openapi.json`. `tests/openapi_document.rs` checks it
//! against the route table and the validators.

/// The document, as served.
pub const DOCUMENT: &str = include_str!("openapi.json");
