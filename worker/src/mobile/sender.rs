//! One mobile push request: credentials (the FCM access token and the APNs provider token,
//! cached per isolate by the core's cache rules), the core's `prepare`, a fetch, the core's
//! `classify`; a refused credential is renewed once and the request made once more.

use super::config::MobileVars;
use crate::webcrypto::WebCrypto;
use js_sys::Uint8Array;
use std::cell::RefCell;
use std::rc::Rc;
use tidings::channel::{HttpRequest, Outcome};
use tidings::mobile::apns::{self, ApnsConfig};
use tidings::mobile::cache::{AccessTokenCache, ProviderTokenCache};
use tidings::mobile::content::Content;
use tidings::mobile::fcm::{self, ServiceAccount};
use tidings::mobile::{jwt, MobileCrypto, MobileError, Provider};
use tidings::model::{PushProvider, PushToken};
use wasm_bindgen::JsValue;
use web_sys::CryptoKey;
use worker::{console_error, Fetch, Headers, Method, Request, RequestInit};

struct Fcm {
    account: ServiceAccount,
    key: CryptoKey,
    endpoint: String,
    access: RefCell<AccessTokenCache>,
}

struct Apns {
    config: ApnsConfig,
    key: CryptoKey,
    tokens: RefCell<ProviderTokenCache>,
}

thread_local! {
    /// Imported keys and cached credentials of this isolate, with the configuration they came from.
    static FCM: RefCell<Option<(String, Rc<Fcm>)>> = const { RefCell::new(None) };
    static APNS: RefCell<Option<(String, Rc<Apns>)>> = const { RefCell::new(None) };
}

/// Sends mobile pushes with the deployment's providers.
pub struct Sender {
    crypto: WebCrypto,
    fcm: Option<Rc<Fcm>>,
    apns: Option<Rc<Apns>>,
}

fn log_config(e: MobileError) {
    console_error!("{e}");
}

impl Sender {
    /// The providers that are configured (keys imported once per isolate and configuration).
    pub async fn new(vars: &MobileVars, dev_mode: bool) -> Result<Sender, MobileError> {
        let crypto = WebCrypto::new()?;
        let mut sender = Sender { crypto, fcm: None, apns: None };
        if let Some(settings) = vars.fcm(dev_mode) {
            match settings {
                Err(e) => log_config(e),
                Ok(s) => {
                    let id = format!("{}\n{}", vars.fcm_service_account, s.endpoint);
                    let cached = FCM.with(|c| c.borrow().as_ref().filter(|(k, _)| *k == id).map(|(_, v)| v.clone()));
                    let fcm = match cached {
                        Some(f) => f,
                        None => {
                            let key = sender.crypto.import_rsa_pkcs8(&s.key_der).await.map_err(|_| {
                                MobileError::Config("TIDINGS_FCM_SERVICE_ACCOUNT.private_key (not an RSA PKCS#8 key)")
                            })?;
                            let f = Rc::new(Fcm {
                                account: s.account,
                                key,
                                endpoint: s.endpoint,
                                access: RefCell::default(),
                            });
                            FCM.with(|c| *c.borrow_mut() = Some((id, f.clone())));
                            f
                        }
                    };
                    sender.fcm = Some(fcm);
                }
            }
        }
        if let Some(settings) = vars.apns(dev_mode) {
            match settings {
                Err(e) => log_config(e),
                Ok(s) => {
                    let id = format!("{}\n{:?}", vars.apns_key, s.config);
                    let cached = APNS.with(|c| c.borrow().as_ref().filter(|(k, _)| *k == id).map(|(_, v)| v.clone()));
                    let apns = match cached {
                        Some(a) => a,
                        None => {
                            let key = sender
                                .crypto
                                .import_ec_pkcs8(&s.key_der)
                                .await
                                .map_err(|_| MobileError::Config("TIDINGS_APNS_KEY (not a P-256 PKCS#8 key)"))?;
                            let a = Rc::new(Apns { config: s.config, key, tokens: RefCell::default() });
                            APNS.with(|c| *c.borrow_mut() = Some((id, a.clone())));
                            a
                        }
                    };
                    sender.apns = Some(apns);
                }
            }
        }
        Ok(sender)
    }

    /// Whether the provider of `token` is configured.
    pub fn serves(&self, token: &PushToken) -> bool {
        match token.provider {
            PushProvider::Fcm => self.fcm.is_some(),
            PushProvider::Apn => self.apns.is_some(),
        }
    }

    /// Whether any provider is configured.
    pub fn any(&self) -> bool {
        self.fcm.is_some() || self.apns.is_some()
    }

    /// Sends `content` to one device token; what its provider answered.
    pub async fn send(&self, token: &PushToken, content: &Content, now_s: i64) -> (Provider, Outcome) {
        match token.provider {
            PushProvider::Fcm => (Provider::Fcm, self.send_fcm(token, content, now_s).await),
            PushProvider::Apn => (Provider::Apns, self.send_apns(token, content, now_s).await),
        }
    }

    async fn send_fcm(&self, token: &PushToken, content: &Content, now_s: i64) -> Outcome {
        let Some(f) = &self.fcm else { return Outcome::Failed { code: "channel_not_configured".into() } };
        let mut refreshed = false;
        loop {
            let access = match self.access_token(f, now_s).await {
                Ok(a) => a,
                Err(outcome) => return outcome,
            };
            let request = match fcm::prepare(content, &token.token, &f.account.project_id, &f.endpoint, &access, now_s)
            {
                Ok(r) => r,
                Err(e) => return prepare_failed(e),
            };
            let outcome = fetch(&request, Provider::Fcm).await;
            match outcome {
                Outcome::Refresh { .. } if !refreshed => {
                    f.access.borrow_mut().refused(&access);
                    refreshed = true;
                }
                other if refreshed => return other.after_refresh(),
                other => return other,
            }
        }
    }

    /// The cached access token, or a new one from the token endpoint.
    async fn access_token(&self, f: &Fcm, now_s: i64) -> Result<String, Outcome> {
        if let Some(t) = f.access.borrow().get(now_s) {
            return Ok(t.to_owned());
        }
        let a = &f.account;
        let assertion =
            jwt::assertion(&self.crypto, &f.key, &a.client_email, &a.token_uri, a.private_key_id.as_deref(), now_s)
                .await
                .map_err(|_| Outcome::Failed { code: "signing_failed".into() })?;
        let request = fcm::token_request(&a.token_uri, &assertion);
        let token = match raw_fetch(&request).await {
            Some((status, headers, body)) => {
                fcm::parse_token(status, headers.get("retry-after").ok().flatten().as_deref(), &body)?
            }
            None => return Err(Outcome::Retry { after: None, code: "network".into() }),
        };
        f.access.borrow_mut().store(token.token.clone(), token.expires_in, now_s);
        Ok(token.token)
    }

    async fn send_apns(&self, token: &PushToken, content: &Content, now_s: i64) -> Outcome {
        let Some(a) = &self.apns else { return Outcome::Failed { code: "channel_not_configured".into() } };
        let mut refreshed = false;
        loop {
            let cached = a.tokens.borrow().get(now_s).map(str::to_owned);
            let provider_token = match cached {
                Some(t) => t,
                None => {
                    match jwt::provider_token(&self.crypto, &a.key, &a.config.key_id, &a.config.team_id, now_s).await {
                        Ok(t) => {
                            a.tokens.borrow_mut().store(t.clone(), now_s);
                            t
                        }
                        Err(_) => return Outcome::Failed { code: "signing_failed".into() },
                    }
                }
            };
            let request = match apns::prepare(content, token, &a.config, &provider_token, now_s) {
                Ok(r) => r,
                Err(e) => return prepare_failed(e),
            };
            match fetch(&request, Provider::Apns).await {
                Outcome::Refresh { .. } if !refreshed => {
                    a.tokens.borrow_mut().refused(&provider_token);
                    refreshed = true;
                }
                other if refreshed => return other.after_refresh(),
                other => return other,
            }
        }
    }
}

fn prepare_failed(e: MobileError) -> Outcome {
    match e {
        MobileError::PayloadTooLarge(_) => Outcome::Failed { code: "payload_too_large".into() },
        other => {
            console_error!("mobile push request could not be made: {other}");
            Outcome::Failed { code: "request_failed".into() }
        }
    }
}

/// Fetches and classifies; a network error is a retry.
async fn fetch(request: &HttpRequest, provider: Provider) -> Outcome {
    let Some((status, headers, body)) = raw_fetch(request).await else {
        return Outcome::Retry { after: None, code: "network".into() };
    };
    let header = |name: &str| headers.get(name).ok().flatten();
    match provider {
        Provider::Fcm => fcm::classify(status, header, &body),
        Provider::Apns => apns::classify(status, header, &body),
    }
}

/// The status, headers and body of `request`; `None` when it could not be made or read.
pub(crate) async fn raw_fetch(request: &HttpRequest) -> Option<(u16, Headers, Vec<u8>)> {
    let h = Headers::new();
    for (name, value) in &request.headers {
        h.set(name, value).ok()?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(h).with_body(Some(JsValue::from(Uint8Array::from(&request.body[..]))));
    let req = Request::new_with_init(&request.url, &init).ok()?;
    let mut response = Fetch::Request(req).send().await.ok()?;
    let status = response.status_code();
    let headers = response.headers().clone();
    let body = response.bytes().await.ok()?;
    Some((status, headers, body))
}
