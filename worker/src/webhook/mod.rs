//! The signed webhook channel at the edge: `config.rs` reads the variables, `sender.rs` POSTs
//! one delivery (the generic `SendChannel` job calls it).

pub mod config;
pub mod sender;
