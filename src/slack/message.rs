//! What a delivery says in Slack: a `text` fallback (notifications, screen readers, clients
//! without blocks) and Block Kit blocks: a `header` with the subject, a `section` with the
//! body, and an `actions` block with one button to the delivery's `url`.
//!
//! Escaping: `mrkdwn` text (the section and the `text` fallback) is parsed by Slack, so `&`,
//! `<` and `>` in user text are written `&amp;`, `&lt;`, `&gt;` (Slack's "Escaping text"):
//! a body can never form a link, a mention (`<!channel>`) or a broken entity. `plain_text`
//! (the header and the button's label) is not parsed and goes as written.
//!
//! Limits Slack documents (an over-long text makes Slack refuse the whole message with
//! `invalid_blocks`): header text 150 characters, section text 3000, button label 75, button
//! URL 3000. Longer text is cut at a character boundary (never inside an escape) and ends
//! with `…`. The `text` fallback is cut at 3000 too.

use crate::model::Delivery;
use serde_json::{json, Value};

/// Longest `header` text.
pub const MAX_HEADER: usize = 150;
/// Longest `section` text.
pub const MAX_SECTION: usize = 3000;
/// Longest button URL.
pub const MAX_URL: usize = 3000;
/// Longest `text` fallback we send.
pub const MAX_FALLBACK: usize = 3000;
/// The button's label.
pub const BUTTON_LABEL: &str = "Open";
/// The text when a delivery has neither subject nor body.
pub const EMPTY: &str = "New notification";

/// One delivery's Slack message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The fallback text (`mrkdwn`, escaped).
    pub text: String,
    /// The Block Kit blocks.
    pub blocks: Value,
}

/// `s` with Slack's three control characters escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn escaped(c: char) -> &'static str {
    match c {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        _ => "",
    }
}

/// `s` at most `max` characters long (`escape` first when `mrkdwn`), cut at a character
/// boundary and ended with `…` when it was longer.
pub fn fit(s: &str, max: usize, mrkdwn: bool) -> String {
    let width = |c: char| if mrkdwn && !escaped(c).is_empty() { escaped(c).len() } else { 1 };
    let total: usize = s.chars().map(width).sum();
    if total <= max {
        return if mrkdwn { escape(s) } else { s.to_owned() };
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = width(c);
        if used + w > max.saturating_sub(1) {
            break;
        }
        used += w;
        match escaped(c) {
            e if mrkdwn && !e.is_empty() => out.push_str(e),
            _ => out.push(c),
        }
    }
    out.push('…');
    out
}

/// Whether `url` may be a button's link: `http://` or `https://` with a host, no spaces, at
/// most [`MAX_URL`] characters.
pub fn link_ok(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && url.chars().count() <= MAX_URL
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The message for a subject, body and link (blank ones left out; a link that is not
/// http(s) gets no button).
pub fn build(subject: Option<&str>, body: Option<&str>, url: Option<&str>, action: &str) -> Message {
    let subject = subject.map(str::trim).filter(|s| !s.is_empty());
    let body = body.filter(|s| !s.trim().is_empty());
    let url = url.filter(|u| link_ok(u));
    let mut blocks = Vec::new();
    if let Some(s) = subject {
        blocks.push(json!({
            "type": "header",
            "text": { "type": "plain_text", "text": fit(s, MAX_HEADER, false), "emoji": true },
        }));
    }
    if body.is_some() || subject.is_none() {
        let text = body.map_or_else(|| EMPTY.to_owned(), |b| fit(b, MAX_SECTION, true));
        blocks.push(json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } }));
    }
    if let Some(u) = url {
        blocks.push(json!({
            "type": "actions",
            "elements": [{
                "type": "button",
                "text": { "type": "plain_text", "text": BUTTON_LABEL, "emoji": true },
                "url": u,
                "action_id": action,
            }],
        }));
    }
    let joined = match (subject, body) {
        (Some(s), Some(b)) => format!("{s}\n{b}"),
        (Some(s), None) => s.to_owned(),
        (None, Some(b)) => b.to_owned(),
        (None, None) => EMPTY.to_owned(),
    };
    Message { text: fit(&joined, MAX_FALLBACK, true), blocks: Value::Array(blocks) }
}

/// The message of delivery `d`: `data.subject`, `data.body`, `data.url`; the button's
/// `action_id` names the delivery (`tidings_open:<delivery id>`, cut to Slack's 255).
pub fn of_delivery(d: &Delivery) -> Message {
    let text = |k: &str| d.data.get(k).and_then(Value::as_str);
    let action: String = format!("tidings_open:{}", d.id).chars().take(255).collect();
    build(text("subject"), text("body"), text("url"), &action)
}
