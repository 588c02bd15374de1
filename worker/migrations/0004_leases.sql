-- Leases: every piece of work handed to the SEND queue (bulk batches, web push sends and their
-- retries, deletion cascades; later scheduled sends) is recorded here until it finishes. The
-- sweeper re-enqueues what is past `due_at`; work that keeps failing is dead-lettered.

CREATE TABLE leases (
  id TEXT PRIMARY KEY,                        -- the work: bulk:{job}:{from}, push:{delivery}, delete:{op}
  kind TEXT NOT NULL,                         -- the job's kind (bulk_batch, send_web_push, delete_user)
  job TEXT NOT NULL,                          -- JSON: the queue message to send again
  gen INTEGER NOT NULL,                       -- bumped at each (re-)enqueue; older messages are dropped
  runs INTEGER NOT NULL DEFAULT 0,            -- consumer runs of this generation line
  sweeps INTEGER NOT NULL DEFAULT 0,          -- times found past due by the sweeper
  due_at INTEGER NOT NULL,                    -- ms: re-enqueued by the sweeper after this
  created_at INTEGER NOT NULL
);
CREATE INDEX leases_due ON leases (due_at);
