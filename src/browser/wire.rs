//! The core's wire types read from (and written to) JS values by hand. Answers are parsed by
//! `JSON.parse`; the fields the feed needs are read here. No serde in the package: its
//! generic deserializers (and the float formatting their errors pull in) were over half of
//! the wasm. A delivery's `data` stays a JS value (the feed lists the edge's own objects), so
//! the `Delivery`s made here carry `data: null`.

use js_sys::{Array, Object};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::js::{get, get_string, set};
use crate::model::{ChannelType, Delivery, DeliveryPage, DeliveryStatus, FeedEvent, FeedMeta, PageInfo};

/// `v[key]` as a non-negative integer.
fn count(v: &JsValue, key: &str) -> Option<u64> {
    let n = get(v, key).as_f64()?;
    (n >= 0.0 && n.fract() == 0.0).then_some(n as u64)
}

/// A delivery (seed 003 shape). `None` when a required field is missing or has another type.
pub fn delivery(v: &JsValue) -> Option<Delivery> {
    let s = |k| get_string(v, k);
    Some(Delivery {
        id: s("id")?,
        notification_id: s("notification_id")?,
        notiflow_id: s("notiflow_id"),
        actor_id: s("actor_id"),
        recipient_id: s("recipient_id")?,
        channel_id: s("channel_id"),
        channel_type: ChannelType::parse(&s("channel_type")?)?,
        status: DeliveryStatus::parse(&s("status")?)?,
        reason: s("reason"),
        topic: s("topic"),
        category: s("category"),
        data: Value::Null,
        created_at: s("created_at")?,
        updated_at: s("updated_at")?,
        sent_at: s("sent_at"),
        seen_at: s("seen_at"),
        read_at: s("read_at"),
        clicked_at: s("clicked_at"),
        archived_at: s("archived_at"),
        provider: None,
        provider_message_id: None,
        attempts: None,
        provider_code: None,
        deliver_at: None,
        segments: None,
    })
}

/// A delivery as a JS object, for one the edge's object is not at hand for (`data` = `{}`).
pub fn delivery_js(d: &Delivery) -> JsValue {
    let o = Object::new();
    let opt = |v: &Option<String>| v.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    for (k, v) in [("id", &d.id), ("notification_id", &d.notification_id), ("recipient_id", &d.recipient_id)] {
        set(&o, k, &JsValue::from_str(v));
    }
    for (k, v) in [("notiflow_id", &d.notiflow_id), ("actor_id", &d.actor_id), ("channel_id", &d.channel_id)] {
        set(&o, k, &opt(v));
    }
    set(&o, "channel_type", &JsValue::from_str(d.channel_type.as_str()));
    set(&o, "status", &JsValue::from_str(d.status.as_str()));
    for (k, v) in [("reason", &d.reason), ("topic", &d.topic), ("category", &d.category)] {
        set(&o, k, &opt(v));
    }
    set(&o, "data", &Object::new());
    set(&o, "created_at", &JsValue::from_str(&d.created_at));
    set(&o, "updated_at", &JsValue::from_str(&d.updated_at));
    for (k, v) in [
        ("sent_at", &d.sent_at),
        ("seen_at", &d.seen_at),
        ("read_at", &d.read_at),
        ("clicked_at", &d.clicked_at),
        ("archived_at", &d.archived_at),
    ] {
        set(&o, k, &opt(v));
    }
    o.into()
}

/// The feed counts.
pub fn meta(v: &JsValue) -> Option<FeedMeta> {
    Some(FeedMeta {
        unread_count: count(v, "unread_count")?,
        unseen_count: count(v, "unseen_count")?,
        total_count: count(v, "total_count")?,
    })
}

/// A page of deliveries, with each delivery's JS object (same order).
pub fn page(v: &JsValue) -> Option<(DeliveryPage, Vec<JsValue>)> {
    let raw: Vec<JsValue> = get(v, "items").dyn_into::<Array>().ok()?.iter().collect();
    let items = raw.iter().map(delivery).collect::<Option<Vec<_>>>()?;
    let p = get(v, "page");
    let page = PageInfo {
        limit: count(&p, "limit").unwrap_or(0) as u32,
        after: get_string(&p, "after"),
        before: get_string(&p, "before"),
        has_more_after: get(&p, "has_more_after").as_bool()?,
        has_more_before: get(&p, "has_more_before").as_bool().unwrap_or(false),
    };
    Some((DeliveryPage { items, page, meta: meta(&get(v, "meta"))? }, raw))
}

/// A socket event, with the JS object of its delivery (if it has one).
pub fn event(v: &JsValue) -> Option<(FeedEvent, Option<JsValue>)> {
    let seq = count(v, "seq")?;
    let raw = get(v, "delivery");
    let event = match get_string(v, "type")?.as_str() {
        "delivery.created" => FeedEvent::Created { seq, delivery: delivery(&raw)? },
        "delivery.updated" => FeedEvent::Updated { seq, delivery: delivery(&raw)? },
        "counts" => FeedEvent::Counts { seq, meta: meta(&get(v, "meta"))? },
        "reset" => FeedEvent::Reset { seq },
        _ => return None,
    };
    let raw = matches!(event, FeedEvent::Created { .. } | FeedEvent::Updated { .. }).then_some(raw);
    Some((event, raw))
}
