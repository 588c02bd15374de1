// A local push service for the demo tests: records every request the edge sends (headers and
// the encrypted body), decrypts it as the browser would (RFC 8291 via http_ece, with the
// subscription's private key), and answers 201.
import { createServer } from "node:http";
import { createECDH, randomBytes } from "node:crypto";
import ece from "http_ece";

export async function startPushService() {
  const subs = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const id = req.url.split("/").pop();
      const sub = subs.get(id);
      if (!sub) {
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      let plaintext = null;
      let error = null;
      try {
        plaintext = ece.decrypt(body, { version: "aes128gcm", privateKey: sub.ecdh, authSecret: sub.auth }).toString("utf8");
      } catch (e) {
        error = String(e);
      }
      sub.received.push({ headers: req.headers, body, plaintext, error });
      res.writeHead(201).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    /** A new subscription: what PushSubscription.toJSON() would give, plus its received log. */
    subscribe() {
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = randomBytes(12).toString("hex");
      const sub = { ecdh, auth, received: [] };
      subs.set(id, sub);
      return {
        endpoint: `${origin}/push/${id}`,
        keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") },
        received: sub.received,
      };
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
