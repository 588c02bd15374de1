// The JS side of the Rust bindings: calls to the edge and the package's errors (for
// src/browser/error.rs, feed.js and push.js). Plain JS: this is browser plumbing (fetch, Error
// objects), which in wasm cost kilobytes of bindings and async state machines.

/** Codes derived from an HTTP status when the answer carries no envelope. */
const BY_STATUS = {
  400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "bad_request",
  409: "conflict", 413: "payload_too_large", 429: "rate_limited", 502: "provider_error", 503: "unavailable",
};

/**
 * Every rejection of the package: an `Error` named `TidingsError` with a stable `code`, the
 * HTTP `status` (0 when no answer came), `requestId`, `fix` and `details`.
 */
export function tidingsError(code, message, status = 0, requestId = null, fix = null, details = null) {
  const e = new Error(message);
  e.name = "TidingsError";
  return Object.assign(e, { code, status, requestId, fix, details });
}

/**
 * Sends `method url` with `headers` (an object) and `body` (sent as JSON when not undefined);
 * resolves to the answer's JSON (`undefined` for an empty body), rejects with a `TidingsError`.
 */
export async function send(method, url, headers, body) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    new URL(url);
  } catch {
    throw tidingsError("invalid_argument", `${url} is not a valid URL`);
  }
  let response, text;
  try {
    response = await fetch(url, init);
    text = await response.text();
  } catch (e) {
    throw tidingsError("network_error", `could not reach ${url}: ${e && e.message}`);
  }
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    if (response.ok) throw tidingsError("invalid_response", `${method} ${url} answered with a body that is not JSON`);
  }
  if (response.ok) return json;
  const e = (json && json.error) || {};
  throw tidingsError(
    typeof e.code === "string" ? e.code : BY_STATUS[response.status] || "internal",
    typeof e.message === "string" ? e.message : `the edge answered HTTP ${response.status}`,
    response.status,
    response.headers.get("x-request-id") || e.request_id || (json && json.trackingId) || null,
    e.fix ?? null,
    e.details ?? null,
  );
}

/** A user's calls: `config` is {baseUrl, apiKey, userId, userToken}. */
export function userCall(config, method, rest, body) {
  if (!config.userToken) {
    return Promise.reject(tidingsError("invalid_argument", "this call needs a userToken: pass it to new TidingsClient(...)"));
  }
  const url = `${config.baseUrl}/users/${encodeURIComponent(config.userId)}${rest}`;
  return send(method, url, { "x-api-key": config.apiKey, "x-user-token": config.userToken }, body);
}
