// Writes worker/.dev.vars (git-ignored) with fresh random local keys, unless it exists.
// Usage: node scripts/dev-vars.mjs [path]
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";

const path = process.argv[2] ?? new URL("../worker/.dev.vars", import.meta.url).pathname;
if (existsSync(path)) process.exit(0);

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const rand = (n) => b64url(randomBytes(n));
const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const jwk = privateKey.export({ format: "jwk" });
const raw = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
void publicKey;

const vars = {
  TIDINGS_SECRET_KEY: `sk_${rand(24)}`,
  TIDINGS_PUBLIC_KEY: `pk_${rand(24)}`,
  TIDINGS_USER_TOKEN_SECRET: rand(32),
  TIDINGS_VAPID_PRIVATE_KEY: jwk.d,
  TIDINGS_VAPID_PUBLIC_KEY: b64url(raw),
  TIDINGS_DEV_MODE: "1",
};
writeFileSync(path, Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n") + "\n", { mode: 0o600 });
console.log(`wrote ${path} (local development keys)`);
