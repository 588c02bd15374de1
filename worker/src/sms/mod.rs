//! SMS through Telnyx at the edge: `config.rs` reads the variables, `sender.rs` sends one
//! delivery (the generic `SendChannel` job calls it), `events.rs` is Telnyx's signed webhook
//! (delivery receipts, STOP / START).

pub mod config;
pub mod events;
pub mod sender;
