// A service worker that does nothing: the page tests register it to get a real
// ServiceWorkerRegistration (scope /noop-scope/) for client.push.
self.addEventListener("install", () => self.skipWaiting());
