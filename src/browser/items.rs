//! The JS objects of a feed's deliveries, for its snapshots. Each is the edge's own object
//! (with `data`), kept while the delivery is loaded; when the feed state changes a delivery, the
//! next snapshot lists a copy with only the changed fields set (listeners compare by identity,
//! and an unchanged delivery keeps its object). Building 1,000 objects from scratch per change
//! would cost milliseconds; this costs a lookup per delivery and a few property writes per
//! changed one.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::wire;
use crate::feed::ids::IdMap;
use crate::model::Delivery;

#[wasm_bindgen(module = "/src/browser/bindings.js")]
extern "C" {
    /// A copy of `o` with the fields that are not `undefined` set (in [`changing`] order).
    #[allow(clippy::too_many_arguments)]
    fn patched(
        o: &JsValue,
        status: &JsValue,
        reason: &JsValue,
        updated_at: &JsValue,
        sent_at: &JsValue,
        seen_at: &JsValue,
        read_at: &JsValue,
        clicked_at: &JsValue,
        archived_at: &JsValue,
    ) -> JsValue;
}

/// The fields of a delivery that can change (engagement and channel status; everything else
/// is fixed once it exists), in the order of `CHANGING` in `bindings.js`: status, reason,
/// updated_at, sent_at, seen_at, read_at, clicked_at, archived_at.
fn changing(d: &Delivery) -> [Option<&str>; 8] {
    [
        Some(d.status.as_str()),
        d.reason.as_deref(),
        Some(&d.updated_at),
        d.sent_at.as_deref(),
        d.seen_at.as_deref(),
        d.read_at.as_deref(),
        d.clicked_at.as_deref(),
        d.archived_at.as_deref(),
    ]
}

/// A delivery's JS object and the values of its changing fields in it.
struct Item {
    js: JsValue,
    changing: [Option<String>; 8],
    /// The last snapshot that listed it.
    listed: u32,
}

impl Item {
    fn new(d: &Delivery, js: JsValue) -> Self {
        Item { js, changing: changing(d).map(|v| v.map(str::to_owned)), listed: 0 }
    }

    /// Makes `js` show `d`: a copy with the changed fields set, if any changed.
    fn update(&mut self, d: &Delivery, values: &mut Values) {
        let now = changing(d);
        if self.changing.iter().zip(now).all(|(old, new)| old.as_deref() == new) {
            return;
        }
        let mut set: [JsValue; 8] = Default::default();
        for ((old, new), set) in self.changing.iter_mut().zip(now).zip(&mut set) {
            if old.as_deref() != new {
                *set = values.js(new);
                *old = new.map(str::to_owned);
            }
        }
        let [a, b, c, d, e, f, g, h] = &set;
        self.js = patched(&self.js, a, b, c, d, e, f, g, h);
    }
}

/// The last few values made JS strings in this snapshot (an action stamps the same time on
/// every delivery it changes).
#[derive(Default)]
struct Values(Vec<(String, JsValue)>);

impl Values {
    /// `v` as a JS string (`null` for `None`).
    fn js(&mut self, v: Option<&str>) -> JsValue {
        let Some(v) = v else { return JsValue::NULL };
        if let Some((_, js)) = self.0.iter().find(|(s, _)| s == v) {
            return js.clone();
        }
        if self.0.len() == 4 {
            self.0.remove(0);
        }
        let js = JsValue::from_str(v);
        self.0.push((v.to_owned(), js.clone()));
        js
    }
}

/// The JS objects of the loaded deliveries, by id.
#[derive(Default)]
pub(crate) struct Items {
    by_id: IdMap<Item>,
    snapshot: u32,
}

impl Items {
    /// Keeps `raw`, the edge's object of `d` (from a page or an event).
    pub fn remember(&mut self, d: &Delivery, raw: JsValue) {
        self.by_id.insert(d.id.clone(), Item::new(d, raw));
    }

    /// The objects of the deliveries of `loaded` that pass `listed`, in order; objects of
    /// deliveries no longer loaded are dropped.
    pub fn list(&mut self, loaded: &[Delivery], listed: impl Fn(&Delivery) -> bool) -> Array {
        self.snapshot = self.snapshot.wrapping_add(1);
        let mut values = Values::default();
        let out = Array::new();
        for d in loaded {
            if self.by_id.get_mut(&d.id).is_none() {
                // Not expected (every delivery comes with its object); `data` is lost then.
                self.by_id.insert(d.id.clone(), Item::new(d, wire::delivery_js(d)));
            }
            if let Some(item) = self.by_id.get_mut(&d.id) {
                item.update(d, &mut values);
                item.listed = self.snapshot;
                if listed(d) {
                    out.push(&item.js);
                }
            }
        }
        if self.by_id.len() > loaded.len() {
            let snapshot = self.snapshot;
            self.by_id.retain(|item| item.listed == snapshot);
        }
        out
    }
}
