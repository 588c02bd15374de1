//! Which recipients of a send can be reached on which provider channel, read once per send
//! (per bulk batch) for `tidings::notify::plan`.

use crate::config::Config;
use crate::http::Fail;
use crate::store;
use std::collections::HashMap;
use tidings::model::ChannelType;
use tidings::notify::{self, Notification};
use tidings::users::StoredUser;

/// The single-address channels, whose reach is read from the stored user.
const SINGLE_ADDRESS: [ChannelType; 4] =
    [ChannelType::Email, ChannelType::Sms, ChannelType::Slack, ChannelType::Webhook];

/// What planning a send needs to know about its recipients' addresses.
pub struct Reach<'a> {
    config: &'a Config,
    mobile: crate::mobile::MobileReach,
    users: HashMap<String, StoredUser>,
}

impl<'a> Reach<'a> {
    /// Reads what `n` may need: mobile push tokens, and the stored users when `n` may go to a
    /// single-address channel that is configured.
    pub async fn of(
        db: &worker::D1Database,
        config: &'a Config,
        n: &Notification,
        users: &[String],
    ) -> Result<Reach<'a>, Fail> {
        let mobile = crate::mobile::MobileReach::of(db, config, n, users).await?;
        let wanted = |c: &ChannelType| n.default_channels || n.channels.contains(c);
        let users = if SINGLE_ADDRESS.iter().any(|c| wanted(c) && configured(config, *c)) {
            store::users::find_ids(db, users).await?
        } else {
            HashMap::new()
        };
        Ok(Reach { config, mobile, users })
    }

    /// One recipient's reach on each channel.
    pub fn get<'r>(&'r self, user: &'r str) -> impl Fn(ChannelType) -> notify::Reach + 'r {
        move |channel| match channel {
            ChannelType::MobilePush => self.mobile.get(user),
            ChannelType::InApp | ChannelType::WebPush => notify::Reach::Ready,
            _ if !configured(self.config, channel) => notify::Reach::NotConfigured,
            // The deployment's webhook hears about every user, stored or not.
            ChannelType::Webhook => notify::Reach::Ready,
            _ => match self.users.get(user) {
                Some(stored) => single(self.config, channel, stored),
                None => notify::Reach::NoAddress,
            },
        }
    }
}

/// Whether the deployment has a provider for a single-address channel. Each channel adds its
/// arm: `ChannelType::Email => config.email.is_some(),`.
fn configured(config: &Config, channel: ChannelType) -> bool {
    match channel {
        ChannelType::Sms => config.telnyx.on(config.dev_mode),
        ChannelType::Webhook => config.webhook.on(config.dev_mode),
        ChannelType::Slack => crate::slack::configured(config),
        _ => false,
    }
}

/// A stored user's reach on a configured single-address channel. Each channel adds its arm:
/// `ChannelType::Email => crate::email::reach(config, user),`.
fn single(config: &Config, channel: ChannelType, user: &StoredUser) -> notify::Reach {
    match channel {
        ChannelType::Sms => tidings::sms::reach(user),
        ChannelType::Slack => crate::slack::reach(config, user),
        _ => notify::Reach::NotConfigured,
    }
}
