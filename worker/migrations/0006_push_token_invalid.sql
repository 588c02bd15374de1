-- Mobile push (issue 12): a push token the provider refused for our credentials (FCM
-- SENDER_ID_MISMATCH, APNs provider token refused twice) stays listed but is not sent to,
-- and does not make the user notifiable, until the app registers it again.
ALTER TABLE push_tokens ADD COLUMN invalid_at INTEGER;
