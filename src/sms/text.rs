//! The text of an SMS: composed from the delivery's `subject`, `body` and `url`, cut at a
//! character boundary to at most [`MAX_SEGMENTS`] segments, and counted as the network will
//! carry it.
//!
//! Encoding: GSM-7 (3GPP TS 23.038) when every character is in the default alphabet or its
//! extension table (an extension character costs 2 septets: the escape and the character),
//! UCS-2 otherwise (a character outside the BMP, e.g. most emoji, costs 2 UTF-16 units).
//! Segments: one message carries 160 septets / 70 units; a concatenated one 153 / 67 per
//! segment (the rest is the UDH), and neither an escape pair nor a surrogate pair is split
//! across two segments, so segments are packed character by character.

/// At most this many segments per message (docs/decisions.md: carriers reassemble up to 10
/// reliably, and it bounds the cost of one notification).
pub const MAX_SEGMENTS: u32 = 10;

/// What the text is cut with when it does not fit (GSM-7, so it never changes the encoding).
pub const ELLIPSIS: &str = "...";

/// The character set a text is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The GSM 03.38 default alphabet (7-bit septets).
    Gsm7,
    /// UCS-2 (UTF-16 code units).
    Ucs2,
}

impl Encoding {
    /// The wire name recorded on a delivery: `gsm7`, `ucs2`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        }
    }

    /// Units one single-part message carries, and one part of a concatenated message.
    fn capacity(self) -> (u32, u32) {
        match self {
            Encoding::Gsm7 => (160, 153),
            Encoding::Ucs2 => (70, 67),
        }
    }
}

/// The GSM 03.38 default alphabet, in code order (the escape 0x1B left out).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: escape + one of these (2 septets).
const GSM7_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Septets `c` costs in GSM-7, or `None` when GSM-7 cannot carry it.
pub fn gsm7_cost(c: char) -> Option<u32> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Units `c` costs in `encoding` (assumes `encoding` can carry it).
fn cost(c: char, encoding: Encoding) -> u32 {
    match encoding {
        Encoding::Gsm7 => gsm7_cost(c).unwrap_or(2),
        Encoding::Ucs2 => c.len_utf16() as u32,
    }
}

/// How a text travels: its encoding, its length in units and its segment count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// GSM-7 or UCS-2.
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: u32,
    /// Messages the network sends (0 for an empty text).
    pub segments: u32,
}

/// The encoding, length and segment count of `text`.
pub fn count(text: &str) -> Count {
    let encoding = if text.chars().all(|c| gsm7_cost(c).is_some()) { Encoding::Gsm7 } else { Encoding::Ucs2 };
    let (single, part) = encoding.capacity();
    let units: u32 = text.chars().map(|c| cost(c, encoding)).sum();
    let segments = if units == 0 {
        0
    } else if units <= single {
        1
    } else {
        // Pack character by character: an escape pair or a surrogate pair never straddles two parts.
        let (mut segments, mut used) = (1, 0);
        for c in text.chars() {
            let c = cost(c, encoding);
            if used + c > part {
                segments += 1;
                used = 0;
            }
            used += c;
        }
        segments
    };
    Count { encoding, units, segments }
}

/// The message's parts, as the delivery's `data` carries them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts<'a> {
    /// `data.subject`.
    pub subject: Option<&'a str>,
    /// `data.body`.
    pub body: Option<&'a str>,
    /// `data.url`.
    pub url: Option<&'a str>,
}

impl<'a> Parts<'a> {
    /// The parts of a delivery's `data` (strings only; anything else is left out).
    pub fn of(data: &'a serde_json::Value) -> Parts<'a> {
        let text = |k: &str| data[k].as_str().map(str::trim).filter(|s| !s.is_empty());
        Parts { subject: text("subject"), body: text("body"), url: text("url") }
    }
}

/// The composed text and how it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// What is sent.
    pub text: String,
    /// Its encoding and segments.
    pub count: Count,
    /// Whether it was cut to fit [`MAX_SEGMENTS`].
    pub cut: bool,
}

/// The SMS for `parts`: `subject`, `body` and `url` on their own lines; when that is longer than
/// `max_segments`, the subject and body are cut at a character boundary and end with
/// [`ELLIPSIS`], the url is kept whole (if even the url does not fit, everything is cut).
/// `None` when there is nothing to send.
pub fn compose(parts: Parts<'_>, max_segments: u32) -> Option<Text> {
    let head = [parts.subject, parts.body].into_iter().flatten().collect::<Vec<_>>().join("\n");
    let tail = match (parts.url, head.is_empty()) {
        (Some(url), false) => format!("\n{url}"),
        (Some(url), true) => url.to_owned(),
        (None, _) => String::new(),
    };
    let full = format!("{head}{tail}");
    if full.is_empty() {
        return None;
    }
    let whole = count(&full);
    if whole.segments <= max_segments {
        return Some(Text { text: full, count: whole, cut: false });
    }
    let fits = |s: &str| count(s).segments <= max_segments;
    let keep_tail = !head.is_empty() && fits(&format!("{ELLIPSIS}{tail}"));
    let (cuttable, tail) = if keep_tail { (head.as_str(), tail.as_str()) } else { (full.as_str(), "") };
    let text = longest_fitting(cuttable, tail, &fits);
    let count = count(&text);
    Some(Text { text, count, cut: true })
}

/// `cuttable` cut to its longest character prefix such that `prefix + "..." + tail` fits
/// (binary search: the segment count never falls as characters are added).
fn longest_fitting(cuttable: &str, tail: &str, fits: &dyn Fn(&str) -> bool) -> String {
    let bounds: Vec<usize> = cuttable.char_indices().map(|(i, _)| i).collect();
    let with = |n: usize| {
        let end = bounds.get(n).copied().unwrap_or(cuttable.len());
        format!("{}{ELLIPSIS}{tail}", cuttable[..end].trim_end())
    };
    let (mut lo, mut hi) = (0, bounds.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(&with(mid)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    with(lo)
}
