//! The local fake FCM and APNs (tests/fakes/mobile.mjs, node:crypto), started once per test
//! process before the edge, which is configured to send to them.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// The running fakes and the credentials they verify.
pub struct Fakes {
    /// What the fake printed: URLs, the service account, the APNs key and ids.
    pub info: Value,
    _process: Mutex<(Child, ChildStdin)>,
}

static FAKES: OnceLock<Fakes> = OnceLock::new();

/// The fakes of this test process, started on first use.
pub fn fakes() -> &'static Fakes {
    FAKES.get_or_init(|| {
        let (info, process) = start("mobile.mjs");
        Fakes { info, _process: Mutex::new(process) }
    })
}

/// Starts `node tests/fakes/<script>` and reads the settings it prints on its first line. It
/// exits when this process does (its stdin closes); keep the handles alive until then.
pub fn start(script: &str) -> (Value, (Child, ChildStdin)) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fakes").join(script);
    let mut child = Command::new("node")
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start node tests/fakes/{script}: {e}"));
    let stdin = child.stdin.take().expect("stdin");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("fake's first line");
    let info: Value = serde_json::from_str(&line).expect("fake printed its settings");
    (info, (child, stdin))
}

impl Fakes {
    /// The edge's provider variables (dotenv lines; the PEM's newlines as `\n` escapes).
    pub fn env_lines(&self) -> String {
        let i = &self.info;
        let s = |k: &str| i[k].as_str().unwrap_or_default().to_owned();
        format!(
            "TIDINGS_FCM_SERVICE_ACCOUNT={}\nTIDINGS_FCM_ENDPOINT={}\nTIDINGS_APNS_KEY={}\nTIDINGS_APNS_KEY_ID={}\n\
             TIDINGS_APNS_TEAM_ID={}\nTIDINGS_APNS_TOPIC={}\nTIDINGS_APNS_ENDPOINT={},{}\n",
            i["serviceAccount"],
            s("fcm"),
            s("apnsKey").trim().replace('\n', "\\n"),
            s("apnsKeyId"),
            s("apnsTeamId"),
            s("apnsTopic"),
            s("apnsProduction"),
            s("apnsSandbox"),
        )
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.info["fcm"].as_str().unwrap_or_default())
    }

    /// Answers the fakes will give, in order, to requests for device `token` (then 200s).
    pub fn script(&self, token: &str, answers: Value) {
        ureq::post(&self.url("/_script"))
            .timeout(Duration::from_secs(5))
            .send_json(serde_json::json!({ "token": token, "answers": answers }))
            .expect("script the fake");
    }

    /// Makes every FCM access token issued so far answer 401.
    pub fn revoke_access_tokens(&self) {
        ureq::post(&self.url("/_revoke")).timeout(Duration::from_secs(5)).call().expect("revoke");
    }

    /// Every request the fakes received, oldest first.
    pub fn log(&self) -> Vec<Value> {
        let r = ureq::get(&self.url("/_log")).timeout(Duration::from_secs(5)).call().expect("log");
        r.into_json::<Vec<Value>>().expect("log JSON")
    }

    /// The requests for device `token`.
    pub fn requests_for(&self, token: &str) -> Vec<Value> {
        self.log().into_iter().filter(|e| e["token"] == token || e["body"]["message"]["token"] == token).collect()
    }
}
