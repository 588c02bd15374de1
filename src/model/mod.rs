//! Wire types: one definition of each shape the API reads or writes.

mod delivery;
mod patch;
mod preferences;
mod user;

pub use delivery::*;
pub use patch::Patch;
pub use preferences::*;
pub use user::*;
