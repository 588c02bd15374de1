//! A local push service that behaves like a public one: a real HTTP server on loopback that
//! decrypts each message with the subscription's private key (RFC 8291), verifies the VAPID
//! JWT (RFC 8292) as a real push service does (`k` is the application server key the
//! subscription was created with, the ES256 signature verifies with it, `aud` is this origin,
//! `exp` is at most 24 h ahead), records what it got, and answers the statuses a test scripts
//! for each subscription (201, 404, 410, 413, 429 with Retry-After, 500, ...).

use std::collections::HashMap;
use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::pin::pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tidings::validate::B64URL;
use tidings::webpush::{self, RustCrypto, WebPushCrypto};

use base64::Engine;

/// RustCrypto's futures are ready on the first poll.
fn block_on<F: Future>(f: F) -> F::Output {
    match pin!(f).as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("RustCrypto futures complete on the first poll"),
    }
}

/// One message as the push service received and understood it.
#[derive(Debug, Clone)]
pub struct Received {
    /// Request headers, lower-case names.
    pub headers: HashMap<String, String>,
    /// The raw (encrypted) body.
    pub body: Vec<u8>,
    /// The decrypted plaintext, or why it did not decrypt.
    pub plaintext: Result<Vec<u8>, String>,
    /// The VAPID claims, or why the JWT did not verify.
    pub claims: Result<webpush::Claims, String>,
    /// The status the service answered.
    pub answered: u16,
}

struct Subscription {
    key: p256::SecretKey,
    public: [u8; 65],
    auth: [u8; 16],
    /// The application server key (VAPID public key) the subscription was created with.
    server_key: String,
    script: Vec<u16>,
    received: Vec<Received>,
}

/// The service: one per test process, shared.
pub struct PushService {
    pub origin: String,
    subs: Arc<Mutex<HashMap<String, Subscription>>>,
}

static SERVICE: OnceLock<PushService> = OnceLock::new();

/// The shared push service, started on first use.
pub fn push_service() -> &'static PushService {
    SERVICE.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind push service");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        let subs: Arc<Mutex<HashMap<String, Subscription>>> = Arc::default();
        let shared = subs.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let subs = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &subs);
                });
            }
        });
        PushService { origin, subs }
    })
}

/// A browser-side subscription: what `PushSubscription.toJSON()` would give.
pub struct Sub {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    /// The application server key it was created with, when a test named one.
    pub server_key: Option<String>,
}

impl Sub {
    /// The `{sub: {...}}` body of `POST /users/{id}/webpush` (with `applicationServerKey` when
    /// the subscription was created with a named key).
    pub fn json(&self) -> serde_json::Value {
        let mut body =
            serde_json::json!({"sub": {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}});
        if let Some(key) = &self.server_key {
            body["applicationServerKey"] = key.as_str().into();
        }
        body
    }
}

impl PushService {
    /// A new subscription, created with the edge's current VAPID key (from `/vapid`), whose
    /// messages are answered with `script` in order (the last status repeats).
    pub fn subscribe(&self, script: &[u16]) -> Sub {
        let current = crate::support::edge().vapid_public_key.clone();
        let mut sub = self.subscribe_with_key(script, &current);
        sub.server_key = None;
        sub
    }

    /// A new subscription created with application server key `server_key` (base64url).
    pub fn subscribe_with_key(&self, script: &[u16], server_key: &str) -> Sub {
        let (key, public) = block_on(RustCrypto.generate_ecdh()).expect("key pair");
        let seed = tidings::ids::fingerprint(&public);
        let auth: [u8; 16] = seed.as_bytes()[..16].try_into().expect("16 bytes");
        let id = tidings::ids::fingerprint(format!("{seed}{:?}", SystemTime::now()).as_bytes())[..24].to_owned();
        let endpoint = format!("{}/push/{id}", self.origin);
        self.subs.lock().expect("lock").insert(
            id,
            Subscription {
                key,
                public,
                auth,
                server_key: server_key.to_owned(),
                script: script.to_vec(),
                received: Vec::new(),
            },
        );
        Sub {
            endpoint,
            p256dh: B64URL.encode(public),
            auth: B64URL.encode(auth),
            server_key: Some(server_key.to_owned()),
        }
    }

    /// What the subscription has received so far.
    pub fn received(&self, sub: &Sub) -> Vec<Received> {
        let id = sub.endpoint.rsplit('/').next().unwrap_or_default();
        self.subs.lock().expect("lock").get(id).map(|s| s.received.clone()).unwrap_or_default()
    }

    /// Waits up to `secs` for at least `n` messages.
    pub fn wait_for(&self, sub: &Sub, n: usize, secs: u64) -> Vec<Received> {
        crate::support::eventually(secs, || Some(self.received(sub)).filter(|r| r.len() >= n))
            .unwrap_or_else(|| self.received(sub))
    }
}

fn serve(stream: TcpStream, subs: &Mutex<HashMap<String, Subscription>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let body = if headers.get("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        read_chunked(&mut reader)?
    } else {
        let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        body
    };
    let id = path.strip_prefix("/push/").unwrap_or_default().to_owned();
    let (status, retry_after) = {
        let mut map = subs.lock().expect("lock");
        match map.get_mut(&id) {
            None => (404, false),
            Some(sub) => {
                let plaintext = block_on(webpush::decrypt(&RustCrypto, &body, &sub.key, &sub.public, &sub.auth))
                    .map_err(|e| e.to_string());
                let claims = verify_vapid(headers.get("authorization").map(String::as_str), &sub.server_key);
                let status = sub.script.get(sub.received.len()).or(sub.script.last()).copied().unwrap_or(201);
                sub.received.push(Received { headers: headers.clone(), body, plaintext, claims, answered: status });
                (status, status == 429)
            }
        }
    };
    let mut out = stream;
    let extra = if retry_after { "Retry-After: 1\r\n" } else { "" };
    write!(out, "HTTP/1.1 {status} Scripted\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")?;
    out.flush()
}

fn read_chunked(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        let mut chunk = vec![0; n + 2];
        reader.read_exact(&mut chunk)?;
        if n == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&chunk[..n]);
    }
}

/// Verifies `vapid t=…, k=…` as a push service does: `k` must be the application server key
/// the subscription was created with, the ES256 JWT must verify with it, `exp` must be in the
/// future and at most 24 hours ahead ([`webpush::verify_jwt`]), and `aud` must be this origin.
fn verify_vapid(header: Option<&str>, server_key: &str) -> Result<webpush::Claims, String> {
    let (jwt, k) =
        webpush::parse_authorization(header.ok_or("no Authorization header")?).ok_or("not a vapid header")?;
    if k != server_key {
        return Err(format!("k={k} is not the key the subscription was created with ({server_key})"));
    }
    let key: [u8; 65] = B64URL.decode(&k).ok().and_then(|b| b.try_into().ok()).ok_or("k is not a P-256 key")?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs() as i64;
    let claims = webpush::verify_jwt(&jwt, &key, now).map_err(|e| e.to_string())?;
    if claims.aud != push_service().origin {
        return Err(format!("aud {} is not this push service", claims.aud));
    }
    Ok(claims)
}
