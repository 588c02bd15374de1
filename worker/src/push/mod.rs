//! Web Push from the edge: `sender.rs` encrypts and signs one message and reads the push
//! service's answer; `deliver.rs` is the `SEND` queue job that delivers one delivery to every
//! subscription of its user, with retries.

pub mod deliver;
pub mod sender;
