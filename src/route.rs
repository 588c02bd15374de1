//! The route table: every (method, path) the edge answers, matched without I/O.
//!
//! The worker dispatches on [`Route`]; `/openapi.json` is checked against [`ROUTES`] by a test,
//! so the document and the code cannot drift apart.

use crate::ApiError;

/// Every operation of the HTTP API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /health`
    Health,
    /// `GET /openapi.json`
    OpenApi,
    /// `GET /vapid`
    Vapid,
    /// `GET /users`
    ListUsers,
    /// `POST /users`
    CreateUser,
    /// `GET /users/{userId}`
    GetUser,
    /// `PUT /users/{userId}`
    PutUser,
    /// `DELETE /users/{userId}`
    DeleteUser,
    /// `POST /users/{userId}/webpush`
    AddWebPush,
    /// `DELETE /users/{userId}/webpush`
    RemoveWebPush,
    /// `POST /users/{userId}/push-tokens`
    AddPushToken,
    /// `DELETE /users/{userId}/push-tokens`
    RemovePushToken,
    /// `GET /operations/{operationId}`
    GetOperation,
    /// `POST /notifications`
    Notify,
    /// `DELETE /notifications/{notificationId}`
    CancelNotification,
    /// `GET /users/{userId}/preferences`
    GetPreferences,
    /// `PUT /users/{userId}/preferences`
    PutPreferences,
    /// `GET /users/{userId}/deliveries`
    ListDeliveries,
    /// `GET /users/{userId}/deliveries/{deliveryId}`
    GetDelivery,
    /// `PATCH /users/{userId}/deliveries/{deliveryId}`
    PatchDelivery,
    /// `POST /users/{userId}/deliveries/actions`
    DeliveryActions,
    /// `GET /users/{userId}/feed/socket`
    FeedSocket,
    /// `POST /dev/webpush/encrypt` (dev mode): RFC 8291 with a fixed key through WebCrypto.
    DevEncrypt,
    /// `POST /dev/webpush/bench` (dev mode): Web Push preparation throughput.
    DevPushBench,
    /// `POST /dev/mobile/bench` (dev mode): FCM / APNs preparation throughput, credentials cached.
    DevMobileBench,
    /// `POST /dev/email/bench` (dev mode): SES preparation and SigV4 signing throughput.
    DevEmailBench,
    /// `POST /dev/user-token` (dev mode): a user token for the demo page.
    DevUserToken,
    /// `POST /dev/notify` (dev mode): a test notification from the demo page.
    DevNotify,
    /// `GET /dev/config` (dev mode): the public key for the demo page.
    DevConfig,
    /// `GET /dev/users/{userId}/sockets` (dev mode): the realtime sockets open at the user's feed.
    DevSockets,
    /// `POST /bulk`
    CreateBulk,
    /// `POST /bulk/{jobId}`
    AddBulkUsers,
    /// `POST /bulk/{jobId}/run`
    RunBulk,
    /// `GET /bulk/{jobId}`
    GetBulk,
    /// `GET /bulk/{jobId}/users`
    ListBulkUsers,
    /// `POST /providers/ses/events`: SES events through an Amazon SNS subscription (signed).
    SesEvents,
    /// `GET /email/unsubscribe`: the unsubscribe page of an email's link (token in the query).
    UnsubscribePage,
    /// `POST /email/unsubscribe`: RFC 8058 one-click unsubscribe (token in the query).
    Unsubscribe,
    /// `POST /providers/telnyx/events`: Telnyx's signed message webhooks.
    TelnyxEvents,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No credentials needed.
    Public,
    /// The secret key only.
    Admin,
    /// The secret key, or browser credentials (public key + user token) of the user named by
    /// the first path parameter.
    Own,
    /// The secret key or the public key alone.
    PublicKey,
    /// No key: a provider's webhook, which the handler authenticates by the provider's
    /// signature (401 when it does not verify).
    Signed,
}

/// One row of the route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    /// The operation.
    pub route: Route,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template, OpenAPI style (`/users/{userId}`).
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

const fn spec(route: Route, method: &'static str, path: &'static str, access: Access) -> RouteSpec {
    RouteSpec { route, method, path, access }
}

/// The whole API.
pub const ROUTES: &[RouteSpec] = &[
    spec(Route::Health, "GET", "/health", Access::Public),
    spec(Route::OpenApi, "GET", "/openapi.json", Access::Public),
    spec(Route::Vapid, "GET", "/vapid", Access::Public),
    spec(Route::ListUsers, "GET", "/users", Access::Admin),
    spec(Route::CreateUser, "POST", "/users", Access::Admin),
    spec(Route::GetUser, "GET", "/users/{userId}", Access::Own),
    spec(Route::PutUser, "PUT", "/users/{userId}", Access::Admin),
    spec(Route::DeleteUser, "DELETE", "/users/{userId}", Access::Admin),
    spec(Route::AddWebPush, "POST", "/users/{userId}/webpush", Access::Own),
    spec(Route::RemoveWebPush, "DELETE", "/users/{userId}/webpush", Access::Own),
    spec(Route::AddPushToken, "POST", "/users/{userId}/push-tokens", Access::Admin),
    spec(Route::RemovePushToken, "DELETE", "/users/{userId}/push-tokens", Access::Admin),
    spec(Route::GetOperation, "GET", "/operations/{operationId}", Access::Admin),
    spec(Route::Notify, "POST", "/notifications", Access::Admin),
    spec(Route::CancelNotification, "DELETE", "/notifications/{notificationId}", Access::Admin),
    spec(Route::GetPreferences, "GET", "/users/{userId}/preferences", Access::Own),
    spec(Route::PutPreferences, "PUT", "/users/{userId}/preferences", Access::Own),
    spec(Route::ListDeliveries, "GET", "/users/{userId}/deliveries", Access::Own),
    spec(Route::GetDelivery, "GET", "/users/{userId}/deliveries/{deliveryId}", Access::Own),
    spec(Route::PatchDelivery, "PATCH", "/users/{userId}/deliveries/{deliveryId}", Access::Own),
    spec(Route::DeliveryActions, "POST", "/users/{userId}/deliveries/actions", Access::Own),
    spec(Route::FeedSocket, "GET", "/users/{userId}/feed/socket", Access::Own),
    spec(Route::DevEncrypt, "POST", "/dev/webpush/encrypt", Access::Admin),
    spec(Route::DevPushBench, "POST", "/dev/webpush/bench", Access::Admin),
    spec(Route::DevMobileBench, "POST", "/dev/mobile/bench", Access::Admin),
    spec(Route::DevEmailBench, "POST", "/dev/email/bench", Access::Admin),
    spec(Route::DevUserToken, "POST", "/dev/user-token", Access::PublicKey),
    spec(Route::DevNotify, "POST", "/dev/notify", Access::PublicKey),
    spec(Route::DevConfig, "GET", "/dev/config", Access::Public),
    spec(Route::DevSockets, "GET", "/dev/users/{userId}/sockets", Access::Admin),
    spec(Route::CreateBulk, "POST", "/bulk", Access::Admin),
    spec(Route::AddBulkUsers, "POST", "/bulk/{jobId}", Access::Admin),
    spec(Route::RunBulk, "POST", "/bulk/{jobId}/run", Access::Admin),
    spec(Route::GetBulk, "GET", "/bulk/{jobId}", Access::Admin),
    spec(Route::ListBulkUsers, "GET", "/bulk/{jobId}/users", Access::Admin),
    spec(Route::SesEvents, "POST", "/providers/ses/events", Access::Signed),
    spec(Route::UnsubscribePage, "GET", "/email/unsubscribe", Access::Public),
    spec(Route::Unsubscribe, "POST", "/email/unsubscribe", Access::Public),
    spec(Route::TelnyxEvents, "POST", "/providers/telnyx/events", Access::Signed),
];

/// A matched route with its decoded path parameters, in template order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The route's table row.
    pub spec: RouteSpec,
    /// Percent-decoded path parameters.
    pub params: Vec<String>,
}

/// Finds the route for `method` and `path` (no query string). Where templates overlap, the
/// path belongs to the most literal ones (`/users/x/deliveries/actions` is the actions route,
/// not a delivery called `actions`). Unknown path → `RouteNotFound`; known path, other method →
/// `MethodNotAllowed` with the path's methods. `HEAD` is answered by the `GET` route (the
/// runtime sends no body).
pub fn resolve(method: &str, path: &str) -> Result<Matched, ApiError> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut candidates = Vec::new();
    for spec in ROUTES {
        if let Some(params) = match_template(spec.path, &segments)? {
            candidates.push((spec, params));
        }
    }
    let literal = |s: &RouteSpec| s.path.split('/').filter(|p| !p.starts_with('{')).count();
    let most = candidates.iter().map(|(s, _)| literal(s)).max().unwrap_or(0);
    let mut allowed = Vec::new();
    for (spec, params) in candidates.into_iter().filter(|(s, _)| literal(s) == most) {
        if spec.method == method || (method == "HEAD" && spec.method == "GET") {
            return Ok(Matched { spec: *spec, params });
        }
        allowed.push(spec.method);
        if spec.method == "GET" {
            allowed.push("HEAD");
        }
    }
    if allowed.is_empty() {
        Err(ApiError::RouteNotFound { path: path.to_owned() })
    } else {
        Err(ApiError::MethodNotAllowed { method: method.to_owned(), allowed })
    }
}

fn match_template(template: &str, segments: &[&str]) -> Result<Option<Vec<String>>, ApiError> {
    let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    if parts.len() != segments.len() {
        return Ok(None);
    }
    let mut params = Vec::new();
    for (part, seg) in parts.iter().zip(segments) {
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            let value = percent_decode(seg).ok_or_else(|| {
                ApiError::field(name, "invalid", format!("{name} is not validly percent-encoded UTF-8"))
            })?;
            params.push(value);
        } else if part != seg {
            return Ok(None);
        }
    }
    Ok(Some(params))
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Parses a query string into decoded `(name, value)` pairs (`+` is a space).
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let dec = |s: &str| percent_decode(&s.replace('+', " ")).unwrap_or_else(|| s.to_owned());
            (dec(k), dec(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_and_decodes() {
        let m = resolve("GET", "/users/a%20b").unwrap();
        assert_eq!(m.spec.route, Route::GetUser);
        assert_eq!(m.params, vec!["a b".to_owned()]);
        assert_eq!(resolve("DELETE", "/users/x/webpush").unwrap().spec.route, Route::RemoveWebPush);
    }

    #[test]
    fn not_found_and_method_not_allowed() {
        assert!(matches!(resolve("GET", "/nope"), Err(ApiError::RouteNotFound { .. })));
        assert!(matches!(resolve("GET", "/users/x/y/z"), Err(ApiError::RouteNotFound { .. })));
        match resolve("PATCH", "/users/x") {
            Err(ApiError::MethodNotAllowed { allowed, .. }) => {
                assert_eq!(allowed, vec!["GET", "HEAD", "PUT", "DELETE"])
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(resolve("HEAD", "/users/x").unwrap().spec.route, Route::GetUser);
        assert!(matches!(resolve("HEAD", "/notifications"), Err(ApiError::MethodNotAllowed { .. })));
        assert!(matches!(resolve("GET", "/users/%ff"), Err(ApiError::Validation(_))));
        match resolve("GET", "/users/x/deliveries/actions") {
            Err(ApiError::MethodNotAllowed { allowed, .. }) => assert_eq!(allowed, vec!["POST"]),
            other => panic!("{other:?}"),
        }
        assert_eq!(resolve("GET", "/users/x/deliveries/act").unwrap().spec.route, Route::GetDelivery);
    }

    #[test]
    fn query_strings() {
        assert_eq!(
            query_pairs("?pageSize=5&endpoint=https%3A%2F%2Fx&flag"),
            vec![("pageSize".into(), "5".into()), ("endpoint".into(), "https://x".into()), ("flag".into(), "".into())]
        );
    }
}
