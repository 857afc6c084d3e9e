-- Retention: when a message's payload (and its attempts' response bodies) expire, and the index the pruner walks.
ALTER TABLE message ADD COLUMN payload_expires_at INTEGER;
CREATE INDEX message_payload_expiry ON message (payload_expires_at) WHERE payload IS NOT NULL;
CREATE INDEX message_by_created ON message (created_at);
CREATE INDEX idempotency_expiry ON idempotency (expires_at);
