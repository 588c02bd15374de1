//! AWS Signature Version 4 (header form), pure: the canonical request, the string to sign,
//! the signing key and the signature, with the time passed in.
//!
//! HMAC-SHA-256 and SHA-256 come from the `hmac`/`sha2` crates the core already uses for its
//! tokens: a SigV4 signature is five small HMACs and two hashes, synchronous, and needs no
//! key import, so WebCrypto's async round trips would cost more code than they save here.
//!
//! Canonical URI: every byte of the path except unreserved characters and `/` is
//! percent-encoded, so an already encoded path is encoded a second time, as AWS requires for
//! every service but S3. Dot segments and repeated slashes are not normalised (our paths have
//! none). Canonical query: names and values are decoded, then encoded (RFC 3986 unreserved kept),
//! sorted by name, then value.

use crate::auth::hmac_sha256;
use crate::channel::HttpRequest;
use crate::time::rfc3339;
use sha2::{Digest, Sha256};

/// The credentials a request is signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id (`AKIA…`).
    pub access_key_id: String,
    /// The secret access key. Never logged.
    pub secret_access_key: String,
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex SHA-256 of `data` (the payload hash; the empty body's is `e3b0c442…b855`).
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// `YYYYMMDD'T'HHMMSS'Z'` for `now_ms`.
pub fn amz_date(now_ms: i64) -> String {
    let t = rfc3339(now_ms);
    // rfc3339 gives "YYYY-MM-DDTHH:MM:SS(.mmm)Z".
    let digits: String = t.chars().take(19).filter(char::is_ascii_alphanumeric).collect();
    format!("{digits}Z")
}

fn encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The canonical URI of `path` (see the module doc).
pub fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    encode(path.as_bytes(), true)
}

/// The canonical query string of `query` (without `?`).
pub fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (encode(&decode(k), false), encode(&decode(v), false))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// Canonical headers and the signed headers list, from `(name, value)` pairs: names lower
/// case, values trimmed with inner runs of spaces collapsed, sorted by name; repeated names
/// joined with `,`.
pub fn canonical_headers(headers: &[(&str, &str)]) -> (String, String) {
    let mut h: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect();
    h.sort_by(|a, b| a.0.cmp(&b.0));
    let mut merged: Vec<(String, String)> = Vec::new();
    for (n, v) in h {
        match merged.last_mut() {
            Some((last, values)) if *last == n => {
                values.push(',');
                values.push_str(&v);
            }
            _ => merged.push((n, v)),
        }
    }
    let canonical = merged.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed = merged.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(";");
    (canonical, signed)
}

/// The canonical request: method, URI, query, headers, signed headers, payload hash.
pub fn canonical_request(method: &str, path: &str, query: &str, headers: &[(&str, &str)], payload: &[u8]) -> String {
    let (canonical, signed) = canonical_headers(headers);
    format!(
        "{method}\n{}\n{}\n{canonical}\n{signed}\n{}",
        canonical_uri(path),
        canonical_query(query),
        sha256_hex(payload)
    )
}

/// The credential scope: `date/region/service/aws4_request`.
pub fn scope(date: &str, region: &str, service: &str) -> String {
    format!("{date}/{region}/{service}/aws4_request")
}

/// The string to sign for `amz_date` (`YYYYMMDDTHHMMSSZ`), `scope` and the canonical request.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// The signing key: HMAC chain of `AWS4<secret>` over date, region, service, `aws4_request`.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, b"aws4_request")
}

/// The hex signature of `string_to_sign` under `key`.
pub fn signature(key: &[u8; 32], string_to_sign: &str) -> String {
    hex(&hmac_sha256(key, string_to_sign.as_bytes()))
}

/// Splits `scheme://authority/path?query` into `(authority, path, query)`.
pub fn split_url(url: &str) -> Option<(&str, &str, &str)> {
    let rest = url.split_once("://")?.1;
    let rest = rest.split('#').next().unwrap_or(rest);
    let (authority, path_query) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => match rest.find('?') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        },
    };
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    (!authority.is_empty()).then_some((authority, path, query))
}

/// Signs `request` in place: adds `x-amz-date` and `authorization` (signed headers: `host`,
/// every header already on the request, `x-amz-date`). `None` when its URL has no host.
pub fn sign(request: &mut HttpRequest, creds: &Credentials, region: &str, service: &str, now_ms: i64) -> Option<()> {
    let (host, path, query) = split_url(&request.url)?;
    let date_time = amz_date(now_ms);
    request.headers.retain(|(n, _)| *n != "x-amz-date" && *n != "authorization");
    request.headers.push(("x-amz-date", date_time.clone()));
    let mut headers: Vec<(&str, &str)> = vec![("host", host)];
    headers.extend(request.headers.iter().map(|(n, v)| (*n, v.as_str())));
    let (_, signed) = canonical_headers(&headers);
    let canonical = canonical_request(request.method, path, query, &headers, &request.body);
    let scope = scope(&date_time[..8], region, service);
    let to_sign = string_to_sign(&date_time, &scope, &canonical);
    let key = signing_key(&creds.secret_access_key, &date_time[..8], region, service);
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={}",
        creds.access_key_id,
        signature(&key, &to_sign)
    );
    request.headers.push(("authorization", authorization));
    Some(())
}
