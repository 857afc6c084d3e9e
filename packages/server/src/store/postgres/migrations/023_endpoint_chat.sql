-- Chat endpoints (Slack, Teams, Discord, Feishu, DingTalk, WeCom): chat_kind in clear, and the sealed JSON of the
-- provider's signing secret and the endpoint's message template. Both NULL: a plain webhook endpoint.
ALTER TABLE endpoint ADD COLUMN chat_kind TEXT;
ALTER TABLE endpoint ADD COLUMN chat TEXT;
