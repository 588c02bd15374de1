//! The two things the core never reads itself: the clock and entropy.

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Random bytes from `crypto.getRandomValues`.
pub fn random<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // getrandom's only failure mode in a Worker is a missing `crypto` global, which workerd always has.
    if getrandom::getrandom(&mut buf).is_err() {
        worker::console_error!("getrandom failed");
    }
    buf
}

/// A new prefixed ULID (`usr_…`, `op_…`, `req_…`).
pub fn new_id(prefix: &str) -> String {
    tidings::ids::prefixed(prefix, now_ms() as u64, random())
}
