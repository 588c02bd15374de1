//! Tidings core: the pure logic shared by the edge worker and the browser package.
//!
//! No I/O, no clocks, no `JsValue`: time (`now_ms`) and randomness are passed in, storage
//! and transport live in the adapters (`worker/`, `src/browser/`).
#![warn(missing_docs)]

pub mod auth;
#[cfg(feature = "browser")]
pub mod browser;
pub mod bulk;
pub mod channel;
pub mod email;
pub mod error;
pub mod feed;
pub mod ids;
pub mod jobs;
pub mod json;
pub mod limits;
pub mod mobile;
pub mod model;
pub mod notify;
pub mod openapi;
pub mod paging;
pub mod route;
pub mod schedule;
pub mod slack;
pub mod sms;
pub mod time;
pub mod users;
pub mod validate;
pub mod webhook;
pub mod webpush;

pub use error::{ApiError, FieldError};
