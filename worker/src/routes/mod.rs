//! One module per resource; handlers parse with the core, call store/, answer with the core.

pub mod meta;
pub mod operations;
pub mod subscriptions;
pub mod users;
