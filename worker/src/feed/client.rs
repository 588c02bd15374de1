//! The worker's side of the feed object: one request per command, answered by the object.

use super::protocol::Command;
use crate::http::Fail;
use wasm_bindgen::JsValue;
use worker::{Env, Headers, Method, Request, RequestInit, Response, Stub};

const USER_HEADER: &str = "x-tidings-user";
const REQUEST_HEADER: &str = "x-request-id";

fn stub(env: &Env, user_id: &str) -> Result<Stub, Fail> {
    Ok(env.durable_object("FEED")?.id_from_name(user_id)?.get_stub()?)
}

/// Sends `command` to `user_id`'s feed; the answer is final (JSON or the error envelope, tagged
/// with `request_id`) and can be returned to the client as it is.
pub async fn call(env: &Env, user_id: &str, request_id: &str, command: &Command) -> Result<Response, Fail> {
    let headers = Headers::new();
    headers.set(USER_HEADER, user_id)?;
    headers.set(REQUEST_HEADER, request_id)?;
    headers.set("content-type", "application/json")?;
    let body = serde_json::to_string(command)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(JsValue::from_str(&body)));
    let req = Request::new_with_init("https://feed/command", &init)?;
    Ok(stub(env, user_id)?.fetch_with_request(req).await?)
}

/// Hands a WebSocket upgrade to `user_id`'s feed (`since` resumes after that event).
pub async fn connect(env: &Env, user_id: &str, since: Option<u64>) -> Result<Response, Fail> {
    let headers = Headers::new();
    headers.set(USER_HEADER, user_id)?;
    headers.set("upgrade", "websocket")?;
    let url = match since {
        Some(s) => format!("https://feed/socket?since={s}"),
        None => "https://feed/socket".to_owned(),
    };
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    Ok(stub(env, user_id)?.fetch_with_request(Request::new_with_init(&url, &init)?).await?)
}

/// How many realtime sockets `user_id`'s feed holds (dev mode's `/dev/users/{id}/sockets`).
pub async fn sockets(env: &Env, user_id: &str) -> Result<u64, Fail> {
    let headers = Headers::new();
    headers.set(USER_HEADER, user_id)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let mut answer =
        stub(env, user_id)?.fetch_with_request(Request::new_with_init("https://feed/sockets", &init)?).await?;
    let count: serde_json::Value = answer.json().await?;
    Ok(count["sockets"].as_u64().unwrap_or_default())
}

/// The user id a feed request is for, and the request id to tag errors with.
pub fn identity(req: &Request) -> (String, String) {
    let h = req.headers();
    let get = |n| h.get(n).ok().flatten().unwrap_or_default();
    (get(USER_HEADER), get(REQUEST_HEADER))
}
