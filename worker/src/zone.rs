//! `tidings::schedule::Zone` answered by `Intl.DateTimeFormat` (workerd ships full ICU): the
//! offset at an instant is the zone's wall time of that instant minus the instant itself.

use js_sys::{Array, Object, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use tidings::schedule::{Utc, Zone};
use tidings::time::days_from_civil;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsValue;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
    type Dtf;
    #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = "DateTimeFormat")]
    fn new(locales: &str, options: &Object) -> Result<Dtf, JsValue>;
    #[wasm_bindgen(method, js_class = "DateTimeFormat", js_name = formatToParts)]
    fn format_to_parts(this: &Dtf, date: f64) -> Array;
}

thread_local! {
    /// One formatter per zone name per isolate (building one is the costly part).
    static FORMATTERS: RefCell<HashMap<String, Dtf>> = RefCell::new(HashMap::new());
}

/// An IANA zone, through `Intl`.
pub struct IntlZone(String);

impl IntlZone {
    /// The zone named `name`, if the runtime knows it.
    pub fn new(name: &str) -> Option<Self> {
        let known = FORMATTERS.with(|f| f.borrow().contains_key(name));
        if !known {
            let options = Object::new();
            for (k, v) in [
                ("timeZone", name),
                ("hourCycle", "h23"),
                ("year", "numeric"),
                ("month", "numeric"),
                ("day", "numeric"),
                ("hour", "numeric"),
                ("minute", "numeric"),
                ("second", "numeric"),
            ] {
                Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v)).ok()?;
            }
            let dtf = Dtf::new("en-US", &options).ok()?;
            FORMATTERS.with(|f| f.borrow_mut().insert(name.to_owned(), dtf));
        }
        Some(IntlZone(name.to_owned()))
    }

    fn wall_seconds(&self, instant_ms: i64) -> Option<i64> {
        FORMATTERS.with(|f| {
            let map = f.borrow();
            let parts = map.get(&self.0)?.format_to_parts(instant_ms as f64);
            let mut v = [0i64; 6];
            let mut era_bc = false;
            for part in parts.iter() {
                let kind = Reflect::get(&part, &JsValue::from_str("type")).ok()?.as_string()?;
                let value = Reflect::get(&part, &JsValue::from_str("value")).ok()?.as_string()?;
                let slot = match kind.as_str() {
                    "year" => 0,
                    "month" => 1,
                    "day" => 2,
                    "hour" => 3,
                    "minute" => 4,
                    "second" => 5,
                    "era" => {
                        era_bc = value.starts_with('B');
                        continue;
                    }
                    _ => continue,
                };
                v[slot] = value.parse().ok()?;
            }
            let year = if era_bc { 1 - v[0] } else { v[0] };
            Some(days_from_civil(year, v[1], v[2]) * 86_400 + v[3] * 3600 + v[4] * 60 + v[5])
        })
    }
}

impl Zone for IntlZone {
    fn offset_s(&self, instant_ms: i64) -> i32 {
        self.wall_seconds(instant_ms).map_or(0, |wall| (wall - instant_ms.div_euclid(1000)) as i32)
    }
}

/// The zone of a user's `timezone` (UTC when none, or one the runtime does not know).
pub fn of(timezone: Option<&str>) -> Box<dyn Zone> {
    match timezone.and_then(IntlZone::new) {
        Some(z) => Box::new(z),
        None => Box::new(Utc),
    }
}
