//! [`IdMap`]: values by delivery id, for the feed state machine and the browser package's
//! delivery objects. An insertion-ordered open-addressing table (FNV-1a, linear probing) over
//! two vectors. `std`'s `HashMap` would do, but in the browser package its SipHash and
//! hashbrown's generic code were a tenth of the wasm; this is a few hundred bytes, with the
//! same O(1) lookups for the thousand-delivery feeds it serves.

/// Values by id, in insertion order.
#[derive(Debug, Clone)]
pub struct IdMap<V> {
    keys: Vec<String>,
    values: Vec<V>,
    /// `(hash, position + 1)`; position 0 = empty. Length: a power of two, at least twice
    /// the number of keys (or zero).
    slots: Vec<(u32, u32)>,
}

/// A set of ids.
pub type IdSet = IdMap<()>;

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap { keys: Vec::new(), values: Vec::new(), slots: Vec::new() }
    }
}

fn hash(id: &str) -> u32 {
    id.bytes().fold(0x811c_9dc5, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193))
}

impl<V> IdMap<V> {
    /// The slot of `id`, or of the empty slot where it would go (`slots` not empty).
    fn slot(&self, id: &str, h: u32) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let (sh, p) = self.slots[i];
            if p == 0 || sh == h && self.keys[p as usize - 1] == id {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    fn position(&self, id: &str) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let p = self.slots[self.slot(id, hash(id))].1;
        (p != 0).then(|| p as usize - 1)
    }

    /// The number of ids.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether `id` is there.
    pub fn contains(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    /// The value of `id`.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut V> {
        self.position(id).map(|p| &mut self.values[p])
    }

    /// Sets the value of `id`; true when `id` is new.
    pub fn insert(&mut self, id: String, value: V) -> bool {
        if let Some(p) = self.position(&id) {
            self.values[p] = value;
            return false;
        }
        if (self.keys.len() + 1) * 2 > self.slots.len() {
            self.rebuild((self.slots.len() * 2).max(16));
        }
        let h = hash(&id);
        let i = self.slot(&id, h);
        self.keys.push(id);
        self.values.push(value);
        self.slots[i] = (h, self.keys.len() as u32);
        true
    }

    /// Keeps the ids whose value passes `keep`.
    pub fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        let mut j = 0;
        for i in 0..self.keys.len() {
            if keep(&self.values[i]) {
                self.keys.swap(i, j);
                self.values.swap(i, j);
                j += 1;
            }
        }
        self.keys.truncate(j);
        self.values.truncate(j);
        self.rebuild(self.slots.len());
    }

    /// Refills `cap` slots from the keys.
    fn rebuild(&mut self, cap: usize) {
        self.slots.clear();
        self.slots.resize(cap, (0, 0));
        for (n, id) in self.keys.iter().enumerate() {
            let h = hash(id);
            let mask = cap - 1;
            let mut i = h as usize & mask;
            while self.slots[i].1 != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = (h, n as u32 + 1);
        }
    }
}

impl FromIterator<String> for IdSet {
    fn from_iter<I: IntoIterator<Item = String>>(ids: I) -> Self {
        let mut set = IdSet::default();
        for id in ids {
            set.insert(id, ());
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// Inserts and retains agree with `HashMap`.
        #[test]
        fn behaves_as_a_hash_map(ops in prop::collection::vec((0u8..40, any::<u16>(), any::<bool>()), 0..400)) {
            let mut ours: IdMap<u16> = IdMap::default();
            let mut std: HashMap<String, u16> = HashMap::new();
            for (k, v, retain) in ops {
                if retain && v % 7 == 0 {
                    ours.retain(|x| x % 2 == 0);
                    std.retain(|_, x| *x % 2 == 0);
                } else {
                    let key = format!("dlv_{k}");
                    prop_assert_eq!(ours.insert(key.clone(), v), std.insert(key, v).is_none());
                }
                prop_assert_eq!(ours.len(), std.len());
                for k in 0u8..40 {
                    let key = format!("dlv_{k}");
                    prop_assert_eq!(ours.get_mut(&key).copied(), std.get(&key).copied());
                    prop_assert_eq!(ours.contains(&key), std.contains_key(&key));
                }
            }
        }
    }
}
