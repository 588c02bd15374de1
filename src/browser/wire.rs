//! The core's wire types read from JS values by hand. Answers are parsed by `JSON.parse`; the
//! counts and paging fields are read here one property at a time, the deliveries in one packed
//! string (`pack` in `feed.js`): a crossing per field of every delivery cost over a millisecond
//! per 50-item page. No serde in the package: its generic deserializers (and the float
//! formatting their errors pull in) were over half of the wasm. A delivery's JS object stays in
//! JS (the feed lists the edge's own objects), so the `Delivery`s made here carry only what the
//! feed state and the filter read (`data: null`, empty `notification_id`, `recipient_id` and
//! `created_at`).

use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::js::{get, get_string};
use crate::model::{ChannelType, Delivery, DeliveryPage, DeliveryStatus, FeedEvent, FeedMeta, PageInfo};

/// `v[key]` as a non-negative integer.
fn count(v: &JsValue, key: &str) -> Option<u64> {
    let n = get(v, key).as_f64()?;
    (n >= 0.0 && n.fract() == 0.0).then_some(n as u64)
}

/// The next delivery of a packed string (`pack` in `feed.js`): the fields `id` (already read
/// from `fields`), `channel_type`, `topic`, `status`, `reason`, `updated_at`, `sent_at`,
/// `seen_at`, `read_at`, `clicked_at`, `archived_at`, each followed by `\x01`, `\x02` for one
/// that is not a string. `None` when a required field is missing or has another value.
fn delivery<'a>(id: &'a str, fields: &mut impl Iterator<Item = &'a str>) -> Option<Delivery> {
    let mut v = [None; 11];
    let mut next = Some(id);
    for f in &mut v {
        let s = next.take().or_else(|| fields.next())?;
        *f = (s != "\x02").then_some(s);
    }
    let s = |i: usize| v[i].map(str::to_owned);
    Some(Delivery {
        id: s(0)?,
        notification_id: String::new(),
        notiflow_id: None,
        actor_id: None,
        recipient_id: String::new(),
        channel_id: None,
        channel_type: ChannelType::parse(v[1]?)?,
        status: DeliveryStatus::parse(v[3]?)?,
        reason: s(4),
        topic: s(2),
        category: None,
        data: Value::Null,
        created_at: String::new(),
        updated_at: s(5)?,
        sent_at: s(6),
        seen_at: s(7),
        read_at: s(8),
        clicked_at: s(9),
        archived_at: s(10),
        provider: None,
        provider_message_id: None,
        attempts: None,
        provider_code: None,
        deliver_at: None,
        segments: None,
    })
}

/// The feed counts.
pub fn meta(v: &JsValue) -> Option<FeedMeta> {
    Some(FeedMeta {
        unread_count: count(v, "unread_count")?,
        unseen_count: count(v, "unseen_count")?,
        total_count: count(v, "total_count")?,
    })
}

/// A page of deliveries: `v` is the answer, `packed` its `items` packed. A field holding `\x01`
/// shifts the fields after it: not a page then (a status or channel type is not one, or the
/// last delivery lacks fields). Only what the feed state reads of `page` is read.
pub fn page(v: &JsValue, packed: &str) -> Option<DeliveryPage> {
    let mut fields = packed.split_terminator('\x01');
    let mut items = Vec::new();
    while let Some(id) = fields.next() {
        items.push(delivery(id, &mut fields)?);
    }
    let p = get(v, "page");
    let page = PageInfo {
        limit: 0,
        after: get_string(&p, "after"),
        before: None,
        has_more_after: get(&p, "has_more_after").as_bool()?,
        has_more_before: false,
    };
    Some(DeliveryPage { items, page, meta: meta(&get(v, "meta"))? })
}

/// A socket event; `packed` is its `delivery` packed (read for the events that carry one).
pub fn event(v: &JsValue, packed: &str) -> Option<FeedEvent> {
    let seq = count(v, "seq")?;
    let fields = &mut packed.split_terminator('\x01');
    Some(match get_string(v, "type")?.as_str() {
        "delivery.created" => FeedEvent::Created { seq, delivery: delivery(fields.next()?, fields)? },
        "delivery.updated" => FeedEvent::Updated { seq, delivery: delivery(fields.next()?, fields)? },
        "counts" => FeedEvent::Counts { seq, meta: meta(&get(v, "meta"))? },
        "reset" => FeedEvent::Reset { seq },
        _ => return None,
    })
}
