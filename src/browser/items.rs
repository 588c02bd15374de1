//! Which JS objects a feed's snapshot lists. The objects stay in JS (`feed.js`, by slot
//! number): each is the edge's own object (with `data`), kept while the delivery is loaded; when
//! the feed state changes a delivery, the next snapshot lists a copy with the changed fields set
//! (listeners compare by identity, and an unchanged delivery keeps its object). This side knows
//! each object's slot and which deliveries may differ from their object, and answers a
//! snapshot in one crossing (see [`Items::list`]); `feed.js` compares the values and copies the
//! objects that differ. A JS call per changed object, or comparing a thousand deliveries' fields
//! in wasm, costs milliseconds per snapshot.

use crate::feed::ids::IdMap;
use crate::model::Delivery;

/// Marks a slot in [`Items::list`]'s answer whose delivery an operation changed: 8 codes follow.
const TOUCHED: u32 = 1 << 31;
/// Marks a slot whose object `feed.js` just got, which may differ from the state: 8 codes follow.
const FRESH: u32 = 1 << 30;

/// The fields of a delivery that can change (engagement and channel status; everything else
/// is fixed once it exists), in the order of the stores of `_items` in `feed.js`: status, reason,
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

/// The changing fields an operation or a rollback sets (`FeedState::touched`): updated_at,
/// seen_at, read_at, clicked_at, archived_at.
const ENGAGEMENT: u32 = 0b1111_0100;

/// A delivery's JS object.
struct Item {
    /// Not listed since `feed.js` got it: the next snapshot gives every changing field.
    fresh: bool,
    /// The last snapshot that counted it as loaded.
    listed: u32,
}

/// The values of the changed fields of one snapshot, each a code in [`Items::list`]'s answer:
/// 1 for null, 2 + its index in the table.
#[derive(Default)]
struct Values(Vec<String>);

impl Values {
    /// The code of `v`. An action stamps the same time on every delivery it changes: the last
    /// few values are looked up, others added (a repeated one costs only its bytes).
    fn code(&mut self, v: Option<&str>) -> u32 {
        let Some(v) = v else { return 1 };
        let t = &mut self.0;
        let n = t.len();
        let i = (n.saturating_sub(4)..n).rev().find(|&i| t[i] == v).unwrap_or_else(|| {
            t.push(v.to_owned());
            n
        });
        i as u32 + 2
    }
}

/// The slots of the loaded deliveries' JS objects, by id.
#[derive(Default)]
pub(crate) struct Items {
    slots: IdMap<u32>,
    /// The objects' fields, by slot.
    by_slot: Vec<Item>,
    /// The slots of the loaded deliveries, in order, as the last snapshot found them; emptied
    /// when the loaded list may have changed (a page or an event), else a snapshot needs no
    /// lookup by id (operations change fields, never the order).
    order: Vec<u32>,
    snapshot: u32,
    /// Slots given back (their delivery was dropped).
    free: Vec<u32>,
    /// The values of the last snapshot, each followed by `\x01`.
    values: String,
}

impl Items {
    /// The slot for the edge's object of `d` (from a page or an event), which `feed.js` keeps.
    pub fn remember(&mut self, d: &Delivery) -> u32 {
        self.moved();
        let item = Item { fresh: true, listed: 0 };
        let slot = match self.slots.get_mut(&d.id) {
            Some(slot) => *slot,
            None => {
                let slot = self.free.pop().unwrap_or(self.by_slot.len() as u32);
                self.slots.insert(d.id.clone(), slot);
                slot
            }
        };
        match self.by_slot.get_mut(slot as usize) {
            Some(old) => *old = item,
            None => self.by_slot.push(item),
        }
        slot
    }

    /// The state took these deliveries as their objects hold them: no comparison needed.
    pub fn taken(&mut self, slots: &[u32]) {
        for &s in slots {
            self.by_slot[s as usize].fresh = false;
        }
    }

    /// The loaded list may have changed (the next snapshot looks its deliveries up by id).
    pub fn moved(&mut self) {
        self.order.clear();
    }

    /// The deliveries of `loaded` that pass `listed`, in order: for each, its slot; for one
    /// that `touched` flags (an operation or a rollback changed it; the flags of the listed ones
    /// are cleared here), `slot | TOUCHED` and a code per changing field (0 = unchanged, else
    /// the state's value, see [`Items::values`]): `feed.js` lists a copy with those set. For an
    /// object `feed.js` just got, which may differ in any field (the state kept another
    /// version, or re-applied pending operations to it), `slot | FRESH` and the code of every
    /// field: `feed.js` copies it only if a value differs. Slots of deliveries no longer loaded
    /// are freed.
    pub fn list(&mut self, loaded: &[Delivery], touched: &mut [bool], listed: impl Fn(&Delivery) -> bool) -> Vec<u32> {
        let snapshot = self.snapshot.wrapping_add(1);
        self.snapshot = snapshot;
        let known = self.order.len() == loaded.len();
        if !known {
            self.order.clear();
        }
        let mut values = Values::default();
        let mut out = Vec::with_capacity(loaded.len());
        for (i, d) in loaded.iter().enumerate() {
            let slot = if known {
                self.order[i]
            } else {
                // Every loaded delivery came with its object (a page or an event).
                let Some(&mut slot) = self.slots.get_mut(&d.id) else { continue };
                self.order.push(slot);
                slot
            };
            let item = &mut self.by_slot[slot as usize];
            item.listed = snapshot;
            if !listed(d) {
                continue;
            }
            let fresh = std::mem::take(&mut item.fresh);
            let touched = std::mem::take(&mut touched[i]);
            if !fresh && !touched {
                out.push(slot);
                continue;
            }
            let fields = if fresh { !0 } else { ENGAGEMENT };
            out.push(slot | if fresh { FRESH } else { TOUCHED });
            for (k, v) in changing(d).into_iter().enumerate() {
                out.push(if fields >> k & 1 == 1 { values.code(v) } else { 0 });
            }
        }
        if self.slots.len() > loaded.len() {
            let (free, by_slot) = (&mut self.free, &self.by_slot);
            self.slots.retain(|&slot| {
                let keep = by_slot[slot as usize].listed == snapshot;
                if !keep {
                    free.push(slot);
                }
                keep
            });
        }
        self.values.clear();
        for v in values.0 {
            self.values.push_str(&v);
            self.values.push('\x01');
        }
        out
    }

    /// The values of the last [`Items::list`], each followed by `\x01`: code `2 + i` is the
    /// `i`th.
    pub fn values(&mut self) -> String {
        std::mem::take(&mut self.values)
    }
}
