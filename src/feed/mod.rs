//! The in-app feed: delivery engagement transitions (used by the edge's Durable Object) and the
//! feed state machine (used by the browser package).

pub mod ids;
pub mod query;
pub mod state;
pub mod transition;
