-- Where a message came from, carried to its delivery attempts: the API request id (for logs) and the W3C
-- traceparent of the span that published it (so attempts, in any process and at any later time, join its trace).
-- NULL for messages stored before this migration, published by Herald itself, or published untraced.
ALTER TABLE message ADD COLUMN request_id text;
ALTER TABLE message ADD COLUMN traceparent text;
