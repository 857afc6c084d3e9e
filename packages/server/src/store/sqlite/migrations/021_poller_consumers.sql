-- Named consumers of polling destinations (Svix's messagePoller.consumerPoll): each one's position, an iterator.
CREATE TABLE poller_consumer (
  destination_id TEXT NOT NULL REFERENCES endpoint (id) ON DELETE CASCADE,
  consumer_id    TEXT NOT NULL,
  iterator       TEXT NOT NULL,
  updated_at     INTEGER NOT NULL,
  PRIMARY KEY (destination_id, consumer_id)
);
