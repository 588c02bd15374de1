-- Email (issue 13): a user's address suppressed by an SES permanent bounce or a complaint.
-- `email_suppression` is the user's `emailSuppressionStatus` ({reason, details}, JSON); it is
-- not sent to while set, and does not make the user notifiable. It belonged to the address:
-- changing the user's `email` clears it (the trigger below, whatever writes the profile).
ALTER TABLE users ADD COLUMN email_suppression TEXT;

-- SES events name the address: find its users without a scan.
CREATE INDEX users_email ON users (lower(json_extract(profile, '$.email')))
  WHERE json_extract(profile, '$.email') IS NOT NULL;

CREATE TRIGGER users_email_changed AFTER UPDATE OF profile ON users
  WHEN NEW.email_suppression IS NOT NULL
   AND json_extract(OLD.profile, '$.email') IS NOT json_extract(NEW.profile, '$.email')
BEGIN
  UPDATE users SET email_suppression = NULL WHERE pk = NEW.pk;
END;
