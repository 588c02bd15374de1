//! The end-to-end harness: one real `wrangler dev` (workerd with local D1, Durable Objects and
//! Queues) per test process, on a free port with a fresh state directory, and a small client;
//! `RestartableEdge` for the tests that kill an edge and start it again.

use serde_json::Value;
use std::collections::HashMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A running edge.
pub struct Edge {
    pub base: String,
    pub secret_key: String,
    /// `TIDINGS_SECRET_KEY_PREVIOUS`: the edge is configured as in the middle of a key rotation.
    pub secret_key_previous: String,
    pub vapid_public_key: String,
    /// The local state directory (`--persist-to`): D1, Durable Objects, Queues.
    pub state: PathBuf,
    _guard: Mutex<Child>,
}

static EDGE: OnceLock<Edge> = OnceLock::new();

/// The edge shared by every test of this process, started on first use.
pub fn edge() -> &'static Edge {
    EDGE.get_or_init(start)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port()
}

/// The shared edge counts every request with the secret key and every send, as deployed, but
/// with room for the whole suite (tests that need low limits start their own edge).
const SHARED_LIMITS: &str = "TIDINGS_RATE_LIMIT_SECRET_KEY=100000/60\nTIDINGS_RATE_LIMIT_RECIPIENT=1000/60";

fn start() -> Edge {
    start_with(&format!(
        "{SHARED_LIMITS}\n{}{}{}{}",
        crate::fakes::fakes().env_lines(),
        crate::fakes_sms::telnyx_env_lines(),
        crate::slack_fake::slack().env_lines(),
        crate::fakes::email_fakes().env_lines()
    ))
}

/// Starts an edge with the test keys and dev mode, plus `extra_vars` (lines of `NAME=value`);
/// it stops when the test process exits. For tests that need a configuration the shared edge
/// must not have (low rate limits, no providers).
pub fn start_with(extra_vars: &str) -> Edge {
    let root = root();
    assert!(
        root.join("worker/build/index.js").exists(),
        "the worker is not built: run `make build` (make test does it) before the end-to-end tests"
    );
    let port = free_port();
    let state = std::env::temp_dir().join(format!("tidings-e2e-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&state).expect("state dir");
    let secret_key = format!("sk_test_{}", unique("k"));
    // The RFC 8291 example sender key doubles as the test VAPID key (a fixed, public test key).
    let vapid_public_key = VAPID_PUBLIC.to_owned();
    let secret_key_previous = format!("sk_test_{}", unique("old"));
    // The shared edge runs as in the middle of a key rotation (previous keys still accepted).
    let rotation = format!(
        "TIDINGS_SECRET_KEY_PREVIOUS={secret_key_previous}\n\
         TIDINGS_USER_TOKEN_SECRET_PREVIOUS={USER_TOKEN_SECRET_PREVIOUS}\n\
         TIDINGS_VAPID_PUBLIC_KEY_PREVIOUS={VAPID_PUBLIC_PREVIOUS}\n\
         TIDINGS_VAPID_PRIVATE_KEY_PREVIOUS={VAPID_PRIVATE_PREVIOUS}\n\
         TIDINGS_PUBLIC_URL=http://127.0.0.1:{port}"
    );
    let env_file = write_env(&state, &secret_key, &format!("{rotation}\n{extra_vars}"));
    let guard = launch(port, &state, &env_file);
    let base = format!("http://127.0.0.1:{port}");
    wait_healthy(&base, &state.join("wrangler.log"));
    Edge {
        base,
        secret_key,
        secret_key_previous,
        vapid_public_key,
        state: state.join("state"),
        _guard: Mutex::new(guard),
    }
}

/// Writes the edge's env file into `state` (`extra`: more `NAME=value` lines, which win).
fn write_env(state: &Path, secret_key: &str, extra: &str) -> PathBuf {
    let env_file = state.join("test.vars");
    std::fs::write(
        &env_file,
        format!(
            "TIDINGS_SECRET_KEY={secret_key}\nTIDINGS_PUBLIC_KEY=pk_test\nTIDINGS_USER_TOKEN_SECRET=test-user-token-secret\n\
             TIDINGS_VAPID_PUBLIC_KEY={VAPID_PUBLIC}\nTIDINGS_VAPID_PRIVATE_KEY={VAPID_PRIVATE}\n\
             TIDINGS_VAPID_SUBJECT=mailto:tests@example.com\nTIDINGS_PUSH_RETRY_SCHEDULE=1,1,1,1\nTIDINGS_DEV_MODE=1\n{extra}\n"
        ),
    )
    .expect("env file");
    env_file
}

/// Starts `scripts/local-edge.sh` on `port` with `state` and `env_file`, logging (appending) to
/// `state/wrangler.log`. The guard shell starts the edge in its own process group (its id in
/// `state/edge.pgid`) and kills the group when its stdin closes, which happens when this test
/// process exits, however it exits.
fn launch(port: u16, state: &Path, env_file: &Path) -> Child {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(state.join("wrangler.log")).expect("log");
    let pgid = state.join("edge.pgid");
    let _ = std::fs::remove_file(&pgid);
    Command::new("bash")
        .arg("-c")
        .arg(r#"set -m; "$@" & pid=$!; echo $pid > "$PGID_FILE"; read -r _; kill -TERM -- -$pid 2>/dev/null; sleep 1; kill -KILL -- -$pid 2>/dev/null"#)
        .arg("guard")
        .arg(root().join("scripts/local-edge.sh"))
        .arg(port.to_string())
        .arg(free_port().to_string())
        .arg(state.join("state"))
        .arg(env_file)
        .env("PGID_FILE", &pgid)
        .stdin(Stdio::piped())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("start scripts/local-edge.sh")
}

/// An edge of its own that a test can stop with SIGKILL (the whole process group: wrangler and
/// workerd, nothing flushed) and start again on the same port, state directory and env file:
/// what a crash and a restart of a deployment look like.
pub struct RestartableEdge {
    pub base: String,
    pub secret_key: String,
    port: u16,
    state: PathBuf,
    env_file: PathBuf,
    guard: Mutex<Option<Child>>,
}

impl RestartableEdge {
    /// Starts one; `extra_env` adds `NAME=value` lines to its env file.
    pub fn start(extra_env: &str) -> RestartableEdge {
        assert!(root().join("worker/build/index.js").exists(), "the worker is not built: run `make build`");
        let port = free_port();
        let state = std::env::temp_dir().join(format!("tidings-e2e-restart-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&state).expect("state dir");
        let secret_key = format!("sk_test_{}", unique("k"));
        let env_file = write_env(&state, &secret_key, extra_env);
        let edge = RestartableEdge {
            base: format!("http://127.0.0.1:{port}"),
            secret_key,
            port,
            state,
            env_file,
            guard: Mutex::new(None),
        };
        edge.restart();
        edge
    }

    /// Kills the edge's process group with SIGKILL and waits until its port is closed.
    pub fn kill(&self) {
        let mut guard = self.guard.lock().expect("lock");
        let pgid = std::fs::read_to_string(self.state.join("edge.pgid")).expect("edge.pgid").trim().to_owned();
        let status = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status().expect("kill");
        assert!(status.success(), "kill -KILL -{pgid} failed");
        if let Some(mut child) = guard.take() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "the edge still listens 10 s after SIGKILL");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Starts the edge (again) and waits until it answers `/health`.
    pub fn restart(&self) {
        let mut guard = self.guard.lock().expect("lock");
        assert!(guard.is_none(), "the edge is running");
        *guard = Some(launch(self.port, &self.state, &self.env_file));
        drop(guard);
        wait_healthy(&self.base, &self.state.join("wrangler.log"));
    }

    /// How many users' feed objects exist in the edge's local state (read from its directory).
    pub fn feeds(&self) -> usize {
        let dir = self.state.join("state/v3/do/tidings-Feed");
        std::fs::read_dir(dir)
            .map(|d| d.flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".sqlite")).count())
            .unwrap_or(0)
    }

    /// A request with the secret key (waiting up to 90 s: this edge works hard).
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let text = body.map(Value::to_string);
        call_at(&self.base, &self.secret_key, method, path, text.as_deref(), Auth::Secret, 90)
    }
}

fn wait_healthy(base: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if let Ok(r) = ureq::get(&format!("{base}/health")).timeout(Duration::from_secs(2)).call() {
            if r.status() == 200 {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    panic!("wrangler dev did not become healthy in 90 s; its log:\n{text}");
}

/// Runs one SQL statement on `edge`'s local D1 with wrangler, as an operator would (for tests
/// that need stored data the API would refuse to write).
pub fn d1_execute(edge: &Edge, sql: &str) {
    let out = Command::new(root().join("scripts/wrangler"))
        .args(["d1", "execute", "DB", "--local", "--persist-to"])
        .arg(&edge.state)
        .args(["--command", sql])
        .output()
        .expect("run scripts/wrangler d1 execute");
    assert!(out.status.success(), "d1 execute failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A value unique to this test run, for ids that must not collide between tests or runs.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    static T: OnceLock<u128> = OnceLock::new();
    let t = T.get_or_init(|| SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos());
    format!("{prefix}-{t:x}-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// How a request authenticates.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    None,
    Secret,
    SecretHeader,
    Raw(&'a str, &'a str),
    Headers(&'a [(&'a str, &'a str)]),
}

/// An answer: status, headers we check, and the body as JSON (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub request_id: Option<String>,
    pub content_type: Option<String>,
    pub body: Value,
    pub text: String,
    pub headers: HashMap<String, String>,
}

impl Reply {
    /// `error.code` of an error envelope.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// The first `error.details.fields[].field`.
    pub fn field(&self) -> &str {
        self.body["error"]["details"]["fields"][0]["field"].as_str().unwrap_or("")
    }

    /// Asserts an envelope with this status and code, consistent with X-Request-Id.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status, status, "status of {}", self.text);
        assert_eq!(self.code(), code, "code of {}", self.text);
        let rid = self.request_id.as_deref().expect("X-Request-Id");
        assert_eq!(self.body["trackingId"], rid);
        assert_eq!(self.body["error"]["request_id"], rid);
        assert_eq!(self.body["error"]["status"], status);
        assert!(self.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        self
    }
}

/// Sends a request to the shared edge.
pub fn call(method: &str, path: &str, body: Option<&str>, auth: Auth) -> Reply {
    call_on(edge(), method, path, body, auth)
}

/// Sends a request to `edge`.
pub fn call_on(edge: &Edge, method: &str, path: &str, body: Option<&str>, auth: Auth) -> Reply {
    call_at(&edge.base, &edge.secret_key, method, path, body, auth, 30)
}

/// Sends a request to the edge at `base` whose secret key is `secret_key`, waiting up to
/// `timeout_s` for the answer.
pub fn call_at(
    base: &str,
    secret_key: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    auth: Auth,
    timeout_s: u64,
) -> Reply {
    let mut req = ureq::request(method, &format!("{base}{path}")).timeout(Duration::from_secs(timeout_s));
    req = match auth {
        Auth::None => req,
        Auth::Secret => req.set("authorization", &format!("Bearer {secret_key}")),
        Auth::SecretHeader => req.set("x-secret-key", secret_key),
        Auth::Raw(name, value) => req.set(name, value),
        Auth::Headers(list) => list.iter().fold(req, |r, (n, v)| r.set(n, v)),
    };
    let result = match body {
        Some(b) => req.set("content-type", "application/json").send_string(b),
        None => req.call(),
    };
    let resp = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: transport error {e}"),
    };
    let status = resp.status();
    let request_id = resp.header("x-request-id").map(str::to_owned);
    let content_type = resp.header("content-type").map(str::to_owned);
    let headers = resp
        .headers_names()
        .into_iter()
        .filter_map(|n| resp.header(&n).map(|v| (n.to_ascii_lowercase(), v.to_owned())))
        .collect();
    let mut text = String::new();
    resp.into_reader().take(10_000_000).read_to_string(&mut text).expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, request_id, content_type, body, text, headers }
}

/// GET with the secret key.
pub fn get(path: &str) -> Reply {
    call("GET", path, None, Auth::Secret)
}

/// A method with a JSON body and the secret key.
pub fn send(method: &str, path: &str, body: &Value) -> Reply {
    call(method, path, Some(&body.to_string()), Auth::Secret)
}

/// Percent-encodes a path segment or query value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Polls `check` every 200 ms for up to `secs` seconds.
pub fn eventually<T>(secs: u64, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The test VAPID key pair (RFC 8291's example sender key).
pub const VAPID_PUBLIC: &str =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
pub const VAPID_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";

/// The VAPID key pair the test edge was using before its rotation (a key made for these tests).
pub const VAPID_PUBLIC_PREVIOUS: &str =
    "BPNNGJG_7MKRrQ2rYZLY-8mk3mEaOjRrqTut09ZTgl5KTKzDqCAhFl91g4NUcxud-sXwkLhqa1MQ6I7-qWZVzf0";
pub const VAPID_PRIVATE_PREVIOUS: &str = "1NPSBeLNM3YgmG2xeG9G1BZoZ8B4gkBu130QnR2eOxE";

/// The RFC 8291 example user agent key and auth secret: a valid subscription's keys.
pub const P256DH: &str = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
pub const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

/// The user-token secret and public key the test edge is configured with.
pub const USER_TOKEN_SECRET: &str = "test-user-token-secret";
/// `TIDINGS_USER_TOKEN_SECRET_PREVIOUS` of the test edge.
pub const USER_TOKEN_SECRET_PREVIOUS: &str = "test-user-token-secret-before-rotation";
pub const PUBLIC_KEY: &str = "pk_test";

/// A browser user token for `user`, valid for an hour (or already expired with `ttl_s < 0`).
pub fn user_token(user: &str, ttl_s: i64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    tidings::auth::sign_user_token(user, now + ttl_s, USER_TOKEN_SECRET)
}

/// A realtime feed connection.
pub struct Socket(tungstenite::WebSocket<std::net::TcpStream>);

impl Socket {
    /// Opens `/users/{user}/feed/socket?{query}`; with `secret`, the secret key goes in a header.
    /// On refusal, the HTTP status.
    pub fn open(user: &str, query: &str, secret: bool) -> Result<Socket, u16> {
        use tungstenite::client::IntoClientRequest;
        let edge = edge();
        let url = format!("{}/users/{}/feed/socket?{query}", edge.base.replace("http://", "ws://"), enc(user));
        let mut req = url.into_client_request().expect("request");
        if secret {
            req.headers_mut().insert("authorization", format!("Bearer {}", edge.secret_key).parse().expect("header"));
        }
        let addr = edge.base.trim_start_matches("http://").to_owned();
        let stream = std::net::TcpStream::connect(addr).expect("connect");
        // The upgrade may wait on a cold feed object on a loaded machine; reads poll after it.
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        match tungstenite::client(req, stream) {
            Ok((ws, _)) => {
                ws.get_ref().set_read_timeout(Some(Duration::from_millis(250))).expect("timeout");
                Ok(Socket(ws))
            }
            Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(resp))) => Err(resp.status().as_u16()),
            Err(e) => panic!("socket handshake failed: {e}"),
        }
    }

    /// The next JSON event, waiting up to `within`.
    pub fn next(&mut self, within: Duration) -> Option<Value> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            match self.0.read() {
                Ok(tungstenite::Message::Text(t)) => return serde_json::from_str(t.as_str()).ok(),
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
                {
                    continue
                }
                Err(_) => return None,
            }
        }
        None
    }

    /// Events until one satisfies `pred` (returned), or `None` after `within`.
    pub fn until(&mut self, within: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(ev) = self.next(deadline - Instant::now()) {
                if pred(&ev) {
                    return Some(ev);
                }
            }
        }
        None
    }

    /// Closes the connection cleanly.
    pub fn close(mut self) {
        let _ = self.0.close(None);
        let _ = self.0.flush();
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline && self.0.read().is_ok() {}
    }
}

/// Sends an in-app notification to `users`; returns the answer's body.
pub fn notify(users: &[&str], subject: &str) -> Value {
    let r =
        send("POST", "/notifications", &serde_json::json!({"to": users, "data": {"subject": subject, "body": "b"}}));
    assert_eq!(r.status, 202, "{}", r.text);
    r.body
}

/// Every delivery of a user (all channels, archived included), newest first.
pub fn all_deliveries(user: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut q = format!("/users/{}/deliveries?limit=100&archived=include", enc(user));
        if let Some(a) = &after {
            q.push_str(&format!("&after={}", enc(a)));
        }
        let r = get(&q);
        assert_eq!(r.status, 200, "{}", r.text);
        out.extend(r.body["items"].as_array().expect("items").iter().cloned());
        match r.body["page"]["after"].as_str() {
            Some(a) => after = Some(a.to_owned()),
            None => return out,
        }
    }
}

/// Counts by the feed's rule: in-app, not skipped/failed, not archived.
pub fn recount(items: &[Value]) -> (u64, u64, u64) {
    let counted: Vec<&Value> = items
        .iter()
        .filter(|d| {
            d["channel_type"] == "in_app"
                && d["status"] != "skipped"
                && d["status"] != "failed"
                && d["archived_at"].is_null()
        })
        .collect();
    let unread = counted.iter().filter(|d| d["read_at"].is_null()).count() as u64;
    let unseen = counted.iter().filter(|d| d["seen_at"].is_null()).count() as u64;
    (unread, unseen, counted.len() as u64)
}

/// `(unread, unseen, total)` of a `meta` object.
pub fn meta_of(v: &Value) -> (u64, u64, u64) {
    (
        v["unread_count"].as_u64().unwrap_or(u64::MAX),
        v["unseen_count"].as_u64().unwrap_or(u64::MAX),
        v["total_count"].as_u64().unwrap_or(u64::MAX),
    )
}
