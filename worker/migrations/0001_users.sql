-- The user directory: users, mobile push tokens, web push subscriptions, and operations.

CREATE TABLE users (
  pk INTEGER PRIMARY KEY AUTOINCREMENT,       -- stable list order; never reused
  id TEXT NOT NULL UNIQUE,
  profile TEXT NOT NULL DEFAULT '{}',         -- JSON: email, number, timezone, identity, ...
  identity TEXT GENERATED ALWAYS AS (json_extract(profile, '$.identity')) VIRTUAL,
  created_at INTEGER NOT NULL,                -- ms since the epoch
  updated_at INTEGER NOT NULL,
  last_seen_at INTEGER
);
CREATE UNIQUE INDEX users_identity ON users (identity) WHERE identity IS NOT NULL;

CREATE TABLE push_tokens (
  token TEXT PRIMARY KEY,                     -- a token belongs to one user at a time
  user_id TEXT NOT NULL,
  body TEXT NOT NULL,                         -- JSON: the PushToken as sent
  created_at INTEGER NOT NULL
);
CREATE INDEX push_tokens_user ON push_tokens (user_id, created_at);

CREATE TABLE webpush_subscriptions (
  endpoint TEXT PRIMARY KEY,                  -- a subscription belongs to one user at a time
  user_id TEXT NOT NULL,
  body TEXT NOT NULL,                         -- JSON: {sub, device?}
  invalid_at INTEGER,                         -- set when the push service refuses our key
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX webpush_user ON webpush_subscriptions (user_id, created_at);

CREATE TABLE operations (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  status TEXT NOT NULL,                       -- pending | succeeded | failed
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
