//! The per-user feed: a SQLite-backed Durable Object (`object.rs`, SQL in `sql.rs`) that owns
//! the user's deliveries, counts and realtime sockets, the worker-side client (`client.rs`) and
//! a send job's view of its delivery (`status.rs`).

pub mod client;
mod object;
pub mod protocol;
mod schedule;
mod schedule_sql;
mod sql;
pub mod status;
