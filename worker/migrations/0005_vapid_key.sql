-- Each web push subscription remembers the VAPID public key (base64url) it was made with, so it
-- is signed with that key after a rotation. NULL: a row from before this migration, treated as
-- made with the current key (see docs/decisions.md, "Key rotation").

ALTER TABLE webpush_subscriptions ADD COLUMN vapid_key TEXT;
