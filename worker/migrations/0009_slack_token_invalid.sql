-- Slack (issue 14): when Slack refuses a user's slackToken (invalid_auth, token_revoked,
-- account_inactive, or its incoming webhook answers invalid_token / no_service), the token is
-- kept but marked: nothing is sent with it and it does not make the user notifiable, until a
-- PUT /users names slackToken again.
ALTER TABLE users ADD COLUMN slack_invalid_at INTEGER;
