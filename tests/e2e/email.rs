//! Email end to end: the edge sends through a local fake SES v2 that verifies every request's
//! SigV4 with npm `aws4` and records the email (tests/fakes/email.mjs), and receives SES events
//! from a local fake SNS that signs them with its own certificate (node:crypto).

use crate::fakes::email_fakes;
use crate::support::*;
use serde_json::{json, Value};

const EVENTS: &str = "/providers/ses/events";

fn user_with_email(prefix: &str) -> (String, String) {
    let user = unique(prefix);
    let address = format!("{}@example.com", user.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), ""));
    let r = send("PUT", &format!("/users/{}", enc(&user)), &json!({"email": address}));
    assert_eq!(r.status, 201, "{}", r.text);
    (user, address)
}

/// Sends one notification on `email` (plus whatever else `channels` names); its email delivery.
fn email(user: &str, topic: &str, data: Value) -> Value {
    let r = send("POST", "/notifications", &json!({"to": user, "channels": ["email"], "topic": topic, "data": data}));
    assert_eq!(r.status, 202, "{}", r.text);
    r.body["deliveries"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["channel_type"] == "email").cloned())
        .expect("an email delivery")
}

fn delivery(user: &str, id: &str) -> Value {
    get(&format!("/users/{}/deliveries/{}", enc(user), enc(id))).body
}

fn settled(user: &str, id: &str) -> Value {
    eventually(30, || Some(delivery(user, id)).filter(|d| d["status"] != "pending"))
        .unwrap_or_else(|| delivery(user, id))
}

/// Sends and waits until SES accepted it; the delivery and the recorded email.
fn sent(user: &str, topic: &str) -> (Value, Value) {
    let d = email(user, topic, json!({"subject": "Hello", "body": "Body"}));
    let id = d["id"].as_str().unwrap().to_owned();
    let done = settled(user, &id);
    assert_eq!(done["status"], "sent", "{done}");
    let mail = email_fakes().emails_of(&id).pop().expect("the fake SES recorded it");
    (done, mail)
}

fn events_url() -> String {
    format!("{}{EVENTS}", edge().base)
}

fn publish(spec: Value) -> Value {
    let mut spec = spec;
    spec["target"] = events_url().into();
    email_fakes().publish(spec)
}

fn user(id: &str) -> Value {
    get(&format!("/users/{}", enc(id))).body
}

/// A request without credentials and with a body of another type than JSON: status and text.
fn call_raw(method: &str, path: &str, body: &str, content_type: &str) -> (u16, String) {
    let req = ureq::request(method, &format!("{}{path}", edge().base))
        .timeout(std::time::Duration::from_secs(30))
        .set("content-type", content_type);
    match req.send_string(body) {
        Ok(r) | Err(ureq::Error::Status(_, r)) => (r.status(), r.into_string().unwrap_or_default()),
        Err(e) => panic!("{method} {path}: {e}"),
    }
}

#[test]
fn an_email_arrives_with_subject_text_html_and_unsubscribe_headers() {
    let f = email_fakes();
    let (user, address) = user_with_email("em-arrives");
    let d = email(
        &user,
        "order-42",
        json!({"subject": "<script>alert(1)</script> shipped", "body": "Your <b>order</b> is on its way",
               "url": "https://shop.example/orders/42?x=1&y=2"}),
    );
    assert_eq!(d["status"], "pending");
    let id = d["id"].as_str().unwrap();
    let done = settled(&user, id);
    assert_eq!(done["status"], "sent", "{done}");
    assert_eq!((done["provider"].as_str(), done["attempts"].as_u64()), (Some("ses"), Some(1)));
    let mails = f.emails_of(id);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert_eq!(done["provider_message_id"], m["messageId"]);
    assert_eq!(m["to"], json!([address]));
    assert_eq!(m["from"], f.info["from"]);
    assert_eq!(m["configurationSet"], f.info["configurationSet"]);
    assert_eq!(m["subject"], "<script>alert(1)</script> shipped", "the subject is text, not HTML");
    let text = m["text"].as_str().unwrap();
    assert!(
        text.contains("Your <b>order</b> is on its way") && text.contains("https://shop.example/orders/42?x=1&y=2")
    );
    let html = m["html"].as_str().unwrap();
    assert!(!html.contains("<script>") && !html.contains("<b>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; shipped"), "{html}");
    assert!(html.contains("Your &lt;b&gt;order&lt;/b&gt; is on its way"), "{html}");
    assert!(html.contains("href=\"https://shop.example/orders/42?x=1&amp;y=2\""), "{html}");
    let unsubscribe = m["headers"]["List-Unsubscribe"].as_str().unwrap();
    let prefix = format!("<{}/email/unsubscribe?token=", edge().base);
    assert!(unsubscribe.starts_with(&prefix) && unsubscribe.ends_with('>'), "{unsubscribe}");
    assert_eq!(m["headers"]["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    assert_eq!(m["tags"]["tidings_delivery"], json!([id]));

    // SES reports the delivery.
    let r = publish(json!({"email": m["messageId"], "event": {"kind": "Delivery"}, "version": 2}));
    assert_eq!(r["status"], 200, "{r}");
    assert_eq!(delivery(&user, id)["status"], "delivered");
}

#[test]
fn a_user_without_email_is_skipped_when_email_is_asked_for_and_not_by_default() {
    let nobody = unique("em-none");
    let d = email(&nobody, "t", json!({"subject": "x"}));
    assert_eq!((d["status"].as_str(), d["reason"].as_str()), (Some("skipped"), Some("no_address")));
    let r = send("POST", "/notifications", &json!({"to": nobody, "data": {"subject": "x"}}));
    let channels: Vec<&str> =
        r.body["deliveries"].as_array().unwrap().iter().filter_map(|d| d["channel_type"].as_str()).collect();
    assert_eq!(channels, vec!["in_app"]);
    // An address makes it a default channel and the user notifiable.
    let (with, _) = user_with_email("em-default");
    assert_eq!(user(&with)["isNotifiable"], true);
    let r = send("POST", "/notifications", &json!({"to": with, "data": {"subject": "x"}}));
    let channels: Vec<&str> =
        r.body["deliveries"].as_array().unwrap().iter().filter_map(|d| d["channel_type"].as_str()).collect();
    assert_eq!(channels, vec!["in_app", "email"]);
}

#[test]
fn a_permanent_bounce_suppresses_the_address_until_it_changes() {
    let (user_id, _) = user_with_email("em-bounce");
    let (d, mail) = sent(&user_id, "news");
    let r = publish(
        json!({"email": mail["messageId"], "event": {"kind": "Bounce", "bounceType": "Permanent"}, "version": 2}),
    );
    assert_eq!(r["status"], 200, "{r}");
    let u = user(&user_id);
    assert_eq!(u["emailSuppressionStatus"]["reason"], "Bounce", "{u}");
    assert_eq!(u["emailSuppressionStatus"]["details"]["bounceType"], "Permanent");
    assert_eq!(u["emailSuppressionStatus"]["details"]["bouncedRecipients"][0]["status"], "5.1.1");
    assert_eq!(u["isNotifiable"], false, "a suppressed address does not count");
    let failed = delivery(&user_id, d["id"].as_str().unwrap());
    assert_eq!(
        (failed["status"].as_str(), failed["reason"].as_str(), failed["provider_code"].as_str()),
        (Some("failed"), Some("bounced"), Some("Bounce:Permanent:General")),
        "{failed}"
    );
    let next = email(&user_id, "news", json!({"subject": "again"}));
    assert_eq!((next["status"].as_str(), next["reason"].as_str()), (Some("skipped"), Some("suppressed")));
    let r = send("POST", "/notifications", &json!({"to": user_id, "data": {"subject": "x"}}));
    assert!(r.body["deliveries"].as_array().unwrap().iter().all(|d| d["channel_type"] != "email"), "{}", r.text);

    // A new address clears it.
    let r = send(
        "PUT",
        &format!("/users/{}", enc(&user_id)),
        &json!({"email": format!("new-{}", mail["to"][0].as_str().unwrap())}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body.get("emailSuppressionStatus").is_none(), "{}", r.text);
    assert_eq!(r.body["isNotifiable"], true);
    let (again, _) = sent(&user_id, "news");
    assert_eq!(again["status"], "sent");
}

#[test]
fn a_transient_bounce_fails_the_delivery_without_suppressing() {
    let (user_id, _) = user_with_email("em-transient");
    let (d, mail) = sent(&user_id, "news");
    let r = publish(
        json!({"email": mail["messageId"], "event": {"kind": "Bounce", "bounceType": "Transient", "bounceSubType": "MailboxFull"}}),
    );
    assert_eq!(r["status"], 200, "{r}");
    assert!(user(&user_id).get("emailSuppressionStatus").is_none());
    assert_eq!(delivery(&user_id, d["id"].as_str().unwrap())["provider_code"], "Bounce:Transient:MailboxFull");
}

#[test]
fn a_complaint_suppresses_the_address() {
    let (user_id, _) = user_with_email("em-complaint");
    let (d, mail) = sent(&user_id, "news");
    let r = publish(json!({"email": mail["messageId"], "event": {"kind": "Complaint"}, "version": 1}));
    assert_eq!(r["status"], 200, "{r}");
    let u = user(&user_id);
    assert_eq!(u["emailSuppressionStatus"]["reason"], "Complaint", "{u}");
    assert_eq!(u["emailSuppressionStatus"]["details"]["complaintFeedbackType"], "abuse");
    assert_eq!(delivery(&user_id, d["id"].as_str().unwrap())["status"], "sent", "a complaint does not fail it");
    let next = email(&user_id, "news", json!({"subject": "again"}));
    assert_eq!((next["status"].as_str(), next["reason"].as_str()), (Some("skipped"), Some("suppressed")));
}

#[test]
fn forged_unsigned_stale_or_foreign_events_are_refused_and_change_nothing() {
    let (user_id, _) = user_with_email("em-forged");
    let (d, mail) = sent(&user_id, "news");
    let bounce = json!({"email": mail["messageId"], "event": {"kind": "Bounce", "bounceType": "Permanent"}});
    for (tamper, status) in
        [("message", 401), ("unsigned", 401), ("wrong-key", 401), ("stale", 401), ("cert-host", 401)]
    {
        let mut spec = bounce.clone();
        spec["tamper"] = tamper.into();
        let r = publish(spec);
        assert_eq!(r["status"], status, "{tamper}: {r}");
        let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "unauthenticated", "{tamper}: {body}");
    }
    let mut other_topic = bounce.clone();
    other_topic["topicArn"] = "arn:aws:sns:us-east-1:999999999999:someone-elses-topic".into();
    assert_eq!(publish(other_topic)["status"], 401);
    let r = call("POST", EVENTS, Some("{\"not\": \"sns\"}"), Auth::None);
    r.assert_error(400, "validation_failed");
    assert!(user(&user_id).get("emailSuppressionStatus").is_none(), "nothing suppressed");
    assert_eq!(delivery(&user_id, d["id"].as_str().unwrap())["status"], "sent", "nothing failed");
}

#[test]
fn a_subscription_confirmation_is_confirmed_only_on_an_sns_host() {
    let f = email_fakes();
    let before = f.confirmations().len();
    let r = publish(
        json!({"type": "SubscriptionConfirmation", "message": "You have chosen to subscribe to the topic", "version": 1}),
    );
    assert_eq!(r["status"], 200, "{r}");
    let confirmed = f.confirmations();
    assert_eq!(confirmed.len(), before + 1);
    assert_eq!(confirmed.last().unwrap()["token"], r["sent"]["Token"]);
    let r = publish(json!({"type": "SubscriptionConfirmation", "message": "m", "tamper": "subscribe-host"}));
    assert_eq!(r["status"], 401, "{r}");
    assert_eq!(f.confirmations().len(), before + 1, "the foreign SubscribeURL was not visited");
}

#[test]
fn one_click_unsubscribe_opts_the_user_out_of_the_topic() {
    let (user_id, _) = user_with_email("em-unsub");
    let (_, mail) = sent(&user_id, "weekly-digest");
    let header = mail["headers"]["List-Unsubscribe"].as_str().unwrap();
    let url = header.trim_start_matches('<').trim_end_matches('>');
    let path = url.strip_prefix(&edge().base).unwrap();
    let prefs = format!("/users/{}/preferences", enc(&user_id));

    // A GET (a link scanner, the page) changes nothing.
    let page = call("GET", path, None, Auth::None);
    assert_eq!(page.status, 200);
    assert!(page.text.contains("weekly-digest") && page.text.contains("method=\"post\""), "{}", page.text);
    assert!(get(&prefs).body["notifications"].get("weekly-digest").is_none());

    // The mail client's one-click POST (RFC 8058).
    let r = call_raw("POST", path, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded");
    assert_eq!(r.0, 200, "{}", r.1);
    assert_eq!(get(&prefs).body["notifications"]["weekly-digest"]["status"], "OPTED_OUT");
    let next = email(&user_id, "weekly-digest", json!({"subject": "this week"}));
    assert_eq!((next["status"].as_str(), next["reason"].as_str()), (Some("skipped"), Some("opted_out")));
    let (other, _) = sent(&user_id, "security");
    assert_eq!(other["status"], "sent", "other topics still go out");

    // A forged token is refused, a missing one named.
    let forged = path.replace("token=", "token=x");
    assert_eq!(call_raw("POST", &forged, "List-Unsubscribe=One-Click", "application/x-www-form-urlencoded").0, 403);
    call("GET", "/email/unsubscribe?token=nope", None, Auth::None).assert_error(403, "forbidden");
    let r = call("POST", "/email/unsubscribe", None, Auth::None);
    r.assert_error(400, "validation_failed");
    assert_eq!(r.field(), "token");
}

#[test]
fn message_rejected_fails_the_delivery_with_the_provider_code() {
    let f = email_fakes();
    let (user_id, address) = user_with_email("em-rejected");
    f.script(
        &address,
        json!([{"status": 400, "type": "MessageRejected", "message": "Email address is not verified."}]),
    );
    let d = email(&user_id, "t", json!({"subject": "x"}));
    let done = settled(&user_id, d["id"].as_str().unwrap());
    assert_eq!(
        (done["status"].as_str(), done["reason"].as_str(), done["provider_code"].as_str()),
        (Some("failed"), Some("provider_rejected"), Some("MessageRejected")),
        "{done}"
    );
    assert_eq!(done["provider"], "ses");
    assert!(f.emails_of(d["id"].as_str().unwrap()).is_empty());
}

#[test]
fn throttled_then_accepted_delivers_once() {
    let f = email_fakes();
    let (user_id, address) = user_with_email("em-429");
    f.script(
        &address,
        json!([{"status": 429, "type": "TooManyRequestsException", "message": "Maximum sending rate exceeded."}]),
    );
    let d = email(&user_id, "t", json!({"subject": "x"}));
    let id = d["id"].as_str().unwrap();
    let done = settled(&user_id, id);
    assert_eq!((done["status"].as_str(), done["attempts"].as_u64()), (Some("sent"), Some(2)), "{done}");
    assert_eq!(f.emails_of(id).len(), 1, "one email, not two");
    let tries = f.log().into_iter().filter(|e| e["to"] == json!([address])).count();
    assert_eq!(tries, 2, "one refused, one accepted");
}
