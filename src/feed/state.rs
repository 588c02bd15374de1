//! The in-app feed state machine of the browser package: the loaded deliveries (newest first),
//! the feed counts, the realtime cursor, and optimistic engagement that is later confirmed or
//! rolled back. Pure: no I/O, no clocks (`now` is passed in), no `JsValue`.
//!
//! # Counts
//!
//! [`FeedMeta`] counts the deliveries for which [`counted`] holds (in-app, not `skipped` or
//! `failed`, not archived), exactly as the server does. `FeedState::meta` is the server's
//! last word plus the local changes the server has not confirmed yet. Every change to a loaded
//! delivery moves the counts by that delivery's delta under [`counted`] (old version → new
//! version), so when every delivery of the user is loaded, `meta() == recount(items())` holds
//! after any sequence of optimistic updates, confirmations (without server counts), rollbacks
//! and `delivery.created` / `delivery.updated` events (see the property tests).
//!
//! # Optimistic operations
//!
//! [`FeedState::optimistic`] applies an [`Action`] to loaded deliveries at once and returns an
//! [`OpId`]; the caller sends the request and then calls [`FeedState::confirm`] (success) or
//! [`FeedState::rollback`] (failure). A pending operation keeps a snapshot of every delivery it
//! changed: the fields `transition::apply` can change (`updated_at`, `seen_at`, `read_at`,
//! `clicked_at`, `archived_at`) as they were just before the operation, and the delta the change
//! made to the counts. The other fields of a loaded delivery change only when server data
//! replaces it, which drops the snapshots of it (see below), so writing these fields back
//! restores the version from before the operation exactly. For a "mark all" operation
//! (`ids == None`), which the server applies to deliveries that are not loaded too, it also keeps
//! the part of its effect on the counts that no loaded delivery accounts for (`extra`), so that
//! a rollback undoes exactly that part.
//!
//! Server data wins over snapshots: when a realtime event replaces a delivery, pending
//! operations forget their snapshot of it (their rollback no longer touches it, and its
//! delta no longer counts as theirs). Pages are different: a page may have been read before a
//! pending operation reached the server, so pending operations are re-applied to the items of a
//! page (see [`FeedState::apply_page`]).

use std::ops::{Add, AddAssign, Neg, Sub};

use crate::feed::ids::IdSet;
use crate::feed::transition;
use crate::model::{Action, ChannelType, Delivery, DeliveryPage, DeliveryStatus, FeedEvent, FeedMeta};

/// Whether the server counts `d` in [`FeedMeta`]: an in-app delivery, neither `skipped` nor
/// `failed`, and not archived.
pub fn counted(d: &Delivery) -> bool {
    d.channel_type == ChannelType::InApp
        && !matches!(
            d.status,
            DeliveryStatus::Skipped | DeliveryStatus::Failed | DeliveryStatus::Scheduled | DeliveryStatus::Canceled
        )
        && d.archived_at.is_none()
}

/// The counts of `items` under the server's rule: `total_count` = the [`counted`] ones,
/// `unread_count` = those without `read_at`, `unseen_count` = those without `seen_at`.
pub fn recount<'a>(items: impl IntoIterator<Item = &'a Delivery>) -> FeedMeta {
    items.into_iter().filter(|d| counted(d)).fold(FeedMeta::default(), |mut m, d| {
        m.total_count += 1;
        m.unread_count += u64::from(d.read_at.is_none());
        m.unseen_count += u64::from(d.seen_at.is_none());
        m
    })
}

/// A signed change of the counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Delta {
    unread: i64,
    unseen: i64,
    total: i64,
}

impl Delta {
    /// What one delivery (or none) adds to the counts.
    fn of(d: Option<&Delivery>) -> Self {
        match d {
            Some(d) if counted(d) => {
                Delta { unread: i64::from(d.read_at.is_none()), unseen: i64::from(d.seen_at.is_none()), total: 1 }
            }
            _ => Delta::default(),
        }
    }

    /// The change of the counts when `old` becomes `new`.
    fn between(old: Option<&Delivery>, new: Option<&Delivery>) -> Self {
        Delta::of(new) - Delta::of(old)
    }

    /// `new - old`.
    fn diff(new: FeedMeta, old: FeedMeta) -> Self {
        let d = |n: u64, o: u64| (n as i64).wrapping_sub(o as i64);
        Delta {
            unread: d(new.unread_count, old.unread_count),
            unseen: d(new.unseen_count, old.unseen_count),
            total: d(new.total_count, old.total_count),
        }
    }
}

impl Add for Delta {
    type Output = Delta;
    fn add(self, o: Delta) -> Delta {
        Delta { unread: self.unread + o.unread, unseen: self.unseen + o.unseen, total: self.total + o.total }
    }
}

impl AddAssign for Delta {
    fn add_assign(&mut self, o: Delta) {
        *self = *self + o;
    }
}

impl Sub for Delta {
    type Output = Delta;
    fn sub(self, o: Delta) -> Delta {
        self + -o
    }
}

impl Neg for Delta {
    type Output = Delta;
    fn neg(self) -> Delta {
        Delta { unread: -self.unread, unseen: -self.unseen, total: -self.total }
    }
}

/// `m + d`, each count kept at or above zero (a count never goes negative, even when the
/// server's counts and the local changes disagree).
fn shift(m: FeedMeta, d: Delta) -> FeedMeta {
    let f = |v: u64, d: i64| if d >= 0 { v.saturating_add(d as u64) } else { v.saturating_sub(d.unsigned_abs()) };
    FeedMeta {
        unread_count: f(m.unread_count, d.unread),
        unseen_count: f(m.unseen_count, d.unseen),
        total_count: f(m.total_count, d.total),
    }
}

/// Identifies one optimistic operation of a [`FeedState`], to [`FeedState::confirm`] or
/// [`FeedState::rollback`] it. Numbers start at 1 and increase by one per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpId(pub u64);

/// What [`FeedState::apply_event`] did with a realtime event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    /// The event was applied and `seq` advanced to it.
    Applied,
    /// The event was already applied (its `seq` is not newer): ignored.
    Stale,
    /// Events are missing before this one: ignored, nothing changed. Reconnect with
    /// `since = seq()` to get the missing ones replayed (or a `reset`).
    Gap,
    /// The server cannot replay what was missed: `seq` was set to the event's, the rest is
    /// unchanged. Refetch the first page (`apply_page(page, false)`) and keep the socket.
    Reset,
}

/// The fields of a delivery that `transition::apply` can change.
#[derive(Debug, Clone)]
struct Engagement {
    updated_at: String,
    seen_at: Option<String>,
    read_at: Option<String>,
    clicked_at: Option<String>,
    archived_at: Option<String>,
}

impl Engagement {
    fn of(d: &Delivery) -> Self {
        Engagement {
            updated_at: d.updated_at.clone(),
            seen_at: d.seen_at.clone(),
            read_at: d.read_at.clone(),
            clicked_at: d.clicked_at.clone(),
            archived_at: d.archived_at.clone(),
        }
    }

    /// Writes these fields back into `d`.
    fn restore(self, d: &mut Delivery) {
        d.updated_at = self.updated_at;
        d.seen_at = self.seen_at;
        d.read_at = self.read_at;
        d.clicked_at = self.clicked_at;
        d.archived_at = self.archived_at;
    }
}

/// A pending operation's snapshot of one delivery it changed.
#[derive(Debug, Clone)]
struct Before {
    id: String,
    /// Its engagement fields just before the operation.
    fields: Engagement,
    /// The change of the counts the operation made to it.
    delta: Delta,
}

/// One optimistic operation waiting for the server's answer.
#[derive(Debug, Clone)]
struct Pending {
    id: OpId,
    action: Action,
    /// The deliveries it names; `None` = every non-archived one ("mark all").
    ids: Option<IdSet>,
    now: String,
    /// Each delivery it changed, as it was just before (at most one per id), in the order of the
    /// loaded items: items are never reordered (events insert at the front, pages append or
    /// replace everything, which clears the snapshots), so `apply_to` keeps that order.
    before: Vec<Before>,
    /// Its effect on the counts beyond the deltas of the deliveries in `before`: for "mark
    /// all", the deliveries that are not loaded; otherwise what clamping at zero took off.
    extra: Delta,
}

impl Pending {
    /// Whether the operation covers `d`.
    fn targets(&self, d: &Delivery) -> bool {
        match &self.ids {
            Some(ids) => ids.contains(&d.id),
            None => d.archived_at.is_none(),
        }
    }

    /// Applies the operation to the deliveries of `items` it covers, snapshotting those it
    /// changes and flagging them in `touched` (same positions); returns how many changed.
    fn apply_to(&mut self, items: &mut [Delivery], touched: &mut [bool]) -> u64 {
        let mut changed = 0;
        for (d, touched) in items.iter_mut().zip(touched) {
            if !self.targets(d) {
                continue;
            }
            let old = Delta::of(Some(d));
            let fields = Engagement::of(d);
            if transition::apply(d, self.action, &self.now) {
                self.before.push(Before { id: d.id.clone(), fields, delta: Delta::of(Some(d)) - old });
                *touched = true;
                changed += 1;
            }
        }
        changed
    }

    /// The change of the counts its snapshotted deliveries account for.
    fn item_delta(&self) -> Delta {
        let mut sum = Delta::default();
        for b in &self.before {
            sum += b.delta;
        }
        sum
    }

    /// The counts that "mark all" with this action sets to zero, as (unread, unseen, total).
    fn zeroes(&self) -> (bool, bool, bool) {
        match (self.ids.is_some(), self.action) {
            (true, _) | (false, Action::Unread | Action::Unarchived) => (false, false, false),
            (false, Action::Seen) => (false, true, false),
            (false, Action::Read | Action::Clicked) => (true, true, false),
            (false, Action::Archived) => (true, true, true),
        }
    }

    /// Applies the operation's effect to the counts `m`, recording in `extra` the part that its
    /// snapshotted deliveries do not account for.
    ///
    /// With ids (and for "mark all" unread/unarchived): `m` plus the deltas of the deliveries
    /// it changed. "Mark all" seen/read/clicked/archived reaches the counts the server will
    /// reach, since it covers every non-archived delivery, loaded or not: seen → unseen 0;
    /// read and clicked → unread 0 and unseen 0; archived → all three 0.
    fn step(&mut self, m: FeedMeta) -> FeedMeta {
        let delta = self.item_delta();
        let mut next = shift(m, delta);
        let (unread, unseen, total) = self.zeroes();
        if unread {
            next.unread_count = 0;
        }
        if unseen {
            next.unseen_count = 0;
        }
        if total {
            next.total_count = 0;
        }
        self.extra = Delta::diff(next, m) - delta;
        next
    }

    /// Drops the snapshots (and with them the deltas) of the deliveries whose id is `gone`.
    fn forget(&mut self, gone: impl Fn(&str) -> bool) {
        self.before.retain(|b| !gone(&b.id));
    }
}

/// A user's in-app feed as the browser holds it: the loaded deliveries (newest first), the
/// counts, the realtime cursor, the paging cursor, and the optimistic operations not yet
/// confirmed or rolled back.
#[derive(Debug, Clone, Default)]
pub struct FeedState {
    items: Vec<Delivery>,
    meta: FeedMeta,
    seq: u64,
    after: Option<String>,
    has_more: bool,
    pending: Vec<Pending>,
    last_op: u64,
    /// For each loaded delivery (same positions as `items`): whether an operation or a rollback
    /// changed its engagement fields since the flag was last cleared (see
    /// [`FeedState::touched`]).
    touched: Vec<bool>,
}

impl FeedState {
    /// An empty feed: no items, zero counts, `seq` 0, nothing more to load.
    pub fn new() -> Self {
        Self::default()
    }

    /// The loaded deliveries, newest first, with pending optimistic changes applied.
    pub fn items(&self) -> &[Delivery] {
        &self.items
    }

    /// The counts: the server's last word plus the pending optimistic changes and the realtime
    /// changes seen since.
    pub fn meta(&self) -> FeedMeta {
        self.meta
    }

    /// The number of the last realtime event applied (0 = none yet); reconnect with
    /// `since = seq()`.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Sets the realtime cursor, e.g. to resume from a stored value or after a refetch.
    pub fn set_seq(&mut self, seq: u64) {
        self.seq = seq;
    }

    /// The loaded deliveries (as [`FeedState::items`]) and, for each, whether an operation or
    /// a rollback changed its engagement fields (`updated_at`, `seen_at`, `read_at`,
    /// `clicked_at`, `archived_at`) since the caller cleared its flag. Other changes (a page,
    /// a realtime event) replace whole deliveries and are not flagged: a caller that mirrors
    /// the deliveries (the browser package's objects) learns of those from the page or event.
    pub fn touched(&mut self) -> (&[Delivery], &mut [bool]) {
        (&self.items, &mut self.touched)
    }

    /// Whether older deliveries can be loaded (`has_more_after` of the last page).
    pub fn has_more(&self) -> bool {
        self.has_more
    }

    /// The `after` cursor of the last page: pass it to load the next (older) page.
    pub fn after(&self) -> Option<&str> {
        self.after.as_deref()
    }

    /// Takes in a page of `GET /users/{id}/deliveries`.
    ///
    /// `append == false` (first fetch, refetch after a reset) replaces the loaded items;
    /// `append == true` (load more) appends the page's items whose id is not loaded yet (the
    /// loaded version of the others is kept). `after` and `has_more` come from `page.page`.
    ///
    /// The page may have been read before a pending operation reached the server, so every
    /// pending operation is re-applied, in order, to the page's items that were taken in (all
    /// of them when replacing, the new ones when appending); their snapshots then hold the
    /// page's versions. The counts become `page.meta` with each pending operation's effect
    /// applied on top, in order (see [`FeedState::optimistic`]): a delta per changed delivery,
    /// or the zeroes of "mark all". Re-applying is idempotent for the page's items (an item
    /// that already reflects an operation is not changed by it) and for the zeroes of "mark
    /// all". The one approximation: when appending, the deltas of deliveries loaded before
    /// are added to `page.meta` again, so if their operation had already reached the server
    /// when the page was read, they count twice until the operation is confirmed with the
    /// server's counts or a `counts` event arrives (the same holds for `counts` events and
    /// [`FeedState::confirm`] with counts).
    ///
    /// Answers whether every item of the page was taken in (no id repeated or loaded already).
    pub fn apply_page(&mut self, page: DeliveryPage, append: bool) -> bool {
        let DeliveryPage { items, page, meta } = page;
        let n = items.len();
        if !append {
            self.items.clear();
            self.touched.clear();
            for p in &mut self.pending {
                p.before.clear();
            }
        }
        let start = self.items.len();
        let mut loaded: IdSet = self.items.iter().map(|d| d.id.clone()).collect();
        for d in items {
            if loaded.insert(d.id.clone(), ()) {
                self.items.push(d);
                self.touched.push(false);
            }
        }
        for p in &mut self.pending {
            p.apply_to(&mut self.items[start..], &mut self.touched[start..]);
        }
        self.after = page.after;
        self.has_more = page.has_more_after;
        self.rebase(meta);
        self.items.len() - start == n
    }

    /// Applies a realtime event, in `seq` order.
    ///
    /// - `seq <= seq()`: [`EventOutcome::Stale`], ignored; except a `counts` event with
    ///   `seq == seq()`, which the server sends on connect and is applied.
    /// - `seq() != 0` and `seq > seq() + 1`: [`EventOutcome::Gap`], ignored.
    /// - `delivery.created`: inserted first, or, when that id is loaded, replaces it in place.
    /// - `delivery.updated`: replaces the loaded delivery with that id; ignored (apart from
    ///   `seq`) when it is not loaded.
    /// - `counts`: the counts become the event's plus the pending operations' effect, as in
    ///   [`FeedState::apply_page`].
    ///
    /// Created and updated deliveries move the counts by the delta between the loaded version
    /// (none for a new one) and the event's version: the server follows every batch of
    /// changes with a `counts` event, which then sets the truth (including changes to
    /// deliveries that are not loaded). The event's version is the server's: pending
    /// operations forget their snapshot of that delivery, so rolling them back leaves it alone.
    ///
    /// `reset` is always applied, whatever its `seq` ([`EventOutcome::Reset`], and `seq()`
    /// becomes the event's): the server sends it on connect with the latest `seq`, which jumps
    /// ahead of a client that missed too much, or is behind it when the feed's log was erased.
    /// Treating it as a gap or as stale would make the client reconnect forever.
    pub fn apply_event(&mut self, ev: FeedEvent) -> EventOutcome {
        let seq = ev.seq();
        if let FeedEvent::Reset { .. } = ev {
            self.seq = seq;
            return EventOutcome::Reset;
        }
        let on_connect = matches!(ev, FeedEvent::Counts { .. }) && seq == self.seq;
        if seq <= self.seq && !on_connect {
            return EventOutcome::Stale;
        }
        if self.seq != 0 && seq > self.seq.saturating_add(1) {
            return EventOutcome::Gap;
        }
        match ev {
            FeedEvent::Created { delivery, .. } => self.put(delivery, true),
            FeedEvent::Updated { delivery, .. } => self.put(delivery, false),
            FeedEvent::Counts { meta, .. } => self.rebase(meta),
            FeedEvent::Reset { .. } => unreachable!("handled above"),
        }
        self.seq = seq;
        EventOutcome::Applied
    }

    /// Applies `action` at `now` (RFC 3339) to the loaded deliveries named by `ids`, or, when
    /// `ids` is `None` ("mark all"), to every loaded non-archived one, with
    /// `transition::apply`. Returns the operation's id and how many loaded deliveries changed.
    ///
    /// Counts: with ids, they move by each changed delivery's delta. "Mark all" reaches the
    /// counts the server will reach, as it also covers deliveries that are not loaded: seen →
    /// unseen 0; read or clicked → unread 0 and unseen 0; archived → all three 0; unread and
    /// unarchived move only by the loaded deliveries' deltas.
    ///
    /// The operation stays pending (even if nothing changed) until [`FeedState::confirm`] or
    /// [`FeedState::rollback`].
    pub fn optimistic(&mut self, action: Action, ids: Option<&[String]>, now: &str) -> (OpId, u64) {
        self.last_op += 1;
        let id = OpId(self.last_op);
        let mut op = Pending {
            id,
            action,
            ids: ids.map(|ids| ids.iter().cloned().collect()),
            now: now.to_owned(),
            // At most one per loaded delivery: one allocation instead of a growing vector.
            before: Vec::with_capacity(self.items.len()),
            extra: Delta::default(),
        };
        let changed = op.apply_to(&mut self.items, &mut self.touched);
        self.meta = op.step(self.meta);
        self.pending.push(op);
        (id, changed)
    }

    /// The server accepted operation `op`: its changes stay and its snapshot is forgotten.
    /// With the server's counts (e.g. `BulkResult::meta`), the counts become those plus the
    /// other pending operations' effect, as in
    /// [`FeedState::apply_page`] (also for an unknown `op`: the counts are the server's truth).
    pub fn confirm(&mut self, op: OpId, server_meta: Option<FeedMeta>) {
        self.pending.retain(|p| p.id != op);
        if let Some(m) = server_meta {
            self.rebase(m);
        }
    }

    /// The server refused operation `op`: every delivery it changed goes back to its snapshot
    /// version, and the counts move by the delta from each current version to the restored
    /// one, minus the operation's `extra` (for "mark all", its effect on deliveries that are
    /// not loaded). Returns `false` (and changes nothing) for an unknown or finished `op`.
    ///
    /// Operations may be rolled back in any order. A restored delivery drops out of the
    /// snapshots of the operations applied after `op` (their changes to it are gone with it,
    /// and rolling them back later must not bring back `op`'s change). So rolling back every
    /// pending operation, in any order, restores the items exactly, and the counts too (as
    /// long as no server counts came in between). Instead of a saved copy of the counts, a
    /// "mark all" operation keeps only the part of its effect the loaded deliveries do not
    /// explain; a saved copy would undo the later operations and events too.
    pub fn rollback(&mut self, op: OpId) -> bool {
        let Some(pos) = self.pending.iter().position(|p| p.id == op) else {
            return false;
        };
        let undone = self.pending.remove(pos);
        let later = &mut self.pending[pos..];
        if later.iter().any(|p| !p.before.is_empty()) {
            let ids: IdSet = undone.before.iter().map(|b| b.id.clone()).collect();
            for p in later {
                p.forget(|id| ids.contains(id));
            }
        }
        // The snapshots are in the order of the items (see `Pending::before`): one pass restores them.
        let mut delta = -undone.extra;
        let mut snapshots = undone.before.into_iter().peekable();
        for (cur, touched) in self.items.iter_mut().zip(&mut self.touched) {
            if snapshots.peek().is_none() {
                break;
            }
            if let Some(b) = snapshots.next_if(|b| b.id == cur.id) {
                let old = Delta::of(Some(cur));
                b.fields.restore(cur);
                *touched = true;
                delta += Delta::of(Some(cur)) - old;
            }
        }
        debug_assert!(snapshots.next().is_none(), "a snapshot out of the items' order");
        self.meta = shift(self.meta, delta);
        true
    }

    /// Puts the server's version of a delivery in the list (see [`FeedState::apply_event`]).
    fn put(&mut self, d: Delivery, insert: bool) {
        for p in &mut self.pending {
            p.forget(|id| id == d.id);
        }
        if let Some(cur) = self.items.iter_mut().find(|x| x.id == d.id) {
            self.meta = shift(self.meta, Delta::between(Some(&*cur), Some(&d)));
            *cur = d;
        } else if insert {
            self.meta = shift(self.meta, Delta::between(None, Some(&d)));
            self.items.insert(0, d);
            self.touched.insert(0, false);
        }
    }

    /// The counts become the server's `m` with the pending operations' effect applied on top.
    fn rebase(&mut self, m: FeedMeta) {
        self.meta = self.pending.iter_mut().fold(m, |m, p| p.step(m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PageInfo;
    use proptest::prelude::*;
    use serde_json::json;

    /// Timestamps and flags of a generated delivery.
    #[derive(Debug, Clone)]
    struct Spec {
        channel_type: ChannelType,
        status: DeliveryStatus,
        seen: bool,
        read: bool,
        clicked: bool,
        archived: bool,
    }

    fn make(id: &str, s: &Spec) -> Delivery {
        let at = |on: bool| on.then(|| "t0".to_owned());
        Delivery {
            id: id.to_owned(),
            notification_id: format!("ntf_{id}"),
            notiflow_id: None,
            actor_id: None,
            recipient_id: "u".into(),
            channel_id: None,
            channel_type: s.channel_type,
            status: s.status,
            reason: None,
            topic: None,
            category: None,
            data: json!({}),
            created_at: "t0".into(),
            updated_at: "t0".into(),
            sent_at: None,
            seen_at: at(s.seen),
            read_at: at(s.read),
            clicked_at: at(s.clicked),
            archived_at: at(s.archived),
            provider: None,
            provider_message_id: None,
            attempts: None,
            provider_code: None,
            deliver_at: None,
            segments: None,
        }
    }

    fn fresh(id: &str) -> Delivery {
        make(
            id,
            &Spec {
                channel_type: ChannelType::InApp,
                status: DeliveryStatus::Delivered,
                seen: false,
                read: false,
                clicked: false,
                archived: false,
            },
        )
    }

    fn page(items: Vec<Delivery>, meta: FeedMeta, has_more_after: bool) -> DeliveryPage {
        DeliveryPage {
            page: PageInfo {
                limit: 25,
                after: has_more_after.then(|| "next".to_owned()),
                before: None,
                has_more_after,
                has_more_before: false,
            },
            items,
            meta,
        }
    }

    fn loaded(items: Vec<Delivery>) -> FeedState {
        let meta = recount(&items);
        let mut s = FeedState::new();
        s.apply_page(page(items, meta, false), false);
        s
    }

    fn meta(unread: u64, unseen: u64, total: u64) -> FeedMeta {
        FeedMeta { unread_count: unread, unseen_count: unseen, total_count: total }
    }

    #[test]
    fn counting_rule() {
        let mut skipped = fresh("a");
        skipped.status = DeliveryStatus::Skipped;
        let mut failed = fresh("b");
        failed.status = DeliveryStatus::Failed;
        let mut push = fresh("c");
        push.channel_type = ChannelType::WebPush;
        let mut archived = fresh("d");
        archived.archived_at = Some("t".into());
        let mut seen = fresh("e");
        seen.seen_at = Some("t".into());
        let mut pending = fresh("f");
        pending.status = DeliveryStatus::Pending;
        let all = [skipped, failed, push, archived, seen, pending];
        assert_eq!(all.iter().map(counted).collect::<Vec<_>>(), [false, false, false, false, true, true]);
        assert_eq!(recount(&all), meta(2, 1, 2));
    }

    #[test]
    fn mark_all_read_zeroes_unread_and_unseen_and_rolls_back() {
        let items: Vec<Delivery> = (0..3).map(|i| fresh(&format!("dlv_{i}"))).collect();
        let mut s = FeedState::new();
        // 10 deliveries on the server, 3 loaded.
        s.apply_page(page(items.clone(), meta(8, 9, 10), true), false);
        assert_eq!((s.has_more(), s.after()), (true, Some("next")));
        let (op, changed) = s.optimistic(Action::Read, None, "t1");
        assert_eq!(changed, 3);
        assert_eq!(s.meta(), meta(0, 0, 10));
        assert!(s.items().iter().all(|d| d.read_at.as_deref() == Some("t1") && d.seen_at.is_some()));
        // Marking one unread afterwards counts on top of the zeroes.
        let (op2, _) = s.optimistic(Action::Unread, Some(&["dlv_1".to_owned()]), "t2");
        assert_eq!(s.meta(), meta(1, 0, 10));
        assert!(s.rollback(op));
        assert_eq!(s.meta(), meta(8, 9, 10));
        assert!(s.rollback(op2));
        assert_eq!(s.items(), &items[..]);
        assert_eq!(s.meta(), meta(8, 9, 10));
    }

    #[test]
    fn mark_all_archived_zeroes_everything_and_seen_only_unseen() {
        let mut s = FeedState::new();
        s.apply_page(page(vec![fresh("a"), fresh("b")], meta(5, 5, 5), true), false);
        let (op, _) = s.optimistic(Action::Seen, None, "t1");
        assert_eq!(s.meta(), meta(5, 0, 5));
        s.confirm(op, None);
        assert_eq!(s.meta(), meta(5, 0, 5));
        s.optimistic(Action::Archived, None, "t2");
        assert_eq!(s.meta(), meta(0, 0, 0));
        assert!(s.items().iter().all(|d| d.archived_at.is_some()));
    }

    #[test]
    fn rollback_restores_items_and_counts() {
        let items = vec![fresh("a"), fresh("b"), fresh("c")];
        let mut s = loaded(items.clone());
        let before = s.meta();
        let ids = ["a".to_owned(), "c".to_owned(), "unknown".to_owned()];
        let (op, changed) = s.optimistic(Action::Clicked, Some(&ids), "t1");
        assert_eq!(changed, 2);
        assert_eq!(s.meta(), meta(1, 1, 3));
        assert!(s.rollback(op));
        assert_eq!(s.items(), &items[..]);
        assert_eq!(s.meta(), before);
        assert!(!s.rollback(op), "an operation rolls back once");
        assert!(!s.rollback(OpId(99)));
    }

    #[test]
    fn out_of_order_rollback_restores_the_original() {
        let items = vec![fresh("a"), fresh("b")];
        let mut s = loaded(items.clone());
        let (read, _) = s.optimistic(Action::Read, Some(&["a".to_owned()]), "t1");
        let (archive, _) = s.optimistic(Action::Archived, None, "t2");
        assert_eq!(s.meta(), meta(0, 0, 0));
        assert!(s.rollback(read));
        // "a" is back as before the read; the archive's change to it went with it.
        assert_eq!(s.items()[0], items[0]);
        assert_eq!(s.meta(), recount(s.items()));
        assert!(s.rollback(archive));
        assert_eq!(s.items(), &items[..]);
        assert_eq!(s.meta(), meta(2, 2, 2));
    }

    #[test]
    fn confirm_with_server_counts_keeps_other_pending_effects() {
        let mut s = loaded(vec![fresh("a"), fresh("b")]);
        let (a, _) = s.optimistic(Action::Read, Some(&["a".to_owned()]), "t1");
        let (_b, _) = s.optimistic(Action::Read, Some(&["b".to_owned()]), "t1");
        assert_eq!(s.meta(), meta(0, 0, 2));
        // The server applied `a` only.
        s.confirm(a, Some(meta(1, 1, 2)));
        assert_eq!(s.meta(), meta(0, 0, 2));
        assert_eq!(s.items().len(), 2);
    }

    #[test]
    fn stale_and_gap_events_are_ignored() {
        let mut s = loaded(vec![fresh("a")]);
        assert_eq!(s.apply_event(FeedEvent::Created { seq: 5, delivery: fresh("b") }), EventOutcome::Applied);
        assert_eq!(s.seq(), 5);
        let before = (s.items().to_vec(), s.meta());
        assert_eq!(s.apply_event(FeedEvent::Created { seq: 5, delivery: fresh("c") }), EventOutcome::Stale);
        assert_eq!(s.apply_event(FeedEvent::Created { seq: 3, delivery: fresh("c") }), EventOutcome::Stale);
        assert_eq!(s.apply_event(FeedEvent::Counts { seq: 4, meta: meta(9, 9, 9) }), EventOutcome::Stale);
        assert_eq!(s.apply_event(FeedEvent::Created { seq: 7, delivery: fresh("c") }), EventOutcome::Gap);
        assert_eq!(s.apply_event(FeedEvent::Counts { seq: 7, meta: meta(9, 9, 9) }), EventOutcome::Gap);
        assert_eq!((s.items().to_vec(), s.meta(), s.seq()), (before.0, before.1, 5));
        // Counts with the current seq: sent on connect.
        assert_eq!(s.apply_event(FeedEvent::Counts { seq: 5, meta: meta(3, 3, 3) }), EventOutcome::Applied);
        assert_eq!(s.meta(), meta(3, 3, 3));
        assert_eq!(s.apply_event(FeedEvent::Created { seq: 6, delivery: fresh("c") }), EventOutcome::Applied);
        assert_eq!((s.seq(), s.meta(), s.items()[0].id.as_str()), (6, meta(4, 4, 4), "c"));
    }

    #[test]
    fn reset_is_applied_whatever_its_seq() {
        let mut s = FeedState::new();
        s.set_seq(10);
        assert_eq!(s.apply_event(FeedEvent::Reset { seq: 50 }), EventOutcome::Reset);
        assert_eq!(s.seq(), 50);
        assert_eq!(s.apply_event(FeedEvent::Reset { seq: 0 }), EventOutcome::Reset);
        assert_eq!(s.seq(), 0);
        // With seq 0, the first event is taken whatever its number.
        assert_eq!(s.apply_event(FeedEvent::Counts { seq: 42, meta: meta(1, 1, 1) }), EventOutcome::Applied);
        assert_eq!(s.seq(), 42);
    }

    #[test]
    fn created_dedupes_by_id() {
        let mut s = loaded(vec![fresh("a"), fresh("b")]);
        let mut b = fresh("b");
        b.read_at = Some("t1".into());
        assert_eq!(s.apply_event(FeedEvent::Created { seq: 1, delivery: b.clone() }), EventOutcome::Applied);
        assert_eq!(s.items().iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(s.items()[1], b);
        assert_eq!(s.meta(), meta(1, 2, 2));
        assert_eq!(s.apply_event(FeedEvent::Created { seq: 2, delivery: fresh("c") }), EventOutcome::Applied);
        assert_eq!(s.items().iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["c", "a", "b"]);
        assert_eq!(s.meta(), meta(2, 3, 3));
    }

    #[test]
    fn updated_replaces_loaded_ignores_others_and_wins_over_snapshots() {
        let mut s = loaded(vec![fresh("a")]);
        let (op, _) = s.optimistic(Action::Read, None, "t1");
        // The server's version of "a": archived by another tab, not read yet.
        let mut a = fresh("a");
        a.archived_at = Some("t2".into());
        assert_eq!(s.apply_event(FeedEvent::Updated { seq: 1, delivery: a.clone() }), EventOutcome::Applied);
        assert_eq!(s.apply_event(FeedEvent::Updated { seq: 2, delivery: fresh("zz") }), EventOutcome::Applied);
        assert_eq!(s.items(), &[a.clone()][..]);
        assert_eq!(s.meta(), meta(0, 0, 0));
        assert!(s.rollback(op));
        assert_eq!(s.items(), &[a][..]);
        assert_eq!(s.meta(), meta(0, 0, 0));
    }

    #[test]
    fn pages_append_without_duplicates_and_keep_pending_changes() {
        let mut s = FeedState::new();
        s.apply_page(page(vec![fresh("c"), fresh("b")], meta(3, 3, 3), true), false);
        let (op, _) = s.optimistic(Action::Read, None, "t1");
        assert_eq!(s.meta(), meta(0, 0, 3));
        // Load more, read before the operation reached the server.
        s.apply_page(page(vec![fresh("b"), fresh("a")], meta(3, 3, 3), false), true);
        assert_eq!(s.items().iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["c", "b", "a"]);
        assert!(s.items().iter().all(|d| d.read_at.is_some()));
        assert_eq!(s.meta(), meta(0, 0, 3));
        assert_eq!((s.has_more(), s.after()), (false, None));
        // A refetch that raced with the operation does not undo it.
        s.apply_page(page(vec![fresh("c"), fresh("b"), fresh("a")], meta(3, 3, 3), false), false);
        assert!(s.items().iter().all(|d| d.read_at.is_some()));
        assert_eq!(s.meta(), meta(0, 0, 3));
        // Rolling back restores the page's versions.
        assert!(s.rollback(op));
        assert_eq!(s.items(), &[fresh("c"), fresh("b"), fresh("a")][..]);
        assert_eq!(s.meta(), meta(3, 3, 3));
    }

    #[test]
    fn counts_event_keeps_pending_effects() {
        let mut s = loaded(vec![fresh("a"), fresh("b")]);
        let (op, _) = s.optimistic(Action::Archived, Some(&["a".to_owned()]), "t1");
        assert_eq!(s.meta(), meta(1, 1, 1));
        // Counts from before the archive reached the server, with one new delivery elsewhere.
        assert_eq!(s.apply_event(FeedEvent::Counts { seq: 1, meta: meta(3, 3, 3) }), EventOutcome::Applied);
        assert_eq!(s.meta(), meta(2, 2, 2));
        s.confirm(op, Some(meta(2, 2, 2)));
        assert_eq!(s.meta(), meta(2, 2, 2));
    }

    fn spec() -> impl Strategy<Value = Spec> {
        let channel = prop_oneof![3 => Just(ChannelType::InApp), 1 => Just(ChannelType::WebPush)];
        let status = prop_oneof![
            1 => Just(DeliveryStatus::Pending),
            1 => Just(DeliveryStatus::Sent),
            3 => Just(DeliveryStatus::Delivered),
            1 => Just(DeliveryStatus::Failed),
            1 => Just(DeliveryStatus::Skipped),
        ];
        (channel, status, any::<bool>(), any::<bool>(), any::<bool>(), prop::bool::weighted(0.2)).prop_map(
            |(channel_type, status, seen, read, clicked, archived)| Spec {
                channel_type,
                status,
                seen,
                read,
                clicked,
                archived,
            },
        )
    }

    fn action() -> impl Strategy<Value = Action> {
        prop::sample::select(vec![
            Action::Seen,
            Action::Read,
            Action::Unread,
            Action::Clicked,
            Action::Archived,
            Action::Unarchived,
        ])
    }

    /// Indices into the loaded items (taken modulo their number plus one; the extra one names
    /// an id that is not loaded), or `None` for "mark all".
    fn targets() -> impl Strategy<Value = Option<Vec<usize>>> {
        prop::option::weighted(0.75, prop::collection::vec(any::<usize>(), 0..6))
    }

    #[derive(Debug, Clone)]
    enum Change {
        Act(Action),
        Status(DeliveryStatus),
    }

    #[derive(Debug, Clone)]
    enum Step {
        Optimistic(Action, Option<Vec<usize>>),
        Confirm(usize),
        Rollback(usize),
        Created(Spec, Option<usize>),
        Updated(usize, Change),
        Refetch(bool),
    }

    fn step() -> impl Strategy<Value = Step> {
        let change = prop_oneof![
            3 => action().prop_map(Change::Act),
            1 => prop::sample::select(vec![DeliveryStatus::Delivered, DeliveryStatus::Failed, DeliveryStatus::Skipped])
                .prop_map(Change::Status),
        ];
        prop_oneof![
            4 => (action(), targets()).prop_map(|(a, t)| Step::Optimistic(a, t)),
            2 => any::<usize>().prop_map(Step::Confirm),
            2 => any::<usize>().prop_map(Step::Rollback),
            1 => (spec(), prop::option::weighted(0.2, any::<usize>())).prop_map(|(s, r)| Step::Created(s, r)),
            2 => (any::<usize>(), change).prop_map(|(i, c)| Step::Updated(i, c)),
            1 => any::<bool>().prop_map(Step::Refetch),
        ]
    }

    fn ids_of(s: &FeedState, picks: &Option<Vec<usize>>) -> Option<Vec<String>> {
        picks.as_ref().map(|picks| {
            let n = s.items().len() + 1;
            picks
                .iter()
                .map(|i| s.items().get(i % n).map_or_else(|| "dlv_unknown".to_owned(), |d| d.id.clone()))
                .collect()
        })
    }

    fn initial(specs: &[Spec]) -> Vec<Delivery> {
        specs.iter().enumerate().map(|(i, s)| make(&format!("dlv_{i}"), s)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn counts_match_a_recount_when_everything_is_loaded(
            specs in prop::collection::vec(spec(), 0..12),
            steps in prop::collection::vec(step(), 0..40),
        ) {
            let items = initial(&specs);
            // The server's versions (events applied, optimistic operations not).
            let mut server = items.clone();
            // What a caller mirroring the deliveries holds (the browser package's objects): the
            // versions of the pages and events, updated where `touched` flags a delivery.
            let mut mirror: std::collections::HashMap<String, Delivery> =
                items.iter().map(|d| (d.id.clone(), d.clone())).collect();
            let mut s = loaded(items);
            let mut pending: Vec<OpId> = Vec::new();
            let mut seq = 0;
            let mut next_id = specs.len();
            for (t, st) in steps.iter().enumerate() {
                let now = format!("t{}", t + 1);
                match st {
                    Step::Optimistic(a, picks) => {
                        let ids = ids_of(&s, picks);
                        let before = s.items().to_vec();
                        let (op, changed) = s.optimistic(*a, ids.as_deref(), &now);
                        let differ = before.iter().zip(s.items()).filter(|(x, y)| x != y).count() as u64;
                        prop_assert_eq!(changed, differ);
                        pending.push(op);
                    }
                    Step::Confirm(i) if !pending.is_empty() => {
                        let op = pending.remove(i % pending.len());
                        s.confirm(op, None);
                    }
                    Step::Rollback(i) if !pending.is_empty() => {
                        let op = pending.remove(i % pending.len());
                        prop_assert!(s.rollback(op));
                    }
                    Step::Confirm(_) | Step::Rollback(_) => {}
                    Step::Created(sp, reuse) => {
                        let id = match reuse {
                            Some(i) if !s.items().is_empty() => s.items()[i % s.items().len()].id.clone(),
                            _ => {
                                next_id += 1;
                                format!("dlv_{next_id}")
                            }
                        };
                        let d = make(&id, sp);
                        seq += 1;
                        prop_assert_eq!(s.apply_event(FeedEvent::Created { seq, delivery: d.clone() }), EventOutcome::Applied);
                        prop_assert_eq!(&s.items()[s.items().iter().position(|x| x.id == id).unwrap()], &d);
                        mirror.insert(id.clone(), d.clone());
                        match server.iter_mut().find(|x| x.id == id) {
                            Some(x) => *x = d,
                            None => server.insert(0, d),
                        }
                    }
                    Step::Updated(i, change) => {
                        if s.items().is_empty() {
                            continue;
                        }
                        let mut d = s.items()[i % s.items().len()].clone();
                        match change {
                            Change::Act(a) => {
                                transition::apply(&mut d, *a, &now);
                            }
                            Change::Status(st) => d.status = *st,
                        }
                        seq += 1;
                        prop_assert_eq!(s.apply_event(FeedEvent::Updated { seq, delivery: d.clone() }), EventOutcome::Applied);
                        mirror.insert(d.id.clone(), d.clone());
                        // A stale copy of the same event changes nothing.
                        let (items, m) = (s.items().to_vec(), s.meta());
                        prop_assert_eq!(s.apply_event(FeedEvent::Updated { seq, delivery: d.clone() }), EventOutcome::Stale);
                        prop_assert_eq!((s.items(), s.meta()), (&items[..], m));
                        if let Some(x) = server.iter_mut().find(|x| x.id == d.id) {
                            *x = d;
                        }
                    }
                    Step::Refetch(from_server) => {
                        let items = if *from_server { server.clone() } else { s.items().to_vec() };
                        let m = recount(&items);
                        mirror.extend(items.iter().map(|d| (d.id.clone(), d.clone())));
                        s.apply_page(page(items, m, false), false);
                    }
                }
                // The flags say which mirrored deliveries an operation or a rollback changed.
                let (items, touched) = s.touched();
                prop_assert_eq!(items.len(), touched.len());
                for (d, t) in items.iter().zip(touched) {
                    let m = mirror.get_mut(&d.id).unwrap();
                    if std::mem::take(t) {
                        Engagement::of(d).restore(m);
                    }
                    prop_assert_eq!(&*m, d);
                }
                prop_assert_eq!(s.meta(), recount(s.items()), "after {:?}", st);
                let unique: std::collections::HashSet<&str> = s.items().iter().map(|d| d.id.as_str()).collect();
                prop_assert_eq!(unique.len(), s.items().len());
                prop_assert_eq!(s.seq(), seq);
            }
            for op in pending {
                prop_assert!(s.rollback(op));
                prop_assert_eq!(s.meta(), recount(s.items()));
            }
        }

        #[test]
        fn rolling_back_every_operation_in_any_order_restores_the_original(
            specs in prop::collection::vec(spec(), 0..12),
            loaded_count in any::<prop::sample::Index>(),
            ops in prop::collection::vec((action(), targets()), 0..12),
            order in prop::collection::vec(any::<usize>(), 12),
        ) {
            let all = initial(&specs);
            // The first `n` deliveries are loaded; the counts cover all of them.
            let n = loaded_count.index(all.len() + 1);
            let items = all[..n].to_vec();
            let meta = recount(&all);
            let mut s = FeedState::new();
            s.apply_page(page(items.clone(), meta, n < all.len()), false);
            let mut pending = Vec::new();
            for (t, (a, picks)) in ops.iter().enumerate() {
                let ids = ids_of(&s, picks);
                pending.push(s.optimistic(*a, ids.as_deref(), &format!("t{}", t + 1)).0);
                if n == all.len() {
                    prop_assert_eq!(s.meta(), recount(s.items()));
                }
            }
            for i in order.iter().take(ops.len()) {
                let op = pending.remove(i % pending.len());
                prop_assert!(s.rollback(op));
            }
            prop_assert!(pending.is_empty());
            prop_assert_eq!(s.items(), &items[..]);
            prop_assert_eq!(s.meta(), meta);
        }
    }
}
