//! SMS through Telnyx at the edge: `config.rs` reads the variables.

pub mod config;
pub mod events;
