-- The recipients of each notification that has deliveries held for later (send_at,
-- deliver_at_local, quiet hours, digests): DELETE /notifications/{id} asks their feeds to
-- cancel what has not gone out.

CREATE TABLE notification_recipients (
  notification_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (notification_id, user_id)
);
