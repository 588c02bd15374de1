//! Scheduling, pure: time zones (a small [`Zone`] trait: the offset at an instant; local wall
//! times resolved across DST gaps and overlaps), `send_at` / `deliver_at_local`, quiet hours,
//! digest windows, deduplication and throttling. Time is passed in; zones are answered by the
//! adapter (`Intl` in workerd, the IANA database in the native tests).

pub mod digest;
pub mod quiet;
pub mod repeat;
pub mod timing;
pub mod when;
pub mod zone;

pub use when::When;
pub use zone::{Local, Utc, Zone};

#[cfg(test)]
mod tests;
