//! The email's text and HTML bodies: a small, readable layout with the body and a button to
//! `data.url`. Everything the sender wrote is HTML-escaped; only `http(s)` links become a button.

/// What one email says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailContent {
    /// `data.subject` (empty when the sender gave none).
    pub subject: String,
    /// `data.body`.
    pub body: Option<String>,
    /// `data.url`: the button's link, when it is `http(s)`.
    pub url: Option<String>,
    /// The one-click unsubscribe link (none for a notification without topic or category).
    pub unsubscribe_url: Option<String>,
}

/// Escapes `s` for HTML text and double-quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `url` when it may be a link in an email: `http://` or `https://` (no `javascript:`, no `data:`).
pub fn link(url: Option<&str>) -> Option<&str> {
    url.map(str::trim).filter(|u| {
        let lower = u.to_ascii_lowercase();
        (lower.starts_with("https://") || lower.starts_with("http://")) && !u.chars().any(char::is_control)
    })
}

/// The plain-text body.
pub fn text(c: &EmailContent) -> String {
    let mut out = String::new();
    if let Some(body) = &c.body {
        out.push_str(body);
        out.push_str("\n\n");
    }
    if let Some(url) = link(c.url.as_deref()) {
        out.push_str(&format!("Open: {url}\n\n"));
    }
    if let Some(u) = &c.unsubscribe_url {
        out.push_str(&format!("--\nUnsubscribe: {u}\n"));
    }
    out
}

/// The HTML body: escaped subject, body (paragraphs kept as line breaks), the button, the
/// unsubscribe link.
pub fn html(c: &EmailContent) -> String {
    let body = c.body.as_deref().map(|b| escape_html(b).replace('\n', "<br>\n")).unwrap_or_default();
    let button = link(c.url.as_deref())
        .map(|u| {
            format!(
                "<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#1a56db;color:#ffffff;\
                 padding:10px 18px;border-radius:6px;text-decoration:none;display:inline-block\">Open</a></p>\n",
                escape_html(u)
            )
        })
        .unwrap_or_default();
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{subject}</title></head>\n\
         <body style=\"margin:0;padding:24px;background:#f5f5f7;font-family:-apple-system,Segoe UI,Roboto,sans-serif\">\n\
         <div style=\"max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px;color:#1f2937\">\n\
         <h1 style=\"font-size:20px;margin:0 0 16px\">{subject}</h1>\n\
         <p style=\"font-size:15px;line-height:1.5;margin:0\">{body}</p>\n{button}</div>\n\
         {unsubscribe}</body></html>\n",
        subject = escape_html(&c.subject),
        unsubscribe = c.unsubscribe_url.as_deref().map(unsubscribe_footer).unwrap_or_default(),
    )
}

fn unsubscribe_footer(url: &str) -> String {
    format!(
        "<p style=\"max-width:560px;margin:16px auto 0;font-size:12px;color:#6b7280\">\
         <a href=\"{}\" style=\"color:#6b7280\">Unsubscribe</a></p>\n",
        escape_html(url)
    )
}
