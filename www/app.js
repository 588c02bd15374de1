// The demo page: a notification bell and feed on the `tidings` npm package, against the local
// edge. In dev mode the page gets the public key from /dev/config and a user token from
// /dev/user-token; a real app gets its user token from its own backend.
import init, { TidingsClient } from "/pkg/tidings.js";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const api = (path, init = {}) =>
  fetch(path, { ...init, headers: { "content-type": "application/json", ...init.headers } }).then(async (r) => {
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body?.error?.message ?? `${path}: ${r.status}`);
    return body;
  });

function currentUser() {
  const fromUrl = new URLSearchParams(location.search).get("user");
  const user = fromUrl || localStorage.getItem("tidings-demo-user") || `demo-${crypto.randomUUID().slice(0, 8)}`;
  localStorage.setItem("tidings-demo-user", user);
  return user;
}

function ago(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

function render(feed, snap) {
  const count = $("unread-count");
  count.textContent = String(snap.unreadCount);
  count.dataset.zero = String(snap.unreadCount === 0);
  document.title = snap.unreadCount ? `(${snap.unreadCount}) Tidings — demo` : "Tidings — demo";
  $("realtime").textContent = snap.realtime === "connected" ? "live" : snap.realtime;
  $("realtime").dataset.state = snap.realtime;
  $("empty").hidden = snap.items.length > 0 || snap.status === "loading";
  $("load-more").hidden = !snap.hasMore;
  $("error").hidden = !snap.error;
  $("error").textContent = snap.error ? `${snap.error.code}: ${snap.error.message}` : "";
  const list = $("feed");
  list.replaceChildren(
    ...snap.items.map((d) => {
      const li = document.createElement("li");
      li.className = `item${d.read_at ? "" : " unread"}`;
      li.dataset.testid = "feed-item";
      li.dataset.id = d.id;
      const dot = document.createElement("span");
      dot.className = "dot";
      const text = document.createElement("div");
      text.className = "text";
      const subject = document.createElement("div");
      subject.className = "subject";
      subject.textContent = d.data?.subject ?? "(no subject)";
      const body = document.createElement("div");
      body.className = "body";
      body.textContent = d.data?.body ?? "";
      const meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = ago(d.created_at);
      text.append(subject, body, meta);
      const archive = document.createElement("button");
      archive.className = "archive";
      archive.dataset.testid = "archive";
      archive.textContent = "Archive";
      archive.onclick = (e) => {
        e.stopPropagation();
        feed.markArchived([d.id]).catch(() => {});
      };
      li.onclick = () => {
        feed.markClicked([d.id]).catch(() => {});
        const url = d.data?.url;
        if (url && url !== "/" && url !== location.pathname) window.open(url, "_blank", "noopener");
      };
      li.append(dot, text, archive);
      return li;
    }),
  );
}

async function main() {
  await init();
  const userId = currentUser();
  $("user-id").textContent = userId;
  const { publicKey } = await api("/dev/config");
  const headers = { "x-api-key": publicKey };
  const { token } = await api("/dev/user-token", { method: "POST", headers, body: JSON.stringify({ user_id: userId }) });
  const client = new TidingsClient({ baseUrl: location.origin, apiKey: publicKey, userId, userToken: token });

  const feed = client.feed({ channel_type: "in_app" });
  feed.subscribe((snap) => render(feed, snap));
  feed.connect();
  $("mark-all-read").onclick = () => feed.markAllRead().catch(() => {});
  $("load-more").onclick = () => feed.loadMore().catch(() => {});

  const push = client.push;
  const showPush = (state) => {
    $("push-permission").textContent = push.permission();
    $("push-state").textContent = state?.subscribed ? "subscribed" : "not subscribed";
  };
  let registration = null;
  if (push.isSupported()) {
    registration = await navigator.serviceWorker.register("/sw.js", { type: "module" });
    await navigator.serviceWorker.ready;
    showPush(await push.sync({ registration }).catch(() => null));
  } else {
    $("enable-push").disabled = true;
    showPush(null);
  }
  $("enable-push").onclick = async () => {
    try {
      showPush(await push.subscribe({ registration }));
    } catch (e) {
      $("push-state").textContent = `${e.code ?? "error"}: ${e.message}`;
      showPush(null);
    }
  };

  $("send-test").onclick = async () => {
    const channels = [];
    if ($("channel-in-app").checked) channels.push("in_app");
    if ($("channel-web-push").checked) channels.push("web_push");
    if ($("channel-mobile-push").checked) channels.push("mobile_push");
    if ($("channel-email").checked) channels.push("email");
    if ($("channel-sms").checked) channels.push("sms");
    if ($("channel-webhook").checked) channels.push("webhook");
    if ($("channel-slack").checked) channels.push("slack");
    await api("/dev/notify", {
      method: "POST",
      headers,
      body: JSON.stringify({ user_id: userId, channels, subject: $("subject").value, body: $("body").value }),
    });
  };

  // For the end-to-end tests (and curious developers): the live objects.
  window.tidings = { client, feed, push, registration, userId, publicKey, showPush };
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  $("error").hidden = false;
  $("error").textContent = `The demo could not start: ${e.message}`;
  console.error(e);
});
