//! Mobile push from the edge (FCM HTTP v1, APNs): `config.rs` reads the provider variables,
//! `sender.rs` signs (WebCrypto), fetches and classifies one request per device token,
//! `deliver.rs` is the `SEND` queue job that delivers one delivery to every token of its user.

pub mod config;
pub mod deliver;
pub mod sender;

use crate::config::Config;
use crate::http::Fail;
use std::collections::HashMap;
use tidings::model::{ChannelType, PushToken};
use tidings::notify::{self, Notification};

/// Which recipients can be reached on `mobile_push`, for planning.
#[derive(Default)]
pub struct MobileReach {
    fcm: bool,
    apns: bool,
    tokens: HashMap<String, Vec<PushToken>>,
}

impl MobileReach {
    /// Reads the recipients' valid tokens only when `n` may go to `mobile_push` and a provider
    /// is configured.
    pub async fn of(
        db: &worker::D1Database,
        config: &Config,
        n: &Notification,
        users: &[String],
    ) -> Result<MobileReach, Fail> {
        let wanted = n.default_channels || n.channels.contains(&ChannelType::MobilePush);
        let (fcm, apns) = if wanted { config.mobile.on(config.dev_mode) } else { (false, false) };
        let tokens = if fcm || apns { crate::store::push_tokens::valid_for(db, users).await? } else { HashMap::new() };
        Ok(MobileReach { fcm, apns, tokens })
    }

    /// One recipient's reach.
    pub fn get(&self, user: &str) -> notify::Reach {
        tidings::mobile::reach(self.tokens.get(user).map(Vec::as_slice).unwrap_or_default(), self.fcm, self.apns)
    }
}
