-- SMS (issue 14).
-- Telnyx reports a message's fate by its own id: which delivery (of which user's feed) it was.
CREATE TABLE sms_messages (
  provider_message_id TEXT PRIMARY KEY,
  delivery_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
-- Deleting a user deletes its rows.
CREATE INDEX sms_messages_user ON sms_messages (user_id);
-- Numbers that texted STOP (or another opt-out word) and not START since: no SMS to them,
-- whichever user has the number. Keyed by number because the handset opted out, not an account.
CREATE TABLE sms_opt_outs (
  number TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);
