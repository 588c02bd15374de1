// The demo's service worker: the npm package's handlers, nothing else. The handlers find the
// edge's address and public key in what `client.push.subscribe` stored for this registration.
import init, { handlePush, handleNotificationClick, handleSubscriptionChange } from "/pkg/tidings.js";

const ready = init();
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("push", (event) => event.waitUntil(ready.then(() => handlePush(event))));
self.addEventListener("notificationclick", (event) => event.waitUntil(ready.then(() => handleNotificationClick(event))));
self.addEventListener("pushsubscriptionchange", (event) => event.waitUntil(ready.then(() => handleSubscriptionChange(event))));
