-- Bulk jobs (seed 004): a message, the users added to it, and each user's outcome.

CREATE TABLE bulk_jobs (
  id TEXT PRIMARY KEY,
  definition TEXT NOT NULL,                   -- JSON: {message}
  status TEXT NOT NULL,                       -- CREATED | PROCESSING | COMPLETED | ERROR
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE bulk_users (
  job_id TEXT NOT NULL,
  seq INTEGER NOT NULL,                       -- 1.. in the order users were added
  item TEXT NOT NULL,                         -- JSON: the item as added
  status TEXT NOT NULL,                       -- PENDING | ENQUEUED | ERROR
  message_id TEXT,
  reason TEXT,
  PRIMARY KEY (job_id, seq)
);
CREATE INDEX bulk_users_status ON bulk_users (job_id, status);
