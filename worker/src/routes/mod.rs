//! One module per resource; handlers parse with the core, call store/, answer with the core.

pub mod bulk;
pub mod deliveries;
pub mod dev;
pub mod meta;
pub mod notifications;
pub mod operations;
pub mod preferences;
pub mod subscriptions;
pub mod users;
