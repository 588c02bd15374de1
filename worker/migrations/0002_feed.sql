-- Notifications: idempotency records, preferences, and the online flag kept by feed sockets.

CREATE TABLE idempotency (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,                  -- SHA-256 of the request body
  response TEXT NOT NULL,                     -- the planned answer, replayed on a repeat
  done INTEGER NOT NULL DEFAULT 0,            -- 0 while the deliveries are being written
  created_at INTEGER NOT NULL                 -- records older than 24 h are replaced
);

CREATE TABLE preferences (
  user_id TEXT PRIMARY KEY,
  body TEXT NOT NULL,                         -- JSON: {categories, notifications}
  updated_at INTEGER NOT NULL
);

ALTER TABLE users ADD COLUMN online INTEGER NOT NULL DEFAULT 0;
