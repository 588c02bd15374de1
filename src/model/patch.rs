//! `Patch<T>`: a field of a merge request, which may be absent, `null` (clear) or a value.

use serde::{Deserialize, Deserializer};

/// One field of a merge (PUT) body.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    /// Not in the body: keep what is stored.
    #[default]
    Absent,
    /// `null`: clear it.
    Null,
    /// A new value: replace (or merge, for collections keyed by token/endpoint).
    Value(T),
}

impl<T> Patch<T> {
    /// Whether the body named this field at all.
    pub fn is_present(&self) -> bool {
        !matches!(self, Patch::Absent)
    }

    /// The value, if one was given.
    pub fn value(&self) -> Option<&T> {
        match self {
            Patch::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            Some(v) => Patch::Value(v),
            None => Patch::Null,
        })
    }
}
