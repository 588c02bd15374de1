//! Wire types: one definition of each shape the API reads or writes.

mod patch;
mod user;

pub use patch::Patch;
pub use user::{
    Device, Operation, OperationStatus, Pagination, Profile, PushProvider, PushSubscription,
    PushToken, SubscriptionKeys, User, UserPage, WebPushToken,
};
