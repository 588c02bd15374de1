//! The signed webhook channel at the edge: `config.rs` reads the variables.

pub mod config;
