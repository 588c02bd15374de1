//! The npm package `tidings` (feature `browser`): thin wasm-bindgen adapters over the core for
//! pages and service workers. `make pkg` builds it with wasm-pack into `pkg/`.
//!
//! - [`TidingsClient`]: the user's credentials (`x-api-key` + `x-user-token`).
//! - [`Feed`] (`client.feed(filter)`): the in-app feed store, which *is* the core
//!   [`FeedState`](crate::feed::state::FeedState) plus the I/O around it (fetch, optimistic
//!   actions confirmed or rolled back, realtime socket with resume by `seq`).
//! - [`PushClient`] (`client.push`): the browser's Web Push subscription registered at the edge.
//! - [`handle_push`], [`handle_notification_click`], [`handle_subscription_change`]: the
//!   service worker entry points.
//!
//! Everything that fails rejects with a JS `Error` carrying a stable `code` (see [`error`]).
//! No business logic lives here: counts, transitions and event ordering come from the core.

pub mod client;
pub mod error;
pub mod feed;
mod http;
mod items;
mod js;
pub mod push;
mod realtime;
pub mod sw;
mod types;
mod wire;

pub use client::TidingsClient;
pub use feed::Feed;
pub use push::PushClient;
pub use sw::{handle_notification_click, handle_push, handle_subscription_change};
